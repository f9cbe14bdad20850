/* arn.c - placeholder, implemented by its owner. SPDX-License-Identifier: MIT */
#include <letsdata/letsdata.h>
