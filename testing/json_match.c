/* json_match.c - placeholder, implemented by its owner. SPDX-License-Identifier: MIT */
#include <letsdata/testing.h>
