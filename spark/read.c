/*
 * read.c - ld_spark_read: URIs and a Spark format to a frame's SQL.
 *
 * text goes through our streaming reader (text_reader.c); json, csv and parquet through
 * the engine's readers with Spark's defaults (see letsdata/spark_frame.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>

#include "spark_internal.h"

/* [ 'file1', 'file2' ] */
static char *file_list(char **files, size_t count)
{
    lds_buf b = {0};
    int ok = lds_buf_putc(&b, '[') == 0;
    for (size_t i = 0; ok && i < count; i++) {
        char *lit = lds_sql_string(files[i]);
        ok = lit != NULL && (i == 0 || lds_buf_append(&b, ", ", 2) == 0) &&
             lds_buf_append(&b, lit, strlen(lit)) == 0;
        free(lit);
    }
    ok = ok && lds_buf_append(&b, "]", 2) == 0; /* with the NUL */
    if (!ok) {
        lds_buf_free(&b);
        return NULL;
    }
    return b.data;
}

/* SELECT "a" AS "b", ... FROM (inner): renames and reorders a frame's columns. */
static int reshape(ld_spark_session *s, ld_spark_frame **frame, char **select_names,
                   char **as_names, size_t count, ld_error *error)
{
    lds_buf b = {0};
    int ok = lds_buf_append(&b, "SELECT ", 7) == 0;
    for (size_t i = 0; ok && i < count; i++) {
        char *from = lds_sql_ident(select_names[i]);
        char *to = lds_sql_ident(as_names[i]);
        ok = from && to && (i == 0 || lds_buf_append(&b, ", ", 2) == 0) &&
             lds_buf_append(&b, from, strlen(from)) == 0 && lds_buf_append(&b, " AS ", 4) == 0 &&
             lds_buf_append(&b, to, strlen(to)) == 0;
        free(from);
        free(to);
    }
    char *tail = lds_printf(" FROM (%s)", (*frame)->sql);
    ok = ok && tail && lds_buf_append(&b, tail, strlen(tail) + 1) == 0;
    free(tail);
    if (!ok) {
        lds_buf_free(&b);
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    }
    ld_spark_frame *shaped = NULL;
    int rc = lds_frame_new(s, b.data, &shaped, error);
    if (rc == LD_OK) {
        ld_spark_frame_free(*frame);
        *frame = shaped;
    }
    return rc;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Spark's JSON inference sorts the fields by name. */
static int sort_columns(ld_spark_session *s, ld_spark_frame **frame, ld_error *error)
{
    size_t n = (*frame)->column_count;
    char **names = malloc((n ? n : 1) * sizeof *names);
    if (names == NULL)
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    memcpy(names, (*frame)->column_names, n * sizeof *names);
    qsort(names, n, sizeof *names, compare_names);
    int rc = reshape(s, frame, names, names, n, error);
    free(names);
    return rc;
}

/* Spark names header-less CSV columns _c0, _c1, ... */
static int name_csv_columns(ld_spark_session *s, ld_spark_frame **frame, ld_error *error)
{
    size_t n = (*frame)->column_count;
    char **names = calloc(n ? n : 1, sizeof *names);
    int rc = names ? LD_OK : ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    for (size_t i = 0; rc == LD_OK && i < n; i++)
        if ((names[i] = lds_printf("_c%zu", i)) == NULL)
            rc = ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    if (rc == LD_OK)
        rc = reshape(s, frame, (*frame)->column_names, names, n, error);
    lds_free_strings(names, n);
    return rc;
}

/* One character option (sep, quote, escape) as a SQL literal. */
static int char_option(const json_t *options, const char *name, const char *alias,
                       const char *fallback, char **literal, ld_error *error)
{
    char *value = NULL;
    int rc = lds_option_string(options, name, &value, error);
    if (rc == LD_OK && value == NULL && alias != NULL)
        rc = lds_option_string(options, alias, &value, error);
    if (rc != LD_OK)
        return rc;
    *literal = lds_sql_string(value ? value : fallback);
    free(value);
    return *literal ? LD_OK : ld_error_set(error, LD_ERR_NOMEM, "out of memory");
}

static char *text_sql(const json_t *options, const char *files, ld_error *error, int *rc)
{
    static const char *const allowed[] = {"lineSep", NULL};
    if ((*rc = lds_options_check(options, allowed, "text reader", error)) != LD_OK)
        return NULL;
    char *sep = NULL;
    if ((*rc = lds_option_string(options, "lineSep", &sep, error)) != LD_OK)
        return NULL;
    if (sep != NULL && *sep == '\0') {
        free(sep);
        *rc = ld_error_set(error, LD_ERR_INVALID, "text reader: option lineSep is empty");
        return NULL;
    }
    char *lit = sep ? lds_sql_string(sep) : NULL;
    char *sql = sep ? (lit ? lds_printf("SELECT value FROM ld_read_text(%s, lineSep := %s)", files, lit) : NULL)
                    : lds_printf("SELECT value FROM ld_read_text(%s)", files);
    free(sep);
    free(lit);
    if (sql == NULL)
        *rc = ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    return sql;
}

static char *csv_sql(const json_t *options, const char *files, int *header, ld_error *error,
                     int *rc)
{
    static const char *const allowed[] = {"header", "sep", "delimiter", "quote", "escape",
                                          "inferSchema", "nullValue", "encoding", NULL};
    if ((*rc = lds_options_check(options, allowed, "csv reader", error)) != LD_OK)
        return NULL;
    int infer = 0;
    char *sep = NULL, *quote = NULL, *escape = NULL, *null_value = NULL, *encoding = NULL;
    char *sql = NULL;
    if ((*rc = lds_option_bool(options, "header", 0, header, error)) == LD_OK &&
        (*rc = lds_option_bool(options, "inferSchema", 0, &infer, error)) == LD_OK &&
        (*rc = char_option(options, "sep", "delimiter", ",", &sep, error)) == LD_OK &&
        (*rc = char_option(options, "quote", NULL, "\"", &quote, error)) == LD_OK &&
        (*rc = char_option(options, "escape", NULL, "\\", &escape, error)) == LD_OK &&
        (*rc = char_option(options, "nullValue", NULL, "", &null_value, error)) == LD_OK &&
        (*rc = lds_option_string(options, "encoding", &encoding, error)) == LD_OK) {
        if (encoding && strcasecmp(encoding, "utf-8") != 0 && strcasecmp(encoding, "utf8") != 0)
            *rc = ld_error_set(error, LD_ERR_UNSUPPORTED, "csv reader: encoding '%s': only UTF-8 is supported", encoding);
        else {
            sql = lds_printf("SELECT * FROM read_csv(%s, header = %s, delim = %s, quote = %s, "
                             "escape = %s, nullstr = %s, all_varchar = %s, auto_detect = true) "
                             "WHERE lds_count_rows()",
                             files, *header ? "true" : "false", sep, quote, escape, null_value,
                             infer ? "false" : "true");
            if (sql == NULL)
                *rc = ld_error_set(error, LD_ERR_NOMEM, "out of memory");
        }
    }
    free(sep);
    free(quote);
    free(escape);
    free(null_value);
    free(encoding);
    return sql;
}

int ld_spark_read(ld_spark_session *session, const char *const *uris, size_t uri_count,
                  const char *format, const json_t *options, ld_spark_frame **out,
                  ld_error *error)
{
    if (out != NULL)
        *out = NULL;
    if (session == NULL || out == NULL || format == NULL || (uris == NULL && uri_count > 0))
        return ld_error_set(error, LD_ERR_INVALID, "ld_spark_read: session, format and out are required");
    if (uri_count == 0)
        return ld_error_set(error, LD_ERR_INVALID, "ld_spark_read: no URI to read");
    if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0 && strcmp(format, "csv") != 0 &&
        strcmp(format, "parquet") != 0)
        return ld_error_set(error, LD_ERR_INVALID,
                            "read format '%s' is not supported (text, json, csv or parquet)", format);
    if (options != NULL && !json_is_object(options))
        return ld_error_set(error, LD_ERR_INVALID, "%s reader: options must be a JSON object", format);

    char **all = NULL;
    size_t all_count = 0;
    uint64_t all_bytes = 0;
    int rc = LD_OK;
    for (size_t i = 0; rc == LD_OK && i < uri_count; i++) {
        lds_location loc;
        rc = lds_resolve(session, uris[i], &loc, error);
        if (rc == LD_OK && loc.path == NULL) /* an unmapped S3 URI: download it */
            rc = lds_s3_fetch(session, uris[i], &loc, &loc.path, error);
        char **files = NULL;
        size_t count = 0;
        uint64_t bytes = 0;
        if (rc == LD_OK)
            rc = lds_list_input(uris[i], loc.path, &files, &count, &bytes, error);
        lds_location_clear(&loc);
        if (rc != LD_OK)
            break;
        char **grown = realloc(all, (all_count + count) * sizeof *grown);
        if (grown == NULL) {
            lds_free_strings(files, count);
            rc = ld_error_set(error, LD_ERR_NOMEM, "out of memory");
            break;
        }
        all = grown;
        memcpy(all + all_count, files, count * sizeof *files);
        all_count += count;
        all_bytes += bytes;
        free(files);
    }
    char *files = rc == LD_OK ? file_list(all, all_count) : NULL;
    if (rc == LD_OK && files == NULL)
        rc = ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    lds_free_strings(all, all_count);

    char *sql = NULL;
    int header = 0;
    if (rc == LD_OK) {
        if (strcmp(format, "text") == 0)
            sql = text_sql(options, files, error, &rc);
        else if (strcmp(format, "csv") == 0)
            sql = csv_sql(options, files, &header, error, &rc);
        else {
            static const char *const none[] = {NULL};
            rc = lds_options_check(options, none, strcmp(format, "json") == 0 ? "json reader" : "parquet reader", error);
            if (rc == LD_OK) {
                /* lds_count_rows() counts the rows read into the session's stats. */
                if (strcmp(format, "json") == 0)
                    sql = lds_printf("SELECT * FROM read_json(%s, format = 'newline_delimited', "
                                     "sample_size = -1) WHERE lds_count_rows()",
                                     files);
                else
                    sql = lds_printf("SELECT * FROM read_parquet(%s) WHERE lds_count_rows()", files);
                if (sql == NULL)
                    rc = ld_error_set(error, LD_ERR_NOMEM, "out of memory");
            }
        }
    }
    free(files);
    ld_spark_frame *frame = NULL;
    if (rc == LD_OK) {
        ld_error inner;
        rc = lds_frame_new(session, sql, &frame, &inner);
        if (rc != LD_OK)
            ld_error_set(error, rc, "cannot read %s as %s: %s", uris[0], format, inner.message);
    } else
        free(sql);
    if (rc == LD_OK && strcmp(format, "json") == 0)
        rc = sort_columns(session, &frame, error);
    if (rc == LD_OK && strcmp(format, "csv") == 0 && !header)
        rc = name_csv_columns(session, &frame, error);
    if (rc != LD_OK) {
        ld_spark_frame_free(frame);
        return rc;
    }
    lds_stats_add(session, 0, all_bytes, 0, 0, 0);
    *out = frame;
    return LD_OK;
}

int ld_spark_read_uri(ld_spark_session *session, const char *uri, const char *format,
                      const json_t *options, ld_spark_frame **out, ld_error *error)
{
    return ld_spark_read(session, &uri, uri ? 1 : 0, format, options, out, error);
}
