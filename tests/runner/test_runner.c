/*
 * test_runner.c - `letsdata-runtime run`: WET files (gzip with several members, plain),
 * record splitting edge cases, manifests, JSON Lines readers, routing and accounting,
 * handler failures, bad input. The example handlers do the parsing, as for a customer.
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
#include "runner_internal.h"

/* summary.json spells its reals (seconds, rates) as the reference's json.dumps would:
 * the shortest round-trip form, e.g. "seconds": 0.0123, not 0.012300000000000001. */
static void assert_summary_reals_as_python(const char *out)
{
    char path[512];
    snprintf(path, sizeof path, "%s/summary.json", out);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *text = NULL;
    size_t size = 0;
    assert_true(getdelim(&text, &size, '\0', f) > 0);
    fclose(f);
    json_t *s = summary(out);
    const char *key;
    json_t *value;
    int reals = 0;
    json_object_foreach(s, key, value) {
        if (!json_is_real(value))
            continue;
        char expected[LD_JSON_REAL_MAX + 300];
        char number[LD_JSON_REAL_MAX];
        ld_json_format_real(json_real_value(value), number);
        snprintf(expected, sizeof expected, "\"%s\": %s", key, number);
        if (strstr(text, expected) == NULL)
            fail_msg("summary.json lacks %s:\n%s", expected, text);
        reals++;
    }
    assert_true(reals > 0);
    json_decref(s);
    free(text);

    /* And the writer itself, on values whose spellings differ from jansson's. */
    json_t *sample = json_pack("{s:f, s:f}", "seconds", 6.77, "rate", 0.00001);
    snprintf(path, sizeof path, "%s/sample.json", out);
    assert_int_equal(ldrun_json_dump_file(sample, path, JSON_INDENT(2)), 0);
    json_decref(sample);
    f = fopen(path, "r");
    char sample_text[128] = "";
    assert_true(fread(sample_text, 1, sizeof sample_text - 1, f) > 0);
    fclose(f);
    unlink(path);
    assert_string_equal(sample_text, "{\n  \"seconds\": 6.77,\n  \"rate\": 1e-05\n}");
}

static void test_wet_gzip_members_and_plain(void **state)
{
    (void)state;
    char *text = NULL;
    size_t length = 0;
    const char *warcinfo = "WARC/1.0\r\nWARC-Type: warcinfo\r\nContent-Length: 5\r\n\r\nhello\r\n\r\n";
    text = malloc(strlen(warcinfo));
    memcpy(text, warcinfo, strlen(warcinfo));
    length = strlen(warcinfo);
    for (unsigned i = 0; i < 200; i++)
        append_record(&text, &length, i,
                      i % 2 ? "Gr\xc3\xbc\xc3\x9f""e aus der Datenverarbeitung.\nZweite Zeile.\n"
                            "  \xe3\x80\x80Text mit Leerraum  \n"
                            : "plain record text\n");
    char *gz = path_in("crawl.warc.wet.gz"), *plain = path_in("crawl.warc.wet");
    write_gzip_members(gz, text, length, 7);
    write_file(plain, text, length);
    char *out1 = path_in("out-gz"), *out2 = path_in("out-plain");
    char *args1[] = {(char *)"--output", out1, gz};
    assert_int_equal(run(args1, 3), 0);
    char *args2[] = {(char *)"--output", out2, plain};
    assert_int_equal(run(args2, 3), 0);
    assert_summary_reals_as_python(out1);
    json_t *s = summary(out1);
    assert_int_equal(count_of(s, "records"), 200);
    assert_int_equal(count_of(s, "success"), 200);
    assert_int_equal(count_of(s, "error"), 0);
    assert_int_equal(count_of(s, "bytesRead"), (json_int_t)length);
    json_decref(s);
    assert_int_equal(lines_in(out1, "documents.jsonl"), 200);
    /* gzip and plain give the same documents. */
    char c1[600], c2[600];
    snprintf(c1, sizeof c1, "cmp -s %s/documents.jsonl %s/documents.jsonl", out1, out2);
    assert_int_equal(system(c1), 0);
    /* The default serialization: key-values + documentId, recordType, partitionKey, metadata. */
    snprintf(c2, sizeof c2, "%s/documents.jsonl", out1);
    FILE *f = fopen(c2, "r");
    char line[4096];
    assert_non_null(fgets(line, sizeof line, f));
    assert_non_null(fgets(line, sizeof line, f)); /* record 1: the odd body */
    fclose(f);
    json_t *doc = json_loads(line, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(doc, "documentId")),
                        "http://site1.example/p\xc3\xa4ge");
    assert_string_equal(json_string_value(json_object_get(doc, "recordType")), "Content");
    assert_string_equal(json_string_value(json_object_get(doc, "docText")),
                        "Gr\xc3\xbc\xc3\x9f""e aus der Datenverarbeitung.\nZweite Zeile.\n"
                        "  \xe3\x80\x80Text mit Leerraum");
    assert_string_equal(json_string_value(json_object_get(doc, "language")), "deu");
    assert_true(json_is_object(json_object_get(doc, "documentMetadata")));
    json_decref(doc);
    free(text);
    free(gz);
    free(plain);
    free(out1);
    free(out2);
}

static void test_unterminated_and_oversize_records(void **state)
{
    (void)state;
    char *text = NULL;
    size_t length = 0;
    char big[5000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    append_record(&text, &length, 1, "small one\n");
    append_record(&text, &length, 2, big);
    append_record(&text, &length, 3, "after the big one\n");
    /* A last record whose end pattern never comes. */
    const char *cut = "WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: http://x/\r\n\r\ncut";
    text = realloc(text, length + strlen(cut));
    memcpy(text + length, cut, strlen(cut));
    length += strlen(cut);
    char *input = path_in("edge.wet"), *out = path_in("out-edge");
    write_file(input, text, length);
    char *args[] = {(char *)"--output", out, (char *)"--max-record-bytes", (char *)"2000", input};
    assert_int_equal(run(args, 5), 0);
    json_t *s = summary(out);
    assert_int_equal(count_of(s, "success"), 2);
    assert_int_equal(count_of(s, "error"), 2);
    json_decref(s);
    char path[512];
    snprintf(path, sizeof path, "%s/errors.jsonl", out);
    char *errors = NULL;
    FILE *f = fopen(path, "r");
    size_t n = 0;
    assert_true(getdelim(&errors, &n, '\0', f) > 0);
    fclose(f);
    assert_non_null(strstr(errors, "longer than the maximum record size of 2000 bytes"));
    assert_non_null(strstr(errors, "has no end pattern before the end of the file"));
    assert_non_null(strstr(errors, "\"errorStartoffsetMap\":{\"WET\":"));
    free(errors);
    free(text);
    free(input);
    free(out);
}

static void test_bad_input_files(void **state)
{
    (void)state;
    char *gz = path_in("corrupt.gz"), *out = path_in("out-corrupt");
    char *text = NULL;
    size_t length = 0;
    for (unsigned i = 0; i < 50; i++)
        append_record(&text, &length, i, "some text for the record\n");
    write_gzip_members(gz, text, length, 1);
    /* Flip bytes in the middle of the compressed stream. */
    FILE *f = fopen(gz, "r+b");
    fseek(f, 200, SEEK_SET);
    fputs("garbage!garbage!", f);
    fclose(f);
    char *args[] = {(char *)"--output", out, gz};
    assert_int_equal(run(args, 3), 1);
    json_t *s = summary(out);
    const char *failure = json_string_value(json_object_get(s, "failure"));
    assert_non_null(failure);
    assert_non_null(strstr(failure, "corrupt.gz"));
    json_decref(s);

    char *missing[] = {(char *)"--overwrite", (char *)"--output", out,
                       (char *)"/nonexistent/file.gz"};
    assert_int_equal(run(missing, 4), 1);
    char *no_input[] = {(char *)"--output", out};
    assert_int_equal(run(no_input, 2), 2);
    char *bad_reader[] = {(char *)"--reader", (char *)"ftp", gz};
    assert_int_equal(run(bad_reader, 3), 2);
    free(text);
    free(gz);
    free(out);
}

static void test_handler_failure_stops_or_is_recorded(void **state)
{
    (void)state;
    char *text = NULL;
    size_t length = 0;
    append_record(&text, &length, 1, "fine\n");
    append_record(&text, &length, 2, "   \n"); /* empty docText: the WET parser fails */
    append_record(&text, &length, 3, "also fine\n");
    char *input = path_in("failing.wet"), *out = path_in("out-failing");
    write_file(input, text, length);
    char *stop[] = {(char *)"--output", out, input};
    assert_int_equal(run(stop, 3), 1);
    json_t *s = summary(out);
    /* The failed task keeps nothing, and the summary counts only what was kept. */
    assert_string_equal(json_string_value(json_object_get(s, "status")), "FAILED");
    assert_int_equal(count_of(s, "success"), 0);
    assert_int_equal(count_of(s, "records"), 0);
    assert_int_equal(lines_in(out, "documents.jsonl"), 0);
    assert_non_null(strstr(json_string_value(json_object_get(s, "failure")),
                           "the document text is empty"));
    assert_string_equal(json_string_value(json_object_get(s, "failedFile")), input);
    json_t *entry = json_array_get(json_object_get(s, "perFile"), 0);
    assert_non_null(strstr(json_string_value(json_object_get(entry, "failure")),
                           "the document text is empty"));
    assert_int_equal(count_of(entry, "success"), 0);
    json_decref(s);
    char *go_on[] = {(char *)"--output", out, (char *)"--continue-on-error", (char *)"--overwrite",
                     input};
    assert_int_equal(run(go_on, 5), 0);
    s = summary(out);
    assert_int_equal(count_of(s, "records"), 3);
    assert_int_equal(count_of(s, "success"), 2);
    assert_int_equal(count_of(s, "error"), 1);
    json_decref(s);
    free(text);
    free(input);
    free(out);
}

static void test_manifests(void **state)
{
    (void)state;
    char *text = NULL;
    size_t length = 0;
    append_record(&text, &length, 1, "manifest record\n");
    char *bucket = path_in("my-bucket");
    mkdir(bucket, 0777);
    char *file = path_in("my-bucket/part-0.wet.gz");
    write_gzip_members(file, text, length, 1);
    char *list = path_in("list.txt");
    write_file(list, "my-bucket/part-0.wet.gz\n\nmy-bucket/part-0.wet.gz\n", 48);
    char *out = path_in("out-manifest");
    char *args[] = {(char *)"--output", out, (char *)"--manifest", list};
    assert_int_equal(run(args, 4), 0);
    json_t *s = summary(out);
    assert_int_equal(count_of(s, "files"), 2);
    assert_int_equal(count_of(s, "success"), 2);
    json_decref(s);

    char *config = path_in("dataset.json");
    const char *json = "{\"datasetName\":\"d\",\"readConnector\":{\"connectorDestination\":\"S3\","
                       "\"bucketName\":\"remote-bucket\"},\"manifestFile\":{\"manifestType\":"
                       "\"S3ReaderTextManifestFile\",\"fileContents\":\"part-0.wet.gz\"}}";
    write_file(config, json, strlen(json));
    char mapping[512];
    snprintf(mapping, sizeof mapping, "remote-bucket=%s", bucket);
    char *args2[] = {(char *)"--overwrite", (char *)"--output", out, (char *)"--manifest", config,
                     (char *)"--bucket-dir", mapping};
    assert_int_equal(run(args2, 7), 0);
    s = summary(out);
    assert_int_equal(count_of(s, "success"), 1);
    json_decref(s);

    const char *bad = "{\"manifestFile\":{\"manifestType\":\"S3ReaderTextManifestFile\"}}";
    write_file(config, bad, strlen(bad));
    char *other_out = path_in("out-manifest-bad");
    char *args3[] = {(char *)"--output", other_out, (char *)"--manifest", config};
    char *said = NULL;
    assert_int_equal(run_capturing_stderr(args3, 4, &said), 1);
    assert_non_null(strstr(said, "FAILED before starting"));
    assert_non_null(strstr(said, "fileContents"));
    /* Nothing was written: not even the output folder. */
    assert_int_equal(access(other_out, F_OK), -1);
    free(said);
    free(other_out);
    free(text);
    free(bucket);
    free(file);
    free(list);
    free(out);
    free(config);
}

static void test_jsonl_readers(void **state)
{
    (void)state;
    struct {
        const char *reader, *lines;
        json_int_t success, error, skip;
    } cases[] = {
        {"queue",
         "{\"messageId\":\"m1\",\"messageAttributes\":{},\"messageBody\":\"{\\\"documentId\\\":"
         "\\\"d\\\",\\\"partitionKey\\\":\\\"p\\\"}\"}\n"
         "{\"messageId\":\"m2\",\"messageAttributes\":{},\"messageBody\":\" \"}\n"
         "\n"
         "{\"messageId\":7}\n"
         "not json\n",
         1, 3, 0},
        {"kinesis",
         "{\"streamArn\":\"a\",\"shardId\":\"s\",\"partitionKey\":\"p\",\"sequenceNumber\":\"1\","
         "\"approximateArrivalTimestamp\":1,\"data\":\"{\\\"documentId\\\":\\\"x\\\"}\"}\n"
         "{\"streamArn\":\"a\",\"shardId\":\"s\",\"partitionKey\":\"p\",\"sequenceNumber\":\"2\","
         "\"approximateArrivalTimestamp\":1,\"data\":\"\"}\n",
         1, 1, 0},
        {"dynamodb-streams",
         "{\"streamArn\":\"a\",\"shardId\":\"s\",\"eventId\":\"e\",\"eventName\":\"REMOVE\","
         "\"identityPrincipalId\":null,\"identityType\":null,\"sequenceNumber\":\"9\","
         "\"sizeBytes\":1,\"streamViewType\":\"KEYS_ONLY\",\"approximateCreationDateTime\":1,"
         "\"data\":{\"keys\":{\"k\":\"a\"},\"oldImage\":{},\"newImage\":{}}}\n",
         0, 0, 1},
        {"dynamodb-table",
         "{\"tableName\":\"T\",\"segmentNumber\":0,\"data\":{\"keys\":{\"k\":\"a\"},\"item\":"
         "{\"k\":\"a\",\"v\":1}}}\n"
         "{\"tableName\":\"T\",\"segmentNumber\":0,\"data\":{\"keys\":{\"k\":\"b\"},\"item\":{}}}\n",
         1, 1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *input = path_in("records.jsonl"), *out = path_in("out-jsonl");
        write_file(input, cases[i].lines, strlen(cases[i].lines));
        char *args[] = {(char *)"--overwrite", (char *)"--output", out, (char *)"--reader",
                        (char *)cases[i].reader, input};
        assert_int_equal(run(args, 6), 0);
        json_t *s = summary(out);
        if (count_of(s, "success") != cases[i].success || count_of(s, "error") != cases[i].error ||
            count_of(s, "skip") != cases[i].skip)
            fail_msg("%s: success %lld error %lld skip %lld", cases[i].reader,
                     (long long)count_of(s, "success"), (long long)count_of(s, "error"),
                     (long long)count_of(s, "skip"));
        json_decref(s);
        free(input);
        free(out);
    }
}


/* A parser of fixed-size records (OFFSET hints): start 2 bytes in, 10-byte records. */
static int fixed_type(ld_context *ctx, void *payload, char **out)
{
    (void)ctx;
    (void)payload;
    *out = ld_strdup("FIXED");
    return LD_OK;
}

static int fixed_start(ld_context *ctx, void *payload, const char *type, ld_record_parse_hint *hint)
{
    (void)ctx; (void)payload; (void)type;
    return ld_record_parse_hint_set_offset(hint, 2);
}

static int fixed_end(ld_context *ctx, void *payload, const char *type, ld_record_parse_hint *hint)
{
    (void)ctx; (void)payload; (void)type;
    return ld_record_parse_hint_set_offset(hint, 10);
}

static int fixed_parse(ld_context *ctx, void *payload, const char *type, const char *file,
                       int64_t offset, const char *buffer, size_t start, size_t end,
                       ld_parse_document_result *result)
{
    (void)ctx; (void)payload; (void)type;
    ld_document *doc = ld_document_new(file, "FIXED", file, NULL,
                                       json_pack("{s:I, s:s%}", "offset", (json_int_t)offset,
                                                 "text", buffer + start, end - start));
    ld_parse_document_result_set(result, LD_PARSE_SUCCESS, doc);
    return doc ? LD_OK : LD_ERR_NOMEM;
}

static void test_offset_hints_fixed_size_records(void **state)
{
    (void)state;
    static const ld_single_file_parser fixed = {
        .version = LD_SINGLE_FILE_PARSER_VERSION,
        .get_s3_file_type = fixed_type,
        .get_record_start_pattern = fixed_start,
        .get_record_end_pattern = fixed_end,
        .parse_document = fixed_parse,
    };
    ld_registry *registry = ld_registry_new();
    assert_int_equal(ld_registry_set_single_file_parser(registry, &fixed), LD_OK);
    /* "##" then records of 10 bytes, each followed by 2 bytes the start hint skips; the
     * last record is cut short. */
    const char *data = "##0123456789##abcdefghij##ABCDEFGHIJ##short";
    char *input = path_in("fixed.bin"), *out = path_in("out-fixed");
    write_file(input, data, strlen(data));
    char *argv[] = {(char *)"run", (char *)"--output", out, input};
    assert_int_equal(ldrun_main(4, argv, registry), 0);
    json_t *s = summary(out);
    assert_int_equal(count_of(s, "success"), 3);
    assert_int_equal(count_of(s, "error"), 1); /* the short tail is not dropped */
    assert_int_equal(count_of(s, "records"),
                     count_of(s, "success") + count_of(s, "error") + count_of(s, "skip"));
    assert_int_equal(count_of(s, "bytesOutsideRecords"), 8 + 5); /* 4 gaps + the tail */
    json_decref(s);
    char path[512];
    snprintf(path, sizeof path, "%s/documents.jsonl", out);
    FILE *f = fopen(path, "r");
    char line[512];
    const json_int_t offsets[] = {2, 14, 26};
    const char *texts[] = {"0123456789", "abcdefghij", "ABCDEFGHIJ"};
    for (int i = 0; i < 3; i++) {
        assert_non_null(fgets(line, sizeof line, f));
        json_t *doc = json_loads(line, 0, NULL);
        assert_int_equal(json_integer_value(json_object_get(doc, "offset")), offsets[i]);
        assert_string_equal(json_string_value(json_object_get(doc, "text")), texts[i]);
        json_decref(doc);
    }
    fclose(f);
    ld_registry_free(registry);
    free(input);
    free(out);
}

static void test_empty_and_garbage_files(void **state)
{
    (void)state;
    char *empty = path_in("empty.wet"), *garbage = path_in("garbage.wet"),
         *out = path_in("out-garbage");
    write_file(empty, "", 0);
    unsigned char junk[65536];
    uint32_t seed = 99;
    for (size_t i = 0; i < sizeof junk; i++) {
        seed = seed * 1664525u + 1013904223u;
        junk[i] = (unsigned char)(seed >> 24);
    }
    write_file(garbage, junk, sizeof junk);
    char *args[] = {(char *)"--output", out, empty, garbage};
    assert_int_equal(run(args, 4), 0);
    json_t *s = summary(out);
    assert_int_equal(count_of(s, "files"), 2);
    assert_int_equal(count_of(s, "records"), 0);
    assert_int_equal(count_of(s, "bytesRead"), (json_int_t)sizeof junk);
    assert_int_equal(count_of(s, "bytesOutsideRecords"), (json_int_t)sizeof junk);
    json_t *per_file = json_object_get(s, "perFile");
    assert_int_equal(json_array_size(per_file), 2);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(per_file, 1), "bytesRead")),
                     (json_int_t)sizeof junk);
    json_decref(s);
    free(empty);
    free(garbage);
    free(out);
}

static void test_jobs_keep_input_order(void **state)
{
    (void)state;
    char **paths = make_crawl("jobs", 6, 40);
    char *one = path_in("out-j1"), *four = path_in("out-j4");
    char *args1[] = {(char *)"--output", one, paths[0], paths[1], paths[2], paths[3], paths[4],
                     paths[5]};
    assert_int_equal(run(args1, 8), 0);
    char *args4[] = {(char *)"-j", (char *)"4", (char *)"--output", four, paths[0], paths[1],
                     paths[2], paths[3], paths[4], paths[5]};
    assert_int_equal(run(args4, 10), 0);
    assert_true(files_equal(one, four, "documents.jsonl"));
    json_t *s = summary(four);
    assert_int_equal(count_of(s, "files"), 6);
    assert_int_equal(count_of(s, "success"), 240);
    json_decref(s);
    char *bad[] = {(char *)"-j", (char *)"0", paths[0]};
    assert_int_equal(run(bad, 3), 2);
    free_paths(paths);
    free(one);
    free(four);
}

static void test_resume_after_kill(void **state)
{
    (void)state;
    char **paths = make_crawl("resume", 12, 1500);
    char *reference = path_in("out-reference"), *killed = path_in("out-killed");
    char *args[] = {(char *)"--output", reference, paths[0], paths[1], paths[2], paths[3],
                    paths[4], paths[5], paths[6], paths[7], paths[8], paths[9], paths[10],
                    paths[11]};
    assert_int_equal(run(args, 14), 0);

    /* The same run in a child, killed with SIGKILL once a few files are checkpointed. */
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 2);
        char *argv[24] = {(char *)runtime_exe, (char *)"--handler", (char *)examples_module,
                          (char *)"run", (char *)"--output", killed};
        for (int i = 0; i < 12; i++)
            argv[6 + i] = paths[i];
        execv(runtime_exe, argv);
        _exit(127);
    }
    char checkpoint[600];
    snprintf(checkpoint, sizeof checkpoint, "%s/checkpoint.json", killed);
    if (kill_when_checkpointed(pid, checkpoint, "completed", 2)) {
        /* Resume (with more workers): the results equal the uninterrupted run's. */
        char *resume[] = {(char *)"--resume", (char *)"-j", (char *)"2", (char *)"--output",
                          killed, paths[0], paths[1], paths[2], paths[3], paths[4], paths[5],
                          paths[6], paths[7], paths[8], paths[9], paths[10], paths[11]};
        assert_int_equal(run(resume, 17), 0);
    } else {
        print_message("resume test: the run finished before it could be killed\n");
    }
    assert_true(files_equal(reference, killed, "documents.jsonl"));
    assert_true(files_equal(reference, killed, "errors.jsonl"));
    json_t *a = summary(reference), *b = summary(killed);
    assert_int_equal(count_of(a, "success"), count_of(b, "success"));
    assert_int_equal(count_of(a, "files"), count_of(b, "files"));
    json_decref(a);
    json_decref(b);

    /* --resume with other inputs is refused. */
    char *other[] = {(char *)"--resume", (char *)"--output", killed, paths[0]};
    assert_int_equal(run(other, 4), 2);
    free_paths(paths);
    free(reference);
    free(killed);
}

static void test_resume_jsonl_mid_file(void **state)
{
    (void)state;
    char *input = path_in("messages.jsonl"), *reference = path_in("out-jsonl-ref"),
         *killed = path_in("out-jsonl-killed");
    FILE *f = fopen(input, "w");
    assert_non_null(f);
    for (int i = 0; i < 60000; i++)
        fprintf(f, "{\"messageId\":\"m%d\",\"messageAttributes\":{},\"messageBody\":"
                   "\"{\\\"documentId\\\":\\\"d%d\\\",\\\"partitionKey\\\":"
                   "\\\"p\\\",\\\"n\\\":%d}\"}\n",
                i, i, i);
    fclose(f);
    char *args[] = {(char *)"--reader", (char *)"queue", (char *)"--output", reference, input};
    assert_int_equal(run(args, 5), 0);

    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 2);
        execl(runtime_exe, runtime_exe, "--handler", examples_module, "run", "--reader",
              "queue", "--output", killed, input, (char *)NULL);
        _exit(127);
    }
    char progress[600];
    snprintf(progress, sizeof progress, "%s/.task-0-progress.json", killed);
    if (kill_when_checkpointed(pid, progress, "lines", 6000)) {
        char *resume[] = {(char *)"--resume", (char *)"--reader", (char *)"queue",
                          (char *)"--output", killed, input};
        assert_int_equal(run(resume, 6), 0);
    } else {
        print_message("jsonl resume test: the run finished before it could be killed\n");
    }
    assert_true(files_equal(reference, killed, "documents.jsonl"));
    json_t *a = summary(reference), *b = summary(killed);
    assert_int_equal(count_of(a, "success"), 60000);
    assert_int_equal(count_of(b, "success"), 60000);
    assert_int_equal(count_of(b, "records"), 60000);
    json_decref(a);
    json_decref(b);
    free(input);
    free(reference);
    free(killed);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s RUNTIME_EXE EXAMPLES_MODULE\n", argv[0]);
        return 2;
    }
    runtime_exe = argv[1];
    examples_module = argv[2];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jobs_keep_input_order),
        cmocka_unit_test(test_offset_hints_fixed_size_records),
        cmocka_unit_test(test_empty_and_garbage_files),
        cmocka_unit_test(test_resume_after_kill),
        cmocka_unit_test(test_resume_jsonl_mid_file),
        cmocka_unit_test(test_wet_gzip_members_and_plain),
        cmocka_unit_test(test_unterminated_and_oversize_records),
        cmocka_unit_test(test_bad_input_files),
        cmocka_unit_test(test_handler_failure_stops_or_is_recorded),
        cmocka_unit_test(test_manifests),
        cmocka_unit_test(test_jsonl_readers),
    };
    return cmocka_run_group_tests(tests, fixtures_setup, fixtures_teardown);
}
