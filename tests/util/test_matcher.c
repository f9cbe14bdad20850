/*
 * test_matcher.c - ld_matcher finds exactly what memmem finds, including on input that
 * defeats its rare-byte heuristic.
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

#include <letsdata/matcher.h>

static size_t reference(const void *buffer, size_t start, size_t end, const void *pattern,
                        size_t length)
{
    if (start > end)
        return LD_MATCH_NONE;
    const char *found = memmem((const char *)buffer + start, end - start, pattern, length);
    return found ? (size_t)(found - (const char *)buffer) : LD_MATCH_NONE;
}

static void test_basics(void **state)
{
    (void)state;
    assert_null(ld_matcher_new(NULL, 3));
    assert_null(ld_matcher_new("abc", 0));
    ld_matcher *m = ld_matcher_new("WARC/1.0\r\n", 10);
    assert_int_equal(ld_matcher_length(m), 10);
    assert_memory_equal(ld_matcher_pattern(m), "WARC/1.0\r\n", 10);
    const char *text = "WARC/1.0\r\nabc WARC/1.0\r\nxyz WARC/1.0";
    size_t n = strlen(text);
    assert_int_equal(ld_matcher_find(m, text, 0, n), 0);
    assert_int_equal(ld_matcher_find(m, text, 1, n), 14);
    assert_int_equal(ld_matcher_find(m, text, 15, n), LD_MATCH_NONE); /* cut at the end */
    assert_int_equal(ld_matcher_find(m, text, 14, 23), LD_MATCH_NONE); /* must fit inside */
    assert_int_equal(ld_matcher_find(m, text, 14, 24), 14);
    assert_int_equal(ld_matcher_find(m, text, 5, 2), LD_MATCH_NONE);
    ld_matcher_free(m);
    ld_matcher_free(NULL);

    m = ld_matcher_new("a\0b", 3); /* NUL bytes are pattern bytes */
    assert_int_equal(ld_matcher_find(m, "xxa\0bxx", 0, 7), 2);
    ld_matcher_free(m);
}

static void test_random_against_memmem(void **state)
{
    (void)state;
    uint32_t seed = 7;
    enum { SIZE = 4096 };
    unsigned char buffer[SIZE], pattern[16];
    for (int round = 0; round < 3000; round++) {
        int alphabet = 2 + round % 6; /* small alphabets make many near-matches */
        for (int i = 0; i < SIZE; i++) {
            seed = seed * 1664525u + 1013904223u;
            buffer[i] = (unsigned char)('a' + (seed >> 24) % alphabet);
        }
        seed = seed * 1664525u + 1013904223u;
        size_t length = 1 + (seed >> 24) % 12;
        size_t at = (seed >> 8) % (SIZE - length);
        memcpy(pattern, buffer + at, length); /* present at least once */
        if (round % 3 == 0)
            pattern[length - 1] = 'z'; /* often absent */
        ld_matcher *m = ld_matcher_new(pattern, length);
        size_t start = (seed >> 4) % 64, end = SIZE - (seed >> 12) % 64;
        size_t expected = reference(buffer, start, end, pattern, length);
        size_t actual = ld_matcher_find(m, buffer, start, end);
        if (expected != actual)
            fail_msg("round %d: memmem %zu, matcher %zu", round, expected, actual);
        /* Walk all matches. */
        size_t from = 0;
        while ((expected = reference(buffer, from, SIZE, pattern, length)) != LD_MATCH_NONE) {
            assert_int_equal(ld_matcher_find(m, buffer, from, SIZE), expected);
            from = expected + 1;
        }
        assert_int_equal(ld_matcher_find(m, buffer, from, SIZE), LD_MATCH_NONE);
        ld_matcher_free(m);
    }
}

static void test_adversarial_input_stays_correct(void **state)
{
    (void)state;
    /* The rarest byte of the pattern ('\r') everywhere, the match at the very end. */
    size_t size = 1 << 20;
    char *buffer = malloc(size);
    memset(buffer, '\r', size);
    memcpy(buffer + size - 10, "WARC/1.0\r\n", 10);
    ld_matcher *m = ld_matcher_new("WARC/1.0\r\n", 10);
    assert_int_equal(ld_matcher_find(m, buffer, 0, size), size - 10);
    ld_matcher_free(m);
    free(buffer);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basics),
        cmocka_unit_test(test_random_against_memmem),
        cmocka_unit_test(test_adversarial_input_stays_correct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
