/*
 * vectors_http.c - the `http://HOST:PORT/PATH` vectorizer: an endpoint that speaks the
 * HuggingFace inference toolkit's feature-extraction JSON, as a SageMaker HuggingFace
 * container does (run locally, or any server that answers the same way):
 *   {"inputs": "text"}          -> [f, ...] or token vectors [[f, ...], ...]
 *   {"inputs": ["t1", "t2"]}    -> one of those per input, in order
 * (the JSON itself: vectors_hf.c). The HTTP exchange is libcurl's, in the on-demand
 * module libletsdata-runtime-curl.so (runtime/net_client.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <letsdata/json.h>

#include "net_client.h"
#include "net.h"
#include "runtime_internal.h"
#include "vectorize.h"

#define MAX_ANSWER_BYTES (256u * 1024u * 1024u)

typedef struct http_state {
    char *url;
    const ldrt_http_client_api *api;
} http_state;

static void *http_thread_new(void *state, ld_error *error)
{
    http_state *h = state;
    ldrt_http_client *client = h->api->client_new();
    if (client == NULL)
        ld_error_set(error, LD_ERR_NOMEM, "cannot create an HTTP client: out of memory");
    return client;
}

static void http_thread_free(void *state, void *thread)
{
    ((http_state *)state)->api->client_free(thread);
}

/* The endpoint's own words (see ldvec_hf_error_message). */
static void endpoint_message(const ldrt_http_exchange *ex, char *out, size_t size)
{
    ldvec_hf_error_message(ex->status, ex->error_type, ex->body, ex->body_length, out, size);
}

static int http_request(void *state, void *thread, const char *const *texts, size_t count,
                        long timeout_ms, ldvec_item *items, ldvec_failure *failure)
{
    http_state *h = state;
    ldrt_buf body = LDRT_BUF_INIT;
    if (ldvec_hf_request_body(texts, count, &body) != 0) {
        ldrt_buf_free(&body);
        snprintf(failure->message, sizeof failure->message, "out of memory");
        return -1;
    }
    static const char *const headers[] = {"Content-Type: application/json",
                                          "Accept: application/json", NULL};
    ldrt_http_exchange ex;
    int rc = h->api->post(thread, h->url, headers, body.data, body.length, timeout_ms,
                          MAX_ANSWER_BYTES, &ex);
    ldrt_buf_free(&body);
    if (rc != 0) {
        failure->retryable = 1; /* a broken connection or a timeout */
        snprintf(failure->message, sizeof failure->message, "POST %s: %s%s", h->url,
                 ex.timed_out ? "no answer within the time limit: " : "", ex.error);
        h->api->exchange_clear(&ex);
        return -1;
    }
    if (ex.status < 200 || ex.status > 299) {
        char message[600];
        endpoint_message(&ex, message, sizeof message);
        snprintf(failure->message, sizeof failure->message, "%s", message);
        failure->retryable = ex.status == 429 || ex.status >= 500;
        /* Retry-After in seconds (the HTTP-date form is not worth a clock here). */
        char *end = NULL;
        long seconds = strtol(ex.retry_after, &end, 10);
        if (ex.retry_after[0] >= '0' && ex.retry_after[0] <= '9' && *end == '\0')
            failure->retry_after_ms = seconds > 3600 ? 3600000 : seconds * 1000;
        failure->batch_refused = !failure->retryable && count > 1;
        h->api->exchange_clear(&ex);
        return -1;
    }
    int answered = ldvec_hf_read_answer(ex.body, ex.body_length, count, items, failure);
    h->api->exchange_clear(&ex);
    return answered;
}

static void http_free(void *state)
{
    http_state *h = state;
    free(h->url);
    free(h);
}

static const ldvec_backend http_backend = {
    .kind = "http",
    .thread_new = http_thread_new,
    .thread_free = http_thread_free,
    .request = http_request,
    .free = http_free,
    .inline_calls = 0,
};

int ldvec_http_new(const char *url, const ldvec_backend **backend, void **state,
                   ld_error *error)
{
    const char *host = strstr(url, "://") + 3;
    if (*host == '\0' || *host == '/')
        return ld_error_set(error, LD_ERR_INVALID, "--vectorizer %s: no host in the URL", url);
    /* Loading the network module now reports a missing one before any work is done. */
    const ldrt_http_client_api *api = ldrt_net_http_client(error);
    if (api == NULL)
        return error ? error->code : LD_ERR_NOT_FOUND;
    http_state *h = calloc(1, sizeof *h);
    if (h == NULL || (h->url = strdup(url)) == NULL) {
        free(h);
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    }
    h->api = api;
    *backend = &http_backend;
    *state = h;
    return LD_OK;
}
