/*
 * aws_internal.h - what the files of libletsdata-aws share (private).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LDAWS_INTERNAL_H
#define LDAWS_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include <letsdata/aws.h>
#include <letsdata/aws_s3.h>

/* ---- errors (error.c) ---- */

/** Clear @p error (if not NULL): code 0, empty strings. */
void ldaws_error_clear(ld_aws_error *error);
/** Set code and a printf-style message. @return @p code. */
int ldaws_error_set(ld_aws_error *error, int code, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
/** Put "PREFIX: " (printf-style) before error->message, truncating at its end. */
void ldaws_error_prefix(ld_aws_error *error, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
/** The ::ld_status for an HTTP error answer. */
int ldaws_status_for_http(long status, const char *aws_code);
/**
 * Pull Code/Message/RequestId out of an error body (S3's XML or the JSON protocols'
 * `__type`/`message`), into @p code (capacity @p code_size) and @p message.
 */
void ldaws_parse_error_body(const char *body, size_t length, char *code, size_t code_size,
                            char *message, size_t message_size);

/* ---- text helpers (encode.c) ---- */

/** A growable byte buffer; data is NUL-terminated when not NULL. */
typedef struct ldaws_buf {
    char *data;
    size_t length, capacity;
    int failed; /**< an allocation failed: later appends do nothing */
} ldaws_buf;
int ldaws_buf_append(ldaws_buf *buf, const void *data, size_t length);
int ldaws_buf_appendf(ldaws_buf *buf, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
/** Append @p text percent-encoded per RFC 3986 (unreserved kept; '/' kept if @p keep_slash). */
int ldaws_buf_append_encoded(ldaws_buf *buf, const char *text, int keep_slash);
void ldaws_buf_free(ldaws_buf *buf);
/**
 * The query string SigV4 wants: pairs (alternating names and values, NULL-terminated)
 * encoded and sorted by encoded name then value. @return new string ("" for none) or NULL.
 */
char *ldaws_canonical_query(const char *const *pairs);
/** Escape text for an XML element. */
int ldaws_buf_append_xml(ldaws_buf *buf, const char *text);

/* ---- digests (digest.c, libcrypto) ---- */
/** Lowercase hex SHA-256 of @p data into @p hex (65 bytes). */
void ldaws_sha256_hex(const void *data, size_t length, char hex[65]);
/** Lowercase hex SHA-256 of @p length bytes at @p offset of @p fd. @return LD_OK or LD_ERR_IO. */
int ldaws_sha256_fd_hex(int fd, uint64_t offset, uint64_t length, char hex[65]);
/** Base64 MD5 of @p data into @p b64 (25 bytes). */
void ldaws_md5_base64(const void *data, size_t length, char b64[25]);

/* ---- XML (xml.c, expat) ---- */
/**
 * Called for each element's end with its path from the root without namespaces
 * ("ListBucketResult/Contents/Key") and its text. Nonzero stops (and fails) the parse.
 */
typedef int (*ldaws_xml_fn)(void *payload, const char *path, const char *text,
                            size_t length);
/** Parse @p xml, calling @p each per element. @return LD_OK or LD_ERR_INVALID. */
int ldaws_xml_parse(const char *xml, size_t length, ldaws_xml_fn each, void *payload,
                    ld_aws_error *error);

/* ---- configuration (config.c) ---- */
/** getenv() but "" counts as unset. */
const char *ldaws_env(const char *name);
/** The value of @p key in section @p section of the INI file @p path (new) or NULL. */
char *ldaws_ini_get(const char *path, const char *section, const char *key, int *file_found);
/** The file `~/.aws/NAME` or $VAR (new) or NULL if HOME is unknown. */
char *ldaws_config_path(const char *variable, const char *name);
/** The profile name: AWS_PROFILE or "default" (borrowed). */
const char *ldaws_profile(void);

/* ---- the client and its requests (client.c, request.c) ---- */
struct ld_aws_client {
    char *region;
    char *endpoint_url;
    ld_aws_credentials *credentials; /* NULL until the first request resolves them */
    int max_attempts;
    long connect_timeout_ms;
    long stall_timeout_s;
    char *ca_bundle;
    size_t max_response_bytes;
    long retry_base_ms;
    int payload_signing;
    CURL *curl;
};

/** Whether an upload body sent to @p base_url is signed (else UNSIGNED-PAYLOAD). */
int ldaws_signs_upload(const ld_aws_client *client, const char *base_url);

/** A client like @p client (credentials resolved now) with its own connection. New. */
ld_aws_client *ldaws_client_clone(ld_aws_client *client, ld_aws_error *error);

/** Credentials for a request: the client's, resolved now if needed (borrowed). */
const ld_aws_credentials *ldaws_client_credentials(ld_aws_client *client, ld_aws_error *error);

/** One HTTP exchange, fully described. */
typedef struct ldaws_call {
    const char *base_url;     /**< scheme://host[:port], no trailing slash */
    const char *signing_name;
    const char *region;
    const char *method;
    const char *path;         /**< not encoded; encoded here (keeping '/') */
    const char *const *query; /**< pairs, not encoded */
    const char *const *headers;
    const void *body;
    size_t body_length;
    int s3;                   /**< send x-amz-content-sha256 */
    const char *payload_sha256; /**< precomputed hex digest, "UNSIGNED-PAYLOAD", or NULL */
    /** PUT bodies read from a file instead (@c body_length bytes at @c body_offset of
     *  @c body_fd) as libcurl sends them, when @c body_from_fd is set. */
    int body_from_fd;
    int body_fd;
    uint64_t body_offset;
    /** 2xx bodies go here when set (else buffered); nonzero return stops. */
    int (*sink)(void *payload, const void *data, size_t length);
    void *sink_payload;
} ldaws_call;

/** What one attempt produced. */
typedef struct ldaws_result {
    long status;              /**< HTTP status, 0 without a response */
    CURLcode curl_code;
    ldaws_buf body;           /**< buffered body (error answers always) */
    char etag[128];
    char content_type[128];
    char last_modified[64];
    char request_id[LD_AWS_REQUEST_ID_MAX];
    char content_range[128];
    uint64_t content_length;  /**< Content-Length header, UINT64_MAX when absent */
    uint64_t sunk;            /**< bytes handed to the sink this attempt */
    int sink_stopped;         /**< the sink asked to stop */
    int header_stop;          /**< the answer was refused in its headers */
} ldaws_result;

void ldaws_result_reset(ldaws_result *result);
void ldaws_result_free(ldaws_result *result);

/**
 * One attempt of @p call. @return LD_OK when a response was received (any status), or
 * an error for transport failures (result->curl_code says which).
 */
int ldaws_attempt(ld_aws_client *client, const ldaws_call *call, ldaws_result *result,
                  ld_aws_error *error);

/** Whether an attempt's outcome is worth retrying (5xx, 429, throttling, transport). */
int ldaws_retryable(const ldaws_result *result, int attempt_rc);

/** Fill @p error from a non-2xx answer (status, code, message, request id). @return rc. */
int ldaws_error_from_result(ld_aws_error *error, const ldaws_result *result,
                            const char *what);

/** Sleep the standard mode's backoff before attempt @p attempt (2, 3, ...). */
void ldaws_backoff(const ld_aws_client *client, int attempt);

/**
 * @p call with retries (never for a streaming sink that already received bytes).
 * On success (2xx) @p result holds the last answer; the caller frees it.
 */
int ldaws_perform(ld_aws_client *client, const ldaws_call *call, ldaws_result *result,
                  const char *what, ld_aws_error *error);

/**
 * A bodiless request about one object (HEAD, DELETE), with retries: OPERATION names it in
 * errors ("HeadObject s3://b/k: ..."). @p result holds the answer (the caller frees it).
 */
int ldaws_s3_object_request(ld_aws_client *client, const char *operation,
                            const char *method, const char *bucket, const char *key,
                            ldaws_result *result, ld_aws_error *error);

/** The base URL and path of an S3 request (path-style or virtual-hosted). New strings. */
int ldaws_s3_locate(ld_aws_client *client, const char *bucket, const char *key,
                    char **base_url, char **path, ld_aws_error *error);

#endif /* LDAWS_INTERNAL_H */
