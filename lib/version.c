/*
 * version.c - the loaded library's version (letsdata/version.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <letsdata/version.h>

LD_EXTERN const char *ld_version(void)
{
    return LD_VERSION_STRING;
}

LD_EXTERN int ld_version_number(void)
{
    return LD_VERSION_NUMBER;
}
