/*
 * model.c - ParseDocumentResult and RecordParseHint (letsdata/model.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>

#include <letsdata/document.h>
#include <letsdata/model.h>

static const char *const status_names[] = {"SUCCESS", "ERROR", "SKIP"};
static const char *const hint_names[] = {"PATTERN", "OFFSET"};

static int name_index(const char *const *names, size_t count, const char *text)
{
    if (text == NULL)
        return -1;
    for (size_t i = 0; i < count; i++)
        if (strcmp(text, names[i]) == 0)
            return (int)i;
    return -1;
}

LD_EXTERN const char *ld_parse_status_to_string(ld_parse_status status)
{
    return (unsigned)status < 3 ? status_names[status] : NULL;
}

LD_EXTERN int ld_parse_status_from_string(const char *text, ld_parse_status *out)
{
    int i = name_index(status_names, 3, text);
    if (i < 0)
        return LD_ERR_INVALID;
    *out = (ld_parse_status)i;
    return LD_OK;
}

LD_EXTERN const char *ld_record_hint_type_to_string(ld_record_hint_type type)
{
    return (unsigned)type < 2 ? hint_names[type] : NULL;
}

LD_EXTERN int ld_record_hint_type_from_string(const char *text, ld_record_hint_type *out)
{
    int i = name_index(hint_names, 2, text);
    if (i < 0)
        return LD_ERR_INVALID;
    *out = (ld_record_hint_type)i;
    return LD_OK;
}

/* ---- ParseDocumentResult ---- */

LD_EXTERN void ld_parse_document_result_set(ld_parse_document_result *result,
                                            ld_parse_status status, ld_document *document)
{
    if (result->document != document)
        ld_document_free(result->document);
    result->status = status;
    result->document = document;
}

LD_EXTERN int ld_parse_document_result_set_next_record_type(ld_parse_document_result *result,
                                                           const char *next_record_type)
{
    char *copy = NULL;
    if (next_record_type != NULL && (copy = ld_strdup(next_record_type)) == NULL)
        return LD_ERR_NOMEM;
    free(result->next_record_type);
    result->next_record_type = copy;
    return LD_OK;
}

LD_EXTERN void ld_parse_document_result_clear(ld_parse_document_result *result)
{
    free(result->next_record_type);
    ld_document_free(result->document);
    ld_parse_document_result empty = LD_PARSE_DOCUMENT_RESULT_INIT;
    *result = empty;
}

LD_EXTERN int ld_parse_document_result_validate(const ld_parse_document_result *result,
                                                ld_error *error)
{
    const char *status = ld_parse_status_to_string(result->status);
    if (status == NULL)
        return ld_error_set(error, LD_ERR_INVALID,
                            "ParseDocumentResult: status %d is not SUCCESS, ERROR or SKIP",
                            (int)result->status);
    static const ld_document_type wanted[] = {LD_DOC_DOCUMENT, LD_DOC_ERROR, LD_DOC_SKIP};
    if (result->document == NULL) {
        if (result->status == LD_PARSE_SKIP)
            return LD_OK;
        return ld_error_set(error, LD_ERR_INVALID,
                            "ParseDocumentResult: status %s needs a %s, but the document "
                            "is null",
                            status, ld_document_type_to_string(wanted[result->status]));
    }
    ld_document_type type = ld_document_get_type(result->document);
    if (type != wanted[result->status])
        return ld_error_set(error, LD_ERR_INVALID,
                            "ParseDocumentResult: status %s needs a %s, but the document "
                            "is a %s",
                            status, ld_document_type_to_string(wanted[result->status]),
                            ld_document_type_to_string(type));
    return LD_OK;
}

LD_EXTERN json_t *ld_parse_document_result_to_json(const ld_parse_document_result *result)
{
    const char *status = ld_parse_status_to_string(result->status);
    if (status == NULL)
        return NULL;
    json_t *document = result->document != NULL ? ld_document_to_json(result->document)
                                                : json_null();
    json_t *next = result->next_record_type != NULL ? json_string(result->next_record_type)
                                                    : json_null();
    /* json_pack steals "o" arguments even when it fails (a NULL one makes it fail). */
    return json_pack("{s:o, s:o, s:s}", "nextRecordType", next, "document", document,
                     "status", status);
}

LD_EXTERN int ld_parse_document_result_from_json(const json_t *json,
                                                 ld_parse_document_result *result,
                                                 ld_error *error)
{
    if (!json_is_object(json))
        return ld_error_set(error, LD_ERR_INVALID,
                            "ParseDocumentResult: expected a JSON object");
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)json, key, value) {
        if (strcmp(key, "status") != 0 && strcmp(key, "document") != 0 &&
            strcmp(key, "nextRecordType") != 0)
            return ld_error_set(error, LD_ERR_INVALID,
                                "ParseDocumentResult: unexpected member '%s'", key);
    }
    ld_parse_status status;
    json_t *status_json = json_object_get(json, "status");
    if (!json_is_string(status_json) ||
        ld_parse_status_from_string(json_string_value(status_json), &status) != LD_OK)
        return ld_error_set(error, LD_ERR_INVALID,
                            "ParseDocumentResult: member 'status' must be \"SUCCESS\", "
                            "\"ERROR\" or \"SKIP\"");
    json_t *next = json_object_get(json, "nextRecordType");
    if (next != NULL && !json_is_null(next) && !json_is_string(next))
        return ld_error_set(error, LD_ERR_INVALID,
                            "ParseDocumentResult: member 'nextRecordType' must be a string "
                            "or null");
    json_t *doc_json = json_object_get(json, "document");
    ld_document *document = NULL;
    if (doc_json != NULL && !json_is_null(doc_json)) {
        ld_error inner = {0};
        document = ld_document_from_json(doc_json, &inner);
        if (document == NULL)
            return ld_error_set(error, inner.code ? inner.code : LD_ERR_INVALID,
                                "ParseDocumentResult: member 'document': %s", inner.message);
    }
    if (json_is_string(next) &&
        ld_parse_document_result_set_next_record_type(result, json_string_value(next))) {
        ld_document_free(document);
        return ld_error_set(error, LD_ERR_NOMEM, "ParseDocumentResult: out of memory");
    }
    ld_parse_document_result_set(result, status, document);
    return LD_OK;
}

/* ---- RecordParseHint ---- */

LD_EXTERN int ld_record_parse_hint_set_pattern_bytes(ld_record_parse_hint *hint,
                                                     const void *pattern, size_t length)
{
    if (pattern == NULL || length == 0)
        return LD_ERR_INVALID;
    char *copy = malloc(length + 1);
    if (copy == NULL)
        return LD_ERR_NOMEM;
    memcpy(copy, pattern, length);
    copy[length] = '\0';
    free(hint->pattern);
    hint->type = LD_HINT_PATTERN;
    hint->pattern = copy;
    hint->pattern_length = length;
    hint->offset = -1;
    return LD_OK;
}

LD_EXTERN int ld_record_parse_hint_set_pattern(ld_record_parse_hint *hint,
                                               const char *pattern)
{
    if (pattern == NULL)
        return LD_ERR_INVALID;
    return ld_record_parse_hint_set_pattern_bytes(hint, pattern, strlen(pattern));
}

LD_EXTERN int ld_record_parse_hint_set_offset(ld_record_parse_hint *hint, int64_t offset)
{
    if (offset < 0)
        return LD_ERR_INVALID;
    free(hint->pattern);
    hint->type = LD_HINT_OFFSET;
    hint->pattern = NULL;
    hint->pattern_length = 0;
    hint->offset = offset;
    return LD_OK;
}

LD_EXTERN void ld_record_parse_hint_clear(ld_record_parse_hint *hint)
{
    free(hint->pattern);
    ld_record_parse_hint empty = LD_RECORD_PARSE_HINT_INIT;
    *hint = empty;
}

LD_EXTERN int ld_record_parse_hint_validate(const ld_record_parse_hint *hint, ld_error *error)
{
    switch (hint->type) {
    case LD_HINT_PATTERN:
        if (hint->pattern == NULL || hint->pattern_length == 0)
            return ld_error_set(error, LD_ERR_INVALID,
                                "RecordParseHint: a PATTERN hint needs a non-empty pattern");
        return LD_OK;
    case LD_HINT_OFFSET:
        if (hint->offset < 0)
            return ld_error_set(error, LD_ERR_INVALID,
                                "RecordParseHint: an OFFSET hint needs offset >= 0, got %lld",
                                (long long)hint->offset);
        return LD_OK;
    default:
        return ld_error_set(error, LD_ERR_INVALID,
                            "RecordParseHint: recordHintType %d is not PATTERN or OFFSET",
                            (int)hint->type);
    }
}

LD_EXTERN json_t *ld_record_parse_hint_to_json(const ld_record_parse_hint *hint)
{
    const char *type = ld_record_hint_type_to_string(hint->type);
    if (type == NULL)
        return NULL;
    json_t *pattern = hint->type == LD_HINT_PATTERN && hint->pattern != NULL
                          ? json_stringn(hint->pattern, hint->pattern_length)
                          : json_null();
    if (pattern == NULL)
        return NULL;
    return json_pack("{s:s, s:o, s:I}", "recordHintType", type, "pattern", pattern,
                     "offset", (json_int_t)(hint->type == LD_HINT_PATTERN ? -1 : hint->offset));
}

LD_EXTERN int ld_record_parse_hint_from_json(const json_t *json, ld_record_parse_hint *hint,
                                             ld_error *error)
{
    if (!json_is_object(json))
        return ld_error_set(error, LD_ERR_INVALID, "RecordParseHint: expected a JSON object");
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)json, key, value) {
        if (strcmp(key, "recordHintType") != 0 && strcmp(key, "pattern") != 0 &&
            strcmp(key, "offset") != 0)
            return ld_error_set(error, LD_ERR_INVALID,
                                "RecordParseHint: unexpected member '%s'", key);
    }
    ld_record_hint_type type;
    json_t *type_json = json_object_get(json, "recordHintType");
    if (!json_is_string(type_json) ||
        ld_record_hint_type_from_string(json_string_value(type_json), &type) != LD_OK)
        return ld_error_set(error, LD_ERR_INVALID,
                            "RecordParseHint: member 'recordHintType' must be \"PATTERN\" "
                            "or \"OFFSET\"");
    json_t *pattern = json_object_get(json, "pattern");
    json_t *offset = json_object_get(json, "offset");
    if (type == LD_HINT_PATTERN) {
        if (!json_is_string(pattern) || json_string_length(pattern) == 0)
            return ld_error_set(error, LD_ERR_INVALID,
                                "RecordParseHint: member 'pattern' must be a non-empty "
                                "string for a PATTERN hint");
        if (offset != NULL && !json_is_integer(offset))
            return ld_error_set(error, LD_ERR_INVALID,
                                "RecordParseHint: member 'offset' must be an integer");
        int rc = ld_record_parse_hint_set_pattern_bytes(hint, json_string_value(pattern),
                                                        json_string_length(pattern));
        return rc == LD_OK ? LD_OK
                           : ld_error_set(error, rc, "RecordParseHint: out of memory");
    }
    if (pattern != NULL && !json_is_null(pattern))
        return ld_error_set(error, LD_ERR_INVALID,
                            "RecordParseHint: member 'pattern' must be null for an OFFSET "
                            "hint");
    if (!json_is_integer(offset) || json_integer_value(offset) < 0)
        return ld_error_set(error, LD_ERR_INVALID,
                            "RecordParseHint: member 'offset' must be an integer >= 0 for an "
                            "OFFSET hint");
    return ld_record_parse_hint_set_offset(hint, json_integer_value(offset));
}
