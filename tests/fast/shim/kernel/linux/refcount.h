/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim refcount_t on C11 atomics: increments relaxed; refcount_dec_and_test()
 * is an acq_rel read-modify-write (the kernel's is release, plus acquire
 * when it hits 0; the stronger form is visible to TSAN, an acquire fence
 * would not be).
 * (tools/include's version needs atomic_cmpxchg_release(), which the
 * shim's atomic.h does not provide.) Saturation is not modelled: an
 * underflow or an increment from 0 aborts, as the kernel would warn.
 */
#ifndef _SHIM_REFCOUNT_H
#define _SHIM_REFCOUNT_H

#include <stdio.h>
#include <stdlib.h>

typedef struct { int refs; } refcount_t;

static inline void refcount_set(refcount_t *r, int n)
{
	__atomic_store_n(&r->refs, n, __ATOMIC_RELAXED);
}

static inline unsigned int refcount_read(const refcount_t *r)
{
	return __atomic_load_n(&r->refs, __ATOMIC_RELAXED);
}

static inline void refcount_inc(refcount_t *r)
{
	if (__atomic_fetch_add(&r->refs, 1, __ATOMIC_RELAXED) <= 0) {
		fprintf(stderr, "refcount_t: increment on 0 (use after free)\n");
		abort();
	}
}

static inline bool refcount_dec_and_test(refcount_t *r)
{
	int old = __atomic_fetch_sub(&r->refs, 1, __ATOMIC_ACQ_REL);

	if (old <= 0) {
		fprintf(stderr, "refcount_t: underflow (use after free)\n");
		abort();
	}
	return old == 1;
}

#endif
