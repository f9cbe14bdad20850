/*
 * letsdata/single_file_parser.h - the SingleFileParser interface (S3 files).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LETSDATA_SINGLE_FILE_PARSER_H
#define LETSDATA_SINGLE_FILE_PARSER_H

/**
 * @file letsdata/single_file_parser.h
 * @brief Parse records out of S3 files (readerType SINGLEFILEREADER).
 *
 * LetsData (or the local runner) asks the parser for its file type and for the
 * patterns that start and end a record, splits the file into records with them, and
 * calls parse_document() once per record.
 *
 * Calling conventions shared by every interface (see docs/interfaces.md):
 * - every method receives the invocation context (borrowed) and the interface's
 *   @c payload;
 * - a method returns LD_OK, or fails through ld_context_fail() (returning its value);
 *   any other non-zero return also fails the call;
 * - string inputs are borrowed, NUL-terminated UTF-8, valid for the call;
 * - string outputs (`char **out`) must be set to a new string allocated with malloc
 *   (ld_strdup() will do); the caller frees it;
 * - a NULL method means "not implemented": the runtime answers "Not Yet Implemented".
 */

#include <stddef.h>
#include <stdint.h>

#include <letsdata/common.h>
#include <letsdata/context.h>
#include <letsdata/model.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The version of ld_single_file_parser this header describes. */
#define LD_SINGLE_FILE_PARSER_VERSION 1

/**
 * SingleFileParser. Methods are only ever appended; the host checks @c version before
 * calling a method added after version 1.
 */
typedef struct ld_single_file_parser {
    /** LD_SINGLE_FILE_PARSER_VERSION when compiled; set by LD_SINGLE_FILE_PARSER_INIT. */
    int version;
    /** Passed unchanged to every method. Owned by the handler. */
    void *payload;

    /**
     * getS3FileType: the file type this parser handles (e.g. "WET").
     * @param[out] file_type a new malloc'ed string.
     */
    int (*get_s3_file_type)(ld_context *ctx, void *payload, char **file_type);

    /**
     * getResolvedS3FileName: the S3 key actually read for a manifest entry.
     * @param[out] resolved_file_name a new malloc'ed string.
     */
    int (*get_resolved_s3_file_name)(ld_context *ctx, void *payload,
                                     const char *s3_file_type, const char *file_name,
                                     char **resolved_file_name);

    /**
     * getRecordStartPattern: where a record starts.
     * @param[out] hint initialised by the caller; fill with ld_record_parse_hint_set_*().
     */
    int (*get_record_start_pattern)(ld_context *ctx, void *payload,
                                    const char *s3_file_type, ld_record_parse_hint *hint);

    /** getRecordEndPattern: where a record ends. As get_record_start_pattern. */
    int (*get_record_end_pattern)(ld_context *ctx, void *payload,
                                  const char *s3_file_type, ld_record_parse_hint *hint);

    /**
     * parseDocument: turn one record into a document.
     *
     * @param s3_file_type the file's type.
     * @param file_name    the file being read.
     * @param offset_bytes offset of the record's first byte in the (decompressed) file.
     * @param buffer       bytes; the record is buffer[start_index, end_index). Not
     *                     necessarily NUL-terminated at end_index; may contain NUL.
     * @param start_index  first byte of the record.
     * @param end_index    one past the last byte of the record.
     * @param[out] result  initialised by the caller; the handler sets status, document
     *                     and optionally next_record_type.
     */
    int (*parse_document)(ld_context *ctx, void *payload, const char *s3_file_type,
                          const char *file_name, int64_t offset_bytes, const char *buffer,
                          size_t start_index, size_t end_index,
                          ld_parse_document_result *result);
} ld_single_file_parser;

/** Initialiser: current version, everything else NULL. */
#define LD_SINGLE_FILE_PARSER_INIT { LD_SINGLE_FILE_PARSER_VERSION, NULL, NULL, NULL, NULL, NULL, NULL }

#ifdef __cplusplus
}
#endif

#endif /* LETSDATA_SINGLE_FILE_PARSER_H */
