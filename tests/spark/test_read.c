/*
 * test_read.c - reading: text (lineSep, default separators, gzip members, U+FFFD),
 * directories (hidden files), several URIs, json, csv, parquet, URI rules, bad input.
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

#include <cmocka.h>

#include "spark_test.h"

typedef ldt_fixture fixture;
#define setup ldt_fixture_setup
#define teardown ldt_fixture_teardown
#define path_in ldt_path_in

/* Read uri as format with options (JSON text or NULL), register as t, return rows of sql. */
static char *read_query(fixture *f, const char *uri, const char *format, const char *options,
                        const char *sql)
{
    json_t *o = options ? json_loads(options, 0, NULL) : NULL;
    ld_spark_frame *frame = NULL;
    ld_error e;
    int rc = ld_spark_read_uri(f->s, uri, format, o, &frame, &e);
    json_decref(o);
    if (rc != LD_OK)
        fail_msg("read %s: %s", uri, e.message);
    assert_int_equal(ld_spark_frame_register(frame, "t", &e), LD_OK);
    char *out = ldt_query(f->s, sql, &e);
    if (out == NULL)
        fail_msg("query: %s", e.message);
    ld_spark_frame_free(frame);
    return out;
}

static void test_text_line_sep(void **state)
{
    fixture *f = *state;
    char *p = path_in(f, "wet.txt");
    const char data[] = "rec one\r\nline\n\r\n\r\nrec two\n\r\n\r\n\n\r\n\r\nlast";
    ldt_write_file(p, data, sizeof data - 1);
    char *out = read_query(f, p, "text", "{\"lineSep\": \"\\n\\r\\n\\r\\n\"}",
                           "SELECT replace(replace(value, chr(13), 'CR'), chr(10), 'LF') FROM t");
    /* An empty record between two separators is kept; none after the last one. */
    assert_string_equal(out, "rec oneCRLFline\nrec two\n\nlast\n");
    free(out);
    /* A separator at the very end makes no empty last record. */
    ldt_write_file(p, "a||b||", 6);
    out = read_query(f, p, "text", "{\"lineSep\": \"||\"}", "SELECT value FROM t");
    assert_string_equal(out, "a\nb\n");
    free(out);
    free(p);
}

static void test_text_default_separators(void **state)
{
    fixture *f = *state;
    char *p = path_in(f, "lines.txt");
    ldt_write_file(p, "a\nb\r\nc\rd\n\ne", 11);
    char *out = read_query(f, p, "text", NULL, "SELECT count(*), string_agg(value, ',') FROM t");
    assert_string_equal(out, "6|a,b,c,d,,e\n");
    free(out);
    free(p);
}

static void test_text_gzip_members_and_utf8(void **state)
{
    fixture *f = *state;
    char *p = path_in(f, "multi.wet.gz");
    /* Three members, the separator split across two of them, invalid UTF-8 inside. */
    ldt_append_gzip_member(p, "caf\xc3\xa9 one\n\r\n", 12);
    ldt_append_gzip_member(p, "\r\nbad \xff\xfe byte\n\r\n\r\n", 18);
    ldt_append_gzip_member(p, "trunc \xe2\x82 end", 12);
    char *out = read_query(f, p, "text", "{\"lineSep\": \"\\n\\r\\n\\r\\n\"}", "SELECT value FROM t");
    assert_string_equal(out, "caf\xc3\xa9 one\nbad \xef\xbf\xbd\xef\xbf\xbd byte\ntrunc \xef\xbf\xbd end\n");
    free(out);
    ld_spark_stats st;
    ld_spark_session_stats(f->s, &st);
    assert_int_equal(st.rows_read, 3);
    assert_true(st.bytes_read > 0);
    free(p);
}

/* Well-formed 2-, 3- and 4-byte sequences pass; surrogates and overlongs do not. */
static void test_text_utf8_edges(void **state)
{
    fixture *f = *state;
    char *p = path_in(f, "utf8.txt");
    const char data[] = "ok \xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80\xef\xbf\xbf end\n"
                        "sur \xed\xa0\x80 x\n"
                        "over \xc0\xaf y\n"
                        "cut \xf0\x9f\x98\n";
    ldt_write_file(p, data, sizeof data - 1);
    char *out = read_query(f, p, "text", NULL, "SELECT value FROM t");
    assert_string_equal(out, "ok \xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80\xef\xbf\xbf end\n"
                             "sur \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd x\n"
                             "over \xef\xbf\xbd\xef\xbf\xbd y\n"
                             "cut \xef\xbf\xbd\n");
    free(out);
    free(p);
}

static void test_directory_and_several_uris(void **state)
{
    fixture *f = *state;
    char *d = path_in(f, "in");
    char *cmd = NULL;
    assert_true(asprintf(&cmd, "mkdir -p %s", d) > 0);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    const char *names[] = {"b.txt", "a.txt", "_SUCCESS", ".a.txt.crc", "_temporary"};
    const char *bodies[] = {"b1\nb2\n", "a1\n", "", "junk\n", "junk\n"};
    for (int i = 0; i < 5; i++) {
        char *p = NULL;
        assert_true(asprintf(&p, "%s/%s", d, names[i]) > 0);
        ldt_write_file(p, bodies[i], strlen(bodies[i]));
        free(p);
    }
    char *out = read_query(f, d, "text", NULL, "SELECT value FROM t");
    assert_string_equal(out, "a1\nb1\nb2\n");
    free(out);
    /* file:// URIs and several URIs as one frame, in order. */
    char *a = NULL, *b = NULL;
    assert_true(asprintf(&a, "file://%s/b.txt", d) > 0);
    assert_true(asprintf(&b, "%s/a.txt", d) > 0);
    const char *uris[] = {a, b};
    ld_spark_frame *frame = NULL;
    ld_error e;
    assert_int_equal(ld_spark_read(f->s, uris, 2, "text", NULL, &frame, &e), LD_OK);
    assert_int_equal(ld_spark_frame_register(frame, "two", &e), LD_OK);
    out = ldt_query(f->s, "SELECT value FROM two", &e);
    assert_string_equal(out, "b1\nb2\na1\n");
    uint64_t n = 0;
    assert_int_equal(ld_spark_frame_count(frame, &n, &e), LD_OK);
    assert_int_equal(n, 3);
    free(out);
    ld_spark_frame_free(frame);
    free(a);
    free(b);
    free(d);
}

static void test_s3_bucket_mapping(void **state)
{
    fixture *f = *state;
    char *d = path_in(f, "bucket");
    char *cmd = NULL;
    assert_true(asprintf(&cmd, "mkdir -p %s/prefix", d) > 0);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    char *p = NULL;
    assert_true(asprintf(&p, "%s/prefix/x.txt", d) > 0);
    ldt_write_file(p, "from s3\n", 8);
    free(p);
    ld_error e;
    ld_spark_frame *frame = NULL;
    /* Unmapped, with no S3 to reach (a closed loopback port, one attempt): an error
       naming the URI (tests/spark/test_s3.c reads and writes through a fake S3). */
    setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9", 1);
    setenv("AWS_MAX_ATTEMPTS", "1", 1);
    setenv("AWS_REGION", "eu-west-3", 1);
    setenv("AWS_ACCESS_KEY_ID", "AKIDNOTHING", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "nothing", 1);
    assert_true(ld_spark_read_uri(f->s, "s3a://my-bucket/prefix/x.txt", "text", NULL, &frame, &e) < 0);
    assert_non_null(strstr(e.message, "s3a://my-bucket/prefix/x.txt"));
    assert_null(frame);
    assert_int_equal(ld_spark_session_map_bucket(f->s, "my-bucket", d, &e), LD_OK);
    char *out = read_query(f, "s3a://my-bucket/prefix/x.txt", "text", NULL, "SELECT value FROM t");
    assert_string_equal(out, "from s3\n");
    free(out);
    out = read_query(f, "s3://my-bucket/prefix/", "text", NULL, "SELECT value FROM t");
    assert_string_equal(out, "from s3\n");
    free(out);
    assert_int_equal(ld_spark_session_map_bucket(f->s, "a/b", d, &e), LD_ERR_INVALID);
    assert_int_equal(ld_spark_session_map_bucket(f->s, "b", "relative", &e), LD_ERR_INVALID);
    free(d);
}

static void test_bucket_dirs_from_environment(void **state)
{
    fixture *f = *state;
    char *p = path_in(f, "env.txt");
    ldt_write_file(p, "env\n", 4);
    char *value = NULL;
    assert_true(asprintf(&value, "other=/nowhere:envb=%s", f->dir) > 0);
    setenv("LETSDATA_BUCKET_DIRS", value, 1);
    ld_spark_session *s = ldt_session();
    unsetenv("LETSDATA_BUCKET_DIRS");
    ld_spark_frame *frame = NULL;
    ld_error e;
    assert_int_equal(ld_spark_read_uri(s, "s3://envb/env.txt", "text", NULL, &frame, &e), LD_OK);
    uint64_t n = 0;
    assert_int_equal(ld_spark_frame_count(frame, &n, &e), LD_OK);
    assert_int_equal(n, 1);
    ld_spark_frame_free(frame);
    ld_spark_session_free(s);
    setenv("LETSDATA_BUCKET_DIRS", "no-equals-sign", 1);
    s = NULL;
    assert_int_equal(ld_spark_session_new(NULL, &s, &e), LD_ERR_INVALID);
    assert_non_null(strstr(e.message, "no-equals-sign"));
    assert_null(s);
    unsetenv("LETSDATA_BUCKET_DIRS");
    free(value);
    free(p);
}

static void test_json_csv(void **state)
{
    fixture *f = *state;
    char *p = path_in(f, "in.json.gz");
    ldt_append_gzip_member(p, "{\"b\": 1, \"a\": \"x\"}\n", 19);
    ldt_append_gzip_member(p, "{\"a\": \"y\", \"c\": true}\n", 22);
    /* Spark sorts inferred JSON fields by name. */
    char *out = read_query(f, p, "json", NULL, "SELECT * FROM t");
    assert_string_equal(out, "x|1|NULL\ny|NULL|true\n");
    free(out);
    free(p);

    p = path_in(f, "in.csv");
    const char csv[] = "name;n\n\"a;b\";1\nc;\n";
    ldt_write_file(p, csv, sizeof csv - 1);
    out = read_query(f, p, "csv", "{\"header\": true, \"sep\": \";\"}",
                     "SELECT name, n, typeof(n) FROM t");
    assert_string_equal(out, "a;b|1|VARCHAR\nc|NULL|VARCHAR\n");
    free(out);
    out = read_query(f, p, "csv", "{\"header\": \"true\", \"sep\": \";\", \"inferSchema\": true}",
                     "SELECT typeof(n) FROM t LIMIT 1");
    assert_string_equal(out, "BIGINT\n");
    free(out);
    /* Without a header: _c0, _c1, ... */
    out = read_query(f, p, "csv", "{\"sep\": \";\"}", "SELECT _c0, _c1 FROM t");
    assert_string_equal(out, "name|n\na;b|1\nc|NULL\n");
    free(out);
    free(p);
}

static void test_bad_input(void **state)
{
    fixture *f = *state;
    ld_spark_frame *frame = NULL;
    ld_error e;
    char *p = path_in(f, "x.txt");
    ldt_write_file(p, "x\n", 2);
    assert_int_equal(ld_spark_read_uri(f->s, p, "avro", NULL, &frame, &e), LD_ERR_INVALID);
    assert_non_null(strstr(e.message, "'avro'"));
    json_t *unknown = json_pack("{s:s}", "wholetext", "true");
    assert_int_equal(ld_spark_read_uri(f->s, p, "text", unknown, &frame, &e), LD_ERR_INVALID);
    json_decref(unknown);
    assert_non_null(strstr(e.message, "wholetext"));
    char *missing = path_in(f, "missing.txt");
    assert_int_equal(ld_spark_read_uri(f->s, missing, "text", NULL, &frame, &e), LD_ERR_NOT_FOUND);
    assert_non_null(strstr(e.message, missing));
    assert_int_equal(ld_spark_read_uri(f->s, "hdfs://x/y", "text", NULL, &frame, &e), LD_ERR_INVALID);
    assert_null(frame);

    /* Corrupt gzip and corrupt parquet: errors naming the file. */
    char *gz = path_in(f, "bad.txt.gz");
    ldt_append_gzip_member(gz, "hello\n", 6);
    ldt_write_file(gz, "\x1f\x8b\x08\x00garbage-garbage-garbage", 28);
    assert_int_equal(ld_spark_read_uri(f->s, gz, "text", NULL, &frame, &e), LD_OK);
    uint64_t n;
    assert_int_equal(ld_spark_frame_count(frame, &n, &e), LD_ERR_INVALID);
    assert_non_null(strstr(e.message, "corrupt gzip"));
    assert_non_null(strstr(e.message, gz));
    ld_spark_frame_free(frame);
    frame = NULL;
    /* Truncated gzip (a member cut short) is an error, not a short read. */
    char *cut = path_in(f, "cut.txt.gz");
    ldt_append_gzip_member(cut, "0123456789abcdefghij\n", 21);
    char *all = ldt_read_file(cut, NULL);
    free(all);
    {
        FILE *fp = fopen(cut, "rb");
        unsigned char buf[256];
        size_t len = fread(buf, 1, sizeof buf, fp);
        fclose(fp);
        ldt_write_file(cut, buf, len - 6);
    }
    assert_int_equal(ld_spark_read_uri(f->s, cut, "text", NULL, &frame, &e), LD_OK);
    assert_int_equal(ld_spark_frame_count(frame, &n, &e), LD_ERR_INVALID);
    assert_non_null(strstr(e.message, "truncated"));
    ld_spark_frame_free(frame);
    frame = NULL;
    char *pq = path_in(f, "bad.parquet");
    ldt_write_file(pq, "PAR1 this is not parquet PAR1", 29);
    assert_int_equal(ld_spark_read_uri(f->s, pq, "parquet", NULL, &frame, &e), LD_ERR_INVALID);
    assert_non_null(strstr(e.message, "bad.parquet"));
    assert_null(frame);
    free(pq);
    free(cut);
    free(gz);
    free(missing);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_text_line_sep, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_default_separators, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_gzip_members_and_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_utf8_edges, setup, teardown),
        cmocka_unit_test_setup_teardown(test_directory_and_several_uris, setup, teardown),
        cmocka_unit_test_setup_teardown(test_s3_bucket_mapping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bucket_dirs_from_environment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_csv, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
