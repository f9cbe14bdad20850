/*
 * dynamodb_streams_reader.c - a DynamoDBStreamsRecordReader: each change record's new
 * image becomes a Document; deletes (no new image) are skipped.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>

#include "examples.h"

static int parse_record(ld_context *ctx, void *payload, const char *stream_arn,
                        const char *shard_id, const char *event_id, const char *event_name,
                        const char *identity_principal_id, const char *identity_type,
                        const char *sequence_number, int64_t size_bytes,
                        const char *stream_view_type, int64_t approximate_creation_date_time,
                        json_t *keys, json_t *old_image, json_t *new_image,
                        ld_parse_document_result *result)
{
    (void)payload; (void)stream_arn; (void)shard_id; (void)event_id; (void)event_name;
    (void)identity_principal_id; (void)identity_type; (void)size_bytes;
    (void)stream_view_type; (void)approximate_creation_date_time; (void)old_image;

    char *doc_id = ld_example_join_keys(ctx, keys);
    ld_document *doc;
    ld_parse_status status;
    ld_error error;
    if (doc_id == NULL) {
        /* Not a call failure: the record goes to the error destination. */
        char message[600], id[LD_UUID_STRING_LENGTH + 1];
        snprintf(message, sizeof message, "Exception - %s", ld_context_error_message(ctx));
        ld_context_clear_error(ctx);
        ld_uuid_v4(id);
        doc = ld_document_create(
            &LD_DOCUMENT_OPTIONS(
                .type = LD_DOC_ERROR, .document_id = id, .record_type = "KINESIS_ERROR",
                .partition_key = id, .metadata = json_object(), .key_values = json_object(),
                .start_offset_map = ld_offset_map_new_string("sequenceNumber", sequence_number),
                .end_offset_map = ld_offset_map_new_string("sequenceNumber", sequence_number),
                .message = message),
            &error);
        status = LD_PARSE_ERROR;
    } else if (json_object_size(new_image) == 0) {
        doc = ld_document_create(
            &LD_DOCUMENT_OPTIONS(
                .type = LD_DOC_SKIP, .document_id = doc_id,
                .record_type = "DYNAMODBSTREAMS_SKIP", .partition_key = doc_id,
                .metadata = json_object(), .key_values = json_object(),
                .start_offset_map = ld_offset_map_new_string("sequenceNumber", sequence_number),
                .end_offset_map = ld_offset_map_new_string("sequenceNumber", sequence_number),
                .message = "delete record"),
            &error);
        status = LD_PARSE_SKIP;
    } else {
        doc = ld_document_create(&LD_DOCUMENT_OPTIONS(.document_id = doc_id,
                                                      .record_type = "DOCUMENT",
                                                      .partition_key = doc_id,
                                                      .metadata = json_object(),
                                                      .key_values = json_incref(new_image)),
                                 &error);
        status = LD_PARSE_SUCCESS;
    }
    free(doc_id);
    if (doc == NULL)
        return ld_example_document_failed(ctx, &error);
    ld_parse_document_result_set(result, status, doc);
    return LD_OK;
}

const ld_dynamodb_streams_record_reader ld_example_dynamodb_streams_reader = {
    .version = LD_DYNAMODB_STREAMS_RECORD_READER_VERSION,
    .parse_record = parse_record,
};
