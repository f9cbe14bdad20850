/*
 * vectors_http.c - the `http://HOST:PORT/PATH` vectorizer: an endpoint that speaks the
 * HuggingFace inference toolkit's feature-extraction JSON, as a SageMaker HuggingFace
 * container does (run locally, or any server that answers the same way):
 *   {"inputs": "text"}          -> [f, ...] or token vectors [[f, ...], ...]
 *   {"inputs": ["t1", "t2"]}    -> one of those per input, in order
 * Token vectors are mean-pooled into one vector (a leading batch dimension of one, as
 * the pipeline answers for a single text, is dropped first). The HTTP exchange itself
 * is the network module's client (runtime/net_client.h), loaded on first use.
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

/* Depth of nested arrays along the first elements: 0 for a number. */
static int depth_of(const json_t *value)
{
    int depth = 0;
    while (json_is_array(value)) {
        depth++;
        value = json_array_get(value, 0);
    }
    return depth;
}

/* One input's answer: a vector, or token vectors to mean-pool. */
static void read_vector(const json_t *value, ldvec_item *item)
{
    char problem[300] = "";
    int depth = depth_of(value);
    while (depth > 2 && json_array_size(value) == 1) { /* [[[...]]]: a batch of one */
        value = json_array_get(value, 0);
        depth--;
    }
    if (depth == 1) {
        size_t n = json_array_size(value);
        item->values = calloc(n ? n : 1, sizeof *item->values);
        item->length = n;
        for (size_t i = 0; item->values != NULL && i < n && !*problem; i++) {
            const json_t *x = json_array_get(value, i);
            if (!json_is_number(x))
                snprintf(problem, sizeof problem, "element %zu of the vector is not a number", i);
            else
                item->values[i] = json_number_value(x);
        }
    } else if (depth == 2) {
        size_t rows = json_array_size(value);
        size_t n = json_array_size(json_array_get(value, 0));
        item->values = calloc(n ? n : 1, sizeof *item->values);
        item->length = n;
        for (size_t r = 0; item->values != NULL && r < rows && !*problem; r++) {
            const json_t *row = json_array_get(value, r);
            if (json_array_size(row) != n || !json_is_array(row)) {
                snprintf(problem, sizeof problem,
                         "token vector %zu has %zu numbers where the first has %zu", r,
                         json_array_size(row), n);
                break;
            }
            for (size_t i = 0; i < n; i++) {
                const json_t *x = json_array_get(row, i);
                if (!json_is_number(x)) {
                    snprintf(problem, sizeof problem,
                             "element %zu of token vector %zu is not a number", i, r);
                    break;
                }
                item->values[i] += json_number_value(x);
            }
        }
        for (size_t i = 0; item->values != NULL && rows > 0 && i < n; i++)
            item->values[i] /= (double)rows;
    } else {
        snprintf(problem, sizeof problem,
                 "the answer is not a vector or a list of token vectors (%s)",
                 json_is_array(value) ? "arrays nested too deep, or empty" : "not an array");
    }
    if (*problem || item->values == NULL) {
        free(item->values);
        item->values = NULL;
        item->length = 0;
        item->error = strdup(*problem ? problem : "out of memory");
    }
}

/* The endpoint's own words: a JSON error member, or the start of the body. */
static void endpoint_message(const ldrt_http_exchange *ex, char *out, size_t size)
{
    json_t *body = ex->body ? ld_json_parse(ex->body, ex->body_length, NULL) : NULL;
    const char *text = NULL;
    static const char *const keys[] = {"error", "message", "Message", "errorMessage", "detail"};
    for (size_t k = 0; body != NULL && text == NULL && k < sizeof keys / sizeof keys[0]; k++)
        text = json_string_value(json_object_get(body, keys[k]));
    int length = text ? (int)strlen(text) : ex->body ? (int)ex->body_length : 0;
    if (length > 400)
        length = 400;
    snprintf(out, size, "HTTP %ld%s%s%s%.*s", ex->status, *ex->error_type ? " " : "",
             ex->error_type, length > 0 ? ": " : "", length, text ? text : ex->body ? ex->body : "");
    json_decref(body);
}

static int http_request(void *state, void *thread, const char *const *texts, size_t count,
                        long timeout_ms, ldvec_item *items, ldvec_failure *failure)
{
    http_state *h = state;
    json_t *inputs;
    if (count == 1)
        inputs = json_string(texts[0]);
    else {
        inputs = json_array();
        for (size_t i = 0; inputs != NULL && i < count; i++)
            json_array_append_new(inputs, json_string(texts[i]));
    }
    json_t *request = inputs ? json_pack("{s:o}", "inputs", inputs) : NULL;
    ldrt_buf body = LDRT_BUF_INIT;
    if (request != NULL)
        ldrt_json_write(&body, request);
    json_decref(request);
    if (request == NULL || body.oom) {
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
        failure->batch_refused = !failure->retryable && count > 1;
        h->api->exchange_clear(&ex);
        return -1;
    }
    ld_error parse_error = {0};
    json_t *answer = ld_json_parse(ex.body, ex.body_length, &parse_error);
    h->api->exchange_clear(&ex);
    /* An answer that cannot be taken apart fails the whole batch (which is then sent
     * again one text at a time); for a single text it is that text's error. */
    if (count > 1 && (answer == NULL || !json_is_array(answer) ||
                      json_array_size(answer) != count)) {
        if (answer == NULL)
            snprintf(failure->message, sizeof failure->message,
                     "the endpoint's answer is not valid JSON: %s", parse_error.message);
        else
            snprintf(failure->message, sizeof failure->message,
                     "the endpoint answered %zu vectors for a batch of %zu texts",
                     json_array_size(answer), count);
        json_decref(answer);
        return -1;
    }
    if (answer == NULL) {
        for (size_t i = 0; i < count; i++) {
            char message[700];
            snprintf(message, sizeof message, "the endpoint's answer is not valid JSON: %s",
                     parse_error.message);
            items[i].error = strdup(message);
        }
        return 0;
    }
    if (count == 1) {
        read_vector(answer, &items[0]);
    } else {
        for (size_t i = 0; i < count; i++)
            read_vector(json_array_get(answer, i), &items[i]);
    }
    json_decref(answer);
    return 0;
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
