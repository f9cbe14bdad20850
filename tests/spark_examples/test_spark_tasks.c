/*
 * test_spark_tasks.c - the runner's Spark datasets (runner/spark_tasks.c,
 * runner/spark_config.c) with stand-in Spark handlers that record the arguments they get
 * and write Spark's layout themselves: the arguments LetsData would send for each run
 * configuration, dataset configurations, -j, --resume, failures, the summary. The real
 * mapper and reducer over real files are in test_spark_examples.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <letsdata/letsdata.h>

#include "runner.h"

static char dir[256];

/* ---- stand-in handlers: one JSON line per call in DIR/calls.jsonl ---- */

static pthread_mutex_t calls_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *fail_on; /* a readUri substring that makes the mapper fail */
static int skip_success;    /* return OK without writing _SUCCESS */

static void record_call(json_t *call)
{
    char path[300];
    snprintf(path, sizeof path, "%s/calls.jsonl", dir);
    pthread_mutex_lock(&calls_lock);
    FILE *f = fopen(path, "a");
    assert_non_null(f);
    char *text = json_dumps(call, JSON_COMPACT | JSON_SORT_KEYS);
    fprintf(f, "%s\n", text);
    free(text);
    fclose(f);
    pthread_mutex_unlock(&calls_lock);
    json_decref(call);
}

/* What a Spark writer leaves: a part file, _SUCCESS last; and the engine's counters. */
static void write_output(const char *uri, const char *app_name, long rows_in, long rows_out)
{
    assert_true(uri[0] == '/');
    mkdir(uri, 0777);
    char path[1200];
    snprintf(path, sizeof path, "%s/part-00000-test-c000.json", uri);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (long i = 0; i < rows_out; i++)
        fprintf(f, "{\"row\":%ld}\n", i);
    fclose(f);
    const char *stats_dir = getenv("LETSDATA_SPARK_STATS_DIR");
    assert_non_null(stats_dir);
    snprintf(path, sizeof path, "%s/%s.json", stats_dir, app_name);
    f = fopen(path, "a");
    assert_non_null(f);
    fprintf(f, "{\"rowsRead\":%ld,\"rowsWritten\":%ld}\n", rows_in, rows_out);
    fclose(f);
    if (!skip_success) {
        snprintf(path, sizeof path, "%s/_SUCCESS", uri);
        f = fopen(path, "w");
        assert_non_null(f);
        fclose(f);
    }
}

static int fake_mapper(ld_context *ctx, void *payload, const char *app_name,
                       const char *read_destination, const char *read_uri,
                       const char *read_format, json_t *read_options,
                       const char *write_destination, const char *write_uri,
                       const char *write_format, const char *write_mode, json_t *write_options,
                       const char *secret_arn)
{
    (void)payload;
    const char *buckets = getenv("LETSDATA_BUCKET_DIRS");
    record_call(json_pack("{s:s, s:s, s:s, s:s, s:s, s:O, s:s, s:s, s:s, s:s, s:O, s:s, s:s*}",
                          "function", "mapper", "appName", app_name, "readDestination",
                          read_destination, "readUri", read_uri, "readFormat", read_format,
                          "readOptions", read_options, "writeDestination", write_destination,
                          "writeUri", write_uri, "writeFormat", write_format, "writeMode",
                          write_mode, "writeOptions", write_options, "secret", secret_arn,
                          "buckets", buckets));
    if (fail_on != NULL && strstr(read_uri, fail_on) != NULL)
        return ld_context_fail(ctx, "SparkError", "reading %s: corrupt input", read_uri);
    write_output(write_uri, app_name, 10, 7);
    return LD_OK;
}

static int fake_reducer(ld_context *ctx, void *payload, const char *app_name,
                        const char *read_destination, const char *const *read_uris,
                        size_t read_uri_count, const char *read_format, json_t *read_options,
                        const char *write_destination, const char *write_uri,
                        const char *write_format, const char *write_mode,
                        json_t *write_options, const char *secret_arn)
{
    (void)payload;
    (void)ctx;
    (void)secret_arn;
    json_t *uris = json_array();
    for (size_t i = 0; i < read_uri_count; i++)
        json_array_append_new(uris, json_string(read_uris[i]));
    record_call(json_pack("{s:s, s:s, s:s, s:o, s:s, s:O, s:s, s:s, s:s, s:s, s:O}", "function",
                          "reducer", "appName", app_name, "readDestination", read_destination,
                          "readUris", uris, "readFormat", read_format, "readOptions",
                          read_options, "writeDestination", write_destination, "writeUri",
                          write_uri, "writeFormat", write_format, "writeMode", write_mode,
                          "writeOptions", write_options));
    write_output(write_uri, app_name, 7 * (long)read_uri_count, 3);
    return LD_OK;
}

static const ld_spark_mapper_interface mapper_impl = {LD_SPARK_MAPPER_INTERFACE_VERSION, NULL,
                                                      fake_mapper};
static const ld_spark_reducer_interface reducer_impl = {LD_SPARK_REDUCER_INTERFACE_VERSION,
                                                        NULL, fake_reducer};
static ld_registry *registry;

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/letsdata-spark-tasks-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return -1;
    fail_on = NULL;
    skip_success = 0;
    unsetenv("LETSDATA_BUCKET_DIRS");
    registry = ld_registry_new();
    return ld_registry_set_spark_mapper_interface(registry, &mapper_impl) != LD_OK ||
           ld_registry_set_spark_reducer_interface(registry, &reducer_impl) != LD_OK;
}

static int teardown(void **state)
{
    (void)state;
    char command[512];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    int ignored = system(command);
    (void)ignored;
    ld_registry_free(registry);
    return 0;
}

static char *path_in(const char *name)
{
    char *path = NULL;
    assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
    return path;
}

static void write_text(const char *name, const char *text)
{
    char *path = path_in(name);
    char command[600];
    snprintf(command, sizeof command, "mkdir -p \"$(dirname '%s')\"", path);
    assert_int_equal(system(command), 0);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    free(path);
}

/* Run `run ARGS...` (NULL-terminated) with the stand-in handlers. */
static int run(const char *first, ...)
{
    char *argv[64];
    int argc = 0;
    argv[argc++] = (char *)"run";
    va_list args;
    va_start(args, first);
    for (const char *a = first; a != NULL && argc < 63; a = va_arg(args, const char *))
        argv[argc++] = (char *)a;
    va_end(args);
    argv[argc] = NULL;
    return ldrun_main(argc, argv, registry);
}

/* The recorded calls, in call order (mappers may interleave with -j). */
static json_t *calls(void)
{
    char *path = path_in("calls.jsonl");
    json_t *list = json_array();
    FILE *f = fopen(path, "r");
    char line[8192];
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        json_array_append_new(list, json_loads(line, 0, NULL));
    if (f)
        fclose(f);
    free(path);
    return list;
}

static json_t *call_with(json_t *list, const char *key, const char *value)
{
    size_t i;
    json_t *call;
    json_array_foreach(list, i, call) {
        const char *got = json_string_value(json_object_get(call, key));
        if (got != NULL && strstr(got, value) != NULL)
            return call;
    }
    return NULL;
}

static json_t *summary(void)
{
    char *path = path_in("out/summary.json");
    json_t *s = json_load_file(path, 0, NULL);
    free(path);
    assert_non_null(s);
    return s;
}

static const char *str(json_t *object, const char *key)
{
    const char *value = json_string_value(json_object_get(object, key));
    assert_non_null(value);
    return value;
}

static void test_mapper_and_reducer(void **state)
{
    (void)state;
    write_text("in/a.wet", "a");
    write_text("in/b.wet", "bb");
    write_text("in/c.wet", "ccc");
    char *out = path_in("out"), *a = path_in("in/a.wet"), *b = path_in("in/b.wet"),
         *c = path_in("in/c.wet");
    assert_int_equal(run("--spark", "MAPPER_AND_REDUCER", "--read-format", "text",
                         "--read-options", "{\"lineSep\": \"\\n\\r\\n\\r\\n\"}",
                         "--write-format", "json", "--write-options",
                         "{\"compression\": \"gzip\"}", "--output", out, "-j", "2", a, b, c,
                         NULL),
                     0);
    json_t *list = calls();
    assert_int_equal(json_array_size(list), 4);
    /* Each mapper: its file, the dataset's read format and options; parquet + gzip
     * intermediates in OUT/intermediate/mapper-N. */
    const char *inputs[] = {"/in/a.wet", "/in/b.wet", "/in/c.wet"};
    for (int i = 0; i < 3; i++) {
        json_t *m = call_with(list, "readUri", inputs[i]);
        assert_non_null(m);
        assert_string_equal(str(m, "function"), "mapper");
        assert_string_equal(str(m, "readDestination"), "S3");
        assert_string_equal(str(m, "readFormat"), "text");
        assert_string_equal(
            json_string_value(json_object_get(json_object_get(m, "readOptions"), "lineSep")),
            "\n\r\n\r\n");
        assert_string_equal(str(m, "writeFormat"), "parquet");
        assert_string_equal(json_string_value(json_object_get(
                                json_object_get(m, "writeOptions"), "compression")),
                            "gzip");
        assert_string_equal(str(m, "writeMode"), "overwrite");
        char expected[64];
        snprintf(expected, sizeof expected, "/out/intermediate/mapper-%05d", i);
        assert_non_null(strstr(str(m, "writeUri"), expected));
    }
    /* The reducer runs last, over every intermediate in input order. */
    json_t *r = json_array_get(list, 3);
    assert_string_equal(str(r, "function"), "reducer");
    json_t *uris = json_object_get(r, "readUris");
    assert_int_equal(json_array_size(uris), 3);
    for (int i = 0; i < 3; i++) {
        char expected[64];
        snprintf(expected, sizeof expected, "/out/intermediate/mapper-%05d", i);
        assert_non_null(strstr(json_string_value(json_array_get(uris, (size_t)i)), expected));
    }
    assert_string_equal(str(r, "readFormat"), "parquet");
    assert_string_equal(str(r, "writeFormat"), "json");
    assert_non_null(strstr(str(r, "writeUri"), "/out/output"));

    /* Summary: per task rows (the engine's counters), bytes, seconds; totals. */
    json_t *s = summary();
    assert_string_equal(str(s, "mode"), "MAPPER_AND_REDUCER");
    json_t *tasks = json_object_get(s, "tasks");
    assert_int_equal(json_array_size(tasks), 4);
    for (size_t i = 0; i < 3; i++) {
        json_t *t = json_array_get(tasks, i);
        assert_string_equal(str(t, "status"), "done");
        assert_int_equal(json_integer_value(json_object_get(t, "rowsIn")), 10);
        assert_int_equal(json_integer_value(json_object_get(t, "rowsOut")), 7);
        assert_int_equal(json_integer_value(json_object_get(t, "bytesIn")), (json_int_t)i + 1);
        assert_int_equal(json_integer_value(json_object_get(t, "bytesOut")), 7 * 10);
        assert_true(json_is_real(json_object_get(t, "seconds")));
    }
    json_t *reducer = json_array_get(tasks, 3);
    assert_int_equal(json_integer_value(json_object_get(reducer, "rowsIn")), 21);
    assert_int_equal(json_integer_value(json_object_get(reducer, "bytesIn")), 3 * 70);
    assert_int_equal(json_integer_value(json_object_get(s, "rowsIn")), 30);
    assert_int_equal(json_integer_value(json_object_get(s, "rowsOut")), 3);
    assert_int_equal(json_integer_value(json_object_get(s, "bytesIn")), 6);
    assert_null(json_object_get(s, "failure"));
    json_decref(s);
    json_decref(list);

    /* Running again into the same directory is refused without --overwrite. */
    assert_int_equal(run("--spark", "MAPPER_AND_REDUCER", "--read-format", "text",
                         "--write-format", "json", "--output", out, a, NULL),
                     2);
    assert_int_equal(run("--spark", "MAPPER_AND_REDUCER", "--read-format", "text",
                         "--write-format", "json", "--output", out, "--overwrite", a, NULL),
                     0);
    free(out);
    free(a);
    free(b);
    free(c);
}

/* A dataset configuration gives the formats, options, the manifest's files as s3a://
 * URIs and the bucket's local directory (to the engine, in LETSDATA_BUCKET_DIRS). */
static void test_dataset_configuration(void **state)
{
    (void)state;
    write_text("commoncrawl/crawl/one.wet.gz", "1");
    write_text("commoncrawl/crawl/two.wet.gz", "22");
    write_text("dataset.json",
               "{\"datasetName\": \"CommonCrawlSpark\",\n"
               " \"readConnector\": {\"connectorDestination\": \"S3\", \"readerType\": "
               "\"SPARKREADER\", \"bucketName\": \"commoncrawl\", \"sparkFileFormat\": \"text\","
               " \"sparkReadOptions\": {\"lineSep\": \"\\n\\r\\n\\r\\n\"}},\n"
               " \"writeConnector\": {\"connectorDestination\": \"S3\", \"sparkFileFormat\": "
               "\"json\", \"sparkWriteOptions\": {\"compression\": \"gzip\"}},\n"
               " \"manifestFile\": {\"manifestType\": \"S3ReaderTextManifestFile\", "
               "\"readerType\": \"SPARKREADER\", \"fileContents\": "
               "\"crawl/one.wet.gz\\n  crawl/two.wet.gz\\n\"}}\n");
    char *config = path_in("dataset.json"), *out = path_in("out");
    /* No --spark: the configuration's readerType says it is a Spark dataset. */
    assert_int_equal(run("--manifest", config, "--output", out, "--spark", "MAPPER_ONLY", NULL),
                     0);
    json_t *list = calls();
    assert_int_equal(json_array_size(list), 2);
    json_t *one = call_with(list, "readUri", "one");
    assert_non_null(one);
    assert_string_equal(str(one, "readUri"), "s3a://commoncrawl/crawl/one.wet.gz");
    assert_string_equal(str(one, "readFormat"), "text");
    assert_string_equal(str(one, "writeFormat"), "json");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(one, "writeOptions"), "compression")),
        "gzip");
    assert_non_null(strstr(str(one, "appName"), "CommonCrawlSpark"));
    assert_non_null(strstr(str(one, "writeUri"), "/out/output/mapper-00000"));
    char expected[4200];
    char *bucket = path_in("commoncrawl");
    char real[4096];
    assert_non_null(realpath(bucket, real));
    snprintf(expected, sizeof expected, "commoncrawl=%s", real);
    assert_string_equal(str(one, "buckets"), expected);
    json_decref(list);

    /* The command line wins over the configuration; REDUCER_ONLY reads the manifest's
     * files with the dataset's read format. */
    char *calls_path = path_in("calls.jsonl");
    unlink(calls_path);
    assert_int_equal(run("--manifest", config, "--output", out, "--overwrite", "--spark",
                         "REDUCER_ONLY", "--write-format", "csv", NULL),
                     0);
    list = calls();
    assert_int_equal(json_array_size(list), 1);
    json_t *r = json_array_get(list, 0);
    assert_string_equal(str(r, "function"), "reducer");
    assert_int_equal(json_array_size(json_object_get(r, "readUris")), 2);
    assert_string_equal(str(r, "readFormat"), "text");
    assert_string_equal(str(r, "writeFormat"), "csv");
    json_t *s = summary();
    assert_int_equal(json_integer_value(json_object_get(s, "bytesIn")), 3);
    json_decref(s);
    json_decref(list);
    free(calls_path);
    free(bucket);
    free(config);
    free(out);
}

/* --resume skips the mappers whose output has _SUCCESS, and runs the rest. */
static void test_resume(void **state)
{
    (void)state;
    write_text("in/a.wet", "a");
    write_text("in/b.wet", "b");
    char *out = path_in("out"), *a = path_in("in/a.wet"), *b = path_in("in/b.wet");
    fail_on = "b.wet";
    assert_int_equal(run("--spark", "MAPPER_AND_REDUCER", "--read-format", "text",
                         "--write-format", "json", "--output", out, a, b, NULL),
                     1);
    json_t *s = summary();
    assert_non_null(strstr(str(s, "failure"), "mapper-00001"));
    assert_non_null(strstr(str(s, "failure"), "corrupt input"));
    assert_string_equal(str(json_array_get(json_object_get(s, "tasks"), 2), "status"),
                        "notRun");
    json_decref(s);
    char *reducer_success = path_in("out/output/_SUCCESS");
    assert_int_not_equal(access(reducer_success, F_OK), 0);

    char *calls_path = path_in("calls.jsonl");
    unlink(calls_path);
    fail_on = NULL;
    assert_int_equal(run("--spark", "MAPPER_AND_REDUCER", "--read-format", "text",
                         "--write-format", "json", "--output", out, "--resume", a, b, NULL),
                     0);
    json_t *list = calls();
    assert_int_equal(json_array_size(list), 2); /* mapper b and the reducer */
    assert_non_null(call_with(list, "readUri", "b.wet"));
    assert_null(call_with(list, "readUri", "a.wet"));
    s = summary();
    json_t *tasks = json_object_get(s, "tasks");
    assert_string_equal(str(json_array_get(tasks, 0), "status"), "skipped");
    assert_string_equal(str(json_array_get(tasks, 1), "status"), "done");
    assert_string_equal(str(json_array_get(tasks, 2), "status"), "done");
    /* A skipped task keeps its counters from the run that made it. */
    assert_int_equal(json_integer_value(json_object_get(json_array_get(tasks, 0), "rowsOut")),
                     7);
    json_decref(s);
    json_decref(list);
    assert_int_equal(access(reducer_success, F_OK), 0);
    free(reducer_success);
    free(calls_path);
    free(out);
    free(a);
    free(b);
}

/* A handler that returns without _SUCCESS has not finished its output. */
static void test_no_success_is_failure(void **state)
{
    (void)state;
    write_text("in/a.wet", "a");
    char *out = path_in("out"), *a = path_in("in/a.wet");
    skip_success = 1;
    assert_int_equal(run("--spark", "MAPPER_ONLY", "--read-format", "text", "--write-format",
                         "json", "--output", out, a, NULL),
                     1);
    json_t *s = summary();
    assert_non_null(strstr(str(s, "failure"), "_SUCCESS"));
    json_decref(s);
    free(out);
    free(a);
}

static void test_usage_errors(void **state)
{
    (void)state;
    write_text("in/a.wet", "a");
    char *out = path_in("out"), *a = path_in("in/a.wet"), *missing = path_in("nothing.wet");
    assert_int_equal(run("--spark", "MAPPER_ONLY", "--write-format", "json", a, NULL), 2);
    assert_int_equal(run("--spark", "MAPPER_ONLY", "--read-format", "text", a, NULL), 2);
    assert_int_equal(run("--spark", "SOMETIMES", a, NULL), 2);
    assert_int_equal(run("--spark", "MAPPER_ONLY", "--read-format", "text", "--write-format",
                         "json", "--read-options", "[1]", a, NULL),
                     2);
    assert_int_equal(run("--spark", "MAPPER_ONLY", "--read-format", "text", "--write-format",
                         "json", "--output", out, missing, NULL),
                     2);
    assert_int_equal(run("--spark", "MAPPER_ONLY", "--read-format", "text", "--write-format",
                         "json", "--continue-on-error", a, NULL),
                     2);
    assert_int_equal(run("--spark", "MAPPER_ONLY", "--read-format", "text", "--write-format",
                         "json", "--bucket-dir", "nobucketdir", a, NULL),
                     2);
    /* No Spark handler registered. */
    ld_registry *empty = ld_registry_new();
    char *argv[] = {"run", "--spark", "MAPPER_ONLY", "--read-format", "text", "--write-format",
                    "json", "--output", out, a, NULL};
    assert_int_equal(ldrun_main(10, argv, empty), 2);
    ld_registry_free(empty);
    free(out);
    free(a);
    free(missing);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_mapper_and_reducer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dataset_configuration, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resume, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_success_is_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_usage_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
