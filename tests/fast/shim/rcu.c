// SPDX-License-Identifier: GPL-2.0
/* RCU glue (linux/rcupdate.h): grace periods, call_rcu(), tracepoints. */
#include <linux/rcupdate.h>
#include <linux/tracepoint.h>

#include "shim.h"

#if defined(__SANITIZE_THREAD__)
char shim_rcu_gp_sync;
#endif

void shim_synchronize_rcu(void)
{
	urcu_memb_synchronize_rcu();
	shim_tsan_acquire(&shim_rcu_gp_sync);
}

/* a valid, slower call_rcu(): nothing is left queued at exit for LSan */
void shim_call_rcu(struct rcu_head *head, void (*func)(struct rcu_head *))
{
	shim_synchronize_rcu();
	func(head);
}

void tracepoint_synchronize_unregister(void)
{
	shim_synchronize_rcu();
}
