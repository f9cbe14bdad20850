/*
 * s3_source.h - the runner's byte source for s3:// and s3a:// inputs (private).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LDRUN_S3_SOURCE_H
#define LDRUN_S3_SOURCE_H

#include <stdio.h>

#include "aws_library.h"
#include "source.h"


/**
 * Open `s3://bucket/key` (or s3a://) as a byte source: HeadObject (so a missing key
 * fails here, by name), then one GetObject streamed by a thread into a bounded buffer
 * (2 MiB) that read() drains; a broken connection is resumed with a Range pinned to the
 * object's ETag (libletsdata-aws). libletsdata-aws is loaded on first use with dlopen:
 * $LETSDATA_AWS_LIBRARY, else beside libletsdata-runtime, else the loader's search path.
 * @return a new source (release with its close()), or NULL with @p error set.
 */
ldrun_source *ldrun_s3_source_open(const char *path, ld_error *error);

/**
 * @p path as a stdio stream for line-oriented readers: fopen() for local files, a
 * stream over ldrun_source_open() for other storage. A read error of the source shows as
 * ferror(), its message in @p error (which must outlive the stream).
 * @return a new stream (fclose() it) or NULL with @p error set.
 */
FILE *ldrun_source_fopen(const char *path, ld_error *error);

#endif
