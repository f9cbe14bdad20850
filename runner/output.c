/*
 * output.c - the local runner's destinations: documents, errors, skipped records.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "runner_internal.h"
#include "runtime_internal.h"
#include "vectorize.h"

const char *const ldrun_result_files[3] = {"documents.jsonl", "errors.jsonl", "skipped.jsonl"};

static FILE *open_in(char *path, size_t size, const char *dir, const char *prefix,
                     const char *name, int append, ld_error *error)
{
    snprintf(path, size, "%s/%s%s", dir, prefix, name);
    FILE *f = fopen(path, append ? "a" : "w");
    if (f == NULL)
        ld_error_set(error, LD_ERR_IO, "cannot create %s: %s", path, strerror(errno));
    return f;
}

int ldrun_output_open(ldrun_output *out, const char *dir, const char *prefix, int append,
                      ld_error *error)
{
    memset(&out->counts, 0, sizeof out->counts);
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return ld_error_set(error, LD_ERR_IO, "cannot create the output directory %s: %s", dir,
                            strerror(errno));
    FILE **files[3] = {&out->documents, &out->errors, &out->skipped};
    for (int i = 0; i < 3; i++)
        *files[i] = i == 0 || *files[i - 1] != NULL
                        ? open_in(out->paths[i], sizeof out->paths[i], dir, prefix,
                                  ldrun_result_files[i], append, error)
                        : NULL;
    /* Documents are written in 1 MiB blocks: one write() per block, not per record. */
    out->write_buffer = out->skipped ? malloc(LDRUN_WRITE_BUFFER) : NULL;
    if (out->write_buffer != NULL)
        setvbuf(out->documents, out->write_buffer, _IOFBF, LDRUN_WRITE_BUFFER);
    if (out->skipped == NULL) {
        if (out->documents) fclose(out->documents);
        if (out->errors) fclose(out->errors);
        out->documents = out->errors = NULL;
        return LD_ERR_IO;
    }
    return LD_OK;
}

const char *ldrun_output_path(const ldrun_output *out, const FILE *f)
{
    return f == out->documents ? out->paths[0]
           : f == out->errors  ? out->paths[1]
           : f == out->skipped ? out->paths[2]
                               : "the results";
}

int ldrun_output_close(ldrun_output *out, ld_error *error)
{
    int failed = -1, saved = 0;
    FILE *files[] = {out->documents, out->errors, out->skipped};
    for (int i = 0; i < 3; i++) {
        if (files[i] == NULL)
            continue;
        /* fflush first: with a full disk the buffered tail is what fails to go out. */
        int bad = ferror(files[i]) != 0, code = 0;
        if (fflush(files[i]) != 0) {
            bad = 1;
            code = errno;
        }
        if (fclose(files[i]) != 0 && !bad) {
            bad = 1;
            code = errno;
        }
        if (bad && failed < 0) {
            failed = i;
            saved = code;
        }
    }
    out->documents = out->errors = out->skipped = NULL;
    free(out->write_buffer);
    out->write_buffer = NULL;
    ldrt_buf_free(&out->line);
    return failed >= 0 ? ld_error_set(error, LD_ERR_IO, "cannot write %s: %s",
                                      out->paths[failed],
                                      saved ? strerror(saved) : "write error")
                       : LD_OK;
}

/* One JSON line; the value is released. The line is built in the output's buffer,
 * reused from record to record (no allocation per record once it has grown). */
static int write_line(ldrun_output *out, FILE *f, json_t *value, ld_error *error)
{
    if (value == NULL)
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory serializing a document");
    ldrt_buf *buf = &out->line;
    buf->length = 0;
    ldrt_json_write(buf, value);
    ldrt_buf_append(buf, "\n", 1);
    json_decref(value);
    int rc = LD_OK;
    if (buf->oom) {
        rc = ld_error_set(error, LD_ERR_NOMEM, "out of memory serializing a document");
        ldrt_buf_free(buf);
    } else if (fwrite(buf->data, 1, buf->length, f) != buf->length) {
        rc = ld_error_set(error, LD_ERR_IO, "cannot write %s: %s", ldrun_output_path(out, f),
                          strerror(errno));
    }
    if (buf->capacity > LDRUN_WRITE_BUFFER) /* after a huge document: give it back */
        ldrt_buf_free(buf);
    return rc;
}

int ldrun_route(ldrun_output *out, ld_parse_document_result *result, const char *where,
                ld_error *error)
{
    ld_error invalid = {0};
    if (ld_parse_document_result_validate(result, &invalid) != LD_OK)
        return ldrun_handler_failed(out, "InvalidHandlerResult", invalid.message, NULL, where,
                                    error);
    if (out->vectors != NULL && result->status == LD_PARSE_SUCCESS)
        return ldvec_stage_add(out->vectors, out, result->document, where, error); /* counted there */
    /* Documents still in the vector stage come first: errors.jsonl keeps input order. */
    if (out->vectors != NULL && result->status == LD_PARSE_ERROR &&
        ldvec_stage_flush(out->vectors, out, error) != LD_OK)
        return error->code;
    out->counts.records++;
    switch (result->status) {
    case LD_PARSE_SUCCESS: {
        json_t *value = ld_document_serialize(result->document);
        if (value == NULL)
            return ldrun_handler_failed(out, "SerializerError",
                                        "the document's serializer returned nothing", NULL,
                                        where, error);
        out->counts.success++;
        return write_line(out, out->documents, value, error);
    }
    case LD_PARSE_ERROR:
        out->counts.error++;
        return write_line(out, out->errors, ld_document_to_json(result->document), error);
    default:
        out->counts.skip++;
        if (result->document != NULL)
            return write_line(out, out->skipped, ld_document_to_json(result->document), error);
        return LD_OK;
    }
}

int ldrun_handler_failed(ldrun_output *out, const char *type, const char *message,
                         json_t *locator, const char *where, ld_error *error)
{
    if (out->vectors != NULL && out->continue_on_error &&
        ldvec_stage_flush(out->vectors, out, error) != LD_OK) {
        json_decref(locator);
        return error->code;
    }
    out->counts.records++;
    out->counts.handler_failures++;
    if (!out->continue_on_error) {
        json_decref(locator);
        return ld_error_set(error, LD_ERR_HANDLER,
                            "%s: the handler failed (%s: %s); the task stops, as LetsData "
                            "moves it to ERRORED (use --continue-on-error to record it and "
                            "go on)",
                            where, type, message);
    }
    char text[1200];
    snprintf(text, sizeof text, "%s: %s", type, message);
    /* A message may quote the record's bytes (a bad header line): JSON needs UTF-8. */
    char *clean = ld_utf8_sanitize(text, strlen(text), NULL, NULL);
    json_t *start = locator != NULL ? json_deep_copy(locator) : NULL;
    ld_document *doc = clean == NULL ? NULL
                                     : ld_error_doc_new(NULL, "HANDLER_FAILURE", NULL, NULL,
                                                        json_pack("{s:s}", "where", where),
                                                        start, locator, clean);
    ld_free(clean);
    if (doc == NULL)
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    out->counts.error++;
    int rc = write_line(out, out->errors, ld_document_to_json(doc), error);
    ld_document_free(doc);
    return rc;
}
