/*
 * letsdata/utf8.h - UTF-8 validation and repair for text that comes from real data.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LETSDATA_UTF8_H
#define LETSDATA_UTF8_H

/**
 * @file letsdata/utf8.h
 * @brief Check, repair and wrap UTF-8 text as JSON strings.
 *
 * Records read from files and streams are bytes; a JSON string must be valid UTF-8.
 * jansson's json_string()/json_pack("s") return NULL on invalid UTF-8, and a NULL
 * passed on to a document constructor used to turn into an empty document. These
 * helpers make the choice explicit:
 *
 * | you want                                  | use                         |
 * |-------------------------------------------|-----------------------------|
 * | to know whether/where the text is bad     | ld_utf8_check()             |
 * | Python's `decode(errors="replace")`       | ld_utf8_sanitize(), ld_json_string_lossy() |
 * | a JSON string, or an error naming the byte| ld_json_string_checked()    |
 * | a JSON string from text already checked   | ld_json_string_trusted()    |
 *
 * "Valid" is RFC 3629 / Unicode: no overlong forms, no surrogates (U+D800..U+DFFF),
 * nothing above U+10FFFF. Embedded NUL bytes are valid UTF-8 (jansson keeps them in
 * strings made with a length).
 *
 * Replacement follows the Unicode "maximal subpart" practice, which is exactly what
 * CPython's UTF-8 decoder does with `errors="replace"`: each maximal prefix of a valid
 * sequence that cannot be completed (e.g. "\xE2\x82" before an ASCII byte) becomes one
 * U+FFFD, and every other invalid byte becomes one U+FFFD of its own.
 *
 * Speed: the validator checks eight ASCII bytes at a time and only looks at multi-byte
 * sequences one by one, so a record can be validated once (e.g. by the parser that
 * splits it) and its substrings wrapped with ld_json_string_trusted() without
 * jansson's second per-byte check. All functions are thread-safe.
 */

#include <stddef.h>

#include <jansson.h>

#include <letsdata/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Check that @p length bytes of @p text are valid UTF-8.
 *
 * @param text       borrowed; need not be NUL-terminated (may be NULL when @p length is 0).
 * @param bad_offset optional; when the text is invalid, set to the byte offset of the
 *                   first bad sequence (Python's `UnicodeDecodeError.start`).
 * @return LD_OK when valid, LD_ERR_INVALID when not.
 */
LD_EXTERN int ld_utf8_check(const char *text, size_t length, size_t *bad_offset);

/**
 * Copy @p text, replacing every invalid sequence by U+FFFD as Python's
 * `bytes.decode("utf-8", errors="replace")` does (see the file comment).
 *
 * @param text       borrowed.
 * @param out_length optional; the length of the result in bytes (without the NUL).
 * @param replaced   optional; how many U+FFFD were inserted (0: the text was valid).
 * @return a new NUL-terminated string (free with ld_free()), or NULL when allocation
 *         fails.
 */
LD_EXTERN char *ld_utf8_sanitize(const char *text, size_t length, size_t *out_length,
                                 size_t *replaced);

/**
 * A JSON string holding @p text with invalid sequences replaced by U+FFFD (as
 * ld_utf8_sanitize()). Valid text is copied once, without a second check.
 *
 * @return a new reference (json_decref()), or NULL only when allocation fails.
 */
LD_EXTERN json_t *ld_json_string_lossy(const char *text, size_t length);

/**
 * A JSON string holding @p text, which must be valid UTF-8.
 *
 * @param error optional; on invalid text says so with the byte offset of the first bad
 *              sequence and the bytes found there (LD_ERR_INVALID), or LD_ERR_NOMEM.
 * @return a new reference (json_decref()), or NULL.
 */
LD_EXTERN json_t *ld_json_string_checked(const char *text, size_t length, ld_error *error);

/**
 * A JSON string holding @p text, which the caller has already validated (for example
 * with ld_utf8_check() over the whole record it is part of). Unlike json_stringn() it
 * does not check the bytes again: the cost is one copy.
 *
 * Passing invalid UTF-8 does not crash anything, but the string is then not valid JSON
 * text: the runtime's writer still replaces bad sequences by U+FFFD on output, while
 * jansson's json_dumps() would fail. Use ld_json_string_checked() when unsure.
 *
 * @return a new reference (json_decref()), or NULL when allocation fails.
 */
LD_EXTERN json_t *ld_json_string_trusted(const char *text, size_t length);

#ifdef __cplusplus
}
#endif

#endif /* LETSDATA_UTF8_H */
