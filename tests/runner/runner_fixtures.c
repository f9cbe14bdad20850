/*
 * runner_fixtures.c - what the runner tests share: a scratch directory, the example
 * handlers, WET files (gzip members or plain), running `run` in-process, and reading
 * its results (see runner_fixtures.h).
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
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include <letsdata/letsdata.h>

#include "examples.h"
#include "runner.h"
#include "runner_fixtures.h"

char dir[256];
ld_registry *examples;
const char *runtime_exe, *examples_module;

int fixtures_setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/letsdata-runner-test-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return -1;
    examples = ld_registry_new();
    return ld_examples_register(examples);
}

int fixtures_teardown(void **state)
{
    (void)state;
    char command[512];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    int ignored = system(command);
    (void)ignored;
    ld_registry_free(examples);
    return 0;
}

/* One WET conversion record, Common Crawl style. */
void append_record(char **text, size_t *length, unsigned id, const char *body)
{
    char header[512];
    int n = snprintf(header, sizeof header,
                     "WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: http://site%u.example/"
                     "p\xc3\xa4ge\r\nWARC-Date: 2022-05-16T04:40:56Z\r\nWARC-Record-ID: "
                     "<urn:uuid:%08u-0000-4000-8000-000000000000>\r\n"
                     "WARC-Identified-Content-Language: deu\r\nContent-Type: text/plain\r\n"
                     "Content-Length: %zu\r\n\r\n",
                     id, id, strlen(body));
    *text = realloc(*text, *length + (size_t)n + strlen(body) + 5);
    memcpy(*text + *length, header, (size_t)n);
    *length += (size_t)n;
    memcpy(*text + *length, body, strlen(body));
    *length += strlen(body);
    memcpy(*text + *length, "\r\n\r\n", 4);
    *length += 4;
}

char *path_in(const char *name)
{
    char *path = NULL;
    assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
    return path;
}

void write_file(const char *path, const void *data, size_t length)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, length, f), length);
    fclose(f);
}

/* @p parts gzip members, one after the other (as WARC files are written). */
void write_gzip_members(const char *path, const char *data, size_t length, int parts)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    size_t step = length / (size_t)parts + 1;
    for (size_t off = 0; off < length; off += step) {
        size_t n = off + step > length ? length - off : step;
        uLongf bound = compressBound(n) + 64;
        unsigned char *out = malloc(bound);
        z_stream z = {0};
        assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
        z.next_in = (unsigned char *)data + off;
        z.avail_in = (uInt)n;
        z.next_out = out;
        z.avail_out = (uInt)bound;
        assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
        fwrite(out, 1, z.total_out, f);
        deflateEnd(&z);
        free(out);
    }
    fclose(f);
}

int run(char **args, int count)
{
    char *argv[32];
    argv[0] = (char *)"run";
    for (int i = 0; i < count; i++)
        argv[i + 1] = args[i];
    return ldrun_main(count + 1, argv, examples);
}

/* run(), with what it writes on stderr in *said (new). */
int run_capturing_stderr(char **args, int count, char **said)
{
    char path[300];
    snprintf(path, sizeof path, "%s/stderr.txt", dir);
    fflush(stderr);
    int saved = dup(2), fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(saved >= 0 && fd >= 0);
    dup2(fd, 2);
    close(fd);
    int status = run(args, count);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    FILE *f = fopen(path, "r");
    size_t size = 0;
    *said = NULL;
    assert_true(getdelim(said, &size, '\0', f) >= 0);
    fclose(f);
    return status;
}

json_t *summary(const char *out)
{
    char path[512];
    snprintf(path, sizeof path, "%s/summary.json", out);
    json_t *json = json_load_file(path, 0, NULL);
    assert_non_null(json);
    return json;
}

json_int_t count_of(const json_t *s, const char *key)
{
    return json_integer_value(json_object_get(s, key));
}

size_t lines_in(const char *out, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", out, name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t lines = 0;
    int c;
    while ((c = fgetc(f)) != EOF)
        lines += c == '\n';
    fclose(f);
    return lines;
}

/* Write @p files WET files of about @p records records each; return their paths. */
char **make_crawl(const char *stem, int files, unsigned records)
{
    char **paths = calloc((size_t)files + 1, sizeof *paths);
    for (int f = 0; f < files; f++) {
        char *text = NULL;
        size_t length = 0;
        char body[3000];
        for (unsigned r = 0; r < records; r++) {
            int n = snprintf(body, sizeof body, "file %d record %u ", f, r);
            memset(body + n, 'a' + (char)(r % 26), sizeof body - (size_t)n - 2);
            body[sizeof body - 2] = '\n';
            body[sizeof body - 1] = '\0';
            append_record(&text, &length, (unsigned)f * 100000u + r, body);
        }
        char name[128];
        snprintf(name, sizeof name, "%s-%02d.wet.gz", stem, f);
        paths[f] = path_in(name);
        write_gzip_members(paths[f], text, length, 3);
        free(text);
    }
    return paths;
}

void free_paths(char **paths)
{
    for (char **p = paths; *p; p++)
        free(*p);
    free(paths);
}

int files_equal(const char *a_dir, const char *b_dir, const char *name)
{
    char command[1200];
    snprintf(command, sizeof command, "cmp -s '%s/%s' '%s/%s'", a_dir, name, b_dir, name);
    return system(command) == 0;
}

int signal_when_checkpointed(pid_t pid, const char *path, const char *key, json_int_t at_least,
                             int signal_number, int *status)
{
    int sent = 0;
    for (int waited = 0; waited < 20000; waited++) {
        json_t *checkpoint = json_load_file(path, 0, NULL);
        json_int_t value = json_integer_value(json_object_get(checkpoint, key));
        json_decref(checkpoint);
        if (value >= at_least) {
            sent = kill(pid, signal_number) == 0;
            break;
        }
        if (waitpid(pid, status, WNOHANG) == pid)
            return 0; /* finished first */
        usleep(1000);
    }
    while (waitpid(pid, status, 0) < 0 && errno == EINTR)
        ;
    return sent;
}

int kill_when_checkpointed(pid_t pid, const char *path, const char *key, json_int_t at_least)
{
    int status = 0;
    return signal_when_checkpointed(pid, path, key, at_least, SIGKILL, &status) &&
           WIFSIGNALED(status);
}
