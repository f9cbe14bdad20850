/*
 * bootstrap.c - the examples linked into one executable: the AWS Lambda custom runtime
 * `bootstrap` (see scripts/package-lambda.sh), which also serves every other mode of
 * letsdata-runtime (invoke, batch, serve, run).
 *
 * SPDX-License-Identifier: MIT
 */
#include <letsdata/runtime.h>

#include "examples.h"

LD_RUNTIME_MAIN(ld_examples_register)
