/* bootstrap.c - the handler as one executable (the AWS Lambda custom runtime). SPDX-License-Identifier: MIT */
#include <letsdata/runtime.h>

#include "word_count.h"

LD_RUNTIME_MAIN(word_count_register)
