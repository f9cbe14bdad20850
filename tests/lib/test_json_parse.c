/*
 * test_json_parse.c - ld_json_parse() accepts and builds exactly what
 * json_loadb(JSON_DECODE_ANY | JSON_ALLOW_NUL) does: differential tests against jansson
 * on the conformance files, on edge cases, on mutated inputs, and exact real conversion
 * on random doubles.
 *
 * SPDX-License-Identifier: MIT
 */
#include <dirent.h>
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <letsdata/json.h>

/* Same value, same types (integer vs real), as jansson's json_equal plus type check. */
static int same(const json_t *a, const json_t *b)
{
    if (json_typeof(a) != json_typeof(b))
        return 0;
    if (json_is_real(a))
        return json_real_value(a) == json_real_value(b) &&
               signbit(json_real_value(a)) == signbit(json_real_value(b));
    if (json_is_object(a)) {
        if (json_object_size(a) != json_object_size(b))
            return 0;
        const char *key;
        json_t *value;
        json_object_foreach((json_t *)a, key, value) {
            json_t *other = json_object_get(b, key);
            if (other == NULL || !same(value, other))
                return 0;
        }
        return 1;
    }
    if (json_is_array(a)) {
        if (json_array_size(a) != json_array_size(b))
            return 0;
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!same(json_array_get(a, i), json_array_get(b, i)))
                return 0;
        return 1;
    }
    return json_equal(a, b);
}

/* Parse with both; they must agree on accept/reject and on the value. */
static void check_against_jansson(const char *text, size_t length)
{
    json_error_t jerror;
    ld_error error = {0};
    json_t *expected = json_loadb(text, length, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerror);
    json_t *actual = ld_json_parse(text, length, &error);
    if ((expected == NULL) != (actual == NULL))
        fail_msg("disagreement on %.*s: jansson %s (%s), ld_json_parse %s (%s)",
                 (int)(length > 200 ? 200 : length), text, expected ? "accepts" : "rejects",
                 expected ? "" : jerror.text, actual ? "accepts" : "rejects", error.message);
    if (expected != NULL && !same(expected, actual))
        fail_msg("different values for %.*s", (int)(length > 200 ? 200 : length), text);
    if (actual == NULL) {
        assert_int_equal(error.code, LD_ERR_INVALID);
        assert_non_null(strstr(error.message, "at byte"));
    }
    json_decref(expected);
    json_decref(actual);
}

static void check_string(const char *text)
{
    check_against_jansson(text, strlen(text));
}

static void test_edge_cases(void **state)
{
    (void)state;
    static const char *const cases[] = {
        "{}", "[]", "null", "true", "false", "0", "-0", "1", "-1", "0.5", "-0.0", "1e5",
        "1E-5", "1.5e+3", "123456789012345678", "9223372036854775807",
        "-9223372036854775808", "9223372036854775808", "-9223372036854775809",
        "12345678901234567890123", "1e308", "1e309", "-1e309", "2.2250738585072014e-308",
        "4.9e-324", "1e-400", "0.1", "0.30000000000000004", "-0.06922189146280289",
        "1.7976931348623157e308", "01", "1.", ".5", "-", "+1", "1e", "1e+", "0x10", "NaN",
        "Infinity", "\"\"", "\"abc\"", "\"\\u0000\"", "\"a\\u0000b\"", "\"\\ud83d\\ude00\"",
        "\"\\ud83d\"", "\"\\ude00\"", "\"\\uZZZZ\"", "\"\\x\"", "\"\\/\\b\\f\\n\\r\\t\"",
        "\"caf\xc3\xa9\"", "\"\xc3\"", "\"\xff\"", "\"\xed\xa0\x80\"", "\"\xc0\xaf\"",
        "\"\xf4\x90\x80\x80\"", "\"tab\there\"", "\"unterminated", "{\"a\":1,}", "[1,]",
        "{\"a\" 1}", "{\"a\":1 \"b\":2}", "{1:2}", "{\"a\":1,\"a\":2}",
        "{\"\\u0000\":1}", " \t\r\n{ \"a\" : [ 1 , 2 ] } \n", "{} x", "[1] [2]", "", "   ",
        "tru", "nul", "[[[[[]]]]]", "{\"k\":{\"k\":{\"k\":{}}}}", "\"\\\"\"", "[\"\\\\\"]",
        "123abc", "-a", "1.0e-5", "100000000000000000000000000000.5",
        "0.000000000000000000000000000001", "1234567890123456789.5",
        "0.1234567890123456789", "-12345678901234567890e-10",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_string(cases[i]);
    /* Embedded NUL outside strings, and a NUL inside (raw): both invalid. */
    check_against_jansson("[1]\0", 4);
    check_against_jansson("\"a\0b\"", 5);
}

static void test_depth_limit(void **state)
{
    (void)state;
    size_t depth = 5000;
    char *deep = malloc(depth * 2);
    memset(deep, '[', depth);
    memset(deep + depth, ']', depth);
    ld_error error = {0};
    json_t *value = ld_json_parse(deep, depth * 2, &error);
    assert_null(value);
    assert_non_null(strstr(error.message, "depth"));
    /* 2000 levels are fine (jansson's limit is 2048). */
    check_against_jansson(deep + depth - 2000, 4000);
    free(deep);
}

static char *read_file(const char *path, size_t *length)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    rewind(f);
    char *data = malloc((size_t)size + 1);
    *length = fread(data, 1, (size_t)size, f);
    fclose(f);
    return data;
}

static void for_each_vector_file(void (*fn)(const char *, size_t))
{
    const char *root = getenv("LD_CONFORMANCE_DIR");
    assert_non_null(root);
    static const char *const dirs[] = {"skeleton", "examples", "examples-more"};
    int files = 0;
    for (size_t d = 0; d < 3; d++) {
        char dir_path[4096];
        snprintf(dir_path, sizeof dir_path, "%s/%s", root, dirs[d]);
        DIR *dir = opendir(dir_path);
        assert_non_null(dir);
        struct dirent *entry;
        while ((entry = readdir(dir)) != NULL) {
            if (strstr(entry->d_name, ".json") == NULL)
                continue;
            char path[8192];
            snprintf(path, sizeof path, "%s/%s", dir_path, entry->d_name);
            size_t length = 0;
            char *text = read_file(path, &length);
            assert_non_null(text);
            fn(text, length);
            free(text);
            files++;
        }
        closedir(dir);
    }
    assert_int_equal(files, 56); /* 28 request/response pairs */
}

static void parse_whole(const char *text, size_t length)
{
    check_against_jansson(text, length);
}

static void test_conformance_files(void **state)
{
    (void)state;
    for_each_vector_file(parse_whole);
}

/* Truncations and byte flips of real requests: both parsers must agree every time. */
static void mutate(const char *text, size_t length)
{
    static unsigned seed = 12345;
    char *copy = malloc(length);
    for (int round = 0; round < 40; round++) {
        memcpy(copy, text, length);
        size_t cut = length;
        seed = seed * 1103515245u + 12345u;
        if (round % 4 == 0)
            cut = (seed >> 8) % (length + 1);
        else {
            size_t at = (seed >> 8) % length;
            static const char replacements[] = "\"\\{}[],:0e-.\x80\xff\x01 a";
            copy[at] = replacements[(seed >> 20) % (sizeof replacements - 1)];
        }
        check_against_jansson(copy, cut);
    }
    free(copy);
}

static void test_mutated_requests(void **state)
{
    (void)state;
    for_each_vector_file(mutate);
}

static void test_reals_are_exact(void **state)
{
    (void)state;
    uint64_t x = 88172645463325252ULL;
    char text[64];
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double value;
        if (i % 2 == 0) {
            uint64_t bits = x & 0x7FEFFFFFFFFFFFFFULL; /* finite */
            memcpy(&value, &bits, sizeof value);
        } else {
            /* Typical data: float32 values widened to double, and short decimals. */
            value = (double)(float)((double)(int64_t)(x >> 11) / 9007199254740992.0 - 0.5);
        }
        int digits = 15 + (int)(x % 3); /* 15, 16, 17 significant digits */
        snprintf(text, sizeof text, "%.*g", digits, value);
        if (strpbrk(text, ".eEn") == NULL)
            strcat(text, ".0");
        if (strchr(text, 'n') != NULL)
            continue;
        ld_error error = {0};
        json_t *parsed = ld_json_parse(text, strlen(text), &error);
        assert_non_null(parsed);
        double expected = strtod(text, NULL);
        if (json_real_value(parsed) != expected)
            fail_msg("%s parsed as %.17g, strtod says %.17g", text, json_real_value(parsed),
                     expected);
        json_decref(parsed);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edge_cases),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_conformance_files),
        cmocka_unit_test(test_mutated_requests),
        cmocka_unit_test(test_reals_are_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
