/*
 * test_spark_examples.c - the C ports of the official Spark mapper and reducer
 * (examples/spark_*.c) over a generated multi-member gzip WET file, row by row against
 * values this test works out itself; the reducer reading every input; bad input through
 * the runtime (EXCEPTION envelope naming the URI/format/statement, no _SUCCESS); DuckDB
 * loaded only by Spark requests; the `letsdata-runtime` command line (invoke, run
 * --spark).
 *
 *   test_spark_examples RUNTIME_EXE EXAMPLES_MODULE SPARK_MODULE
 *
 * SPDX-License-Identifier: MIT
 */
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include <letsdata/letsdata.h>
#include <letsdata/runtime.h>

#include "examples.h"
#include "http_client.h"
#include "process.h"
#include "transport.h"
#include "wet_gen.h"

static const char *runtime_exe, *examples_module, *spark_module;
static char dir[256];
static ld_registry *examples;

/* ---- the input: records with what the mapper must make of each ---- */

typedef struct expected_row {
    const char *record_id;  /* the key rows are matched on */
    int has_length;
    long length;
    const char *date;       /* as written */
    time_t instant;         /* the instant it names (UTC seconds) */
    const char *language;   /* NULL: no language field */
    const char *text;       /* docText; NULL: no field */
} expected_row;

#define ID(n) "<urn:uuid:10000000-0000-4000-a000-0000000000" #n ">"

static time_t utc(int year, int month, int day, int hour, int minute, int second)
{
    struct tm tm = {0};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    return timegm(&tm);
}

/* The WET records of the test file (after Common Crawl's warcinfo record), and the row
 * each conversion record must give. */
static const char text_utf8[] = "Grüße aus Köln — 東京 😀\nЗдравствуй, мир\n";
static const char text_blank_line[] = "first paragraph\n\nsecond paragraph\n";
static const char text_crlf_blank[] = "kept part\r\n\r\ndropped part\n";

static const ldt_wet_record records[] = {
    {"conversion", "https://example.com/ü/日本", "2023-12-12T01:40:15Z", ID(01), ID(a1),
     "sha1:AAAA", "deu", "text/plain", NULL, NULL, text_utf8, 0},
    {"conversion", "https://example.com/nolang", "2023-12-12T01:40:16Z", ID(02), NULL, NULL,
     NULL, "text/plain", NULL, NULL, "no language header here\n", 0},
    {"conversion", "https://example.com/badlength", "2023-12-12T01:40:17Z", ID(03), NULL, NULL,
     "eng", "text/plain", "12abc", NULL, "Content-Length is not a number\n", 0},
    {"conversion", "https://example.com/blank", "2023-12-12T01:40:18Z", ID(04), NULL, NULL,
     "eng", "text/plain", NULL, NULL, text_blank_line, 0},
    {"conversion", "https://example.com/crlf", "2023-12-12T01:40:19Z", ID(05), NULL, NULL,
     "eng", "text/plain", NULL, NULL, text_crlf_blank, 0},
    {"conversion", "https://example.com/empty", "2023-12-12T01:40:21Z", ID(08), NULL, NULL,
     "fra", "text/plain", "0", NULL, NULL, 0},
    {"response", "https://example.com/response", "2023-12-12T01:40:20Z", ID(06), NULL, NULL,
     "eng", "application/http", NULL, NULL, "HTTP/1.1 200 OK\n", 0},
    {"conversion", "https://example.com/offset", "2023-12-12T05:00:00+02:00", ID(07), NULL,
     NULL, "fra", "text/plain", NULL, NULL, "zone offset\n", 0},
};

static expected_row expected[16];
static size_t expected_count;

/* docText: the block without Java-\s white space at its end, cut at a CRLF blank line
 * (Spark's split keeps piece 1 only); no payload at all gives no field. */
static const char *expected_text(const char *block, char *buffer, size_t size)
{
    if (block == NULL)
        return NULL;
    const char *cut = strstr(block, "\r\n\r\n");
    size_t n = cut ? (size_t)(cut - block) : strlen(block);
    while (n > 0 && strchr(" \t\n\v\f\r", block[n - 1]) != NULL)
        n--;
    snprintf(buffer, size, "%.*s", (int)n, block);
    return buffer;
}

static char text_buffers[16][256];

static void build_expectations(void)
{
    expected_count = 0;
    time_t instants[] = {utc(2023, 12, 12, 1, 40, 15), utc(2023, 12, 12, 1, 40, 16),
                         utc(2023, 12, 12, 1, 40, 17), utc(2023, 12, 12, 1, 40, 18),
                         utc(2023, 12, 12, 1, 40, 19), utc(2023, 12, 12, 1, 40, 21),
                         utc(2023, 12, 12, 1, 40, 20), utc(2023, 12, 12, 3, 0, 0)};
    for (size_t i = 0; i < sizeof records / sizeof records[0]; i++) {
        const ldt_wet_record *r = &records[i];
        if (strcmp(r->type, "conversion") != 0)
            continue;
        expected_row *e = &expected[expected_count];
        e->record_id = r->record_id;
        e->date = r->date;
        e->instant = instants[i];
        e->language = r->language;
        e->text = expected_text(r->block, text_buffers[expected_count], 256);
        if (r->content_length == NULL) {
            e->has_length = 1;
            e->length = (long)strlen(r->block);
        } else {
            char *end;
            e->length = strtol(r->content_length, &end, 10);
            e->has_length = *end == '\0';
        }
        expected_count++;
    }
}

static char *path_in(const char *name)
{
    char *path = NULL;
    assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
    return path;
}

/* The test's WET file: warcinfo first, one gzip member per record, @p copies times. */
static char *write_wet(const char *name, int copies)
{
    char *path = path_in(name);
    ldt_wet_writer *w = ldt_wet_writer_open(path, 6);
    assert_non_null(w);
    ldt_wet_record info = ldt_wet_warcinfo(name);
    assert_int_equal(ldt_wet_write(w, &info), 0);
    for (int c = 0; c < copies; c++)
        for (size_t i = 0; i < sizeof records / sizeof records[0]; i++)
            assert_int_equal(ldt_wet_write(w, &records[i]), 0);
    assert_int_equal(ldt_wet_writer_close(w), 0);
    return path;
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/letsdata-spark-examples-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return -1;
    build_expectations();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char command[512];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    int ignored = system(command);
    (void)ignored;
    return 0;
}

/* ---- requests and output ---- */

static ld_response invoke(const char *request)
{
    ld_response response = LD_RESPONSE_INIT;
    assert_int_equal(ld_runtime_invoke(examples, request, strlen(request), NULL, &response),
                     LD_OK);
    return response;
}

static char *mapper_request(const char *read_uri, const char *read_format,
                            const char *write_uri, const char *write_format,
                            const char *write_options)
{
    json_t *request = json_pack(
        "{s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s}, s:{s:s, s:s, s:s, s:s, s:{s:s}, s:s, s:s, "
        "s:s, s:s, s:o, s:s}}",
        "requestId", "65fff00b-460c-4055-a171-f0a8c2e4ae22", "interface", "SparkMapperInterface",
        "function", "mapper", "letsdataAuth", "tenantId", "t", "userId", "u", "datasetName",
        "CommonCrawlSpark", "datasetId", "d", "data", "appName", "letsdata-test-mapper",
        "readDestination", "S3", "readUri", read_uri, "readFormat", read_format, "readOptions",
        "lineSep", "\n\r\n\r\n", "writeDestination", "S3", "writeUri", write_uri,
        "writeFormat", write_format, "writeMode", "overwrite", "writeOptions",
        json_loads(write_options, 0, NULL), "sparkCredentialsSecretArn",
        "arn:aws:secretsmanager:us-east-1:223413462631:secret:TestSparkCreds-DrftDx");
    assert_non_null(request);
    char *text = json_dumps(request, JSON_COMPACT);
    json_decref(request);
    return text;
}

static char *reducer_request(const char *const *read_uris, size_t count,
                             const char *read_format, const char *write_uri,
                             const char *write_format)
{
    json_t *uris = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(uris, json_string(read_uris[i]));
    json_t *request = json_pack(
        "{s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s}, s:{s:s, s:s, s:o, s:s, s:{}, s:s, s:s, s:s, "
        "s:s, s:{s:s}, s:s}}",
        "requestId", "65fff00b-460c-4055-a171-f0a8c2e4ae23", "interface",
        "SparkReducerInterface", "function", "reducer", "letsdataAuth", "tenantId", "t",
        "userId", "u", "datasetName", "CommonCrawlSpark", "datasetId", "d", "data", "appName",
        "letsdata-test-reducer", "readDestination", "S3", "readUris", uris, "readFormat",
        read_format, "readOptions", "writeDestination", "S3", "writeUri", write_uri,
        "writeFormat", write_format, "writeMode", "overwrite", "writeOptions", "compression",
        "gzip", "sparkCredentialsSecretArn",
        "arn:aws:secretsmanager:us-east-1:223413462631:secret:TestSparkCreds-DrftDx");
    assert_non_null(request);
    char *text = json_dumps(request, JSON_COMPACT);
    json_decref(request);
    return text;
}

static void assert_success(const ld_response *response)
{
    if (response->status_code != 200)
        fail_msg("expected SUCCESS, got %s", response->body);
    json_t *envelope = json_loads(response->body, 0, NULL);
    json_t *body = json_object_get(envelope, "body");
    assert_non_null(body);
    assert_string_equal(json_string_value(json_object_get(body, "statusCode")), "SUCCESS");
    assert_true(json_is_null(json_object_get(body, "data")));
    json_decref(envelope);
}

static int has_file(const char *directory, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", directory, name);
    return access(path, F_OK) == 0;
}

/* Every row of the JSON part files in @p out (a directory Spark's way). */
static json_t *read_json_rows(const char *out)
{
    assert_true(has_file(out, "_SUCCESS"));
    json_t *rows = json_array();
    DIR *d = opendir(out);
    assert_non_null(d);
    struct dirent *entry;
    int parts = 0;
    while ((entry = readdir(d)) != NULL) {
        if (strncmp(entry->d_name, "part-", 5) != 0)
            continue;
        parts++;
        assert_non_null(strstr(entry->d_name, "-c000.json"));
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", out, entry->d_name);
        gzFile f = gzopen(path, "rb");
        assert_non_null(f);
        char line[1 << 16];
        while (gzgets(f, line, sizeof line) != NULL) {
            json_error_t error;
            json_t *row = json_loads(line, 0, &error);
            if (row == NULL)
                fail_msg("%s: not JSON Lines: %s: %s", path, error.text, line);
            json_array_append_new(rows, row);
        }
        gzclose(f);
    }
    closedir(d);
    assert_true(parts >= 1);
    return rows;
}

static json_t *row_with(json_t *rows, const char *key, const char *value)
{
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        const char *got = json_string_value(json_object_get(row, key));
        if ((value == NULL && got == NULL) || (value && got && strcmp(got, value) == 0))
            return row;
    }
    return NULL;
}

/* "2023-12-12T01:40:15.000Z" -> seconds (Spark's JSON timestamps: ms, UTC). */
static time_t parse_spark_timestamp(const char *text)
{
    int y, mo, d, h, mi, s, ms;
    char z;
    assert_int_equal(sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2d.%3d%c", &y, &mo, &d, &h, &mi, &s,
                            &ms, &z),
                     8);
    assert_int_equal(z, 'Z');
    assert_int_equal(strlen(text), 24);
    return utc(y, mo, d, h, mi, s);
}

/* The mapper's rows against the expectations: every column, name and type. */
static void check_mapper_rows(json_t *rows, int copies)
{
    static const char *const columns[] = {
        "contentLength", "warcDate", "warcRecordId", "contentType", "warcType", "warcRefersTo",
        "language",      "blockDigest", "url",       "docId",       "partitionKey", "docText"};
    assert_int_equal(json_array_size(rows), expected_count * (size_t)copies);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        const char *key;
        json_t *value;
        json_object_foreach(row, key, value) {
            int known = 0;
            for (size_t c = 0; c < 12; c++)
                known |= strcmp(key, columns[c]) == 0;
            if (!known)
                fail_msg("unexpected column %s", key);
            assert_false(json_is_null(value)); /* Spark's JSON writer omits nulls */
        }
    }
    for (size_t e = 0; e < expected_count; e++) {
        const expected_row *x = &expected[e];
        json_t *r = row_with(rows, "warcRecordId", x->record_id);
        if (r == NULL)
            fail_msg("no row for %s", x->record_id);
        const ldt_wet_record *in = NULL;
        for (size_t k = 0; k < sizeof records / sizeof records[0]; k++)
            if (strcmp(records[k].record_id, x->record_id) == 0)
                in = &records[k];
        assert_string_equal(json_string_value(json_object_get(r, "warcType")), "conversion");
        assert_string_equal(json_string_value(json_object_get(r, "contentType")),
                            in->content_type);
        assert_string_equal(json_string_value(json_object_get(r, "url")), in->target_uri);
        assert_string_equal(json_string_value(json_object_get(r, "docId")), in->target_uri);
        assert_string_equal(json_string_value(json_object_get(r, "partitionKey")),
                            in->target_uri);
        if (in->refers_to)
            assert_string_equal(json_string_value(json_object_get(r, "warcRefersTo")),
                                in->refers_to);
        else
            assert_null(json_object_get(r, "warcRefersTo"));
        if (in->block_digest)
            assert_string_equal(json_string_value(json_object_get(r, "blockDigest")),
                                in->block_digest);
        else
            assert_null(json_object_get(r, "blockDigest"));
        if (x->has_length) {
            json_t *length = json_object_get(r, "contentLength");
            assert_true(json_is_integer(length));
            assert_int_equal(json_integer_value(length), x->length);
        } else {
            assert_null(json_object_get(r, "contentLength"));
        }
        const char *date = json_string_value(json_object_get(r, "warcDate"));
        assert_non_null(date);
        assert_int_equal(parse_spark_timestamp(date), x->instant);
        if (x->language)
            assert_string_equal(json_string_value(json_object_get(r, "language")), x->language);
        else
            assert_null(json_object_get(r, "language"));
        if (x->text)
            assert_string_equal(json_string_value(json_object_get(r, "docText")), x->text);
        else
            assert_null(json_object_get(r, "docText"));
    }
}

/* Spark's percentile: exact, linear interpolation at (n-1)·p over the sorted values. */
static int compare_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

static double percentile(long *values, size_t n, double p)
{
    qsort(values, n, sizeof *values, compare_long);
    double position = (double)(n - 1) * p;
    size_t lower = (size_t)floor(position), upper = (size_t)ceil(position);
    return (double)values[lower] + (position - (double)lower) * (double)(values[upper] - values[lower]);
}

/* The reducer's rows: per language, 90th percentile and count of contentLength. */
static void check_reducer_rows(json_t *rows, int copies)
{
    const char *languages[16];
    size_t language_count = 0;
    int null_language = 0;
    for (size_t e = 0; e < expected_count; e++) {
        if (expected[e].language == NULL) {
            null_language = 1;
            continue;
        }
        int seen = 0;
        for (size_t l = 0; l < language_count; l++)
            seen |= strcmp(languages[l], expected[e].language) == 0;
        if (!seen)
            languages[language_count++] = expected[e].language;
    }
    assert_int_equal(json_array_size(rows), language_count + (size_t)null_language);
    for (size_t l = 0; l <= language_count; l++) {
        const char *language = l < language_count ? languages[l] : NULL;
        if (language == NULL && !null_language)
            continue;
        long values[64];
        size_t n = 0;
        for (int c = 0; c < copies; c++)
            for (size_t e = 0; e < expected_count; e++) {
                int same = language ? expected[e].language &&
                                          strcmp(expected[e].language, language) == 0
                                    : expected[e].language == NULL;
                if (same && expected[e].has_length)
                    values[n++] = expected[e].length;
            }
        json_t *row = row_with(rows, "language", language);
        if (row == NULL)
            fail_msg("no reducer row for language %s", language ? language : "(null)");
        json_t *count = json_object_get(row, "# of Samples");
        assert_true(json_is_integer(count));
        assert_int_equal(json_integer_value(count), (json_int_t)n);
        json_t *p90 = json_object_get(row, "90th Percentile ContentLength");
        if (n == 0) {
            assert_null(p90);
        } else {
            assert_true(json_is_number(p90));
            assert_true(fabs(json_number_value(p90) - percentile(values, n, 0.9)) < 1e-9);
        }
    }
    /* Ordered by "# of Samples", descending. */
    for (size_t i = 1; i < json_array_size(rows); i++)
        assert_true(json_integer_value(json_object_get(json_array_get(rows, i - 1),
                                                       "# of Samples")) >=
                    json_integer_value(json_object_get(json_array_get(rows, i), "# of Samples")));
}

/* ---- tests ---- */

static int mapped(const char *library)
{
    FILE *maps = fopen("/proc/self/maps", "r");
    char line[4096];
    int found = 0;
    while (maps != NULL && fgets(line, sizeof line, maps) != NULL)
        found |= strstr(line, library) != NULL;
    if (maps)
        fclose(maps);
    return found;
}

/* A non-Spark request through the examples loads neither the Spark module nor DuckDB;
 * the first Spark request does. (Runs first: the module stays loaded.) */
static void test_duckdb_only_for_spark(void **state)
{
    (void)state;
    ld_response response = invoke(
        "{\"requestId\":\"r\",\"interface\":\"DynamoDBTableItemReader\",\"function\":"
        "\"parseDynamoDBItem\",\"letsdataAuth\":{\"tenantId\":\"t\",\"userId\":\"u\","
        "\"datasetName\":\"n\",\"datasetId\":\"d\"},\"data\":{\"tableName\":\"T\","
        "\"segmentNumber\":0,\"data\":{\"keys\":{\"id\":{\"S\":\"k\"}},\"item\":{\"id\":{\"S\":"
        "\"k\"}}}}}");
    assert_int_equal(response.status_code, 200);
    ld_response_clear(&response);
    assert_false(mapped("libduckdb"));
    assert_false(mapped("libletsdata-examples-spark"));

    char *in = write_wet("first.warc.wet.gz", 1), *out = path_in("first-out");
    char *request = mapper_request(in, "text", out, "json", "{\"compression\":\"gzip\"}");
    response = invoke(request);
    assert_success(&response);
    ld_response_clear(&response);
    assert_true(mapped("libletsdata-examples-spark"));
    assert_true(mapped("libduckdb"));
    free(request);
    free(in);
    free(out);
}

/* The mapper over a multi-member gzip WET file, then the reducer over its output. */
static void test_mapper_and_reducer_rows(void **state)
{
    (void)state;
    char *in = write_wet("CC-MAIN-test.warc.wet.gz", 1), *out = path_in("mapped");
    char *request = mapper_request(in, "text", out, "json", "{\"compression\":\"gzip\"}");
    ld_response response = invoke(request);
    assert_success(&response);
    ld_response_clear(&response);
    free(request);
    json_t *rows = read_json_rows(out);
    check_mapper_rows(rows, 1);
    json_decref(rows);

    char *reduced = path_in("reduced");
    const char *uris[] = {out};
    request = reducer_request(uris, 1, "json", reduced, "json");
    response = invoke(request);
    assert_success(&response);
    ld_response_clear(&response);
    free(request);
    rows = read_json_rows(reduced);
    check_reducer_rows(rows, 1);
    json_decref(rows);

    /* Every readUri is reduced (the official example keeps only the first). */
    const char *twice[] = {out, out};
    request = reducer_request(twice, 2, "json", reduced, "json");
    response = invoke(request);
    assert_success(&response);
    ld_response_clear(&response);
    free(request);
    rows = read_json_rows(reduced);
    check_reducer_rows(rows, 2);
    json_decref(rows);

    /* Parquet (LetsData's intermediate format) carries the same rows and types. */
    char *parquet = path_in("mapped-parquet");
    request = mapper_request(in, "text", parquet, "parquet", "{\"compression\":\"gzip\"}");
    response = invoke(request);
    assert_success(&response);
    ld_response_clear(&response);
    free(request);
    assert_true(has_file(parquet, "_SUCCESS"));
    const char *parquet_uris[] = {parquet};
    request = reducer_request(parquet_uris, 1, "parquet", reduced, "json");
    response = invoke(request);
    assert_success(&response);
    ld_response_clear(&response);
    free(request);
    rows = read_json_rows(reduced);
    check_reducer_rows(rows, 1);
    json_decref(rows);
    free(parquet);
    free(reduced);
    free(in);
    free(out);
}

/* A failed invocation: the EXCEPTION envelope, its message naming @p mention, and no
 * _SUCCESS at @p out. */
static void expect_exception(const char *request, const char *out, const char *mention)
{
    ld_response response = invoke(request);
    if (response.status_code != 500)
        fail_msg("expected EXCEPTION naming %s, got %s", mention, response.body);
    json_t *envelope = json_loads(response.body, 0, NULL);
    json_t *body = json_object_get(envelope, "body");
    assert_string_equal(json_string_value(json_object_get(body, "statusCode")), "EXCEPTION");
    const char *message = json_string_value(json_object_get(body, "errorMessage"));
    assert_non_null(message);
    if (strstr(message, mention) == NULL)
        fail_msg("errorMessage does not name %s: %s", mention, message);
    assert_non_null(json_object_get(json_object_get(body, "exception"), "errorType"));
    json_decref(envelope);
    ld_response_clear(&response);
    assert_false(has_file(out, "_SUCCESS"));
}

static void write_bytes(const char *path, const void *data, size_t length)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, length, f), length);
    fclose(f);
}

static void test_bad_input(void **state)
{
    (void)state;
    char *in = write_wet("good.warc.wet.gz", 1), *out = path_in("bad-out");
    char *request;

    /* An unknown read format, and an unknown write format. */
    request = mapper_request(in, "xml", out, "json", "{}");
    expect_exception(request, out, "xml");
    free(request);
    request = mapper_request(in, "text", out, "yaml", "{}");
    expect_exception(request, out, "yaml");
    free(request);

    /* A URI that does not exist. */
    char *missing = path_in("no-such-file.warc.wet.gz");
    request = mapper_request(missing, "text", out, "json", "{}");
    expect_exception(request, out, missing);
    free(request);
    free(missing);

    /* Corrupt gzip: the good file cut in half, and garbage with a .gz name. */
    FILE *f = fopen(in, "rb");
    assert_non_null(f);
    char buffer[1 << 16];
    size_t n = fread(buffer, 1, sizeof buffer, f);
    fclose(f);
    char *truncated = path_in("truncated.warc.wet.gz");
    write_bytes(truncated, buffer, n / 2);
    request = mapper_request(truncated, "text", out, "json", "{}");
    expect_exception(request, out, "truncated.warc.wet.gz");
    free(request);
    char *garbage = path_in("garbage.warc.wet.gz");
    write_bytes(garbage, "this is not gzip at all\n", 24);
    request = mapper_request(garbage, "text", out, "json", "{}");
    expect_exception(request, out, "garbage.warc.wet.gz");
    free(request);

    /* Corrupt parquet in the reducer's input. */
    char *bad_dir = path_in("bad-parquet");
    mkdir(bad_dir, 0777);
    char *bad_part = path_in("bad-parquet/part-00000-x-c000.gz.parquet");
    write_bytes(bad_part, "PAR1 but not really parquet PAR1", 32);
    const char *bad_uris[] = {bad_dir};
    request = reducer_request(bad_uris, 1, "parquet", out, "json");
    expect_exception(request, out, "part-00000-x-c000.gz.parquet");
    free(request);

    /* An SQL error: the reducer's statement over rows without contentLength. */
    char *other_dir = path_in("other-json");
    mkdir(other_dir, 0777);
    char *other_part = path_in("other-json/part-00000-y-c000.json");
    write_bytes(other_part, "{\"foo\": 1}\n", 11);
    const char *other_uris[] = {other_dir};
    request = reducer_request(other_uris, 1, "json", out, "json");
    expect_exception(request, out, "contentLength");
    free(request);

    /* An S3 URI with no local directory and no way to reach S3 from here. */
    request = mapper_request("s3a://letsdata-unmapped-bucket/key.wet.gz", "text", out, "json",
                             "{}");
    expect_exception(request, out, "s3a://letsdata-unmapped-bucket/key.wet.gz");
    free(request);

    /* Not S3 destinations. */
    request = mapper_request(in, "text", out, "json", "{}");
    char *kinesis = strstr(request, "\"readDestination\":\"S3\"");
    assert_non_null(kinesis);
    memcpy(kinesis, "\"readDestination\":\"K3\"", 22);
    expect_exception(request, out, "K3");
    free(request);

    free(other_part);
    free(other_dir);
    free(bad_part);
    free(bad_dir);
    free(garbage);
    free(truncated);
    free(in);
    free(out);
}

/* `letsdata-runtime --handler libletsdata-examples.so invoke`: the module found next to
 * the examples library, the reference's rows written. */
static void test_invoke_command(void **state)
{
    (void)state;
    char *in = write_wet("cli.warc.wet.gz", 2), *out = path_in("cli-out");
    char *request = mapper_request(in, "text", out, "json", "{\"compression\":\"gzip\"}");
    char *request_file = path_in("mapper.json");
    write_bytes(request_file, request, strlen(request));
    char *argv[] = {(char *)runtime_exe, "--handler", (char *)examples_module, "invoke",
                    request_file, NULL};
    char *env[] = {"LETSDATA_EXAMPLES_SPARK_MODULE=", NULL};
    ldt_process_result result;
    assert_int_equal(ldt_process_run(argv, NULL, env, &result), 0);
    if (result.exit_status != 0 || strstr(result.out, "\"SUCCESS\"") == NULL)
        fail_msg("invoke failed (%d): %s %s", result.exit_status, result.out, result.err);
    ldt_process_result_free(&result);
    json_t *rows = read_json_rows(out);
    check_mapper_rows(rows, 2);
    json_decref(rows);
    free(request);
    free(request_file);
    free(in);
    free(out);
}

/* The other transports run the same code: the local HTTP endpoint (the Lambda emulator's
 * path) and `batch` (JSON Lines in, one envelope per line out). */
static void test_http_and_batch(void **state)
{
    (void)state;
    char *in = write_wet("transports.warc.wet.gz", 1);
    char *http_out = path_in("http-out"), *missing = path_in("missing.warc.wet.gz");
    char *request = mapper_request(in, "text", http_out, "json", "{\"compression\":\"gzip\"}");
    ldrt_http_options options = LDRT_HTTP_OPTIONS_INIT;
    options.port = 0;
    options.quiet = 1;
    ldrt_http_server *server = NULL;
    ld_error error = {0};
    assert_int_equal(ldrt_http_start(examples, &options, &server, &error), LD_OK);
    ldt_http_reply reply;
    assert_int_equal(ldt_http_request("POST", ldrt_http_port(server), LDRT_HTTP_INVOKE_PATH,
                                      request, strlen(request), &reply),
                     0);
    assert_int_equal(reply.status, 200);
    assert_non_null(strstr(reply.body, "\"SUCCESS\""));
    ldt_http_reply_free(&reply);
    free(request);
    json_t *rows = read_json_rows(http_out);
    check_mapper_rows(rows, 1);
    json_decref(rows);
    char *bad_out = path_in("http-bad-out");
    request = mapper_request(missing, "text", bad_out, "json", "{}");
    assert_int_equal(ldt_http_request("POST", ldrt_http_port(server), LDRT_HTTP_INVOKE_PATH,
                                      request, strlen(request), &reply),
                     0);
    assert_non_null(strstr(reply.body, "\"EXCEPTION\""));
    assert_non_null(strstr(reply.body, "missing.warc.wet.gz"));
    assert_false(has_file(bad_out, "_SUCCESS"));
    ldt_http_reply_free(&reply);
    free(request);
    ldrt_http_stop(server);

    /* batch: the mapper, then the reducer over its output, then a failing reducer. */
    char *batch_out = path_in("batch-out"), *reduced = path_in("batch-reduced");
    char *mapper = mapper_request(in, "text", batch_out, "json", "{}");
    const char *uris[] = {batch_out}, *bad_uris[] = {missing};
    char *reducer = reducer_request(uris, 1, "json", reduced, "json");
    char *bad_reducer = reducer_request(bad_uris, 1, "json", bad_out, "json");
    char *lines = NULL;
    assert_true(asprintf(&lines, "%s\n%s\n%s\n", mapper, reducer, bad_reducer) > 0);
    char *lines_file = path_in("requests.jsonl");
    write_bytes(lines_file, lines, strlen(lines));
    char *argv[] = {(char *)runtime_exe, "--handler", (char *)examples_module, "batch",
                    lines_file, NULL};
    char *env[] = {"LETSDATA_EXAMPLES_SPARK_MODULE=", NULL};
    ldt_process_result result;
    assert_int_equal(ldt_process_run(argv, NULL, env, &result), 0);
    /* One envelope per line, in order. */
    const char *expected_status[] = {"\"SUCCESS\"", "\"SUCCESS\"", "\"EXCEPTION\""};
    char *line = result.out;
    for (int i = 0; i < 3; i++) {
        char *end = strchr(line, '\n');
        if (end == NULL)
            fail_msg("batch gave fewer than 3 answers: %s", result.out);
        *end = '\0';
        if (strstr(line, expected_status[i]) == NULL)
            fail_msg("batch answer %d is not %s: %s", i + 1, expected_status[i], line);
        line = end + 1;
    }
    ldt_process_result_free(&result);
    rows = read_json_rows(reduced);
    check_reducer_rows(rows, 1);
    json_decref(rows);
    free(lines_file);
    free(lines);
    free(bad_reducer);
    free(reducer);
    free(mapper);
    free(reduced);
    free(batch_out);
    free(bad_out);
    free(missing);
    free(http_out);
    free(in);
}

/* `run --spark MAPPER_AND_REDUCER -j 2` with the example handlers: parquet + gzip
 * intermediates, the reducer over all of them, rows in the summary. */
static void test_run_mapper_and_reducer(void **state)
{
    (void)state;
    char *a = write_wet("a.warc.wet.gz", 1), *b = write_wet("b.warc.wet.gz", 2);
    char *out = path_in("run-out");
    char *argv[] = {(char *)runtime_exe, "--handler", (char *)examples_module, "run",
                    "--spark", "MAPPER_AND_REDUCER", "--read-format", "text", "--read-options",
                    "{\"lineSep\": \"\\n\\r\\n\\r\\n\"}", "--write-format", "json",
                    "--write-options", "{\"compression\": \"gzip\"}", "-j", "2", "--output", out,
                    a, b, NULL};
    ldt_process_result result;
    assert_int_equal(ldt_process_run(argv, NULL, NULL, &result), 0);
    if (result.exit_status != 0)
        fail_msg("run failed (%d): %s", result.exit_status, result.err);
    ldt_process_result_free(&result);
    char *intermediate = path_in("run-out/intermediate/mapper-00001");
    assert_true(has_file(intermediate, "_SUCCESS"));
    DIR *d = opendir(intermediate);
    struct dirent *entry;
    int parquet_parts = 0;
    while (d != NULL && (entry = readdir(d)) != NULL)
        parquet_parts += strstr(entry->d_name, ".gz.parquet") != NULL;
    if (d)
        closedir(d);
    assert_true(parquet_parts >= 1);
    char *output = path_in("run-out/output");
    json_t *rows = read_json_rows(output);
    check_reducer_rows(rows, 3);
    json_decref(rows);

    char *summary_path = path_in("run-out/summary.json");
    json_t *summary = json_load_file(summary_path, 0, NULL);
    assert_non_null(summary);
    json_t *tasks = json_object_get(summary, "tasks");
    assert_int_equal(json_array_size(tasks), 3);
    /* Rows in: the text records (warcinfo included); rows out: the conversion rows. */
    size_t records_per_copy = sizeof records / sizeof records[0];
    assert_int_equal(json_integer_value(json_object_get(json_array_get(tasks, 1), "rowsIn")),
                     (json_int_t)(1 + 2 * records_per_copy));
    assert_int_equal(json_integer_value(json_object_get(json_array_get(tasks, 1), "rowsOut")),
                     (json_int_t)(2 * expected_count));
    assert_int_equal(json_integer_value(json_object_get(json_array_get(tasks, 2), "rowsIn")),
                     (json_int_t)(3 * expected_count));
    json_decref(summary);
    free(summary_path);
    free(output);
    free(intermediate);
    free(out);
    free(a);
    free(b);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s RUNTIME_EXE EXAMPLES_MODULE SPARK_MODULE\n", argv[0]);
        return 2;
    }
    runtime_exe = argv[1];
    examples_module = argv[2];
    spark_module = argv[3];
    /* This executable links the examples statically: point the loader at the module. */
    setenv("LETSDATA_EXAMPLES_SPARK_MODULE", spark_module, 1);
    examples = ld_registry_new();
    if (examples == NULL || ld_examples_register(examples) != LD_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_duckdb_only_for_spark, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mapper_and_reducer_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invoke_command, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http_and_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_run_mapper_and_reducer, setup, teardown),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    ld_registry_free(examples);
    return failed;
}
