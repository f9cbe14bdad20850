/*
 * test_aws_s3.c - every S3 operation of libletsdata-aws against fake_aws.py, which
 * verifies each request's SigV4 signature with botocore's signer and judges like S3
 * (ETags, ranges, part lists and sizes); faults injected: 500, 503 SlowDown, a
 * connection reset mid-GET; a wrong secret; session tokens; bounded memory.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <letsdata/aws.h>
#include <letsdata/aws_s3.h>

#include "fake.h"

static fake_aws fake;

static int start_fake(void **state)
{
    (void)state;
    return fake_aws_start(&fake, NULL);
}

static int stop_fake(void **state)
{
    (void)state;
    fake_aws_stop(&fake);
    return 0;
}

static int reset_fake(void **state)
{
    (void)state;
    fake_admin(&fake, "DELETE", "fault", NULL, NULL);
    fake_log_clear(&fake);
    return 0;
}

static ld_aws_client *client_with(const char *key, const char *secret, const char *token)
{
    ld_aws_error error;
    ld_aws_credentials *credentials = ld_aws_credentials_new(key, secret, token, &error);
    assert_non_null(credentials);
    ld_aws_client_options options = LD_AWS_CLIENT_OPTIONS_INIT;
    options.region = FAKE_REGION;
    options.endpoint_url = fake.url;
    options.credentials = credentials;
    ld_aws_client *client = ld_aws_client_new(&options, &error);
    ld_aws_credentials_free(credentials);
    assert_non_null(client);
    return client;
}

static ld_aws_client *new_client(void)
{
    return client_with(FAKE_KEY, FAKE_SECRET, NULL);
}

/* Deterministic bytes: a position-keyed pattern, so any shift or splice shows. */
static void fill_pattern(unsigned char *buffer, size_t length, uint64_t offset)
{
    for (size_t i = 0; i < length; i++) {
        uint64_t x = (offset + i) * 0x9E3779B97F4A7C15ull;
        buffer[i] = (unsigned char)(x >> 56);
    }
}

typedef struct collected {
    unsigned char *data;
    size_t length, capacity;
    size_t calls;
} collected;

static int collect(void *payload, const void *data, size_t length)
{
    collected *c = payload;
    if (c->length + length > c->capacity) {
        c->capacity = (c->length + length) * 2;
        c->data = realloc(c->data, c->capacity);
        assert_non_null(c->data);
    }
    memcpy(c->data + c->length, data, length);
    c->length += length;
    c->calls++;
    return 0;
}

static void test_put_get_head_delete(void **state)
{
    (void)state;
    ld_aws_client *client = new_client();
    ld_aws_error error;
    const char *key = "dir/with space/ünïcode+plus=eq&amp~tilde%.txt";
    const char *text = "hello, S3\n";
    ld_s3_put_options options = LD_S3_PUT_OPTIONS_INIT;
    options.content_type = "text/plain";
    assert_int_equal(ld_s3_put_object(client, FAKE_BUCKET, key, text, strlen(text), &options,
                                      &error),
                     LD_OK);
    ld_s3_object_info info;
    assert_int_equal(ld_s3_head_object(client, FAKE_BUCKET, key, &info, &error), LD_OK);
    assert_int_equal(info.size, strlen(text));
    assert_string_equal(info.content_type, "text/plain");
    /* S3's ETag of a single PUT is the MD5 of the bytes. */
    assert_string_equal(info.etag, "\"67be8133b1b00b4911e76db971b7584f\"");
    assert_true(info.last_modified[0] != '\0');

    collected got = {0};
    ld_s3_object_info get_info;
    assert_int_equal(ld_s3_get_object(client, FAKE_BUCKET, key, NULL, collect, &got, &get_info,
                                      &error),
                     LD_OK);
    assert_int_equal(got.length, strlen(text));
    assert_memory_equal(got.data, text, got.length);
    assert_string_equal(get_info.etag, info.etag);

    char *data;
    size_t length;
    assert_int_equal(ld_s3_get_object_to_memory(client, FAKE_BUCKET, key, 100, &data, &length,
                                                &error),
                     LD_OK);
    assert_string_equal(data, text);
    free(data);
    assert_int_equal(ld_s3_get_object_to_memory(client, FAKE_BUCKET, key, 4, &data, &length,
                                                &error),
                     LD_ERR_LIMIT);

    char path[] = "/tmp/ldt-s3-get-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    assert_int_equal(ld_s3_get_object_to_file(client, FAKE_BUCKET, key, path, NULL, &error),
                     LD_OK);
    FILE *f = fopen(path, "rb");
    char back[64] = "";
    assert_int_equal(fread(back, 1, sizeof back, f), strlen(text));
    fclose(f);
    assert_string_equal(back, text);
    /* A failed download leaves no file behind. */
    assert_int_equal(ld_s3_get_object_to_file(client, FAKE_BUCKET, "absent", path, NULL, &error),
                     LD_ERR_NOT_FOUND);
    assert_int_equal(access(path, F_OK), -1);

    assert_int_equal(ld_s3_delete_object(client, FAKE_BUCKET, key, &error), LD_OK);
    assert_int_equal(ld_s3_head_object(client, FAKE_BUCKET, key, &info, &error),
                     LD_ERR_NOT_FOUND);
    assert_int_equal(error.http_status, 404);
    /* Deleting what is not there succeeds, as in S3. */
    assert_int_equal(ld_s3_delete_object(client, FAKE_BUCKET, key, &error), LD_OK);
    /* An empty object. */
    assert_int_equal(ld_s3_put_object(client, FAKE_BUCKET, "empty", NULL, 0, NULL, &error), LD_OK);
    collected none = {0};
    assert_int_equal(ld_s3_get_object(client, FAKE_BUCKET, "empty", NULL, collect, &none, &info,
                                      &error),
                     LD_OK);
    assert_int_equal(none.length, 0);
    assert_int_equal(info.size, 0);
    free(got.data);
    ld_aws_client_free(client);
}

static void test_missing_key_and_bucket(void **state)
{
    (void)state;
    ld_aws_client *client = new_client();
    ld_aws_error error;
    collected got = {0};
    assert_int_equal(ld_s3_get_object(client, FAKE_BUCKET, "no/such/key", NULL, collect, &got,
                                      NULL, &error),
                     LD_ERR_NOT_FOUND);
    assert_string_equal(error.aws_code, "NoSuchKey");
    assert_int_equal(error.http_status, 404);
    assert_true(error.request_id[0] != '\0');
    assert_non_null(strstr(error.message, "s3://" FAKE_BUCKET "/no/such/key"));
    assert_non_null(strstr(error.message, "NoSuchKey"));
    assert_int_equal(error.attempts, 1);
    assert_int_equal(ld_s3_get_object(client, "no-such-bucket", "k", NULL, collect, &got, NULL,
                                      &error),
                     LD_ERR_NOT_FOUND);
    assert_string_equal(error.aws_code, "NoSuchBucket");
    assert_int_equal(ld_s3_put_object(client, "no-such-bucket", "k", "x", 1, NULL, &error),
                     LD_ERR_NOT_FOUND);
    assert_string_equal(error.aws_code, "NoSuchBucket");
    assert_int_equal(got.length, 0);
    ld_aws_client_free(client);
}

static void test_ranges(void **state)
{
    (void)state;
    ld_aws_client *client = new_client();
    ld_aws_error error;
    unsigned char data[1000];
    fill_pattern(data, sizeof data, 0);
    assert_int_equal(ld_s3_put_object(client, FAKE_BUCKET, "ranged", data, sizeof data, NULL,
                                      &error),
                     LD_OK);
    ld_s3_get_options options = LD_S3_GET_OPTIONS_INIT;
    options.range_start = 100;
    options.range_end = 199;
    collected got = {0};
    ld_s3_object_info info;
    assert_int_equal(ld_s3_get_object(client, FAKE_BUCKET, "ranged", &options, collect, &got,
                                      &info, &error),
                     LD_OK);
    assert_int_equal(got.length, 100);
    assert_memory_equal(got.data, data + 100, 100);
    assert_int_equal(info.size, 1000); /* the whole object's size */
    got.length = 0;
    options.range_start = 990;
    options.range_end = LD_S3_TO_END;
    assert_int_equal(ld_s3_get_object(client, FAKE_BUCKET, "ranged", &options, collect, &got,
                                      NULL, &error),
                     LD_OK);
    assert_int_equal(got.length, 10);
    assert_memory_equal(got.data, data + 990, 10);
    options.range_start = 5000;
    assert_int_equal(ld_s3_get_object(client, FAKE_BUCKET, "ranged", &options, collect, &got,
                                      NULL, &error),
                     LD_ERR_INVALID);
    assert_string_equal(error.aws_code, "InvalidRange");
    options.range_start = 10;
    options.range_end = 5;
    assert_int_equal(ld_s3_get_object(client, FAKE_BUCKET, "ranged", &options, collect, &got,
                                      NULL, &error),
                     LD_ERR_INVALID);
    /* If-Match with a stale ETag. */
    options = (ld_s3_get_options)LD_S3_GET_OPTIONS_INIT;
    options.if_match = "\"0123\"";
    assert_int_equal(ld_s3_get_object(client, FAKE_BUCKET, "ranged", &options, collect, &got,
                                      NULL, &error),
                     LD_ERR_IO);
    assert_string_equal(error.aws_code, "PreconditionFailed");
    free(got.data);
    ld_aws_client_free(client);
}

typedef struct lister {
    char keys[64][64];
    int prefixes;
    int count;
    int stop_after;
} lister;

static int list_one(void *payload, const ld_s3_object_entry *entry)
{
    lister *l = payload;
    snprintf(l->keys[l->count++], 64, "%s", entry->key);
    if (entry->is_prefix) {
        l->prefixes++;
        assert_int_equal(entry->size, 0);
    } else {
        assert_int_equal(entry->size, strlen(entry->key));
        assert_true(entry->etag[0] == '"');
        assert_true(entry->last_modified[0] == '2');
    }
    return l->stop_after > 0 && l->count >= l->stop_after;
}

static void test_list_with_pagination(void **state)
{
    (void)state;
    ld_aws_client *client = new_client();
    ld_aws_error error;
    char key[64];
    for (int i = 0; i < 7; i++) {
        snprintf(key, sizeof key, "list/p a+ge/%02d", i);
        assert_int_equal(ld_s3_put_object(client, FAKE_BUCKET, key, key, strlen(key), NULL, &error),
                         LD_OK);
    }
    assert_int_equal(ld_s3_put_object(client, FAKE_BUCKET, "list/sub/x", "list/sub/x", 10, NULL,
                                      &error),
                     LD_OK);
    fake_log_clear(&fake);
    ld_s3_list_options options = LD_S3_LIST_OPTIONS_INIT;
    options.prefix = "list/p a+ge/";
    options.page_size = 3;
    lister l = {0};
    assert_int_equal(ld_s3_list_objects(client, FAKE_BUCKET, &options, list_one, &l, &error),
                     LD_OK);
    assert_int_equal(l.count, 7);
    for (int i = 0; i < 7; i++) {
        snprintf(key, sizeof key, "list/p a+ge/%02d", i);
        assert_string_equal(l.keys[i], key);
    }
    /* 7 keys at 3 a page: 3 requests, each signed (the token and prefix encoded). */
    assert_int_equal(fake_log_count(&fake, "GET", "/" FAKE_BUCKET "/"), 3);

    memset(&l, 0, sizeof l);
    options = (ld_s3_list_options)LD_S3_LIST_OPTIONS_INIT;
    options.prefix = "list/";
    options.delimiter = "/";
    assert_int_equal(ld_s3_list_objects(client, FAKE_BUCKET, &options, list_one, &l, &error),
                     LD_OK);
    assert_int_equal(l.count, 2);
    assert_int_equal(l.prefixes, 2);
    assert_string_equal(l.keys[0], "list/p a+ge/");
    assert_string_equal(l.keys[1], "list/sub/");

    memset(&l, 0, sizeof l);
    options = (ld_s3_list_options)LD_S3_LIST_OPTIONS_INIT;
    options.prefix = "list/";
    options.start_after = "list/p a+ge/04";
    options.page_size = 2;
    l.stop_after = 2;
    assert_int_equal(ld_s3_list_objects(client, FAKE_BUCKET, &options, list_one, &l, &error),
                     LD_OK);
    assert_int_equal(l.count, 2);
    assert_string_equal(l.keys[0], "list/p a+ge/05");

    /* DeleteObjects (with Content-MD5, as S3 requires) removes them all. */
    const char *keys[8];
    char names[8][64];
    for (int i = 0; i < 7; i++) {
        snprintf(names[i], 64, "list/p a+ge/%02d", i);
        keys[i] = names[i];
    }
    keys[7] = "list/sub/x";
    assert_int_equal(ld_s3_delete_objects(client, FAKE_BUCKET, keys, 8, &error), LD_OK);
    memset(&l, 0, sizeof l);
    options = (ld_s3_list_options)LD_S3_LIST_OPTIONS_INIT;
    options.prefix = "list/";
    assert_int_equal(ld_s3_list_objects(client, FAKE_BUCKET, &options, list_one, &l, &error),
                     LD_OK);
    assert_int_equal(l.count, 0);
    assert_int_equal(ld_s3_list_objects(client, "no-such-bucket", NULL, list_one, &l, &error),
                     LD_ERR_NOT_FOUND);
    ld_aws_client_free(client);
}

/* A pattern source of @c total bytes, handing out at most @c chunk per call. */
typedef struct pattern_source {
    uint64_t total, offset;
    size_t max_request;
    int fail_at_offset; /* fail once offset passes this (0: never) */
    uint64_t fail_offset;
} pattern_source;

static long read_pattern(void *payload, void *buffer, size_t capacity)
{
    pattern_source *s = payload;
    if (s->fail_at_offset && s->offset >= s->fail_offset)
        return -1;
    if (capacity > s->max_request)
        s->max_request = capacity;
    uint64_t left = s->total - s->offset;
    size_t n = capacity < left ? capacity : (size_t)left;
    if (n > 3 * 1024 * 1024 + 7)
        n = 3 * 1024 * 1024 + 7; /* short reads, as from a pipe */
    fill_pattern(buffer, n, s->offset);
    s->offset += n;
    return (long)n;
}

typedef struct pattern_check {
    uint64_t offset;
    int mismatch;
} pattern_check;

static int check_pattern(void *payload, const void *data, size_t length)
{
    pattern_check *c = payload;
    unsigned char expected[65536];
    const unsigned char *bytes = data;
    while (length > 0) {
        size_t n = length < sizeof expected ? length : sizeof expected;
        fill_pattern(expected, n, c->offset);
        if (memcmp(expected, bytes, n) != 0)
            c->mismatch = 1;
        c->offset += n;
        bytes += n;
        length -= n;
    }
    return 0;
}

static int sanitized(void)
{
#if defined(__SANITIZE_ADDRESS__)
    return 1;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    return 1;
#endif
#endif
    return getenv("LD_UNDER_VALGRIND") != NULL;
}

static long peak_rss_kib(void)
{
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

static void multipart_upload(int concurrency, long bound_kib)
{
    ld_aws_client *client = new_client();
    ld_aws_error error;
    fake_log_clear(&fake);
    /* 4.5 parts of 8 MiB (2.5 under valgrind, which is slow). */
    uint64_t total = getenv("LD_UNDER_VALGRIND") ? 20u << 20 : (36u << 20) + 12345;
    pattern_source source = {total, 0, 0, 0, 0};
    long before = peak_rss_kib();
    ld_s3_put_options options = LD_S3_PUT_OPTIONS_INIT;
    options.part_size = 1024; /* raised to the 8 MiB minimum */
    options.concurrency = concurrency;
    assert_int_equal(ld_s3_put_object_from_callback(client, FAKE_BUCKET, "big/object.bin",
                                                    read_pattern, &source, &options, &error),
                     LD_OK);
    long grown = peak_rss_kib() - before;
    if (!sanitized())
        assert_true(grown < bound_kib); /* (concurrency + 1) parts, libcurl, not the object */
    /* The parts: CreateMultipartUpload, ceil(total / 8 MiB) UploadParts, Complete. */
    size_t parts = (size_t)((total + LD_S3_MIN_PART_SIZE - 1) / LD_S3_MIN_PART_SIZE);
    json_t *log = fake_log(&fake);
    size_t i, uploads = 0;
    json_t *entry;
    json_array_foreach(log, i, entry)
    {
        const char *query = json_string_value(json_object_get(entry, "query"));
        if (strstr(query, "partNumber=") != NULL)
            uploads++;
    }
    json_decref(log);
    assert_int_equal(uploads, parts);
    ld_s3_object_info info;
    assert_int_equal(ld_s3_head_object(client, FAKE_BUCKET, "big/object.bin", &info, &error),
                     LD_OK);
    assert_int_equal(info.size, total);
    char suffix[16];
    snprintf(suffix, sizeof suffix, "-%zu\"", parts); /* a multipart ETag */
    assert_non_null(strstr(info.etag, suffix));
    pattern_check check = {0, 0};
    assert_int_equal(ld_s3_get_object(client, FAKE_BUCKET, "big/object.bin", NULL, check_pattern,
                                      &check, NULL, &error),
                     LD_OK);
    assert_int_equal(check.offset, total);
    assert_false(check.mismatch);
    ld_aws_client_free(client);
}

static void test_multipart_upload_bounded_memory(void **state)
{
    (void)state;
    /* One part in flight while the next fills: 16 MiB of buffers. Then the default, 2
     * parts in flight while a third fills: 24 MiB. */
    multipart_upload(1, 28 * 1024);
    multipart_upload(0, 40 * 1024);
}

static void test_upload_writer_file_and_failures_abort(void **state)
{
    (void)state;
    ld_aws_client *client = new_client();
    ld_aws_error error;
    /* The writer API, in odd-sized writes across part boundaries. */
    ld_s3_upload *upload = ld_s3_upload_new(client, FAKE_BUCKET, "writer.bin", NULL, &error);
    assert_non_null(upload);
    size_t total = (17u << 20) + 3, offset = 0;
    unsigned char *chunk = malloc(1 << 20);
    while (offset < total) {
        size_t n = (offset / 7 % 3 + 1) * 333333;
        if (n > total - offset)
            n = total - offset;
        fill_pattern(chunk, n, offset);
        assert_int_equal(ld_s3_upload_write(upload, chunk, n, &error), LD_OK);
        offset += n;
    }
    assert_int_equal(ld_s3_upload_finish(upload, &error), LD_OK);
    pattern_check check = {0, 0};
    assert_int_equal(ld_s3_get_object(client, FAKE_BUCKET, "writer.bin", NULL, check_pattern,
                                      &check, NULL, &error),
                     LD_OK);
    assert_int_equal(check.offset, total);
    assert_false(check.mismatch);

    /* From a file; small enough for one PutObject. */
    char path[] = "/tmp/ldt-s3-put-XXXXXX";
    int fd = mkstemp(path);
    fill_pattern(chunk, 100000, 0);
    assert_int_equal(write(fd, chunk, 100000), 100000);
    close(fd);
    fake_log_clear(&fake);
    assert_int_equal(ld_s3_put_object_from_file(client, FAKE_BUCKET, "from-file", path, NULL,
                                                &error),
                     LD_OK);
    assert_int_equal(fake_log_count(&fake, "PUT", "/" FAKE_BUCKET "/from-file"), 1);
    unlink(path);

    /* A file of several parts: each part streamed from the file (8 MiB parts asked for,
     * the last one short), its SHA-256 signed and checked by the server. */
    char big[] = "/tmp/ldt-s3-big-XXXXXX";
    fd = mkstemp(big);
    size_t big_size = (17u << 20) + 4321;
    for (size_t done = 0; done < big_size;) {
        size_t n = big_size - done < (1u << 20) ? big_size - done : (1u << 20);
        fill_pattern(chunk, n, done);
        assert_int_equal(write(fd, chunk, n), (ssize_t)n);
        done += n;
    }
    close(fd);
    fake_log_clear(&fake);
    ld_s3_put_options parts = LD_S3_PUT_OPTIONS_INIT;
    parts.part_size = LD_S3_MIN_PART_SIZE;
    assert_int_equal(ld_s3_put_object_from_file(client, FAKE_BUCKET, "from-big-file", big, &parts,
                                                &error),
                     LD_OK);
    assert_int_equal(fake_log_count(&fake, "PUT", "/" FAKE_BUCKET "/from-big-file"), 3);
    pattern_check whole = {0, 0};
    assert_int_equal(ld_s3_get_object(client, FAKE_BUCKET, "from-big-file", NULL, check_pattern,
                                      &whole, NULL, &error),
                     LD_OK);
    assert_int_equal(whole.offset, big_size);
    assert_false(whole.mismatch);
    /* A part refused three times: aborted, nothing left behind. */
    fake_fault(&fake, "{\"method\":\"PUT\",\"path\":\"from-big-file\",\"query\":\"partNumber=3\","
                      "\"action\":\"500\",\"count\":3}");
    assert_int_equal(ld_s3_put_object_from_file(client, FAKE_BUCKET, "from-big-file", big, &parts,
                                                &error),
                     LD_ERR_IO);
    assert_non_null(strstr(error.message, "UploadPart 3"));
    json_t *left = NULL;
    fake_admin(&fake, "GET", "uploads", NULL, &left);
    assert_int_equal(json_object_size(left), 0);
    json_decref(left);
    unlink(big);

    assert_int_equal(ld_s3_put_object_from_file(client, FAKE_BUCKET, "x", "/nonexistent/file",
                                                NULL, &error),
                     LD_ERR_IO);
    assert_non_null(strstr(error.message, "/nonexistent/file"));

    /* A source that fails after two parts: the multipart upload is aborted. */
    pattern_source failing = {64u << 20, 0, 0, 1, 20u << 20};
    assert_int_equal(ld_s3_put_object_from_callback(client, FAKE_BUCKET, "aborted.bin",
                                                    read_pattern, &failing, NULL, &error),
                     LD_ERR_IO);
    assert_non_null(strstr(error.message, "read callback failed"));
    json_t *uploads = NULL;
    fake_admin(&fake, "GET", "uploads", NULL, &uploads);
    assert_int_equal(json_object_size(uploads), 0); /* no parts left behind */
    json_decref(uploads);
    assert_int_equal(fake_log_count(&fake, "DELETE", "/" FAKE_BUCKET "/aborted.bin"), 1);
    ld_s3_object_info info;
    assert_int_equal(ld_s3_head_object(client, FAKE_BUCKET, "aborted.bin", &info, &error),
                     LD_ERR_NOT_FOUND);

    /* A part the server refuses (500 three times): aborted too, and the error names it. */
    fake_fault(&fake, "{\"method\":\"PUT\",\"path\":\"refused\\\\.bin\",\"query\":\"partNumber=2\","
                      "\"action\":\"500\",\"count\":3}");
    pattern_source source = {20u << 20, 0, 0, 0, 0};
    assert_int_equal(ld_s3_put_object_from_callback(client, FAKE_BUCKET, "refused.bin",
                                                    read_pattern, &source, NULL, &error),
                     LD_ERR_IO);
    assert_non_null(strstr(error.message, "UploadPart 2"));
    assert_int_equal(error.http_status, 500);
    assert_int_equal(error.attempts, 3);
    fake_admin(&fake, "GET", "uploads", NULL, &uploads);
    assert_int_equal(json_object_size(uploads), 0);
    json_decref(uploads);
    free(chunk);
    ld_aws_client_free(client);
}

static void test_session_token_and_wrong_secret(void **state)
{
    (void)state;
    ld_aws_error error;
    ld_aws_client *client = client_with(FAKE_TOKEN_KEY, FAKE_TOKEN_SECRET, FAKE_TOKEN);
    assert_int_equal(ld_s3_put_object(client, FAKE_BUCKET, "tok", "t", 1, NULL, &error), LD_OK);
    ld_aws_client_free(client);
    /* The same keys without their token: refused. */
    client = client_with(FAKE_TOKEN_KEY, FAKE_TOKEN_SECRET, NULL);
    assert_int_equal(ld_s3_put_object(client, FAKE_BUCKET, "tok", "t", 1, NULL, &error),
                     LD_ERR_IO);
    assert_string_equal(error.aws_code, "InvalidToken");
    ld_aws_client_free(client);

    fake_log_clear(&fake);
    client = client_with(FAKE_KEY, "not-the-secret", NULL);
    collected got = {0};
    assert_int_equal(ld_s3_get_object(client, FAKE_BUCKET, "tok", NULL, collect, &got, NULL,
                                      &error),
                     LD_ERR_IO);
    assert_string_equal(error.aws_code, "SignatureDoesNotMatch");
    assert_int_equal(error.http_status, 403);
    assert_int_equal(error.attempts, 1);
    assert_non_null(strstr(error.message, "SignatureDoesNotMatch"));
    /* No retry: one request in the server's log. */
    assert_int_equal(fake_log_count(&fake, "GET", "/" FAKE_BUCKET "/tok"), 1);
    ld_aws_client_free(client);
}

static void test_retries_on_500_and_slowdown(void **state)
{
    (void)state;
    ld_aws_client *client = new_client();
    ld_aws_error error;
    assert_int_equal(ld_s3_put_object(client, FAKE_BUCKET, "retry", "abc", 3, NULL, &error),
                     LD_OK);
    fake_log_clear(&fake);
    fake_fault(&fake, "{\"method\":\"GET\",\"path\":\"/retry$\",\"action\":\"500\",\"count\":1}");
    fake_fault(&fake, "{\"method\":\"GET\",\"path\":\"/retry$\",\"action\":\"503\",\"count\":1}");
    collected got = {0};
    assert_int_equal(ld_s3_get_object(client, FAKE_BUCKET, "retry", NULL, collect, &got, NULL,
                                      &error),
                     LD_OK);
    assert_int_equal(got.length, 3);
    assert_memory_equal(got.data, "abc", 3);
    /* The server saw three attempts: 500, 503 SlowDown, 200. */
    json_t *log = fake_log(&fake);
    assert_int_equal(json_array_size(log), 3);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(log, 0), "status")), 500);
    assert_string_equal(json_string_value(json_object_get(json_array_get(log, 1), "code")),
                        "SlowDown");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(log, 2), "status")), 200);
    json_decref(log);

    /* PUT: 503 SlowDown then success. */
    fake_log_clear(&fake);
    fake_fault(&fake, "{\"method\":\"PUT\",\"path\":\"/retry2$\",\"action\":\"503\",\"count\":1}");
    assert_int_equal(ld_s3_put_object(client, FAKE_BUCKET, "retry2", "abc", 3, NULL, &error),
                     LD_OK);
    assert_int_equal(fake_log_count(&fake, "PUT", "/" FAKE_BUCKET "/retry2"), 2);

    /* Three 500s exhaust the standard mode's 3 attempts. */
    fake_log_clear(&fake);
    fake_fault(&fake, "{\"method\":\"HEAD\",\"path\":\"/retry$\",\"action\":\"500\",\"count\":3}");
    ld_s3_object_info info;
    assert_int_equal(ld_s3_head_object(client, FAKE_BUCKET, "retry", &info, &error), LD_ERR_IO);
    assert_int_equal(error.attempts, 3);
    assert_int_equal(error.http_status, 500);
    assert_non_null(strstr(error.message, "after 3 attempts"));
    assert_int_equal(fake_log_count(&fake, "HEAD", "/" FAKE_BUCKET "/retry"), 3);
    free(got.data);
    ld_aws_client_free(client);
}

static void test_reset_mid_get_resumes_with_range(void **state)
{
    (void)state;
    ld_aws_client *client = new_client();
    ld_aws_error error;
    size_t total = 3u << 20;
    unsigned char *data = malloc(total);
    fill_pattern(data, total, 0);
    assert_int_equal(ld_s3_put_object(client, FAKE_BUCKET, "resume.bin", data, total, NULL, &error),
                     LD_OK);
    fake_log_clear(&fake);
    /* Two resets: after 1 MiB + 17 bytes, then after 700,001 more. */
    fake_fault(&fake, "{\"method\":\"GET\",\"path\":\"/resume\\\\.bin$\",\"action\":\"reset\","
                      "\"after\":1048593,\"count\":1}");
    fake_fault(&fake, "{\"method\":\"GET\",\"path\":\"/resume\\\\.bin$\",\"action\":\"reset\","
                      "\"after\":700001,\"count\":1}");
    collected got = {0};
    ld_s3_object_info info;
    assert_int_equal(ld_s3_get_object(client, FAKE_BUCKET, "resume.bin", NULL, collect, &got,
                                      &info, &error),
                     LD_OK);
    assert_int_equal(got.length, total);
    assert_memory_equal(got.data, data, total); /* the bytes identical */
    assert_int_equal(info.size, total);
    json_t *log = fake_log(&fake);
    assert_int_equal(json_array_size(log), 3);
    assert_true(json_is_null(json_object_get(json_array_get(log, 0), "range")));
    /* A reset loses what was in flight: each resume starts where the bytes stopped. */
    unsigned long first = 0, second = 0;
    assert_int_equal(sscanf(json_string_value(json_object_get(json_array_get(log, 1), "range")),
                            "bytes=%lu-", &first),
                     1);
    assert_int_equal(sscanf(json_string_value(json_object_get(json_array_get(log, 2), "range")),
                            "bytes=%lu-", &second),
                     1);
    assert_true(first > 0 && first <= 1048593);
    assert_true(second > first && second <= first + 700001);
    /* Pinned to the first answer's ETag. */
    assert_string_equal(json_string_value(json_object_get(json_array_get(log, 1), "if_match")),
                        info.etag);
    json_decref(log);

    /* A ranged GET that breaks resumes inside its range. */
    ld_s3_get_options options = LD_S3_GET_OPTIONS_INIT;
    options.range_start = 1000;
    options.range_end = 1000 + 600000 - 1;
    fake_fault(&fake, "{\"method\":\"GET\",\"path\":\"/resume\\\\.bin$\",\"action\":\"reset\","
                      "\"after\":250000,\"count\":1}");
    got.length = 0;
    assert_int_equal(ld_s3_get_object(client, FAKE_BUCKET, "resume.bin", &options, collect, &got,
                                      NULL, &error),
                     LD_OK);
    assert_int_equal(got.length, 600000);
    assert_memory_equal(got.data, data + 1000, 600000);
    free(got.data);
    free(data);
    ld_aws_client_free(client);
}

static int stop_early(void *payload, const void *data, size_t length)
{
    (void)data;
    size_t *seen = payload;
    *seen += length;
    return 1;
}

static void test_payload_signing_modes(void **state)
{
    (void)state;
    ld_aws_error error;
    ld_aws_credentials *credentials = ld_aws_credentials_new(FAKE_KEY, FAKE_SECRET, NULL, &error);
    const int modes[] = {LD_AWS_PAYLOAD_AUTO, LD_AWS_PAYLOAD_SIGNED, LD_AWS_PAYLOAD_UNSIGNED};
    for (int i = 0; i < 3; i++) {
        ld_aws_client_options options = LD_AWS_CLIENT_OPTIONS_INIT;
        options.region = FAKE_REGION;
        options.endpoint_url = fake.url;
        options.credentials = credentials;
        options.payload_signing = modes[i];
        ld_aws_client *client = ld_aws_client_new(&options, &error);
        fake_log_clear(&fake);
        assert_int_equal(ld_s3_put_object(client, FAKE_BUCKET, "signing", "abc", 3, NULL, &error),
                         LD_OK);
        json_t *log = fake_log(&fake);
        const char *sent = json_string_value(json_object_get(json_array_get(log, 0), "sha256"));
        /* Over http the body is signed unless told otherwise. */
        if (modes[i] == LD_AWS_PAYLOAD_UNSIGNED)
            assert_string_equal(sent, "UNSIGNED-PAYLOAD");
        else
            assert_string_equal(sent, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        json_decref(log);
        ld_aws_client_free(client);
    }
    ld_aws_client_options options = LD_AWS_CLIENT_OPTIONS_INIT;
    options.region = FAKE_REGION;
    options.payload_signing = 7;
    assert_null(ld_aws_client_new(&options, &error));
    assert_int_equal(error.code, LD_ERR_INVALID);
    ld_aws_credentials_free(credentials);
}

static void test_callback_stops_get(void **state)
{
    (void)state;
    ld_aws_client *client = new_client();
    ld_aws_error error;
    size_t seen = 0;
    assert_int_equal(ld_s3_put_object(client, FAKE_BUCKET, "stop", "0123456789", 10, NULL, &error),
                     LD_OK);
    fake_log_clear(&fake);
    assert_int_equal(ld_s3_get_object(client, FAKE_BUCKET, "stop", NULL, stop_early, &seen, NULL,
                                      &error),
                     LD_ERR_IO);
    assert_non_null(strstr(error.message, "stopped by the callback"));
    assert_int_equal(fake_log_count(&fake, "GET", "/" FAKE_BUCKET "/stop"), 1); /* no retry */
    ld_aws_client_free(client);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_put_get_head_delete, reset_fake),
        cmocka_unit_test_setup(test_missing_key_and_bucket, reset_fake),
        cmocka_unit_test_setup(test_ranges, reset_fake),
        cmocka_unit_test_setup(test_list_with_pagination, reset_fake),
        cmocka_unit_test_setup(test_multipart_upload_bounded_memory, reset_fake),
        cmocka_unit_test_setup(test_upload_writer_file_and_failures_abort, reset_fake),
        cmocka_unit_test_setup(test_session_token_and_wrong_secret, reset_fake),
        cmocka_unit_test_setup(test_retries_on_500_and_slowdown, reset_fake),
        cmocka_unit_test_setup(test_reset_mid_get_resumes_with_range, reset_fake),
        cmocka_unit_test_setup(test_callback_stops_get, reset_fake),
        cmocka_unit_test_setup(test_payload_signing_modes, reset_fake),
    };
    return cmocka_run_group_tests(tests, start_fake, stop_fake);
}
