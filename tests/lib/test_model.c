/*
 * test_model.c - ParseDocumentResult and RecordParseHint: setters, validation rules,
 * wire JSON both ways, enum names.
 *
 * SPDX-License-Identifier: MIT
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <letsdata/document.h>
#include <letsdata/model.h>

static void test_result_rules(void **state)
{
    (void)state;
    ld_parse_document_result result = LD_PARSE_DOCUMENT_RESULT_INIT;
    ld_error error = {0};
    assert_int_equal(ld_parse_document_result_validate(&result, &error), LD_ERR_INVALID);
    assert_non_null(strstr(error.message, "SUCCESS needs a Document"));

    ld_parse_document_result_set(&result, LD_PARSE_SUCCESS,
                                 ld_error_doc_new("e", "t", "p", NULL, NULL, NULL, NULL, "m"));
    assert_int_equal(ld_parse_document_result_validate(&result, &error), LD_ERR_INVALID);
    assert_non_null(strstr(error.message, "is a ErrorDoc"));

    /* Replacing the document frees the old one (ASan/valgrind check the leak). */
    ld_parse_document_result_set(&result, LD_PARSE_ERROR,
                                 ld_error_doc_new("e", "t", "p", NULL, NULL, NULL, NULL, "m"));
    assert_int_equal(ld_parse_document_result_validate(&result, NULL), LD_OK);
    ld_parse_document_result_set(&result, LD_PARSE_SKIP, NULL);
    assert_int_equal(ld_parse_document_result_validate(&result, NULL), LD_OK);
    ld_parse_document_result_set(&result, LD_PARSE_SKIP,
                                 ld_document_new("d", "t", "p", NULL, json_object()));
    assert_int_equal(ld_parse_document_result_validate(&result, &error), LD_ERR_INVALID);
    assert_non_null(strstr(error.message, "SKIP needs a SkipDoc"));
    result.status = (ld_parse_status)9;
    assert_int_equal(ld_parse_document_result_validate(&result, &error), LD_ERR_INVALID);
    assert_non_null(strstr(error.message, "status 9"));
    ld_parse_document_result_clear(&result);
    assert_null(result.document);
    assert_int_equal(result.status, LD_PARSE_SUCCESS);
}

static void test_result_json(void **state)
{
    (void)state;
    ld_parse_document_result result = LD_PARSE_DOCUMENT_RESULT_INIT;
    ld_parse_document_result_set(&result, LD_PARSE_SUCCESS,
                                 ld_document_new("d", "DOCUMENT", "p", json_object(),
                                                 json_object()));
    assert_int_equal(ld_parse_document_result_set_next_record_type(&result, "next"), LD_OK);
    json_t *json = ld_parse_document_result_to_json(&result);
    assert_string_equal(json_string_value(json_object_get(json, "status")), "SUCCESS");
    assert_string_equal(json_string_value(json_object_get(json, "nextRecordType")), "next");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json, "document"), "documentId")),
                        "d");

    ld_parse_document_result back = LD_PARSE_DOCUMENT_RESULT_INIT;
    assert_int_equal(ld_parse_document_result_from_json(json, &back, NULL), LD_OK);
    assert_string_equal(back.next_record_type, "next");
    assert_string_equal(ld_document_get_id(back.document), "d");
    json_t *again = ld_parse_document_result_to_json(&back);
    assert_true(json_equal(json, again));
    json_decref(again);
    json_decref(json);
    ld_parse_document_result_clear(&back);

    assert_int_equal(ld_parse_document_result_set_next_record_type(&result, NULL), LD_OK);
    ld_parse_document_result_set(&result, LD_PARSE_SKIP, NULL);
    json = ld_parse_document_result_to_json(&result);
    assert_true(json_is_null(json_object_get(json, "document")));
    assert_true(json_is_null(json_object_get(json, "nextRecordType")));
    json_decref(json);
    ld_parse_document_result_clear(&result);

    const char *bad[][2] = {
        {"{\"status\":\"MAYBE\"}", "status"},
        {"{\"status\":\"SKIP\",\"nextRecordType\":3}", "nextRecordType"},
        {"{\"status\":\"SKIP\",\"extra\":1}", "extra"},
        {"{\"status\":\"SKIP\",\"document\":{\"documentType\":\"X\"}}", "document"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *j = json_loads(bad[i][0], 0, NULL);
        ld_error error = {0};
        ld_parse_document_result r = LD_PARSE_DOCUMENT_RESULT_INIT;
        assert_int_equal(ld_parse_document_result_from_json(j, &r, &error), LD_ERR_INVALID);
        assert_non_null(strstr(error.message, bad[i][1]));
        assert_null(r.document);
        json_decref(j);
    }
}

static void test_hints(void **state)
{
    (void)state;
    ld_record_parse_hint hint = LD_RECORD_PARSE_HINT_INIT;
    ld_error error = {0};
    assert_int_equal(ld_record_parse_hint_validate(&hint, &error), LD_ERR_INVALID);
    assert_non_null(strstr(error.message, "offset >= 0"));
    assert_int_equal(ld_record_parse_hint_set_pattern(&hint, ""), LD_ERR_INVALID);
    assert_int_equal(ld_record_parse_hint_set_pattern(&hint, NULL), LD_ERR_INVALID);
    assert_int_equal(ld_record_parse_hint_set_pattern(&hint, "WARC-Type: conversion"), LD_OK);
    assert_int_equal(ld_record_parse_hint_validate(&hint, NULL), LD_OK);
    json_t *json = ld_record_parse_hint_to_json(&hint);
    json_t *expected = json_pack("{s:s, s:s, s:i}", "recordHintType", "PATTERN", "pattern",
                                 "WARC-Type: conversion", "offset", -1);
    assert_true(json_equal(json, expected));
    json_decref(expected);

    ld_record_parse_hint back = LD_RECORD_PARSE_HINT_INIT;
    assert_int_equal(ld_record_parse_hint_from_json(json, &back, NULL), LD_OK);
    assert_int_equal(back.type, LD_HINT_PATTERN);
    assert_int_equal(back.pattern_length, 21);
    assert_string_equal(back.pattern, "WARC-Type: conversion");
    json_decref(json);
    ld_record_parse_hint_clear(&back);

    /* Patterns are bytes: NUL inside is kept. */
    assert_int_equal(ld_record_parse_hint_set_pattern_bytes(&hint, "a\0b", 3), LD_OK);
    assert_int_equal(hint.pattern_length, 3);
    json = ld_record_parse_hint_to_json(&hint);
    assert_int_equal(json_string_length(json_object_get(json, "pattern")), 3);
    json_decref(json);

    assert_int_equal(ld_record_parse_hint_set_offset(&hint, -2), LD_ERR_INVALID);
    assert_int_equal(ld_record_parse_hint_set_offset(&hint, 128), LD_OK);
    assert_null(hint.pattern);
    json = ld_record_parse_hint_to_json(&hint);
    expected = json_pack("{s:s, s:n, s:i}", "recordHintType", "OFFSET", "pattern", "offset",
                         128);
    assert_true(json_equal(json, expected));
    json_decref(json);
    json_decref(expected);
    ld_record_parse_hint_clear(&hint);

    const char *bad[][2] = {
        {"{\"recordHintType\":\"PATTERN\",\"pattern\":\"\",\"offset\":-1}", "pattern"},
        {"{\"recordHintType\":\"OFFSET\",\"pattern\":null,\"offset\":-5}", "offset"},
        {"{\"recordHintType\":\"OFFSET\",\"pattern\":\"x\",\"offset\":5}", "pattern"},
        {"{\"recordHintType\":\"SIZE\",\"offset\":5}", "recordHintType"},
        {"{\"recordHintType\":\"OFFSET\",\"offset\":5,\"x\":1}", "'x'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *j = json_loads(bad[i][0], 0, NULL);
        ld_record_parse_hint h = LD_RECORD_PARSE_HINT_INIT;
        assert_int_equal(ld_record_parse_hint_from_json(j, &h, &error), LD_ERR_INVALID);
        if (strstr(error.message, bad[i][1]) == NULL)
            fail_msg("case %zu: %s", i, error.message);
        ld_record_parse_hint_clear(&h);
        json_decref(j);
    }
}

static void test_enum_names(void **state)
{
    (void)state;
    ld_parse_status status;
    ld_record_hint_type type;
    assert_string_equal(ld_parse_status_to_string(LD_PARSE_ERROR), "ERROR");
    assert_null(ld_parse_status_to_string((ld_parse_status)3));
    assert_int_equal(ld_parse_status_from_string("SKIP", &status), LD_OK);
    assert_int_equal(status, LD_PARSE_SKIP);
    assert_int_equal(ld_parse_status_from_string("skip", &status), LD_ERR_INVALID);
    assert_string_equal(ld_record_hint_type_to_string(LD_HINT_OFFSET), "OFFSET");
    assert_int_equal(ld_record_hint_type_from_string("PATTERN", &type), LD_OK);
    assert_int_equal(type, LD_HINT_PATTERN);
    assert_int_equal(ld_record_hint_type_from_string(NULL, &type), LD_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_result_rules),
        cmocka_unit_test(test_result_json),
        cmocka_unit_test(test_hints),
        cmocka_unit_test(test_enum_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
