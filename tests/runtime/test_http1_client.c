/*
 * test_http1_client.c - the Runtime API's HTTP/1.1 client (runtime/http1_client.c)
 * against a scripted server on 127.0.0.1 that answers raw bytes: Content-Length,
 * chunked and read-to-close bodies, interim 100 responses, keep-alive reuse, a server
 * that drops an idle kept-alive connection, and malformed answers.
 *
 * SPDX-License-Identifier: MIT
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "http1_client.h"

/* ---- the scripted server ---- */

#define MAX_STEPS 8

typedef struct step {
    const char *reply;  /* raw bytes written after reading one request */
    int close_after;    /* close the connection after replying */
} step;

typedef struct server {
    int listener;
    unsigned port;
    step steps[MAX_STEPS];
    size_t step_count;
    pthread_t thread;
    unsigned connections;            /* accepted */
    char requests[MAX_STEPS][2048];  /* what each step received (head + body) */
} server;

/* Read one request: the head, then Content-Length bytes of body. @return 0 or -1. */
static int read_request(int fd, char *out, size_t size)
{
    size_t used = 0;
    char *end = NULL;
    while ((end = strstr(out, "\r\n\r\n")) == NULL) {
        if (used + 1 >= size)
            return -1;
        ssize_t got = recv(fd, out + used, size - used - 1, 0);
        if (got <= 0)
            return -1;
        used += (size_t)got;
        out[used] = '\0';
    }
    size_t head = (size_t)(end - out) + 4;
    const char *length = strcasestr(out, "Content-Length: ");
    size_t body = length != NULL && length < end ? strtoul(length + 16, NULL, 10) : 0;
    while (used < head + body && used + 1 < size) {
        ssize_t got = recv(fd, out + used, size - used - 1, 0);
        if (got <= 0)
            return -1;
        used += (size_t)got;
        out[used] = '\0';
    }
    return 0;
}

static void *serve(void *arg)
{
    server *s = arg;
    size_t next = 0;
    while (next < s->step_count) {
        int fd = accept(s->listener, NULL, NULL);
        if (fd < 0)
            break;
        s->connections++;
        while (next < s->step_count) {
            s->requests[next][0] = '\0';
            if (read_request(fd, s->requests[next], sizeof s->requests[next]) != 0)
                break; /* the client closed: wait for its next connection */
            const step *st = &s->steps[next++];
            ssize_t ignored = send(fd, st->reply, strlen(st->reply), MSG_NOSIGNAL);
            (void)ignored;
            if (st->close_after)
                break;
        }
        close(fd);
    }
    return NULL;
}

static void start(server *s, const step *steps, size_t count)
{
    memset(s, 0, sizeof *s);
    memcpy(s->steps, steps, count * sizeof *steps);
    s->step_count = count;
    s->listener = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(s->listener >= 0);
    struct sockaddr_in address = {.sin_family = AF_INET};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(s->listener, (struct sockaddr *)&address, sizeof address), 0);
    assert_int_equal(listen(s->listener, 8), 0);
    socklen_t size = sizeof address;
    getsockname(s->listener, (struct sockaddr *)&address, &size);
    s->port = ntohs(address.sin_port);
    assert_int_equal(pthread_create(&s->thread, NULL, serve, s), 0);
}

static void stop(server *s)
{
    shutdown(s->listener, SHUT_RDWR);
    pthread_join(s->thread, NULL);
    close(s->listener);
}

/* ---- what the client hands over ---- */

typedef struct collected {
    char body[4096];
    size_t length;
    char request_id[64];
    unsigned headers;
    size_t refuse_after; /* 0: take everything */
} collected;

static void on_header(const char *name, size_t name_length, const char *value,
                      size_t value_length, void *user)
{
    collected *c = user;
    c->headers++;
    if (name_length == 29 && strncasecmp(name, "Lambda-Runtime-Aws-Request-Id", 29) == 0)
        snprintf(c->request_id, sizeof c->request_id, "%.*s", (int)value_length, value);
}

static int on_body(const char *data, size_t length, void *user)
{
    collected *c = user;
    if (c->refuse_after && c->length + length > c->refuse_after)
        return 1;
    assert_true(c->length + length < sizeof c->body);
    memcpy(c->body + c->length, data, length);
    c->length += length;
    c->body[c->length] = '\0';
    return 0;
}

/* GET @p path from @p s with a fresh collector. */
static long get(ldrt_http_client *client, const char *path, collected *c, ld_error *error)
{
    const ldrt_http_sink sink = {on_header, on_body, c};
    return ldrt_http_client_request(client, "GET", path, NULL, NULL, 0, &sink, error);
}

static void connect_client(ldrt_http_client *client, const server *s)
{
    char authority[64];
    snprintf(authority, sizeof authority, "127.0.0.1:%u", s->port);
    ld_error error = {0};
    assert_int_equal(ldrt_http_client_init(client, authority, &error), LD_OK);
}

/* ---- tests ---- */

static void test_content_length_keep_alive_and_post(void **state)
{
    (void)state;
    const step steps[] = {
        {"HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: abc-1\r\nContent-Length: 5\r\n"
         "\r\nhello", 0},
        {"HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\n{}", 0},
    };
    server s;
    start(&s, steps, 2);
    ldrt_http_client client;
    connect_client(&client, &s);
    collected c = {0};
    ld_error error = {0};
    assert_int_equal(get(&client, "/2018-06-01/runtime/invocation/next", &c, &error), 200);
    assert_string_equal(c.body, "hello");
    assert_string_equal(c.request_id, "abc-1");
    const char *headers[] = {"Content-Type: application/json", NULL};
    assert_int_equal(ldrt_http_client_request(&client, "POST", "/r", headers, "{\"a\":1}", 7,
                                              NULL, &error),
                     202);
    ldrt_http_client_close(&client);
    stop(&s);
    assert_int_equal(s.connections, 1); /* kept alive */
    assert_non_null(strstr(s.requests[0], "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\n"));
    assert_non_null(strstr(s.requests[0], "\r\nHost: 127.0.0.1:"));
    assert_non_null(strstr(s.requests[1], "POST /r HTTP/1.1\r\n"));
    assert_non_null(strstr(s.requests[1], "\r\nContent-Type: application/json\r\n"));
    assert_non_null(strstr(s.requests[1], "\r\nContent-Length: 7\r\n\r\n{\"a\":1}"));
}

static void test_chunked_interim_and_read_to_close(void **state)
{
    (void)state;
    const step steps[] = {
        {"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
         "4;ext=1\r\nWiki\r\nA\r\npedia in\r\n\r\n0\r\nTrailer: x\r\n\r\n", 0},
        {"HTTP/1.0 200 OK\r\n\r\nuntil the end", 1},
        {"HTTP/1.1 204 No Content\r\n\r\n", 0},
    };
    server s;
    start(&s, steps, 3);
    ldrt_http_client client;
    connect_client(&client, &s);
    ld_error error = {0};
    collected c = {0};
    assert_int_equal(get(&client, "/a", &c, &error), 200);
    assert_string_equal(c.body, "Wikipedia in\r\n");
    collected d = {0};
    assert_int_equal(get(&client, "/b", &d, &error), 200);
    assert_string_equal(d.body, "until the end");
    collected e = {0};
    assert_int_equal(get(&client, "/c", &e, &error), 204); /* on a new connection */
    assert_int_equal(e.length, 0);
    ldrt_http_client_close(&client);
    stop(&s);
    assert_int_equal(s.connections, 2);
}

static void test_stale_keep_alive_is_retried_once(void **state)
{
    (void)state;
    /* The server answers with keep-alive, then drops the idle connection. */
    const step steps[] = {
        {"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1", 1},
        {"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n2", 0},
    };
    server s;
    start(&s, steps, 2);
    ldrt_http_client client;
    connect_client(&client, &s);
    ld_error error = {0};
    collected c = {0}, d = {0};
    assert_int_equal(get(&client, "/1", &c, &error), 200);
    usleep(50 * 1000); /* let the close arrive */
    assert_int_equal(get(&client, "/2", &d, &error), 200);
    assert_string_equal(d.body, "2");
    ldrt_http_client_close(&client);
    stop(&s);
    assert_int_equal(s.connections, 2);
}

static void expect_failure(const char *reply, const char *message_part)
{
    const step steps[] = {{reply, 1}};
    server s;
    start(&s, steps, 1);
    ldrt_http_client client;
    connect_client(&client, &s);
    ld_error error = {0};
    collected c = {0};
    assert_int_equal(get(&client, "/x", &c, &error), -1);
    if (strstr(error.message, message_part) == NULL)
        fail_msg("error '%s' does not say '%s'", error.message, message_part);
    assert_non_null(strstr(error.message, "GET http://127.0.0.1:"));
    ldrt_http_client_close(&client);
    stop(&s);
}

static void test_malformed_answers_fail_with_a_clear_error(void **state)
{
    (void)state;
    expect_failure("SPDY/3 200 OK\r\n\r\n", "malformed status line 'SPDY/3 200 OK'");
    expect_failure("HTTP/1.1 200 OK\r\nContent-Length: -4\r\n\r\n", "malformed Content-Length");
    expect_failure("HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n", "malformed header line");
    expect_failure("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                   "malformed chunk size line 'zz'");
    expect_failure("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
                   "closed the connection in the middle of the response body");
    expect_failure("", "closed the connection before answering");
}

static void test_refused_body_and_unreachable_server(void **state)
{
    (void)state;
    const step steps[] = {{"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789", 0}};
    server s;
    start(&s, steps, 1);
    ldrt_http_client client;
    connect_client(&client, &s);
    ld_error error = {0};
    collected c = {.refuse_after = 4};
    assert_int_equal(get(&client, "/big", &c, &error), -1);
    assert_int_equal(error.code, LD_ERR_LIMIT);
    assert_non_null(strstr(error.message, "the response body was refused after"));
    ldrt_http_client_close(&client);
    stop(&s);

    /* Nobody listens on the port any more. */
    connect_client(&client, &s);
    assert_int_equal(get(&client, "/gone", &c, &error), -1);
    assert_non_null(strstr(error.message, "cannot connect to 127.0.0.1:"));
    ldrt_http_client_close(&client);
}

static void test_bad_addresses_are_refused(void **state)
{
    (void)state;
    ldrt_http_client client;
    ld_error error = {0};
    const char *bad[] = {"localhost", "127.0.0.1:", ":9001", "127.0.0.1:90x1", "[]:80"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(ldrt_http_client_init(&client, bad[i], &error), LD_ERR_INVALID);
        assert_non_null(strstr(error.message, "'"));
    }
    assert_int_equal(ldrt_http_client_init(&client, "[::1]:9001", &error), LD_OK);
    assert_string_equal(client.host, "::1");
    ldrt_http_client_close(&client);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_content_length_keep_alive_and_post),
        cmocka_unit_test(test_chunked_interim_and_read_to_close),
        cmocka_unit_test(test_stale_keep_alive_is_retried_once),
        cmocka_unit_test(test_malformed_answers_fail_with_a_clear_error),
        cmocka_unit_test(test_refused_body_and_unreachable_server),
        cmocka_unit_test(test_bad_addresses_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
