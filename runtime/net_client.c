/*
 * net_client.c - the network module's HTTP client (see net_client.h), on libcurl.
 *
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "net_client.h"

struct ldrt_http_client {
    CURL *curl;
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static void global_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

static ldrt_http_client *client_new(void)
{
    pthread_once(&global_once, global_init);
    ldrt_http_client *client = calloc(1, sizeof *client);
    if (client != NULL && (client->curl = curl_easy_init()) == NULL) {
        free(client);
        client = NULL;
    }
    return client;
}

static void client_free(ldrt_http_client *client)
{
    if (client == NULL)
        return;
    curl_easy_cleanup(client->curl);
    free(client);
}

typedef struct receive {
    ldrt_http_exchange *exchange;
    size_t capacity, max_body;
    int too_big;
} receive;

static size_t on_body(char *data, size_t size, size_t count, void *arg)
{
    receive *r = arg;
    ldrt_http_exchange *ex = r->exchange;
    size_t n = size * count;
    if (ex->body_length + n > r->max_body) {
        r->too_big = 1;
        return 0; /* aborts the transfer */
    }
    if (ex->body_length + n + 1 > r->capacity) {
        size_t capacity = r->capacity ? r->capacity : 4096;
        while (capacity < ex->body_length + n + 1)
            capacity *= 2;
        char *grown = realloc(ex->body, capacity);
        if (grown == NULL)
            return 0;
        ex->body = grown;
        r->capacity = capacity;
    }
    memcpy(ex->body + ex->body_length, data, n);
    ex->body_length += n;
    ex->body[ex->body_length] = '\0';
    return n;
}

/* Copy header @p name's value into @p out when @p line is that header. */
static void header_value(const char *line, size_t length, const char *name, char *out,
                         size_t size)
{
    size_t name_length = strlen(name);
    if (length <= name_length || strncasecmp(line, name, name_length) != 0 ||
        line[name_length] != ':')
        return;
    const char *value = line + name_length + 1;
    const char *end = line + length;
    while (value < end && isspace((unsigned char)*value))
        value++;
    while (end > value && isspace((unsigned char)end[-1]))
        end--;
    snprintf(out, size, "%.*s", (int)(end - value), value);
}

static size_t on_header(char *line, size_t size, size_t count, void *arg)
{
    ldrt_http_exchange *ex = ((receive *)arg)->exchange;
    size_t n = size * count;
    header_value(line, n, "Retry-After", ex->retry_after, sizeof ex->retry_after);
    header_value(line, n, "x-amzn-RequestId", ex->request_id, sizeof ex->request_id);
    header_value(line, n, "X-Amzn-ErrorType", ex->error_type, sizeof ex->error_type);
    return n;
}

static int post(ldrt_http_client *client, const char *url, const char *const *headers,
                const void *body, size_t length, long timeout_ms, size_t max_body,
                ldrt_http_exchange *ex)
{
    memset(ex, 0, sizeof *ex);
    struct curl_slist *list = NULL;
    for (size_t i = 0; headers != NULL && headers[i] != NULL; i++) {
        struct curl_slist *grown = curl_slist_append(list, headers[i]);
        if (grown == NULL) {
            curl_slist_free_all(list);
            snprintf(ex->error, sizeof ex->error, "out of memory");
            return -1;
        }
        list = grown;
    }
    /* No "Expect: 100-continue" round trip for larger bodies. */
    struct curl_slist *grown = curl_slist_append(list, "Expect:");
    if (grown != NULL)
        list = grown;
    receive r = {ex, 0, max_body, 0};
    CURL *curl = client->curl;
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)length);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &r);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms > 0 ? timeout_ms : 0L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
    CURLcode rc = curl_easy_perform(curl);
    curl_slist_free_all(list);
    if (rc != CURLE_OK) {
        ex->timed_out = rc == CURLE_OPERATION_TIMEDOUT;
        if (r.too_big)
            snprintf(ex->error, sizeof ex->error, "the answer is larger than %zu bytes",
                     max_body);
        else
            snprintf(ex->error, sizeof ex->error, "%s", curl_easy_strerror(rc));
        ex->status = 0;
        return -1;
    }
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &ex->status);
    if (ex->body == NULL && (ex->body = calloc(1, 1)) == NULL) {
        snprintf(ex->error, sizeof ex->error, "out of memory");
        ex->status = 0;
        return -1;
    }
    return 0;
}

static void exchange_clear(ldrt_http_exchange *ex)
{
    free(ex->body);
    memset(ex, 0, sizeof *ex);
}

static const ldrt_http_client_api api = {client_new, client_free, post, exchange_clear};

const ldrt_http_client_api *ldrt_http_client_functions(void)
{
    return &api;
}
