/*
 * session.c - a session: one DuckDB database and connection per Spark task, its temp
 * directory, bucket mappings and counters.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spark_internal.h"

#define DEFAULT_MEMORY_MIB 256

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

static void remove_tree(const char *dir)
{
    if (dir != NULL)
        nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int lds_engine_error(ld_error *error, const char *what, const char *engine_message,
                     const char *sql)
{
    if (sql == NULL)
        return ld_error_set(error, LD_ERR_INVALID, "%s: %s", what,
                            engine_message ? engine_message : "unknown engine error");
    /* Quote enough of the statement to find it, on one line. */
    char shown[200];
    size_t n = 0;
    for (const char *p = sql; *p && n + 4 < sizeof shown; p++)
        shown[n++] = (*p == '\n' || *p == '\r' || *p == '\t') ? ' ' : *p;
    if (sql[n] != '\0' && n + 4 >= sizeof shown) {
        memcpy(shown + n, "...", 3);
        n += 3;
    }
    shown[n] = '\0';
    return ld_error_set(error, LD_ERR_INVALID, "%s: %s (statement: %s)", what,
                        engine_message ? engine_message : "unknown engine error", shown);
}

int lds_exec(ld_spark_session *s, const char *sql, ld_error *error)
{
    duckdb_result result;
    if (duckdb_query(s->con, sql, &result) == DuckDBError) {
        lds_engine_error(error, "SQL error", duckdb_result_error(&result), sql);
        duckdb_destroy_result(&result);
        return LD_ERR_INVALID;
    }
    duckdb_destroy_result(&result);
    return LD_OK;
}

int ld_spark_exec(ld_spark_session *session, const char *sql, ld_error *error)
{
    if (session == NULL || sql == NULL)
        return ld_error_set(error, LD_ERR_INVALID, "ld_spark_exec: session and sql are required");
    /* duckdb_query runs every statement of a multi-statement string. */
    return lds_exec(session, sql, error);
}

void lds_stats_add(ld_spark_session *s, uint64_t rows_read, uint64_t bytes_read,
                   uint64_t rows_written, uint64_t bytes_written, uint64_t files_written)
{
    pthread_mutex_lock(&s->stats_lock);
    s->stats.rows_read += rows_read;
    s->stats.bytes_read += bytes_read;
    s->stats.rows_written += rows_written;
    s->stats.bytes_written += bytes_written;
    s->stats.files_written += files_written;
    pthread_mutex_unlock(&s->stats_lock);
}

void ld_spark_session_stats(const ld_spark_session *session, ld_spark_stats *out)
{
    if (out == NULL)
        return;
    memset(out, 0, sizeof *out);
    if (session == NULL)
        return;
    pthread_mutex_lock((pthread_mutex_t *)&session->stats_lock);
    *out = session->stats;
    pthread_mutex_unlock((pthread_mutex_t *)&session->stats_lock);
}

char *lds_unique_name(ld_spark_session *s, const char *kind)
{
    return lds_printf("lds_%s_%llu", kind, (unsigned long long)++s->name_counter);
}

const char *ld_spark_engine_version(void)
{
    return duckdb_library_version();
}

int ld_spark_session_map_bucket(ld_spark_session *session, const char *bucket,
                                const char *dir, ld_error *error)
{
    if (session == NULL || bucket == NULL || dir == NULL)
        return ld_error_set(error, LD_ERR_INVALID, "map_bucket: session, bucket and dir are required");
    if (bucket[0] == '\0' || strchr(bucket, '/') != NULL)
        return ld_error_set(error, LD_ERR_INVALID,
                            "bucket '%s': a bucket name is not empty and has no '/'", bucket);
    if (dir[0] != '/')
        return ld_error_set(error, LD_ERR_INVALID,
                            "bucket '%s': directory '%s' is not an absolute path", bucket, dir);
    char *d = strdup(dir);
    if (d == NULL)
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    /* Trailing slashes would double up when a key is appended. */
    for (size_t n = strlen(d); n > 1 && d[n - 1] == '/'; n--)
        d[n - 1] = '\0';
    for (size_t i = 0; i < session->bucket_count; i++)
        if (strcmp(session->buckets[i].bucket, bucket) == 0) {
            free(session->buckets[i].dir);
            session->buckets[i].dir = d;
            return LD_OK;
        }
    lds_bucket *grown = realloc(session->buckets, (session->bucket_count + 1) * sizeof *grown);
    char *b = strdup(bucket);
    if (grown == NULL || b == NULL) {
        if (grown != NULL)
            session->buckets = grown;
        free(d);
        free(b);
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    }
    session->buckets = grown;
    session->buckets[session->bucket_count].bucket = b;
    session->buckets[session->bucket_count].dir = d;
    session->bucket_count++;
    return LD_OK;
}

/* "B=DIR" */
static int map_entry(ld_spark_session *s, const char *entry, size_t length, const char *from,
                     ld_error *error)
{
    char *copy = strndup(entry, length);
    if (copy == NULL)
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    char *eq = strchr(copy, '=');
    int rc;
    if (eq == NULL)
        rc = ld_error_set(error, LD_ERR_INVALID, "%s: '%s' is not BUCKET=DIR", from, copy);
    else {
        *eq = '\0';
        rc = ld_spark_session_map_bucket(s, copy, eq + 1, error);
    }
    free(copy);
    return rc;
}

static size_t env_size(const char *name, size_t fallback)
{
    const char *v = getenv(name);
    if (v == NULL || *v == '\0')
        return fallback;
    char *end;
    unsigned long long n = strtoull(v, &end, 10);
    return (*end == '\0' && n > 0) ? (size_t)n : fallback;
}

static int configure(duckdb_config config, const char *name, const char *value, ld_error *error)
{
    if (duckdb_set_config(config, name, value) == DuckDBError)
        return ld_error_set(error, LD_ERR_IO, "engine setting %s=%s refused", name, value);
    return LD_OK;
}

static int open_engine(ld_spark_session *s, size_t memory_mib, int threads, ld_error *error)
{
    duckdb_config config;
    if (duckdb_create_config(&config) == DuckDBError)
        return ld_error_set(error, LD_ERR_NOMEM, "cannot create the engine's configuration");
    char memory[32], thread_text[16];
    snprintf(memory, sizeof memory, "%zuMiB", memory_mib);
    snprintf(thread_text, sizeof thread_text, "%d", threads);
    int rc = LD_OK;
    /* Nothing is ever downloaded at run time: json, parquet and icu are built in. */
    const char *settings[][2] = {
        {"autoinstall_known_extensions", "false"},
        {"autoload_known_extensions", "false"},
        {"allow_community_extensions", "false"},
        {"allow_unsigned_extensions", "false"},
        {"enable_external_file_cache", "false"},
        {"memory_limit", memory},
        {"threads", thread_text},
        {"temp_directory", s->temp_dir},
        {"preserve_insertion_order", "true"},
    };
    for (size_t i = 0; i < sizeof settings / sizeof settings[0] && rc == LD_OK; i++)
        rc = configure(config, settings[i][0], settings[i][1], error);
    char *open_error = NULL;
    if (rc == LD_OK && duckdb_open_ext(NULL, &s->db, config, &open_error) == DuckDBError) {
        rc = ld_error_set(error, LD_ERR_IO, "cannot start the engine: %s",
                          open_error ? open_error : "unknown error");
        s->db = NULL;
    }
    if (open_error != NULL)
        duckdb_free(open_error);
    duckdb_destroy_config(&config);
    if (rc != LD_OK)
        return rc;
    if (duckdb_connect(s->db, &s->con) == DuckDBError) {
        s->con = NULL;
        return ld_error_set(error, LD_ERR_IO, "cannot connect to the engine");
    }
    /* Spark's session time zone here is UTC: timestamps are written with Z. */
    return lds_exec(s, "SET TimeZone = 'UTC'; SET enable_progress_bar = false", error);
}

static int check_role(const char *role, ld_error *error)
{
    if (role == NULL || strcmp(role, "mapper") == 0 || strcmp(role, "reducer") == 0)
        return LD_OK;
    return ld_error_set(error, LD_ERR_INVALID, "role '%s': expected mapper or reducer", role);
}

int ld_spark_session_new(const ld_spark_session_options *options, ld_spark_session **out,
                         ld_error *error)
{
    ld_spark_session_options defaults = LD_SPARK_SESSION_OPTIONS_INIT;
    if (out == NULL)
        return ld_error_set(error, LD_ERR_INVALID, "ld_spark_session_new: out is required");
    *out = NULL;
    if (options == NULL)
        options = &defaults;
    if (options->version < 1)
        return ld_error_set(error, LD_ERR_INVALID, "session options: version %d (use LD_SPARK_SESSION_OPTIONS_INIT)",
                            options->version);
    int rc = check_role(options->role, error);
    if (rc != LD_OK)
        return rc;

    ld_spark_session *s = calloc(1, sizeof *s);
    if (s == NULL)
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    pthread_mutex_init(&s->stats_lock, NULL);
    s->app_name = options->app_name ? strdup(options->app_name) : NULL;
    s->role = strdup(options->role ? options->role : "mapper");
    s->secret_arn = (options->credentials_secret_arn && *options->credentials_secret_arn)
                        ? strdup(options->credentials_secret_arn)
                        : NULL;
    const char *tmp = options->temp_dir;
    if (tmp == NULL || *tmp == '\0')
        tmp = getenv("TMPDIR");
    if (tmp == NULL || *tmp == '\0')
        tmp = "/tmp";
    s->temp_dir = lds_printf("%s/letsdata-spark.XXXXXX", tmp);
    if (s->role == NULL || s->temp_dir == NULL) {
        ld_spark_session_free(s);
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    }
    if (mkdtemp(s->temp_dir) == NULL) {
        rc = ld_error_set(error, LD_ERR_IO, "temp directory %s: %s", s->temp_dir, strerror(errno));
        free(s->temp_dir);
        s->temp_dir = NULL;
        ld_spark_session_free(s);
        return rc;
    }

    /* Bucket mappings: the environment first, so that the options replace them. */
    const char *env = getenv("LETSDATA_BUCKET_DIRS");
    while (rc == LD_OK && env != NULL && *env != '\0') {
        const char *end = strchr(env, ':');
        size_t n = end ? (size_t)(end - env) : strlen(env);
        if (n > 0)
            rc = map_entry(s, env, n, "LETSDATA_BUCKET_DIRS", error);
        env = end ? end + 1 : NULL;
    }
    for (size_t i = 0; rc == LD_OK && i < options->bucket_dir_count; i++)
        rc = map_entry(s, options->bucket_dirs[i], strlen(options->bucket_dirs[i]),
                       "bucket_dirs", error);

    size_t memory = options->memory_limit_mib ? options->memory_limit_mib
                                              : env_size("LETSDATA_SPARK_MEMORY_MIB", DEFAULT_MEMORY_MIB);
    int threads = options->threads > 0 ? options->threads : (int)env_size("LETSDATA_SPARK_THREADS", 0);
    if (threads <= 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        threads = cpus >= 2 ? 2 : 1;
    }
    s->threads = threads;
    const char *stats_dir = getenv("LETSDATA_SPARK_STATS_DIR");
    if (stats_dir != NULL && *stats_dir != '\0' && (s->stats_dir = strdup(stats_dir)) == NULL)
        rc = ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    if (rc == LD_OK)
        rc = open_engine(s, memory, threads, error);
    if (rc == LD_OK)
        rc = lds_text_reader_register(s, error);
    if (rc == LD_OK)
        rc = lds_functions_register(s, error);
    if (rc != LD_OK) {
        ld_spark_session_free(s);
        return rc;
    }
    *out = s;
    return LD_OK;
}

int ld_spark_session_new_for_task(ld_spark_session **out, const char *app_name,
                                  const char *role, const char *credentials_secret_arn,
                                  ld_error *error)
{
    ld_spark_session_options options = LD_SPARK_SESSION_OPTIONS_INIT;
    options.app_name = app_name;
    options.role = role;
    options.credentials_secret_arn = credentials_secret_arn;
    return ld_spark_session_new(&options, out, error);
}

/* Append the session's counters to $LETSDATA_SPARK_STATS_DIR/<appName>.json (one JSON
 * object per line): how the local runner learns each task's rows in and out. */
static void report_stats(const ld_spark_session *s)
{
    if (s->stats_dir == NULL || s->app_name == NULL || s->app_name[0] == '\0')
        return;
    char *name = strdup(s->app_name);
    if (name == NULL)
        return;
    for (char *p = name; *p; p++)
        if (*p == '/')
            *p = '_';
    char *path = lds_printf("%s/%s.json", s->stats_dir, name);
    free(name);
    FILE *f = path ? fopen(path, "a") : NULL;
    if (f != NULL) {
        fprintf(f,
                "{\"rowsRead\": %llu, \"bytesRead\": %llu, \"rowsWritten\": %llu, "
                "\"bytesWritten\": %llu, \"filesWritten\": %llu}\n",
                (unsigned long long)s->stats.rows_read, (unsigned long long)s->stats.bytes_read,
                (unsigned long long)s->stats.rows_written, (unsigned long long)s->stats.bytes_written,
                (unsigned long long)s->stats.files_written);
        fclose(f);
    }
    free(path);
}

void ld_spark_session_free(ld_spark_session *session)
{
    if (session == NULL)
        return;
    if (session->db != NULL)
        report_stats(session);
    lds_s3_free(session);
    if (session->con != NULL)
        duckdb_disconnect(&session->con);
    if (session->db != NULL)
        duckdb_close(&session->db);
    for (lds_udf *u = session->udfs, *next; u != NULL; u = next) {
        next = u->next;
        if (u->free_payload != NULL)
            u->free_payload(u->payload);
        free(u->arg_kinds);
        free(u->name);
        free(u);
    }
    for (size_t i = 0; i < session->bucket_count; i++) {
        free(session->buckets[i].bucket);
        free(session->buckets[i].dir);
    }
    free(session->buckets);
    remove_tree(session->temp_dir);
    free(session->temp_dir);
    free(session->app_name);
    free(session->role);
    free(session->secret_arn);
    free(session->stats_dir);
    pthread_mutex_destroy(&session->stats_lock);
    free(session);
}
