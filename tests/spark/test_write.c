/*
 * test_write.c - writing: every format x compression read back, Spark's file names,
 * _SUCCESS last, every save mode, JSON's omitted nulls, timestamps and doubles, column
 * names with spaces and '#', and failures that leave nothing looking complete.
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
#include <sys/stat.h>

#include <cmocka.h>

#include "spark_test.h"

typedef ldt_fixture fixture;
#define setup ldt_fixture_setup
#define teardown ldt_fixture_teardown
#define path_in ldt_path_in

static ld_spark_frame *sql(fixture *f, const char *text)
{
    ld_spark_frame *frame = NULL;
    ld_error e;
    if (ld_spark_sql(f->s, text, &frame, &e) != LD_OK)
        fail_msg("sql: %s", e.message);
    return frame;
}

static int write_json_opts(ld_spark_frame *frame, const char *uri, const char *format,
                           const char *options, const char *mode, ld_error *e)
{
    json_t *o = options ? json_loads(options, 0, NULL) : NULL;
    int rc = ld_spark_write(frame, uri, format, o, mode, e);
    json_decref(o);
    return rc;
}

static const char *const sample_sql =
    "SELECT * FROM (VALUES "
    "(1, 'alpha', 1.5::DOUBLE, TIMESTAMPTZ '2023-12-12 01:40:15.123+00', ['x', 'y'], true),"
    "(2, NULL, NULL, NULL, NULL, false),"
    "(3, 'quote \" comma, tab\t', 1e7::DOUBLE, TIMESTAMPTZ '1999-01-02 03:04:05+02', [], NULL)"
    ") t(id, name, score, ts, tags, flag)";

/* Every format x compression: the file name Spark gives it, and the rows read back. */
static void test_round_trips(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *format, *compression, *ext;
    } cases[] = {
        {"json", "none", ".json"},       {"json", "gzip", ".json.gz"},
        {"json", "zstd", ".json.zst"},   {"csv", "none", ".csv"},
        {"csv", "gzip", ".csv.gz"},      {"csv", "zstd", ".csv.zst"},
        {"parquet", "none", ".parquet"}, {"parquet", "gzip", ".gz.parquet"},
        {"parquet", "zstd", ".zstd.parquet"}, {"parquet", "snappy", ".snappy.parquet"},
        {"text", "none", ".txt"},        {"text", "gzip", ".txt.gz"},
        {"text", "zstd", ".txt.zst"},
    };
    ld_spark_frame *all = sql(f, sample_sql);
    ld_spark_frame *text = sql(f, "SELECT name AS value FROM (VALUES ('a'), (NULL), ('c\"d')) t(name)");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *name = NULL, *options = NULL;
        assert_true(asprintf(&name, "out-%zu", i) > 0);
        assert_true(asprintf(&options, "{\"compression\": \"%s\", \"header\": true}", cases[i].compression) > 0);
        char *out = path_in(f, name);
        int is_text = strcmp(cases[i].format, "text") == 0;
        const char *opts = strcmp(cases[i].format, "csv") == 0 ? options : NULL;
        char plain[64];
        snprintf(plain, sizeof plain, "{\"compression\": \"%s\"}", cases[i].compression);
        ld_error e;
        int rc = write_json_opts(is_text ? text : all, out, cases[i].format, opts ? opts : plain,
                                 "errorifexists", &e);
        if (rc != LD_OK)
            fail_msg("%s/%s: %s", cases[i].format, cases[i].compression, e.message);
        char *listing = ldt_list_dir(out);
        char *part = ldt_part_file(out);
        /* part-00000-<uuid>-c000<ext>, then _SUCCESS, nothing else. */
        const char *base = strrchr(part, '/') + 1;
        assert_int_equal(strlen(base), strlen("part-00000-") + 36 + strlen("-c000") + strlen(cases[i].ext));
        assert_int_equal(strncmp(base, "part-00000-", 11), 0);
        assert_int_equal(strncmp(base + 11 + 36, "-c000", 5), 0);
        assert_string_equal(base + strlen(base) - strlen(cases[i].ext), cases[i].ext);
        assert_true(ldt_exists(out) && strstr(listing, "_SUCCESS\n") != NULL);
        assert_null(strstr(listing, "_temporary"));
        /* Read it back. */
        ld_spark_frame *back = NULL;
        const char *read_format = cases[i].format;
        json_t *ro = strcmp(read_format, "csv") == 0 ? json_pack("{s:b}", "header", 1) : NULL;
        {
            rc = ld_spark_read_uri(f->s, out, read_format, ro, &back, &e);
            if (rc != LD_OK)
                fail_msg("read back %s: %s", out, e.message);
            assert_int_equal(ld_spark_frame_register(back, "back", &e), LD_OK);
            char *rows = NULL;
            if (is_text)
                rows = ldt_query(f->s, "SELECT value FROM back", &e);
            else if (strcmp(read_format, "json") == 0)
                rows = ldt_query(f->s, "SELECT id, name, score, ts, tags, flag FROM back ORDER BY id", &e);
            else if (strcmp(read_format, "csv") == 0)
                rows = ldt_query(f->s, "SELECT id, name, score, ts, flag FROM back ORDER BY id", &e);
            else
                rows = ldt_query(f->s, "SELECT id, name, score, ts, tags, flag FROM back ORDER BY id", &e);
            if (rows == NULL)
                fail_msg("query back %s: %s", out, e.message);
            if (is_text)
                assert_string_equal(rows, "a\n\nc\"d\n");
            else if (strcmp(read_format, "csv") == 0)
                assert_string_equal(rows,
                                    "1|alpha|1.5|2023-12-12T01:40:15.123Z|true\n"
                                    "2|NULL|NULL|NULL|false\n"
                                    "3|quote \" comma, tab\t|10000000.0|1999-01-02T01:04:05.000Z|NULL\n");
            else if (strcmp(read_format, "json") == 0)
                /* JSON read back: timestamps come back as text, as Spark's (no inference). */
                assert_true(strstr(rows, "1|alpha|1.5|") == rows);
            else
                assert_string_equal(rows,
                                    "1|alpha|1.5|2023-12-12T01:40:15.123Z|[\"x\",\"y\"]|true\n"
                                    "2|NULL|NULL|NULL|NULL|false\n"
                                    "3|quote \" comma, tab\t|1.0E7|1999-01-02T01:04:05.000Z|[]|NULL\n");
            free(rows);
            ld_spark_frame_free(back);
        }
        json_decref(ro);
        free(listing);
        free(part);
        free(out);
        free(name);
        free(options);
    }
    ld_spark_frame_free(text);
    ld_spark_frame_free(all);
}

/* Spark's JSON writer: null fields omitted, timestamps with ms and Z, Java doubles. */
static void test_json_layout(void **state)
{
    fixture *f = *state;
    ld_spark_frame *all = sql(f, sample_sql);
    char *out = path_in(f, "json");
    ld_error e;
    assert_int_equal(write_json_opts(all, out, "json", NULL, NULL, &e), LD_OK);
    char *part = ldt_part_file(out);
    char *text = ldt_read_file(part, NULL);
    assert_string_equal(text,
                        "{\"id\":1,\"name\":\"alpha\",\"score\":1.5,\"ts\":\"2023-12-12T01:40:15.123Z\","
                        "\"tags\":[\"x\",\"y\"],\"flag\":true}\n"
                        "{\"id\":2,\"flag\":false}\n"
                        "{\"id\":3,\"name\":\"quote \\\" comma, tab\\t\",\"score\":1.0E7,"
                        "\"ts\":\"1999-01-02T01:04:05.000Z\",\"tags\":[]}\n");
    free(text);
    free(part);
    /* ignoreNullFields false keeps them. */
    char *out2 = path_in(f, "json-nulls");
    assert_int_equal(write_json_opts(all, out2, "json", "{\"ignoreNullFields\": false}", NULL, &e), LD_OK);
    part = ldt_part_file(out2);
    text = ldt_read_file(part, NULL);
    assert_non_null(strstr(text, "{\"id\":2,\"name\":null,\"score\":null,\"ts\":null,\"tags\":null,\"flag\":false}\n"));
    free(text);
    free(part);
    free(out2);
    ld_spark_frame_free(all);

    /* Column names with spaces and '#', maps and structs, Java's double forms. */
    ld_spark_frame *odd = sql(f, "SELECT 'en' AS language, 0.001::DOUBLE AS \"90th Percentile ContentLength\", "
                                 "42 AS \"# of Samples\", MAP {'k': 'v', 'n': NULL} AS m, "
                                 "{'a': 1, 'b': NULL} AS st, 123456.789::DOUBLE AS d, 1e-4::DOUBLE AS small, "
                                 "12.50::DECIMAL(5,2) AS dec, DATE '2024-02-29' AS day");
    char *out3 = path_in(f, "odd");
    assert_int_equal(write_json_opts(odd, out3, "json", "{\"compression\": \"gzip\"}", "overwrite", &e), LD_OK);
    part = ldt_part_file(out3);
    text = ldt_read_file(part, NULL);
    assert_string_equal(text, "{\"language\":\"en\",\"90th Percentile ContentLength\":0.001,\"# of Samples\":42,"
                              "\"m\":{\"k\":\"v\",\"n\":null},\"st\":{\"a\":1},\"d\":123456.789,"
                              "\"small\":1.0E-4,\"dec\":12.50,\"day\":\"2024-02-29\"}\n");
    free(text);
    free(part);
    /* The same names survive parquet and csv. */
    char *out4 = path_in(f, "odd-parquet");
    assert_int_equal(write_json_opts(odd, out4, "parquet", NULL, NULL, &e), LD_OK);
    ld_spark_frame *back = NULL;
    assert_int_equal(ld_spark_read_uri(f->s, out4, "parquet", NULL, &back, &e), LD_OK);
    assert_string_equal(ld_spark_frame_column_name(back, 1), "90th Percentile ContentLength");
    assert_string_equal(ld_spark_frame_column_name(back, 2), "# of Samples");
    ld_spark_frame_free(back);
    free(out4);
    free(out3);
    ld_spark_frame_free(odd);
    free(out);
}

static void test_modes(void **state)
{
    fixture *f = *state;
    ld_spark_frame *one = sql(f, "SELECT 1 AS n");
    ld_spark_frame *two = sql(f, "SELECT 2 AS n");
    char *out = path_in(f, "modes");
    char *success = path_in(f, "modes/_SUCCESS");
    ld_error e;
    uint64_t n;
    ld_spark_frame *back = NULL;

    assert_int_equal(write_json_opts(one, out, "json", NULL, "errorifexists", &e), LD_OK);
    /* errorifexists / error / NULL: refused, nothing changes. */
    assert_int_equal(write_json_opts(two, out, "json", NULL, "errorifexists", &e), LD_ERR_INVALID);
    assert_non_null(strstr(e.message, "already exists"));
    assert_int_equal(write_json_opts(two, out, "json", NULL, "error", &e), LD_ERR_INVALID);
    assert_int_equal(write_json_opts(two, out, "json", NULL, NULL, &e), LD_ERR_INVALID);
    /* ignore: nothing done. */
    assert_int_equal(write_json_opts(two, out, "json", NULL, "ignore", &e), LD_OK);
    assert_int_equal(ld_spark_read_uri(f->s, out, "json", NULL, &back, &e), LD_OK);
    assert_int_equal(ld_spark_frame_register(back, "b", &e), LD_OK);
    char *rows = ldt_query(f->s, "SELECT n FROM b ORDER BY n", &e);
    assert_string_equal(rows, "1\n");
    free(rows);
    /* append: another part (a frame lists its files when it is read: read again). */
    assert_int_equal(write_json_opts(two, out, "json", NULL, "append", &e), LD_OK);
    ld_spark_frame_free(back);
    assert_int_equal(ld_spark_read_uri(f->s, out, "json", NULL, &back, &e), LD_OK);
    assert_int_equal(ld_spark_frame_register(back, "b", &e), LD_OK);
    rows = ldt_query(f->s, "SELECT n FROM b ORDER BY n", &e);
    assert_string_equal(rows, "1\n2\n");
    free(rows);
    assert_true(ldt_exists(success));
    /* overwrite: only the new rows. */
    assert_int_equal(write_json_opts(two, out, "json", NULL, "overwrite", &e), LD_OK);
    ld_spark_frame_free(back);
    assert_int_equal(ld_spark_read_uri(f->s, out, "json", NULL, &back, &e), LD_OK);
    assert_int_equal(ld_spark_frame_register(back, "b", &e), LD_OK);
    rows = ldt_query(f->s, "SELECT n FROM b ORDER BY n", &e);
    assert_string_equal(rows, "2\n");
    free(rows);
    assert_int_equal(ld_spark_frame_count(back, &n, &e), LD_OK);
    assert_int_equal(n, 1);
    char *listing = ldt_list_dir(out);
    assert_non_null(strstr(listing, "_SUCCESS"));
    free(listing);
    ld_spark_frame_free(back);
    assert_int_equal(write_json_opts(two, out, "json", NULL, "upsert", &e), LD_ERR_INVALID);
    assert_non_null(strstr(e.message, "'upsert'"));
    free(success);
    free(out);
    ld_spark_frame_free(one);
    ld_spark_frame_free(two);
}

static void test_failures_leave_no_success(void **state)
{
    fixture *f = *state;
    ld_error e;
    ld_spark_frame *one = sql(f, "SELECT 1 AS n, 'x' AS s");
    char *out = path_in(f, "fail");
    char *success = path_in(f, "fail/_SUCCESS");
    assert_int_equal(write_json_opts(one, out, "json", NULL, "overwrite", &e), LD_OK);
    assert_true(ldt_exists(success));
    /* A query that fails while writing (a cast error on the second row). */
    ld_spark_frame *bad = sql(f, "SELECT CAST(v AS INTEGER) AS n FROM (VALUES ('1'), ('nope')) t(v)");
    assert_int_equal(write_json_opts(bad, out, "json", NULL, "overwrite", &e), LD_ERR_INVALID);
    assert_non_null(strstr(e.message, "nope"));
    assert_false(ldt_exists(success));
    char *listing = ldt_list_dir(out);
    assert_null(strstr(listing, "_temporary"));
    free(listing);
    assert_int_equal(write_json_opts(bad, out, "parquet", NULL, "overwrite", &e), LD_ERR_INVALID);
    assert_false(ldt_exists(success));
    /* A corrupt gzip input: no _SUCCESS, the error names the file. */
    char *gz = path_in(f, "bad.txt.gz");
    ldt_append_gzip_member(gz, "ok\n", 3);
    FILE *fp = fopen(gz, "ab");
    fputs("\x1f\x8b\x08\x00 not gzip at all", fp);
    fclose(fp);
    ld_spark_frame *in = NULL;
    assert_int_equal(ld_spark_read_uri(f->s, gz, "text", NULL, &in, &e), LD_OK);
    assert_int_equal(write_json_opts(in, out, "json", NULL, "overwrite", &e), LD_ERR_INVALID);
    assert_non_null(strstr(e.message, "corrupt gzip"));
    assert_non_null(strstr(e.message, "bad.txt.gz"));
    assert_false(ldt_exists(success));
    ld_spark_frame_free(in);
    /* Bad arguments: unknown format, option, compression; text needs one VARCHAR column. */
    assert_int_equal(write_json_opts(one, out, "orc", NULL, "overwrite", &e), LD_ERR_INVALID);
    assert_non_null(strstr(e.message, "'orc'"));
    assert_int_equal(write_json_opts(one, out, "json", "{\"compression\": \"lzma\"}", "overwrite", &e), LD_ERR_INVALID);
    assert_non_null(strstr(e.message, "lzma"));
    assert_int_equal(write_json_opts(one, out, "json", "{\"colour\": \"red\"}", "overwrite", &e), LD_ERR_INVALID);
    assert_non_null(strstr(e.message, "colour"));
    assert_int_equal(write_json_opts(one, out, "text", NULL, "overwrite", &e), LD_ERR_INVALID);
    assert_non_null(strstr(e.message, "one column"));
    assert_false(ldt_exists(success));
    /* An unwritable place. */
    assert_int_equal(write_json_opts(one, "/proc/ld-spark-no/out", "json", NULL, "overwrite", &e), LD_ERR_IO);
    ld_spark_frame_free(bad);
    ld_spark_frame_free(one);
    free(gz);
    free(success);
    free(out);
}

/* zstd text is read back by extension; a cut zstd file is an error, not a short read. */
static void test_zstd_text_cut(void **state)
{
    fixture *f = *state;
    ld_spark_frame *many = sql(f, "SELECT 'line ' || range AS value FROM range(100000)");
    char *out = path_in(f, "zst");
    ld_error e;
    assert_int_equal(write_json_opts(many, out, "text", "{\"compression\": \"zstd\"}", NULL, &e), LD_OK);
    char *part = ldt_part_file(out);
    ld_spark_frame *back = NULL;
    uint64_t n = 0;
    assert_int_equal(ld_spark_read_uri(f->s, part, "text", NULL, &back, &e), LD_OK);
    assert_int_equal(ld_spark_frame_count(back, &n, &e), LD_OK);
    assert_int_equal(n, 100000);
    ld_spark_frame_free(back);
    size_t length = 0;
    FILE *fp = fopen(part, "rb");
    char *bytes = malloc(1 << 20);
    length = fread(bytes, 1, 1 << 20, fp);
    fclose(fp);
    ldt_write_file(part, bytes, length / 2);
    assert_int_equal(ld_spark_read_uri(f->s, part, "text", NULL, &back, &e), LD_OK);
    assert_int_equal(ld_spark_frame_count(back, &n, &e), LD_ERR_INVALID);
    assert_non_null(strstr(e.message, "zstd"));
    ld_spark_frame_free(back);
    free(bytes);
    free(part);
    free(out);
    ld_spark_frame_free(many);
}

static void test_stats(void **state)
{
    fixture *f = *state;
    ld_spark_frame *three = sql(f, "SELECT range AS n FROM range(3)");
    char *out = path_in(f, "stats");
    ld_error e;
    assert_int_equal(write_json_opts(three, out, "json", NULL, NULL, &e), LD_OK);
    ld_spark_stats st;
    ld_spark_session_stats(f->s, &st);
    assert_int_equal(st.rows_written, 3);
    assert_int_equal(st.files_written, 1);
    assert_int_equal(st.bytes_written, strlen("{\"n\":0}\n") * 3);
    ld_spark_frame_free(three);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trips, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_layout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_modes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failures_leave_no_success, setup, teardown),
        cmocka_unit_test_setup_teardown(test_zstd_text_cut, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stats, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
