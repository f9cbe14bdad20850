/*
 * s3_upload.c - PutObject and multipart uploads in bounded memory: bytes collect in one
 * part-sized buffer; a full part is sent at once; what fits in one part is one
 * PutObject. Any failure aborts the multipart upload, so no parts are left behind.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <pthread.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "aws_internal.h"

#define MAX_LANES 16

/* A full part waiting for (or being sent by) a sender thread. */
typedef struct part_job {
    char *data;
    size_t length;
    size_t number;
    int borrowed; /* the caller's memory (ld_s3_put_object), not one of our buffers */
} part_job;

struct ld_s3_upload {
    ld_aws_client *client;
    char *bucket, *key, *base, *path;
    char content_type[300];
    size_t part_size;
    int concurrency;
    int memory_stable; /* writes' memory stays valid until finish (ld_s3_put_object) */
    char *buffer;      /* the part being filled */
    size_t fill, capacity;
    char *upload_id;   /* set once multipart */
    char (*etags)[128]; /* by part number - 1 */
    size_t parts, etag_capacity;
    /* Sender lanes: threads with their own connections, fed through a queue. */
    int lanes;
    pthread_t threads[MAX_LANES];
    ld_aws_client *lane_clients[MAX_LANES];
    struct lane {
        struct ld_s3_upload *upload;
        ld_aws_client *client;
    } lane_args[MAX_LANES];
    int sync_ready;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    part_job queue[MAX_LANES];
    size_t queued;
    int busy;          /* jobs being sent */
    char *spare[MAX_LANES + 2];
    size_t spare_count;
    int buffers;       /* part buffers allocated (current, spare, queued, being sent) */
    int stop;
    int failed;        /* a part failed (or a write did): finish aborts */
    ld_aws_error failure;
};

static void stop_lanes(ld_s3_upload *u)
{
    if (!u->sync_ready)
        return;
    pthread_mutex_lock(&u->lock);
    u->stop = 1;
    pthread_cond_broadcast(&u->changed);
    pthread_mutex_unlock(&u->lock);
    for (int i = 0; i < u->lanes; i++) {
        pthread_join(u->threads[i], NULL);
        ld_aws_client_free(u->lane_clients[i]);
    }
    u->lanes = 0;
}

static void upload_free(ld_s3_upload *u)
{
    stop_lanes(u);
    if (u->sync_ready) {
        pthread_mutex_destroy(&u->lock);
        pthread_cond_destroy(&u->changed);
    }
    for (size_t i = 0; i < u->spare_count; i++)
        free(u->spare[i]);
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
    if (options->concurrency < 0 || options->concurrency > MAX_LANES) {
        ldaws_error_set(error, LD_ERR_INVALID, "concurrency %d is not between 0 and %d",
                        options->concurrency, MAX_LANES);
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
    /* S3 allows 10,000 parts: 8 MiB parts reach 78 GiB; larger objects need larger parts. */
    u->part_size = options->part_size > LD_S3_MIN_PART_SIZE ? options->part_size
                                                            : LD_S3_MIN_PART_SIZE;
    u->concurrency = options->concurrency == 0 ? 2 : options->concurrency;
    return u;
}

static int send_call(ld_s3_upload *u, ld_aws_client *client, ldaws_call *call,
                     ldaws_result *result, const char *what, ld_aws_error *error)
{
    call->base_url = u->base;
    call->signing_name = "s3";
    call->region = client->region;
    call->path = u->path;
    call->s3 = 1;
    return ldaws_perform(client, call, result, what, error);
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
    int rc = send_call(u, u->client, &call, &result, what, error);
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

/* UploadPart number @p number (@p length bytes at @p data) over @p client. */
static int send_part_with(ld_s3_upload *u, ld_aws_client *client, const char *data,
                          size_t length, size_t number_value, char etag[128],
                          ld_aws_error *error)
{
    char number[16];
    snprintf(number, sizeof number, "%zu", number_value);
    const char *query[] = {"partNumber", number, "uploadId", u->upload_id, NULL};
    char sha[65] = "UNSIGNED-PAYLOAD";
    if (ldaws_signs_upload(client, u->base))
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
    int rc = send_call(u, client, &call, &result, what, error);
    if (rc == LD_OK && *result.etag == '\0')
        rc = ldaws_error_set(error, LD_ERR_IO, "%s: the answer has no ETag", what);
    if (rc == LD_OK)
        snprintf(etag, 128, "%s", result.etag);
    ldaws_result_free(&result);
    return rc;
}

static void *sender(void *payload);

/* Start the sender threads, each with its own client (connection). */
static int start_lanes(ld_s3_upload *u, ld_aws_error *error)
{
    if (u->lanes > 0)
        return LD_OK;
    if (!u->sync_ready) {
        pthread_mutex_init(&u->lock, NULL);
        pthread_cond_init(&u->changed, NULL);
        u->sync_ready = 1;
    }
    for (int i = 0; i < u->concurrency; i++) {
        u->lane_clients[i] = ldaws_client_clone(u->client, error);
        u->lane_args[i].upload = u;
        u->lane_args[i].client = u->lane_clients[i];
        if (u->lane_clients[i] == NULL ||
            pthread_create(&u->threads[i], NULL, sender, &u->lane_args[i]) != 0) {
            ld_aws_client_free(u->lane_clients[i]);
            stop_lanes(u);
            return error != NULL && error->code != 0
                       ? error->code
                       : ldaws_error_set(error, LD_ERR_NOMEM, "cannot start a sender thread");
        }
        u->lanes++;
    }
    return LD_OK;
}

static void *sender(void *payload)
{
    struct lane *lane = payload;
    ld_s3_upload *u = lane->upload;
    ld_aws_client *client = lane->client;
    pthread_mutex_lock(&u->lock);
    for (;;) {
        while (u->queued == 0 && !u->stop)
            pthread_cond_wait(&u->changed, &u->lock);
        if (u->queued == 0)
            break;
        part_job job = u->queue[0];
        memmove(u->queue, u->queue + 1, --u->queued * sizeof u->queue[0]);
        u->busy++;
        int skip = u->failed;
        pthread_cond_broadcast(&u->changed);
        pthread_mutex_unlock(&u->lock);
        char etag[128] = "";
        ld_aws_error failure = {0};
        int rc = skip ? LD_OK
                      : send_part_with(u, client, job.data, job.length, job.number, etag,
                                       &failure);
        pthread_mutex_lock(&u->lock);
        u->busy--;
        if (rc == LD_OK && !skip)
            snprintf(u->etags[job.number - 1], 128, "%s", etag);
        else if (rc != LD_OK && !u->failed) {
            u->failed = 1;
            u->failure = failure;
        }
        if (!job.borrowed)
            u->spare[u->spare_count++] = job.data;
        pthread_cond_broadcast(&u->changed);
    }
    pthread_mutex_unlock(&u->lock);
    return NULL;
}

/* Wait until every queued part is sent. @return LD_OK or the first part's failure. */
static int wait_parts(ld_s3_upload *u, ld_aws_error *error)
{
    if (!u->sync_ready)
        return u->failed ? u->failure.code : LD_OK;
    pthread_mutex_lock(&u->lock);
    while (u->queued > 0 || u->busy > 0)
        pthread_cond_wait(&u->changed, &u->lock);
    int failed = u->failed;
    pthread_mutex_unlock(&u->lock);
    if (failed && error != NULL)
        *error = u->failure;
    return failed ? u->failure.code : LD_OK;
}

/* Room for @p parts ETags (the caller holds the lock when lanes run). */
static int reserve_etags(ld_s3_upload *u, size_t parts, ld_aws_error *error)
{
    if (parts <= u->etag_capacity)
        return LD_OK;
    size_t capacity = u->etag_capacity ? u->etag_capacity * 2 : 64;
    char(*grown)[128] = realloc(u->etags, capacity * sizeof *grown);
    if (grown == NULL)
        return ldaws_error_set(error, LD_ERR_NOMEM, "out of memory");
    u->etags = grown;
    u->etag_capacity = capacity;
    return LD_OK;
}

/*
 * Hand a full part over to the lanes (queued; the caller's buffer is replaced by a free
 * one, so the next part fills while this one is sent). @p data is u->buffer or, when
 * @p borrowed, the caller's memory.
 */
static int submit_part(ld_s3_upload *u, char *data, size_t length, int borrowed,
                       ld_aws_error *error)
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
    int rc = start_lanes(u, error);
    if (rc != LD_OK)
        return rc;
    pthread_mutex_lock(&u->lock);
    while (u->queued >= (size_t)u->lanes && !u->failed)
        pthread_cond_wait(&u->changed, &u->lock);
    if (!u->failed)
        rc = reserve_etags(u, u->parts + 1, error);
    if (u->failed) {
        if (error != NULL)
            *error = u->failure;
        rc = u->failure.code;
    }
    if (rc == LD_OK) {
        part_job job = {data, length, ++u->parts, borrowed};
        u->queue[u->queued++] = job;
        pthread_cond_broadcast(&u->changed);
        if (!borrowed) {
            /* A fresh buffer to fill: a spare one, a new one while under the bound
             * (concurrency + 1), else wait for a sender to give one back. */
            if (u->buffers == 0)
                u->buffers = 1; /* the one just queued */
            while (u->spare_count == 0 && u->buffers > u->lanes && !u->failed)
                pthread_cond_wait(&u->changed, &u->lock);
            if (u->spare_count > 0) {
                u->buffer = u->spare[--u->spare_count];
            } else if ((u->buffer = malloc(u->part_size)) != NULL) {
                u->buffers++;
            } else {
                rc = ldaws_error_set(error, LD_ERR_NOMEM, "out of memory");
            }
            u->capacity = u->buffer != NULL ? u->part_size : 0;
            u->fill = 0;
        }
    }
    pthread_mutex_unlock(&u->lock);
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
    int rc = send_call(u, u->client, &call, &result, what, error);
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
    if (u->sync_ready)
        pthread_mutex_lock(&u->lock);
    if (!u->failed) {
        u->failed = 1;
        if (error != NULL)
            u->failure = *error;
        else
            u->failure.code = rc;
    }
    if (u->sync_ready)
        pthread_mutex_unlock(&u->lock);
    return rc;
}

/* Has a part (or a write) failed? Then @p error gets why. */
static int failed(ld_s3_upload *u, ld_aws_error *error)
{
    if (u->sync_ready)
        pthread_mutex_lock(&u->lock);
    int rc = u->failed ? u->failure.code : LD_OK;
    if (u->failed && error != NULL)
        *error = u->failure;
    if (u->sync_ready)
        pthread_mutex_unlock(&u->lock);
    return rc;
}

int ld_s3_upload_write(ld_s3_upload *u, const void *data, size_t length, ld_aws_error *error)
{
    ldaws_error_clear(error);
    if (u == NULL || (data == NULL && length > 0))
        return ldaws_error_set(error, LD_ERR_INVALID, "ld_s3_upload_write: NULL argument");
    int rc = failed(u, error);
    if (rc != LD_OK)
        return rc;
    const char *bytes = data;
    while (length > 0) {
        if (u->memory_stable && u->fill == 0 && length > u->part_size) {
            /* A whole part straight from the caller's memory, no copy (ld_s3_put_object:
             * the memory outlives the upload). */
            rc = submit_part(u, (char *)bytes, u->part_size, 1, error);
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
            if ((rc = submit_part(u, u->buffer, u->fill, 0, error)) != LD_OK)
                return fail(u, rc, error);
            u->fill = 0;
        }
    }
    return LD_OK;
}

/* The last part, sent here while the lanes finish theirs. */
static int send_last(ld_s3_upload *u, ld_aws_error *error)
{
    if (u->sync_ready)
        pthread_mutex_lock(&u->lock);
    int rc = reserve_etags(u, u->parts + 1, error);
    size_t number = ++u->parts;
    if (u->sync_ready)
        pthread_mutex_unlock(&u->lock);
    char etag[128] = "";
    if (rc == LD_OK)
        rc = send_part_with(u, u->client, u->buffer, u->fill, number, etag, error);
    if (u->sync_ready)
        pthread_mutex_lock(&u->lock);
    if (rc == LD_OK)
        snprintf(u->etags[number - 1], 128, "%s", etag);
    if (u->sync_ready)
        pthread_mutex_unlock(&u->lock);
    return rc;
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
    send_call(u, u->client, &call, &result, "AbortMultipartUpload", &ignored);
    ldaws_result_free(&result);
}

void ld_s3_upload_abort(ld_s3_upload *upload)
{
    if (upload == NULL)
        return;
    wait_parts(upload, NULL);
    stop_lanes(upload);
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
        rc = send_call(u, u->client, &call, &result, what, error);
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
    int rc = failed(u, error);
    if (rc == LD_OK && u->upload_id == NULL) {
        rc = put_single(u, u->buffer, u->fill, error);
    } else if (rc == LD_OK) {
        rc = u->fill > 0 ? send_last(u, error) : LD_OK;
        /* Every part sent (or the first failure), then the lanes stop. */
        int parts_rc = wait_parts(u, rc == LD_OK ? error : NULL);
        if (rc == LD_OK)
            rc = parts_rc;
        stop_lanes(u);
        if (rc == LD_OK)
            rc = complete_multipart(u, error);
    }
    if (rc != LD_OK) {
        wait_parts(u, NULL);
        stop_lanes(u);
        abort_multipart(u);
    }
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
    u->memory_stable = 1;
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
            if ((rc = submit_part(u, u->buffer, u->fill, 0, error)) != LD_OK)
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

/* The default part of a file upload: parts stream from the file, so they cost no memory,
 * and fewer, larger parts mean fewer request turnarounds. */
#define FILE_PART_SIZE ((size_t)64 * 1024 * 1024)

/* UploadPart of @p length bytes at @p offset of @p fd, streamed from the file. */
static int send_file_part(ld_s3_upload *u, int fd, uint64_t offset, size_t length,
                          ld_aws_error *error)
{
    char number[16];
    snprintf(number, sizeof number, "%zu", u->parts + 1);
    char what[600];
    snprintf(what, sizeof what, "UploadPart %s of s3://%s/%s", number, u->bucket, u->key);
    char sha[65] = "UNSIGNED-PAYLOAD";
    if (ldaws_signs_upload(u->client, u->base) &&
        ldaws_sha256_fd_hex(fd, offset, length, sha) != LD_OK)
        return ldaws_error_set(error, LD_ERR_IO, "%s: cannot read the file at byte %llu", what,
                               (unsigned long long)offset);
    int rc = reserve_etags(u, u->parts + 1, error);
    if (rc != LD_OK)
        return rc;
    const char *query[] = {"partNumber", number, "uploadId", u->upload_id, NULL};
    ldaws_call call = {0};
    call.method = "PUT";
    call.query = query;
    call.body_length = length;
    call.body_from_fd = 1;
    call.body_fd = fd;
    call.body_offset = offset;
    call.payload_sha256 = sha;
    ldaws_result result = {0};
    rc = send_call(u, u->client, &call, &result, what, error);
    if (rc == LD_OK && *result.etag == '\0')
        rc = ldaws_error_set(error, LD_ERR_IO, "%s: the answer has no ETag", what);
    if (rc == LD_OK)
        snprintf(u->etags[u->parts++], 128, "%s", result.etag);
    ldaws_result_free(&result);
    return rc;
}

/* A regular file larger than one part: multipart, each part streamed from the file. */
static int put_file_parts(ld_s3_upload *u, int fd, uint64_t size, ld_aws_error *error)
{
    int rc = start_multipart(u, error);
    for (uint64_t offset = 0; rc == LD_OK && offset < size; offset += u->part_size) {
        size_t length = size - offset < u->part_size ? (size_t)(size - offset) : u->part_size;
        rc = send_file_part(u, fd, offset, length, error);
    }
    if (rc == LD_OK)
        rc = complete_multipart(u, error);
    if (rc != LD_OK)
        abort_multipart(u);
    return rc;
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
    ld_s3_put_options sized = LD_S3_PUT_OPTIONS_INIT;
    if (options != NULL)
        sized = *options;
    struct stat st;
    int rc;
    if (fstat(fileno(s.f), &st) == 0 && S_ISREG(st.st_mode)) {
        /* A regular file: parts are read from it as they are sent (64 MiB by default,
         * no part buffers), and S3's 10,000-part limit raises them for huge files. */
        uint64_t size = (uint64_t)st.st_size;
        if (sized.part_size == 0)
            sized.part_size = FILE_PART_SIZE;
        size_t part = sized.part_size > LD_S3_MIN_PART_SIZE ? sized.part_size
                                                            : LD_S3_MIN_PART_SIZE;
        if (size > (uint64_t)part * 10000) {
            uint64_t need = (size + 9999) / 10000;
            sized.part_size = (size_t)((need + (1u << 20) - 1) & ~(uint64_t)((1u << 20) - 1));
        }
        ld_s3_upload *u = ld_s3_upload_new(client, bucket, key, &sized, error);
        if (u == NULL) {
            fclose(s.f);
            return error != NULL ? error->code : LD_ERR_INVALID;
        }
        if (size <= u->part_size) {
            /* One PutObject: the file in memory is at most one part. */
            rc = grow_buffer(u, (size_t)size, error);
            size_t got = rc == LD_OK && size > 0 ? fread(u->buffer, 1, (size_t)size, s.f) : 0;
            if (rc == LD_OK && got != size)
                rc = ldaws_error_set(error, LD_ERR_IO, "cannot read %s: %s", path,
                                     ferror(s.f) ? strerror(errno) : "it got shorter");
            if (rc == LD_OK)
                rc = put_single(u, u->buffer, (size_t)size, error);
        } else {
            rc = put_file_parts(u, fileno(s.f), size, error);
        }
        upload_free(u);
    } else {
        /* A pipe or device: read into part buffers, size unknown. */
        rc = ld_s3_put_object_from_callback(client, bucket, key, read_file, &s, &sized, error);
        if (rc != LD_OK && ferror(s.f))
            rc = ldaws_error_set(error, LD_ERR_IO, "cannot read %s: %s", path, strerror(errno));
    }
    fclose(s.f);
    return rc;
}
