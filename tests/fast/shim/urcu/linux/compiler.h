/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tools/include's compiler.h, with READ_ONCE()/WRITE_ONCE() as relaxed C11
 * atomics: the same single moves on x86, and "marked" accesses for TSAN as
 * they are for KCSAN in the kernel.
 */
#ifndef _SHIM_COMPILER_H
#define _SHIM_COMPILER_H
#include_next <linux/compiler.h>
#undef READ_ONCE
#undef WRITE_ONCE
#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#ifndef __counted_by
#define __counted_by(m)
#endif
#endif
