/*
 * letsdata/aws_sagemaker.h - SageMaker runtime InvokeEndpoint (libletsdata-aws).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LETSDATA_AWS_SAGEMAKER_H
#define LETSDATA_AWS_SAGEMAKER_H

/**
 * @file letsdata/aws_sagemaker.h
 * @brief InvokeEndpoint: POST a body to a SageMaker endpoint, get its answer.
 *
 * Signed for service `sagemaker`, sent to `AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME`, else
 * `AWS_ENDPOINT_URL`, else `https://runtime.sagemaker.REGION.amazonaws.com`.
 */

#include <stddef.h>

#include <letsdata/aws.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * POST /endpoints/NAME/invocations.
 *
 * @param endpoint_name the endpoint (borrowed).
 * @param content_type  borrowed; NULL: "application/json".
 * @param accept        borrowed; NULL: "application/json".
 * @param body          borrowed, @p body_length bytes.
 * @param response      cleared first, then the model's answer: status, body,
 *                      content type (release with ld_aws_response_clear()). Error
 *                      answers are there too (a ModelError's body explains it).
 * @return as ld_aws_client_send().
 */
LD_EXTERN int ld_aws_sagemaker_invoke_endpoint(ld_aws_client *client,
                                               const char *endpoint_name,
                                               const char *content_type, const char *accept,
                                               const void *body, size_t body_length,
                                               ld_aws_response *response,
                                               ld_aws_error *error);

#ifdef __cplusplus
}
#endif

#endif /* LETSDATA_AWS_SAGEMAKER_H */
