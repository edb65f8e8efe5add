/* SPDX-License-Identifier: GPL-2.0 */
/* Shim for lib/kfifo.c's user-copy helpers: one address space here. */
#ifndef _SHIM_UACCESS_H
#define _SHIM_UACCESS_H
#include <string.h>
#define copy_to_user(to, from, n)	(memcpy((to), (from), (n)), 0UL)
#define copy_from_user(to, from, n)	(memcpy((to), (from), (n)), 0UL)
#endif
