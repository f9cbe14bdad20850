/*
 * letsdata/kinesis_record_reader.h - the KinesisRecordReader interface.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LETSDATA_KINESIS_RECORD_READER_H
#define LETSDATA_KINESIS_RECORD_READER_H

/**
 * @file letsdata/kinesis_record_reader.h
 * @brief Parse Kinesis stream records into documents.
 *
 * Calling conventions: see letsdata/single_file_parser.h.
 */

#include <stddef.h>
#include <stdint.h>

#include <letsdata/common.h>
#include <letsdata/context.h>
#include <letsdata/model.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The version of ld_kinesis_record_reader this header describes. */
#define LD_KINESIS_RECORD_READER_VERSION 1

/** KinesisRecordReader. Methods are only ever appended (see @c version). */
typedef struct ld_kinesis_record_reader {
    /** LD_KINESIS_RECORD_READER_VERSION. */
    int version;
    /** Passed unchanged to every method. */
    void *payload;

    /**
     * parseMessage: one Kinesis record.
     *
     * @param stream_arn                    the stream's ARN.
     * @param shard_id                      the shard.
     * @param partition_key                 the record's partition key.
     * @param sequence_number               the record's sequence number (a decimal string
     *                                      that does not fit 64 bits).
     * @param approximate_arrival_timestamp milliseconds since the Unix epoch.
     * @param data                          the record data, NUL-terminated; may contain NUL.
     * @param data_length                   its length in bytes.
     * @param[out] result                   see ld_parse_document_result.
     */
    int (*parse_message)(ld_context *ctx, void *payload, const char *stream_arn,
                         const char *shard_id, const char *partition_key,
                         const char *sequence_number,
                         int64_t approximate_arrival_timestamp, const char *data,
                         size_t data_length, ld_parse_document_result *result);
} ld_kinesis_record_reader;

/** Initialiser: current version, everything else NULL. */
#define LD_KINESIS_RECORD_READER_INIT { LD_KINESIS_RECORD_READER_VERSION, NULL, NULL }

#ifdef __cplusplus
}
#endif

#endif /* LETSDATA_KINESIS_RECORD_READER_H */
