/*
 * test_examples.c - all 19 example vectors (examples/ and examples-more/) through the
 * library entry point, the local HTTP endpoint, `letsdata-runtime --handler
 * libletsdata-examples.so invoke` and the static `bootstrap`.
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
#include <curl/curl.h>

#include <letsdata/letsdata.h>
#include <letsdata/runtime.h>

#include "examples.h"
#include "http_client.h"
#include "process.h"
#include "transport.h"
#include "vectors.h"

static const char *runtime_exe, *examples_module, *bootstrap_exe;
static ldt_vector_set all;

static int load_all(void **state)
{
    (void)state;
    ldt_vector_set more;
    if (ldt_vectors_load_dir("examples", &all) != 0 ||
        ldt_vectors_load_dir("examples-more", &more) != 0)
        return -1;
    ldt_vector *items = realloc(all.items, (all.count + more.count) * sizeof *items);
    if (items == NULL)
        return -1;
    memcpy(items + all.count, more.items, more.count * sizeof *items);
    all.items = items;
    all.count += more.count;
    free(more.items);
    return 0;
}

static int free_all(void **state)
{
    (void)state;
    ldt_vector_set_free(&all);
    return 0;
}

static void test_library_entry_point(void **state)
{
    (void)state;
    assert_int_equal(all.count, 19);
    ld_registry *registry = ld_registry_new();
    assert_int_equal(ld_examples_register(registry), LD_OK);
    for (size_t i = 0; i < all.count; i++) {
        ld_response response = LD_RESPONSE_INIT;
        assert_int_equal(ld_runtime_invoke(registry, all.items[i].request,
                                           all.items[i].request_length, NULL, &response),
                         LD_OK);
        char *problem = ldt_vector_check(&all.items[i], response.body, response.body_length);
        if (problem != NULL)
            fail_msg("%s", problem);
        ld_response_clear(&response);
    }
    ld_registry_free(registry);
}

static void test_http_endpoint(void **state)
{
    (void)state;
    ld_registry *registry = ld_registry_new();
    assert_int_equal(ld_examples_register(registry), LD_OK);
    ldrt_http_options options = LDRT_HTTP_OPTIONS_INIT;
    options.port = 0;
    options.quiet = 1;
    ldrt_http_server *server = NULL;
    ld_error error = {0};
    assert_int_equal(ldrt_http_start(registry, &options, &server, &error), LD_OK);
    for (size_t i = 0; i < all.count; i++) {
        ldt_http_reply reply;
        assert_int_equal(ldt_http_request("POST", ldrt_http_port(server), LDRT_HTTP_INVOKE_PATH,
                                          all.items[i].request, all.items[i].request_length,
                                          &reply),
                         0);
        assert_int_equal(reply.status, 200);
        char *problem = ldt_vector_check(&all.items[i], reply.body, reply.body_length);
        if (problem != NULL)
            fail_msg("%s", problem);
        ldt_http_reply_free(&reply);
    }
    ldrt_http_stop(server);
    ld_registry_free(registry);
}

static void run_executable(const char *const *prefix, size_t prefix_count)
{
    for (size_t i = 0; i < all.count; i++) {
        char *path = ldt_temp_file(all.items[i].request, all.items[i].request_length);
        char *argv[8];
        size_t n = 0;
        for (size_t k = 0; k < prefix_count; k++)
            argv[n++] = (char *)prefix[k];
        argv[n++] = (char *)"invoke";
        argv[n++] = path;
        argv[n] = NULL;
        ldt_process_result result;
        assert_int_equal(ldt_process_run(argv, NULL, NULL, &result), 0);
        char *problem = ldt_vector_check(&all.items[i], result.out, result.out_length);
        if (problem != NULL)
            fail_msg("%s (stderr: %s)", problem, result.err);
        assert_int_equal(result.exit_status, 0); /* every example vector is a SUCCESS */
        ldt_process_result_free(&result);
        unlink(path);
        free(path);
    }
}

static void test_runtime_with_handler_library(void **state)
{
    (void)state;
    const char *prefix[] = {runtime_exe, "--handler", examples_module};
    run_executable(prefix, 3);
}

static void test_static_bootstrap(void **state)
{
    (void)state;
    const char *prefix[] = {bootstrap_exe};
    run_executable(prefix, 1);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s RUNTIME_EXE EXAMPLES_MODULE BOOTSTRAP\n", argv[0]);
        return 2;
    }
    runtime_exe = argv[1];
    examples_module = argv[2];
    bootstrap_exe = argv[3];
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_library_entry_point),
        cmocka_unit_test(test_http_endpoint),
        cmocka_unit_test(test_runtime_with_handler_library),
        cmocka_unit_test(test_static_bootstrap),
    };
    int failed = cmocka_run_group_tests(tests, load_all, free_all);
    curl_global_cleanup();
    return failed;
}
