/*
 * http1_client.c - a minimal HTTP/1.1 client for the Lambda Runtime API (see
 * http1_client.h for why it is not libcurl).
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "http1_client.h"

/* A response head line longer than this is not the Runtime API talking. */
#define LINE_MAX_BYTES (64 * 1024)
#define READ_CHUNK (64 * 1024)
#define CONNECT_TIMEOUT_MS 5000

/* How a request went wrong, to decide whether a retry on a fresh connection is safe. */
enum outcome { DONE, FAILED, STALE };

int ldrt_http_client_init(ldrt_http_client *client, const char *authority, ld_error *error)
{
    memset(client, 0, sizeof *client);
    client->fd = -1;
    client->connect_timeout_ms = CONNECT_TIMEOUT_MS;
    const char *colon = authority != NULL ? strrchr(authority, ':') : NULL;
    if (colon == NULL || colon == authority || colon[1] == '\0' ||
        strspn(colon + 1, "0123456789") != strlen(colon + 1) ||
        strlen(colon + 1) >= sizeof client->port ||
        strlen(authority) >= sizeof client->authority)
        return ld_error_set(error, LD_ERR_INVALID,
                            "'%s' is not a host:port address of an HTTP server",
                            authority ? authority : "(null)");
    const char *host = authority;
    size_t host_length = (size_t)(colon - authority);
    if (host[0] == '[' && host_length >= 2 && host[host_length - 1] == ']') {
        host++;
        host_length -= 2;
    }
    if (host_length == 0 || host_length >= sizeof client->host)
        return ld_error_set(error, LD_ERR_INVALID, "'%s' has no usable host name", authority);
    memcpy(client->host, host, host_length);
    client->host[host_length] = '\0';
    snprintf(client->port, sizeof client->port, "%s", colon + 1);
    snprintf(client->authority, sizeof client->authority, "%s", authority);
    return LD_OK;
}

static void disconnect(ldrt_http_client *client)
{
    if (client->fd >= 0)
        close(client->fd);
    client->fd = -1;
    client->in_start = client->in_end = 0;
}

void ldrt_http_client_close(ldrt_http_client *client)
{
    disconnect(client);
    free(client->in);
    client->in = NULL;
    client->in_capacity = 0;
}

/* Connect to one resolved address, giving up after the connect timeout. */
static int connect_one(const struct addrinfo *address, int timeout_ms)
{
    int fd = socket(address->ai_family, address->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                    address->ai_protocol);
    if (fd < 0)
        return -1;
    int rc = connect(fd, address->ai_addr, address->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
        struct pollfd wait_for = {.fd = fd, .events = POLLOUT};
        do
            rc = poll(&wait_for, 1, timeout_ms);
        while (rc < 0 && errno == EINTR);
        int failure = 0;
        socklen_t size = sizeof failure;
        if (rc == 0) {
            failure = ETIMEDOUT;
        } else if (rc < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &size) != 0) {
            failure = errno;
        }
        rc = failure == 0 ? 0 : -1;
        errno = failure;
    }
    if (rc != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    /* Head and body go out in one sendmsg, but never let Nagle hold a small request. */
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static int connect_server(ldrt_http_client *client, const char *what, ld_error *error)
{
    struct addrinfo hints, *found = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    int rc = getaddrinfo(client->host, client->port, &hints, &found);
    if (rc != 0)
        return ld_error_set(error, LD_ERR_IO, "%s: cannot resolve %s: %s", what, client->host,
                            gai_strerror(rc));
    int fd = -1, failure = 0;
    for (struct addrinfo *a = found; a != NULL && fd < 0; a = a->ai_next) {
        fd = connect_one(a, client->connect_timeout_ms);
        if (fd < 0)
            failure = errno;
    }
    freeaddrinfo(found);
    if (fd < 0)
        return ld_error_set(error, LD_ERR_IO, "%s: cannot connect to %s: %s", what,
                            client->authority, strerror(failure));
    client->fd = fd;
    client->in_start = client->in_end = 0;
    return LD_OK;
}

static int send_all(int fd, struct iovec *parts, int count)
{
    struct msghdr message;
    memset(&message, 0, sizeof message);
    message.msg_iov = parts;
    message.msg_iovlen = (size_t)count;
    while (message.msg_iovlen > 0) {
        ssize_t sent = sendmsg(fd, &message, MSG_NOSIGNAL);
        if (sent < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        size_t left = (size_t)sent;
        while (message.msg_iovlen > 0 && left >= message.msg_iov[0].iov_len) {
            left -= message.msg_iov[0].iov_len;
            message.msg_iov++;
            message.msg_iovlen--;
        }
        if (message.msg_iovlen > 0) {
            message.msg_iov[0].iov_base = (char *)message.msg_iov[0].iov_base + left;
            message.msg_iov[0].iov_len -= left;
        }
    }
    return 0;
}

/* Read more bytes into the buffer. @return bytes read, 0 at end of stream, -1 on error. */
static ssize_t read_more(ldrt_http_client *client)
{
    if (client->in_start > 0 && client->in_start == client->in_end)
        client->in_start = client->in_end = 0;
    if (client->in_capacity - client->in_end < READ_CHUNK / 4 && client->in_start > 0) {
        memmove(client->in, client->in + client->in_start, client->in_end - client->in_start);
        client->in_end -= client->in_start;
        client->in_start = 0;
    }
    if (client->in_capacity - client->in_end < READ_CHUNK / 4) {
        size_t capacity = client->in_capacity ? client->in_capacity * 2 : READ_CHUNK;
        char *grown = realloc(client->in, capacity);
        if (grown == NULL) {
            errno = ENOMEM;
            return -1;
        }
        client->in = grown;
        client->in_capacity = capacity;
    }
    ssize_t got;
    do
        got = recv(client->fd, client->in + client->in_end, client->in_capacity - client->in_end,
                   0);
    while (got < 0 && errno == EINTR);
    if (got > 0)
        client->in_end += (size_t)got;
    return got;
}

/* The reading state of one response, for error messages. */
typedef struct reader {
    ldrt_http_client *client;
    const char *what;  /* "GET http://host/path" */
    ld_error *error;
    size_t received;   /* bytes of this response so far */
} reader;

static int read_failed(reader *r, ssize_t got, const char *while_doing)
{
    if (got == 0)
        return ld_error_set(r->error, LD_ERR_IO, "%s: the server closed the connection %s",
                            r->what, while_doing);
    return ld_error_set(r->error, LD_ERR_IO, "%s: receive failed %s: %s", r->what, while_doing,
                        strerror(errno));
}

/* One CRLF- (or LF-) terminated line, consumed; *line points into the buffer until the
 * next read. @return LD_OK or an error. */
static int read_line(reader *r, const char **line, size_t *length, const char *while_doing)
{
    ldrt_http_client *c = r->client;
    for (;;) {
        char *start = c->in + c->in_start;
        size_t available = c->in_end - c->in_start;
        char *newline = available ? memchr(start, '\n', available) : NULL;
        if (newline != NULL) {
            size_t consumed = (size_t)(newline - start) + 1;
            size_t n = consumed - 1;
            if (n > 0 && start[n - 1] == '\r')
                n--;
            *line = start;
            *length = n;
            c->in_start += consumed;
            r->received += consumed;
            return LD_OK;
        }
        if (available >= LINE_MAX_BYTES)
            return ld_error_set(r->error, LD_ERR_IO,
                                "%s: a response line is longer than %d bytes", r->what,
                                LINE_MAX_BYTES);
        ssize_t got = read_more(c);
        if (got <= 0)
            return read_failed(r, got, while_doing);
    }
}

static int deliver(reader *r, const ldrt_http_sink *sink, const char *data, size_t length,
                   size_t *delivered)
{
    if (sink != NULL && sink->on_body != NULL && length > 0 &&
        sink->on_body(data, length, sink->user) != 0)
        return ld_error_set(r->error, LD_ERR_LIMIT,
                            "%s: the response body was refused after %zu bytes", r->what,
                            *delivered + length);
    *delivered += length;
    r->received += length;
    return LD_OK;
}

/* Pass @p length body bytes (or all until end of stream if @p to_close) to the sink. */
static int read_body(reader *r, const ldrt_http_sink *sink, unsigned long long length,
                     int to_close, size_t *delivered)
{
    ldrt_http_client *c = r->client;
    for (;;) {
        size_t available = c->in_end - c->in_start;
        size_t take = available;
        if (!to_close && take > length)
            take = (size_t)length;
        if (take > 0) {
            int rc = deliver(r, sink, c->in + c->in_start, take, delivered);
            if (rc != LD_OK)
                return rc;
            c->in_start += take;
            length -= take;
        }
        if (!to_close && length == 0)
            return LD_OK;
        ssize_t got = read_more(c);
        if (got == 0 && to_close)
            return LD_OK;
        if (got <= 0)
            return read_failed(r, got, "in the middle of the response body");
    }
}

static int read_chunked(reader *r, const ldrt_http_sink *sink, size_t *delivered)
{
    for (;;) {
        const char *line;
        size_t n;
        int rc = read_line(r, &line, &n, "in a chunked response body");
        if (rc != LD_OK)
            return rc;
        unsigned long long size = 0;
        size_t digits = 0;
        for (; digits < n; digits++) {
            char ch = line[digits];
            int value = ch >= '0' && ch <= '9'   ? ch - '0'
                        : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                        : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                                 : -1;
            if (value < 0)
                break;
            if (size > (~0ULL >> 4))
                return ld_error_set(r->error, LD_ERR_IO, "%s: a chunk size overflows",
                                    r->what);
            size = size * 16 + (unsigned long long)value;
        }
        if (digits == 0 || (digits < n && line[digits] != ';' && line[digits] != ' '))
            return ld_error_set(r->error, LD_ERR_IO, "%s: malformed chunk size line '%.*s'",
                                r->what, (int)(n > 40 ? 40 : n), line);
        if (size == 0)
            break;
        rc = read_body(r, sink, size, 0, delivered);
        if (rc == LD_OK)
            rc = read_line(r, &line, &n, "after a chunk");
        if (rc != LD_OK)
            return rc;
        if (n != 0)
            return ld_error_set(r->error, LD_ERR_IO, "%s: a chunk is longer than its size",
                                r->what);
    }
    for (;;) { /* trailer fields, then the empty line */
        const char *line;
        size_t n;
        int rc = read_line(r, &line, &n, "in the chunked trailer");
        if (rc != LD_OK || n == 0)
            return rc;
    }
}

static int has_token(const char *value, size_t length, const char *token)
{
    size_t token_length = strlen(token);
    for (size_t i = 0; i + token_length <= length; i++)
        if (strncasecmp(value + i, token, token_length) == 0)
            return 1;
    return 0;
}

/* Read one response. @return its status, or -1 with the error set; *outcome says
 * whether the connection died before answering anything (a stale keep-alive). */
static long read_response(reader *r, const char *method, const ldrt_http_sink *sink,
                          enum outcome *outcome)
{
    ldrt_http_client *c = r->client;
    const char *line;
    size_t n;
    long status;
    int minor;
    for (;;) {
        if (read_line(r, &line, &n, "before answering") != LD_OK) {
            *outcome = r->received == 0 ? STALE : FAILED;
            return -1;
        }
        char status_line[64];
        snprintf(status_line, sizeof status_line, "%.*s", (int)(n < 63 ? n : 63), line);
        char after;
        if (sscanf(status_line, "HTTP/1.%d %3ld%c", &minor, &status, &after) < 2 ||
            status < 100 || status > 599 || (n > 12 && line[12] != ' ')) {
            ld_error_set(r->error, LD_ERR_IO, "%s: malformed status line '%s'", r->what,
                         status_line);
            *outcome = FAILED;
            return -1;
        }
        if (status >= 200 || status == 101)
            break;
        do { /* an interim 1xx response: skip its header block */
            if (read_line(r, &line, &n, "in an interim response") != LD_OK) {
                *outcome = FAILED;
                return -1;
            }
        } while (n != 0);
    }

    int close_after = minor == 0, chunked = 0, has_length = 0;
    unsigned long long content_length = 0;
    for (;;) {
        if (read_line(r, &line, &n, "in the response headers") != LD_OK) {
            *outcome = FAILED;
            return -1;
        }
        if (n == 0)
            break;
        const char *colon = memchr(line, ':', n);
        if (colon == NULL || colon == line) {
            ld_error_set(r->error, LD_ERR_IO, "%s: malformed header line '%.*s'", r->what,
                         (int)(n > 60 ? 60 : n), line);
            *outcome = FAILED;
            return -1;
        }
        size_t name_length = (size_t)(colon - line);
        const char *value = colon + 1;
        size_t value_length = n - name_length - 1;
        while (value_length > 0 && (*value == ' ' || *value == '\t')) {
            value++;
            value_length--;
        }
        while (value_length > 0 && (value[value_length - 1] == ' ' ||
                                    value[value_length - 1] == '\t'))
            value_length--;
        if (name_length == 14 && strncasecmp(line, "Content-Length", 14) == 0) {
            char digits[32];
            char *end;
            snprintf(digits, sizeof digits, "%.*s", (int)(value_length < 31 ? value_length : 31),
                     value);
            errno = 0;
            content_length = strtoull(digits, &end, 10);
            if (value_length == 0 || value_length > 20 || *end != '\0' || digits[0] == '-' ||
                errno != 0) {
                ld_error_set(r->error, LD_ERR_IO, "%s: malformed Content-Length '%s'", r->what,
                             digits);
                *outcome = FAILED;
                return -1;
            }
            has_length = 1;
        } else if (name_length == 17 && strncasecmp(line, "Transfer-Encoding", 17) == 0) {
            chunked = has_token(value, value_length, "chunked");
        } else if (name_length == 10 && strncasecmp(line, "Connection", 10) == 0) {
            if (has_token(value, value_length, "close"))
                close_after = 1;
            else if (has_token(value, value_length, "keep-alive"))
                close_after = 0;
        }
        if (sink != NULL && sink->on_header != NULL)
            sink->on_header(line, name_length, value, value_length, sink->user);
    }

    size_t delivered = 0;
    int rc = LD_OK;
    if (strcmp(method, "HEAD") == 0 || status == 204 || status == 304)
        rc = LD_OK;
    else if (chunked)
        rc = read_chunked(r, sink, &delivered);
    else if (has_length)
        rc = read_body(r, sink, content_length, 0, &delivered);
    else {
        rc = read_body(r, sink, 0, 1, &delivered);
        close_after = 1;
    }
    if (rc != LD_OK) {
        *outcome = FAILED;
        return -1;
    }
    if (close_after)
        disconnect(c);
    *outcome = DONE;
    return status;
}

static long attempt(ldrt_http_client *client, const char *method, const char *head, size_t head_length, const void *body, size_t length,
                    const ldrt_http_sink *sink, const char *what, enum outcome *outcome,
                    ld_error *error)
{
    struct iovec parts[2] = {{(void *)head, head_length}, {(void *)body, body ? length : 0}};
    if (send_all(client->fd, parts, body && length ? 2 : 1) != 0) {
        int failure = errno;
        *outcome = failure == EPIPE || failure == ECONNRESET ? STALE : FAILED;
        ld_error_set(error, LD_ERR_IO, "%s: send failed: %s", what, strerror(failure));
        return -1;
    }
    reader r = {client, what, error, 0};
    return read_response(&r, method, sink, outcome);
}

long ldrt_http_client_request(ldrt_http_client *client, const char *method, const char *path,
                              const char *const *headers, const void *body, size_t length,
                              const ldrt_http_sink *sink, ld_error *error)
{
    char what[512];
    snprintf(what, sizeof what, "%s http://%s%s", method, client->authority, path);

    char head[8192];
    int used = snprintf(head, sizeof head,
                        "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: letsdata-runtime\r\n",
                        method, path, client->authority);
    for (size_t i = 0; headers != NULL && headers[i] != NULL && used > 0 &&
                       (size_t)used < sizeof head;
         i++)
        used += snprintf(head + used, sizeof head - (size_t)used, "%s\r\n", headers[i]);
    if (body != NULL && used > 0 && (size_t)used < sizeof head)
        used += snprintf(head + used, sizeof head - (size_t)used, "Content-Length: %zu\r\n",
                         length);
    if (used > 0 && (size_t)used < sizeof head)
        used += snprintf(head + used, sizeof head - (size_t)used, "\r\n");
    if (used <= 0 || (size_t)used >= sizeof head) {
        ld_error_set(error, LD_ERR_LIMIT, "%s: the request head exceeds %zu bytes", what,
                     sizeof head);
        return -1;
    }

    for (int tries = 0; tries < 2; tries++) {
        int reused = client->fd >= 0;
        if (!reused && connect_server(client, what, error) != LD_OK)
            return -1;
        enum outcome outcome;
        long status = attempt(client, method, head, (size_t)used, body, length, sink,
                              what, &outcome, error);
        if (outcome == DONE)
            return status;
        disconnect(client);
        if (!(reused && outcome == STALE))
            return -1;
    }
    return -1;
}
