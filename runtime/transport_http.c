/*
 * transport_http.c - the local HTTP endpoint (libmicrohttpd), serving
 * POST /2015-03-31/functions/function/invocations like the AWS Lambda runtime interface
 * emulator, so the official packages' curl smoke tests work unchanged.
 *
 * HTTP status: 200 with the envelope as the body, whatever the envelope's StatusCode, as
 * the emulator answers a function's return value. Requests the endpoint itself refuses
 * get 404 (path), 405 (method) or 413 (size) with an EXCEPTION envelope saying why.
 *
 * SPDX-License-Identifier: MIT
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "isolate.h"
#include "runtime_internal.h"
#include "transport.h"

struct ldrt_http_server {
    struct MHD_Daemon *daemon;
    const ld_registry *registry;
    ldrt_http_options options;
    uint16_t port;
    /* Requests accepted and not yet completed; stop waits for these, not for idle
     * keep-alive connections. */
    atomic_uint in_flight;
    int listen_fd; /* with --isolate: closed in every forked child */
};

/* Per-request upload state (MHD's con_cls). */
typedef struct upload {
    ldrt_buf body;
    size_t received;  /* may exceed body.length once over the limit */
    int too_large;
} upload;

static enum MHD_Result send_body(struct MHD_Connection *connection, unsigned status,
                                 char *body, size_t length, const char *allow)
{
    struct MHD_Response *response =
        MHD_create_response_from_buffer(length, body, MHD_RESPMEM_MUST_FREE);
    if (response == NULL) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    if (allow != NULL)
        MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, allow);
    enum MHD_Result result = MHD_queue_response(connection, status, response);
    MHD_destroy_response(response);
    return result;
}

static enum MHD_Result send_error(struct MHD_Connection *connection, unsigned status,
                                  const char *allow, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

static enum MHD_Result send_error(struct MHD_Connection *connection, unsigned status,
                                  const char *allow, const char *format, ...)
{
    ldrt_failure failure = {0};
    va_list ap;
    va_start(ap, format);
    vsnprintf(failure.message, sizeof failure.message, format, ap);
    va_end(ap);
    failure.type = status == MHD_HTTP_CONTENT_TOO_LARGE ? "RequestTooLarge" : "InvalidRequest";
    ldrt_buf buf = LDRT_BUF_INIT;
    ldrt_envelope_exception(&buf, &failure);
    if (buf.oom) {
        ldrt_buf_free(&buf);
        return MHD_NO;
    }
    return send_body(connection, status, buf.data, buf.length, allow);
}

static enum MHD_Result send_too_large(struct MHD_Connection *connection,
                                      const ldrt_http_server *server)
{
    return send_error(connection, MHD_HTTP_CONTENT_TOO_LARGE, NULL,
                      "the request body is larger than the limit of %zu bytes (Lambda "
                      "accepts at most 6 MB; see --max-request-bytes)",
                      server->options.max_request_bytes);
}

static enum MHD_Result serve_invocation(ldrt_http_server *server,
                                        struct MHD_Connection *connection, upload *up)
{
    ld_response response = LD_RESPONSE_INIT;
    const char *body = up->body.data != NULL ? up->body.data : "";
    if (server->options.isolate) {
        /* With a time limit, handlers see it as their deadline, as on Lambda. */
        ld_invoke_options options = LD_INVOKE_OPTIONS_INIT;
        if (server->options.timeout_ms > 0) {
            struct timespec now;
            clock_gettime(CLOCK_REALTIME, &now);
            options.deadline_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000 +
                                  server->options.timeout_ms;
        }
        ldrt_invoke_isolated(server->registry, body, up->body.length, &options,
                             server->options.timeout_ms, &response, NULL, 0);
    } else if (ld_runtime_invoke(server->registry, body, up->body.length, NULL, &response) !=
               LD_OK) {
        return send_error(connection, MHD_HTTP_INTERNAL_SERVER_ERROR, NULL,
                          "out of memory building the response");
    }
    if (response.body == NULL)
        return send_error(connection, MHD_HTTP_INTERNAL_SERVER_ERROR, NULL,
                          "out of memory building the response");
    /* The response owns the body now (MHD_RESPMEM_MUST_FREE). */
    return send_body(connection, MHD_HTTP_OK, response.body, response.body_length, NULL);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection,
                                  const char *url, const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)version;
    ldrt_http_server *server = cls;
    upload *up = *con_cls;
    if (up == NULL) {
        /* First call: headers only. Refuse early what can be refused early. */
        if (strcmp(url, LDRT_HTTP_INVOKE_PATH) != 0)
            return send_error(connection, MHD_HTTP_NOT_FOUND, NULL,
                              "no such path '%s': invocations are POSTed to %s", url,
                              LDRT_HTTP_INVOKE_PATH);
        if (strcmp(method, MHD_HTTP_METHOD_POST) != 0)
            return send_error(connection, MHD_HTTP_METHOD_NOT_ALLOWED, "POST",
                              "method %s is not allowed: invocations are POSTed", method);
        const char *declared =
            MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Content-Length");
        if (declared != NULL && strtoull(declared, NULL, 10) > server->options.max_request_bytes)
            return send_too_large(connection, server);
        up = calloc(1, sizeof *up);
        if (up == NULL)
            return MHD_NO;
        *con_cls = up;
        atomic_fetch_add(&server->in_flight, 1);
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        up->received += *upload_data_size;
        if (up->received > server->options.max_request_bytes)
            up->too_large = 1;
        if (!up->too_large)
            ldrt_buf_append(&up->body, upload_data, *upload_data_size);
        *upload_data_size = 0; /* consumed (or discarded when too large) */
        return MHD_YES;
    }
    if (up->too_large)
        return send_too_large(connection, server);
    if (up->body.oom)
        return send_error(connection, MHD_HTTP_INTERNAL_SERVER_ERROR, NULL,
                          "out of memory reading the request body");
    return serve_invocation(server, connection, up);
}

static void on_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                         enum MHD_RequestTerminationCode code)
{
    ldrt_http_server *server = cls;
    (void)connection;
    (void)code;
    upload *up = *con_cls;
    if (up != NULL) {
        atomic_fetch_sub(&server->in_flight, 1);
        ldrt_buf_free(&up->body);
        free(up);
        *con_cls = NULL;
    }
}

int ldrt_http_start(const ld_registry *registry, const ldrt_http_options *options,
                    ldrt_http_server **out, ld_error *error)
{
    *out = NULL;
    ldrt_http_options defaults = LDRT_HTTP_OPTIONS_INIT;
    if (options == NULL)
        options = &defaults;
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons(options->port);
    const char *host = options->host != NULL ? options->host : "127.0.0.1";
    if (strcmp(host, "localhost") == 0)
        host = "127.0.0.1";
    if (inet_pton(AF_INET, host, &address.sin_addr) != 1)
        return ld_error_set(error, LD_ERR_INVALID,
                            "--host '%s' is not an IPv4 address (e.g. 127.0.0.1)", host);

    ldrt_http_server *server = calloc(1, sizeof *server);
    if (server == NULL)
        return ld_error_set(error, LD_ERR_NOMEM, "out of memory");
    server->registry = registry;
    server->options = *options;
    if (server->options.max_request_bytes == 0)
        server->options.max_request_bytes = LDRT_MAX_PAYLOAD_BYTES;
    unsigned threads = server->options.threads ? server->options.threads : 1;

    server->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC, 0, NULL, NULL, on_request, server,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&address, MHD_OPTION_THREAD_POOL_SIZE,
        threads, MHD_OPTION_NOTIFY_COMPLETED, on_completed, server,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120, MHD_OPTION_END);
    if (server->daemon == NULL) {
        int saved = errno;
        free(server);
        return ld_error_set(error, LD_ERR_IO, "cannot listen on %s:%u: %s", host,
                            (unsigned)options->port,
                            saved ? strerror(saved) : "libmicrohttpd could not start");
    }
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(server->daemon, MHD_DAEMON_INFO_BIND_PORT);
    server->port = info != NULL ? info->port : options->port;
    if (server->options.isolate) {
        const union MHD_DaemonInfo *listen_info =
            MHD_get_daemon_info(server->daemon, MHD_DAEMON_INFO_LISTEN_FD);
        server->listen_fd = listen_info != NULL ? listen_info->listen_fd : -1;
        ldrt_isolate_close_in_children(server->listen_fd);
    } else {
        server->listen_fd = -1;
    }
    *out = server;
    return LD_OK;
}

uint16_t ldrt_http_port(const ldrt_http_server *server)
{
    return server->port;
}

void ldrt_http_stop(ldrt_http_server *server)
{
    if (server == NULL)
        return;
    /* Stop accepting, then give requests in flight up to 30 s to be answered before
     * closing; idle keep-alive connections are simply closed. */
    if (server->listen_fd >= 0)
        ldrt_isolate_forget(server->listen_fd);
    MHD_socket listener = MHD_quiesce_daemon(server->daemon);
    for (int waited = 0; waited < 3000 && atomic_load(&server->in_flight) > 0; waited++) {
        struct timespec pause = {0, 10 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    MHD_stop_daemon(server->daemon);
    if (listener != MHD_INVALID_SOCKET)
        close(listener); /* quiescing handed the listening socket over to us */
    free(server);
}

int ldrt_http_serve(const ld_registry *registry, const ldrt_http_options *options,
                    ld_error *error)
{
    /* Block the stop signals before MHD starts its threads (they inherit the mask), so
     * only sigwait() below sees them. */
    sigset_t stop, previous;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, &previous);
    /* A client that disconnects must not kill the server. */
    signal(SIGPIPE, SIG_IGN);

    ldrt_http_server *server = NULL;
    if (ldrt_http_start(registry, options, &server, error) != LD_OK) {
        pthread_sigmask(SIG_SETMASK, &previous, NULL);
        return 1;
    }
    if (options == NULL || !options->quiet) {
        fprintf(stderr, "letsdata-runtime: listening on http://%s:%u%s\n",
                options && options->host ? options->host : "127.0.0.1",
                (unsigned)ldrt_http_port(server), LDRT_HTTP_INVOKE_PATH);
    }
    int sig = 0;
    while (sigwait(&stop, &sig) != 0)
        ;
    if (options == NULL || !options->quiet)
        fprintf(stderr, "letsdata-runtime: %s received, shutting down\n",
                sig == SIGINT ? "SIGINT" : "SIGTERM");
    ldrt_http_stop(server);
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    return 0;
}
