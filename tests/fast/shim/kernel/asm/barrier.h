/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's barriers and atomic exchanges as C11 atomics, so that
 * ThreadSanitizer checks the happens-before they give (tools/include's x86
 * versions are compiler barriers around volatile accesses, which TSAN
 * cannot see):
 *
 *   smp_load_acquire()   __atomic_load_n(ACQUIRE)
 *   smp_store_release()  __atomic_store_n(RELEASE)
 *   smp_mb()             __atomic_thread_fence(SEQ_CST)
 *   smp_store_mb()       WRITE_ONCE() + smp_mb(), the generic definition
 *   xchg(), cmpxchg()    SEQ_CST read-modify-write (fully ordered, as the
 *                        kernel's value-returning atomics)
 *   READ_ONCE() etc.     relaxed atomics (shim/urcu/linux/compiler.h)
 *
 * TSAN does not model fences (its runtime's AtomicFence() is a plain
 * hardware fence): smp_mb() gives no happens-before edge to TSAN. Nothing
 * in the notifier passes data through a fence alone; the one pattern that
 * needs smp_mb(), the store-buffering pair of the idle flag, is about a
 * lost wake-up, not a data race, and is checked by the "tso" build instead
 * (FAST_SHIM_TSO, shim/tso.c, t_wakeup.c).
 */
#ifndef _SHIM_ASM_BARRIER_H
#define _SHIM_ASM_BARRIER_H

#include <linux/compiler.h>
#include "../../shim.h"

#undef mb
#undef rmb
#undef wmb
#undef smp_mb
#undef smp_rmb
#undef smp_wmb
#undef smp_store_release
#undef smp_load_acquire
#undef smp_store_mb
#undef xchg
#undef cmpxchg

#define mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define rmb()		__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define wmb()		__atomic_thread_fence(__ATOMIC_RELEASE)
#define smp_rmb()	rmb()
#define smp_wmb()	wmb()

#ifdef FAST_SHIM_TSO
/* full barriers and locked operations empty the store buffer first */
#define smp_mb()	do { shim_tso_drain(); mb(); } while (0)
#define smp_store_release(p, v) do {					\
		if (unlikely(shim_tso_on) && shim_irq_depth > 0)	\
			shim_tso_store((void *)(p), (unsigned long)(v),	\
				       sizeof(*(p)));			\
		else							\
			__atomic_store_n((p), (v), __ATOMIC_RELEASE);	\
	} while (0)
#define smp_load_acquire(p) ({						\
		unsigned long __v;					\
		typeof(*(p)) __r;					\
		if (unlikely(shim_tso_on) &&				\
		    shim_tso_forward((p), sizeof(*(p)), &__v))		\
			__r = (typeof(*(p)))__v;			\
		else							\
			__r = __atomic_load_n((p), __ATOMIC_ACQUIRE);	\
		__r;							\
	})
#define __shim_rmw_drain()	shim_tso_drain()
#else
#define smp_mb()		mb()
#define smp_store_release(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define smp_load_acquire(p)	__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define __shim_rmw_drain()	do { } while (0)
#endif

#define smp_store_mb(x, v)	do { WRITE_ONCE(x, v); smp_mb(); } while (0)

#define xchg(p, v) ({							\
		__shim_rmw_drain();					\
		__atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST);	\
	})
#define cmpxchg(p, o, n) ({						\
		typeof(*(p)) __o = (o);					\
		__shim_rmw_drain();					\
		__atomic_compare_exchange_n((p), &__o, (n), false,	\
					    __ATOMIC_SEQ_CST,		\
					    __ATOMIC_SEQ_CST);		\
		__o;							\
	})

#endif
