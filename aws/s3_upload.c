/*
 * s3_upload.c - PutObject and multipart uploads in bounded memory: bytes collect in one
 * part-sized buffer; a full part is sent at once; what fits in one part is one
 * PutObject. Any failure aborts the multipart upload, so no parts are left behind.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_internal.h"

struct ld_s3_upload {
    ld_aws_client *client;
    char *bucket, *key, *base, *path;
    char content_type[300];
    size_t part_size;
    char *buffer;
    size_t fill, capacity;
    char *upload_id;   /* set once multipart */
    char (*etags)[128];
    size_t parts, etag_capacity;
    int failed;        /* a write failed: finish aborts */
    ld_aws_error failure;
};

static void upload_free(ld_s3_upload *u)
{
    free(u->bucket);
    free(u->key);
    free(u->base);
    free(u->path);
    free(u->buffer);
    free(u->upload_id);
    free(u->etags);
    free(u);
}

ld_s3_upload *ld_s3_upload_new(ld_aws_client *client, const char *bucket, const char *key,
                               const ld_s3_put_options *options, ld_aws_error *error)
{
    ldaws_error_clear(error);
    ld_s3_put_options defaults = LD_S3_PUT_OPTIONS_INIT;
    if (options == NULL)
        options = &defaults;
    if (client == NULL) {
        ldaws_error_set(error, LD_ERR_INVALID, "an upload needs a client");
        return NULL;
    }
    if (options->version != LD_S3_PUT_OPTIONS_VERSION) {
        ldaws_error_set(error, LD_ERR_INVALID, "ld_s3_put_options.version is %d, not %d",
                        options->version, LD_S3_PUT_OPTIONS_VERSION);
        return NULL;
    }
    if (key == NULL || *key == '\0') {
        ldaws_error_set(error, LD_ERR_INVALID, "the key is empty");
        return NULL;
    }
    if (options->content_type != NULL && strpbrk(options->content_type, "\r\n") != NULL) {
        ldaws_error_set(error, LD_ERR_INVALID, "the content type holds a line break");
        return NULL;
    }
    ld_s3_upload *u = calloc(1, sizeof *u);
    if (u == NULL) {
        ldaws_error_set(error, LD_ERR_NOMEM, "out of memory");
        return NULL;
    }
    u->client = client;
    int rc = ldaws_s3_locate(client, bucket, key, &u->base, &u->path, error);
    if (rc != LD_OK) {
        upload_free(u);
        return NULL;
    }
    u->bucket = strdup(bucket);
    u->key = strdup(key);
    if (u->bucket == NULL || u->key == NULL) {
        upload_free(u);
        ldaws_error_set(error, LD_ERR_NOMEM, "out of memory");
        return NULL;
    }
    snprintf(u->content_type, sizeof u->content_type, "Content-Type: %s",
             options->content_type != NULL ? options->content_type : "application/octet-stream");
    u->part_size = options->part_size > LD_S3_MIN_PART_SIZE ? options->part_size
                                                            : LD_S3_MIN_PART_SIZE;
    /* S3 allows 10,000 parts: 8 MiB parts reach 78 GiB; larger objects need larger parts. */
    return u;
}

static int send_call(ld_s3_upload *u, ldaws_call *call, ldaws_result *result, const char *what,
                     ld_aws_error *error)
{
    call->base_url = u->base;
    call->signing_name = "s3";
    call->region = u->client->region;
    call->path = u->path;
    call->s3 = 1;
    return ldaws_perform(u->client, call, result, what, error);
}

typedef struct upload_id_reader {
    char *upload_id;
    int error_seen;
} upload_id_reader;

static int read_upload_id(void *payload, const char *path, const char *text, size_t length)
{
    upload_id_reader *r = payload;
    if (strcmp(path, "InitiateMultipartUploadResult/UploadId") == 0 && r->upload_id == NULL)
        r->upload_id = strndup(text, length);
    return 0;
}

static int start_multipart(ld_s3_upload *u, ld_aws_error *error)
{
    const char *query[] = {"uploads", "", NULL};
    const char *headers[] = {u->content_type, NULL};
    ldaws_call call = {0};
    call.method = "POST";
    call.query = query;
    call.headers = headers;
    ldaws_result result = {0};
    char what[600];
    snprintf(what, sizeof what, "CreateMultipartUpload s3://%s/%s", u->bucket, u->key);
    int rc = send_call(u, &call, &result, what, error);
    upload_id_reader r = {0};
    if (rc == LD_OK)
        rc = ldaws_xml_parse(result.body.data, result.body.length, read_upload_id, &r, error);
    if (rc == LD_OK && (r.upload_id == NULL || *r.upload_id == '\0'))
        rc = ldaws_error_set(error, LD_ERR_IO, "%s: the answer has no UploadId", what);
    if (rc == LD_OK)
        u->upload_id = r.upload_id;
    else
        free(r.upload_id);
    ldaws_result_free(&result);
    return rc;
}

/* UploadPart of @p length bytes at @p data as the next part. */
static int send_part(ld_s3_upload *u, const void *data, size_t length, ld_aws_error *error)
{
    if (u->upload_id == NULL) {
        int rc = start_multipart(u, error);
        if (rc != LD_OK)
            return rc;
    }
    if (u->parts == 10000)
        return ldaws_error_set(error, LD_ERR_LIMIT,
                               "s3://%s/%s: more than 10,000 parts of %zu bytes; use a larger "
                               "part_size",
                               u->bucket, u->key, u->part_size);
    if (u->parts == u->etag_capacity) {
        size_t capacity = u->etag_capacity ? u->etag_capacity * 2 : 64;
        char(*grown)[128] = realloc(u->etags, capacity * sizeof *grown);
        if (grown == NULL)
            return ldaws_error_set(error, LD_ERR_NOMEM, "out of memory");
        u->etags = grown;
        u->etag_capacity = capacity;
    }
    char number[16];
    snprintf(number, sizeof number, "%zu", u->parts + 1);
    const char *query[] = {"partNumber", number, "uploadId", u->upload_id, NULL};
    char sha[65] = "UNSIGNED-PAYLOAD";
    if (ldaws_signs_upload(u->client, u->base))
        ldaws_sha256_hex(data, length, sha);
    ldaws_call call = {0};
    call.method = "PUT";
    call.query = query;
    call.body = data;
    call.body_length = length;
    call.payload_sha256 = sha;
    ldaws_result result = {0};
    char what[600];
    snprintf(what, sizeof what, "UploadPart %s of s3://%s/%s", number, u->bucket, u->key);
    int rc = send_call(u, &call, &result, what, error);
    if (rc == LD_OK && *result.etag == '\0')
        rc = ldaws_error_set(error, LD_ERR_IO, "%s: the answer has no ETag", what);
    if (rc == LD_OK)
        snprintf(u->etags[u->parts++], 128, "%s", result.etag);
    ldaws_result_free(&result);
    return rc;
}

static int put_single(ld_s3_upload *u, const void *data, size_t length, ld_aws_error *error)
{
    const char *headers[] = {u->content_type, NULL};
    char sha[65] = "UNSIGNED-PAYLOAD";
    if (ldaws_signs_upload(u->client, u->base))
        ldaws_sha256_hex(data != NULL ? data : "", length, sha);
    ldaws_call call = {0};
    call.method = "PUT";
    call.headers = headers;
    call.body = data != NULL ? data : "";
    call.body_length = length;
    call.payload_sha256 = sha;
    ldaws_result result = {0};
    char what[600];
    snprintf(what, sizeof what, "PutObject s3://%s/%s", u->bucket, u->key);
    int rc = send_call(u, &call, &result, what, error);
    ldaws_result_free(&result);
    return rc;
}

static int grow_buffer(ld_s3_upload *u, size_t need, ld_aws_error *error)
{
    if (need <= u->capacity)
        return LD_OK;
    size_t capacity = u->capacity ? u->capacity : 64 * 1024;
    while (capacity < need)
        capacity *= 2;
    if (capacity > u->part_size)
        capacity = u->part_size;
    char *grown = realloc(u->buffer, capacity);
    if (grown == NULL)
        return ldaws_error_set(error, LD_ERR_NOMEM, "out of memory");
    u->buffer = grown;
    u->capacity = capacity;
    return LD_OK;
}

static int fail(ld_s3_upload *u, int rc, ld_aws_error *error)
{
    u->failed = 1;
    if (error != NULL)
        u->failure = *error;
    else
        u->failure.code = rc;
    return rc;
}

int ld_s3_upload_write(ld_s3_upload *u, const void *data, size_t length, ld_aws_error *error)
{
    ldaws_error_clear(error);
    if (u == NULL || (data == NULL && length > 0))
        return ldaws_error_set(error, LD_ERR_INVALID, "ld_s3_upload_write: NULL argument");
    if (u->failed) {
        if (error != NULL)
            *error = u->failure;
        return u->failure.code;
    }
    const char *bytes = data;
    while (length > 0) {
        int rc;
        if (u->fill == 0 && length > u->part_size) {
            /* A whole part straight from the caller's memory, no copy. */
            rc = send_part(u, bytes, u->part_size, error);
            if (rc != LD_OK)
                return fail(u, rc, error);
            bytes += u->part_size;
            length -= u->part_size;
            continue;
        }
        size_t n = u->part_size - u->fill < length ? u->part_size - u->fill : length;
        if ((rc = grow_buffer(u, u->fill + n, error)) != LD_OK)
            return fail(u, rc, error);
        memcpy(u->buffer + u->fill, bytes, n);
        u->fill += n;
        bytes += n;
        length -= n;
        /* A full part waits for more bytes: if none come, it is the single PutObject. */
        if (u->fill == u->part_size && length > 0) {
            if ((rc = send_part(u, u->buffer, u->fill, error)) != LD_OK)
                return fail(u, rc, error);
            u->fill = 0;
        }
    }
    return LD_OK;
}

static void abort_multipart(ld_s3_upload *u)
{
    if (u->upload_id == NULL)
        return;
    const char *query[] = {"uploadId", u->upload_id, NULL};
    ldaws_call call = {0};
    call.method = "DELETE";
    call.query = query;
    ldaws_result result = {0};
    ld_aws_error ignored;
    send_call(u, &call, &result, "AbortMultipartUpload", &ignored);
    ldaws_result_free(&result);
}

void ld_s3_upload_abort(ld_s3_upload *upload)
{
    if (upload == NULL)
        return;
    abort_multipart(upload);
    upload_free(upload);
}

/* CompleteMultipartUpload may answer 200 with an <Error> body (S3 does): read it. */
typedef struct complete_reader {
    char code[LD_AWS_CODE_MAX];
    char message[256];
    int is_error;
} complete_reader;

static int read_complete(void *payload, const char *path, const char *text, size_t length)
{
    complete_reader *r = payload;
    if (strcmp(path, "Error/Code") == 0) {
        r->is_error = 1;
        snprintf(r->code, sizeof r->code, "%.*s", (int)length, text);
    } else if (strcmp(path, "Error/Message") == 0) {
        snprintf(r->message, sizeof r->message, "%.*s", (int)length, text);
    }
    return 0;
}

static int complete_multipart(ld_s3_upload *u, ld_aws_error *error)
{
    ldaws_buf xml = {0};
    ldaws_buf_appendf(&xml, "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/"
                            "2006-03-01/\">");
    for (size_t i = 0; i < u->parts; i++) {
        ldaws_buf_appendf(&xml, "<Part><PartNumber>%zu</PartNumber><ETag>", i + 1);
        ldaws_buf_append_xml(&xml, u->etags[i]);
        ldaws_buf_appendf(&xml, "</ETag></Part>");
    }
    ldaws_buf_appendf(&xml, "</CompleteMultipartUpload>");
    if (xml.failed) {
        ldaws_buf_free(&xml);
        return ldaws_error_set(error, LD_ERR_NOMEM, "out of memory");
    }
    const char *query[] = {"uploadId", u->upload_id, NULL};
    const char *headers[] = {"Content-Type: application/xml", NULL};
    ldaws_call call = {0};
    call.method = "POST";
    call.query = query;
    call.headers = headers;
    call.body = xml.data;
    call.body_length = xml.length;
    char what[600];
    snprintf(what, sizeof what, "CompleteMultipartUpload s3://%s/%s", u->bucket, u->key);
    int rc = LD_OK;
    for (int attempt = 1;; attempt++) {
        ldaws_result result = {0};
        rc = send_call(u, &call, &result, what, error);
        complete_reader r = {{0}, {0}, 0};
        if (rc == LD_OK)
            ldaws_xml_parse(result.body.data, result.body.length, read_complete, &r, NULL);
        ldaws_result_free(&result);
        if (rc != LD_OK || !r.is_error)
            break;
        rc = ldaws_error_set(error, LD_ERR_IO, "%s: %s: %s", what, r.code, r.message);
        if (error != NULL)
            snprintf(error->aws_code, sizeof error->aws_code, "%s", r.code);
        if (attempt >= u->client->max_attempts || strcmp(r.code, "InternalError") != 0)
            break;
        ldaws_backoff(u->client, attempt + 1);
    }
    ldaws_buf_free(&xml);
    return rc;
}

int ld_s3_upload_finish(ld_s3_upload *u, ld_aws_error *error)
{
    ldaws_error_clear(error);
    if (u == NULL)
        return ldaws_error_set(error, LD_ERR_INVALID, "ld_s3_upload_finish: NULL upload");
    int rc;
    if (u->failed) {
        if (error != NULL)
            *error = u->failure;
        rc = u->failure.code;
    } else if (u->upload_id == NULL) {
        rc = put_single(u, u->buffer, u->fill, error);
    } else {
        rc = u->fill > 0 ? send_part(u, u->buffer, u->fill, error) : LD_OK;
        if (rc == LD_OK)
            rc = complete_multipart(u, error);
    }
    if (rc != LD_OK)
        abort_multipart(u);
    upload_free(u);
    return rc;
}

int ld_s3_put_object(ld_aws_client *client, const char *bucket, const char *key,
                     const void *data, size_t length, const ld_s3_put_options *options,
                     ld_aws_error *error)
{
    if (data == NULL && length > 0)
        return ldaws_error_set(error, LD_ERR_INVALID, "PutObject: data is NULL");
    ld_s3_upload *u = ld_s3_upload_new(client, bucket, key, options, error);
    if (u == NULL)
        return error != NULL ? error->code : LD_ERR_INVALID;
    if (length <= u->part_size) {
        /* One PutObject straight from the caller's memory. */
        int rc = put_single(u, data, length, error);
        upload_free(u);
        return rc;
    }
    int rc = ld_s3_upload_write(u, data, length, error);
    if (rc != LD_OK) {
        ld_s3_upload_abort(u);
        return rc;
    }
    return ld_s3_upload_finish(u, error);
}

int ld_s3_put_object_from_callback(ld_aws_client *client, const char *bucket, const char *key,
                                   ld_s3_read_fn read, void *payload,
                                   const ld_s3_put_options *options, ld_aws_error *error)
{
    if (read == NULL)
        return ldaws_error_set(error, LD_ERR_INVALID, "PutObject: the read callback is NULL");
    ld_s3_upload *u = ld_s3_upload_new(client, bucket, key, options, error);
    if (u == NULL)
        return error != NULL ? error->code : LD_ERR_INVALID;
    /* Read straight into the part buffer: one copy, one part of memory. */
    int rc = grow_buffer(u, u->part_size, error);
    while (rc == LD_OK) {
        if (u->fill == u->part_size) {
            /* Full: send it only once more bytes prove it is not the last. */
            char probe;
            long got = read(payload, &probe, 1);
            if (got < 0) {
                rc = ldaws_error_set(error, LD_ERR_IO, "PutObject s3://%s/%s: the read "
                                     "callback failed",
                                     bucket, key);
                break;
            }
            if (got == 0)
                break;
            if ((rc = send_part(u, u->buffer, u->fill, error)) != LD_OK)
                break;
            u->buffer[0] = probe;
            u->fill = 1;
        }
        long got = read(payload, u->buffer + u->fill, u->part_size - u->fill);
        if (got < 0 || (size_t)got > u->part_size - u->fill) {
            rc = ldaws_error_set(error, LD_ERR_IO, "PutObject s3://%s/%s: the read callback "
                                 "failed after %zu parts",
                                 bucket, key, u->parts);
            break;
        }
        if (got == 0)
            break;
        u->fill += (size_t)got;
    }
    if (rc != LD_OK) {
        ld_s3_upload_abort(u);
        return rc;
    }
    return ld_s3_upload_finish(u, error);
}

typedef struct file_source {
    FILE *f;
} file_source;

static long read_file(void *payload, void *buffer, size_t capacity)
{
    file_source *s = payload;
    size_t n = fread(buffer, 1, capacity, s->f);
    if (n == 0 && ferror(s->f))
        return -1;
    return (long)n;
}

int ld_s3_put_object_from_file(ld_aws_client *client, const char *bucket, const char *key,
                               const char *path, const ld_s3_put_options *options,
                               ld_aws_error *error)
{
    ldaws_error_clear(error);
    if (path == NULL)
        return ldaws_error_set(error, LD_ERR_INVALID, "the file path is NULL");
    file_source s = {fopen(path, "rb")};
    if (s.f == NULL)
        return ldaws_error_set(error, LD_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    int rc = ld_s3_put_object_from_callback(client, bucket, key, read_file, &s, options, error);
    if (rc != LD_OK && ferror(s.f))
        rc = ldaws_error_set(error, LD_ERR_IO, "cannot read %s: %s", path, strerror(errno));
    fclose(s.f);
    return rc;
}
