/*
 * vectors_stage.c - a task's vector stage (see vectorize.h): extract when a document
 * arrives, vectorize a window of texts at once, construct and route in input order.
 *
 * What can go wrong, and where it goes:
 * - extractDocumentElementsForVectorization or constructVectorDoc fails (or returns
 *   something invalid): a handler failure, as on LetsData (the task stops, or with
 *   --continue-on-error a HANDLER_FAILURE ErrorDoc);
 * - a text gets no good vector (non-2xx answer after the retries, wrong shape, timeout):
 *   a VECTORIZE_ERROR ErrorDoc naming the document, the element and the endpoint's
 *   message, carrying the whole upstream document so that nothing is lost.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vectorize.h"

#define MAX_PENDING_DOCUMENTS 4096

typedef struct pending {
    json_t *document; /* the upstream document as the handler sees it */
    json_t *elements; /* extract's answer: names -> texts */
    char *where;
    size_t first_text, text_count;
} pending;

struct ldvec_stage {
    ldvec_vectorizer *vectorizer;
    const ld_sagemaker_vectors_interface *impl;
    ld_context *ctx;
    pending *docs;
    size_t count, capacity;
    const char **texts; /* borrowed from the docs' elements */
    size_t text_count, text_capacity;
    size_t window;
    int flushing;
};

ldvec_stage *ldvec_stage_new(ldvec_vectorizer *vectorizer,
                             const ld_sagemaker_vectors_interface *impl, ld_context *ctx)
{
    ldvec_stage *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->vectorizer = vectorizer;
    s->impl = impl;
    s->ctx = ctx;
    s->window = ldvec_vectorizer_window(vectorizer);
    return s;
}

static void clear_pending(ldvec_stage *s)
{
    for (size_t i = 0; i < s->count; i++) {
        json_decref(s->docs[i].document);
        json_decref(s->docs[i].elements);
        free(s->docs[i].where);
    }
    s->count = 0;
    s->text_count = 0;
}

void ldvec_stage_free(ldvec_stage *s)
{
    if (s == NULL)
        return;
    clear_pending(s);
    free(s->docs);
    free(s->texts);
    free(s);
}

static const char *string_member(const json_t *object, const char *key)
{
    return json_string_value(json_object_get(object, key));
}

/* A failed handler call: what ldrun_handler_failed() does with it, located by the
 * document's id. */
static int handler_failed(ldrun_output *out, const char *function, const char *type,
                          const char *message, const json_t *document, const char *where,
                          ld_error *error)
{
    char text[900];
    snprintf(text, sizeof text, "%s: %s", function, message);
    const char *id = string_member(document, "documentId");
    return ldrun_handler_failed(out, type, text,
                                json_pack("{s:s?, s:s}", "documentId", id, "function", function),
                                where, error);
}

/* The handler's failure from its context (or the status it returned). */
static int context_failure(ldrun_output *out, ld_context *ctx, int rc, const char *function,
                           const json_t *document, const char *where, ld_error *error)
{
    /* Copies: routing the failure may flush the stage, which reuses the context. */
    char message[600], type[64];
    const char *failed_type = ld_context_failed(ctx) ? ld_context_error_type(ctx) : NULL;
    snprintf(type, sizeof type, "%s", failed_type ? failed_type : "HandlerError");
    if (ld_context_failed(ctx))
        snprintf(message, sizeof message, "%s", ld_context_error_message(ctx));
    else
        snprintf(message, sizeof message, "the handler returned %s", ld_status_name(rc));
    return handler_failed(out, function, type, message, document, where, error);
}

static int push_text(ldvec_stage *s, const char *text)
{
    if (s->text_count == s->text_capacity) {
        size_t capacity = s->text_capacity ? s->text_capacity * 2 : 64;
        const char **grown = realloc(s->texts, capacity * sizeof *grown);
        if (grown == NULL)
            return -1;
        s->texts = grown;
        s->text_capacity = capacity;
    }
    s->texts[s->text_count++] = text;
    return 0;
}

int ldvec_stage_add(ldvec_stage *s, ldrun_output *out, const ld_document *document,
                    const char *where, ld_error *error)
{
    static const char extract_name[] = "extractDocumentElementsForVectorization";
    out->counts.vectors.documents++;
    json_t *value = ld_document_serialize(document);
    if (value == NULL)
        return ldrun_handler_failed(out, "SerializerError",
                                    "the document's serializer returned nothing", NULL, where,
                                    error);
    if (!json_is_object(value)) {
        json_decref(value);
        out->counts.vectors.extract_failures++;
        return ldrun_handler_failed(out, "InvalidRequest",
                                    "the document's serialized form is not a JSON object, "
                                    "which extractDocumentElementsForVectorization needs",
                                    NULL, where, error);
    }
    const ld_sagemaker_vectors_interface *impl = s->impl;
    json_t *elements = NULL;
    int rc = LD_OK;
    if (impl->extract_document_elements_for_vectorization == NULL) {
        out->counts.vectors.extract_failures++;
        rc = handler_failed(out, extract_name, "NotImplementedError", "Not Yet Implemented",
                            value, where, error);
        json_decref(value);
        return rc;
    }
    ld_context_clear_error(s->ctx);
    rc = impl->extract_document_elements_for_vectorization(s->ctx, impl->payload, value,
                                                           &elements);
    if (rc != LD_OK || ld_context_failed(s->ctx)) {
        out->counts.vectors.extract_failures++;
        rc = context_failure(out, s->ctx, rc, extract_name, value, where, error);
        json_decref(elements);
        json_decref(value);
        return rc;
    }
    const char *bad_key = NULL;
    const char *key;
    json_t *text;
    json_object_foreach(elements, key, text)
        if (!json_is_string(text) && bad_key == NULL)
            bad_key = key;
    if (!json_is_object(elements) || bad_key != NULL) {
        char message[400];
        if (!json_is_object(elements))
            snprintf(message, sizeof message,
                     "expected a JSON object mapping names to texts, got %s",
                     elements ? "another JSON value" : "nothing");
        else
            snprintf(message, sizeof message, "element '%.200s' is not a string", bad_key);
        out->counts.vectors.extract_failures++;
        rc = handler_failed(out, extract_name, "InvalidHandlerResult", message, value, where,
                            error);
        json_decref(elements);
        json_decref(value);
        return rc;
    }

    if (s->count == s->capacity) {
        size_t capacity = s->capacity ? s->capacity * 2 : 32;
        pending *grown = realloc(s->docs, capacity * sizeof *grown);
        if (grown == NULL) {
            json_decref(elements);
            json_decref(value);
            return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
        }
        s->docs = grown;
        s->capacity = capacity;
    }
    pending *p = &s->docs[s->count];
    p->document = value;
    p->elements = elements;
    p->where = strdup(where);
    p->first_text = s->text_count;
    p->text_count = 0;
    s->count++;
    if (p->where == NULL)
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    json_object_foreach(elements, key, text) {
        if (push_text(s, json_string_value(text)) != 0)
            return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
        p->text_count++;
    }
    if (s->text_count >= s->window || s->count >= MAX_PENDING_DOCUMENTS)
        return ldvec_stage_flush(s, out, error);
    return LD_OK;
}

/* Route a finished result (not back into the stage). */
static int route(ldrun_output *out, ld_parse_status status, ld_document *doc, const char *where,
                 ld_error *error)
{
    ld_parse_document_result result = LD_PARSE_DOCUMENT_RESULT_INIT;
    ld_parse_document_result_set(&result, status, doc);
    ldvec_stage *stage = out->vectors;
    out->vectors = NULL;
    int rc = ldrun_route(out, &result, where, error);
    out->vectors = stage;
    ld_parse_document_result_clear(&result);
    return rc;
}

static int vectorize_error(ldvec_stage *s, ldrun_output *out, const pending *p,
                           const char *element, const char *message, ld_error *error)
{
    const char *id = string_member(p->document, "documentId");
    char text[1200];
    snprintf(text, sizeof text, "document %s: element '%.200s': %s", id ? id : "(no documentId)",
             element, message);
    ld_document *doc = ld_error_doc_new(
        id, "VECTORIZE_ERROR", string_member(p->document, "partitionKey"),
        json_pack("{s:s, s:s, s:s}", "where", p->where, "vectorizer",
                  ldvec_vectorizer_spec(s->vectorizer), "element", element),
        json_incref(p->document), NULL, NULL, text);
    if (doc == NULL)
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    out->counts.vectors.vectorize_errors++;
    return route(out, LD_PARSE_ERROR, doc, p->where, error);
}

static int construct(ldvec_stage *s, ldrun_output *out, const pending *p, ldvec_item *items,
                     ld_error *error)
{
    static const char construct_name[] = "constructVectorDoc";
    /* A text without a vector makes the whole document an error. */
    const char *key;
    json_t *text;
    size_t k = 0;
    json_object_foreach(p->elements, key, text) {
        if (items[p->first_text + k].error != NULL)
            return vectorize_error(s, out, p, key, items[p->first_text + k].error, error);
        k++;
    }
    json_t *vectors_map = json_object();
    k = 0;
    json_object_foreach(p->elements, key, text) {
        const ldvec_item *item = &items[p->first_text + k++];
        json_t *vector = json_array();
        for (size_t i = 0; vector != NULL && i < item->length; i++)
            if (json_array_append_new(vector, json_real(item->values[i])) != 0) {
                json_decref(vector);
                vector = NULL;
            }
        if (vector == NULL || json_object_set_new(vectors_map, key, vector) != 0) {
            json_decref(vectors_map);
            return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
        }
    }
    if (s->impl->construct_vector_doc == NULL) {
        json_decref(vectors_map);
        out->counts.vectors.construct_failures++;
        return handler_failed(out, construct_name, "NotImplementedError", "Not Yet Implemented",
                              p->document, p->where, error);
    }
    ld_document *doc = NULL;
    ld_context_clear_error(s->ctx);
    int rc = s->impl->construct_vector_doc(s->ctx, s->impl->payload, p->document, vectors_map,
                                           &doc);
    json_decref(vectors_map);
    if (rc != LD_OK || ld_context_failed(s->ctx)) {
        ld_document_free(doc);
        out->counts.vectors.construct_failures++;
        return context_failure(out, s->ctx, rc, construct_name, p->document, p->where, error);
    }
    if (doc == NULL) {
        out->counts.vectors.construct_failures++;
        return handler_failed(out, construct_name, "InvalidHandlerResult",
                              "no document (the output was left NULL)", p->document, p->where,
                              error);
    }
    out->counts.vectors.constructed++;
    ld_document_type type = ld_document_get_type(doc);
    return route(out,
                 type == LD_DOC_ERROR  ? LD_PARSE_ERROR
                 : type == LD_DOC_SKIP ? LD_PARSE_SKIP
                                            : LD_PARSE_SUCCESS,
                 doc, p->where, error);
}

int ldvec_stage_flush(ldvec_stage *s, ldrun_output *out, ld_error *error)
{
    if (s->count == 0 || s->flushing)
        return LD_OK;
    s->flushing = 1;
    ldvec_item *items = calloc(s->text_count ? s->text_count : 1, sizeof *items);
    ldvec_stats stats = {0, 0};
    int rc = items != NULL && ldvec_vectorize(s->vectorizer, s->texts, s->text_count, items,
                                              &stats) == LD_OK
                 ? LD_OK
                 : ld_error_set(error, LD_ERR_NOMEM, "out of memory vectorizing");
    out->counts.vectors.texts += s->text_count;
    out->counts.vectors.requests += stats.requests;
    out->counts.vectors.retries += stats.retries;
    for (size_t i = 0; rc == LD_OK && i < s->count; i++)
        rc = construct(s, out, &s->docs[i], items, error);
    for (size_t i = 0; items != NULL && i < s->text_count; i++)
        ldvec_item_clear(&items[i]);
    free(items);
    clear_pending(s);
    s->flushing = 0;
    return rc;
}
