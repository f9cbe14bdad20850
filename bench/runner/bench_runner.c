/*
 * bench_runner.c - the local runner over a large WET-like file (issue #6): throughput
 * and peak RSS of `run` with (a) the example WET parser (full work: split, parse, write
 * JSON) and (b) a parser that skips every record (the runner's own cost: read + split),
 * against a plain read()+memmem loop over the same file counting record starts.
 *
 *   bench_runner [MIB]    (default 1024; the file is written to $TMPDIR and deleted)
 *
 * Each run happens in a child process so its peak RSS can be read (wait4).
 *
 * SPDX-License-Identifier: MIT
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <letsdata/letsdata.h>

#include "examples.h"
#include "runner.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t write_wet(const char *path, size_t target)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return 0;
    static const char *const words[] = {"the ", "data ", "record ", "caf\xc3\xa9 ",
                                        "\xe6\x95\xb0\xe6\x8d\xae ", "LetsData ", "\n",
                                        "processing ", "http://example.com/ ", "2022 "};
    char body[8192];
    uint32_t seed = 1;
    size_t written = 0;
    for (unsigned id = 0; written < target; id++) {
        size_t n = 0, want = 2000 + (seed >> 20) % 4000;
        while (n < want - 1) {
            seed = seed * 1664525u + 1013904223u;
            const char *w = words[(seed >> 24) % 10];
            size_t k = strlen(w);
            memcpy(body + n, w, k);
            n += k;
        }
        body[n++] = '\n'; /* page text ends with a newline, as in Common Crawl */
        written += (size_t)fprintf(f,
                                   "WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: "
                                   "http://site%u.example/\r\nWARC-Date: 2022-05-16T04:40:56Z\r\n"
                                   "WARC-Identified-Content-Language: eng\r\nContent-Type: "
                                   "text/plain\r\nContent-Length: %zu\r\n\r\n",
                                   id, n);
        written += fwrite(body, 1, n, f);
        written += fwrite("\r\n\r\n", 1, 4, f);
    }
    fclose(f);
    return written;
}

static int skip_all(ld_context *ctx, void *payload, const char *type, const char *name,
                    int64_t offset, const char *buffer, size_t start, size_t end,
                    ld_parse_document_result *result)
{
    (void)ctx; (void)payload; (void)type; (void)name; (void)offset; (void)buffer;
    (void)start; (void)end;
    result->status = LD_PARSE_SKIP;
    return LD_OK;
}

static int register_skipper(ld_registry *registry)
{
    static ld_single_file_parser skipper;
    skipper = ld_example_wet_parser;
    skipper.parse_document = skip_all;
    return ld_registry_set_single_file_parser(registry, &skipper);
}

/* Run `run` in a child; report seconds and peak RSS. */
static int measure(const char *label, int (*register_fn)(ld_registry *), const char *input,
                   const char *output, size_t bytes)
{
    double start = now();
    pid_t pid = fork();
    if (pid == 0) {
        ld_registry *registry = ld_registry_new();
        if (registry == NULL || register_fn(registry) != LD_OK)
            _exit(3);
        char *argv[] = {(char *)"run", (char *)"--output", (char *)output, (char *)input, NULL};
        int status = ldrun_main(4, argv, registry);
        ld_registry_free(registry);
        _exit(status);
    }
    int status;
    struct rusage usage;
    wait4(pid, &status, 0, &usage);
    double seconds = now() - start;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench_runner: %s failed\n", label);
        return -1;
    }
    printf("%-34s %8.0f MB/s  %6.2f s  peak RSS %6.1f MiB\n", label,
           (double)bytes / 1048576.0 / seconds, seconds, (double)usage.ru_maxrss / 1024.0);
    return 0;
}

int main(int argc, char **argv)
{
    size_t mib = argc > 1 ? (size_t)atol(argv[1]) : 1024;
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char input[512], output[512], command[1200];
    snprintf(input, sizeof input, "%s/letsdata-bench-%d.wet", tmp, (int)getpid());
    snprintf(output, sizeof output, "%s/letsdata-bench-%d-out", tmp, (int)getpid());
    size_t bytes = write_wet(input, mib * 1048576);
    if (bytes == 0)
        return 2;
    printf("input: %.0f MiB of WET-like text\n", (double)bytes / 1048576.0);

    /* Baseline: read the file and count record starts with memmem. */
    double start = now();
    int fd = open(input, O_RDONLY);
    static char chunk[1 << 20];
    size_t count = 0, keep = 0;
    ssize_t n;
    const char *pattern = "WARC-Type: conversion";
    size_t plen = strlen(pattern);
    while ((n = read(fd, chunk + keep, sizeof chunk - keep)) > 0) {
        size_t have = keep + (size_t)n;
        const char *p = chunk, *end = chunk + have, *hit;
        while ((hit = memmem(p, (size_t)(end - p), pattern, plen)) != NULL) {
            count++;
            p = hit + 1;
        }
        keep = have < plen - 1 ? have : plen - 1;
        memmove(chunk, end - keep, keep);
    }
    close(fd);
    double baseline = now() - start;
    printf("%-34s %8.0f MB/s  %6.2f s  (%zu records)\n", "read + memmem loop",
           (double)bytes / 1048576.0 / baseline, baseline, count);

    int failed = measure("run: split only (skip parser)", register_skipper, input, output, bytes);
    failed |= measure("run: example WET parser", ld_examples_register, input, output, bytes);
    snprintf(command, sizeof command, "rm -rf '%s' '%s'", input, output);
    if (system(command) != 0)
        failed = 1;
    return failed ? 1 : 0;
}
