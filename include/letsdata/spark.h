/*
 * letsdata/spark.h - the SparkMapperInterface and SparkReducerInterface.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LETSDATA_SPARK_H
#define LETSDATA_SPARK_H

/**
 * @file letsdata/spark.h
 * @brief Spark map and reduce steps. Their results are the files they write; the
 * invocation answers JSON null.
 *
 * Calling conventions: see letsdata/single_file_parser.h.
 */

#include <stddef.h>

#include <jansson.h>

#include <letsdata/common.h>
#include <letsdata/context.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The version of ld_spark_mapper_interface this header describes. */
#define LD_SPARK_MAPPER_INTERFACE_VERSION 1
/** The version of ld_spark_reducer_interface this header describes. */
#define LD_SPARK_REDUCER_INTERFACE_VERSION 1

/** SparkMapperInterface. Methods are only ever appended (see @c version). */
typedef struct ld_spark_mapper_interface {
    /** LD_SPARK_MAPPER_INTERFACE_VERSION. */
    int version;
    /** Passed unchanged to every method. */
    void *payload;

    /**
     * mapper: read @p read_uri, write @p write_uri.
     *
     * String arguments are the request's; @p read_options and @p write_options are
     * borrowed JSON objects.
     */
    int (*mapper)(ld_context *ctx, void *payload, const char *app_name,
                  const char *read_destination, const char *read_uri,
                  const char *read_format, json_t *read_options,
                  const char *write_destination, const char *write_uri,
                  const char *write_format, const char *write_mode, json_t *write_options,
                  const char *spark_credentials_secret_arn);
} ld_spark_mapper_interface;

/** Initialiser: current version, everything else NULL. */
#define LD_SPARK_MAPPER_INTERFACE_INIT { LD_SPARK_MAPPER_INTERFACE_VERSION, NULL, NULL }

/** SparkReducerInterface. Methods are only ever appended (see @c version). */
typedef struct ld_spark_reducer_interface {
    /** LD_SPARK_REDUCER_INTERFACE_VERSION. */
    int version;
    /** Passed unchanged to every method. */
    void *payload;

    /**
     * reducer: as mapper, reading @p read_uri_count URIs.
     *
     * @param read_uris      borrowed array of @p read_uri_count strings.
     * @param read_uri_count the number of URIs (may be 0).
     */
    int (*reducer)(ld_context *ctx, void *payload, const char *app_name,
                   const char *read_destination, const char *const *read_uris,
                   size_t read_uri_count, const char *read_format, json_t *read_options,
                   const char *write_destination, const char *write_uri,
                   const char *write_format, const char *write_mode,
                   json_t *write_options, const char *spark_credentials_secret_arn);
} ld_spark_reducer_interface;

/** Initialiser: current version, everything else NULL. */
#define LD_SPARK_REDUCER_INTERFACE_INIT { LD_SPARK_REDUCER_INTERFACE_VERSION, NULL, NULL }

#ifdef __cplusplus
}
#endif

#endif /* LETSDATA_SPARK_H */
