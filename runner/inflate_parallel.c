/*
 * inflate_parallel.c - inflate independent gzip members of one file on several threads,
 * keeping the content in order (reader.h, reader_internal.h).
 *
 * A gzip file of many members (WARC files have one per record) is cut into chunks of
 * CHUNK_IN compressed bytes. Chunk k inflates the members that *start* in it: it finds
 * the first one by trying each gzip header signature (1f 8b 08, reserved flags clear)
 * until a whole member inflates with a correct CRC-32 and length, then inflates member
 * after member (reading past its end for the last one) until the next member starts in
 * chunk k+1. Chunks are inflated by helper threads and by the reading thread itself
 * when it would otherwise wait, at most SLOTS_PER_THREAD chunks ahead of the reader,
 * so memory stays bounded.
 *
 * The content is correct whatever the signatures found: the reader checks, in order,
 * that chunk k's first member starts exactly where chunk k-1's last member ended (a
 * signature found inside compressed data is then not trusted: the chunk is inflated
 * again from the known start). A chunk that cannot finish (a damaged or truncated
 * member, a member too large for whole-member inflation, bytes that are not gzip, far
 * more output than input) ends the parallel part: from its first member not inflated
 * on, the sequential path (reader.c) takes over, streams large members with zlib, and
 * names the byte where the data is damaged.
 *
 * SPDX-License-Identifier: MIT
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <libdeflate.h>

#include "reader_internal.h"

#define CHUNK_IN (1u << 20)
#define SLACK (64u << 10)
#define CHUNK_OUT_MAX (24u << 20) /* a chunk that inflates to more goes sequential */
#define MAX_HELPERS 7
#define NONE UINT64_MAX

typedef enum { SLOT_FREE, SLOT_WORKING, SLOT_READY } slot_state;

typedef struct chunk {
    slot_state state;
    uint64_t first;  /* the first member inflated, or NONE */
    uint64_t end;    /* the byte after the last member inflated */
    int stopped;     /* could not inflate the member at @c end (and before the chunk end) */
    int rc;          /* a read error */
    ld_error error;
    char *out;
    size_t length, capacity;
} chunk;

/* What one thread needs to inflate a chunk: the compressed bytes [offset, offset+length). */
typedef struct worker {
    struct libdeflate_decompressor *inflater;
    unsigned char *in;
    size_t length, capacity;
    uint64_t offset;
} worker;

struct ldrun_parallel {
    ldrun_reader *r;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    pthread_t helpers[MAX_HELPERS];
    unsigned helper_count;
    worker workers[MAX_HELPERS + 1]; /* [0]: the reading thread */
    uint64_t size, chunks;
    uint64_t next_claim;   /* the next chunk to inflate */
    uint64_t next_deliver; /* the next chunk to hand out */
    uint64_t first_held;   /* chunks below it are released */
    int holding;           /* the reader holds chunk next_deliver - 1 */
    uint64_t expected;     /* where the next chunk's first member must start */
    int fallback;          /* go on sequentially from fallback_at */
    uint64_t fallback_at;
    int sequential;
    int stop;
    chunk *slots;
    unsigned slot_count;
};

static chunk *slot_of(ldrun_parallel *p, uint64_t index)
{
    return &p->slots[index % p->slot_count];
}

/* Hold the source's bytes from @p at on, at least @p want of them (fewer at the end). */
static int load(ldrun_parallel *p, worker *w, uint64_t at, size_t want, ld_error *error)
{
    if (at >= w->offset && at <= w->offset + w->length) {
        size_t skip = (size_t)(at - w->offset);
        if (skip > 0 && w->length > skip)
            memmove(w->in, w->in + skip, w->length - skip);
        w->length -= skip;
    } else {
        w->length = 0;
    }
    w->offset = at;
    if (want > p->size - at)
        want = (size_t)(p->size - at);
    if (w->length >= want)
        return LD_OK;
    if (w->capacity < want) {
        unsigned char *grown = realloc(w->in, want);
        if (grown == NULL)
            return ld_error_set(error, LD_ERR_NOMEM, "%s: out of memory", p->r->source->name);
        w->in = grown;
        w->capacity = want;
    }
    size_t got = 0;
    int rc = p->r->source->pread(p->r->source, w->in + w->length, want - w->length,
                                 at + w->length, &got, error);
    w->length += got;
    if (rc == LD_OK && w->length < want)
        rc = ld_error_set(error, LD_ERR_IO, "%s: the file shrank while it was read",
                          p->r->source->name);
    return rc;
}

/* Inflate the member at @p at into @p c. Returns 1 (done, *used set), 0 (cannot),
 * or -1 (a read error in c->rc). */
static int inflate_member(ldrun_parallel *p, worker *w, chunk *c, uint64_t at, size_t *used)
{
    for (;;) {
        size_t skip = (size_t)(at - w->offset);
        size_t left = w->length - skip;
        if (left < 10 || w->in[skip] != 0x1f || w->in[skip + 1] != 0x8b)
            return 0;
        size_t produced = 0;
        enum libdeflate_result lr =
            libdeflate_gzip_decompress_ex(w->inflater, w->in + skip, left, c->out + c->length,
                                          c->capacity - c->length, used, &produced);
        if (lr == LIBDEFLATE_SUCCESS) {
            c->length += produced;
            return 1;
        }
        if (lr == LIBDEFLATE_INSUFFICIENT_SPACE) {
            if (c->capacity - c->length >= LDRUN_MEMBER_OUT_MAX || c->capacity >= CHUNK_OUT_MAX)
                return 0;
            char *grown = realloc(c->out, c->capacity * 2);
            if (grown == NULL)
                return 0; /* the sequential path streams it in less memory */
            c->out = grown;
            c->capacity *= 2;
            continue;
        }
        /* Bad data: or the member goes on past what is held. */
        if (w->offset + w->length >= p->size || left >= LDRUN_MEMBER_IN_MAX)
            return 0;
        if ((c->rc = load(p, w, at, left * 2, &c->error)) != LD_OK)
            return -1;
    }
}

/* A gzip member signature at in[i]: magic, deflate, reserved flags clear. */
static int signature(const unsigned char *in, size_t i, size_t length)
{
    return i + 4 <= length && in[i] == 0x1f && in[i + 1] == 0x8b && in[i + 2] == 8 &&
           (in[i + 3] & 0xe0) == 0;
}

/* Inflate chunk @p index into @p c: from @p start if known (not NONE), else from the
 * first member found in the chunk. */
static void inflate_chunk(ldrun_parallel *p, worker *w, chunk *c, uint64_t index,
                          uint64_t start)
{
    uint64_t low = index * CHUNK_IN;
    uint64_t high = low + CHUNK_IN < p->size ? low + CHUNK_IN : p->size;
    c->first = c->end = NONE;
    c->stopped = 0;
    c->rc = LD_OK;
    c->length = 0;
    uint64_t at = start != NONE ? start : low;
    if ((c->rc = load(p, w, at, (size_t)(high - at) + SLACK, &c->error)) != LD_OK)
        return;
    size_t used = 0;
    if (start == NONE) {
        /* The first signature that is a whole, correct member. */
        for (;; at++) {
            const unsigned char *hit =
                at < high ? memchr(w->in + (at - w->offset), 0x1f, (size_t)(high - at)) : NULL;
            if (hit == NULL)
                return; /* no member starts in this chunk */
            at = w->offset + (uint64_t)(hit - w->in);
            if (!signature(w->in, (size_t)(at - w->offset), w->length))
                continue;
            int ok = inflate_member(p, w, c, at, &used);
            if (ok < 0)
                return;
            if (ok > 0)
                break;
            c->length = 0;
        }
        c->first = at;
        at += used;
    } else {
        c->first = start;
    }
    while (at < high) {
        if (c->length >= CHUNK_OUT_MAX) {
            c->stopped = 1;
            break;
        }
        int ok = inflate_member(p, w, c, at, &used);
        if (ok < 0)
            return;
        if (ok == 0) {
            c->stopped = 1;
            break;
        }
        at += used;
    }
    c->end = at;
}

static int claimable(const ldrun_parallel *p)
{
    return !p->stop && !p->fallback && p->next_claim < p->chunks &&
           p->next_claim < p->first_held + p->slot_count;
}

/* With the lock held: claim the next chunk, inflate it unlocked, mark it ready. */
static void work_on_next(ldrun_parallel *p, worker *w)
{
    uint64_t index = p->next_claim++;
    chunk *c = slot_of(p, index);
    c->state = SLOT_WORKING;
    pthread_mutex_unlock(&p->lock);
    inflate_chunk(p, w, c, index, index == 0 ? 0 : NONE);
    pthread_mutex_lock(&p->lock);
    c->state = SLOT_READY;
    pthread_cond_broadcast(&p->changed);
}

typedef struct helper_arg {
    ldrun_parallel *p;
    worker *w;
} helper_arg;

static void *helper_main(void *arg)
{
    helper_arg *h = arg;
    ldrun_parallel *p = h->p;
    worker *w = h->w;
    free(h);
    pthread_mutex_lock(&p->lock);
    while (!p->stop) {
        if (claimable(p))
            work_on_next(p, w);
        else
            pthread_cond_wait(&p->changed, &p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

int ldrun_parallel_start(ldrun_reader *r, unsigned threads, ld_error *error)
{
    ldrun_parallel *p = calloc(1, sizeof *p);
    if (p == NULL)
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    r->parallel = p;
    p->r = r;
    p->size = r->source->size;
    p->chunks = (p->size + CHUNK_IN - 1) / CHUNK_IN;
    unsigned helpers = threads - 1 > MAX_HELPERS ? MAX_HELPERS : threads - 1;
    p->slot_count = helpers + 3;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->changed, NULL);
    p->slots = calloc(p->slot_count, sizeof *p->slots);
    if (p->slots == NULL)
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    for (unsigned i = 0; i < p->slot_count; i++) {
        p->slots[i].capacity = 4 * CHUNK_IN;
        if ((p->slots[i].out = malloc(p->slots[i].capacity)) == NULL)
            return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    }
    for (unsigned i = 0; i <= helpers; i++)
        if ((p->workers[i].inflater = libdeflate_alloc_decompressor()) == NULL)
            return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    for (unsigned i = 0; i < helpers; i++) {
        helper_arg *h = malloc(sizeof *h);
        if (h == NULL)
            break;
        h->p = p;
        h->w = &p->workers[i + 1];
        if (pthread_create(&p->helpers[i], NULL, helper_main, h) != 0) {
            free(h);
            break; /* fewer helpers: the reading thread does the rest */
        }
        p->helper_count++;
    }
    return LD_OK;
}

static void stop_helpers(ldrun_parallel *p)
{
    pthread_mutex_lock(&p->lock);
    p->stop = 1;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
    for (unsigned i = 0; i < p->helper_count; i++)
        pthread_join(p->helpers[i], NULL);
    p->helper_count = 0;
}

int ldrun_parallel_next(ldrun_reader *r, const char **data, size_t *length, ld_error *error)
{
    ldrun_parallel *p = r->parallel;
    *length = 0;
    if (p->sequential)
        return ldrun_reader_sequential_next(r, data, length, error);
    pthread_mutex_lock(&p->lock);
    for (;;) {
        if (p->holding) {
            slot_of(p, p->first_held)->state = SLOT_FREE;
            p->first_held++;
            p->holding = 0;
            pthread_cond_broadcast(&p->changed);
        }
        if (p->fallback) {
            pthread_mutex_unlock(&p->lock);
            stop_helpers(p);
            p->sequential = 1;
            ldrun_reader_resume_at(r, p->fallback_at);
            return ldrun_reader_sequential_next(r, data, length, error);
        }
        if (p->next_deliver == p->chunks) {
            pthread_mutex_unlock(&p->lock);
            return LD_OK; /* the end */
        }
        uint64_t index = p->next_deliver;
        chunk *c = slot_of(p, index);
        while (c->state != SLOT_READY) {
            if (claimable(p))
                work_on_next(p, &p->workers[0]);
            else
                pthread_cond_wait(&p->changed, &p->lock);
        }
        p->next_deliver++;
        p->holding = 1;
        uint64_t high = (index + 1) * CHUNK_IN < p->size ? (index + 1) * CHUNK_IN : p->size;
        if (p->expected >= high)
            continue; /* the previous chunk's last member covers this one */
        if (c->first != p->expected) {
            /* A signature inside compressed data: inflate again from the known start. */
            pthread_mutex_unlock(&p->lock);
            inflate_chunk(p, &p->workers[0], c, index, p->expected);
            pthread_mutex_lock(&p->lock);
        }
        if (c->rc != LD_OK) {
            *error = c->error;
            pthread_mutex_unlock(&p->lock);
            return c->rc;
        }
        if (c->stopped) {
            p->fallback = 1;
            p->fallback_at = c->end;
        }
        p->expected = c->end;
        if (c->length == 0)
            continue;
        *data = c->out;
        *length = c->length;
        pthread_mutex_unlock(&p->lock);
        return LD_OK;
    }
}

void ldrun_parallel_stop(ldrun_reader *r)
{
    ldrun_parallel *p = r->parallel;
    if (p == NULL)
        return;
    stop_helpers(p);
    for (unsigned i = 0; p->slots != NULL && i < p->slot_count; i++)
        free(p->slots[i].out);
    free(p->slots);
    for (unsigned i = 0; i <= MAX_HELPERS; i++) {
        if (p->workers[i].inflater != NULL)
            libdeflate_free_decompressor(p->workers[i].inflater);
        free(p->workers[i].in);
    }
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->changed);
    free(p);
    r->parallel = NULL;
}
