/*
 * text_reader.c - Spark's `text` format as a streaming DuckDB table function:
 * ld_read_text(files VARCHAR[], lineSep := VARCHAR) -> (value VARCHAR).
 *
 * Files are read (and gunzipped, multi-member aware) in blocks into one window buffer;
 * records are cut with the SDK's matcher (lib/matcher.c) and copied straight into the
 * engine's vectors, a batch at a time. Memory is the window (a few MiB, or the
 * largest record) plus one batch, whatever the file size.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <letsdata/matcher.h>

#include "spark_internal.h"
#include "utf8.h"

#define WINDOW_INITIAL (4u << 20)
#define INPUT_BLOCK (1u << 20)
/* A batch is handed to the engine at this many bytes even if it has fewer rows. */
#define BATCH_BYTES (8u << 20)

typedef struct text_bind {
    ld_spark_session *session;
    char **files;
    size_t file_count;
    char *sep; /* NULL: any of \n, \r\n, \r */
    size_t sep_length;
} text_bind;

typedef struct text_state {
    text_bind *bind;
    ld_matcher *matcher;
    size_t file_index; /* the next file to open */
    const char *path;  /* the open file, or NULL */
    int fd;
    int gzip;
    int zstd; /* .zst: zstd frames, one after another */
    ZSTD_DStream *zs;
    ZSTD_inBuffer zin;
    z_stream z;
    int z_live;
    int member_ended; /* a gzip member ended; more may follow */
    int eof;          /* no more bytes from this file */
    unsigned char *in;
    char *buf;
    size_t cap, start, end, scan;
    char *fixed; /* U+FFFD-substituted copy of a record */
    size_t fixed_cap;
    int failed;
    pthread_mutex_t lock; /* engine threads take batches in turn */
} text_state;

static void free_bind(void *p)
{
    text_bind *b = p;
    if (b == NULL)
        return;
    lds_free_strings(b->files, b->file_count);
    free(b->sep);
    free(b);
}

static void close_file(text_state *st)
{
    if (st->fd >= 0)
        close(st->fd);
    st->fd = -1;
    if (st->z_live)
        inflateEnd(&st->z);
    st->z_live = 0;
    ZSTD_freeDStream(st->zs);
    st->zs = NULL;
    st->path = NULL;
}

static void free_state(void *p)
{
    text_state *st = p;
    if (st == NULL)
        return;
    close_file(st);
    pthread_mutex_destroy(&st->lock);
    ld_matcher_free(st->matcher);
    free(st->in);
    free(st->buf);
    free(st->fixed);
    free(st);
}

static void bind_text(duckdb_bind_info info)
{
    text_bind *b = calloc(1, sizeof *b);
    if (b == NULL) {
        duckdb_bind_set_error(info, "ld_read_text: out of memory");
        return;
    }
    b->session = duckdb_bind_get_extra_info(info);
    duckdb_value files = duckdb_bind_get_parameter(info, 0);
    idx_t n = files ? duckdb_get_list_size(files) : 0;
    b->files = calloc(n ? n : 1, sizeof *b->files);
    for (idx_t i = 0; b->files != NULL && i < n; i++) {
        duckdb_value v = duckdb_get_list_child(files, i);
        char *text = duckdb_get_varchar(v);
        b->files[b->file_count++] = strdup(text ? text : "");
        duckdb_free(text);
        duckdb_destroy_value(&v);
    }
    if (files)
        duckdb_destroy_value(&files);
    duckdb_value sep = duckdb_bind_get_named_parameter(info, "lineSep");
    if (sep != NULL) {
        char *text = duckdb_get_varchar(sep);
        if (text != NULL && *text != '\0') {
            b->sep = strdup(text);
            b->sep_length = strlen(text);
        }
        duckdb_free(text);
        duckdb_destroy_value(&sep);
    }
    duckdb_logical_type varchar = duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
    duckdb_bind_add_result_column(info, "value", varchar);
    duckdb_destroy_logical_type(&varchar);
    duckdb_bind_set_bind_data(info, b, free_bind);
    if (b->files == NULL)
        duckdb_bind_set_error(info, "ld_read_text: out of memory");
}

static void init_text(duckdb_init_info info)
{
    text_bind *b = duckdb_init_get_bind_data(info);
    text_state *st = calloc(1, sizeof *st);
    if (st == NULL) {
        duckdb_init_set_error(info, "ld_read_text: out of memory");
        return;
    }
    st->bind = b;
    st->fd = -1;
    pthread_mutex_init(&st->lock, NULL);
    st->cap = WINDOW_INITIAL;
    st->buf = malloc(st->cap);
    st->in = malloc(INPUT_BLOCK);
    if (b->sep != NULL)
        st->matcher = ld_matcher_new(b->sep, b->sep_length);
    duckdb_init_set_init_data(info, st, free_state);
    if (st->buf == NULL || st->in == NULL || (b->sep != NULL && st->matcher == NULL))
        duckdb_init_set_error(info, "ld_read_text: out of memory");
    /* One reader, but the engine's threads take its batches in turn, so that the work
       on the records (SQL, UDFs, the writer) runs on every thread. */
    duckdb_init_set_max_threads(info, (idx_t)b->session->threads);
}

/* Fail the query: "text reader: PATH: WHAT[: DETAIL]". */
static int fail(duckdb_function_info info, text_state *st, const char *what, const char *detail)
{
    char message[1024];
    snprintf(message, sizeof message, "text reader: %s: %s%s%s", st->path ? st->path : "?", what,
             detail ? ": " : "", detail ? detail : "");
    duckdb_function_set_error(info, message);
    st->failed = 1;
    return -1;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int open_next(duckdb_function_info info, text_state *st)
{
    const char *path = st->bind->files[st->file_index++];
    st->path = path;
    st->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (st->fd < 0)
        return fail(info, st, "cannot open", strerror(errno));
    posix_fadvise(st->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    st->gzip = ends_with(path, ".gz");
    st->zstd = ends_with(path, ".zst") || ends_with(path, ".zstd");
    if (st->zstd) {
        if ((st->zs = ZSTD_createDStream()) == NULL)
            return fail(info, st, "cannot start zstd", NULL);
        ZSTD_initDStream(st->zs);
        st->zin.src = st->in;
        st->zin.size = st->zin.pos = 0;
        st->member_ended = 1; /* nothing started: an empty file is fine */
    }
    st->eof = 0;
    st->member_ended = 0;
    st->start = st->end = st->scan = 0;
    if (st->gzip) {
        memset(&st->z, 0, sizeof st->z);
        if (inflateInit2(&st->z, 15 + 16) != Z_OK)
            return fail(info, st, "cannot start gunzip", NULL);
        st->z_live = 1;
    }
    return 0;
}

/* zstd: decompress more into buf[end, cap); a file must end at a frame's end. */
static int fill_zstd(duckdb_function_info info, text_state *st)
{
    size_t before = st->end;
    while (st->end == before && !st->eof) {
        if (st->zin.pos == st->zin.size) {
            ssize_t n;
            do
                n = read(st->fd, st->in, INPUT_BLOCK);
            while (n < 0 && errno == EINTR);
            if (n < 0)
                return fail(info, st, "cannot read", strerror(errno));
            if (n == 0) {
                if (!st->member_ended)
                    return fail(info, st, "corrupt zstd: the file ends inside a frame (truncated)", NULL);
                st->eof = 1;
                break;
            }
            st->zin.size = (size_t)n;
            st->zin.pos = 0;
        }
        ZSTD_outBuffer out = {st->buf + st->end, st->cap - st->end, 0};
        size_t r = ZSTD_decompressStream(st->zs, &out, &st->zin);
        if (ZSTD_isError(r))
            return fail(info, st, "corrupt zstd", ZSTD_getErrorName(r));
        st->end += out.pos;
        st->member_ended = r == 0;
    }
    return 0;
}

/* Read more bytes of the open file into buf[end, cap). */
static int fill(duckdb_function_info info, text_state *st)
{
    if (st->zstd)
        return fill_zstd(info, st);
    if (!st->gzip) {
        ssize_t n;
        do
            n = read(st->fd, st->buf + st->end, st->cap - st->end);
        while (n < 0 && errno == EINTR);
        if (n < 0)
            return fail(info, st, "cannot read", strerror(errno));
        if (n == 0)
            st->eof = 1;
        st->end += (size_t)n;
        return 0;
    }
    size_t before = st->end;
    while (st->end == before && !st->eof) {
        if (st->z.avail_in == 0) {
            ssize_t n;
            do
                n = read(st->fd, st->in, INPUT_BLOCK);
            while (n < 0 && errno == EINTR);
            if (n < 0)
                return fail(info, st, "cannot read", strerror(errno));
            if (n == 0) {
                if (!st->member_ended)
                    return fail(info, st, "corrupt gzip: the file ends inside a gzip member (truncated)", NULL);
                st->eof = 1;
                break;
            }
            st->z.next_in = st->in;
            st->z.avail_in = (uInt)n;
        }
        if (st->member_ended) {
            /* Another member follows (Common Crawl files are one member per record). */
            inflateReset(&st->z);
            st->member_ended = 0;
        }
        st->z.next_out = (Bytef *)st->buf + st->end;
        st->z.avail_out = (uInt)(st->cap - st->end);
        int zr = inflate(&st->z, Z_NO_FLUSH);
        st->end = st->cap - st->z.avail_out;
        if (zr == Z_STREAM_END)
            st->member_ended = 1;
        else if (zr != Z_OK && zr != Z_BUF_ERROR)
            return fail(info, st, "corrupt gzip", st->z.msg ? st->z.msg : "invalid data");
    }
    return 0;
}

/* Make room in the window: drop consumed bytes, grow when one record fills it. */
static int make_room(duckdb_function_info info, text_state *st)
{
    if (st->start > 0) {
        memmove(st->buf, st->buf + st->start, st->end - st->start);
        st->end -= st->start;
        st->scan -= st->start;
        st->start = 0;
    }
    if (st->end == st->cap) {
        if (st->cap >= ((size_t)1 << 31))
            return fail(info, st, "a record is longer than 2 GiB", NULL);
        char *grown = realloc(st->buf, st->cap * 2);
        if (grown == NULL)
            return fail(info, st, "out of memory for a long record", NULL);
        st->buf = grown;
        st->cap *= 2;
    }
    return 0;
}

/* Default separators: \n, \r\n or \r. Returns the position, sets *length. */
static size_t find_line_end(const text_state *st, size_t *length)
{
    const char *p = st->buf + st->scan, *end = st->buf + st->end;
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *cr = memchr(p, '\r', (size_t)((nl ? nl : end) - p));
    if (cr != NULL) {
        if (cr + 1 == end && !st->eof)
            return LD_MATCH_NONE; /* a \n may follow in the next block */
        *length = (cr + 1 < end && cr[1] == '\n') ? 2 : 1;
        return (size_t)(cr - st->buf);
    }
    if (nl != NULL) {
        *length = 1;
        return (size_t)(nl - st->buf);
    }
    return LD_MATCH_NONE;
}

/* The next record of the files: 1 with the record set, 0 at the end, -1 failed. */
static int next_record(duckdb_function_info info, text_state *st, const char **record,
                       size_t *length)
{
    for (;;) {
        if (st->fd < 0) {
            if (st->file_index == st->bind->file_count)
                return 0;
            if (open_next(info, st) != 0)
                return -1;
        }
        size_t sep_length = st->bind->sep_length, pos;
        if (st->matcher != NULL)
            pos = ld_matcher_find(st->matcher, st->buf, st->scan, st->end);
        else
            pos = find_line_end(st, &sep_length);
        if (pos != LD_MATCH_NONE) {
            *record = st->buf + st->start;
            *length = pos - st->start;
            st->start = st->scan = pos + sep_length;
            return 1;
        }
        if (st->eof) {
            if (st->start < st->end) {
                /* The last record has no separator after it. */
                *record = st->buf + st->start;
                *length = st->end - st->start;
                st->start = st->scan = st->end;
                return 1;
            }
            close_file(st);
            continue;
        }
        /* Resume the search where a separator could still start. */
        size_t keep = st->bind->sep ? st->bind->sep_length - 1 : 1;
        st->scan = st->end - st->start > keep ? st->end - keep : st->start;
        if (make_room(info, st) != 0 || fill(info, st) != 0)
            return -1;
    }
}

/* Length of the maximal valid prefix of an ill-formed sequence at s (>= 1). */
static size_t invalid_length(const unsigned char *s, size_t left)
{
    unsigned char c = s[0];
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        need = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        if (c == 0xE0)
            lo = 0xA0;
        if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        if (c == 0xF0)
            lo = 0x90;
        if (c == 0xF4)
            hi = 0x8F;
    } else
        return 1;
    size_t i = 1;
    if (i < left && i < need && s[i] >= lo && s[i] <= hi) {
        i++;
        while (i < left && i < need && (s[i] & 0xC0) == 0x80)
            i++;
    }
    return i;
}

/* Spark decodes text as UTF-8 with U+FFFD for each ill-formed sequence. */
static int fix_utf8(text_state *st, const char **record, size_t *length)
{
    const unsigned char *s = (const unsigned char *)*record;
    size_t n = *length, i = 0;
    for (;;) {
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (w & 0x8080808080808080ull)
                break;
            i += 8;
        }
        while (i < n && s[i] < 0x80)
            i++;
        if (i == n)
            return 0;
        /* Common well-formed sequences inline (no overlong, surrogate or range check
           is needed for these lead bytes); anything else takes the full check. */
        unsigned char c = s[i];
        if (c >= 0xC2 && c <= 0xDF && i + 1 < n && (s[i + 1] & 0xC0) == 0x80) {
            i += 2;
            continue;
        }
        if (((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) && i + 2 < n &&
            (s[i + 1] & 0xC0) == 0x80 && (s[i + 2] & 0xC0) == 0x80) {
            i += 3;
            continue;
        }
        size_t k = ldi_utf8_sequence_length(s + i, n - i);
        if (k == 0)
            break;
        i += k;
    }
    /* Ill-formed: rewrite into the scratch buffer (at most 3 bytes per input byte). */
    if (st->fixed_cap < n * 3) {
        char *grown = realloc(st->fixed, n * 3);
        if (grown == NULL)
            return -1;
        st->fixed = grown;
        st->fixed_cap = n * 3;
    }
    memcpy(st->fixed, s, i);
    size_t w = i;
    while (i < n) {
        if (s[i] < 0x80) {
            st->fixed[w++] = (char)s[i++];
            continue;
        }
        size_t k = ldi_utf8_sequence_length(s + i, n - i);
        if (k > 0) {
            memcpy(st->fixed + w, s + i, k);
            w += k;
            i += k;
        } else {
            memcpy(st->fixed + w, "\xEF\xBF\xBD", 3);
            w += 3;
            i += invalid_length(s + i, n - i);
        }
    }
    *record = st->fixed;
    *length = w;
    return 0;
}

static void scan_locked(duckdb_function_info info, duckdb_data_chunk output, text_state *st);

static void scan_text(duckdb_function_info info, duckdb_data_chunk output)
{
    text_state *st = duckdb_function_get_init_data(info);
    pthread_mutex_lock(&st->lock);
    scan_locked(info, output, st);
    pthread_mutex_unlock(&st->lock);
}

static void scan_locked(duckdb_function_info info, duckdb_data_chunk output, text_state *st)
{
    if (st->failed) {
        duckdb_data_chunk_set_size(output, 0);
        return;
    }
    duckdb_vector vector = duckdb_data_chunk_get_vector(output, 0);
    idx_t capacity = duckdb_vector_size(), rows = 0;
    size_t bytes = 0;
    while (rows < capacity && bytes < BATCH_BYTES) {
        const char *record;
        size_t length;
        int r = next_record(info, st, &record, &length);
        if (r < 0) {
            duckdb_data_chunk_set_size(output, 0);
            return;
        }
        if (r == 0)
            break;
        if (fix_utf8(st, &record, &length) != 0) {
            fail(info, st, "out of memory", NULL);
            duckdb_data_chunk_set_size(output, 0);
            return;
        }
        duckdb_vector_assign_string_element_len(vector, rows++, record, length);
        bytes += length;
    }
    duckdb_data_chunk_set_size(output, rows);
    if (rows > 0)
        lds_stats_add(st->bind->session, rows, 0, 0, 0, 0);
}

int lds_text_reader_register(ld_spark_session *s, ld_error *error)
{
    duckdb_table_function f = duckdb_create_table_function();
    duckdb_table_function_set_name(f, "ld_read_text");
    duckdb_logical_type varchar = duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
    duckdb_logical_type list = duckdb_create_list_type(varchar);
    duckdb_table_function_add_parameter(f, list);
    duckdb_table_function_add_named_parameter(f, "lineSep", varchar);
    duckdb_table_function_set_extra_info(f, s, NULL);
    duckdb_table_function_set_bind(f, bind_text);
    duckdb_table_function_set_init(f, init_text);
    duckdb_table_function_set_function(f, scan_text);
    duckdb_state state = duckdb_register_table_function(s->con, f);
    duckdb_destroy_logical_type(&list);
    duckdb_destroy_logical_type(&varchar);
    duckdb_destroy_table_function(&f);
    if (state == DuckDBError)
        return ld_error_set(error, LD_ERR_INTERNAL, "cannot register the text reader");
    return LD_OK;
}
