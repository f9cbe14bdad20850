/*
 * jsonl.c - queue, stream and table records from JSON Lines files: each line holds the
 * `data` members of the corresponding request (wire-protocol.md), validated exactly as
 * the runtime validates requests, then handed to the registered record reader.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <letsdata/json.h>

#include "runner_internal.h"
#include "s3_source.h"
#include "runtime_internal.h"

static int function_of(ld_interface interface_id, ldrt_function *function)
{
    switch (interface_id) {
    case LD_INTERFACE_QUEUE_MESSAGE_READER: *function = LDRT_FN_QUEUE_PARSE_MESSAGE; return 0;
    case LD_INTERFACE_KINESIS_RECORD_READER: *function = LDRT_FN_KINESIS_PARSE_MESSAGE; return 0;
    case LD_INTERFACE_DYNAMODB_STREAMS_RECORD_READER:
        *function = LDRT_FN_DDB_STREAMS_PARSE_RECORD;
        return 0;
    case LD_INTERFACE_DYNAMODB_TABLE_ITEM_READER:
        *function = LDRT_FN_DDB_TABLE_PARSE_ITEM;
        return 0;
    default: return -1;
    }
}

/* A line that is not a valid record is the input's fault: an ErrorDoc, then go on. */
static int invalid_line(ldrun_output *out, const char *where, const char *message,
                        ld_error *error)
{
    ld_parse_document_result result = LD_PARSE_DOCUMENT_RESULT_INIT;
    ld_document *doc = ld_error_doc_new(NULL, "INVALID_RECORD", NULL, NULL,
                                        json_pack("{s:s}", "where", where), NULL, NULL, message);
    if (doc == NULL)
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    ld_parse_document_result_set(&result, LD_PARSE_ERROR, doc);
    int rc = ldrun_route(out, &result, where, error);
    ld_parse_document_result_clear(&result);
    return rc;
}

int ldrun_read_record(const ld_registry *registry, ld_interface interface_id, ld_context *ctx,
                      const char *path, unsigned long number, const char *line,
                      size_t length, ldrun_output *out, ld_error *error)
{
    ldrt_function function;
    if (function_of(interface_id, &function) != 0)
        return ld_error_set(error, LD_ERR_INVALID, "%s is not a record reader",
                            ld_interface_to_string(interface_id));
    char where[4200];
    snprintf(where, sizeof where, "%s:%lu", path, number);
    ld_error parse_error = {0};
    json_t *data = ld_json_parse(line, length, &parse_error);
    ldrt_failure failure = {0};
    if (data == NULL)
        return invalid_line(out, where, parse_error.message, error);
    if (ldrt_check_data(function, data, &failure) != 0) {
        json_decref(data);
        return invalid_line(out, where, failure.message, error);
    }
    ldrt_request request = {0};
    request.request_id = where;
    request.interface_id = interface_id;
    request.function = function;
    request.function_name = function == LDRT_FN_DDB_STREAMS_PARSE_RECORD ? "parseRecord"
                            : function == LDRT_FN_DDB_TABLE_PARSE_ITEM  ? "parseDynamoDBItem"
                                                                        : "parseMessage";
    request.data = data;
    ld_parse_document_result result = LD_PARSE_DOCUMENT_RESULT_INIT;
    ld_context_clear_error(ctx);
    int rc;
    if (ldrt_call_reader(registry, ctx, &request, &result, &failure) != 0)
        rc = ldrun_handler_failed(out, failure.type, failure.message,
                                  json_pack("{s:s, s:I}", "file", path, "line",
                                            (json_int_t)number),
                                  where, error);
    else
        rc = ldrun_route(out, &result, where, error);
    ld_parse_document_result_clear(&result);
    json_decref(data);
    return rc;
}

#define LINES_PER_CHECKPOINT 2000

int ldrun_read_jsonl(const ld_registry *registry, ld_interface interface_id,
                     const char *path, ld_context *ctx, ldrun_output *out,
                     const ldrun_jsonl_progress *progress, ld_error *error)
{
    ldrt_function function;
    if (function_of(interface_id, &function) != 0)
        return ld_error_set(error, LD_ERR_INVALID, "%s is not a record reader",
                            ld_interface_to_string(interface_id));
    /* Local files, or s3:// objects through the runner's byte sources. */
    FILE *f = strcmp(path, "-") == 0 ? stdin : ldrun_source_fopen(path, error);
    if (f == NULL)
        return error != NULL && error->code != 0 ? error->code : LD_ERR_IO;
    char *line = NULL;
    size_t capacity = 0;
    ssize_t n;
    unsigned long number = 0;
    int rc = LD_OK, stopped = 0;
    while (rc == LD_OK) {
        /* SIGINT/SIGTERM: stop between lines; the lines done so far are kept (tasks.c). */
        if ((stopped = ldrun_stop_signal() != 0) || (n = getline(&line, &capacity, f)) < 0)
            break;
        number++;
        if (progress != NULL && number <= progress->skip_lines)
            continue; /* done before the interruption */
        if (progress != NULL && progress->save != NULL && number > 1 &&
            (number - 1) % LINES_PER_CHECKPOINT == 0) {
            rc = progress->save(progress->payload, number - 1, out, error);
            if (rc != LD_OK)
                break;
        }
        out->counts.bytes_read += (uint64_t)n;
        out->counts.bytes_in_records += (uint64_t)n;
        size_t length = (size_t)n;
        while (length > 0 && (line[length - 1] == '\n' || line[length - 1] == '\r'))
            length--;
        if (length == 0)
            continue;
        if (out->child != NULL) /* --isolate */
            rc = ldrun_child_read_record(interface_id, path, number, line, length, out, error);
        else
            rc = ldrun_read_record(registry, interface_id, ctx, path, number, line, length, out,
                                   error);
    }
    if (rc == LD_OK && ferror(f))
        rc = ld_error_set(error, LD_ERR_IO, "cannot read %s: %s", path, strerror(errno));
    if (rc == LD_OK && stopped)
        rc = ld_error_set(error, LDRUN_STOPPED, "%s: stopped by a signal", path);
    if (progress != NULL && progress->lines_done != NULL)
        *progress->lines_done = number > progress->skip_lines ? number : progress->skip_lines;
    free(line);
    if (f != stdin)
        fclose(f);
    return rc;
}
