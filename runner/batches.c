/*
 * batches.c - records of one file parsed on several threads (batches.h).
 *
 * The thread that splits the file copies records into batches of about BATCH_BYTES;
 * helper threads (and the splitting thread, when it would otherwise wait) parse whole
 * batches, each into its own in-memory result files; the splitting thread appends
 * finished batches to the task's files strictly in order. So the results and counts
 * are those of a sequential run, and at most `threads + 2` batches are held at once.
 *
 * A handler failure that stops the task (no --continue-on-error) stops it at that
 * record: the batches after it are dropped, as a failed task keeps nothing anyway.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batches.h"

#define BATCH_BYTES (1u << 20)
#define BATCH_RECORDS 4096
#define MAX_HELPERS 7

typedef struct entry {
    uint64_t offset, end; /* end: for record errors */
    size_t at, length;    /* the record's bytes in the batch's data */
    char *message;        /* NULL: a record to parse; else a record error */
} entry;

typedef enum { FREE, FILLING, READY, PARSING, PARSED } batch_state;

typedef struct batch {
    batch_state state;
    char *data;
    size_t length, capacity;
    entry *entries;
    size_t count, entry_capacity;
    /* The results, in memory kept from batch to batch (no page faults per batch). */
    ldrt_buf text[3];
    ldrt_buf line;
    ldrun_counts counts;
    int rc;
    ld_error error;
} batch;

struct ldrun_batches {
    const ldrun_file_job *job;
    ldrun_output *out;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    pthread_t helpers[MAX_HELPERS];
    unsigned helper_count;
    batch *ring;
    unsigned ring_size;
    uint64_t next_fill;  /* the batch being filled */
    uint64_t next_parse; /* the next batch to parse */
    uint64_t next_write; /* the next batch to write */
    int stop;
    int failed;          /* a batch was written with an error: take no more records */
    ld_error failure;
    int failure_rc;
};

static batch *at_index(ldrun_batches *b, uint64_t index)
{
    return &b->ring[index % b->ring_size];
}

/* A FILE that appends to an ldrt_buf, unbuffered: ldrun_route() writes whole lines. */
static ssize_t append_to_buf(void *cookie, const char *data, size_t length)
{
    ldrt_buf *buf = cookie;
    ldrt_buf_append(buf, data, length);
    if (buf->oom) {
        errno = ENOMEM;
        return -1;
    }
    return (ssize_t)length;
}

static FILE *buf_file(ldrt_buf *buf)
{
    static const cookie_io_functions_t io = {NULL, append_to_buf, NULL, NULL};
    buf->length = 0;
    FILE *f = fopencookie(buf, "w", io);
    if (f != NULL)
        setvbuf(f, NULL, _IONBF, 0);
    return f;
}

/* Parse every entry of @p t with @p ctx into in-memory files. */
static void parse_batch(ldrun_batches *b, batch *t, ld_context *ctx)
{
    ldrun_file_job job = *b->job;
    job.ctx = ctx;
    ldrun_output out;
    memset(&out, 0, sizeof out);
    out.continue_on_error = b->out->continue_on_error;
    memcpy(out.paths, b->out->paths, sizeof out.paths);
    out.line = t->line; /* its capacity, kept from batch to batch */
    FILE **files[3] = {&out.documents, &out.errors, &out.skipped};
    t->rc = LD_OK;
    for (int f = 0; f < 3; f++)
        if ((*files[f] = buf_file(&t->text[f])) == NULL)
            t->rc = ld_error_set(&t->error, LD_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < t->count && t->rc == LD_OK; i++) {
        const entry *e = &t->entries[i];
        if (e->message != NULL) {
            t->rc = ldrun_record_error(&out, &job, e->offset, e->end, e->message, &t->error);
            continue;
        }
        char where[4200];
        snprintf(where, sizeof where, "%s, record at byte %llu", job.file_name,
                 (unsigned long long)e->offset);
        t->rc = ldrun_parse_record(&job, (int64_t)e->offset, t->data, e->at, e->at + e->length,
                                   where, &out, &t->error);
    }
    for (int f = 0; f < 3; f++)
        if (*files[f] != NULL && (fclose(*files[f]) != 0 || t->text[f].oom) && t->rc == LD_OK)
            t->rc = ld_error_set(&t->error, LD_ERR_NOMEM, "out of memory");
    t->line = out.line;
    t->counts = out.counts;
}

/* With the lock held: parse the next ready batch (unlocked meanwhile). */
static void parse_next(ldrun_batches *b, ld_context *ctx)
{
    batch *t = at_index(b, b->next_parse++);
    t->state = PARSING;
    pthread_mutex_unlock(&b->lock);
    parse_batch(b, t, ctx);
    pthread_mutex_lock(&b->lock);
    t->state = PARSED;
    pthread_cond_broadcast(&b->changed);
}

static int parsable(const ldrun_batches *b)
{
    return b->next_parse < b->next_fill && at_index((ldrun_batches *)b, b->next_parse)->state == READY;
}

static void *helper_main(void *arg)
{
    ldrun_batches *b = arg;
    const ld_context *task = b->job->ctx; /* the handler sees the task's context's values */
    ld_context *ctx = ld_context_new(ld_context_request_id(task), ld_context_tenant_id(task),
                                     ld_context_user_id(task), ld_context_dataset_name(task),
                                     ld_context_dataset_id(task));
    pthread_mutex_lock(&b->lock);
    while (!b->stop) {
        if (ctx != NULL && parsable(b))
            parse_next(b, ctx);
        else
            pthread_cond_wait(&b->changed, &b->lock);
    }
    pthread_mutex_unlock(&b->lock);
    ld_context_free(ctx);
    return NULL;
}

static void release(batch *t)
{
    for (size_t i = 0; i < t->count; i++)
        free(t->entries[i].message);
    t->count = 0;
    t->length = 0;
    for (int f = 0; f < 3; f++)
        t->text[f].length = 0;
    t->state = FREE;
}

/* With the lock held: append the oldest parsed batch to the task's files. */
static void write_next(ldrun_batches *b)
{
    batch *t = at_index(b, b->next_write);
    if (!b->failed) {
        FILE *files[3] = {b->out->documents, b->out->errors, b->out->skipped};
        int rc = t->rc;
        b->failure = t->error;
        for (int f = 0; f < 3; f++)
            if (t->text[f].length > 0 &&
                fwrite(t->text[f].data, 1, t->text[f].length, files[f]) != t->text[f].length &&
                rc == LD_OK)
                rc = ld_error_set(&b->failure, LD_ERR_IO, "cannot write %s: %s",
                                  b->out->paths[f], strerror(errno));
        ldrun_counts *c = &b->out->counts;
        c->records += t->counts.records;
        c->success += t->counts.success;
        c->error += t->counts.error;
        c->skip += t->counts.skip;
        c->handler_failures += t->counts.handler_failures;
        if (rc != LD_OK) {
            b->failed = 1;
            b->failure_rc = rc;
        }
    }
    release(t);
    b->next_write++;
    pthread_cond_broadcast(&b->changed);
}

/* With the lock held: hand the filled batch over, then make room for the next one. */
static void submit(ldrun_batches *b)
{
    batch *t = at_index(b, b->next_fill);
    if (t->state != FILLING || t->count == 0)
        return;
    t->state = READY;
    b->next_fill++;
    pthread_cond_broadcast(&b->changed);
    for (;;) {
        while (b->next_write < b->next_fill && at_index(b, b->next_write)->state == PARSED)
            write_next(b);
        if (at_index(b, b->next_fill)->state == FREE)
            return;
        if (parsable(b))
            parse_next(b, b->job->ctx); /* help rather than wait */
        else
            pthread_cond_wait(&b->changed, &b->lock);
    }
}

/* The batch being filled, with room for @p length more bytes (NULL: out of memory). */
static batch *filling(ldrun_batches *b, size_t length)
{
    batch *t = at_index(b, b->next_fill);
    if (t->state == FILLING &&
        (t->length + length > BATCH_BYTES || t->count == BATCH_RECORDS) && t->count > 0) {
        pthread_mutex_lock(&b->lock);
        submit(b);
        pthread_mutex_unlock(&b->lock);
        t = at_index(b, b->next_fill);
    }
    t->state = FILLING;
    if (t->capacity - t->length < length) {
        size_t capacity = t->length + length > BATCH_BYTES ? t->length + length : BATCH_BYTES;
        char *grown = realloc(t->data, capacity);
        if (grown == NULL)
            return NULL;
        t->data = grown;
        t->capacity = capacity;
    }
    if (t->count == t->entry_capacity) {
        size_t n = t->entry_capacity ? t->entry_capacity * 2 : 256;
        entry *grown = realloc(t->entries, n * sizeof *grown);
        if (grown == NULL)
            return NULL;
        t->entries = grown;
        t->entry_capacity = n;
    }
    return t;
}

static int failed(ldrun_batches *b, ld_error *error)
{
    pthread_mutex_lock(&b->lock);
    int rc = b->failed ? b->failure_rc : LD_OK;
    if (rc != LD_OK)
        *error = b->failure;
    pthread_mutex_unlock(&b->lock);
    return rc;
}

int ldrun_batches_record(ldrun_batches *b, uint64_t offset, const char *data, size_t length,
                         ld_error *error)
{
    int rc = failed(b, error);
    if (rc != LD_OK)
        return rc;
    batch *t = filling(b, length);
    if (t == NULL)
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    memcpy(t->data + t->length, data, length);
    t->entries[t->count++] = (entry){offset, 0, t->length, length, NULL};
    t->length += length;
    return LD_OK;
}

int ldrun_batches_record_error(ldrun_batches *b, uint64_t start, uint64_t end,
                               const char *message, ld_error *error)
{
    int rc = failed(b, error);
    if (rc != LD_OK)
        return rc;
    batch *t = filling(b, 0);
    char *copy = t != NULL ? strdup(message) : NULL;
    if (copy == NULL)
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    t->entries[t->count++] = (entry){start, end, t->length, 0, copy};
    return LD_OK;
}

ldrun_batches *ldrun_batches_new(const ldrun_file_job *job, ldrun_output *out,
                                 unsigned threads)
{
    ldrun_batches *b = calloc(1, sizeof *b);
    unsigned helpers = threads - 1 > MAX_HELPERS ? MAX_HELPERS : threads - 1;
    if (b == NULL || helpers == 0 ||
        (b->ring = calloc(helpers + 3, sizeof *b->ring)) == NULL) {
        free(b);
        return NULL;
    }
    b->job = job;
    b->out = out;
    b->ring_size = helpers + 3;
    pthread_mutex_init(&b->lock, NULL);
    pthread_cond_init(&b->changed, NULL);
    for (unsigned i = 0; i < helpers; i++) {
        if (pthread_create(&b->helpers[i], NULL, helper_main, b) != 0)
            break; /* fewer helpers: the splitting thread parses the rest */
        b->helper_count++;
    }
    return b;
}

int ldrun_batches_finish(ldrun_batches *b, int rc, ld_error *error)
{
    pthread_mutex_lock(&b->lock);
    if (rc == LD_OK) {
        submit(b);
        /* Parse and write what is left. */
        while (b->next_write < b->next_fill) {
            if (at_index(b, b->next_write)->state == PARSED)
                write_next(b);
            else if (parsable(b))
                parse_next(b, b->job->ctx);
            else
                pthread_cond_wait(&b->changed, &b->lock);
        }
        if (b->failed) {
            rc = b->failure_rc;
            *error = b->failure;
        }
    }
    b->stop = 1;
    pthread_cond_broadcast(&b->changed);
    pthread_mutex_unlock(&b->lock);
    for (unsigned i = 0; i < b->helper_count; i++)
        pthread_join(b->helpers[i], NULL);
    for (unsigned i = 0; i < b->ring_size; i++) {
        release(&b->ring[i]);
        free(b->ring[i].data);
        free(b->ring[i].entries);
        for (int f = 0; f < 3; f++)
            ldrt_buf_free(&b->ring[i].text[f]);
        ldrt_buf_free(&b->ring[i].line);
    }
    free(b->ring);
    pthread_mutex_destroy(&b->lock);
    pthread_cond_destroy(&b->changed);
    free(b);
    return rc;
}
