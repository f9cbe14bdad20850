/*
 * bench_json_text.c - the costs that decide whether the SDK's text helpers can sit on a
 * hot path, each beside its peer in the same run:
 *
 *  - ld_json_format_real() (shortest, Python's repr) vs snprintf("%.17g") (what jansson
 *    writes) on float32 embeddings (vectors: 17 digits are common) and on short
 *    decimals (prices, scores);
 *  - ld_utf8_check() vs jansson's own check (json_stringn(), which also copies) and vs
 *    a plain memcpy of the same bytes (the bound), on WET-like text that is mostly
 *    ASCII and on text that is mostly 3-byte CJK.
 *
 *   bench_json_text [MIB]   (default 64: MiB of text; reals scale with it)
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <letsdata/json.h>
#include <letsdata/utf8.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint32_t next(uint32_t *seed)
{
    *seed = *seed * 1664525u + 1013904223u;
    return *seed >> 8;
}

static void bench_reals(const char *name, const double *values, size_t count)
{
    char text[64];
    size_t bytes = 0;
    double t0 = now();
    for (size_t i = 0; i < count; i++)
        bytes += ld_json_format_real(values[i], text);
    double ours = now() - t0;
    t0 = now();
    for (size_t i = 0; i < count; i++)
        bytes += (size_t)snprintf(text, sizeof text, "%.17g", values[i]);
    double peer = now() - t0;
    printf("reals %-17s ld_json_format_real %6.1f ns/value, snprintf %%.17g %6.1f ns/value, "
           "ratio %.2f (%zu bytes)\n",
           name, ours * 1e9 / (double)count, peer * 1e9 / (double)count, ours / peer, bytes);
}

static void bench_text(const char *name, const char *text, size_t size)
{
    char *copy = malloc(size);
    if (copy == NULL)
        return;
    memset(copy, 0, size); /* fault the pages in: the bound is the copy, not the kernel */
    double t0 = now();
    int rc = ld_utf8_check(text, size, NULL);
    double ours = now() - t0;
    t0 = now();
    memcpy(copy, text, size);
    double bound = now() - t0;
    t0 = now();
    json_t *string = json_stringn(text, size);
    double jansson = now() - t0;
    double mib = (double)size / (1 << 20);
    printf("utf8  %-17s ld_utf8_check %7.0f MiB/s, memcpy %7.0f MiB/s (ratio %.2f), "
           "json_stringn %7.0f MiB/s (ratio %.2f)%s\n",
           name, mib / ours, mib / bound, bound / ours, mib / jansson, jansson / ours,
           rc == LD_OK && string != NULL && copy[size - 1] == text[size - 1] ? ""
                                                                             : " DISAGREE");
    json_decref(string);
    free(copy);
}

int main(int argc, char **argv)
{
    size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 64;
    size_t size = mib << 20, count = mib << 14;
    uint32_t seed = 7;

    double *values = calloc(count, sizeof *values);
    char *text = malloc(size);
    if (values == NULL || text == NULL) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < count; i++)
        values[i] = (double)(float)((double)next(&seed) / (1 << 24) * 2 - 1);
    bench_reals("float32 vectors", values, count);
    for (size_t i = 0; i < count; i++)
        values[i] = (double)(next(&seed) % 100000) / 100.0;
    bench_reals("short decimals", values, count);
    free(values);

    static const char *const words[] = {"the ", "data ", "record ", "caf\xc3\xa9 ",
                                        "processing ", "http://example.com/p ", "\n", "of "};
    size_t used = 0;
    while (used + 32 < size) {
        const char *w = words[next(&seed) % 8];
        memcpy(text + used, w, strlen(w));
        used += strlen(w);
    }
    bench_text("mostly ASCII", text, used);
    used = 0;
    while (used + 32 < size) {
        const char *w = next(&seed) % 8 ? "\xe6\x95\xb0\xe6\x8d\xae" : " ";
        memcpy(text + used, w, strlen(w));
        used += strlen(w);
    }
    bench_text("mostly CJK", text, used);
    free(text);
    return 0;
}
