/*
 * kinesis_reader.c - a KinesisRecordReader: each record's data is a JSON document
 * with a documentId.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>

#include "examples.h"

/* ERROR result with {"sequenceNumber": ...} offset maps, so the record can be found. */
static int kinesis_error(ld_context *ctx, const char *partition_key,
                         const char *sequence_number, const char *message,
                         ld_parse_document_result *result)
{
    char id[LD_UUID_STRING_LENGTH + 1];
    ld_uuid_v4(id);
    ld_error error;
    ld_document *doc = ld_document_create(
        &LD_DOCUMENT_OPTIONS(
            .type = LD_DOC_ERROR, .document_id = id, .record_type = "KINESIS_ERROR",
            .partition_key = partition_key, .metadata = json_object(),
            .key_values = json_object(),
            .start_offset_map = ld_offset_map_new_string("sequenceNumber", sequence_number),
            .end_offset_map = ld_offset_map_new_string("sequenceNumber", sequence_number),
            .message = message),
        &error);
    if (doc == NULL)
        return ld_example_document_failed(ctx, &error);
    ld_parse_document_result_set(result, LD_PARSE_ERROR, doc);
    return LD_OK;
}

static int parse_message(ld_context *ctx, void *payload, const char *stream_arn,
                         const char *shard_id, const char *partition_key,
                         const char *sequence_number, int64_t approximate_arrival_timestamp,
                         const char *data, size_t data_length,
                         ld_parse_document_result *result)
{
    (void)payload;
    (void)stream_arn;
    (void)shard_id;
    (void)approximate_arrival_timestamp;
    if (data_length == 0)
        return kinesis_error(ctx, partition_key, sequence_number, "empty message body", result);

    ld_error error = {0};
    json_t *object = ld_json_parse(data, data_length, &error);
    const char *document_id = json_string_value(json_object_get(object, "documentId"));
    if (object == NULL || !json_is_object(object) || document_id == NULL) {
        char message[600];
        snprintf(message, sizeof message, "Exception - %s",
                 object == NULL            ? error.message
                 : !json_is_object(object) ? "the record data is not a JSON object"
                                           : "the record has no string 'documentId'");
        json_decref(object);
        return kinesis_error(ctx, partition_key, sequence_number, message, result);
    }
    ld_document *doc = ld_document_create(
        &LD_DOCUMENT_OPTIONS(.document_id = document_id, .record_type = "DOCUMENT",
                             .partition_key = partition_key, .metadata = json_object(),
                             .key_values = object),
        &error);
    if (doc == NULL)
        return ld_example_document_failed(ctx, &error);
    ld_parse_document_result_set(result, LD_PARSE_SUCCESS, doc);
    return LD_OK;
}

const ld_kinesis_record_reader ld_example_kinesis_reader = {
    .version = LD_KINESIS_RECORD_READER_VERSION,
    .parse_message = parse_message,
};
