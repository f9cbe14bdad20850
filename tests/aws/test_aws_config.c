/*
 * test_aws_config.c - libletsdata-aws without the network: region, endpoints, CA
 * bundle, the credentials chain (environment, file, container endpoint, nothing), S3
 * URIs and addressing, canonical queries.
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
#include <sys/stat.h>
#include <unistd.h>

#include <letsdata/aws.h>
#include <letsdata/aws_s3.h>

#include "aws_internal.h"
#include "fake.h"

static const char *const aws_variables[] = {
    "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3",
    "AWS_ENDPOINT_URL_SECRETS_MANAGER", "AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_CA_BUNDLE", "SSL_CERT_FILE", "AWS_MAX_ATTEMPTS"};

static char home[256];

/* Every test starts from an empty AWS environment and an empty HOME. */
static int clean_environment(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof aws_variables / sizeof aws_variables[0]; i++)
        unsetenv(aws_variables[i]);
    snprintf(home, sizeof home, "/tmp/ldt-aws-home-XXXXXX");
    assert_non_null(mkdtemp(home));
    setenv("HOME", home, 1);
    return 0;
}

static int remove_home(void **state)
{
    (void)state;
    char command[400];
    snprintf(command, sizeof command, "rm -rf '%s'", home);
    assert_int_equal(system(command), 0);
    return 0;
}

static char *write_home_file(const char *name, const char *text)
{
    static char path[400];
    snprintf(path, sizeof path, "%s/%s", home, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void test_region_from_each_variable(void **state)
{
    (void)state;
    ld_aws_error error;
    char *region = ld_aws_resolve_region(&error);
    assert_null(region);
    assert_int_equal(error.code, LD_ERR_NOT_FOUND);
    assert_non_null(strstr(error.message, "AWS_REGION"));
    assert_non_null(strstr(error.message, "AWS_DEFAULT_REGION"));
    assert_non_null(strstr(error.message, "config"));

    char dir[300];
    snprintf(dir, sizeof dir, "%s/.aws", home);
    assert_int_equal(mkdir(dir, 0700), 0);
    write_home_file(".aws/config", "[default]\nregion = ap-south-1\n[profile other]\n"
                                   "region=sa-east-1\n");
    region = ld_aws_resolve_region(&error);
    assert_string_equal(region, "ap-south-1");
    free(region);
    setenv("AWS_PROFILE", "other", 1);
    region = ld_aws_resolve_region(&error);
    assert_string_equal(region, "sa-east-1");
    free(region);
    char *elsewhere = write_home_file("cfg", "[profile other]\nregion = ca-central-1\n");
    setenv("AWS_CONFIG_FILE", elsewhere, 1);
    region = ld_aws_resolve_region(&error);
    assert_string_equal(region, "ca-central-1");
    free(region);

    setenv("AWS_DEFAULT_REGION", "us-west-1", 1);
    region = ld_aws_resolve_region(&error);
    assert_string_equal(region, "us-west-1");
    free(region);
    setenv("AWS_REGION", "eu-north-1", 1);
    region = ld_aws_resolve_region(&error);
    assert_string_equal(region, "eu-north-1");
    free(region);
}

static void expect_endpoint(const char *service_id, const char *prefix, const char *region,
                            const char *expected, int expected_override)
{
    ld_aws_error error;
    int is_override = -1;
    char *url = ld_aws_resolve_endpoint(service_id, prefix, region, &is_override, &error);
    assert_non_null(url);
    assert_string_equal(url, expected);
    assert_int_equal(is_override, expected_override);
    free(url);
}

static void test_endpoint_from_each_variable(void **state)
{
    (void)state;
    expect_endpoint("S3", "s3", "eu-west-1", "https://s3.eu-west-1.amazonaws.com", 0);
    expect_endpoint("Secrets Manager", "secretsmanager", "us-east-2",
                    "https://secretsmanager.us-east-2.amazonaws.com", 0);
    expect_endpoint("SageMaker Runtime", "runtime.sagemaker", "eu-west-1",
                    "https://runtime.sagemaker.eu-west-1.amazonaws.com", 0);
    expect_endpoint("S3", "s3", "cn-north-1", "https://s3.cn-north-1.amazonaws.com.cn", 0);

    setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9/", 1);
    expect_endpoint("S3", "s3", "eu-west-1", "http://127.0.0.1:9", 1);
    expect_endpoint("Secrets Manager", "secretsmanager", "eu-west-1", "http://127.0.0.1:9", 1);
    setenv("AWS_ENDPOINT_URL_S3", "http://localhost:9000", 1);
    setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", "http://localhost:4566", 1);
    setenv("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME", "https://sm.example:8443", 1);
    expect_endpoint("S3", "s3", "eu-west-1", "http://localhost:9000", 1);
    expect_endpoint("Secrets Manager", "secretsmanager", NULL, "http://localhost:4566", 1);
    expect_endpoint("SageMaker Runtime", "runtime.sagemaker", NULL, "https://sm.example:8443", 1);
    /* A service without its own variable falls back to AWS_ENDPOINT_URL. */
    expect_endpoint("DynamoDB", "dynamodb", NULL, "http://127.0.0.1:9", 1);

    ld_aws_error error;
    setenv("AWS_ENDPOINT_URL_S3", "localhost:9000", 1);
    assert_null(ld_aws_resolve_endpoint("S3", "s3", "eu-west-1", NULL, &error));
    assert_int_equal(error.code, LD_ERR_INVALID);
    assert_non_null(strstr(error.message, "AWS_ENDPOINT_URL_S3=localhost:9000"));
    unsetenv("AWS_ENDPOINT_URL_S3");
    unsetenv("AWS_ENDPOINT_URL");
    unsetenv("AWS_ENDPOINT_URL_SECRETS_MANAGER");
    assert_null(ld_aws_resolve_endpoint("Secrets Manager", "secretsmanager", NULL, NULL, &error));
    assert_int_equal(error.code, LD_ERR_INVALID);
    assert_non_null(strstr(error.message, "AWS_ENDPOINT_URL_SECRETS_MANAGER"));
    assert_null(ld_aws_resolve_endpoint("S3", "s3", "evil.com/x", NULL, &error));
    assert_int_equal(error.code, LD_ERR_INVALID);
}

static void test_ca_bundle(void **state)
{
    (void)state;
    char *bundle = ld_aws_ca_bundle();
    if (access("/etc/ssl/certs/ca-certificates.crt", R_OK) == 0)
        assert_string_equal(bundle, "/etc/ssl/certs/ca-certificates.crt");
    free(bundle);
    setenv("SSL_CERT_FILE", "/opt/certs.pem", 1);
    bundle = ld_aws_ca_bundle();
    assert_string_equal(bundle, "/opt/certs.pem");
    free(bundle);
    setenv("AWS_CA_BUNDLE", "/etc/pki/tls/certs/ca-bundle.crt", 1);
    bundle = ld_aws_ca_bundle();
    assert_string_equal(bundle, "/etc/pki/tls/certs/ca-bundle.crt");
    free(bundle);
}

static void test_missing_credentials_name_every_source(void **state)
{
    (void)state;
    ld_aws_error error;
    assert_null(ld_aws_credentials_resolve(&error));
    assert_int_equal(error.code, LD_ERR_NOT_FOUND);
    assert_non_null(strstr(error.message, "environment (AWS_ACCESS_KEY_ID"));
    assert_non_null(strstr(error.message, "shared credentials file ("));
    assert_non_null(strstr(error.message, "/.aws/credentials does not exist"));
    assert_non_null(strstr(error.message, "container credentials endpoint ("));

    /* The same message comes back from the first request of a client. */
    setenv("AWS_REGION", "eu-west-1", 1);
    setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9", 1);
    ld_aws_client *client = ld_aws_client_new(NULL, &error);
    assert_non_null(client);
    ld_s3_object_info info;
    assert_int_equal(ld_s3_head_object(client, "b", "k", &info, &error), LD_ERR_NOT_FOUND);
    assert_non_null(strstr(error.message, "no AWS credentials found"));
    ld_aws_client_free(client);

    /* Half a key pair is a broken source, named. */
    setenv("AWS_ACCESS_KEY_ID", "AKID", 1);
    assert_null(ld_aws_credentials_resolve(&error));
    assert_int_equal(error.code, LD_ERR_INVALID);
    assert_non_null(strstr(error.message, "AWS_SECRET_ACCESS_KEY is not"));
}

static void test_credentials_from_environment_and_file(void **state)
{
    (void)state;
    ld_aws_error error;
    char path[400];
    snprintf(path, sizeof path, "%s/creds", home);
    write_home_file("creds", "[default]\naws_access_key_id = AKFILE\naws_secret_access_key = "
                             "SKFILE\n\n[dev]\naws_access_key_id=AKDEV\n"
                             "aws_secret_access_key=SKDEV\naws_session_token=TOKDEV\n");
    setenv("AWS_SHARED_CREDENTIALS_FILE", path, 1);
    ld_aws_credentials *c = ld_aws_credentials_resolve(&error);
    assert_non_null(c);
    assert_string_equal(ld_aws_credentials_access_key_id(c), "AKFILE");
    assert_string_equal(ld_aws_credentials_secret_access_key(c), "SKFILE");
    assert_null(ld_aws_credentials_session_token(c));
    assert_non_null(strstr(ld_aws_credentials_source(c), "[default]"));
    ld_aws_credentials_free(c);
    setenv("AWS_PROFILE", "dev", 1);
    c = ld_aws_credentials_resolve(&error);
    assert_string_equal(ld_aws_credentials_access_key_id(c), "AKDEV");
    assert_string_equal(ld_aws_credentials_session_token(c), "TOKDEV");
    ld_aws_credentials_free(c);
    setenv("AWS_PROFILE", "nobody", 1);
    assert_null(ld_aws_credentials_resolve(&error));
    assert_non_null(strstr(error.message, "no profile [nobody]"));

    /* The environment comes first. */
    setenv("AWS_ACCESS_KEY_ID", "AKENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "SKENV", 1);
    setenv("AWS_SESSION_TOKEN", "TOKENV", 1);
    c = ld_aws_credentials_resolve(&error);
    assert_string_equal(ld_aws_credentials_access_key_id(c), "AKENV");
    assert_string_equal(ld_aws_credentials_session_token(c), "TOKENV");
    assert_string_equal(ld_aws_credentials_source(c), "environment");
    ld_aws_credentials *copy = ld_aws_credentials_copy(c);
    assert_string_equal(ld_aws_credentials_secret_access_key(copy), "SKENV");
    ld_aws_credentials_free(copy);
    ld_aws_credentials_free(c);

    assert_null(ld_aws_credentials_new("AK", "", NULL, &error));
    assert_int_equal(error.code, LD_ERR_INVALID);
    assert_non_null(strstr(error.message, "secret access key is missing"));
    assert_null(ld_aws_credentials_new("AK", "S", "bad\r\ntoken", &error));
    assert_int_equal(error.code, LD_ERR_INVALID);
}

static void test_credentials_from_container_endpoint(void **state)
{
    (void)state;
    fake_aws fake;
    if (fake_aws_start(&fake, NULL) != 0)
        fail_msg("the fake AWS server did not start");
    char url[200];
    snprintf(url, sizeof url, "%s/__admin/container-credentials", fake.url);
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
    ld_aws_error error;
    /* Without the token the endpoint refuses, and the error says so. */
    assert_null(ld_aws_credentials_resolve(&error));
    assert_int_equal(error.code, LD_ERR_IO);
    assert_non_null(strstr(error.message, "HTTP 403"));
    char *token_file = write_home_file("token", "Bearer container-token\n");
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token_file, 1);
    ld_aws_credentials *c = ld_aws_credentials_resolve(&error);
    assert_non_null(c);
    assert_string_equal(ld_aws_credentials_access_key_id(c), FAKE_TOKEN_KEY);
    assert_string_equal(ld_aws_credentials_session_token(c), FAKE_TOKEN);
    assert_string_equal(ld_aws_credentials_source(c), "container credentials endpoint");
    ld_aws_credentials_free(c);
    unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer container-token", 1);
    c = ld_aws_credentials_resolve(&error);
    assert_non_null(c);

    /* And a client signs with them (token included): the fake verifies. */
    setenv("AWS_REGION", FAKE_REGION, 1);
    setenv("AWS_ENDPOINT_URL_S3", fake.url, 1);
    ld_aws_client *client = ld_aws_client_new(NULL, &error);
    assert_int_equal(ld_s3_put_object(client, FAKE_BUCKET, "from-container", "x", 1, NULL,
                                      &error),
                     LD_OK);
    ld_aws_client_free(client);
    ld_aws_credentials_free(c);
    fake_aws_stop(&fake);
}

static void test_s3_uris_and_addressing(void **state)
{
    (void)state;
    ld_aws_error error;
    char *bucket, *key;
    assert_int_equal(ld_s3_uri_parse("s3://my-bucket/a/b c.gz", &bucket, &key, &error), LD_OK);
    assert_string_equal(bucket, "my-bucket");
    assert_string_equal(key, "a/b c.gz");
    free(bucket);
    free(key);
    assert_int_equal(ld_s3_uri_parse("s3a://b2", &bucket, &key, &error), LD_OK);
    assert_string_equal(bucket, "b2");
    assert_string_equal(key, "");
    free(bucket);
    free(key);
    assert_int_equal(ld_s3_uri_parse("https://b/k", &bucket, &key, &error), LD_ERR_INVALID);
    assert_non_null(strstr(error.message, "'https://b/k' is not an S3 URI"));
    assert_int_equal(ld_s3_uri_parse("s3:///k", &bucket, &key, &error), LD_ERR_INVALID);

    /* Virtual-hosted on AWS, path-style with an endpoint override or a dotted bucket. */
    ld_aws_client_options options = LD_AWS_CLIENT_OPTIONS_INIT;
    options.region = "eu-west-1";
    ld_aws_client *client = ld_aws_client_new(&options, &error);
    char *base, *path;
    assert_int_equal(ldaws_s3_locate(client, "bkt", "a b/c", &base, &path, &error), LD_OK);
    assert_string_equal(base, "https://bkt.s3.eu-west-1.amazonaws.com");
    assert_string_equal(path, "/a b/c");
    free(base);
    free(path);
    assert_int_equal(ldaws_s3_locate(client, "my.bkt", "k", &base, &path, &error), LD_OK);
    assert_string_equal(base, "https://s3.eu-west-1.amazonaws.com");
    assert_string_equal(path, "/my.bkt/k");
    free(base);
    free(path);
    assert_int_equal(ldaws_s3_locate(client, "bad/bucket", "k", &base, &path, &error),
                     LD_ERR_INVALID);
    ld_aws_client_free(client);
    setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9000", 1);
    client = ld_aws_client_new(&options, &error);
    assert_int_equal(ldaws_s3_locate(client, "bkt", "k", &base, &path, &error), LD_OK);
    assert_string_equal(base, "http://127.0.0.1:9000");
    assert_string_equal(path, "/bkt/k");
    free(base);
    free(path);
    ld_aws_client_free(client);
}

static void test_canonical_query(void **state)
{
    (void)state;
    const char *pairs[] = {"prefix", "a b/c~", "list-type", "2", "continuation-token",
                           "x+y=z", "delimiter", "/", "uploads", "", NULL};
    char *q = ldaws_canonical_query(pairs);
    assert_string_equal(q, "continuation-token=x%2By%3Dz&delimiter=%2F&list-type=2&"
                           "prefix=a%20b%2Fc~&uploads=");
    free(q);
    q = ldaws_canonical_query(NULL);
    assert_string_equal(q, "");
    free(q);
}

static void test_client_options(void **state)
{
    (void)state;
    ld_aws_error error;
    /* No region anywhere: the client refuses, naming where it looked. */
    assert_null(ld_aws_client_new(NULL, &error));
    assert_int_equal(error.code, LD_ERR_NOT_FOUND);
    assert_non_null(strstr(error.message, "AWS_REGION"));
    ld_aws_client_options options = LD_AWS_CLIENT_OPTIONS_INIT;
    options.version = 99;
    assert_null(ld_aws_client_new(&options, &error));
    assert_int_equal(error.code, LD_ERR_INVALID);
    options.version = LD_AWS_CLIENT_OPTIONS_VERSION;
    options.region = "us-east-1";
    options.endpoint_url = "ftp://x";
    assert_null(ld_aws_client_new(&options, &error));
    assert_int_equal(error.code, LD_ERR_INVALID);
    options.endpoint_url = NULL;
    ld_aws_client *client = ld_aws_client_new(&options, &error);
    assert_string_equal(ld_aws_client_region(client), "us-east-1");
    ld_aws_request request = LD_AWS_REQUEST_INIT;
    ld_aws_response response = LD_AWS_RESPONSE_INIT;
    assert_int_equal(ld_aws_client_send(client, &request, &response, &error), LD_ERR_INVALID);
    assert_non_null(strstr(error.message, "signing_name"));
    ld_aws_client_free(client);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_region_from_each_variable, clean_environment, remove_home),
        cmocka_unit_test_setup_teardown(test_endpoint_from_each_variable, clean_environment, remove_home),
        cmocka_unit_test_setup_teardown(test_ca_bundle, clean_environment, remove_home),
        cmocka_unit_test_setup_teardown(test_missing_credentials_name_every_source, clean_environment, remove_home),
        cmocka_unit_test_setup_teardown(test_credentials_from_environment_and_file, clean_environment, remove_home),
        cmocka_unit_test_setup_teardown(test_credentials_from_container_endpoint, clean_environment, remove_home),
        cmocka_unit_test_setup_teardown(test_s3_uris_and_addressing, clean_environment, remove_home),
        cmocka_unit_test_setup_teardown(test_canonical_query, clean_environment, remove_home),
        cmocka_unit_test_setup_teardown(test_client_options, clean_environment, remove_home),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
