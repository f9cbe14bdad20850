/* word_count.h - the example customer handler (see word_count.c). SPDX-License-Identifier: MIT */
#ifndef WORD_COUNT_H
#define WORD_COUNT_H

#include <letsdata/letsdata.h>

extern const ld_kinesis_record_reader word_count_reader;
int word_count_register(ld_registry *registry);

#endif
