/*
 * bench_runner.c - the local runner at the machine's pace (issue #14): `run` with the
 * example WET parser over a generated WET file, plain and gzip (one member per record,
 * as Common Crawl writes them), at -j 1 and -j 2, each beside its bound measured in the
 * same run, and the Python reference pipeline when it is available:
 *
 *   floor     read() + memcpy + write() of the plain file's bytes
 *   inflate   libdeflate over every member of the gzip file, output discarded:
 *             1 thread, and 2 threads (each inflating half of the members);
 *             ISA-L's igzip too when built with it (the other inflater considered)
 *   python    ../shared/tools/pyref/wetbench.py with the official Python example
 *             parser (LETSDATA_PYREF_EXAMPLES=checkout of letsdata-python-examples)
 *
 *   bench_runner [MIB [WETBENCH_PY]]   (default 512 MiB of plain WET; files in $TMPDIR)
 *
 * Each `run` happens in a child process so that its peak RSS can be read (wait4); each
 * figure is the best of LD_BENCH_REPEAT (default 2) runs. It prints every ratio beside
 * its target and exits 1 when a target is missed (or a run fails).
 *
 * SPDX-License-Identifier: MIT
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libdeflate.h>
#ifdef HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif

#include <letsdata/letsdata.h>

#include "examples.h"
#include "runner.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds (user + system) of this process, or of its waited-for children. */
static double cpu_seconds(int who)
{
    struct rusage usage;
    getrusage(who, &usage);
    return (double)usage.ru_utime.tv_sec + (double)usage.ru_utime.tv_usec / 1e6 +
           (double)usage.ru_stime.tv_sec + (double)usage.ru_stime.tv_usec / 1e6;
}

static void die(const char *what)
{
    perror(what);
    exit(2);
}

/* ---- the input ---- */

/*
 * Page text that compresses about as web text does (2-3x with gzip -6): words drawn
 * from a vocabulary of a few thousand random words with a skewed (Zipf-like)
 * frequency, some of them non-ASCII, in lines of varying length.
 */
typedef struct vocabulary {
    char words[4096][16];
    unsigned char lengths[4096];
} vocabulary;

static uint32_t next_random(uint32_t *seed)
{
    *seed = *seed * 1664525u + 1013904223u;
    return *seed >> 8;
}

static void make_vocabulary(vocabulary *v)
{
    static const char *const accents[] = {"\xc3\xa9", "\xc3\xa4", "\xc3\xb1", "\xc3\xbc",
                                          "\xe6\x95\xb0", "\xe6\x8d\xae", "\xd0\xb4"};
    uint32_t seed = 12345;
    for (unsigned w = 0; w < 4096; w++) {
        size_t n = 0, length = 2 + next_random(&seed) % 9;
        for (size_t i = 0; i < length; i++) {
            uint32_t r = next_random(&seed);
            if (r % 97 == 0) {
                const char *a = accents[r % 7];
                memcpy(v->words[w] + n, a, strlen(a));
                n += strlen(a);
            } else {
                v->words[w][n++] = (char)('a' + r % 26);
            }
        }
        v->lengths[w] = (unsigned char)n;
    }
}

static size_t page_text(const vocabulary *v, char *out, size_t want, uint32_t *seed)
{
    size_t n = 0;
    while (n < want) {
        uint32_t r = next_random(seed);
        /* Skewed: small indexes are much more frequent. */
        uint64_t x = r % 4096;
        unsigned w = (unsigned)(x * x * x / (4096ull * 4096));
        memcpy(out + n, v->words[w], v->lengths[w]);
        n += v->lengths[w];
        out[n++] = r % 13 == 0 ? '\n' : ' ';
    }
    out[n++] = '\n';
    return n;
}

/*
 * Write the plain WET file and its gzip form (one member per record). Sets the gzip
 * file's middle member boundary (for the 2-thread inflate bound).
 */
static size_t write_inputs(const char *plain, const char *gzip, size_t target,
                           size_t *gzip_bytes, size_t *middle, unsigned *records)
{
    FILE *p = fopen(plain, "wb"), *g = fopen(gzip, "wb");
    if (p == NULL || g == NULL)
        die("bench_runner: cannot create the input");
    vocabulary *v = malloc(sizeof *v);
    make_vocabulary(v);
    struct libdeflate_compressor *c = libdeflate_alloc_compressor(6);
    size_t record_capacity = 64 * 1024;
    char *record = malloc(record_capacity);
    unsigned char *member = malloc(record_capacity + 1024);
    uint32_t seed = 1;
    size_t written = 0, compressed = 0;
    *middle = 0;
    unsigned id;
    for (id = 0; written < target; id++) {
        char body[40000];
        size_t length = page_text(v, body, 1000 + next_random(&seed) % 7000, &seed);
        int n = snprintf(record, record_capacity,
                         "WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: "
                         "http://site%u.example/page/%u\r\nWARC-Date: 2022-05-16T04:40:56Z\r\n"
                         "WARC-Record-ID: <urn:uuid:%08x-0000-4000-8000-000000000000>\r\n"
                         "WARC-Refers-To: <urn:uuid:%08x-1111-4000-8000-000000000000>\r\n"
                         "WARC-Block-Digest: sha1:%08X%08XABCDEFGHIJKLMNOP\r\n"
                         "WARC-Identified-Content-Language: eng\r\nContent-Type: "
                         "text/plain\r\nContent-Length: %zu\r\n\r\n",
                         id % 5000, id, id, id * 7u, id, id * 13u, length);
        memcpy(record + n, body, length);
        size_t total = (size_t)n + length;
        memcpy(record + total, "\r\n\r\n", 4);
        total += 4;
        size_t m = libdeflate_gzip_compress(c, record, total, member, record_capacity + 1024);
        if (m == 0 || fwrite(record, 1, total, p) != total || fwrite(member, 1, m, g) != m)
            die("bench_runner: cannot write the input");
        written += total;
        if (*middle == 0 && written >= target / 2)
            *middle = compressed + m;
        compressed += m;
    }
    libdeflate_free_compressor(c);
    free(record);
    free(member);
    free(v);
    if (fclose(p) != 0 || fclose(g) != 0)
        die("bench_runner: cannot write the input");
    *gzip_bytes = compressed;
    *records = id;
    return written;
}

static unsigned char *read_file(const char *path, size_t *length)
{
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0)
        die(path);
    unsigned char *data = malloc((size_t)st.st_size);
    size_t done = 0;
    while (done < (size_t)st.st_size) {
        ssize_t n = read(fd, data + done, (size_t)st.st_size - done);
        if (n <= 0)
            die(path);
        done += (size_t)n;
    }
    close(fd);
    *length = done;
    return data;
}

/* ---- bounds ---- */

/* read() + memcpy + write() of the file, 1 MiB at a time. */
static double floor_seconds(const char *input, const char *output, double *cpu)
{
    static char chunk[1 << 20], copy[1 << 20];
    double start = now(), cpu_start = cpu_seconds(RUSAGE_SELF);
    int in = open(input, O_RDONLY), out = open(output, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0)
        die("bench_runner: floor");
    ssize_t n;
    while ((n = read(in, chunk, sizeof chunk)) > 0) {
        memcpy(copy, chunk, (size_t)n);
        if (write(out, copy, (size_t)n) != n)
            die("bench_runner: floor write");
    }
    close(in);
    close(out);
    double seconds = now() - start;
    *cpu = cpu_seconds(RUSAGE_SELF) - cpu_start;
    unlink(output);
    sync(); /* its dirty pages are not the next run's to write back */
    return seconds;
}

typedef struct inflate_job {
    const unsigned char *data;
    size_t from, to; /* members starting in [from, to) */
    size_t out_bytes;
    int failed;
} inflate_job;

static void *inflate_members(void *arg)
{
    inflate_job *job = arg;
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    size_t capacity = 1 << 20;
    char *out = malloc(capacity);
    size_t at = job->from;
    while (at < job->to) {
        size_t used, produced;
        if (libdeflate_gzip_decompress_ex(d, job->data + at, job->to - at, out, capacity, &used,
                                          &produced) != LIBDEFLATE_SUCCESS) {
            job->failed = 1;
            break;
        }
        at += used;
        job->out_bytes += produced;
    }
    free(out);
    libdeflate_free_decompressor(d);
    return NULL;
}

/* libdeflate over the file's members on @p threads threads (1 or 2), from memory. */
static double inflate_seconds(const unsigned char *data, size_t length, size_t middle,
                              int threads, size_t expect, double *cpu)
{
    inflate_job jobs[2] = {{data, 0, threads == 2 ? middle : length, 0, 0},
                           {data, middle, length, 0, 0}};
    pthread_t t;
    double start = now(), cpu_start = cpu_seconds(RUSAGE_SELF);
    if (threads == 2 && pthread_create(&t, NULL, inflate_members, &jobs[1]) != 0)
        die("pthread_create");
    inflate_members(&jobs[0]);
    if (threads == 2)
        pthread_join(t, NULL);
    double seconds = now() - start;
    *cpu = cpu_seconds(RUSAGE_SELF) - cpu_start;
    size_t total = jobs[0].out_bytes + (threads == 2 ? jobs[1].out_bytes : 0);
    if (jobs[0].failed || jobs[1].failed || total != expect) {
        fprintf(stderr, "bench_runner: the inflate bound did not inflate the file\n");
        exit(2);
    }
    return seconds;
}

#ifdef HAVE_ISAL
/* ISA-L's streaming inflate over the same members, 1 thread. */
static double isal_seconds(const unsigned char *data, size_t length, size_t expect)
{
    static unsigned char out[1 << 20];
    struct inflate_state state;
    size_t total = 0;
    double start = now();
    isal_inflate_init(&state);
    state.crc_flag = ISAL_GZIP;
    state.next_in = (unsigned char *)data;
    state.avail_in = (uint32_t)length;
    while (state.avail_in > 0) {
        state.next_out = out;
        state.avail_out = sizeof out;
        if (isal_inflate(&state) != ISAL_DECOMP_OK)
            break;
        total += sizeof out - state.avail_out;
        if (state.block_state == ISAL_BLOCK_FINISH) {
            unsigned char *next = state.next_in;
            uint32_t left = state.avail_in;
            isal_inflate_reset(&state);
            state.crc_flag = ISAL_GZIP;
            state.next_in = next;
            state.avail_in = left;
        }
    }
    double seconds = now() - start;
    return total == expect ? seconds : -1;
}
#endif

/* ---- the runs ---- */

typedef struct measured {
    double seconds;
    double cpu; /* user + system seconds of all the run's threads */
    double rss_mib;
} measured;

static int run_once(const char *input, const char *output, const char *jobs, measured *m)
{
    /* The previous run's results are removed before the clock starts (as the floor's
     * copy is removed after it stops): deleting a large file is not the run's work. */
    char command[700];
    snprintf(command, sizeof command, "rm -rf '%s'; sync", output);
    if (system(command) != 0)
        return -1;
    double start = now();
    pid_t pid = fork();
    if (pid == 0) {
        ld_registry *registry = ld_registry_new();
        if (registry == NULL || ld_examples_register(registry) != LD_OK)
            _exit(3);
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 2); /* the summary line */
        char *argv[] = {(char *)"run", (char *)"--overwrite", (char *)"-j", (char *)jobs,
                        (char *)"--output", (char *)output, (char *)input, NULL};
        int status = ldrun_main(7, argv, registry);
        ld_registry_free(registry);
        _exit(status);
    }
    int status;
    struct rusage usage;
    if (pid < 0 || wait4(pid, &status, 0, &usage) < 0)
        return -1;
    m->seconds = now() - start;
    m->cpu = (double)usage.ru_utime.tv_sec + (double)usage.ru_utime.tv_usec / 1e6 +
             (double)usage.ru_stime.tv_sec + (double)usage.ru_stime.tv_usec / 1e6;
    m->rss_mib = (double)usage.ru_maxrss / 1024.0;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int best_run(const char *label, const char *input, const char *output, const char *jobs,
                    int repeat, size_t bytes, measured *best)
{
    best->seconds = 1e30;
    best->rss_mib = 0;
    for (int i = 0; i < repeat; i++) {
        measured m;
        if (run_once(input, output, jobs, &m) != 0) {
            fprintf(stderr, "bench_runner: %s failed\n", label);
            return -1;
        }
        if (m.seconds < best->seconds) {
            best->seconds = m.seconds;
            best->cpu = m.cpu;
        }
        if (m.rss_mib > best->rss_mib)
            best->rss_mib = m.rss_mib;
    }
    printf("%-40s %8.1f MB/s  %6.2f s  (cpu %5.2f s)  peak RSS %5.1f MiB\n", label,
           (double)bytes / 1e6 / best->seconds, best->seconds, best->cpu, best->rss_mib);
    return 0;
}

/* The Python reference pipeline: its own timing ("... in S s"), or -1. */
static double python_seconds(const char *wetbench, const char *examples, const char *input,
                             const char *output, double *cpu)
{
    double cpu_start = cpu_seconds(RUSAGE_CHILDREN);
    char command[2048];
    snprintf(command, sizeof command, "python3 '%s' '%s' '%s' '%s' 2>&1", wetbench, examples,
             input, output);
    FILE *p = popen(command, "r");
    if (p == NULL)
        return -1;
    char line[512];
    double seconds = -1;
    while (fgets(line, sizeof line, p) != NULL) {
        const char *in = strstr(line, " in ");
        if (in != NULL && strstr(line, " s = ") != NULL)
            seconds = atof(in + 4);
        else
            fputs(line, stderr);
    }
    int status = pclose(p);
    *cpu = cpu_seconds(RUSAGE_CHILDREN) - cpu_start; /* python's, whole (imports too) */
    unlink(output);
    return status == 0 ? seconds : -1;
}

static int missed;

static void ratio(const char *what, double value, double target, const char *unit)
{
    int ok = value >= target;
    missed |= !ok;
    printf("  %-52s %6.2f%s  target >= %.2f%s  %s\n", what, value, unit, target, unit,
           ok ? "met" : "MISSED");
}

int main(int argc, char **argv)
{
    size_t mib = argc > 1 ? (size_t)atol(argv[1]) : 512;
    const char *wetbench = argc > 2 ? argv[2] : NULL;
    const char *examples = getenv("LETSDATA_PYREF_EXAMPLES");
    int repeat = getenv("LD_BENCH_REPEAT") ? atoi(getenv("LD_BENCH_REPEAT")) : 2;
    if (repeat < 1)
        repeat = 1;
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char plain[512], gzip[512], output[512], scratch[512], command[1600];
    snprintf(plain, sizeof plain, "%s/letsdata-bench-%d.warc.wet", tmp, (int)getpid());
    snprintf(gzip, sizeof gzip, "%s/letsdata-bench-%d.warc.wet.gz", tmp, (int)getpid());
    snprintf(output, sizeof output, "%s/letsdata-bench-%d-out", tmp, (int)getpid());
    snprintf(scratch, sizeof scratch, "%s/letsdata-bench-%d.copy", tmp, (int)getpid());

    size_t gzip_bytes, middle;
    unsigned records;
    size_t bytes = write_inputs(plain, gzip, mib << 20, &gzip_bytes, &middle, &records);
    printf("input: %u records, %.1f MB plain WET, %.1f MB gzip (%.2fx, one member per "
           "record)\n\n",
           records, (double)bytes / 1e6, (double)gzip_bytes / 1e6,
           (double)bytes / (double)gzip_bytes);

    /* Bounds. */
    double floor_s = 1e30, inflate1 = 1e30, inflate2 = 1e30;
    double floor_cpu = 1e30, inflate1_cpu = 1e30, inflate2_cpu = 1e30, cpu;
    for (int i = 0; i < repeat + 1; i++) {
        double s = floor_seconds(plain, scratch, &cpu);
        if (s < floor_s)
            floor_s = s;
        if (cpu < floor_cpu)
            floor_cpu = cpu;
    }
    size_t gz_length;
    unsigned char *gz = read_file(gzip, &gz_length);
    for (int i = 0; i < repeat + 1; i++) {
        double c1, c2;
        double s1 = inflate_seconds(gz, gz_length, middle, 1, bytes, &c1);
        double s2 = inflate_seconds(gz, gz_length, middle, 2, bytes, &c2);
        if (s1 < inflate1)
            inflate1 = s1;
        if (s2 < inflate2)
            inflate2 = s2;
        if (c1 < inflate1_cpu)
            inflate1_cpu = c1;
        if (c2 < inflate2_cpu)
            inflate2_cpu = c2;
    }
    printf("%-40s %8.1f MB/s  %6.2f s  (cpu %5.2f s)\n", "floor: read + memcpy + write (plain)",
           (double)bytes / 1e6 / floor_s, floor_s, floor_cpu);
    printf("%-40s %8.1f MB/s  %6.2f s  (cpu %5.2f s; of gzip; %.0f MB/s out)\n",
           "bound: libdeflate, 1 thread", (double)gzip_bytes / 1e6 / inflate1, inflate1,
           inflate1_cpu, (double)bytes / 1e6 / inflate1);
    printf("%-40s %8.1f MB/s  %6.2f s  (cpu %5.2f s; %.2fx of 1 thread)\n",
           "bound: libdeflate, 2 threads", (double)gzip_bytes / 1e6 / inflate2, inflate2,
           inflate2_cpu, inflate1 / inflate2);
#ifdef HAVE_ISAL
    double isal = isal_seconds(gz, gz_length, bytes);
    if (isal > 0)
        printf("%-40s %8.1f MB/s  %6.2f s  (libdeflate is %.2fx faster)\n",
               "other inflater: ISA-L igzip, 1 thread", (double)gzip_bytes / 1e6 / isal, isal,
               isal / inflate1);
#endif
    free(gz);

    /* The runner. */
    measured p1, p2, g1, g2;
    int failed = best_run("run -j 1, plain", plain, output, "1", repeat, bytes, &p1);
    failed |= best_run("run -j 2, plain (one file)", plain, output, "2", repeat, bytes, &p2);
    failed |= best_run("run -j 1, gzip (MB/s of gzip)", gzip, output, "1", repeat, gzip_bytes,
                       &g1);
    failed |= best_run("run -j 2, gzip, one file (MB/s of gzip)", gzip, output, "2", repeat,
                       gzip_bytes, &g2);

    double py_plain = -1, py_gzip = -1, py_plain_cpu = 0, py_gzip_cpu = 0;
    if (wetbench != NULL && examples != NULL && access(wetbench, R_OK) == 0) {
        snprintf(scratch, sizeof scratch, "%s/letsdata-bench-%d-py.jsonl", tmp, (int)getpid());
        py_plain = python_seconds(wetbench, examples, plain, scratch, &py_plain_cpu);
        py_gzip = python_seconds(wetbench, examples, gzip, scratch, &py_gzip_cpu);
        if (py_plain > 0)
            printf("%-40s %8.1f MB/s  %6.2f s  (cpu %5.2f s)\n", "python reference, plain",
                   (double)bytes / 1e6 / py_plain, py_plain, py_plain_cpu);
        if (py_gzip > 0)
            printf("%-40s %8.1f MB/s  %6.2f s  (cpu %5.2f s; of gzip)\n",
                   "python reference, gzip", (double)gzip_bytes / 1e6 / py_gzip, py_gzip,
                   py_gzip_cpu);
        if (py_plain <= 0 || py_gzip <= 0)
            failed = 1;
    } else {
        printf("python reference: skipped (set LETSDATA_PYREF_EXAMPLES to a checkout of "
               "letsdata-python-examples)\n");
    }

    if (!failed) {
        printf("\nratios (same run):\n");
        ratio("plain -j 1 / read+write floor", 100 * floor_s / p1.seconds, 40, "%");
        ratio("gzip -j 1 / libdeflate 1-thread bound", 100 * inflate1 / g1.seconds, 70, "%");
        ratio("gzip -j 2 / gzip -j 1 (one file)", g1.seconds / g2.seconds, 1.6, "x");
        printf("  %-52s %6.2fx  (bound %.2fx)\n", "plain -j 2 / plain -j 1 (one file)",
               p1.seconds / p2.seconds, 2.0);
        /* On a loaded machine the second core may not be there to take: the CPU time
         * says what -j 2 costs in total, i.e. what it gives where both cores are free. */
        printf("  %-52s %6.2fx  (1.00 = no extra work)\n", "gzip -j 2 cpu / gzip -j 1 cpu",
               g2.cpu / g1.cpu);
        printf("  %-52s %6.2fx  (1.00 = no extra work)\n", "plain -j 2 cpu / plain -j 1 cpu",
               p2.cpu / p1.cpu);
        printf("  %-52s %6.2f   (%.2f cores busy)\n", "gzip -j 2: cpu seconds / wall seconds",
               g2.cpu / g2.seconds, g2.cpu / g2.seconds);
        /* The same ratios in CPU seconds: what a machine whose cores are free would show
         * for the -j 1 targets (a loaded machine stretches wall times unevenly). */
        printf("\nthe same in CPU seconds (robust to other load; not the targets' wall-clock "
               "measure):\n");
        printf("  %-52s %6.2f%%\n", "cpu: plain -j 1 / read+write floor",
               100 * floor_cpu / p1.cpu);
        printf("  %-52s %6.2f%%\n", "cpu: gzip -j 1 / libdeflate 1-thread bound",
               100 * inflate1_cpu / g1.cpu);
        if (py_plain > 0 && py_gzip > 0) {
            printf("  %-52s %6.2fx\n", "cpu: plain -j 1 vs python reference",
                   py_plain_cpu / p1.cpu);
            printf("  %-52s %6.2fx\n", "cpu: gzip -j 1 vs python reference",
                   py_gzip_cpu / g1.cpu);
        }
        ratio("peak RSS at -j 2, gzip (MiB, <= 64: 64 - RSS)", 64 - g2.rss_mib, 0, "");
        ratio("peak RSS at -j 2, plain (MiB, <= 64: 64 - RSS)", 64 - p2.rss_mib, 0, "");
        if (py_plain > 0 && py_gzip > 0) {
            ratio("plain -j 1 vs python reference", py_plain / p1.seconds, 10, "x");
            ratio("gzip -j 1 vs python reference", py_gzip / g1.seconds, 10, "x");
        }
    }
    if (getenv("LD_BENCH_KEEP_INPUT") != NULL) /* for profiling: keep the inputs */
        snprintf(command, sizeof command, "rm -rf '%s'; echo 'kept %s %s'", output, plain, gzip);
    else
        snprintf(command, sizeof command, "rm -rf '%s' '%s' '%s'", plain, gzip, output);
    if (system(command) != 0)
        failed = 1;
    return failed || missed ? 1 : 0;
}
