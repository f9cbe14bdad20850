/*
 * request.c - parse and validate a LetsData request exactly as the wire protocol says:
 * required keys, JSON types, no extra keys, parseDocument's index rule, case-insensitive
 * interface names and case-sensitive function names. Every rejection names the field.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <letsdata/json.h>

#include "runtime_internal.h"

/* The JSON types a `data` member may have. */
typedef enum field_kind {
    F_STRING,
    F_STRING_OR_NULL,
    F_INT,
    F_OBJECT,
    F_STRING_ARRAY,
    F_DDB_STREAMS_DATA, /* {keys, oldImage, newImage}: objects */
    F_DDB_TABLE_DATA,   /* {keys, item}: objects */
} field_kind;

typedef struct field_spec {
    const char *name;
    field_kind kind;
    int optional;
} field_spec;

#define MAX_FIELDS 12

typedef struct function_spec {
    ld_interface interface_id;
    const char *name;
    field_spec fields[MAX_FIELDS];
} function_spec;

#define SPARK_COMMON                                                                     \
    {"appName", F_STRING, 0}, {"readDestination", F_STRING, 0},                          \
        {"readFormat", F_STRING, 0}, {"readOptions", F_OBJECT, 0},                       \
        {"writeDestination", F_STRING, 0}, {"writeUri", F_STRING, 0},                    \
        {"writeFormat", F_STRING, 0}, {"writeMode", F_STRING, 0},                        \
        {"writeOptions", F_OBJECT, 0}, {"sparkCredentialsSecretArn", F_STRING, 0}

/* Indexed by ldrt_function; the table of wire-protocol.md. */
static const function_spec functions[LDRT_FN_COUNT] = {
    [LDRT_FN_GET_S3_FILE_TYPE] = {LD_INTERFACE_SINGLE_FILE_PARSER, "getS3FileType", {{0}}},
    [LDRT_FN_GET_RESOLVED_S3_FILE_NAME] = {LD_INTERFACE_SINGLE_FILE_PARSER,
                                           "getResolvedS3FileName",
                                           {{"s3FileType", F_STRING, 0},
                                            {"fileName", F_STRING, 0}}},
    [LDRT_FN_GET_RECORD_START_PATTERN] = {LD_INTERFACE_SINGLE_FILE_PARSER,
                                          "getRecordStartPattern",
                                          {{"s3FileType", F_STRING, 0}}},
    [LDRT_FN_GET_RECORD_END_PATTERN] = {LD_INTERFACE_SINGLE_FILE_PARSER,
                                        "getRecordEndPattern",
                                        {{"s3FileType", F_STRING, 0}}},
    [LDRT_FN_PARSE_DOCUMENT] = {LD_INTERFACE_SINGLE_FILE_PARSER,
                                "parseDocument",
                                {{"s3FileType", F_STRING, 0},
                                 {"fileName", F_STRING, 0},
                                 {"offsetBytes", F_INT, 0},
                                 {"content", F_STRING, 0},
                                 {"startIndex", F_INT, 0},
                                 {"endIndex", F_INT, 0}}},
    [LDRT_FN_QUEUE_PARSE_MESSAGE] = {LD_INTERFACE_QUEUE_MESSAGE_READER,
                                     "parseMessage",
                                     {{"messageId", F_STRING, 0},
                                      {"messageGroupId", F_STRING, 1},
                                      {"messageDeduplicationId", F_STRING, 1},
                                      {"messageAttributes", F_OBJECT, 0},
                                      {"messageBody", F_STRING, 0}}},
    [LDRT_FN_KINESIS_PARSE_MESSAGE] = {LD_INTERFACE_KINESIS_RECORD_READER,
                                       "parseMessage",
                                       {{"streamArn", F_STRING, 0},
                                        {"shardId", F_STRING, 0},
                                        {"partitionKey", F_STRING, 0},
                                        {"sequenceNumber", F_STRING, 0},
                                        {"approximateArrivalTimestamp", F_INT, 0},
                                        {"data", F_STRING, 0}}},
    [LDRT_FN_DDB_STREAMS_PARSE_RECORD] = {LD_INTERFACE_DYNAMODB_STREAMS_RECORD_READER,
                                          "parseRecord",
                                          {{"streamArn", F_STRING, 0},
                                           {"shardId", F_STRING, 0},
                                           {"eventId", F_STRING, 0},
                                           {"eventName", F_STRING, 0},
                                           {"identityPrincipalId", F_STRING_OR_NULL, 0},
                                           {"identityType", F_STRING_OR_NULL, 0},
                                           {"sequenceNumber", F_STRING, 0},
                                           {"sizeBytes", F_INT, 0},
                                           {"streamViewType", F_STRING, 0},
                                           {"approximateCreationDateTime", F_INT, 0},
                                           {"data", F_DDB_STREAMS_DATA, 0}}},
    [LDRT_FN_DDB_TABLE_PARSE_ITEM] = {LD_INTERFACE_DYNAMODB_TABLE_ITEM_READER,
                                      "parseDynamoDBItem",
                                      {{"tableName", F_STRING, 0},
                                       {"segmentNumber", F_INT, 0},
                                       {"data", F_DDB_TABLE_DATA, 0}}},
    [LDRT_FN_EXTRACT_ELEMENTS] = {LD_INTERFACE_SAGEMAKER_VECTORS,
                                  "extractDocumentElementsForVectorization",
                                  {{"document", F_OBJECT, 0}}},
    [LDRT_FN_CONSTRUCT_VECTOR_DOC] = {LD_INTERFACE_SAGEMAKER_VECTORS,
                                      "constructVectorDoc",
                                      {{"documentInterface", F_OBJECT, 0},
                                       {"vectorsMap", F_OBJECT, 0}}},
    [LDRT_FN_SPARK_MAPPER] = {LD_INTERFACE_SPARK_MAPPER,
                              "mapper",
                              {SPARK_COMMON, {"readUri", F_STRING, 0}}},
    [LDRT_FN_SPARK_REDUCER] = {LD_INTERFACE_SPARK_REDUCER,
                               "reducer",
                               {SPARK_COMMON, {"readUris", F_STRING_ARRAY, 0}}},
};

static const char *type_name(const json_t *value)
{
    switch (json_typeof(value)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a real number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "unknown";
}

static const char *kind_name(field_kind kind)
{
    switch (kind) {
    case F_STRING: return "a string";
    case F_STRING_OR_NULL: return "a string or null";
    case F_INT: return "an integer";
    case F_STRING_ARRAY: return "an array of strings";
    default: return "an object";
    }
}

static int bad(ldrt_failure *failure, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static int bad(ldrt_failure *failure, const char *format, ...)
{
    char text[sizeof failure->message - 32];
    va_list ap;
    va_start(ap, format);
    vsnprintf(text, sizeof text, format, ap);
    va_end(ap);
    return ldrt_fail(failure, LDRT_ERR_BAD_REQUEST, "", "Invalid request: %s", text);
}

/* Check that @p object has exactly the keys in @p names (NULL-terminated), each of
 * which must be an object; @p where prefixes messages ("data.data"). */
static int check_object_members(const json_t *object, const char *const *names,
                                const char *where, ldrt_failure *failure)
{
    for (const char *const *name = names; *name; name++) {
        json_t *value = json_object_get(object, *name);
        if (value == NULL)
            return bad(failure, "%s.%s is missing (required: an object)", where, *name);
        if (!json_is_object(value))
            return bad(failure, "%s.%s must be an object, got %s", where, *name,
                       type_name(value));
    }
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)object, key, value) {
        int known = 0;
        for (const char *const *name = names; *name && !known; name++)
            known = strcmp(key, *name) == 0;
        if (!known)
            return bad(failure, "%s has an unexpected key '%s'", where, key);
    }
    return 0;
}

static int check_field(const field_spec *field, const json_t *value, ldrt_failure *failure)
{
    static const char *const streams_members[] = {"keys", "oldImage", "newImage", NULL};
    static const char *const table_members[] = {"keys", "item", NULL};
    int ok;
    switch (field->kind) {
    case F_STRING: ok = json_is_string(value); break;
    case F_STRING_OR_NULL: ok = json_is_string(value) || json_is_null(value); break;
    case F_INT: ok = json_is_integer(value); break;
    case F_STRING_ARRAY: ok = json_is_array(value); break;
    default: ok = json_is_object(value); break;
    }
    if (!ok)
        return bad(failure, "data.%s must be %s, got %s", field->name, kind_name(field->kind),
                   type_name(value));
    if (field->kind == F_STRING_ARRAY) {
        for (size_t i = 0; i < json_array_size(value); i++)
            if (!json_is_string(json_array_get(value, i)))
                return bad(failure, "data.%s[%zu] must be a string, got %s", field->name, i,
                           type_name(json_array_get(value, i)));
    }
    if (field->kind == F_DDB_STREAMS_DATA)
        return check_object_members(value, streams_members, "data.data", failure);
    if (field->kind == F_DDB_TABLE_DATA)
        return check_object_members(value, table_members, "data.data", failure);
    return 0;
}

static int check_data(const function_spec *spec, const json_t *data, ldrt_failure *failure)
{
    for (const field_spec *field = spec->fields; field->name; field++) {
        json_t *value = json_object_get(data, field->name);
        if (value == NULL) {
            if (field->optional)
                continue;
            return bad(failure, "data.%s is missing (required: %s)", field->name,
                       kind_name(field->kind));
        }
        if (check_field(field, value, failure) != 0)
            return -1;
    }
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)data, key, value) {
        int known = 0;
        for (const field_spec *field = spec->fields; field->name && !known; field++)
            known = strcmp(key, field->name) == 0;
        if (!known)
            return bad(failure, "data has an unexpected key '%s' for %s.%s", key,
                       ld_interface_to_string(spec->interface_id), spec->name);
    }
    return 0;
}

/* parseDocument: the handler gets content's UTF-8 bytes and [startIndex, endIndex). */
static int check_parse_document_indexes(const json_t *data, ldrt_failure *failure)
{
    json_int_t start = json_integer_value(json_object_get(data, "startIndex"));
    json_int_t end = json_integer_value(json_object_get(data, "endIndex"));
    size_t bytes = json_string_length(json_object_get(data, "content"));
    if (start != 0)
        return bad(failure, "data.startIndex must be 0, got %" JSON_INTEGER_FORMAT, start);
    if (end < 0 || (size_t)end != bytes)
        return bad(failure,
                   "data.endIndex must equal the UTF-8 byte length of data.content (%zu), "
                   "got %" JSON_INTEGER_FORMAT,
                   bytes, end);
    return 0;
}

static int string_member(const json_t *object, const char *key, const char *where,
                         const char **out, ldrt_failure *failure)
{
    json_t *value = json_object_get(object, key);
    if (value == NULL)
        return bad(failure, "%s%s is missing (required: a string)", where, key);
    if (!json_is_string(value))
        return bad(failure, "%s%s must be a string, got %s", where, key, type_name(value));
    *out = json_string_value(value);
    return 0;
}

static int check_envelope_keys(const json_t *root, ldrt_failure *failure)
{
    static const char *const allowed[] = {"requestId", "interface", "function",
                                          "letsdataAuth", "data", "batchedData", NULL};
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)root, key, value) {
        int known = 0;
        for (const char *const *name = allowed; *name && !known; name++)
            known = strcmp(key, *name) == 0;
        if (!known)
            return bad(failure, "the request has an unexpected key '%s'", key);
    }
    return 0;
}

static int check_auth(const json_t *root, ldrt_request *request, ldrt_failure *failure)
{
    json_t *auth = json_object_get(root, "letsdataAuth");
    if (auth == NULL)
        return bad(failure, "letsdataAuth is missing (required: an object)");
    if (!json_is_object(auth))
        return bad(failure, "letsdataAuth must be an object, got %s", type_name(auth));
    static const char *const members[] = {"tenantId", "userId", "datasetName", "datasetId"};
    const char **slots[] = {&request->tenant_id, &request->user_id, &request->dataset_name,
                            &request->dataset_id};
    for (int i = 0; i < 4; i++)
        if (string_member(auth, members[i], "letsdataAuth.", slots[i], failure) != 0)
            return -1;
    const char *key;
    json_t *value;
    json_object_foreach(auth, key, value) {
        int known = 0;
        for (int i = 0; i < 4 && !known; i++)
            known = strcmp(key, members[i]) == 0;
        if (!known)
            return bad(failure, "letsdataAuth has an unexpected key '%s'", key);
    }
    return 0;
}

static int find_function(ldrt_request *request, ldrt_failure *failure)
{
    for (int i = 0; i < LDRT_FN_COUNT; i++) {
        if (functions[i].interface_id == request->interface_id &&
            strcmp(functions[i].name, request->function_name) == 0) {
            request->function = (ldrt_function)i;
            return 0;
        }
    }
    /* List the interface's functions: the caller probably misspelled one. */
    char known[256] = "";
    size_t used = 0;
    for (int i = 0; i < LDRT_FN_COUNT; i++) {
        if (functions[i].interface_id != request->interface_id || used >= sizeof known)
            continue;
        int n = snprintf(known + used, sizeof known - used, "%s%s", used ? ", " : "",
                         functions[i].name);
        used += n > 0 ? (size_t)n : 0;
    }
    return bad(failure, "function '%s' is not a function of %s (functions: %s)",
               request->function_name, ld_interface_to_string(request->interface_id), known);
}

void ldrt_request_clear(ldrt_request *request)
{
    json_decref(request->root);
    json_decref(request->data);
    memset(request, 0, sizeof *request);
}

int ldrt_check_data(ldrt_function function, const json_t *data, ldrt_failure *failure)
{
    if (!json_is_object(data))
        return bad(failure, "data must be an object, got %s", type_name(data));
    if (check_data(&functions[function], data, failure) != 0)
        return -1;
    if (function == LDRT_FN_PARSE_DOCUMENT)
        return check_parse_document_indexes(data, failure);
    return 0;
}

int ldrt_request_parse(const char *bytes, size_t length, ldrt_request *request,
                       ldrt_failure *failure)
{
    memset(request, 0, sizeof *request);
    ld_error error = {0};
    /* ld_json_parse accepts what json_loadb(JSON_DECODE_ANY | JSON_ALLOW_NUL) does
     * ("\u0000" is valid JSON and content is bytes), only faster. */
    json_t *root = ld_json_parse(bytes, length, &error);
    if (root == NULL) {
        if (error.code == LD_ERR_NOMEM)
            return ldrt_fail(failure, LDRT_ERR_INTERNAL, "", "out of memory parsing the request");
        return bad(failure, "the body is not valid JSON: %s", error.message);
    }
    request->root = root;
    if (!json_is_object(root)) {
        bad(failure, "the body must be a JSON object, got %s", type_name(root));
        goto fail;
    }
    if (string_member(root, "requestId", "", &request->request_id, failure) != 0)
        goto fail;
    const char *interface_name;
    if (string_member(root, "interface", "", &interface_name, failure) != 0 ||
        string_member(root, "function", "", &request->function_name, failure) != 0)
        goto fail;
    if (check_auth(root, request, failure) != 0 || check_envelope_keys(root, failure) != 0)
        goto fail;

    json_t *batched = json_object_get(root, "batchedData");
    if (batched != NULL && !json_is_null(batched) &&
        !(json_is_array(batched) && json_array_size(batched) == 0)) {
        bad(failure, "batchedData must be absent or an empty array (batched requests are "
                     "not supported), got %s",
            json_is_array(batched) ? "a non-empty array" : type_name(batched));
        goto fail;
    }
    if (ld_interface_from_string(interface_name, &request->interface_id) != LD_OK) {
        bad(failure,
            "interface '%s' is not a LetsData interface (SingleFileParser, "
            "QueueMessageReader, KinesisRecordReader, DynamoDBStreamsRecordReader, "
            "DynamoDBTableItemReader, SagemakerVectorsInterface, SparkMapperInterface, "
            "SparkReducerInterface)",
            interface_name);
        goto fail;
    }
    if (find_function(request, failure) != 0)
        goto fail;

    json_t *data = json_object_get(root, "data");
    if (data == NULL || json_is_null(data)) {
        data = json_object();
        if (data == NULL) {
            ldrt_fail(failure, LDRT_ERR_INTERNAL, "", "out of memory");
            goto fail;
        }
    } else if (!json_is_object(data)) {
        bad(failure, "data must be an object, got %s", type_name(data));
        goto fail;
    } else {
        json_incref(data);
    }
    request->data = data;
    if (ldrt_check_data(request->function, data, failure) != 0)
        goto fail;
    return 0;

fail:
    ldrt_request_clear(request);
    return -1;
}
