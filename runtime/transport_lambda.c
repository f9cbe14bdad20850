/*
 * transport_lambda.c - the AWS Lambda Runtime API loop (custom runtime `bootstrap`):
 * GET .../invocation/next, serve, POST .../invocation/{id}/response, over the minimal
 * HTTP/1.1 client of http1_client.h (no libcurl: see there why).
 *
 * Failures are reported where Lambda expects them: initialisation failures to
 * /runtime/init/error; runtime failures (out of memory, an over-large response) to
 * /invocation/{id}/error; a handler that crashes the process (SIGSEGV, SIGABRT, ...) is
 * reported to /invocation/{id}/error from the signal handler, with a request prepared
 * before the handler ran and sent with async-signal-safe calls only, then the signal is
 * re-raised so Lambda sees the process die; a handler that calls exit() is reported from
 * an on_exit() hook the same way. Bad requests are not runtime failures: they answer the
 * 500 envelope as the invocation's result, as the official Python function does.
 *
 * The Runtime API's answers are followed as AWS documents them: HTTP 500 from any call
 * is a "non-recoverable state: the runtime should exit promptly", so the loop exits at
 * once instead of retrying; 400/403 to a response or error POST (the invocation timed
 * out, or was answered already) are logged and the loop goes on; 413 turns the response
 * into an invocation error. Only a connection that fails or closes without an answer is
 * retried. An event larger than Lambda's 6 MB payload limit is drained and answered with
 * an invocation error naming the limit, never dropped.
 *
 * SPDX-License-Identifier: MIT
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <letsdata/log.h>

#include "http1_client.h"
#include "runtime_internal.h"
#include "transport.h"

#define API_VERSION "/2018-06-01"

/* How often and how patiently a Runtime API call is retried. */
typedef struct retry_policy {
    unsigned attempts;
    unsigned delay_ms; /* before the second attempt; doubled for each later one */
} retry_policy;

#define RETRY_POLICY_DEFAULT { 6, 100 }

static retry_policy make_policy(const ldrt_lambda_options *options)
{
    retry_policy policy = RETRY_POLICY_DEFAULT;
    if (options->max_attempts > 0)
        policy.attempts = options->max_attempts;
    if (options->retry_delay_ms > 0)
        policy.delay_ms = options->retry_delay_ms;
    return policy;
}

/* Prefix the last attempt's error so that the final message says retrying is over. */
static void give_up(ld_error *error, const retry_policy *policy)
{
    char last[sizeof error->message];
    memcpy(last, error->message, sizeof last);
    ld_error_set(error, LD_ERR_IO, "giving up on the Lambda Runtime API after %u attempts: %s",
                 policy->attempts, last);
}

static void backoff(const retry_policy *policy, unsigned attempt)
{
    unsigned shift = attempt > 10 ? 10 : attempt - 1;
    long ms = (long)policy->delay_ms << shift;
    struct timespec pause = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&pause, &pause) != 0 && errno == EINTR)
        ;
}

/* ---- HTTP helpers ---- */

typedef struct invocation {
    ldrt_buf body;
    size_t body_bytes; /* as received, also past the limit */
    int too_large;     /* over LDRT_MAX_PAYLOAD_BYTES: the body was drained, not kept */
    char request_id[256];
    char trace_id[512];
    int64_t deadline_ms;
} invocation;

static void copy_header_value(char *out, size_t size, const char *value, size_t length)
{
    while (length > 0 && (value[length - 1] == '\r' || value[length - 1] == '\n' ||
                          value[length - 1] == ' '))
        length--;
    while (length > 0 && *value == ' ') {
        value++;
        length--;
    }
    if (length >= size)
        length = size - 1;
    memcpy(out, value, length);
    out[length] = '\0';
}

static void on_header(const char *data, size_t name_length, const char *value,
                      size_t value_length, void *user)
{
    invocation *inv = user;
#define HEADER_IS(name) (name_length == strlen(name) && strncasecmp(data, name, name_length) == 0)
    if (HEADER_IS("Lambda-Runtime-Aws-Request-Id")) {
        copy_header_value(inv->request_id, sizeof inv->request_id, value, value_length);
    } else if (HEADER_IS("Lambda-Runtime-Trace-Id")) {
        copy_header_value(inv->trace_id, sizeof inv->trace_id, value, value_length);
    } else if (HEADER_IS("Lambda-Runtime-Deadline-Ms")) {
        char text[32];
        copy_header_value(text, sizeof text, value, value_length);
        inv->deadline_ms = strtoll(text, NULL, 10);
    }
#undef HEADER_IS
}

static int on_body(const char *data, size_t length, void *user)
{
    invocation *inv = user;
    inv->body_bytes += length;
    /* Past Lambda's payload limit, keep reading (so the event can be answered with an
     * error naming the limit) but keep nothing: memory stays bounded. */
    if (inv->body_bytes > LDRT_MAX_PAYLOAD_BYTES) {
        inv->too_large = 1;
        ldrt_buf_free(&inv->body);
        return 0;
    }
    ldrt_buf_append(&inv->body, data, length);
    return inv->body.oom;
}

/* The path of an "http://host:port/path" URL built by this file. */
static const char *url_path(const char *url)
{
    const char *path = strchr(url + strlen("http://"), '/');
    return path != NULL ? path : "/";
}

/*
 * POST @p body to @p url, retrying only connections that fail or close without an answer
 * (an HTTP answer, whatever its status, is the Runtime API's word and is returned).
 * @return the HTTP status, or -1 with @p error set.
 */
static long post(ldrt_http_client *http, const retry_policy *policy, const char *url,
                 const char *body, size_t length, const char *const *headers, ld_error *error)
{
    long code = -1;
    for (unsigned attempt = 1; attempt <= policy->attempts; attempt++) {
        code = ldrt_http_client_request(http, "POST", url_path(url), headers, body, length,
                                        NULL, error);
        if (code >= 0) {
            if (code >= 500)
                ld_error_set(error, LD_ERR_IO,
                             "POST %s answered HTTP %ld: the Lambda Runtime API reports a "
                             "non-recoverable state; the runtime exits",
                             url, code);
            return code;
        }
        LD_WARN(NULL, "%s (attempt %u of %u)", error->message, attempt, policy->attempts);
        if (attempt < policy->attempts)
            backoff(policy, attempt);
    }
    give_up(error, policy);
    return -1;
}

/* The id goes into URLs and into the crash report's request line: letters, digits and
 * "-_.:" only (Lambda's are UUIDs), so that a broken endpoint cannot inject headers. */
static int usable_request_id(const char *id)
{
    if (*id == '\0')
        return 0;
    for (; *id; id++) {
        unsigned char c = (unsigned char)*id;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == ':'))
            return 0;
    }
    return 1;
}

static int next_invocation(ldrt_http_client *http, const retry_policy *policy, const char *api,
                           invocation *inv, ld_error *error)
{
    char url[512];
    snprintf(url, sizeof url, "http://%s" API_VERSION "/runtime/invocation/next", api);
    for (unsigned attempt = 1; attempt <= policy->attempts; attempt++) {
        ldrt_buf_free(&inv->body);
        inv->body_bytes = 0;
        inv->too_large = 0;
        inv->request_id[0] = inv->trace_id[0] = '\0';
        inv->deadline_ms = 0;
        /* No overall timeout: /next long-polls until an event arrives. */
        const ldrt_http_sink sink = {on_header, on_body, inv};
        long code = ldrt_http_client_request(http, "GET", url_path(url), NULL, NULL, 0, &sink,
                                             error);
        if (code >= 0) {
            if (code == 200 && usable_request_id(inv->request_id))
                return LD_OK;
            if (code != 200) {
                /* 403 and 500 are documented as non-recoverable: exit promptly. */
                ld_error_set(error, LD_ERR_IO,
                             "GET %s answered HTTP %ld: the Lambda Runtime API reports a "
                             "non-recoverable state; the runtime exits",
                             url, code);
                return LD_ERR_IO;
            }
            ld_error_set(error, LD_ERR_IO,
                         "GET %s answered without a usable Lambda-Runtime-Aws-Request-Id "
                         "header ('%s')",
                         url, inv->request_id);
        }
        LD_WARN(NULL, "%s (attempt %u of %u)", error->message, attempt, policy->attempts);
        if (attempt < policy->attempts)
            backoff(policy, attempt);
    }
    give_up(error, policy);
    return LD_ERR_IO;
}

/* {"errorMessage": m, "errorType": t, "stackTrace": []} as Lambda's error endpoints want. */
static void error_document(ldrt_buf *buf, const char *type, const char *message)
{
    ldrt_buf_puts(buf, "{\"errorMessage\":");
    ldrt_json_write_string(buf, message, strlen(message));
    ldrt_buf_puts(buf, ",\"errorType\":");
    ldrt_json_write_string(buf, type, strlen(type));
    ldrt_buf_puts(buf, ",\"stackTrace\":[]}");
}

/* @return the HTTP status of the error POST, or -1 with @p error set. */
static long post_error(ldrt_http_client *http, const retry_policy *policy, const char *url,
                       const char *type, const char *message, ld_error *error)
{
    ldrt_buf body = LDRT_BUF_INIT;
    error_document(&body, type, message);
    char header[256];
    snprintf(header, sizeof header, "Lambda-Runtime-Function-Error-Type: %s", type);
    const char *headers[] = {header, "Content-Type: application/json", NULL};
    long code = -1;
    if (!body.oom)
        code = post(http, policy, url, body.data, body.length, headers, error);
    else
        ld_error_set(error, LD_ERR_NOMEM, "out of memory reporting an error");
    ldrt_buf_free(&body);
    return code;
}

int ldrt_lambda_report_init_error(const char *runtime_api, const char *error_type,
                                  const char *message)
{
    if (runtime_api == NULL || *runtime_api == '\0')
        return LD_ERR_INVALID;
    ld_error error = {0};
    ldrt_http_client http;
    if (ldrt_http_client_init(&http, runtime_api, &error) != LD_OK) {
        LD_ERROR(NULL, "cannot report the init error: %s", error.message);
        return LD_ERR_INVALID;
    }
    char url[512];
    snprintf(url, sizeof url, "http://%s" API_VERSION "/runtime/init/error", runtime_api);
    retry_policy policy = RETRY_POLICY_DEFAULT;
    long code = post_error(&http, &policy, url, error_type, message, &error);
    int rc = code >= 200 && code < 300 ? LD_OK : LD_ERR_IO;
    if (rc != LD_OK && code > 0 && code < 500)
        ld_error_set(&error, LD_ERR_IO, "POST %s answered HTTP %ld", url, code);
    if (rc != LD_OK)
        LD_ERROR(NULL, "cannot report the init error: %s", error.message);
    ldrt_http_client_close(&http);
    return rc;
}

/* ---- crash reporting from signal handlers ---- */

/* Prepared before each invocation; read by the signal handler. */
static struct {
    struct sockaddr_storage address;
    socklen_t address_length;
    char request_head[1024]; /* request line + the headers every error report has */
    volatile sig_atomic_t armed;
} crash;

static int resolve_api(const char *api)
{
    char host[256];
    const char *colon = strrchr(api, ':');
    if (colon == NULL || (size_t)(colon - api) >= sizeof host)
        return -1;
    memcpy(host, api, (size_t)(colon - api));
    host[colon - api] = '\0';
    struct addrinfo hints, *found = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, colon + 1, &hints, &found) != 0 || found == NULL)
        return -1;
    memcpy(&crash.address, found->ai_addr, found->ai_addrlen);
    crash.address_length = found->ai_addrlen;
    freeaddrinfo(found);
    return 0;
}

static size_t append_text(char *out, size_t used, size_t size, const char *text)
{
    while (*text && used + 1 < size)
        out[used++] = *text++;
    return used;
}

static size_t append_number(char *out, size_t used, size_t size, unsigned long value)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + value % 10);
        value /= 10;
    } while (value && n < (int)sizeof digits);
    while (n > 0 && used + 1 < size)
        out[used++] = digits[--n];
    return used;
}

static const char *signal_name(int sig)
{
    switch (sig) {
    case SIGSEGV: return "SIGSEGV (segmentation fault)";
    case SIGABRT: return "SIGABRT (abort)";
    case SIGBUS: return "SIGBUS (bus error)";
    case SIGFPE: return "SIGFPE (arithmetic exception)";
    case SIGILL: return "SIGILL (illegal instruction)";
    default: return "a fatal signal";
    }
}

/* POST the armed invocation's error with async-signal-safe calls only. @p message must
 * need no JSON escaping. */
static void send_armed_report(const char *type, const char *message, const char *detail)
{
    if (!crash.armed)
        return;
    crash.armed = 0;
    char body[512];
    size_t b = 0;
    b = append_text(body, b, sizeof body, "{\"errorMessage\":\"");
    b = append_text(body, b, sizeof body, message);
    b = append_text(body, b, sizeof body, detail);
    b = append_text(body, b, sizeof body, "\",\"errorType\":\"");
    b = append_text(body, b, sizeof body, type);
    b = append_text(body, b, sizeof body, "\",\"stackTrace\":[]}");
    char request[2048];
    size_t r = append_text(request, 0, sizeof request, crash.request_head);
    r = append_text(request, r, sizeof request, "Lambda-Runtime-Function-Error-Type: ");
    r = append_text(request, r, sizeof request, type);
    r = append_text(request, r, sizeof request, "\r\nContent-Length: ");
    r = append_number(request, r, sizeof request, (unsigned long)b);
    r = append_text(request, r, sizeof request, "\r\n\r\n");
    int fd = socket(crash.address.ss_family, SOCK_STREAM, 0);
    if (fd < 0)
        return;
    /* Lambda freezes or kills us anyway; never hang here on a mute endpoint. */
    struct timeval limit = {2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    if (connect(fd, (struct sockaddr *)&crash.address, crash.address_length) == 0) {
        ssize_t ignored = send(fd, request, r, MSG_NOSIGNAL);
        ignored = send(fd, body, b, MSG_NOSIGNAL);
        char reply[256];
        ignored = read(fd, reply, sizeof reply); /* wait for the API to take it */
        (void)ignored;
    }
    close(fd);
}

static void on_crash(int sig)
{
    send_armed_report("Runtime.HandlerCrashed", "the handler crashed: ", signal_name(sig));
    /* Die of the same signal, as Lambda expects from a crashed runtime. */
    signal(sig, SIG_DFL);
    raise(sig);
}

/* A handler that calls exit() ends the process with its invocation unanswered: report
 * it, with the status, before the process goes (Lambda then restarts the runtime). */
static void on_process_exit(int status, void *unused)
{
    (void)unused;
    char detail[48];
    size_t d = append_text(detail, 0, sizeof detail, "exit(");
    if (status < 0) {
        detail[d++] = '-';
        status = -status;
    }
    d = append_number(detail, d, sizeof detail, (unsigned long)status);
    d = append_text(detail, d, sizeof detail, ") during the invocation");
    detail[d] = '\0';
    send_armed_report("Runtime.ExitError", "the handler ended the process: ", detail);
}

static void install_crash_handlers(void)
{
    static char alternate_stack[64 * 1024];
    stack_t ss = {.ss_sp = alternate_stack, .ss_size = sizeof alternate_stack, .ss_flags = 0};
    sigaltstack(&ss, NULL); /* a stack overflow must still be reported */
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_crash;
    action.sa_flags = SA_ONSTACK | SA_RESETHAND;
    sigemptyset(&action.sa_mask);
    int signals[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++)
        sigaction(signals[i], &action, NULL);
}

static void arm_crash_report(const char *api, const char *request_id)
{
    snprintf(crash.request_head, sizeof crash.request_head,
             "POST " API_VERSION "/runtime/invocation/%s/error HTTP/1.1\r\n"
             "Host: %s\r\nConnection: close\r\nContent-Type: application/json\r\n",
             request_id, api);
    crash.armed = 1;
}

/* POST an invocation error to @p url. @return 0 when the runtime must exit (the Runtime
 * API answered 5xx or could not be reached; @p error says why), 1 to go on. */
static int report_invocation_error(ldrt_http_client *http, const retry_policy *policy, const char *url,
                                   const char *type, const char *message, ld_error *error)
{
    ld_error info = {0};
    long code = post_error(http, policy, url, type, message, &info);
    if (code >= 200 && code < 300)
        return 1;
    if (code >= 500 || code < 0) {
        *error = info;
        LD_ERROR(NULL, "cannot report the invocation error: %s", error->message);
        return 0;
    }
    LD_ERROR(NULL, "cannot report the invocation error: POST %s answered HTTP %ld", url, code);
    return 1;
}

/* ---- the loop ---- */

int ldrt_lambda_serve(const ld_registry *registry, const ldrt_lambda_options *options,
                      ld_error *error)
{
    const char *api = options != NULL ? options->runtime_api : NULL;
    if (api == NULL || *api == '\0') {
        ld_error_set(error, LD_ERR_INVALID, "AWS_LAMBDA_RUNTIME_API is not set");
        return 2;
    }
    ldrt_http_client http;
    if (ldrt_http_client_init(&http, api, error) != LD_OK)
        return 2;
    retry_policy policy = make_policy(options);
    int can_report_crashes = resolve_api(api) == 0;
    static int exit_hook_installed;
    if (can_report_crashes) {
        install_crash_handlers();
        if (!exit_hook_installed)
            exit_hook_installed = on_exit(on_process_exit, NULL) == 0;
    } else
        LD_WARN(NULL, "cannot resolve %s: handler crashes will not be reported", api);
    signal(SIGPIPE, SIG_IGN);

    const char *json_header[] = {"Content-Type: application/json", NULL};
    invocation inv;
    memset(&inv, 0, sizeof inv);
    unsigned served = 0;
    int status = 0;
    while (options->max_invocations == 0 || served < options->max_invocations) {
        if (next_invocation(&http, &policy, api, &inv, error) != LD_OK) {
            status = 1;
            break;
        }
        char url[768];
        snprintf(url, sizeof url, "http://%s" API_VERSION "/runtime/invocation/%s/error", api,
                 inv.request_id);
        ld_error post_error_info = {0};
        if (inv.too_large) {
            char message[256];
            snprintf(message, sizeof message,
                     "the event is %zu bytes; the runtime accepts at most %u bytes (Lambda's "
                     "6 MB invocation payload limit)",
                     inv.body_bytes, LDRT_MAX_PAYLOAD_BYTES);
            LD_ERROR(NULL, "invocation %s: %s", inv.request_id, message);
            if (!report_invocation_error(&http, &policy, url, "Runtime.RequestTooLarge", message,
                                         error)) {
                status = 1;
                break;
            }
            served++;
            continue;
        }
        if (inv.trace_id[0])
            setenv("_X_AMZN_TRACE_ID", inv.trace_id, 1);
        else
            unsetenv("_X_AMZN_TRACE_ID");

        ld_invoke_options invoke_options = LD_INVOKE_OPTIONS_INIT;
        invoke_options.deadline_ms = inv.deadline_ms;
        ld_response response = LD_RESPONSE_INIT;
        if (can_report_crashes)
            arm_crash_report(api, inv.request_id);
        int rc = ld_runtime_invoke(registry, inv.body.data ? inv.body.data : "",
                                   inv.body.length, &invoke_options, &response);
        crash.armed = 0;

        int keep_going = 1;
        if (rc != LD_OK || response.body_length > LDRT_MAX_PAYLOAD_BYTES) {
            char message[256];
            const char *type = rc != LD_OK ? "Runtime.OutOfMemory" : "Runtime.ResponseTooLarge";
            if (rc != LD_OK)
                snprintf(message, sizeof message, "the runtime ran out of memory");
            else
                snprintf(message, sizeof message,
                         "the response is %zu bytes; Lambda allows at most %u",
                         response.body_length, LDRT_MAX_PAYLOAD_BYTES);
            keep_going = report_invocation_error(&http, &policy, url, type, message, error);
        } else {
            char response_url[768];
            snprintf(response_url, sizeof response_url,
                     "http://%s" API_VERSION "/runtime/invocation/%s/response", api,
                     inv.request_id);
            long code = post(&http, &policy, response_url, response.body, response.body_length,
                             json_header, &post_error_info);
            if (code == 413) {
                char message[256];
                snprintf(message, sizeof message,
                         "the Runtime API refused the %zu-byte response as too large (HTTP 413)",
                         response.body_length);
                keep_going = report_invocation_error(&http, &policy, url,
                                                     "Runtime.ResponseTooLarge", message, error);
            } else if (code >= 500 || code < 0) {
                *error = post_error_info;
                LD_ERROR(NULL, "cannot deliver the response: %s", error->message);
                keep_going = 0;
            } else if (code < 200 || code >= 300) {
                /* 400/403: this invocation is over for the Runtime API (it timed out or
                 * was answered already); the next one is not affected. */
                LD_ERROR(NULL, "cannot deliver the response: POST %s answered HTTP %ld",
                         response_url, code);
            }
        }
        ld_response_clear(&response);
        served++;
        if (!keep_going) {
            status = 1;
            break;
        }
    }
    ldrt_buf_free(&inv.body);
    ldrt_http_client_close(&http);
    return status;
}
