/*
 * dynamodb_table_reader.c - a DynamoDBTableItemReader: each table item becomes a
 * Document keyed by its key values; an empty item is an error record.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>

#include "examples.h"

static ld_document *table_error(const char *id, json_t *keys, const char *message)
{
    return ld_error_doc_new(id, "DDB_ERROR", id, json_object(), json_object(),
                            json_pack("{s:O}", "keys", keys), json_pack("{s:O}", "keys", keys),
                            message);
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
    if (doc_id == NULL) {
        char message[600], id[LD_UUID_STRING_LENGTH + 1];
        snprintf(message, sizeof message, "Exception - %s", ld_context_error_message(ctx));
        ld_context_clear_error(ctx);
        ld_uuid_v4(id);
        doc = table_error(id, keys, message);
    } else if (json_object_size(item) == 0) {
        doc = table_error(doc_id, keys, "empty record");
    } else {
        doc = ld_document_new(doc_id, "DOCUMENT", doc_id, json_object(), json_incref(item));
        status = LD_PARSE_SUCCESS;
    }
    free(doc_id);
    if (doc == NULL)
        return ld_context_fail(ctx, "MemoryError", "out of memory");
    ld_parse_document_result_set(result, status, doc);
    return LD_OK;
}

const ld_dynamodb_table_item_reader ld_example_dynamodb_table_reader = {
    .version = LD_DYNAMODB_TABLE_ITEM_READER_VERSION,
    .parse_dynamodb_item = parse_item,
};
