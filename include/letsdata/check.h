/*
 * letsdata/check.h - assertion and validation helpers that fail the call cleanly.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LETSDATA_CHECK_H
#define LETSDATA_CHECK_H

/**
 * @file letsdata/check.h
 * @brief Validate inputs inside a handler; a failed check fails the call (EXCEPTION
 * envelope) with a message naming what was wrong, instead of crashing.
 *
 * @code
 * const char *doc_text;
 * int rc = ld_require_json_string(ctx, document, "docText", &doc_text);
 * if (rc != LD_OK)
 *     return rc;                       // "document member 'docText' is missing"
 * LD_REQUIRE(ctx, strlen(doc_text) > 0, "docText is empty");
 * @endcode
 */

#include <stdint.h>

#include <jansson.h>

#include <letsdata/common.h>
#include <letsdata/context.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The error type used by the checks below. */
#define LD_CHECK_ERROR_TYPE "ValidationError"

/**
 * Return from the enclosing method, failing @p ctx with a printf-style message,
 * when @p condition is false.
 */
#define LD_REQUIRE(ctx, condition, ...)                                        \
    do {                                                                       \
        if (!(condition))                                                      \
            return ld_context_fail((ctx), LD_CHECK_ERROR_TYPE, __VA_ARGS__);   \
    } while (0)

/**
 * Fail @p ctx unless @p condition holds.
 * @return LD_OK, or LD_ERR_HANDLER after failing the call with the message.
 */
LD_EXTERN int ld_require(ld_context *ctx, int condition, const char *format, ...)
    LD_PRINTF(3, 4);

/**
 * Get the string member @p key of @p object, failing the call when @p object is not an
 * object, or the member is missing or not a string.
 *
 * @param[out] value borrowed from @p object (valid while it lives).
 * @return LD_OK or LD_ERR_HANDLER.
 */
LD_EXTERN int ld_require_json_string(ld_context *ctx, const json_t *object,
                                     const char *key, const char **value);
/** As ld_require_json_string(), for an object member; @p value is borrowed. */
LD_EXTERN int ld_require_json_object(ld_context *ctx, const json_t *object,
                                     const char *key, json_t **value);
/** As ld_require_json_string(), for an array member; @p value is borrowed. */
LD_EXTERN int ld_require_json_array(ld_context *ctx, const json_t *object,
                                    const char *key, json_t **value);
/** As ld_require_json_string(), for an integer member. */
LD_EXTERN int ld_require_json_integer(ld_context *ctx, const json_t *object,
                                      const char *key, int64_t *value);

/** The name of a JSON value's type ("object", "array", "string", "integer", "real", "true", "false", "null"). */
LD_EXTERN const char *ld_json_type_name(const json_t *value);

#ifdef __cplusplus
}
#endif

#endif /* LETSDATA_CHECK_H */
