/*
 * json_dump.c - ld_json_dumps(): jansson's json_dumps() layout with the reference's
 * numbers (letsdata/json.h).
 *
 * Not a hot path (the runtime and the runner have their own buffered writers that call
 * ld_json_format_real()); strings are escaped by jansson itself so the text matches
 * json_dumps() byte for byte except in the spelling of reals.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <letsdata/json.h>

typedef struct out {
    char *data;
    size_t length, capacity;
    int failed;
} out;

static void put(out *o, const char *text, size_t length)
{
    if (o->failed)
        return;
    if (o->capacity - o->length <= length) {
        size_t capacity = o->capacity ? o->capacity : 256;
        while (capacity - o->length <= length) {
            if (capacity > SIZE_MAX / 2) {
                o->failed = 1;
                return;
            }
            capacity *= 2;
        }
        char *data = realloc(o->data, capacity);
        if (data == NULL) {
            o->failed = 1;
            return;
        }
        o->data = data;
        o->capacity = capacity;
    }
    memcpy(o->data + o->length, text, length);
    o->length += length;
    o->data[o->length] = '\0';
}

/* jansson's dump_indent(): a newline and depth * indent spaces, or the optional space
 * after a separator. */
static void indent(out *o, size_t flags, int depth, int space)
{
    size_t width = (flags & JSON_MAX_INDENT) * (size_t)depth;
    if ((flags & JSON_MAX_INDENT) > 0) {
        put(o, "\n", 1);
        for (size_t i = 0; i < width; i++)
            put(o, " ", 1);
    } else if (space && !(flags & JSON_COMPACT)) {
        put(o, " ", 1);
    }
}

/* After an object member or array element: a separator and the next item's indent, or
 * the closing bracket's indent after the last one (jansson's order). */
static void end_item(out *o, size_t flags, int depth, int last)
{
    if (last) {
        indent(o, flags, depth, 0);
    } else {
        put(o, ",", 1);
        indent(o, flags, depth + 1, 1);
    }
}

static void put_string(out *o, const char *text, size_t length, size_t flags)
{
    json_t *string = json_stringn_nocheck(text, length);
    /* jansson refuses to dump invalid UTF-8: the string escapes and checks are its own. */
    char *escaped = string ? json_dumps(string, JSON_ENCODE_ANY |
                                                    (flags & (JSON_ENSURE_ASCII |
                                                              JSON_ESCAPE_SLASH)))
                           : NULL;
    json_decref(string);
    if (escaped == NULL) {
        o->failed = 1;
        return;
    }
    put(o, escaped, strlen(escaped));
    free(escaped);
}

static int compare_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void dump(out *o, const json_t *value, size_t flags, int depth)
{
    char number[LD_JSON_REAL_MAX];
    const char *separator = (flags & JSON_COMPACT) ? ":" : ": ";
    if (depth > 2048) { /* jansson's own nesting limit */
        o->failed = 1;
        return;
    }
    switch (json_typeof(value)) {
    case JSON_OBJECT: {
        size_t size = json_object_size(value), i = 0;
        if (size == 0) {
            put(o, "{}", 2);
            break;
        }
        const char **keys = malloc(size * sizeof *keys);
        if (keys == NULL) {
            o->failed = 1;
            break;
        }
        const char *key;
        json_t *member;
        json_object_foreach((json_t *)value, key, member)
            keys[i++] = key;
        if (flags & JSON_SORT_KEYS)
            qsort(keys, size, sizeof *keys, compare_keys);
        put(o, "{", 1);
        indent(o, flags, depth + 1, 0);
        for (i = 0; i < size; i++) {
            put_string(o, keys[i], strlen(keys[i]), flags);
            put(o, separator, strlen(separator));
            dump(o, json_object_get(value, keys[i]), flags, depth + 1);
            end_item(o, flags, depth, i + 1 == size);
        }
        put(o, "}", 1);
        free(keys);
        break;
    }
    case JSON_ARRAY: {
        size_t size = json_array_size(value);
        if (size == 0) {
            put(o, "[]", 2);
            break;
        }
        put(o, "[", 1);
        indent(o, flags, depth + 1, 0);
        for (size_t i = 0; i < size; i++) {
            dump(o, json_array_get(value, i), flags, depth + 1);
            end_item(o, flags, depth, i + 1 == size);
        }
        put(o, "]", 1);
        break;
    }
    case JSON_STRING:
        put_string(o, json_string_value(value), json_string_length(value), flags);
        break;
    case JSON_INTEGER: {
        int n = snprintf(number, sizeof number, "%" JSON_INTEGER_FORMAT,
                         json_integer_value(value));
        put(o, number, (size_t)n);
        break;
    }
    case JSON_REAL: {
        size_t n = ld_json_format_real(json_real_value(value), number);
        if (n == 0) /* a json_t cannot hold one, but never write invalid JSON */
            put(o, "null", 4);
        else
            put(o, number, n);
        break;
    }
    case JSON_TRUE:
        put(o, "true", 4);
        break;
    case JSON_FALSE:
        put(o, "false", 5);
        break;
    case JSON_NULL:
        put(o, "null", 4);
        break;
    }
}

LD_EXTERN char *ld_json_dumps(const json_t *value, size_t flags)
{
    out o = {NULL, 0, 0, 0};
    if (value == NULL)
        return NULL;
    dump(&o, value, flags, 0);
    if (o.failed || o.data == NULL) {
        free(o.data);
        return NULL;
    }
    return o.data;
}
