/*
 * test_context.c - the invocation context: identity, deadline, failing a call.
 *
 * SPDX-License-Identifier: MIT
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <letsdata/context.h>

static void test_identity(void **state)
{
    (void)state;
    ld_context *ctx = ld_context_new("r", "t", "u", "d", "i");
    assert_string_equal(ld_context_request_id(ctx), "r");
    assert_string_equal(ld_context_tenant_id(ctx), "t");
    assert_string_equal(ld_context_user_id(ctx), "u");
    assert_string_equal(ld_context_dataset_name(ctx), "d");
    assert_string_equal(ld_context_dataset_id(ctx), "i");
    ld_context_free(ctx);
    ctx = ld_context_new(NULL, NULL, NULL, NULL, NULL);
    assert_string_equal(ld_context_request_id(ctx), "");
    ld_context_free(ctx);
    ld_context_free(NULL);
}

static void test_deadline(void **state)
{
    (void)state;
    ld_context *ctx = ld_context_new("r", "t", "u", "d", "i");
    assert_int_equal(ld_context_deadline_ms(ctx), 0);
    assert_true(ld_context_remaining_ms(ctx) == INT64_MAX);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int64_t now_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
    ld_context_set_deadline_ms(ctx, now_ms + 60000);
    int64_t left = ld_context_remaining_ms(ctx);
    assert_true(left > 55000 && left <= 60000);
    ld_context_set_deadline_ms(ctx, now_ms - 1000);
    assert_true(ld_context_remaining_ms(ctx) < 0);
    ld_context_free(ctx);
}

static void test_fail_first_wins(void **state)
{
    (void)state;
    ld_context *ctx = ld_context_new("r", "t", "u", "d", "i");
    assert_false(ld_context_failed(ctx));
    assert_null(ld_context_error_type(ctx));
    assert_int_equal(ld_context_fail(ctx, "ValueError", "field %s is %d", "x", 3),
                     LD_ERR_HANDLER);
    assert_int_equal(ld_context_fail(ctx, "Other", "later"), LD_ERR_HANDLER);
    assert_true(ld_context_failed(ctx));
    assert_string_equal(ld_context_error_type(ctx), "ValueError");
    assert_string_equal(ld_context_error_message(ctx), "field x is 3");
    ld_context_clear_error(ctx);
    assert_false(ld_context_failed(ctx));
    assert_int_equal(ld_context_fail(ctx, NULL, "no type"), LD_ERR_HANDLER);
    assert_string_equal(ld_context_error_type(ctx), "HandlerError");
    ld_context_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identity),
        cmocka_unit_test(test_deadline),
        cmocka_unit_test(test_fail_first_wins),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
