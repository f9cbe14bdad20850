/*
 * letsdata/spark_rows.h - iterate over a frame's rows from C.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LETSDATA_SPARK_ROWS_H
#define LETSDATA_SPARK_ROWS_H

/**
 * @file letsdata/spark_rows.h
 * @brief A forward cursor over a frame's rows, streamed batch by batch.
 *
 * @code
 * ld_spark_rows *rows = NULL;
 * int rc = ld_spark_rows_open(frame, &rows, &err);
 * while (rc == LD_OK && (rc = ld_spark_rows_next(rows, &err)) == 1) {
 *     size_t n;
 *     const char *lang = ld_spark_rows_text(rows, 0, &n);   // NULL when NULL
 *     int64_t count = 0;
 *     ld_spark_rows_int64(rows, 1, &count);
 * }
 * ld_spark_rows_free(rows);
 * @endcode
 *
 * Values are read from the current row; pointers returned for it are borrowed and
 * valid until the next ld_spark_rows_next() or ld_spark_rows_free().
 */

#include <stddef.h>
#include <stdint.h>

#include <letsdata/common.h>
#include <letsdata/spark_frame.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A cursor (opaque). Free with ld_spark_rows_free(). */
typedef struct ld_spark_rows ld_spark_rows;

/**
 * Start running the frame's query. The frame must outlive the cursor. While the cursor
 * is open, the session runs no other query: starting one (a read's schema, SQL, a
 * write) ends this cursor, whose next ld_spark_rows_next() then fails.
 * @param out receives a new cursor, before its first row.
 * @return LD_OK; LD_ERR_INVALID when the query fails to start (reason named).
 */
LD_EXTERN int ld_spark_rows_open(ld_spark_frame *frame, ld_spark_rows **out,
                                 ld_error *error);

/**
 * Move to the next row.
 * @return 1 on a row, 0 after the last row, or a negative ::ld_status when the query
 *         fails on the way (LD_ERR_INVALID: bad input, a failing UDF; reason named).
 */
LD_EXTERN int ld_spark_rows_next(ld_spark_rows *rows, ld_error *error);

/** The number of columns. */
LD_EXTERN size_t ld_spark_rows_column_count(const ld_spark_rows *rows);

/** The name of column @p col; borrowed; NULL when out of range. */
LD_EXTERN const char *ld_spark_rows_column_name(const ld_spark_rows *rows, size_t col);

/** 1 when the current row's column @p col is NULL (or out of range), else 0. */
LD_EXTERN int ld_spark_rows_is_null(const ld_spark_rows *rows, size_t col);

/**
 * Column @p col of the current row as text: VARCHAR as stored (not NUL-safe: use
 * @p length; a NUL is added after it); numbers, booleans, dates and timestamps as
 * Spark's JSON writer shows them (`2023-12-12T01:40:15.000Z`); lists, structs and
 * maps as JSON text.
 *
 * @param length optional; receives the length in bytes.
 * @return borrowed (valid until the next row); NULL when the value is NULL or @p col
 *         is out of range.
 */
LD_EXTERN const char *ld_spark_rows_text(ld_spark_rows *rows, size_t col, size_t *length);

/**
 * Column @p col of the current row as a 64-bit integer (integer and boolean columns).
 * @return LD_OK; LD_ERR_NOT_FOUND when the value is NULL; LD_ERR_INVALID for another
 *         column type, an out-of-range column or an unsigned value above INT64_MAX.
 */
LD_EXTERN int ld_spark_rows_int64(const ld_spark_rows *rows, size_t col, int64_t *out);

/**
 * Column @p col of the current row as a double (any numeric column).
 * @return as ld_spark_rows_int64().
 */
LD_EXTERN int ld_spark_rows_double(const ld_spark_rows *rows, size_t col, double *out);

/**
 * Column @p col of the current row (TIMESTAMP, TIMESTAMPTZ or DATE) as microseconds
 * since 1970-01-01T00:00:00Z.
 * @return as ld_spark_rows_int64().
 */
LD_EXTERN int ld_spark_rows_timestamp_us(const ld_spark_rows *rows, size_t col,
                                         int64_t *out);

/** Stop the query and free the cursor. NULL is ignored. */
LD_EXTERN void ld_spark_rows_free(ld_spark_rows *rows);

#ifdef __cplusplus
}
#endif

#endif /* LETSDATA_SPARK_ROWS_H */
