/*
 * spark_entry.c - libletsdata-examples-spark.so: the Spark examples as a handler
 * library of their own (`letsdata-runtime --handler libletsdata-examples-spark.so`),
 * and the module the examples library loads on its first Spark call.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>

#include "spark_examples.h"

int ld_example_spark_fail(ld_context *ctx, int rc, const ld_error *error, const char *what,
                          ...)
{
    char step[1024];
    va_list args;
    va_start(args, what);
    vsnprintf(step, sizeof step, what, args);
    va_end(args);
    const char *type = rc == LD_ERR_NOT_FOUND     ? "FileNotFoundError"
                       : rc == LD_ERR_UNSUPPORTED ? "UnsupportedOperation"
                       : rc == LD_ERR_INVALID     ? "ValueError"
                                                  : "SparkError";
    return ld_context_fail(ctx, type, "%s: %s", step,
                           error != NULL && error->message[0] ? error->message
                                                              : ld_status_name(rc));
}

int ld_example_spark_check_destinations(ld_context *ctx, const char *read_destination,
                                        const char *write_destination)
{
    int read_ok = strcasecmp(read_destination, "S3") == 0;
    if (read_ok && strcasecmp(write_destination, "S3") == 0)
        return LD_OK;
    return ld_context_fail(ctx, "ValueError", "%s %s not supported (S3 is)",
                           read_ok ? "writeDestination" : "readDestination",
                           read_ok ? write_destination : read_destination);
}

static int register_spark_examples(ld_registry *registry)
{
    int rc = ld_registry_set_spark_mapper_interface(registry, &ld_example_spark_mapper);
    return rc != LD_OK ? rc
                       : ld_registry_set_spark_reducer_interface(registry,
                                                                 &ld_example_spark_reducer);
}

LD_HANDLER_ENTRY(register_spark_examples)
