/*
 * jsonw.c - the runtime's JSON writer: envelopes are written straight into one growable
 * buffer instead of being built as a jansson tree and dumped.
 *
 * Why not json_dumps(): responses are dominated by long UTF-8 texts and float vectors.
 * jansson escapes strings byte by byte through a callback and formats every real with
 * snprintf("%.17g") (6.77 -> 6.7699999999999996, not what the reference writes). Here,
 * runs of bytes that need no escaping are copied with memcpy, and reals are written by
 * ld_json_format_real(), the SDK's one number formatter (Python's repr rules).
 *
 * SPDX-License-Identifier: MIT
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "runtime_internal.h"
#include "json_number.h"
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

/* The two-character escapes JSON has (0: write \u00XX). */
static const char short_escape[128] = {
    ['"'] = '"', ['\\'] = '\\', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't', ['\b'] = 'b', ['\f'] = 'f',
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
#ifdef __SSE2__
        /* Sixteen bytes at a time while none needs a look: a signed compare with 0x20
         * finds control bytes and bytes >= 0x80 at once. */
        while (i + 16 <= length) {
            __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
            __m128i look = _mm_or_si128(
                _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
                _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                             _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
            unsigned mask = (unsigned)_mm_movemask_epi8(look);
            _mm_storeu_si128((__m128i *)out, v); /* the reservation leaves room */
            if (mask == 0) {
                out += 16;
                i += 16;
                continue;
            }
            unsigned plain = (unsigned)__builtin_ctz(mask);
            out += plain;
            i += plain;
            unsigned char c = s[i];
            if (c >= 0x80)
                break; /* UTF-8: below */
            /* An escape, written here so that text with many line breaks stays in
             * this loop. */
            if (short_escape[c] != 0) {
                out[0] = '\\';
                out[1] = short_escape[c];
                out += 2;
            } else {
                memcpy(out, "\\u00", 4);
                out[4] = hex[c >> 4];
                out[5] = hex[c & 15];
                out += 6;
            }
            i++;
        }
#endif
        /* Eight bytes at a time while none needs a look: no control byte, '"', '\\'
         * or byte >= 0x80 (each test is exact for "is there such a byte"). They are
         * stored as they are checked: the reservation above leaves room. */
        while (i + 8 <= length) {
            const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
            uint64_t v;
            memcpy(&v, s + i, 8);
            uint64_t quote = v ^ (ones * '"'), backslash = v ^ (ones * '\\');
            uint64_t look =
                ((((v - ones * 0x20) | (quote - ones) | (backslash - ones)) & ~v) | v) & high;
            if (look != 0) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
                /* A borrow only marks bytes above a marked one: the lowest mark is exact. */
                unsigned plain = (unsigned)__builtin_ctzll(look) >> 3;
                memcpy(out, &v, 8);
                out += plain;
                i += plain;
#endif
                break;
            }
            memcpy(out, &v, 8);
            out += 8;
            i += 8;
        }
        if (i >= length)
            break;
        unsigned char c = s[i];
        if (byte_class[c] == 0) {
            *out++ = (char)c;
            i++;
            continue;
        }
        if (byte_class[c] == 2) {
            int valid;
            size_t n = ldi_utf8_scan(s + i, length - i, &valid);
            if (!valid) {
                /* One U+FFFD per maximal subpart, as Python's errors="replace". */
                memcpy(out, "\\ufffd", 6);
                out += 6;
                i += n;
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

void ldrt_json_write_real(ldrt_buf *buf, double value)
{
    char text[LD_JSON_REAL_MAX];
    size_t length = ld_json_format_real(value, text);
    if (length == 0) /* infinity or NaN: JSON cannot hold them */
        ldrt_buf_append(buf, "null", 4);
    else
        ldrt_buf_append(buf, text, length);
}

/* ---- values ---- */

void ldrt_json_write(ldrt_buf *buf, const json_t *value)
{
    char number[LDI_JSON_INTEGER_MAX];
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
    case JSON_INTEGER:
        ldrt_buf_append(buf, number, ldi_json_format_integer(json_integer_value(value), number));
        break;
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
