/*
 * test_aws_vectors.c - `letsdata-runtime run --vectorizer sagemaker:ENDPOINT` against
 * fake_aws.py's SageMaker runtime (every request's SigV4 signature verified by botocore's
 * signer): the Kinesis example chained into the Sagemaker example, vectors from the
 * fake's feature-extraction model, a ModelError as a VECTORIZE_ERROR naming the document,
 * throttling (503 SlowDown) retried, an unknown endpoint, no region, no libletsdata-aws.
 *
 * The executable runs as a child, so libletsdata-runtime loads libletsdata-aws on demand
 * as it does for users, and reads AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME.
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
#include <unistd.h>

#include <jansson.h>

#include "fake.h"
#include "process.h"

static fake_aws fake;
static const char *runtime_exe, *handlers;
static char dir[256], stream[300];
static char env_endpoint[128];
static char *child_env[] = {"AWS_ACCESS_KEY_ID=" FAKE_KEY, "AWS_SECRET_ACCESS_KEY=" FAKE_SECRET,
                            "AWS_REGION=" FAKE_REGION, env_endpoint,
                            "LETSDATA_AWS_RETRY_BASE_MS=20", NULL, NULL};

#define DOCUMENTS 30
#define POISON 7

static const char *text_of(int i, char *buffer, size_t size)
{
    snprintf(buffer, size, "document %d: text to embed%s%.*s", i,
             i == POISON ? " #model-error" : "", 2 * (i % 3), "\xc3\xa9\xc3\xa8");
    return buffer;
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/letsdata-aws-vectors-XXXXXX");
    if (mkdtemp(dir) == NULL || fake_aws_start(&fake, NULL) != 0)
        return -1;
    /* Only the service-specific variable points at the fake: it must be the one read. */
    snprintf(env_endpoint, sizeof env_endpoint, "AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME=%s",
             fake.url);
    snprintf(stream, sizeof stream, "%s/stream.jsonl", dir);
    FILE *f = fopen(stream, "w");
    if (f == NULL)
        return -1;
    for (int i = 0; i < DOCUMENTS; i++) {
        char text[200], id[64];
        snprintf(id, sizeof id, "doc-%d", i);
        json_t *doc = json_pack("{s:s, s:s, s:s, s:s}", "documentId", id, "docId", id,
                                "partitionKey", "pk", "docText", text_of(i, text, sizeof text));
        char *data = json_dumps(doc, JSON_COMPACT);
        json_t *record = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s}", "streamArn",
                                   "arn:aws:kinesis:eu-west-3:123456789012:stream/s", "shardId",
                                   "shardId-000000000000", "partitionKey", "pk",
                                   "sequenceNumber", id, "approximateArrivalTimestamp",
                                   (json_int_t)1700000000000, "data", data);
        char *line = json_dumps(record, JSON_COMPACT);
        fprintf(f, "%s\n", line);
        free(line);
        free(data);
        json_decref(record);
        json_decref(doc);
    }
    fclose(f);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fake_aws_stop(&fake);
    char command[400];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    int ignored = system(command);
    (void)ignored;
    return 0;
}

/* `letsdata-runtime --handler H run --reader kinesis --vectorizer SPEC --output OUT ...` */
static int run_child(const char *spec, const char *out, char *const *env, char **err)
{
    char *argv[] = {(char *)runtime_exe, (char *)"--handler", (char *)handlers, (char *)"run",
                    (char *)"--reader", (char *)"kinesis", (char *)"--vectorizer", (char *)spec,
                    (char *)"--vector-batch", (char *)"4", (char *)"--vector-jobs", (char *)"2",
                    (char *)"--overwrite", (char *)"--output", (char *)out, stream, NULL};
    ldt_process_result result = {0};
    assert_int_equal(ldt_process_run(argv, NULL, env, &result), 0);
    int status = result.exit_status;
    if (err != NULL)
        *err = strdup(result.err ? result.err : "");
    else if (status != 0)
        fprintf(stderr, "letsdata-runtime said: %s\n", result.err);
    ldt_process_result_free(&result);
    return status;
}

static json_t *lines_of(const char *out, const char *name)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s", out, name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    json_t *lines = json_array();
    char *line = NULL;
    size_t capacity = 0;
    while (getline(&line, &capacity, f) > 0)
        json_array_append_new(lines, json_loads(line, 0, NULL));
    free(line);
    fclose(f);
    return lines;
}

static void check_vectors(const char *out)
{
    json_t *written = lines_of(out, "documents.jsonl"), *errors = lines_of(out, "errors.jsonl");
    assert_int_equal(json_array_size(written), DOCUMENTS - 1);
    assert_int_equal(json_array_size(errors), 1);
    size_t w = 0;
    for (int i = 0; i < DOCUMENTS; i++) {
        char text[200], id[64];
        snprintf(id, sizeof id, "doc-%d", i);
        text_of(i, text, sizeof text);
        if (i == POISON) {
            const json_t *e = json_array_get(errors, 0);
            const char *message = json_string_value(json_object_get(e, "errorMessage"));
            assert_string_equal(json_string_value(json_object_get(e, "recordType")),
                                "VECTORIZE_ERROR");
            assert_string_equal(json_string_value(json_object_get(e, "documentId")), id);
            assert_non_null(strstr(message, "document doc-7"));
            assert_non_null(strstr(message, "ModelError"));
            assert_non_null(strstr(message, "CUDA out of memory"));
            continue;
        }
        const json_t *doc = json_array_get(written, w++);
        assert_string_equal(json_string_value(json_object_get(doc, "documentId")), id);
        assert_string_equal(json_string_value(json_object_get(doc, "recordType")), "Vectors");
        const json_t *v = json_object_get(json_object_get(doc, "vectors"), "docText");
        assert_int_equal(json_array_size(v), 4);
        assert_true(json_number_value(json_array_get(v, 0)) == (double)strlen(text) + 1);
        assert_true(json_number_value(json_array_get(v, 1)) == 2.0);
        assert_true(json_number_value(json_array_get(v, 3)) == 4.0);
    }
    json_decref(written);
    json_decref(errors);
}

static void test_invoke_endpoint_chain(void **state)
{
    (void)state;
    char out[400];
    snprintf(out, sizeof out, "%s/out", dir);
    fake_log_clear(&fake);
    assert_int_equal(run_child("sagemaker:feature-extraction-minilm", out, child_env, NULL), 0);
    check_vectors(out);
    /* Every request was a signed InvokeEndpoint (the fake answers 403 to a bad signature),
     * in batches: far fewer than one per document. */
    size_t invocations =
        fake_log_count(&fake, "POST", "/endpoints/feature-extraction-minilm/invocations");
    assert_true(invocations >= 8 && invocations < DOCUMENTS);
}

static void test_throttling_is_retried(void **state)
{
    (void)state;
    char out[400];
    snprintf(out, sizeof out, "%s/out-throttled", dir);
    fake_fault(&fake, "{\"method\":\"POST\",\"path\":\"invocations\",\"action\":\"503\","
                      "\"count\":3}");
    assert_int_equal(run_child("sagemaker:feature-extraction-minilm", out, child_env, NULL), 0);
    check_vectors(out);
    char path[450];
    snprintf(path, sizeof path, "%s/summary.json", out);
    json_t *summary = json_load_file(path, 0, NULL);
    assert_true(json_integer_value(json_object_get(json_object_get(summary, "vectors"),
                                                   "retries")) >= 3);
    json_decref(summary);
}

static void test_unknown_endpoint_and_configuration(void **state)
{
    (void)state;
    char out[400];
    /* An endpoint that does not exist: a 4xx, every document an error naming it. */
    snprintf(out, sizeof out, "%s/out-missing", dir);
    assert_int_equal(run_child("sagemaker:missing", out, child_env, NULL), 0);
    json_t *errors = lines_of(out, "errors.jsonl");
    assert_int_equal(json_array_size(errors), DOCUMENTS);
    assert_non_null(strstr(json_string_value(json_object_get(json_array_get(errors, 0),
                                                             "errorMessage")),
                           "Endpoint missing of account"));
    json_decref(errors);

    /* No region anywhere: refused before reading, naming the setting. */
    char *no_region[] = {"AWS_ACCESS_KEY_ID=" FAKE_KEY, "AWS_SECRET_ACCESS_KEY=" FAKE_SECRET,
                         env_endpoint, "AWS_CONFIG_FILE=/nonexistent",
                         "AWS_SHARED_CREDENTIALS_FILE=/nonexistent", NULL};
    char *err = NULL;
    snprintf(out, sizeof out, "%s/out-no-region", dir);
    assert_int_equal(run_child("sagemaker:feature-extraction-minilm", out, no_region, &err), 2);
    assert_non_null(strstr(err, "region"));
    free(err);

    /* libletsdata-aws cannot be found: refused, naming it. */
    char *no_library[] = {"AWS_REGION=" FAKE_REGION, "LETSDATA_AWS_LIBRARY=/nonexistent/lib.so",
                          NULL};
    snprintf(out, sizeof out, "%s/out-no-library", dir);
    assert_int_equal(run_child("sagemaker:feature-extraction-minilm", out, no_library, &err), 2);
    assert_non_null(strstr(err, "LETSDATA_AWS_LIBRARY"));
    free(err);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s RUNTIME_EXE HANDLERS\n", argv[0]);
        return 2;
    }
    runtime_exe = argv[1];
    handlers = argv[2];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invoke_endpoint_chain),
        cmocka_unit_test(test_throttling_is_retried),
        cmocka_unit_test(test_unknown_endpoint_and_configuration),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
