/*
 * test_spark_udf_failure.c - a customer's Spark mapper whose C UDF fails on one record,
 * through the runtime: the EXCEPTION envelope carries the UDF's message, and the output
 * has no _SUCCESS. (Its own executable: it links libletsdata-spark, which
 * test_spark_examples.c must not, to see DuckDB loaded only on demand.)
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
#include <unistd.h>

#include <cmocka.h>

#include <letsdata/letsdata.h>
#include <letsdata/letsdata_spark.h>
#include <letsdata/runtime.h>

#include "wet_gen.h"

/* A customer's mapper whose C UDF fails on one record: the invocation fails with the
 * UDF's message and the statement, and nothing looks complete. */
static void explode(ld_spark_udf_call *call, void *payload)
{
    (void)payload;
    size_t n;
    const char *text = ld_spark_udf_arg_text(call, 0, &n);
    if (text != NULL && memmem(text, n, "Content-Length: 12abc", 21) != NULL)
        ld_spark_udf_result_error(call, "explode: cannot handle record of %zu bytes", n);
    else
        ld_spark_udf_result_int64(call, (int64_t)n);
}

static int udf_mapper(ld_context *ctx, void *payload, const char *app_name,
                      const char *read_destination, const char *read_uri,
                      const char *read_format, json_t *read_options,
                      const char *write_destination, const char *write_uri,
                      const char *write_format, const char *write_mode, json_t *write_options,
                      const char *secret_arn)
{
    (void)payload;
    (void)read_destination;
    (void)write_destination;
    ld_spark_session *session = NULL;
    ld_spark_frame *in = NULL, *out = NULL;
    ld_error error = {0};
    const char *args[] = {"VARCHAR"};
    if (ld_spark_session_new_for_task(&session, app_name, "mapper", secret_arn, &error) ||
        ld_spark_udf_register(session, "explode", args, 1, "BIGINT", 0, explode, NULL, NULL,
                              &error) ||
        ld_spark_read_uri(session, read_uri, read_format, read_options, &in, &error) ||
        ld_spark_frame_register(in, "records", &error) ||
        ld_spark_sql(session, "SELECT explode(value) AS n FROM records", &out, &error) ||
        ld_spark_write(out, write_uri, write_format, write_options, write_mode, &error))
        ld_context_fail(ctx, "SparkError", "%s", error.message);
    ld_spark_frame_free(out);
    ld_spark_frame_free(in);
    ld_spark_session_free(session);
    return ld_context_failed(ctx) ? LD_ERR_HANDLER : LD_OK;
}

static void test_failing_udf(void **state)
{
    (void)state;
    static const ld_spark_mapper_interface impl = {LD_SPARK_MAPPER_INTERFACE_VERSION, NULL,
                                                   udf_mapper};
    char dir[] = "/tmp/letsdata-spark-udf-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char in[256], out[256];
    snprintf(in, sizeof in, "%s/in.warc.wet.gz", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    ldt_wet_writer *w = ldt_wet_writer_open(in, 6);
    assert_non_null(w);
    static const ldt_wet_record records[] = {
        {"conversion", "https://example.com/a", "2023-12-12T01:40:15Z", "<urn:a>", NULL, NULL,
         "eng", "text/plain", NULL, NULL, "fine\n", 0},
        {"conversion", "https://example.com/b", "2023-12-12T01:40:16Z", "<urn:b>", NULL, NULL,
         "eng", "text/plain", "12abc", NULL, "this one explodes\n", 0},
    };
    for (size_t i = 0; i < 2; i++)
        assert_int_equal(ldt_wet_write(w, &records[i]), 0);
    assert_int_equal(ldt_wet_writer_close(w), 0);

    ld_registry *registry = ld_registry_new();
    assert_int_equal(ld_registry_set_spark_mapper_interface(registry, &impl), LD_OK);
    char request[2048];
    snprintf(request, sizeof request,
             "{\"requestId\":\"r\",\"interface\":\"SparkMapperInterface\",\"function\":"
             "\"mapper\",\"letsdataAuth\":{\"tenantId\":\"t\",\"userId\":\"u\","
             "\"datasetName\":\"n\",\"datasetId\":\"d\"},\"data\":{\"appName\":\"udf\","
             "\"readDestination\":\"S3\",\"readUri\":\"%s\",\"readFormat\":\"text\","
             "\"readOptions\":{\"lineSep\":\"\\n\\r\\n\\r\\n\"},\"writeDestination\":\"S3\","
             "\"writeUri\":\"%s\",\"writeFormat\":\"json\",\"writeMode\":\"overwrite\","
             "\"writeOptions\":{},\"sparkCredentialsSecretArn\":\"\"}}",
             in, out);
    ld_response response = LD_RESPONSE_INIT;
    assert_int_equal(ld_runtime_invoke(registry, request, strlen(request), NULL, &response),
                     LD_OK);
    assert_int_equal(response.status_code, 500);
    json_t *envelope = json_loads(response.body, 0, NULL);
    const char *message = json_string_value(
        json_object_get(json_object_get(envelope, "body"), "errorMessage"));
    assert_non_null(message);
    if (strstr(message, "explode: cannot handle record") == NULL)
        fail_msg("the UDF's message is missing: %s", message);
    json_decref(envelope);
    ld_response_clear(&response);
    char success[300];
    snprintf(success, sizeof success, "%s/_SUCCESS", out);
    assert_int_not_equal(access(success, F_OK), 0);
    ld_registry_free(registry);
    char command[300];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    assert_int_equal(system(command), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_failing_udf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

