/*
 * http1_client.h - a minimal HTTP/1.1 client for the Lambda Runtime API (private).
 *
 * The Runtime API is plain HTTP/1.1 on a loopback address. Talking to it through
 * libcurl made every Lambda cold start load libcurl and its TLS, Kerberos, LDAP, SSH,
 * IDN and HTTP/2 libraries (about 30 objects, 6 ms before the first byte of user code),
 * none of which a loopback request needs. This client speaks exactly what the Runtime
 * API uses: one request at a time on a kept-alive connection, request bodies with
 * Content-Length, response bodies with Content-Length, chunked transfer coding or
 * read-to-close. No TLS, no redirects, no proxies.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LDRT_HTTP1_CLIENT_H
#define LDRT_HTTP1_CLIENT_H

#include <stddef.h>

#include <letsdata/common.h>

/** Where a response goes; every member may be NULL. */
typedef struct ldrt_http_sink {
    /** One response header; name and value are not NUL-terminated, value is trimmed. */
    void (*on_header)(const char *name, size_t name_length, const char *value,
                      size_t value_length, void *user);
    /** A piece of the response body. @return 0 to go on, non-zero to abort the request. */
    int (*on_body)(const char *data, size_t length, void *user);
    void *user;
} ldrt_http_sink;

/** One server, one connection, reused across requests. Fields are private. */
typedef struct ldrt_http_client {
    char host[256];
    char port[16];
    char authority[300]; /* the Host header */
    int fd;              /* -1: not connected */
    int connect_timeout_ms;
    char *in;            /* received bytes not consumed yet: in[in_start, in_end) */
    size_t in_start, in_end, in_capacity;
} ldrt_http_client;

/**
 * Prepare a client for the server at @p authority ("host:port", "[v6]:port"). Connects
 * lazily. @return LD_OK, or LD_ERR_INVALID (malformed authority) with @p error set.
 */
int ldrt_http_client_init(ldrt_http_client *client, const char *authority, ld_error *error);

/** Close the connection and free the buffer; the client may be initialised again. */
void ldrt_http_client_close(ldrt_http_client *client);

/**
 * Send one request and read its response into @p sink. @p headers is NULL or a
 * NULL-terminated list of complete "Name: value" lines (no CRLF); Host, Content-Length
 * (when @p body is not NULL) and User-Agent are added. A request on a reused connection
 * that the server had closed while idle is retried once on a new connection, as
 * browsers and libcurl do. Waits for the response without a time limit (the Runtime
 * API's /next long-polls).
 * @return the final HTTP status (100-599), or -1 with @p error naming the method, path
 *         and what failed (connect, send, a malformed response, an aborted body).
 */
long ldrt_http_client_request(ldrt_http_client *client, const char *method, const char *path,
                              const char *const *headers, const void *body, size_t length,
                              const ldrt_http_sink *sink, ld_error *error);

#endif /* LDRT_HTTP1_CLIENT_H */
