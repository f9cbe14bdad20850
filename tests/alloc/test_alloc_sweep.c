/*
 * test_alloc_sweep.c - allocation-failure sweep: for every conformance request (skeleton,
 * examples, examples-more, bad requests) served with the example handlers registered,
 * fail the 1st, 2nd, 3rd... allocation of the invocation until it completes without
 * reaching the failure. Every run must give a valid envelope or LD_ERR_NOMEM, never
 * crash, and free everything it allocated.
 *
 * Allocation is interposed by defining malloc & co. in this executable (glibc supports
 * replacing malloc; libjansson and libc internals call the replacement too), with a
 * countdown to the injected failure and a live-allocation count for the leak check. It
 * cannot run under ASan or valgrind, which replace malloc themselves: it skips there, and
 * the plain CI pass runs it.
 *
 * SPDX-License-Identifier: MIT
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <letsdata/letsdata.h>
#include <letsdata/runtime.h>

#include "examples.h"
#include "vectors.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_SANITIZER 1
#endif
#endif
#ifndef UNDER_SANITIZER
#define UNDER_SANITIZER 0
#endif

#if !UNDER_SANITIZER
void *__libc_malloc(size_t size);
void *__libc_calloc(size_t count, size_t size);
void *__libc_realloc(void *ptr, size_t size);
void __libc_free(void *ptr);

#define EXPORTED __attribute__((visibility("default")))

static long countdown;  /* > 0: the countdown-th allocation from now fails */
static int injected;    /* the failure happened */
static long live;       /* blocks allocated while counting and not freed yet */
static int counting;

/* The blocks allocated while counting, so that only their frees are counted (libc may
 * free blocks it allocated through internal paths). Open addressing, never resized. */
#define TRACKED 65536
static void *tracked[TRACKED];

static size_t slot_of(void *p)
{
    return ((uintptr_t)p >> 4) * 2654435761u % TRACKED;
}

static void track(void *p)
{
    if (p == NULL || !counting)
        return;
    for (size_t i = slot_of(p), k = 0; k < TRACKED; i = (i + 1) % TRACKED, k++) {
        if (tracked[i] == NULL || tracked[i] == (void *)1) {
            tracked[i] = p;
            live++;
            return;
        }
    }
}

static void untrack(void *p)
{
    if (p == NULL)
        return;
    for (size_t i = slot_of(p), k = 0; k < TRACKED && tracked[i] != NULL; i = (i + 1) % TRACKED, k++) {
        if (tracked[i] == p) {
            tracked[i] = (void *)1; /* tombstone */
            live--;
            return;
        }
    }
}

static void reset_tracking(void)
{
    memset(tracked, 0, sizeof tracked);
    live = 0;
}

static int persistent;  /* once failing, every later allocation fails too */

static int should_fail(void)
{
    if (persistent && injected && counting)
        return 1;
    if (countdown > 0 && --countdown == 0) {
        injected = 1;
        return 1;
    }
    return 0;
}

/* Exported (the project builds with hidden visibility), so libjansson and libc
 * allocate through it too. */
EXPORTED void *malloc(size_t size)
{
    if (should_fail())
        return NULL;
    void *p = __libc_malloc(size);
    track(p);
    return p;
}

EXPORTED void *calloc(size_t count, size_t size)
{
    if (should_fail())
        return NULL;
    void *p = __libc_calloc(count, size);
    track(p);
    return p;
}

EXPORTED void *realloc(void *ptr, size_t size)
{
    if (should_fail())
        return NULL;
    void *p = __libc_realloc(ptr, size);
    if (p != NULL) {
        untrack(ptr);
        track(p);
    }
    return p;
}

EXPORTED void free(void *ptr)
{
    untrack(ptr);
    __libc_free(ptr);
}
#endif

static void test_every_allocation_fails_cleanly(void **state)
{
    (void)state;
#if UNDER_SANITIZER
    skip();
#else
    if (getenv("LD_UNDER_VALGRIND") != NULL)
        skip();
    ldt_vector_set sets[4];
    assert_int_equal(ldt_vectors_load_dir("skeleton", &sets[0]), 0);
    assert_int_equal(ldt_vectors_load_dir("examples", &sets[1]), 0);
    assert_int_equal(ldt_vectors_load_dir("examples-more", &sets[2]), 0);
    assert_int_equal(ldt_vectors_load_bad_requests(&sets[3]), 0);
    ld_registry *registry = ld_registry_new();
    ld_registry *empty = ld_registry_new(); /* skeleton vectors expect no handler */
    assert_int_equal(ld_examples_register(registry), LD_OK);

    long points = 0, requests = 0, nomem = 0;
    /* Mode 0: only the Nth allocation fails. Mode 1: it and every one after it fail
     * (memory really exhausted), which must end in LD_ERR_NOMEM or the static envelope. */
    for (persistent = 0; persistent < 2; persistent++)
    for (int s = 0; s < 4; s++) {
        for (size_t i = 0; i < sets[s].count; i++) {
            const ldt_vector *v = &sets[s].items[i];
            requests++;
            for (long n = 1;; n++) {
                ld_response response = LD_RESPONSE_INIT;
                injected = 0;
                reset_tracking();
                counting = 1;
                countdown = n;
                int rc = ld_runtime_invoke(s == 0 ? empty : registry, v->request,
                                           v->request_length, NULL, &response);
                countdown = 0;
                int hit = injected;
                long after_call = live;
                counting = 0;
                if (rc == LD_OK) {
                    /* The envelope is the only thing left allocated. */
                    if (after_call != 1)
                        fail_msg("%s, allocation %ld failed: %ld blocks left after the call",
                                 v->name, n, after_call);
                    json_t *envelope = json_loadb(response.body, response.body_length,
                                                  JSON_ALLOW_NUL, NULL);
                    counting = 0;
                    if (envelope == NULL)
                        fail_msg("%s, allocation %ld failed: the response is not JSON", v->name, n);
                    json_t *code = json_object_get(envelope, "StatusCode");
                    if (!hit) {
                        char *problem = ldt_vector_check(v, response.body, response.body_length);
                        if (problem != NULL)
                            fail_msg("%s: %s", v->name, problem);
                    } else if (json_integer_value(code) != 500 && json_integer_value(code) != 200) {
                        fail_msg("%s, allocation %ld failed: bad status", v->name, n);
                    }
                    json_decref(envelope);
                    ld_response_clear(&response);
                } else {
                    counting = 0;
                    assert_int_equal(rc, LD_ERR_NOMEM);
                    assert_true(hit);
                    if (after_call != 0)
                        fail_msg("%s, allocation %ld failed: %ld blocks leaked", v->name, n,
                                 after_call);
                    nomem++;
                }
                counting = 0;
                if (!hit)
                    break; /* the invocation needed fewer than n allocations: done */
                points++;
            }
        }
    }
    print_message("allocation-failure sweep: %ld requests x 2 modes, %ld allocation points "
                  "failed in turn, %ld answered LD_ERR_NOMEM, all others a valid envelope, "
                  "no leak\n",
                  requests / 2, points, nomem);
    assert_true(points > 1000);
    assert_true(nomem > 0);
    ld_registry_free(registry);
    ld_registry_free(empty);
    for (int s = 0; s < 4; s++)
        ldt_vector_set_free(&sets[s]);
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_allocation_fails_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
