/*
 * aws_library.c - find and load libletsdata-aws (see aws_library.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <dlfcn.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <letsdata/runtime.h>

#include "aws_library.h"

void *ldrun_aws_library(const char *purpose, char *why, size_t size)
{
    const char *explicit_path = getenv(LDRUN_AWS_LIBRARY_ENV);
    if (explicit_path != NULL && *explicit_path != '\0') {
        void *handle = dlopen(explicit_path, RTLD_NOW | RTLD_LOCAL);
        if (handle == NULL)
            snprintf(why, size, "cannot load %s=%s: %s", LDRUN_AWS_LIBRARY_ENV, explicit_path,
                     dlerror());
        return handle;
    }
    /* Beside libletsdata-runtime (installed: the same LIBDIR; build tree: ../aws/). */
    Dl_info info;
    if (dladdr((void *)ld_runtime_invoke, &info) != 0 && info.dli_fname != NULL) {
        char copy[4096], candidate[4200];
        snprintf(copy, sizeof copy, "%s", info.dli_fname);
        const char *dir = dirname(copy);
        const char *const relative[] = {"", "../aws/"};
        for (size_t i = 0; i < 2; i++) {
            snprintf(candidate, sizeof candidate, "%s/%s%s", dir, relative[i],
                     LDRUN_AWS_LIBRARY_NAME);
            void *handle = dlopen(candidate, RTLD_NOW | RTLD_LOCAL);
            if (handle != NULL)
                return handle;
        }
    }
    void *handle = dlopen(LDRUN_AWS_LIBRARY_NAME, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL)
        snprintf(why, size,
                 "%s needs libletsdata-aws (%s), which cannot be loaded: %s; install it "
                 "beside libletsdata-runtime or set %s to its path",
                 purpose, LDRUN_AWS_LIBRARY_NAME, dlerror(), LDRUN_AWS_LIBRARY_ENV);
    return handle;
}

int ldrun_aws_resolve(void *library, const char *const *names, void *const *functions,
                      size_t count, char *why, size_t size)
{
    /* All or nothing: a caller that finds its first function set may use them all. */
    for (size_t i = 0; i < count; i++)
        if (dlsym(library, names[i]) == NULL) {
            snprintf(why, size, "%s does not define %s (too old?)", LDRUN_AWS_LIBRARY_NAME,
                     names[i]);
            return -1;
        }
    for (size_t i = 0; i < count; i++) {
        void *symbol = dlsym(library, names[i]);
        /* Object pointers to function pointers: memcpy is the portable spelling. */
        memcpy(functions[i], &symbol, sizeof symbol);
    }
    return 0;
}
