// SPDX-License-Identifier: GPL-2.0
/*
 * Shim workqueues: unbound pools of worker threads (linux/workqueue.h).
 *
 * - A worker takes the first queued item whose previous instance is not
 *   running, so a work item never runs twice at once; a new worker is
 *   started whenever an item is queued and no worker is idle, so work
 *   functions may sleep (kernel/workqueue.c's unbound pools do the same).
 * - PENDING is taken by an atomic exchange in queue_work() (a full
 *   barrier, like test_and_set_bit()) and cleared by the worker just
 *   before the function runs, followed by a full barrier, as in
 *   process_one_work().
 * - The worker never touches the work item after its function returned
 *   (the function may free it, as iopf_notifier_release_work() does); "is
 *   it running" is a scan of the workers' current item, as the kernel's
 *   find_worker_executing_work().
 * - queue_rcu_work() hands the item to one RCU thread, which waits for a
 *   grace period (synchronize_rcu()) and then queues it.
 * One lock (pool_lock) serialises the bookkeeping of all workqueues.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/rcupdate.h>
#include <linux/workqueue.h>

#include "shim.h"

#define MAX_WORKERS	64

struct shim_worker {
	pthread_t thread;
	struct workqueue_struct *wq;
	struct work_struct *cur;	/* under pool_lock */
	bool cur_is_rcu;		/* cur may be freed while it runs */
	int cpu;
};

struct workqueue_struct {
	char name[32];
	struct work_struct *head, *tail;
	int nr_workers;
	int nr_idle;
	struct shim_worker workers[MAX_WORKERS];
};

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_work = PTHREAD_COND_INITIALIZER;	/* for workers */
static pthread_cond_t pool_done = PTHREAD_COND_INITIALIZER;	/* for waiters */
static pthread_cond_t rcu_cv = PTHREAD_COND_INITIALIZER;
static bool hold;
static int disable_waiters;
static struct workqueue_struct *all_wq[8];
static struct rcu_work *rcu_head, **rcu_tail = &rcu_head;
static bool rcu_started;
static int rcu_inflight;	/* taken by the RCU thread, not queued yet */
static __thread struct shim_worker *self;
static unsigned long kicks;	/* queue_work() calls that queued an item */

static bool running(const struct work_struct *w)
{
	unsigned int i;
	int j;

	for (i = 0; i < 8; i++)
		for (j = 0; all_wq[i] && j < all_wq[i]->nr_workers; j++)
			if (all_wq[i]->workers[j].cur == w)
				return true;
	return false;
}

static struct work_struct *pick(struct workqueue_struct *wq)
{
	struct work_struct **pp, *w, *prev = NULL;

	if (hold)
		return NULL;
	for (pp = &wq->head; (w = *pp); prev = w, pp = &w->next) {
		if (running(w))
			continue;
		*pp = w->next;
		if (wq->tail == w)
			wq->tail = prev;
		w->next = NULL;
		w->queued = false;
		return w;
	}
	return NULL;
}

static void *worker_fn(void *arg)
{
	struct shim_worker *me = arg;
	struct workqueue_struct *wq = me->wq;

	self = me;
	shim_thread_enter(me->cpu);
	pthread_mutex_lock(&pool_lock);
	for (;;) {
		struct work_struct *w = pick(wq);

		if (!w) {
			wq->nr_idle++;
			pthread_cond_wait(&pool_work, &pool_lock);
			wq->nr_idle--;
			continue;
		}
		me->cur = w;
		me->cur_is_rcu = w->is_rcu;
		pthread_mutex_unlock(&pool_lock);

		__atomic_store_n(&w->pending, 0, __ATOMIC_SEQ_CST);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		w->func(w);		/* may free w */

		pthread_mutex_lock(&pool_lock);
		me->cur = NULL;
		me->cur_is_rcu = false;
		pthread_cond_broadcast(&pool_done);
		pthread_cond_broadcast(&pool_work);	/* a skipped item may run */
	}
	return NULL;
}

/* under pool_lock: make sure a worker can take what was just queued */
static void wake_workers(struct workqueue_struct *wq)
{
	if (!wq->nr_idle && wq->nr_workers < MAX_WORKERS) {
		struct shim_worker *me = &wq->workers[wq->nr_workers];

		me->wq = wq;
		me->cpu = wq->nr_workers % shim_nr_cpus;
		if (pthread_create(&me->thread, NULL, worker_fn, me)) {
			fprintf(stderr, "shim: cannot start a worker thread\n");
			abort();
		}
		pthread_detach(me->thread);
		wq->nr_workers++;
	}
	pthread_cond_broadcast(&pool_work);
}

/* under pool_lock */
static void enqueue(struct workqueue_struct *wq, struct work_struct *w)
{
	w->wq = wq;
	w->next = NULL;
	if (wq->tail)
		wq->tail->next = w;
	else
		wq->head = w;
	wq->tail = w;
	w->queued = true;
	if (!w->is_rcu)
		kicks++;
	wake_workers(wq);
}

struct workqueue_struct *alloc_workqueue(const char *fmt, unsigned int flags,
					 int max_active, ...)
{
	struct workqueue_struct *wq;
	unsigned int i;
	va_list ap;

	if (!(flags & WQ_UNBOUND)) {
		fprintf(stderr, "shim: alloc_workqueue(%s): only WQ_UNBOUND workqueues are modelled (tests/fast/shim/wq.c)\n",
			fmt);
		abort();
	}
	wq = calloc(1, sizeof(*wq));
	if (!wq)
		return NULL;
	va_start(ap, max_active);
	vsnprintf(wq->name, sizeof(wq->name), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&pool_lock);
	for (i = 0; i < 8 && all_wq[i]; i++)
		;
	if (i == 8) {
		fprintf(stderr, "shim: more than 8 workqueues\n");
		abort();
	}
	all_wq[i] = wq;
	pthread_mutex_unlock(&pool_lock);
	return wq;
}

bool queue_work(struct workqueue_struct *wq, struct work_struct *w)
{
	/* test_and_set_bit(WORK_STRUCT_PENDING_BIT): a full barrier */
#ifdef FAST_SHIM_TSO
	shim_tso_drain();
#endif
	if (__atomic_exchange_n(&w->pending, 1, __ATOMIC_SEQ_CST))
		return false;
	pthread_mutex_lock(&pool_lock);
	if (w->disable) {
		__atomic_store_n(&w->pending, 0, __ATOMIC_SEQ_CST);
		pthread_mutex_unlock(&pool_lock);
		return false;
	}
	enqueue(wq, w);
	pthread_mutex_unlock(&pool_lock);
	return true;
}

static void *rcu_thread_fn(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&pool_lock);
	for (;;) {
		struct rcu_work *list, *rw;

		while (!rcu_head)
			pthread_cond_wait(&rcu_cv, &pool_lock);
		list = rcu_head;
		rcu_head = NULL;
		rcu_tail = &rcu_head;
		rcu_inflight++;
		pthread_mutex_unlock(&pool_lock);

		synchronize_rcu();	/* every reader of before the call is done */

		pthread_mutex_lock(&pool_lock);
		while ((rw = list)) {
			list = rw->rcu_next;
			rw->work.rcu_wait = false;
			if (rw->work.disable)
				__atomic_store_n(&rw->work.pending, 0, __ATOMIC_SEQ_CST);
			else
				enqueue(rw->wq, &rw->work);
		}
		rcu_inflight--;
		pthread_cond_broadcast(&pool_done);
	}
	return NULL;
}

bool queue_rcu_work(struct workqueue_struct *wq, struct rcu_work *rw)
{
#ifdef FAST_SHIM_TSO
	shim_tso_drain();
#endif
	if (__atomic_exchange_n(&rw->work.pending, 1, __ATOMIC_SEQ_CST))
		return false;
	pthread_mutex_lock(&pool_lock);
	rw->wq = wq;
	rw->work.rcu_wait = true;
	rw->rcu_next = NULL;
	*rcu_tail = rw;
	rcu_tail = &rw->rcu_next;
	if (!rcu_started) {
		pthread_t t;

		if (pthread_create(&t, NULL, rcu_thread_fn, NULL)) {
			fprintf(stderr, "shim: cannot start the RCU thread\n");
			abort();
		}
		pthread_detach(t);
		rcu_started = true;
	}
	pthread_cond_signal(&rcu_cv);
	pthread_mutex_unlock(&pool_lock);
	return true;
}

/* under pool_lock: an instance of @w is waiting for RCU, queued or running */
static bool busy(const struct work_struct *w)
{
	return w->rcu_wait || w->queued || running(w);
}

/*
 * Waits until no instance of @w is queued or running. The kernel waits
 * for the last instance queued before the call only; waiting longer is
 * allowed, and the tests flush when nothing reports any more.
 */
bool flush_work(struct work_struct *w)
{
	bool waited = false;

	pthread_mutex_lock(&pool_lock);
	while (busy(w)) {
		waited = true;
		pthread_cond_wait(&pool_done, &pool_lock);
	}
	pthread_mutex_unlock(&pool_lock);
	return waited;
}

bool flush_rcu_work(struct rcu_work *rw)
{
	return flush_work(&rw->work);
}

/* Disable @w for good, cancel a queued instance, wait for a running one */
bool disable_work_sync(struct work_struct *w)
{
	bool was_queued;

	pthread_mutex_lock(&pool_lock);
	w->disable++;
	was_queued = w->queued;
	if (was_queued) {
		struct workqueue_struct *wq = w->wq;
		struct work_struct **pp, *prev = NULL;

		for (pp = &wq->head; *pp != w; prev = *pp, pp = &(*pp)->next)
			;
		*pp = w->next;
		if (wq->tail == w)
			wq->tail = prev;
		w->queued = false;
		__atomic_store_n(&w->pending, 0, __ATOMIC_SEQ_CST);
	}
	while (running(w)) {
		disable_waiters++;
		pthread_cond_wait(&pool_done, &pool_lock);
		disable_waiters--;
	}
	pthread_mutex_unlock(&pool_lock);
	return was_queued;
}

struct work_struct *current_work(void)
{
	struct work_struct *w;

	if (!self)
		return NULL;
	pthread_mutex_lock(&pool_lock);
	w = self->cur;
	pthread_mutex_unlock(&pool_lock);
	return w;
}

void shim_wq_hold(bool h)
{
	pthread_mutex_lock(&pool_lock);
	hold = h;
	pthread_cond_broadcast(&pool_work);
	pthread_mutex_unlock(&pool_lock);
}

static bool any_busy(void)
{
	unsigned int i;
	int j;

	if (rcu_head || rcu_inflight)
		return true;
	for (i = 0; i < 8; i++) {
		if (!all_wq[i])
			continue;
		if (all_wq[i]->head)
			return true;
		for (j = 0; j < all_wq[i]->nr_workers; j++)
			if (all_wq[i]->workers[j].cur)
				return true;
	}
	return false;
}

void shim_wq_quiesce(void)
{
	pthread_mutex_lock(&pool_lock);
	while (any_busy())
		pthread_cond_wait(&pool_done, &pool_lock);
	pthread_mutex_unlock(&pool_lock);
}

unsigned long shim_wq_kicks(void)
{
	unsigned long n;

	pthread_mutex_lock(&pool_lock);
	n = kicks;
	pthread_mutex_unlock(&pool_lock);
	return n;
}

static bool any_rcu_busy(void)
{
	unsigned int i;
	int j;
	struct work_struct *w;

	if (rcu_head || rcu_inflight)
		return true;
	for (i = 0; i < 8; i++) {
		if (!all_wq[i])
			continue;
		for (w = all_wq[i]->head; w; w = w->next)
			if (w->is_rcu)
				return true;
		for (j = 0; j < all_wq[i]->nr_workers; j++)
			if (all_wq[i]->workers[j].cur_is_rcu)
				return true;
	}
	return false;
}

void shim_wq_rcu_idle(void)
{
	pthread_mutex_lock(&pool_lock);
	while (any_rcu_busy())
		pthread_cond_wait(&pool_done, &pool_lock);
	pthread_mutex_unlock(&pool_lock);
}

int shim_disable_waiters(void)
{
	int n;

	pthread_mutex_lock(&pool_lock);
	n = disable_waiters;
	pthread_mutex_unlock(&pool_lock);
	return n;
}
