/*
 * json_number.c - reals as the reference writes them (ld_json_format_real, letsdata/json.h).
 *
 * The reference (Python's json.dumps, i.e. float.__repr__) writes the shortest decimal
 * that reads back as the same double, choosing the closest one when several have that
 * length, in fixed notation for decimal exponents -4..15 (with ".0" on integral values)
 * and otherwise as d[.ddd]e[+-]XX.
 *
 * Shortest digits: glibc's printf is correctly rounded, so "%.{p-1}e" gives the closest
 * p-digit decimal. For a normal double, the shortest round-tripping decimal, padded with
 * zeros, is always the closest 15-digit decimal (the gap between 15-digit decimals is
 * wider than a double's rounding interval), so p = 15, 16, 17 are the only candidates
 * to try; subnormals have fewer bits and start at p = 1. The one case where the closest
 * p-digit decimal is not the one to take is a power of two, whose rounding interval is
 * half as wide below as above: there the next p-digit decimal above may round-trip when
 * the closest (below) does not, and Python takes it.
 *
 * That costs two to six printf/strtod calls (~600 ns). Most values a handler writes
 * (scores, prices, vector components) lie in [1e-5, 2^53) and are not integers; for
 * those, shortest_digits_exact() does the same search with exact 128-bit integer
 * arithmetic (~10x faster) and hands anything unusual (ties, boundaries) to the printf
 * search. Tests compare the two on millions of random values.
 *
 * SPDX-License-Identifier: MIT
 */
#include <float.h>
#include <limits.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <letsdata/json.h>

#include "json_number.h"

/* Add one unit in the last digit to the "d.ddd" mantissa of text (no sign; the
 * decimal point is whatever LC_NUMERIC says, so only digits are looked at). Returns 0, or -1 when the carry would add a digit (9.99 -> 10.0). */
static int increment_mantissa(char *text, size_t mantissa_end)
{
    for (size_t i = mantissa_end; i-- > 0;) {
        if (text[i] < '0' || text[i] > '9') /* the locale's decimal point */
            continue;
        if (text[i] != '9') {
            text[i]++;
            return 0;
        }
        text[i] = '0';
    }
    return -1;
}

/*
 * Shortest round-tripping digits of a finite, positive @p value: fills @p digits with
 * 1-17 decimal digits (no trailing zeros, NUL-terminated) and returns the decimal
 * exponent of the first digit (value = 0.d1d2... * 10^(exponent + 1)).
 */
static int shortest_digits_printf(double value, char digits[18])
{
    char text[40];
    int exponent = 0;
    int first = value < DBL_MIN ? 1 : 15;
    int mantissa_bits_zero = 0;
    if (value >= DBL_MIN) {
        int e2;
        mantissa_bits_zero = frexp(value, &e2) == 0.5;
    }
    for (int p = first; p <= 17; p++) {
        snprintf(text, sizeof text, "%.*e", p - 1, value);
        char *e = strchr(text, 'e');
        size_t mantissa_end = (size_t)(e - text);
        int found = strtod(text, NULL) == value;
        if (!found && mantissa_bits_zero && p < 17) {
            char above[40];
            memcpy(above, text, sizeof above);
            if (increment_mantissa(above, mantissa_end) == 0 && strtod(above, NULL) == value) {
                memcpy(text, above, sizeof text);
                found = 1;
            }
        }
        if (found || p == 17) {
            exponent = atoi(e + 1);
            size_t n = 0;
            for (size_t i = 0; i < mantissa_end; i++)
                if (text[i] >= '0' && text[i] <= '9')
                    digits[n++] = text[i];
            while (n > 1 && digits[n - 1] == '0')
                n--;
            digits[n] = '\0';
            break;
        }
    }
    return exponent;
}


typedef unsigned __int128 u128;

static const uint64_t pow10_u64[] = {
    1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL,
    100000000ULL, 1000000000ULL, 10000000000ULL, 100000000000ULL, 1000000000000ULL,
    10000000000000ULL, 100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
    100000000000000000ULL, 1000000000000000000ULL, 10000000000000000000ULL,
};

static u128 pow10_u128(int k)
{
    return k < 20 ? (u128)pow10_u64[k] : (u128)pow10_u64[19] * pow10_u64[k - 19];
}

/*
 * The shortest-digits search of shortest_digits_printf() in exact integer arithmetic,
 * for a positive normal double v = m * 2^-s (53-bit m, s > 0) whose candidates
 * D * 10^-scale have 0 <= scale <= 21, so that m * 10^scale and the scaled rounding
 * interval (4m +- 2) * 10^scale fit in 128 bits. Returns the exponent as
 * shortest_digits_printf() does, or INT_MIN to hand the value over (a tie between two
 * decimals, a candidate on the interval's edge, out of range).
 */
static int shortest_digits_exact(double value, char digits[18])
{
    int e2;
    double fraction = frexp(value, &e2); /* value = fraction * 2^e2, fraction in [0.5, 1) */
    uint64_t m = (uint64_t)ldexp(fraction, 53);
    int s = 53 - e2;
    if (s <= 0 || s > 120)
        return INT_MIN;
    int power_of_two = m == (1ULL << 52);
    /* floor(log10(2^(e2-1))), which is floor(log10(value)) or one less. */
    int t = (e2 - 1) * 78913; /* 78913 / 2^18 ~ log10(2) */
    int e10 = t >= 0 ? t >> 18 : -((-t + (1 << 18) - 1) >> 18);
    for (int p = 15; p <= 17; p++) {
        uint64_t d = 0;
        int scale = 0;
        for (int attempt = 0; attempt < 2; attempt++) { /* log10 may be off by one */
            scale = p - 1 - e10;
            if (scale < 0 || scale > 21)
                return INT_MIN;
            u128 x = (u128)m * pow10_u128(scale); /* value * 10^scale * 2^s */
            u128 q = x >> s, rem = x - (q << s), half = (u128)1 << (s - 1);
            if (rem == half)
                return INT_MIN; /* exactly between two p-digit decimals */
            d = (uint64_t)q + (rem > half);
            if (d >= pow10_u64[p])
                e10++;
            else if (d < pow10_u64[p - 1])
                e10--;
            else
                break;
            d = 0;
        }
        if (d == 0)
            return INT_MIN;
        /* d * 10^-scale reads back as value iff it lies strictly inside the rounding
         * interval (m - 1/2, m + 1/2) * 2^-s, whose lower half is half as wide for a
         * power of two; everything below is scaled by 10^scale * 2^(s+2). */
        u128 p10 = pow10_u128(scale);
        u128 low = ((u128)4 * m - (power_of_two ? 1 : 2)) * p10;
        u128 high = ((u128)4 * m + 2) * p10;
        for (int above = 0; above <= power_of_two; above++) {
            uint64_t candidate = d + (uint64_t)above;
            u128 scaled = (u128)candidate << (s + 2);
            if (scaled == low || scaled == high)
                return INT_MIN;
            if (scaled > low && scaled < high) {
                if (candidate >= pow10_u64[p])
                    return INT_MIN;
                int n = p;
                while (candidate % 10 == 0 && n > 1) {
                    candidate /= 10;
                    n--;
                }
                digits[n] = '\0';
                for (int i = n - 1; i >= 0; i--) {
                    digits[i] = (char)('0' + candidate % 10);
                    candidate /= 10;
                }
                return e10;
            }
        }
    }
    return INT_MIN; /* 17 correctly rounded digits always read back: not reached */
}

/* Shortest round-tripping digits of a finite, positive value (see the file comment). */
static int shortest_digits(double value, char digits[18])
{
    if (value >= 1e-5 && value < 9007199254740992.0) {
        int exponent = shortest_digits_exact(value, digits);
        if (exponent != INT_MIN)
            return exponent;
    }
    return shortest_digits_printf(value, digits);
}

static size_t format_real(double value, char *out, int exact_search)
{
    if (!isfinite(value)) {
        out[0] = '\0';
        return 0;
    }
    char *w = out;
    if (signbit(value))
        *w++ = '-';
    double magnitude = fabs(value);
    if (magnitude == 0) {
        memcpy(w, "0.0", 4);
        return (size_t)(w - out) + 3;
    }
    char digits[18];
    int exponent = exact_search ? shortest_digits(magnitude, digits)
                                : shortest_digits_printf(magnitude, digits);
    int n = (int)strlen(digits);
    if (exponent >= -4 && exponent < 16) {
        if (exponent < 0) {
            /* 0.000ddd */
            *w++ = '0';
            *w++ = '.';
            for (int i = 0; i < -exponent - 1; i++)
                *w++ = '0';
            memcpy(w, digits, (size_t)n);
            w += n;
        } else {
            /* ddd[000].ddd or ddd.0 */
            for (int i = 0; i <= exponent; i++)
                *w++ = i < n ? digits[i] : '0';
            *w++ = '.';
            if (n > exponent + 1) {
                memcpy(w, digits + exponent + 1, (size_t)(n - exponent - 1));
                w += n - exponent - 1;
            } else {
                *w++ = '0';
            }
        }
        *w = '\0';
    } else {
        *w++ = digits[0];
        if (n > 1) {
            *w++ = '.';
            memcpy(w, digits + 1, (size_t)(n - 1));
            w += n - 1;
        }
        w += sprintf(w, "e%c%02d", exponent < 0 ? '-' : '+', abs(exponent));
    }
    return (size_t)(w - out);
}

LD_EXTERN size_t ld_json_format_real(double value, char *out)
{
    return format_real(value, out, 1);
}

size_t ldi_json_format_real_printf(double value, char *out)
{
    return format_real(value, out, 0);
}
