/*
 * dynamodb_streams_reader.c - a DynamoDBStreamsRecordReader: each change record's new
 * image becomes a Document; deletes (no new image) are skipped.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>

#include "examples.h"

static json_t *sequence_map(const char *sequence_number)
{
    return json_pack("{s:s}", "sequenceNumber", sequence_number);
}

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
    if (doc_id == NULL) {
        /* Not a call failure: the record goes to the error destination. */
        char message[600], id[LD_UUID_STRING_LENGTH + 1];
        snprintf(message, sizeof message, "Exception - %s", ld_context_error_message(ctx));
        ld_context_clear_error(ctx);
        ld_uuid_v4(id);
        doc = ld_error_doc_new(id, "KINESIS_ERROR", id, json_object(), json_object(),
                               sequence_map(sequence_number), sequence_map(sequence_number),
                               message);
        status = LD_PARSE_ERROR;
    } else if (json_object_size(new_image) == 0) {
        doc = ld_skip_doc_new(doc_id, "DYNAMODBSTREAMS_SKIP", doc_id, json_object(),
                              json_object(), sequence_map(sequence_number),
                              sequence_map(sequence_number), "delete record");
        status = LD_PARSE_SKIP;
    } else {
        doc = ld_document_new(doc_id, "DOCUMENT", doc_id, json_object(), json_incref(new_image));
        status = LD_PARSE_SUCCESS;
    }
    free(doc_id);
    if (doc == NULL)
        return ld_context_fail(ctx, "MemoryError", "out of memory");
    ld_parse_document_result_set(result, status, doc);
    return LD_OK;
}

const ld_dynamodb_streams_record_reader ld_example_dynamodb_streams_reader = {
    .version = LD_DYNAMODB_STREAMS_RECORD_READER_VERSION,
    .parse_record = parse_record,
};
