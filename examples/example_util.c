/*
 * example_util.c - helpers shared by the example handlers.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>

#include "examples.h"

/* Decode the code point at text[i] (UTF-8); *n gets its length (1 for a bad byte). */
static unsigned decode(const unsigned char *text, size_t length, size_t i, size_t *n)
{
    unsigned char c = text[i];
    size_t need = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (need == 1 || i + need > length) {
        *n = 1;
        return c;
    }
    unsigned cp = c & (0x3F >> (need - 1));
    for (size_t k = 1; k < need; k++)
        cp = (cp << 6) | (text[i + k] & 0x3F);
    *n = need;
    return cp;
}

/* Python's str.isspace(): the Unicode White_Space characters plus \x1c-\x1f. */
static int is_space(unsigned cp)
{
    return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 ||
           cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 ||
           cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

/* Start of the code point that ends just before text[end]. */
static size_t previous_start(const unsigned char *text, size_t end)
{
    size_t i = end - 1;
    while (i > 0 && end - i < 4 && (text[i] & 0xC0) == 0x80)
        i--;
    return i;
}

void ld_example_strip(const char *text, size_t length, size_t *start, size_t *end)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0, n;
    while (i < length && is_space(decode(s, length, i, &n)))
        i += n;
    size_t j = length;
    while (j > i) {
        size_t p = previous_start(s, j);
        if (!is_space(decode(s, length, p, &n)) || p + n != j)
            break;
        j = p;
    }
    *start = i;
    *end = j;
}

int ld_example_is_blank(const char *text, size_t length)
{
    size_t start, end;
    ld_example_strip(text, length, &start, &end);
    return start == end;
}

char *ld_example_join_keys(ld_context *ctx, const json_t *keys)
{
    size_t total = 1;
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)keys, key, value) {
        if (!json_is_string(value)) {
            ld_context_fail(ctx, "TypeError", "key '%s' is not a string", key);
            return NULL;
        }
        total += json_string_length(value) + 1;
    }
    char *id = malloc(total);
    if (id == NULL) {
        ld_context_fail(ctx, "MemoryError", "out of memory joining the keys");
        return NULL;
    }
    size_t used = 0;
    json_object_foreach((json_t *)keys, key, value) {
        if (used > 0)
            id[used++] = '|';
        memcpy(id + used, json_string_value(value), json_string_length(value));
        used += json_string_length(value);
    }
    id[used] = '\0';
    return id;
}

int ld_example_document_failed(ld_context *ctx, const ld_error *error)
{
    return ld_context_fail(ctx, error->code == LD_ERR_NOMEM ? "MemoryError" : "DocumentError",
                           "%s", error->message);
}
