/*
 * sqltext.c - building SQL text safely: string literals, identifiers, printf.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spark_internal.h"

static char *quote(const char *text, char q)
{
    size_t n = 2;
    for (const char *p = text; *p; p++)
        n += (*p == q) ? 2 : 1;
    char *out = malloc(n + 1);
    if (out == NULL)
        return NULL;
    char *w = out;
    *w++ = q;
    for (const char *p = text; *p; p++) {
        if (*p == q)
            *w++ = q;
        *w++ = *p;
    }
    *w++ = q;
    *w = '\0';
    return out;
}

char *lds_sql_string(const char *text)
{
    return quote(text, '\'');
}

char *lds_sql_ident(const char *text)
{
    return quote(text, '"');
}

char *lds_printf(const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    char *out = NULL;
    if (vasprintf(&out, format, ap) < 0)
        out = NULL;
    va_end(ap);
    return out;
}
