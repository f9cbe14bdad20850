/*
 * reader_internal.h - what reader.c and inflate_parallel.c share (private).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LDRUN_READER_INTERNAL_H
#define LDRUN_READER_INTERNAL_H

#include <zlib.h>

#include "reader.h"

/* Bounds of whole-member inflation: larger members are streamed with zlib. */
#define LDRUN_MEMBER_IN_MAX (8u << 20)
#define LDRUN_MEMBER_OUT_MAX (16u << 20)

struct libdeflate_decompressor;
typedef struct ldrun_parallel ldrun_parallel;

/* Compressed bytes held: data[pos, length) is what is not inflated yet. */
typedef struct gz_input {
    unsigned char *data;
    size_t pos, length, capacity;
    uint64_t base; /* offset in the source of data[0] */
    int eof;
} gz_input;

struct ldrun_reader {
    ldrun_source *source;
    int gzip;
    int done;
    gz_input in;
    int read_at;             /* refill with pread at in.base + in.length, not read() */
    char *out;               /* the block handed out */
    size_t out_capacity;
    struct libdeflate_decompressor *inflater;
    z_stream z;              /* for members libdeflate cannot take */
    int zlib_ready, zlib_active;
    uint64_t member_start;   /* offset of the member being inflated */
    ldrun_parallel *parallel;
};

/* Start inflating on @p threads threads (inflate_parallel.c). */
int ldrun_parallel_start(ldrun_reader *r, unsigned threads, ld_error *error);
/* The next block when inflating in parallel; may fall back to the sequential path. */
int ldrun_parallel_next(ldrun_reader *r, const char **data, size_t *length, ld_error *error);
/* Join the helpers and free (NULL parallel is ignored). */
void ldrun_parallel_stop(ldrun_reader *r);

/* Go on sequentially (reader.c) from the member at compressed byte @p offset. */
void ldrun_reader_resume_at(ldrun_reader *r, uint64_t offset);
/* The next block on the sequential path. */
int ldrun_reader_sequential_next(ldrun_reader *r, const char **data, size_t *length,
                                 ld_error *error);

/* Messages for damaged gzip data, shared by both paths. */
int ldrun_gzip_damaged(const char *name, int truncated, uint64_t at, uint64_t member,
                       const char *why, ld_error *error);
void ldrun_warn_trailing(const char *name, uint64_t at, uint64_t size);

#endif /* LDRUN_READER_INTERNAL_H */
