/*
 * letsdata/json.h - fast JSON text to jansson values.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LETSDATA_JSON_H
#define LETSDATA_JSON_H

/**
 * @file letsdata/json.h
 * @brief Parse JSON text into jansson values, faster than json_loadb(); write reals
 * and whole values with the reference's number spelling.
 *
 * The runtime parses every request with this parser, and handlers can use it for JSON
 * they receive as text (an SQS message body, a Kinesis record). It accepts exactly what
 * `json_loadb(text, length, JSON_DECODE_ANY | JSON_ALLOW_NUL, &error)` accepts — strict
 * RFC 8259 JSON, UTF-8 validated, 64-bit integers, "\u0000" allowed in strings but not
 * in object keys, nesting up to 2048 levels, nothing after the value but white space —
 * and builds the same values (integers as JSON_INTEGER, numbers with a fraction or
 * exponent as JSON_REAL, duplicate keys: the last wins). Reals are converted exactly
 * (correctly rounded), with a fast path for the common 1-19 digit forms. One deliberate
 * difference: jansson 2.14 accepts a top-level number or literal followed by a single
 * NUL byte ("9\0"); this parser rejects the trailing byte, as RFC 8259 requires.
 */

#include <stddef.h>

#include <jansson.h>

#include <letsdata/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Parse @p length bytes of @p text (need not be NUL-terminated).
 *
 * @param error optional; on failure says what was wrong and at which byte offset.
 * @return a new reference (release with json_decref()), or NULL (LD_ERR_INVALID for
 *         bad JSON, LD_ERR_NOMEM when memory ran out).
 */
LD_EXTERN json_t *ld_json_parse(const char *text, size_t length, ld_error *error);

/** Room ld_json_format_real() needs, including the NUL ("-2.2250738585072014e-308"). */
#define LD_JSON_REAL_MAX 32

/**
 * Write @p value as the reference (Python's `json.dumps`, i.e. `repr(float)`) does:
 * the shortest decimal that reads back as the same double (the closest one when
 * several are as short), in fixed notation when the decimal exponent is in -4..15
 * (`6.77`, `0.0001`, `100.0`, `1234567890123456.0`), otherwise as `d[.ddd]e+XX` /
 * `d[.ddd]e-XX` with at least two exponent digits (`1e+16`, `1e-05`,
 * `1.7976931348623157e+308`); `-0.0` keeps its sign. Every JSON writer of the SDK (the
 * runtime's envelopes, the runner's output, the testing kit, ld_json_dumps()) calls
 * this one function. Independent of the locale. Thread-safe.
 *
 * Non-finite values have no JSON spelling (Python writes the non-standard `Infinity` /
 * `NaN`, which strict parsers, jansson and LetsData reject, and a json_t cannot hold
 * them): for those nothing is written and 0 is returned; the SDK's writers then write
 * `null`.
 *
 * @param out room for #LD_JSON_REAL_MAX bytes; receives NUL-terminated text.
 * @return the length written (without the NUL), 0 for infinities and NaN.
 */
LD_EXTERN size_t ld_json_format_real(double value, char *out);

/**
 * JSON text of @p value, laid out exactly as jansson's json_dumps(value, flags) lays it
 * out (same escaping, separators and indentation; JSON_INDENT(n), JSON_COMPACT,
 * JSON_SORT_KEYS, JSON_ENSURE_ASCII and JSON_ESCAPE_SLASH are honoured), except that
 * reals are written by ld_json_format_real() instead of with 17 digits. Any value may
 * be dumped (as with JSON_ENCODE_ANY).
 *
 * @param value borrowed.
 * @return a new NUL-terminated string (free with ld_free()), or NULL when @p value is
 *         NULL, a string in it is not valid UTF-8, or allocation fails.
 */
LD_EXTERN char *ld_json_dumps(const json_t *value, size_t flags);

#ifdef __cplusplus
}
#endif

#endif /* LETSDATA_JSON_H */
