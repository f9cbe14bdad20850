/*
 * write.c - ld_spark_write: Spark's output directory layout and save modes.
 *
 * A part is written under DIR/_temporary/<uuid>/, renamed into DIR when complete, and
 * DIR/_SUCCESS is created last; a failure removes the temporary directory and leaves
 * no _SUCCESS. csv and parquet parts are written by the engine (COPY); json and text
 * by rows_writer below, which formats values as Spark does.
 *
 * SPDX-License-Identifier: MIT
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <letsdata/uuid.h>

#include "spark_internal.h"

#define FLUSH_AT (1u << 20)

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

static int rm_tree(const char *path)
{
    return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int mkdir_p(const char *path, ld_error *error)
{
    char *copy = strdup(path);
    if (copy == NULL)
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    for (char *p = copy + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(copy, 0755) != 0 && errno != EEXIST) {
            int rc = ld_error_set(error, LD_ERR_IO, "cannot create directory %s: %s", copy, strerror(errno));
            free(copy);
            return rc;
        }
        *p = '/';
    }
    int rc = LD_OK;
    if (mkdir(copy, 0755) != 0 && errno != EEXIST)
        rc = ld_error_set(error, LD_ERR_IO, "cannot create directory %s: %s", copy, strerror(errno));
    free(copy);
    return rc;
}

/* Remove everything in dir except _temporary (overwrite mode). */
static int clear_dir(const char *dir, ld_error *error)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return ld_error_set(error, LD_ERR_IO, "cannot list %s: %s", dir, strerror(errno));
    struct dirent *e;
    int rc = LD_OK;
    while (rc == LD_OK && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
            strcmp(e->d_name, "_temporary") == 0)
            continue;
        char *path = lds_printf("%s/%s", dir, e->d_name);
        if (path == NULL)
            rc = ld_error_set(error, LD_ERR_NOMEM, "out of memory");
        else if (rm_tree(path) != 0)
            rc = ld_error_set(error, LD_ERR_IO, "cannot remove %s: %s", path, strerror(errno));
        free(path);
    }
    closedir(d);
    return rc;
}

/* The rows of a frame as JSON Lines (or text lines) into a sink. */
int lds_write_rows(ld_spark_frame *frame, lds_sink *sink, int text, int omit_nulls,
                   const char *line_sep, uint64_t *rows, ld_error *error)
{
    *rows = 0;
    duckdb_prepared_statement stmt;
    duckdb_result result;
    if (duckdb_prepare(frame->session->con, frame->sql, &stmt) == DuckDBError) {
        lds_engine_error(error, "SQL error", duckdb_prepare_error(stmt), frame->sql);
        duckdb_destroy_prepare(&stmt);
        return LD_ERR_INVALID;
    }
    if (duckdb_execute_prepared_streaming(stmt, &result) == DuckDBError) {
        lds_engine_error(error, "query failed", duckdb_result_error(&result), frame->sql);
        duckdb_destroy_result(&result);
        duckdb_destroy_prepare(&stmt);
        return LD_ERR_INVALID;
    }
    idx_t columns = duckdb_column_count(&result);
    duckdb_logical_type *types = calloc(columns ? columns : 1, sizeof *types);
    lds_buf *keys = calloc(columns ? columns : 1, sizeof *keys);
    lds_buf out = {0};
    int rc = (types && keys) ? LD_OK : ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    for (idx_t c = 0; rc == LD_OK && c < columns; c++) {
        types[c] = duckdb_column_logical_type(&result, c);
        const char *name = duckdb_column_name(&result, c);
        if (lds_json_string(&keys[c], name, strlen(name)) != 0 || lds_buf_putc(&keys[c], ':') != 0)
            rc = ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    }
    size_t sep_length = strlen(line_sep);
    while (rc == LD_OK) {
        duckdb_data_chunk chunk = duckdb_fetch_chunk(result);
        if (chunk == NULL) {
            const char *message = duckdb_result_error(&result);
            if (message != NULL)
                rc = lds_engine_error(error, "query failed", message, frame->sql);
            break;
        }
        idx_t n = duckdb_data_chunk_get_size(chunk);
        duckdb_vector *vectors = malloc((columns ? columns : 1) * sizeof *vectors);
        if (vectors == NULL)
            rc = ld_error_set(error, LD_ERR_NOMEM, "out of memory");
        for (idx_t c = 0; rc == LD_OK && c < columns; c++)
            vectors[c] = duckdb_data_chunk_get_vector(chunk, c);
        for (idx_t r = 0; rc == LD_OK && r < n; r++) {
            int bad = 0;
            if (text) {
                uint64_t *validity = duckdb_vector_get_validity(vectors[0]);
                if (validity == NULL || duckdb_validity_row_is_valid(validity, r)) {
                    duckdb_string_t *s = &((duckdb_string_t *)duckdb_vector_get_data(vectors[0]))[r];
                    bad = lds_buf_append(&out, duckdb_string_t_data(s), duckdb_string_t_length(*s));
                }
            } else {
                int first = 1;
                bad = lds_buf_putc(&out, '{');
                for (idx_t c = 0; !bad && c < columns; c++) {
                    uint64_t *validity = duckdb_vector_get_validity(vectors[c]);
                    int is_null = validity != NULL && !duckdb_validity_row_is_valid(validity, r);
                    if (is_null && omit_nulls)
                        continue;
                    if (!first)
                        bad = lds_buf_putc(&out, ',');
                    first = 0;
                    bad = bad || lds_buf_append(&out, keys[c].data, keys[c].length) != 0;
                    bad = bad || lds_json_value(&out, vectors[c], types[c], r, omit_nulls, error) != 0;
                }
                bad = bad || lds_buf_putc(&out, '}') != 0;
            }
            bad = bad || lds_buf_append(&out, line_sep, sep_length) != 0;
            if (bad)
                rc = error && error->message[0] && error->code == LD_ERR_UNSUPPORTED
                         ? LD_ERR_UNSUPPORTED
                         : ld_error_set(error, LD_ERR_NOMEM, "out of memory");
            if (rc == LD_OK && out.length >= FLUSH_AT) {
                rc = lds_sink_write(sink, out.data, out.length, error);
                out.length = 0;
            }
        }
        *rows += n;
        free(vectors);
        duckdb_destroy_data_chunk(&chunk);
    }
    if (rc == LD_OK && out.length > 0)
        rc = lds_sink_write(sink, out.data, out.length, error);
    lds_buf_free(&out);
    for (idx_t c = 0; types && c < columns; c++)
        duckdb_destroy_logical_type(&types[c]);
    for (idx_t c = 0; keys && c < columns; c++)
        lds_buf_free(&keys[c]);
    free(types);
    free(keys);
    duckdb_destroy_result(&result);
    duckdb_destroy_prepare(&stmt);
    return rc;
}

typedef struct write_plan {
    const char *format;
    char *compression; /* none, gzip, zstd, snappy */
    char ext[32];
    /* csv */
    int header;
    char *sep, *quote, *escape, *null_value;
    /* json / text */
    int omit_nulls;
    char *line_sep;
} write_plan;

static void plan_free(write_plan *p)
{
    free(p->compression);
    free(p->sep);
    free(p->quote);
    free(p->escape);
    free(p->null_value);
    free(p->line_sep);
}

static int plan_char(const json_t *options, const char *name, const char *alias,
                     const char *fallback, char **out, ld_error *error)
{
    char *v = NULL;
    int rc = lds_option_string(options, name, &v, error);
    if (rc == LD_OK && v == NULL && alias)
        rc = lds_option_string(options, alias, &v, error);
    if (rc != LD_OK)
        return rc;
    *out = v ? v : strdup(fallback);
    return *out ? LD_OK : ld_error_set(error, LD_ERR_NOMEM, "out of memory");
}

static int make_plan(const char *format, const json_t *options, write_plan *p, ld_error *error)
{
    static const char *const json_allowed[] = {"compression", "ignoreNullFields", "lineSep", NULL};
    static const char *const text_allowed[] = {"compression", "lineSep", NULL};
    static const char *const csv_allowed[] = {"compression", "header", "sep", "delimiter",
                                              "quote", "escape", "nullValue", NULL};
    static const char *const parquet_allowed[] = {"compression", NULL};
    memset(p, 0, sizeof *p);
    p->format = format;
    const char *const *allowed;
    if (strcmp(format, "json") == 0)
        allowed = json_allowed;
    else if (strcmp(format, "text") == 0)
        allowed = text_allowed;
    else if (strcmp(format, "csv") == 0)
        allowed = csv_allowed;
    else if (strcmp(format, "parquet") == 0)
        allowed = parquet_allowed;
    else
        return ld_error_set(error, LD_ERR_INVALID,
                            "write format '%s' is not supported (json, csv, parquet or text)", format);
    if (options != NULL && !json_is_object(options))
        return ld_error_set(error, LD_ERR_INVALID, "%s writer: options must be a JSON object", format);
    char what[32];
    snprintf(what, sizeof what, "%s writer", format);
    int rc = lds_options_check(options, allowed, what, error);
    if (rc == LD_OK)
        rc = lds_option_string(options, "compression", &p->compression, error);
    if (rc != LD_OK)
        return rc;
    int parquet = strcmp(format, "parquet") == 0;
    if (p->compression == NULL)
        p->compression = strdup(parquet ? "snappy" : "none");
    if (p->compression == NULL)
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    for (char *c = p->compression; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    if (strcmp(p->compression, "uncompressed") == 0) {
        free(p->compression);
        p->compression = strdup("none");
        if (p->compression == NULL)
            return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    }
    const char *c = p->compression;
    int known = strcmp(c, "none") == 0 || strcmp(c, "gzip") == 0 || strcmp(c, "zstd") == 0 ||
                (parquet && strcmp(c, "snappy") == 0);
    if (!known)
        return ld_error_set(error, LD_ERR_INVALID,
                            "%s writer: compression '%s' is not supported (none, gzip, zstd%s)",
                            format, c, parquet ? ", snappy" : "");
    /* Spark's names: part-...-c000.json.gz, part-...-c000.gz.parquet */
    if (parquet)
        snprintf(p->ext, sizeof p->ext, "%s",
                 strcmp(c, "gzip") == 0     ? ".gz.parquet"
                 : strcmp(c, "zstd") == 0   ? ".zstd.parquet"
                 : strcmp(c, "snappy") == 0 ? ".snappy.parquet"
                                            : ".parquet");
    else
        snprintf(p->ext, sizeof p->ext, "%s%s",
                 strcmp(format, "json") == 0 ? ".json" : strcmp(format, "csv") == 0 ? ".csv" : ".txt",
                 strcmp(c, "gzip") == 0 ? ".gz" : strcmp(c, "zstd") == 0 ? ".zst" : "");
    return LD_OK;
}

static int plan_details(const json_t *options, write_plan *p, ld_error *error)
{
    int rc = LD_OK;
    if (strcmp(p->format, "json") == 0 || strcmp(p->format, "text") == 0) {
        rc = plan_char(options, "lineSep", NULL, "\n", &p->line_sep, error);
        if (rc == LD_OK && strcmp(p->format, "json") == 0)
            rc = lds_option_bool(options, "ignoreNullFields", 1, &p->omit_nulls, error);
    } else if (strcmp(p->format, "csv") == 0) {
        rc = lds_option_bool(options, "header", 0, &p->header, error);
        if (rc == LD_OK)
            rc = plan_char(options, "sep", "delimiter", ",", &p->sep, error);
        if (rc == LD_OK)
            rc = plan_char(options, "quote", NULL, "\"", &p->quote, error);
        if (rc == LD_OK)
            rc = plan_char(options, "escape", NULL, "\\", &p->escape, error);
        if (rc == LD_OK)
            rc = plan_char(options, "nullValue", NULL, "", &p->null_value, error);
    }
    return rc;
}

/* COPY (query) TO path: csv and parquet. */
static int copy_part(ld_spark_frame *frame, const write_plan *p, const char *path,
                     uint64_t *rows, ld_error *error)
{
    char *target = lds_sql_string(path);
    char *options = NULL;
    if (strcmp(p->format, "parquet") == 0)
        /* Row groups of 4096 rows, not DuckDB's 122,880: the writer buffers a row group
         * per thread, and 122,880 WET records (~10 KiB each) overran the session's
         * memory limit (Out of Memory on a 512 MB file). ROW_GROUP_SIZE_BYTES would
         * bound bytes, but DuckDB only allows it without insertion order. */
        options = lds_printf("FORMAT parquet, ROW_GROUP_SIZE 4096, COMPRESSION %s",
                             strcmp(p->compression, "none") == 0 ? "uncompressed" : p->compression);
    else {
        char *sep = lds_sql_string(p->sep), *quote = lds_sql_string(p->quote);
        char *escape = lds_sql_string(p->escape), *null_value = lds_sql_string(p->null_value);
        if (sep && quote && escape && null_value)
            options = lds_printf("FORMAT csv, HEADER %s, DELIMITER %s, QUOTE %s, ESCAPE %s, "
                                 "NULLSTR %s, COMPRESSION %s, "
                                 "TIMESTAMPFORMAT '%%Y-%%m-%%dT%%H:%%M:%%S.%%gZ', "
                                 "DATEFORMAT '%%Y-%%m-%%d'",
                                 p->header ? "true" : "false", sep, quote, escape, null_value,
                                 p->compression);
        free(sep);
        free(quote);
        free(escape);
        free(null_value);
    }
    char *sql = (target && options) ? lds_printf("COPY (%s) TO %s (%s)", frame->sql, target, options) : NULL;
    free(target);
    free(options);
    if (sql == NULL)
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    duckdb_result result;
    int rc = LD_OK;
    if (duckdb_query(frame->session->con, sql, &result) == DuckDBError)
        rc = lds_engine_error(error, "query failed", duckdb_result_error(&result), frame->sql);
    else
        *rows = (uint64_t)duckdb_value_int64(&result, 0, 0);
    duckdb_destroy_result(&result);
    free(sql);
    return rc;
}

static int text_columns_ok(ld_spark_frame *frame, ld_error *error)
{
    if (frame->column_count != 1)
        return ld_error_set(error, LD_ERR_INVALID,
                            "text writer: the frame must have exactly one column, it has %zu",
                            frame->column_count);
    if (strcmp(frame->column_types[0], "VARCHAR") != 0)
        return ld_error_set(error, LD_ERR_INVALID,
                            "text writer: column '%s' is %s; it must be VARCHAR (cast it in SQL)",
                            frame->column_names[0], frame->column_types[0]);
    return LD_OK;
}

static int write_part(ld_spark_frame *frame, const write_plan *p, const char *path,
                      uint64_t *rows, uint64_t *bytes, ld_error *error)
{
    *bytes = 0;
    if (strcmp(p->format, "csv") == 0 || strcmp(p->format, "parquet") == 0) {
        int rc = copy_part(frame, p, path, rows, error);
        struct stat st;
        if (rc == LD_OK && stat(path, &st) == 0)
            *bytes = (uint64_t)st.st_size;
        return rc;
    }
    int text = strcmp(p->format, "text") == 0;
    if (text) {
        int rc = text_columns_ok(frame, error);
        if (rc != LD_OK)
            return rc;
    }
    lds_sink *sink = NULL;
    int rc = lds_sink_open(path, p->compression, &sink, error);
    if (rc != LD_OK)
        return rc;
    rc = lds_write_rows(frame, sink, text, p->omit_nulls, p->line_sep, rows, error);
    if (rc != LD_OK) {
        lds_sink_abort(sink);
        return rc;
    }
    return lds_sink_close(sink, bytes, error);
}

int ld_spark_write(ld_spark_frame *frame, const char *uri, const char *format,
                   const json_t *options, const char *mode, ld_error *error)
{
    if (frame == NULL || uri == NULL || format == NULL)
        return ld_error_set(error, LD_ERR_INVALID, "ld_spark_write: frame, uri and format are required");
    if (mode == NULL)
        mode = "errorifexists";
    int overwrite = strcmp(mode, "overwrite") == 0, append = strcmp(mode, "append") == 0;
    int ignore = strcmp(mode, "ignore") == 0;
    int error_mode = strcmp(mode, "errorifexists") == 0 || strcmp(mode, "error") == 0;
    if (!overwrite && !append && !ignore && !error_mode)
        return ld_error_set(error, LD_ERR_INVALID,
                            "write mode '%s' is not supported (overwrite, append, errorifexists, error or ignore)",
                            mode);
    write_plan plan;
    int rc = make_plan(format, options, &plan, error);
    if (rc == LD_OK)
        rc = plan_details(options, &plan, error);
    lds_location loc = {0};
    if (rc == LD_OK)
        rc = lds_resolve(frame->session, uri, &loc, error);
    /* An unmapped S3 URI: the directory is built in a staging directory and uploaded. */
    int remote = rc == LD_OK && loc.path == NULL;
    if (remote && (loc.path = lds_printf("%s/s3-out-%llu", frame->session->temp_dir,
                                         (unsigned long long)++frame->session->name_counter)) == NULL)
        rc = ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    char *success = NULL, *tmp_root = NULL, *tmp = NULL, *name = NULL, *tmp_part = NULL, *final = NULL;
    if (rc == LD_OK) {
        char uuid[LD_UUID_STRING_LENGTH + 1];
        ld_uuid_v4(uuid);
        success = lds_printf("%s/_SUCCESS", loc.path);
        tmp_root = lds_printf("%s/_temporary", loc.path);
        tmp = lds_printf("%s/_temporary/%s", loc.path, uuid);
        name = lds_printf("part-00000-%s-c000%s", uuid, plan.ext);
        if (!success || !tmp_root || !tmp || !name ||
            !(tmp_part = lds_printf("%s/%s", tmp, name)) || !(final = lds_printf("%s/%s", loc.path, name)))
            rc = ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    }
    struct stat st;
    int exists = 0;
    if (rc == LD_OK && remote)
        rc = lds_s3_dir_exists(frame->session, uri, &loc, &exists, error);
    else if (rc == LD_OK)
        exists = lstat(loc.path, &st) == 0;
    if (rc == LD_OK && exists && remote) {
        if (error_mode)
            rc = ld_error_set(error, LD_ERR_INVALID,
                              "%s: path already exists (write mode errorifexists; use overwrite, append or ignore)",
                              uri);
        else if (ignore)
            rc = 1;
        else if (overwrite)
            rc = lds_s3_delete(frame->session, uri, &loc, "_SUCCESS", error);
    } else if (rc == LD_OK && exists) {
        if (error_mode)
            rc = ld_error_set(error, LD_ERR_INVALID,
                              "%s: path already exists (write mode errorifexists; use overwrite, append or ignore)",
                              uri);
        else if (ignore) {
            rc = 1; /* done: nothing to do */
        } else if (!S_ISDIR(st.st_mode)) {
            if (append)
                rc = ld_error_set(error, LD_ERR_INVALID, "%s: exists and is not a directory", uri);
            else if (unlink(loc.path) != 0)
                rc = ld_error_set(error, LD_ERR_IO, "%s: cannot remove %s: %s", uri, loc.path, strerror(errno));
        } else if (unlink(success) != 0 && errno != ENOENT)
            /* The directory stops looking complete before anything changes in it. */
            rc = ld_error_set(error, LD_ERR_IO, "%s: cannot remove %s: %s", uri, success, strerror(errno));
    }
    if (rc == LD_OK)
        rc = mkdir_p(tmp, error);
    uint64_t rows = 0, bytes = 0;
    int tmp_made = rc == LD_OK;
    if (rc == LD_OK) {
        ld_error inner;
        rc = write_part(frame, &plan, tmp_part, &rows, &bytes, &inner);
        if (rc != LD_OK)
            ld_error_set(error, rc, "cannot write %s as %s: %s", uri, format, inner.message);
    }
    if (rc == LD_OK && overwrite)
        rc = remote ? lds_s3_delete(frame->session, uri, &loc, NULL, error) : clear_dir(loc.path, error);
    if (rc == LD_OK && rename(tmp_part, final) != 0)
        rc = ld_error_set(error, LD_ERR_IO, "%s: cannot move %s into place: %s", uri, name, strerror(errno));
    if (tmp_made) {
        rm_tree(tmp);
        rmdir(tmp_root); /* fails while another writer uses it: fine */
    }
    if (rc == LD_OK && remote) {
        /* The part, then _SUCCESS: S3 shows nothing complete before the end either. */
        rc = lds_s3_upload(frame->session, uri, &loc, final, name, error);
        if (rc == LD_OK)
            rc = lds_s3_upload(frame->session, uri, &loc, NULL, "_SUCCESS", error);
    } else if (rc == LD_OK) {
        int fd = open(success, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || close(fd) != 0)
            rc = ld_error_set(error, LD_ERR_IO, "%s: cannot create _SUCCESS: %s", uri, strerror(errno));
    }
    if (remote && loc.path != NULL)
        rm_tree(loc.path);
    if (rc == LD_OK)
        lds_stats_add(frame->session, 0, 0, rows, bytes, 1);
    if (rc == 1)
        rc = LD_OK;
    lds_location_clear(&loc);
    plan_free(&plan);
    free(success);
    free(tmp_root);
    free(tmp);
    free(name);
    free(tmp_part);
    free(final);
    return rc;
}
