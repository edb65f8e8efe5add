/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tools/include's compiler.h, with READ_ONCE()/WRITE_ONCE() as relaxed C11
 * atomics: the same single moves on x86, and "marked" accesses for TSAN as
 * they are for KCSAN in the kernel. In the "tso" build a thread's
 * READ_ONCE() also sees its own buffered stores (asm/barrier.h).
 */
#ifndef _SHIM_COMPILER_H
#define _SHIM_COMPILER_H
#include_next <linux/compiler.h>
#undef READ_ONCE
#undef WRITE_ONCE
#ifdef FAST_SHIM_TSO
#define READ_ONCE(x) ({							\
		unsigned long __v;					\
		typeof(x) __r;						\
		if (unlikely(shim_tso_on) &&				\
		    shim_tso_forward(&(x), sizeof(x), &__v))		\
			__r = (typeof(x))__v;				\
		else							\
			__r = __atomic_load_n(&(x), __ATOMIC_RELAXED);	\
		__r;							\
	})
extern int shim_tso_on;
_Bool shim_tso_forward(const void *p, unsigned long size, unsigned long *v);
#else
#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#endif
#define WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#ifndef __counted_by
#define __counted_by(m)
#endif
#endif
