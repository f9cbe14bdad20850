/*
 * test_module.c - a handler library for `letsdata-runtime --handler` tests.
 * Built three ways (see meson.build): normal; without the entry point
 * (-DLDT_NO_ENTRY); with a registration that fails (-DLDT_FAILING_REGISTER).
 *
 * SPDX-License-Identifier: MIT
 */
#include <letsdata/letsdata.h>

#include "test_handlers.h"

#ifndef LDT_NO_ENTRY
static int register_module(ld_registry *registry)
{
#ifdef LDT_FAILING_REGISTER
    /* Registering an implementation with version 0 is refused by the registry. */
    static const ld_queue_message_reader broken = {0};
    int rc = ldt_register_test_handlers(registry);
    return rc != LD_OK ? rc : ld_registry_set_queue_message_reader(registry, &broken);
#else
    return ldt_register_test_handlers(registry);
#endif
}

LD_HANDLER_ENTRY(register_module)
#else
int ldt_not_an_entry_point(void);
int ldt_not_an_entry_point(void)
{
    return 0;
}
#endif
