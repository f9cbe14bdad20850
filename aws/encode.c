/*
 * encode.c - growable buffers, RFC 3986 encoding and SigV4's canonical query.
 *
 * libcurl 7.88 signs the query exactly as given (it neither sorts nor encodes it), so
 * every query is built here already in canonical form: each name and value encoded,
 * sorted by name then value.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_internal.h"

int ldaws_buf_append(ldaws_buf *buf, const void *data, size_t length)
{
    if (buf->failed)
        return LD_ERR_NOMEM;
    if (buf->length + length + 1 > buf->capacity) {
        size_t capacity = buf->capacity ? buf->capacity : 256;
        while (capacity < buf->length + length + 1)
            capacity *= 2;
        char *grown = realloc(buf->data, capacity);
        if (grown == NULL) {
            buf->failed = 1;
            return LD_ERR_NOMEM;
        }
        buf->data = grown;
        buf->capacity = capacity;
    }
    if (length > 0)
        memcpy(buf->data + buf->length, data, length);
    buf->length += length;
    buf->data[buf->length] = '\0';
    return LD_OK;
}

int ldaws_buf_appendf(ldaws_buf *buf, const char *format, ...)
{
    char small[512];
    va_list args;
    va_start(args, format);
    int n = vsnprintf(small, sizeof small, format, args);
    va_end(args);
    if (n < 0)
        return LD_ERR_INVALID;
    if ((size_t)n < sizeof small)
        return ldaws_buf_append(buf, small, (size_t)n);
    char *big = malloc((size_t)n + 1);
    if (big == NULL) {
        buf->failed = 1;
        return LD_ERR_NOMEM;
    }
    va_start(args, format);
    vsnprintf(big, (size_t)n + 1, format, args);
    va_end(args);
    int rc = ldaws_buf_append(buf, big, (size_t)n);
    free(big);
    return rc;
}

static int unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '.' || c == '~';
}

int ldaws_buf_append_encoded(ldaws_buf *buf, const char *text, int keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
        if (unreserved(*p) || (keep_slash && *p == '/')) {
            ldaws_buf_append(buf, p, 1);
        } else {
            char escaped[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            ldaws_buf_append(buf, escaped, 3);
        }
    }
    return buf->failed ? LD_ERR_NOMEM : LD_OK;
}

int ldaws_buf_append_xml(ldaws_buf *buf, const char *text)
{
    for (const char *p = text; *p != '\0'; p++) {
        switch (*p) {
        case '&': ldaws_buf_append(buf, "&amp;", 5); break;
        case '<': ldaws_buf_append(buf, "&lt;", 4); break;
        case '>': ldaws_buf_append(buf, "&gt;", 4); break;
        case '"': ldaws_buf_append(buf, "&quot;", 6); break;
        case '\r': ldaws_buf_append(buf, "&#13;", 5); break;
        default: ldaws_buf_append(buf, p, 1);
        }
    }
    return buf->failed ? LD_ERR_NOMEM : LD_OK;
}

void ldaws_buf_free(ldaws_buf *buf)
{
    free(buf->data);
    memset(buf, 0, sizeof *buf);
}

typedef struct encoded_pair {
    char *name, *value;
} encoded_pair;

static int compare_pairs(const void *a, const void *b)
{
    const encoded_pair *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c != 0 ? c : strcmp(x->value, y->value);
}

static char *encode(const char *text)
{
    ldaws_buf buf = {0};
    ldaws_buf_append(&buf, "", 0);
    ldaws_buf_append_encoded(&buf, text != NULL ? text : "", 0);
    if (buf.failed) {
        ldaws_buf_free(&buf);
        return NULL;
    }
    return buf.data;
}

char *ldaws_canonical_query(const char *const *pairs)
{
    size_t count = 0;
    while (pairs != NULL && pairs[2 * count] != NULL)
        count++;
    if (count == 0)
        return strdup("");
    encoded_pair *list = calloc(count, sizeof *list);
    if (list == NULL)
        return NULL;
    int ok = 1;
    for (size_t i = 0; i < count && ok; i++) {
        list[i].name = encode(pairs[2 * i]);
        list[i].value = encode(pairs[2 * i + 1]);
        ok = list[i].name != NULL && list[i].value != NULL;
    }
    ldaws_buf out = {0};
    if (ok) {
        qsort(list, count, sizeof *list, compare_pairs);
        for (size_t i = 0; i < count; i++)
            ldaws_buf_appendf(&out, "%s%s=%s", i ? "&" : "", list[i].name, list[i].value);
    }
    for (size_t i = 0; i < count; i++) {
        free(list[i].name);
        free(list[i].value);
    }
    free(list);
    if (!ok || out.failed) {
        ldaws_buf_free(&out);
        return NULL;
    }
    return out.data;
}
