/*
 * test_transport_lambda.c - the AWS Lambda Runtime API loop (runtime/transport_lambda.c)
 * against a Runtime API served on 127.0.0.1 by this test with libmicrohttpd: queued
 * invocations, recorded responses and errors, header propagation, init and invocation
 * error reporting, crash reporting, and an endpoint that fails or closes connections.
 *
 * SPDX-License-Identifier: MIT
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <microhttpd.h>

#include <letsdata/letsdata.h>

#include "transport.h"
#include "vectors.h"

/* ---- the loopback Runtime API ---- */

typedef struct event {
    const char *body; /* borrowed */
    size_t length;
    char request_id[64];
    char deadline[32];  /* "" : no header */
    char trace[128];    /* "" : no header */
} event;

typedef struct record {
    char path[256];
    char error_type[128];
    char *body;
    size_t length;
} record;

typedef struct api {
    struct MHD_Daemon *daemon;
    char address[64]; /* host:port for AWS_LAMBDA_RUNTIME_API */
    pthread_mutex_t lock;
    event *events;
    size_t event_count, next_event;
    record *records;
    size_t record_count, record_capacity;
    unsigned next_requests;     /* GET /next received */
    unsigned fail_next;         /* answer this many GET /next with HTTP 500 */
    unsigned close_next;        /* close this many GET /next without answering */
    unsigned truncate_next;     /* send half of this many events, then close */
    int close_always;           /* close every connection without answering */
    unsigned fail_posts;        /* answer this many POSTs with post_status (default 500) */
    unsigned post_status;
    unsigned close_posts;       /* close this many POSTs without answering */
} api;

typedef struct upload {
    char *data;
    size_t length;
} upload;

static enum MHD_Result answer(struct MHD_Connection *connection, unsigned status,
                              const char *text)
{
    struct MHD_Response *response =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(response, "Content-Type", "application/json");
    enum MHD_Result result = MHD_queue_response(connection, status, response);
    MHD_destroy_response(response);
    return result;
}

static enum MHD_Result answer_event(struct MHD_Connection *connection, const event *ev)
{
    struct MHD_Response *response = MHD_create_response_from_buffer(
        ev->length, (void *)ev->body, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(response, "Lambda-Runtime-Aws-Request-Id", ev->request_id);
    if (ev->deadline[0])
        MHD_add_response_header(response, "Lambda-Runtime-Deadline-Ms", ev->deadline);
    if (ev->trace[0])
        MHD_add_response_header(response, "Lambda-Runtime-Trace-Id", ev->trace);
    MHD_add_response_header(response, "Lambda-Runtime-Invoked-Function-Arn",
                            "arn:aws:lambda:us-east-1:123456789012:function:test");
    enum MHD_Result result = MHD_queue_response(connection, 200, response);
    MHD_destroy_response(response);
    return result;
}

/* Half of the event's body, then the connection breaks (a Content-Length it never meets). */
static ssize_t half_body(void *cls, uint64_t pos, char *buf, size_t max)
{
    const event *ev = cls;
    size_t half = ev->length / 2;
    if (pos >= half)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    size_t n = half - (size_t)pos < max ? half - (size_t)pos : max;
    memcpy(buf, ev->body + pos, n);
    return (ssize_t)n;
}

static enum MHD_Result answer_truncated(struct MHD_Connection *connection, const event *ev)
{
    struct MHD_Response *response =
        MHD_create_response_from_callback(ev->length, 4096, half_body, (void *)ev, NULL);
    MHD_add_response_header(response, "Lambda-Runtime-Aws-Request-Id", ev->request_id);
    enum MHD_Result result = MHD_queue_response(connection, 200, response);
    MHD_destroy_response(response);
    return result;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection,
                                  const char *url, const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)version;
    api *a = cls;
    if (a->close_always)
        return MHD_NO;
    if (strcmp(method, "GET") == 0) {
        if (strcmp(url, "/2018-06-01/runtime/invocation/next") != 0)
            return answer(connection, 404, "{\"errorMessage\":\"no such path\"}");
        pthread_mutex_lock(&a->lock);
        a->next_requests++;
        enum MHD_Result result;
        if (a->close_next > 0) {
            a->close_next--;
            result = MHD_NO;
        } else if (a->fail_next > 0) {
            a->fail_next--;
            result = answer(connection, 500, "{\"errorMessage\":\"container error\"}");
        } else if (a->truncate_next > 0 && a->next_event < a->event_count) {
            a->truncate_next--;
            result = answer_truncated(connection, &a->events[a->next_event]);
        } else if (a->next_event < a->event_count) {
            result = answer_event(connection, &a->events[a->next_event++]);
        } else {
            result = answer(connection, 410, "{\"errorMessage\":\"no more events\"}");
        }
        pthread_mutex_unlock(&a->lock);
        return result;
    }
    upload *up = *con_cls;
    if (up == NULL) {
        up = calloc(1, sizeof *up);
        *con_cls = up;
        return up != NULL ? MHD_YES : MHD_NO;
    }
    if (*upload_data_size > 0) {
        char *grown = realloc(up->data, up->length + *upload_data_size + 1);
        if (grown == NULL)
            return MHD_NO;
        memcpy(grown + up->length, upload_data, *upload_data_size);
        up->length += *upload_data_size;
        grown[up->length] = '\0';
        up->data = grown;
        *upload_data_size = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&a->lock);
    if (a->close_posts > 0) {
        a->close_posts--;
        pthread_mutex_unlock(&a->lock);
        return MHD_NO;
    }
    if (a->fail_posts > 0) {
        a->fail_posts--;
        unsigned status = a->post_status ? a->post_status : 500;
        pthread_mutex_unlock(&a->lock);
        return answer(connection, status, "{\"errorMessage\":\"refused\"}");
    }
    if (a->record_count == a->record_capacity) {
        a->record_capacity = a->record_capacity ? a->record_capacity * 2 : 16;
        a->records = realloc(a->records, a->record_capacity * sizeof *a->records);
    }
    record *r = &a->records[a->record_count++];
    memset(r, 0, sizeof *r);
    snprintf(r->path, sizeof r->path, "%s", url);
    const char *type =
        MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Lambda-Runtime-Function-Error-Type");
    snprintf(r->error_type, sizeof r->error_type, "%s", type ? type : "");
    r->body = up->data != NULL ? up->data : strdup("");
    r->length = up->length;
    up->data = NULL;
    pthread_mutex_unlock(&a->lock);
    return answer(connection, 202, "{\"status\":\"OK\"}");
}

static void on_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                         enum MHD_RequestTerminationCode code)
{
    (void)cls;
    (void)connection;
    (void)code;
    upload *up = *con_cls;
    if (up != NULL) {
        free(up->data);
        free(up);
        *con_cls = NULL;
    }
}

static api *api_start(void)
{
    api *a = calloc(1, sizeof *a);
    assert_non_null(a);
    pthread_mutex_init(&a->lock, NULL);
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION,
                                 0, NULL, NULL, on_request, a, MHD_OPTION_SOCK_ADDR,
                                 (struct sockaddr *)&address, MHD_OPTION_NOTIFY_COMPLETED,
                                 on_completed, a, MHD_OPTION_END);
    assert_non_null(a->daemon);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(a->daemon, MHD_DAEMON_INFO_BIND_PORT);
    snprintf(a->address, sizeof a->address, "127.0.0.1:%u", (unsigned)info->port);
    return a;
}

static void api_stop(api *a)
{
    MHD_stop_daemon(a->daemon);
    for (size_t i = 0; i < a->record_count; i++)
        free(a->records[i].body);
    free(a->records);
    free(a->events);
    pthread_mutex_destroy(&a->lock);
    free(a);
}

static event *api_queue(api *a, const char *body, size_t length, const char *request_id)
{
    a->events = realloc(a->events, (a->event_count + 1) * sizeof *a->events);
    assert_non_null(a->events);
    event *ev = &a->events[a->event_count++];
    memset(ev, 0, sizeof *ev);
    ev->body = body;
    ev->length = length;
    snprintf(ev->request_id, sizeof ev->request_id, "%s", request_id);
    return ev;
}

/* ---- handlers ---- */

/* getS3FileType: what the runtime passed on, so the test can see it. */
static int echo_file_type(ld_context *ctx, void *payload, char **out)
{
    (void)payload;
    const char *trace = getenv("_X_AMZN_TRACE_ID");
    char text[512];
    snprintf(text, sizeof text, "deadline=%lld;trace=%s",
             (long long)ld_context_deadline_ms(ctx), trace ? trace : "(unset)");
    *out = strdup(text);
    return *out != NULL ? LD_OK : ld_context_fail(ctx, "OutOfMemory", "strdup");
}

/* getResolvedS3FileName: an answer larger than Lambda lets a function return. */
static int huge_name(ld_context *ctx, void *payload, const char *type, const char *name,
                     char **out)
{
    (void)payload;
    (void)type;
    (void)name;
    size_t size = LDRT_MAX_PAYLOAD_BYTES + 100;
    *out = malloc(size + 1);
    if (*out == NULL)
        return ld_context_fail(ctx, "OutOfMemory", "malloc");
    memset(*out, 'a', size);
    (*out)[size] = '\0';
    return LD_OK;
}

static int crash_pattern(ld_context *ctx, void *payload, const char *type,
                         ld_record_parse_hint *hint)
{
    (void)ctx;
    (void)payload;
    if (strcmp(type, "segv") == 0)
        raise(SIGSEGV);
    if (strcmp(type, "abort") == 0)
        abort();
    if (strcmp(type, "exit") == 0)
        exit(3);
    return ld_record_parse_hint_set_pattern(hint, "WARC/1.0");
}

static const ld_single_file_parser test_parser = {
    .version = LD_SINGLE_FILE_PARSER_VERSION,
    .get_s3_file_type = echo_file_type,
    .get_resolved_s3_file_name = huge_name,
    .get_record_start_pattern = crash_pattern,
};

static ld_registry *test_registry(void)
{
    ld_registry *registry = ld_registry_new();
    assert_non_null(registry);
    assert_int_equal(ld_registry_set_single_file_parser(registry, &test_parser), LD_OK);
    return registry;
}

static char *request_text(const char *function, const char *data_json)
{
    char *text = NULL;
    int n = asprintf(&text,
                     "{\"requestId\":\"r\",\"interface\":\"SingleFileParser\",\"function\":"
                     "\"%s\",\"letsdataAuth\":{\"tenantId\":\"t\",\"userId\":\"u\","
                     "\"datasetName\":\"d\",\"datasetId\":\"i\"},\"data\":%s}",
                     function, data_json);
    assert_true(n > 0);
    return text;
}

static ldrt_lambda_options fast_options(const api *a, unsigned invocations)
{
    ldrt_lambda_options options = LDRT_LAMBDA_OPTIONS_INIT;
    options.runtime_api = a->address;
    options.max_invocations = invocations;
    options.max_attempts = 3;
    options.retry_delay_ms = 10;
    return options;
}

static json_t *record_json(const record *r)
{
    json_error_t error;
    json_t *value = json_loadb(r->body, r->length, 0, &error);
    if (value == NULL)
        fail_msg("%s: body is not JSON (%s)", r->path, error.text);
    return value;
}

static const char *data_string(json_t *envelope)
{
    const char *text = NULL;
    if (json_unpack(envelope, "{s:{s:s}}", "body", "data", &text) != 0)
        return "";
    return text;
}

/* ---- tests ---- */

static void run_vectors(const ldt_vector_set *set)
{
    api *a = api_start();
    for (size_t i = 0; i < set->count; i++) {
        char id[64];
        snprintf(id, sizeof id, "id-%03zu", i);
        api_queue(a, set->items[i].request, set->items[i].request_length, id);
    }
    ld_registry *registry = ld_registry_new();
    ldrt_lambda_options options = fast_options(a, (unsigned)set->count);
    ld_error error = {0};
    int status = ldrt_lambda_serve(registry, &options, &error);
    if (status != 0)
        fail_msg("ldrt_lambda_serve: %d %s", status, error.message);
    assert_int_equal(a->record_count, set->count);
    for (size_t i = 0; i < set->count; i++) {
        char path[128];
        snprintf(path, sizeof path, "/2018-06-01/runtime/invocation/id-%03zu/response", i);
        assert_string_equal(a->records[i].path, path);
        char *mismatch = ldt_vector_check(&set->items[i], a->records[i].body, a->records[i].length);
        if (mismatch != NULL) {
            fprintf(stderr, "%s: %s\n", set->items[i].name, mismatch);
            free(mismatch);
            fail();
        }
    }
    ld_registry_free(registry);
    api_stop(a);
}

static void test_lambda_skeleton_vectors(void **state)
{
    (void)state;
    ldt_vector_set set = {0};
    assert_int_equal(ldt_vectors_load_dir("skeleton", &set), 0);
    assert_int_equal(set.count, 9);
    run_vectors(&set);
    ldt_vector_set_free(&set);
}

static void test_lambda_bad_requests(void **state)
{
    (void)state;
    ldt_vector_set set = {0};
    assert_int_equal(ldt_vectors_load_bad_requests(&set), 0);
    assert_int_equal(set.count, 44);
    /* Bad requests are answered, as results, with the 500 envelope: never /error. */
    run_vectors(&set);
    ldt_vector_set_free(&set);
}

static void test_lambda_headers_propagate(void **state)
{
    (void)state;
    api *a = api_start();
    char *request = request_text("getS3FileType", "{}");
    event *first = api_queue(a, request, strlen(request), "8476a536-e9f4-11e8-9739-2dfe598c3fcd");
    snprintf(first->deadline, sizeof first->deadline, "%s", "1542409706888");
    snprintf(first->trace, sizeof first->trace, "%s",
             "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1");
    api_queue(a, request, strlen(request), "second"); /* no deadline, no trace */
    setenv("_X_AMZN_TRACE_ID", "stale", 1);
    ld_registry *registry = test_registry();
    ldrt_lambda_options options = fast_options(a, 2);
    ld_error error = {0};
    assert_int_equal(ldrt_lambda_serve(registry, &options, &error), 0);
    assert_int_equal(a->record_count, 2);
    assert_string_equal(a->records[0].path,
                        "/2018-06-01/runtime/invocation/8476a536-e9f4-11e8-9739-2dfe598c3fcd/response");
    json_t *envelope = record_json(&a->records[0]);
    assert_string_equal(data_string(envelope),
                        "deadline=1542409706888;trace=Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;"
                        "Parent=9a9197af755a6419;Sampled=1");
    json_decref(envelope);
    /* An invocation without a trace id must not inherit the previous one's. */
    assert_string_equal(a->records[1].path, "/2018-06-01/runtime/invocation/second/response");
    envelope = record_json(&a->records[1]);
    assert_string_equal(data_string(envelope), "deadline=0;trace=(unset)");
    json_decref(envelope);
    ld_registry_free(registry);
    api_stop(a);
    free(request);
}

static void assert_error_document(const record *r, const char *type, const char *needle)
{
    assert_string_equal(r->error_type, type);
    json_t *doc = record_json(r);
    const char *message = NULL, *doc_type = NULL;
    json_t *trace = NULL;
    assert_int_equal(json_unpack(doc, "{s:s, s:s, s:o}", "errorMessage", &message, "errorType",
                                 &doc_type, "stackTrace", &trace),
                     0);
    assert_string_equal(doc_type, type);
    assert_true(json_is_array(trace));
    if (strstr(message, needle) == NULL)
        fail_msg("errorMessage lacks '%s': %s", needle, message);
    json_decref(doc);
}

static void test_lambda_response_too_large_is_an_invocation_error(void **state)
{
    (void)state;
    api *a = api_start();
    char *request = request_text("getResolvedS3FileName", "{\"s3FileType\":\"x\",\"fileName\":\"f\"}");
    api_queue(a, request, strlen(request), "big");
    char *fine = request_text("getS3FileType", "{}");
    api_queue(a, fine, strlen(fine), "after");
    ld_registry *registry = test_registry();
    ldrt_lambda_options options = fast_options(a, 2);
    ld_error error = {0};
    assert_int_equal(ldrt_lambda_serve(registry, &options, &error), 0);
    assert_int_equal(a->record_count, 2);
    assert_string_equal(a->records[0].path, "/2018-06-01/runtime/invocation/big/error");
    assert_error_document(&a->records[0], "Runtime.ResponseTooLarge", "at most 6291456");
    /* The loop goes on with the next invocation. */
    assert_string_equal(a->records[1].path, "/2018-06-01/runtime/invocation/after/response");
    ld_registry_free(registry);
    api_stop(a);
    free(request);
    free(fine);
}

static void test_lambda_init_error(void **state)
{
    (void)state;
    api *a = api_start();
    assert_int_equal(ldrt_lambda_report_init_error(a->address, "Runtime.HandlerLoadError",
                                                   "cannot load ./libmissing.so"),
                     LD_OK);
    assert_int_equal(a->record_count, 1);
    assert_string_equal(a->records[0].path, "/2018-06-01/runtime/init/error");
    assert_error_document(&a->records[0], "Runtime.HandlerLoadError", "libmissing.so");
    api_stop(a);
}

/* The real executable reports a handler library it cannot load, then exits 1. */
static void test_lambda_executable_init_error(void **state)
{
    (void)state;
    const char *root = getenv("LD_BUILD_ROOT");
    if (root == NULL)
        skip();
    api *a = api_start();
    char exe[1024];
    snprintf(exe, sizeof exe, "%s/cli/letsdata-runtime", root);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        setenv("AWS_LAMBDA_RUNTIME_API", a->address, 1);
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, 2);
        execl(exe, exe, "--handler", "/nonexistent/libmissing.so", "lambda", (char *)NULL);
        _exit(127);
    }
    int status = 0;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 1);
    assert_int_equal(a->record_count, 1);
    assert_string_equal(a->records[0].path, "/2018-06-01/runtime/init/error");
    assert_non_null(strstr(a->records[0].body, "libmissing.so"));
    assert_int_equal(a->next_requests, 0);
    api_stop(a);
}

/* A handler crash is posted to /invocation/{id}/error, then the process dies of it
 * (@p expected_signal), or ends with @p expected_signal = -status for an exit(). */
static void crash_case(const char *file_type, int expected_signal, const char *needle)
{
    api *a = api_start();
    char data[64];
    snprintf(data, sizeof data, "{\"s3FileType\":\"%s\"}", file_type);
    char *request = request_text("getRecordStartPattern", data);
    api_queue(a, request, strlen(request), "crashing-id");
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        ld_registry *registry = test_registry();
        ldrt_lambda_options options = fast_options(a, 1);
        ld_error error = {0};
        ldrt_lambda_serve(registry, &options, &error);
        _exit(0); /* not reached when the crash is reported as it should be */
    }
    int status = 0;
    assert_int_equal(waitpid(child, &status, 0), child);
    if (expected_signal < 0) {
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), -expected_signal);
    } else {
        if (!WIFSIGNALED(status))
            fail_msg("%s: the runtime did not die of the crash (status %d)", file_type, status);
        assert_int_equal(WTERMSIG(status), expected_signal);
    }
    assert_int_equal(a->record_count, 1);
    assert_string_equal(a->records[0].path, "/2018-06-01/runtime/invocation/crashing-id/error");
    assert_error_document(&a->records[0],
                          expected_signal < 0 ? "Runtime.ExitError" : "Runtime.HandlerCrashed",
                          needle);
    api_stop(a);
    free(request);
}

static void test_lambda_crash_segv_reported(void **state)
{
    (void)state;
    crash_case("segv", SIGSEGV, "SIGSEGV");
}

static void test_lambda_crash_abort_reported(void **state)
{
    (void)state;
    crash_case("abort", SIGABRT, "SIGABRT");
}

static void test_lambda_exit_in_handler_reported(void **state)
{
    (void)state;
    crash_case("exit", -3, "exit(3) during the invocation");
}

/* Broken connections are the one thing retried: a /next closed before answering, one
 * closed in the middle of the event's body, and a response POST closed unanswered. */
static void test_lambda_retries_broken_connections(void **state)
{
    (void)state;
    api *a = api_start();
    char *request = request_text("getS3FileType", "{}");
    api_queue(a, request, strlen(request), "after-retries");
    a->close_next = 1;
    a->truncate_next = 1;
    a->close_posts = 1;
    ld_registry *registry = test_registry();
    ldrt_lambda_options options = fast_options(a, 1);
    ld_error error = {0};
    assert_int_equal(ldrt_lambda_serve(registry, &options, &error), 0);
    assert_int_equal(a->next_requests, 3);
    assert_int_equal(a->record_count, 1);
    assert_string_equal(a->records[0].path,
                        "/2018-06-01/runtime/invocation/after-retries/response");
    json_t *envelope = record_json(&a->records[0]);
    assert_string_equal(data_string(envelope), "deadline=0;trace=(unset)");
    json_decref(envelope);
    ld_registry_free(registry);
    api_stop(a);
    free(request);
}

/* A response the Runtime API refuses with 403 (the invocation timed out or was answered
 * already) is logged; the next invocation is served. */
static void test_lambda_refused_response_is_skipped(void **state)
{
    (void)state;
    api *a = api_start();
    char *request = request_text("getS3FileType", "{}");
    api_queue(a, request, strlen(request), "lost");
    api_queue(a, request, strlen(request), "delivered");
    a->fail_posts = 1;
    a->post_status = 403;
    ld_registry *registry = test_registry();
    ldrt_lambda_options options = fast_options(a, 2);
    ld_error error = {0};
    assert_int_equal(ldrt_lambda_serve(registry, &options, &error), 0);
    assert_int_equal(a->record_count, 1);
    assert_string_equal(a->records[0].path, "/2018-06-01/runtime/invocation/delivered/response");
    ld_registry_free(registry);
    api_stop(a);
    free(request);
}

static void test_lambda_gives_up_on_closed_connections(void **state)
{
    (void)state;
    api *a = api_start();
    a->close_always = 1;
    ld_registry *registry = test_registry();
    ldrt_lambda_options options = fast_options(a, 1);
    ld_error error = {0};
    assert_int_equal(ldrt_lambda_serve(registry, &options, &error), 1);
    assert_int_equal(error.code, LD_ERR_IO);
    if (strstr(error.message, "giving up on the Lambda Runtime API after 3 attempts") == NULL ||
        strstr(error.message, "/2018-06-01/runtime/invocation/next") == NULL)
        fail_msg("unclear error: %s", error.message);
    ld_registry_free(registry);
    api_stop(a);
}

/* AWS documents HTTP 500 from the Runtime API as "non-recoverable state: the runtime
 * should exit promptly": one request, no retry. */
static void test_lambda_exits_on_500_from_next(void **state)
{
    (void)state;
    api *a = api_start();
    a->fail_next = 100;
    ld_registry *registry = test_registry();
    ldrt_lambda_options options = fast_options(a, 1);
    ld_error error = {0};
    assert_int_equal(ldrt_lambda_serve(registry, &options, &error), 1);
    assert_int_equal(a->next_requests, 1);
    assert_non_null(strstr(error.message, "HTTP 500"));
    assert_non_null(strstr(error.message, "non-recoverable"));
    ld_registry_free(registry);
    api_stop(a);
}

static void test_lambda_exits_on_500_from_response(void **state)
{
    (void)state;
    api *a = api_start();
    char *request = request_text("getS3FileType", "{}");
    api_queue(a, request, strlen(request), "first");
    api_queue(a, request, strlen(request), "never-fetched");
    a->fail_posts = 1;
    ld_registry *registry = test_registry();
    ldrt_lambda_options options = fast_options(a, 2);
    ld_error error = {0};
    assert_int_equal(ldrt_lambda_serve(registry, &options, &error), 1);
    assert_int_equal(a->next_requests, 1);
    assert_int_equal(a->record_count, 0);
    assert_non_null(strstr(error.message, "/invocation/first/response answered HTTP 500"));
    ld_registry_free(registry);
    api_stop(a);
    free(request);
}

/* 413 to the response: the invocation is answered with an error instead. */
static void test_lambda_response_refused_as_too_large(void **state)
{
    (void)state;
    api *a = api_start();
    char *request = request_text("getS3FileType", "{}");
    api_queue(a, request, strlen(request), "refused");
    api_queue(a, request, strlen(request), "next");
    a->fail_posts = 1;
    a->post_status = 413;
    ld_registry *registry = test_registry();
    ldrt_lambda_options options = fast_options(a, 2);
    ld_error error = {0};
    assert_int_equal(ldrt_lambda_serve(registry, &options, &error), 0);
    assert_int_equal(a->record_count, 2);
    assert_string_equal(a->records[0].path, "/2018-06-01/runtime/invocation/refused/error");
    assert_error_document(&a->records[0], "Runtime.ResponseTooLarge", "HTTP 413");
    assert_string_equal(a->records[1].path, "/2018-06-01/runtime/invocation/next/response");
    ld_registry_free(registry);
    api_stop(a);
    free(request);
}

/* An event over Lambda's 6 MB limit is answered with an error naming the limit, and the
 * loop goes on: the invocation is never left unanswered. */
static void test_lambda_oversize_event_answered(void **state)
{
    (void)state;
    api *a = api_start();
    size_t size = 7 * 1000 * 1000;
    char *huge = malloc(size);
    assert_non_null(huge);
    memset(huge, ' ', size);
    memcpy(huge, "{\"pad\":\"", 8);
    huge[size - 2] = '"';
    huge[size - 1] = '}';
    api_queue(a, huge, size, "huge");
    char *request = request_text("getS3FileType", "{}");
    api_queue(a, request, strlen(request), "after");
    ld_registry *registry = test_registry();
    ldrt_lambda_options options = fast_options(a, 2);
    ld_error error = {0};
    assert_int_equal(ldrt_lambda_serve(registry, &options, &error), 0);
    assert_int_equal(a->next_requests, 2);
    assert_int_equal(a->record_count, 2);
    assert_string_equal(a->records[0].path, "/2018-06-01/runtime/invocation/huge/error");
    assert_error_document(&a->records[0], "Runtime.RequestTooLarge", "7000000 bytes");
    assert_error_document(&a->records[0], "Runtime.RequestTooLarge", "at most 6291456");
    assert_string_equal(a->records[1].path, "/2018-06-01/runtime/invocation/after/response");
    ld_registry_free(registry);
    api_stop(a);
    free(request);
    free(huge);
}

/* A deadline already past still reaches the handler, which is still answered. */
static void test_lambda_past_deadline(void **state)
{
    (void)state;
    api *a = api_start();
    char *request = request_text("getS3FileType", "{}");
    event *ev = api_queue(a, request, strlen(request), "late");
    snprintf(ev->deadline, sizeof ev->deadline, "%s", "1000");
    ld_registry *registry = test_registry();
    ldrt_lambda_options options = fast_options(a, 1);
    ld_error error = {0};
    assert_int_equal(ldrt_lambda_serve(registry, &options, &error), 0);
    assert_int_equal(a->record_count, 1);
    assert_string_equal(a->records[0].path, "/2018-06-01/runtime/invocation/late/response");
    json_t *envelope = record_json(&a->records[0]);
    assert_string_equal(data_string(envelope), "deadline=1000;trace=(unset)");
    json_decref(envelope);
    ld_registry_free(registry);
    api_stop(a);
    free(request);
}

/* An id that would break the URL (or inject a header) is not used to answer. */
static void test_lambda_rejects_unusable_request_id(void **state)
{
    (void)state;
    api *a = api_start();
    char *request = request_text("getS3FileType", "{}");
    for (int i = 0; i < 3; i++)
        api_queue(a, request, strlen(request), "id with spaces");
    ld_registry *registry = test_registry();
    ldrt_lambda_options options = fast_options(a, 1);
    ld_error error = {0};
    assert_int_equal(ldrt_lambda_serve(registry, &options, &error), 1);
    assert_int_equal(a->record_count, 0);
    if (strstr(error.message, "usable Lambda-Runtime-Aws-Request-Id header ('id with spaces')") ==
        NULL)
        fail_msg("unclear error: %s", error.message);
    ld_registry_free(registry);
    api_stop(a);
    free(request);
}

static void test_lambda_unreachable_endpoint(void **state)
{
    (void)state;
    /* Bind a port, then close it: nothing listens there any more. */
    api *a = api_start();
    char address[64];
    snprintf(address, sizeof address, "%s", a->address);
    api_stop(a);
    ld_registry *registry = test_registry();
    ldrt_lambda_options options = LDRT_LAMBDA_OPTIONS_INIT;
    options.runtime_api = address;
    options.max_attempts = 2;
    options.retry_delay_ms = 1;
    ld_error error = {0};
    assert_int_equal(ldrt_lambda_serve(registry, &options, &error), 1);
    assert_non_null(strstr(error.message, "after 2 attempts"));
    assert_non_null(strstr(error.message, address));
    ld_registry_free(registry);
}

static void test_lambda_requires_runtime_api(void **state)
{
    (void)state;
    ld_registry *registry = test_registry();
    ldrt_lambda_options options = LDRT_LAMBDA_OPTIONS_INIT;
    ld_error error = {0};
    assert_int_equal(ldrt_lambda_serve(registry, &options, &error), 2);
    assert_non_null(strstr(error.message, "AWS_LAMBDA_RUNTIME_API"));
    assert_int_equal(ldrt_lambda_report_init_error(NULL, "Runtime.X", "m"), LD_ERR_INVALID);
    ld_registry_free(registry);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lambda_skeleton_vectors),
        cmocka_unit_test(test_lambda_bad_requests),
        cmocka_unit_test(test_lambda_headers_propagate),
        cmocka_unit_test(test_lambda_response_too_large_is_an_invocation_error),
        cmocka_unit_test(test_lambda_init_error),
        cmocka_unit_test(test_lambda_executable_init_error),
        cmocka_unit_test(test_lambda_crash_segv_reported),
        cmocka_unit_test(test_lambda_crash_abort_reported),
        cmocka_unit_test(test_lambda_exit_in_handler_reported),
        cmocka_unit_test(test_lambda_retries_broken_connections),
        cmocka_unit_test(test_lambda_refused_response_is_skipped),
        cmocka_unit_test(test_lambda_gives_up_on_closed_connections),
        cmocka_unit_test(test_lambda_exits_on_500_from_next),
        cmocka_unit_test(test_lambda_exits_on_500_from_response),
        cmocka_unit_test(test_lambda_response_refused_as_too_large),
        cmocka_unit_test(test_lambda_oversize_event_answered),
        cmocka_unit_test(test_lambda_past_deadline),
        cmocka_unit_test(test_lambda_rejects_unusable_request_id),
        cmocka_unit_test(test_lambda_unreachable_endpoint),
        cmocka_unit_test(test_lambda_requires_runtime_api),
    };
    return cmocka_run_group_tests_name("transport_lambda", tests, NULL, NULL);
}
