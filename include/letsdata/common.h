/*
 * letsdata/common.h - conventions shared by every public header.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LETSDATA_COMMON_H
#define LETSDATA_COMMON_H

/**
 * @file letsdata/common.h
 * @brief Export macro, status codes and the error structure used across the SDK.
 *
 * Conventions (see docs/api.md):
 * - Every public name starts with `ld_` (functions, types) or `LD_` (macros, enum
 *   constants).
 * - Functions that can fail return an ::ld_status (0 is success, negative is an
 *   error) or NULL; they never abort on bad input.
 * - Functions that can explain a failure take an optional `ld_error *error`; when it
 *   is not NULL it is filled with the status and a message naming what was wrong.
 * - Ownership follows jansson's vocabulary: a returned reference or pointer is
 *   *new* (the caller releases it with the function the doc names) or *borrowed*
 *   (valid while its owner lives); an argument is *stolen* (the callee takes it over,
 *   even when the call fails) or *borrowed* (the callee copies or increfs what it
 *   keeps).
 */

#include <stddef.h>

#if defined(LD_BUILDING_LIBRARY)
#define LD_EXTERN __attribute__((visibility("default")))
#else
/** Marks a symbol exported from libletsdata.so. */
#define LD_EXTERN
#endif

#if defined(__GNUC__) || defined(__clang__)
/** Lets the compiler check printf-style format strings. */
#define LD_PRINTF(fmt_index, first_arg)                                        \
    __attribute__((format(printf, fmt_index, first_arg)))
#else
#define LD_PRINTF(fmt_index, first_arg)
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** Status codes returned by SDK functions and by handler methods. */
typedef enum ld_status {
    LD_OK = 0,               /**< Success. */
    LD_ERR_INVALID = -1,     /**< An argument or input value is invalid. */
    LD_ERR_NOMEM = -2,       /**< An allocation failed. */
    LD_ERR_NOT_FOUND = -3,   /**< The thing looked up does not exist. */
    LD_ERR_IO = -4,          /**< A read or write failed. */
    LD_ERR_HANDLER = -5,     /**< A handler failed the call through its context. */
    LD_ERR_UNSUPPORTED = -6, /**< Not implemented (e.g. a NULL interface method). */
    LD_ERR_LIMIT = -7,       /**< A size or count limit was exceeded. */
    LD_ERR_INTERNAL = -8     /**< A bug in the SDK; please report it. */
} ld_status;

/** Capacity of ld_error::message, including the terminating NUL. */
#define LD_ERROR_MESSAGE_MAX 512

/**
 * Why a call failed. Callers own the struct (usually on the stack); the SDK only
 * writes into it. A message longer than the buffer is truncated.
 */
typedef struct ld_error {
    ld_status code;                     /**< The status the call returned. */
    char message[LD_ERROR_MESSAGE_MAX]; /**< NUL-terminated, names the bad field/value. */
} ld_error;

/**
 * Short English name of a status code ("LD_ERR_INVALID", ...).
 *
 * @return a borrowed static string; "LD_ERR_UNKNOWN" for codes not in ::ld_status.
 */
LD_EXTERN const char *ld_status_name(int status);

/**
 * Fill @p error (if not NULL) with @p code and a printf-style message.
 *
 * Handy for code that reports failures the way the SDK does.
 *
 * @return @p code, so that `return ld_error_set(err, LD_ERR_INVALID, ...)` works.
 */
LD_EXTERN int ld_error_set(ld_error *error, int code, const char *format, ...)
    LD_PRINTF(3, 4);

/**
 * Free memory that the SDK documents as "free with ld_free" (equivalent to free(),
 * provided so that code loaded with another allocator can release SDK memory).
 * NULL is ignored.
 */
LD_EXTERN void ld_free(void *ptr);

/**
 * Copy a NUL-terminated string with malloc.
 *
 * @return a new string (free with ld_free() or free()), NULL if @p s is NULL or on
 *         allocation failure.
 */
LD_EXTERN char *ld_strdup(const char *s);

#ifdef __cplusplus
}
#endif

#endif /* LETSDATA_COMMON_H */
