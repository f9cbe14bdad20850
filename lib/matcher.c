/*
 * matcher.c - a compiled byte-pattern search (letsdata/matcher.h).
 *
 * Records are found by scanning gigabytes of mostly-text data for a short pattern such
 * as "WARC/1.0\r\n". The fastest scan glibc offers is memchr (vectorised), so the
 * matcher memchr()s for the pattern byte that is rarest in typical text and verifies
 * candidates with memcmp. On input where that byte is common after all (adversarial
 * or unusual data) the verifications would make it quadratic, so it counts wasted
 * verifications and hands the rest of the buffer to glibc memmem (two-way, linear).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <letsdata/matcher.h>

struct ld_matcher {
    size_t length;
    size_t rare_index;    /* position in the pattern of the byte memchr looks for */
    unsigned char rare;   /* pattern[rare_index] */
    unsigned char *pattern;
};

/*
 * Rough frequency rank of a byte in web text, markup and WARC headers (higher is more
 * common). Only the order matters; bytes not listed (control bytes, most punctuation,
 * non-ASCII) count as rare.
 */
static unsigned byte_commonness(unsigned char c)
{
    if (c == ' ') return 200;
    if (c == 'e' || c == 't' || c == 'a' || c == 'o' || c == 'i' || c == 'n') return 150;
    if (c >= 'a' && c <= 'z') return 120;
    if (c == '\n') return 90;
    if (c >= '0' && c <= '9') return 80;
    if (c == 'W' || c == 'Y' || c == 'Q' || c == 'X' || c == 'Z' || c == 'J' || c == 'K' ||
        c == 'V' || c == 'U')
        return 35; /* the capitals least used in text */
    if (c >= 'A' && c <= 'Z') return 45;
    if (c == '.' || c == ',' || c == '-' || c == ':' || c == '/' || c == '"' || c == '<' ||
        c == '>' || c == '=' || c == '\'' || c == '_')
        return 50;
    if (c >= 0x80) return 40; /* UTF-8 continuation and lead bytes */
    if (c == '\r' || c == '\t') return 30;
    return 10;
}

LD_EXTERN ld_matcher *ld_matcher_new(const void *pattern, size_t length)
{
    if (pattern == NULL || length == 0)
        return NULL;
    ld_matcher *m = malloc(sizeof *m);
    if (m == NULL)
        return NULL;
    m->pattern = malloc(length);
    if (m->pattern == NULL) {
        free(m);
        return NULL;
    }
    memcpy(m->pattern, pattern, length);
    m->length = length;
    m->rare_index = 0;
    for (size_t i = 1; i < length; i++)
        if (byte_commonness(m->pattern[i]) < byte_commonness(m->pattern[m->rare_index]))
            m->rare_index = i;
    m->rare = m->pattern[m->rare_index];
    return m;
}

LD_EXTERN void ld_matcher_free(ld_matcher *matcher)
{
    if (matcher == NULL)
        return;
    free(matcher->pattern);
    free(matcher);
}

LD_EXTERN size_t ld_matcher_length(const ld_matcher *matcher)
{
    return matcher->length;
}

LD_EXTERN const void *ld_matcher_pattern(const ld_matcher *matcher)
{
    return matcher->pattern;
}

/* Bytes of work a wasted verification may cost before memmem takes over. */
#define FALLBACK_SLACK 4096

LD_EXTERN size_t ld_matcher_find(const ld_matcher *m, const void *buffer, size_t start,
                                 size_t end)
{
    if (m == NULL || buffer == NULL || start > end || end - start < m->length)
        return LD_MATCH_NONE;
    const unsigned char *base = buffer;
    const size_t n = m->length, k = m->rare_index;
    /* Candidates for the rare byte lie in [start + k, end - n + k]. */
    const unsigned char *p = base + start + k;
    const unsigned char *last = base + end - n + k;
    size_t wasted = 0;

    while (p <= last) {
        const unsigned char *hit = memchr(p, m->rare, (size_t)(last - p) + 1);
        if (hit == NULL)
            return LD_MATCH_NONE;
        const unsigned char *candidate = hit - k;
        if (candidate[0] == m->pattern[0] && memcmp(candidate, m->pattern, n) == 0)
            return (size_t)(candidate - base);
        p = hit + 1;
        /* Each failed verification costs up to n bytes; if they add up to more than
         * the bytes memchr skipped (plus slack), this byte is not rare here. */
        wasted += n + 16;
        if (wasted > (size_t)(p - (base + start + k)) + FALLBACK_SLACK) {
            size_t from = (size_t)(candidate + 1 - base);
            const unsigned char *found = memmem(base + from, end - from, m->pattern, n);
            return found != NULL ? (size_t)(found - base) : LD_MATCH_NONE;
        }
    }
    return LD_MATCH_NONE;
}
