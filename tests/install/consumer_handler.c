/*
 * consumer_handler.c - a KinesisRecordReader in an out-of-tree CMake project (see
 * tests/install/cmake): each record becomes a Document with its text (invalid UTF-8
 * replaced, as Python does) and a score.
 *
 * SPDX-License-Identifier: MIT
 */
#include <letsdata/letsdata.h>

#include "consumer_handler.h"

static int parse_message(ld_context *ctx, void *payload, const char *stream_arn,
                         const char *shard_id, const char *partition_key,
                         const char *sequence_number, int64_t approximate_arrival_timestamp,
                         const char *data, size_t data_length, ld_parse_document_result *result)
{
    (void)payload;
    (void)stream_arn;
    (void)shard_id;
    (void)approximate_arrival_timestamp;
    ld_error error;
    ld_document *doc = ld_document_create(
        &LD_DOCUMENT_OPTIONS(.document_id = sequence_number, .record_type = "TEXT",
                             .partition_key = partition_key,
                             .key_values = json_pack("{s:o, s:f}", "text",
                                                     ld_json_string_lossy(data, data_length),
                                                     "score", 6.77)),
        &error);
    if (doc == NULL)
        return ld_context_fail(ctx, "DocumentError", "%s", error.message);
    ld_parse_document_result_set(result, LD_PARSE_SUCCESS, doc);
    return LD_OK;
}

static const ld_kinesis_record_reader reader = {
    .version = LD_KINESIS_RECORD_READER_VERSION,
    .parse_message = parse_message,
};

int consumer_register(ld_registry *registry)
{
    return ld_registry_set_kinesis_record_reader(registry, &reader);
}
