/*
 * letsdata/queue_message_reader.h - the QueueMessageReader interface (SQS).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LETSDATA_QUEUE_MESSAGE_READER_H
#define LETSDATA_QUEUE_MESSAGE_READER_H

/**
 * @file letsdata/queue_message_reader.h
 * @brief Parse SQS messages into documents.
 *
 * Calling conventions: see letsdata/single_file_parser.h.
 */

#include <stddef.h>

#include <jansson.h>

#include <letsdata/common.h>
#include <letsdata/context.h>
#include <letsdata/model.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The version of ld_queue_message_reader this header describes. */
#define LD_QUEUE_MESSAGE_READER_VERSION 1

/** QueueMessageReader. Methods are only ever appended (see @c version). */
typedef struct ld_queue_message_reader {
    /** LD_QUEUE_MESSAGE_READER_VERSION. */
    int version;
    /** Passed unchanged to every method. */
    void *payload;

    /**
     * parseMessage: one SQS message.
     *
     * @param message_id               the SQS message id.
     * @param message_group_id         FIFO group id, or NULL when absent.
     * @param message_deduplication_id FIFO deduplication id, or NULL when absent.
     * @param message_attributes       borrowed JSON object; the handler may json_incref()
     *                                 it to keep it beyond the call.
     * @param message_body             the body, NUL-terminated; may contain NUL bytes.
     * @param message_body_length      its length in bytes.
     * @param[out] result              see ld_parse_document_result.
     */
    int (*parse_message)(ld_context *ctx, void *payload, const char *message_id,
                         const char *message_group_id,
                         const char *message_deduplication_id, json_t *message_attributes,
                         const char *message_body, size_t message_body_length,
                         ld_parse_document_result *result);
} ld_queue_message_reader;

/** Initialiser: current version, everything else NULL. */
#define LD_QUEUE_MESSAGE_READER_INIT { LD_QUEUE_MESSAGE_READER_VERSION, NULL, NULL }

#ifdef __cplusplus
}
#endif

#endif /* LETSDATA_QUEUE_MESSAGE_READER_H */
