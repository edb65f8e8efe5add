/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim workqueues (wq.c): unbound only. A workqueue is a pool of worker
 * threads that grows when every worker is busy, so a work function may
 * sleep or block without holding up other work items. As in
 * kernel/workqueue.c, a work item runs at most one instance at a time (a
 * worker skips an item whose previous instance still runs), PENDING is set
 * by an atomic exchange in queue_work() and cleared just before the
 * function runs, and a disabled item cannot be queued.
 */
#ifndef _SHIM_WORKQUEUE_H
#define _SHIM_WORKQUEUE_H

#include <stdbool.h>
#include <linux/types.h>
#include <linux/rcupdate.h>

struct work_struct;
typedef void (*work_func_t)(struct work_struct *work);


struct work_struct {
	work_func_t func;
	int pending;			/* atomic */
	/* the rest under the pool lock */
	struct work_struct *next;
	struct workqueue_struct *wq;
	int disable;
	bool queued;
	bool rcu_wait;			/* queue_rcu_work(): grace period */
	bool is_rcu;			/* the work of a struct rcu_work */
};

struct rcu_work {
	struct work_struct work;
	struct rcu_head rcu;
	struct workqueue_struct *wq;
	struct rcu_work *rcu_next;	/* the shim's RCU callback list */
};

struct workqueue_struct;

#define WQ_UNBOUND		(1 << 1)
#define WQ_MEM_RECLAIM		(1 << 3)

#define INIT_WORK(w, f) do {						\
		(w)->func = (f);					\
		(w)->pending = 0;					\
		(w)->next = NULL;					\
		(w)->wq = NULL;						\
		(w)->disable = 0;					\
		(w)->queued = false;					\
		(w)->rcu_wait = false;					\
		(w)->is_rcu = false;					\
	} while (0)
#define INIT_RCU_WORK(rw, f) do {					\
		INIT_WORK(&(rw)->work, (f));				\
		(rw)->work.is_rcu = true;				\
	} while (0)
#define to_rcu_work(w)		container_of((w), struct rcu_work, work)

struct workqueue_struct *alloc_workqueue(const char *fmt, unsigned int flags,
					 int max_active, ...);
bool queue_work(struct workqueue_struct *wq, struct work_struct *work);
bool queue_rcu_work(struct workqueue_struct *wq, struct rcu_work *rwork);
bool flush_work(struct work_struct *work);
bool flush_rcu_work(struct rcu_work *rwork);
bool disable_work_sync(struct work_struct *work);
struct work_struct *current_work(void);

#define cond_resched()		do { } while (0)

#endif
