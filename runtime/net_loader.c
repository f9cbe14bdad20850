/*
 * net_loader.c - find the network transports and the HTTP client: linked in (weak
 * references resolve), or in libletsdata-runtime-net.so / libletsdata-runtime-curl.so
 * next to libletsdata-runtime.so (see net.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <dlfcn.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <letsdata/runtime.h>

#include "net_client.h"
#include "net.h"

#pragma weak ldrt_http_serve
#pragma weak ldrt_lambda_serve
#pragma weak ldrt_lambda_report_init_error
#pragma weak ldrt_http_client_functions

/* An on-demand module: its file name, the variable naming its path, what it holds. */
typedef struct module {
    const char *name, *env, *what;
    void *handle;
} module;

static module net_module = {LDRT_NET_MODULE_NAME, LDRT_NET_MODULE_ENV,
                            "the network transports", NULL};
static module curl_module = {LDRT_CURL_MODULE_NAME, LDRT_CURL_MODULE_ENV, "the HTTP client",
                             NULL};

/* dlopen the module: $ENV, else beside this library (installed: LIBDIR/letsdata/, build
 * tree: the same directory), else the loader's search path. */
static void *load_module(module *m, ld_error *error)
{
    if (m->handle != NULL)
        return m->handle;
    const char *explicit_path = getenv(m->env);
    if (explicit_path != NULL && *explicit_path != '\0') {
        m->handle = dlopen(explicit_path, RTLD_NOW | RTLD_LOCAL);
        if (m->handle == NULL)
            ld_error_set(error, LD_ERR_NOT_FOUND, "cannot load %s=%s: %s", m->env,
                         explicit_path, dlerror());
        return m->handle;
    }
    Dl_info info;
    char candidates[2][4096];
    int count = 0;
    if (dladdr((void *)ld_runtime_invoke, &info) != 0 && info.dli_fname != NULL) {
        char copy[4096];
        snprintf(copy, sizeof copy, "%s", info.dli_fname);
        const char *dir = dirname(copy);
        snprintf(candidates[count++], sizeof candidates[0], "%s/letsdata/%s", dir, m->name);
        snprintf(candidates[count++], sizeof candidates[1], "%s/%s", dir, m->name);
    }
    for (int i = 0; i < count && m->handle == NULL; i++)
        m->handle = dlopen(candidates[i], RTLD_NOW | RTLD_LOCAL);
    if (m->handle == NULL)
        m->handle = dlopen(m->name, RTLD_NOW | RTLD_LOCAL);
    if (m->handle == NULL)
        ld_error_set(error, LD_ERR_NOT_FOUND, "cannot load %s (%s): %s; set %s to its path",
                     m->what, m->name, dlerror(), m->env);
    return m->handle;
}

/* The function @p name: linked in (@p linked) or from module @p m. */
static void *resolve_in(module *m, void *linked, const char *name, ld_error *error)
{
    if (linked != NULL)
        return linked;
    void *handle = load_module(m, error);
    if (handle == NULL)
        return NULL;
    void *symbol = dlsym(handle, name);
    if (symbol == NULL)
        ld_error_set(error, LD_ERR_NOT_FOUND, "%s does not define %s", m->name, name);
    return symbol;
}

static void *resolve(void *linked, const char *name, ld_error *error)
{
    return resolve_in(&net_module, linked, name, error);
}

int ldrt_net_http_serve(const ld_registry *registry, const ldrt_http_options *options,
                        ld_error *error)
{
    int (*serve)(const ld_registry *, const ldrt_http_options *, ld_error *);
    void *symbol = resolve(ldrt_http_serve ? (void *)ldrt_http_serve : NULL,
                           "ldrt_http_serve", error);
    if (symbol == NULL)
        return 1;
    memcpy(&serve, &symbol, sizeof serve);
    return serve(registry, options, error);
}

int ldrt_net_lambda_serve(const ld_registry *registry, const ldrt_lambda_options *options,
                          ld_error *error)
{
    int (*serve)(const ld_registry *, const ldrt_lambda_options *, ld_error *);
    void *symbol = resolve(ldrt_lambda_serve ? (void *)ldrt_lambda_serve : NULL,
                           "ldrt_lambda_serve", error);
    if (symbol == NULL)
        return 1;
    memcpy(&serve, &symbol, sizeof serve);
    return serve(registry, options, error);
}

int ldrt_net_report_init_error(const char *runtime_api, const char *error_type,
                               const char *message)
{
    int (*report)(const char *, const char *, const char *);
    ld_error error = {0};
    void *symbol = resolve(ldrt_lambda_report_init_error ? (void *)ldrt_lambda_report_init_error
                                                         : NULL,
                           "ldrt_lambda_report_init_error", &error);
    if (symbol == NULL) {
        fprintf(stderr, "letsdata-runtime: cannot report the init error: %s\n", error.message);
        return error.code;
    }
    memcpy(&report, &symbol, sizeof report);
    return report(runtime_api, error_type, message);
}

const ldrt_http_client_api *ldrt_net_http_client(ld_error *error)
{
    const ldrt_http_client_api *(*functions)(void);
    void *symbol = resolve_in(&curl_module,
                              ldrt_http_client_functions ? (void *)ldrt_http_client_functions
                                                         : NULL,
                              "ldrt_http_client_functions", error);
    if (symbol == NULL)
        return NULL;
    memcpy(&functions, &symbol, sizeof functions);
    return functions();
}
