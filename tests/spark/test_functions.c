/*
 * test_functions.c - the spark_* SQL functions (Spark's behaviour where DuckDB's
 * differs), C UDFs with strings, lists and maps, row iteration and Arrow streams.
 *
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "spark_test.h"

static int setup(void **state)
{
    *state = ldt_session();
    return 0;
}

static int teardown(void **state)
{
    ld_spark_session_free(*state);
    return 0;
}

static void expect(ld_spark_session *s, const char *sql, const char *rows)
{
    ld_error e;
    char *out = ldt_query(s, sql, &e);
    if (out == NULL)
        fail_msg("%s: %s", sql, e.message);
    if (strcmp(out, rows) != 0)
        fail_msg("%s:\n got: '%s'\nwant: '%s'", sql, out, rows);
    free(out);
}

static void test_trim(void **state)
{
    ld_spark_session *s = *state;
    /* Java's \s includes \x0B; control bytes like \x7f are not whitespace. */
    expect(s, "SELECT '[' || spark_trim(chr(11) || chr(9) || ' a b ' || chr(12) || chr(13) || chr(10)) || ']'", "[a b]\n");
    expect(s, "SELECT '[' || spark_trim(chr(127) || ' x') || ']'", "[\x7f x]\n");
    /* Java's $ matches before a final U+2028/U+2029/U+0085: the space there goes. */
    expect(s, "SELECT spark_trim('a ' || chr(8232)) = 'a' || chr(8232), spark_trim('a ' || chr(133)) = 'a' || chr(133)",
           "true|true\n");
    /* ...but not before one that is not final. */
    expect(s, "SELECT spark_trim('a ' || chr(8232) || 'b') = 'a ' || chr(8232) || 'b'", "true\n");
    expect(s, "SELECT '[' || spark_trim('   ') || ']', spark_trim(NULL)", "[]|NULL\n");
}

static void test_casts(void **state)
{
    ld_spark_session *s = *state;
    expect(s,
           "SELECT spark_cast_int(v) FROM (VALUES (' 42 '), ('12.7'), ('-12.7'), ('1e3'), ('abc'), (''), "
           "('+7'), ('-'), ('2147483647'), ('2147483648'), ('-2147483648'), (chr(9) || '7' || chr(127)), "
           "('12.'), ('1 2'), ('0x10'), (NULL)) t(v)",
           "42\n12\n-12\nNULL\nNULL\nNULL\n7\nNULL\n2147483647\nNULL\n-2147483648\n7\n12\nNULL\nNULL\nNULL\n");
    expect(s, "SELECT spark_cast_bigint('9223372036854775807'), spark_cast_bigint('9223372036854775808'), "
              "spark_cast_bigint('-9223372036854775808')",
           "9223372036854775807|NULL|-9223372036854775808\n");
    /* Timestamps: offsets, zone names, a UTC suffix; instants written with ms and Z. */
    expect(s,
           "SELECT spark_to_timestamp(v) FROM (VALUES ('2023-12-12T01:40:15Z'), ('2023-12-12T05:00:00+02:00'), "
           "('2023-12-12T01:40:15UTC'), ('2023-12-12 01:40:15.5 UTC'), ('2023-12-12T01:40:15 America/New_York'), "
           "(' 2023-12-12T01:40:15Z '), ('2023-12-12'), ('not a date'), (NULL)) t(v)",
           "2023-12-12T01:40:15.000Z\n2023-12-12T03:00:00.000Z\n2023-12-12T01:40:15.000Z\n"
           "2023-12-12T01:40:15.500Z\n2023-12-12T06:40:15.000Z\n2023-12-12T01:40:15.000Z\n"
           "2023-12-12T00:00:00.000Z\nNULL\nNULL\n");
}

static void test_split_and_maps(void **state)
{
    ld_spark_session *s = *state;
    /* Leftmost delimiter wins; empty pieces are kept (Spark's split with limit -1). */
    expect(s, "SELECT spark_split_any('a: b\r\nc: d: e\r\n', [': ', chr(13) || chr(10)])",
           "[\"a\",\"b\",\"c\",\"d\",\"e\",\"\"]\n");
    expect(s, "SELECT spark_split_any('', [',']), spark_split_any('x', ['']), spark_split_any(NULL, [','])",
           "[\"\"]|[\"x\"]|NULL\n");
    /* Duplicate keys keep the last value at the first position; an odd tail is ignored. */
    expect(s, "SELECT spark_map_from_pairs(['k', '1', 'j', '2', 'k', '3', 'odd'])", "{\"k\":\"3\",\"j\":\"2\"}\n");
    expect(s, "SELECT spark_map_from_pairs(['k', '1', 'k', '2'])['k'], cardinality(spark_map_from_pairs([]::VARCHAR[]))",
           "2|0\n");
    expect(s, "SELECT spark_map_from_pairs(['k', NULL])", "{\"k\":null}\n");
    ld_error e;
    assert_null(ldt_query(s, "SELECT spark_map_from_pairs([NULL, 'v'])", &e));
    assert_non_null(strstr(e.message, "map key is NULL"));
}

/* The expected percentile, computed here the way Spark's Percentile does. */
static double spark_percentile(double *sorted, size_t n, double p)
{
    double position = (double)(n - 1) * p;
    double lower = floor(position), higher = ceil(position);
    double lo = sorted[(size_t)lower], hi = sorted[(size_t)higher];
    if (lower == higher || lo == hi)
        return lo;
    return (higher - position) * lo + (position - lower) * hi;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void test_percentile_and_count(void **state)
{
    ld_spark_session *s = *state;
    double values[] = {1, 2, 3, 10};
    char want[128];
    snprintf(want, sizeof want, "%.17g|4\n", spark_percentile(values, 4, 0.9));
    ld_error e;
    char *out = ldt_query(s, "SELECT printf('%.17g', spark_percentile(x, 0.9)), count(x) "
                             "FROM (VALUES (10), (NULL), (2), (1), (3)) t(x)", &e);
    assert_non_null(out);
    assert_string_equal(out, want);
    free(out);
    /* Many values, several p: the same doubles, bit for bit. */
    double many[101];
    for (int i = 0; i < 101; i++)
        many[i] = (double)((i * 7919) % 1013) / 7.0;
    qsort(many, 101, sizeof many[0], cmp_double);
    const double ps[] = {0, 0.1, 0.25, 0.5, 0.9, 0.99, 1};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
        char sql[256], expected[64];
        snprintf(sql, sizeof sql,
                 "SELECT printf('%%.17g', spark_percentile(((i * 7919) %% 1013) / 7.0, %.17g)) "
                 "FROM range(101) t(i)", ps[i]);
        snprintf(expected, sizeof expected, "%.17g\n", spark_percentile(many, 101, ps[i]));
        expect(s, sql, expected);
    }
    /* Group by with a NULL group, as the reducer does; the names keep spaces and '#'. */
    expect(s, "SELECT language, spark_percentile(len, 0.5) AS \"90th Percentile ContentLength\", "
              "count(len) AS \"# of Samples\" FROM (VALUES ('en', 1), ('en', 4), (NULL, 5), ('fr', NULL)) t(language, len) "
              "GROUP BY language ORDER BY \"# of Samples\" DESC, language",
           "en|2.5|2\nNULL|5.0|1\nfr|NULL|0\n");
    assert_null(ldt_query(s, "SELECT spark_percentile(x, 1.5) FROM (VALUES (1)) t(x)", &e));
    assert_non_null(strstr(e.message, "1.5"));
}

/* ---- UDFs ---- */

static void headers_udf(ld_spark_udf_call *call, void *payload)
{
    (void)payload;
    size_t n;
    const char *h = ld_spark_udf_arg_text(call, 0, &n);
    ld_spark_udf_result_map_begin(call);
    const char *end = h + n;
    while (h < end) {
        const char *eol = memchr(h, '\n', (size_t)(end - h));
        const char *line_end = eol ? eol : end;
        const char *colon = memchr(h, ':', (size_t)(line_end - h));
        if (colon != NULL)
            ld_spark_udf_result_map_put_text(call, h, (size_t)(colon - h), colon + 1,
                                             (size_t)(line_end - colon - 1));
        h = eol ? eol + 1 : end;
    }
}

static void words_udf(ld_spark_udf_call *call, void *payload)
{
    const char *sep = payload;
    size_t n;
    const char *t = ld_spark_udf_arg_text(call, 0, &n);
    ld_spark_udf_result_list_begin(call);
    size_t start = 0;
    for (size_t i = 0; i <= n; i++)
        if (i == n || t[i] == *sep) {
            ld_spark_udf_result_list_append_text(call, t + start, i - start);
            start = i + 1;
        }
}

static void sum_udf(ld_spark_udf_call *call, void *payload)
{
    (void)payload;
    double total = 0;
    size_t n = ld_spark_udf_arg_list_length(call, 0);
    for (size_t j = 0; j < n; j++)
        total += ld_spark_udf_arg_list_double(call, 0, j);
    ld_spark_udf_result_double(call, total * (double)ld_spark_udf_arg_int64(call, 1));
}

static void map_size_udf(ld_spark_udf_call *call, void *payload)
{
    (void)payload;
    size_t n = ld_spark_udf_arg_list_length(call, 0), vlen = 0;
    int64_t total = 0;
    for (size_t j = 0; j < n; j++) {
        size_t klen;
        ld_spark_udf_arg_map_key(call, 0, j, &klen);
        if (ld_spark_udf_arg_map_value(call, 0, j, &vlen) != NULL)
            total += (int64_t)(klen + vlen);
    }
    ld_spark_udf_result_int64(call, total);
}

static void nullable_udf(ld_spark_udf_call *call, void *payload)
{
    (void)payload;
    if (ld_spark_udf_arg_is_null(call, 0))
        ld_spark_udf_result_text(call, "was null", 8);
    else if (ld_spark_udf_arg_int64(call, 0) < 0)
        ld_spark_udf_result_error(call, "negative value %lld", (long long)ld_spark_udf_arg_int64(call, 0));
    /* else: no result = NULL */
}

static int freed;
static void free_counter(void *p)
{
    (void)p;
    freed++;
}

static void test_udfs(void **state)
{
    ld_spark_session *s = *state;
    ld_error e;
    const char *varchar[] = {"VARCHAR"};
    assert_int_equal(ld_spark_udf_register(s, "headers", varchar, 1, "MAP(VARCHAR, VARCHAR)", 0,
                                           headers_udf, NULL, NULL, &e), LD_OK);
    static const char comma = ',';
    assert_int_equal(ld_spark_udf_register(s, "words", varchar, 1, "varchar[]", 0, words_udf,
                                           (void *)&comma, free_counter, &e), LD_OK);
    const char *sum_args[] = {"DOUBLE[]", "BIGINT"};
    assert_int_equal(ld_spark_udf_register(s, "scaled_sum", sum_args, 2, "DOUBLE", 0, sum_udf,
                                           NULL, NULL, &e), LD_OK);
    const char *map_args[] = {"MAP(VARCHAR,VARCHAR)"};
    assert_int_equal(ld_spark_udf_register(s, "map_bytes", map_args, 1, "BIGINT", 0, map_size_udf,
                                           NULL, NULL, &e), LD_OK);
    const char *big[] = {"BIGINT"};
    assert_int_equal(ld_spark_udf_register(s, "nullable", big, 1, "VARCHAR", LD_SPARK_UDF_CALL_ON_NULL,
                                           nullable_udf, NULL, NULL, &e), LD_OK);

    expect(s, "SELECT headers('A:1' || chr(10) || 'B:2' || chr(10) || 'A:3')", "{\"A\":\"3\",\"B\":\"2\"}\n");
    expect(s, "SELECT headers(h)['B'] FROM (VALUES ('B:x'), (NULL), ('C:y')) t(h)", "x\nNULL\nNULL\n");
    expect(s, "SELECT words('a,,b'), words(''), words(NULL)", "[\"a\",\"\",\"b\"]|[\"\"]|NULL\n");
    expect(s, "SELECT scaled_sum([1.5, 2.5], 2), scaled_sum([], 3), scaled_sum([1, 2]::BIGINT[], 1)", "8.0|0.0|3.0\n");
    expect(s, "SELECT map_bytes(MAP {'ab': 'cde', 'f': NULL})", "5\n");
    expect(s, "SELECT nullable(NULL), nullable(5)", "was null|NULL\n");
    /* A UDF over many rows (several engine batches, list results growing across them). */
    expect(s, "SELECT count(*), sum(len(words(repeat('x,', (i % 5)::INTEGER)))) FROM range(10000) t(i)",
           "10000|30000\n");
    /* A failing UDF fails the query, naming the UDF and its message. */
    assert_null(ldt_query(s, "SELECT nullable(i - 3) FROM range(5) t(i)", &e));
    assert_non_null(strstr(e.message, "UDF nullable failed: negative value -3"));
    /* A name already taken is refused; the first registration stays. */
    assert_int_equal(ld_spark_udf_register(s, "headers", varchar, 1, "VARCHAR", 0, nullable_udf, NULL,
                                           NULL, &e), LD_ERR_INVALID);
    assert_non_null(strstr(e.message, "taken"));
    expect(s, "SELECT headers('A:1')['A']", "1\n");
    /* Unsupported types are named. */
    const char *bad[] = {"HUGEINT"};
    assert_int_equal(ld_spark_udf_register(s, "bad", bad, 1, "VARCHAR", 0, nullable_udf, NULL,
                                           free_counter, &e), LD_ERR_UNSUPPORTED);
    assert_non_null(strstr(e.message, "HUGEINT"));
    assert_int_equal(freed, 1); /* the refused registration freed its payload */
}

static void test_udf_payload_freed_with_session(void **state)
{
    (void)state;
    ld_spark_session *s = ldt_session();
    ld_error e;
    const char *varchar[] = {"VARCHAR"};
    freed = 0;
    static const char dash = '-';
    assert_int_equal(ld_spark_udf_register(s, "w", varchar, 1, "VARCHAR[]", 0, words_udf,
                                           (void *)&dash, free_counter, &e), LD_OK);
    assert_int_equal(freed, 0);
    ld_spark_session_free(s);
    assert_int_equal(freed, 1);
}

/* ---- rows and Arrow ---- */

static void test_rows(void **state)
{
    ld_spark_session *s = *state;
    ld_spark_frame *f = NULL;
    ld_error e;
    assert_int_equal(ld_spark_sql(s, "SELECT i AS n, i * 1.5 AS d, 'r' || i AS t, TIMESTAMPTZ '2020-01-01 00:00:00+00' + to_seconds(i) AS ts "
                                     "FROM range(5000) t(i)", &f, &e), LD_OK);
    assert_int_equal(ld_spark_frame_column_count(f), 4);
    assert_string_equal(ld_spark_frame_column_type(f, 3), "TIMESTAMP WITH TIME ZONE");
    ld_spark_rows *rows = NULL;
    assert_int_equal(ld_spark_rows_open(f, &rows, &e), LD_OK);
    assert_string_equal(ld_spark_rows_column_name(rows, 2), "t");
    int rc;
    int64_t count = 0, sum = 0;
    while ((rc = ld_spark_rows_next(rows, &e)) == 1) {
        int64_t n, ts;
        double d;
        assert_int_equal(ld_spark_rows_int64(rows, 0, &n), LD_OK);
        assert_int_equal(ld_spark_rows_double(rows, 1, &d), LD_OK);
        assert_true(fabs(d - 1.5 * (double)n) < 1e-9);
        assert_int_equal(ld_spark_rows_timestamp_us(rows, 3, &ts), LD_OK);
        assert_int_equal(ts, (1577836800 + n) * 1000000LL);
        char want[16];
        snprintf(want, sizeof want, "r%lld", (long long)n);
        size_t len;
        assert_string_equal(ld_spark_rows_text(rows, 2, &len), want);
        assert_int_equal(len, strlen(want));
        assert_int_equal(ld_spark_rows_int64(rows, 2, &n), LD_ERR_INVALID); /* wrong type */
        sum += n;
        count++;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(count, 5000);
    assert_int_equal(sum, 4999 * 5000 / 2);
    assert_int_equal(ld_spark_rows_next(rows, &e), 0);
    ld_spark_rows_free(rows);
    /* A query that fails on the way reports it (from _open or from _next). */
    ld_spark_frame *bad = NULL;
    assert_int_equal(ld_spark_sql(s, "SELECT CAST(CASE WHEN i < 4000 THEN '1' ELSE 'x' END AS INTEGER) FROM range(5000) t(i)",
                                  &bad, &e), LD_OK);
    rc = ld_spark_rows_open(bad, &rows, &e);
    if (rc == LD_OK)
        while ((rc = ld_spark_rows_next(rows, &e)) == 1)
            ;
    assert_int_equal(rc, LD_ERR_INVALID);
    assert_non_null(strstr(e.message, "'x'"));
    ld_spark_rows_free(rows);
    /* Bad SQL names the statement. */
    ld_spark_frame *none = NULL;
    assert_int_equal(ld_spark_sql(s, "SELEC 1", &none, &e), LD_ERR_INVALID);
    assert_non_null(strstr(e.message, "statement: SELEC 1"));
    assert_int_equal(ld_spark_sql(s, "SELECT * FROM no_such_frame", &none, &e), LD_ERR_INVALID);
    assert_non_null(strstr(e.message, "no_such_frame"));
    assert_null(none);
    ld_spark_frame_free(bad);
    ld_spark_frame_free(f);
}

static void test_arrow_round_trip_and_persist(void **state)
{
    ld_spark_session *s = *state;
    ld_error e;
    ld_spark_frame *f = NULL;
    assert_int_equal(ld_spark_sql(s, "SELECT i AS n, 'v' || i AS s, [i, i + 1] AS l, MAP {'k': i::VARCHAR} AS m "
                                     "FROM range(3000) t(i)", &f, &e), LD_OK);
    struct ArrowArrayStream stream;
    assert_int_equal(ld_spark_frame_to_arrow(f, &stream, &e), LD_OK);
    struct ArrowSchema schema;
    assert_int_equal(stream.get_schema(&stream, &schema), 0);
    assert_int_equal(schema.n_children, 4);
    assert_string_equal(schema.children[1]->name, "s");
    schema.release(&schema);
    /* This session cannot take its own stream (it would wait for itself)... */
    ld_spark_frame *back = NULL;
    assert_int_equal(ld_spark_frame_from_arrow(s, &stream, &back, &e), LD_ERR_INVALID);
    assert_null(stream.release);
    assert_non_null(strstr(e.message, "same session"));
    /* ...another one can: the same rows. */
    ld_spark_session *other = ldt_session();
    assert_int_equal(ld_spark_frame_to_arrow(f, &stream, &e), LD_OK);
    assert_int_equal(ld_spark_frame_from_arrow(other, &stream, &back, &e), LD_OK);
    ld_spark_session *mine = s;
    s = other;
    assert_null(stream.release); /* stolen and released */
    assert_int_equal(ld_spark_frame_register(back, "imported", &e), LD_OK);
    expect(s, "SELECT count(*), sum(n), min(s), max(l[2]), max(m['k']) FROM imported", "3000|4498500|v0|3000|999\n");
    /* Persist: a scan of kept rows, usable again. */
    assert_int_equal(ld_spark_frame_persist(back, &e), LD_OK);
    uint64_t n = 0;
    assert_int_equal(ld_spark_frame_count(back, &n, &e), LD_OK);
    assert_int_equal(n, 3000);
    ld_spark_frame_free(back);
    ld_spark_session_free(other);
    s = mine;
    /* Batches pulled one by one. */
    assert_int_equal(ld_spark_frame_to_arrow(f, &stream, &e), LD_OK);
    int64_t total = 0;
    struct ArrowArray batch;
    while (stream.get_next(&stream, &batch) == 0 && batch.release != NULL) {
        total += batch.length;
        batch.release(&batch);
    }
    assert_int_equal(total, 3000);
    stream.release(&stream);
    ld_spark_frame_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_trim, setup, teardown),
        cmocka_unit_test_setup_teardown(test_casts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_split_and_maps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_percentile_and_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_udfs, setup, teardown),
        cmocka_unit_test(test_udf_payload_freed_with_session),
        cmocka_unit_test_setup_teardown(test_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_arrow_round_trip_and_persist, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
