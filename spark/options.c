/*
 * options.c - reader and writer options: Spark passes every option as a string, the
 * invocation's JSON may carry booleans and numbers too.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spark_internal.h"

int lds_option_string(const json_t *options, const char *name, char **out, ld_error *error)
{
    *out = NULL;
    if (options == NULL)
        return LD_OK;
    json_t *v = json_object_get(options, name);
    if (v == NULL || json_is_null(v))
        return LD_OK;
    char buf[64];
    const char *text;
    if (json_is_string(v))
        text = json_string_value(v);
    else if (json_is_boolean(v))
        text = json_is_true(v) ? "true" : "false";
    else if (json_is_integer(v)) {
        snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        text = buf;
    } else if (json_is_real(v)) {
        snprintf(buf, sizeof buf, "%.17g", json_real_value(v));
        text = buf;
    } else
        return ld_error_set(error, LD_ERR_INVALID,
                            "option %s: expected a string, boolean or number", name);
    *out = strdup(text);
    return *out ? LD_OK : ld_error_set(error, LD_ERR_NOMEM, "out of memory");
}

int lds_option_bool(const json_t *options, const char *name, int fallback, int *out,
                    ld_error *error)
{
    char *text = NULL;
    int rc = lds_option_string(options, name, &text, error);
    if (rc != LD_OK)
        return rc;
    *out = fallback;
    if (text == NULL)
        return LD_OK;
    if (strcasecmp(text, "true") == 0)
        *out = 1;
    else if (strcasecmp(text, "false") == 0)
        *out = 0;
    else
        rc = ld_error_set(error, LD_ERR_INVALID, "option %s: expected true or false, got '%s'",
                          name, text);
    free(text);
    return rc;
}

int lds_options_check(const json_t *options, const char *const *allowed, const char *what,
                      ld_error *error)
{
    if (options == NULL)
        return LD_OK;
    if (!json_is_object(options))
        return ld_error_set(error, LD_ERR_INVALID, "%s options: expected a JSON object", what);
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)options, key, value) {
        (void)value;
        int known = 0;
        for (size_t i = 0; allowed[i] != NULL && !known; i++)
            known = strcmp(allowed[i], key) == 0;
        if (!known) {
            char list[256] = "";
            for (size_t i = 0; allowed[i] != NULL; i++) {
                strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
                strncat(list, allowed[i], sizeof list - strlen(list) - 1);
            }
            return ld_error_set(error, LD_ERR_INVALID, "%s: unknown option '%s' (known: %s)",
                                what, key, list[0] ? list : "none");
        }
    }
    return LD_OK;
}
