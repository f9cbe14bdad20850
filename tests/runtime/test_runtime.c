/*
 * test_runtime.c - ld_runtime_invoke() and the one-shot/batch transports against the
 * conformance vectors (skeleton, bad requests), handler failure paths, and loading
 * handler libraries with --handler.
 *
 * SPDX-License-Identifier: MIT
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <letsdata/letsdata.h>
#include <letsdata/runtime.h>

#include "process.h"
#include "test_handlers.h"
#include "vectors.h"

static const char *runtime_exe; /* argv[1] */
static const char *module_ok, *module_no_entry, *module_failing;

/* ---- helpers ---- */

static json_t *invoke_json(const ld_registry *registry, const char *request, int *status)
{
    ld_response response = LD_RESPONSE_INIT;
    assert_int_equal(ld_runtime_invoke(registry, request, strlen(request), NULL, &response),
                     LD_OK);
    *status = response.status_code;
    json_error_t error;
    json_t *json = json_loadb(response.body, response.body_length, JSON_ALLOW_NUL, &error);
    assert_non_null(json);
    assert_int_equal(json_integer_value(json_object_get(json, "StatusCode")), *status);
    ld_response_clear(&response);
    return json;
}

static const char *error_message(const json_t *envelope)
{
    return json_string_value(json_object_get(json_object_get(envelope, "body"), "errorMessage"));
}

static const char *error_type(const json_t *envelope)
{
    return json_string_value(json_object_get(
        json_object_get(json_object_get(envelope, "body"), "exception"), "errorType"));
}

/* A SingleFileParser request with the given function and data members (JSON text). */
static char *request_for(const char *function, const char *data)
{
    char *text = NULL;
    int n = asprintf(&text,
                     "{\"requestId\":\"r-1\",\"interface\":\"SingleFileParser\",\"function\":"
                     "\"%s\",\"letsdataAuth\":{\"tenantId\":\"t\",\"userId\":\"u\","
                     "\"datasetName\":\"d\",\"datasetId\":\"i\"},\"data\":%s}",
                     function, data);
    assert_true(n > 0);
    return text;
}

static void check_all(const ldt_vector_set *set, const ld_registry *registry)
{
    for (size_t i = 0; i < set->count; i++) {
        ld_response response = LD_RESPONSE_INIT;
        const ldt_vector *v = &set->items[i];
        assert_int_equal(ld_runtime_invoke(registry, v->request, v->request_length, NULL,
                                           &response),
                         LD_OK);
        char *problem = ldt_vector_check(v, response.body, response.body_length);
        if (problem != NULL)
            fail_msg("%s", problem);
        assert_int_equal(response.status_code, v->expected ? (int)json_integer_value(
                                                                 json_object_get(v->expected,
                                                                                 "StatusCode"))
                                                           : 500);
        ld_response_clear(&response);
    }
}

/* ---- library entry point ---- */

static void test_skeleton_not_yet_implemented(void **state)
{
    (void)state;
    ldt_vector_set set;
    assert_int_equal(ldt_vectors_load_dir("skeleton", &set), 0);
    assert_int_equal(set.count, 9);
    ld_registry *empty = ld_registry_new();
    check_all(&set, empty);
    check_all(&set, NULL); /* a NULL registry is an empty one */
    ld_registry_free(empty);
    ldt_vector_set_free(&set);
}

static void test_bad_requests_name_the_field(void **state)
{
    (void)state;
    ldt_vector_set set;
    assert_int_equal(ldt_vectors_load_bad_requests(&set), 0);
    assert_int_equal(set.count, 44);
    ld_registry *registry = ld_registry_new();
    check_all(&set, registry);
    /* Validation comes before dispatch: a registered handler changes nothing. */
    assert_int_equal(ldt_register_test_handlers(registry), LD_OK);
    check_all(&set, registry);
    ld_registry_free(registry);
    ldt_vector_set_free(&set);
}

static void test_parse_document_index_rule(void **state)
{
    (void)state;
    ld_registry *registry = ld_registry_new();
    assert_int_equal(ldt_register_test_handlers(registry), LD_OK);
    int status;
    /* "é" is 2 bytes: endIndex counts UTF-8 bytes, not characters. */
    char *good = request_for("parseDocument",
                             "{\"s3FileType\":\"ok\",\"fileName\":\"f\",\"offsetBytes\":0,"
                             "\"content\":\"caf\\u00e9\",\"startIndex\":0,\"endIndex\":5}");
    json_t *json = invoke_json(registry, good, &status);
    assert_int_equal(status, 200);
    json_t *data = json_object_get(json_object_get(json, "body"), "data");
    assert_string_equal(json_string_value(json_object_get(data, "status")), "SUCCESS");
    assert_string_equal(json_string_value(json_object_get(data, "nextRecordType")), "NEXT");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_object_get(data, "document"),
                                            "documentKeyValuesMap"),
                            "text")),
                        "caf\xc3\xa9");
    json_decref(json);
    free(good);

    char *chars = request_for("parseDocument",
                              "{\"s3FileType\":\"ok\",\"fileName\":\"f\",\"offsetBytes\":0,"
                              "\"content\":\"caf\\u00e9\",\"startIndex\":0,\"endIndex\":4}");
    json = invoke_json(registry, chars, &status);
    assert_int_equal(status, 500);
    assert_non_null(strstr(error_message(json), "endIndex"));
    assert_non_null(strstr(error_message(json), "(5)"));
    json_decref(json);
    free(chars);

    char *start = request_for("parseDocument",
                              "{\"s3FileType\":\"ok\",\"fileName\":\"f\",\"offsetBytes\":0,"
                              "\"content\":\"abc\",\"startIndex\":1,\"endIndex\":3}");
    json = invoke_json(registry, start, &status);
    assert_int_equal(status, 500);
    assert_non_null(strstr(error_message(json), "startIndex"));
    json_decref(json);
    free(start);
    ld_registry_free(registry);
}

static void test_content_with_nul_bytes(void **state)
{
    (void)state;
    ld_registry *registry = ld_registry_new();
    assert_int_equal(ldt_register_test_handlers(registry), LD_OK);
    int status;
    char *request = request_for("parseDocument",
                                "{\"s3FileType\":\"ok\",\"fileName\":\"f\",\"offsetBytes\":0,"
                                "\"content\":\"a\\u0000b\",\"startIndex\":0,\"endIndex\":3}");
    json_t *json = invoke_json(registry, request, &status);
    assert_int_equal(status, 200);
    json_t *text = json_object_get(
        json_object_get(json_object_get(json_object_get(json_object_get(json, "body"), "data"),
                                        "document"),
                        "documentKeyValuesMap"),
        "text");
    assert_int_equal(json_string_length(text), 3);
    assert_memory_equal(json_string_value(text), "a\0b", 3);
    json_decref(json);
    free(request);
    ld_registry_free(registry);
}

static void test_interface_case_insensitive_function_case_sensitive(void **state)
{
    (void)state;
    ld_registry *registry = ld_registry_new();
    assert_int_equal(ldt_register_test_handlers(registry), LD_OK);
    const char *lower = "{\"requestId\":\"r\",\"interface\":\"singlefileparser\",\"function\":"
                        "\"getRecordStartPattern\",\"letsdataAuth\":{\"tenantId\":\"t\","
                        "\"userId\":\"u\",\"datasetName\":\"d\",\"datasetId\":\"i\"},"
                        "\"data\":{\"s3FileType\":\"ok\"}}";
    int status;
    json_t *json = invoke_json(registry, lower, &status);
    assert_int_equal(status, 200);
    json_t *hint = json_object_get(json_object_get(json, "body"), "data");
    assert_string_equal(json_string_value(json_object_get(hint, "recordHintType")), "PATTERN");
    assert_string_equal(json_string_value(json_object_get(hint, "pattern")), "WARC/1.0");
    assert_int_equal(json_integer_value(json_object_get(hint, "offset")), -1);
    json_decref(json);

    char *wrong_case = request_for("getrecordstartpattern", "{\"s3FileType\":\"ok\"}");
    json = invoke_json(registry, wrong_case, &status);
    assert_int_equal(status, 500);
    assert_non_null(strstr(error_message(json), "getrecordstartpattern"));
    json_decref(json);
    free(wrong_case);
    ld_registry_free(registry);
}

static const char *stack_trace(const json_t *envelope)
{
    return json_string_value(json_object_get(
        json_object_get(json_object_get(envelope, "body"), "exception"), "stackTrace"));
}

/* Issue #12: a request for an interface the handler never registered keeps the
 * reference's errorMessage and says in stackTrace what the handler did register. */
static void test_unregistered_interface_names_the_registered_ones(void **state)
{
    (void)state;
    ld_registry *registry = ld_registry_new();
    assert_int_equal(ldt_register_test_handlers(registry), LD_OK);
    const char *request =
        "{\"requestId\":\"r\",\"interface\":\"QueueMessageReader\",\"function\":"
        "\"parseMessage\",\"letsdataAuth\":{\"tenantId\":\"t\",\"userId\":\"u\","
        "\"datasetName\":\"d\",\"datasetId\":\"i\"},\"data\":{\"messageId\":\"m\","
        "\"messageAttributes\":{},"
        "\"messageBody\":\"{}\"}}";
    int status;
    json_t *json = invoke_json(registry, request, &status);
    assert_int_equal(status, 500);
    assert_string_equal(error_message(json), "Not Yet Implemented");
    assert_string_equal(error_type(json), "NotImplementedError");
    assert_string_equal(stack_trace(json),
                        "QueueMessageReader.parseMessage: the handler registered no "
                        "QueueMessageReader; it registered only SingleFileParser");
    json_decref(json);

    /* A registered interface with a NULL method says that instead. */
    char *missing = request_for("getResolvedS3FileName",
                                "{\"s3FileType\":\"x\",\"fileName\":\"f\"}");
    json = invoke_json(registry, missing, &status);
    assert_string_equal(error_message(json), "Not Yet Implemented");
    assert_string_equal(stack_trace(json), "SingleFileParser.getResolvedS3FileName: the "
                                           "registered SingleFileParser leaves this method NULL");
    json_decref(json);
    free(missing);
    ld_registry_free(registry);

    ld_registry *empty = ld_registry_new();
    json = invoke_json(empty, request, &status);
    assert_non_null(strstr(stack_trace(json), "it registered no interface"));
    json_decref(json);
    ld_registry_free(empty);
}

/* Reals in the response are spelled as the reference spells them (Python's json.dumps):
 * 6.77, not jansson's 6.7699999999999996. */
static void test_reals_written_as_python(void **state)
{
    (void)state;
    ld_registry *registry = ld_registry_new();
    assert_int_equal(ldt_register_test_handlers(registry), LD_OK);
    char *request = request_for("parseDocument",
                                "{\"s3FileType\":\"numbers\",\"fileName\":\"f\",\"offsetBytes\":0,"
                                "\"content\":\"x\",\"startIndex\":0,\"endIndex\":1}");
    ld_response response = LD_RESPONSE_INIT;
    assert_int_equal(ld_runtime_invoke(registry, request, strlen(request), NULL, &response),
                     LD_OK);
    assert_int_equal(response.status_code, 200);
    static const char *const spelled[] = {"\"score\":6.77,", "\"big\":1e+16,",
                                          "\"small\":1e-05,", "\"whole\":100.0,",
                                          "\"count\":3"};
    for (size_t i = 0; i < sizeof spelled / sizeof spelled[0]; i++)
        if (strstr(response.body, spelled[i]) == NULL)
            fail_msg("%s not in %s", spelled[i], response.body);
    ld_response_clear(&response);
    free(request);
    ld_registry_free(registry);
}

static void test_handler_failures(void **state)
{
    (void)state;
    ld_registry *registry = ld_registry_new();
    assert_int_equal(ldt_register_test_handlers(registry), LD_OK);
    struct {
        const char *function, *data, *type, *message;
    } cases[] = {
        {"getRecordStartPattern", "{\"s3FileType\":\"fail\"}", "ValueError",
         "s3FileType 'fail' is not supported"},
        {"getRecordStartPattern", "{\"s3FileType\":\"status\"}", "HandlerError",
         "LD_ERR_INVALID"},
        {"getRecordStartPattern", "{\"s3FileType\":\"empty\"}", "InvalidHandlerResult",
         "non-empty pattern"},
        {"getS3FileType", "{}", "InvalidHandlerResult", "no string"},
        {"getResolvedS3FileName", "{\"s3FileType\":\"x\",\"fileName\":\"f\"}",
         "NotImplementedError", "Not Yet Implemented"},
        {"parseDocument",
         "{\"s3FileType\":\"nodoc\",\"fileName\":\"f\",\"offsetBytes\":0,\"content\":\"x\","
         "\"startIndex\":0,\"endIndex\":1}",
         "InvalidHandlerResult", "status SUCCESS needs a Document, but the document is null"},
        {"parseDocument",
         "{\"s3FileType\":\"wrongkind\",\"fileName\":\"f\",\"offsetBytes\":0,\"content\":\"x\","
         "\"startIndex\":0,\"endIndex\":1}",
         "InvalidHandlerResult", "needs a Document, but the document is a ErrorDoc"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *request = request_for(cases[i].function, cases[i].data);
        int status;
        json_t *json = invoke_json(registry, request, &status);
        assert_int_equal(status, 500);
        if (strstr(error_message(json), cases[i].message) == NULL ||
            strcmp(error_type(json), cases[i].type) != 0)
            fail_msg("case %zu: got %s: %s", i, error_type(json), error_message(json));
        json_decref(json);
        free(request);
    }
    /* The ERROR path is a success envelope carrying an ErrorDoc. */
    char *request = request_for("parseDocument",
                                "{\"s3FileType\":\"error\",\"fileName\":\"f\",\"offsetBytes\":0,"
                                "\"content\":\"x\",\"startIndex\":0,\"endIndex\":1}");
    int status;
    json_t *json = invoke_json(registry, request, &status);
    assert_int_equal(status, 200);
    json_t *doc = json_object_get(json_object_get(json_object_get(json, "body"), "data"),
                                  "document");
    assert_string_equal(json_string_value(json_object_get(doc, "documentType")), "ErrorDoc");
    assert_string_equal(json_string_value(json_object_get(doc, "errorMessage")), "bad record");
    assert_true(json_is_null(json_object_get(doc, "errorStartoffsetMap")));
    json_decref(json);
    free(request);
    ld_registry_free(registry);
}

static void test_context_sees_request_and_auth(void **state)
{
    (void)state;
    ld_registry *registry = ld_registry_new();
    assert_int_equal(ldt_register_test_handlers(registry), LD_OK);
    char *request = request_for("parseDocument",
                                "{\"s3FileType\":\"context\",\"fileName\":\"f\","
                                "\"offsetBytes\":0,\"content\":\"x\",\"startIndex\":0,"
                                "\"endIndex\":1}");
    int status;
    json_t *json = invoke_json(registry, request, &status);
    json_t *values = json_object_get(
        json_object_get(json_object_get(json_object_get(json, "body"), "data"), "document"),
        "documentKeyValuesMap");
    assert_string_equal(json_string_value(json_object_get(values, "requestId")), "r-1");
    assert_string_equal(json_string_value(json_object_get(values, "tenantId")), "t");
    assert_string_equal(json_string_value(json_object_get(values, "userId")), "u");
    assert_string_equal(json_string_value(json_object_get(values, "datasetName")), "d");
    assert_string_equal(json_string_value(json_object_get(values, "datasetId")), "i");
    json_decref(json);
    free(request);
    ld_registry_free(registry);
}

/* ---- the executable: one-shot and batch ---- */

static void run_vectors_oneshot(const ldt_vector_set *set)
{
    for (size_t i = 0; i < set->count; i++) {
        const ldt_vector *v = &set->items[i];
        char *path = ldt_temp_file(v->request, v->request_length);
        assert_non_null(path);
        ldt_process_result result;
        char *const argv[] = {(char *)runtime_exe, (char *)"invoke", path, NULL};
        assert_int_equal(ldt_process_run(argv, NULL, NULL, &result), 0);
        char *problem = ldt_vector_check(v, result.out, result.out_length);
        if (problem != NULL)
            fail_msg("%s (stderr: %s)", problem, result.err);
        assert_int_equal(result.exit_status, 1); /* EXCEPTION envelope */

        /* The same through stdin. */
        ldt_process_result piped;
        char *const argv_stdin[] = {(char *)runtime_exe, NULL};
        assert_int_equal(ldt_process_run(argv_stdin, path, NULL, &piped), 0);
        assert_int_equal(piped.out_length, result.out_length);
        assert_memory_equal(piped.out, result.out, result.out_length);
        ldt_process_result_free(&piped);
        ldt_process_result_free(&result);
        unlink(path);
        free(path);
    }
}

static void test_oneshot_vectors(void **state)
{
    (void)state;
    ldt_vector_set skeleton, bad;
    assert_int_equal(ldt_vectors_load_dir("skeleton", &skeleton), 0);
    assert_int_equal(ldt_vectors_load_bad_requests(&bad), 0);
    run_vectors_oneshot(&skeleton);
    run_vectors_oneshot(&bad);
    ldt_vector_set_free(&skeleton);
    ldt_vector_set_free(&bad);
}

static void test_batch_vectors_in_order(void **state)
{
    (void)state;
    ldt_vector_set skeleton, bad;
    assert_int_equal(ldt_vectors_load_dir("skeleton", &skeleton), 0);
    assert_int_equal(ldt_vectors_load_bad_requests(&bad), 0);
    /* One line per request: skeleton requests compacted, bad requests as they are
     * (none contains a newline), with a blank line that must be skipped. */
    char *lines = NULL;
    size_t length = 0;
    FILE *f = open_memstream(&lines, &length);
    const ldt_vector *order[64];
    size_t count = 0;
    for (size_t i = 0; i < skeleton.count; i++) {
        json_t *json = json_loadb(skeleton.items[i].request, skeleton.items[i].request_length,
                                  0, NULL);
        char *compact = json_dumps(json, JSON_COMPACT);
        fprintf(f, "%s\n", compact);
        free(compact);
        json_decref(json);
        order[count++] = &skeleton.items[i];
        if (i == 0)
            fputs("\n", f);
    }
    for (size_t i = 0; i < bad.count; i++) {
        fwrite(bad.items[i].request, 1, bad.items[i].request_length, f);
        fputc('\n', f);
        order[count++] = &bad.items[i];
    }
    fclose(f);
    char *path = ldt_temp_file(lines, length);
    free(lines);
    ldt_process_result result;
    char *const argv[] = {(char *)runtime_exe, (char *)"batch", path, NULL};
    assert_int_equal(ldt_process_run(argv, NULL, NULL, &result), 0);
    assert_int_equal(result.exit_status, 0);
    char *cursor = result.out;
    for (size_t i = 0; i < count; i++) {
        char *newline = strchr(cursor, '\n');
        assert_non_null(newline);
        char *problem = ldt_vector_check(order[i], cursor, (size_t)(newline - cursor));
        if (problem != NULL)
            fail_msg("line %zu: %s", i + 1, problem);
        cursor = newline + 1;
    }
    assert_string_equal(cursor, ""); /* nothing more */
    ldt_process_result_free(&result);
    unlink(path);
    free(path);
    ldt_vector_set_free(&skeleton);
    ldt_vector_set_free(&bad);
}

/* ---- --handler ---- */

static void test_handler_library_is_loaded(void **state)
{
    (void)state;
    char *request = request_for("getRecordStartPattern", "{\"s3FileType\":\"ok\"}");
    char *path = ldt_temp_file(request, strlen(request));
    ldt_process_result result;
    char *const argv[] = {(char *)runtime_exe, (char *)"--handler", (char *)module_ok,
                          (char *)"invoke", path, NULL};
    assert_int_equal(ldt_process_run(argv, NULL, NULL, &result), 0);
    assert_int_equal(result.exit_status, 0);
    assert_non_null(strstr(result.out, "\"pattern\":\"WARC/1.0\""));
    ldt_process_result_free(&result);

    struct {
        const char *module, *message;
    } failures[] = {
        {"/nonexistent/libnothing.so", "cannot load handler library /nonexistent/libnothing.so"},
        {module_no_entry, "does not export ld_register_handlers()"},
        {module_failing, "QueueMessageReader: version is 0"},
    };
    for (size_t i = 0; i < sizeof failures / sizeof failures[0]; i++) {
        char *const bad_argv[] = {(char *)runtime_exe, (char *)"--handler",
                                  (char *)failures[i].module, (char *)"invoke", path, NULL};
        assert_int_equal(ldt_process_run(bad_argv, NULL, NULL, &result), 0);
        assert_int_equal(result.exit_status, 1);
        if (strstr(result.err, failures[i].message) == NULL)
            fail_msg("case %zu: stderr was: %s", i, result.err);
        assert_string_equal(result.out, "");
        ldt_process_result_free(&result);
    }
    unlink(path);
    free(path);
    free(request);
}

static void test_usage_errors(void **state)
{
    (void)state;
    ldt_process_result result;
    char *const unknown[] = {(char *)runtime_exe, (char *)"frobnicate", NULL};
    assert_int_equal(ldt_process_run(unknown, NULL, NULL, &result), 0);
    assert_int_equal(result.exit_status, 2);
    assert_non_null(strstr(result.err, "unknown mode 'frobnicate'"));
    ldt_process_result_free(&result);

    char *const missing[] = {(char *)runtime_exe, (char *)"invoke", (char *)"/nonexistent.json",
                             NULL};
    assert_int_equal(ldt_process_run(missing, NULL, NULL, &result), 0);
    assert_int_equal(result.exit_status, 2);
    assert_non_null(strstr(result.err, "cannot open /nonexistent.json"));
    ldt_process_result_free(&result);

    char *const help[] = {(char *)runtime_exe, (char *)"--help", NULL};
    assert_int_equal(ldt_process_run(help, NULL, NULL, &result), 0);
    assert_int_equal(result.exit_status, 0);
    assert_non_null(strstr(result.out, "--handler LIB.so"));
    assert_non_null(strstr(result.out, "AWS_LAMBDA_RUNTIME_API"));
    ldt_process_result_free(&result);

    char *const bad_port[] = {(char *)runtime_exe, (char *)"serve", (char *)"--port",
                              (char *)"70000", NULL};
    assert_int_equal(ldt_process_run(bad_port, NULL, NULL, &result), 0);
    assert_int_equal(result.exit_status, 2);
    assert_non_null(strstr(result.err, "--port"));
    ldt_process_result_free(&result);
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s RUNTIME_EXE MODULE MODULE_NO_ENTRY MODULE_FAILING\n",
                argv[0]);
        return 2;
    }
    runtime_exe = argv[1];
    module_ok = argv[2];
    module_no_entry = argv[3];
    module_failing = argv[4];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_skeleton_not_yet_implemented),
        cmocka_unit_test(test_bad_requests_name_the_field),
        cmocka_unit_test(test_parse_document_index_rule),
        cmocka_unit_test(test_content_with_nul_bytes),
        cmocka_unit_test(test_interface_case_insensitive_function_case_sensitive),
        cmocka_unit_test(test_handler_failures),
        cmocka_unit_test(test_reals_written_as_python),
        cmocka_unit_test(test_unregistered_interface_names_the_registered_ones),
        cmocka_unit_test(test_context_sees_request_and_auth),
        cmocka_unit_test(test_oneshot_vectors),
        cmocka_unit_test(test_batch_vectors_in_order),
        cmocka_unit_test(test_handler_library_is_loaded),
        cmocka_unit_test(test_usage_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
