/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim SRCU for kernel/notifier.c's SRCU chains (not measured): the liburcu
 * read side and grace period stand in for one SRCU domain.
 */
#ifndef _SHIM_SRCU_H
#define _SHIM_SRCU_H
#include <linux/rcupdate.h>
struct srcu_usage { int unused; };
struct srcu_struct { int unused; };
#define __SRCU_USAGE_INIT(name)			{ 0 }
#define __SRCU_STRUCT_INIT(name, usage, pcpu)	{ 0 }
static inline int init_srcu_struct(struct srcu_struct *ssp) { return 0; }
static inline void cleanup_srcu_struct(struct srcu_struct *ssp) { }
static inline int srcu_read_lock(struct srcu_struct *ssp)
{
	rcu_read_lock();
	return 0;
}
static inline void srcu_read_unlock(struct srcu_struct *ssp, int idx)
{
	rcu_read_unlock();
}
static inline void synchronize_srcu(struct srcu_struct *ssp)
{
	synchronize_rcu();
}
#endif
