/*
 * bench_dispatch.c - in-process dispatch rate over every conformance example request,
 * side by side with the bare jansson round trip (parse the request with json_loadb,
 * dump the expected response with json_dumps), as issue #3 asks.
 *
 *   bench_dispatch [SECONDS_PER_ROUND]    (default 2; LD_CONFORMANCE_DIR must be set)
 *
 * Prints both rates and their ratio; exits non-zero only if it cannot run or a
 * response does not match its vector (a fast wrong answer is not a result).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include <letsdata/letsdata.h>
#include <letsdata/runtime.h>

#include "examples.h"
#include "vectors.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct mix {
    ldt_vector *items[64];
    size_t count;
} mix;

static double run_dispatch(const ld_registry *registry, const mix *m, double seconds)
{
    size_t done = 0;
    double start = now(), elapsed;
    do {
        for (size_t i = 0; i < m->count; i++) {
            ld_response response = LD_RESPONSE_INIT;
            if (ld_runtime_invoke(registry, m->items[i]->request, m->items[i]->request_length,
                                  NULL, &response) != LD_OK)
                abort();
            ld_response_clear(&response);
        }
        done += m->count;
        elapsed = now() - start;
    } while (elapsed < seconds);
    return (double)done / elapsed;
}

static double run_jansson(const mix *m, double seconds)
{
    size_t done = 0;
    double start = now(), elapsed;
    do {
        for (size_t i = 0; i < m->count; i++) {
            json_t *request = json_loadb(m->items[i]->request, m->items[i]->request_length,
                                         JSON_ALLOW_NUL, NULL);
            char *text = json_dumps(m->items[i]->expected, JSON_COMPACT);
            if (request == NULL || text == NULL)
                abort();
            free(text);
            json_decref(request);
        }
        done += m->count;
        elapsed = now() - start;
    } while (elapsed < seconds);
    return (double)done / elapsed;
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 2.0;
    ldt_vector_set examples, more;
    if (ldt_vectors_load_dir("examples", &examples) != 0 ||
        ldt_vectors_load_dir("examples-more", &more) != 0)
        return 2;
    mix m = {.count = 0};
    size_t total_bytes = 0;
    for (size_t i = 0; i < examples.count && m.count < 64; i++)
        m.items[m.count++] = &examples.items[i];
    for (size_t i = 0; i < more.count && m.count < 64; i++)
        m.items[m.count++] = &more.items[i];
    for (size_t i = 0; i < m.count; i++)
        total_bytes += m.items[i]->request_length;

    ld_registry *registry = ld_registry_new();
    if (registry == NULL || ld_examples_register(registry) != LD_OK)
        return 2;
    /* Correctness first: every response must match its vector. */
    for (size_t i = 0; i < m.count; i++) {
        ld_response response = LD_RESPONSE_INIT;
        ld_runtime_invoke(registry, m.items[i]->request, m.items[i]->request_length, NULL,
                          &response);
        char *problem = ldt_vector_check(m.items[i], response.body, response.body_length);
        ld_response_clear(&response);
        if (problem != NULL) {
            fprintf(stderr, "bench_dispatch: wrong response: %s\n", problem);
            free(problem);
            return 1;
        }
    }

    printf("mix: %zu requests, %zu bytes (%.1f KB average)\n", m.count, total_bytes,
           (double)total_bytes / (double)m.count / 1024.0);
    /* Alternate the two to share any machine noise; keep the best round of each. */
    double best_dispatch = 0, best_jansson = 0;
    for (int round = 0; round < 3; round++) {
        double d = run_dispatch(registry, &m, seconds);
        double j = run_jansson(&m, seconds);
        printf("round %d: dispatch %.0f req/s, jansson round trip %.0f req/s\n", round + 1, d, j);
        if (d > best_dispatch) best_dispatch = d;
        if (j > best_jansson) best_jansson = j;
    }
    printf("dispatch: %.0f req/s\n", best_dispatch);
    printf("jansson round trip: %.0f req/s\n", best_jansson);
    printf("ratio: %.2fx (target >= 1.2x)\n", best_dispatch / best_jansson);
    ld_registry_free(registry);
    ldt_vector_set_free(&examples);
    ldt_vector_set_free(&more);
    return 0;
}
