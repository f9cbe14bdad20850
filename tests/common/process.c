/*
 * process.c - see process.h.
 *
 * SPDX-License-Identifier: MIT
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "process.h"

extern char **environ;

static char *read_fd_file(FILE *f, size_t *length)
{
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    rewind(f);
    char *data = malloc((size_t)(size > 0 ? size : 0) + 1);
    if (data == NULL)
        return NULL;
    size_t n = fread(data, 1, (size_t)(size > 0 ? size : 0), f);
    data[n] = '\0';
    if (length)
        *length = n;
    return data;
}

int ldt_process_run(char *const argv[], const char *stdin_path, char *const env[],
                    ldt_process_result *result)
{
    memset(result, 0, sizeof *result);
    FILE *out = tmpfile(), *err = tmpfile();
    if (out == NULL || err == NULL) {
        if (out) fclose(out);
        if (err) fclose(err);
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        fclose(out);
        fclose(err);
        return -1;
    }
    if (pid == 0) {
        int in = open(stdin_path ? stdin_path : "/dev/null", O_RDONLY);
        if (in < 0)
            _exit(126);
        dup2(in, 0);
        dup2(fileno(out), 1);
        dup2(fileno(err), 2);
        for (char *const *e = env; e && *e; e++)
            putenv(*e);
        execv(argv[0], argv);
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        ;
    result->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    result->out = read_fd_file(out, &result->out_length);
    result->err = read_fd_file(err, NULL);
    fclose(out);
    fclose(err);
    return 0;
}

void ldt_process_result_free(ldt_process_result *result)
{
    free(result->out);
    free(result->err);
    memset(result, 0, sizeof *result);
}

char *ldt_temp_file(const void *data, size_t length)
{
    char *path = strdup("/tmp/letsdata-test-XXXXXX");
    if (path == NULL)
        return NULL;
    int fd = mkstemp(path);
    if (fd < 0) {
        free(path);
        return NULL;
    }
    const char *p = data;
    while (length > 0) {
        ssize_t n = write(fd, p, length);
        if (n <= 0)
            break;
        p += n;
        length -= (size_t)n;
    }
    close(fd);
    return path;
}
