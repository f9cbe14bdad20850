/*
 * spark_config.h - what a local Spark run is made of (private): the command line and
 * the dataset configuration, resolved into one plan (spark_config.c), run by
 * spark_tasks.c.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LDRUN_SPARK_CONFIG_H
#define LDRUN_SPARK_CONFIG_H

#include <stddef.h>

#include <jansson.h>

#include <letsdata/common.h>

/** LetsData's run configurations of a Spark dataset. */
typedef enum ldrun_spark_mode {
    LDRUN_SPARK_MAPPER_AND_REDUCER,
    LDRUN_SPARK_MAPPER_ONLY,
    LDRUN_SPARK_REDUCER_ONLY,
} ldrun_spark_mode;

/** Everything a Spark run needs; made by ldrun_spark_config_parse(). */
typedef struct ldrun_spark_config {
    ldrun_spark_mode mode;
    char *dataset_name;     /**< for appName ("local" without a configuration) */
    char *read_format;      /**< the dataset's readConnector.sparkFileFormat */
    json_t *read_options;   /**< ... sparkReadOptions (an object, never NULL) */
    char *write_format;     /**< writeConnector.sparkFileFormat */
    json_t *write_options;  /**< ... sparkWriteOptions (an object, never NULL) */
    char *write_mode;       /**< "overwrite" (LetsData's only mode today) */
    char **inputs;          /**< readUri of each mapper (or the reducer's readUris) */
    size_t input_count;
    char *output_dir;       /**< --output, absolute */
    /** "BUCKET=DIR" (DIR absolute) for s3:// and s3a:// URIs, ':'-joined for the
     * engine's LETSDATA_BUCKET_DIRS; NULL when none. */
    char *bucket_dirs;
    unsigned jobs;
    int resume;
    int overwrite;
    int json_summary;
    int help;               /**< --help was asked: print usage, exit 0 */
    int read_options_given; /**< --read-options (the dataset's are then ignored) */
    int write_options_given;
} ldrun_spark_config;

/** The usage text of `run --spark`. */
extern const char ldrun_spark_usage[];

/** The name LetsData uses for @p mode ("MAPPER_AND_REDUCER", ...). */
const char *ldrun_spark_mode_name(ldrun_spark_mode mode);

/**
 * Parse `run` arguments (@p argv[0] is "run") and the dataset configuration given with
 * --manifest, if any. Command-line formats and options win over the configuration's.
 * @return LD_OK, or LD_ERR_INVALID / LD_ERR_IO / LD_ERR_NOMEM with @p error naming the
 *         option, file or field.
 */
int ldrun_spark_config_parse(int argc, char **argv, ldrun_spark_config *config,
                             ld_error *error);

/** Free what ldrun_spark_config_parse() allocated (the struct itself is the caller's). */
void ldrun_spark_config_free(ldrun_spark_config *config);

/**
 * The local path @p uri names (absolute paths, file:// URIs, and s3:// / s3a:// URIs
 * of mapped buckets). @return a new string, or NULL when it names no local file.
 */
char *ldrun_spark_local_path(const ldrun_spark_config *config, const char *uri);

#endif /* LDRUN_SPARK_CONFIG_H */
