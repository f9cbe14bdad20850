/*
 * runtime_internal.h - what the runtime's files share (private): the output buffer and
 * JSON writer, the parsed request, envelopes and the failure record.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LDRT_RUNTIME_INTERNAL_H
#define LDRT_RUNTIME_INTERNAL_H

#include <stddef.h>

#include <jansson.h>

#include <letsdata/model.h>
#include <letsdata/registry.h>
#include <letsdata/runtime.h>

/* ---- growable output buffer (jsonw.c) ---- */

/** Bytes appended with ldrt_buf_*; @c oom sticks once an allocation failed. */
typedef struct ldrt_buf {
    char *data;
    size_t length;
    size_t capacity;
    int oom;
} ldrt_buf;

#define LDRT_BUF_INIT { NULL, 0, 0, 0 }

void ldrt_buf_free(ldrt_buf *buf);
/** Make room for @p extra more bytes (plus a NUL). @return 0, or -1 (sets oom). */
int ldrt_buf_reserve(ldrt_buf *buf, size_t extra);
void ldrt_buf_append(ldrt_buf *buf, const void *bytes, size_t length);
/** Append a NUL-terminated literal. */
void ldrt_buf_puts(ldrt_buf *buf, const char *text);

/**
 * Append @p value as JSON text. Strings are escaped (invalid UTF-8 from a handler's
 * json_string_nocheck() values is replaced by U+FFFD so the output stays valid JSON),
 * reals are written with the fewest digits that read back as the same double.
 */
void ldrt_json_write(ldrt_buf *buf, const json_t *value);
/** Append @p length bytes of @p text as a JSON string. */
void ldrt_json_write_string(ldrt_buf *buf, const char *text, size_t length);
/** Append a double as JSON (non-finite values, which JSON cannot hold, as null). */
void ldrt_json_write_real(ldrt_buf *buf, double value);

/* ---- failures ---- */

/** Why an invocation answers the EXCEPTION envelope. */
typedef struct ldrt_failure {
    const char *type;     /**< errorType: static string, or points into type_buf */
    char type_buf[64];
    char message[1024];   /**< errorMessage */
    char stack[512];      /**< stackTrace: a short call path (copied) */
} ldrt_failure;

/** Fill @p failure; @return -1 so that `return ldrt_fail(...)` works. */
int ldrt_fail(ldrt_failure *failure, const char *type, const char *stack,
              const char *format, ...) __attribute__((format(printf, 4, 5)));

/* errorType values of the runtime's own failures. */
#define LDRT_ERR_BAD_REQUEST "InvalidRequest"
#define LDRT_ERR_NOT_IMPLEMENTED "NotImplementedError"
#define LDRT_ERR_INVALID_RESULT "InvalidHandlerResult"
#define LDRT_ERR_HANDLER "HandlerError"
#define LDRT_ERR_INTERNAL "RuntimeError"
#define LDRT_NOT_IMPLEMENTED_MESSAGE "Not Yet Implemented"

/* ---- requests (request.c) ---- */

/** The functions of every interface, in the order of the spec's table. */
typedef enum ldrt_function {
    LDRT_FN_GET_S3_FILE_TYPE,
    LDRT_FN_GET_RESOLVED_S3_FILE_NAME,
    LDRT_FN_GET_RECORD_START_PATTERN,
    LDRT_FN_GET_RECORD_END_PATTERN,
    LDRT_FN_PARSE_DOCUMENT,
    LDRT_FN_QUEUE_PARSE_MESSAGE,
    LDRT_FN_KINESIS_PARSE_MESSAGE,
    LDRT_FN_DDB_STREAMS_PARSE_RECORD,
    LDRT_FN_DDB_TABLE_PARSE_ITEM,
    LDRT_FN_EXTRACT_ELEMENTS,
    LDRT_FN_CONSTRUCT_VECTOR_DOC,
    LDRT_FN_SPARK_MAPPER,
    LDRT_FN_SPARK_REDUCER,
    LDRT_FN_COUNT
} ldrt_function;

/** A parsed, validated request. Strings and @c data are borrowed from @c root. */
typedef struct ldrt_request {
    json_t *root;
    const char *request_id;
    const char *tenant_id, *user_id, *dataset_name, *dataset_id;
    ld_interface interface_id;
    ldrt_function function;
    const char *function_name;
    json_t *data; /**< the validated data object (an empty object when absent/null) */
} ldrt_request;

/**
 * Parse and validate @p bytes as the wire protocol says.
 * @return 0, or -1 with @p failure naming the offending field (request cleared).
 */
int ldrt_request_parse(const char *bytes, size_t length, ldrt_request *request,
                       ldrt_failure *failure);
void ldrt_request_clear(ldrt_request *request);

/**
 * Validate @p data (borrowed) as the `data` of @p function, exactly as requests are
 * validated. @return 0, or -1 with @p failure naming the field.
 */
int ldrt_check_data(ldrt_function function, const json_t *data, ldrt_failure *failure);

/* ---- envelopes (envelope.c) ---- */

/** Start the SUCCESS envelope; the caller writes the data value, then _end. */
void ldrt_envelope_success_begin(ldrt_buf *buf);
void ldrt_envelope_success_end(ldrt_buf *buf);
/** Write the whole EXCEPTION envelope for @p failure into @p buf. */
void ldrt_envelope_exception(ldrt_buf *buf, const ldrt_failure *failure);

/* ---- dispatch (dispatch.c) ---- */

/**
 * Call the handler for @p request and write its result as JSON into @p out.
 * @return 0, or -1 with @p failure set (nothing useful in @p out).
 */
int ldrt_dispatch(const ld_registry *registry, const ldrt_request *request,
                  const ld_invoke_options *options, ldrt_buf *out, ldrt_failure *failure);

/**
 * Call the record reader (QueueMessageReader, KinesisRecordReader,
 * DynamoDBStreamsRecordReader, DynamoDBTableItemReader) that @p request names, filling
 * @p result (initialised by the caller; not validated here). Used by dispatch and by
 * the local runner. @return 0, or -1 with @p failure set (not implemented, handler
 * failure).
 */
int ldrt_call_reader(const ld_registry *registry, ld_context *ctx, const ldrt_request *request,
                     ld_parse_document_result *result, ldrt_failure *failure);

/* ---- loading handler libraries (loader.c) ---- */

/**
 * dlopen @p path, find LD_REGISTER_SYMBOL and call it on @p registry. The library
 * stays loaded for the life of the process (the registry points into it).
 * @return LD_OK, or an error with @p error naming the file and the problem.
 */
int ldrt_load_handler(const char *path, ld_registry *registry, ld_error *error);

#endif /* LDRT_RUNTIME_INTERNAL_H */
