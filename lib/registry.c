/*
 * registry.c - which interface implementations a handler registered (letsdata/registry.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include <letsdata/registry.h>

struct cleanup {
    void (*fn)(void *);
    void *payload;
    struct cleanup *next; /* earlier-added; the list is run from the head: last first */
};

struct ld_registry {
    /* Indexed by ld_interface; each points at the handler's struct (borrowed). */
    const void *impl[LD_INTERFACE_COUNT];
    struct cleanup *cleanups;
    char last_error[256];
};

static const char *const interface_names[LD_INTERFACE_COUNT] = {
    "SingleFileParser",          "QueueMessageReader",
    "KinesisRecordReader",       "DynamoDBStreamsRecordReader",
    "DynamoDBTableItemReader",   "SagemakerVectorsInterface",
    "SparkMapperInterface",      "SparkReducerInterface",
};

LD_EXTERN const char *ld_interface_to_string(ld_interface interface_id)
{
    return (unsigned)interface_id < LD_INTERFACE_COUNT ? interface_names[interface_id] : NULL;
}

LD_EXTERN int ld_interface_from_string(const char *name, ld_interface *out)
{
    if (name == NULL)
        return LD_ERR_NOT_FOUND;
    for (unsigned i = 0; i < LD_INTERFACE_COUNT; i++) {
        if (strcasecmp(name, interface_names[i]) == 0) {
            *out = (ld_interface)i;
            return LD_OK;
        }
    }
    return LD_ERR_NOT_FOUND;
}

LD_EXTERN ld_registry *ld_registry_new(void)
{
    return calloc(1, sizeof(ld_registry));
}

LD_EXTERN void ld_registry_free(ld_registry *registry)
{
    if (registry == NULL)
        return;
    struct cleanup *c = registry->cleanups;
    while (c != NULL) {
        struct cleanup *next = c->next;
        c->fn(c->payload);
        free(c);
        c = next;
    }
    free(registry);
}

/* Every interface struct starts with `int version`: read it without knowing the type. */
static int set_impl(ld_registry *registry, ld_interface id, const void *impl)
{
    const char *name = interface_names[id];
    if (registry == NULL)
        return LD_ERR_INVALID;
    registry->last_error[0] = '\0';
    if (impl == NULL) {
        snprintf(registry->last_error, sizeof registry->last_error,
                 "%s: the implementation is NULL", name);
        return LD_ERR_INVALID;
    }
    int version = *(const int *)impl;
    if (version < 1) {
        snprintf(registry->last_error, sizeof registry->last_error,
                 "%s: version is %d; initialise the struct with its _INIT macro or set "
                 ".version", name, version);
        return LD_ERR_INVALID;
    }
    if (registry->impl[id] != NULL && registry->impl[id] != impl) {
        snprintf(registry->last_error, sizeof registry->last_error,
                 "%s: an implementation is already registered", name);
        return LD_ERR_INVALID;
    }
    registry->impl[id] = impl;
    return LD_OK;
}

#define REGISTRY_ACCESSORS(suffix, type, id)                                               \
    LD_EXTERN int ld_registry_set_##suffix(ld_registry *registry, const type *impl)       \
    {                                                                                      \
        return set_impl(registry, id, impl);                                               \
    }                                                                                      \
    LD_EXTERN const type *ld_registry_##suffix(const ld_registry *registry)               \
    {                                                                                      \
        return registry != NULL ? (const type *)registry->impl[id] : NULL;                 \
    }

REGISTRY_ACCESSORS(single_file_parser, ld_single_file_parser, LD_INTERFACE_SINGLE_FILE_PARSER)
REGISTRY_ACCESSORS(queue_message_reader, ld_queue_message_reader,
                   LD_INTERFACE_QUEUE_MESSAGE_READER)
REGISTRY_ACCESSORS(kinesis_record_reader, ld_kinesis_record_reader,
                   LD_INTERFACE_KINESIS_RECORD_READER)
REGISTRY_ACCESSORS(dynamodb_streams_record_reader, ld_dynamodb_streams_record_reader,
                   LD_INTERFACE_DYNAMODB_STREAMS_RECORD_READER)
REGISTRY_ACCESSORS(dynamodb_table_item_reader, ld_dynamodb_table_item_reader,
                   LD_INTERFACE_DYNAMODB_TABLE_ITEM_READER)
REGISTRY_ACCESSORS(sagemaker_vectors_interface, ld_sagemaker_vectors_interface,
                   LD_INTERFACE_SAGEMAKER_VECTORS)
REGISTRY_ACCESSORS(spark_mapper_interface, ld_spark_mapper_interface,
                   LD_INTERFACE_SPARK_MAPPER)
REGISTRY_ACCESSORS(spark_reducer_interface, ld_spark_reducer_interface,
                   LD_INTERFACE_SPARK_REDUCER)

LD_EXTERN int ld_registry_has(const ld_registry *registry, ld_interface interface_id)
{
    return registry != NULL && (unsigned)interface_id < LD_INTERFACE_COUNT &&
           registry->impl[interface_id] != NULL;
}

LD_EXTERN int ld_registry_list_interfaces(const ld_registry *registry, char *out,
                                          size_t size)
{
    int count = 0;
    size_t used = 0;
    if (size > 0)
        out[0] = '\0';
    for (int i = 0; i < LD_INTERFACE_COUNT; i++) {
        if (!ld_registry_has(registry, (ld_interface)i))
            continue;
        if (size > used) {
            int n = snprintf(out + used, size - used, "%s%s", count ? ", " : "",
                             ld_interface_to_string((ld_interface)i));
            used = n < 0 ? size : used + (size_t)n;
        }
        count++;
    }
    return count;
}

LD_EXTERN int ld_registry_add_cleanup(ld_registry *registry, void (*cleanup)(void *),
                                      void *payload)
{
    if (cleanup == NULL)
        return LD_ERR_INVALID;
    struct cleanup *c = registry != NULL ? malloc(sizeof *c) : NULL;
    if (c == NULL) {
        cleanup(payload);
        return registry != NULL ? LD_ERR_NOMEM : LD_ERR_INVALID;
    }
    c->fn = cleanup;
    c->payload = payload;
    c->next = registry->cleanups;
    registry->cleanups = c;
    return LD_OK;
}

LD_EXTERN const char *ld_registry_last_error(const ld_registry *registry)
{
    return registry != NULL ? registry->last_error : "";
}
