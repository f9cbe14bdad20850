/*
 * letsdata/model.h - ParseDocumentResult and RecordParseHint.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LETSDATA_MODEL_H
#define LETSDATA_MODEL_H

/**
 * @file letsdata/model.h
 * @brief The plain structs handlers fill in: parse results and record hints.
 *
 * Both are public structs that the *caller* (the runtime, the local runner or a test)
 * allocates and initialises with the `_INIT` macro, and that the handler fills in.
 * Whatever the handler stores in them becomes owned by the struct and is released by
 * the matching `_clear` function, which the caller calls once it is done:
 *
 * @code
 * ld_parse_document_result result = LD_PARSE_DOCUMENT_RESULT_INIT;
 * rc = parser->parse_document(ctx, parser->payload, ..., &result);
 * ... use result ...
 * ld_parse_document_result_clear(&result);
 * @endcode
 */

#include <stdint.h>

#include <jansson.h>

#include <letsdata/common.h>
#include <letsdata/document.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The outcome of parsing one record. */
typedef enum ld_parse_status {
    LD_PARSE_SUCCESS = 0, /**< "SUCCESS": the document is a Document for the destination. */
    LD_PARSE_ERROR = 1,   /**< "ERROR": the document is an ErrorDoc. */
    LD_PARSE_SKIP = 2     /**< "SKIP": the document is a SkipDoc (or NULL). */
} ld_parse_status;

/**
 * ParseDocumentResult: what parseDocument / parseMessage / parseRecord /
 * parseDynamoDBItem return.
 *
 * Wire JSON: `{"nextRecordType": s|null, "document": DOCUMENT|null, "status": "SUCCESS"}`.
 *
 * Rules the runtime enforces (a violation answers the EXCEPTION envelope):
 * SUCCESS needs a Document; ERROR needs an ErrorDoc; SKIP takes a SkipDoc or none.
 */
typedef struct ld_parse_document_result {
    /** SUCCESS, ERROR or SKIP. */
    ld_parse_status status;
    /**
     * The record type expected next (a file parser's state machine), or NULL.
     * Owned by the struct: set it with ld_parse_document_result_set_next_record_type()
     * or to a malloc'ed string.
     */
    char *next_record_type;
    /** Owned by the struct; NULL for none. */
    ld_document *document;
} ld_parse_document_result;

/** Initialiser: status SUCCESS, no next record type, no document. */
#define LD_PARSE_DOCUMENT_RESULT_INIT { LD_PARSE_SUCCESS, NULL, NULL }

/**
 * Set status and document in one call (the common case).
 *
 * @param document stolen; replaces (and frees) any document already in @p result.
 */
LD_EXTERN void ld_parse_document_result_set(ld_parse_document_result *result,
                                            ld_parse_status status,
                                            ld_document *document);

/**
 * Set nextRecordType; @p next_record_type is copied, NULL clears it.
 * @return LD_OK or LD_ERR_NOMEM (unchanged).
 */
LD_EXTERN int ld_parse_document_result_set_next_record_type(
    ld_parse_document_result *result, const char *next_record_type);

/** Free what @p result owns and reset it to LD_PARSE_DOCUMENT_RESULT_INIT. */
LD_EXTERN void ld_parse_document_result_clear(ld_parse_document_result *result);

/**
 * Check the status/document rules above.
 *
 * @param error optional; says which rule was broken.
 * @return LD_OK or LD_ERR_INVALID.
 */
LD_EXTERN int ld_parse_document_result_validate(const ld_parse_document_result *result,
                                                ld_error *error);

/**
 * The result's wire JSON.
 * @return a new reference, or NULL on allocation failure.
 */
LD_EXTERN json_t *ld_parse_document_result_to_json(const ld_parse_document_result *result);

/**
 * Fill @p result (which must be cleared/initialised) from its wire JSON.
 *
 * @param json borrowed.
 * @param error optional; names the bad member.
 * @return LD_OK, or LD_ERR_INVALID / LD_ERR_NOMEM (@p result left initialised).
 */
LD_EXTERN int ld_parse_document_result_from_json(const json_t *json,
                                                 ld_parse_document_result *result,
                                                 ld_error *error);

/** "SUCCESS", "ERROR", "SKIP"; NULL outside the enum. */
LD_EXTERN const char *ld_parse_status_to_string(ld_parse_status status);
/** Parse the exact spellings above. @return LD_OK or LD_ERR_INVALID. */
LD_EXTERN int ld_parse_status_from_string(const char *text, ld_parse_status *out);

/** How a file parser tells LetsData where records start or end. */
typedef enum ld_record_hint_type {
    LD_HINT_PATTERN = 0, /**< "PATTERN": the record boundary is a byte pattern. */
    LD_HINT_OFFSET = 1   /**< "OFFSET": the boundary is a byte count (see local-runner docs). */
} ld_record_hint_type;

/**
 * RecordParseHint: the answer of getRecordStartPattern / getRecordEndPattern.
 *
 * Wire JSON: `{"recordHintType": "PATTERN", "pattern": s, "offset": -1}` or
 * `{"recordHintType": "OFFSET", "pattern": null, "offset": n}`.
 */
typedef struct ld_record_parse_hint {
    /** PATTERN or OFFSET. */
    ld_record_hint_type type;
    /**
     * PATTERN: the pattern's bytes (UTF-8 text; may contain NUL). Owned by the struct;
     * NUL-terminated for convenience. NULL for OFFSET hints.
     */
    char *pattern;
    /** Number of bytes in @ref pattern, not counting the terminator. */
    size_t pattern_length;
    /** OFFSET: the byte offset/length. PATTERN: -1, as the reference implementation sends. */
    int64_t offset;
} ld_record_parse_hint;

/** Initialiser: an OFFSET hint with offset -1 (i.e. not set). */
#define LD_RECORD_PARSE_HINT_INIT { LD_HINT_OFFSET, NULL, 0, -1 }

/**
 * Make @p hint a PATTERN hint for the NUL-terminated @p pattern (copied).
 * @return LD_OK, LD_ERR_INVALID (NULL or empty pattern) or LD_ERR_NOMEM.
 */
LD_EXTERN int ld_record_parse_hint_set_pattern(ld_record_parse_hint *hint,
                                               const char *pattern);
/** As ld_record_parse_hint_set_pattern() for @p length bytes that may contain NUL. */
LD_EXTERN int ld_record_parse_hint_set_pattern_bytes(ld_record_parse_hint *hint,
                                                     const void *pattern, size_t length);
/**
 * Make @p hint an OFFSET hint.
 * @return LD_OK, or LD_ERR_INVALID for a negative offset.
 */
LD_EXTERN int ld_record_parse_hint_set_offset(ld_record_parse_hint *hint, int64_t offset);

/** Free the pattern and reset @p hint to LD_RECORD_PARSE_HINT_INIT. */
LD_EXTERN void ld_record_parse_hint_clear(ld_record_parse_hint *hint);

/**
 * Check that a hint is usable: PATTERN with a non-empty pattern, or OFFSET >= 0.
 * @return LD_OK or LD_ERR_INVALID (with @p error saying why).
 */
LD_EXTERN int ld_record_parse_hint_validate(const ld_record_parse_hint *hint,
                                            ld_error *error);

/** The hint's wire JSON. @return a new reference, or NULL on allocation failure. */
LD_EXTERN json_t *ld_record_parse_hint_to_json(const ld_record_parse_hint *hint);

/**
 * Fill @p hint (initialised) from its wire JSON (borrowed).
 * @return LD_OK, LD_ERR_INVALID (with @p error naming the member) or LD_ERR_NOMEM.
 */
LD_EXTERN int ld_record_parse_hint_from_json(const json_t *json,
                                             ld_record_parse_hint *hint, ld_error *error);

/** "PATTERN" or "OFFSET"; NULL outside the enum. */
LD_EXTERN const char *ld_record_hint_type_to_string(ld_record_hint_type type);
/** Parse the exact spellings above. @return LD_OK or LD_ERR_INVALID. */
LD_EXTERN int ld_record_hint_type_from_string(const char *text, ld_record_hint_type *out);

#ifdef __cplusplus
}
#endif

#endif /* LETSDATA_MODEL_H */
