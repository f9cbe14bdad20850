/*
 * net_client.h - a small HTTP client for the layers above the runtime (private): the
 * runner's HTTP vectorizer posts JSON with it (libcurl: HTTPS, time limits, keep-alive).
 * It lives in its own module, libletsdata-runtime-curl.so, loaded on first use, so that
 * a run that never talks HTTP, and `serve`, never load libcurl; ldrt_net_http_client()
 * (net.h) finds the functions.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LDRT_NET_CLIENT_H
#define LDRT_NET_CLIENT_H

#include <stddef.h>

#include <letsdata/common.h>

/** What one exchange brought back. Clear with the API's exchange_clear. */
typedef struct ldrt_http_exchange {
    long status;          /**< HTTP status; 0 when no answer came (see @c error) */
    char *body;           /**< new, NUL-terminated (may be NULL when status is 0) */
    size_t body_length;
    int timed_out;        /**< the time limit passed */
    char error[256];      /**< the transport's failure (connection refused, reset, ...) */
    char retry_after[32]; /**< the Retry-After header, if any */
    char request_id[96];  /**< x-amzn-RequestId, if any */
    char error_type[128]; /**< X-Amzn-ErrorType or x-amzn-query-error, if any */
} ldrt_http_exchange;

typedef struct ldrt_http_client ldrt_http_client;

/** The client's functions, as one table (one symbol to look up). */
typedef struct ldrt_http_client_api {
    /** A client: one connection kept alive between calls; not thread-safe (one per
     * thread). @return new (free with client_free), or NULL when out of memory. */
    ldrt_http_client *(*client_new)(void);
    void (*client_free)(ldrt_http_client *client);
    /**
     * POST @p body (borrowed) to @p url with @p headers (NULL-terminated "Name: value"
     * strings, borrowed, may be NULL), waiting at most @p timeout_ms, keeping at most
     * @p max_body bytes of the answer (more is a failure).
     * @return 0 when an HTTP answer came (any status), -1 otherwise (exchange->error).
     */
    int (*post)(ldrt_http_client *client, const char *url, const char *const *headers,
                const void *body, size_t length, long timeout_ms, size_t max_body,
                ldrt_http_exchange *exchange);
    /** Free what @p exchange holds and zero it. */
    void (*exchange_clear)(ldrt_http_exchange *exchange);
} ldrt_http_client_api;

/** The table, in the network module (exported from it). */
const ldrt_http_client_api *ldrt_http_client_functions(void);

#endif /* LDRT_NET_CLIENT_H */
