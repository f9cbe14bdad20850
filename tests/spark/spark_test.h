/*
 * spark_test.h - helpers for the libletsdata-spark tests: temp dirs, files, gzip,
 * running a query into one text line per row.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LDT_SPARK_TEST_H
#define LDT_SPARK_TEST_H

#include <stddef.h>

#include <letsdata/letsdata_spark.h>

/** A new temporary directory (free() the path; remove with ldt_rm_rf). */
char *ldt_temp_dir(void);
/** Remove a directory tree. */
void ldt_rm_rf(const char *path);
/** Write @p length bytes to @p path (asserts). */
void ldt_write_file(const char *path, const void *data, size_t length);
/** Append a gzip member holding @p length bytes to @p path (asserts). */
void ldt_append_gzip_member(const char *path, const void *data, size_t length);
/** The contents of @p path (gunzipped when it ends in .gz), NUL-terminated; free(). */
char *ldt_read_file(const char *path, size_t *length);
/** A new session with defaults (asserts). */
ld_spark_session *ldt_session(void);
/**
 * Run @p sql; rows as "v1|v2|...\n" lines with ld_spark_rows_text (NULL as "NULL").
 * Returns a new string (free()), or NULL with @p error set when the query fails.
 */
char *ldt_query(ld_spark_session *s, const char *sql, ld_error *error);
/** The names in @p dir (sorted, '\n'-joined); free(). */
char *ldt_list_dir(const char *dir);
/** The path of the one file in @p dir whose name starts with "part-"; free(). */
char *ldt_part_file(const char *dir);
/** Whether @p path exists. */
int ldt_exists(const char *path);

/** A test's temp directory and session (CMocka setup/teardown below). */
typedef struct ldt_fixture {
    char *dir;
    ld_spark_session *s;
} ldt_fixture;
/** CMocka setup: *state becomes a new ldt_fixture. */
int ldt_fixture_setup(void **state);
/** CMocka teardown: frees the session, removes the directory. */
int ldt_fixture_teardown(void **state);
/** DIR/name of the fixture (free()). */
char *ldt_path_in(const ldt_fixture *f, const char *name);

#endif /* LDT_SPARK_TEST_H */
