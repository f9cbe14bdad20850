/*
 * document.c - Document, ErrorDoc and SkipDoc, and their wire JSON (letsdata/document.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>

#include <letsdata/document.h>

struct ld_document {
    ld_document_type type;
    char *id;
    char *record_type;
    char *partition_key;
    json_t *metadata;   /* object or NULL */
    json_t *key_values; /* object or NULL */
    json_t *start_map;  /* ErrorDoc/SkipDoc only: object or NULL */
    json_t *end_map;
    char *message;      /* errorMessage / skipMessage; NULL for a Document */
    ld_document_serializer_fn serializer;
    void *serializer_payload;
    void (*free_serializer_payload)(void *);
};

static const char *const type_names[] = {"Document", "ErrorDoc", "SkipDoc"};

/* Members shared by all kinds, and the per-kind message member, as LetsData spells them. */
#define M_TYPE "documentType"
#define M_ID "documentId"
#define M_RECORD_TYPE "recordType"
#define M_PARTITION_KEY "partitionKey"
#define M_METADATA "documentMetadata"
#define M_KEY_VALUES "documentKeyValuesMap"
#define M_START "errorStartoffsetMap"
#define M_END "errorEndoffsetMap"
#define M_ERROR_MESSAGE "errorMessage"
#define M_SKIP_MESSAGE "skipMessage"

static int is_object_or_null(const json_t *value)
{
    return value == NULL || json_is_object(value);
}

/* Copy @p value into *slot (NULL allowed). Returns 0, or -1 on allocation failure. */
static int replace_string(char **slot, const char *value)
{
    char *copy = NULL;
    if (value != NULL && (copy = ld_strdup(value)) == NULL)
        return -1;
    free(*slot);
    *slot = copy;
    return 0;
}

static const char *json_type_name(const json_t *value)
{
    switch (json_typeof(value)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a real";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    default: return "null";
    }
}

/* Name the first JSON member that is neither an object nor NULL. Returns 0 or -1. */
static int check_objects(const ld_document_options *o, ld_error *error)
{
    const struct {
        const char *name;
        const json_t *value;
    } members[] = {{"metadata", o->metadata},
                   {"key_values", o->key_values},
                   {"start_offset_map", o->start_offset_map},
                   {"end_offset_map", o->end_offset_map}};
    for (size_t i = 0; i < sizeof members / sizeof members[0]; i++)
        if (!is_object_or_null(members[i].value))
            return ld_error_set(error, LD_ERR_INVALID,
                                "document: %s must be a JSON object or NULL, got %s",
                                members[i].name, json_type_name(members[i].value)),
                   -1;
    return 0;
}

/* Why @p o cannot make a document (filled into @p error), or 0 when it can. Documents
 * read from the wire (ld_document_from_json) and their copies may have a null map: the
 * protocol allows one, only a handler must not produce one by accident. */
static int check_options(const ld_document_options *o, int from_wire, ld_error *error)
{
    if ((unsigned)o->type > LD_DOC_SKIP)
        return ld_error_set(error, LD_ERR_INVALID,
                            "document: type %d is not LD_DOC_DOCUMENT, LD_DOC_ERROR or "
                            "LD_DOC_SKIP",
                            (int)o->type),
               -1;
    if (check_objects(o, error) != 0)
        return -1;
    if (o->type != LD_DOC_DOCUMENT)
        return 0;
    if (o->key_values == NULL && !from_wire)
        return ld_error_set(error, LD_ERR_INVALID,
                            "document: key_values is NULL: a Document needs a key-values map "
                            "(json_pack() and json_string() return NULL for invalid UTF-8; "
                            "make strings with ld_json_string_lossy() or "
                            "ld_json_string_checked())"),
               -1;
    if (o->start_offset_map != NULL || o->end_offset_map != NULL || o->message != NULL)
        return ld_error_set(error, LD_ERR_INVALID,
                            "document: a Document has no %s (only an ErrorDoc or a SkipDoc)",
                            o->message != NULL ? "message" : "offset maps"),
               -1;
    return 0;
}

static void release_options(const ld_document_options *o)
{
    json_decref(o->metadata);
    json_decref(o->key_values);
    json_decref(o->start_offset_map);
    json_decref(o->end_offset_map);
}

static ld_document *document_create(const ld_document_options *o, int from_wire,
                                    ld_error *error)
{
    ld_document *doc = NULL;
    /* Stolen references are released on every failure path (jansson's _new rule). */
    if (check_options(o, from_wire, error) != 0)
        goto fail;
    doc = calloc(1, sizeof *doc);
    if (doc == NULL)
        goto nomem;
    doc->type = o->type;
    if (replace_string(&doc->id, o->document_id) ||
        replace_string(&doc->record_type, o->record_type) ||
        replace_string(&doc->partition_key, o->partition_key) ||
        replace_string(&doc->message, o->message))
        goto nomem;
    doc->metadata = o->metadata;
    doc->key_values = o->key_values;
    doc->start_map = o->start_offset_map;
    doc->end_map = o->end_offset_map;
    return doc;

nomem:
    ld_error_set(error, LD_ERR_NOMEM, "document: out of memory");
fail:
    if (doc != NULL) {
        free(doc->id);
        free(doc->record_type);
        free(doc->partition_key);
        free(doc->message);
        free(doc);
    }
    release_options(o);
    return NULL;
}

LD_EXTERN ld_document *ld_document_create(const ld_document_options *options,
                                          ld_error *error)
{
    if (options == NULL) {
        ld_error_set(error, LD_ERR_INVALID, "document: options is NULL");
        return NULL;
    }
    if (options->version != LD_DOCUMENT_OPTIONS_VERSION) {
        /* Members of an unknown layout cannot be read, so nothing is released. */
        ld_error_set(error, LD_ERR_INVALID,
                     "document: options.version is %u, this library knows %d (start from "
                     "LD_DOCUMENT_OPTIONS_INIT)",
                     options->version, LD_DOCUMENT_OPTIONS_VERSION);
        return NULL;
    }
    return document_create(options, 0, error);
}

LD_EXTERN json_t *ld_offset_map_new(const char *locator, int64_t offset)
{
    if (locator == NULL)
        return NULL;
    return json_pack("{s:I}", locator, (json_int_t)offset);
}

LD_EXTERN json_t *ld_offset_map_new_string(const char *locator, const char *value)
{
    if (locator == NULL)
        return NULL;
    return json_pack("{s:s?}", locator, value);
}

LD_EXTERN ld_document *ld_document_new(const char *document_id, const char *record_type,
                                       const char *partition_key, json_t *metadata,
                                       json_t *key_values)
{
    /* No error out-parameter here: ld_document_create() is the form that says why. */
    return document_create(
        &LD_DOCUMENT_OPTIONS(.document_id = document_id, .record_type = record_type,
                             .partition_key = partition_key, .metadata = metadata,
                             .key_values = key_values),
        0, NULL);
}

LD_EXTERN ld_document *ld_error_doc_new(const char *document_id, const char *record_type,
                                        const char *partition_key, json_t *metadata,
                                        json_t *key_values, json_t *start_offset_map,
                                        json_t *end_offset_map, const char *error_message)
{
    return document_create(
        &LD_DOCUMENT_OPTIONS(.type = LD_DOC_ERROR, .document_id = document_id,
                             .record_type = record_type, .partition_key = partition_key,
                             .metadata = metadata, .key_values = key_values,
                             .start_offset_map = start_offset_map,
                             .end_offset_map = end_offset_map, .message = error_message),
        0, NULL);
}

LD_EXTERN ld_document *ld_skip_doc_new(const char *document_id, const char *record_type,
                                       const char *partition_key, json_t *metadata,
                                       json_t *key_values, json_t *start_offset_map,
                                       json_t *end_offset_map, const char *skip_message)
{
    return document_create(
        &LD_DOCUMENT_OPTIONS(.type = LD_DOC_SKIP, .document_id = document_id,
                             .record_type = record_type, .partition_key = partition_key,
                             .metadata = metadata, .key_values = key_values,
                             .start_offset_map = start_offset_map,
                             .end_offset_map = end_offset_map, .message = skip_message),
        0, NULL);
}

static void release_serializer(ld_document *doc)
{
    if (doc->free_serializer_payload != NULL)
        doc->free_serializer_payload(doc->serializer_payload);
    doc->serializer = NULL;
    doc->serializer_payload = NULL;
    doc->free_serializer_payload = NULL;
}

LD_EXTERN void ld_document_free(ld_document *document)
{
    if (document == NULL)
        return;
    release_serializer(document);
    free(document->id);
    free(document->record_type);
    free(document->partition_key);
    free(document->message);
    json_decref(document->metadata);
    json_decref(document->key_values);
    json_decref(document->start_map);
    json_decref(document->end_map);
    free(document);
}

LD_EXTERN ld_document_type ld_document_get_type(const ld_document *d) { return d->type; }
LD_EXTERN const char *ld_document_get_id(const ld_document *d) { return d->id; }
LD_EXTERN const char *ld_document_get_record_type(const ld_document *d) { return d->record_type; }
LD_EXTERN const char *ld_document_get_partition_key(const ld_document *d) { return d->partition_key; }
LD_EXTERN json_t *ld_document_get_metadata(const ld_document *d) { return d->metadata; }
LD_EXTERN json_t *ld_document_get_key_values(const ld_document *d) { return d->key_values; }
LD_EXTERN json_t *ld_document_get_start_offset_map(const ld_document *d) { return d->start_map; }
LD_EXTERN json_t *ld_document_get_end_offset_map(const ld_document *d) { return d->end_map; }
LD_EXTERN const char *ld_document_get_message(const ld_document *d)
{
    return d->type == LD_DOC_DOCUMENT ? NULL : d->message;
}

LD_EXTERN int ld_document_set_id(ld_document *d, const char *value)
{
    return replace_string(&d->id, value) ? LD_ERR_NOMEM : LD_OK;
}

LD_EXTERN int ld_document_set_record_type(ld_document *d, const char *value)
{
    return replace_string(&d->record_type, value) ? LD_ERR_NOMEM : LD_OK;
}

LD_EXTERN int ld_document_set_partition_key(ld_document *d, const char *value)
{
    return replace_string(&d->partition_key, value) ? LD_ERR_NOMEM : LD_OK;
}

LD_EXTERN int ld_document_set_message(ld_document *d, const char *value)
{
    if (d->type == LD_DOC_DOCUMENT)
        return LD_ERR_INVALID;
    return replace_string(&d->message, value) ? LD_ERR_NOMEM : LD_OK;
}

static int replace_object(json_t **slot, json_t *value)
{
    if (!is_object_or_null(value)) {
        json_decref(value);
        return LD_ERR_INVALID;
    }
    json_decref(*slot);
    *slot = value;
    return LD_OK;
}

LD_EXTERN int ld_document_set_metadata(ld_document *d, json_t *metadata)
{
    return replace_object(&d->metadata, metadata);
}

LD_EXTERN int ld_document_set_key_values(ld_document *d, json_t *key_values)
{
    if (key_values == NULL && d->type == LD_DOC_DOCUMENT)
        return LD_ERR_INVALID; /* a Document always has a map */
    return replace_object(&d->key_values, key_values);
}

LD_EXTERN int ld_document_set_offset_maps(ld_document *d, json_t *start_offset_map,
                                          json_t *end_offset_map)
{
    if (d->type == LD_DOC_DOCUMENT || !is_object_or_null(start_offset_map) ||
        !is_object_or_null(end_offset_map)) {
        json_decref(start_offset_map);
        json_decref(end_offset_map);
        return LD_ERR_INVALID;
    }
    replace_object(&d->start_map, start_offset_map);
    replace_object(&d->end_map, end_offset_map);
    return LD_OK;
}

/* JSON string or null for a possibly-NULL C string; a new reference (NULL on ENOMEM). */
static json_t *string_or_null(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

static json_t *object_or_null(json_t *value)
{
    return value != NULL ? json_incref(value) : json_null();
}

static int set_new(json_t *object, const char *key, json_t *value)
{
    /* json_object_set_new releases value on failure and refuses a NULL value. */
    return json_object_set_new_nocheck(object, key, value);
}

LD_EXTERN json_t *ld_document_to_json(const ld_document *d)
{
    json_t *json = json_object();
    if (json == NULL)
        return NULL;
    int failed = set_new(json, M_TYPE, json_string_nocheck(type_names[d->type])) ||
                 set_new(json, M_ID, string_or_null(d->id)) ||
                 set_new(json, M_RECORD_TYPE, string_or_null(d->record_type)) ||
                 set_new(json, M_PARTITION_KEY, string_or_null(d->partition_key)) ||
                 set_new(json, M_METADATA, object_or_null(d->metadata)) ||
                 set_new(json, M_KEY_VALUES, object_or_null(d->key_values));
    if (!failed && d->type != LD_DOC_DOCUMENT) {
        failed = set_new(json, M_START, object_or_null(d->start_map)) ||
                 set_new(json, M_END, object_or_null(d->end_map)) ||
                 set_new(json, d->type == LD_DOC_ERROR ? M_ERROR_MESSAGE : M_SKIP_MESSAGE,
                         string_or_null(d->message));
    }
    if (failed) {
        json_decref(json);
        return NULL;
    }
    return json;
}

/* ---- from JSON ---- */

static int member_string(const json_t *json, const char *key, const char **out,
                         ld_error *error)
{
    json_t *value = json_object_get(json, key);
    if (value == NULL)
        return ld_error_set(error, LD_ERR_INVALID, "document: member '%s' is missing", key);
    if (json_is_null(value)) {
        *out = NULL;
        return LD_OK;
    }
    if (!json_is_string(value))
        return ld_error_set(error, LD_ERR_INVALID,
                            "document: member '%s' must be a string or null", key);
    *out = json_string_value(value);
    return LD_OK;
}

/* A new reference to the object member (deep-copied so the caller's JSON is never
 * shared with the document), or NULL for JSON null. */
static int member_object(const json_t *json, const char *key, json_t **out,
                         ld_error *error)
{
    json_t *value = json_object_get(json, key);
    *out = NULL;
    if (value == NULL)
        return ld_error_set(error, LD_ERR_INVALID, "document: member '%s' is missing", key);
    if (json_is_null(value))
        return LD_OK;
    if (!json_is_object(value))
        return ld_error_set(error, LD_ERR_INVALID,
                            "document: member '%s' must be an object or null", key);
    *out = json_deep_copy(value);
    if (*out == NULL)
        return ld_error_set(error, LD_ERR_NOMEM, "document: out of memory copying '%s'", key);
    return LD_OK;
}

static int known_member(ld_document_type type, const char *key)
{
    static const char *const common[] = {M_TYPE, M_ID, M_RECORD_TYPE, M_PARTITION_KEY,
                                         M_METADATA, M_KEY_VALUES};
    for (size_t i = 0; i < sizeof common / sizeof common[0]; i++)
        if (strcmp(key, common[i]) == 0)
            return 1;
    if (type == LD_DOC_DOCUMENT)
        return 0;
    return strcmp(key, M_START) == 0 || strcmp(key, M_END) == 0 ||
           strcmp(key, type == LD_DOC_ERROR ? M_ERROR_MESSAGE : M_SKIP_MESSAGE) == 0;
}

LD_EXTERN ld_document *ld_document_from_json(const json_t *json, ld_error *error)
{
    if (!json_is_object(json)) {
        ld_error_set(error, LD_ERR_INVALID, "document: expected a JSON object, got %s",
                     json == NULL ? "nothing" : "another JSON type");
        return NULL;
    }
    const char *type_name = NULL;
    ld_document_type type;
    if (member_string(json, M_TYPE, &type_name, error) != LD_OK)
        return NULL;
    if (type_name == NULL || ld_document_type_from_string(type_name, &type) != LD_OK) {
        ld_error_set(error, LD_ERR_INVALID,
                     "document: member 'documentType' must be \"Document\", \"ErrorDoc\" "
                     "or \"SkipDoc\", got %s%s%s",
                     type_name ? "\"" : "", type_name ? type_name : "null",
                     type_name ? "\"" : "");
        return NULL;
    }
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)json, key, value) {
        if (!known_member(type, key)) {
            ld_error_set(error, LD_ERR_INVALID, "document: unexpected member '%s' in a %s",
                         key, type_names[type]);
            return NULL;
        }
    }

    const char *id, *record_type, *partition_key, *message = NULL;
    json_t *metadata = NULL, *key_values = NULL, *start_map = NULL, *end_map = NULL;
    if (member_string(json, M_ID, &id, error) ||
        member_string(json, M_RECORD_TYPE, &record_type, error) ||
        member_string(json, M_PARTITION_KEY, &partition_key, error))
        return NULL;
    if (type != LD_DOC_DOCUMENT &&
        member_string(json, type == LD_DOC_ERROR ? M_ERROR_MESSAGE : M_SKIP_MESSAGE,
                      &message, error))
        return NULL;
    if (member_object(json, M_METADATA, &metadata, error) ||
        member_object(json, M_KEY_VALUES, &key_values, error) ||
        (type != LD_DOC_DOCUMENT && (member_object(json, M_START, &start_map, error) ||
                                     member_object(json, M_END, &end_map, error)))) {
        json_decref(metadata);
        json_decref(key_values);
        json_decref(start_map);
        json_decref(end_map);
        return NULL;
    }
    ld_document *doc = document_create(
        &LD_DOCUMENT_OPTIONS(.type = type, .document_id = id, .record_type = record_type,
                             .partition_key = partition_key, .metadata = metadata,
                             .key_values = key_values, .start_offset_map = start_map,
                             .end_offset_map = end_map, .message = message),
        1, NULL);
    if (doc == NULL)
        ld_error_set(error, LD_ERR_NOMEM, "document: out of memory");
    return doc;
}

/* ---- copies and serialization ---- */

static json_t *deep_copy_or_null(const json_t *value, int *failed)
{
    if (value == NULL)
        return NULL;
    json_t *copy = json_deep_copy(value);
    if (copy == NULL)
        *failed = 1;
    return copy;
}

LD_EXTERN ld_document *ld_document_copy(const ld_document *d)
{
    int failed = 0;
    json_t *metadata = deep_copy_or_null(d->metadata, &failed);
    json_t *key_values = deep_copy_or_null(d->key_values, &failed);
    json_t *start_map = deep_copy_or_null(d->start_map, &failed);
    json_t *end_map = deep_copy_or_null(d->end_map, &failed);
    if (failed) {
        json_decref(metadata);
        json_decref(key_values);
        json_decref(start_map);
        json_decref(end_map);
        return NULL;
    }
    ld_document *copy = document_create(
        &LD_DOCUMENT_OPTIONS(.type = d->type, .document_id = d->id,
                             .record_type = d->record_type, .partition_key = d->partition_key,
                             .metadata = metadata, .key_values = key_values,
                             .start_offset_map = start_map, .end_offset_map = end_map,
                             .message = d->message),
        1, NULL);
    if (copy != NULL) {
        /* The payload is shared, so only the original frees it. */
        copy->serializer = d->serializer;
        copy->serializer_payload = d->serializer_payload;
    }
    return copy;
}

LD_EXTERN void ld_document_set_serializer(ld_document *d, ld_document_serializer_fn serializer,
                                          void *payload, void (*free_payload)(void *))
{
    release_serializer(d);
    d->serializer = serializer;
    d->serializer_payload = payload;
    d->free_serializer_payload = serializer != NULL ? free_payload : NULL;
    if (serializer == NULL && free_payload != NULL)
        free_payload(payload);
}

LD_EXTERN json_t *ld_document_serialize(const ld_document *d)
{
    if (d->serializer != NULL)
        return d->serializer(d, d->serializer_payload);
    if (d->type != LD_DOC_DOCUMENT)
        return ld_document_to_json(d);

    /* Shallow copy: the destination object shares the map's values, never mutates them. */
    json_t *out = d->key_values != NULL ? json_copy(d->key_values) : json_object();
    if (out == NULL)
        return NULL;
    if (set_new(out, M_ID, string_or_null(d->id)) ||
        set_new(out, M_RECORD_TYPE, string_or_null(d->record_type)) ||
        set_new(out, M_PARTITION_KEY, string_or_null(d->partition_key)) ||
        set_new(out, M_METADATA, object_or_null(d->metadata))) {
        json_decref(out);
        return NULL;
    }
    return out;
}

LD_EXTERN const char *ld_document_type_to_string(ld_document_type type)
{
    if ((unsigned)type >= sizeof type_names / sizeof type_names[0])
        return NULL;
    return type_names[type];
}

LD_EXTERN int ld_document_type_from_string(const char *text, ld_document_type *out)
{
    if (text == NULL)
        return LD_ERR_INVALID;
    for (unsigned i = 0; i < sizeof type_names / sizeof type_names[0]; i++) {
        if (strcmp(text, type_names[i]) == 0) {
            *out = (ld_document_type)i;
            return LD_OK;
        }
    }
    return LD_ERR_INVALID;
}
