/*
 * fuzz_matcher.c - libFuzzer target: the first byte picks a pattern length, the rest is
 * split into pattern and buffer; ld_matcher_find must agree with memmem (the oracle) on
 * every match position, scanning the whole buffer.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <letsdata/matcher.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t length = 1 + data[0] % 32;
    if (size - 1 < length)
        return 0;
    const uint8_t *pattern = data + 1, *buffer = data + 1 + length;
    size_t buffer_size = size - 1 - length;
    ld_matcher *m = ld_matcher_new(pattern, length);
    if (m == NULL)
        abort();
    size_t from = 0;
    for (;;) {
        const uint8_t *hit = from <= buffer_size
                                 ? memmem(buffer + from, buffer_size - from, pattern, length)
                                 : NULL;
        size_t expected = hit ? (size_t)(hit - buffer) : LD_MATCH_NONE;
        if (ld_matcher_find(m, buffer, from, buffer_size) != expected)
            abort();
        if (hit == NULL)
            break;
        from = expected + 1;
    }
    ld_matcher_free(m);
    return 0;
}
