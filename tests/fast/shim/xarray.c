// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's lib/xarray.c, compiled as tools/testing/shared/xarray-shared.c
 * compiles it (tools/testing/shared/shared.h first), without XA_DEBUG in the
 * build that counts instructions.
 */
#ifdef FAST_XA_DEBUG
#define XA_DEBUG
#endif
#include "shared.h"
#include <lib/xarray.c>
