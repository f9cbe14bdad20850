/*
 * http_client.h - a small libcurl client for tests (loopback only).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LDT_HTTP_CLIENT_H
#define LDT_HTTP_CLIENT_H

#include <stddef.h>

/** An HTTP answer. Free with ldt_http_reply_free(). */
typedef struct ldt_http_reply {
    long status;       /**< HTTP status, or 0 if the request failed */
    char *body;        /**< NUL-terminated */
    size_t body_length;
    char content_type[128];
} ldt_http_reply;

/**
 * Send @p method (e.g. "POST") to http://127.0.0.1:@p port@p path with @p body.
 * @return 0, or -1 when the transfer failed (reply->status 0).
 */
int ldt_http_request(const char *method, unsigned port, const char *path, const char *body,
                     size_t body_length, ldt_http_reply *reply);

void ldt_http_reply_free(ldt_http_reply *reply);

#endif /* LDT_HTTP_CLIENT_H */
