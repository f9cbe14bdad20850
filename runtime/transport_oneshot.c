/*
 * transport_oneshot.c - one request from a stream, its envelope to another.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime_internal.h"
#include "transport.h"

/* Read all of @p in into a new buffer. @return 0, or -1 with @p error set. */
static int read_all(FILE *in, char **out, size_t *out_length, ld_error *error)
{
    ldrt_buf buf = LDRT_BUF_INIT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, in)) > 0)
        ldrt_buf_append(&buf, chunk, n);
    if (ferror(in)) {
        ldrt_buf_free(&buf);
        return ld_error_set(error, LD_ERR_IO, "cannot read the request: %s", strerror(errno));
    }
    if (buf.oom) {
        ldrt_buf_free(&buf);
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory reading the request");
    }
    *out = buf.data;
    *out_length = buf.length;
    return 0;
}

int ldrt_oneshot_serve(const ld_registry *registry, FILE *in, FILE *out, ld_error *error)
{
    char *request = NULL;
    size_t length = 0;
    if (read_all(in, &request, &length, error) != 0)
        return 2;
    ld_response response = LD_RESPONSE_INIT;
    int rc = ld_runtime_invoke(registry, request, length, NULL, &response);
    free(request);
    if (rc != LD_OK) {
        ld_error_set(error, rc, "cannot build the response: %s", ld_status_name(rc));
        return 2;
    }
    int status = response.status_code == 200 ? 0 : 1;
    if (fwrite(response.body, 1, response.body_length, out) != response.body_length ||
        fputc('\n', out) == EOF || fflush(out) != 0) {
        ld_error_set(error, LD_ERR_IO, "cannot write the response: %s", strerror(errno));
        status = 2;
    }
    ld_response_clear(&response);
    return status;
}
