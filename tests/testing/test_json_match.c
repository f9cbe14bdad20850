/*
 * test_json_match.c - what the testing kit tells a user whose test failed
 * (testing/json_match.c): the first differing path with both values, and the whole
 * actual value; and the JSON it writes spells reals as the reference does.
 *
 * SPDX-License-Identifier: MIT
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <letsdata/testing.h>

static void test_report_names_path_and_prints_actual(void **state)
{
    (void)state;
    json_t *actual = json_pack("{s:i, s:{s:{s:s, s:f}}}", "StatusCode", 200, "body", "data",
                               "documentId", "b", "score", 6.77);
    char *report = NULL;
    assert_int_equal(ld_testing_json_match_report(
                         "{\"StatusCode\":200,\"body\":{\"data\":{\"documentId\":\"a\","
                         "\"score\":6.77}}}",
                         actual, &report),
                     0);
    assert_non_null(report);
    assert_string_equal(report, "JSON mismatch at $.body.data.documentId: expected \"a\", "
                                "got \"b\"\n"
                                "actual value:\n"
                                "{\n"
                                "  \"StatusCode\": 200,\n"
                                "  \"body\": {\n"
                                "    \"data\": {\n"
                                "      \"documentId\": \"b\",\n"
                                "      \"score\": 6.77\n"
                                "    }\n"
                                "  }\n"
                                "}");
    ld_free(report);

    /* A match leaves no report; a value that matches as a value matches (3 == 3.0). */
    assert_int_equal(ld_testing_json_match_report("{\"StatusCode\":200.0,\"body\":{\"data\":{"
                                                  "\"documentId\":\"<string>\",\"score\":6.77}}}",
                                                  actual, &report),
                     1);
    assert_null(report);
    json_decref(actual);
}

static void test_missing_and_unexpected_members_show_the_value(void **state)
{
    (void)state;
    json_t *actual = json_pack("{s:i, s:[i, i]}", "a", 1, "extra", 1, 2);
    char *difference = NULL;
    assert_int_equal(ld_testing_json_match_text("{\"a\":1,\"b\":{\"c\":true}}", actual,
                                                &difference),
                     0);
    assert_string_equal(difference, "$.b: missing (expected {\"c\":true})");
    ld_free(difference);
    assert_int_equal(ld_testing_json_match_text("{\"a\":1}", actual, &difference), 0);
    assert_string_equal(difference, "$.extra: unexpected member (got [1,2])");
    ld_free(difference);
    json_decref(actual);
}

/* Long values are cut, never in the middle of a UTF-8 character. */
static void test_long_values_are_cut_on_characters(void **state)
{
    (void)state;
    char text[1000] = "";
    for (int i = 0; i < 300; i++)
        strcat(text, "\xC3\xA9"); /* é */
    json_t *actual = json_pack("{s:s}", "t", text);
    char *difference = NULL;
    assert_int_equal(ld_testing_json_match_text("{\"t\":\"x\"}", actual, &difference), 0);
    assert_non_null(strstr(difference, "..."));
    json_t *again = json_string(strstr(difference, "got ")); /* valid UTF-8 */
    assert_non_null(again);
    json_decref(again);
    ld_free(difference);
    json_decref(actual);
}

/* The requests the kit writes carry reals as the reference writes them. */
static void test_request_reals_as_python(void **state)
{
    (void)state;
    json_t *data = json_pack("{s:f, s:f}", "price", 6.77, "big", 1e16);
    char *request = ld_testing_request("SingleFileParser", "parseDocument", data);
    assert_non_null(strstr(request, "\"price\":6.77"));
    assert_non_null(strstr(request, "\"big\":1e+16"));
    ld_free(request);
    json_decref(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_names_path_and_prints_actual),
        cmocka_unit_test(test_missing_and_unexpected_members_show_the_value),
        cmocka_unit_test(test_long_values_are_cut_on_characters),
        cmocka_unit_test(test_request_reals_as_python),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
