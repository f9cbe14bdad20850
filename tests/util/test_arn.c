/*
 * test_arn.c - ARN parsing.
 *
 * SPDX-License-Identifier: MIT
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <letsdata/arn.h>

static void check(const char *text, const char *partition, const char *service,
                  const char *region, const char *account, const char *resource_type,
                  const char *resource_id)
{
    ld_arn *arn = NULL;
    ld_error error = {0};
    if (ld_arn_parse(text, &arn, &error) != LD_OK)
        fail_msg("%s: %s", text, error.message);
    assert_string_equal(ld_arn_partition(arn), partition);
    assert_string_equal(ld_arn_service(arn), service);
    assert_string_equal(ld_arn_region(arn), region);
    assert_string_equal(ld_arn_account_id(arn), account);
    if (resource_type == NULL)
        assert_null(ld_arn_resource_type(arn));
    else
        assert_string_equal(ld_arn_resource_type(arn), resource_type);
    assert_string_equal(ld_arn_resource_id(arn), resource_id);
    char *back = ld_arn_to_string(arn);
    assert_string_equal(back, text);
    ld_free(back);
    ld_arn_free(arn);
}

static void test_real_arns(void **state)
{
    (void)state;
    check("arn:aws:kinesis:us-east-1:223413462631:stream/tldwcb4c9739a4f17554f7cb8f9904a08b1f7",
          "aws", "kinesis", "us-east-1", "223413462631", "stream",
          "tldwcb4c9739a4f17554f7cb8f9904a08b1f7");
    check("arn:aws:dynamodb:us-east-1:223413462631:table/Test_Table/stream/"
          "2023-08-01T03:03:57.926",
          "aws", "dynamodb", "us-east-1", "223413462631", "table",
          "Test_Table/stream/2023-08-01T03:03:57.926");
    check("arn:aws:s3:::my-bucket/path/key.gz", "aws", "s3", "", "", "my-bucket",
          "path/key.gz");
    check("arn:aws:sqs:us-east-1:123456789012:queue1", "aws", "sqs", "us-east-1",
          "123456789012", NULL, "queue1");
    check("arn:aws:lambda:us-east-1:123456789012:function:my-fn:PROD", "aws", "lambda",
          "us-east-1", "123456789012", "function", "my-fn:PROD");
    check("arn:aws-cn:secretsmanager:cn-north-1:1:secret:name-AbC", "aws-cn",
          "secretsmanager", "cn-north-1", "1", "secret", "name-AbC");
}

static void test_bad_arns(void **state)
{
    (void)state;
    const char *cases[][2] = {
        {"", "1 part"},
        {"arn:aws:s3", "3 parts"},
        {"urn:aws:s3:::b", "does not start with \"arn:\""},
        {"arn::s3:::b", "partition"},
        {"arn:aws::r:a:res", "service"},
        {"arn:aws:s3:::", "resource"},
        {"arn:aws:s3:::b\x01", "control character"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ld_arn *arn = (ld_arn *)1;
        ld_error error = {0};
        assert_int_equal(ld_arn_parse(cases[i][0], &arn, &error), LD_ERR_INVALID);
        assert_null(arn);
        if (strstr(error.message, cases[i][1]) == NULL)
            fail_msg("%s: '%s' lacks '%s'", cases[i][0], error.message, cases[i][1]);
    }
    ld_arn *arn;
    assert_int_equal(ld_arn_parse(NULL, &arn, NULL), LD_ERR_INVALID);
    assert_int_equal(ld_arn_parse("arn:aws:s3:::b", NULL, NULL), LD_ERR_INVALID);
    ld_arn_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_arns),
        cmocka_unit_test(test_bad_arns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
