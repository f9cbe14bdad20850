/*
 * utf8.c - UTF-8 validation and repair (letsdata/utf8.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <letsdata/utf8.h>

#include "utf8.h"

#define HIGH_BITS 0x8080808080808080ULL

/* Offset of the first byte >= 0x80 in s[0, length), or length. Real text is mostly
 * ASCII, so eight bytes are tested per step; memcpy keeps the loads alignment-safe. */
static size_t ascii_prefix(const unsigned char *s, size_t length)
{
    size_t i = 0;
    while (i + 16 <= length) {
        uint64_t a, b;
        memcpy(&a, s + i, 8);
        memcpy(&b, s + i + 8, 8);
        if ((a | b) & HIGH_BITS)
            break;
        i += 16;
    }
    while (i + 8 <= length) {
        uint64_t a;
        memcpy(&a, s + i, 8);
        if (a & HIGH_BITS)
            break;
        i += 8;
    }
    while (i < length && s[i] < 0x80)
        i++;
    return i;
}

/* Offset of the first invalid sequence, or length when the text is valid. */
static size_t valid_prefix(const unsigned char *s, size_t length)
{
    size_t i = 0;
    for (;;) {
        i += ascii_prefix(s + i, length - i);
        /* Multi-byte text (CJK, Cyrillic) rarely returns to ASCII for long: stay in
         * this loop while sequences follow each other. */
        while (i < length && s[i] >= 0x80) {
            int valid;
            size_t n = ldi_utf8_scan(s + i, length - i, &valid);
            if (!valid)
                return i;
            i += n;
        }
        if (i >= length)
            return length;
    }
}

LD_EXTERN int ld_utf8_check(const char *text, size_t length, size_t *bad_offset)
{
    if (length == 0)
        return LD_OK;
    size_t at = valid_prefix((const unsigned char *)text, length);
    if (at == length)
        return LD_OK;
    if (bad_offset != NULL)
        *bad_offset = at;
    return LD_ERR_INVALID;
}

/* Copy s[0, length) into out (room for 3 bytes per input byte), replacing invalid
 * sequences by U+FFFD. Returns the bytes written; *replaced counts the U+FFFD. */
static size_t sanitize_into(const unsigned char *s, size_t length, char *out,
                            size_t *replaced)
{
    size_t i = 0, w = 0, count = 0;
    while (i < length) {
        size_t good = valid_prefix(s + i, length - i);
        memcpy(out + w, s + i, good);
        w += good;
        i += good;
        if (i >= length)
            break;
        int valid;
        i += ldi_utf8_scan(s + i, length - i, &valid);
        memcpy(out + w, "\xEF\xBF\xBD", 3);
        w += 3;
        count++;
    }
    *replaced = count;
    return w;
}

LD_EXTERN char *ld_utf8_sanitize(const char *text, size_t length, size_t *out_length,
                                 size_t *replaced)
{
    /* Each invalid byte becomes at most 3 bytes. */
    if (length > (SIZE_MAX - 1) / 3)
        return NULL;
    const unsigned char *s = (const unsigned char *)text;
    size_t good = length ? valid_prefix(s, length) : 0;
    size_t capacity = good == length ? length + 1 : length * 3 + 1;
    char *out = malloc(capacity);
    if (out == NULL)
        return NULL;
    size_t count = 0, n = length ? sanitize_into(s, length, out, &count) : 0;
    out[n] = '\0';
    if (out_length != NULL)
        *out_length = n;
    if (replaced != NULL)
        *replaced = count;
    return out;
}

LD_EXTERN json_t *ld_json_string_trusted(const char *text, size_t length)
{
    return json_stringn_nocheck(length ? text : "", length);
}

LD_EXTERN json_t *ld_json_string_lossy(const char *text, size_t length)
{
    if (ld_utf8_check(text, length, NULL) == LD_OK)
        return ld_json_string_trusted(text, length);
    size_t n;
    char *clean = ld_utf8_sanitize(text, length, &n, NULL);
    if (clean == NULL)
        return NULL;
    json_t *string = json_stringn_nocheck(clean, n);
    free(clean);
    return string;
}

LD_EXTERN json_t *ld_json_string_checked(const char *text, size_t length, ld_error *error)
{
    size_t at = 0;
    if (ld_utf8_check(text, length, &at) != LD_OK) {
        const unsigned char *s = (const unsigned char *)text;
        int valid;
        size_t n = ldi_utf8_scan(s + at, length - at, &valid);
        char bytes[16] = "";
        for (size_t i = 0; i < n; i++)
            snprintf(bytes + 4 * i, sizeof bytes - 4 * i, "\\x%02X", s[at + i]);
        ld_error_set(error, LD_ERR_INVALID,
                     "invalid UTF-8 at byte offset %zu of %zu (\"%s\"%s)", at, length, bytes,
                     at + n == length && s[at] >= 0xC2 && s[at] <= 0xF4
                         ? ", a sequence cut short by the end of the text"
                         : "");
        return NULL;
    }
    json_t *string = ld_json_string_trusted(text, length);
    if (string == NULL)
        ld_error_set(error, LD_ERR_NOMEM, "out of memory making a JSON string of %zu bytes",
                     length);
    return string;
}
