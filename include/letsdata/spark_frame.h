/*
 * letsdata/spark_frame.h - frames: read, query, register and write tabular data.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LETSDATA_SPARK_FRAME_H
#define LETSDATA_SPARK_FRAME_H

/**
 * @file letsdata/spark_frame.h
 * @brief A frame is a lazy query, like a Spark DataFrame.
 *
 * Reading or querying makes a frame without touching the data (only the schema is
 * worked out); the data flows when the frame is written, counted, iterated
 * (letsdata/spark_rows.h) or exported (letsdata/spark_arrow.h). Each of those runs the
 * whole query again, as in Spark; ld_spark_frame_persist() keeps a result instead.
 * Data streams through the engine in batches, so memory does not grow with the input
 * (the engine spills sorts and aggregates to the session's temp directory beyond its
 * memory limit).
 *
 * Frames are named for SQL with ld_spark_frame_register() and queried with
 * ld_spark_sql(). Column names may hold any character (spaces, `#`); quote them in SQL
 * with double quotes: `SELECT count(x) AS "# of Samples"`.
 *
 * **Read formats and options** (option values are JSON strings, booleans or numbers;
 * names are case-sensitive, as Spark's; an unknown option is an error):
 * | format | columns | options |
 * |---|---|---|
 * | `text` | `value` VARCHAR | `lineSep` (default: any of `\n`, `\r\n`, `\r`) |
 * | `json` | from the data, sorted by name (Spark's inference) | none needed: JSON Lines |
 * | `csv` | `_c0`, `_c1`, ... or the header's names; all VARCHAR | `header` (false), `sep`/`delimiter` (`,`), `quote` (`"`), `escape` (`\`), `inferSchema` (false: true types columns), `nullValue` |
 * | `parquet` | from the file | none |
 *
 * Files ending in `.gz` are gunzipped, including multi-member gzip (Common Crawl), and
 * files ending in `.zst` are decompressed (zstd);
 * text is split by the SDK's streaming splitter in C, and invalid UTF-8 in text
 * becomes U+FFFD as in Spark. A separator at the very end of a file makes no empty
 * last record.
 *
 * **Write formats, options and layout.** ld_spark_write() makes a directory at the URI
 * holding `part-00000-<uuid>-c000<ext>` and then an empty `_SUCCESS`:
 * | format | ext (compression none / gzip / zstd) | options |
 * |---|---|---|
 * | `json` | `.json` / `.json.gz` / `.json.zst` | `compression`, `ignoreNullFields` (true: null fields are omitted), `lineSep` (`\n`) |
 * | `csv` | `.csv` / `.csv.gz` / `.csv.zst` | `compression`, `header` (false), `sep`/`delimiter`, `quote`, `escape`, `nullValue` (``) |
 * | `text` | `.txt` / `.txt.gz` / `.txt.zst` | `compression`, `lineSep` (`\n`); the frame must have one VARCHAR column |
 * | `parquet` | `.parquet` / `.gz.parquet` / `.zstd.parquet` (+ `snappy`: `.snappy.parquet`, Spark's default) | `compression` |
 * `compression` also accepts `uncompressed` (= `none`); json, csv and text default to
 * none. Timestamps are written as `2023-12-12T01:40:15.000Z` (UTC, milliseconds).
 *
 * Parts are written under `_temporary/` in the directory and renamed into place
 * when complete; `_SUCCESS` is written last. A failed write leaves no `_SUCCESS` and no
 * new part outside `_temporary/` (which it removes). Modes (@p mode, Spark's names):
 * | mode | when the directory exists |
 * |---|---|
 * | `overwrite` | its contents are replaced (the old `_SUCCESS` goes first) |
 * | `append` | new parts are added |
 * | `errorifexists` / `error` / NULL | LD_ERR_INVALID, nothing written (Spark's default) |
 * | `ignore` | nothing is done, LD_OK |
 */

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <letsdata/common.h>
#include <letsdata/spark_session.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A frame (opaque): a lazy query over a session. Free with ld_spark_frame_free(). */
typedef struct ld_spark_frame ld_spark_frame;

/**
 * Read @p uri_count URIs as one frame (their rows one after another, in order).
 *
 * URIs are resolved (see letsdata/spark_session.h) and directories listed now; a URI
 * that does not exist, or a directory with no data file, is an error here.
 *
 * @param uris     borrowed array of @p uri_count URIs (at least one).
 * @param format   `text`, `json`, `csv` or `parquet`.
 * @param options  borrowed JSON object of reader options, or NULL.
 * @param out      receives a new frame (free with ld_spark_frame_free()).
 * @return LD_OK; LD_ERR_INVALID for an unknown format or option (named), a file the
 *         format cannot read (URI named; e.g. corrupt parquet); LD_ERR_NOT_FOUND for
 *         a URI that does not exist; LD_ERR_UNSUPPORTED for an S3 URI that the build
 *         cannot reach; LD_ERR_IO.
 */
LD_EXTERN int ld_spark_read(ld_spark_session *session, const char *const *uris,
                            size_t uri_count, const char *format, const json_t *options,
                            ld_spark_frame **out, ld_error *error);

/** ld_spark_read() of one URI. */
LD_EXTERN int ld_spark_read_uri(ld_spark_session *session, const char *uri,
                                const char *format, const json_t *options,
                                ld_spark_frame **out, ld_error *error);

/**
 * A frame of one SQL query (a SELECT, VALUES, ... statement) over the session's named
 * frames and SQL functions. The query is checked now: a syntax error or an unknown
 * name fails here, with the statement quoted in the message.
 *
 * @param sql copied.
 * @param out receives a new frame.
 * @return LD_OK; LD_ERR_INVALID with the engine's reason and the statement.
 */
LD_EXTERN int ld_spark_sql(ld_spark_session *session, const char *sql,
                           ld_spark_frame **out, ld_error *error);

/**
 * Name @p frame @p name for SQL (a temporary view; registering a name again replaces
 * it). The name is quoted, so any text works; use it in SQL as `"name"` unless it is
 * a plain identifier.
 *
 * @return LD_OK; LD_ERR_INVALID (empty name, or the engine refuses).
 */
LD_EXTERN int ld_spark_frame_register(ld_spark_frame *frame, const char *name,
                                      ld_error *error);

/**
 * Run the frame's query once and keep the result in the engine (spilling beyond the
 * memory limit): later uses read the kept rows instead of the inputs, like Spark's
 * persist(). The frame's query becomes a scan of the kept rows.
 *
 * @return LD_OK; LD_ERR_INVALID when the query fails (reading bad input, a failing
 *         UDF), with the reason.
 */
LD_EXTERN int ld_spark_frame_persist(ld_spark_frame *frame, ld_error *error);

/** The number of columns. */
LD_EXTERN size_t ld_spark_frame_column_count(const ld_spark_frame *frame);

/** The name of column @p index; borrowed (valid while the frame lives); NULL when out of range. */
LD_EXTERN const char *ld_spark_frame_column_name(const ld_spark_frame *frame, size_t index);

/**
 * The SQL type of column @p index ("VARCHAR", "BIGINT", "TIMESTAMP WITH TIME ZONE",
 * "MAP(VARCHAR, VARCHAR)", ...); borrowed; NULL when out of range.
 */
LD_EXTERN const char *ld_spark_frame_column_type(const ld_spark_frame *frame, size_t index);

/** The frame's query as SQL text; borrowed. */
LD_EXTERN const char *ld_spark_frame_sql(const ld_spark_frame *frame);

/**
 * Count the frame's rows (runs the query).
 * @return LD_OK and *out; LD_ERR_INVALID when the query fails.
 */
LD_EXTERN int ld_spark_frame_count(ld_spark_frame *frame, uint64_t *out, ld_error *error);

/**
 * Write the frame to @p uri in Spark's layout (see this file's description).
 *
 * @param format  `json`, `csv`, `parquet` or `text`.
 * @param options borrowed JSON object of writer options, or NULL.
 * @param mode    `overwrite`, `append`, `errorifexists`, `error`, `ignore`, or NULL
 *                (= `errorifexists`).
 * @return LD_OK; LD_ERR_INVALID for an unknown format, option, compression or mode,
 *         an existing directory in errorifexists mode, or a query that fails while
 *         writing (reason named); LD_ERR_UNSUPPORTED for an unreachable S3 URI;
 *         LD_ERR_IO when the directory or a part cannot be written. On any failure no
 *         `_SUCCESS` is written.
 */
LD_EXTERN int ld_spark_write(ld_spark_frame *frame, const char *uri, const char *format,
                             const json_t *options, const char *mode, ld_error *error);

/** Free a frame (its registered name stays usable until the session is freed). NULL is ignored. */
LD_EXTERN void ld_spark_frame_free(ld_spark_frame *frame);

#ifdef __cplusplus
}
#endif

#endif /* LETSDATA_SPARK_FRAME_H */
