/*
 * reader.h - a file's decompressed bytes, block by block (private).
 *
 * The reader takes a byte source (source.h) and gives its content, inflated when it is
 * gzip (one or several concatenated members, as WARC files are written), in blocks of
 * the reader's own memory. It is what split.c reads records from.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LDRUN_READER_H
#define LDRUN_READER_H

#include <stddef.h>
#include <stdint.h>

#include "source.h"

typedef struct ldrun_reader ldrun_reader;

/**
 * Start reading @p source (stolen: closed by ldrun_reader_close(), or here on failure).
 * A source that starts with the gzip magic bytes is inflated; any other is read as is.
 * @param threads  threads the reader may use to inflate independent gzip members at
 *                 once (1: the caller's thread only; only sources with pread()).
 * @return a new reader, or NULL with @p error set.
 */
ldrun_reader *ldrun_reader_open(ldrun_source *source, unsigned threads, ld_error *error);

/**
 * The next block of content: *data (borrowed, valid until the next call) and *length,
 * 0 at the end. A truncated or corrupt gzip stream is an error naming the source and
 * the compressed byte; bytes after the last gzip member that are not gzip are skipped
 * with a warning on stderr.
 * @return LD_OK or an error (then the reader is done).
 */
int ldrun_reader_next(ldrun_reader *reader, const char **data, size_t *length,
                      ld_error *error);

/**
 * Plain sources only (0 bytes for gzip): read up to @p capacity bytes straight into
 * @p buffer, saving the copy out of a block. *length is 0 at the end.
 */
int ldrun_reader_read_into(ldrun_reader *reader, char *buffer, size_t capacity,
                           size_t *length, ld_error *error);

/** Whether the source is gzip. */
int ldrun_reader_is_gzip(const ldrun_reader *reader);

/** Stop (helper threads are joined) and release everything. NULL is ignored. */
void ldrun_reader_close(ldrun_reader *reader);

#endif /* LDRUN_READER_H */
