/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel's own kfifo (include/linux/kfifo.h, lib/kfifo.c). */
#include <include/linux/kfifo.h>
