/*
 * rows.c - a forward cursor over a frame's rows, one engine batch at a time.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>

#include "spark_internal.h"

struct ld_spark_rows {
    ld_spark_frame *frame;
    duckdb_prepared_statement stmt;
    duckdb_result result;
    int started;
    size_t columns;
    duckdb_logical_type *types;
    duckdb_data_chunk chunk;
    duckdb_vector *vectors;
    idx_t size, row; /* row = index in chunk of the current row */
    int done;
    lds_buf text;
};

int ld_spark_rows_open(ld_spark_frame *frame, ld_spark_rows **out, ld_error *error)
{
    if (out != NULL)
        *out = NULL;
    if (frame == NULL || out == NULL)
        return ld_error_set(error, LD_ERR_INVALID, "ld_spark_rows_open: frame and out are required");
    ld_spark_rows *r = calloc(1, sizeof *r);
    if (r == NULL)
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    r->frame = frame;
    if (duckdb_prepare(frame->session->con, frame->sql, &r->stmt) == DuckDBError) {
        int rc = lds_engine_error(error, "SQL error", duckdb_prepare_error(r->stmt), frame->sql);
        duckdb_destroy_prepare(&r->stmt);
        free(r);
        return rc;
    }
    if (duckdb_execute_prepared_streaming(r->stmt, &r->result) == DuckDBError) {
        int rc = lds_engine_error(error, "query failed", duckdb_result_error(&r->result), frame->sql);
        duckdb_destroy_result(&r->result);
        duckdb_destroy_prepare(&r->stmt);
        free(r);
        return rc;
    }
    r->started = 1;
    r->columns = duckdb_column_count(&r->result);
    r->types = calloc(r->columns ? r->columns : 1, sizeof *r->types);
    r->vectors = calloc(r->columns ? r->columns : 1, sizeof *r->vectors);
    if (r->types == NULL || r->vectors == NULL) {
        ld_spark_rows_free(r);
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    }
    for (size_t c = 0; c < r->columns; c++)
        r->types[c] = duckdb_column_logical_type(&r->result, c);
    *out = r;
    return LD_OK;
}

int ld_spark_rows_next(ld_spark_rows *rows, ld_error *error)
{
    if (rows == NULL)
        return ld_error_set(error, LD_ERR_INVALID, "ld_spark_rows_next: rows is NULL");
    if (rows->done)
        return 0;
    if (rows->chunk != NULL && rows->row + 1 < rows->size) {
        rows->row++;
        return 1;
    }
    for (;;) {
        if (rows->chunk != NULL)
            duckdb_destroy_data_chunk(&rows->chunk);
        rows->chunk = duckdb_fetch_chunk(rows->result);
        if (rows->chunk == NULL) {
            rows->done = 1;
            const char *message = duckdb_result_error(&rows->result);
            if (message != NULL)
                return lds_engine_error(error, "query failed", message, rows->frame->sql);
            return 0;
        }
        rows->size = duckdb_data_chunk_get_size(rows->chunk);
        if (rows->size == 0)
            continue;
        for (size_t c = 0; c < rows->columns; c++)
            rows->vectors[c] = duckdb_data_chunk_get_vector(rows->chunk, c);
        rows->row = 0;
        return 1;
    }
}

size_t ld_spark_rows_column_count(const ld_spark_rows *rows)
{
    return rows ? rows->columns : 0;
}

const char *ld_spark_rows_column_name(const ld_spark_rows *rows, size_t col)
{
    if (rows == NULL || col >= rows->columns)
        return NULL;
    return duckdb_column_name((duckdb_result *)&rows->result, col);
}

static int current(const ld_spark_rows *rows, size_t col)
{
    return rows != NULL && rows->chunk != NULL && !rows->done && col < rows->columns;
}

int ld_spark_rows_is_null(const ld_spark_rows *rows, size_t col)
{
    if (!current(rows, col))
        return 1;
    uint64_t *validity = duckdb_vector_get_validity(rows->vectors[col]);
    return validity != NULL && !duckdb_validity_row_is_valid(validity, rows->row);
}

const char *ld_spark_rows_text(ld_spark_rows *rows, size_t col, size_t *length)
{
    if (length)
        *length = 0;
    if (ld_spark_rows_is_null(rows, col))
        return NULL;
    duckdb_vector v = rows->vectors[col];
    void *data = duckdb_vector_get_data(v);
    idx_t r = rows->row;
    rows->text.length = 0;
    int rc;
    switch (duckdb_get_type_id(rows->types[col])) {
    case DUCKDB_TYPE_VARCHAR:
    case DUCKDB_TYPE_BLOB: {
        duckdb_string_t *s = &((duckdb_string_t *)data)[r];
        rc = lds_buf_append(&rows->text, duckdb_string_t_data(s), duckdb_string_t_length(*s));
        break;
    }
    case DUCKDB_TYPE_DATE:
        rc = lds_format_date(&rows->text, ((int32_t *)data)[r]);
        break;
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_TZ:
    case DUCKDB_TYPE_TIMESTAMP_S:
    case DUCKDB_TYPE_TIMESTAMP_MS:
    case DUCKDB_TYPE_TIMESTAMP_NS: {
        int64_t us = 0;
        rc = ld_spark_rows_timestamp_us(rows, col, &us) == LD_OK ? lds_format_timestamp(&rows->text, us) : -1;
        break;
    }
    case DUCKDB_TYPE_ENUM: {
        ld_error ignored;
        rc = lds_json_value(&rows->text, v, rows->types[col], r, 1, &ignored);
        if (rc == 0 && rows->text.length >= 2) {
            /* Unquote: enum labels rarely need escapes; keep the JSON otherwise. */
            memmove(rows->text.data, rows->text.data + 1, rows->text.length - 2);
            rows->text.length -= 2;
        }
        break;
    }
    default: {
        ld_error ignored;
        rc = lds_json_value(&rows->text, v, rows->types[col], r, 1, &ignored);
    }
    }
    if (rc != 0 || lds_buf_putc(&rows->text, '\0') != 0)
        return NULL;
    if (length)
        *length = rows->text.length - 1;
    return rows->text.data;
}

int ld_spark_rows_int64(const ld_spark_rows *rows, size_t col, int64_t *out)
{
    if (!current(rows, col) || out == NULL)
        return LD_ERR_INVALID;
    if (ld_spark_rows_is_null(rows, col))
        return LD_ERR_NOT_FOUND;
    void *data = duckdb_vector_get_data(rows->vectors[col]);
    idx_t r = rows->row;
    switch (duckdb_get_type_id(rows->types[col])) {
    case DUCKDB_TYPE_BOOLEAN: *out = ((bool *)data)[r]; return LD_OK;
    case DUCKDB_TYPE_TINYINT: *out = ((int8_t *)data)[r]; return LD_OK;
    case DUCKDB_TYPE_SMALLINT: *out = ((int16_t *)data)[r]; return LD_OK;
    case DUCKDB_TYPE_INTEGER: *out = ((int32_t *)data)[r]; return LD_OK;
    case DUCKDB_TYPE_BIGINT: *out = ((int64_t *)data)[r]; return LD_OK;
    case DUCKDB_TYPE_UTINYINT: *out = ((uint8_t *)data)[r]; return LD_OK;
    case DUCKDB_TYPE_USMALLINT: *out = ((uint16_t *)data)[r]; return LD_OK;
    case DUCKDB_TYPE_UINTEGER: *out = ((uint32_t *)data)[r]; return LD_OK;
    case DUCKDB_TYPE_UBIGINT:
        if (((uint64_t *)data)[r] > INT64_MAX)
            return LD_ERR_INVALID;
        *out = (int64_t)((uint64_t *)data)[r];
        return LD_OK;
    default: return LD_ERR_INVALID;
    }
}

int ld_spark_rows_double(const ld_spark_rows *rows, size_t col, double *out)
{
    if (!current(rows, col) || out == NULL)
        return LD_ERR_INVALID;
    if (ld_spark_rows_is_null(rows, col))
        return LD_ERR_NOT_FOUND;
    void *data = duckdb_vector_get_data(rows->vectors[col]);
    idx_t r = rows->row;
    duckdb_logical_type type = rows->types[col];
    switch (duckdb_get_type_id(type)) {
    case DUCKDB_TYPE_FLOAT: *out = ((float *)data)[r]; return LD_OK;
    case DUCKDB_TYPE_DOUBLE: *out = ((double *)data)[r]; return LD_OK;
    case DUCKDB_TYPE_UBIGINT: *out = (double)((uint64_t *)data)[r]; return LD_OK;
    case DUCKDB_TYPE_DECIMAL: {
        double v;
        switch (duckdb_decimal_internal_type(type)) {
        case DUCKDB_TYPE_SMALLINT: v = ((int16_t *)data)[r]; break;
        case DUCKDB_TYPE_INTEGER: v = ((int32_t *)data)[r]; break;
        case DUCKDB_TYPE_BIGINT: v = (double)((int64_t *)data)[r]; break;
        default: {
            duckdb_hugeint h = ((duckdb_hugeint *)data)[r];
            v = (double)h.upper * 18446744073709551616.0 + (double)h.lower;
        }
        }
        for (unsigned s = duckdb_decimal_scale(type); s > 0; s--)
            v /= 10;
        *out = v;
        return LD_OK;
    }
    default: {
        int64_t i;
        int rc = ld_spark_rows_int64(rows, col, &i);
        if (rc == LD_OK)
            *out = (double)i;
        return rc;
    }
    }
}

int ld_spark_rows_timestamp_us(const ld_spark_rows *rows, size_t col, int64_t *out)
{
    if (!current(rows, col) || out == NULL)
        return LD_ERR_INVALID;
    if (ld_spark_rows_is_null(rows, col))
        return LD_ERR_NOT_FOUND;
    void *data = duckdb_vector_get_data(rows->vectors[col]);
    idx_t r = rows->row;
    switch (duckdb_get_type_id(rows->types[col])) {
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_TZ: *out = ((int64_t *)data)[r]; return LD_OK;
    case DUCKDB_TYPE_TIMESTAMP_S: *out = ((int64_t *)data)[r] * 1000000; return LD_OK;
    case DUCKDB_TYPE_TIMESTAMP_MS: *out = ((int64_t *)data)[r] * 1000; return LD_OK;
    case DUCKDB_TYPE_TIMESTAMP_NS: {
        int64_t ns = ((int64_t *)data)[r];
        *out = ns >= 0 ? ns / 1000 : -((-ns + 999) / 1000);
        return LD_OK;
    }
    case DUCKDB_TYPE_DATE: *out = (int64_t)((int32_t *)data)[r] * 86400 * 1000000; return LD_OK;
    default: return LD_ERR_INVALID;
    }
}

void ld_spark_rows_free(ld_spark_rows *rows)
{
    if (rows == NULL)
        return;
    if (rows->chunk != NULL)
        duckdb_destroy_data_chunk(&rows->chunk);
    for (size_t c = 0; rows->types && c < rows->columns; c++)
        duckdb_destroy_logical_type(&rows->types[c]);
    free(rows->types);
    free(rows->vectors);
    lds_buf_free(&rows->text);
    if (rows->started)
        duckdb_destroy_result(&rows->result);
    duckdb_destroy_prepare(&rows->stmt);
    free(rows);
}
