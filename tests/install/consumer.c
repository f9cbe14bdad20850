/*
 * consumer.c - an out-of-tree program built from the installed SDK with nothing but
 * `pkg-config --cflags --libs letsdata` (checked by scripts/ci-install-check.sh).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include <letsdata/letsdata.h>

int main(void)
{
    ld_document *doc = ld_document_new("doc-1", "Document", "pk-1", NULL,
                                       json_pack("{s:s}", "title", "hello"));
    if (doc == NULL) {
        fprintf(stderr, "consumer: ld_document_new failed\n");
        return 1;
    }
    json_t *wire = ld_document_to_json(doc);
    ld_document_free(doc);
    char *text = wire ? json_dumps(wire, JSON_SORT_KEYS) : NULL;
    json_decref(wire);
    if (text == NULL || strstr(text, "\"doc-1\"") == NULL) {
        fprintf(stderr, "consumer: unexpected document JSON: %s\n", text ? text : "(null)");
        free(text);
        return 1;
    }
    printf("libletsdata %s: %s\n", ld_version(), text);
    free(text);
    return 0;
}
