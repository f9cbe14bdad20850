/*
 * common.c - status names, ld_error, and the allocation helpers of letsdata/common.h.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <letsdata/common.h>

LD_EXTERN const char *ld_status_name(int status)
{
    switch (status) {
    case LD_OK: return "LD_OK";
    case LD_ERR_INVALID: return "LD_ERR_INVALID";
    case LD_ERR_NOMEM: return "LD_ERR_NOMEM";
    case LD_ERR_NOT_FOUND: return "LD_ERR_NOT_FOUND";
    case LD_ERR_IO: return "LD_ERR_IO";
    case LD_ERR_HANDLER: return "LD_ERR_HANDLER";
    case LD_ERR_UNSUPPORTED: return "LD_ERR_UNSUPPORTED";
    case LD_ERR_LIMIT: return "LD_ERR_LIMIT";
    case LD_ERR_INTERNAL: return "LD_ERR_INTERNAL";
    default: return "LD_ERR_UNKNOWN";
    }
}

LD_EXTERN int ld_error_set(ld_error *error, int code, const char *format, ...)
{
    if (error != NULL) {
        va_list ap;
        error->code = (ld_status)code;
        va_start(ap, format);
        /* vsnprintf truncates and always terminates: a long message is cut, not lost. */
        vsnprintf(error->message, sizeof error->message, format, ap);
        va_end(ap);
    }
    return code;
}

LD_EXTERN void ld_free(void *ptr)
{
    free(ptr);
}

LD_EXTERN char *ld_strdup(const char *s)
{
    if (s == NULL)
        return NULL;
    size_t n = strlen(s) + 1;
    char *copy = malloc(n);
    if (copy != NULL)
        memcpy(copy, s, n);
    return copy;
}
