/*
 * utf8.h - UTF-8 sequence validation shared by the JSON parser (lib/json_parse.c) and
 * the runtime's JSON writer (runtime/jsonw.c). Private; header-only so that both
 * libraries inline it on their hot paths.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LDI_UTF8_H
#define LDI_UTF8_H

#include <stddef.h>

/**
 * Length of the valid UTF-8 sequence at @p s (whose first byte is >= 0x80) within
 * @p left bytes, or 0 when it is invalid: a bad lead byte, a truncated or overlong
 * sequence, a surrogate or a code point above U+10FFFF.
 */
static inline size_t ldi_utf8_sequence_length(const unsigned char *s, size_t left)
{
    unsigned char c = s[0];
    size_t n;
    unsigned min;
    if (c >= 0xC2 && c <= 0xDF) { n = 2; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { n = 3; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 4; min = 0x10000; }
    else return 0;
    if (left < n)
        return 0;
    unsigned cp = c & (0x3F >> (n - 1));
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

#endif /* LDI_UTF8_H */
