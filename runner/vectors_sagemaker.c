/*
 * vectors_sagemaker.c - the `sagemaker:ENDPOINT_NAME` vectorizer: SageMaker runtime
 * InvokeEndpoint through the SDK's AWS client (libletsdata-aws, loaded on first use:
 * aws_library.h), with the HuggingFace feature-extraction JSON of vectors_hf.c as the
 * body, as a HuggingFace inference container on a SageMaker endpoint expects it.
 *
 * Region, credentials and endpoint come from the environment as the AWS SDKs read them
 * (AWS_REGION, the credentials chain, AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME; see
 * docs/aws.md). The client makes one attempt per call: the vectorizer retries (so its
 * counts and its split of failed batches stay the same for every backend), on the same
 * conditions as the AWS SDKs' standard mode.
 *
 * SPDX-License-Identifier: MIT
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <letsdata/aws.h>
#include <letsdata/aws_sagemaker.h>

#include "aws_library.h"
#include "runtime_internal.h"
#include "vectorize.h"

/* The functions of libletsdata-aws this file calls. */
typedef struct aws_api {
    ld_aws_client *(*client_new)(const ld_aws_client_options *, ld_aws_error *);
    void (*client_free)(ld_aws_client *);
    int (*invoke)(ld_aws_client *, const char *, const char *, const char *, const void *,
                  size_t, ld_aws_response *, ld_aws_error *);
    void (*response_clear)(ld_aws_response *);
} aws_api;

static pthread_once_t api_once = PTHREAD_ONCE_INIT;
static aws_api api;
static char api_error[900];

static void load_api(void)
{
    void *handle = ldrun_aws_library("--vectorizer sagemaker:", api_error, sizeof api_error);
    if (handle == NULL)
        return;
    const char *const names[] = {"ld_aws_client_new", "ld_aws_client_free",
                                 "ld_aws_sagemaker_invoke_endpoint", "ld_aws_response_clear"};
    void *const functions[] = {&api.client_new, &api.client_free, &api.invoke,
                               &api.response_clear};
    ldrun_aws_resolve(handle, names, functions, 4, api_error, sizeof api_error);
}

typedef struct sagemaker_state {
    char *endpoint;
} sagemaker_state;

static ld_aws_client *new_client(long timeout_ms, ld_aws_error *error)
{
    ld_aws_client_options options = LD_AWS_CLIENT_OPTIONS_INIT;
    options.max_attempts = 1;
    options.stall_timeout_s = timeout_ms > 0 ? (timeout_ms + 999) / 1000 : 0;
    /* The client copies the options (cppcheck cannot see through the function pointer). */
    // cppcheck-suppress returnDanglingLifetime
    return api.client_new(&options, error);
}

/* A thread's client, made at its first request (when the time limit is known). */
typedef struct sagemaker_thread {
    ld_aws_client *client;
} sagemaker_thread;

static void *sagemaker_thread_new(void *state, ld_error *error)
{
    (void)state;
    sagemaker_thread *t = calloc(1, sizeof *t);
    if (t == NULL)
        ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    return t;
}

static void sagemaker_thread_free(void *state, void *thread)
{
    (void)state;
    sagemaker_thread *t = thread;
    api.client_free(t->client);
    free(t);
}

/* What the AWS SDKs' standard mode retries: no answer, 429, 5xx, and the throttling
 * and timeout codes some services send with a 400 (SageMaker: ThrottlingException). */
static int retryable(const ld_aws_error *e)
{
    return e->http_status == 0 || e->http_status == 429 || e->http_status >= 500 ||
           strstr(e->aws_code, "Throttl") != NULL || strstr(e->aws_code, "Timeout") != NULL ||
           strcmp(e->aws_code, "SlowDown") == 0 || strstr(e->aws_code, "LimitExceeded") != NULL;
}

static int sagemaker_request(void *state, void *thread, const char *const *texts, size_t count,
                             long timeout_ms, ldvec_item *items, ldvec_failure *failure)
{
    sagemaker_state *s = state;
    sagemaker_thread *t = thread;
    ld_aws_error error;
    if (t->client == NULL && (t->client = new_client(timeout_ms, &error)) == NULL) {
        snprintf(failure->message, sizeof failure->message, "InvokeEndpoint %s: %s",
                 s->endpoint, error.message);
        return -1;
    }
    ldrt_buf body = LDRT_BUF_INIT;
    if (ldvec_hf_request_body(texts, count, &body) != 0) {
        ldrt_buf_free(&body);
        snprintf(failure->message, sizeof failure->message, "out of memory");
        return -1;
    }
    ld_aws_response response = LD_AWS_RESPONSE_INIT;
    int rc = api.invoke(t->client, s->endpoint, "application/json", "application/json", body.data,
                        body.length, &response, &error);
    ldrt_buf_free(&body);
    if (rc != LD_OK) {
        /* InvokeEndpoint's error, with the model's own words (a ModelError's body). */
        char model[600] = "";
        if (response.body != NULL && response.body_length > 0 && error.http_status != 0) {
            ldvec_hf_error_message(error.http_status, NULL, response.body,
                                   response.body_length, model, sizeof model);
            const char *words = strstr(model, ": ");
            if (words == NULL || strstr(error.message, words + 2) != NULL)
                model[0] = '\0'; /* nothing the error does not say already */
        }
        snprintf(failure->message, sizeof failure->message,
                 "InvokeEndpoint %s: %s%s%s", s->endpoint, error.message, *model ? " -- " : "",
                 model);
        failure->retryable = retryable(&error);
        failure->batch_refused = !failure->retryable && count > 1;
        api.response_clear(&response);
        return -1;
    }
    int answered = ldvec_hf_read_answer(response.body, response.body_length, count, items,
                                        failure);
    api.response_clear(&response);
    return answered;
}

static void sagemaker_free(void *state)
{
    sagemaker_state *s = state;
    free(s->endpoint);
    free(s);
}

static const ldvec_backend sagemaker_backend = {
    .kind = "sagemaker",
    .thread_new = sagemaker_thread_new,
    .thread_free = sagemaker_thread_free,
    .request = sagemaker_request,
    .free = sagemaker_free,
    .inline_calls = 0,
};

int ldvec_sagemaker_new(const char *endpoint, const ldvec_backend **backend, void **state,
                        ld_error *error)
{
    if (*endpoint == '\0' || strchr(endpoint, '/') != NULL)
        return ld_error_set(error, LD_ERR_INVALID,
                            "--vectorizer sagemaker:ENDPOINT_NAME needs an endpoint name "
                            "(no '/'), got '%s'",
                            endpoint);
    pthread_once(&api_once, load_api);
    if (api.client_new == NULL)
        return ld_error_set(error, LD_ERR_UNSUPPORTED, "--vectorizer sagemaker:%s: %s",
                            endpoint, api_error);
    /* A client now: a configuration without a region fails here, by name. */
    ld_aws_error aws_error;
    ld_aws_client *probe = new_client(0, &aws_error);
    if (probe == NULL)
        return ld_error_set(error, LD_ERR_INVALID, "--vectorizer sagemaker:%s: %s", endpoint,
                            aws_error.message);
    api.client_free(probe);
    sagemaker_state *s = calloc(1, sizeof *s);
    if (s == NULL || (s->endpoint = strdup(endpoint)) == NULL) {
        free(s);
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    }
    *backend = &sagemaker_backend;
    *state = s;
    return LD_OK;
}
