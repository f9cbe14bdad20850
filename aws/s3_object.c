/*
 * s3_object.c - S3 addressing, URIs, GetObject (streamed, resumed with Range),
 * HeadObject, and the get-to-file/memory conveniences.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws_internal.h"

int ld_s3_uri_parse(const char *uri, char **bucket, char **key, ld_aws_error *error)
{
    ldaws_error_clear(error);
    if (bucket != NULL)
        *bucket = NULL;
    if (key != NULL)
        *key = NULL;
    if (uri == NULL || bucket == NULL || key == NULL)
        return ldaws_error_set(error, LD_ERR_INVALID, "ld_s3_uri_parse: NULL argument");
    const char *rest = strncmp(uri, "s3://", 5) == 0    ? uri + 5
                       : strncmp(uri, "s3a://", 6) == 0 ? uri + 6
                                                         : NULL;
    if (rest == NULL)
        return ldaws_error_set(error, LD_ERR_INVALID,
                               "'%s' is not an S3 URI (s3://bucket/key or s3a://bucket/key)",
                               uri);
    const char *slash = strchr(rest, '/');
    size_t bucket_length = slash != NULL ? (size_t)(slash - rest) : strlen(rest);
    if (bucket_length == 0)
        return ldaws_error_set(error, LD_ERR_INVALID, "'%s' names no bucket", uri);
    *bucket = strndup(rest, bucket_length);
    *key = strdup(slash != NULL ? slash + 1 : "");
    if (*bucket == NULL || *key == NULL) {
        free(*bucket);
        free(*key);
        *bucket = *key = NULL;
        return ldaws_error_set(error, LD_ERR_NOMEM, "out of memory");
    }
    return LD_OK;
}

static int valid_bucket(const char *bucket)
{
    if (bucket == NULL || *bucket == '\0' || strlen(bucket) > 255)
        return 0;
    for (const char *p = bucket; *p != '\0'; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '.' || *p == '_'))
            return 0;
    return 1;
}

int ldaws_s3_locate(ld_aws_client *client, const char *bucket, const char *key,
                    char **base_url, char **path, ld_aws_error *error)
{
    *base_url = *path = NULL;
    if (!valid_bucket(bucket))
        return ldaws_error_set(error, LD_ERR_INVALID, "'%s' is not a valid bucket name",
                               bucket != NULL ? bucket : "(null)");
    if (key == NULL)
        return ldaws_error_set(error, LD_ERR_INVALID, "the key is NULL");
    int path_style = 1;
    char *endpoint = NULL;
    if (client->endpoint_url != NULL) {
        endpoint = strdup(client->endpoint_url);
    } else {
        endpoint = ld_aws_resolve_endpoint("S3", "s3", client->region, &path_style, error);
        if (endpoint == NULL)
            return error != NULL && error->code ? error->code : LD_ERR_NOMEM;
        /* Virtual-hosted unless the name cannot be a TLS host name (dots). */
        if (!path_style && strchr(bucket, '.') != NULL)
            path_style = 1;
    }
    ldaws_buf base = {0}, p = {0};
    if (endpoint == NULL) {
        base.failed = 1;
    } else if (path_style) {
        ldaws_buf_appendf(&base, "%s", endpoint);
        ldaws_buf_appendf(&p, "/%s/%s", bucket, key);
    } else {
        /* https://s3.REGION... -> https://BUCKET.s3.REGION... */
        ldaws_buf_appendf(&base, "https://%s.%s", bucket, endpoint + 8);
        ldaws_buf_appendf(&p, "/%s", key);
    }
    free(endpoint);
    if (base.failed || p.failed) {
        ldaws_buf_free(&base);
        ldaws_buf_free(&p);
        return ldaws_error_set(error, LD_ERR_NOMEM, "out of memory");
    }
    *base_url = base.data;
    *path = p.data;
    return LD_OK;
}

static void fill_info(ld_s3_object_info *info, const ldaws_result *r)
{
    if (info == NULL)
        return;
    memset(info, 0, sizeof *info);
    const char *total = strrchr(r->content_range, '/');
    if (total != NULL && total[1] != '*')
        info->size = strtoull(total + 1, NULL, 10);
    else if (r->content_length != UINT64_MAX)
        info->size = r->content_length;
    snprintf(info->etag, sizeof info->etag, "%s", r->etag);
    snprintf(info->content_type, sizeof info->content_type, "%s", r->content_type);
    snprintf(info->last_modified, sizeof info->last_modified, "%s", r->last_modified);
}

/* Hands a GET's bytes to the user once each, whatever the server resent. */
typedef struct get_state {
    ld_s3_write_fn write;
    void *payload;
    uint64_t skip; /* bytes of this answer already delivered (a 200 to a Range) */
    uint64_t delivered;
    uint64_t requested_from; /* the first byte this attempt asked for */
    const ldaws_result *result;
    int checked; /* this attempt's status looked at */
} get_state;

static int get_sink(void *payload, const void *data, size_t length)
{
    get_state *g = payload;
    const char *bytes = data;
    if (!g->checked) {
        /* A server that ignores Range answers 200 from byte 0: skip what we have. */
        g->checked = 1;
        g->skip = g->result->status == 200 ? g->requested_from : 0;
    }
    if (g->skip > 0) {
        size_t n = g->skip < length ? (size_t)g->skip : length;
        g->skip -= n;
        bytes += n;
        length -= n;
    }
    if (length == 0)
        return 0;
    if (g->write(g->payload, bytes, length) != 0)
        return 1;
    g->delivered += length;
    return 0;
}

int ld_s3_get_object(ld_aws_client *client, const char *bucket, const char *key,
                     const ld_s3_get_options *options, ld_s3_write_fn write, void *payload,
                     ld_s3_object_info *info, ld_aws_error *error)
{
    ldaws_error_clear(error);
    ld_s3_get_options defaults = LD_S3_GET_OPTIONS_INIT;
    if (options == NULL)
        options = &defaults;
    if (client == NULL || write == NULL)
        return ldaws_error_set(error, LD_ERR_INVALID, "GetObject needs a client and a callback");
    if (options->version != LD_S3_GET_OPTIONS_VERSION)
        return ldaws_error_set(error, LD_ERR_INVALID, "ld_s3_get_options.version is %d, not %d",
                               options->version, LD_S3_GET_OPTIONS_VERSION);
    if (options->range_end < options->range_start)
        return ldaws_error_set(error, LD_ERR_INVALID, "the range %" PRIu64 "-%" PRIu64
                               " ends before it starts", options->range_start, options->range_end);
    char *base = NULL, *path = NULL;
    int rc = ldaws_s3_locate(client, bucket, key, &base, &path, error);
    if (rc != LD_OK)
        return rc;
    char what[600];
    snprintf(what, sizeof what, "GetObject s3://%s/%s", bucket, key);
    char etag[128] = "";
    if (options->if_match != NULL)
        snprintf(etag, sizeof etag, "%s", options->if_match);
    int pinned_by_us = 0, have_info = 0;
    ldaws_result result = {0};
    get_state g = {write, payload, 0, 0, 0, &result, 0};
    uint64_t expected = UINT64_MAX; /* bytes the whole transfer should deliver */
    int attempts = 0, total_attempts = 0;
    for (;;) {
        attempts++;
        total_attempts++;
        if (attempts > 1)
            ldaws_backoff(client, attempts);
        uint64_t from = options->range_start + g.delivered;
        g.requested_from = from;
        g.checked = 0;
        char range[96] = "", match[160] = "";
        const char *headers[3] = {NULL, NULL, NULL};
        int h = 0;
        if (from > 0 || options->range_end != LD_S3_TO_END) {
            if (options->range_end != LD_S3_TO_END)
                snprintf(range, sizeof range, "Range: bytes=%" PRIu64 "-%" PRIu64, from,
                         options->range_end);
            else
                snprintf(range, sizeof range, "Range: bytes=%" PRIu64 "-", from);
            headers[h++] = range;
        }
        if (*etag != '\0') {
            snprintf(match, sizeof match, "If-Match: %s", etag);
            headers[h++] = match;
        }
        ldaws_call call = {0};
        call.base_url = base;
        call.signing_name = "s3";
        call.region = client->region;
        call.method = "GET";
        call.path = path;
        call.headers = headers;
        call.s3 = 1;
        call.sink = get_sink;
        call.sink_payload = &g;
        uint64_t before = g.delivered;
        ldaws_error_clear(error);
        rc = ldaws_attempt(client, &call, &result, error);
        if (error != NULL)
            error->attempts = total_attempts;
        int success = result.status == 200 || result.status == 206;
        if (success && !have_info) {
            fill_info(info, &result);
            have_info = 1;
            uint64_t length = result.content_length;
            if (length != UINT64_MAX)
                expected = length;
        }
        if (success && *etag == '\0' && *result.etag != '\0') {
            /* Pin the version: a resumed range must come from the same object. */
            snprintf(etag, sizeof etag, "%s", result.etag);
            pinned_by_us = 1;
        }
        if (rc == LD_OK && success) {
            if (expected == UINT64_MAX || g.delivered >= expected)
                break; /* complete */
            rc = LD_ERR_IO;  /* a short body without a transport error: resume */
            result.curl_code = CURLE_PARTIAL_FILE;
        }
        if (rc == LD_OK && result.status == 412 && pinned_by_us) {
            rc = ldaws_error_set(error, LD_ERR_IO,
                                 "%s: the object changed during the download (ETag %s no "
                                 "longer matches)",
                                 what, etag);
            break;
        }
        if (g.delivered > before)
            attempts = 1; /* progress: resuming is not a failed attempt */
        int again = attempts < client->max_attempts && total_attempts < 100 &&
                    ldaws_retryable(&result, rc) &&
                    (rc != LD_OK || !(result.status >= 200 && result.status < 300));
        if (!again) {
            if (rc == LD_OK)
                rc = ldaws_error_from_result(error, &result, what);
            else if (error != NULL && !result.sink_stopped && result.curl_code != CURLE_OK) {
                ldaws_error_prefix(error, "%s (after %" PRIu64 " bytes)", what, g.delivered);
            }
            break;
        }
    }
    ldaws_result_free(&result);
    free(base);
    free(path);
    return rc;
}

int ldaws_s3_object_request(ld_aws_client *client, const char *operation,
                            const char *method, const char *bucket, const char *key,
                            ldaws_result *result, ld_aws_error *error)
{
    ldaws_error_clear(error);
    if (client == NULL)
        return ldaws_error_set(error, LD_ERR_INVALID, "%s needs a client", operation);
    char *base = NULL, *path = NULL;
    int rc = ldaws_s3_locate(client, bucket, key, &base, &path, error);
    if (rc != LD_OK)
        return rc;
    char what[600];
    snprintf(what, sizeof what, "%s s3://%s/%s", operation, bucket, key);
    ldaws_call call = {0};
    call.base_url = base;
    call.signing_name = "s3";
    call.region = client->region;
    call.method = method;
    call.path = path;
    call.s3 = 1;
    rc = ldaws_perform(client, &call, result, what, error);
    free(base);
    free(path);
    return rc;
}

int ld_s3_head_object(ld_aws_client *client, const char *bucket, const char *key,
                      ld_s3_object_info *info, ld_aws_error *error)
{
    ldaws_result result = {0};
    int rc = ldaws_s3_object_request(client, "HeadObject", "HEAD", bucket, key, &result, error);
    if (rc == LD_OK)
        fill_info(info, &result);
    else if (result.status == 404 && error != NULL)
        snprintf(error->aws_code, sizeof error->aws_code, "NotFound"); /* no body to say */
    ldaws_result_free(&result);
    return rc;
}

typedef struct file_sink {
    FILE *f;
} file_sink;

static int write_file(void *payload, const void *data, size_t length)
{
    file_sink *s = payload;
    return fwrite(data, 1, length, s->f) == length ? 0 : 1;
}

int ld_s3_get_object_to_file(ld_aws_client *client, const char *bucket, const char *key,
                             const char *path, ld_s3_object_info *info, ld_aws_error *error)
{
    ldaws_error_clear(error);
    if (path == NULL)
        return ldaws_error_set(error, LD_ERR_INVALID, "the file path is NULL");
    file_sink s = {fopen(path, "wb")};
    if (s.f == NULL)
        return ldaws_error_set(error, LD_ERR_IO, "cannot create %s: %s", path, strerror(errno));
    int rc = ld_s3_get_object(client, bucket, key, NULL, write_file, &s, info, error);
    if (rc != LD_OK && ferror(s.f))
        rc = ldaws_error_set(error, LD_ERR_IO, "cannot write %s: %s", path, strerror(errno));
    if (fclose(s.f) != 0 && rc == LD_OK)
        rc = ldaws_error_set(error, LD_ERR_IO, "cannot write %s: %s", path, strerror(errno));
    if (rc != LD_OK)
        unlink(path);
    return rc;
}

typedef struct memory_sink {
    ldaws_buf buf;
    size_t max;
    int too_big;
} memory_sink;

static int write_memory(void *payload, const void *data, size_t length)
{
    memory_sink *s = payload;
    if (s->buf.length + length > s->max) {
        s->too_big = 1;
        return 1;
    }
    return ldaws_buf_append(&s->buf, data, length) == LD_OK ? 0 : 1;
}

int ld_s3_get_object_to_memory(ld_aws_client *client, const char *bucket, const char *key,
                               size_t max_bytes, char **data, size_t *length,
                               ld_aws_error *error)
{
    ldaws_error_clear(error);
    if (data == NULL || length == NULL)
        return ldaws_error_set(error, LD_ERR_INVALID, "data and length are required");
    *data = NULL;
    *length = 0;
    memory_sink s = {{0}, max_bytes, 0};
    ldaws_buf_append(&s.buf, "", 0);
    int rc = ld_s3_get_object(client, bucket, key, NULL, write_memory, &s, NULL, error);
    if (rc != LD_OK && s.too_big)
        rc = ldaws_error_set(error, LD_ERR_LIMIT, "GetObject s3://%s/%s: larger than %zu bytes",
                             bucket, key, max_bytes);
    else if (rc != LD_OK && s.buf.failed)
        rc = ldaws_error_set(error, LD_ERR_NOMEM, "out of memory");
    if (rc != LD_OK) {
        ldaws_buf_free(&s.buf);
        return rc;
    }
    *data = s.buf.data;
    *length = s.buf.length;
    return LD_OK;
}
