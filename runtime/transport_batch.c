/*
 * transport_batch.c - JSON Lines: one request per line in, one envelope per line out.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transport.h"

static int is_blank(const char *line, size_t length)
{
    for (size_t i = 0; i < length; i++)
        if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r' && line[i] != '\n')
            return 0;
    return 1;
}

int ldrt_batch_serve(const ld_registry *registry, FILE *in, FILE *out, ld_error *error)
{
    char *line = NULL;
    size_t capacity = 0;
    ssize_t n;
    int status = 0;
    unsigned long line_number = 0;
    errno = 0;
    while ((n = getline(&line, &capacity, in)) >= 0) {
        line_number++;
        size_t length = (size_t)n;
        if (is_blank(line, length))
            continue;
        ld_response response = LD_RESPONSE_INIT;
        int rc = ld_runtime_invoke(registry, line, length, NULL, &response);
        if (rc != LD_OK) {
            ld_error_set(error, rc, "line %lu: cannot build the response: %s", line_number,
                         ld_status_name(rc));
            status = 2;
            break;
        }
        /* JSON text never holds a raw newline, so the envelope is one line. */
        int failed = fwrite(response.body, 1, response.body_length, out) !=
                         response.body_length ||
                     fputc('\n', out) == EOF;
        ld_response_clear(&response);
        if (failed) {
            ld_error_set(error, LD_ERR_IO, "cannot write the response to line %lu: %s",
                         line_number, strerror(errno));
            status = 2;
            break;
        }
    }
    if (status == 0 && ferror(in)) {
        ld_error_set(error, LD_ERR_IO, "cannot read line %lu: %s", line_number + 1,
                     strerror(errno));
        status = 2;
    }
    free(line);
    if (fflush(out) != 0 && status == 0) {
        ld_error_set(error, LD_ERR_IO, "cannot write the responses: %s", strerror(errno));
        status = 2;
    }
    return status;
}
