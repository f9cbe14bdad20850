/*
 * vectors_hash.c - the built-in `hash:DIM` vectorizer: feature hashing of a text's
 * tokens into DIM numbers (see ldvec_hash_text). Deterministic and offline, for tests
 * and for trying a chain without a model; it knows nothing of meaning.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vectorize.h"

#define HASH_MAX_DIM 65536

typedef struct hash_state {
    size_t dim;
} hash_state;

static int token_byte(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           c >= 0x80;
}

void ldvec_hash_text(const char *text, size_t length, size_t dim, double *out)
{
    memset(out, 0, dim * sizeof *out);
    const unsigned char *p = (const unsigned char *)text;
    size_t i = 0;
    while (i < length) {
        if (!token_byte(p[i])) {
            i++;
            continue;
        }
        uint64_t h = 14695981039346656037ull; /* FNV-1a, 64 bits */
        for (; i < length && token_byte(p[i]); i++) {
            unsigned char c = p[i] >= 'A' && p[i] <= 'Z' ? (unsigned char)(p[i] + 32) : p[i];
            h = (h ^ c) * 1099511628211ull;
        }
        out[h % dim] += (h >> 63) ? -1.0 : 1.0;
    }
    double norm = 0;
    for (size_t d = 0; d < dim; d++)
        norm += out[d] * out[d];
    if (norm > 0) {
        norm = sqrt(norm);
        for (size_t d = 0; d < dim; d++)
            out[d] /= norm;
    }
}

static void *hash_thread_new(void *state, ld_error *error)
{
    (void)error;
    return state; /* nothing per thread */
}

static void hash_thread_free(void *state, void *thread)
{
    (void)state;
    (void)thread;
}

static int hash_request(void *state, void *thread, const char *const *texts, size_t count,
                        long timeout_ms, ldvec_item *items, ldvec_failure *failure)
{
    (void)thread;
    (void)timeout_ms;
    const hash_state *h = state;
    for (size_t i = 0; i < count; i++) {
        items[i].values = malloc(h->dim * sizeof *items[i].values);
        if (items[i].values == NULL) {
            snprintf(failure->message, sizeof failure->message, "out of memory");
            return -1;
        }
        items[i].length = h->dim;
        ldvec_hash_text(texts[i], strlen(texts[i]), h->dim, items[i].values);
    }
    return 0;
}

static void hash_free(void *state)
{
    free(state);
}

static const ldvec_backend hash_backend = {
    .kind = "hash",
    .thread_new = hash_thread_new,
    .thread_free = hash_thread_free,
    .request = hash_request,
    .free = hash_free,
    .inline_calls = 1,
};

int ldvec_hash_new(const char *arguments, const ldvec_backend **backend, void **state,
                   ld_error *error)
{
    char *end = NULL;
    errno = 0;
    unsigned long dim = strtoul(arguments, &end, 10);
    if (*arguments < '0' || *arguments > '9' || errno || *end || dim == 0 || dim > HASH_MAX_DIM)
        return ld_error_set(error, LD_ERR_INVALID,
                            "--vectorizer hash:DIM needs DIM from 1 to %d, got '%s'",
                            HASH_MAX_DIM, arguments);
    hash_state *h = malloc(sizeof *h);
    if (h == NULL)
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    h->dim = dim;
    *backend = &hash_backend;
    *state = h;
    return LD_OK;
}
