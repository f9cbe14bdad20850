/*
 * spark_mapper.c - SparkMapperInterface: the official example mapper (Common Crawl WET
 * files to one row per conversion record) on libletsdata-spark.
 *
 * What the Python example does, step by step, and the SQL below that does the same:
 *   read the file as text, records separated by "\n\r\n\r\n"   -> ld_spark_read_uri
 *   regexp_replace(value, "^\s+|\s+$", "")                      -> spark_trim(value)
 *   split(value, "\r\n\r\n"): s[0] header, s[1] payload         -> spark_split_any(...)[1], [2]
 *   split(header, ": |\r\n"), a UDF makes a map from index 1    -> spark_map_from_pairs(list[2:])
 *   twelve columns from the map, warcType == "conversion"       -> SELECT ... WHERE
 *   write                                                       -> ld_spark_write
 * The spark_* SQL functions are libletsdata-spark's C implementations of Spark's
 * semantics (Java regex white space and `$`, Spark's integer cast, to_timestamp), so the
 * rows are the reference's, column for column and type for type.
 *
 * SPDX-License-Identifier: MIT
 */
#include <letsdata/letsdata_spark.h>

#include "spark_examples.h"

/* Lists in SQL are 1-based: s[1] is Spark's s[0]. The literals hold real CR/LF bytes. */
static const char mapper_sql[] =
    "WITH records AS (\n"
    "  SELECT spark_split_any(spark_trim(value), ['\r\n\r\n']) AS s FROM wet_records\n"
    "), fields AS (\n"
    "  SELECT spark_map_from_pairs(spark_split_any(s[1], [': ', '\r\n'])[2:]) AS h,\n"
    "         s[2] AS payload\n"
    "  FROM records\n"
    ")\n"
    "SELECT spark_cast_int(h['Content-Length']) AS contentLength,\n"
    "       spark_to_timestamp(h['WARC-Date']) AS warcDate,\n"
    "       h['WARC-Record-ID'] AS warcRecordId,\n"
    "       h['Content-Type'] AS contentType,\n"
    "       h['WARC-Type'] AS warcType,\n"
    "       h['WARC-Refers-To'] AS warcRefersTo,\n"
    "       h['WARC-Identified-Content-Language'] AS language,\n"
    "       h['WARC-Block-Digest'] AS blockDigest,\n"
    "       h['WARC-Target-URI'] AS url,\n"
    "       h['WARC-Target-URI'] AS docId,\n"
    "       h['WARC-Target-URI'] AS partitionKey,\n"
    "       payload AS docText\n"
    "FROM fields\n"
    "WHERE h['WARC-Type'] = 'conversion'";

static int mapper(ld_context *ctx, void *payload, const char *app_name,
                  const char *read_destination, const char *read_uri, const char *read_format,
                  json_t *read_options, const char *write_destination, const char *write_uri,
                  const char *write_format, const char *write_mode, json_t *write_options,
                  const char *spark_credentials_secret_arn)
{
    (void)payload;
    if (ld_example_spark_check_destinations(ctx, read_destination, write_destination) != LD_OK)
        return LD_ERR_HANDLER;
    ld_spark_session *session = NULL;
    ld_spark_frame *records = NULL, *rows = NULL;
    ld_error error = {0};
    int rc = ld_spark_session_new_for_task(&session, app_name, "mapper",
                                           spark_credentials_secret_arn, &error);
    if (rc == LD_OK &&
        (rc = ld_spark_read_uri(session, read_uri, read_format, read_options, &records,
                                &error)) != LD_OK)
        ld_example_spark_fail(ctx, rc, &error, "reading %s as %s", read_uri, read_format);
    else if (rc == LD_OK && (rc = ld_spark_frame_register(records, "wet_records", &error)) ==
                                LD_OK &&
             (rc = ld_spark_sql(session, mapper_sql, &rows, &error)) != LD_OK)
        ld_example_spark_fail(ctx, rc, &error, "the mapper's query");
    else if (rc == LD_OK && (rc = ld_spark_write(rows, write_uri, write_format, write_options,
                                                 write_mode, &error)) != LD_OK)
        ld_example_spark_fail(ctx, rc, &error, "mapping %s to %s as %s", read_uri, write_uri,
                              write_format);
    else if (rc != LD_OK)
        ld_example_spark_fail(ctx, rc, &error, "mapper %s", read_uri);
    ld_spark_frame_free(rows);
    ld_spark_frame_free(records);
    ld_spark_session_free(session);
    return rc == LD_OK ? LD_OK : LD_ERR_HANDLER;
}

const ld_spark_mapper_interface ld_example_spark_mapper = {
    LD_SPARK_MAPPER_INTERFACE_VERSION, NULL, mapper};
