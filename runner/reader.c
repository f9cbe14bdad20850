/*
 * reader.c - a source's content, inflated when it is gzip (reader.h).
 *
 * Inflating: libdeflate, member by member, is 2-5x faster than zlib's streaming inflate
 * (and than ISA-L's igzip as Debian ships it, member by member: see
 * docs/local-runner.md "Performance"). libdeflate needs a whole member in memory and
 * an output buffer large enough for it, which is the case for WARC-style files (one
 * member per record, a few KiB each). A member too large for the bounded buffers here
 * goes through zlib's streaming inflate instead, so memory stays bounded whatever the
 * member size. zlib also names what is wrong with a damaged member (truncated, or
 * which check failed), so a member libdeflate rejects is decoded again by zlib to
 * report the exact byte.
 *
 * With threads > 1 and a source that has pread(), independent members are inflated on
 * several threads (inflate_parallel.c); the order of the content is unchanged.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libdeflate.h>
#include <zlib.h>

#include "reader_internal.h"

#define PLAIN_BLOCK (1u << 20)

/* Compressed input: refilled when less than this is left, so that only members larger
 * than it are ever retried after a read. */
#define IN_READ (1u << 20)

static int refill(ldrun_reader *r, size_t want, ld_error *error)
{
    gz_input *in = &r->in;
    if (in->pos > 0 && in->length - in->pos < want) {
        memmove(in->data, in->data + in->pos, in->length - in->pos);
        in->length -= in->pos;
        in->base += in->pos;
        in->pos = 0;
    }
    while (!in->eof && in->length - in->pos < want) {
        if (in->capacity - in->length < IN_READ) {
            size_t capacity = in->capacity ? in->capacity * 2 : 2 * IN_READ;
            unsigned char *grown = realloc(in->data, capacity);
            if (grown == NULL)
                return ld_error_set(error, LD_ERR_NOMEM, "%s: out of memory", r->source->name);
            in->data = grown;
            in->capacity = capacity;
        }
        size_t got = 0;
        int rc = r->read_at ? r->source->pread(r->source, in->data + in->length,
                                               in->capacity - in->length,
                                               in->base + in->length, &got, error)
                            : r->source->read(r->source, in->data + in->length,
                                              in->capacity - in->length, &got, error);
        if (rc != LD_OK)
            return rc;
        if (got == 0)
            in->eof = 1;
        in->length += got;
    }
    return LD_OK;
}

void ldrun_warn_trailing(const char *name, uint64_t at, uint64_t size)
{
    if (size == UINT64_MAX)
        fprintf(stderr,
                "letsdata-runtime run: warning: %s: the bytes from byte %llu on are not gzip "
                "data; ignored (trailing garbage after the last gzip member)\n",
                name, (unsigned long long)at);
    else
        fprintf(stderr,
                "letsdata-runtime run: warning: %s: %llu bytes after the last gzip member "
                "(from byte %llu) are not gzip data; ignored\n",
                name, (unsigned long long)(size - at), (unsigned long long)at);
}

int ldrun_gzip_damaged(const char *name, int truncated, uint64_t at, uint64_t member,
                       const char *why, ld_error *error)
{
    if (truncated)
        return ld_error_set(error, LD_ERR_IO,
                            "%s: the gzip data ends unexpectedly at byte %llu, inside the "
                            "member that starts at byte %llu: the file is truncated",
                            name, (unsigned long long)at, (unsigned long long)member);
    return ld_error_set(error, LD_ERR_IO,
                        "%s: corrupt gzip data at byte %llu (in the member that starts at "
                        "byte %llu): %s",
                        name, (unsigned long long)at, (unsigned long long)member, why);
}

static int gzip_next(ldrun_reader *r, const char **data, size_t *length, ld_error *error);

/* Inflate the member at in->pos with zlib, streaming: one block of output per call. */
static int zlib_next(ldrun_reader *r, const char **data, size_t *length, ld_error *error)
{
    gz_input *in = &r->in;
    z_stream *z = &r->z;
    for (;;) {
        if (in->length == in->pos && !in->eof) {
            int rc = refill(r, IN_READ, error);
            if (rc != LD_OK)
                return rc;
        }
        z->next_in = in->data + in->pos;
        z->avail_in = (uInt)(in->length - in->pos > (1u << 30) ? (1u << 30) : in->length - in->pos);
        z->next_out = (unsigned char *)r->out;
        z->avail_out = (uInt)r->out_capacity;
        size_t before = z->avail_in;
        int zr = inflate(z, Z_NO_FLUSH);
        in->pos += before - z->avail_in;
        size_t produced = r->out_capacity - z->avail_out;
        if (zr == Z_STREAM_END) {
            r->zlib_active = 0;
            if (produced == 0) /* an empty end of member is no end of the content */
                return gzip_next(r, data, length, error);
            *data = r->out;
            *length = produced;
            return LD_OK;
        }
        if (zr != Z_OK && zr != Z_BUF_ERROR)
            return ldrun_gzip_damaged(r->source->name, 0, in->base + in->pos, r->member_start,
                                      z->msg ? z->msg : "invalid data", error);
        if (produced > 0) {
            *data = r->out;
            *length = produced;
            return LD_OK;
        }
        if (in->length == in->pos && in->eof)
            return ldrun_gzip_damaged(r->source->name, 1, in->base + in->pos, r->member_start,
                                      NULL, error);
    }
}

static int zlib_start(ldrun_reader *r, ld_error *error)
{
    if (!r->zlib_ready) {
        memset(&r->z, 0, sizeof r->z);
        if (inflateInit2(&r->z, 16 + 15) != Z_OK)
            return ld_error_set(error, LD_ERR_NOMEM, "%s: cannot start zlib", r->source->name);
        r->zlib_ready = 1;
    } else if (inflateReset(&r->z) != Z_OK) {
        return ld_error_set(error, LD_ERR_INTERNAL, "%s: cannot reset zlib", r->source->name);
    }
    r->zlib_active = 1;
    return LD_OK;
}

static int grow_out(ldrun_reader *r, size_t capacity, ld_error *error)
{
    char *grown = realloc(r->out, capacity);
    if (grown == NULL)
        return ld_error_set(error, LD_ERR_NOMEM, "%s: out of memory", r->source->name);
    r->out = grown;
    r->out_capacity = capacity;
    return LD_OK;
}

/* The next member, whole, with libdeflate (or the start of its zlib stream). */
static int gzip_next(ldrun_reader *r, const char **data, size_t *length, ld_error *error)
{
    gz_input *in = &r->in;
    if (r->zlib_active)
        return zlib_next(r, data, length, error);
    int rc = refill(r, IN_READ, error);
    if (rc != LD_OK)
        return rc;
    for (;;) {
        size_t left = in->length - in->pos;
        if (left == 0) {
            *length = 0; /* the end, between two members */
            return LD_OK;
        }
        r->member_start = in->base + in->pos;
        if (left < 2 || in->data[in->pos] != 0x1f || in->data[in->pos + 1] != 0x8b) {
            if (left < 2 && in->data[in->pos] == 0x1f)
                return ldrun_gzip_damaged(r->source->name, 1, in->base + in->length,
                                          r->member_start, NULL, error);
            ldrun_warn_trailing(r->source->name, r->member_start, r->source->size);
            *length = 0;
            return LD_OK;
        }
        size_t used = 0, produced = 0;
        enum libdeflate_result lr = libdeflate_gzip_decompress_ex(
            r->inflater, in->data + in->pos, left, r->out, r->out_capacity, &used, &produced);
        if (lr == LIBDEFLATE_SUCCESS) {
            in->pos += used;
            if (produced == 0) { /* an empty member: go on with the next */
                if ((rc = refill(r, IN_READ, error)) != LD_OK)
                    return rc;
                continue;
            }
            *data = r->out;
            *length = produced;
            return LD_OK;
        }
        if (lr == LIBDEFLATE_INSUFFICIENT_SPACE && r->out_capacity < LDRUN_MEMBER_OUT_MAX) {
            if ((rc = grow_out(r, r->out_capacity * 2, error)) != LD_OK)
                return rc;
            continue;
        }
        if (lr == LIBDEFLATE_BAD_DATA && !in->eof && left < LDRUN_MEMBER_IN_MAX) {
            /* Most likely the member goes on past what is read: read more, try again. */
            if ((rc = refill(r, left * 2, error)) != LD_OK)
                return rc;
            continue;
        }
        /* Too large for whole-member inflation, or damaged: zlib streams it (and names
         * the byte where it is damaged). */
        if ((rc = zlib_start(r, error)) != LD_OK)
            return rc;
        return zlib_next(r, data, length, error);
    }
}

static int plain_next(ldrun_reader *r, const char **data, size_t *length, ld_error *error)
{
    gz_input *in = &r->in;
    if (in->pos < in->length) { /* the bytes read to look for the gzip magic */
        *data = (const char *)in->data + in->pos;
        *length = in->length - in->pos;
        in->pos = in->length;
        return LD_OK;
    }
    int rc = r->source->read(r->source, r->out, r->out_capacity, length, error);
    *data = r->out;
    return rc;
}

ldrun_reader *ldrun_reader_open(ldrun_source *source, unsigned threads, ld_error *error)
{
    ldrun_reader *r = calloc(1, sizeof *r);
    if (r == NULL) {
        source->close(source);
        ld_error_set(error, LD_ERR_NOMEM, "out of memory");
        return NULL;
    }
    r->source = source;
    /* Read the first bytes to tell gzip from plain. */
    int rc = refill(r, 2, error);
    if (rc == LD_OK) {
        r->gzip = r->in.length >= 2 && r->in.data[0] == 0x1f && r->in.data[1] == 0x8b;
        rc = grow_out(r, PLAIN_BLOCK, error);
    }
    if (rc == LD_OK && r->gzip && (r->inflater = libdeflate_alloc_decompressor()) == NULL)
        rc = ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    if (rc == LD_OK && r->gzip && threads > 1 && source->pread != NULL &&
        source->size != UINT64_MAX)
        rc = ldrun_parallel_start(r, threads, error);
    if (rc != LD_OK) {
        ldrun_reader_close(r);
        return NULL;
    }
    return r;
}

void ldrun_reader_resume_at(ldrun_reader *r, uint64_t offset)
{
    r->read_at = 1;
    r->in.base = offset;
    r->in.pos = r->in.length = 0;
    r->in.eof = 0;
}

int ldrun_reader_sequential_next(ldrun_reader *r, const char **data, size_t *length,
                                 ld_error *error)
{
    return gzip_next(r, data, length, error);
}

int ldrun_reader_next(ldrun_reader *r, const char **data, size_t *length, ld_error *error)
{
    *length = 0;
    if (r->done)
        return LD_OK;
    int rc;
    if (r->parallel != NULL)
        rc = ldrun_parallel_next(r, data, length, error);
    else
        rc = r->gzip ? gzip_next(r, data, length, error) : plain_next(r, data, length, error);
    if (rc != LD_OK || *length == 0)
        r->done = 1;
    return rc;
}

int ldrun_reader_read_into(ldrun_reader *r, char *buffer, size_t capacity, size_t *length,
                           ld_error *error)
{
    *length = 0;
    if (r->gzip || r->done)
        return LD_OK;
    gz_input *in = &r->in;
    if (in->pos < in->length) { /* the bytes read to look for the gzip magic */
        size_t n = in->length - in->pos < capacity ? in->length - in->pos : capacity;
        memcpy(buffer, in->data + in->pos, n);
        in->pos += n;
        *length = n;
        return LD_OK;
    }
    int rc = r->source->read(r->source, buffer, capacity, length, error);
    if (rc != LD_OK || *length == 0)
        r->done = 1;
    return rc;
}

int ldrun_reader_is_gzip(const ldrun_reader *reader)
{
    return reader->gzip;
}

void ldrun_reader_close(ldrun_reader *r)
{
    if (r == NULL)
        return;
    ldrun_parallel_stop(r);
    if (r->zlib_ready)
        inflateEnd(&r->z);
    if (r->inflater != NULL)
        libdeflate_free_decompressor(r->inflater);
    free(r->in.data);
    free(r->out);
    r->source->close(r->source);
    free(r);
}
