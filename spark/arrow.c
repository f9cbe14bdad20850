/*
 * arrow.c - frames as Arrow C streams, and Arrow C streams as frames.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spark_internal.h"

typedef struct export_state {
    ld_spark_frame *frame;
    duckdb_prepared_statement stmt;
    duckdb_result result;
    duckdb_arrow_options options;
    size_t columns;
    duckdb_logical_type *types;
    const char **names;
    char *last_error;
    int done;
} export_state;

static void set_last_error(export_state *st, const char *message)
{
    free(st->last_error);
    st->last_error = strdup(message ? message : "unknown error");
}

static int take_error(export_state *st, duckdb_error_data e)
{
    if (e == NULL)
        return 0;
    int failed = duckdb_error_data_has_error(e);
    if (failed)
        set_last_error(st, duckdb_error_data_message(e));
    duckdb_destroy_error_data(&e);
    return failed ? EINVAL : 0;
}

static int get_schema(struct ArrowArrayStream *stream, struct ArrowSchema *out)
{
    export_state *st = stream->private_data;
    return take_error(st, duckdb_to_arrow_schema(st->options, st->types, st->names,
                                                 st->columns, out));
}

static int get_next(struct ArrowArrayStream *stream, struct ArrowArray *out)
{
    export_state *st = stream->private_data;
    memset(out, 0, sizeof *out);
    if (st->done)
        return 0; /* out->release == NULL: the end */
    duckdb_data_chunk chunk = duckdb_fetch_chunk(st->result);
    if (chunk == NULL) {
        st->done = 1;
        const char *message = duckdb_result_error(&st->result);
        if (message != NULL) {
            set_last_error(st, message);
            return EIO;
        }
        return 0;
    }
    int rc = take_error(st, duckdb_data_chunk_to_arrow(st->options, chunk, out));
    duckdb_destroy_data_chunk(&chunk);
    return rc;
}

static const char *get_last_error(struct ArrowArrayStream *stream)
{
    export_state *st = stream->private_data;
    return st->last_error;
}

static void free_export(export_state *st)
{
    for (size_t c = 0; st->types && c < st->columns; c++)
        duckdb_destroy_logical_type(&st->types[c]);
    free(st->types);
    free(st->names);
    if (st->options != NULL)
        duckdb_destroy_arrow_options(&st->options);
    duckdb_destroy_result(&st->result);
    duckdb_destroy_prepare(&st->stmt);
    free(st->last_error);
    free(st);
}

static void release_stream(struct ArrowArrayStream *stream)
{
    if (stream->private_data != NULL)
        free_export(stream->private_data);
    stream->private_data = NULL;
    stream->release = NULL;
}

int ld_spark_frame_to_arrow(ld_spark_frame *frame, struct ArrowArrayStream *out, ld_error *error)
{
    if (frame == NULL || out == NULL)
        return ld_error_set(error, LD_ERR_INVALID, "ld_spark_frame_to_arrow: frame and out are required");
    memset(out, 0, sizeof *out);
    export_state *st = calloc(1, sizeof *st);
    if (st == NULL)
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    st->frame = frame;
    if (duckdb_prepare(frame->session->con, frame->sql, &st->stmt) == DuckDBError) {
        int rc = lds_engine_error(error, "SQL error", duckdb_prepare_error(st->stmt), frame->sql);
        duckdb_destroy_prepare(&st->stmt);
        free(st);
        return rc;
    }
    if (duckdb_execute_prepared_streaming(st->stmt, &st->result) == DuckDBError) {
        int rc = lds_engine_error(error, "query failed", duckdb_result_error(&st->result), frame->sql);
        free_export(st);
        return rc;
    }
    st->options = duckdb_result_get_arrow_options(&st->result);
    st->columns = duckdb_column_count(&st->result);
    st->types = calloc(st->columns ? st->columns : 1, sizeof *st->types);
    st->names = calloc(st->columns ? st->columns : 1, sizeof *st->names);
    if (st->types == NULL || st->names == NULL) {
        free_export(st);
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    }
    for (size_t c = 0; c < st->columns; c++) {
        st->types[c] = duckdb_column_logical_type(&st->result, c);
        st->names[c] = duckdb_column_name(&st->result, c);
    }
    out->get_schema = get_schema;
    out->get_next = get_next;
    out->get_last_error = get_last_error;
    out->release = release_stream;
    out->private_data = st;
    return LD_OK;
}

/* The engine's Arrow scan asks for the schema several times and never releases what it
 * gets: it is handed copies whose release does nothing, and the real schemas are
 * released here once the import is over. */
#define MAX_SCHEMAS 64

typedef struct import_proxy {
    struct ArrowArrayStream *inner;
    struct ArrowSchema schemas[MAX_SCHEMAS];
    int schema_count;
} import_proxy;

static void no_release(struct ArrowSchema *schema)
{
    schema->release = NULL;
}

static int proxy_get_schema(struct ArrowArrayStream *stream, struct ArrowSchema *out)
{
    import_proxy *p = stream->private_data;
    if (p->schema_count == MAX_SCHEMAS)
        return ENOMEM;
    struct ArrowSchema *kept = &p->schemas[p->schema_count];
    int rc = p->inner->get_schema(p->inner, kept);
    if (rc != 0)
        return rc;
    p->schema_count++;
    *out = *kept;
    out->release = no_release;
    return 0;
}

static int proxy_get_next(struct ArrowArrayStream *stream, struct ArrowArray *out)
{
    import_proxy *p = stream->private_data;
    return p->inner->get_next(p->inner, out);
}

static const char *proxy_get_last_error(struct ArrowArrayStream *stream)
{
    import_proxy *p = stream->private_data;
    return p->inner->get_last_error ? p->inner->get_last_error(p->inner) : NULL;
}

static void proxy_release(struct ArrowArrayStream *stream)
{
    stream->release = NULL; /* the inner stream is released by the importer */
}

int ld_spark_frame_from_arrow(ld_spark_session *session, struct ArrowArrayStream *stream,
                              ld_spark_frame **out, ld_error *error)
{
    if (out != NULL)
        *out = NULL;
    if (session == NULL || stream == NULL || stream->release == NULL || out == NULL) {
        if (stream != NULL && stream->release != NULL)
            stream->release(stream);
        return ld_error_set(error, LD_ERR_INVALID,
                            "ld_spark_frame_from_arrow: session, a live stream and out are required");
    }
    /* A stream exported from this session needs the session to produce its batches while
       the import runs on it: that would wait forever. */
    if (stream->get_next == get_next &&
        ((export_state *)stream->private_data)->frame->session == session) {
        stream->release(stream);
        return ld_error_set(error, LD_ERR_INVALID,
                            "Arrow import: the stream comes from this same session; import it "
                            "into another session, or use the frame itself (ld_spark_frame_persist)");
    }
    char *view = lds_unique_name(session, "arrow_view");
    char *table = lds_unique_name(session, "arrow");
    char *copy = (view && table) ? lds_printf("CREATE TEMP TABLE %s AS SELECT * FROM %s", table, view) : NULL;
    char *drop = view ? lds_printf("DROP VIEW IF EXISTS %s", view) : NULL;
    char *scan = table ? lds_printf("SELECT * FROM %s", table) : NULL;
    import_proxy *proxy = calloc(1, sizeof *proxy);
    struct ArrowArrayStream wrapped = {proxy_get_schema, proxy_get_next, proxy_get_last_error,
                                       proxy_release, proxy};
    int rc = (copy && drop && scan && proxy) ? LD_OK : ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    if (proxy != NULL)
        proxy->inner = stream;
    if (rc == LD_OK && duckdb_arrow_scan(session->con, view, (duckdb_arrow_stream)&wrapped) == DuckDBError)
        rc = ld_error_set(error, LD_ERR_INVALID, "Arrow import: the engine cannot scan the stream (%s)",
                          stream->get_last_error ? (stream->get_last_error(stream) ? stream->get_last_error(stream) : "no detail") : "no detail");
    if (rc == LD_OK) {
        ld_error inner;
        rc = lds_exec(session, copy, &inner);
        if (rc != LD_OK)
            ld_error_set(error, rc, "Arrow import failed: %s", inner.message);
    }
    if (view != NULL && drop != NULL) {
        ld_error ignored;
        lds_exec(session, drop, &ignored);
    }
    for (int i = 0; proxy != NULL && i < proxy->schema_count; i++)
        if (proxy->schemas[i].release != NULL)
            proxy->schemas[i].release(&proxy->schemas[i]);
    free(proxy);
    stream->release(stream);
    if (rc == LD_OK) {
        rc = lds_frame_new(session, scan, out, error);
        scan = NULL;
    }
    free(view);
    free(table);
    free(copy);
    free(drop);
    free(scan);
    return rc;
}
