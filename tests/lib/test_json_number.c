/*
 * test_json_number.c - ld_json_format_real() writes every value of a table produced by
 * Python's json.dumps (tests/lib/data/json_reals.txt, made by gen_tables.py) exactly as
 * Python does; ld_json_dumps() lays values out as json_dumps() does except for reals.
 *
 * SPDX-License-Identifier: MIT
 */
#include <locale.h>
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

#include "json_number.h"

static const char *table_path;

static double from_bits(uint64_t bits)
{
    double value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

static void test_python_table(void **state)
{
    (void)state;
    FILE *f = fopen(table_path, "r");
    assert_non_null(f);
    char line[128], expected[64], actual[LD_JSON_REAL_MAX];
    unsigned long long bits;
    size_t checked = 0, wrong = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        if (line[0] == '#')
            continue;
        assert_int_equal(sscanf(line, "%llx %63s", &bits, expected), 2);
        double value = from_bits((uint64_t)bits);
        size_t n = ld_json_format_real(value, actual);
        assert_int_equal(n, strlen(actual));
        assert_true(n < LD_JSON_REAL_MAX);
        if (strcmp(actual, expected) != 0 && wrong++ < 20)
            print_error("%016llx: Python writes %s, we write %s\n", bits, expected, actual);
        checked++;
    }
    fclose(f);
    assert_true(checked > 9000);
    assert_int_equal(wrong, 0);
}

static uint64_t next_random(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

/* The exact integer fast path and the printf search agree on random values from every
 * range the fast path takes (and some it hands over). */
static void test_fast_path_agrees_with_printf_search(void **state)
{
    (void)state;
    uint64_t seed = 0x9E3779B97F4A7C15ULL;
    size_t wrong = 0;
    for (long i = 0; i < 400000; i++) {
        uint64_t r = next_random(&seed);
        double value;
        switch (i % 4) {
        case 0: /* any double with an exponent between 2^-20 and 2^55 */
            value = from_bits((r & 0x800FFFFFFFFFFFFFULL) |
                              ((uint64_t)(1023 - 20 + (int)((r >> 52) % 76)) << 52));
            break;
        case 1: /* float32 vector components */
            value = (double)(float)((double)(r >> 11) / 9007199254740992.0 * 2 - 1);
            break;
        case 2: /* short decimals */
            value = (double)(r % 10000000) / (double)(1ULL << (r >> 60)) / 1000.0;
            break;
        default: /* values around the fast path's edges */
            value = ldexp(1.0 + (double)(r >> 40) / 16777216.0, (int)(r % 80) - 24);
        }
        char fast[LD_JSON_REAL_MAX], slow[LD_JSON_REAL_MAX];
        ld_json_format_real(value, fast);
        ldi_json_format_real_printf(value, slow);
        if (strcmp(fast, slow) != 0 && wrong++ < 20)
            print_error("%a: fast path %s, printf search %s\n", value, fast, slow);
    }
    assert_int_equal(wrong, 0);
}

static void test_examples_from_the_issue(void **state)
{
    (void)state;
    static const struct {
        double value;
        const char *text;
    } cases[] = {
        {6.77, "6.77"},          {100.0, "100.0"},      {1e16, "1e+16"},
        {1e15, "1000000000000000.0"}, {0.0001, "0.0001"}, {0.00001, "1e-05"},
        {-0.0, "-0.0"},          {0.1 + 0.2, "0.30000000000000004"},
        {5e-324, "5e-324"},      {1.7976931348623157e308, "1.7976931348623157e+308"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[LD_JSON_REAL_MAX];
        ld_json_format_real(cases[i].value, text);
        assert_string_equal(text, cases[i].text);
    }
}

static void test_non_finite_writes_nothing(void **state)
{
    (void)state;
    char text[LD_JSON_REAL_MAX] = "x";
    assert_int_equal(ld_json_format_real(INFINITY, text), 0);
    assert_string_equal(text, "");
    assert_int_equal(ld_json_format_real(-INFINITY, text), 0);
    assert_int_equal(ld_json_format_real(NAN, text), 0);
}

/* A program that sets a locale with a decimal comma still gets JSON. */
static void test_locale_independent(void **state)
{
    (void)state;
    if (setlocale(LC_NUMERIC, "de_DE.UTF-8") == NULL &&
        setlocale(LC_NUMERIC, "fr_FR.UTF-8") == NULL)
        skip();
    char text[LD_JSON_REAL_MAX];
    ld_json_format_real(6.77, text);
    setlocale(LC_NUMERIC, "C");
    assert_string_equal(text, "6.77");
}

static void test_dumps_layout_matches_jansson(void **state)
{
    (void)state;
    json_t *value = json_pack("{s:i, s:s, s:[b, n, {}, []], s:{s:s, s:o}, s:s#}", "b", 7,
                              "a", "x\"/\n\xc3\xa9", "list", 1, "obj", "k", "v", "empty",
                              json_object(), "nul", "a\0b", 3);
    assert_non_null(value);
    static const size_t flag_sets[] = {0, JSON_COMPACT, JSON_INDENT(2), JSON_SORT_KEYS,
                                       JSON_INDENT(3) | JSON_SORT_KEYS,
                                       JSON_ENSURE_ASCII | JSON_ESCAPE_SLASH | JSON_COMPACT};
    for (size_t i = 0; i < sizeof flag_sets / sizeof flag_sets[0]; i++) {
        char *ours = ld_json_dumps(value, flag_sets[i]);
        char *theirs = json_dumps(value, flag_sets[i]);
        assert_non_null(ours);
        assert_string_equal(ours, theirs);
        free(ours);
        free(theirs);
    }
    json_decref(value);
}

static void test_dumps_writes_reals_as_python(void **state)
{
    (void)state;
    json_t *value = json_pack("{s:f, s:[f, f, i]}", "score", 6.77, "v", 1e16, 0.5, 3);
    char *text = ld_json_dumps(value, JSON_COMPACT);
    assert_string_equal(text, "{\"score\":6.77,\"v\":[1e+16,0.5,3]}");
    free(text);
    json_decref(value);
    json_t *scalar = json_real(2.0);
    text = ld_json_dumps(scalar, 0);
    assert_string_equal(text, "2.0");
    free(text);
    json_decref(scalar);
    assert_null(ld_json_dumps(NULL, 0));
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s json_reals.txt\n", argv[0]);
        return 2;
    }
    table_path = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_python_table),
        cmocka_unit_test(test_examples_from_the_issue),
        cmocka_unit_test(test_fast_path_agrees_with_printf_search),
        cmocka_unit_test(test_non_finite_writes_nothing),
        cmocka_unit_test(test_locale_independent),
        cmocka_unit_test(test_dumps_layout_matches_jansson),
        cmocka_unit_test(test_dumps_writes_reals_as_python),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
