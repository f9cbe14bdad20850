/*
 * invoke.c - ld_runtime_invoke(): one request in, one envelope out.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>

#include "runtime_internal.h"

LD_EXTERN void ld_response_clear(ld_response *response)
{
    if (response == NULL)
        return;
    free(response->body);
    response->body = NULL;
    response->body_length = 0;
    response->status_code = 0;
}

/* Used when memory ran out even for the error envelope's buffer: a static copy. */
static const char out_of_memory_envelope[] =
    "{\"StatusCode\":500,\"headers\":{\"Content-Type\":\"application/json\"},\"body\":{"
    "\"statusCode\":\"EXCEPTION\",\"errorMessage\":\"out of memory\",\"exception\":{"
    "\"errorMessage\":\"out of memory\",\"errorType\":\"" LDRT_ERR_INTERNAL "\","
    "\"stackTrace\":\"\"}}}";

LD_EXTERN int ld_runtime_invoke(const ld_registry *registry, const char *request,
                                size_t request_length, const ld_invoke_options *options,
                                ld_response *response)
{
    if (response == NULL)
        return LD_ERR_INVALID;
    ld_response_clear(response);

    ldrt_request parsed;
    ldrt_failure failure = {0};
    ldrt_buf buf = LDRT_BUF_INIT;
    int status_code = 200;

    if (request == NULL) {
        request = "";
        request_length = 0;
    }
    /* Responses are usually about as large as requests: one allocation up front. */
    ldrt_buf_reserve(&buf, request_length + 512);
    if (ldrt_request_parse(request, request_length, &parsed, &failure) == 0) {
        ldrt_envelope_success_begin(&buf);
        if (ldrt_dispatch(registry, &parsed, options, &buf, &failure) == 0)
            ldrt_envelope_success_end(&buf);
        else
            status_code = 500;
        ldrt_request_clear(&parsed);
    } else {
        status_code = 500;
    }
    if (status_code == 500) {
        /* Discard any partial success envelope; a failed allocation is retried small. */
        int was_oom = buf.oom;
        buf.length = 0;
        buf.oom = 0;
        if (was_oom)
            ldrt_fail(&failure, LDRT_ERR_INTERNAL, "", "out of memory");
        ldrt_envelope_exception(&buf, &failure);
    }
    if (buf.oom) {
        ldrt_buf_free(&buf);
        char *copy = malloc(sizeof out_of_memory_envelope);
        if (copy == NULL)
            return LD_ERR_NOMEM;
        memcpy(copy, out_of_memory_envelope, sizeof out_of_memory_envelope);
        response->status_code = 500;
        response->body = copy;
        response->body_length = sizeof out_of_memory_envelope - 1;
        return LD_OK;
    }
    response->status_code = status_code;
    response->body = buf.data;
    response->body_length = buf.length;
    return LD_OK;
}
