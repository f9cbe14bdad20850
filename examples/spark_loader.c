/*
 * spark_loader.c - the Spark examples, loaded on first use.
 *
 * The mapper and reducer need libletsdata-spark and DuckDB (tens of MB of code), which
 * a process serving only the other examples should never map: cold start stays the
 * ~1 ms of bench_coldstart. So the examples library registers these two proxies, and
 * the first Spark call dlopens libletsdata-examples-spark.so (found next to the object
 * holding this code: libletsdata-examples.so, or the `bootstrap` executable, or in its
 * lib/ directory as in the Lambda zip; $LETSDATA_EXAMPLES_SPARK_MODULE overrides) and
 * forwards to the interfaces it registers. The module stays loaded for the process's
 * lifetime, as a handler library loaded with --handler does.
 *
 * SPDX-License-Identifier: MIT
 */
#include <dlfcn.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "examples.h"

#define SPARK_MODULE "libletsdata-examples-spark.so"

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static ld_registry *spark_registry; /* the module's handlers; NULL when loading failed */
static char load_error[PATH_MAX + 512];

/* The directory of the object this code is linked into. */
static int own_directory(char *out, size_t size)
{
    Dl_info info;
    char path[PATH_MAX];
    if (dladdr((void *)own_directory, &info) != 0 && info.dli_fname != NULL &&
        strchr(info.dli_fname, '/') != NULL)
        snprintf(path, sizeof path, "%s", info.dli_fname);
    else {
        /* The main executable (the static bootstrap) may be reported by bare name. */
        ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
        if (n <= 0)
            return -1;
        path[n] = '\0';
    }
    snprintf(out, size, "%s", dirname(path));
    return 0;
}

static void load_module(void)
{
    char candidates[2][PATH_MAX + 64];
    int count = 0;
    const char *override = getenv("LETSDATA_EXAMPLES_SPARK_MODULE");
    char dir[PATH_MAX];
    if (override != NULL && *override != '\0') {
        snprintf(candidates[count++], sizeof candidates[0], "%s", override);
    } else if (own_directory(dir, sizeof dir) == 0) {
        snprintf(candidates[count++], sizeof candidates[0], "%s/" SPARK_MODULE, dir);
        snprintf(candidates[count++], sizeof candidates[0], "%s/lib/" SPARK_MODULE, dir);
    } else {
        snprintf(load_error, sizeof load_error,
                 "cannot find " SPARK_MODULE ": the examples' own path is unknown (set "
                 "LETSDATA_EXAMPLES_SPARK_MODULE)");
        return;
    }
    const char *path = candidates[0];
    for (int i = 0; i < count; i++)
        if (access(candidates[i], F_OK) == 0) {
            path = candidates[i];
            break;
        }
    void *module = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (module == NULL) {
        snprintf(load_error, sizeof load_error,
                 "the Spark examples are not available: cannot load %.2048s: %.2048s", path,
                 dlerror());
        return;
    }
    ld_register_fn register_fn = NULL;
    *(void **)&register_fn = dlsym(module, LD_REGISTER_SYMBOL);
    ld_registry *registry = register_fn != NULL ? ld_registry_new() : NULL;
    if (register_fn == NULL || registry == NULL || register_fn(registry) != LD_OK) {
        snprintf(load_error, sizeof load_error, "%.2048s: %s", path,
                 register_fn == NULL ? "no " LD_REGISTER_SYMBOL "()"
                                     : "registering the Spark examples failed");
        ld_registry_free(registry);
        dlclose(module);
        return;
    }
    spark_registry = registry;
}

static int unavailable(ld_context *ctx)
{
    return ld_context_fail(ctx, "ModuleNotFoundError", "%s", load_error);
}

static int mapper(ld_context *ctx, void *payload, const char *app_name,
                  const char *read_destination, const char *read_uri, const char *read_format,
                  json_t *read_options, const char *write_destination, const char *write_uri,
                  const char *write_format, const char *write_mode, json_t *write_options,
                  const char *secret_arn)
{
    (void)payload;
    pthread_once(&load_once, load_module);
    const ld_spark_mapper_interface *impl =
        spark_registry ? ld_registry_spark_mapper_interface(spark_registry) : NULL;
    if (impl == NULL || impl->mapper == NULL)
        return unavailable(ctx);
    return impl->mapper(ctx, impl->payload, app_name, read_destination, read_uri, read_format,
                        read_options, write_destination, write_uri, write_format, write_mode,
                        write_options, secret_arn);
}

static int reducer(ld_context *ctx, void *payload, const char *app_name,
                   const char *read_destination, const char *const *read_uris,
                   size_t read_uri_count, const char *read_format, json_t *read_options,
                   const char *write_destination, const char *write_uri,
                   const char *write_format, const char *write_mode, json_t *write_options,
                   const char *secret_arn)
{
    (void)payload;
    pthread_once(&load_once, load_module);
    const ld_spark_reducer_interface *impl =
        spark_registry ? ld_registry_spark_reducer_interface(spark_registry) : NULL;
    if (impl == NULL || impl->reducer == NULL)
        return unavailable(ctx);
    return impl->reducer(ctx, impl->payload, app_name, read_destination, read_uris,
                         read_uri_count, read_format, read_options, write_destination,
                         write_uri, write_format, write_mode, write_options, secret_arn);
}

const ld_spark_mapper_interface ld_example_spark_mapper_on_demand = {
    LD_SPARK_MAPPER_INTERFACE_VERSION, NULL, mapper};
const ld_spark_reducer_interface ld_example_spark_reducer_on_demand = {
    LD_SPARK_REDUCER_INTERFACE_VERSION, NULL, reducer};
