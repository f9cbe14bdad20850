/*
 * loader.c - bring a handler shared object in: dlopen it and call its registration
 * entry point (LD_REGISTER_SYMBOL, defined by LD_HANDLER_ENTRY()).
 *
 * SPDX-License-Identifier: MIT
 */
#include <dlfcn.h>
#include <string.h>

#include "runtime_internal.h"

int ldrt_load_handler(const char *path, ld_registry *registry, ld_error *error)
{
    if (path == NULL || *path == '\0')
        return ld_error_set(error, LD_ERR_INVALID, "--handler needs a shared object path");
    /* RTLD_NOW: an unresolved symbol is reported now, not as a crash mid-invocation.
     * The handle is never closed: the registry points into the library. */
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL)
        return ld_error_set(error, LD_ERR_NOT_FOUND, "cannot load handler library %s: %s",
                            path, dlerror());
    dlerror();
    void *symbol = dlsym(handle, LD_REGISTER_SYMBOL);
    if (symbol == NULL)
        return ld_error_set(error, LD_ERR_NOT_FOUND,
                            "handler library %s does not export %s() (define it with "
                            "LD_HANDLER_ENTRY(your_register_function))",
                            path, LD_REGISTER_SYMBOL);
    ld_register_fn register_handlers;
    /* POSIX guarantees object and function pointers convert through dlsym. */
    memcpy(&register_handlers, &symbol, sizeof register_handlers);
    int rc = register_handlers(registry);
    if (rc != LD_OK) {
        const char *why = ld_registry_last_error(registry);
        return ld_error_set(error, rc == LD_ERR_NOMEM ? LD_ERR_NOMEM : LD_ERR_INVALID,
                            "%s in %s failed with %s%s%s", LD_REGISTER_SYMBOL, path,
                            ld_status_name(rc), *why ? ": " : "", why);
    }
    return LD_OK;
}
