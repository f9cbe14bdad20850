/*
 * test_word_count.c - unit tests of the handler with CMocka and the SDK's testing kit.
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

#include <cmocka.h>

#include <letsdata/testing.h>

#include "word_count.h"

/* Call the method directly with @p text and compare the result with the Document the
 * record must make (@p key_values is its documentKeyValuesMap, as JSON text). */
static void check_document(const char *text, const char *sequence_number,
                           const char *key_values)
{
    ld_context *ctx = ld_testing_context();
    ld_parse_document_result result = LD_PARSE_DOCUMENT_RESULT_INIT;
    assert_int_equal(word_count_reader.parse_message(ctx, NULL, "arn", "shard-1", "pk",
                                                     sequence_number, 0, text, strlen(text),
                                                     &result),
                     LD_OK);
    char expected[1024], *difference = NULL;
    snprintf(expected, sizeof expected,
             "{\"status\":\"SUCCESS\",\"nextRecordType\":null,\"document\":{"
             "\"documentType\":\"Document\",\"documentId\":\"%s\",\"recordType\":\"WORDS\","
             "\"partitionKey\":\"pk\",\"documentMetadata\":{},\"documentKeyValuesMap\":%s}}",
             sequence_number, key_values);
    if (!ld_testing_result_matches(&result, expected, &difference))
        fail_msg("%s", difference);
    ld_free(difference);
    ld_parse_document_result_clear(&result);
    ld_context_free(ctx);
}

static void test_counts_words(void **state)
{
    (void)state;
    check_document("  the quick  brown fox ", "42", "{\"text\":\"<string>\",\"words\":4}");
}

/* Kinesis data are bytes: invalid UTF-8 becomes U+FFFD, as in Python, and the record
 * still makes a Document. */
static void test_invalid_utf8_is_replaced(void **state)
{
    (void)state;
    check_document("caf\xE9 au lait", "43", "{\"text\":\"caf\\ufffd au lait\",\"words\":3}");
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
