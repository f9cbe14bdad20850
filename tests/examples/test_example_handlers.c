/*
 * test_example_handlers.c - unit tests of the example handlers, written the way a
 * customer tests theirs: call the methods directly with a test context, or through the
 * runtime with ld_testing_invoke(), and compare with expected JSON (letsdata/testing.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <letsdata/letsdata.h>
#include <letsdata/testing.h>

#include "examples.h"

static const char wet_record[] =
    "WARC/1.0\r\n"
    "WARC-Type: conversion\r\n"
    "WARC-Target-URI: http://example.com/caf\xc3\xa9\r\n"
    "WARC-Date: 2022-05-16T04:40:56Z\r\n"
    "WARC-Identified-Content-Language: fra\r\n"
    "Content-Type: text/plain\r\n"
    "Content-Length: 12\r\n"
    "\r\n"
    "\xe3\x80\x80  Bonjour caf\xc3\xa9 \n\r\n\r\n";

static void test_wet_parse_document(void **state)
{
    (void)state;
    ld_context *ctx = ld_testing_context();
    ld_parse_document_result result = LD_PARSE_DOCUMENT_RESULT_INIT;
    assert_int_equal(ld_example_wet_parser.parse_document(ctx, NULL, "WET", "f.wet.gz", 0,
                                                          wet_record, 0, sizeof wet_record - 1,
                                                          &result),
                     LD_OK);
    /* docText is trimmed of Unicode white space (U+3000 too), like Python's strip(). */
    char *difference = NULL;
    if (!ld_testing_result_matches(
            &result,
            "{\"status\":\"SUCCESS\",\"nextRecordType\":null,\"document\":{"
            "\"documentType\":\"Document\",\"documentId\":\"http://example.com/caf\\u00e9\","
            "\"recordType\":\"Content\",\"partitionKey\":\"http://example.com/caf\\u00e9\","
            "\"documentMetadata\":{},\"documentKeyValuesMap\":{"
            "\"docText\":\"Bonjour caf\\u00e9\",\"url\":\"http://example.com/caf\\u00e9\","
            "\"docId\":\"http://example.com/caf\\u00e9\","
            "\"partitionKey\":\"http://example.com/caf\\u00e9\",\"language\":\"fra\","
            "\"contentType\":\"text/plain\",\"warcDate\":\"2022-05-16T04:40:56Z\"}}}",
            &difference))
        fail_msg("%s", difference);
    ld_parse_document_result_clear(&result);
    ld_context_free(ctx);
}

static void test_wet_failures(void **state)
{
    (void)state;
    const char *records[][2] = {
        {"WARC/1.0\r\nWARC-Target-URI: http://x/\r\n", "no end of header"},
        {"WARC/1.0\r\nWARC-Target-URI: http://x/\r\n\r\n   \n", "document text is empty"},
        {"WARC/1.0\r\nWARC-Date: 2022\r\n\r\ntext", "WARC-Target-URI is missing"},
        {"WARC/1.0\r\nbroken header\r\n\r\ntext", "has no ':'"},
    };
    for (size_t i = 0; i < sizeof records / sizeof records[0]; i++) {
        ld_context *ctx = ld_testing_context();
        ld_parse_document_result result = LD_PARSE_DOCUMENT_RESULT_INIT;
        assert_int_equal(ld_example_wet_parser.parse_document(ctx, NULL, "WET", "f", 0,
                                                              records[i][0], 0,
                                                              strlen(records[i][0]), &result),
                         LD_ERR_HANDLER);
        if (strstr(ld_context_error_message(ctx), records[i][1]) == NULL)
            fail_msg("case %zu: %s", i, ld_context_error_message(ctx));
        assert_null(result.document);
        ld_context_free(ctx);
    }
}

static void test_wet_patterns_through_the_runtime(void **state)
{
    (void)state;
    ld_registry *registry = ld_registry_new();
    assert_int_equal(ld_examples_register(registry), LD_OK);
    json_t *data = json_pack("{s:s}", "s3FileType", "WET");
    char *request = ld_testing_request("SingleFileParser", "getRecordEndPattern", data);
    json_t *envelope = ld_testing_invoke(registry, request, strlen(request));
    LD_ASSERT_JSON_MATCH("{\"StatusCode\":200,\"headers\":{\"Content-Type\":"
                         "\"application/json\"},\"body\":{\"statusCode\":\"SUCCESS\","
                         "\"data\":{\"recordHintType\":\"PATTERN\",\"pattern\":"
                         "\"\\n\\r\\n\\r\\n\",\"offset\":-1}}}",
                         envelope);
    json_decref(envelope);
    ld_free(request);
    json_decref(data);
    ld_registry_free(registry);
}

static void test_sqs_paths(void **state)
{
    (void)state;
    ld_context *ctx = ld_testing_context();
    ld_parse_document_result result = LD_PARSE_DOCUMENT_RESULT_INIT;
    const char *body = "{\"documentId\":\"d1\",\"partitionKey\":\"p1\",\"v\":[1.5,2]}";
    assert_int_equal(ld_example_sqs_reader.parse_message(ctx, NULL, "m-1", NULL, NULL, NULL,
                                                         body, strlen(body), &result),
                     LD_OK);
    json_t *actual = ld_parse_document_result_to_json(&result);
    LD_ASSERT_JSON_MATCH("{\"status\":\"SUCCESS\",\"nextRecordType\":\"<uuid>\",\"document\":{"
                         "\"documentType\":\"Document\",\"documentId\":\"d1\",\"recordType\":"
                         "\"DOCUMENT\",\"partitionKey\":\"p1\",\"documentMetadata\":{},"
                         "\"documentKeyValuesMap\":{\"documentId\":\"d1\",\"partitionKey\":"
                         "\"p1\",\"v\":[1.5,2]}}}",
                         actual);
    json_decref(actual);
    ld_parse_document_result_clear(&result);

    const char *bad[][2] = {{" \n ", "empty message body"}, {"{oops", "JSONDecodeError - "}};
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(ld_example_sqs_reader.parse_message(ctx, NULL, "m-2", NULL, NULL, NULL,
                                                             bad[i][0], strlen(bad[i][0]),
                                                             &result),
                         LD_OK);
        assert_int_equal(result.status, LD_PARSE_ERROR);
        assert_string_equal(ld_document_get_record_type(result.document), "SQS_ERROR");
        assert_string_equal(ld_document_get_partition_key(result.document), "m-2");
        assert_true(ld_uuid_is_valid(ld_document_get_id(result.document)));
        assert_non_null(strstr(ld_document_get_message(result.document), bad[i][1]));
        ld_parse_document_result_clear(&result);
    }
    ld_context_free(ctx);
}

static void test_kinesis_error_offsets(void **state)
{
    (void)state;
    ld_context *ctx = ld_testing_context();
    ld_parse_document_result result = LD_PARSE_DOCUMENT_RESULT_INIT;
    const char *data = "{\"no\":\"documentId\"}";
    assert_int_equal(ld_example_kinesis_reader.parse_message(ctx, NULL, "arn", "shard", "pk",
                                                             "seq-7", 0, data, strlen(data),
                                                             &result),
                     LD_OK);
    char *difference = NULL;
    if (!ld_testing_document_matches(
            result.document,
            "{\"documentType\":\"ErrorDoc\",\"documentId\":\"<uuid>\",\"recordType\":"
            "\"KINESIS_ERROR\",\"partitionKey\":\"pk\",\"documentMetadata\":{},"
            "\"documentKeyValuesMap\":{},\"errorStartoffsetMap\":{\"sequenceNumber\":\"seq-7\"},"
            "\"errorEndoffsetMap\":{\"sequenceNumber\":\"seq-7\"},\"errorMessage\":\"<string>\"}",
            &difference))
        fail_msg("%s", difference);
    ld_parse_document_result_clear(&result);
    ld_context_free(ctx);
}

static void test_dynamodb_readers(void **state)
{
    (void)state;
    ld_context *ctx = ld_testing_context();
    ld_parse_document_result result = LD_PARSE_DOCUMENT_RESULT_INIT;
    json_t *keys = json_pack("{s:s, s:s}", "pk", "a", "sk", "b");
    json_t *bad_keys = json_pack("{s:i}", "pk", 1);
    json_t *empty = json_object();
    json_t *image = json_pack("{s:s, s:i}", "pk", "a", "n", 3);

    assert_int_equal(ld_example_dynamodb_streams_reader.parse_record(
                         ctx, NULL, "arn", "s", "e", "REMOVE", NULL, NULL, "100", 1, "KEYS", 0,
                         keys, image, empty, &result),
                     LD_OK);
    assert_int_equal(result.status, LD_PARSE_SKIP);
    assert_string_equal(ld_document_get_id(result.document), "a|b");
    ld_parse_document_result_clear(&result);

    assert_int_equal(ld_example_dynamodb_streams_reader.parse_record(
                         ctx, NULL, "arn", "s", "e", "INSERT", NULL, NULL, "100", 1, "KEYS", 0,
                         bad_keys, empty, image, &result),
                     LD_OK);
    assert_int_equal(result.status, LD_PARSE_ERROR);
    assert_non_null(strstr(ld_document_get_message(result.document), "Exception - "));
    assert_false(ld_context_failed(ctx));
    ld_parse_document_result_clear(&result);

    assert_int_equal(ld_example_dynamodb_table_reader.parse_dynamodb_item(ctx, NULL, "T", 0,
                                                                          keys, image, &result),
                     LD_OK);
    assert_int_equal(result.status, LD_PARSE_SUCCESS);
    assert_true(json_equal(ld_document_get_key_values(result.document), image));
    ld_parse_document_result_clear(&result);

    assert_int_equal(ld_example_dynamodb_table_reader.parse_dynamodb_item(ctx, NULL, "T", 0,
                                                                          keys, empty, &result),
                     LD_OK);
    assert_int_equal(result.status, LD_PARSE_ERROR);
    assert_string_equal(ld_document_get_message(result.document), "empty record");
    ld_parse_document_result_clear(&result);
    json_decref(keys);
    json_decref(bad_keys);
    json_decref(empty);
    json_decref(image);
    ld_context_free(ctx);
}

static void test_sagemaker(void **state)
{
    (void)state;
    ld_context *ctx = ld_testing_context();
    json_t *doc = json_pack("{s:s, s:s, s:s, s:{}}", "docId", "d", "partitionKey", "p",
                            "docText", "hello", "documentMetadata");
    json_t *elements = NULL;
    assert_int_equal(ld_example_sagemaker_vectors.extract_document_elements_for_vectorization(
                         ctx, NULL, doc, &elements),
                     LD_OK);
    LD_ASSERT_JSON_MATCH("{\"docText\":\"hello\"}", elements);
    json_decref(elements);

    json_t *vectors = json_pack("{s:[f,f]}", "docText", 0.25, -1.5);
    ld_document *out = NULL;
    assert_int_equal(ld_example_sagemaker_vectors.construct_vector_doc(ctx, NULL, doc, vectors,
                                                                       &out),
                     LD_OK);
    char *difference = NULL;
    if (!ld_testing_document_matches(
            out,
            "{\"documentType\":\"Document\",\"documentId\":\"d\",\"recordType\":\"Vectors\","
            "\"partitionKey\":\"p\",\"documentMetadata\":{},\"documentKeyValuesMap\":{"
            "\"docId\":\"d\",\"partitionKey\":\"p\",\"documentMetadata\":{},"
            "\"vectors\":{\"docText\":[0.25,-1.5]}}}",
            &difference))
        fail_msg("%s", difference);
    ld_document_free(out);

    json_t *no_text = json_object();
    assert_int_equal(ld_example_sagemaker_vectors.extract_document_elements_for_vectorization(
                         ctx, NULL, no_text, &elements),
                     LD_ERR_HANDLER);
    assert_non_null(strstr(ld_context_error_message(ctx), "docText"));
    json_decref(no_text);
    json_decref(vectors);
    json_decref(doc);
    ld_context_free(ctx);
}

static void test_vector_files_with_the_kit(void **state)
{
    (void)state;
    const char *root = getenv("LD_CONFORMANCE_DIR");
    assert_non_null(root);
    ld_registry *registry = ld_registry_new();
    assert_int_equal(ld_examples_register(registry), LD_OK);
    char request[4096], response[4096];
    snprintf(request, sizeof request, "%s/examples-more/07-QueueMessageReader-parseMessage.request.json", root);
    snprintf(response, sizeof response, "%s/examples-more/07-QueueMessageReader-parseMessage.response.json", root);
    char *difference = ld_testing_check_files(registry, request, response);
    if (difference != NULL)
        fail_msg("%s", difference);
    difference = ld_testing_check_files(registry, "/nonexistent.json", response);
    assert_non_null(strstr(difference, "/nonexistent.json"));
    ld_free(difference);
    ld_registry_free(registry);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wet_parse_document),
        cmocka_unit_test(test_wet_failures),
        cmocka_unit_test(test_wet_patterns_through_the_runtime),
        cmocka_unit_test(test_sqs_paths),
        cmocka_unit_test(test_kinesis_error_offsets),
        cmocka_unit_test(test_dynamodb_readers),
        cmocka_unit_test(test_sagemaker),
        cmocka_unit_test(test_vector_files_with_the_kit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
