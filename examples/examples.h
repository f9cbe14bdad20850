/*
 * examples.h - the example handlers: C ports of the official LetsData examples.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LETSDATA_EXAMPLES_H
#define LETSDATA_EXAMPLES_H

#include <letsdata/letsdata.h>

/** SingleFileParser for Common Crawl WET files (wet_parser.c). */
extern const ld_single_file_parser ld_example_wet_parser;
/** QueueMessageReader for JSON documents from SQS (sqs_reader.c). */
extern const ld_queue_message_reader ld_example_sqs_reader;
/** KinesisRecordReader for JSON documents from a stream (kinesis_reader.c). */
extern const ld_kinesis_record_reader ld_example_kinesis_reader;
/** DynamoDBStreamsRecordReader (dynamodb_streams_reader.c). */
extern const ld_dynamodb_streams_record_reader ld_example_dynamodb_streams_reader;
/** DynamoDBTableItemReader (dynamodb_table_reader.c). */
extern const ld_dynamodb_table_item_reader ld_example_dynamodb_table_reader;
/** SagemakerVectorsInterface (sagemaker_vectors.c). */
extern const ld_sagemaker_vectors_interface ld_example_sagemaker_vectors;

/**
 * SparkMapperInterface and SparkReducerInterface proxies (spark_loader.c): the first
 * call loads libletsdata-examples-spark.so (spark_mapper.c, spark_reducer.c) and
 * forwards to it, so a process that serves no Spark request never loads DuckDB.
 */
extern const ld_spark_mapper_interface ld_example_spark_mapper_on_demand;
/** See ld_example_spark_mapper_on_demand. */
extern const ld_spark_reducer_interface ld_example_spark_reducer_on_demand;

/**
 * Register all the examples (the Spark ones as on-demand proxies, when the build has
 * libletsdata-spark). @return LD_OK or the first registration error.
 */
int ld_examples_register(ld_registry *registry);

/**
 * Fail the call because ld_document_create() refused to build a document: @p error
 * says which member was wrong ("DocumentError"), or that memory ran out ("MemoryError").
 * @return the handler's status, as ld_context_fail().
 */
int ld_example_document_failed(ld_context *ctx, const ld_error *error);

/* Helpers the examples share (example_util.c). */

/**
 * docId of a DynamoDB record: the values of @p keys (strings), in order, joined by "|".
 * @return a new string, or NULL after failing @p ctx (a key value is not a string).
 */
char *ld_example_join_keys(ld_context *ctx, const json_t *keys);

/** Non-zero if @p text[0, length) is only white space (Unicode, as Python's str.strip). */
int ld_example_is_blank(const char *text, size_t length);

/**
 * Trim Unicode white space from both ends of UTF-8 @p text[0, length), as Python's
 * str.strip() does. Sets *start and *end to the trimmed range.
 */
void ld_example_strip(const char *text, size_t length, size_t *start, size_t *end);

#endif /* LETSDATA_EXAMPLES_H */
