/*
 * s3_source.c - s3:// inputs for the runner (see s3_source.h).
 *
 * libletsdata-runtime does not link libcurl or libletsdata-aws: a run over local files
 * never loads them. The first s3:// input dlopens libletsdata-aws and resolves the few
 * functions used here into a table that never changes afterwards.
 *
 * One GetObject per input, read by a thread into a ring buffer: the network and the
 * parser overlap, and memory stays bounded whatever the object size (the callback
 * blocks while the ring is full, which stops libcurl reading the socket).
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <letsdata/aws_s3.h>
#include <letsdata/runtime.h>

#include "aws_library.h"
#include "s3_source.h"

#define RING_BYTES (2u << 20)

/* The functions of libletsdata-aws this file calls. */
typedef struct aws_api {
    ld_aws_client *(*client_new)(const ld_aws_client_options *, ld_aws_error *);
    void (*client_free)(ld_aws_client *);
    int (*uri_parse)(const char *, char **, char **, ld_aws_error *);
    int (*head_object)(ld_aws_client *, const char *, const char *, ld_s3_object_info *,
                       ld_aws_error *);
    int (*get_object)(ld_aws_client *, const char *, const char *, const ld_s3_get_options *,
                      ld_s3_write_fn, void *, ld_s3_object_info *, ld_aws_error *);
} aws_api;

static pthread_once_t api_once = PTHREAD_ONCE_INIT;
static aws_api api;
static char api_error[900];

static void load_api(void)
{
    void *handle = ldrun_aws_library("reading S3", api_error, sizeof api_error);
    if (handle == NULL)
        return;
    const char *const names[] = {"ld_aws_client_new", "ld_aws_client_free", "ld_s3_uri_parse",
                                 "ld_s3_head_object", "ld_s3_get_object"};
    void *const functions[] = {&api.client_new, &api.client_free, &api.uri_parse,
                               &api.head_object, &api.get_object};
    ldrun_aws_resolve(handle, names, functions, 5, api_error, sizeof api_error);
}

typedef struct s3_source {
    ldrun_source base;
    char *uri;
    char *bucket, *key;
    ld_aws_client *client;
    ld_s3_object_info info;
    pthread_t thread;
    int thread_started;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    char *ring;
    size_t head, fill; /* bytes at [head, head + fill) modulo RING_BYTES */
    int finished, stop;
    int rc;
    ld_aws_error failure;
    uint64_t position;
} s3_source;

/* The GET's callback: copy into the ring, waiting while it is full. */
static int s3_push(void *payload, const void *data, size_t length)
{
    s3_source *s = payload;
    const char *bytes = data;
    pthread_mutex_lock(&s->lock);
    while (length > 0) {
        while (s->fill == RING_BYTES && !s->stop)
            pthread_cond_wait(&s->changed, &s->lock);
        if (s->stop)
            break;
        size_t tail = (s->head + s->fill) % RING_BYTES;
        size_t room = RING_BYTES - s->fill;
        size_t contiguous = RING_BYTES - tail < room ? RING_BYTES - tail : room;
        size_t n = contiguous < length ? contiguous : length;
        memcpy(s->ring + tail, bytes, n);
        s->fill += n;
        bytes += n;
        length -= n;
        pthread_cond_broadcast(&s->changed);
    }
    int stop = s->stop;
    pthread_mutex_unlock(&s->lock);
    return stop;
}

static void *s3_fetch(void *payload)
{
    s3_source *s = payload;
    ld_s3_get_options options = LD_S3_GET_OPTIONS_INIT;
    options.if_match = *s->info.etag != '\0' ? s->info.etag : NULL; /* the HEAD's version */
    ld_aws_error failure = {0};
    int rc = api.get_object(s->client, s->bucket, s->key, &options, s3_push, s, NULL, &failure);
    pthread_mutex_lock(&s->lock);
    s->finished = 1;
    s->rc = rc;
    s->failure = failure;
    pthread_cond_broadcast(&s->changed);
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

static int s3_read(ldrun_source *source, void *buffer, size_t capacity, size_t *got,
                   ld_error *error)
{
    s3_source *s = (s3_source *)source;
    *got = 0;
    pthread_mutex_lock(&s->lock);
    while (s->fill == 0 && !s->finished)
        pthread_cond_wait(&s->changed, &s->lock);
    int rc = LD_OK;
    if (s->fill > 0) {
        size_t contiguous = RING_BYTES - s->head < s->fill ? RING_BYTES - s->head : s->fill;
        size_t n = contiguous < capacity ? contiguous : capacity;
        memcpy(buffer, s->ring + s->head, n);
        s->head = (s->head + n) % RING_BYTES;
        s->fill -= n;
        s->position += n;
        *got = n;
        pthread_cond_broadcast(&s->changed);
    } else if (s->rc != LD_OK) {
        rc = ld_error_set(error, s->rc, "%s: cannot read at byte %llu: %s", s->uri,
                          (unsigned long long)s->position, s->failure.message);
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

static void s3_close(ldrun_source *source)
{
    s3_source *s = (s3_source *)source;
    if (s->thread_started) {
        pthread_mutex_lock(&s->lock);
        s->stop = 1;
        pthread_cond_broadcast(&s->changed);
        pthread_mutex_unlock(&s->lock);
        pthread_join(s->thread, NULL);
    }
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->changed);
    if (s->client != NULL)
        api.client_free(s->client);
    free(s->ring);
    free(s->bucket);
    free(s->key);
    free(s->uri);
    free(s);
}

ldrun_source *ldrun_s3_source_open(const char *path, ld_error *error)
{
    pthread_once(&api_once, load_api);
    if (api.get_object == NULL) {
        ld_error_set(error, LD_ERR_UNSUPPORTED, "%s: %s", path, api_error);
        return NULL;
    }
    s3_source *s = calloc(1, sizeof *s);
    if (s == NULL || (s->uri = strdup(path)) == NULL ||
        (s->ring = malloc(RING_BYTES)) == NULL) {
        if (s != NULL) {
            free(s->uri);
            free(s);
        }
        ld_error_set(error, LD_ERR_NOMEM, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->changed, NULL);
    s->base.read = s3_read;
    s->base.pread = NULL; /* one sequential stream */
    s->base.close = s3_close;
    s->base.size = UINT64_MAX;
    s->base.name = path;
    ld_aws_error failure = {0};
    int rc = api.uri_parse(path, &s->bucket, &s->key, &failure);
    if (rc == LD_OK && *s->key == '\0')
        rc = ld_error_set(error, LD_ERR_INVALID, "%s names a bucket, not an object", path);
    else if (rc == LD_OK && (s->client = api.client_new(NULL, &failure)) == NULL)
        rc = failure.code != 0 ? failure.code : LD_ERR_NOMEM;
    else if (rc == LD_OK)
        rc = api.head_object(s->client, s->bucket, s->key, &s->info, &failure);
    if (rc == LD_OK) {
        s->base.size = s->info.size;
        if (pthread_create(&s->thread, NULL, s3_fetch, s) != 0)
            rc = ld_error_set(error, LD_ERR_NOMEM, "%s: cannot start a thread", path);
        else
            s->thread_started = 1;
    } else if (failure.code != 0) {
        ld_error_set(error, rc, "cannot open %s: %s", path, failure.message);
    }
    if (rc != LD_OK) {
        s3_close(&s->base);
        return NULL;
    }
    return &s->base;
}

/* ---- a source as a stdio stream ---- */

typedef struct stream_cookie {
    ldrun_source *source;
    ld_error *error;
} stream_cookie;

static ssize_t cookie_read(void *payload, char *buffer, size_t size)
{
    stream_cookie *c = payload;
    size_t got = 0;
    if (c->source->read(c->source, buffer, size, &got, c->error) != LD_OK) {
        errno = EIO;
        return -1;
    }
    return (ssize_t)got;
}

static int cookie_close(void *payload)
{
    stream_cookie *c = payload;
    c->source->close(c->source);
    free(c);
    return 0;
}

FILE *ldrun_source_fopen(const char *path, ld_error *error)
{
    if (strncmp(path, "s3://", 5) != 0 && strncmp(path, "s3a://", 6) != 0) {
        FILE *f = fopen(path, "r");
        if (f == NULL)
            ld_error_set(error, LD_ERR_IO, "cannot open %s: %s", path, strerror(errno));
        return f;
    }
    stream_cookie *c = calloc(1, sizeof *c);
    if (c == NULL) {
        ld_error_set(error, LD_ERR_NOMEM, "out of memory");
        return NULL;
    }
    c->error = error;
    if ((c->source = ldrun_source_open(path, error)) == NULL) {
        free(c);
        return NULL;
    }
    cookie_io_functions_t io = {cookie_read, NULL, NULL, cookie_close};
    FILE *f = fopencookie(c, "r", io);
    if (f == NULL) {
        cookie_close(c);
        ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    }
    return f;
}
