/*
 * vectors_sagemaker.c - the `sagemaker:ENDPOINT_NAME` vectorizer: SageMaker runtime
 * InvokeEndpoint through the SDK's AWS client (libletsdata-aws).
 *
 * SPDX-License-Identifier: MIT
 */
#include "vectorize.h"

int ldvec_sagemaker_new(const char *endpoint, const ldvec_backend **backend, void **state,
                        ld_error *error)
{
    (void)backend;
    (void)state;
    if (*endpoint == '\0')
        return ld_error_set(error, LD_ERR_INVALID,
                            "--vectorizer sagemaker:ENDPOINT_NAME needs an endpoint name");
    return ld_error_set(error, LD_ERR_UNSUPPORTED,
                        "--vectorizer sagemaker:%s: this build has no AWS client "
                        "(libletsdata-aws); run the endpoint's container locally and use "
                        "--vectorizer http://HOST:PORT/invocations",
                        endpoint);
}
