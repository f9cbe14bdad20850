/*
 * fuzz_dispatch.c - libFuzzer target: arbitrary bytes as a request to the runtime with
 * the example handlers registered. Every input must produce an envelope (or
 * LD_ERR_NOMEM), never a crash, leak or sanitizer report; the envelope must be JSON.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include <letsdata/runtime.h>

#include "examples.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ld_registry *registry;
    if (registry == NULL) {
        registry = ld_registry_new();
        if (registry == NULL || ld_examples_register(registry) != LD_OK)
            abort();
    }
    ld_response response = LD_RESPONSE_INIT;
    if (ld_runtime_invoke(registry, (const char *)data, size, NULL, &response) != LD_OK)
        return 0;
    json_t *envelope = json_loadb(response.body, response.body_length, JSON_ALLOW_NUL, NULL);
    if (envelope == NULL || (response.status_code != 200 && response.status_code != 500))
        abort(); /* the runtime wrote something that is not a valid envelope */
    json_decref(envelope);
    ld_response_clear(&response);
    return 0;
}
