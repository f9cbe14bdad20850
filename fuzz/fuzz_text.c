/*
 * fuzz_text.c - libFuzzer target for the text helpers of issue #12:
 *  - UTF-8: ld_utf8_check agrees with jansson's own check (json_stringn accepts exactly
 *    the valid texts), the reported offset ends a valid prefix, ld_utf8_sanitize yields
 *    valid UTF-8, changes valid text not at all and is idempotent;
 *  - reals: the first 8 bytes as a double; ld_json_format_real's text reads back as the
 *    same double (bit for bit), fits LD_JSON_REAL_MAX, and the exact fast path agrees
 *    with the printf/strtod search.
 *
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <letsdata/json.h>
#include <letsdata/utf8.h>

#include "json_number.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_utf8(const char *text, size_t size)
{
    size_t offset = 0;
    int valid = ld_utf8_check(text, size, &offset) == LD_OK;
    json_t *theirs = json_stringn(text, size);
    if (valid != (theirs != NULL))
        abort();
    json_decref(theirs);
    if (!valid && (offset >= size || ld_utf8_check(text, offset, NULL) != LD_OK))
        abort();
    size_t length = 0, replaced = 0;
    char *clean = ld_utf8_sanitize(text, size, &length, &replaced);
    if (clean == NULL)
        return; /* out of memory is allowed */
    if (ld_utf8_check(clean, length, NULL) != LD_OK || (replaced == 0) != valid)
        abort();
    if (valid && (length != size || memcmp(clean, text, size) != 0))
        abort();
    size_t again_length = 0, again_replaced = 0;
    char *again = ld_utf8_sanitize(clean, length, &again_length, &again_replaced);
    if (again != NULL && (again_replaced != 0 || again_length != length ||
                          memcmp(again, clean, length) != 0))
        abort();
    free(again);
    free(clean);
}

static void check_real(const uint8_t *data)
{
    double value;
    memcpy(&value, data, sizeof value);
    char fast[LD_JSON_REAL_MAX], slow[LD_JSON_REAL_MAX];
    size_t n = ld_json_format_real(value, fast);
    if (!isfinite(value)) {
        if (n != 0)
            abort();
        return;
    }
    if (n == 0 || n >= LD_JSON_REAL_MAX || strlen(fast) != n)
        abort();
    double back = strtod(fast, NULL);
    if (memcmp(&back, &value, sizeof value) != 0)
        abort();
    ldi_json_format_real_printf(value, slow);
    if (strcmp(fast, slow) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_utf8((const char *)data, size);
    if (size >= 8)
        check_real(data);
    return 0;
}
