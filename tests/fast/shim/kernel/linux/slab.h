/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tools/include's slab.h (kmalloc/kfree on malloc, tools/lib/slab.c) plus
 * what the notifier uses from the kernel's: kzalloc_flex(), kvcalloc_node(),
 * kvfree(), kstrdup_const()/kfree_const().
 */
#ifndef _SHIM_SLAB_H
#define _SHIM_SLAB_H
#include_next <linux/slab.h>
#include <linux/overflow.h>
#include <string.h>

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

static inline void *kcalloc(size_t n, size_t size, gfp_t flags)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	return kmalloc(bytes, flags | __GFP_ZERO);
}

/* kvmalloc may fall back to vmalloc: no KMALLOC_MAX_SIZE limit */
static inline void *kvcalloc_node(size_t n, size_t size, gfp_t flags, int node)
{
	(void)flags;
	(void)node;
	return calloc(n ? n : 1, size);
}
#define kvfree(p)		free(p)

/* kzalloc_flex(P, FAM, COUNT): P with COUNT elements of its array FAM */
#define kzalloc_flex(P, FAM, COUNT) ({					\
		typeof(P) *__p;						\
		size_t __n = (COUNT), __sz;				\
		if (__builtin_mul_overflow(__n, sizeof(__p->FAM[0]), &__sz) || \
		    __builtin_add_overflow(__sz, sizeof(*__p), &__sz))	\
			__p = NULL;					\
		else							\
			__p = kzalloc(__sz, GFP_KERNEL);		\
		__p;							\
	})

/* no .rodata to share here: always a copy */
static inline const char *kstrdup_const(const char *s, gfp_t gfp)
{
	(void)gfp;
	return s ? strdup(s) : NULL;
}
#define kfree_const(p)		free((void *)(p))
#endif
