/*
 * utf8.h - UTF-8 sequence validation shared by the JSON parser (lib/json_parse.c), the
 * UTF-8 helpers (lib/utf8.c) and the runtime's JSON writer (runtime/jsonw.c). Private;
 * header-only so that every library inlines it on its hot paths.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LDI_UTF8_H
#define LDI_UTF8_H

#include <stddef.h>

/**
 * Look at the sequence starting at @p s (whose first byte is >= 0x80), within @p left
 * bytes. Returns how many bytes it spans and sets *valid:
 * - a valid sequence: its length (2-4), *valid = 1;
 * - an invalid one: the length of its maximal subpart (the longest prefix of some valid
 *   sequence, at least 1 byte), *valid = 0. That is the span Unicode's best practice,
 *   and CPython's decoder with errors="replace", turn into one U+FFFD.
 * Overlong forms, surrogates and code points above U+10FFFF are excluded through the
 * allowed range of the second byte (Unicode Table 3-7).
 */
static inline size_t ldi_utf8_scan(const unsigned char *s, size_t left, int *valid)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xBF;
    size_t need;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        else if (c == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else {
        *valid = 0;
        return 1;
    }
    size_t i = 1;
    if (left > 1 && s[1] >= lo && s[1] <= hi) {
        i = 2;
        while (i < need && i < left && (s[i] & 0xC0) == 0x80)
            i++;
    }
    *valid = i == need;
    return i;
}

/**
 * Length of the valid UTF-8 sequence at @p s (whose first byte is >= 0x80) within
 * @p left bytes, or 0 when it is invalid.
 */
static inline size_t ldi_utf8_sequence_length(const unsigned char *s, size_t left)
{
    int valid;
    size_t n = ldi_utf8_scan(s, left, &valid);
    return valid ? n : 0;
}

#endif /* LDI_UTF8_H */
