/*
 * test_registry.c - registering interface implementations, names, cleanups.
 *
 * SPDX-License-Identifier: MIT
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <letsdata/registry.h>

static int order[4], order_count;

static void cleanup(void *payload)
{
    order[order_count++] = *(int *)payload;
}

static void test_register_and_get(void **state)
{
    (void)state;
    static const ld_queue_message_reader reader = LD_QUEUE_MESSAGE_READER_INIT;
    static const ld_queue_message_reader other = LD_QUEUE_MESSAGE_READER_INIT;
    static const ld_kinesis_record_reader unversioned = {0};
    ld_registry *registry = ld_registry_new();
    assert_false(ld_registry_has(registry, LD_INTERFACE_QUEUE_MESSAGE_READER));
    assert_null(ld_registry_queue_message_reader(registry));
    assert_int_equal(ld_registry_set_queue_message_reader(registry, &reader), LD_OK);
    assert_ptr_equal(ld_registry_queue_message_reader(registry), &reader);
    assert_true(ld_registry_has(registry, LD_INTERFACE_QUEUE_MESSAGE_READER));
    assert_string_equal(ld_registry_last_error(registry), "");

    assert_int_equal(ld_registry_set_queue_message_reader(registry, &other), LD_ERR_INVALID);
    assert_non_null(strstr(ld_registry_last_error(registry), "already registered"));
    assert_int_equal(ld_registry_set_kinesis_record_reader(registry, &unversioned),
                     LD_ERR_INVALID);
    assert_non_null(strstr(ld_registry_last_error(registry), "version is 0"));
    assert_int_equal(ld_registry_set_single_file_parser(registry, NULL), LD_ERR_INVALID);
    assert_non_null(strstr(ld_registry_last_error(registry), "SingleFileParser"));
    assert_false(ld_registry_has(registry, (ld_interface)42));
    ld_registry_free(registry);
    ld_registry_free(NULL);
}

/* What a handler registered, for "you asked for X, it registered Y" messages. */
static void test_list_interfaces(void **state)
{
    (void)state;
    static const ld_queue_message_reader queue = LD_QUEUE_MESSAGE_READER_INIT;
    static const ld_sagemaker_vectors_interface vectors = {
        .version = LD_SAGEMAKER_VECTORS_INTERFACE_VERSION};
    char text[64] = "x";
    ld_registry *registry = ld_registry_new();
    assert_int_equal(ld_registry_list_interfaces(registry, text, sizeof text), 0);
    assert_string_equal(text, "");
    assert_int_equal(ld_registry_set_sagemaker_vectors_interface(registry, &vectors), LD_OK);
    assert_int_equal(ld_registry_set_queue_message_reader(registry, &queue), LD_OK);
    assert_int_equal(ld_registry_list_interfaces(registry, text, sizeof text), 2);
    assert_string_equal(text, "QueueMessageReader, SagemakerVectorsInterface");
    char small[10];
    assert_int_equal(ld_registry_list_interfaces(registry, small, sizeof small), 2);
    assert_string_equal(small, "QueueMess"); /* cut to fit, still terminated */
    assert_int_equal(ld_registry_list_interfaces(registry, NULL, 0), 2);
    ld_registry_free(registry);
}

static void test_interface_names(void **state)
{
    (void)state;
    ld_interface id;
    for (int i = 0; i < LD_INTERFACE_COUNT; i++) {
        const char *name = ld_interface_to_string((ld_interface)i);
        assert_non_null(name);
        assert_int_equal(ld_interface_from_string(name, &id), LD_OK);
        assert_int_equal(id, i);
    }
    assert_int_equal(ld_interface_from_string("sagemakervectorsinterface", &id), LD_OK);
    assert_int_equal(id, LD_INTERFACE_SAGEMAKER_VECTORS);
    assert_int_equal(ld_interface_from_string("SQS", &id), LD_ERR_NOT_FOUND);
    assert_null(ld_interface_to_string((ld_interface)LD_INTERFACE_COUNT));
}

static void test_cleanups_run_last_first(void **state)
{
    (void)state;
    static int one = 1, two = 2, three = 3;
    order_count = 0;
    ld_registry *registry = ld_registry_new();
    assert_int_equal(ld_registry_add_cleanup(registry, cleanup, &one), LD_OK);
    assert_int_equal(ld_registry_add_cleanup(registry, cleanup, &two), LD_OK);
    assert_int_equal(ld_registry_add_cleanup(registry, cleanup, &three), LD_OK);
    assert_int_equal(ld_registry_add_cleanup(registry, NULL, &three), LD_ERR_INVALID);
    assert_int_equal(order_count, 0);
    ld_registry_free(registry);
    assert_int_equal(order_count, 3);
    assert_int_equal(order[0], 3);
    assert_int_equal(order[1], 2);
    assert_int_equal(order[2], 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_register_and_get),
        cmocka_unit_test(test_interface_names),
        cmocka_unit_test(test_list_interfaces),
        cmocka_unit_test(test_cleanups_run_last_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
