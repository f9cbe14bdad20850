/*
 * letsdata/aws.h - libletsdata-aws: credentials, configuration and signed requests.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LETSDATA_AWS_H
#define LETSDATA_AWS_H

/**
 * @file letsdata/aws.h
 * @brief Talk to AWS from C the way the AWS SDKs do: credentials chain, region and
 * endpoint resolution (`AWS_REGION`, `AWS_ENDPOINT_URL*`), Signature Version 4, the
 * *standard* retry mode, and errors that carry the HTTP status, AWS error code, message
 * and request id.
 *
 * This is the core of libletsdata-aws (`pkg-config letsdata-aws`), a library of its own
 * so that handlers that do not talk to AWS never load libcurl. Services built on it:
 * letsdata/aws_s3.h (S3), letsdata/aws_secrets.h (Secrets Manager, the official
 * SDK's SecretManagerUtil) and letsdata/aws_sagemaker.h (SageMaker runtime). Any other
 * AWS API can be called with ld_aws_client_send().
 *
 * Threads: a client is used by one thread at a time (it keeps one connection open for
 * reuse); create one client per thread. Everything else is thread-safe.
 *
 * Conventions: see letsdata/common.h (ownership words *new*, *borrowed*, *stolen*).
 * Configuration a user sets: docs/aws.md.
 */

#include <stddef.h>
#include <stdint.h>

#include <letsdata/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Capacity of ld_aws_error::aws_code, including the NUL. */
#define LD_AWS_CODE_MAX 64
/** Capacity of ld_aws_error::request_id, including the NUL. */
#define LD_AWS_REQUEST_ID_MAX 128

/**
 * Why an AWS call failed. Callers own the struct (usually on the stack); the library only
 * writes into it, and every field is set (cleared first) by each call that takes it.
 */
typedef struct ld_aws_error {
    /** The ::ld_status the call returned: LD_ERR_NOT_FOUND for a missing key, bucket
     *  or secret (HTTP 404), LD_ERR_INVALID for bad arguments or configuration,
     *  LD_ERR_IO for transport failures and other service errors, LD_ERR_LIMIT for a
     *  response larger than allowed, LD_ERR_NOMEM. */
    int code;
    /** The HTTP status of the last response; 0 when none was received. */
    long http_status;
    /** The AWS error code ("NoSuchKey", "SignatureDoesNotMatch", "SlowDown",
     *  "ResourceNotFoundException"...); "" when the service sent none. */
    char aws_code[LD_AWS_CODE_MAX];
    /** The request id of the last response (x-amz-request-id / x-amzn-RequestId). */
    char request_id[LD_AWS_REQUEST_ID_MAX];
    /** How many attempts the call made (retries included). */
    int attempts;
    /** NUL-terminated English explanation naming what was wrong. */
    char message[LD_ERROR_MESSAGE_MAX];
} ld_aws_error;

/* ---------------------------------------------------------------------------------- */
/** @name Credentials */
/** @{ */

/** An access key pair, with an optional session token. Opaque; immutable. */
typedef struct ld_aws_credentials ld_aws_credentials;

/**
 * Credentials given explicitly.
 *
 * @param access_key_id      borrowed (copied); required.
 * @param secret_access_key  borrowed (copied); required.
 * @param session_token      borrowed (copied); NULL or "" when the keys are long-term.
 * @return new credentials (free with ld_aws_credentials_free()), or NULL with @p error
 *         set (LD_ERR_INVALID naming the missing field, LD_ERR_NOMEM).
 */
LD_EXTERN ld_aws_credentials *ld_aws_credentials_new(const char *access_key_id,
                                                     const char *secret_access_key,
                                                     const char *session_token,
                                                     ld_aws_error *error);

/**
 * Credentials from the chain the AWS SDKs use, first source that has them:
 * 1. the environment: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`
 *    (on Lambda: the function's role);
 * 2. the shared credentials file: `AWS_SHARED_CREDENTIALS_FILE`, default
 *    `~/.aws/credentials`, section `AWS_PROFILE` (default `default`);
 * 3. the container credentials endpoint (ECS, Fargate):
 *    `AWS_CONTAINER_CREDENTIALS_FULL_URI` with `AWS_CONTAINER_AUTHORIZATION_TOKEN` or
 *    `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`, or
 *    `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (on 169.254.170.2).
 *
 * @return new credentials (free with ld_aws_credentials_free()), or NULL with @p error
 *         set: LD_ERR_NOT_FOUND with a message naming every source tried and why each
 *         had none; LD_ERR_INVALID for a source that is set but broken (half a key
 *         pair, an unreadable file, a bad endpoint answer).
 */
LD_EXTERN ld_aws_credentials *ld_aws_credentials_resolve(ld_aws_error *error);

/** @return the access key id (borrowed from @p credentials). */
LD_EXTERN const char *ld_aws_credentials_access_key_id(const ld_aws_credentials *credentials);
/** @return the secret access key (borrowed from @p credentials). */
LD_EXTERN const char *ld_aws_credentials_secret_access_key(
    const ld_aws_credentials *credentials);
/** @return the session token (borrowed from @p credentials), or NULL when there is none. */
LD_EXTERN const char *ld_aws_credentials_session_token(const ld_aws_credentials *credentials);
/**
 * Where the credentials came from: "explicit", "environment", "shared credentials file
 * PATH [PROFILE]", "container credentials endpoint", "secret ARN mapper.read"...
 * @return a borrowed string (from @p credentials).
 */
LD_EXTERN const char *ld_aws_credentials_source(const ld_aws_credentials *credentials);

/** A new copy of @p credentials, or NULL on allocation failure. */
LD_EXTERN ld_aws_credentials *ld_aws_credentials_copy(const ld_aws_credentials *credentials);

/** Free credentials (the secret is wiped first). NULL is ignored. */
LD_EXTERN void ld_aws_credentials_free(ld_aws_credentials *credentials);

/** @} */

/* ---------------------------------------------------------------------------------- */
/** @name Region, endpoints and TLS */
/** @{ */

/**
 * The region: `AWS_REGION`, else `AWS_DEFAULT_REGION`, else the `region` of the profile
 * (`AWS_PROFILE` or `default`) in the config file (`AWS_CONFIG_FILE`, default
 * `~/.aws/config`).
 *
 * @return a new string (free with ld_free()), or NULL with @p error set
 *         (LD_ERR_NOT_FOUND naming each place looked at).
 */
LD_EXTERN char *ld_aws_resolve_region(ld_aws_error *error);

/**
 * The endpoint of a service, as the AWS SDKs choose it: `AWS_ENDPOINT_URL_<ID>` where
 * ID is @p service_id upper-cased with spaces as underscores (`AWS_ENDPOINT_URL_S3`,
 * `AWS_ENDPOINT_URL_SECRETS_MANAGER`, `AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME`), else
 * `AWS_ENDPOINT_URL`, else `https://ENDPOINT_PREFIX.REGION.amazonaws.com` (`.com.cn` in
 * the China regions).
 *
 * @param service_id       the SDKs' service id: "S3", "Secrets Manager",
 *                         "SageMaker Runtime", ...
 * @param endpoint_prefix  the host prefix: "s3", "secretsmanager", "runtime.sagemaker".
 * @param region           the region (required for the AWS endpoint).
 * @param[out] is_override set (if not NULL) to 1 when the URL came from a variable
 *                         (S3 then addresses buckets path-style), else 0.
 * @return a new URL without a trailing slash (free with ld_free()), or NULL with @p error
 *         set (LD_ERR_INVALID for a malformed variable or a missing region).
 */
LD_EXTERN char *ld_aws_resolve_endpoint(const char *service_id, const char *endpoint_prefix,
                                        const char *region, int *is_override,
                                        ld_aws_error *error);

/**
 * The CA bundle TLS verification uses: `AWS_CA_BUNDLE`, else `SSL_CERT_FILE`, else the
 * first that exists of Debian's `/etc/ssl/certs/ca-certificates.crt` and Amazon Linux's
 * `/etc/pki/tls/certs/ca-bundle.crt` (so a Lambda zip built on Debian verifies on
 * Amazon Linux), else NULL (libcurl's built-in default).
 *
 * @return a new string (free with ld_free()) or NULL.
 */
LD_EXTERN char *ld_aws_ca_bundle(void);

/** @} */

/* ---------------------------------------------------------------------------------- */
/** @name Clients */
/** @{ */

/** A connection to AWS with its configuration. Opaque; one thread at a time. */
typedef struct ld_aws_client ld_aws_client;

/** The version of ld_aws_client_options this header describes. */
#define LD_AWS_CLIENT_OPTIONS_VERSION 1

/** How to build a client. Start from LD_AWS_CLIENT_OPTIONS_INIT; every field is optional. */
typedef struct ld_aws_client_options {
    /** LD_AWS_CLIENT_OPTIONS_VERSION. */
    int version;
    /** Borrowed (copied). NULL: ld_aws_resolve_region() (a call about an ARN uses the
     *  ARN's region whatever this says). */
    const char *region;
    /** Borrowed (copied). NULL: each service's endpoint from ld_aws_resolve_endpoint().
     *  When set, it serves every service, and S3 uses path-style addressing. */
    const char *endpoint_url;
    /** Borrowed (copied). NULL: ld_aws_credentials_resolve() at the first request. */
    const ld_aws_credentials *credentials;
    /** Attempts per request, retries included. 0: `AWS_MAX_ATTEMPTS`, else 3 (the
     *  standard retry mode). 1 disables retries. */
    int max_attempts;
    /** Connect timeout in milliseconds. 0: 10000. */
    long connect_timeout_ms;
    /** A transfer that moves no byte for this many seconds is broken (and retried).
     *  0: 60. */
    long stall_timeout_s;
    /** Borrowed (copied). NULL: ld_aws_ca_bundle(). */
    const char *ca_bundle;
    /** Largest response body that ld_aws_client_send() buffers. 0: 64 MiB. */
    size_t max_response_bytes;
    /** S3 upload bodies (PutObject, UploadPart): LD_AWS_PAYLOAD_AUTO (0) signs their
     *  SHA-256 over http and sends UNSIGNED-PAYLOAD over https (TLS protects them, and
     *  hashing costs a pass over the bytes), as the AWS SDKs do; LD_AWS_PAYLOAD_SIGNED
     *  always signs; LD_AWS_PAYLOAD_UNSIGNED never does (for servers that accept it over
     *  http). Other requests always sign their payload. */
    int payload_signing;
} ld_aws_client_options;

/** ld_aws_client_options::payload_signing: sign over http, not over https. */
#define LD_AWS_PAYLOAD_AUTO 0
/** ld_aws_client_options::payload_signing: always sign upload bodies. */
#define LD_AWS_PAYLOAD_SIGNED 1
/** ld_aws_client_options::payload_signing: send upload bodies as UNSIGNED-PAYLOAD. */
#define LD_AWS_PAYLOAD_UNSIGNED 2

/** Default options: all fields zero but the version. */
#define LD_AWS_CLIENT_OPTIONS_INIT                                                          \
    { LD_AWS_CLIENT_OPTIONS_VERSION, NULL, NULL, NULL, 0, 0, 0, NULL, 0, LD_AWS_PAYLOAD_AUTO }

/**
 * A client.
 *
 * Nothing goes on the network here; credentials left to the chain are resolved at the
 * first request (so an error about them comes from that request).
 *
 * @param options borrowed; NULL means LD_AWS_CLIENT_OPTIONS_INIT.
 * @return a new client (free with ld_aws_client_free()), or NULL with @p error set:
 *         LD_ERR_INVALID (unknown options version, no region anywhere), LD_ERR_NOMEM.
 */
LD_EXTERN ld_aws_client *ld_aws_client_new(const ld_aws_client_options *options,
                                           ld_aws_error *error);

/** Free a client and close its connections. NULL is ignored. */
LD_EXTERN void ld_aws_client_free(ld_aws_client *client);

/** @return the client's region (borrowed from @p client). */
LD_EXTERN const char *ld_aws_client_region(const ld_aws_client *client);

/** @} */

/* ---------------------------------------------------------------------------------- */
/** @name Signed requests to any AWS API */
/** @{ */

/** The version of ld_aws_request this header describes. */
#define LD_AWS_REQUEST_VERSION 1

/** One request. Start from LD_AWS_REQUEST_INIT. Every pointer is borrowed. */
typedef struct ld_aws_request {
    /** LD_AWS_REQUEST_VERSION. */
    int version;
    /** The service id that names its endpoint variable: "SageMaker Runtime" reads
     *  `AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME` (see ld_aws_resolve_endpoint()). */
    const char *service_id;
    /** The SigV4 signing name: "s3", "secretsmanager", "sagemaker". */
    const char *signing_name;
    /** The endpoint host prefix: "s3", "secretsmanager", "runtime.sagemaker". */
    const char *endpoint_prefix;
    /** NULL: the client's region. */
    const char *region;
    /** "GET", "PUT", "POST", "HEAD", "DELETE". */
    const char *method;
    /** The path, not encoded, starting with '/': every byte but RFC 3986's unreserved
     *  characters and '/' is percent-encoded once. */
    const char *path;
    /** NULL, or a NULL-terminated array of alternating names and values, not encoded
     *  (a NULL value is sent as `name=`). The call encodes and sorts them, as SigV4
     *  needs. */
    const char *const *query;
    /** NULL, or a NULL-terminated array of "Name: value" strings, all signed. */
    const char *const *headers;
    /** The body (NULL when @c body_length is 0); its SHA-256 is signed. */
    const void *body;
    /** Bytes in @c body. */
    size_t body_length;
} ld_aws_request;

/** A request with only the version set. */
#define LD_AWS_REQUEST_INIT                                                                 \
    { LD_AWS_REQUEST_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0 }

/** What came back. Start from LD_AWS_RESPONSE_INIT; release with ld_aws_response_clear(). */
typedef struct ld_aws_response {
    /** The HTTP status (0: no response). */
    long status;
    /** New, NUL-terminated (the NUL is not counted in @c body_length). */
    char *body;
    /** Bytes in @c body. */
    size_t body_length;
    /** New: the Content-Type header, or NULL. */
    char *content_type;
    /** New: the request id header, or NULL. */
    char *request_id;
} ld_aws_response;

/** An empty response. */
#define LD_AWS_RESPONSE_INIT { 0, NULL, 0, NULL, NULL }

/** Free what @p response holds and reset it to LD_AWS_RESPONSE_INIT. NULL is ignored. */
LD_EXTERN void ld_aws_response_clear(ld_aws_response *response);

/**
 * Send a signed request and buffer the answer.
 *
 * Signs with SigV4 (the session token in `X-Amz-Security-Token`), retries like the
 * standard mode: up to max_attempts on 5xx, 429, throttling codes and broken
 * connections, with exponential backoff and jitter; never on other 4xx.
 *
 * @param response cleared first, then filled with the last answer received, error
 *                 answers included (read their body for details the error lacks).
 * @return LD_OK for a 2xx answer. Otherwise an ::ld_status, with @p error naming the
 *         HTTP status, AWS error code, message and request id (LD_ERR_NOT_FOUND for a
 *         404, LD_ERR_LIMIT for a body over max_response_bytes, LD_ERR_INVALID for a
 *         bad request field, LD_ERR_IO for the rest).
 */
LD_EXTERN int ld_aws_client_send(ld_aws_client *client, const ld_aws_request *request,
                                 ld_aws_response *response, ld_aws_error *error);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* LETSDATA_AWS_H */
