/*
 * letsdata/uuid.h - random UUID strings.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LETSDATA_UUID_H
#define LETSDATA_UUID_H

/**
 * @file letsdata/uuid.h
 * @brief RFC 4122 version-4 (random) UUIDs as lower-case strings, via libuuid.
 */

#include <letsdata/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Characters in a UUID string, without the terminating NUL. */
#define LD_UUID_STRING_LENGTH 36

/**
 * Write a new random UUID ("xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx") and a NUL into
 * @p out. Thread-safe.
 */
LD_EXTERN void ld_uuid_v4(char out[LD_UUID_STRING_LENGTH + 1]);

/**
 * A new random UUID string.
 * @return a new string (free with ld_free()), or NULL on allocation failure.
 */
LD_EXTERN char *ld_uuid_v4_new(void);

/**
 * Non-zero if @p text is an RFC 4122 UUID string (8-4-4-4-12 hex digits, either
 * case, version 1-5, variant 10xx).
 */
LD_EXTERN int ld_uuid_is_valid(const char *text);

#ifdef __cplusplus
}
#endif

#endif /* LETSDATA_UUID_H */
