/*
 * test_document.c - documents of all three kinds: constructors, ownership, getters and
 * setters, wire JSON both ways (checked against every document in the conformance
 * responses), copies and serializers.
 *
 * SPDX-License-Identifier: MIT
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <letsdata/document.h>

static void test_document_wire_json(void **state)
{
    (void)state;
    ld_document *doc = ld_document_new("id-1", "Content", "pk-1", json_object(),
                                       json_pack("{s:s, s:i}", "docText", "hello", "n", 3));
    assert_non_null(doc);
    assert_int_equal(ld_document_get_type(doc), LD_DOC_DOCUMENT);
    assert_string_equal(ld_document_get_id(doc), "id-1");
    assert_string_equal(ld_document_get_record_type(doc), "Content");
    assert_string_equal(ld_document_get_partition_key(doc), "pk-1");
    assert_null(ld_document_get_message(doc));
    assert_null(ld_document_get_start_offset_map(doc));
    json_t *json = ld_document_to_json(doc);
    json_t *expected = json_pack(
        "{s:s, s:s, s:s, s:s, s:{}, s:{s:s, s:i}}", "documentType", "Document", "documentId",
        "id-1", "recordType", "Content", "partitionKey", "pk-1", "documentMetadata",
        "documentKeyValuesMap", "docText", "hello", "n", 3);
    assert_true(json_equal(json, expected));
    json_decref(json);
    json_decref(expected);
    ld_document_free(doc);
}

static void test_error_and_skip_docs(void **state)
{
    (void)state;
    ld_document *err = ld_error_doc_new(NULL, "SQS_ERROR", "m-1", NULL, NULL,
                                        json_pack("{s:s}", "sequenceNumber", "7"), NULL,
                                        "empty message body");
    json_t *json = ld_document_to_json(err);
    json_t *expected = json_pack("{s:s, s:n, s:s, s:s, s:n, s:n, s:{s:s}, s:n, s:s}",
                                 "documentType", "ErrorDoc", "documentId", "recordType",
                                 "SQS_ERROR", "partitionKey", "m-1", "documentMetadata",
                                 "documentKeyValuesMap", "errorStartoffsetMap",
                                 "sequenceNumber", "7", "errorEndoffsetMap", "errorMessage",
                                 "empty message body");
    assert_true(json_equal(json, expected));
    json_decref(json);
    json_decref(expected);
    ld_document_free(err);

    ld_document *skip = ld_skip_doc_new("a|b", "SKIP", "a|b", json_object(), json_object(),
                                        NULL, NULL, "delete record");
    json = ld_document_to_json(skip);
    assert_string_equal(json_string_value(json_object_get(json, "skipMessage")),
                        "delete record");
    assert_null(json_object_get(json, "errorMessage"));
    assert_string_equal(json_string_value(json_object_get(json, "documentType")), "SkipDoc");
    json_decref(json);
    assert_string_equal(ld_document_get_message(skip), "delete record");
    ld_document_free(skip);
}

static void test_constructor_rejects_non_objects_and_releases(void **state)
{
    (void)state;
    /* A stolen array is released even though the call fails (checked by ASan/valgrind). */
    assert_null(ld_document_new("a", "b", "c", json_array(), json_object()));
    assert_null(ld_error_doc_new("a", "b", "c", NULL, NULL, json_string("x"), json_object(),
                                 "m"));
}

/* Issue #12: json_pack() returns NULL on invalid UTF-8; that NULL used to become an
 * empty SUCCESS document. It is now an error that says what happened. */
static void test_null_key_values_is_an_error(void **state)
{
    (void)state;
    json_t *values = json_pack("{s:s}", "text", "caf\xE9"); /* Latin-1, not UTF-8 */
    assert_null(values);
    ld_error error = {0};
    ld_document *doc = ld_document_create(
        &LD_DOCUMENT_OPTIONS(.document_id = "d", .record_type = "T", .key_values = values,
                             .metadata = json_object()),
        &error);
    assert_null(doc);
    assert_int_equal(error.code, LD_ERR_INVALID);
    assert_non_null(strstr(error.message, "key_values is NULL: a Document needs a key-values map"));
    assert_non_null(strstr(error.message, "ld_json_string_lossy"));
    /* The positional form refuses it too. */
    assert_null(ld_document_new("d", "T", "p", json_object(), NULL));
    /* ErrorDoc and SkipDoc may have a null map, as on the wire. */
    doc = ld_document_create(&LD_DOCUMENT_OPTIONS(.type = LD_DOC_SKIP, .message = "m"), &error);
    assert_non_null(doc);
    ld_document_free(doc);
    /* A Document read from the wire with a null map is still accepted. */
    json_t *wire = json_pack("{s:s, s:n, s:n, s:n, s:n, s:n}", "documentType", "Document",
                             "documentId", "recordType", "partitionKey", "documentMetadata",
                             "documentKeyValuesMap");
    doc = ld_document_from_json(wire, &error);
    assert_non_null(doc);
    ld_document *copy = ld_document_copy(doc);
    assert_non_null(copy);
    ld_document_free(copy);
    ld_document_free(doc);
    json_decref(wire);
}

/* The options constructor makes exactly what the positional ones make, with named
 * members; the map-of-offsets helpers build the usual locator maps. */
static void test_options_constructor(void **state)
{
    (void)state;
    ld_error error = {0};
    ld_document *doc = ld_document_create(
        &LD_DOCUMENT_OPTIONS(.type = LD_DOC_ERROR, .document_id = "id-1",
                             .record_type = "RECORD_ERROR", .partition_key = "pk",
                             .metadata = json_object(),
                             .key_values = json_pack("{s:s}", "file", "a.gz"),
                             .start_offset_map = ld_offset_map_new("WET", 100),
                             .end_offset_map = ld_offset_map_new("WET", 250),
                             .message = "no closing tag"),
        &error);
    assert_non_null(doc);
    ld_document *old = ld_error_doc_new("id-1", "RECORD_ERROR", "pk", json_object(),
                                        json_pack("{s:s}", "file", "a.gz"),
                                        json_pack("{s:i}", "WET", 100),
                                        json_pack("{s:i}", "WET", 250), "no closing tag");
    json_t *a = ld_document_to_json(doc), *b = ld_document_to_json(old);
    assert_true(json_equal(a, b));
    json_decref(a);
    json_decref(b);
    ld_document_free(old);
    ld_document_free(doc);

    ld_document_options options = LD_DOCUMENT_OPTIONS_INIT;
    options.document_id = "x";
    options.key_values = json_object();
    doc = ld_document_create(&options, &error);
    assert_int_equal(ld_document_get_type(doc), LD_DOC_DOCUMENT);
    assert_string_equal(ld_document_get_id(doc), "x");
    ld_document_free(doc);

    json_t *seq = ld_offset_map_new_string("sequenceNumber", "4962");
    assert_string_equal(json_string_value(json_object_get(seq, "sequenceNumber")), "4962");
    json_decref(seq);
    assert_null(ld_offset_map_new(NULL, 1));
}

static void test_options_errors_name_the_member(void **state)
{
    (void)state;
    ld_error error = {0};
    ld_document_options zero = {0};
    assert_null(ld_document_create(&zero, &error));
    assert_non_null(strstr(error.message, "options.version is 0"));
    assert_null(ld_document_create(NULL, &error));
    assert_non_null(strstr(error.message, "options is NULL"));
    /* Stolen members are released on failure (ASan/valgrind check it). */
    assert_null(ld_document_create(
        &LD_DOCUMENT_OPTIONS(.key_values = json_object(), .message = "m"), &error));
    assert_string_equal(error.message,
                        "document: a Document has no message (only an ErrorDoc or a SkipDoc)");
    assert_null(ld_document_create(
        &LD_DOCUMENT_OPTIONS(.key_values = json_object(),
                             .start_offset_map = ld_offset_map_new("WET", 1)),
        &error));
    assert_non_null(strstr(error.message, "has no offset maps"));
    assert_null(ld_document_create(
        &LD_DOCUMENT_OPTIONS(.type = LD_DOC_ERROR, .metadata = json_array()), &error));
    assert_string_equal(error.message,
                        "document: metadata must be a JSON object or NULL, got an array");
    assert_null(ld_document_create(
        &LD_DOCUMENT_OPTIONS(.type = (ld_document_type)7, .key_values = json_object()),
        &error));
    assert_non_null(strstr(error.message, "type 7"));
}

static void test_setters(void **state)
{
    (void)state;
    ld_document *doc = ld_document_new(NULL, NULL, NULL, NULL, json_object());
    assert_non_null(doc);
    assert_null(ld_document_get_id(doc));
    assert_int_equal(ld_document_set_id(doc, "x"), LD_OK);
    assert_int_equal(ld_document_set_record_type(doc, "t"), LD_OK);
    assert_int_equal(ld_document_set_partition_key(doc, "p"), LD_OK);
    assert_string_equal(ld_document_get_id(doc), "x");
    assert_int_equal(ld_document_set_id(doc, NULL), LD_OK);
    assert_null(ld_document_get_id(doc));
    assert_int_equal(ld_document_set_message(doc, "m"), LD_ERR_INVALID);
    assert_int_equal(ld_document_set_metadata(doc, json_pack("{s:i}", "a", 1)), LD_OK);
    assert_int_equal(ld_document_set_metadata(doc, json_integer(3)), LD_ERR_INVALID);
    assert_int_equal(json_integer_value(json_object_get(ld_document_get_metadata(doc), "a")), 1);
    assert_int_equal(ld_document_set_key_values(doc, json_object()), LD_OK);
    /* A Document keeps a map: NULL would make the empty success issue #12 is about. */
    assert_int_equal(ld_document_set_key_values(doc, NULL), LD_ERR_INVALID);
    assert_non_null(ld_document_get_key_values(doc));
    assert_int_equal(ld_document_set_offset_maps(doc, json_object(), NULL), LD_ERR_INVALID);
    ld_document_free(doc);

    ld_document *err = ld_error_doc_new("e", "t", "p", NULL, NULL, NULL, NULL, "m");
    assert_int_equal(ld_document_set_message(err, "changed"), LD_OK);
    assert_string_equal(ld_document_get_message(err), "changed");
    assert_int_equal(ld_document_set_offset_maps(err, json_pack("{s:i}", "WET", 1),
                                                 json_pack("{s:i}", "WET", 9)),
                     LD_OK);
    assert_int_equal(json_integer_value(
                         json_object_get(ld_document_get_end_offset_map(err), "WET")),
                     9);
    ld_document_free(err);
    ld_document_free(NULL);
}

static int documents_checked;

/* Every "document" member in a response: from_json then to_json gives it back. */
static void round_trip_documents(const json_t *value)
{
    if (json_is_object(value)) {
        json_t *doc_json = json_object_get(value, "document");
        if (json_is_object(doc_json)) {
            ld_error error = {0};
            ld_document *doc = ld_document_from_json(doc_json, &error);
            if (doc == NULL)
                fail_msg("from_json: %s", error.message);
            json_t *back = ld_document_to_json(doc);
            /* "<uuid>" placeholders are strings, so they survive the round trip too. */
            assert_true(json_equal(back, doc_json));
            json_decref(back);
            ld_document *copy = ld_document_copy(doc);
            back = ld_document_to_json(copy);
            assert_true(json_equal(back, doc_json));
            json_decref(back);
            ld_document_free(copy);
            ld_document_free(doc);
            documents_checked++;
        }
        const char *key;
        json_t *member;
        json_object_foreach((json_t *)value, key, member)
            round_trip_documents(member);
    } else if (json_is_array(value)) {
        for (size_t i = 0; i < json_array_size(value); i++)
            round_trip_documents(json_array_get(value, i));
    }
}

static void test_conformance_documents(void **state)
{
    (void)state;
    const char *root = getenv("LD_CONFORMANCE_DIR");
    assert_non_null(root);
    int kinds[3] = {0, 0, 0};
    static const char *const dirs[] = {"examples", "examples-more"};
    for (int d = 0; d < 2; d++) {
        char dir_path[4096];
        snprintf(dir_path, sizeof dir_path, "%s/%s", root, dirs[d]);
        DIR *dir = opendir(dir_path);
        assert_non_null(dir);
        struct dirent *entry;
        while ((entry = readdir(dir)) != NULL) {
            if (strstr(entry->d_name, ".response.json") == NULL)
                continue;
            char path[8192];
            snprintf(path, sizeof path, "%s/%s", dir_path, entry->d_name);
            json_t *response = json_load_file(path, 0, NULL);
            assert_non_null(response);
            round_trip_documents(response);
            json_t *data = json_object_get(json_object_get(response, "body"), "data");
            json_t *doc = json_object_get(data, "document");
            if (doc == NULL && json_object_get(data, "documentType") != NULL)
                doc = data; /* constructVectorDoc answers a bare document */
            ld_document_type type;
            if (doc != NULL &&
                ld_document_type_from_string(json_string_value(json_object_get(doc,
                                                                               "documentType")),
                                             &type) == LD_OK)
                kinds[type]++;
            if (doc == data) {
                json_t *wrapped = json_pack("{s:O}", "document", doc);
                round_trip_documents(wrapped);
                json_decref(wrapped);
            }
            json_decref(response);
        }
        closedir(dir);
    }
    /* All three kinds occur in the vectors. */
    assert_true(kinds[LD_DOC_DOCUMENT] > 0);
    assert_true(kinds[LD_DOC_ERROR] > 0);
    assert_true(kinds[LD_DOC_SKIP] > 0);
    assert_int_equal(documents_checked, 13); /* 11 parse results + 2 vector docs */
}

static void test_from_json_errors_name_the_member(void **state)
{
    (void)state;
    struct {
        const char *json, *mention;
    } cases[] = {
        {"[]", "JSON object"},
        {"{}", "documentType"},
        {"{\"documentType\":\"Nope\"}", "Nope"},
        {"{\"documentType\":\"Document\",\"documentId\":1,\"recordType\":null,"
         "\"partitionKey\":null,\"documentMetadata\":null,\"documentKeyValuesMap\":null}",
         "documentId"},
        {"{\"documentType\":\"Document\",\"documentId\":null,\"recordType\":null,"
         "\"partitionKey\":null,\"documentMetadata\":[],\"documentKeyValuesMap\":null}",
         "documentMetadata"},
        {"{\"documentType\":\"Document\",\"documentId\":null,\"recordType\":null,"
         "\"partitionKey\":null,\"documentMetadata\":null}",
         "documentKeyValuesMap"},
        {"{\"documentType\":\"Document\",\"documentId\":null,\"recordType\":null,"
         "\"partitionKey\":null,\"documentMetadata\":null,\"documentKeyValuesMap\":null,"
         "\"errorMessage\":\"x\"}",
         "errorMessage"},
        {"{\"documentType\":\"ErrorDoc\",\"documentId\":null,\"recordType\":null,"
         "\"partitionKey\":null,\"documentMetadata\":null,\"documentKeyValuesMap\":null,"
         "\"errorStartoffsetMap\":null,\"errorEndoffsetMap\":null}",
         "errorMessage"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *json = json_loads(cases[i].json, 0, NULL);
        assert_non_null(json);
        ld_error error = {0};
        assert_null(ld_document_from_json(json, &error));
        assert_int_equal(error.code, LD_ERR_INVALID);
        if (strstr(error.message, cases[i].mention) == NULL)
            fail_msg("case %zu: '%s' does not mention %s", i, error.message, cases[i].mention);
        json_decref(json);
    }
    assert_null(ld_document_from_json(NULL, NULL));
}

static json_t *custom_serializer(const ld_document *doc, void *payload)
{
    (*(int *)payload)++;
    return json_pack("{s:s}", "id", ld_document_get_id(doc));
}

static void count_free(void *payload)
{
    (*(int *)payload) += 100;
}

static void test_serialization(void **state)
{
    (void)state;
    ld_document *doc = ld_document_new("d", "Content", "p", json_pack("{s:i}", "m", 1),
                                       json_pack("{s:s, s:s}", "docText", "t", "documentId",
                                                 "overwritten"));
    json_t *out = ld_document_serialize(doc);
    json_t *expected = json_pack("{s:s, s:s, s:s, s:s, s:{s:i}}", "docText", "t", "documentId",
                                 "d", "recordType", "Content", "partitionKey", "p",
                                 "documentMetadata", "m", 1);
    assert_true(json_equal(out, expected));
    json_decref(out);
    json_decref(expected);
    /* The document's own map is not modified by serializing. */
    assert_string_equal(json_string_value(json_object_get(ld_document_get_key_values(doc),
                                                           "documentId")),
                        "overwritten");

    int calls = 0;
    ld_document_set_serializer(doc, custom_serializer, &calls, count_free);
    out = ld_document_serialize(doc);
    assert_string_equal(json_string_value(json_object_get(out, "id")), "d");
    assert_int_equal(calls, 1);
    json_decref(out);
    ld_document *copy = ld_document_copy(doc);
    out = ld_document_serialize(copy);
    assert_int_equal(calls, 2); /* the copy shares the serializer */
    json_decref(out);
    ld_document_free(copy);
    assert_int_equal(calls, 2); /* ...but only the original frees its payload */
    ld_document_free(doc);
    assert_int_equal(calls, 102);

    ld_document *err = ld_error_doc_new("e", "t", "p", NULL, NULL, NULL, NULL, "m");
    out = ld_document_serialize(err);
    json_t *full = ld_document_to_json(err);
    assert_true(json_equal(out, full));
    json_decref(out);
    json_decref(full);
    ld_document_free(err);
}

static void test_type_names(void **state)
{
    (void)state;
    ld_document_type type;
    assert_string_equal(ld_document_type_to_string(LD_DOC_SKIP), "SkipDoc");
    assert_null(ld_document_type_to_string((ld_document_type)7));
    assert_int_equal(ld_document_type_from_string("ErrorDoc", &type), LD_OK);
    assert_int_equal(type, LD_DOC_ERROR);
    assert_int_equal(ld_document_type_from_string("errordoc", &type), LD_ERR_INVALID);
    assert_int_equal(ld_document_type_from_string(NULL, &type), LD_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_document_wire_json),
        cmocka_unit_test(test_error_and_skip_docs),
        cmocka_unit_test(test_constructor_rejects_non_objects_and_releases),
        cmocka_unit_test(test_setters),
        cmocka_unit_test(test_null_key_values_is_an_error),
        cmocka_unit_test(test_options_constructor),
        cmocka_unit_test(test_options_errors_name_the_member),
        cmocka_unit_test(test_conformance_documents),
        cmocka_unit_test(test_from_json_errors_name_the_member),
        cmocka_unit_test(test_serialization),
        cmocka_unit_test(test_type_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
