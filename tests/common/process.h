/*
 * process.h - run a child process for tests: stdin from a file, stdout/stderr captured.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LDT_PROCESS_H
#define LDT_PROCESS_H

#include <stddef.h>

/** What a finished child left behind. Free with ldt_process_result_free(). */
typedef struct ldt_process_result {
    int exit_status;  /**< exit status, or 128 + signal number */
    char *out;        /**< stdout (NUL-terminated) */
    size_t out_length;
    char *err;        /**< stderr (NUL-terminated) */
} ldt_process_result;

/**
 * Run @p argv (argv[0] is a path) with stdin from @p stdin_path (NULL: /dev/null) and
 * extra environment @p env ("NAME=value" strings, NULL-terminated, may be NULL).
 * @return 0, or -1 if the child could not be started.
 */
int ldt_process_run(char *const argv[], const char *stdin_path, char *const env[],
                    ldt_process_result *result);

void ldt_process_result_free(ldt_process_result *result);

/** Write @p length bytes to a new temporary file; returns its path (free()) or NULL. */
char *ldt_temp_file(const void *data, size_t length);

#endif /* LDT_PROCESS_H */
