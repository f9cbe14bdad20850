/*
 * handler_entry.c - makes the examples a loadable handler library:
 *   letsdata-runtime --handler ./libletsdata-examples.so serve
 *
 * SPDX-License-Identifier: MIT
 */
#include "examples.h"

LD_HANDLER_ENTRY(ld_examples_register)
