/*
 * fuzz_document.c - libFuzzer target: arbitrary JSON text through ld_json_parse (checked
 * against json_loadb as the oracle) and, when it is an object, ld_document_from_json,
 * whose documents must round-trip through ld_document_to_json.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <letsdata/document.h>
#include <letsdata/json.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ld_error error = {0};
    json_t *ours = ld_json_parse((const char *)data, size, &error);
    json_t *theirs = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    /* jansson 2.14 accepts a top-level scalar followed by a raw NUL byte ("9\0", "5\0\n"):
     * it loses the NUL while ending the token. A raw NUL is never valid JSON, and
     * ld_json_parse rejects it; everywhere else the two must agree exactly. */
    int jansson_nul_quirk = ours == NULL && theirs != NULL && memchr(data, 0, size) != NULL;
    if (!jansson_nul_quirk &&
        ((ours == NULL) != (theirs == NULL) || (ours != NULL && !json_equal(ours, theirs))))
        abort(); /* ld_json_parse must accept and build exactly what jansson does */
    json_decref(theirs);
    if (ours != NULL) {
        ld_document *doc = ld_document_from_json(ours, &error);
        if (doc != NULL) {
            json_t *back = ld_document_to_json(doc);
            if (back == NULL || !json_equal(back, ours))
                abort();
            json_decref(back);
            json_t *serialized = ld_document_serialize(doc);
            json_decref(serialized);
            ld_document_free(doc);
        }
        json_decref(ours);
    }
    return 0;
}
