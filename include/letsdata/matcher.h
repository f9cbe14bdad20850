/*
 * letsdata/matcher.h - a compiled byte-pattern matcher for splitting records.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LETSDATA_MATCHER_H
#define LETSDATA_MATCHER_H

/**
 * @file letsdata/matcher.h
 * @brief Find a fixed byte pattern in a buffer, fast.
 *
 * Compile a pattern once (ld_matcher_new()), then search any number of buffers with
 * ld_matcher_find(). The matcher is read-only after creation, so one matcher can be
 * used from several threads at once. It is at least as fast as glibc memmem() on long
 * buffers (see bench/util/bench_matcher.c).
 */

#include <stddef.h>

#include <letsdata/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** ld_matcher_find()'s answer when there is no match. */
#define LD_MATCH_NONE ((size_t)-1)

/** A compiled pattern; opaque, free with ld_matcher_free(). */
typedef struct ld_matcher ld_matcher;

/**
 * Compile @p pattern (@p length bytes, copied; may contain NUL).
 * @return a new matcher, or NULL if @p length is 0, @p pattern is NULL, or allocation
 *         fails.
 */
LD_EXTERN ld_matcher *ld_matcher_new(const void *pattern, size_t length);

/** Free a matcher. NULL is ignored. */
LD_EXTERN void ld_matcher_free(ld_matcher *matcher);

/** The pattern's length in bytes. */
LD_EXTERN size_t ld_matcher_length(const ld_matcher *matcher);

/** The pattern's bytes; borrowed. */
LD_EXTERN const void *ld_matcher_pattern(const ld_matcher *matcher);

/**
 * The index of the first occurrence of the pattern lying entirely within
 * buffer[start, end), or LD_MATCH_NONE (also when start > end).
 *
 * @param buffer borrowed; only bytes in [start, end) are read.
 */
LD_EXTERN size_t ld_matcher_find(const ld_matcher *matcher, const void *buffer,
                                 size_t start, size_t end);

#ifdef __cplusplus
}
#endif

#endif /* LETSDATA_MATCHER_H */
