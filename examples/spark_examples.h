/*
 * spark_examples.h - the Spark example handlers (C ports of the official mapper and
 * reducer). They live in their own module, libletsdata-examples-spark.so, linked with
 * libletsdata-spark (and so DuckDB); the examples library loads it on the first Spark
 * call only (spark_loader.c), so other handlers never pay for the engine.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LETSDATA_SPARK_EXAMPLES_H
#define LETSDATA_SPARK_EXAMPLES_H

#include <letsdata/letsdata.h>

/** SparkMapperInterface: Common Crawl WET records to rows (spark_mapper.c). */
extern const ld_spark_mapper_interface ld_example_spark_mapper;
/** SparkReducerInterface: contentLength percentiles per language (spark_reducer.c). */
extern const ld_spark_reducer_interface ld_example_spark_reducer;

/**
 * Fail @p ctx with a libletsdata-spark error: "<what>: <error->message>", error type
 * by @p rc (FileNotFoundError, ValueError, UnsupportedOperation, SparkError).
 * @return LD_ERR_HANDLER.
 */
int ld_example_spark_fail(ld_context *ctx, int rc, const ld_error *error, const char *what,
                          ...) LD_PRINTF(4, 5);

/**
 * The official examples read and write S3 only (readDestination/writeDestination "S3",
 * any case). @return LD_OK, or LD_ERR_HANDLER after failing @p ctx naming the value.
 */
int ld_example_spark_check_destinations(ld_context *ctx, const char *read_destination,
                                        const char *write_destination);

#endif /* LETSDATA_SPARK_EXAMPLES_H */
