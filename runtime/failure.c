/*
 * failure.c - filling the record of why an invocation answers EXCEPTION.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stdio.h>

#include "runtime_internal.h"

int ldrt_fail(ldrt_failure *failure, const char *type, const char *stack,
              const char *format, ...)
{
    va_list ap;
    failure->type = type;
    snprintf(failure->stack, sizeof failure->stack, "%s", stack != NULL ? stack : "");
    va_start(ap, format);
    vsnprintf(failure->message, sizeof failure->message, format, ap);
    va_end(ap);
    return -1;
}
