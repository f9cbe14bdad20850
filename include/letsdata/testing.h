/*
 * letsdata/testing.h - a kit for unit-testing handlers (libletsdata-testing).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LETSDATA_TESTING_H
#define LETSDATA_TESTING_H

/**
 * @file letsdata/testing.h
 * @brief Unit-test handlers with CMocka: build requests, call handlers directly or
 * through the runtime, compare results with expected JSON the way the conformance
 * vectors are compared. Link with libletsdata-testing, libletsdata-runtime and
 * libletsdata (`pkg-config --libs letsdata-testing`). See docs/testing-handlers.md.
 *
 * Comparison rules (as ../shared/conformance/README.md states them): values are
 * compared as JSON values, so key order, white space, escaping and number spelling do
 * not matter, and an integer equals a real of the same value (3 == 3.0). In the
 * *expected* value, the string "<uuid>" matches any RFC 4122 UUID string and
 * "<string>" matches any string.
 */

#include <jansson.h>

#include <stdlib.h>

#include <letsdata/letsdata.h>
#include <letsdata/runtime.h>

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

/**
 * As ld_testing_json_match(), with the expected value given as JSON text.
 * @return 1 on match, 0 on mismatch (or when @p expected_json is not JSON: then
 *         @p difference says so).
 */
int ld_testing_json_match_text(const char *expected_json, const json_t *actual,
                               char **difference);

/**
 * What #LD_ASSERT_JSON_MATCH prints when @p actual does not match @p expected_json: the
 * first differing path with the expected and actual values there, then the whole actual
 * value (indented, keys sorted, cut after 4 KiB):
 * @code
 * JSON mismatch at $.body.data.document.documentId: expected "a", got "b"
 * actual value:
 * {
 *   "StatusCode": 200,
 *   ...
 * @endcode
 * @param[out] report set to a new string (free with ld_free()) on mismatch, NULL on match.
 * @return 1 on match, 0 on mismatch.
 */
int ld_testing_json_match_report(const char *expected_json, const json_t *actual,
                                 char **report);

/**
 * A context for calling a handler's methods directly, with requestId "test-request" and
 * letsdataAuth tenantId "test-tenant", userId "test-user", datasetName "test-dataset",
 * datasetId "test-dataset-id". @return a new context (ld_context_free()), or NULL.
 */
ld_context *ld_testing_context(void);

/**
 * Build a request's JSON text (with the identities of ld_testing_context()).
 * @param data borrowed; NULL for functions without arguments.
 * @return a new string (free with ld_free()), or NULL on allocation failure.
 */
char *ld_testing_request(const char *interface_name, const char *function, const json_t *data);

/**
 * Serve @p request with @p registry through ld_runtime_invoke() (exactly what the
 * runtime does on Lambda) and return the parsed envelope.
 * @return a new reference, or NULL on allocation failure.
 */
json_t *ld_testing_invoke(const ld_registry *registry, const char *request, size_t length);

/**
 * Read a whole file. @return a new NUL-terminated buffer (free with ld_free()), or NULL
 * (errno set).
 * @param[out] length optional.
 */
char *ld_testing_read_file(const char *path, size_t *length);

/**
 * Serve the request in @p request_path and compare the envelope with the JSON in
 * @p response_path (the conformance vector layout: X.request.json / X.response.json).
 * @return NULL on match, else a new string (free with ld_free()) saying what differed or
 *         failed.
 */
char *ld_testing_check_files(const ld_registry *registry, const char *request_path,
                             const char *response_path);

/**
 * Compare a document's wire JSON / a ParseDocumentResult's JSON with expected JSON text.
 * @return 1 on match, 0 on mismatch (@p difference as ld_testing_json_match()).
 */
int ld_testing_document_matches(const ld_document *document, const char *expected_json,
                                char **difference);
/** As ld_testing_document_matches(), for a ParseDocumentResult. */
int ld_testing_result_matches(const ld_parse_document_result *result,
                              const char *expected_json, char **difference);

/**
 * CMocka assertion: unless @p actual (a json_t *) matches the JSON text
 * @p expected_json, print the first differing path and the whole actual value (see
 * ld_testing_json_match_report()) and fail the test. Include <cmocka.h> before using it.
 */
#define LD_ASSERT_JSON_MATCH(expected_json, actual)                            \
    do {                                                                       \
        char *ld_report_ = NULL;                                               \
        if (!ld_testing_json_match_report((expected_json), (actual), &ld_report_)) { \
            print_error("%s\n", ld_report_ ? ld_report_ : "JSON mismatch");    \
            ld_free(ld_report_);                                               \
            fail();                                                            \
        }                                                                      \
    } while (0)

#ifdef __cplusplus
}
#endif

#endif /* LETSDATA_TESTING_H */
