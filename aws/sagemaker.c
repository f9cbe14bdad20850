/*
 * sagemaker.c - SageMaker runtime InvokeEndpoint on ld_aws_client_send().
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include <letsdata/aws_sagemaker.h>

#include "aws_internal.h"

int ld_aws_sagemaker_invoke_endpoint(ld_aws_client *client, const char *endpoint_name,
                                     const char *content_type, const char *accept,
                                     const void *body, size_t body_length,
                                     ld_aws_response *response, ld_aws_error *error)
{
    ldaws_error_clear(error);
    if (endpoint_name == NULL || *endpoint_name == '\0' || strchr(endpoint_name, '/') != NULL)
        return ldaws_error_set(error, LD_ERR_INVALID,
                               "the SageMaker endpoint name '%s' is empty or holds a '/'",
                               endpoint_name != NULL ? endpoint_name : "(null)");
    char path[512];
    if ((size_t)snprintf(path, sizeof path, "/endpoints/%s/invocations", endpoint_name) >=
        sizeof path)
        return ldaws_error_set(error, LD_ERR_INVALID, "the SageMaker endpoint name is too long");
    char type_header[300], accept_header[300];
    snprintf(type_header, sizeof type_header, "Content-Type: %s",
             content_type != NULL ? content_type : "application/json");
    snprintf(accept_header, sizeof accept_header, "Accept: %s",
             accept != NULL ? accept : "application/json");
    if (strpbrk(type_header, "\r\n") != NULL || strpbrk(accept_header, "\r\n") != NULL)
        return ldaws_error_set(error, LD_ERR_INVALID, "a header value holds a line break");
    const char *headers[] = {type_header, accept_header, NULL};
    ld_aws_request request = LD_AWS_REQUEST_INIT;
    request.service_id = "SageMaker Runtime";
    request.signing_name = "sagemaker";
    request.endpoint_prefix = "runtime.sagemaker";
    request.method = "POST";
    request.path = path;
    request.headers = headers;
    request.body = body;
    request.body_length = body_length;
    return ld_aws_client_send(client, &request, response, error);
}
