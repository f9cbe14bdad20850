/*
 * examples.c - register all example handlers.
 *
 * SPDX-License-Identifier: MIT
 */
#include "examples.h"

int ld_examples_register(ld_registry *registry)
{
    int rc;
    if ((rc = ld_registry_set_single_file_parser(registry, &ld_example_wet_parser)) != LD_OK ||
        (rc = ld_registry_set_queue_message_reader(registry, &ld_example_sqs_reader)) != LD_OK ||
        (rc = ld_registry_set_kinesis_record_reader(registry, &ld_example_kinesis_reader)) !=
            LD_OK ||
        (rc = ld_registry_set_dynamodb_streams_record_reader(
             registry, &ld_example_dynamodb_streams_reader)) != LD_OK ||
        (rc = ld_registry_set_dynamodb_table_item_reader(registry,
                                                         &ld_example_dynamodb_table_reader)) !=
            LD_OK ||
        (rc = ld_registry_set_sagemaker_vectors_interface(registry,
                                                          &ld_example_sagemaker_vectors)) != LD_OK)
        return rc;
#ifdef LD_EXAMPLES_SPARK
    if ((rc = ld_registry_set_spark_mapper_interface(registry,
                                                     &ld_example_spark_mapper_on_demand)) !=
            LD_OK ||
        (rc = ld_registry_set_spark_reducer_interface(registry,
                                                      &ld_example_spark_reducer_on_demand)) !=
            LD_OK)
        return rc;
#endif
    return LD_OK;
}
