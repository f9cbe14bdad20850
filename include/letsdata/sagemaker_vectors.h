/*
 * letsdata/sagemaker_vectors.h - the SagemakerVectorsInterface.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LETSDATA_SAGEMAKER_VECTORS_H
#define LETSDATA_SAGEMAKER_VECTORS_H

/**
 * @file letsdata/sagemaker_vectors.h
 * @brief Choose what to vectorize and build the vector document (Sagemaker compute).
 *
 * Calling conventions: see letsdata/single_file_parser.h.
 */

#include <jansson.h>

#include <letsdata/common.h>
#include <letsdata/context.h>
#include <letsdata/document.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The version of ld_sagemaker_vectors_interface this header describes. */
#define LD_SAGEMAKER_VECTORS_INTERFACE_VERSION 1

/** SagemakerVectorsInterface. Methods are only ever appended (see @c version). */
typedef struct ld_sagemaker_vectors_interface {
    /** LD_SAGEMAKER_VECTORS_INTERFACE_VERSION. */
    int version;
    /** Passed unchanged to every method. */
    void *payload;

    /**
     * extractDocumentElementsForVectorization: the texts to vectorize.
     *
     * @param document      borrowed JSON object (the upstream document).
     * @param[out] elements a new JSON object mapping names to texts.
     */
    int (*extract_document_elements_for_vectorization)(ld_context *ctx, void *payload,
                                                       json_t *document,
                                                       json_t **elements);

    /**
     * constructVectorDoc: the document written with the vectors.
     *
     * @param document     borrowed JSON object (the upstream document).
     * @param vectors_map  borrowed JSON object mapping names to arrays of numbers.
     * @param[out] result  a new document (freed by the caller).
     */
    int (*construct_vector_doc)(ld_context *ctx, void *payload, json_t *document,
                                json_t *vectors_map, ld_document **result);
} ld_sagemaker_vectors_interface;

/** Initialiser: current version, everything else NULL. */
#define LD_SAGEMAKER_VECTORS_INTERFACE_INIT { LD_SAGEMAKER_VECTORS_INTERFACE_VERSION, NULL, NULL, NULL }

#ifdef __cplusplus
}
#endif

#endif /* LETSDATA_SAGEMAKER_VECTORS_H */
