/*
 * test_word_count.c - unit tests of the handler with CMocka and the SDK's testing kit.
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

#include <letsdata/testing.h>

#include "word_count.h"

static void test_counts_words(void **state)
{
    (void)state;
    ld_context *ctx = ld_testing_context();
    ld_parse_document_result result = LD_PARSE_DOCUMENT_RESULT_INIT;
    const char *text = "  the quick  brown fox ";
    assert_int_equal(word_count_reader.parse_message(ctx, NULL, "arn", "shard-1", "pk", "42", 0,
                                                     text, strlen(text), &result),
                     LD_OK);
    char *difference = NULL;
    if (!ld_testing_result_matches(&result,
                                   "{\"status\":\"SUCCESS\",\"nextRecordType\":null,"
                                   "\"document\":{\"documentType\":\"Document\","
                                   "\"documentId\":\"42\",\"recordType\":\"WORDS\","
                                   "\"partitionKey\":\"pk\",\"documentMetadata\":{},"
                                   "\"documentKeyValuesMap\":{\"text\":\"<string>\","
                                   "\"words\":4}}}",
                                   &difference))
        fail_msg("%s", difference);
    ld_parse_document_result_clear(&result);
    ld_context_free(ctx);
}

/* Kinesis data are bytes: invalid UTF-8 becomes U+FFFD, as in Python, and the record
 * still makes a Document. */
static void test_invalid_utf8_is_replaced(void **state)
{
    (void)state;
    ld_context *ctx = ld_testing_context();
    ld_parse_document_result result = LD_PARSE_DOCUMENT_RESULT_INIT;
    const char *text = "caf\xE9 au lait"; /* Latin-1 */
    assert_int_equal(word_count_reader.parse_message(ctx, NULL, "arn", "shard-1", "pk", "43", 0,
                                                     text, strlen(text), &result),
                     LD_OK);
    char *difference = NULL;
    if (!ld_testing_result_matches(&result,
                                   "{\"status\":\"SUCCESS\",\"nextRecordType\":null,"
                                   "\"document\":{\"documentType\":\"Document\","
                                   "\"documentId\":\"43\",\"recordType\":\"WORDS\","
                                   "\"partitionKey\":\"pk\",\"documentMetadata\":{},"
                                   "\"documentKeyValuesMap\":{\"text\":\"caf\\ufffd au lait\","
                                   "\"words\":3}}}",
                                   &difference))
        fail_msg("%s", difference);
    ld_free(difference);
    ld_parse_document_result_clear(&result);
    ld_context_free(ctx);
}

static void test_empty_record_is_an_error_doc(void **state)
{
    (void)state;
    ld_registry *registry = ld_registry_new();
    assert_int_equal(word_count_register(registry), LD_OK);
    json_t *data = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s}", "streamArn",
                             "arn:aws:kinesis:us-east-1:1:stream/s", "shardId", "shard-1",
                             "partitionKey", "pk", "sequenceNumber", "7",
                             "approximateArrivalTimestamp", (json_int_t)1, "data", "");
    char *request = ld_testing_request("KinesisRecordReader", "parseMessage", data);
    json_t *envelope = ld_testing_invoke(registry, request, strlen(request));
    LD_ASSERT_JSON_MATCH("{\"StatusCode\":200,\"headers\":{\"Content-Type\":"
                         "\"application/json\"},\"body\":{\"statusCode\":\"SUCCESS\",\"data\":"
                         "{\"status\":\"ERROR\",\"nextRecordType\":null,\"document\":{"
                         "\"documentType\":\"ErrorDoc\",\"documentId\":\"7\",\"recordType\":"
                         "\"WORDS_ERROR\",\"partitionKey\":\"pk\",\"documentMetadata\":null,"
                         "\"documentKeyValuesMap\":null,\"errorStartoffsetMap\":"
                         "{\"sequenceNumber\":\"7\"},\"errorEndoffsetMap\":"
                         "{\"sequenceNumber\":\"7\"},\"errorMessage\":\"empty record\"}}}}",
                         envelope);
    json_decref(envelope);
    ld_free(request);
    json_decref(data);
    ld_registry_free(registry);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts_words),
        cmocka_unit_test(test_empty_record_is_an_error_doc),
        cmocka_unit_test(test_invalid_utf8_is_replaced),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
