/*
 * sink.c - a part file being written, through gzip (zlib), zstd or no compression.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "spark_internal.h"

#define OUT_BLOCK (1u << 20)

enum { SINK_NONE, SINK_GZIP, SINK_ZSTD };

struct lds_sink {
    int fd;
    int kind;
    char *path;
    z_stream z;
    ZSTD_CCtx *zstd;
    unsigned char *out;
    uint64_t bytes;
};

static int write_all(lds_sink *s, const void *data, size_t length, ld_error *error)
{
    const char *p = data;
    while (length > 0) {
        ssize_t n = write(s->fd, p, length);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return ld_error_set(error, LD_ERR_IO, "cannot write %s: %s", s->path, strerror(errno));
        p += n;
        length -= (size_t)n;
        s->bytes += (uint64_t)n;
    }
    return LD_OK;
}

int lds_sink_open(const char *path, const char *compression, lds_sink **out, ld_error *error)
{
    *out = NULL;
    lds_sink *s = calloc(1, sizeof *s);
    if (s == NULL || (s->path = strdup(path)) == NULL) {
        free(s);
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    }
    s->fd = -1;
    s->kind = strcmp(compression, "gzip") == 0 ? SINK_GZIP
              : strcmp(compression, "zstd") == 0 ? SINK_ZSTD
                                                 : SINK_NONE;
    s->out = malloc(OUT_BLOCK);
    int rc = s->out ? LD_OK : ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    /* Level 1: the text writers must keep up with the reader (see docs/spark.md). */
    if (rc == LD_OK && s->kind == SINK_GZIP &&
        deflateInit2(&s->z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        rc = ld_error_set(error, LD_ERR_NOMEM, "cannot start gzip");
    if (rc == LD_OK && s->kind == SINK_ZSTD && (s->zstd = ZSTD_createCCtx()) == NULL)
        rc = ld_error_set(error, LD_ERR_NOMEM, "cannot start zstd");
    if (rc == LD_OK && (s->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0)
        rc = ld_error_set(error, LD_ERR_IO, "cannot create %s: %s", path, strerror(errno));
    if (rc != LD_OK) {
        if (s->kind == SINK_GZIP && s->out != NULL)
            deflateEnd(&s->z);
        s->kind = SINK_NONE;
        lds_sink_abort(s);
        return rc;
    }
    *out = s;
    return LD_OK;
}

static int gzip_run(lds_sink *s, const void *data, size_t length, int flush, ld_error *error)
{
    s->z.next_in = (Bytef *)data;
    s->z.avail_in = (uInt)length;
    for (;;) {
        s->z.next_out = s->out;
        s->z.avail_out = OUT_BLOCK;
        int zr = deflate(&s->z, flush);
        if (zr == Z_STREAM_ERROR)
            return ld_error_set(error, LD_ERR_INTERNAL, "gzip failed on %s", s->path);
        size_t produced = OUT_BLOCK - s->z.avail_out;
        if (produced > 0 && write_all(s, s->out, produced, error) != LD_OK)
            return LD_ERR_IO;
        if (flush == Z_FINISH ? zr == Z_STREAM_END : (s->z.avail_in == 0 && s->z.avail_out != 0))
            return LD_OK;
    }
}

static int zstd_run(lds_sink *s, const void *data, size_t length, ZSTD_EndDirective mode,
                    ld_error *error)
{
    ZSTD_inBuffer in = {data, length, 0};
    for (;;) {
        ZSTD_outBuffer out = {s->out, OUT_BLOCK, 0};
        size_t left = ZSTD_compressStream2(s->zstd, &out, &in, mode);
        if (ZSTD_isError(left))
            return ld_error_set(error, LD_ERR_INTERNAL, "zstd failed on %s: %s", s->path,
                                ZSTD_getErrorName(left));
        if (out.pos > 0 && write_all(s, s->out, out.pos, error) != LD_OK)
            return LD_ERR_IO;
        if (mode == ZSTD_e_end ? left == 0 : in.pos == in.size)
            return LD_OK;
    }
}

int lds_sink_write(lds_sink *sink, const void *data, size_t length, ld_error *error)
{
    /* Feed at most 1 GiB at a time: zlib counts in uInt. */
    const char *p = data;
    while (length > 0) {
        size_t n = length > (1u << 30) ? (1u << 30) : length;
        int rc = sink->kind == SINK_GZIP   ? gzip_run(sink, p, n, Z_NO_FLUSH, error)
                 : sink->kind == SINK_ZSTD ? zstd_run(sink, p, n, ZSTD_e_continue, error)
                                           : write_all(sink, p, n, error);
        if (rc != LD_OK)
            return rc;
        p += n;
        length -= n;
    }
    return LD_OK;
}

int lds_sink_close(lds_sink *sink, uint64_t *bytes, ld_error *error)
{
    int rc = LD_OK;
    if (sink->kind == SINK_GZIP)
        rc = gzip_run(sink, NULL, 0, Z_FINISH, error);
    else if (sink->kind == SINK_ZSTD)
        rc = zstd_run(sink, NULL, 0, ZSTD_e_end, error);
    if (rc == LD_OK && close(sink->fd) != 0)
        rc = ld_error_set(error, LD_ERR_IO, "cannot write %s: %s", sink->path, strerror(errno));
    else if (rc != LD_OK)
        close(sink->fd);
    sink->fd = -1;
    if (bytes != NULL)
        *bytes = sink->bytes;
    lds_sink_abort(sink);
    return rc;
}

void lds_sink_abort(lds_sink *sink)
{
    if (sink == NULL)
        return;
    if (sink->fd >= 0)
        close(sink->fd);
    if (sink->kind == SINK_GZIP)
        deflateEnd(&sink->z);
    ZSTD_freeCCtx(sink->zstd);
    free(sink->out);
    free(sink->path);
    free(sink);
}
