/*
 * aws_library.h - libletsdata-aws, loaded on demand (private). libletsdata-runtime does
 * not link it (nor libcurl): only a run that reads s3:// inputs or vectorizes with a
 * SageMaker endpoint loads it.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LDRUN_AWS_LIBRARY_H
#define LDRUN_AWS_LIBRARY_H

#include <stddef.h>

/** Where ldrun_aws_library() looks first. */
#define LDRUN_AWS_LIBRARY_ENV "LETSDATA_AWS_LIBRARY"
/** The library's name (soname). */
#define LDRUN_AWS_LIBRARY_NAME "libletsdata-aws.so.0"

/**
 * dlopen libletsdata-aws: $LETSDATA_AWS_LIBRARY, else beside libletsdata-runtime
 * (installed: the same LIBDIR; build tree: ../aws/), else the loader's search path.
 * @param purpose what needs it, for the message ("reading S3").
 * @return the handle (never closed), or NULL with @p why[0, size) saying why.
 */
void *ldrun_aws_library(const char *purpose, char *why, size_t size);

/**
 * Resolve @p count functions @p names into @p functions (each a pointer to a function
 * pointer, filled with memcpy). @return 0, or -1 with @p why naming the missing one.
 */
int ldrun_aws_resolve(void *library, const char *const *names, void *const *functions,
                      size_t count, char *why, size_t size);

#endif
