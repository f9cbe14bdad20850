/* entry.c - makes libword_count.so loadable by `letsdata-runtime --handler`. SPDX-License-Identifier: MIT */
#include "word_count.h"

LD_HANDLER_ENTRY(word_count_register)
