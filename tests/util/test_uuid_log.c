/*
 * test_uuid_log.c - UUIDv4 strings and leveled logging.
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

#include <cmocka.h>

#include <letsdata/context.h>
#include <letsdata/log.h>
#include <letsdata/uuid.h>

static void test_uuid(void **state)
{
    (void)state;
    char a[LD_UUID_STRING_LENGTH + 1], b[LD_UUID_STRING_LENGTH + 1];
    ld_uuid_v4(a);
    ld_uuid_v4(b);
    assert_int_equal(strlen(a), 36);
    assert_true(ld_uuid_is_valid(a));
    assert_string_not_equal(a, b);
    assert_int_equal(a[14], '4');
    assert_non_null(strchr("89ab", a[19]));
    char *c = ld_uuid_v4_new();
    assert_true(ld_uuid_is_valid(c));
    ld_free(c);
    assert_true(ld_uuid_is_valid("F8A15AD2-9D24-42D6-8F7A-7D9431246752"));
    assert_false(ld_uuid_is_valid("f8a15ad2-9d24-42d6-8f7a-7d943124675"));
    assert_false(ld_uuid_is_valid("f8a15ad2-9d24-02d6-8f7a-7d9431246752")); /* version 0 */
    assert_false(ld_uuid_is_valid("f8a15ad2-9d24-42d6-cf7a-7d9431246752")); /* variant */
    assert_false(ld_uuid_is_valid("f8a15ad2x9d24-42d6-8f7a-7d9431246752"));
    assert_false(ld_uuid_is_valid("g8a15ad2-9d24-42d6-8f7a-7d9431246752"));
    assert_false(ld_uuid_is_valid(NULL));
}

static char captured[4096];
static ld_log_level captured_level;
static int lines;

static void sink(ld_log_level level, const char *line, void *payload)
{
    (void)payload;
    captured_level = level;
    snprintf(captured, sizeof captured, "%s", line);
    lines++;
}

static void test_log(void **state)
{
    (void)state;
    ld_log_level level;
    assert_int_equal(ld_log_level_from_string("WARNING", &level), LD_OK);
    assert_int_equal(level, LD_LOG_WARN);
    assert_int_equal(ld_log_level_from_string("Debug", &level), LD_OK);
    assert_int_equal(level, LD_LOG_DEBUG);
    assert_int_equal(ld_log_level_from_string("loud", &level), LD_ERR_INVALID);
    assert_string_equal(ld_log_level_to_string(LD_LOG_ERROR), "ERROR");
    assert_null(ld_log_level_to_string((ld_log_level)9));

    /* meson sets LETSDATA_LOG_LEVEL=warn for tests. */
    assert_int_equal(ld_log_get_level(), LD_LOG_WARN);
    ld_log_set_sink(sink, NULL);
    lines = 0;
    LD_INFO(NULL, "not shown %d", 1);
    assert_int_equal(lines, 0);
    ld_context *ctx = ld_context_new("req-9", "t", "u", "d", "i");
    LD_WARN(ctx, "shown %s", "here");
    assert_int_equal(lines, 1);
    assert_int_equal(captured_level, LD_LOG_WARN);
    assert_non_null(strstr(captured, "WARN"));
    assert_non_null(strstr(captured, "[req-9]"));
    assert_non_null(strstr(captured, "test_uuid_log.c:"));
    assert_non_null(strstr(captured, "shown here"));
    ld_log_set_level(LD_LOG_TRACE);
    assert_true(ld_log_enabled(LD_LOG_TRACE));
    char big[5000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    LD_TRACE(NULL, "%s", big);
    assert_int_equal(lines, 2);
    assert_non_null(strstr(captured, "...")); /* long lines are cut, visibly */
    ld_log_set_level(LD_LOG_OFF);
    LD_ERROR(ctx, "silenced");
    assert_int_equal(lines, 2);
    ld_log_set_sink(NULL, NULL);
    ld_log_set_level(LD_LOG_WARN);
    ld_context_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uuid),
        cmocka_unit_test(test_log),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
