/*
 * envelope.c - the SUCCESS and EXCEPTION response envelopes of the wire protocol.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "runtime_internal.h"

#define HEADERS "\"headers\":{\"Content-Type\":\"application/json\"}"

void ldrt_envelope_success_begin(ldrt_buf *buf)
{
    ldrt_buf_puts(buf, "{\"StatusCode\":200," HEADERS ",\"body\":{\"statusCode\":\"SUCCESS\",\"data\":");
}

void ldrt_envelope_success_end(ldrt_buf *buf)
{
    ldrt_buf_puts(buf, "}}");
}

void ldrt_envelope_exception(ldrt_buf *buf, const ldrt_failure *failure)
{
    const char *message = failure->message;
    const char *type = failure->type != NULL ? failure->type : LDRT_ERR_INTERNAL;
    const char *stack = failure->stack;
    ldrt_buf_puts(buf, "{\"StatusCode\":500," HEADERS
                       ",\"body\":{\"statusCode\":\"EXCEPTION\",\"errorMessage\":");
    ldrt_json_write_string(buf, message, strlen(message));
    ldrt_buf_puts(buf, ",\"exception\":{\"errorMessage\":");
    ldrt_json_write_string(buf, message, strlen(message));
    ldrt_buf_puts(buf, ",\"errorType\":");
    ldrt_json_write_string(buf, type, strlen(type));
    ldrt_buf_puts(buf, ",\"stackTrace\":");
    ldrt_json_write_string(buf, stack, strlen(stack));
    ldrt_buf_puts(buf, "}}}");
}
