/*
 * error.c - ld_aws_error: filling it, and reading AWS error answers (XML and JSON).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "aws_internal.h"

void ldaws_error_clear(ld_aws_error *error)
{
    if (error != NULL)
        memset(error, 0, sizeof *error);
}

int ldaws_error_set(ld_aws_error *error, int code, const char *format, ...)
{
    if (error != NULL) {
        error->code = code;
        va_list args;
        va_start(args, format);
        vsnprintf(error->message, sizeof error->message, format, args);
        va_end(args);
    }
    return code;
}

int ldaws_status_for_http(long status, const char *aws_code)
{
    if (status == 404 || strcmp(aws_code, "ResourceNotFoundException") == 0 ||
        strcmp(aws_code, "NoSuchKey") == 0 || strcmp(aws_code, "NoSuchBucket") == 0)
        return LD_ERR_NOT_FOUND;
    if (status == 416)
        return LD_ERR_INVALID;
    return LD_ERR_IO;
}

/* The text of the first <Name>...</Name> in @p body, copied into @p out. */
static void xml_field(const char *body, size_t length, const char *name, char *out,
                      size_t size)
{
    char open[64], close[64];
    snprintf(open, sizeof open, "<%s>", name);
    snprintf(close, sizeof close, "</%s>", name);
    const char *start = memmem(body, length, open, strlen(open));
    if (start == NULL)
        return;
    start += strlen(open);
    const char *end = memmem(start, length - (size_t)(start - body), close, strlen(close));
    if (end == NULL)
        return;
    size_t n = (size_t)(end - start);
    if (n >= size)
        n = size - 1;
    memcpy(out, start, n);
    out[n] = '\0';
}

void ldaws_parse_error_body(const char *body, size_t length, char *code, size_t code_size,
                            char *message, size_t message_size)
{
    if (body == NULL || length == 0)
        return;
    size_t i = 0;
    while (i < length && (body[i] == ' ' || body[i] == '\n' || body[i] == '\r'))
        i++;
    if (i < length && body[i] == '{') {
        json_t *root = json_loadb(body, length, 0, NULL);
        const char *type = json_string_value(json_object_get(root, "__type"));
        if (type == NULL)
            type = json_string_value(json_object_get(root, "code"));
        const char *text = json_string_value(json_object_get(root, "message"));
        if (text == NULL)
            text = json_string_value(json_object_get(root, "Message"));
        if (type != NULL) {
            /* "com.amazon.coral.service#ThrottlingException" -> the part after '#' */
            const char *hash = strrchr(type, '#');
            snprintf(code, code_size, "%s", hash != NULL ? hash + 1 : type);
            char *colon = strchr(code, ':');
            if (colon != NULL)
                *colon = '\0';
        }
        if (text != NULL)
            snprintf(message, message_size, "%s", text);
        json_decref(root);
        return;
    }
    /* S3's <Error><Code>..</Code><Message>..</Message></Error>: flat, so a search will do
     * (the bodies are small and an XML parser would add nothing but failure modes). */
    xml_field(body, length, "Code", code, code_size);
    xml_field(body, length, "Message", message, message_size);
}

void ldaws_error_prefix(ld_aws_error *error, const char *format, ...)
{
    if (error == NULL)
        return;
    char prefix[LD_ERROR_MESSAGE_MAX];
    va_list args;
    va_start(args, format);
    vsnprintf(prefix, sizeof prefix, format, args);
    va_end(args);
    char joined[2 * LD_ERROR_MESSAGE_MAX + 2];
    size_t a = strlen(prefix), b = strlen(error->message);
    memcpy(joined, prefix, a);
    memcpy(joined + a, ": ", 2);
    memcpy(joined + a + 2, error->message, b + 1);
    size_t n = a + 2 + b;
    if (n >= sizeof error->message)
        n = sizeof error->message - 1;
    memcpy(error->message, joined, n);
    error->message[n] = '\0';
}
