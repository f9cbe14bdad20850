/*
 * test_handlers.c - see test_handlers.h.
 *
 * SPDX-License-Identifier: MIT
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <letsdata/letsdata.h>

#include "test_handlers.h"

static int file_type(ld_context *ctx, void *payload, char **out)
{
    (void)ctx;
    (void)payload;
    *out = NULL; /* deliberately invalid: LD_OK without a string */
    return LD_OK;
}

static int start_pattern(ld_context *ctx, void *payload, const char *type,
                         ld_record_parse_hint *hint)
{
    (void)payload;
    if (strcmp(type, "fail") == 0)
        return ld_context_fail(ctx, "ValueError", "s3FileType '%s' is not supported", type);
    if (strcmp(type, "status") == 0)
        return LD_ERR_INVALID;
    if (strcmp(type, "empty") == 0) {
        hint->type = LD_HINT_PATTERN; /* no pattern bytes: invalid */
        return LD_OK;
    }
    if (strcmp(type, "segv") == 0)
        raise(SIGSEGV);
    if (strcmp(type, "abort") == 0)
        abort();
    if (strcmp(type, "loop") == 0)
        for (;;)
            pause();
    return ld_record_parse_hint_set_pattern(hint, "WARC/1.0");
}

static int parse(ld_context *ctx, void *payload, const char *type, const char *file_name,
                 int64_t offset, const char *buffer, size_t start, size_t end,
                 ld_parse_document_result *result)
{
    (void)payload;
    (void)offset;
    json_t *values = json_pack("{s:s%}", "text", buffer + start, end - start);
    if (strcmp(type, "nodoc") == 0) {
        json_decref(values);
        result->status = LD_PARSE_SUCCESS;
        return LD_OK;
    }
    if (strcmp(type, "wrongkind") == 0 || strcmp(type, "error") == 0) {
        ld_document *doc = ld_error_doc_new(file_name, "ERR", file_name, NULL, values, NULL,
                                            NULL, "bad record");
        ld_parse_document_result_set(result, strcmp(type, "error") == 0 ? LD_PARSE_ERROR
                                                                         : LD_PARSE_SUCCESS,
                                     doc);
        return LD_OK;
    }
    if (strcmp(type, "numbers") == 0)
        json_object_update_new(values, json_pack("{s:f, s:f, s:f, s:f, s:I}", "score", 6.77,
                                                 "big", 1e16, "small", 0.00001, "whole", 100.0,
                                                 "count", (json_int_t)3));
    if (strcmp(type, "context") == 0) {
        json_object_set_new(values, "requestId", json_string(ld_context_request_id(ctx)));
        json_object_set_new(values, "tenantId", json_string(ld_context_tenant_id(ctx)));
        json_object_set_new(values, "userId", json_string(ld_context_user_id(ctx)));
        json_object_set_new(values, "datasetName", json_string(ld_context_dataset_name(ctx)));
        json_object_set_new(values, "datasetId", json_string(ld_context_dataset_id(ctx)));
        json_object_set_new(values, "deadlineMs", json_integer(ld_context_deadline_ms(ctx)));
        const char *trace = getenv("_X_AMZN_TRACE_ID");
        json_object_set_new(values, "traceId", trace ? json_string(trace) : json_null());
    }
    ld_document *doc = ld_document_new(file_name, "DOC", file_name, json_object(), values);
    if (doc == NULL)
        return ld_context_fail(ctx, "OutOfMemory", "no document");
    ld_parse_document_result_set(result, LD_PARSE_SUCCESS, doc);
    return ld_parse_document_result_set_next_record_type(result, "NEXT");
}

static const ld_single_file_parser parser = {
    .version = LD_SINGLE_FILE_PARSER_VERSION,
    .get_s3_file_type = file_type,
    .get_record_start_pattern = start_pattern,
    .parse_document = parse,
};

int ldt_register_test_handlers(ld_registry *registry)
{
    return ld_registry_set_single_file_parser(registry, &parser);
}
