/*
 * kit.c - the handler-testing kit beyond JSON comparison (letsdata/testing.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <letsdata/testing.h>

#define TEST_REQUEST_ID "test-request"
#define TEST_TENANT "test-tenant"
#define TEST_USER "test-user"
#define TEST_DATASET "test-dataset"
#define TEST_DATASET_ID "test-dataset-id"

/* "A: B" (or "A" when B is empty) as a new string. */
static char *describe(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 3;
    char *text = malloc(n);
    if (text != NULL)
        snprintf(text, n, *b ? "%s: %s" : "%s", a, b);
    return text;
}

int ld_testing_json_match_text(const char *expected_json, const json_t *actual,
                               char **difference)
{
    json_error_t error;
    json_t *expected = json_loads(expected_json, JSON_DECODE_ANY | JSON_ALLOW_NUL, &error);
    if (expected == NULL) {
        if (difference != NULL)
            *difference = describe("the expected JSON is invalid", error.text);
        return 0;
    }
    int match = ld_testing_json_match(expected, actual, difference);
    json_decref(expected);
    return match;
}

ld_context *ld_testing_context(void)
{
    return ld_context_new(TEST_REQUEST_ID, TEST_TENANT, TEST_USER, TEST_DATASET,
                          TEST_DATASET_ID);
}

char *ld_testing_request(const char *interface_name, const char *function, const json_t *data)
{
    json_t *request = json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s}}", "requestId",
                                TEST_REQUEST_ID, "interface", interface_name, "function",
                                function, "letsdataAuth", "tenantId", TEST_TENANT, "userId",
                                TEST_USER, "datasetName", TEST_DATASET, "datasetId",
                                TEST_DATASET_ID);
    if (request == NULL)
        return NULL;
    if (data != NULL && json_object_set(request, "data", (json_t *)data) != 0) {
        json_decref(request);
        return NULL;
    }
    /* Reals as the reference writes them (6.77, not 6.7699999999999996). */
    char *text = ld_json_dumps(request, JSON_COMPACT);
    json_decref(request);
    return text;
}

json_t *ld_testing_invoke(const ld_registry *registry, const char *request, size_t length)
{
    ld_response response = LD_RESPONSE_INIT;
    if (ld_runtime_invoke(registry, request, length, NULL, &response) != LD_OK)
        return NULL;
    json_t *envelope = json_loadb(response.body, response.body_length, JSON_ALLOW_NUL, NULL);
    ld_response_clear(&response);
    return envelope;
}

char *ld_testing_read_file(const char *path, size_t *length)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *data = NULL;
    size_t used = 0, capacity = 0, n;
    do {
        if (capacity - used < 65536) {
            capacity = capacity * 2 + 65536;
            char *grown = realloc(data, capacity + 1);
            if (grown == NULL) {
                free(data);
                fclose(f);
                errno = ENOMEM;
                return NULL;
            }
            data = grown;
        }
        n = fread(data + used, 1, capacity - used, f);
        used += n;
    } while (n > 0);
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        free(data);
        errno = EIO;
        return NULL;
    }
    data[used] = '\0';
    if (length != NULL)
        *length = used;
    return data;
}

char *ld_testing_check_files(const ld_registry *registry, const char *request_path,
                             const char *response_path)
{
    size_t length;
    char *request = ld_testing_read_file(request_path, &length);
    if (request == NULL)
        return describe(request_path, strerror(errno));
    json_error_t error;
    json_t *expected = json_load_file(response_path, 0, &error);
    if (expected == NULL) {
        free(request);
        return describe(response_path, error.text);
    }
    json_t *actual = ld_testing_invoke(registry, request, length);
    free(request);
    char *difference = NULL;
    if (actual == NULL)
        difference = describe(request_path, "out of memory serving the request");
    else if (!ld_testing_json_match(expected, actual, &difference) && difference == NULL)
        difference = describe(request_path, "mismatch");
    json_decref(expected);
    json_decref(actual);
    return difference;
}

int ld_testing_document_matches(const ld_document *document, const char *expected_json,
                                char **difference)
{
    json_t *actual = document != NULL ? ld_document_to_json(document) : json_null();
    int match = ld_testing_json_match_text(expected_json, actual, difference);
    json_decref(actual);
    return match;
}

int ld_testing_result_matches(const ld_parse_document_result *result,
                              const char *expected_json, char **difference)
{
    json_t *actual = ld_parse_document_result_to_json(result);
    int match = ld_testing_json_match_text(expected_json, actual, difference);
    json_decref(actual);
    return match;
}
