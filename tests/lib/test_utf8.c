/*
 * test_utf8.c - the UTF-8 helpers (lib/utf8.c) against a table produced by Python's
 * decoder (tests/lib/data/utf8_replace.txt, made by gen_tables.py): the lossy helpers
 * replace exactly as decode(errors="replace"), the strict ones report the offset of
 * UnicodeDecodeError.start.
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

#include <letsdata/utf8.h>

static const char *table_path;

/* Decode hex (or "-" for empty) into out; returns the length. */
static size_t unhex(const char *hex, unsigned char *out)
{
    size_t n = 0;
    if (strcmp(hex, "-") == 0)
        return 0;
    for (; hex[0] && hex[1]; hex += 2) {
        unsigned byte;
        sscanf(hex, "%2x", &byte);
        out[n++] = (unsigned char)byte;
    }
    return n;
}

static void test_python_table(void **state)
{
    (void)state;
    FILE *f = fopen(table_path, "r");
    assert_non_null(f);
    char line[4096], in_hex[1024], out_hex[2048];
    long start;
    size_t rows = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        if (line[0] == '#')
            continue;
        assert_int_equal(sscanf(line, "%1023s %2047s %ld", in_hex, out_hex, &start), 3);
        unsigned char in[512], expected[1024];
        size_t in_length = unhex(in_hex, in), expected_length = unhex(out_hex, expected);
        const char *text = (const char *)in;

        size_t offset = 12345;
        int rc = ld_utf8_check(text, in_length, &offset);
        if (start < 0) {
            if (rc != LD_OK)
                fail_msg("%s: valid for Python, invalid at %zu for us", in_hex, offset);
        } else if (rc != LD_ERR_INVALID || offset != (size_t)start) {
            fail_msg("%s: Python fails at %ld, we say rc %d offset %zu", in_hex, start, rc,
                     offset);
        }

        size_t length = 0, replaced = 99;
        char *clean = ld_utf8_sanitize(text, in_length, &length, &replaced);
        assert_non_null(clean);
        if (length != expected_length || memcmp(clean, expected, length) != 0)
            fail_msg("%s: Python replaces to %s, we differ", in_hex, out_hex);
        assert_int_equal(clean[length], '\0');
        assert_true((replaced == 0) == (start < 0));
        ld_free(clean);

        json_t *lossy = ld_json_string_lossy(text, in_length);
        assert_non_null(lossy);
        assert_int_equal(json_string_length(lossy), expected_length);
        assert_memory_equal(json_string_value(lossy), expected, expected_length);
        json_decref(lossy);

        ld_error error = {0};
        json_t *checked = ld_json_string_checked(text, in_length, &error);
        if (start < 0) {
            assert_non_null(checked);
            assert_int_equal(json_string_length(checked), in_length);
        } else {
            char where[64];
            assert_null(checked);
            assert_int_equal(error.code, LD_ERR_INVALID);
            snprintf(where, sizeof where, "at byte offset %ld of %zu", start, in_length);
            if (strstr(error.message, where) == NULL)
                fail_msg("%s: message \"%s\" lacks \"%s\"", in_hex, error.message, where);
        }
        json_decref(checked);
        rows++;
    }
    fclose(f);
    assert_true(rows > 5000);
}

/* The ASCII fast path reads 8 and 16 bytes at a time: a bad byte at every position of
 * long texts, and texts that end in the middle of a word, are still found. */
static void test_every_position_of_long_text(void **state)
{
    (void)state;
    char text[100];
    for (size_t length = 1; length <= sizeof text; length++) {
        memset(text, 'a', length);
        assert_int_equal(ld_utf8_check(text, length, NULL), LD_OK);
        for (size_t at = 0; at < length; at++) {
            size_t offset = 0;
            text[at] = (char)0xFF;
            assert_int_equal(ld_utf8_check(text, length, &offset), LD_ERR_INVALID);
            assert_int_equal(offset, at);
            text[at] = 'a';
        }
    }
}

static void test_messages_name_the_bytes(void **state)
{
    (void)state;
    ld_error error = {0};
    assert_null(ld_json_string_checked("price \xE2\x82", 8, &error));
    assert_string_equal(error.message, "invalid UTF-8 at byte offset 6 of 8 (\"\\xE2\\x82\", "
                                       "a sequence cut short by the end of the text)");
    assert_null(ld_json_string_checked("a\xFF" "b", 3, &error));
    assert_string_equal(error.message, "invalid UTF-8 at byte offset 1 of 3 (\"\\xFF\")");
}

static void test_trusted_keeps_bytes_and_nul(void **state)
{
    (void)state;
    json_t *s = ld_json_string_trusted("a\0\xC3\xA9", 4);
    assert_non_null(s);
    assert_int_equal(json_string_length(s), 4);
    assert_memory_equal(json_string_value(s), "a\0\xC3\xA9", 4);
    json_decref(s);
    s = ld_json_string_trusted(NULL, 0);
    assert_string_equal(json_string_value(s), "");
    json_decref(s);
    assert_int_equal(ld_utf8_check(NULL, 0, NULL), LD_OK);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s utf8_replace.txt\n", argv[0]);
        return 2;
    }
    table_path = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_python_table),
        cmocka_unit_test(test_every_position_of_long_text),
        cmocka_unit_test(test_messages_name_the_bytes),
        cmocka_unit_test(test_trusted_keeps_bytes_and_nul),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
