/*
 * check.c - validation helpers that fail the call with a clear message (letsdata/check.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <letsdata/check.h>

LD_EXTERN const char *ld_json_type_name(const json_t *value)
{
    if (value == NULL)
        return "nothing";
    switch (json_typeof(value)) {
    case JSON_OBJECT: return "object";
    case JSON_ARRAY: return "array";
    case JSON_STRING: return "string";
    case JSON_INTEGER: return "integer";
    case JSON_REAL: return "real";
    case JSON_TRUE: return "true";
    case JSON_FALSE: return "false";
    case JSON_NULL: return "null";
    }
    return "unknown";
}

LD_EXTERN int ld_require(ld_context *ctx, int condition, const char *format, ...)
{
    if (condition)
        return LD_OK;
    char message[LD_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, format);
    vsnprintf(message, sizeof message, format, ap);
    va_end(ap);
    return ld_context_fail(ctx, LD_CHECK_ERROR_TYPE, "%s", message);
}

/* The member, or NULL after failing the call with a message naming key and types. */
static json_t *require_member(ld_context *ctx, const json_t *object, const char *key,
                              json_type type, const char *type_name)
{
    if (!json_is_object(object)) {
        ld_context_fail(ctx, LD_CHECK_ERROR_TYPE,
                        "expected an object holding '%s', got %s", key,
                        ld_json_type_name(object));
        return NULL;
    }
    json_t *value = json_object_get(object, key);
    if (value == NULL) {
        ld_context_fail(ctx, LD_CHECK_ERROR_TYPE, "member '%s' is missing", key);
        return NULL;
    }
    if (json_typeof(value) != type) {
        ld_context_fail(ctx, LD_CHECK_ERROR_TYPE, "member '%s' must be %s, got %s", key,
                        type_name, ld_json_type_name(value));
        return NULL;
    }
    return value;
}

LD_EXTERN int ld_require_json_string(ld_context *ctx, const json_t *object, const char *key,
                                     const char **value)
{
    json_t *member = require_member(ctx, object, key, JSON_STRING, "a string");
    if (member == NULL)
        return LD_ERR_HANDLER;
    *value = json_string_value(member);
    return LD_OK;
}

LD_EXTERN int ld_require_json_object(ld_context *ctx, const json_t *object, const char *key,
                                     json_t **value)
{
    json_t *member = require_member(ctx, object, key, JSON_OBJECT, "an object");
    if (member == NULL)
        return LD_ERR_HANDLER;
    *value = member;
    return LD_OK;
}

LD_EXTERN int ld_require_json_array(ld_context *ctx, const json_t *object, const char *key,
                                    json_t **value)
{
    json_t *member = require_member(ctx, object, key, JSON_ARRAY, "an array");
    if (member == NULL)
        return LD_ERR_HANDLER;
    *value = member;
    return LD_OK;
}

LD_EXTERN int ld_require_json_integer(ld_context *ctx, const json_t *object, const char *key,
                                      int64_t *value)
{
    json_t *member = require_member(ctx, object, key, JSON_INTEGER, "an integer");
    if (member == NULL)
        return LD_ERR_HANDLER;
    *value = (int64_t)json_integer_value(member);
    return LD_OK;
}
