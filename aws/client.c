/*
 * client.c - ld_aws_client: configuration resolved once, one libcurl handle kept for
 * connection reuse; ld_aws_client_send() for any AWS API.
 *
 * SPDX-License-Identifier: MIT
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_internal.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_code;

/* curl_global_init is not thread-safe in libcurl 7.88; do it once. */
static void init_curl(void)
{
    curl_init_code = curl_global_init(CURL_GLOBAL_DEFAULT);
}

void ld_aws_client_free(ld_aws_client *client)
{
    if (client == NULL)
        return;
    if (client->curl != NULL)
        curl_easy_cleanup(client->curl);
    free(client->region);
    free(client->endpoint_url);
    free(client->ca_bundle);
    ld_aws_credentials_free(client->credentials);
    free(client);
}

ld_aws_client *ld_aws_client_new(const ld_aws_client_options *options, ld_aws_error *error)
{
    ldaws_error_clear(error);
    ld_aws_client_options defaults = LD_AWS_CLIENT_OPTIONS_INIT;
    if (options == NULL)
        options = &defaults;
    if (options->version != LD_AWS_CLIENT_OPTIONS_VERSION) {
        ldaws_error_set(error, LD_ERR_INVALID,
                        "ld_aws_client_options.version is %d; this library knows %d",
                        options->version, LD_AWS_CLIENT_OPTIONS_VERSION);
        return NULL;
    }
    pthread_once(&curl_once, init_curl);
    if (curl_init_code != CURLE_OK) {
        ldaws_error_set(error, LD_ERR_INTERNAL, "libcurl did not initialise: %s",
                        curl_easy_strerror(curl_init_code));
        return NULL;
    }
    if (options->endpoint_url != NULL && strncmp(options->endpoint_url, "http://", 7) != 0 &&
        strncmp(options->endpoint_url, "https://", 8) != 0) {
        ldaws_error_set(error, LD_ERR_INVALID,
                        "endpoint_url '%s' is not an http:// or https:// URL",
                        options->endpoint_url);
        return NULL;
    }
    ld_aws_client *client = calloc(1, sizeof *client);
    if (client == NULL) {
        ldaws_error_set(error, LD_ERR_NOMEM, "out of memory");
        return NULL;
    }
    int nomem = 0;
    if (options->region != NULL && *options->region != '\0') {
        client->region = strdup(options->region);
        nomem |= client->region == NULL;
    } else {
        client->region = ld_aws_resolve_region(error);
        if (client->region == NULL) {
            ld_aws_client_free(client);
            return NULL;
        }
    }
    if (options->endpoint_url != NULL) {
        client->endpoint_url = strdup(options->endpoint_url);
        nomem |= client->endpoint_url == NULL;
        if (client->endpoint_url != NULL) {
            size_t n = strlen(client->endpoint_url);
            while (n > 8 && client->endpoint_url[n - 1] == '/')
                client->endpoint_url[--n] = '\0';
        }
    }
    if (options->credentials != NULL) {
        client->credentials = ld_aws_credentials_copy(options->credentials);
        nomem |= client->credentials == NULL;
    }
    client->ca_bundle =
        options->ca_bundle != NULL ? strdup(options->ca_bundle) : ld_aws_ca_bundle();
    client->max_attempts = options->max_attempts;
    if (client->max_attempts <= 0) {
        const char *env = ldaws_env("AWS_MAX_ATTEMPTS");
        client->max_attempts = env != NULL ? atoi(env) : 3;
        if (client->max_attempts <= 0)
            client->max_attempts = 3;
    }
    client->connect_timeout_ms =
        options->connect_timeout_ms > 0 ? options->connect_timeout_ms : 10000;
    client->stall_timeout_s = options->stall_timeout_s > 0 ? options->stall_timeout_s : 60;
    client->max_response_bytes =
        options->max_response_bytes > 0 ? options->max_response_bytes : 64u << 20;
    const char *base = ldaws_env("LETSDATA_AWS_RETRY_BASE_MS");
    client->retry_base_ms = base != NULL ? atol(base) : 1000;
    if (client->retry_base_ms < 0)
        client->retry_base_ms = 0;
    client->payload_signing = options->payload_signing;
    if (client->payload_signing < LD_AWS_PAYLOAD_AUTO ||
        client->payload_signing > LD_AWS_PAYLOAD_UNSIGNED) {
        ld_aws_client_free(client);
        ldaws_error_set(error, LD_ERR_INVALID, "payload_signing %d is not one of LD_AWS_PAYLOAD_*",
                        options->payload_signing);
        return NULL;
    }
    client->curl = curl_easy_init();
    nomem |= client->curl == NULL;
    if (nomem) {
        ld_aws_client_free(client);
        ldaws_error_set(error, LD_ERR_NOMEM, "out of memory");
        return NULL;
    }
    return client;
}

int ldaws_signs_upload(const ld_aws_client *client, const char *base_url)
{
    if (client->payload_signing == LD_AWS_PAYLOAD_SIGNED)
        return 1;
    if (client->payload_signing == LD_AWS_PAYLOAD_UNSIGNED)
        return 0;
    return strncmp(base_url, "https://", 8) != 0;
}

const char *ld_aws_client_region(const ld_aws_client *client)
{
    return client != NULL ? client->region : NULL;
}

void ld_aws_response_clear(ld_aws_response *response)
{
    if (response == NULL)
        return;
    free(response->body);
    free(response->content_type);
    free(response->request_id);
    ld_aws_response empty = LD_AWS_RESPONSE_INIT;
    *response = empty;
}

int ld_aws_client_send(ld_aws_client *client, const ld_aws_request *request,
                       ld_aws_response *response, ld_aws_error *error)
{
    ldaws_error_clear(error);
    ld_aws_response_clear(response);
    if (client == NULL || request == NULL)
        return ldaws_error_set(error, LD_ERR_INVALID, "the client and request are required");
    if (request->version != LD_AWS_REQUEST_VERSION)
        return ldaws_error_set(error, LD_ERR_INVALID,
                               "ld_aws_request.version is %d; this library knows %d",
                               request->version, LD_AWS_REQUEST_VERSION);
    const char *missing = request->signing_name == NULL      ? "signing_name"
                          : request->method == NULL          ? "method"
                          : request->path == NULL            ? "path"
                          : request->endpoint_prefix == NULL ? "endpoint_prefix"
                          : request->service_id == NULL      ? "service_id"
                                                             : NULL;
    if (missing != NULL)
        return ldaws_error_set(error, LD_ERR_INVALID, "ld_aws_request.%s is required", missing);
    if (request->path[0] != '/')
        return ldaws_error_set(error, LD_ERR_INVALID,
                               "ld_aws_request.path '%s' must start with '/'", request->path);
    if (request->body == NULL && request->body_length > 0)
        return ldaws_error_set(error, LD_ERR_INVALID,
                               "ld_aws_request.body is NULL but body_length is %zu",
                               request->body_length);
    const char *region = request->region != NULL ? request->region : client->region;
    char *base = client->endpoint_url != NULL
                     ? strdup(client->endpoint_url)
                     : ld_aws_resolve_endpoint(request->service_id, request->endpoint_prefix,
                                               region, NULL, error);
    if (base == NULL)
        return error != NULL && error->code != 0 ? error->code : LD_ERR_NOMEM;
    ldaws_call call = {0};
    call.base_url = base;
    call.signing_name = request->signing_name;
    call.region = region;
    call.method = request->method;
    call.path = request->path;
    call.query = request->query;
    call.headers = request->headers;
    call.body = request->body;
    call.body_length = request->body_length;
    call.s3 = strcmp(request->signing_name, "s3") == 0;
    ldaws_result result = {0};
    char what[512];
    snprintf(what, sizeof what, "%s %s%s", request->method, base, request->path);
    int rc = ldaws_perform(client, &call, &result, what, error);
    if (response != NULL && result.status != 0) {
        response->status = result.status;
        response->body = result.body.data != NULL ? result.body.data : strdup("");
        response->body_length = result.body.length;
        result.body.data = NULL;
        response->content_type = *result.content_type ? strdup(result.content_type) : NULL;
        response->request_id = *result.request_id ? strdup(result.request_id) : NULL;
    }
    if (error != NULL && error->http_status == 0)
        error->http_status = result.status;
    ldaws_result_free(&result);
    free(base);
    return rc;
}

ld_aws_client *ldaws_client_clone(ld_aws_client *client, ld_aws_error *error)
{
    const ld_aws_credentials *credentials = ldaws_client_credentials(client, error);
    if (credentials == NULL)
        return NULL;
    ld_aws_client *copy = calloc(1, sizeof *copy);
    if (copy == NULL) {
        ldaws_error_set(error, LD_ERR_NOMEM, "out of memory");
        return NULL;
    }
    *copy = *client;
    copy->region = strdup(client->region);
    copy->endpoint_url = client->endpoint_url != NULL ? strdup(client->endpoint_url) : NULL;
    copy->ca_bundle = client->ca_bundle != NULL ? strdup(client->ca_bundle) : NULL;
    copy->credentials = ld_aws_credentials_copy(credentials);
    copy->curl = curl_easy_init();
    if (copy->region == NULL || (client->endpoint_url != NULL && copy->endpoint_url == NULL) ||
        (client->ca_bundle != NULL && copy->ca_bundle == NULL) || copy->credentials == NULL ||
        copy->curl == NULL) {
        ld_aws_client_free(copy);
        ldaws_error_set(error, LD_ERR_NOMEM, "out of memory");
        return NULL;
    }
    return copy;
}
