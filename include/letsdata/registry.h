/*
 * letsdata/registry.h - the set of interface implementations a handler library provides.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LETSDATA_REGISTRY_H
#define LETSDATA_REGISTRY_H

/**
 * @file letsdata/registry.h
 * @brief Register interface implementations so that a runtime can find them.
 *
 * A handler library registers at most one implementation per interface. It does so in
 * one function, which is either exported under the name LD_REGISTER_SYMBOL (for
 * `letsdata-runtime --handler libmine.so`) with LD_HANDLER_ENTRY(), or passed to
 * ld_runtime_main() / LD_RUNTIME_MAIN() when linking a single executable:
 *
 * @code
 * static const ld_single_file_parser parser = {
 *     .version = LD_SINGLE_FILE_PARSER_VERSION,
 *     .get_s3_file_type = my_file_type,
 *     .parse_document = my_parse,
 * };
 *
 * static int register_handlers(ld_registry *registry)
 * {
 *     return ld_registry_set_single_file_parser(registry, &parser);
 * }
 * LD_HANDLER_ENTRY(register_handlers)
 * @endcode
 *
 * Ownership: the registry *borrows* the interface structs (they must outlive it; a
 * static const struct is the usual choice). Payload cleanup can be attached with
 * ld_registry_add_cleanup().
 *
 * Thread safety: registration is single-threaded; once filled, a registry can be read
 * from any number of threads.
 */

#include <letsdata/common.h>
#include <letsdata/dynamodb_streams_record_reader.h>
#include <letsdata/dynamodb_table_item_reader.h>
#include <letsdata/kinesis_record_reader.h>
#include <letsdata/queue_message_reader.h>
#include <letsdata/sagemaker_vectors.h>
#include <letsdata/single_file_parser.h>
#include <letsdata/spark.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The interfaces LetsData invokes. */
typedef enum ld_interface {
    LD_INTERFACE_SINGLE_FILE_PARSER = 0,         /**< "SingleFileParser" */
    LD_INTERFACE_QUEUE_MESSAGE_READER = 1,       /**< "QueueMessageReader" */
    LD_INTERFACE_KINESIS_RECORD_READER = 2,      /**< "KinesisRecordReader" */
    LD_INTERFACE_DYNAMODB_STREAMS_RECORD_READER = 3, /**< "DynamoDBStreamsRecordReader" */
    LD_INTERFACE_DYNAMODB_TABLE_ITEM_READER = 4, /**< "DynamoDBTableItemReader" */
    LD_INTERFACE_SAGEMAKER_VECTORS = 5,          /**< "SagemakerVectorsInterface" */
    LD_INTERFACE_SPARK_MAPPER = 6,               /**< "SparkMapperInterface" */
    LD_INTERFACE_SPARK_REDUCER = 7               /**< "SparkReducerInterface" */
} ld_interface;

/** Number of values in ::ld_interface. */
#define LD_INTERFACE_COUNT 8

/** The wire name of an interface ("SingleFileParser", ...); NULL outside the enum. */
LD_EXTERN const char *ld_interface_to_string(ld_interface interface_id);

/**
 * Look an interface up by its wire name, case-insensitively (as the reference
 * implementations do).
 * @return LD_OK or LD_ERR_NOT_FOUND.
 */
LD_EXTERN int ld_interface_from_string(const char *name, ld_interface *out);

/** An opaque registry. */
typedef struct ld_registry ld_registry;

/** The registration function a handler library provides. Returns LD_OK or an error. */
typedef int (*ld_register_fn)(ld_registry *registry);

/** The symbol `letsdata-runtime --handler` looks up in a handler shared object. */
#define LD_REGISTER_SYMBOL "ld_register_handlers"

/**
 * Define and export the entry point of a loadable handler library, forwarding to
 * @p register_fn (an ::ld_register_fn).
 */
#define LD_HANDLER_ENTRY(register_fn)                                          \
    __attribute__((visibility("default"))) int ld_register_handlers(           \
        ld_registry *registry);                                                \
    int ld_register_handlers(ld_registry *registry) { return register_fn(registry); }

/**
 * Create an empty registry.
 * @return a new registry (free with ld_registry_free()), or NULL on allocation failure.
 */
LD_EXTERN ld_registry *ld_registry_new(void);

/** Run the cleanups (last added first) and free the registry. NULL is ignored. */
LD_EXTERN void ld_registry_free(ld_registry *registry);

/**
 * Register the SingleFileParser.
 *
 * @param impl borrowed; must outlive the registry. Its version must be >= 1.
 * @return LD_OK; LD_ERR_INVALID if @p impl is NULL, its version is < 1, or a
 *         SingleFileParser is already registered (see ld_registry_last_error()).
 */
LD_EXTERN int ld_registry_set_single_file_parser(ld_registry *registry,
                                                 const ld_single_file_parser *impl);
/** Register the QueueMessageReader. As ld_registry_set_single_file_parser(). */
LD_EXTERN int ld_registry_set_queue_message_reader(ld_registry *registry,
                                                   const ld_queue_message_reader *impl);
/** Register the KinesisRecordReader. As ld_registry_set_single_file_parser(). */
LD_EXTERN int ld_registry_set_kinesis_record_reader(ld_registry *registry,
                                                    const ld_kinesis_record_reader *impl);
/** Register the DynamoDBStreamsRecordReader. As ld_registry_set_single_file_parser(). */
LD_EXTERN int ld_registry_set_dynamodb_streams_record_reader(
    ld_registry *registry, const ld_dynamodb_streams_record_reader *impl);
/** Register the DynamoDBTableItemReader. As ld_registry_set_single_file_parser(). */
LD_EXTERN int ld_registry_set_dynamodb_table_item_reader(
    ld_registry *registry, const ld_dynamodb_table_item_reader *impl);
/** Register the SagemakerVectorsInterface. As ld_registry_set_single_file_parser(). */
LD_EXTERN int ld_registry_set_sagemaker_vectors_interface(
    ld_registry *registry, const ld_sagemaker_vectors_interface *impl);
/** Register the SparkMapperInterface. As ld_registry_set_single_file_parser(). */
LD_EXTERN int ld_registry_set_spark_mapper_interface(ld_registry *registry,
                                                     const ld_spark_mapper_interface *impl);
/** Register the SparkReducerInterface. As ld_registry_set_single_file_parser(). */
LD_EXTERN int ld_registry_set_spark_reducer_interface(
    ld_registry *registry, const ld_spark_reducer_interface *impl);

/** The registered SingleFileParser (borrowed), or NULL. */
LD_EXTERN const ld_single_file_parser *
ld_registry_single_file_parser(const ld_registry *registry);
/** The registered QueueMessageReader (borrowed), or NULL. */
LD_EXTERN const ld_queue_message_reader *
ld_registry_queue_message_reader(const ld_registry *registry);
/** The registered KinesisRecordReader (borrowed), or NULL. */
LD_EXTERN const ld_kinesis_record_reader *
ld_registry_kinesis_record_reader(const ld_registry *registry);
/** The registered DynamoDBStreamsRecordReader (borrowed), or NULL. */
LD_EXTERN const ld_dynamodb_streams_record_reader *
ld_registry_dynamodb_streams_record_reader(const ld_registry *registry);
/** The registered DynamoDBTableItemReader (borrowed), or NULL. */
LD_EXTERN const ld_dynamodb_table_item_reader *
ld_registry_dynamodb_table_item_reader(const ld_registry *registry);
/** The registered SagemakerVectorsInterface (borrowed), or NULL. */
LD_EXTERN const ld_sagemaker_vectors_interface *
ld_registry_sagemaker_vectors_interface(const ld_registry *registry);
/** The registered SparkMapperInterface (borrowed), or NULL. */
LD_EXTERN const ld_spark_mapper_interface *
ld_registry_spark_mapper_interface(const ld_registry *registry);
/** The registered SparkReducerInterface (borrowed), or NULL. */
LD_EXTERN const ld_spark_reducer_interface *
ld_registry_spark_reducer_interface(const ld_registry *registry);

/** Non-zero when an implementation of @p interface_id is registered. */
LD_EXTERN int ld_registry_has(const ld_registry *registry, ld_interface interface_id);

/**
 * The wire names of the registered interfaces, in ::ld_interface order and separated by
 * ", " (e.g. "SingleFileParser, SagemakerVectorsInterface"), for messages that say what
 * a handler did register.
 *
 * @param out  receives NUL-terminated text (cut to fit; "" when nothing is registered).
 * @param size the room in @p out, including the NUL; 0 writes nothing.
 * @return how many interfaces are registered.
 */
LD_EXTERN int ld_registry_list_interfaces(const ld_registry *registry, char *out,
                                          size_t size);

/**
 * Call @p cleanup(@p payload) when the registry is freed (e.g. to free a payload the
 * registration function allocated). Cleanups run last-added first.
 * @return LD_OK or LD_ERR_NOMEM (in which case @p cleanup is called at once).
 */
LD_EXTERN int ld_registry_add_cleanup(ld_registry *registry, void (*cleanup)(void *),
                                      void *payload);

/** Why the last registration call failed; borrowed, "" when none did. */
LD_EXTERN const char *ld_registry_last_error(const ld_registry *registry);

#ifdef __cplusplus
}
#endif

#endif /* LETSDATA_REGISTRY_H */
