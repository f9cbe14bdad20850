/*
 * json_match.c - compare JSON values the way the conformance vectors are compared
 * (letsdata/testing.h): as values, with "<uuid>" and "<string>" placeholders.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <letsdata/testing.h>

typedef struct path {
    char text[512];
    size_t length;
} path;

static size_t path_push_key(path *p, const char *key)
{
    size_t saved = p->length;
    int n = snprintf(p->text + p->length, sizeof p->text - p->length, ".%s", key);
    if (n > 0)
        p->length = p->length + (size_t)n < sizeof p->text ? p->length + (size_t)n
                                                          : sizeof p->text - 1;
    return saved;
}

static size_t path_push_index(path *p, size_t index)
{
    size_t saved = p->length;
    int n = snprintf(p->text + p->length, sizeof p->text - p->length, "[%zu]", index);
    if (n > 0)
        p->length = p->length + (size_t)n < sizeof p->text ? p->length + (size_t)n
                                                          : sizeof p->text - 1;
    return saved;
}

static void path_pop(path *p, size_t saved)
{
    p->length = saved;
    p->text[saved] = '\0';
}

/* Cut @p text to at most @p max bytes (on a UTF-8 character boundary) plus "...". */
static void shorten(char *text, size_t max)
{
    if (text == NULL || strlen(text) <= max)
        return;
    size_t cut = max - 3;
    while (cut > 0 && ((unsigned char)text[cut] & 0xC0) == 0x80)
        cut--;
    memcpy(text + cut, "...", 4);
}

/* A short rendering of a value for messages (a new string). */
static char *render(const json_t *value)
{
    char *text = ld_json_dumps(value, JSON_COMPACT | JSON_SORT_KEYS);
    shorten(text, 200);
    return text;
}

static int mismatch(char **difference, const path *p, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static int mismatch(char **difference, const path *p, const char *format, ...)
{
    if (difference != NULL) {
        char detail[512];
        va_list ap;
        va_start(ap, format);
        vsnprintf(detail, sizeof detail, format, ap);
        va_end(ap);
        char *text = NULL;
        if (asprintf(&text, "%s: %s", p->text, detail) < 0)
            text = NULL;
        *difference = text;
    }
    return 0;
}

static int is_uuid(const char *s)
{
    return ld_uuid_is_valid(s);
}

static int match(const json_t *expected, const json_t *actual, path *p, char **difference)
{
    if (json_is_string(expected)) {
        const char *e = json_string_value(expected);
        if (strcmp(e, LD_TESTING_STRING_PLACEHOLDER) == 0) {
            if (json_is_string(actual))
                return 1;
        } else if (strcmp(e, LD_TESTING_UUID_PLACEHOLDER) == 0) {
            if (json_is_string(actual) && is_uuid(json_string_value(actual)))
                return 1;
        } else if (json_is_string(actual) &&
                   json_string_length(expected) == json_string_length(actual) &&
                   memcmp(e, json_string_value(actual), json_string_length(actual)) == 0) {
            return 1;
        }
    } else if (json_is_number(expected) && json_is_number(actual)) {
        if (json_is_integer(expected) && json_is_integer(actual)) {
            if (json_integer_value(expected) == json_integer_value(actual))
                return 1;
        } else if (json_number_value(expected) == json_number_value(actual)) {
            return 1; /* 3 == 3.0 */
        }
    } else if (json_is_object(expected) && json_is_object(actual)) {
        const char *key;
        json_t *value;
        json_object_foreach((json_t *)expected, key, value) {
            json_t *other = json_object_get(actual, key);
            size_t saved = path_push_key(p, key);
            if (other == NULL) {
                char *e = render(value);
                mismatch(difference, p, "missing (expected %s)", e ? e : "?");
                free(e);
                return 0;
            }
            if (!match(value, other, p, difference))
                return 0;
            path_pop(p, saved);
        }
        json_object_foreach((json_t *)actual, key, value) {
            if (json_object_get(expected, key) == NULL) {
                path_push_key(p, key);
                char *a = render(value);
                mismatch(difference, p, "unexpected member (got %s)", a ? a : "?");
                free(a);
                return 0;
            }
        }
        return 1;
    } else if (json_is_array(expected) && json_is_array(actual)) {
        size_t n = json_array_size(expected);
        if (n != json_array_size(actual))
            return mismatch(difference, p, "expected %zu elements, got %zu", n,
                            json_array_size(actual));
        for (size_t i = 0; i < n; i++) {
            size_t saved = path_push_index(p, i);
            if (!match(json_array_get(expected, i), json_array_get(actual, i), p, difference))
                return 0;
            path_pop(p, saved);
        }
        return 1;
    } else if (json_typeof(expected) == json_typeof(actual) && !json_is_string(expected)) {
        return 1; /* true, false, null */
    }
    char *e = render(expected), *a = render(actual);
    mismatch(difference, p, "expected %s, got %s", e ? e : "?", a ? a : "?");
    free(e);
    free(a);
    return 0;
}

int ld_testing_json_match(const json_t *expected, const json_t *actual, char **difference)
{
    path p = {"$", 1};
    if (difference != NULL)
        *difference = NULL;
    if (expected == NULL || actual == NULL) {
        if (expected == actual)
            return 1;
        return mismatch(difference, &p, "%s is NULL", expected == NULL ? "expected" : "actual");
    }
    return match(expected, actual, &p, difference);
}

/* The whole actual value is printed up to this many bytes: enough for an envelope with a
 * document, not a screenful of vector. */
#define REPORT_ACTUAL_MAX 4096

int ld_testing_json_match_report(const char *expected_json, const json_t *actual,
                                 char **report)
{
    char *difference = NULL;
    *report = NULL;
    if (ld_testing_json_match_text(expected_json, actual, &difference))
        return 1;
    char *actual_text = actual != NULL ? ld_json_dumps(actual, JSON_INDENT(2) | JSON_SORT_KEYS)
                                       : NULL;
    shorten(actual_text, REPORT_ACTUAL_MAX);
    if (asprintf(report, "JSON mismatch at %s\nactual value:\n%s", difference ? difference : "$: ?",
                 actual_text ? actual_text : "NULL") < 0)
        *report = NULL;
    free(actual_text);
    free(difference);
    return 0;
}
