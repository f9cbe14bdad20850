/*
 * letsdata_runtime.c - the letsdata-runtime executable: handlers come from --handler.
 *
 * SPDX-License-Identifier: MIT
 */
#include <letsdata/runtime.h>

LD_RUNTIME_MAIN(NULL)
