/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim RCU: liburcu (memb flavour) for the read side and grace periods, as
 * in tools/testing/shared/linux/rcupdate.h, with three changes:
 *  - pointer publication and reads use C11 release/acquire (consume)
 *    builtins, which compile to the same x86 moves but which ThreadSanitizer
 *    understands (liburcu 0.13 uses volatile accesses it cannot see);
 *  - under TSAN, rcu_read_unlock() releases and synchronize_rcu() acquires
 *    one sync object: the happens-before edge a grace period gives;
 *  - call_rcu() waits for a grace period and runs the callback at once
 *    (a valid, slower call_rcu; it keeps the callback's frees ordered after
 *    every reader for TSAN and leaves nothing queued at exit for LSan).
 */
#ifndef _SHIM_RCUPDATE_H
#define _SHIM_RCUPDATE_H

#include <errno.h>
#include <urcu.h>
#include "../../shim.h"

#undef rcu_dereference
#undef rcu_assign_pointer
#undef rcu_read_lock
#undef rcu_read_unlock
#undef synchronize_rcu
#undef call_rcu

#define rcu_dereference(p)		__atomic_load_n(&(p), __ATOMIC_CONSUME)
#define rcu_dereference_raw(p)		rcu_dereference(p)
#define rcu_dereference_protected(p, cond) __atomic_load_n(&(p), __ATOMIC_RELAXED)
#define rcu_dereference_check(p, cond)	rcu_dereference(p)
#define rcu_access_pointer(p)		__atomic_load_n(&(p), __ATOMIC_RELAXED)
#define rcu_assign_pointer(p, v)	__atomic_store_n(&(p), (v), __ATOMIC_RELEASE)
#define RCU_INIT_POINTER(p, v)		__atomic_store_n(&(p), (v), __ATOMIC_RELAXED)

#define rcu_read_lock()		urcu_memb_read_lock()
#define rcu_read_unlock()	do {					\
		shim_tsan_release(&shim_rcu_gp_sync);			\
		urcu_memb_read_unlock();				\
	} while (0)

void shim_synchronize_rcu(void);
#define synchronize_rcu()	shim_synchronize_rcu()
void shim_call_rcu(struct rcu_head *head, void (*func)(struct rcu_head *));
#define call_rcu(h, f)		shim_call_rcu(h, f)

#endif
