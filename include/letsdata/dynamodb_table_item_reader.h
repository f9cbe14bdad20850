/*
 * letsdata/dynamodb_table_item_reader.h - the DynamoDBTableItemReader interface.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LETSDATA_DYNAMODB_TABLE_ITEM_READER_H
#define LETSDATA_DYNAMODB_TABLE_ITEM_READER_H

/**
 * @file letsdata/dynamodb_table_item_reader.h
 * @brief Parse items of a DynamoDB table scan into documents.
 *
 * Calling conventions: see letsdata/single_file_parser.h.
 */

#include <stdint.h>

#include <jansson.h>

#include <letsdata/common.h>
#include <letsdata/context.h>
#include <letsdata/model.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The version of ld_dynamodb_table_item_reader this header describes. */
#define LD_DYNAMODB_TABLE_ITEM_READER_VERSION 1

/** DynamoDBTableItemReader. Methods are only ever appended (see @c version). */
typedef struct ld_dynamodb_table_item_reader {
    /** LD_DYNAMODB_TABLE_ITEM_READER_VERSION. */
    int version;
    /** Passed unchanged to every method. */
    void *payload;

    /**
     * parseDynamoDBItem: one item.
     *
     * @param table_name     the table scanned.
     * @param segment_number the parallel-scan segment.
     * @param keys           borrowed JSON object (the item's keys).
     * @param item           borrowed JSON object (the item; may be empty).
     * @param[out] result    see ld_parse_document_result.
     */
    int (*parse_dynamodb_item)(ld_context *ctx, void *payload, const char *table_name,
                               int64_t segment_number, json_t *keys, json_t *item,
                               ld_parse_document_result *result);
} ld_dynamodb_table_item_reader;

/** Initialiser: current version, everything else NULL. */
#define LD_DYNAMODB_TABLE_ITEM_READER_INIT { LD_DYNAMODB_TABLE_ITEM_READER_VERSION, NULL, NULL }

#ifdef __cplusplus
}
#endif

#endif /* LETSDATA_DYNAMODB_TABLE_ITEM_READER_H */
