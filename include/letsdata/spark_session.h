/*
 * letsdata/spark_session.h - a Spark-like session on the embedded DuckDB engine.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LETSDATA_SPARK_SESSION_H
#define LETSDATA_SPARK_SESSION_H

/**
 * @file letsdata/spark_session.h
 * @brief libletsdata-spark: one session per Spark task (pkg-config `letsdata-spark`).
 *
 * A session is what pyspark's SparkSession is to a Python handler: it reads files into
 * frames (letsdata/spark_frame.h), runs SQL over named frames, calls C functions from
 * SQL (letsdata/spark_udf.h) and writes frames back in Spark's directory layout. It runs
 * on DuckDB, embedded in the library; no DuckDB type appears in these headers.
 *
 * A mapper in five calls:
 * @code
 * ld_spark_session *s = NULL;
 * ld_spark_frame *in = NULL, *out = NULL;
 * ld_error err;
 * if (ld_spark_session_new_for_task(&s, app_name, "mapper", secret_arn, &err) != LD_OK ||
 *     ld_spark_read_uri(s, read_uri, read_format, read_options, &in, &err) != LD_OK ||
 *     ld_spark_frame_register(in, "records", &err) != LD_OK ||
 *     ld_spark_sql(s, "SELECT spark_trim(value) AS doc FROM records", &out, &err) != LD_OK ||
 *     ld_spark_write(out, write_uri, write_format, write_options, write_mode, &err) != LD_OK)
 *     rc = ld_context_fail(ctx, "SparkError", "%s", err.message);
 * ld_spark_frame_free(out);
 * ld_spark_frame_free(in);
 * ld_spark_session_free(s);
 * @endcode
 *
 * **URIs.** Every URI a session reads or writes is one of
 * - an absolute path (`/data/in.wet.gz`) or a `file://` URI (`file:///data/in.wet.gz`);
 * - `s3://bucket/key` or `s3a://bucket/key`. When the bucket is mapped to a local
 *   directory (ld_spark_session_map_bucket(), the options' @c bucket_dirs, or the
 *   environment variable `LETSDATA_BUCKET_DIRS`), the URI names `DIR/key`. Otherwise
 *   the object is read from / written to Amazon S3 through libletsdata-aws (inputs are
 *   downloaded to the temp directory; outputs are built there and uploaded, `_SUCCESS`
 *   last), with the credentials of the task's Secrets Manager secret (see
 *   @c credentials_secret_arn; `role.read` to read, `role.write` to write): they are
 *   looked up the first time an unmapped S3 URI is used, never before. A build without
 *   libletsdata-aws fails such a URI with an error naming the URI and what is missing.
 *
 * A URI names a file or a directory; reading a directory reads every file in it
 * (not recursively) except names starting with `_` or `.` (`_SUCCESS`, `.crc`).
 *
 * **SQL functions every session has** (C implementations of Spark's behaviour where
 * DuckDB's defaults differ; see docs/spark.md):
 * | function | result |
 * |---|---|
 * | `spark_trim(s)` | `regexp_replace(s, "^\s+|\s+$", "")` with Java's `\s` (`[ \t\n\x0B\f\r]`) and Java's `$` (also before a final line terminator, e.g. U+2028) |
 * | `spark_cast_int(s)`, `spark_cast_bigint(s)` | `cast(s as int/bigint)`: trims bytes 0x00-0x20 and 0x7F, truncates a fraction (`12.7` → 12), NULL for anything else (`1e3`, `abc`, overflow) |
 * | `spark_to_timestamp(s)` | `to_timestamp(s)`: ISO 8601 with `Z`, `±hh:mm`, a region zone or a `UTC`/`GMT` suffix → TIMESTAMPTZ (an instant), NULL when unparsable |
 * | `spark_split_any(s, [d1, d2, ...])` | `split(s, "d1|d2|...")` for literal delimiters, as a VARCHAR[] (the leftmost delimiter wins; the first listed on a tie) |
 * | `spark_map_from_pairs(list)` | MAP(VARCHAR, VARCHAR) from `[k1, v1, k2, v2, ...]`; a duplicate key keeps its last value; an odd last element is ignored |
 * | `spark_percentile(x, p)` | aggregate: exact percentile of the non-NULL values with linear interpolation at position (n-1)·p, as DOUBLE, computed as Spark does |
 *
 * Sessions are not thread-safe: use one from one thread at a time (a task's handler
 * does). Several sessions may run in one process at once.
 */

#include <stddef.h>
#include <stdint.h>

#include <letsdata/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A session (opaque); see ld_spark_session_new(). Free with ld_spark_session_free(). */
typedef struct ld_spark_session ld_spark_session;

/** The version of ld_spark_session_options this header describes. */
#define LD_SPARK_SESSION_OPTIONS_VERSION 1

/** How to build a session. Start from LD_SPARK_SESSION_OPTIONS_INIT; all strings are copied. */
typedef struct ld_spark_session_options {
    /** LD_SPARK_SESSION_OPTIONS_VERSION. */
    int version;
    /** The task's appName, used in log lines and messages; may be NULL. */
    const char *app_name;
    /** "mapper" or "reducer": which half of the credentials secret to use (NULL = "mapper"). */
    const char *role;
    /**
     * sparkCredentialsSecretArn: the Secrets Manager secret holding the task's S3
     * credentials. Read only when an unmapped S3 URI is used; NULL or "" then uses
     * libletsdata-aws's default credential chain (environment, profile).
     */
    const char *credentials_secret_arn;
    /**
     * Where the engine spills and where S3 objects are staged; NULL uses
     * `$TMPDIR` or /tmp. A private directory is made inside it and removed by
     * ld_spark_session_free().
     */
    const char *temp_dir;
    /** The engine's memory limit in MiB (beyond it, it spills to temp_dir); 0 = 256. */
    size_t memory_limit_mib;
    /** Worker threads; 0 = the number of CPUs, at most 2. */
    int threads;
    /** "BUCKET=DIR" strings: s3://BUCKET/key and s3a://BUCKET/key name DIR/key. */
    const char *const *bucket_dirs;
    /** The number of strings in @c bucket_dirs. */
    size_t bucket_dir_count;
} ld_spark_session_options;

/** Initialiser: current version, every field NULL or 0 (defaults). */
#define LD_SPARK_SESSION_OPTIONS_INIT                                          \
    { LD_SPARK_SESSION_OPTIONS_VERSION, NULL, NULL, NULL, NULL, 0, 0, NULL, 0 }

/**
 * Create a session.
 *
 * Besides @p options, the environment is read once here:
 * `LETSDATA_BUCKET_DIRS` (`B=DIR` entries separated by `:`, as the runner's
 * `--bucket-dir B=DIR` options; those in @p options win), `LETSDATA_SPARK_MEMORY_MIB`
 * and `LETSDATA_SPARK_THREADS` (when the options leave them 0), and
 * `LETSDATA_SPARK_STATS_DIR`: when set, ld_spark_session_free() appends the session's
 * ld_spark_stats to `DIR/<appName>.json` as one JSON line (`rowsRead`, `bytesRead`,
 * `rowsWritten`, `bytesWritten`, `filesWritten`), which is how the local runner reports
 * each task's rows. The engine never
 * downloads anything (extension autoinstall and autoload are off) and its time zone
 * is UTC.
 *
 * @param options borrowed; NULL means LD_SPARK_SESSION_OPTIONS_INIT.
 * @param out     receives a new session (free with ld_spark_session_free()); NULL on
 *                failure.
 * @param error   optional; says what failed.
 * @return LD_OK; LD_ERR_INVALID for a bad option (named in the message, e.g. a
 *         bucket_dirs entry without `=` or a role other than mapper/reducer);
 *         LD_ERR_IO when the engine or its temp directory cannot be set up;
 *         LD_ERR_NOMEM.
 */
LD_EXTERN int ld_spark_session_new(const ld_spark_session_options *options,
                                   ld_spark_session **out, ld_error *error);

/**
 * Create a session from a Spark invocation's arguments: the shortcut a
 * SparkMapperInterface or SparkReducerInterface method uses.
 *
 * @param app_name   the request's appName (may be NULL).
 * @param role       "mapper" or "reducer".
 * @param credentials_secret_arn the request's sparkCredentialsSecretArn (may be NULL).
 * @return as ld_spark_session_new().
 */
LD_EXTERN int ld_spark_session_new_for_task(ld_spark_session **out, const char *app_name,
                                            const char *role,
                                            const char *credentials_secret_arn,
                                            ld_error *error);

/**
 * Free a session, its engine and its temp directory. Frames made from it must be
 * freed first (a frame outliving its session is a bug). NULL is ignored.
 */
LD_EXTERN void ld_spark_session_free(ld_spark_session *session);

/**
 * Map S3 bucket @p bucket to local directory @p dir (both copied): from now on
 * `s3://bucket/key` and `s3a://bucket/key` name `dir/key`. Mapping a bucket again
 * replaces its directory.
 *
 * @return LD_OK; LD_ERR_INVALID when @p bucket is empty or contains '/', or @p dir is
 *         not an absolute path; LD_ERR_NOMEM.
 */
LD_EXTERN int ld_spark_session_map_bucket(ld_spark_session *session, const char *bucket,
                                          const char *dir, ld_error *error);

/**
 * Run SQL statements now, discarding any result: `CREATE MACRO`, `CREATE TABLE`,
 * `SET`, several statements separated by `;`.
 *
 * @return LD_OK; LD_ERR_INVALID when a statement fails (the message quotes it and
 *         gives the engine's reason).
 */
LD_EXTERN int ld_spark_exec(ld_spark_session *session, const char *sql, ld_error *error);

/** Counters a session keeps over its lifetime (for a runner's per-task summary). */
typedef struct ld_spark_stats {
    /** Rows the readers produced (each time a frame read from files is scanned). */
    uint64_t rows_read;
    /** Bytes of input files as stored (compressed size for .gz), per read call. */
    uint64_t bytes_read;
    /** Rows written by ld_spark_write(). */
    uint64_t rows_written;
    /** Bytes of the part files written by ld_spark_write(). */
    uint64_t bytes_written;
    /** Part files written by ld_spark_write(). */
    uint64_t files_written;
} ld_spark_stats;

/** Copy the session's counters into @p out. */
LD_EXTERN void ld_spark_session_stats(const ld_spark_session *session, ld_spark_stats *out);

/**
 * The version of DuckDB the library runs on ("v1.4.4").
 * @return a borrowed static string.
 */
LD_EXTERN const char *ld_spark_engine_version(void);

#ifdef __cplusplus
}
#endif

#endif /* LETSDATA_SPARK_SESSION_H */
