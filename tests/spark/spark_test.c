/*
 * spark_test.c - helpers for the libletsdata-spark tests.
 *
 * SPDX-License-Identifier: MIT
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "spark_test.h"

char *ldt_temp_dir(void)
{
    const char *tmp = getenv("TMPDIR");
    char *path = NULL;
    assert_true(asprintf(&path, "%s/ld-spark-test.XXXXXX", tmp && *tmp ? tmp : "/tmp") > 0);
    assert_non_null(mkdtemp(path));
    return path;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void ldt_rm_rf(const char *path)
{
    nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

void ldt_write_file(const char *path, const void *data, size_t length)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, length, f), length);
    assert_int_equal(fclose(f), 0);
}

void ldt_append_gzip_member(const char *path, const void *data, size_t length)
{
    uLong bound = compressBound((uLong)length) + 64;
    unsigned char *out = malloc(bound);
    assert_non_null(out);
    z_stream z;
    memset(&z, 0, sizeof z);
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)length;
    z.next_out = out;
    z.avail_out = (uInt)bound;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t n = bound - z.avail_out;
    deflateEnd(&z);
    FILE *f = fopen(path, "ab");
    assert_non_null(f);
    assert_int_equal(fwrite(out, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
    free(out);
}

char *ldt_read_file(const char *path, size_t *length)
{
    size_t n = strlen(path);
    int gz = n > 3 && strcmp(path + n - 3, ".gz") == 0;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    if (gz) {
        gzFile g = gzopen(path, "rb");
        assert_non_null(g);
        int r;
        while ((r = gzread(g, buf + len, (unsigned)(cap - len - 1))) > 0) {
            len += (size_t)r;
            if (cap - len < 2) {
                cap *= 2;
                buf = realloc(buf, cap);
                assert_non_null(buf);
            }
        }
        assert_true(r >= 0);
        gzclose(g);
    } else {
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        size_t r;
        while ((r = fread(buf + len, 1, cap - len - 1, f)) > 0) {
            len += r;
            if (cap - len < 2) {
                cap *= 2;
                buf = realloc(buf, cap);
                assert_non_null(buf);
            }
        }
        fclose(f);
    }
    buf[len] = '\0';
    if (length)
        *length = len;
    return buf;
}

ld_spark_session *ldt_session(void)
{
    ld_spark_session *s = NULL;
    ld_error e;
    int rc = ld_spark_session_new(NULL, &s, &e);
    if (rc != LD_OK)
        fail_msg("session: %s", e.message);
    return s;
}

char *ldt_query(ld_spark_session *s, const char *sql, ld_error *error)
{
    ld_spark_frame *f = NULL;
    if (ld_spark_sql(s, sql, &f, error) != LD_OK)
        return NULL;
    ld_spark_rows *rows = NULL;
    if (ld_spark_rows_open(f, &rows, error) != LD_OK) {
        ld_spark_frame_free(f);
        return NULL;
    }
    size_t cap = 256, len = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    out[0] = '\0';
    int rc;
    while ((rc = ld_spark_rows_next(rows, error)) == 1) {
        for (size_t c = 0; c < ld_spark_rows_column_count(rows); c++) {
            size_t n = 0;
            const char *t = ld_spark_rows_text(rows, c, &n);
            if (t == NULL) {
                t = "NULL";
                n = 4;
            }
            while (len + n + 3 > cap) {
                cap *= 2;
                out = realloc(out, cap);
                assert_non_null(out);
            }
            if (c > 0)
                out[len++] = '|';
            memcpy(out + len, t, n);
            len += n;
        }
        out[len++] = '\n';
        out[len] = '\0';
    }
    ld_spark_rows_free(rows);
    ld_spark_frame_free(f);
    if (rc < 0) {
        free(out);
        return NULL;
    }
    return out;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char *ldt_list_dir(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    char *names[256];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 256)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof *names, cmp);
    size_t total = 1;
    for (size_t i = 0; i < n; i++)
        total += strlen(names[i]) + 1;
    char *out = calloc(1, total);
    assert_non_null(out);
    for (size_t i = 0; i < n; i++) {
        strcat(out, names[i]);
        strcat(out, "\n");
        free(names[i]);
    }
    return out;
}

char *ldt_part_file(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    char *found = NULL;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strncmp(e->d_name, "part-", 5) == 0) {
            assert_null(found);
            assert_true(asprintf(&found, "%s/%s", dir, e->d_name) > 0);
        }
    closedir(d);
    assert_non_null(found);
    return found;
}

int ldt_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

int ldt_fixture_setup(void **state)
{
    ldt_fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->dir = ldt_temp_dir();
    f->s = ldt_session();
    *state = f;
    return 0;
}

int ldt_fixture_teardown(void **state)
{
    ldt_fixture *f = *state;
    ld_spark_session_free(f->s);
    ldt_rm_rf(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

char *ldt_path_in(const ldt_fixture *f, const char *name)
{
    char *p = NULL;
    assert_true(asprintf(&p, "%s/%s", f->dir, name) > 0);
    return p;
}
