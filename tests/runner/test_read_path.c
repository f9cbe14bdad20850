/*
 * test_read_path.c - the runner's read path (runner/source.c, reader.c,
 * inflate_parallel.c, split.c): damaged gzip input fails the task naming the file and
 * the byte; trailing garbage is a warning; -j 2 inside one file gives the same output as
 * -j 1; line-per-record files split with start OFFSET 0 + end PATTERN "\n" add up.
 *
 *   test_read_path TEXT_FILE    (a real multi-line file: the project's LICENSE)
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
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include <letsdata/letsdata.h>

#include "examples.h"
#include "runner.h"
#include "runner_fixtures.h"

static const char *text_file;

/* Text that compresses about as much as web pages do (2-3x): words of random letters. */
static size_t random_text(char *out, size_t length, uint32_t *seed)
{
    size_t n = 0;
    while (n + 12 < length) {
        *seed = *seed * 1664525u + 1013904223u;
        size_t word = 2 + (*seed >> 28) % 9;
        for (size_t i = 0; i < word; i++) {
            *seed = *seed * 1664525u + 1013904223u;
            out[n++] = (char)('a' + (*seed >> 24) % 26);
        }
        out[n++] = (*seed & 0x300) == 0 ? '\n' : ' ';
    }
    out[n++] = '\n';
    return n;
}

/* One gzip member holding data[0, length). */
static void write_member(FILE *f, const char *data, size_t length)
{
    uLongf bound = compressBound((uLong)length) + 64;
    unsigned char *out = malloc(bound);
    z_stream z = {0};
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (unsigned char *)data;
    z.avail_in = (uInt)length;
    z.next_out = out;
    z.avail_out = (uInt)bound;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    assert_int_equal(fwrite(out, 1, z.total_out, f), z.total_out);
    deflateEnd(&z);
    free(out);
}

/*
 * A WET file of @p records records of up to @p body_max bytes of text: one gzip member
 * per record (as Common Crawl writes them), or one member for every @p per_member
 * records, or plain when @p gzip is 0. Returns the path (free it).
 */
static char *make_wet(const char *name, unsigned records, size_t body_max, int gzip,
                      unsigned per_member)
{
    char *path = path_in(name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    size_t capacity = (body_max + 600) * (per_member ? per_member : 1);
    char *member = malloc(capacity), *body = malloc(body_max);
    size_t held = 0;
    uint32_t seed = 7;
    for (unsigned r = 0; r < records; r++) {
        size_t n = random_text(body, 200 + (size_t)(seed >> 8) % (body_max - 200), &seed);
        held += (size_t)snprintf(member + held, capacity - held,
                                 "WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: "
                                 "http://site%u.example/\r\nWARC-Date: 2022-05-16T04:40:56Z\r\n"
                                 "Content-Type: text/plain\r\nContent-Length: %zu\r\n\r\n",
                                 r, n);
        memcpy(member + held, body, n);
        held += n;
        memcpy(member + held, "\r\n\r\n", 4);
        held += 4;
        if (!gzip) {
            fwrite(member, 1, held, f);
            held = 0;
        } else if ((r + 1) % per_member == 0 || r + 1 == records) {
            write_member(f, member, held);
            held = 0;
        }
    }
    fclose(f);
    free(member);
    free(body);
    return path;
}

static int run_with(ld_registry *registry, char **args, int count)
{
    char *argv[32];
    argv[0] = (char *)"run";
    for (int i = 0; i < count; i++)
        argv[i + 1] = args[i];
    return ldrun_main(count + 1, argv, registry);
}

static char *read_all(const char *path, size_t *length)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    rewind(f);
    char *data = malloc((size_t)size + 1);
    assert_int_equal(fread(data, 1, (size_t)size, f), (size_t)size);
    data[size] = '\0';
    fclose(f);
    *length = (size_t)size;
    return data;
}

static void assert_same_file(const char *a_dir, const char *b_dir, const char *name)
{
    assert_true(files_equal(a_dir, b_dir, name));
}

static void truncate_to(const char *path, off_t length)
{
    assert_int_equal(truncate(path, length), 0);
}

/* A truncated gzip file fails the task, names the file and the byte, keeps nothing. */
static void test_truncated_gzip_fails(void **state)
{
    (void)state;
    char *gz = make_wet("truncated.wet.gz", 3000, 3000, 1, 1);
    struct stat st;
    assert_int_equal(stat(gz, &st), 0);
    off_t cut = st.st_size * 6 / 10;
    truncate_to(gz, cut);
    char at[64];
    snprintf(at, sizeof at, "ends unexpectedly at byte %lld", (long long)cut);
    const char *jobs[] = {"1", "2"};
    for (int j = 0; j < 2; j++) {
        char *out = path_in(j ? "out-trunc-2" : "out-trunc-1");
        char *args[] = {(char *)"-j", (char *)jobs[j], (char *)"--output", out, gz};
        char *log = NULL;
        assert_int_equal(run_capturing_stderr(args, 5, &log), 1);
        json_t *s = summary(out);
        const char *failure = json_string_value(json_object_get(s, "failure"));
        assert_non_null(failure);
        assert_non_null(strstr(failure, "truncated.wet.gz"));
        assert_non_null(strstr(failure, at));
        assert_non_null(strstr(failure, "truncated"));
        assert_non_null(strstr(log, at));
        json_decref(s);
        free(log);
        free(out);
    }
    /* Cut inside a member's header, a few bytes into the file. */
    truncate_to(gz, 5);
    char *out = path_in("out-trunc-header");
    char *args[] = {(char *)"--output", out, gz};
    char *log = NULL;
    assert_int_equal(run_capturing_stderr(args, 3, &log), 1);
    assert_non_null(strstr(log, "ends unexpectedly at byte 5"));
    free(log);
    free(out);
    free(gz);
}

/* Damaged compressed bytes fail the task, naming the file and a byte in the member. */
static void test_corrupt_gzip_fails(void **state)
{
    (void)state;
    char *gz = make_wet("corrupt.wet.gz", 3000, 3000, 1, 1);
    struct stat st;
    assert_int_equal(stat(gz, &st), 0);
    FILE *f = fopen(gz, "r+b");
    fseek(f, st.st_size / 2, SEEK_SET);
    for (int i = 0; i < 64; i++)
        fputc(0xA5 ^ i, f);
    fclose(f);
    const char *jobs[] = {"1", "2"};
    for (int j = 0; j < 2; j++) {
        char *out = path_in(j ? "out-corrupt-2" : "out-corrupt-1");
        char *args[] = {(char *)"-j", (char *)jobs[j], (char *)"--output", out, gz};
        char *log = NULL;
        assert_int_equal(run_capturing_stderr(args, 5, &log), 1);
        json_t *s = summary(out);
        const char *failure = json_string_value(json_object_get(s, "failure"));
        assert_non_null(failure);
        assert_non_null(strstr(failure, "corrupt.wet.gz: corrupt gzip data at byte "));
        /* The byte named is in the damaged region's member, before the file's end. */
        const char *number = strstr(failure, "at byte ") + 8;
        long long byte = atoll(number);
        assert_true(byte > st.st_size / 2 - 20000 && byte < st.st_size);
        json_decref(s);
        free(log);
        free(out);
    }
    free(gz);
}

/* Bytes after the last member that are not gzip: every record kept, and a warning. */
static void test_trailing_garbage_warns(void **state)
{
    (void)state;
    char *gz = make_wet("trailing.wet.gz", 500, 3000, 1, 1);
    char *clean = path_in("out-clean");
    char *args0[] = {(char *)"--output", clean, gz};
    char *log = NULL;
    assert_int_equal(run_capturing_stderr(args0, 3, &log), 0);
    assert_null(strstr(log, "warning"));
    free(log);
    struct stat st;
    assert_int_equal(stat(gz, &st), 0);
    FILE *f = fopen(gz, "ab");
    fputs("this is not gzip data, written after the last member\n", f);
    fclose(f);
    char at[64];
    snprintf(at, sizeof at, "(from byte %lld)", (long long)st.st_size);
    const char *jobs[] = {"1", "2"};
    for (int j = 0; j < 2; j++) {
        char *out = path_in(j ? "out-trailing-2" : "out-trailing-1");
        char *args[] = {(char *)"-j", (char *)jobs[j], (char *)"--output", out, gz};
        assert_int_equal(run_capturing_stderr(args, 5, &log), 0);
        assert_non_null(strstr(log, "warning"));
        assert_non_null(strstr(log, "trailing.wet.gz"));
        assert_non_null(strstr(log, at));
        json_t *s = summary(out);
        assert_int_equal(count_of(s, "success"), 500);
        json_decref(s);
        assert_same_file(clean, out, "documents.jsonl");
        free(log);
        free(out);
    }
    free(clean);
    free(gz);
}

static void assert_j2_same_as_j1(const char *input, const char *stem)
{
    char one[300], two[300];
    snprintf(one, sizeof one, "%s/%s-j1", dir, stem);
    snprintf(two, sizeof two, "%s/%s-j2", dir, stem);
    char *args1[] = {(char *)"--output", one, (char *)input};
    assert_int_equal(run(args1, 3), 0);
    char *args2[] = {(char *)"-j", (char *)"2", (char *)"--output", two, (char *)input};
    assert_int_equal(run(args2, 5), 0);
    assert_same_file(one, two, "documents.jsonl");
    assert_same_file(one, two, "errors.jsonl");
    json_t *s1 = summary(one), *s2 = summary(two);
    const char *keys[] = {"records", "success", "error", "skip", "bytesRead",
                          "bytesOutsideRecords"};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        assert_int_equal(count_of(s1, keys[k]), count_of(s2, keys[k]));
    assert_true(count_of(s1, "success") > 0);
    json_decref(s1);
    json_decref(s2);
}

/* Handler failures inside one file at -j 2: recorded in the same order as at -j 1, or
 * stopping the task at the same record. */
static void test_one_file_j2_handler_failures(void **state)
{
    (void)state;
    char *plain = make_wet("failing.wet", 4000, 3000, 0, 0);
    /* Records without a URI: the WET parser fails them (ValueError). */
    size_t length;
    char *text = read_all(plain, &length);
    size_t broken = 0;
    for (char *p = text; (p = strstr(p, "WARC-Target-URI: http://site")) != NULL; p++)
        if (atoi(p + 28) % 97 == 13) {
            memcpy(p, "X-Target-URI", 12);
            broken++;
        }
    FILE *f = fopen(plain, "wb");
    fwrite(text, 1, length, f);
    fclose(f);
    free(text);
    char one[300], two[300];
    snprintf(one, sizeof one, "%s/failing-j1", dir);
    snprintf(two, sizeof two, "%s/failing-j2", dir);
    char *args1[] = {(char *)"--continue-on-error", (char *)"--output", one, plain};
    assert_int_equal(run(args1, 4), 0);
    char *args2[] = {(char *)"--continue-on-error", (char *)"-j", (char *)"2", (char *)"--output",
                     two, plain};
    assert_int_equal(run(args2, 6), 0);
    assert_same_file(one, two, "documents.jsonl");
    assert_same_file(one, two, "errors.jsonl");
    json_t *s = summary(two);
    assert_int_equal(count_of(s, "handlerFailures"), (json_int_t)broken);
    json_decref(s);

    /* Without --continue-on-error: the task stops at the first failing record. */
    const char *failure[2];
    json_t *summaries[2];
    for (int j = 0; j < 2; j++) {
        char out[300];
        snprintf(out, sizeof out, "%s/failing-stop-j%d", dir, j + 1);
        char *args[] = {(char *)"-j", (char *)(j ? "2" : "1"), (char *)"--output", out, plain};
        assert_int_equal(run(args, 5), 1);
        summaries[j] = summary(out);
        failure[j] = json_string_value(json_object_get(summaries[j], "failure"));
        assert_non_null(failure[j]);
    }
    assert_non_null(strstr(failure[0], "record at byte"));
    assert_string_equal(failure[0], failure[1]);
    json_decref(summaries[0]);
    json_decref(summaries[1]);
    free(plain);
}

/* A failure message that quotes bytes of the record that are not UTF-8 is recorded
 * (with U+FFFD), not lost as an unwritable ErrorDoc. */
static void test_failure_quoting_bad_bytes_is_recorded(void **state)
{
    (void)state;
    char *input = path_in("bad-header.wet"), *out = path_in("out-bad-header");
    static const char record[] = "WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: "
                                 "http://a.example/\r\nX-Other: \xff\r\n\r\ntext\n\r\n\r\n";
    FILE *f = fopen(input, "wb");
    fwrite(record, 1, sizeof record - 1, f);
    fclose(f);
    char *args[] = {(char *)"--continue-on-error", (char *)"--output", out, input};
    assert_int_equal(run(args, 4), 0);
    char path[512];
    snprintf(path, sizeof path, "%s/errors.jsonl", out);
    size_t length;
    char *errors = read_all(path, &length);
    json_t *doc = json_loads(errors, 0, NULL);
    assert_non_null(doc);
    const char *message = json_string_value(json_object_get(doc, "errorMessage"));
    assert_non_null(message);
    assert_non_null(strstr(message, "UnicodeDecodeError: WARC header line 'X-Other: \xef\xbf\xbd'"));
    json_decref(doc);
    free(errors);
    free(input);
    free(out);
}

/* -j 2 on one file: the same documents, errors and counts as -j 1, in the same order. */
static void test_one_file_j2_same_as_j1(void **state)
{
    (void)state;
    /* Several MiB of compressed members: many chunks inflated on two threads. */
    char *members = make_wet("members.wet.gz", 6000, 3000, 1, 1);
    assert_j2_same_as_j1(members, "members");
    /* Members of many records, and records spanning members. */
    char *grouped = make_wet("grouped.wet.gz", 3000, 3000, 1, 37);
    assert_j2_same_as_j1(grouped, "grouped");
    /* One member of several MiB: inflated by the sequential path. */
    char *single = make_wet("single.wet.gz", 3000, 3000, 1, 100000);
    assert_j2_same_as_j1(single, "single");
    char *plain = make_wet("plain.wet", 6000, 3000, 0, 0);
    assert_j2_same_as_j1(plain, "plain");
    free(members);
    free(grouped);
    free(single);
    free(plain);
}

/* ---- line-per-record files ---- */

static int line_type(ld_context *ctx, void *payload, char **out)
{
    (void)ctx;
    (void)payload;
    *out = ld_strdup("TEXT");
    return LD_OK;
}

static int line_start(ld_context *ctx, void *payload, const char *type, ld_record_parse_hint *hint)
{
    (void)ctx; (void)payload; (void)type;
    return ld_record_parse_hint_set_offset(hint, 0);
}

static int line_end(ld_context *ctx, void *payload, const char *type, ld_record_parse_hint *hint)
{
    (void)ctx; (void)payload; (void)type;
    return ld_record_parse_hint_set_pattern(hint, "\n");
}

static int line_parse(ld_context *ctx, void *payload, const char *type, const char *file,
                      int64_t offset, const char *buffer, size_t start, size_t end,
                      ld_parse_document_result *result)
{
    (void)ctx; (void)payload; (void)type;
    if (end - start == 1) { /* an empty line */
        ld_parse_document_result_set(result, LD_PARSE_SKIP, NULL);
        return LD_OK;
    }
    ld_document *doc = ld_document_new(file, "LINE", file, NULL,
                                       json_pack("{s:I, s:s%}", "offset", (json_int_t)offset,
                                                 "line", buffer + start, end - start - 1));
    ld_parse_document_result_set(result, LD_PARSE_SUCCESS, doc);
    return doc ? LD_OK : LD_ERR_NOMEM;
}

/* Start OFFSET 0 + end PATTERN "\n": one record per line, nothing extra, counts exact. */
static void test_line_per_record_file(void **state)
{
    (void)state;
    static const ld_single_file_parser lines = {
        .version = LD_SINGLE_FILE_PARSER_VERSION,
        .get_s3_file_type = line_type,
        .get_record_start_pattern = line_start,
        .get_record_end_pattern = line_end,
        .parse_document = line_parse,
    };
    ld_registry *registry = ld_registry_new();
    assert_int_equal(ld_registry_set_single_file_parser(registry, &lines), LD_OK);
    size_t length;
    char *text = read_all(text_file, &length);
    assert_true(length > 0 && text[length - 1] == '\n');
    size_t line_count = 0, empty = 0;
    for (size_t i = 0; i < length; i++)
        if (text[i] == '\n') {
            line_count++;
            empty += i == 0 || text[i - 1] == '\n';
        }
    assert_true(line_count > 5 && empty > 0);

    char *out = path_in("out-lines");
    char *args[] = {(char *)"--output", out, (char *)text_file};
    assert_int_equal(run_with(registry, args, 3), 0);
    json_t *s = summary(out);
    assert_int_equal(count_of(s, "records"), (json_int_t)line_count);
    assert_int_equal(count_of(s, "success"), (json_int_t)(line_count - empty));
    assert_int_equal(count_of(s, "skip"), (json_int_t)empty);
    assert_int_equal(count_of(s, "error"), 0);
    assert_int_equal(count_of(s, "bytesRead"), (json_int_t)length);
    assert_int_equal(count_of(s, "bytesOutsideRecords"), 0);
    json_decref(s);

    /* Each document is its line, at its offset, in order. */
    char path[512];
    snprintf(path, sizeof path, "%s/documents.jsonl", out);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t at = 0, docs = 0;
    char *row = NULL;
    size_t row_capacity = 0;
    while (getline(&row, &row_capacity, f) > 0) {
        while (text[at] == '\n')
            at++; /* the empty lines were skipped */
        json_t *doc = json_loads(row, 0, NULL);
        assert_non_null(doc);
        const char *line = json_string_value(json_object_get(doc, "line"));
        size_t n = strchr(text + at, '\n') - (text + at);
        assert_int_equal(json_integer_value(json_object_get(doc, "offset")), (json_int_t)at);
        assert_int_equal(strlen(line), n);
        assert_memory_equal(line, text + at, n);
        json_decref(doc);
        at += n + 1;
        docs++;
    }
    free(row);
    fclose(f);
    assert_int_equal(docs, line_count - empty);

    /* Lines with text before the first and after the last, and no final newline: the
     * unterminated last line is an error record, not lost; the counts still add up. */
    char *partial = path_in("partial.txt"), *out2 = path_in("out-partial");
    f = fopen(partial, "wb");
    fputs("first\nsecond\n\nlast without newline", f);
    fclose(f);
    char *args2[] = {(char *)"--output", out2, partial};
    assert_int_equal(run_with(registry, args2, 3), 0);
    s = summary(out2);
    assert_int_equal(count_of(s, "records"), 4);
    assert_int_equal(count_of(s, "success"), 2);
    assert_int_equal(count_of(s, "skip"), 1);
    assert_int_equal(count_of(s, "error"), 1);
    assert_int_equal(count_of(s, "bytesRead"), 34);
    assert_int_equal(count_of(s, "bytesOutsideRecords"), 34 - 14);
    json_decref(s);
    free(partial);
    free(out2);
    free(out);
    free(text);
    ld_registry_free(registry);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_read_path TEXT_FILE\n");
        return 2;
    }
    text_file = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line_per_record_file),
        cmocka_unit_test(test_truncated_gzip_fails),
        cmocka_unit_test(test_corrupt_gzip_fails),
        cmocka_unit_test(test_trailing_garbage_warns),
        cmocka_unit_test(test_one_file_j2_same_as_j1),
        cmocka_unit_test(test_one_file_j2_handler_failures),
        cmocka_unit_test(test_failure_quoting_bad_bytes_is_recorded),
    };
    return cmocka_run_group_tests(tests, fixtures_setup, fixtures_teardown);
}
