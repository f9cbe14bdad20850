/*
 * source.h - where the runner's input bytes come from (private).
 *
 * A byte source is a small struct of function pointers, so that other kinds of storage
 * (an S3 object read over HTTP, say) plug into the read path without it knowing:
 * the reader (reader.c) only calls read(), and pread() when the source has one, to
 * inflate independent parts of a gzip file on several threads.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LDRUN_SOURCE_H
#define LDRUN_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include <letsdata/common.h>

/** An open byte source. Methods get the source itself as their first argument. */
typedef struct ldrun_source ldrun_source;
struct ldrun_source {
    /**
     * Read up to @p capacity bytes at the current position into @p buffer.
     * Sets *got (0 at the end). @return LD_OK, or an error set in @p error that names
     * the source and the offset.
     */
    int (*read)(ldrun_source *source, void *buffer, size_t capacity, size_t *got,
                ld_error *error);
    /**
     * Optional (NULL: sequential reads only): read up to @p capacity bytes at
     * @p offset without moving the read() position; thread-safe. Same contract as read().
     */
    int (*pread)(ldrun_source *source, void *buffer, size_t capacity, uint64_t offset,
                 size_t *got, ld_error *error);
    /** Release everything; the source is gone afterwards. */
    void (*close)(ldrun_source *source);
    /** The total size in bytes, or UINT64_MAX when unknown. */
    uint64_t size;
    /** The name used in messages (borrowed from the opener's argument). */
    const char *name;
};

/**
 * Open @p path: a local file (the default), or another storage when @p path starts
 * with a scheme a source is registered for (see source.c).
 * @return a new source (release with its close()), or NULL with @p error set.
 */
ldrun_source *ldrun_source_open(const char *path, ld_error *error);

/** A local file (read/pread on a file descriptor). */
ldrun_source *ldrun_file_source_open(const char *path, ld_error *error);

#endif /* LDRUN_SOURCE_H */
