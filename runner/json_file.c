/*
 * json_file.c - the runner's small JSON files (summary.json, --json-summary) written
 * with the SDK's number spelling (ld_json_dumps: 6.77 and 1e-05, where jansson writes
 * 6.7699999999999996 and 1.0000000000000001e-05), in jansson's layout.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "runner_internal.h"

int ldrun_json_dumpf(const json_t *json, FILE *stream, size_t flags)
{
    char *text = ld_json_dumps(json, flags);
    if (text == NULL) {
        errno = ENOMEM;
        return -1;
    }
    size_t length = strlen(text);
    int rc = fwrite(text, 1, length, stream) == length ? 0 : -1;
    ld_free(text);
    return rc;
}

int ldrun_json_dump_file(const json_t *json, const char *path, size_t flags)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    int rc = ldrun_json_dumpf(json, f, flags);
    int saved = errno;
    if (fclose(f) != 0 && rc == 0) {
        rc = -1;
        saved = errno;
    }
    errno = saved;
    return rc;
}
