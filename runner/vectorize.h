/*
 * vectorize.h - the runner's vector stage (private): LetsData's LAMBDA_AND_SAGEMAKER
 * compute engine run locally. Every SUCCESS document a reader produces goes through the
 * SagemakerVectorsInterface's extractDocumentElementsForVectorization, each extracted
 * text through a vectorizer, and constructVectorDoc builds the document written.
 *
 * Two parts:
 * - a vectorizer (one per run, shared by the task threads): turns texts into vectors
 *   through a backend chosen by `--vectorizer SPEC` (vectors_hash.c: `hash:DIM`;
 *   vectors_http.c: `http://HOST:PORT/PATH`, HuggingFace feature-extraction JSON;
 *   `sagemaker:ENDPOINT`). Requests carry up to `batch` texts and at most `jobs` run at
 *   once, on the vectorizer's own threads; throttling, 5xx answers and broken
 *   connections are retried with exponential backoff and jitter (vectors.c);
 * - a stage (one per task, vectors_stage.c): collects documents, vectorizes their texts
 *   a window at a time, then constructs and routes the results in input order, so the
 *   output does not depend on timing. The task flushes the stage before every
 *   checkpoint, so a checkpoint never covers a document still in flight.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LDRUN_VECTORIZE_H
#define LDRUN_VECTORIZE_H

#include <stddef.h>

#include <letsdata/letsdata.h>

#include "runner_internal.h"

/** How the vectorizer talks to its endpoint (the `--vector-*` options). */
typedef struct ldvec_options {
    unsigned jobs;       /**< requests in flight at once, 1-256 (default 4) */
    unsigned batch;      /**< texts per request, 1-1024 (default 16; 1 = no batching) */
    unsigned attempts;   /**< tries per request, 1-20 (default 3, the AWS SDKs' standard) */
    long timeout_ms;     /**< per request (default 60000) */
    size_t dim;          /**< expected vector length; 0: the first vector sets it */
    long backoff_ms;     /**< first retry's backoff bound (default 100; doubles, cap 20 s) */
} ldvec_options;

#define LDVEC_OPTIONS_INIT { 4, 16, 3, 60000, 0, 100 }

/** One text's vector or why there is none. */
typedef struct ldvec_item {
    double *values;  /**< new array (free()), NULL when failed */
    size_t length;
    char *error;     /**< new string (free()): the endpoint's message or a shape error */
} ldvec_item;

void ldvec_item_clear(ldvec_item *item);

/** A request that got no usable answer. */
typedef struct ldvec_failure {
    int retryable;       /**< throttled, 5xx, timeout, connection: try again later */
    int batch_refused;   /**< a 4xx for a list of inputs: send them one at a time */
    long retry_after_ms; /**< the endpoint asked to wait this long (Retry-After), or 0 */
    char message[700];   /**< the endpoint's status and message, or the transport error */
} ldvec_failure;

/**
 * A backend. request() is called from the vectorizer's threads, each with its own
 * thread state from thread_new().
 */
typedef struct ldvec_backend {
    const char *kind; /**< "hash", "http", "sagemaker" */
    /** Per-thread state (may return a non-NULL dummy). NULL with @p error on failure. */
    void *(*thread_new)(void *state, ld_error *error);
    void (*thread_free)(void *state, void *thread);
    /**
     * Vectorize @p texts[0, count) in one request. @return 0 when the endpoint answered
     * (each item filled with a vector or an error), -1 with @p failure otherwise.
     */
    int (*request)(void *state, void *thread, const char *const *texts, size_t count,
                   long timeout_ms, ldvec_item *items, ldvec_failure *failure);
    void (*free)(void *state);
    int inline_calls; /**< cheap and local: run in the caller, no threads */
} ldvec_backend;

/* Backends (state is created by their _new and freed by backend->free). */
int ldvec_hash_new(const char *arguments, const ldvec_backend **backend, void **state,
                   ld_error *error);
int ldvec_http_new(const char *url, const ldvec_backend **backend, void **state,
                   ld_error *error);
int ldvec_sagemaker_new(const char *endpoint, const ldvec_backend **backend, void **state,
                        ld_error *error);

/**
 * The `hash:DIM` vectors (vectors_hash.c): tokens are maximal runs of ASCII letters and
 * digits (lower-cased) and bytes >= 0x80; each token's 64-bit FNV-1a hash h adds
 * +1 (h's top bit clear) or -1 to component h mod DIM; the result is scaled to unit
 * length (all zeros when there is no token). Deterministic, not semantic.
 * @param[out] out DIM numbers.
 */
void ldvec_hash_text(const char *text, size_t length, size_t dim, double *out);

/* The feature-extraction JSON (vectors_hf.c). */
struct ldrt_buf;
/** Append the request for @p texts to @p body. @return 0, or -1 out of memory. */
int ldvec_hf_request_body(const char *const *texts, size_t count, struct ldrt_buf *body);
/**
 * Read a 2xx answer to a request for @p count texts into @p items (vectors, or each
 * text's error). @return 0, or -1 with @p failure when a batch answer cannot be taken
 * apart (not JSON, the wrong number of vectors): the caller sends the texts one by one.
 */
int ldvec_hf_read_answer(const char *text, size_t length, size_t count, ldvec_item *items,
                         ldvec_failure *failure);
/** "HTTP 500 TYPE: message" from an error answer: its JSON error member or its start. */
void ldvec_hf_error_message(long status, const char *error_type, const char *text,
                            size_t length, char *out, size_t size);

typedef struct ldvec_vectorizer ldvec_vectorizer;

/**
 * Create a vectorizer from @p spec (`hash:DIM`, `http://HOST:PORT/PATH`,
 * `https://...`, `sagemaker:ENDPOINT_NAME`). @return new (ldvec_vectorizer_free), or
 * NULL with @p error naming what was wrong with the spec.
 */
ldvec_vectorizer *ldvec_vectorizer_new(const char *spec, const ldvec_options *options,
                                       ld_error *error);
void ldvec_vectorizer_free(ldvec_vectorizer *vectorizer);
/** Texts a stage collects before it vectorizes them: enough to keep every job busy. */
size_t ldvec_vectorizer_window(const ldvec_vectorizer *vectorizer);
/** The spec, for messages (borrowed). */
const char *ldvec_vectorizer_spec(const ldvec_vectorizer *vectorizer);

/** Request accounting of one vectorize call. */
typedef struct ldvec_stats {
    uint64_t requests, retries;
} ldvec_stats;

/**
 * Vectorize @p texts[0, count): batches of options.batch texts, at most options.jobs
 * at once (across every caller), retried as the header comment says; every vector is
 * checked for shape (finite numbers, the expected length). Thread-safe; blocks until
 * every item is filled with a vector or an error. @return LD_OK, or LD_ERR_NOMEM.
 */
int ldvec_vectorize(ldvec_vectorizer *vectorizer, const char *const *texts, size_t count,
                    ldvec_item *items, ldvec_stats *stats);

typedef struct ldvec_stage ldvec_stage;

/**
 * A task's stage. @p impl and @p ctx are borrowed for the stage's life.
 * @return new (ldvec_stage_free), or NULL when out of memory.
 */
ldvec_stage *ldvec_stage_new(ldvec_vectorizer *vectorizer,
                             const ld_sagemaker_vectors_interface *impl, ld_context *ctx);
void ldvec_stage_free(ldvec_stage *stage);

/**
 * A reader's SUCCESS document (borrowed) enters the chain: extract now, vectorize and
 * construct when the window is full or at the next flush. Results and failures are
 * routed into @p out and counted there. @return LD_OK, or an error that stops the task
 * (a handler failure without --continue-on-error, I/O, memory).
 */
int ldvec_stage_add(ldvec_stage *stage, ldrun_output *out, const ld_document *document,
                    const char *where, ld_error *error);

/**
 * Finish every document added so far (a no-op when called again from inside a flush).
 * Called before a checkpoint, at the end of a task, and before an error is written so
 * that errors.jsonl keeps input order. @return as ldvec_stage_add().
 */
int ldvec_stage_flush(ldvec_stage *stage, ldrun_output *out, ld_error *error);

/** The `run` options of vector datasets (vectors_cli.c). */
typedef struct ldvec_cli {
    const char *spec;    /**< --vectorizer */
    const char *dataset; /**< --dataset */
    ldvec_options options;
    int jobs_given;
} ldvec_cli;

#define LDVEC_CLI_INIT { NULL, NULL, LDVEC_OPTIONS_INIT, 0 }

/** Their --help text. */
extern const char ldvec_cli_usage[];

/**
 * Take @p arg (and its @p value, which may be NULL) if it is one of these options.
 * @return 0: not one of them; 2: taken with its value; -1: a usage error (printed).
 */
int ldvec_cli_option(ldvec_cli *cli, const char *arg, const char *value);

/** The vector counts as JSON (new), and back (missing members read as 0). */
json_t *ldvec_counts_json(const ldrun_vector_counts *counts);
void ldvec_counts_from_json(const json_t *json, ldrun_vector_counts *counts);
void ldvec_counts_add(ldrun_vector_counts *to, const ldrun_vector_counts *from);

#endif /* LDRUN_VECTORIZE_H */
