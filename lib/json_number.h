/*
 * json_number.h - the one number formatter every JSON writer of the SDK calls (private
 * entry point for lib/, runtime/ and runner/ writers).
 *
 * The function itself is public, ld_json_format_real() in <letsdata/json.h>, because the
 * testing kit and users' own writers need it too; private writers include this header
 * so that the dependency is visible where they write numbers.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LDI_JSON_NUMBER_H
#define LDI_JSON_NUMBER_H

#include <inttypes.h>
#include <stdio.h>

#include <letsdata/json.h>

/** Room for an integer's JSON text, including the NUL. */
#define LDI_JSON_INTEGER_MAX 24

/** Write @p value as JSON (decimal, as Python does). @return the length. */
static inline size_t ldi_json_format_integer(json_int_t value, char *out)
{
    int n = snprintf(out, LDI_JSON_INTEGER_MAX, "%" JSON_INTEGER_FORMAT, value);
    return n > 0 ? (size_t)n : 0;
}

/**
 * ld_json_format_real() without its exact integer fast path: the printf/strtod search
 * only. Not exported; the tests compare the two on random values.
 */
size_t ldi_json_format_real_printf(double value, char *out);

#endif /* LDI_JSON_NUMBER_H */
