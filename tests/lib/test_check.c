/*
 * test_check.c - validation helpers, status names, errors, versions.
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

#include <letsdata/letsdata.h>

static int guarded(ld_context *ctx, int value)
{
    LD_REQUIRE(ctx, value > 0, "value must be positive, got %d", value);
    return LD_OK;
}

static void test_require(void **state)
{
    (void)state;
    ld_context *ctx = ld_context_new("r", "t", "u", "d", "i");
    assert_int_equal(guarded(ctx, 1), LD_OK);
    assert_int_equal(guarded(ctx, -4), LD_ERR_HANDLER);
    assert_string_equal(ld_context_error_type(ctx), LD_CHECK_ERROR_TYPE);
    assert_string_equal(ld_context_error_message(ctx), "value must be positive, got -4");
    ld_context_clear_error(ctx);
    assert_int_equal(ld_require(ctx, 1, "never"), LD_OK);
    assert_int_equal(ld_require(ctx, 0, "broken %s", "thing"), LD_ERR_HANDLER);
    assert_string_equal(ld_context_error_message(ctx), "broken thing");
    ld_context_free(ctx);
}

static void test_json_members(void **state)
{
    (void)state;
    json_t *doc = json_pack("{s:s, s:{}, s:[], s:I, s:f}", "s", "text", "o", "a", "i",
                            (json_int_t)42, "r", 1.5);
    const char *s;
    json_t *value;
    int64_t i;
    ld_context *ctx = ld_context_new("r", "t", "u", "d", "i");
    assert_int_equal(ld_require_json_string(ctx, doc, "s", &s), LD_OK);
    assert_string_equal(s, "text");
    assert_int_equal(ld_require_json_object(ctx, doc, "o", &value), LD_OK);
    assert_true(json_is_object(value));
    assert_int_equal(ld_require_json_array(ctx, doc, "a", &value), LD_OK);
    assert_int_equal(ld_require_json_integer(ctx, doc, "i", &i), LD_OK);
    assert_int_equal(i, 42);
    assert_false(ld_context_failed(ctx));

    assert_int_equal(ld_require_json_string(ctx, doc, "missing", &s), LD_ERR_HANDLER);
    assert_string_equal(ld_context_error_message(ctx), "member 'missing' is missing");
    ld_context_clear_error(ctx);
    assert_int_equal(ld_require_json_integer(ctx, doc, "r", &i), LD_ERR_HANDLER);
    assert_string_equal(ld_context_error_message(ctx), "member 'r' must be an integer, got real");
    ld_context_clear_error(ctx);
    assert_int_equal(ld_require_json_object(ctx, json_object_get(doc, "a"), "x", &value),
                     LD_ERR_HANDLER);
    assert_non_null(strstr(ld_context_error_message(ctx), "got array"));
    ld_context_free(ctx);
    json_decref(doc);

    assert_string_equal(ld_json_type_name(NULL), "nothing");
    assert_string_equal(ld_json_type_name(json_true()), "true");
}

static void test_common(void **state)
{
    (void)state;
    assert_string_equal(ld_status_name(LD_ERR_NOMEM), "LD_ERR_NOMEM");
    assert_string_equal(ld_status_name(12345), "LD_ERR_UNKNOWN");
    ld_error error = {0};
    assert_int_equal(ld_error_set(&error, LD_ERR_IO, "file %s", "x"), LD_ERR_IO);
    assert_int_equal(error.code, LD_ERR_IO);
    assert_string_equal(error.message, "file x");
    char long_text[2000];
    memset(long_text, 'a', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    ld_error_set(&error, LD_ERR_INVALID, "%s", long_text);
    assert_int_equal(strlen(error.message), LD_ERROR_MESSAGE_MAX - 1); /* truncated */
    assert_int_equal(ld_error_set(NULL, LD_ERR_LIMIT, "ignored"), LD_ERR_LIMIT);
    char *copy = ld_strdup("abc");
    assert_string_equal(copy, "abc");
    ld_free(copy);
    assert_null(ld_strdup(NULL));
    ld_free(NULL);
}

static void test_version(void **state)
{
    (void)state;
    assert_string_equal(ld_version(), LD_VERSION_STRING);
    assert_int_equal(ld_version_number(), LD_VERSION_NUMBER);
    assert_int_equal(LD_VERSION_NUMBER >> 16, LD_VERSION_MAJOR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_require),
        cmocka_unit_test(test_json_members),
        cmocka_unit_test(test_common),
        cmocka_unit_test(test_version),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
