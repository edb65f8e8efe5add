/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Included first in every notifier, shim and test translation unit
 * (-include): what the kernel gets from its always-included headers and
 * from Kbuild.
 */
#ifndef _SHIM_PRELUDE_H
#define _SHIM_PRELUDE_H
#include <stdbool.h>
#include <stddef.h>
#include <errno.h>
#include <linux/compiler.h>
#include <linux/types.h>
typedef u64 dma_addr_t;
#include <linux/kernel.h>
#include <linux/atomic.h>
#include <linux/percpu.h>
#include <linux/export.h>
#include <linux/err.h>
#include <asm/barrier.h>
#include <stdio.h>
#ifndef pr_warn
#define pr_warn(fmt, ...)	fprintf(stderr, fmt, ##__VA_ARGS__)
#endif
#ifndef min3
#define min3(x, y, z) min((typeof(x))min(x, y), z)
#endif
#define ____cacheline_aligned_in_smp	__attribute__((__aligned__(64)))
#define CONFIG_IOMMU_DEBUGFS	1
#endif
