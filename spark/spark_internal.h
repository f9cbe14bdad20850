/*
 * spark_internal.h - what the files of libletsdata-spark share. Private.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LDS_SPARK_INTERNAL_H
#define LDS_SPARK_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <duckdb.h>
#include <jansson.h>

#include <letsdata/letsdata_spark.h>

/** A bucket mapped to a local directory. */
typedef struct lds_bucket {
    char *bucket;
    char *dir;
} lds_bucket;

/** A registered UDF's payload, freed with the session. */
typedef struct lds_udf {
    struct lds_udf *next;
    struct ld_spark_session *session;
    char *name;
    ld_spark_udf_fn fn;
    void *payload;
    void (*free_payload)(void *);
    int flags;
    size_t arg_count;
    int *arg_kinds;  /* lds_kind per argument */
    int return_kind; /* lds_kind of the result */
} lds_udf;

struct ld_spark_session {
    duckdb_database db;
    duckdb_connection con;
    char *app_name;
    char *role;
    char *secret_arn;
    char *temp_dir; /* private, removed on free */
    lds_bucket *buckets;
    size_t bucket_count;
    lds_udf *udfs;
    uint64_t name_counter; /* for unique temp names */
    pthread_mutex_t stats_lock;
    ld_spark_stats stats;
    int threads;
    char *stats_dir; /* $LETSDATA_SPARK_STATS_DIR at creation, or NULL */
    struct lds_s3 *s3; /* S3 clients, made on first use (s3.c) */
};

struct ld_spark_frame {
    ld_spark_session *session;
    char *sql;
    size_t column_count;
    char **column_names;
    char **column_types;
};

/* The value kinds UDFs and the writers handle (see udf.c, value_json.c). */
enum lds_kind {
    LDS_KIND_VARCHAR = 1,
    LDS_KIND_BIGINT,
    LDS_KIND_INTEGER,
    LDS_KIND_DOUBLE,
    LDS_KIND_BOOLEAN,
    LDS_KIND_TIMESTAMPTZ,
    LDS_KIND_LIST_VARCHAR,
    LDS_KIND_LIST_BIGINT,
    LDS_KIND_LIST_DOUBLE,
    LDS_KIND_MAP_VARCHAR
};

/* ---- session.c ---- */
/** Run @p sql, discarding the result; on failure fill @p error naming the statement. */
int lds_exec(ld_spark_session *s, const char *sql, ld_error *error);
/** Add to the session's counters (thread-safe: the text reader runs on engine threads). */
void lds_stats_add(ld_spark_session *s, uint64_t rows_read, uint64_t bytes_read,
                   uint64_t rows_written, uint64_t bytes_written, uint64_t files_written);
/** A fresh name "lds_<kind>_<n>" (new, free()). */
char *lds_unique_name(ld_spark_session *s, const char *kind);
/** Fill @p error with "what: the engine's message (statement: sql...)". */
int lds_engine_error(ld_error *error, const char *what, const char *engine_message,
                     const char *sql);

/* ---- sqltext.c ---- */
/** @p text as a SQL string literal ('...' with quotes doubled); new. */
char *lds_sql_string(const char *text);
/** @p text as a SQL quoted identifier ("..." with quotes doubled); new. */
char *lds_sql_ident(const char *text);
/** printf into a new string. */
char *lds_printf(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* ---- uri.c ---- */
/** A URI resolved to a local path. */
typedef struct lds_location {
    char *path;      /* local path (new) */
    int is_s3;       /* came from s3:// or s3a:// */
    char *bucket;    /* for S3 URIs */
    char *key;       /* for S3 URIs */
} lds_location;
/** Resolve @p uri to a local path (mapped bucket, file://, absolute path). */
int lds_resolve(ld_spark_session *s, const char *uri, lds_location *out, ld_error *error);
void lds_location_clear(lds_location *loc);
/** The data files @p path names (itself, or its directory's data files, sorted);
 * @p files is a new array of new strings; @p bytes the total size. */
int lds_list_input(const char *uri, const char *path, char ***files, size_t *count,
                   uint64_t *bytes, ld_error *error);
void lds_free_strings(char **strings, size_t count);

/* ---- s3.c: unmapped S3 URIs through libletsdata-aws ---- */
/** Download the object or the data files under the prefix; *local_path is new. */
int lds_s3_fetch(ld_spark_session *s, const char *uri, const lds_location *loc,
                 char **local_path, ld_error *error);
/** Whether any object lies under key/. */
int lds_s3_dir_exists(ld_spark_session *s, const char *uri, const lds_location *loc,
                      int *exists, ld_error *error);
/** Delete key/only_name, or every object under key/ when only_name is NULL. */
int lds_s3_delete(ld_spark_session *s, const char *uri, const lds_location *loc,
                  const char *only_name, ld_error *error);
/** Upload local_file (NULL: an empty object) as key/name. */
int lds_s3_upload(ld_spark_session *s, const char *uri, const lds_location *loc,
                  const char *local_file, const char *name, ld_error *error);
/** Free the session's S3 clients. */
void lds_s3_free(ld_spark_session *s);
/** 1 when this build reaches S3 (libletsdata-aws). */
int lds_s3_available(void);

/* ---- text_reader.c ---- */
/** Register the table function ld_read_text(files VARCHAR[], lineSep := VARCHAR). */
int lds_text_reader_register(ld_spark_session *s, ld_error *error);

/* ---- functions.c ---- */
/** Register the spark_* SQL functions and macros. */
int lds_functions_register(ld_spark_session *s, ld_error *error);

/* ---- frame.c ---- */
/** A frame of @p sql (stolen), schema worked out now. */
int lds_frame_new(ld_spark_session *s, char *sql, ld_spark_frame **out, ld_error *error);

/* ---- options.c ---- */
/** Option @p name of @p options as a string (new), or NULL when absent; error when it is
 * not a string/boolean/number. */
int lds_option_string(const json_t *options, const char *name, char **out, ld_error *error);
/** Option @p name as a boolean (absent = @p fallback). */
int lds_option_bool(const json_t *options, const char *name, int fallback, int *out,
                    ld_error *error);
/** Every key of @p options must be in @p allowed (NULL-terminated). */
int lds_options_check(const json_t *options, const char *const *allowed, const char *what,
                      ld_error *error);

/* ---- value_json.c ---- */
/** A growable byte buffer. */
typedef struct lds_buf {
    char *data;
    size_t length;
    size_t capacity;
} lds_buf;
int lds_buf_reserve(lds_buf *b, size_t extra);
int lds_buf_append(lds_buf *b, const void *data, size_t length);
int lds_buf_putc(lds_buf *b, char c);
void lds_buf_free(lds_buf *b);
/** Append the JSON text of row @p row of @p vector (of type @p type). Returns 0 or -1
 * (allocation or an unsupported type, described in @p error). */
int lds_json_value(lds_buf *b, duckdb_vector vector, duckdb_logical_type type, idx_t row,
                   int omit_null_fields, ld_error *error);
/** Append a JSON string literal of @p length bytes. */
int lds_json_string(lds_buf *b, const char *text, size_t length);
/** Append a timestamp (µs since the epoch) as 2023-12-12T01:40:15.000Z. */
int lds_format_timestamp(lds_buf *b, int64_t micros);
/** Append a date (days since the epoch) as 2023-12-12. */
int lds_format_date(lds_buf *b, int32_t days);
/** Append a double as Java's Double.toString does (1000.0, 1.0E7). */
int lds_format_double(lds_buf *b, double value, int is_float);
/** Whether the text form of a value of @p type is unquoted in lds_json_value. */
int lds_type_is_string(duckdb_logical_type type);

/* ---- write.c / sink.c ---- */
typedef struct lds_sink lds_sink;
/** Open @p path for writing with @p compression ("none", "gzip", "zstd"). */
int lds_sink_open(const char *path, const char *compression, lds_sink **out, ld_error *error);
int lds_sink_write(lds_sink *sink, const void *data, size_t length, ld_error *error);
/** Flush, close; @p bytes receives the file's size. Frees the sink either way. */
int lds_sink_close(lds_sink *sink, uint64_t *bytes, ld_error *error);
/** Free without finishing (after a failure). */
void lds_sink_abort(lds_sink *sink);

/** Write the rows of @p frame's query as JSON Lines or text into @p sink. */
int lds_write_rows(ld_spark_frame *frame, lds_sink *sink, int text, int omit_nulls,
                   const char *line_sep, uint64_t *rows, ld_error *error);

#endif /* LDS_SPARK_INTERNAL_H */
