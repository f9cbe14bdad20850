/*
 * sqs_reader.c - a QueueMessageReader: each SQS message body is a JSON document.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>

#include "examples.h"

/* ERROR result: an ErrorDoc with a new UUID, no offset maps, and the message. */
static int sqs_error(ld_context *ctx, const char *message_id, const char *message,
                     ld_parse_document_result *result)
{
    char id[LD_UUID_STRING_LENGTH + 1];
    ld_uuid_v4(id);
    ld_error error;
    ld_document *doc = ld_document_create(
        &LD_DOCUMENT_OPTIONS(.type = LD_DOC_ERROR, .document_id = id,
                             .record_type = "SQS_ERROR", .partition_key = message_id,
                             .metadata = json_object(), .key_values = json_object(),
                             .message = message),
        &error);
    if (doc == NULL)
        return ld_example_document_failed(ctx, &error);
    ld_parse_document_result_set(result, LD_PARSE_ERROR, doc);
    return LD_OK;
}

static int parse_message(ld_context *ctx, void *payload, const char *message_id,
                         const char *message_group_id, const char *message_deduplication_id,
                         json_t *message_attributes, const char *message_body,
                         size_t message_body_length, ld_parse_document_result *result)
{
    (void)payload;
    (void)message_group_id;
    (void)message_deduplication_id;
    (void)message_attributes;
    if (ld_example_is_blank(message_body, message_body_length))
        return sqs_error(ctx, message_id, "empty message body", result);

    ld_error error = {0};
    json_t *body = ld_json_parse(message_body, message_body_length, &error);
    if (body == NULL || !json_is_object(body)) {
        char message[600];
        snprintf(message, sizeof message, "JSONDecodeError - %s",
                 body == NULL ? error.message : "the message body is not a JSON object");
        json_decref(body);
        return sqs_error(ctx, message_id, message, result);
    }
    ld_document *doc = ld_document_create(
        &LD_DOCUMENT_OPTIONS(
            .document_id = json_string_value(json_object_get(body, "documentId")),
            .record_type = "DOCUMENT",
            .partition_key = json_string_value(json_object_get(body, "partitionKey")),
            .metadata = json_object(), .key_values = body),
        &error);
    if (doc == NULL)
        return ld_example_document_failed(ctx, &error);
    char next[LD_UUID_STRING_LENGTH + 1];
    ld_uuid_v4(next);
    if (ld_parse_document_result_set_next_record_type(result, next) != LD_OK) {
        ld_document_free(doc);
        return ld_context_fail(ctx, "MemoryError", "out of memory");
    }
    ld_parse_document_result_set(result, LD_PARSE_SUCCESS, doc);
    return LD_OK;
}

const ld_queue_message_reader ld_example_sqs_reader = {
    .version = LD_QUEUE_MESSAGE_READER_VERSION,
    .parse_message = parse_message,
};
