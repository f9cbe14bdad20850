/*
 * letsdata/json.h - fast JSON text to jansson values.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LETSDATA_JSON_H
#define LETSDATA_JSON_H

/**
 * @file letsdata/json.h
 * @brief Parse JSON text into jansson values, faster than json_loadb().
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

#ifdef __cplusplus
}
#endif

#endif /* LETSDATA_JSON_H */
