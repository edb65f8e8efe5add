/* SPDX-License-Identifier: GPL-2.0 */
/* tools/include's slab.h (kmalloc/kfree on malloc, tools/lib/slab.c) + kcalloc */
#ifndef _SHIM_SLAB_H
#define _SHIM_SLAB_H
#include_next <linux/slab.h>
#include <linux/overflow.h>

#ifndef __GFP_NOWARN
#define __GFP_NOWARN 0
#endif

/*
 * kmalloc() fails above KMALLOC_MAX_SIZE (x86-64: 4 MiB, MAX_PAGE_ORDER 10)
 * as in the kernel; malloc() would not.
 */
#define KMALLOC_MAX_SIZE	(1UL << 22)
void *shim_kmalloc(size_t size, gfp_t gfp);
#undef kzalloc
#define kmalloc(s, g)		shim_kmalloc((s), (g))
#define kzalloc(s, g)		shim_kmalloc((s), (g) | __GFP_ZERO)

static inline void *kmalloc_array(size_t n, size_t size, gfp_t flags)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	return kmalloc(bytes, flags);
}

static inline void *kcalloc(size_t n, size_t size, gfp_t flags)
{
	return kmalloc_array(n, size, flags | __GFP_ZERO);
}
#endif
