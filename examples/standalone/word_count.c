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
    if (data_length == 0) {
        doc = ld_error_doc_new(sequence_number, "WORDS_ERROR", partition_key, NULL, NULL,
                               json_pack("{s:s}", "sequenceNumber", sequence_number),
                               json_pack("{s:s}", "sequenceNumber", sequence_number),
                               "empty record");
        if (doc == NULL)
            return ld_context_fail(ctx, "MemoryError", "out of memory");
        ld_parse_document_result_set(result, LD_PARSE_ERROR, doc);
        return LD_OK;
    }
    LD_DEBUG(ctx, "record %s: %zu bytes", sequence_number, data_length);
    doc = ld_document_new(sequence_number, "WORDS", partition_key, json_object(),
                          json_pack("{s:s%, s:I}", "text", data, data_length, "words",
                                    count_words(data, data_length)));
    if (doc == NULL)
        return ld_context_fail(ctx, "MemoryError", "out of memory (or the text is not UTF-8)");
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
