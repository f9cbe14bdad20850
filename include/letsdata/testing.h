/*
 * letsdata/testing.h - a kit for unit-testing handlers (libletsdata-testing).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LETSDATA_TESTING_H
#define LETSDATA_TESTING_H

/**
 * @file letsdata/testing.h
 * @brief Compare handler output with expected JSON, the way the conformance vectors
 * are compared.
 *
 * Comparison rules (as ../shared/conformance/README.md states them): values are
 * compared as JSON values, so key order, white space, escaping and number spelling do
 * not matter, and an integer equals a real of the same value (3 == 3.0). In the
 * *expected* value, the string "<uuid>" matches any RFC 4122 UUID string and
 * "<string>" matches any string.
 */

#include <jansson.h>

#include <letsdata/letsdata.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Placeholder matching any RFC 4122 UUID string. */
#define LD_TESTING_UUID_PLACEHOLDER "<uuid>"
/** Placeholder matching any string. */
#define LD_TESTING_STRING_PLACEHOLDER "<string>"

/**
 * Compare @p actual with @p expected under the rules above.
 *
 * @param expected borrowed; may contain placeholders.
 * @param actual   borrowed.
 * @param[out] difference optional; on mismatch set to a new string (free with
 *                 ld_free()) naming the first differing path, e.g.
 *                 `$.body.data.document.documentId: expected "a", got "b"`; NULL on match.
 * @return 1 on match, 0 on mismatch.
 */
int ld_testing_json_match(const json_t *expected, const json_t *actual, char **difference);

#ifdef __cplusplus
}
#endif

#endif /* LETSDATA_TESTING_H */
