/*
 * dispatch.c - call the registered handler method for a validated request and write its
 * result as the JSON the official SDKs produce. Results are checked before they are
 * written: a handler that returns nothing, an inconsistent ParseDocumentResult or an
 * invalid hint gets an EXCEPTION envelope that says so, never a crash.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <letsdata/context.h>
#include <letsdata/document.h>
#include <letsdata/model.h>

#include "runtime_internal.h"

/* ---- results as JSON ---- */

static void write_nullable_string(ldrt_buf *buf, const char *s)
{
    if (s == NULL)
        ldrt_buf_append(buf, "null", 4);
    else
        ldrt_json_write_string(buf, s, strlen(s));
}

static void write_member(ldrt_buf *buf, const char *name_with_quotes_and_colon)
{
    ldrt_buf_puts(buf, name_with_quotes_and_colon);
}

/* Same members as ld_document_to_json(), written without building a JSON tree. */
static void write_document(ldrt_buf *buf, const ld_document *doc)
{
    ld_document_type type = ld_document_get_type(doc);
    write_member(buf, "{\"documentType\":");
    const char *type_name = ld_document_type_to_string(type);
    ldrt_json_write_string(buf, type_name, strlen(type_name));
    write_member(buf, ",\"documentId\":");
    write_nullable_string(buf, ld_document_get_id(doc));
    write_member(buf, ",\"recordType\":");
    write_nullable_string(buf, ld_document_get_record_type(doc));
    write_member(buf, ",\"partitionKey\":");
    write_nullable_string(buf, ld_document_get_partition_key(doc));
    write_member(buf, ",\"documentMetadata\":");
    ldrt_json_write(buf, ld_document_get_metadata(doc));
    write_member(buf, ",\"documentKeyValuesMap\":");
    ldrt_json_write(buf, ld_document_get_key_values(doc));
    if (type != LD_DOC_DOCUMENT) {
        write_member(buf, ",\"errorStartoffsetMap\":");
        ldrt_json_write(buf, ld_document_get_start_offset_map(doc));
        write_member(buf, ",\"errorEndoffsetMap\":");
        ldrt_json_write(buf, ld_document_get_end_offset_map(doc));
        write_member(buf, type == LD_DOC_ERROR ? ",\"errorMessage\":" : ",\"skipMessage\":");
        write_nullable_string(buf, ld_document_get_message(doc));
    }
    ldrt_buf_append(buf, "}", 1);
}

static void write_parse_result(ldrt_buf *buf, const ld_parse_document_result *result)
{
    write_member(buf, "{\"nextRecordType\":");
    write_nullable_string(buf, result->next_record_type);
    write_member(buf, ",\"document\":");
    if (result->document != NULL)
        write_document(buf, result->document);
    else
        ldrt_buf_append(buf, "null", 4);
    write_member(buf, ",\"status\":\"");
    ldrt_buf_puts(buf, ld_parse_status_to_string(result->status));
    ldrt_buf_append(buf, "\"}", 2);
}

/* ---- calling the handler ---- */

static const char *str(const json_t *data, const char *key)
{
    return json_string_value(json_object_get(data, key)); /* NULL when absent or null */
}

static size_t len(const json_t *data, const char *key)
{
    return json_string_length(json_object_get(data, key));
}

static int64_t integer(const json_t *data, const char *key)
{
    return (int64_t)json_integer_value(json_object_get(data, key));
}

static json_t *obj(const json_t *data, const char *key)
{
    return json_object_get(data, key);
}

/* Turn a handler's non-OK return (or a failed context) into the failure record. */
static int handler_failed(ld_context *ctx, int rc, const ldrt_request *request,
                          ldrt_failure *failure)
{
    if (ld_context_failed(ctx)) {
        const char *type = ld_context_error_type(ctx);
        size_t n = strlen(type);
        if (n >= sizeof failure->type_buf)
            n = sizeof failure->type_buf - 1;
        memcpy(failure->type_buf, type, n);
        failure->type_buf[n] = '\0';
        return ldrt_fail(failure, failure->type_buf, request->function_name, "%s",
                         ld_context_error_message(ctx));
    }
    return ldrt_fail(failure, LDRT_ERR_HANDLER, request->function_name,
                     "%s.%s failed with status %d (%s) without a message",
                     ld_interface_to_string(request->interface_id), request->function_name,
                     rc, ld_status_name(rc));
}

/* errorMessage is the reference's "Not Yet Implemented" (the conformance vectors pin
 * it); stackTrace, which the reference fills with its traceback, says which method. */
static int not_implemented(ldrt_failure *failure, const ldrt_request *request)
{
    const char *name = ld_interface_to_string(request->interface_id);
    char where[sizeof failure->stack];
    snprintf(where, sizeof where, "%s.%s: the registered %s leaves this method NULL", name,
             request->function_name, name);
    return ldrt_fail(failure, LDRT_ERR_NOT_IMPLEMENTED, where, "%s",
                     LDRT_NOT_IMPLEMENTED_MESSAGE);
}

/* A request for an interface the handler never registered: the usual cause is a wrong
 * handler library or a registration function that set another interface, so say which
 * interfaces it did register (in stackTrace, which `letsdata-runtime invoke` prints). */
static int not_registered(const ld_registry *registry, ldrt_failure *failure,
                          const ldrt_request *request)
{
    char registered[256];
    int count = ld_registry_list_interfaces(registry, registered, sizeof registered);
    char where[sizeof failure->stack];
    snprintf(where, sizeof where, "%s.%s: the handler registered no %s; it registered %s%s",
             ld_interface_to_string(request->interface_id), request->function_name,
             ld_interface_to_string(request->interface_id), count ? "only " : "no interface",
             registered);
    return ldrt_fail(failure, LDRT_ERR_NOT_IMPLEMENTED, where, "%s",
                     LDRT_NOT_IMPLEMENTED_MESSAGE);
}

static int invalid_result(ldrt_failure *failure, const ldrt_request *request,
                          const char *what)
{
    return ldrt_fail(failure, LDRT_ERR_INVALID_RESULT, request->function_name,
                     "%s.%s returned an invalid result: %s",
                     ld_interface_to_string(request->interface_id), request->function_name,
                     what);
}

static int finish_string(int rc, char *value, ld_context *ctx, const ldrt_request *request,
                         ldrt_buf *out, ldrt_failure *failure)
{
    if (rc != LD_OK || ld_context_failed(ctx)) {
        free(value);
        return handler_failed(ctx, rc, request, failure);
    }
    if (value == NULL)
        return invalid_result(failure, request, "no string (the output was left NULL)");
    ldrt_json_write_string(out, value, strlen(value));
    free(value);
    return 0;
}

static int finish_hint(int rc, ld_record_parse_hint *hint, ld_context *ctx,
                       const ldrt_request *request, ldrt_buf *out, ldrt_failure *failure)
{
    int result = 0;
    ld_error error = {0};
    if (rc != LD_OK || ld_context_failed(ctx)) {
        result = handler_failed(ctx, rc, request, failure);
    } else if (ld_record_parse_hint_validate(hint, &error) != LD_OK) {
        result = invalid_result(failure, request, error.message);
    } else {
        write_member(out, "{\"recordHintType\":\"");
        ldrt_buf_puts(out, ld_record_hint_type_to_string(hint->type));
        write_member(out, "\",\"pattern\":");
        if (hint->type == LD_HINT_PATTERN)
            ldrt_json_write_string(out, hint->pattern, hint->pattern_length);
        else
            ldrt_buf_append(out, "null", 4);
        char number[32];
        int n = snprintf(number, sizeof number, ",\"offset\":%lld}",
                         (long long)(hint->type == LD_HINT_PATTERN ? -1 : hint->offset));
        ldrt_buf_append(out, number, (size_t)n);
    }
    ld_record_parse_hint_clear(hint);
    return result;
}

static int finish_parse_result(int rc, ld_parse_document_result *result, ld_context *ctx,
                               const ldrt_request *request, ldrt_buf *out,
                               ldrt_failure *failure)
{
    int status = 0;
    ld_error error = {0};
    if (rc != LD_OK || ld_context_failed(ctx))
        status = handler_failed(ctx, rc, request, failure);
    else if (ld_parse_document_result_validate(result, &error) != LD_OK)
        status = invalid_result(failure, request, error.message);
    else
        write_parse_result(out, result);
    ld_parse_document_result_clear(result);
    return status;
}

static int call_single_file_parser(const ld_single_file_parser *impl, ld_context *ctx,
                                   const ldrt_request *request, ldrt_buf *out,
                                   ldrt_failure *failure)
{
    const json_t *d = request->data;
    char *text = NULL;
    ld_record_parse_hint hint = LD_RECORD_PARSE_HINT_INIT;
    ld_parse_document_result result = LD_PARSE_DOCUMENT_RESULT_INIT;
    int rc;
    switch (request->function) {
    case LDRT_FN_GET_S3_FILE_TYPE:
        if (impl->get_s3_file_type == NULL)
            return not_implemented(failure, request);
        rc = impl->get_s3_file_type(ctx, impl->payload, &text);
        return finish_string(rc, text, ctx, request, out, failure);
    case LDRT_FN_GET_RESOLVED_S3_FILE_NAME:
        if (impl->get_resolved_s3_file_name == NULL)
            return not_implemented(failure, request);
        rc = impl->get_resolved_s3_file_name(ctx, impl->payload, str(d, "s3FileType"),
                                             str(d, "fileName"), &text);
        return finish_string(rc, text, ctx, request, out, failure);
    case LDRT_FN_GET_RECORD_START_PATTERN:
    case LDRT_FN_GET_RECORD_END_PATTERN: {
        int start = request->function == LDRT_FN_GET_RECORD_START_PATTERN;
        int (*method)(ld_context *, void *, const char *, ld_record_parse_hint *) =
            start ? impl->get_record_start_pattern : impl->get_record_end_pattern;
        if (method == NULL)
            return not_implemented(failure, request);
        rc = method(ctx, impl->payload, str(d, "s3FileType"), &hint);
        return finish_hint(rc, &hint, ctx, request, out, failure);
    }
    case LDRT_FN_PARSE_DOCUMENT:
        if (impl->parse_document == NULL)
            return not_implemented(failure, request);
        rc = impl->parse_document(ctx, impl->payload, str(d, "s3FileType"), str(d, "fileName"),
                                  integer(d, "offsetBytes"), str(d, "content"),
                                  (size_t)integer(d, "startIndex"),
                                  (size_t)integer(d, "endIndex"), &result);
        return finish_parse_result(rc, &result, ctx, request, out, failure);
    default:
        return ldrt_fail(failure, LDRT_ERR_INTERNAL, "", "dispatch: bad function");
    }
}

int ldrt_call_reader(const ld_registry *registry, ld_context *ctx, const ldrt_request *request,
                     ld_parse_document_result *result, ldrt_failure *failure)
{
    const json_t *d = request->data;
    int rc;
    switch (request->function) {
    case LDRT_FN_QUEUE_PARSE_MESSAGE: {
        const ld_queue_message_reader *impl = ld_registry_queue_message_reader(registry);
        if (impl == NULL || impl->parse_message == NULL)
            return not_implemented(failure, request);
        rc = impl->parse_message(ctx, impl->payload, str(d, "messageId"),
                                 str(d, "messageGroupId"), str(d, "messageDeduplicationId"),
                                 obj(d, "messageAttributes"), str(d, "messageBody"),
                                 len(d, "messageBody"), result);
        break;
    }
    case LDRT_FN_KINESIS_PARSE_MESSAGE: {
        const ld_kinesis_record_reader *impl = ld_registry_kinesis_record_reader(registry);
        if (impl == NULL || impl->parse_message == NULL)
            return not_implemented(failure, request);
        rc = impl->parse_message(ctx, impl->payload, str(d, "streamArn"), str(d, "shardId"),
                                 str(d, "partitionKey"), str(d, "sequenceNumber"),
                                 integer(d, "approximateArrivalTimestamp"), str(d, "data"),
                                 len(d, "data"), result);
        break;
    }
    case LDRT_FN_DDB_STREAMS_PARSE_RECORD: {
        const ld_dynamodb_streams_record_reader *impl =
            ld_registry_dynamodb_streams_record_reader(registry);
        if (impl == NULL || impl->parse_record == NULL)
            return not_implemented(failure, request);
        json_t *inner = obj(d, "data");
        rc = impl->parse_record(ctx, impl->payload, str(d, "streamArn"), str(d, "shardId"),
                                str(d, "eventId"), str(d, "eventName"),
                                str(d, "identityPrincipalId"), str(d, "identityType"),
                                str(d, "sequenceNumber"), integer(d, "sizeBytes"),
                                str(d, "streamViewType"),
                                integer(d, "approximateCreationDateTime"), obj(inner, "keys"),
                                obj(inner, "oldImage"), obj(inner, "newImage"), result);
        break;
    }
    case LDRT_FN_DDB_TABLE_PARSE_ITEM: {
        const ld_dynamodb_table_item_reader *impl =
            ld_registry_dynamodb_table_item_reader(registry);
        if (impl == NULL || impl->parse_dynamodb_item == NULL)
            return not_implemented(failure, request);
        json_t *inner = obj(d, "data");
        rc = impl->parse_dynamodb_item(ctx, impl->payload, str(d, "tableName"),
                                       integer(d, "segmentNumber"), obj(inner, "keys"),
                                       obj(inner, "item"), result);
        break;
    }
    default:
        return ldrt_fail(failure, LDRT_ERR_INTERNAL, "", "dispatch: not a record reader");
    }
    if (rc != LD_OK || ld_context_failed(ctx))
        return handler_failed(ctx, rc, request, failure);
    return 0;
}

static int call_readers(const ld_registry *registry, ld_context *ctx,
                        const ldrt_request *request, ldrt_buf *out, ldrt_failure *failure)
{
    ld_parse_document_result result = LD_PARSE_DOCUMENT_RESULT_INIT;
    if (ldrt_call_reader(registry, ctx, request, &result, failure) != 0) {
        ld_parse_document_result_clear(&result);
        return -1;
    }
    return finish_parse_result(LD_OK, &result, ctx, request, out, failure);
}

static int call_sagemaker(const ld_sagemaker_vectors_interface *impl, ld_context *ctx,
                          const ldrt_request *request, ldrt_buf *out, ldrt_failure *failure)
{
    const json_t *d = request->data;
    int rc;
    if (request->function == LDRT_FN_EXTRACT_ELEMENTS) {
        json_t *elements = NULL;
        if (impl->extract_document_elements_for_vectorization == NULL)
            return not_implemented(failure, request);
        rc = impl->extract_document_elements_for_vectorization(ctx, impl->payload,
                                                               obj(d, "document"), &elements);
        int status = 0;
        if (rc != LD_OK || ld_context_failed(ctx))
            status = handler_failed(ctx, rc, request, failure);
        else if (!json_is_object(elements))
            status = invalid_result(failure, request,
                                    "expected a JSON object mapping names to texts");
        else
            ldrt_json_write(out, elements);
        json_decref(elements);
        return status;
    }
    ld_document *doc = NULL;
    if (impl->construct_vector_doc == NULL)
        return not_implemented(failure, request);
    rc = impl->construct_vector_doc(ctx, impl->payload, obj(d, "documentInterface"),
                                    obj(d, "vectorsMap"), &doc);
    int status = 0;
    if (rc != LD_OK || ld_context_failed(ctx))
        status = handler_failed(ctx, rc, request, failure);
    else if (doc == NULL)
        status = invalid_result(failure, request, "no document (the output was left NULL)");
    else
        write_document(out, doc);
    ld_document_free(doc);
    return status;
}

static int call_spark(const ld_registry *registry, ld_context *ctx,
                      const ldrt_request *request, ldrt_buf *out, ldrt_failure *failure)
{
    const json_t *d = request->data;
    int rc;
    if (request->function == LDRT_FN_SPARK_MAPPER) {
        const ld_spark_mapper_interface *impl = ld_registry_spark_mapper_interface(registry);
        if (impl == NULL || impl->mapper == NULL)
            return not_implemented(failure, request);
        rc = impl->mapper(ctx, impl->payload, str(d, "appName"), str(d, "readDestination"),
                          str(d, "readUri"), str(d, "readFormat"), obj(d, "readOptions"),
                          str(d, "writeDestination"), str(d, "writeUri"),
                          str(d, "writeFormat"), str(d, "writeMode"), obj(d, "writeOptions"),
                          str(d, "sparkCredentialsSecretArn"));
    } else {
        const ld_spark_reducer_interface *impl = ld_registry_spark_reducer_interface(registry);
        if (impl == NULL || impl->reducer == NULL)
            return not_implemented(failure, request);
        json_t *uris = obj(d, "readUris");
        size_t count = json_array_size(uris);
        const char **list = calloc(count + 1, sizeof *list);
        if (list == NULL)
            return ldrt_fail(failure, LDRT_ERR_INTERNAL, "", "out of memory");
        for (size_t i = 0; i < count; i++)
            list[i] = json_string_value(json_array_get(uris, i));
        rc = impl->reducer(ctx, impl->payload, str(d, "appName"), str(d, "readDestination"),
                           list, count, str(d, "readFormat"), obj(d, "readOptions"),
                           str(d, "writeDestination"), str(d, "writeUri"),
                           str(d, "writeFormat"), str(d, "writeMode"), obj(d, "writeOptions"),
                           str(d, "sparkCredentialsSecretArn"));
        free(list);
    }
    if (rc != LD_OK || ld_context_failed(ctx))
        return handler_failed(ctx, rc, request, failure);
    ldrt_buf_append(out, "null", 4);
    return 0;
}

int ldrt_dispatch(const ld_registry *registry, const ldrt_request *request,
                  const ld_invoke_options *options, ldrt_buf *out, ldrt_failure *failure)
{
    if (!ld_registry_has(registry, request->interface_id))
        return not_registered(registry, failure, request);
    ld_context *ctx = ld_context_new(request->request_id, request->tenant_id,
                                     request->user_id, request->dataset_name,
                                     request->dataset_id);
    if (ctx == NULL)
        return ldrt_fail(failure, LDRT_ERR_INTERNAL, "", "out of memory");
    if (options != NULL)
        ld_context_set_deadline_ms(ctx, options->deadline_ms);

    int status;
    switch (request->interface_id) {
    case LD_INTERFACE_SINGLE_FILE_PARSER: {
        const ld_single_file_parser *impl = ld_registry_single_file_parser(registry);
        status = impl != NULL ? call_single_file_parser(impl, ctx, request, out, failure)
                              : not_implemented(failure, request);
        break;
    }
    case LD_INTERFACE_SAGEMAKER_VECTORS: {
        const ld_sagemaker_vectors_interface *impl =
            ld_registry_sagemaker_vectors_interface(registry);
        status = impl != NULL ? call_sagemaker(impl, ctx, request, out, failure)
                              : not_implemented(failure, request);
        break;
    }
    case LD_INTERFACE_SPARK_MAPPER:
    case LD_INTERFACE_SPARK_REDUCER:
        status = call_spark(registry, ctx, request, out, failure);
        break;
    default:
        status = call_readers(registry, ctx, request, out, failure);
        break;
    }
    ld_context_free(ctx);
    if (status == 0 && out->oom)
        return ldrt_fail(failure, LDRT_ERR_INTERNAL, "", "out of memory writing the result");
    return status;
}
