/*
 * bench_coldstart.c - cold start of one-shot mode: fork+exec `EXE invoke FILE` to the
 * response on stdout, median and percentiles over N runs, and the child's peak RSS
 * (wait4 ru_maxrss). Issue #3 targets: median <= 3 ms, peak RSS <= 4 MiB.
 *
 *   bench_coldstart EXE REQUEST_FILE [RUNS] [-- extra args before "invoke"...]
 *
 * SPDX-License-Identifier: MIT
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s EXE REQUEST_FILE [RUNS] [-- ARGS...]\n", argv[0]);
        return 2;
    }
    int runs = argc > 3 && strcmp(argv[3], "--") != 0 ? atoi(argv[3]) : 100;
    char *child_argv[32];
    int n = 0;
    child_argv[n++] = argv[1];
    for (int i = 3; i < argc && n < 28; i++) {
        if (strcmp(argv[i], "--") == 0) {
            for (int k = i + 1; k < argc && n < 28; k++)
                child_argv[n++] = argv[k];
            break;
        }
    }
    child_argv[n++] = (char *)"invoke";
    child_argv[n++] = argv[2];
    child_argv[n] = NULL;

    double *times = calloc((size_t)runs, sizeof *times);
    long max_rss_kb = 0, rss_sum = 0;
    for (int r = 0; r < runs; r++) {
        int out[2];
        if (pipe(out) != 0)
            return 2;
        double start = now_ms();
        pid_t pid = fork();
        if (pid == 0) {
            dup2(out[1], 1);
            close(out[0]);
            int null = open("/dev/null", O_WRONLY);
            dup2(null, 2);
            execv(child_argv[0], child_argv);
            _exit(127);
        }
        close(out[1]);
        char buffer[65536];
        size_t got = 0;
        ssize_t k;
        while ((k = read(out[0], buffer, sizeof buffer)) > 0)
            got += (size_t)k;
        int status;
        struct rusage usage;
        wait4(pid, &status, 0, &usage);
        times[r] = now_ms() - start;
        close(out[0]);
        if (got == 0 || !WIFEXITED(status) || WEXITSTATUS(status) > 1) {
            fprintf(stderr, "bench_coldstart: run %d failed (status %d, %zu bytes)\n", r,
                    status, got);
            return 1;
        }
        if (usage.ru_maxrss > max_rss_kb)
            max_rss_kb = usage.ru_maxrss;
        rss_sum += usage.ru_maxrss;
    }
    qsort(times, (size_t)runs, sizeof *times, compare);
    printf("cold start (%s invoke %s), %d runs:\n", child_argv[0], argv[2], runs);
    printf("  median %.2f ms, p10 %.2f ms, p90 %.2f ms, min %.2f ms (target median <= 3 ms)\n",
           times[runs / 2], times[runs / 10], times[runs * 9 / 10], times[0]);
    printf("  peak RSS: max %.2f MiB, mean %.2f MiB (target <= 4 MiB)\n", max_rss_kb / 1024.0,
           (double)rss_sum / runs / 1024.0);
    free(times);
    return 0;
}
