/*
 * bench_matcher.c - ld_matcher_find vs a glibc memmem loop: count every occurrence of a
 * pattern in a large buffer of WET-like text (issue #2: the matcher must be at least as
 * fast as memmem on long buffers).
 *
 *   bench_matcher [MIB]    (default 256)
 *
 * Cases: the WET record start pattern in realistic text; a short pattern; and an
 * adversarial buffer where the matcher's rare byte is everywhere. Exits non-zero if the
 * two disagree on a match count.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <letsdata/matcher.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Deterministic WET-like text: records of a few KB with WARC headers and mixed text. */
static void fill_wet(char *buffer, size_t size)
{
    static const char *const words[] = {
        "the ", "data ", "record ", "LetsData ", "processing ", "and ", "of ", "to ",
        "caf\xc3\xa9 ", "\xe6\x95\xb0\xe6\x8d\xae ", "http://example.com/page ", "2022-05-16 ",
        "Contact us. ", "\n", "price: 30% ", "<title> ",
    };
    uint32_t seed = 42;
    size_t used = 0;
    unsigned record = 0;
    while (used < size) {
        char header[512];
        int n = snprintf(header, sizeof header,
                         "WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: "
                         "http://site%u.example/\r\nWARC-Date: 2022-05-16T04:40:56Z\r\n"
                         "Content-Type: text/plain\r\nContent-Length: 3710\r\n\r\n",
                         record++);
        for (int i = 0; i < n && used < size; i++)
            buffer[used++] = header[i];
        seed = seed * 1664525u + 1013904223u;
        size_t body = 1500 + (seed >> 20) % 4000;
        for (size_t k = 0; k < body && used < size;) {
            seed = seed * 1664525u + 1013904223u;
            const char *w = words[(seed >> 24) % (sizeof words / sizeof words[0])];
            for (; *w && used < size; w++, k++)
                buffer[used++] = *w;
        }
        for (const char *end = "\n\r\n\r\n"; *end && used < size; end++)
            buffer[used++] = *end;
    }
}

static size_t count_matcher(const ld_matcher *m, const char *buffer, size_t size)
{
    size_t count = 0, from = 0, at;
    while ((at = ld_matcher_find(m, buffer, from, size)) != LD_MATCH_NONE) {
        count++;
        from = at + 1;
    }
    return count;
}

static size_t count_memmem(const char *pattern, size_t length, const char *buffer, size_t size)
{
    size_t count = 0;
    const char *p = buffer, *end = buffer + size, *hit;
    while ((hit = memmem(p, (size_t)(end - p), pattern, length)) != NULL) {
        count++;
        p = hit + 1;
    }
    return count;
}

static int run_case(const char *name, const char *buffer, size_t size, const char *pattern,
                    size_t length)
{
    ld_matcher *m = ld_matcher_new(pattern, length);
    double best_matcher = 1e9, best_memmem = 1e9;
    size_t n_matcher = 0, n_memmem = 0;
    for (int round = 0; round < 3; round++) {
        double t0 = now();
        n_matcher = count_matcher(m, buffer, size);
        double t1 = now();
        n_memmem = count_memmem(pattern, length, buffer, size);
        double t2 = now();
        if (t1 - t0 < best_matcher) best_matcher = t1 - t0;
        if (t2 - t1 < best_memmem) best_memmem = t2 - t1;
    }
    ld_matcher_free(m);
    double mib = (double)size / (1024.0 * 1024.0);
    printf("%-28s matches %8zu  matcher %8.0f MB/s  memmem %8.0f MB/s  ratio %.2fx\n", name,
           n_matcher, mib / best_matcher, mib / best_memmem, best_memmem / best_matcher);
    if (n_matcher != n_memmem) {
        fprintf(stderr, "bench_matcher: %s: matcher found %zu, memmem %zu\n", name, n_matcher,
                n_memmem);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    size_t mib = argc > 1 ? (size_t)atol(argv[1]) : 256;
    size_t size = mib * 1024 * 1024;
    char *buffer = malloc(size);
    if (buffer == NULL)
        return 2;
    fill_wet(buffer, size);
    printf("buffer: %zu MiB of WET-like text (MB/s = MiB/s)\n", mib);
    int failed = 0;
    failed |= run_case("\"WARC-Type: conversion\"", buffer, size, "WARC-Type: conversion", 21);
    failed |= run_case("\"\\n\\r\\n\\r\\n\"", buffer, size, "\n\r\n\r\n", 5);
    failed |= run_case("\"WARC/1.0\\r\\n\"", buffer, size, "WARC/1.0\r\n", 10);
    failed |= run_case("\"the\" (common bytes)", buffer, size, "the", 3);
    /* Adversarial: the pattern's rarest byte on every other position. */
    for (size_t i = 0; i < size; i++)
        buffer[i] = (i & 1) ? '\r' : 'x';
    failed |= run_case("adversarial \"WARC/1.0\\r\\n\"", buffer, size, "WARC/1.0\r\n", 10);
    free(buffer);
    return failed;
}
