/*
 * secrets.c - Secrets Manager GetSecretValue (JSON 1.1 protocol) and the official
 * SDK's SecretManagerUtil helpers.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <letsdata/arn.h>
#include <letsdata/aws_secrets.h>

#include "aws_internal.h"
#include "credentials_internal.h"

/* The region of @p id when it is an ARN (new string), else NULL. */
static char *arn_region(const char *id)
{
    if (strncmp(id, "arn:", 4) != 0)
        return NULL;
    ld_arn *arn = NULL;
    if (ld_arn_parse(id, &arn, NULL) != LD_OK)
        return NULL;
    const char *region = ld_arn_region(arn);
    char *copy = region != NULL && *region != '\0' ? strdup(region) : NULL;
    ld_arn_free(arn);
    return copy;
}

int ld_secrets_get_secret_value(ld_aws_client *client, const char *secret_id,
                                char **secret_string, ld_aws_error *error)
{
    ldaws_error_clear(error);
    if (secret_string != NULL)
        *secret_string = NULL;
    if (client == NULL || secret_id == NULL || *secret_id == '\0' || secret_string == NULL)
        return ldaws_error_set(error, LD_ERR_INVALID,
                               "GetSecretValue needs a client, a secret id and an output");
    json_t *body_json = json_pack("{s:s}", "SecretId", secret_id);
    char *body = body_json != NULL ? json_dumps(body_json, JSON_COMPACT) : NULL;
    json_decref(body_json);
    if (body == NULL)
        return ldaws_error_set(error, LD_ERR_NOMEM, "out of memory");
    char *region = arn_region(secret_id);
    const char *headers[] = {"Content-Type: application/x-amz-json-1.1",
                             "X-Amz-Target: secretsmanager.GetSecretValue", NULL};
    ld_aws_request request = LD_AWS_REQUEST_INIT;
    request.service_id = "Secrets Manager";
    request.signing_name = "secretsmanager";
    request.endpoint_prefix = "secretsmanager";
    request.region = region;
    request.method = "POST";
    request.path = "/";
    request.headers = headers;
    request.body = body;
    request.body_length = strlen(body);
    ld_aws_response response = LD_AWS_RESPONSE_INIT;
    int rc = ld_aws_client_send(client, &request, &response, error);
    free(body);
    free(region);
    if (rc != LD_OK) {
        ldaws_error_prefix(error, "GetSecretValue %s", secret_id);
        ld_aws_response_clear(&response);
        return rc;
    }
    json_t *root = json_loadb(response.body, response.body_length, 0, NULL);
    const char *value = json_string_value(json_object_get(root, "SecretString"));
    if (root == NULL)
        rc = ldaws_error_set(error, LD_ERR_IO, "GetSecretValue %s: the answer is not JSON",
                             secret_id);
    else if (value == NULL && json_object_get(root, "SecretBinary") != NULL)
        rc = ldaws_error_set(error, LD_ERR_UNSUPPORTED,
                             "GetSecretValue %s: the secret holds SecretBinary, not SecretString",
                             secret_id);
    else if (value == NULL)
        rc = ldaws_error_set(error, LD_ERR_IO, "GetSecretValue %s: the answer has no SecretString",
                             secret_id);
    else if ((*secret_string = strdup(value)) == NULL)
        rc = ldaws_error_set(error, LD_ERR_NOMEM, "out of memory");
    json_decref(root);
    ld_aws_response_clear(&response);
    return rc;
}

/* A client for @p region, else the region of @p secret_arn, else the configured one. */
static ld_aws_client *secrets_client(const char *region, const char *secret_arn,
                                     ld_aws_error *error)
{
    char *from_arn = region == NULL ? arn_region(secret_arn) : NULL;
    ld_aws_client_options options = LD_AWS_CLIENT_OPTIONS_INIT;
    options.region = region != NULL ? region : from_arn;
    ld_aws_client *client = ld_aws_client_new(&options, error);
    free(from_arn);
    return client;
}

int ld_secrets_get_secrets_value(const char *region, const char *secret_arn,
                                 char **secret_string, ld_aws_error *error)
{
    ldaws_error_clear(error);
    if (secret_string != NULL)
        *secret_string = NULL;
    if (secret_arn == NULL || *secret_arn == '\0')
        return ldaws_error_set(error, LD_ERR_INVALID, "the secret ARN is required");
    ld_aws_client *client = secrets_client(region, secret_arn, error);
    if (client == NULL)
        return error != NULL ? error->code : LD_ERR_INVALID;
    int rc = ld_secrets_get_secret_value(client, secret_arn, secret_string, error);
    ld_aws_client_free(client);
    return rc;
}

static int spark_credentials(const char *secret, const char *secret_arn,
                             const char *method_name, const char *destination_type,
                             ld_aws_credentials **credentials, ld_aws_error *error)
{
    json_error_t parse;
    json_t *root = json_loads(secret, 0, &parse);
    if (root == NULL)
        return ldaws_error_set(error, LD_ERR_INVALID, "the secret %s is not JSON: %s",
                               secret_arn, parse.text);
    json_t *side = json_object_get(json_object_get(root, method_name), destination_type);
    int rc = LD_OK;
    if (!json_is_object(side)) {
        rc = ldaws_error_set(error, LD_ERR_INVALID, "the secret %s has no object %s.%s",
                             secret_arn, method_name, destination_type);
    } else {
        static const char *const names[] = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                            "AWS_SESSION_TOKEN"};
        const char *values[3];
        for (int i = 0; i < 3 && rc == LD_OK; i++) {
            values[i] = json_string_value(json_object_get(side, names[i]));
            if (values[i] == NULL)
                rc = ldaws_error_set(error, LD_ERR_INVALID,
                                     "the secret %s has no string %s.%s.%s", secret_arn,
                                     method_name, destination_type, names[i]);
        }
        char source[600];
        snprintf(source, sizeof source, "secret %s %s.%s", secret_arn, method_name,
                 destination_type);
        if (rc == LD_OK) {
            *credentials = ldaws_credentials_make(values[0], values[1], values[2], source, error);
            if (*credentials == NULL)
                rc = error != NULL ? error->code : LD_ERR_INVALID;
        }
    }
    json_decref(root);
    return rc;
}

static int check_names(const char *method_name, const char *destination_type,
                       ld_aws_error *error)
{
    if (method_name == NULL ||
        (strcmp(method_name, "mapper") != 0 && strcmp(method_name, "reducer") != 0))
        return ldaws_error_set(error, LD_ERR_INVALID,
                               "the method name '%s' is not \"mapper\" or \"reducer\"",
                               method_name != NULL ? method_name : "(null)");
    if (destination_type == NULL ||
        (strcmp(destination_type, "read") != 0 && strcmp(destination_type, "write") != 0))
        return ldaws_error_set(error, LD_ERR_INVALID,
                               "the destination type '%s' is not \"read\" or \"write\"",
                               destination_type != NULL ? destination_type : "(null)");
    return LD_OK;
}

int ld_secrets_get_spark_aws_credentials_with(ld_aws_client *client, const char *secret_arn,
                                              const char *method_name,
                                              const char *destination_type,
                                              ld_aws_credentials **credentials,
                                              ld_aws_error *error)
{
    ldaws_error_clear(error);
    if (credentials == NULL)
        return ldaws_error_set(error, LD_ERR_INVALID, "credentials (the output) is NULL");
    *credentials = NULL;
    int rc = check_names(method_name, destination_type, error);
    char *secret = NULL;
    if (rc == LD_OK)
        rc = ld_secrets_get_secret_value(client, secret_arn, &secret, error);
    if (rc == LD_OK)
        rc = spark_credentials(secret, secret_arn, method_name, destination_type, credentials,
                               error);
    if (secret != NULL) {
        memset(secret, 0, strlen(secret));
        free(secret);
    }
    return rc;
}

int ld_secrets_get_spark_aws_credentials(const char *region, const char *secret_arn,
                                         const char *method_name, const char *destination_type,
                                         ld_aws_credentials **credentials, ld_aws_error *error)
{
    ldaws_error_clear(error);
    if (credentials == NULL)
        return ldaws_error_set(error, LD_ERR_INVALID, "credentials (the output) is NULL");
    *credentials = NULL;
    int rc = check_names(method_name, destination_type, error);
    if (rc == LD_OK && (secret_arn == NULL || *secret_arn == '\0'))
        rc = ldaws_error_set(error, LD_ERR_INVALID, "the secret ARN is required");
    if (rc != LD_OK)
        return rc;
    ld_aws_client *client = secrets_client(region, secret_arn, error);
    if (client == NULL)
        return error != NULL ? error->code : LD_ERR_INVALID;
    rc = ld_secrets_get_spark_aws_credentials_with(client, secret_arn, method_name,
                                                   destination_type, credentials, error);
    ld_aws_client_free(client);
    return rc;
}
