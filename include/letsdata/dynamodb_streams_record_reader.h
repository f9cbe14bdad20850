/*
 * letsdata/dynamodb_streams_record_reader.h - the DynamoDBStreamsRecordReader interface.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LETSDATA_DYNAMODB_STREAMS_RECORD_READER_H
#define LETSDATA_DYNAMODB_STREAMS_RECORD_READER_H

/**
 * @file letsdata/dynamodb_streams_record_reader.h
 * @brief Parse DynamoDB Streams records into documents.
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

/** The version of ld_dynamodb_streams_record_reader this header describes. */
#define LD_DYNAMODB_STREAMS_RECORD_READER_VERSION 1

/** DynamoDBStreamsRecordReader. Methods are only ever appended (see @c version). */
typedef struct ld_dynamodb_streams_record_reader {
    /** LD_DYNAMODB_STREAMS_RECORD_READER_VERSION. */
    int version;
    /** Passed unchanged to every method. */
    void *payload;

    /**
     * parseRecord: one stream record.
     *
     * @param stream_arn                     the stream's ARN.
     * @param shard_id                       the shard.
     * @param event_id                       the event id.
     * @param event_name                     INSERT, MODIFY or REMOVE.
     * @param identity_principal_id          NULL when the request has null.
     * @param identity_type                  NULL when the request has null.
     * @param sequence_number                the record's sequence number.
     * @param size_bytes                     the record's size.
     * @param stream_view_type               e.g. NEW_AND_OLD_IMAGES.
     * @param approximate_creation_date_time seconds since the Unix epoch.
     * @param keys                           borrowed JSON object (the item's keys).
     * @param old_image                      borrowed JSON object (may be empty).
     * @param new_image                      borrowed JSON object (empty for deletes).
     * @param[out] result                    see ld_parse_document_result.
     *
     * The JSON arguments may be json_incref()'ed to keep them beyond the call.
     */
    int (*parse_record)(ld_context *ctx, void *payload, const char *stream_arn,
                        const char *shard_id, const char *event_id, const char *event_name,
                        const char *identity_principal_id, const char *identity_type,
                        const char *sequence_number, int64_t size_bytes,
                        const char *stream_view_type,
                        int64_t approximate_creation_date_time, json_t *keys,
                        json_t *old_image, json_t *new_image,
                        ld_parse_document_result *result);
} ld_dynamodb_streams_record_reader;

/** Initialiser: current version, everything else NULL. */
#define LD_DYNAMODB_STREAMS_RECORD_READER_INIT { LD_DYNAMODB_STREAMS_RECORD_READER_VERSION, NULL, NULL }

#ifdef __cplusplus
}
#endif

#endif /* LETSDATA_DYNAMODB_STREAMS_RECORD_READER_H */
