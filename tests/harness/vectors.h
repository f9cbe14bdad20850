/*
 * vectors.h - load the conformance vectors and check responses against them
 * (test-only helper shared by the runtime, transport and example tests).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LDT_VECTORS_H
#define LDT_VECTORS_H

#include <stddef.h>

#include <jansson.h>

/** One request and what must come back for it. */
typedef struct ldt_vector {
    char *name;            /**< File stem ("01-SingleFileParser-getS3FileType") or bad-request name. */
    char *request;         /**< The exact request bytes (NUL-terminated; may contain NULs). */
    size_t request_length; /**< Length of request in bytes. */
    json_t *expected;      /**< Directory vectors: the whole expected envelope; else NULL. */
    char *mention;         /**< Bad requests: text errorMessage must contain, or NULL. */
} ldt_vector;

/** A list of vectors, freed with ldt_vector_set_free(). */
typedef struct ldt_vector_set {
    ldt_vector *items;
    size_t count;
} ldt_vector_set;

/**
 * Load every *.request.json / *.response.json pair of @p subdir ("skeleton",
 * "examples", "examples-more") under $LD_CONFORMANCE_DIR, sorted by name.
 * @return 0, or -1 (message on stderr) when the directory or a file cannot be read.
 */
int ldt_vectors_load_dir(const char *subdir, ldt_vector_set *out);

/** Load $LD_CONFORMANCE_DIR/bad-requests.jsonl (bodies base64-decoded). @return 0 or -1. */
int ldt_vectors_load_bad_requests(ldt_vector_set *out);

/** Free the vectors of @p set and zero it. */
void ldt_vector_set_free(ldt_vector_set *set);

/**
 * Check a response envelope (the JSON text a transport returned) against @p vector:
 * directory vectors compare as JSON values with placeholders (ld_testing_json_match);
 * bad requests must be the EXCEPTION envelope (StatusCode 500, body.statusCode
 * "EXCEPTION", errorMessage containing the mention when there is one).
 * @return NULL on pass, else a new string describing the mismatch (free()).
 */
char *ldt_vector_check(const ldt_vector *vector, const char *response, size_t response_length);

#endif /* LDT_VECTORS_H */
