/*
 * test_aws_services.c - Secrets Manager (GetSecretValue, the SecretManagerUtil helpers,
 * an ARN's region winning), SageMaker InvokeEndpoint and ld_aws_client_send() against
 * fake_aws.py, which checks every signature; endpoints from the AWS_ENDPOINT_URL_*
 * variables.
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

#include <letsdata/aws.h>
#include <letsdata/aws_sagemaker.h>
#include <letsdata/aws_secrets.h>

#include "fake.h"

static fake_aws fake;
static char spark_arn[256];

#define SPARK_SECRET                                                                        \
    "{\"mapper\": {\"read\": {\"AWS_ACCESS_KEY_ID\": \"MR\", \"AWS_SECRET_ACCESS_KEY\": "   \
    "\"mr-secret\", \"AWS_SESSION_TOKEN\": \"mr-token\"}, \"write\": {\"AWS_ACCESS_KEY_ID\": " \
    "\"MW\", \"AWS_SECRET_ACCESS_KEY\": \"mw-secret\", \"AWS_SESSION_TOKEN\": \"mw-token\"}}, " \
    "\"reducer\": {\"read\": {\"AWS_ACCESS_KEY_ID\": \"RR\", \"AWS_SECRET_ACCESS_KEY\": "   \
    "\"rr-secret\", \"AWS_SESSION_TOKEN\": \"rr-token\"}, \"write\": {\"AWS_ACCESS_KEY_ID\": " \
    "\"RW\", \"AWS_SECRET_ACCESS_KEY\": \"rw-secret\"}}}"

static int start_fake(void **state)
{
    (void)state;
    if (fake_aws_start(&fake, NULL) != 0)
        return -1;
    json_t *body = json_pack("{s:s, s:s}", "name", "spark-task", "string", SPARK_SECRET);
    char *text = json_dumps(body, 0);
    json_t *answer = NULL;
    fake_admin(&fake, "POST", "secret", text, &answer);
    snprintf(spark_arn, sizeof spark_arn, "%s",
             json_string_value(json_object_get(answer, "arn")));
    free(text);
    json_decref(body);
    json_decref(answer);
    fake_admin(&fake, "POST", "secret", "{\"name\": \"plain\", \"string\": \"not json\"}", NULL);
    fake_admin(&fake, "POST", "secret", "{\"name\": \"binary\", \"binary\": \"AAEC\"}", NULL);
    /* Credentials and endpoints as a user sets them: the environment. */
    setenv("AWS_ACCESS_KEY_ID", FAKE_KEY, 1);
    setenv("AWS_SECRET_ACCESS_KEY", FAKE_SECRET, 1);
    unsetenv("AWS_SESSION_TOKEN");
    unsetenv("AWS_ENDPOINT_URL");
    setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", fake.url, 1);
    setenv("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME", fake.url, 1);
    setenv("AWS_REGION", "us-east-1", 1); /* not the fake's: ARNs must win */
    return 0;
}

static int stop_fake(void **state)
{
    (void)state;
    fake_aws_stop(&fake);
    return 0;
}

static ld_aws_client *client_in(const char *region)
{
    ld_aws_error error;
    ld_aws_client_options options = LD_AWS_CLIENT_OPTIONS_INIT;
    options.region = region;
    ld_aws_client *client = ld_aws_client_new(&options, &error);
    assert_non_null(client);
    return client;
}

static void test_get_secret_value(void **state)
{
    (void)state;
    ld_aws_client *client = client_in(FAKE_REGION);
    ld_aws_error error;
    char *value = NULL;
    assert_int_equal(ld_secrets_get_secret_value(client, "spark-task", &value, &error), LD_OK);
    assert_string_equal(value, SPARK_SECRET);
    free(value);
    assert_int_equal(ld_secrets_get_secret_value(client, "absent", &value, &error),
                     LD_ERR_NOT_FOUND);
    assert_null(value);
    assert_string_equal(error.aws_code, "ResourceNotFoundException");
    assert_int_equal(error.http_status, 400);
    assert_non_null(strstr(error.message, "GetSecretValue absent"));
    assert_int_equal(ld_secrets_get_secret_value(client, "binary", &value, &error),
                     LD_ERR_UNSUPPORTED);
    ld_aws_client_free(client);

    /* A client in the wrong region: a name is signed for it and refused... */
    client = client_in("us-east-1");
    assert_int_equal(ld_secrets_get_secret_value(client, "spark-task", &value, &error),
                     LD_ERR_IO);
    assert_string_equal(error.aws_code, "AuthorizationHeaderMalformed");
    /* ...but an ARN's region wins. */
    assert_int_equal(ld_secrets_get_secret_value(client, spark_arn, &value, &error), LD_OK);
    free(value);
    ld_aws_client_free(client);
}

static void test_secret_manager_util(void **state)
{
    (void)state;
    ld_aws_error error;
    char *value = NULL;
    /* get_secrets_value(region, arn): the region from the ARN when NULL. */
    assert_int_equal(ld_secrets_get_secrets_value(NULL, spark_arn, &value, &error), LD_OK);
    assert_string_equal(value, SPARK_SECRET);
    free(value);
    static const char *const expected[4][4] = {{"mapper", "read", "MR", "mr-token"},
                                                {"mapper", "write", "MW", "mw-token"},
                                                {"reducer", "read", "RR", "rr-token"}};
    for (int i = 0; i < 3; i++) {
        ld_aws_credentials *c = NULL;
        assert_int_equal(ld_secrets_get_spark_aws_credentials(FAKE_REGION, spark_arn,
                                                              expected[i][0], expected[i][1], &c,
                                                              &error),
                         LD_OK);
        assert_string_equal(ld_aws_credentials_access_key_id(c), expected[i][2]);
        assert_string_equal(ld_aws_credentials_session_token(c), expected[i][3]);
        assert_non_null(strstr(ld_aws_credentials_source(c), expected[i][1]));
        ld_aws_credentials_free(c);
    }
    ld_aws_credentials *c = NULL;
    /* reducer.write lacks its AWS_SESSION_TOKEN: named. */
    assert_int_equal(ld_secrets_get_spark_aws_credentials(FAKE_REGION, spark_arn, "reducer",
                                                          "write", &c, &error),
                     LD_ERR_INVALID);
    assert_null(c);
    assert_non_null(strstr(error.message, "reducer.write.AWS_SESSION_TOKEN"));
    assert_int_equal(ld_secrets_get_spark_aws_credentials(FAKE_REGION, spark_arn, "combiner",
                                                          "read", &c, &error),
                     LD_ERR_INVALID);
    assert_non_null(strstr(error.message, "'combiner'"));
    assert_int_equal(ld_secrets_get_spark_aws_credentials(FAKE_REGION, spark_arn, "mapper",
                                                          "delete", &c, &error),
                     LD_ERR_INVALID);
    ld_aws_client *client = client_in(FAKE_REGION);
    assert_int_equal(ld_secrets_get_spark_aws_credentials_with(client, "plain", "mapper", "read",
                                                               &c, &error),
                     LD_ERR_INVALID);
    assert_non_null(strstr(error.message, "is not JSON"));
    assert_int_equal(ld_secrets_get_spark_aws_credentials_with(client, "spark-task", "mapper",
                                                               "read", &c, &error),
                     LD_OK);
    ld_aws_credentials_free(c);
    ld_aws_client_free(client);
}

static void test_sagemaker_invoke_endpoint(void **state)
{
    (void)state;
    ld_aws_client *client = client_in(FAKE_REGION);
    ld_aws_error error;
    ld_aws_response response = LD_AWS_RESPONSE_INIT;
    const char *body = "{\"inputs\": [\"a document\", \"another\"]}";
    assert_int_equal(ld_aws_sagemaker_invoke_endpoint(client, "my-embedder", NULL, NULL, body,
                                                      strlen(body), &response, &error),
                     LD_OK);
    assert_int_equal(response.status, 200);
    assert_string_equal(response.content_type, "application/json");
    json_t *answer = json_loadb(response.body, response.body_length, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(answer, "endpoint")), "my-embedder");
    assert_string_equal(json_string_value(json_object_get(answer, "accept")), "application/json");
    assert_string_equal(json_string_value(json_array_get(
                            json_object_get(json_object_get(answer, "echo"), "inputs"), 1)),
                        "another");
    json_decref(answer);
    /* An error answer: the status and body are there for the caller, and the error says why. */
    assert_int_equal(ld_aws_sagemaker_invoke_endpoint(client, "my-embedder", "application/json",
                                                      NULL, "not json", 8, &response, &error),
                     LD_ERR_IO);
    assert_int_equal(response.status, 424);
    assert_string_equal(error.aws_code, "ModelError");
    assert_non_null(strstr(response.body, "ModelError"));
    assert_int_equal(ld_aws_sagemaker_invoke_endpoint(client, "bad/name", NULL, NULL, "{}", 2,
                                                      &response, &error),
                     LD_ERR_INVALID);
    ld_aws_response_clear(&response);

    /* Throttled then fine: retried. */
    fake_log_clear(&fake);
    fake_fault(&fake, "{\"path\":\"/endpoints/\",\"action\":\"503\",\"count\":2}");
    assert_int_equal(ld_aws_sagemaker_invoke_endpoint(client, "e2", NULL, NULL, "{}", 2, &response,
                                                      &error),
                     LD_OK);
    assert_int_equal(fake_log_count(&fake, "POST", "/endpoints/e2/invocations"), 3);
    ld_aws_response_clear(&response);
    ld_aws_client_free(client);
}

static void test_generic_send_with_session_token(void **state)
{
    (void)state;
    setenv("AWS_ACCESS_KEY_ID", FAKE_TOKEN_KEY, 1);
    setenv("AWS_SECRET_ACCESS_KEY", FAKE_TOKEN_SECRET, 1);
    setenv("AWS_SESSION_TOKEN", FAKE_TOKEN, 1);
    ld_aws_client *client = client_in(FAKE_REGION);
    ld_aws_error error;
    const char *headers[] = {"Content-Type: application/x-amz-json-1.1",
                             "X-Amz-Target: secretsmanager.GetSecretValue", NULL};
    const char *body = "{\"SecretId\": \"spark-task\"}";
    ld_aws_request request = LD_AWS_REQUEST_INIT;
    request.service_id = "Secrets Manager";
    request.signing_name = "secretsmanager";
    request.endpoint_prefix = "secretsmanager";
    request.method = "POST";
    request.path = "/";
    request.headers = headers;
    request.body = body;
    request.body_length = strlen(body);
    ld_aws_response response = LD_AWS_RESPONSE_INIT;
    assert_int_equal(ld_aws_client_send(client, &request, &response, &error), LD_OK);
    assert_int_equal(response.status, 200);
    assert_non_null(strstr(response.body, "\"SecretString\""));
    assert_non_null(response.request_id);
    ld_aws_response_clear(&response);
    ld_aws_client_free(client);
    /* Without the token the service refuses these keys. */
    unsetenv("AWS_SESSION_TOKEN");
    client = client_in(FAKE_REGION);
    assert_int_equal(ld_aws_client_send(client, &request, &response, &error), LD_ERR_IO);
    assert_string_equal(error.aws_code, "UnrecognizedClientException");
    assert_int_equal(error.attempts, 1);
    ld_aws_response_clear(&response);
    ld_aws_client_free(client);
    setenv("AWS_ACCESS_KEY_ID", FAKE_KEY, 1);
    setenv("AWS_SECRET_ACCESS_KEY", FAKE_SECRET, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_secret_value),
        cmocka_unit_test(test_secret_manager_util),
        cmocka_unit_test(test_sagemaker_invoke_endpoint),
        cmocka_unit_test(test_generic_send_with_session_token),
    };
    return cmocka_run_group_tests(tests, start_fake, stop_fake);
}
