/*
 * transport.h - the transports letsdata-runtime can serve invocations on (private).
 *
 * Every transport turns bytes into ld_runtime_invoke() calls and envelopes back into
 * bytes; none of them parses requests itself.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LDRT_TRANSPORT_H
#define LDRT_TRANSPORT_H

#include <stdint.h>
#include <stdio.h>

#include <letsdata/common.h>
#include <letsdata/registry.h>
#include <letsdata/runtime.h>

/** Lambda's payload limit for a synchronous request or response (6 MB). */
#define LDRT_MAX_PAYLOAD_BYTES (6u * 1024u * 1024u)

/* ---- one-shot and batch (transport_oneshot.c, transport_batch.c) ---- */

/**
 * Read one whole request from @p in, write its envelope (and a newline) to @p out.
 * @return 0 when the envelope is SUCCESS, 1 when it is EXCEPTION, 2 on I/O failure
 *         (the process exit status of one-shot mode).
 */
int ldrt_oneshot_serve(const ld_registry *registry, FILE *in, FILE *out, ld_error *error);

/**
 * JSON Lines: one request per line in, one envelope per line out, in order. A line
 * that is not a valid request still gets its EXCEPTION envelope; blank lines are
 * skipped.
 * @return 0 when every line was answered, 2 on I/O failure.
 */
int ldrt_batch_serve(const ld_registry *registry, FILE *in, FILE *out, ld_error *error);

/* ---- local HTTP endpoint (transport_http.c) ---- */

/** Path the AWS Lambda runtime interface emulator serves (and the smoke tests POST to). */
#define LDRT_HTTP_INVOKE_PATH "/2015-03-31/functions/function/invocations"

/** Options of the local HTTP endpoint; start from LDRT_HTTP_OPTIONS_INIT. */
typedef struct ldrt_http_options {
    const char *host;            /**< Address to bind: "127.0.0.1" by default. */
    uint16_t port;               /**< 0 picks a free port (see ldrt_http_port()). */
    size_t max_request_bytes;    /**< Larger bodies get 413 + EXCEPTION envelope. */
    unsigned threads;            /**< Worker threads (concurrent requests). */
    int isolate;                 /**< Run each invocation in a child process. */
    unsigned timeout_ms;         /**< With isolate: per-invocation time limit, 0 none. */
    int quiet;                   /**< Do not print the "listening on" line. */
} ldrt_http_options;

#define LDRT_HTTP_OPTIONS_INIT { "127.0.0.1", 9000, LDRT_MAX_PAYLOAD_BYTES, 4, 0, 0, 0 }

typedef struct ldrt_http_server ldrt_http_server;

/** Start serving in background threads. @return LD_OK or an error (with @p error). */
int ldrt_http_start(const ld_registry *registry, const ldrt_http_options *options,
                    ldrt_http_server **out, ld_error *error);
/** The port actually bound. */
uint16_t ldrt_http_port(const ldrt_http_server *server);
/** Stop accepting, finish requests in flight, free the server. NULL is ignored. */
void ldrt_http_stop(ldrt_http_server *server);
/** Start, then block until SIGINT or SIGTERM, then stop. @return process exit status. */
int ldrt_http_serve(const ld_registry *registry, const ldrt_http_options *options,
                    ld_error *error);

/* ---- AWS Lambda Runtime API (transport_lambda.c) ---- */

/** Options of the Runtime API loop; start from LDRT_LAMBDA_OPTIONS_INIT. */
typedef struct ldrt_lambda_options {
    const char *runtime_api;     /**< host:port, from AWS_LAMBDA_RUNTIME_API. */
    unsigned max_invocations;    /**< Stop after this many (tests); 0: run forever. */
    unsigned max_attempts;       /**< Tries per Runtime API call before giving up; 0: 6. */
    unsigned retry_delay_ms;     /**< First backoff delay, doubled per retry; 0: 100 ms. */
} ldrt_lambda_options;

#define LDRT_LAMBDA_OPTIONS_INIT { NULL, 0, 0, 0 }

/**
 * The next/response loop. Returns when max_invocations were served or the Runtime API
 * is unreachable beyond retrying. @return process exit status.
 */
int ldrt_lambda_serve(const ld_registry *registry, const ldrt_lambda_options *options,
                      ld_error *error);

/**
 * Report an initialisation failure (e.g. the handler library failed to load) to
 * POST /2018-06-01/runtime/init/error. @return LD_OK or LD_ERR_IO.
 */
int ldrt_lambda_report_init_error(const char *runtime_api, const char *error_type,
                                  const char *message);

#endif /* LDRT_TRANSPORT_H */
