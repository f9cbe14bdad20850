/*
 * vectors.c - the vectorizer (see vectorize.h): the spec, a pool of `jobs` threads that
 * send batches to the backend, retries with backoff, and the shape check every vector
 * passes before a document is built from it.
 *
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vectorize.h"

#define BACKOFF_CAP_MS 20000

typedef struct work {
    size_t pending; /* jobs not finished yet */
} work;

typedef struct job {
    const char *const *texts;
    size_t count;
    ldvec_item *items;
    ldvec_stats stats;
    work *work;
    struct job *next;
} job;

struct ldvec_vectorizer {
    char *spec;
    ldvec_options options;
    const ldvec_backend *backend;
    void *state;
    pthread_mutex_t lock;
    pthread_cond_t wake;   /* a job was queued, or stopping */
    pthread_cond_t done;   /* a job finished */
    job *head, *tail;
    int stopping;
    pthread_t threads[256];
    unsigned started;
    int no_batches; /* the endpoint refused a list of inputs: one text per request */
    size_t dim;     /* the vectors' length: options.dim, or the first good vector's */
};

void ldvec_item_clear(ldvec_item *item)
{
    free(item->values);
    free(item->error);
    item->values = NULL;
    item->error = NULL;
    item->length = 0;
}

static char *format_error(const char *format, ...) __attribute__((format(printf, 1, 2)));

static char *format_error(const char *format, ...)
{
    char buffer[900];
    va_list ap;
    va_start(ap, format);
    vsnprintf(buffer, sizeof buffer, format, ap);
    va_end(ap);
    return strdup(buffer);
}

ldvec_vectorizer *ldvec_vectorizer_new(const char *spec, const ldvec_options *options,
                                       ld_error *error)
{
    ldvec_vectorizer *v = calloc(1, sizeof *v);
    if (v == NULL || (v->spec = strdup(spec)) == NULL) {
        free(v);
        ld_error_set(error, LD_ERR_NOMEM, "out of memory");
        return NULL;
    }
    v->options = *options;
    v->dim = options->dim;
    int rc;
    if (strncmp(spec, "hash:", 5) == 0)
        rc = ldvec_hash_new(spec + 5, &v->backend, &v->state, error);
    else if (strncmp(spec, "http://", 7) == 0 || strncmp(spec, "https://", 8) == 0)
        rc = ldvec_http_new(spec, &v->backend, &v->state, error);
    else if (strncmp(spec, "sagemaker:", 10) == 0)
        rc = ldvec_sagemaker_new(spec + 10, &v->backend, &v->state, error);
    else
        rc = ld_error_set(error, LD_ERR_INVALID,
                          "unknown --vectorizer '%s': use hash:DIM, http://HOST:PORT/PATH or "
                          "sagemaker:ENDPOINT_NAME",
                          spec);
    if (rc != LD_OK) {
        free(v->spec);
        free(v);
        return NULL;
    }
    pthread_mutex_init(&v->lock, NULL);
    pthread_cond_init(&v->wake, NULL);
    pthread_cond_init(&v->done, NULL);
    return v;
}

void ldvec_vectorizer_free(ldvec_vectorizer *v)
{
    if (v == NULL)
        return;
    pthread_mutex_lock(&v->lock);
    v->stopping = 1;
    pthread_cond_broadcast(&v->wake);
    pthread_mutex_unlock(&v->lock);
    for (unsigned t = 0; t < v->started; t++)
        pthread_join(v->threads[t], NULL);
    v->backend->free(v->state);
    pthread_mutex_destroy(&v->lock);
    pthread_cond_destroy(&v->wake);
    pthread_cond_destroy(&v->done);
    free(v->spec);
    free(v);
}

size_t ldvec_vectorizer_window(const ldvec_vectorizer *v)
{
    if (v->backend->inline_calls)
        return 256;
    return (size_t)v->options.batch * v->options.jobs * 2;
}

const char *ldvec_vectorizer_spec(const ldvec_vectorizer *v)
{
    return v->spec;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

/* Full jitter, as the AWS SDKs: a random delay up to base * 2^(attempt-1), capped. */
static long backoff_ms(const ldvec_options *o, unsigned attempt, unsigned *seed)
{
    long bound = o->backoff_ms;
    for (unsigned i = 1; i < attempt && bound < BACKOFF_CAP_MS; i++)
        bound *= 2;
    if (bound > BACKOFF_CAP_MS)
        bound = BACKOFF_CAP_MS;
    return bound > 0 ? (long)(rand_r(seed) % (unsigned)(bound + 1)) : 0;
}

/* Every vector finite and of the run's length (the first good vector sets it). */
static void check_shape(ldvec_vectorizer *v, ldvec_item *item)
{
    if (item->values == NULL) {
        if (item->error == NULL)
            item->error = format_error("the endpoint answered no vector");
        return;
    }
    const char *problem = NULL;
    char detail[200];
    if (item->length == 0)
        problem = "the endpoint answered an empty vector";
    for (size_t i = 0; problem == NULL && i < item->length; i++)
        if (!isfinite(item->values[i])) {
            snprintf(detail, sizeof detail, "the endpoint's vector has a non-finite number at %zu",
                     i);
            problem = detail;
        }
    if (problem == NULL) {
        pthread_mutex_lock(&v->lock);
        if (v->dim == 0)
            v->dim = item->length;
        size_t dim = v->dim;
        pthread_mutex_unlock(&v->lock);
        if (item->length != dim) {
            snprintf(detail, sizeof detail,
                     "the endpoint answered a vector of %zu numbers where the run's vectors "
                     "have %zu",
                     item->length, dim);
            problem = detail;
        }
    }
    if (problem != NULL) {
        free(item->values);
        item->values = NULL;
        item->length = 0;
        item->error = strdup(problem);
    }
}

/* One batch, retried; a batch the endpoint refuses is sent again one text at a time. */
static void request_with_retries(ldvec_vectorizer *v, void *thread, const char *const *texts,
                                 size_t count, ldvec_item *items, ldvec_stats *stats,
                                 unsigned *seed)
{
    ldvec_failure failure;
    for (unsigned attempt = 1;; attempt++) {
        memset(&failure, 0, sizeof failure);
        stats->requests++;
        if (v->backend->request(v->state, thread, texts, count, v->options.timeout_ms, items,
                                &failure) == 0) {
            for (size_t i = 0; i < count; i++)
                check_shape(v, &items[i]);
            return;
        }
        for (size_t i = 0; i < count; i++)
            ldvec_item_clear(&items[i]);
        /* A batch that failed for good may hold one text the endpoint cannot take (too
         * long, poison): ask for each text alone, so only that one is lost. */
        if (count > 1 && (failure.batch_refused || !failure.retryable ||
                          attempt >= v->options.attempts)) {
            int all_good = 1;
            for (size_t i = 0; i < count; i++) {
                request_with_retries(v, thread, texts + i, 1, items + i, stats, seed);
                all_good &= items[i].values != NULL;
            }
            /* Refused as a list, taken one by one: the endpoint does not batch. */
            if (failure.batch_refused && all_good) {
                pthread_mutex_lock(&v->lock);
                v->no_batches = 1;
                pthread_mutex_unlock(&v->lock);
            }
            return;
        }
        if (!failure.retryable || attempt >= v->options.attempts) {
            for (size_t i = 0; i < count; i++)
                items[i].error =
                    attempt > 1 ? format_error("%s (after %u attempts)", failure.message, attempt)
                                : strdup(failure.message);
            return;
        }
        stats->retries++;
        long delay = backoff_ms(&v->options, attempt, seed);
        if (failure.retry_after_ms > delay) /* the endpoint knows best, within the cap */
            delay = failure.retry_after_ms < BACKOFF_CAP_MS ? failure.retry_after_ms
                                                            : BACKOFF_CAP_MS;
        sleep_ms(delay);
    }
}

static void *worker(void *arg)
{
    ldvec_vectorizer *v = arg;
    unsigned seed = (unsigned)time(NULL) ^ (unsigned)(uintptr_t)&seed;
    ld_error error = {0};
    void *thread = v->backend->thread_new(v->state, &error);
    pthread_mutex_lock(&v->lock);
    for (;;) {
        while (v->head == NULL && !v->stopping)
            pthread_cond_wait(&v->wake, &v->lock);
        if (v->head == NULL)
            break;
        job *j = v->head;
        v->head = j->next;
        if (v->head == NULL)
            v->tail = NULL;
        pthread_mutex_unlock(&v->lock);
        if (thread == NULL)
            for (size_t i = 0; i < j->count; i++)
                j->items[i].error = strdup(error.message);
        else
            request_with_retries(v, thread, j->texts, j->count, j->items, &j->stats, &seed);
        pthread_mutex_lock(&v->lock);
        j->work->pending--;
        pthread_cond_broadcast(&v->done);
    }
    pthread_mutex_unlock(&v->lock);
    if (thread != NULL)
        v->backend->thread_free(v->state, thread);
    return NULL;
}

int ldvec_vectorize(ldvec_vectorizer *v, const char *const *texts, size_t count,
                    ldvec_item *items, ldvec_stats *stats)
{
    memset(items, 0, count * sizeof *items);
    if (count == 0)
        return LD_OK;
    pthread_mutex_lock(&v->lock);
    size_t batch = v->no_batches ? 1 : v->options.batch;
    pthread_mutex_unlock(&v->lock);
    if (batch == 0)
        batch = 1;
    if (v->backend->inline_calls) {
        unsigned seed = 1;
        for (size_t at = 0; at < count; at += batch)
            request_with_retries(v, NULL, texts + at, count - at < batch ? count - at : batch,
                                 items + at, stats, &seed);
        return LD_OK;
    }
    size_t job_count = (count + batch - 1) / batch;
    job *jobs = calloc(job_count, sizeof *jobs);
    if (jobs == NULL)
        return LD_ERR_NOMEM;
    work w = {job_count};
    pthread_mutex_lock(&v->lock);
    while (v->started < v->options.jobs && v->started < 256 &&
           pthread_create(&v->threads[v->started], NULL, worker, v) == 0)
        v->started++;
    if (v->started == 0) {
        pthread_mutex_unlock(&v->lock);
        free(jobs);
        return LD_ERR_NOMEM;
    }
    for (size_t k = 0; k < job_count; k++) {
        size_t at = k * batch;
        jobs[k].texts = texts + at;
        jobs[k].count = count - at < batch ? count - at : batch;
        jobs[k].items = items + at;
        jobs[k].work = &w;
        if (v->tail)
            v->tail->next = &jobs[k];
        else
            v->head = &jobs[k];
        v->tail = &jobs[k];
    }
    pthread_cond_broadcast(&v->wake);
    while (w.pending > 0)
        pthread_cond_wait(&v->done, &v->lock);
    pthread_mutex_unlock(&v->lock);
    for (size_t k = 0; k < job_count; k++) {
        stats->requests += jobs[k].stats.requests;
        stats->retries += jobs[k].stats.retries;
    }
    free(jobs);
    return LD_OK;
}

json_t *ldvec_counts_json(const ldrun_vector_counts *c)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "documents",
                     (json_int_t)c->documents, "extractFailures",
                     (json_int_t)c->extract_failures, "texts", (json_int_t)c->texts,
                     "requests", (json_int_t)c->requests, "retries", (json_int_t)c->retries,
                     "vectorizeErrors", (json_int_t)c->vectorize_errors, "constructFailures",
                     (json_int_t)c->construct_failures, "vectorDocuments",
                     (json_int_t)c->constructed);
}

void ldvec_counts_from_json(const json_t *json, ldrun_vector_counts *c)
{
#define GET(field, name) c->field = (uint64_t)json_integer_value(json_object_get(json, name))
    GET(documents, "documents");
    GET(extract_failures, "extractFailures");
    GET(texts, "texts");
    GET(requests, "requests");
    GET(retries, "retries");
    GET(vectorize_errors, "vectorizeErrors");
    GET(construct_failures, "constructFailures");
    GET(constructed, "vectorDocuments");
#undef GET
}

void ldvec_counts_add(ldrun_vector_counts *to, const ldrun_vector_counts *from)
{
    to->documents += from->documents;
    to->extract_failures += from->extract_failures;
    to->texts += from->texts;
    to->requests += from->requests;
    to->retries += from->retries;
    to->vectorize_errors += from->vectorize_errors;
    to->construct_failures += from->construct_failures;
    to->constructed += from->constructed;
}
