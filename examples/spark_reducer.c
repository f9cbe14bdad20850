/*
 * spark_reducer.c - SparkReducerInterface: the official example reducer (90th percentile
 * of contentLength and the number of samples per language) on libletsdata-spark.
 *
 * The Python example unions its inputs with `dataframe.union(...)` but drops the
 * result, so it reduces only the first input; this port reads every URI it is given
 * (documented in docs/spark.md).
 *
 * SPDX-License-Identifier: MIT
 */
#include <letsdata/letsdata_spark.h>

#include "spark_examples.h"

/* Column names as the reference's, spaces and '#' included; count() is a BIGINT as
 * Spark's LongType, spark_percentile a DOUBLE computed as Spark's percentile(). */
static const char reducer_sql[] =
    "SELECT language,\n"
    "       spark_percentile(contentLength, 0.90) AS \"90th Percentile ContentLength\",\n"
    "       count(contentLength) AS \"# of Samples\"\n"
    "FROM mapped\n"
    "GROUP BY language\n"
    "ORDER BY \"# of Samples\" DESC";

static int reducer(ld_context *ctx, void *payload, const char *app_name,
                   const char *read_destination, const char *const *read_uris,
                   size_t read_uri_count, const char *read_format, json_t *read_options,
                   const char *write_destination, const char *write_uri,
                   const char *write_format, const char *write_mode, json_t *write_options,
                   const char *spark_credentials_secret_arn)
{
    (void)payload;
    if (ld_example_spark_check_destinations(ctx, read_destination, write_destination) != LD_OK)
        return LD_ERR_HANDLER;
    if (read_uri_count == 0)
        return ld_context_fail(ctx, "ValueError", "readUris is empty: nothing to reduce");
    ld_spark_session *session = NULL;
    ld_spark_frame *mapped = NULL, *rows = NULL;
    ld_error error = {0};
    int rc = ld_spark_session_new_for_task(&session, app_name, "reducer",
                                           spark_credentials_secret_arn, &error);
    if (rc == LD_OK && (rc = ld_spark_read(session, read_uris, read_uri_count, read_format,
                                           read_options, &mapped, &error)) != LD_OK)
        ld_example_spark_fail(ctx, rc, &error, "reading %s%s as %s", read_uris[0],
                              read_uri_count > 1 ? " and the other readUris" : "",
                              read_format);
    else if (rc == LD_OK && (rc = ld_spark_frame_register(mapped, "mapped", &error)) == LD_OK &&
             (rc = ld_spark_sql(session, reducer_sql, &rows, &error)) != LD_OK)
        ld_example_spark_fail(ctx, rc, &error, "the reducer's query");
    else if (rc == LD_OK && (rc = ld_spark_write(rows, write_uri, write_format, write_options,
                                                 write_mode, &error)) != LD_OK)
        ld_example_spark_fail(ctx, rc, &error, "reducing %s%s to %s as %s", read_uris[0],
                              read_uri_count > 1 ? " and the other readUris" : "", write_uri,
                              write_format);
    else if (rc != LD_OK)
        ld_example_spark_fail(ctx, rc, &error, "reducer");
    ld_spark_frame_free(rows);
    ld_spark_frame_free(mapped);
    ld_spark_session_free(session);
    return rc == LD_OK ? LD_OK : LD_ERR_HANDLER;
}

const ld_spark_reducer_interface ld_example_spark_reducer = {
    LD_SPARK_REDUCER_INTERFACE_VERSION, NULL, reducer};
