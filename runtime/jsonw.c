/*
 * jsonw.c - the runtime's JSON writer: envelopes are written straight into one growable
 * buffer instead of being built as a jansson tree and dumped.
 *
 * Why not json_dumps(): responses are dominated by long UTF-8 texts and float vectors.
 * jansson escapes strings byte by byte through a callback and formats every real with
 * snprintf("%.17g"), which costs several hundred nanoseconds in glibc. Here, runs of
 * bytes that need no escaping are copied with memcpy, and reals take a fast path
 * (see write_real) that is checked with strtod before it is trusted.
 *
 * SPDX-License-Identifier: MIT
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime_internal.h"
#include "utf8.h"

void ldrt_buf_free(ldrt_buf *buf)
{
    free(buf->data);
    buf->data = NULL;
    buf->length = buf->capacity = 0;
    buf->oom = 0;
}

int ldrt_buf_reserve(ldrt_buf *buf, size_t extra)
{
    if (buf->oom)
        return -1;
    if (buf->capacity - buf->length > extra)
        return 0;
    size_t want = buf->length + extra + 1;
    if (want < extra) { /* overflow */
        buf->oom = 1;
        return -1;
    }
    size_t capacity = buf->capacity ? buf->capacity : 1024;
    while (capacity < want)
        capacity = capacity > SIZE_MAX / 2 ? want : capacity * 2;
    char *data = realloc(buf->data, capacity);
    if (data == NULL) {
        buf->oom = 1;
        return -1;
    }
    buf->data = data;
    buf->capacity = capacity;
    return 0;
}

void ldrt_buf_append(ldrt_buf *buf, const void *bytes, size_t length)
{
    if (ldrt_buf_reserve(buf, length) != 0)
        return;
    memcpy(buf->data + buf->length, bytes, length);
    buf->length += length;
    buf->data[buf->length] = '\0';
}

void ldrt_buf_puts(ldrt_buf *buf, const char *text)
{
    ldrt_buf_append(buf, text, strlen(text));
}

/* ---- strings ---- */

/* 0: copy as is; 1: escape; 2: start of a multi-byte UTF-8 sequence (validate). */
static const unsigned char byte_class[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

void ldrt_json_write_string(ldrt_buf *buf, const char *text, size_t length)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)text;
    /* Worst case every byte becomes \u00XX (6 bytes); reserving once keeps the loop
     * free of capacity checks. */
    if (length > (SIZE_MAX - 2) / 6 || ldrt_buf_reserve(buf, length * 6 + 2) != 0) {
        buf->oom = 1;
        return;
    }
    char *out = buf->data + buf->length;
    *out++ = '"';
    size_t i = 0;
    while (i < length) {
        size_t run = i;
        while (run < length && byte_class[s[run]] == 0)
            run++;
        memcpy(out, s + i, run - i);
        out += run - i;
        i = run;
        if (i >= length)
            break;
        unsigned char c = s[i];
        if (byte_class[c] == 2) {
            size_t n = ldi_utf8_sequence_length(s + i, length - i);
            if (n == 0) {
                memcpy(out, "\\ufffd", 6);
                out += 6;
                i++;
            } else {
                memcpy(out, s + i, n);
                out += n;
                i += n;
            }
            continue;
        }
        *out++ = '\\';
        switch (c) {
        case '"': *out++ = '"'; break;
        case '\\': *out++ = '\\'; break;
        case '\n': *out++ = 'n'; break;
        case '\r': *out++ = 'r'; break;
        case '\t': *out++ = 't'; break;
        case '\b': *out++ = 'b'; break;
        case '\f': *out++ = 'f'; break;
        default:
            *out++ = 'u';
            *out++ = '0';
            *out++ = '0';
            *out++ = hex[c >> 4];
            *out++ = hex[c & 15];
        }
        i++;
    }
    *out++ = '"';
    *out = '\0';
    buf->length = (size_t)(out - buf->data);
}

/* ---- numbers ---- */

static const long double powers_of_ten[] = {
    1e0L,  1e1L,  1e2L,  1e3L,  1e4L,  1e5L,  1e6L,  1e7L,  1e8L,  1e9L,
    1e10L, 1e11L, 1e12L, 1e13L, 1e14L, 1e15L, 1e16L, 1e17L, 1e18L, 1e19L,
    1e20L, 1e21L, 1e22L, 1e23L, 1e24L, 1e25L, 1e26L, 1e27L,
};

/*
 * Write 17 significant digits of |value| (0 < |value|, exponent in [-11, 16]) using
 * 80-bit long double arithmetic (10^k is exact there for k <= 27), in plain decimal
 * notation with trailing zeros trimmed. Returns the length, or 0 when the value is
 * outside the fast range. The caller verifies the text with strtod.
 */
static size_t format_real_fast(double value, char *out)
{
    double magnitude = fabs(value);
    if (!(magnitude >= 1e-11 && magnitude < 1e16))
        return 0;
    int e10 = (int)floor(log10(magnitude));
    int scale = 16 - e10; /* digits = magnitude * 10^scale in [1e16, 1e17) */
    if (scale < 0 || scale > 27)
        return 0;
    long double scaled = (long double)magnitude * powers_of_ten[scale];
    uint64_t digits = (uint64_t)(scaled + 0.5L);
    if (digits >= 100000000000000000ULL) { /* log10 rounded up: one digit too many */
        if (scale == 0)
            return 0;
        scale--;
        digits = (uint64_t)((long double)magnitude * powers_of_ten[scale] + 0.5L);
    } else if (digits < 10000000000000000ULL) {
        if (scale == 27)
            return 0;
        scale++;
        digits = (uint64_t)((long double)magnitude * powers_of_ten[scale] + 0.5L);
    }
    if (digits < 10000000000000000ULL || digits >= 100000000000000000ULL)
        return 0;

    char d[17];
    for (int i = 16; i >= 0; i--) {
        d[i] = (char)('0' + digits % 10);
        digits /= 10;
    }
    int significant = 17;
    while (significant > 1 && d[significant - 1] == '0')
        significant--;

    /* value = 0.d1d2...d17 * 10^(17 - scale); point_pos = digits before the point. */
    int point_pos = 17 - scale;
    char *w = out;
    if (value < 0)
        *w++ = '-';
    if (point_pos <= 0) {
        *w++ = '0';
        *w++ = '.';
        for (int i = 0; i < -point_pos; i++)
            *w++ = '0';
        memcpy(w, d, (size_t)significant);
        w += significant;
    } else {
        for (int i = 0; i < point_pos; i++)
            *w++ = i < 17 ? d[i] : '0';
        *w++ = '.';
        if (significant > point_pos) {
            memcpy(w, d + point_pos, (size_t)(significant - point_pos));
            w += significant - point_pos;
        } else {
            *w++ = '0';
        }
    }
    *w = '\0';
    return (size_t)(w - out);
}

void ldrt_json_write_real(ldrt_buf *buf, double value)
{
    char text[64];
    size_t length = 0;
    if (!isfinite(value)) {
        ldrt_buf_append(buf, "null", 4);
        return;
    }
    if (value == 0) {
        ldrt_buf_append(buf, signbit(value) ? "-0.0" : "0.0", signbit(value) ? 4 : 3);
        return;
    }
    length = format_real_fast(value, text);
    if (length == 0 || strtod(text, NULL) != value) {
        /* %.17g always reads back exactly; make sure it still looks like a real. */
        int n = snprintf(text, sizeof text, "%.17g", value);
        length = n > 0 ? (size_t)n : 0;
        if (strpbrk(text, ".eEn") == NULL && length + 2 < sizeof text) {
            memcpy(text + length, ".0", 3);
            length += 2;
        }
    }
    ldrt_buf_append(buf, text, length);
}

/* ---- values ---- */

void ldrt_json_write(ldrt_buf *buf, const json_t *value)
{
    char number[32];
    if (value == NULL) {
        ldrt_buf_append(buf, "null", 4);
        return;
    }
    switch (json_typeof(value)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *member;
        int first = 1;
        ldrt_buf_append(buf, "{", 1);
        json_object_foreach((json_t *)value, key, member) {
            if (!first)
                ldrt_buf_append(buf, ",", 1);
            first = 0;
            ldrt_json_write_string(buf, key, strlen(key));
            ldrt_buf_append(buf, ":", 1);
            ldrt_json_write(buf, member);
        }
        ldrt_buf_append(buf, "}", 1);
        break;
    }
    case JSON_ARRAY: {
        size_t n = json_array_size(value);
        ldrt_buf_append(buf, "[", 1);
        for (size_t i = 0; i < n; i++) {
            if (i > 0)
                ldrt_buf_append(buf, ",", 1);
            ldrt_json_write(buf, json_array_get(value, i));
        }
        ldrt_buf_append(buf, "]", 1);
        break;
    }
    case JSON_STRING:
        ldrt_json_write_string(buf, json_string_value(value), json_string_length(value));
        break;
    case JSON_INTEGER: {
        int n = snprintf(number, sizeof number, "%" JSON_INTEGER_FORMAT,
                         json_integer_value(value));
        ldrt_buf_append(buf, number, n > 0 ? (size_t)n : 0);
        break;
    }
    case JSON_REAL:
        ldrt_json_write_real(buf, json_real_value(value));
        break;
    case JSON_TRUE:
        ldrt_buf_append(buf, "true", 4);
        break;
    case JSON_FALSE:
        ldrt_buf_append(buf, "false", 5);
        break;
    case JSON_NULL:
        ldrt_buf_append(buf, "null", 4);
        break;
    }
}
