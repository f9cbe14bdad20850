/*
 * sagemaker_vectors.c - a SagemakerVectorsInterface: vectorize a document's docText and
 * write the vectors back into a "Vectors" document.
 *
 * SPDX-License-Identifier: MIT
 */
#include "examples.h"

static int extract(ld_context *ctx, void *payload, json_t *document, json_t **elements)
{
    (void)payload;
    const char *doc_text;
    int rc = ld_require_json_string(ctx, document, "docText", &doc_text);
    if (rc != LD_OK)
        return rc;
    *elements = json_pack("{s:O}", "docText", json_object_get(document, "docText"));
    return *elements ? LD_OK : ld_context_fail(ctx, "MemoryError", "out of memory");
}

static int construct(ld_context *ctx, void *payload, json_t *document, json_t *vectors_map,
                     ld_document **result)
{
    (void)payload;
    json_t *vectors;
    int rc = ld_require_json_array(ctx, vectors_map, "docText", &vectors);
    if (rc != LD_OK)
        return rc;
    json_t *metadata = json_object_get(document, "documentMetadata");
    if (metadata != NULL && !json_is_object(metadata) && !json_is_null(metadata))
        return ld_context_fail(ctx, LD_CHECK_ERROR_TYPE,
                               "documentMetadata must be an object, got %s",
                               ld_json_type_name(metadata));

    /* Shallow copy: the vectors and other values are shared, not duplicated. */
    json_t *values = json_copy(document);
    if (values == NULL)
        return ld_context_fail(ctx, "MemoryError", "out of memory");
    json_object_del(values, "docText");
    json_object_set_new(values, "vectors", json_pack("{s:O}", "docText", vectors));
    ld_error error;
    *result = ld_document_create(
        &LD_DOCUMENT_OPTIONS(
            .document_id = json_string_value(json_object_get(document, "docId")),
            .record_type = "Vectors",
            .partition_key = json_string_value(json_object_get(document, "partitionKey")),
            .metadata = json_is_object(metadata) ? json_incref(metadata) : NULL,
            .key_values = values),
        &error);
    return *result ? LD_OK : ld_example_document_failed(ctx, &error);
}

const ld_sagemaker_vectors_interface ld_example_sagemaker_vectors = {
    .version = LD_SAGEMAKER_VECTORS_INTERFACE_VERSION,
    .extract_document_elements_for_vectorization = extract,
    .construct_vector_doc = construct,
};
