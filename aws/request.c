/*
 * request.c - one signed HTTP exchange over libcurl (CURLOPT_AWS_SIGV4), and the
 * standard retry mode around it.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "aws_internal.h"
#include "credentials_internal.h"

void ldaws_result_reset(ldaws_result *result)
{
    ldaws_buf body = result->body;
    memset(result, 0, sizeof *result);
    body.length = 0;
    if (body.data != NULL)
        body.data[0] = '\0';
    body.failed = 0;
    result->body = body;
    result->content_length = UINT64_MAX;
}

void ldaws_result_free(ldaws_result *result)
{
    ldaws_buf_free(&result->body);
}

typedef struct transfer {
    const ldaws_call *call;
    ldaws_result *result;
    size_t max_body;
    int too_big;
    uint64_t sent; /* bytes of a file body handed to libcurl */
} transfer;

/* A file body, read as libcurl sends it: no copy of the part in memory. */
static size_t read_file_body(char *buffer, size_t size, size_t count, void *payload)
{
    transfer *t = payload;
    uint64_t left = t->call->body_length - t->sent;
    size_t want = size * count < left ? size * count : (size_t)left;
    if (want == 0)
        return 0;
    ssize_t n = pread(t->call->body_fd, buffer, want, (off_t)(t->call->body_offset + t->sent));
    if (n <= 0)
        return CURL_READFUNC_ABORT;
    t->sent += (uint64_t)n;
    return (size_t)n;
}

static void header_value(const char *line, size_t length, size_t name_length, char *out,
                         size_t size)
{
    const char *v = line + name_length;
    size_t n = length - name_length;
    while (n > 0 && (*v == ' ' || *v == '\t')) {
        v++;
        n--;
    }
    while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
        n--;
    if (n >= size)
        n = size - 1;
    memcpy(out, v, n);
    out[n] = '\0';
}

#define IS_HEADER(line, n, name)                                                            \
    ((n) > sizeof(name) - 1 && strncasecmp((line), (name), sizeof(name) - 1) == 0)

static size_t on_header(char *line, size_t size, size_t count, void *payload)
{
    transfer *t = payload;
    ldaws_result *r = t->result;
    size_t n = size * count;
    if (n >= 5 && strncmp(line, "HTTP/", 5) == 0) {
        /* A new response (after a 100 Continue, say): forget the last one's headers. */
        const char *space = memchr(line, ' ', n);
        r->status = space != NULL ? strtol(space + 1, NULL, 10) : 0;
        r->etag[0] = r->content_type[0] = r->last_modified[0] = r->request_id[0] = '\0';
        r->content_range[0] = '\0';
        r->content_length = UINT64_MAX;
        return n;
    }
    char value[128];
    if (IS_HEADER(line, n, "ETag:"))
        header_value(line, n, 5, r->etag, sizeof r->etag);
    else if (IS_HEADER(line, n, "Content-Type:"))
        header_value(line, n, 13, r->content_type, sizeof r->content_type);
    else if (IS_HEADER(line, n, "Last-Modified:"))
        header_value(line, n, 14, r->last_modified, sizeof r->last_modified);
    else if (IS_HEADER(line, n, "x-amz-request-id:"))
        header_value(line, n, 17, r->request_id, sizeof r->request_id);
    else if (IS_HEADER(line, n, "x-amzn-RequestId:"))
        header_value(line, n, 17, r->request_id, sizeof r->request_id);
    else if (IS_HEADER(line, n, "Content-Range:"))
        header_value(line, n, 14, r->content_range, sizeof r->content_range);
    else if (IS_HEADER(line, n, "Content-Length:")) {
        header_value(line, n, 15, value, sizeof value);
        r->content_length = strtoull(value, NULL, 10);
    }
    return n;
}

static size_t on_body(char *data, size_t size, size_t count, void *payload)
{
    transfer *t = payload;
    ldaws_result *r = t->result;
    size_t n = size * count;
    if (t->call->sink != NULL && r->status >= 200 && r->status < 300) {
        if (t->call->sink(t->call->sink_payload, data, n) != 0) {
            r->sink_stopped = 1;
            return 0;
        }
        r->sunk += n;
        return n;
    }
    if (r->body.length + n > t->max_body) {
        t->too_big = 1;
        return 0;
    }
    return ldaws_buf_append(&r->body, data, n) == LD_OK ? n : 0;
}

const ld_aws_credentials *ldaws_client_credentials(ld_aws_client *client, ld_aws_error *error)
{
    /* Credentials that expire (container endpoint) are fetched again 5 minutes early. */
    if (client->credentials != NULL && client->credentials->expires != 0 &&
        time(NULL) + 300 >= client->credentials->expires &&
        strcmp(client->credentials->source, "container credentials endpoint") == 0) {
        ld_aws_credentials_free(client->credentials);
        client->credentials = NULL;
    }
    if (client->credentials == NULL)
        client->credentials = ld_aws_credentials_resolve(error);
    return client->credentials;
}

static struct curl_slist *add_header(struct curl_slist *list, const char *line, int *failed)
{
    struct curl_slist *grown = curl_slist_append(list, line);
    if (grown == NULL)
        *failed = 1;
    return grown != NULL ? grown : list;
}

int ldaws_attempt(ld_aws_client *client, const ldaws_call *call, ldaws_result *result,
                  ld_aws_error *error)
{
    ldaws_result_reset(result);
    const ld_aws_credentials *credentials = ldaws_client_credentials(client, error);
    if (credentials == NULL)
        return error != NULL ? error->code : LD_ERR_NOT_FOUND;

    char *query = ldaws_canonical_query(call->query);
    ldaws_buf url = {0};
    ldaws_buf_appendf(&url, "%s", call->base_url);
    ldaws_buf_append_encoded(&url, call->path != NULL && *call->path ? call->path : "/", 1);
    if (query != NULL && *query != '\0')
        ldaws_buf_appendf(&url, "?%s", query);
    free(query);

    int failed = query == NULL || url.failed;
    struct curl_slist *headers = NULL;
    char line[8300];
    for (const char *const *h = call->headers; h != NULL && *h != NULL; h++)
        headers = add_header(headers, *h, &failed);
    if (call->s3) {
        char hex[65];
        if (call->payload_sha256 == NULL)
            ldaws_sha256_hex(call->body != NULL ? call->body : "", call->body_length, hex);
        snprintf(line, sizeof line, "x-amz-content-sha256: %s",
                 call->payload_sha256 != NULL ? call->payload_sha256 : hex);
        headers = add_header(headers, line, &failed);
    }
    if (credentials->session_token != NULL) {
        snprintf(line, sizeof line, "X-Amz-Security-Token: %s", credentials->session_token);
        headers = add_header(headers, line, &failed);
    }
    if (failed) {
        curl_slist_free_all(headers);
        ldaws_buf_free(&url);
        return ldaws_error_set(error, LD_ERR_NOMEM, "out of memory");
    }

    CURL *curl = client->curl;
    curl_easy_reset(curl);
    char sigv4[256];
    snprintf(sigv4, sizeof sigv4, "aws:amz:%s:%s", call->region, call->signing_name);
    transfer t = {call, result, client->max_response_bytes, 0, 0};
    curl_easy_setopt(curl, CURLOPT_URL, url.data);
    curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, sigv4);
    curl_easy_setopt(curl, CURLOPT_USERNAME, credentials->access_key_id);
    curl_easy_setopt(curl, CURLOPT_PASSWORD, credentials->secret_access_key);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, client->connect_timeout_ms);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, client->stall_timeout_s);
    curl_easy_setopt(curl, CURLOPT_BUFFERSIZE, 256L * 1024);
    curl_easy_setopt(curl, CURLOPT_UPLOAD_BUFFERSIZE, 1024L * 1024);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "letsdata-c-sdk libletsdata-aws");
    curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
    /* libcurl asks "Expect: 100-continue" before a body and waits for the answer: a round
     * trip per part. Send at once instead (a refused request wastes one part of bandwidth
     * at most); the header cannot simply be removed, libcurl 7.88 would sign it anyway. */
    curl_easy_setopt(curl, CURLOPT_EXPECT_100_TIMEOUT_MS, 0L);
    if (client->ca_bundle != NULL)
        curl_easy_setopt(curl, CURLOPT_CAINFO, client->ca_bundle);
    if (strcmp(call->method, "HEAD") == 0) {
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else if (call->body_from_fd) {
        curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_file_body);
        curl_easy_setopt(curl, CURLOPT_READDATA, &t);
        curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)call->body_length);
    } else if (strcmp(call->method, "GET") != 0) {
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, call->method);
        if (call->body_length > 0 || strcmp(call->method, "DELETE") != 0) {
            curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)call->body_length);
            curl_easy_setopt(curl, CURLOPT_POSTFIELDS, call->body != NULL ? call->body : "");
        }
    }
    CURLcode code = curl_easy_perform(curl);
    curl_slist_free_all(headers);
    ldaws_buf_free(&url);
    result->curl_code = code;
    if (code == CURLE_OK) {
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result->status);
        return LD_OK;
    }
    if (t.too_big)
        return ldaws_error_set(error, LD_ERR_LIMIT,
                               "%s %s: the answer is larger than the %zu bytes allowed",
                               call->method, call->path, client->max_response_bytes);
    if (result->sink_stopped)
        return ldaws_error_set(error, LD_ERR_IO, "%s %s: stopped by the callback",
                               call->method, call->path);
    if (result->body.failed)
        return ldaws_error_set(error, LD_ERR_NOMEM, "out of memory");
    return ldaws_error_set(error, LD_ERR_IO, "%s %s%s: %s", call->method, call->base_url,
                           call->path, curl_easy_strerror(code));
}

static int throttling_or_transient(const char *code)
{
    static const char *const codes[] = {
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException",
        "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
        "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
        "EC2ThrottledException", "RequestTimeout", "RequestTimeoutException",
        "InternalError", "ServiceUnavailable"};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (strcmp(code, codes[i]) == 0)
            return 1;
    return 0;
}

int ldaws_retryable(const ldaws_result *result, int attempt_rc)
{
    if (attempt_rc != LD_OK) {
        if (result->sink_stopped || attempt_rc == LD_ERR_LIMIT || attempt_rc == LD_ERR_NOMEM)
            return 0;
        switch (result->curl_code) {
        case CURLE_COULDNT_CONNECT:
        case CURLE_OPERATION_TIMEDOUT:
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_PARTIAL_FILE:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_COULDNT_RESOLVE_HOST:
            return 1;
        default:
            return 0;
        }
    }
    if (result->status >= 500 || result->status == 429)
        return 1;
    if (result->status >= 400) {
        char code[LD_AWS_CODE_MAX] = "", message[8] = "";
        ldaws_parse_error_body(result->body.data, result->body.length, code, sizeof code,
                               message, sizeof message);
        return throttling_or_transient(code);
    }
    return 0;
}

int ldaws_error_from_result(ld_aws_error *error, const ldaws_result *result, const char *what)
{
    char code[LD_AWS_CODE_MAX] = "";
    char message[LD_ERROR_MESSAGE_MAX] = "";
    ldaws_parse_error_body(result->body.data, result->body.length, code, sizeof code, message,
                           sizeof message);
    if (*code == '\0' && result->status == 404)
        snprintf(code, sizeof code, "NotFound"); /* HEAD answers have no body */
    int rc = ldaws_status_for_http(result->status, code);
    if (error != NULL) {
        error->code = rc;
        error->http_status = result->status;
        snprintf(error->aws_code, sizeof error->aws_code, "%s", code);
        snprintf(error->request_id, sizeof error->request_id, "%s", result->request_id);
        snprintf(error->message, sizeof error->message, "%s: HTTP %ld%s%s%s%s%s%s%s", what,
                 result->status, *code ? " " : "", code, *message ? ": " : "", message,
                 *result->request_id ? " (request id " : "", result->request_id,
                 *result->request_id ? ")" : "");
    }
    return rc;
}

void ldaws_backoff(const ld_aws_client *client, int attempt)
{
    /* Standard mode: a random delay in [0, base * 2^(attempt-2)], at most 20 s. */
    double cap = (double)client->retry_base_ms * (double)(1u << (attempt - 2 < 10 ? attempt - 2 : 10));
    if (cap > 20000)
        cap = 20000;
    double ms = cap * ((double)random() / (double)RAND_MAX);
    struct timespec pause = {(time_t)(ms / 1000), (long)((ms - (double)(long)(ms / 1000) * 1000) * 1e6)};
    nanosleep(&pause, NULL);
}

int ldaws_perform(ld_aws_client *client, const ldaws_call *call, ldaws_result *result,
                  const char *what, ld_aws_error *error)
{
    int rc = LD_OK;
    for (int attempt = 1;; attempt++) {
        if (attempt > 1)
            ldaws_backoff(client, attempt);
        ldaws_error_clear(error);
        rc = ldaws_attempt(client, call, result, error);
        if (error != NULL)
            error->attempts = attempt;
        int ok = rc == LD_OK && result->status >= 200 && result->status < 300;
        if (ok)
            return LD_OK;
        int again = attempt < client->max_attempts && ldaws_retryable(result, rc) &&
                    result->sunk == 0 && (rc != LD_OK || error == NULL || error->code == 0 ||
                                          error->code == LD_ERR_IO);
        if (!again)
            break;
    }
    if (rc == LD_OK)
        rc = ldaws_error_from_result(error, result, what);
    else if (error != NULL && error->code == LD_ERR_IO && result->curl_code != CURLE_OK) {
        ldaws_error_prefix(error, "%s", what);
    }
    if (error != NULL && error->attempts > 1) {
        size_t n = strlen(error->message);
        snprintf(error->message + n, sizeof error->message - n, " (after %d attempts)",
                 error->attempts);
    }
    return rc;
}
