/*
 * word_count.c - an example customer handler, built out of tree against the installed
 * SDK: a KinesisRecordReader whose records are plain text lines; each becomes a
 * Document with the line and its word count. Empty records go to the error destination.
 *
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <string.h>

#include <letsdata/letsdata.h>

#include "word_count.h"

static json_int_t count_words(const char *text, size_t length)
{
    json_int_t words = 0;
    int in_word = 0;
    for (size_t i = 0; i < length; i++) {
        int space = isspace((unsigned char)text[i]);
        if (!space && !in_word)
            words++;
        in_word = !space;
    }
    return words;
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
    ld_document *doc;
    ld_error error;
    if (data_length == 0) {
        doc = ld_document_create(
            &LD_DOCUMENT_OPTIONS(
                .type = LD_DOC_ERROR, .document_id = sequence_number,
                .record_type = "WORDS_ERROR", .partition_key = partition_key,
                .start_offset_map = ld_offset_map_new_string("sequenceNumber", sequence_number),
                .end_offset_map = ld_offset_map_new_string("sequenceNumber", sequence_number),
                .message = "empty record"),
            &error);
        if (doc == NULL)
            return ld_context_fail(ctx, "DocumentError", "%s", error.message);
        ld_parse_document_result_set(result, LD_PARSE_ERROR, doc);
        return LD_OK;
    }
    LD_DEBUG(ctx, "record %s: %zu bytes", sequence_number, data_length);
    /* Records are bytes: invalid UTF-8 becomes U+FFFD (as Python's errors="replace")
     * instead of failing the whole record. */
    doc = ld_document_create(
        &LD_DOCUMENT_OPTIONS(.document_id = sequence_number, .record_type = "WORDS",
                             .partition_key = partition_key, .metadata = json_object(),
                             .key_values = json_pack("{s:o, s:I}", "text",
                                                     ld_json_string_lossy(data, data_length),
                                                     "words", count_words(data, data_length))),
        &error);
    if (doc == NULL)
        return ld_context_fail(ctx, "DocumentError", "%s", error.message);
    ld_parse_document_result_set(result, LD_PARSE_SUCCESS, doc);
    return LD_OK;
}

const ld_kinesis_record_reader word_count_reader = {
    .version = LD_KINESIS_RECORD_READER_VERSION,
    .parse_message = parse_message,
};

int word_count_register(ld_registry *registry)
{
    return ld_registry_set_kinesis_record_reader(registry, &word_count_reader);
}
