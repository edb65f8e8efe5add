/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim workqueues: one worker thread per CPU, per-CPU bound like the
 * kernel's default (non-WQ_UNBOUND) workqueue. PENDING is an atomic bit set
 * by queue_work_on() and cleared just before the function runs, as in
 * kernel/workqueue.c; flush_work() waits for the last queued instance.
 */
#ifndef _SHIM_WORKQUEUE_H
#define _SHIM_WORKQUEUE_H

#include <stdbool.h>
#include <linux/atomic.h>
#include <linux/percpu.h>

struct work_struct;
typedef void (*work_func_t)(struct work_struct *work);

struct work_struct {
	work_func_t func;
	struct work_struct *next;
	int pending;			/* atomic */
	int cpu;
	unsigned long nr_queued;	/* under the workqueue lock */
	unsigned long nr_done;		/* under the workqueue lock */
};

struct workqueue_struct;

#define INIT_WORK(w, f) do {						\
		(w)->func = (f);					\
		(w)->next = NULL;					\
		(w)->pending = 0;					\
		(w)->nr_queued = (w)->nr_done = 0;			\
	} while (0)

struct workqueue_struct *alloc_workqueue(const char *fmt, unsigned int flags,
					 int max_active, ...);
void destroy_workqueue(struct workqueue_struct *wq);
bool shim_queue_work_slow(int cpu, struct workqueue_struct *wq,
			  struct work_struct *work);
bool flush_work(struct work_struct *work);

static inline bool queue_work_on(int cpu, struct workqueue_struct *wq,
				 struct work_struct *work)
{
	/* test_and_set_bit(WORK_STRUCT_PENDING_BIT): a full barrier */
	if (__atomic_exchange_n(&work->pending, 1, __ATOMIC_SEQ_CST))
		return false;
	return shim_queue_work_slow(cpu, wq, work);
}

#define cond_resched()		do { } while (0)

#endif
