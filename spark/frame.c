/*
 * frame.c - frames: a query's SQL text and its schema; SQL, names, persist, count.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>

#include "spark_internal.h"

static void free_columns(ld_spark_frame *f)
{
    lds_free_strings(f->column_names, f->column_count);
    lds_free_strings(f->column_types, f->column_count);
    f->column_names = f->column_types = NULL;
    f->column_count = 0;
}

/* Work out the schema of f->sql (DESCRIBE binds the query without running it). */
static int describe(ld_spark_frame *f, ld_error *error)
{
    char *sql = lds_printf("DESCRIBE %s", f->sql);
    if (sql == NULL)
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    duckdb_result result;
    if (duckdb_query(f->session->con, sql, &result) == DuckDBError) {
        lds_engine_error(error, "SQL error", duckdb_result_error(&result), f->sql);
        duckdb_destroy_result(&result);
        free(sql);
        return LD_ERR_INVALID;
    }
    free(sql);
    idx_t n = duckdb_row_count(&result);
    free_columns(f);
    f->column_names = calloc(n ? n : 1, sizeof *f->column_names);
    f->column_types = calloc(n ? n : 1, sizeof *f->column_types);
    int rc = (f->column_names && f->column_types) ? LD_OK
                                                  : ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    for (idx_t i = 0; rc == LD_OK && i < n; i++) {
        /* DESCRIBE's first two columns: column_name, column_type. */
        char *name = duckdb_value_varchar(&result, 0, i);
        char *type = duckdb_value_varchar(&result, 1, i);
        f->column_names[i] = name ? strdup(name) : NULL;
        f->column_types[i] = type ? strdup(type) : NULL;
        duckdb_free(name);
        duckdb_free(type);
        f->column_count = i + 1;
        if (f->column_names[i] == NULL || f->column_types[i] == NULL)
            rc = ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    }
    duckdb_destroy_result(&result);
    return rc;
}

int lds_frame_new(ld_spark_session *s, char *sql, ld_spark_frame **out, ld_error *error)
{
    *out = NULL;
    if (sql == NULL)
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    /* A trailing ';' would end the statement we wrap. */
    size_t n = strlen(sql);
    while (n > 0 && (sql[n - 1] == ';' || sql[n - 1] == ' ' || sql[n - 1] == '\n' ||
                     sql[n - 1] == '\t' || sql[n - 1] == '\r'))
        sql[--n] = '\0';
    ld_spark_frame *f = calloc(1, sizeof *f);
    if (f == NULL) {
        free(sql);
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    }
    f->session = s;
    f->sql = sql;
    int rc = describe(f, error);
    if (rc != LD_OK) {
        ld_spark_frame_free(f);
        return rc;
    }
    *out = f;
    return LD_OK;
}

int ld_spark_sql(ld_spark_session *session, const char *sql, ld_spark_frame **out,
                 ld_error *error)
{
    if (out != NULL)
        *out = NULL;
    if (session == NULL || sql == NULL || out == NULL)
        return ld_error_set(error, LD_ERR_INVALID, "ld_spark_sql: session, sql and out are required");
    return lds_frame_new(session, strdup(sql), out, error);
}

int ld_spark_frame_register(ld_spark_frame *frame, const char *name, ld_error *error)
{
    if (frame == NULL || name == NULL || *name == '\0')
        return ld_error_set(error, LD_ERR_INVALID, "ld_spark_frame_register: a frame and a non-empty name are required");
    char *ident = lds_sql_ident(name);
    char *sql = ident ? lds_printf("CREATE OR REPLACE TEMP VIEW %s AS %s", ident, frame->sql) : NULL;
    free(ident);
    if (sql == NULL)
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    int rc = lds_exec(frame->session, sql, error);
    free(sql);
    return rc;
}

int ld_spark_frame_persist(ld_spark_frame *frame, ld_error *error)
{
    if (frame == NULL)
        return ld_error_set(error, LD_ERR_INVALID, "ld_spark_frame_persist: frame is NULL");
    char *name = lds_unique_name(frame->session, "persisted");
    char *sql = name ? lds_printf("CREATE TEMP TABLE %s AS %s", name, frame->sql) : NULL;
    char *scan = name ? lds_printf("SELECT * FROM %s", name) : NULL;
    int rc = (sql && scan) ? LD_OK : ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    if (rc == LD_OK) {
        duckdb_result result;
        if (duckdb_query(frame->session->con, sql, &result) == DuckDBError)
            rc = lds_engine_error(error, "persist failed", duckdb_result_error(&result), frame->sql);
        duckdb_destroy_result(&result);
    }
    if (rc == LD_OK) {
        free(frame->sql);
        frame->sql = scan;
        scan = NULL;
    }
    free(name);
    free(sql);
    free(scan);
    return rc;
}

size_t ld_spark_frame_column_count(const ld_spark_frame *frame)
{
    return frame ? frame->column_count : 0;
}

const char *ld_spark_frame_column_name(const ld_spark_frame *frame, size_t index)
{
    return (frame && index < frame->column_count) ? frame->column_names[index] : NULL;
}

const char *ld_spark_frame_column_type(const ld_spark_frame *frame, size_t index)
{
    return (frame && index < frame->column_count) ? frame->column_types[index] : NULL;
}

const char *ld_spark_frame_sql(const ld_spark_frame *frame)
{
    return frame ? frame->sql : NULL;
}

int ld_spark_frame_count(ld_spark_frame *frame, uint64_t *out, ld_error *error)
{
    if (frame == NULL || out == NULL)
        return ld_error_set(error, LD_ERR_INVALID, "ld_spark_frame_count: frame and out are required");
    char *sql = lds_printf("SELECT count(*) FROM (%s)", frame->sql);
    if (sql == NULL)
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    duckdb_result result;
    int rc = LD_OK;
    if (duckdb_query(frame->session->con, sql, &result) == DuckDBError)
        rc = lds_engine_error(error, "count failed", duckdb_result_error(&result), frame->sql);
    else
        *out = (uint64_t)duckdb_value_int64(&result, 0, 0);
    duckdb_destroy_result(&result);
    free(sql);
    return rc;
}

void ld_spark_frame_free(ld_spark_frame *frame)
{
    if (frame == NULL)
        return;
    free_columns(frame);
    free(frame->sql);
    free(frame);
}
