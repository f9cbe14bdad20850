/*
 * letsdata/document.h - the documents a handler produces: Document, ErrorDoc, SkipDoc.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LETSDATA_DOCUMENT_H
#define LETSDATA_DOCUMENT_H

/**
 * @file letsdata/document.h
 * @brief Opaque documents and their wire JSON.
 *
 * A document is what a handler turns a record into. LetsData knows three kinds:
 *
 * | kind            | sent to                | extra members                              |
 * |-----------------|------------------------|--------------------------------------------|
 * | LD_DOC_DOCUMENT | the write destination  | none                                       |
 * | LD_DOC_ERROR    | the error destination  | errorStartoffsetMap, errorEndoffsetMap, errorMessage |
 * | LD_DOC_SKIP     | counted (not written)  | errorStartoffsetMap, errorEndoffsetMap, skipMessage  |
 *
 * Every kind has documentId, recordType, partitionKey (strings, may be NULL),
 * documentMetadata and documentKeyValuesMap (JSON objects, may be NULL). ErrorDoc and
 * SkipDoc also carry start/end offset maps (JSON objects keyed by a locator such as the
 * file type or "sequenceNumber", may be NULL) and a message.
 *
 * Wire JSON (member names exactly as LetsData spells them, including the lower-case
 * "o" in "errorStartoffsetMap"):
 * @code
 * {"documentType": "Document", "documentId": s, "recordType": s, "partitionKey": s,
 *  "documentMetadata": object|null, "documentKeyValuesMap": object|null}
 * @endcode
 *
 * Build documents with ld_document_create() and an ::ld_document_options whose members
 * are named (the positional ld_document_new(), ld_error_doc_new() and ld_skip_doc_new()
 * remain for existing code). A Document must have a key-values map: a NULL map, which
 * is what a failed json_pack() leaves, is an error, never an empty document.
 *
 * Ownership: strings passed in are copied. JSON values passed to constructors and
 * setters are *stolen* (as with json_object_set_new(); released even when the call
 * fails), so `.key_values = json_pack(...)` does not leak.
 * Getters return *borrowed* pointers valid until the document is freed or the member
 * is replaced.
 *
 * Thread safety: a document may be read from several threads at once; writes need
 * external locking.
 */

#include <stdint.h>

#include <jansson.h>

#include <letsdata/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The three kinds of document. */
typedef enum ld_document_type {
    LD_DOC_DOCUMENT = 0, /**< "Document": a successful result. */
    LD_DOC_ERROR = 1,    /**< "ErrorDoc": a record that could not be processed. */
    LD_DOC_SKIP = 2      /**< "SkipDoc": a record deliberately skipped. */
} ld_document_type;

/** An opaque document. Free with ld_document_free(). */
typedef struct ld_document ld_document;

/**
 * Turns a document into the JSON written to a destination, replacing the default
 * (see ld_document_serialize()).
 *
 * @param document the document being written (borrowed).
 * @param payload  the pointer given to ld_document_set_serializer().
 * @return a new JSON reference, or NULL to fail the write (the runner reports it).
 */
typedef json_t *(*ld_document_serializer_fn)(const ld_document *document,
                                             void *payload);

/** The version of ::ld_document_options this header describes. */
#define LD_DOCUMENT_OPTIONS_VERSION 1

/**
 * What ld_document_create() builds. Start from #LD_DOCUMENT_OPTIONS_INIT (or the
 * LD_DOCUMENT_OPTIONS() compound literal) and set the members you need by name, so
 * that arguments cannot be swapped; members you leave out are NULL.
 *
 * Ownership: strings are copied; JSON values are *stolen* by ld_document_create(),
 * also when it fails, so `.key_values = json_pack(...)` never leaks.
 */
typedef struct ld_document_options {
    /** #LD_DOCUMENT_OPTIONS_VERSION; set by the _INIT macro. New members are only ever
     *  appended, and the library reads only those that @c version says are present. */
    unsigned int version;
    /** LD_DOC_DOCUMENT (the default), LD_DOC_ERROR or LD_DOC_SKIP. */
    ld_document_type type;
    const char *document_id;   /**< documentId; copied; may be NULL (JSON null). */
    const char *record_type;   /**< recordType; copied; may be NULL. */
    const char *partition_key; /**< partitionKey; copied; may be NULL. */
    json_t *metadata;          /**< documentMetadata; stolen; a JSON object or NULL. */
    /** documentKeyValuesMap; stolen; a JSON object. Required for a Document (a NULL
     *  here is usually a json_pack() that failed, e.g. on invalid UTF-8); may be NULL for
     *  an ErrorDoc or SkipDoc. */
    json_t *key_values;
    /** errorStartoffsetMap (ErrorDoc, SkipDoc); stolen; an object or NULL. See
     *  ld_offset_map_new(). Must be NULL for a Document. */
    json_t *start_offset_map;
    /** errorEndoffsetMap (ErrorDoc, SkipDoc); as @c start_offset_map. */
    json_t *end_offset_map;
    /** errorMessage (ErrorDoc) or skipMessage (SkipDoc); copied; may be NULL. Must be
     *  NULL for a Document. */
    const char *message;
} ld_document_options;

/** Initialiser for an ::ld_document_options: `ld_document_options o = LD_DOCUMENT_OPTIONS_INIT;` */
#define LD_DOCUMENT_OPTIONS_INIT { .version = LD_DOCUMENT_OPTIONS_VERSION }

/**
 * An ::ld_document_options compound literal (C only) with the given designated
 * initialisers, for a document built in one expression:
 * @code
 * ld_error error;
 * ld_document *doc = ld_document_create(&LD_DOCUMENT_OPTIONS(
 *     .type = LD_DOC_ERROR, .document_id = id, .record_type = "RECORD_ERROR",
 *     .start_offset_map = ld_offset_map_new(file_type, start),
 *     .end_offset_map = ld_offset_map_new(file_type, end),
 *     .message = "no closing tag"), &error);
 * @endcode
 */
#define LD_DOCUMENT_OPTIONS(...)                                               \
    ((ld_document_options){.version = LD_DOCUMENT_OPTIONS_VERSION, __VA_ARGS__})

/**
 * Create a Document, ErrorDoc or SkipDoc from @p options. This is the constructor to
 * use; ld_document_new(), ld_error_doc_new() and ld_skip_doc_new() remain for existing
 * code.
 *
 * @param options borrowed; its JSON members are stolen (released even on failure).
 * @param error   optional; on failure names the member that was wrong, e.g.
 *                "document: key_values is NULL: a Document needs a key-values map ...".
 * @return a new document (free with ld_document_free()), or NULL: LD_ERR_INVALID when
 *         @p options is NULL or has an unknown version, a Document has no key-values
 *         map or has offset maps or a message, a JSON member is not an object, or the
 *         type is not an ::ld_document_type; LD_ERR_NOMEM when allocation fails.
 */
LD_EXTERN ld_document *ld_document_create(const ld_document_options *options,
                                          ld_error *error);

/**
 * The usual offset map of an ErrorDoc or SkipDoc: `{"<locator>": offset}`, where the
 * locator is the file type (SingleFileParser) or another name for where the record was.
 *
 * @param locator copied; must not be NULL.
 * @return a new JSON object (stolen by ld_document_create() or json_decref()), or NULL
 *         when @p locator is NULL or not UTF-8, or allocation fails.
 */
LD_EXTERN json_t *ld_offset_map_new(const char *locator, int64_t offset);

/**
 * As ld_offset_map_new(), for a position that is text: `{"sequenceNumber": "4962..."}`.
 * @param value copied; must be UTF-8 (NULL makes a JSON null).
 */
LD_EXTERN json_t *ld_offset_map_new_string(const char *locator, const char *value);

/**
 * Create a Document (positional form of ld_document_create(); prefer that).
 *
 * @param document_id   copied; may be NULL (JSON null).
 * @param record_type   copied; may be NULL.
 * @param partition_key copied; may be NULL.
 * @param metadata      stolen; a JSON object or NULL.
 * @param key_values    stolen; a JSON object, required: a NULL map (typically a
 *                      json_pack() that failed on invalid UTF-8) is refused instead of
 *                      making an empty document; ld_document_create() says why.
 * @return a new document (free with ld_document_free()), or NULL when allocation
 *         fails, @p key_values is NULL or a JSON argument is not an object.
 */
LD_EXTERN ld_document *ld_document_new(const char *document_id,
                                       const char *record_type,
                                       const char *partition_key, json_t *metadata,
                                       json_t *key_values);

/**
 * Create an ErrorDoc (positional form of ld_document_create() with
 * `.type = LD_DOC_ERROR`; prefer that). Arguments as ld_document_new(), except that
 * @p key_values may be NULL, plus:
 *
 * @param start_offset_map stolen; a JSON object or NULL.
 * @param end_offset_map   stolen; a JSON object or NULL.
 * @param error_message    copied; may be NULL.
 * @return a new document, or NULL (allocation failure or a JSON argument that is not an
 *         object).
 */
LD_EXTERN ld_document *ld_error_doc_new(const char *document_id, const char *record_type,
                                        const char *partition_key, json_t *metadata,
                                        json_t *key_values, json_t *start_offset_map,
                                        json_t *end_offset_map,
                                        const char *error_message);

/**
 * Create a SkipDoc (positional form of ld_document_create() with
 * `.type = LD_DOC_SKIP`; prefer that). Arguments as ld_error_doc_new(), with
 * @p skip_message.
 *
 * @return a new document, or NULL (see ld_error_doc_new()).
 */
LD_EXTERN ld_document *ld_skip_doc_new(const char *document_id, const char *record_type,
                                       const char *partition_key, json_t *metadata,
                                       json_t *key_values, json_t *start_offset_map,
                                       json_t *end_offset_map, const char *skip_message);

/** Free a document and everything it owns. NULL is ignored. */
LD_EXTERN void ld_document_free(ld_document *document);

/** The document's kind. */
LD_EXTERN ld_document_type ld_document_get_type(const ld_document *document);

/** documentId; borrowed, may be NULL. */
LD_EXTERN const char *ld_document_get_id(const ld_document *document);
/** recordType; borrowed, may be NULL. */
LD_EXTERN const char *ld_document_get_record_type(const ld_document *document);
/** partitionKey; borrowed, may be NULL. */
LD_EXTERN const char *ld_document_get_partition_key(const ld_document *document);
/** documentMetadata; borrowed JSON object, may be NULL. */
LD_EXTERN json_t *ld_document_get_metadata(const ld_document *document);
/** documentKeyValuesMap; borrowed JSON object, may be NULL. */
LD_EXTERN json_t *ld_document_get_key_values(const ld_document *document);
/** errorStartoffsetMap; borrowed, NULL when absent or for a Document. */
LD_EXTERN json_t *ld_document_get_start_offset_map(const ld_document *document);
/** errorEndoffsetMap; borrowed, NULL when absent or for a Document. */
LD_EXTERN json_t *ld_document_get_end_offset_map(const ld_document *document);
/** errorMessage (ErrorDoc) or skipMessage (SkipDoc); borrowed, NULL for a Document. */
LD_EXTERN const char *ld_document_get_message(const ld_document *document);

/**
 * Replace a string member. @p value is copied and may be NULL.
 *
 * @return LD_OK, or LD_ERR_NOMEM (the document is unchanged).
 */
LD_EXTERN int ld_document_set_id(ld_document *document, const char *value);
/** As ld_document_set_id(), for recordType. */
LD_EXTERN int ld_document_set_record_type(ld_document *document, const char *value);
/** As ld_document_set_id(), for partitionKey. */
LD_EXTERN int ld_document_set_partition_key(ld_document *document, const char *value);
/**
 * As ld_document_set_id(), for errorMessage/skipMessage.
 * @return LD_ERR_INVALID for a Document (which has no message).
 */
LD_EXTERN int ld_document_set_message(ld_document *document, const char *value);

/**
 * Replace documentMetadata. @p metadata is stolen (a JSON object, or NULL).
 * @return LD_OK, or LD_ERR_INVALID if it is not an object (it is still released).
 */
LD_EXTERN int ld_document_set_metadata(ld_document *document, json_t *metadata);
/** As ld_document_set_metadata(), for documentKeyValuesMap; NULL is refused for a
 *  Document (LD_ERR_INVALID), which always has a map. */
LD_EXTERN int ld_document_set_key_values(ld_document *document, json_t *key_values);
/**
 * Replace the offset maps (stolen, objects or NULL).
 * @return LD_ERR_INVALID for a Document or a non-object (both are still released).
 */
LD_EXTERN int ld_document_set_offset_maps(ld_document *document, json_t *start_offset_map,
                                          json_t *end_offset_map);

/**
 * The document's wire JSON (see the file comment).
 *
 * The object members (metadata, key-values, offset maps) are the document's own objects,
 * increfed rather than copied: treat them as read-only, or json_deep_copy() first.
 *
 * @return a new reference (release with json_decref()), or NULL on allocation failure.
 */
LD_EXTERN json_t *ld_document_to_json(const ld_document *document);

/**
 * Build a document from its wire JSON.
 *
 * "documentType" selects the kind; the members of that kind must be present with the
 * right JSON type (string or null; object or null); unknown members are rejected.
 * Values are copied or increfed: @p json is borrowed and not modified.
 *
 * @param json  a JSON object (borrowed).
 * @param error optional; names the member that was missing or of the wrong type.
 * @return a new document, or NULL.
 */
LD_EXTERN ld_document *ld_document_from_json(const json_t *json, ld_error *error);

/**
 * A deep copy, including the serializer (whose payload is shared, not copied).
 *
 * @return a new document, or NULL on allocation failure.
 */
LD_EXTERN ld_document *ld_document_copy(const ld_document *document);

/**
 * Attach a serializer used by ld_document_serialize().
 *
 * @param serializer   NULL restores the default.
 * @param payload      passed to @p serializer; owned by the caller unless
 *                     @p free_payload is given.
 * @param free_payload if not NULL, called with @p payload when the document is freed
 *                     or the serializer replaced.
 */
LD_EXTERN void ld_document_set_serializer(ld_document *document,
                                          ld_document_serializer_fn serializer,
                                          void *payload, void (*free_payload)(void *));

/**
 * The JSON written to a destination for this document.
 *
 * If a serializer is attached, its result. Otherwise, for a Document: its key-values
 * map plus "documentId", "recordType", "partitionKey" and "documentMetadata" (the form
 * the official examples' downstream readers receive; members of the map with those
 * names are overwritten). For an ErrorDoc or SkipDoc: ld_document_to_json().
 *
 * @return a new reference, or NULL (allocation failure or the serializer failed).
 */
LD_EXTERN json_t *ld_document_serialize(const ld_document *document);

/** "Document", "ErrorDoc" or "SkipDoc"; NULL for a value outside the enum. */
LD_EXTERN const char *ld_document_type_to_string(ld_document_type type);

/**
 * Parse "Document", "ErrorDoc" or "SkipDoc" (exact spelling).
 * @return LD_OK, or LD_ERR_INVALID (@p out unchanged).
 */
LD_EXTERN int ld_document_type_from_string(const char *text, ld_document_type *out);

#ifdef __cplusplus
}
#endif

#endif /* LETSDATA_DOCUMENT_H */
