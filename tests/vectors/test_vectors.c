/*
 * test_vectors.c - vector datasets in the local runner (runner/vectorize.h): the C
 * example SagemakerVectorsInterface chained after the C Kinesis example over a JSON
 * Lines stream replay,
 * - with `hash:DIM`, the expected vectors computed here independently;
 * - with a HuggingFace-style feature-extraction server on 127.0.0.1 (libmicrohttpd,
 *   free port) that answers, answers slowly, fails with 500s, throttles, sends
 *   malformed JSON, vectors of the wrong length, and refuses batches;
 * - resume after a kill, --dataset with the official dataset2.json shape, usage errors,
 *   and (through the executable) that a plain run never loads libcurl.
 *
 * SPDX-License-Identifier: MIT
 */
#include <setjmp.h>
#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <cmocka.h>
#include <microhttpd.h>

#include <letsdata/letsdata.h>

#include "examples.h"
#include "process.h"
#include "runner.h"

static const char *runtime_exe, *examples_module;
/* Under valgrind everything is ~20 times slower: time limits in the tests grow with it. */
static long time_scale = 1;
static char dir[256];
static ld_registry *examples;

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/letsdata-vectors-test-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return -1;
    examples = ld_registry_new();
    return ld_examples_register(examples);
}

static int teardown(void **state)
{
    (void)state;
    char command[512];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    int ignored = system(command);
    (void)ignored;
    ld_registry_free(examples);
    return 0;
}

static char *path_in(const char *name)
{
    char *path = NULL;
    assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
    return path;
}

static int run(char **args, int count)
{
    char *argv[48];
    argv[0] = (char *)"run";
    for (int i = 0; i < count; i++)
        argv[i + 1] = args[i];
    return ldrun_main(count + 1, argv, examples);
}

static json_t *summary(const char *out)
{
    char path[512];
    snprintf(path, sizeof path, "%s/summary.json", out);
    json_t *json = json_load_file(path, 0, NULL);
    assert_non_null(json);
    return json;
}

static json_int_t count_of(const json_t *s, const char *key)
{
    return json_integer_value(json_object_get(s, key));
}

static json_int_t vector_count(const json_t *s, const char *key)
{
    return json_integer_value(json_object_get(json_object_get(s, "vectors"), key));
}

/* Every line of OUT/NAME as JSON (a new array). */
static json_t *lines_of(const char *out, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", out, name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    json_t *lines = json_array();
    char *line = NULL;
    size_t capacity = 0;
    while (getline(&line, &capacity, f) > 0) {
        json_error_t error;
        json_t *value = json_loads(line, 0, &error);
        if (value == NULL)
            fail_msg("%s: not JSON: %s", path, error.text);
        json_array_append_new(lines, value);
    }
    free(line);
    fclose(f);
    return lines;
}

static int files_equal(const char *a_dir, const char *b_dir, const char *name)
{
    char command[1200];
    snprintf(command, sizeof command, "cmp -s '%s/%s' '%s/%s'", a_dir, name, b_dir, name);
    return system(command) == 0;
}

/* The upstream documents: what the WET parser writes, as a Kinesis stream carries it. */
static json_t *upstream_document(int i, const char *text)
{
    char id[64], key[64], url[128];
    snprintf(id, sizeof id, "http://site%d.example/page", i);
    snprintf(key, sizeof key, "pk-%d", i % 7);
    snprintf(url, sizeof url, "http://site%d.example/page", i);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "documentId", id, "docId", id,
                     "partitionKey", key, "url", url, "language", "eng", "docText", text);
}

/* A JSON Lines stream replay: one Kinesis parseMessage `data` per line. */
static void write_stream(const char *path, json_t *documents)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    size_t i;
    json_t *doc;
    json_array_foreach(documents, i, doc) {
        char *data = json_dumps(doc, JSON_COMPACT);
        char sequence[32];
        snprintf(sequence, sizeof sequence, "4961%012zu", i);
        json_t *record = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s}", "streamArn",
                                   "arn:aws:kinesis:us-east-1:123456789012:stream/crawl",
                                   "shardId", "shardId-000000000000", "partitionKey",
                                   json_string_value(json_object_get(doc, "partitionKey")),
                                   "sequenceNumber", sequence, "approximateArrivalTimestamp",
                                   (json_int_t)1700000000000, "data", data);
        char *line = json_dumps(record, JSON_COMPACT);
        fprintf(f, "%s\n", line);
        free(line);
        free(data);
        json_decref(record);
    }
    fclose(f);
}

/* ---- hash: the expected vectors, computed here from the documented definition ---- */

static void expected_hash(const char *text, size_t dim, double *out)
{
    for (size_t d = 0; d < dim; d++)
        out[d] = 0;
    const unsigned char *p = (const unsigned char *)text;
    size_t n = strlen(text), i = 0;
    while (i < n) {
        int in_token = isalnum(p[i]) || p[i] >= 0x80;
        if (!in_token) {
            i++;
            continue;
        }
        uint64_t h = 0xcbf29ce484222325ull;
        while (i < n && (isalnum(p[i]) || p[i] >= 0x80)) {
            h ^= (uint64_t)tolower(p[i]);
            h *= 0x100000001b3ull;
            i++;
        }
        out[h % dim] += (h & 0x8000000000000000ull) ? -1 : 1;
    }
    double sum = 0;
    for (size_t d = 0; d < dim; d++)
        sum += out[d] * out[d];
    for (size_t d = 0; sum > 0 && d < dim; d++)
        out[d] /= sqrt(sum);
}

static const char *const sample_texts[] = {
    "Article: US inflation means families are spending more than two years ago.",
    "Gr\xc3\xbc\xc3\x9f\x65 aus der Datenverarbeitung: Zweite Zeile, dritte Zeile.",
    "the the the THE The",
    "",
    "!!! ... ???",
    "numbers 12345 and 67890 and 12345 again",
    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe6\x96\x87\xe6\x9b\xb8 mixed with English",
};

/* The vector document constructVectorDoc builds from @p upstream and @p vector. */
static void assert_vector_document(const json_t *written, const json_t *upstream,
                                   const double *vector, size_t dim)
{
    const char *id = json_string_value(json_object_get(upstream, "docId"));
    assert_string_equal(json_string_value(json_object_get(written, "documentId")), id);
    assert_string_equal(json_string_value(json_object_get(written, "recordType")), "Vectors");
    assert_string_equal(json_string_value(json_object_get(written, "partitionKey")),
                        json_string_value(json_object_get(upstream, "partitionKey")));
    assert_null(json_object_get(written, "docText"));
    assert_string_equal(json_string_value(json_object_get(written, "url")),
                        json_string_value(json_object_get(upstream, "url")));
    json_t *got = json_object_get(json_object_get(written, "vectors"), "docText");
    assert_int_equal(json_array_size(got), dim);
    for (size_t d = 0; d < dim; d++) {
        double x = json_number_value(json_array_get(got, d));
        if (fabs(x - vector[d]) > 1e-15)
            fail_msg("%s: component %zu is %.17g, expected %.17g", id, d, x, vector[d]);
    }
}

static void test_hash_chain(void **state)
{
    (void)state;
    json_t *docs = json_array();
    for (int i = 0; i < 300; i++)
        json_array_append_new(docs, upstream_document(
                                        i, sample_texts[i % (sizeof sample_texts /
                                                             sizeof sample_texts[0])]));
    char *stream = path_in("hash-stream.jsonl");
    /* Two bad records in the stream: not JSON, and no docText to vectorize. */
    write_stream(stream, docs);
    FILE *f = fopen(stream, "a");
    fprintf(f, "{\"streamArn\":\"a\",\"shardId\":\"s\",\"partitionKey\":\"p\","
               "\"sequenceNumber\":\"9\",\"approximateArrivalTimestamp\":1,\"data\":\"oops\"}\n");
    fprintf(f, "{\"streamArn\":\"a\",\"shardId\":\"s\",\"partitionKey\":\"p\","
               "\"sequenceNumber\":\"10\",\"approximateArrivalTimestamp\":1,"
               "\"data\":\"{\\\"documentId\\\":\\\"no-text\\\",\\\"docId\\\":\\\"no-text\\\"}\"}\n");
    fclose(f);

    char *out = path_in("out-hash");
    char *args[] = {(char *)"--reader", (char *)"kinesis", (char *)"--vectorizer",
                    (char *)"hash:24", (char *)"--continue-on-error", (char *)"--output", out,
                    stream};
    assert_int_equal(run(args, 8), 0);

    json_t *written = lines_of(out, "documents.jsonl");
    assert_int_equal(json_array_size(written), 300);
    double expected[24];
    for (size_t i = 0; i < 300; i++) {
        json_t *upstream = json_array_get(docs, i);
        expected_hash(json_string_value(json_object_get(upstream, "docText")), 24, expected);
        assert_vector_document(json_array_get(written, i), upstream, expected, 24);
    }
    /* A hand-checked case: "the the the THE The" is one token five times: a unit vector. */
    json_t *same = json_object_get(json_object_get(json_array_get(written, 2), "vectors"),
                                   "docText");
    int ones = 0;
    for (size_t d = 0; d < 24; d++)
        ones += fabs(fabs(json_number_value(json_array_get(same, d))) - 1.0) < 1e-15;
    assert_int_equal(ones, 1);

    json_t *errors = lines_of(out, "errors.jsonl");
    assert_int_equal(json_array_size(errors), 2);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(errors, 0), "recordType")),
        "KINESIS_ERROR");
    const json_t *failure = json_array_get(errors, 1);
    assert_string_equal(json_string_value(json_object_get(failure, "recordType")),
                        "HANDLER_FAILURE");
    assert_non_null(strstr(json_string_value(json_object_get(failure, "errorMessage")),
                           "extractDocumentElementsForVectorization"));
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(failure, "errorStartoffsetMap"), "documentId")),
                        "no-text");

    json_t *s = summary(out);
    assert_int_equal(count_of(s, "records"), 302);
    assert_int_equal(count_of(s, "success"), 300);
    assert_int_equal(count_of(s, "error"), 2);
    assert_int_equal(count_of(s, "handlerFailures"), 1);
    assert_int_equal(vector_count(s, "documents"), 301);
    assert_int_equal(vector_count(s, "extractFailures"), 1);
    assert_int_equal(vector_count(s, "texts"), 300);
    assert_int_equal(vector_count(s, "vectorDocuments"), 300);
    assert_int_equal(vector_count(s, "vectorizeErrors"), 0);
    assert_string_equal(json_string_value(json_object_get(json_object_get(s, "vectors"),
                                                          "vectorizer")),
                        "hash:24");

    /* Without --continue-on-error the failed extract stops the task, as on LetsData. */
    char *stopped = path_in("out-hash-stop");
    char *stop_args[] = {(char *)"--reader", (char *)"kinesis", (char *)"--vectorizer",
                         (char *)"hash:24", (char *)"--output", stopped, stream};
    assert_int_equal(run(stop_args, 7), 1);
    json_t *s2 = summary(stopped);
    assert_non_null(strstr(json_string_value(json_object_get(s2, "failure")),
                           "extractDocumentElementsForVectorization"));
    json_decref(s2);
    json_decref(s);
    json_decref(errors);
    json_decref(written);
    json_decref(docs);
    free(stopped);
    free(out);
    free(stream);
}

/* ---- a feature-extraction server on 127.0.0.1 ---- */

typedef struct server {
    struct MHD_Daemon *daemon;
    unsigned port;
    pthread_mutex_t lock;
    int in_flight, max_in_flight;
    int requests, list_requests, refused_lists;
    char *seen[256]; /* texts that fail the first time */
    int seen_count;
} server;

typedef struct upload {
    char *data;
    size_t length;
} upload;

static enum MHD_Result answer(struct MHD_Connection *connection, unsigned status,
                              const char *body)
{
    struct MHD_Response *response =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(response, "Content-Type", "application/json");
    if (status == 429) /* as rate limiters do: come back in a second */
        MHD_add_response_header(response, "Retry-After", "1");
    enum MHD_Result result = MHD_queue_response(connection, status, response);
    MHD_destroy_response(response);
    return result;
}

/* First time this text is seen? (for the texts that fail once) */
static int first_time(server *s, const char *text)
{
    for (int i = 0; i < s->seen_count; i++)
        if (strcmp(s->seen[i], text) == 0)
            return 0;
    if (s->seen_count < 256)
        s->seen[s->seen_count++] = strdup(text);
    return 1;
}

/* Token vectors for @p text: mean [len + 1, 2, 3, 4] (len: UTF-8 bytes); "#dim3": 3. */
static json_t *token_vectors(const char *text)
{
    double n = (double)strlen(text);
    if (strstr(text, "#dim3"))
        return json_pack("[[f,f,f]]", n, 1.0, 2.0);
    return json_pack("[[f,f,f,f],[f,f,f,f]]", n, 1.0, 2.0, 3.0, n + 2, 3.0, 4.0, 5.0);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **con_cls)
{
    (void)version;
    server *s = cls;
    upload *up = *con_cls;
    if (up == NULL) {
        *con_cls = calloc(1, sizeof *up);
        return MHD_YES;
    }
    if (*upload_size > 0) {
        up->data = realloc(up->data, up->length + *upload_size + 1);
        memcpy(up->data + up->length, upload_data, *upload_size);
        up->length += *upload_size;
        up->data[up->length] = '\0';
        *upload_size = 0;
        return MHD_YES;
    }
    if (strcmp(method, "POST") != 0)
        return answer(connection, 405, "{\"error\":\"POST only\"}");
    json_t *request = up->data ? json_loads(up->data, 0, NULL) : NULL;
    json_t *inputs = json_object_get(request, "inputs");
    pthread_mutex_lock(&s->lock);
    s->requests++;
    s->list_requests += json_is_array(inputs);
    if (++s->in_flight > s->max_in_flight)
        s->max_in_flight = s->in_flight;
    pthread_mutex_unlock(&s->lock);

    unsigned status = 200;
    const char *fixed = NULL;
    long delay_ms = 0;
    if (inputs == NULL) {
        status = 400;
        fixed = "{\"error\":\"no inputs\"}";
    } else if (json_is_array(inputs) && strcmp(url, "/nobatch") == 0) {
        status = 400;
        fixed = "{\"error\":\"inputs must be a string\"}";
        pthread_mutex_lock(&s->lock);
        s->refused_lists++;
        pthread_mutex_unlock(&s->lock);
    }
    json_t *texts = json_is_array(inputs) ? json_incref(inputs) : json_pack("[O]", inputs);
    size_t i;
    json_t *text;
    json_array_foreach(texts, i, text) {
        const char *t = json_string_value(text);
        if (t == NULL || fixed != NULL)
            continue;
        pthread_mutex_lock(&s->lock);
        if (strstr(t, "#500")) {
            status = 500;
            fixed = "{\"error\":\"model exploded on purpose\"}";
        } else if (strstr(t, "#flaky") && first_time(s, t)) {
            status = 503;
            fixed = "{\"message\":\"warming up\"}";
        } else if (strstr(t, "#throttle") && first_time(s, t)) {
            status = 429;
            fixed = "{\"message\":\"slow down\"}";
        } else if (strstr(t, "#malformed")) {
            fixed = "[[0.5, 0.25,";
        }
        pthread_mutex_unlock(&s->lock);
        if (strstr(t, "#slow"))
            delay_ms = 200;
        if (strstr(t, "#sleep"))
            delay_ms = 1500 * time_scale;
    }
    if (delay_ms)
        usleep((useconds_t)delay_ms * 1000);
    enum MHD_Result result;
    if (fixed != NULL) {
        result = answer(connection, status, fixed);
    } else {
        json_t *body;
        if (json_is_array(inputs)) {
            body = json_array();
            json_array_foreach(inputs, i, text)
                json_array_append_new(body, token_vectors(json_string_value(text)));
        } else {
            /* A single text: the pipeline's batch of one around the token vectors. */
            body = json_pack("[o]", token_vectors(json_string_value(inputs)));
        }
        char *dump = json_dumps(body, JSON_COMPACT);
        result = answer(connection, 200, dump);
        free(dump);
        json_decref(body);
    }
    json_decref(texts);
    json_decref(request);
    pthread_mutex_lock(&s->lock);
    s->in_flight--;
    pthread_mutex_unlock(&s->lock);
    return result;
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
    }
    *con_cls = NULL;
}

static void server_start(server *s)
{
    memset(s, 0, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
    struct sockaddr_in address = {0};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0; /* a free port */
    s->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION,
                                 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
                                 (struct sockaddr *)&address, MHD_OPTION_NOTIFY_COMPLETED,
                                 on_completed, s, MHD_OPTION_END);
    assert_non_null(s->daemon);
    s->port = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT)->port;
    assert_true(s->port > 0);
}

static void server_stop(server *s)
{
    MHD_stop_daemon(s->daemon);
    for (int i = 0; i < s->seen_count; i++)
        free(s->seen[i]);
    pthread_mutex_destroy(&s->lock);
}

/* 40 documents; some carry a marker the server reacts to. */
static json_t *marked_documents(void)
{
    json_t *docs = json_array();
    assert_non_null(docs);
    for (int i = 0; i < 40; i++) {
        char text[160];
        const char *marker = i == 5    ? " #500"
                             : i == 9  ? " #flaky"
                             : i == 13 ? " #throttle"
                             : i == 17 ? " #malformed"
                             : i == 21 ? " #dim3"
                             : i == 25 ? " #slow"
                             : i == 30 ? " #slow"
                                       : "";
        /* 0-4 two-byte characters: the server counts UTF-8 bytes. */
        snprintf(text, sizeof text, "document %d says hello%s %.*s", i, marker, 2 * (i % 5),
                 "\xc3\xa4\xc3\xb6\xc3\xbc\xc3\x9f");
        assert_int_equal(json_array_append_new(docs, upstream_document(i, text)), 0);
    }
    return docs;
}

/* The expected mean-pooled vector of the server's token vectors. */
static void expected_http(const char *text, double out[4])
{
    out[0] = (double)strlen(text) + 1;
    out[1] = 2;
    out[2] = 3;
    out[3] = 4;
}

/* Check a run over marked_documents(): 37 vector documents, 3 errors, in order. */
static void check_http_run(const char *out, json_t *docs)
{
    json_t *written = lines_of(out, "documents.jsonl");
    json_t *errors = lines_of(out, "errors.jsonl");
    assert_int_equal(json_array_size(written), 37);
    assert_int_equal(json_array_size(errors), 3);
    size_t w = 0, e = 0;
    for (size_t i = 0; i < 40; i++) {
        json_t *upstream = json_array_get(docs, i);
        const char *text = json_string_value(json_object_get(upstream, "docText"));
        if (i == 5 || i == 17 || i == 21) {
            json_t *error = json_array_get(errors, e++);
            const char *message = json_string_value(json_object_get(error, "errorMessage"));
            assert_string_equal(json_string_value(json_object_get(error, "recordType")),
                                "VECTORIZE_ERROR");
            assert_string_equal(json_string_value(json_object_get(error, "documentId")),
                                json_string_value(json_object_get(upstream, "documentId")));
            /* Nothing lost: the whole upstream document travels with the error. */
            assert_string_equal(json_string_value(json_object_get(
                                    json_object_get(error, "documentKeyValuesMap"), "docText")),
                                text);
            assert_non_null(strstr(message, json_string_value(json_object_get(upstream,
                                                                               "documentId"))));
            assert_non_null(strstr(message, "element 'docText'"));
            if (i == 5) {
                assert_non_null(strstr(message, "HTTP 500: model exploded on purpose"));
                assert_non_null(strstr(message, "after 3 attempts"));
            } else if (i == 17) {
                assert_non_null(strstr(message, "not valid JSON"));
            } else {
                assert_non_null(strstr(message, "vector of 3 numbers where the run's vectors "
                                                "have 4"));
            }
            continue;
        }
        double expected[4];
        expected_http(text, expected);
        assert_vector_document(json_array_get(written, w++), upstream, expected, 4);
    }
    json_t *s = summary(out);
    assert_int_equal(count_of(s, "records"), 40);
    assert_int_equal(count_of(s, "success"), 37);
    assert_int_equal(count_of(s, "error"), 3);
    assert_int_equal(vector_count(s, "vectorizeErrors"), 3);
    assert_int_equal(vector_count(s, "texts"), 40);
    assert_true(vector_count(s, "retries") >= 2 + 2); /* flaky, throttle, 500 x 2 */
    json_decref(s);
    json_decref(written);
    json_decref(errors);
}

static void test_http_vectorizer(void **state)
{
    (void)state;
    server srv;
    server_start(&srv);
    json_t *docs = marked_documents();
    char *stream = path_in("http-stream.jsonl");
    write_stream(stream, docs);

    /* Batches of 4, three at a time. */
    char url[128], jobs[] = "3";
    snprintf(url, sizeof url, "http://127.0.0.1:%u/invocations", srv.port);
    char *out = path_in("out-http");
    char *args[] = {(char *)"--reader", (char *)"kinesis", (char *)"--vectorizer", url,
                    (char *)"--vector-batch", (char *)"4", (char *)"--vector-jobs", jobs,
                    (char *)"--vector-dim", (char *)"4", (char *)"--output", out, stream};
    assert_int_equal(run(args, 13), 0);
    check_http_run(out, docs);
    assert_true(srv.list_requests > 0);
    assert_true(srv.max_in_flight <= 3);
    /* Batches of up to 4: far fewer requests than texts, despite the retries. The 429's
     * Retry-After (1 s, far above the 100 ms first backoff) was honoured. */
    json_t *s = summary(out);
    assert_true(vector_count(s, "requests") < 40);
    assert_true(json_number_value(json_object_get(s, "seconds")) >= 1.0);
    json_decref(s);

    /* An endpoint that refuses lists: the runner finds out and sends one text at a time,
     * with the same results. */
    int before = srv.refused_lists;
    snprintf(url, sizeof url, "http://127.0.0.1:%u/nobatch", srv.port);
    char *single = path_in("out-http-nobatch");
    char *args2[] = {(char *)"--reader", (char *)"kinesis", (char *)"--vectorizer", url,
                     (char *)"--vector-batch", (char *)"8", (char *)"--vector-jobs",
                     (char *)"1", (char *)"--vector-dim", (char *)"4", (char *)"--output",
                     single, stream};
    for (int i = 0; i < srv.seen_count; i++)
        free(srv.seen[i]);
    srv.seen_count = 0;
    assert_int_equal(run(args2, 13), 0);
    check_http_run(single, docs);
    assert_true(files_equal(out, single, "documents.jsonl"));
    /* Lists are refused until one refused batch comes through whole one text at a time
     * (the first holds the #500 text, the second does not); then no list is sent. */
    assert_int_equal(srv.refused_lists - before, 2);

    json_decref(docs);
    free(single);
    free(out);
    free(stream);
    server_stop(&srv);
}

/* Results do not depend on -j, --vector-jobs or --vector-batch; the bound on requests
 * in flight holds across tasks. */
static void test_parallel_tasks_keep_order_and_bound(void **state)
{
    (void)state;
    server srv;
    server_start(&srv);
    char *streams[3];
    for (int k = 0; k < 3; k++) {
        json_t *docs = json_array();
        for (int i = 0; i < 60; i++) {
            char text[100];
            snprintf(text, sizeof text, "file %d document %d%s", k, i, i % 17 == 3 ? " #slow" : "");
            json_array_append_new(docs, upstream_document(k * 1000 + i, text));
        }
        char name[64];
        snprintf(name, sizeof name, "parallel-%d.jsonl", k);
        streams[k] = path_in(name);
        write_stream(streams[k], docs);
        json_decref(docs);
    }
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/invocations", srv.port);
    char *one = path_in("out-parallel-1"), *many = path_in("out-parallel-3");
    char *args1[] = {(char *)"--reader", (char *)"kinesis", (char *)"--vectorizer", url,
                     (char *)"--vector-jobs", (char *)"1", (char *)"--vector-batch", (char *)"3",
                     (char *)"--output", one, streams[0], streams[1], streams[2]};
    assert_int_equal(run(args1, 13), 0);
    assert_int_equal(srv.max_in_flight, 1);
    srv.max_in_flight = 0;
    char *args3[] = {(char *)"-j", (char *)"3", (char *)"--reader", (char *)"kinesis",
                     (char *)"--vectorizer", url, (char *)"--vector-jobs", (char *)"2",
                     (char *)"--vector-batch", (char *)"5", (char *)"--output", many,
                     streams[0], streams[1], streams[2]};
    assert_int_equal(run(args3, 15), 0);
    assert_true(srv.max_in_flight <= 2);
    assert_true(files_equal(one, many, "documents.jsonl"));
    json_t *s = summary(many);
    assert_int_equal(count_of(s, "success"), 180);
    assert_int_equal(vector_count(s, "vectorDocuments"), 180);
    json_decref(s);
    for (int k = 0; k < 3; k++)
        free(streams[k]);
    free(one);
    free(many);
    server_stop(&srv);
}

static void test_http_timeouts_and_dead_endpoints(void **state)
{
    (void)state;
    server srv;
    server_start(&srv);
    json_t *docs = json_array();
    json_array_append_new(docs, upstream_document(0, "quick answer"));
    json_array_append_new(docs, upstream_document(1, "too slow #sleep"));
    json_array_append_new(docs, upstream_document(2, "quick again"));
    char *stream = path_in("timeout-stream.jsonl");
    write_stream(stream, docs);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/", srv.port);
    char *out = path_in("out-timeout");
    char limit[32];
    snprintf(limit, sizeof limit, "%ld", 300 * time_scale);
    char *args[] = {(char *)"--reader", (char *)"kinesis", (char *)"--vectorizer", url,
                    (char *)"--vector-timeout-ms", limit, (char *)"--vector-attempts",
                    (char *)"2", (char *)"--vector-batch", (char *)"1", (char *)"--output",
                    out, stream};
    assert_int_equal(run(args, 13), 0);
    json_t *errors = lines_of(out, "errors.jsonl");
    assert_int_equal(json_array_size(errors), 1);
    const char *message =
        json_string_value(json_object_get(json_array_get(errors, 0), "errorMessage"));
    assert_non_null(strstr(message, "no answer within the time limit"));
    assert_non_null(strstr(message, "after 2 attempts"));
    json_decref(errors);
    json_t *written = lines_of(out, "documents.jsonl");
    assert_int_equal(json_array_size(written), 2);
    json_decref(written);
    server_stop(&srv);

    /* Nobody listening any more: every document is an error, none is lost. */
    char *dead = path_in("out-dead");
    char *args2[] = {(char *)"--reader", (char *)"kinesis", (char *)"--vectorizer", url,
                     (char *)"--vector-attempts", (char *)"2", (char *)"--output", dead,
                     stream};
    assert_int_equal(run(args2, 9), 0);
    json_t *s = summary(dead);
    assert_int_equal(count_of(s, "error"), 3);
    assert_int_equal(count_of(s, "success"), 0);
    assert_int_equal(vector_count(s, "vectorizeErrors"), 3);
    json_decref(s);
    errors = lines_of(dead, "errors.jsonl");
    assert_non_null(strstr(json_string_value(json_object_get(json_array_get(errors, 0),
                                                             "errorMessage")),
                           "POST http://127.0.0.1:"));
    json_decref(errors);
    json_decref(docs);
    free(dead);
    free(out);
    free(stream);
}

/* Kill with SIGKILL once the JSON file @p path has @p key >= @p at_least; reap. */
static int kill_when_checkpointed(pid_t pid, const char *path, const char *key,
                                  json_int_t at_least)
{
    int killed = 0;
    for (int waited = 0; waited < 20000; waited++) {
        json_t *checkpoint = json_load_file(path, 0, NULL);
        json_int_t value = json_integer_value(json_object_get(checkpoint, key));
        json_decref(checkpoint);
        if (value >= at_least) {
            killed = kill(pid, SIGKILL) == 0;
            break;
        }
        usleep(500);
    }
    int status;
    waitpid(pid, &status, 0);
    return killed && WIFSIGNALED(status);
}

static void test_resume_vector_run(void **state)
{
    (void)state;
    json_t *docs = json_array();
    for (int i = 0; i < 30000; i++)
        json_array_append_new(docs, upstream_document(i, sample_texts[i % 7]));
    char *stream = path_in("resume-stream.jsonl"), *reference = path_in("out-resume-ref"),
         *killed = path_in("out-resume-killed");
    write_stream(stream, docs);
    json_decref(docs);
    char *args[] = {(char *)"--reader", (char *)"kinesis", (char *)"--vectorizer",
                    (char *)"hash:64", (char *)"--output", reference, stream};
    assert_int_equal(run(args, 7), 0);

    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 2);
        execl(runtime_exe, runtime_exe, "--handler", examples_module, "run", "--reader",
              "kinesis", "--vectorizer", "hash:64", "--output", killed, stream, (char *)NULL);
        _exit(127);
    }
    char progress[600];
    snprintf(progress, sizeof progress, "%s/.task-0-progress.json", killed);
    if (kill_when_checkpointed(pid, progress, "lines", 4000)) {
        char *resume[] = {(char *)"--resume", (char *)"--reader", (char *)"kinesis",
                          (char *)"--vectorizer", (char *)"hash:64", (char *)"--output",
                          killed, stream};
        assert_int_equal(run(resume, 8), 0);
    } else {
        print_message("vector resume test: the run finished before it could be killed\n");
    }
    assert_true(files_equal(reference, killed, "documents.jsonl"));
    json_t *a = summary(reference), *b = summary(killed);
    assert_int_equal(count_of(b, "records"), 30000);
    assert_int_equal(count_of(b, "success"), 30000);
    assert_int_equal(vector_count(a, "vectorDocuments"), 30000);
    assert_int_equal(vector_count(b, "vectorDocuments"), 30000);
    assert_int_equal(vector_count(b, "texts"), 30000);
    json_decref(a);
    json_decref(b);
    free(stream);
    free(reference);
    free(killed);
}

/* The shape of the official dataset2.json (Kinesis read, LAMBDA_AND_SAGEMAKER). */
static const char dataset2[] =
    "{\"datasetName\": \"KinesisReadSagemakerComputeExample\",\n"
    " \"region\": \"us-east-1\",\n"
    " \"readConnector\": {\"connectorDestination\": \"KINESIS\",\n"
    "   \"artifactImplementationLanguage\": \"C\", \"readerType\": \"KINESISSTREAMREADER\",\n"
    "   \"streamArn\": \"arn:aws:kinesis:us-east-1:123456789012:stream/crawl\",\n"
    "   \"resourceLocation\": \"LetsData\"},\n"
    " \"writeConnector\": {\"connectorDestination\": \"SQS\", \"resourceLocation\": "
    "\"letsdata\"},\n"
    " \"errorConnector\": {\"connectorDestination\": \"S3\", \"resourceLocation\": "
    "\"letsdata\"},\n"
    " \"computeEngine\": {\"computeEngineType\": \"LAMBDA_AND_SAGEMAKER\",\n"
    "   \"lambda\": {\"lambdaConcurrency\": 2},\n"
    "   \"model\": {\"modelContainerImageName\": \"HuggingFace_Inference_4_12_3\"},\n"
    "   \"endpoint\": {\"sagemakerEndpointType\": \"Serverless\",\n"
    "     \"sagemakerServerless\": {\"sagemakerEndpointConcurrency\": 3}}},\n"
    " \"manifestFile\": {\"manifestType\": \"KinesisStreamReaderManifest\",\n"
    "   \"kinesisReaderTaskStopCondition\": \"Continuous\"}}\n";

static void test_dataset_configuration(void **state)
{
    (void)state;
    char *config = path_in("dataset2.json"), *stream = path_in("dataset-stream.jsonl");
    FILE *f = fopen(config, "w");
    fputs(dataset2, f);
    fclose(f);
    json_t *docs = json_array();
    for (int i = 0; i < 10; i++)
        json_array_append_new(docs, upstream_document(i, sample_texts[i % 7]));
    write_stream(stream, docs);

    /* The configuration turns the chain on: it needs a vectorizer. */
    char *out = path_in("out-dataset");
    char *missing[] = {(char *)"--dataset", config, (char *)"--output", out, stream};
    assert_int_equal(run(missing, 5), 2);
    /* Its reader is kinesis: another --reader contradicts it. */
    char *contradiction[] = {(char *)"--dataset", config, (char *)"--reader", (char *)"queue",
                             (char *)"--vectorizer", (char *)"hash:8", (char *)"--output", out,
                             stream};
    assert_int_equal(run(contradiction, 9), 2);
    char *args[] = {(char *)"--dataset", config, (char *)"--vectorizer", (char *)"hash:8",
                    (char *)"--output", out, stream};
    assert_int_equal(run(args, 7), 0);
    json_t *written = lines_of(out, "documents.jsonl");
    assert_int_equal(json_array_size(written), 10);
    double expected[8];
    for (size_t i = 0; i < 10; i++) {
        json_t *upstream = json_array_get(docs, i);
        expected_hash(json_string_value(json_object_get(upstream, "docText")), 8, expected);
        assert_vector_document(json_array_get(written, i), upstream, expected, 8);
    }
    json_decref(written);
    json_decref(docs);

    /* The same configuration given as --manifest (as for file and Spark datasets) runs
     * the same chain. */
    char *same = path_in("out-dataset-manifest");
    char *as_manifest[] = {(char *)"--manifest", config, (char *)"--vectorizer",
                           (char *)"hash:8", (char *)"--output", same, stream};
    assert_int_equal(run(as_manifest, 7), 0);
    assert_true(files_equal(out, same, "documents.jsonl"));
    free(same);

    /* A configuration the runner cannot run is refused with the field named. */
    f = fopen(config, "w");
    fputs("{\"readConnector\": {\"readerType\": \"KAFKA\"}}", f);
    fclose(f);
    assert_int_equal(run(args, 7), 2);
    f = fopen(config, "w");
    fputs("{\"computeEngine\": {\"computeEngineType\": \"LAMBDA_AND_SAGEMAKER\"}}", f);
    fclose(f);
    assert_int_equal(run(args, 7), 2); /* --dataset names no reader */
    free(out);
    free(config);
    free(stream);
}

static void test_usage_errors(void **state)
{
    (void)state;
    char *stream = path_in("usage.jsonl");
    FILE *f = fopen(stream, "w");
    fclose(f);
    const char *const bad[][2] = {
        {"--vectorizer", "hash:0"},           {"--vectorizer", "hash:abc"},
        {"--vectorizer", "word2vec:5"},       {"--vectorizer", "sagemaker:"},
        {"--vector-jobs", "0"},               {"--vector-batch", "5000"},
        {"--vector-attempts", "x"},           {"--vector-timeout-ms", "-1"},
        {"--vectorizer", "http://"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *args[] = {(char *)"--reader", (char *)"kinesis", (char *)bad[i][0],
                        (char *)bad[i][1], (char *)"--vectorizer", (char *)"hash:4", stream};
        /* The bad option is given before the good spec: put it last when it is a spec. */
        if (strcmp(bad[i][0], "--vectorizer") == 0) {
            args[2] = (char *)"--vectorizer";
            args[3] = (char *)"hash:4";
            args[4] = (char *)bad[i][0];
            args[5] = (char *)bad[i][1];
        }
        if (run(args, 7) != 2)
            fail_msg("%s %s was accepted", bad[i][0], bad[i][1]);
    }
    /* No SagemakerVectorsInterface registered: refused before reading anything. */
    ld_registry *only_kinesis = ld_registry_new();
    ld_registry_set_kinesis_record_reader(only_kinesis, &ld_example_kinesis_reader);
    char *argv[] = {(char *)"run", (char *)"--reader", (char *)"kinesis", (char *)"--vectorizer",
                    (char *)"hash:4", stream};
    assert_int_equal(ldrun_main(6, argv, only_kinesis), 2);
    ld_registry_free(only_kinesis);
    free(stream);
}

/* Through the executable: hash runs never load libcurl; http runs load the network
 * module on demand and work. */
static void test_executable_loads_curl_only_for_http(void **state)
{
    (void)state;
    json_t *docs = json_array();
    for (int i = 0; i < 5; i++)
        json_array_append_new(docs, upstream_document(i, sample_texts[i]));
    char *stream = path_in("exe-stream.jsonl"), *out = path_in("out-exe");
    write_stream(stream, docs);
    json_decref(docs);
    char *argv[] = {(char *)runtime_exe, (char *)"--handler", (char *)examples_module,
                    (char *)"run", (char *)"--reader", (char *)"kinesis", (char *)"--vectorizer",
                    (char *)"hash:16", (char *)"--output", out, stream, NULL};
    char *env[] = {(char *)"LD_DEBUG=files", NULL};
    ldt_process_result result;
    assert_int_equal(ldt_process_run(argv, NULL, env, &result), 0);
    assert_int_equal(result.exit_status, 0);
    assert_null(strstr(result.err, "libcurl"));
    assert_non_null(strstr(result.err, "5 documents"));
    ldt_process_result_free(&result);

    server srv;
    server_start(&srv);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/invocations", srv.port);
    argv[7] = url;
    char *out2 = path_in("out-exe-http");
    argv[9] = out2;
    assert_int_equal(ldt_process_run(argv, NULL, env, &result), 0);
    assert_int_equal(result.exit_status, 0);
    assert_non_null(strstr(result.err, "libcurl"));
    assert_non_null(strstr(result.err, "5 documents"));
    ldt_process_result_free(&result);
    assert_true(srv.requests >= 1);
    server_stop(&srv);
    free(stream);
    free(out);
    free(out2);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s RUNTIME_EXE EXAMPLES_MODULE\n", argv[0]);
        return 2;
    }
    runtime_exe = argv[1];
    examples_module = argv[2];
    if (getenv("LD_UNDER_VALGRIND") != NULL)
        time_scale = 10;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_chain),
        cmocka_unit_test(test_http_vectorizer),
        cmocka_unit_test(test_parallel_tasks_keep_order_and_bound),
        cmocka_unit_test(test_http_timeouts_and_dead_endpoints),
        cmocka_unit_test(test_resume_vector_run),
        cmocka_unit_test(test_dataset_configuration),
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_executable_loads_curl_only_for_http),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
