/*
 * split.c - read a (gzip or plain) file as a stream and split it into records with the
 * SingleFileParser's start and end hints, as docs/local-runner.md describes:
 *
 * - PATTERN start: the record begins at the next match of the start pattern;
 *   OFFSET k: k bytes after the current position.
 * - PATTERN end: the record ends after the next match of the end pattern found after
 *   the start pattern (the record includes both). With a PATTERN start, the next start
 *   is searched from the first byte of that end match (so the next record's start
 *   phrase may be the end pattern); with an OFFSET start, the next record counts from
 *   the end of this one. OFFSET n: the record is exactly n bytes long.
 * - A record with no end before the end of the file, or longer than the maximum record
 *   size, is not dropped: it becomes an ErrorDoc in the error destination.
 *
 * Memory stays bounded: only the current record (at most the maximum size) and one
 * read chunk are held. The reader (reader.h) gives the file's content, inflated when it
 * is gzip.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batches.h"
#include "reader.h"
#include "runner_internal.h"
#include "runtime_internal.h"

#define CHUNK (1u << 20)

typedef struct window {
    ldrun_reader *reader;
    const char *block; /* the reader's current block: block[0, block_left) not taken yet */
    size_t block_left;
    const char *path;
    char *alloc;          /* the allocation; data = alloc + head */
    char *data;
    size_t head;
    size_t length, capacity; /* capacity counts from alloc */
    uint64_t base; /* offset in the decompressed file of data[0] */
    int eof;
} window;

/* Read until at least @p want bytes are held or the file ends. */
static int fill(window *w, size_t want, ld_error *error)
{
    while (w->length < want && !w->eof) {
        if (w->capacity - w->head - w->length < CHUNK && w->head > 0) {
            /* Compact only now, not per record: one move per chunk read at most. */
            memmove(w->alloc, w->data, w->length);
            w->head = 0;
            w->data = w->alloc;
        }
        if (w->capacity - w->length < CHUNK) {
            size_t capacity = w->capacity ? w->capacity * 2 : 4 * CHUNK;
            while (capacity - w->length < CHUNK)
                capacity *= 2;
            char *grown = realloc(w->alloc, capacity);
            if (grown == NULL)
                return ld_error_set(error, LD_ERR_NOMEM, "%s: out of memory", w->path);
            w->alloc = w->data = grown;
            w->capacity = capacity;
        }
        if (w->block_left == 0 && !ldrun_reader_is_gzip(w->reader)) {
            /* Plain: straight into the window. */
            size_t n = 0;
            int rc = ldrun_reader_read_into(w->reader, w->data + w->length, CHUNK, &n, error);
            if (rc != LD_OK)
                return rc;
            if (n == 0)
                w->eof = 1;
            w->length += n;
            continue;
        }
        if (w->block_left == 0) {
            int rc = ldrun_reader_next(w->reader, &w->block, &w->block_left, error);
            if (rc != LD_OK)
                return rc;
            if (w->block_left == 0) {
                w->eof = 1;
                break;
            }
        }
        size_t n = w->block_left < CHUNK ? w->block_left : CHUNK;
        memcpy(w->data + w->length, w->block, n);
        w->block += n;
        w->block_left -= n;
        w->length += n;
    }
    return LD_OK;
}

/* Forget data[0, upto): the window slides forward (the bytes move only in fill()). */
static void discard(window *w, size_t upto)
{
    w->data += upto;
    w->head += upto;
    w->length -= upto;
    w->base += upto;
}

static json_t *offset_map(const char *file_type, uint64_t offset)
{
    return json_pack("{s:I}", file_type, (json_int_t)offset);
}

/* A record that cannot be handed to the parser goes to the error destination. */
int ldrun_record_error(ldrun_output *out, const ldrun_file_job *job, uint64_t start,
                       uint64_t end, const char *message, ld_error *error)
{
    ld_parse_document_result result = LD_PARSE_DOCUMENT_RESULT_INIT;
    ld_document *doc = ld_error_doc_new(NULL, "RECORD_ERROR", job->file_name, NULL,
                                        json_pack("{s:s}", "file", job->file_name),
                                        offset_map(job->s3_file_type, start),
                                        offset_map(job->s3_file_type, end), message);
    if (doc == NULL)
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    ld_parse_document_result_set(&result, LD_PARSE_ERROR, doc);
    int rc = ldrun_route(out, &result, job->file_name, error);
    ld_parse_document_result_clear(&result);
    return rc;
}

/* Find @p m in data[from, length), reading more as needed. Sets *at or LD_MATCH_NONE at
 * the end of the file; gives up (LD_MATCH_NONE, *too_long) past @p limit bytes. */
static int find_streaming(window *w, const ld_matcher *m, size_t from, size_t limit,
                          int keep_before, size_t *at, int *too_long, ld_error *error)
{
    size_t n = ld_matcher_length(m);
    *too_long = 0;
    for (;;) {
        *at = ld_matcher_find(m, w->data, from, w->length);
        if (*at != LD_MATCH_NONE)
            return LD_OK;
        if (w->eof)
            return LD_OK;
        if (w->length >= limit) {
            *too_long = 1;
            return LD_OK;
        }
        /* Search again only where a match may still start. */
        if (w->length >= n && w->length - (n - 1) > from)
            from = w->length - (n - 1);
        if (!keep_before && from > 0) {
            discard(w, from);
            from = 0;
        }
        int rc = fill(w, w->length + CHUNK, error);
        if (rc != LD_OK)
            return rc;
    }
}

int ldrun_parse_record(const ldrun_file_job *job, int64_t offset, const char *buffer,
                       size_t start, size_t end, const char *where, ldrun_output *out,
                       ld_error *error)
{
    ld_parse_document_result result = LD_PARSE_DOCUMENT_RESULT_INIT;
    ld_context_clear_error(job->ctx);
    int rc = job->parser->parse_document(job->ctx, job->parser->payload, job->s3_file_type,
                                         job->file_name, offset, buffer, start, end, &result);
    if (rc != LD_OK || ld_context_failed(job->ctx)) {
        ld_parse_document_result_clear(&result);
        const char *type = ld_context_failed(job->ctx) ? ld_context_error_type(job->ctx)
                                                       : "HandlerError";
        char message[256];
        snprintf(message, sizeof message, "parseDocument failed with status %d (%s)", rc,
                 ld_status_name(rc));
        return ldrun_handler_failed(out, type,
                                    ld_context_failed(job->ctx)
                                        ? ld_context_error_message(job->ctx)
                                        : message,
                                    offset_map(job->s3_file_type, (uint64_t)offset), where,
                                    error);
    }
    rc = ldrun_route(out, &result, where, error);
    ld_parse_document_result_clear(&result);
    return rc;
}

static int parse_record(const ldrun_file_job *job, window *w, size_t start, size_t end,
                        ldrun_output *out, ldrun_batches *batches, ld_error *error)
{
    if (batches != NULL) /* parsed on another thread, written in order */
        return ldrun_batches_record(batches, w->base + start, w->data + start, end - start,
                                    error);
    char where[4200];
    snprintf(where, sizeof where, "%s, record at byte %llu", job->file_name,
             (unsigned long long)(w->base + start));
    if (out->child != NULL) /* --isolate */
        return ldrun_child_parse_record(job, (int64_t)(w->base + start), w->data, start, end,
                                        where, out, error);
    return ldrun_parse_record(job, (int64_t)(w->base + start), w->data, start, end, where, out,
                              error);
}

static int hint(const ld_single_file_parser *parser, ld_context *ctx, const char *type,
                int start, ld_record_parse_hint *out, ld_error *error)
{
    int (*method)(ld_context *, void *, const char *, ld_record_parse_hint *) =
        start ? parser->get_record_start_pattern : parser->get_record_end_pattern;
    const char *name = start ? "getRecordStartPattern" : "getRecordEndPattern";
    if (method == NULL)
        return ld_error_set(error, LD_ERR_UNSUPPORTED, "the SingleFileParser has no %s", name);
    int rc = method(ctx, parser->payload, type, out);
    ld_error invalid = {0};
    if (rc != LD_OK || ld_context_failed(ctx))
        return ld_error_set(error, LD_ERR_HANDLER, "%s failed: %s", name,
                            ld_context_failed(ctx) ? ld_context_error_message(ctx)
                                                   : ld_status_name(rc));
    if (ld_record_parse_hint_validate(out, &invalid) != LD_OK)
        return ld_error_set(error, LD_ERR_INVALID, "%s: %s", name, invalid.message);
    return LD_OK;
}

int ldrun_parse_file(const ldrun_file_job *job, ldrun_output *out, ld_error *error)
{
    ld_record_parse_hint start_hint = LD_RECORD_PARSE_HINT_INIT;
    ld_record_parse_hint end_hint = LD_RECORD_PARSE_HINT_INIT;
    ld_matcher *start_m = NULL, *end_m = NULL;
    window w = {0};
    w.path = job->path;
    int rc = hint(job->parser, job->ctx, job->s3_file_type, 1, &start_hint, error);
    if (rc == LD_OK)
        rc = hint(job->parser, job->ctx, job->s3_file_type, 0, &end_hint, error);
    if (rc == LD_OK && end_hint.type == LD_HINT_OFFSET && end_hint.offset == 0)
        rc = ld_error_set(error, LD_ERR_INVALID,
                          "getRecordEndPattern: an OFFSET end hint must be > 0");
    if (rc == LD_OK && start_hint.type == LD_HINT_PATTERN)
        start_m = ld_matcher_new(start_hint.pattern, start_hint.pattern_length);
    if (rc == LD_OK && end_hint.type == LD_HINT_PATTERN)
        end_m = ld_matcher_new(end_hint.pattern, end_hint.pattern_length);
    if (rc == LD_OK && ((start_hint.type == LD_HINT_PATTERN && start_m == NULL) ||
                        (end_hint.type == LD_HINT_PATTERN && end_m == NULL)))
        rc = ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    ldrun_source *source = rc == LD_OK ? ldrun_source_open(job->path, error) : NULL;
    if (rc == LD_OK && source == NULL)
        rc = error->code;
    if (rc == LD_OK && (w.reader = ldrun_reader_open(source, job->threads, error)) == NULL)
        rc = error->code;

    /* Threads to spare (-j N, fewer files): the records are parsed on them. Not with
     * --isolate (a child process per worker parses in order) nor with a vector stage
     * (which batches the task's documents itself). */
    ldrun_batches *batches =
        rc == LD_OK && job->threads > 1 && out->child == NULL && out->vectors == NULL
            ? ldrun_batches_new(job, out, job->threads)
            : NULL;
    size_t pos = 0;
    uint64_t counted_until = 0; /* records' bytes counted up to here */
    size_t limit = job->max_record_bytes;
    while (rc == LD_OK) {
        /* SIGINT/SIGTERM: stop between records (the task is rolled back, see tasks.c). */
        if (ldrun_stop_signal()) {
            rc = ld_error_set(error, LDRUN_STOPPED, "%s: stopped by a signal", job->file_name);
            break;
        }
        /* Where does the next record start? */
        size_t start;
        int too_long;
        if (start_m != NULL) {
            rc = find_streaming(&w, start_m, pos, (size_t)-1, 0, &start, &too_long, error);
            if (rc != LD_OK || start == LD_MATCH_NONE)
                break;
        } else {
            start = pos + (size_t)start_hint.offset;
            if ((rc = fill(&w, start + 1, error)) != LD_OK || start >= w.length)
                break;
        }
        discard(&w, start);
        start = 0;

        /* ...and where does it end? */
        size_t end, next;
        if (end_m != NULL) {
            size_t from = start_m != NULL ? ld_matcher_length(start_m) : 0;
            size_t at;
            rc = find_streaming(&w, end_m, from, limit, 1, &at, &too_long, error);
            if (rc != LD_OK)
                break;
            if (at != LD_MATCH_NONE && at + ld_matcher_length(end_m) > limit)
                too_long = 1;
            if (too_long || at == LD_MATCH_NONE) {
                char message[300];
                if (too_long)
                    snprintf(message, sizeof message,
                             "the record starting at byte %llu is longer than the maximum "
                             "record size of %zu bytes (--max-record-bytes)",
                             (unsigned long long)w.base, limit);
                else
                    snprintf(message, sizeof message,
                             "the record starting at byte %llu has no end pattern before the "
                             "end of the file",
                             (unsigned long long)w.base);
                rc = batches != NULL ? ldrun_batches_record_error(batches, w.base,
                                                                  w.base + w.length, message,
                                                                  error)
                                     : ldrun_record_error(out, job, w.base, w.base + w.length,
                                                          message, error);
                if (rc != LD_OK || !too_long)
                    break;
                pos = 1; /* look for the next start after this one */
                continue;
            }
            end = at + ld_matcher_length(end_m);
            next = at;
        } else {
            size_t n = (size_t)end_hint.offset;
            if (n > limit) {
                rc = ld_error_set(error, LD_ERR_LIMIT,
                                  "records of %zu bytes exceed the maximum record size of %zu "
                                  "bytes (--max-record-bytes)",
                                  n, limit);
                break;
            }
            if ((rc = fill(&w, n, error)) != LD_OK)
                break;
            if (w.length < n) {
                static const char shorter[] =
                    "the last record is shorter than the fixed record size";
                if (w.length > 0)
                    rc = batches != NULL
                             ? ldrun_batches_record_error(batches, w.base, w.base + w.length,
                                                          shorter, error)
                             : ldrun_record_error(out, job, w.base, w.base + w.length, shorter,
                                                  error);
                break;
            }
            end = n;
            next = n;
        }
        /* Bytes are counted once even where records overlap (an end pattern that is the
         * next record's start phrase), so that bytesOutsideRecords adds up exactly. */
        uint64_t first_new = w.base + start > counted_until ? w.base + start : counted_until;
        if (w.base + end > first_new)
            out->counts.bytes_in_records += w.base + end - first_new;
        counted_until = w.base + end;
        rc = parse_record(job, &w, start, end, out, batches, error);
        /* A PATTERN start is searched again from the first byte of this record's end
         * match; an OFFSET start counts from this record's end (a line-per-record file:
         * start OFFSET 0, end PATTERN "\n"). Always move on, even when an end match
         * sits at the record's first byte. */
        pos = start_m != NULL && next > 0 ? next : end;
    }
    if (batches != NULL)
        rc = ldrun_batches_finish(batches, rc, error);
    out->counts.bytes_read += w.base + w.length;
    ldrun_reader_close(w.reader);
    free(w.alloc);
    ld_matcher_free(start_m);
    ld_matcher_free(end_m);
    ld_record_parse_hint_clear(&start_hint);
    ld_record_parse_hint_clear(&end_hint);
    return rc;
}
