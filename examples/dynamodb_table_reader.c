/*
 * dynamodb_table_reader.c - a DynamoDBTableItemReader: each table item becomes a
 * Document keyed by its key values; an empty item is an error record.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>

#include "examples.h"

/* An ErrorDoc located by the item's keys: {"keys": {...}} as both offset maps. */
static ld_document *table_error(const char *id, json_t *keys, const char *message,
                                ld_error *error)
{
    return ld_document_create(
        &LD_DOCUMENT_OPTIONS(.type = LD_DOC_ERROR, .document_id = id,
                             .record_type = "DDB_ERROR", .partition_key = id,
                             .metadata = json_object(), .key_values = json_object(),
                             .start_offset_map = json_pack("{s:O}", "keys", keys),
                             .end_offset_map = json_pack("{s:O}", "keys", keys),
                             .message = message),
        error);
}

static int parse_item(ld_context *ctx, void *payload, const char *table_name,
                      int64_t segment_number, json_t *keys, json_t *item,
                      ld_parse_document_result *result)
{
    (void)payload;
    (void)table_name;
    (void)segment_number;
    char *doc_id = ld_example_join_keys(ctx, keys);
    ld_document *doc;
    ld_parse_status status = LD_PARSE_ERROR;
    ld_error error;
    if (doc_id == NULL) {
        char message[600], id[LD_UUID_STRING_LENGTH + 1];
        snprintf(message, sizeof message, "Exception - %s", ld_context_error_message(ctx));
        ld_context_clear_error(ctx);
        ld_uuid_v4(id);
        doc = table_error(id, keys, message, &error);
    } else if (json_object_size(item) == 0) {
        doc = table_error(doc_id, keys, "empty record", &error);
    } else {
        doc = ld_document_create(&LD_DOCUMENT_OPTIONS(.document_id = doc_id,
                                                      .record_type = "DOCUMENT",
                                                      .partition_key = doc_id,
                                                      .metadata = json_object(),
                                                      .key_values = json_incref(item)),
                                 &error);
        status = LD_PARSE_SUCCESS;
    }
    free(doc_id);
    if (doc == NULL)
        return ld_example_document_failed(ctx, &error);
    ld_parse_document_result_set(result, status, doc);
    return LD_OK;
}

const ld_dynamodb_table_item_reader ld_example_dynamodb_table_reader = {
    .version = LD_DYNAMODB_TABLE_ITEM_READER_VERSION,
    .parse_dynamodb_item = parse_item,
};
