/*
 * test_aws_runner.c - `letsdata-runtime run` over s3:// inputs served by fake_aws.py:
 * the same documents as over the local file, also with faults injected (503 on the
 * HEAD, 500 on the GET, connections reset mid-body); manifests of unmapped buckets read
 * from S3; a missing object and a missing libletsdata-aws named in the error.
 *
 * The executable runs as a child, so the real on-demand loading of libletsdata-aws by
 * libletsdata-runtime is what is tested.
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

#include <letsdata/aws.h>
#include <letsdata/aws_s3.h>

#include "fake.h"
#include "process.h"
#include "wet_gen.h"

static fake_aws fake;
static const char *runtime_exe, *handlers;
static char dir[256], local_wet[300], local_out[300];
static char env_endpoint[128];
static char *child_env[] = {"AWS_ACCESS_KEY_ID=" FAKE_KEY, "AWS_SECRET_ACCESS_KEY=" FAKE_SECRET,
                            "AWS_REGION=" FAKE_REGION, env_endpoint, NULL, NULL};

/* `letsdata-runtime --handler H run --continue-on-error --output OUT INPUT...` */
static int run_child(const char *out, const char *const *inputs, char *const *env,
                     char **stderr_text)
{
    char *argv[16] = {(char *)runtime_exe, (char *)"--handler", (char *)handlers, (char *)"run",
                      (char *)"--continue-on-error", (char *)"--overwrite", (char *)"--output",
                      (char *)out};
    int argc = 8;
    for (const char *const *i = inputs; *i != NULL && argc < 15; i++)
        argv[argc++] = (char *)*i;
    argv[argc] = NULL;
    ldt_process_result result = {0};
    assert_int_equal(ldt_process_run(argv, NULL, env, &result), 0);
    int status = result.exit_status;
    if (stderr_text != NULL)
        *stderr_text = strdup(result.err != NULL ? result.err : "");
    else if (status != 0)
        fprintf(stderr, "letsdata-runtime said: %s\n", result.err);
    ldt_process_result_free(&result);
    return status;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *text = NULL;
    size_t size = 0;
    if (getdelim(&text, &size, '\0', f) < 0) {
        free(text);
        text = strdup("");
    }
    fclose(f);
    return text;
}

static void assert_same_documents(const char *out)
{
    char a[400], b[400];
    snprintf(a, sizeof a, "%s/documents.jsonl", local_out);
    snprintf(b, sizeof b, "%s/documents.jsonl", out);
    char *expected = slurp(a), *got = slurp(b);
    assert_non_null(expected);
    assert_non_null(got);
    assert_true(strlen(expected) > 100000);
    assert_true(strcmp(expected, got) == 0);
    free(expected);
    free(got);
    snprintf(a, sizeof a, "%s/errors.jsonl", local_out);
    snprintf(b, sizeof b, "%s/errors.jsonl", out);
    expected = slurp(a);
    got = slurp(b);
    /* Error documents name the file read: the same errors, under the other name. */
    size_t lines_expected = 0, lines_got = 0;
    for (const char *p = expected; p != NULL && *p; p++)
        lines_expected += *p == '\n';
    for (const char *p = got; p != NULL && *p; p++)
        lines_got += *p == '\n';
    assert_int_equal(lines_got, lines_expected);
    free(expected);
    free(got);
}

/* Upload the file @p path as @p key with libletsdata-aws. @return LD_OK or an error. */
static int upload(const char *key, const char *path)
{
    ld_aws_error error;
    ld_aws_credentials *c = ld_aws_credentials_new(FAKE_KEY, FAKE_SECRET, NULL, &error);
    ld_aws_client_options options = LD_AWS_CLIENT_OPTIONS_INIT;
    options.region = FAKE_REGION;
    options.endpoint_url = fake.url;
    options.credentials = c;
    ld_aws_client *client = ld_aws_client_new(&options, &error);
    int rc = ld_s3_put_object_from_file(client, FAKE_BUCKET, key, path, NULL, &error);
    if (rc != LD_OK)
        fprintf(stderr, "upload %s: %s\n", key, error.message);
    ld_aws_client_free(client);
    ld_aws_credentials_free(c);
    return rc;
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/ldt-aws-runner-XXXXXX");
    if (mkdtemp(dir) == NULL || fake_aws_start(&fake, NULL) != 0)
        return -1;
    snprintf(env_endpoint, sizeof env_endpoint, "AWS_ENDPOINT_URL_S3=%s", fake.url);
    /* A crawl file: warcinfo, then random records, one gzip member each (~1 MB). */
    snprintf(local_wet, sizeof local_wet, "%s/crawl.warc.wet.gz", dir);
    ldt_wet_writer *w = ldt_wet_writer_open(local_wet, 6);
    ldt_wet_record info = ldt_wet_warcinfo("crawl.warc.wet.gz");
    ldt_wet_write(w, &info);
    ldt_rng rng;
    ldt_rng_seed(&rng, 11);
    ldt_wet_random random = {0};
    for (int i = 0; i < 400; i++)
        ldt_wet_write(w, ldt_wet_random_record(&random, &rng));
    ldt_wet_random_free(&random);
    if (ldt_wet_writer_close(w) != 0)
        return -1;
    if (upload("crawl/2024/crawl.warc.wet.gz", local_wet) != LD_OK)
        return -1;
    /* The reference: the same file read locally. */
    snprintf(local_out, sizeof local_out, "%s/out-local", dir);
    const char *inputs[] = {local_wet, NULL};
    return run_child(local_out, inputs, NULL, NULL) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    fake_aws_stop(&fake);
    char command[400];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    return system(command) == 0 ? 0 : -1;
}

static int reset_fake(void **state)
{
    (void)state;
    fake_admin(&fake, "DELETE", "fault", NULL, NULL);
    fake_log_clear(&fake);
    return 0;
}

static void test_s3_input_gives_the_local_documents(void **state)
{
    (void)state;
    char out[300];
    snprintf(out, sizeof out, "%s/out-s3", dir);
    const char *inputs[] = {"s3://" FAKE_BUCKET "/crawl/2024/crawl.warc.wet.gz", NULL};
    assert_int_equal(run_child(out, inputs, child_env, NULL), 0);
    assert_same_documents(out);
    /* One HEAD, one GET: streamed, not fetched twice. */
    assert_int_equal(fake_log_count(&fake, "HEAD", "/" FAKE_BUCKET "/crawl/2024/crawl.warc.wet.gz"), 1);
    assert_int_equal(fake_log_count(&fake, "GET", "/" FAKE_BUCKET "/crawl/2024/crawl.warc.wet.gz"), 1);
    /* s3a:// is the same thing. */
    const char *s3a[] = {"s3a://" FAKE_BUCKET "/crawl/2024/crawl.warc.wet.gz", NULL};
    assert_int_equal(run_child(out, s3a, child_env, NULL), 0);
    assert_same_documents(out);
}

static void test_s3_input_with_faults(void **state)
{
    (void)state;
    fake_fault(&fake, "{\"method\":\"HEAD\",\"path\":\"crawl\\\\.warc\",\"action\":\"503\"}");
    fake_fault(&fake, "{\"method\":\"GET\",\"path\":\"crawl\\\\.warc\",\"action\":\"500\"}");
    fake_fault(&fake, "{\"method\":\"GET\",\"path\":\"crawl\\\\.warc\",\"action\":\"reset\","
                      "\"after\":200000}");
    fake_fault(&fake, "{\"method\":\"GET\",\"path\":\"crawl\\\\.warc\",\"action\":\"reset\","
                      "\"after\":150000}");
    char out[300];
    snprintf(out, sizeof out, "%s/out-s3-faults", dir);
    const char *inputs[] = {"s3://" FAKE_BUCKET "/crawl/2024/crawl.warc.wet.gz", NULL};
    assert_int_equal(run_child(out, inputs, child_env, NULL), 0);
    assert_same_documents(out);
    /* HEAD twice (503 then 200); GET: 500, reset, reset (each resumed with a Range), done. */
    const char *key = "/" FAKE_BUCKET "/crawl/2024/crawl.warc.wet.gz";
    assert_int_equal(fake_log_count(&fake, "HEAD", key), 2);
    assert_int_equal(fake_log_count(&fake, "GET", key), 4);
    json_t *log = fake_log(&fake);
    size_t i, ranged = 0;
    json_t *entry;
    json_array_foreach(log, i, entry)
    {
        const char *range = json_string_value(json_object_get(entry, "range"));
        if (range != NULL && strncmp(range, "bytes=", 6) == 0)
            ranged++;
    }
    json_decref(log);
    assert_int_equal(ranged, 2);
}

static void test_manifest_of_an_unmapped_bucket_reads_s3(void **state)
{
    (void)state;
    char config[300], out[300];
    snprintf(config, sizeof config, "%s/dataset.json", dir);
    FILE *f = fopen(config, "w");
    fprintf(f, "{\"datasetName\":\"d\",\"readConnector\":{\"connectorDestination\":\"S3\","
               "\"bucketName\":\"%s\"},\"manifestFile\":{\"manifestType\":"
               "\"S3ReaderTextManifestFile\",\"fileContents\":\"crawl/2024/crawl.warc.wet.gz\\n\"}}",
            FAKE_BUCKET);
    fclose(f);
    snprintf(out, sizeof out, "%s/out-manifest", dir);
    char *argv[] = {(char *)runtime_exe, (char *)"--handler", (char *)handlers, (char *)"run",
                    (char *)"--continue-on-error", (char *)"--output", out,
                    (char *)"--manifest", config, NULL};
    ldt_process_result result = {0};
    assert_int_equal(ldt_process_run(argv, NULL, child_env, &result), 0);
    if (result.exit_status != 0)
        fprintf(stderr, "%s\n", result.err);
    assert_int_equal(result.exit_status, 0);
    ldt_process_result_free(&result);
    assert_same_documents(out);
    assert_int_equal(fake_log_count(&fake, "GET", "/" FAKE_BUCKET "/crawl/2024/crawl.warc.wet.gz"), 1);
}

static void test_jsonl_reader_over_s3(void **state)
{
    (void)state;
    char input[300], local[300], remote[300];
    snprintf(input, sizeof input, "%s/messages.jsonl", dir);
    FILE *f = fopen(input, "w");
    for (int i = 0; i < 3000; i++)
        fprintf(f, "{\"messageId\":\"m%d\",\"messageAttributes\":{},\"messageBody\":"
                   "\"{\\\"documentId\\\":\\\"d%d\\\",\\\"partitionKey\\\":\\\"p\\\"}\"}\n",
                i, i);
    fclose(f);
    assert_int_equal(upload("queue/messages.jsonl", input), LD_OK);
    snprintf(local, sizeof local, "%s/out-jsonl-local", dir);
    snprintf(remote, sizeof remote, "%s/out-jsonl-s3", dir);
    char *argv[] = {(char *)runtime_exe, (char *)"--handler", (char *)handlers, (char *)"run",
                    (char *)"--reader", (char *)"queue", (char *)"--output", local, input, NULL};
    ldt_process_result result = {0};
    assert_int_equal(ldt_process_run(argv, NULL, NULL, &result), 0);
    assert_int_equal(result.exit_status, 0);
    ldt_process_result_free(&result);
    argv[7] = remote;
    argv[8] = (char *)"s3://" FAKE_BUCKET "/queue/messages.jsonl";
    assert_int_equal(ldt_process_run(argv, NULL, child_env, &result), 0);
    if (result.exit_status != 0)
        fprintf(stderr, "%s\n", result.err);
    assert_int_equal(result.exit_status, 0);
    ldt_process_result_free(&result);
    char a[400], b[400];
    snprintf(a, sizeof a, "%s/documents.jsonl", local);
    snprintf(b, sizeof b, "%s/documents.jsonl", remote);
    char *expected = slurp(a), *got = slurp(b);
    assert_non_null(got);
    assert_true(strlen(expected) > 3000 * 20);
    assert_string_equal(got, expected);
    free(expected);
    free(got);
}

static void test_resume_after_an_s3_failure(void **state)
{
    (void)state;
    /* Two copies of the crawl; the second one's GET fails three times: the run stops
     * after the first file. --resume (the service healthy again) finishes the second, and
     * the documents are those of both files read locally. */
    assert_int_equal(upload("crawl/2024/second.wet.gz", local_wet), LD_OK);
    char both_local[300], out[300];
    snprintf(both_local, sizeof both_local, "%s/out-two-local", dir);
    snprintf(out, sizeof out, "%s/out-two-s3", dir);
    const char *locals[] = {local_wet, local_wet, NULL};
    assert_int_equal(run_child(both_local, locals, NULL, NULL), 0);

    fake_fault(&fake, "{\"method\":\"GET\",\"path\":\"second\\\\.wet\",\"action\":\"500\","
                      "\"count\":3}");
    const char *inputs[] = {"s3://" FAKE_BUCKET "/crawl/2024/crawl.warc.wet.gz",
                            "s3://" FAKE_BUCKET "/crawl/2024/second.wet.gz", NULL};
    char *said = NULL;
    assert_int_not_equal(run_child(out, inputs, child_env, &said), 0);
    assert_non_null(strstr(said, "second.wet.gz"));
    assert_non_null(strstr(said, "500"));
    free(said);
    char *argv[] = {(char *)runtime_exe, (char *)"--handler", (char *)handlers, (char *)"run",
                    (char *)"--continue-on-error", (char *)"--resume", (char *)"--output", out,
                    (char *)inputs[0], (char *)inputs[1], NULL};
    ldt_process_result result = {0};
    assert_int_equal(ldt_process_run(argv, NULL, child_env, &result), 0);
    if (result.exit_status != 0)
        fprintf(stderr, "%s\n", result.err);
    assert_int_equal(result.exit_status, 0);
    ldt_process_result_free(&result);
    char a[400], b[400];
    snprintf(a, sizeof a, "%s/documents.jsonl", both_local);
    snprintf(b, sizeof b, "%s/documents.jsonl", out);
    char *expected = slurp(a), *got = slurp(b);
    assert_non_null(got);
    assert_true(strcmp(expected, got) == 0);
    free(expected);
    free(got);
    /* The first file was not read again. */
    assert_int_equal(fake_log_count(&fake, "GET", "/" FAKE_BUCKET "/crawl/2024/crawl.warc.wet.gz"), 1);
}

static void test_missing_object_and_missing_library(void **state)
{
    (void)state;
    char out[300];
    snprintf(out, sizeof out, "%s/out-missing", dir);
    const char *inputs[] = {"s3://" FAKE_BUCKET "/no/such.wet.gz", NULL};
    char *said = NULL;
    assert_int_not_equal(run_child(out, inputs, child_env, &said), 0);
    assert_non_null(strstr(said, "s3://" FAKE_BUCKET "/no/such.wet.gz"));
    assert_non_null(strstr(said, "404"));
    free(said);

    char *env[] = {child_env[0], child_env[1], child_env[2], child_env[3],
                   (char *)"LETSDATA_AWS_LIBRARY=/nonexistent/libletsdata-aws.so.0", NULL};
    const char *ok[] = {"s3://" FAKE_BUCKET "/crawl/2024/crawl.warc.wet.gz", NULL};
    assert_int_not_equal(run_child(out, ok, env, &said), 0);
    assert_non_null(strstr(said, "LETSDATA_AWS_LIBRARY=/nonexistent/libletsdata-aws.so.0"));
    free(said);

    /* No credentials anywhere: every source named. */
    char *bare[] = {(char *)"AWS_REGION=" FAKE_REGION, env_endpoint,
                    (char *)"AWS_SHARED_CREDENTIALS_FILE=/nonexistent/credentials", NULL};
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    assert_int_not_equal(run_child(out, ok, bare, &said), 0);
    assert_non_null(strstr(said, "no AWS credentials found"));
    free(said);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: test_aws_runner LETSDATA_RUNTIME HANDLERS_MODULE\n");
        return 2;
    }
    runtime_exe = argv[1];
    handlers = argv[2];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_s3_input_gives_the_local_documents, reset_fake),
        cmocka_unit_test_setup(test_s3_input_with_faults, reset_fake),
        cmocka_unit_test_setup(test_manifest_of_an_unmapped_bucket_reads_s3, reset_fake),
        cmocka_unit_test_setup(test_jsonl_reader_over_s3, reset_fake),
        cmocka_unit_test_setup(test_resume_after_an_s3_failure, reset_fake),
        cmocka_unit_test_setup(test_missing_object_and_missing_library, reset_fake),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
