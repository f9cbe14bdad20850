/*
 * credentials.c - explicit credentials and the AWS SDKs' default chain: environment,
 * shared credentials file, container credentials endpoint (ECS, Fargate).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#include "aws_internal.h"
#include "credentials_internal.h"

static void wipe_free(char *s)
{
    if (s != NULL) {
        volatile char *p = s;
        while (*p != '\0')
            *p++ = '\0';
        free(s);
    }
}

void ld_aws_credentials_free(ld_aws_credentials *credentials)
{
    if (credentials == NULL)
        return;
    free(credentials->access_key_id);
    wipe_free(credentials->secret_access_key);
    wipe_free(credentials->session_token);
    free(credentials->source);
    free(credentials);
}

ld_aws_credentials *ldaws_credentials_make(const char *access_key_id,
                                           const char *secret_access_key,
                                           const char *session_token, const char *source,
                                           ld_aws_error *error)
{
    if (access_key_id == NULL || *access_key_id == '\0') {
        ldaws_error_set(error, LD_ERR_INVALID, "%s: the access key id is missing", source);
        return NULL;
    }
    if (secret_access_key == NULL || *secret_access_key == '\0') {
        ldaws_error_set(error, LD_ERR_INVALID, "%s: the secret access key is missing", source);
        return NULL;
    }
    /* Header injection guard: these go into HTTP headers. */
    const char *const parts[] = {access_key_id, secret_access_key, session_token};
    for (int i = 0; i < 3; i++)
        if (parts[i] != NULL && strpbrk(parts[i], "\r\n:") != NULL && i != 2) {
            ldaws_error_set(error, LD_ERR_INVALID, "%s: the %s holds a line break or ':'",
                            source, i == 0 ? "access key id" : "secret access key");
            return NULL;
        }
    if (session_token != NULL && strpbrk(session_token, "\r\n") != NULL) {
        ldaws_error_set(error, LD_ERR_INVALID, "%s: the session token holds a line break",
                        source);
        return NULL;
    }
    ld_aws_credentials *c = calloc(1, sizeof *c);
    if (c == NULL) {
        ldaws_error_set(error, LD_ERR_NOMEM, "out of memory");
        return NULL;
    }
    c->access_key_id = strdup(access_key_id);
    c->secret_access_key = strdup(secret_access_key);
    c->session_token =
        session_token != NULL && *session_token != '\0' ? strdup(session_token) : NULL;
    c->source = strdup(source);
    if (c->access_key_id == NULL || c->secret_access_key == NULL || c->source == NULL ||
        (session_token != NULL && *session_token != '\0' && c->session_token == NULL)) {
        ld_aws_credentials_free(c);
        ldaws_error_set(error, LD_ERR_NOMEM, "out of memory");
        return NULL;
    }
    return c;
}

ld_aws_credentials *ld_aws_credentials_new(const char *access_key_id,
                                           const char *secret_access_key,
                                           const char *session_token, ld_aws_error *error)
{
    ldaws_error_clear(error);
    return ldaws_credentials_make(access_key_id, secret_access_key, session_token, "explicit",
                                  error);
}

ld_aws_credentials *ld_aws_credentials_copy(const ld_aws_credentials *credentials)
{
    if (credentials == NULL)
        return NULL;
    ld_aws_credentials *copy =
        ldaws_credentials_make(credentials->access_key_id, credentials->secret_access_key,
                               credentials->session_token, credentials->source, NULL);
    if (copy != NULL)
        copy->expires = credentials->expires;
    return copy;
}

const char *ld_aws_credentials_access_key_id(const ld_aws_credentials *credentials)
{
    return credentials != NULL ? credentials->access_key_id : NULL;
}

const char *ld_aws_credentials_secret_access_key(const ld_aws_credentials *credentials)
{
    return credentials != NULL ? credentials->secret_access_key : NULL;
}

const char *ld_aws_credentials_session_token(const ld_aws_credentials *credentials)
{
    return credentials != NULL ? credentials->session_token : NULL;
}

const char *ld_aws_credentials_source(const ld_aws_credentials *credentials)
{
    return credentials != NULL ? credentials->source : NULL;
}

/* ---- the chain ---- */

/* 1: the environment. NULL with error->code 0 when not set at all. */
static ld_aws_credentials *from_environment(char *why, size_t why_size, ld_aws_error *error)
{
    const char *id = ldaws_env("AWS_ACCESS_KEY_ID");
    const char *secret = ldaws_env("AWS_SECRET_ACCESS_KEY");
    if (id == NULL && secret == NULL) {
        snprintf(why, why_size, "environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY unset)");
        return NULL;
    }
    if (id == NULL || secret == NULL) {
        ldaws_error_set(error, LD_ERR_INVALID, "environment: %s is set but %s is not",
                        id != NULL ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                        id != NULL ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
        return NULL;
    }
    return ldaws_credentials_make(id, secret, ldaws_env("AWS_SESSION_TOKEN"), "environment",
                                  error);
}

/* 2: the shared credentials file. */
static ld_aws_credentials *from_file(char *why, size_t why_size, ld_aws_error *error)
{
    char *path = ldaws_config_path("AWS_SHARED_CREDENTIALS_FILE", "credentials");
    if (path == NULL) {
        snprintf(why, why_size, "shared credentials file (HOME and AWS_SHARED_CREDENTIALS_FILE unset)");
        return NULL;
    }
    const char *profile = ldaws_profile();
    int found = 0;
    char *id = ldaws_ini_get(path, profile, "aws_access_key_id", &found);
    char *secret = found ? ldaws_ini_get(path, profile, "aws_secret_access_key", NULL) : NULL;
    char *token = found ? ldaws_ini_get(path, profile, "aws_session_token", NULL) : NULL;
    ld_aws_credentials *c = NULL;
    char source[4200];
    snprintf(source, sizeof source, "shared credentials file %s [%s]", path, profile);
    if (!found)
        snprintf(why, why_size, "shared credentials file (%s does not exist)", path);
    else if (id == NULL && secret == NULL)
        snprintf(why, why_size, "shared credentials file (%s has no profile [%s] with keys)",
                 path, profile);
    else
        c = ldaws_credentials_make(id, secret, token, source, error);
    free(id);
    wipe_free(secret);
    wipe_free(token);
    free(path);
    return c;
}

static size_t collect(char *data, size_t size, size_t count, void *payload)
{
    ldaws_buf *buf = payload;
    if (buf->length + size * count > 64 * 1024)
        return 0;
    return ldaws_buf_append(buf, data, size * count) == LD_OK ? size * count : 0;
}

/* ISO 8601 "2026-11-25T16:00:00Z" -> epoch seconds (0 when unreadable). */
static time_t parse_expiration(const char *text)
{
    struct tm tm = {0};
    if (text == NULL || strptime(text, "%Y-%m-%dT%H:%M:%S", &tm) == NULL)
        return 0;
    return timegm(&tm);
}

/* 3: the container credentials endpoint. */
static ld_aws_credentials *from_container(char *why, size_t why_size, ld_aws_error *error)
{
    const char *full = ldaws_env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    const char *relative = ldaws_env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    if (full == NULL && relative == NULL) {
        snprintf(why, why_size, "container credentials endpoint "
                                "(AWS_CONTAINER_CREDENTIALS_FULL_URI and "
                                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI unset)");
        return NULL;
    }
    char url[4096];
    if (relative != NULL)
        snprintf(url, sizeof url, "http://169.254.170.2%s", relative);
    else
        snprintf(url, sizeof url, "%s", full);
    /* The token: AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (EKS Pod Identity) wins. */
    char token[8192] = "";
    const char *token_file = ldaws_env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    if (token_file != NULL) {
        FILE *f = fopen(token_file, "r");
        if (f == NULL) {
            ldaws_error_set(error, LD_ERR_INVALID,
                            "container credentials endpoint: cannot read "
                            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=%s",
                            token_file);
            return NULL;
        }
        size_t n = fread(token, 1, sizeof token - 1, f);
        fclose(f);
        token[n] = '\0';
        while (n > 0 && (token[n - 1] == '\n' || token[n - 1] == '\r'))
            token[--n] = '\0';
    } else if (ldaws_env("AWS_CONTAINER_AUTHORIZATION_TOKEN") != NULL) {
        snprintf(token, sizeof token, "%s", ldaws_env("AWS_CONTAINER_AUTHORIZATION_TOKEN"));
    }
    if (strpbrk(token, "\r\n") != NULL) {
        ldaws_error_set(error, LD_ERR_INVALID,
                        "container credentials endpoint: the authorization token holds a line break");
        return NULL;
    }
    CURL *curl = curl_easy_init();
    if (curl == NULL) {
        ldaws_error_set(error, LD_ERR_NOMEM, "out of memory");
        return NULL;
    }
    ldaws_buf body = {0};
    struct curl_slist *headers = NULL;
    char authorization[8300];
    if (*token != '\0') {
        snprintf(authorization, sizeof authorization, "Authorization: %s", token);
        headers = curl_slist_append(headers, authorization);
    }
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    ld_aws_credentials *c = NULL;
    CURLcode rc = CURLE_OK;
    long status = 0;
    for (int attempt = 0; attempt < 3; attempt++) {
        body.length = 0;
        rc = curl_easy_perform(curl);
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        if (rc == CURLE_OK && status < 500)
            break;
    }
    if (rc != CURLE_OK) {
        ldaws_error_set(error, LD_ERR_IO, "container credentials endpoint %s: %s", url,
                        curl_easy_strerror(rc));
    } else if (status != 200) {
        ldaws_error_set(error, LD_ERR_IO, "container credentials endpoint %s answered HTTP %ld",
                        url, status);
    } else {
        json_t *root = json_loadb(body.data != NULL ? body.data : "", body.length, 0, NULL);
        const char *id = json_string_value(json_object_get(root, "AccessKeyId"));
        const char *secret = json_string_value(json_object_get(root, "SecretAccessKey"));
        const char *session = json_string_value(json_object_get(root, "Token"));
        if (root == NULL)
            ldaws_error_set(error, LD_ERR_INVALID,
                            "container credentials endpoint %s: the answer is not JSON", url);
        else
            c = ldaws_credentials_make(id, secret, session, "container credentials endpoint",
                                       error);
        if (c != NULL)
            c->expires = parse_expiration(
                json_string_value(json_object_get(root, "Expiration")));
        json_decref(root);
    }
    if (body.data != NULL)
        memset(body.data, 0, body.length);
    ldaws_buf_free(&body);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    return c;
}

ld_aws_credentials *ld_aws_credentials_resolve(ld_aws_error *error)
{
    ldaws_error_clear(error);
    typedef ld_aws_credentials *(*source_fn)(char *, size_t, ld_aws_error *);
    static const source_fn sources[3] = {from_environment, from_file, from_container};
    char why[3][4400];
    for (size_t i = 0; i < 3; i++) {
        why[i][0] = '\0';
        ld_aws_error local = {0};
        ld_aws_credentials *c = sources[i](why[i], sizeof why[i], &local);
        if (c != NULL)
            return c;
        if (local.code != 0) {
            if (error != NULL)
                *error = local;
            return NULL;
        }
    }
    ldaws_error_set(error, LD_ERR_NOT_FOUND, "no AWS credentials found; tried: %s; %s; %s",
                    why[0], why[1], why[2]);
    return NULL;
}
