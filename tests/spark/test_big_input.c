/*
 * test_big_input.c - a 2 GiB text input read with bounded memory (suite spark-slow).
 *
 * The input is generated on the fly into a FIFO by a thread, so it never exists on disk
 * and cannot be mapped or cached: the reader must stream it. Records (WET-like, 0.5 to
 * 6 KiB, plus one 8 MiB record to make the window grow) are separated by "\n\r\n\r\n".
 * The query trims every record and sums lengths and counts; the test checks both against
 * what it generated, and the process's peak RSS against 512 MiB.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "spark_test.h"

#define TOTAL_BYTES ((uint64_t)2 << 30)
#define SEP "\n\r\n\r\n"
#define SEP_LENGTH 5
#define BIG_RECORD (8u << 20)

typedef struct generator {
    const char *path;
    uint64_t records;
    uint64_t record_bytes; /* after trimming: what spark_trim leaves */
    uint64_t written;
    int failed;
} generator;

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void *generate(void *arg)
{
    generator *g = arg;
    FILE *f = fopen(g->path, "wb"); /* blocks until the reader opens the FIFO */
    if (f == NULL) {
        g->failed = 1;
        return NULL;
    }
    int fd = fileno(f);
    /* One 8 MiB record first. */
    char *big = malloc(BIG_RECORD + SEP_LENGTH);
    memset(big, 'B', BIG_RECORD);
    memcpy(big + BIG_RECORD, SEP, SEP_LENGTH);
    if (write_all(fd, big, BIG_RECORD + SEP_LENGTH) != 0)
        g->failed = 1;
    g->records = 1;
    g->record_bytes = BIG_RECORD;
    g->written = BIG_RECORD + SEP_LENGTH;
    free(big);
    /* A block of records, each "  WARC/1.0 <n> xxx...  " (spaces trimmed away), repeated. */
    size_t cap = 1 << 20, len = 0;
    char *block = malloc(cap);
    uint64_t block_records = 0, block_trimmed = 0;
    for (unsigned i = 0; len + 7000 < cap; i++) {
        size_t body = 500 + (i * 2654435761u) % 5600;
        block[len++] = ' ';
        block[len++] = '\t';
        memcpy(block + len, "WARC/1.0 ", 9);
        len += 9;
        for (size_t k = 0; k < body; k++)
            block[len++] = (char)('a' + (k + i) % 26);
        block[len++] = ' ';
        memcpy(block + len, SEP, SEP_LENGTH);
        len += SEP_LENGTH;
        block_records++;
        block_trimmed += 9 + body;
    }
    while (!g->failed && g->written + len <= TOTAL_BYTES) {
        if (write_all(fd, block, len) != 0)
            g->failed = 1;
        g->written += len;
        g->records += block_records;
        g->record_bytes += block_trimmed;
    }
    free(block);
    fclose(f);
    return NULL;
}

static void test_two_gib_bounded(void **state)
{
    (void)state;
    char *dir = ldt_temp_dir();
    char *fifo = NULL;
    assert_true(asprintf(&fifo, "%s/crawl.wet", dir) > 0);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    generator g = {fifo, 0, 0, 0, 0};
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, generate, &g), 0);

    ld_spark_session *s = ldt_session();
    ld_spark_frame *in = NULL;
    ld_error e;
    json_t *options = json_pack("{s:s}", "lineSep", SEP);
    assert_int_equal(ld_spark_read_uri(s, fifo, "text", options, &in, &e), LD_OK);
    assert_int_equal(ld_spark_frame_register(in, "crawl", &e), LD_OK);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char *rows = ldt_query(s, "SELECT count(*), sum(length(spark_trim(value))) FROM crawl", &e);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rows == NULL)
        fail_msg("query: %s", e.message);
    pthread_join(thread, NULL);
    assert_false(g.failed);
    char want[64];
    snprintf(want, sizeof want, "%llu|%llu\n", (unsigned long long)g.records,
             (unsigned long long)g.record_bytes);
    assert_string_equal(rows, want);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("read %.2f GiB (%llu records) in %.1f s (%.0f MB/s); peak RSS %ld MiB (bound 512)\n",
           (double)g.written / (1 << 30), (unsigned long long)g.records, seconds,
           (double)g.written / 1e6 / seconds, ru.ru_maxrss / 1024);
    assert_true(g.written >= TOTAL_BYTES - (2u << 20));
    assert_true(ru.ru_maxrss / 1024 < 512);
    free(rows);
    json_decref(options);
    ld_spark_frame_free(in);
    ld_spark_session_free(s);
    unlink(fifo);
    ldt_rm_rf(dir);
    free(fifo);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_gib_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
