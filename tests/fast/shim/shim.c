// SPDX-License-Identifier: GPL-2.0
/*
 * The out-of-line part of the shim: "CPUs" (thread-local ids, one mutex and
 * one worker thread each), workqueues, RCU glue, debugfs, seq_file,
 * kmalloc's size limit.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/debugfs.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/tracepoint.h>
#include <linux/workqueue.h>

#include "shim.h"

unsigned int shim_nr_cpus = 1;
__thread int shim_cpu;
__thread int shim_irq_depth;
static __thread int shim_cpu_held;	/* this thread "runs on" shim_cpu */
pthread_mutex_t shim_cpu_lock[SHIM_NR_CPUS_MAX];
#if defined(__SANITIZE_THREAD__)
char shim_rcu_gp_sync;
#endif

void shim_init(unsigned int nr_cpus)
{
	unsigned int i;

	if (nr_cpus < 1 || nr_cpus > SHIM_NR_CPUS_MAX) {
		fprintf(stderr, "shim: bad number of CPUs %u\n", nr_cpus);
		exit(2);
	}
	shim_nr_cpus = nr_cpus;
	for (i = 0; i < SHIM_NR_CPUS_MAX; i++)
		pthread_mutex_init(&shim_cpu_lock[i], NULL);
	shim_thread_enter(0);
}

void shim_thread_enter(int cpu)
{
	shim_cpu = cpu;
	urcu_memb_register_thread();
}

void shim_thread_exit(void)
{
	urcu_memb_unregister_thread();
}

void shim_sleep_begin(void)
{
	if (shim_cpu_held)
		pthread_mutex_unlock(&shim_cpu_lock[shim_cpu]);
}

void shim_sleep_end(void)
{
	if (shim_cpu_held)
		pthread_mutex_lock(&shim_cpu_lock[shim_cpu]);
}

/* --- RCU --- */

void shim_synchronize_rcu(void)
{
	urcu_memb_synchronize_rcu();
	shim_tsan_acquire(&shim_rcu_gp_sync);
}

void shim_call_rcu(struct rcu_head *head, void (*func)(struct rcu_head *))
{
	shim_synchronize_rcu();
	func(head);
}

void tracepoint_synchronize_unregister(void)
{
	shim_synchronize_rcu();
}

/* --- kmalloc --- */

void *shim_kmalloc(size_t size, gfp_t gfp)
{
	void *p;

	if (size > KMALLOC_MAX_SIZE)
		return NULL;
	p = malloc(size ? size : 1);
	if (p && (gfp & __GFP_ZERO))
		memset(p, 0, size);
	return p;
}

/* --- workqueues --- */

struct shim_wq_cpu {
	pthread_cond_t cv;
	struct work_struct *head, *tail;
	pthread_t thread;
	struct workqueue_struct *wq;
	int cpu;
};

struct workqueue_struct {
	bool stop;
	bool no_cpu_lock;	/* negative control: break the one-CPU rule */
	struct shim_wq_cpu q[SHIM_NR_CPUS_MAX];
};

static pthread_mutex_t wq_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wq_done = PTHREAD_COND_INITIALIZER;
static bool wq_hold;
static struct workqueue_struct *wq_all[8];

static void *shim_worker(void *arg)
{
	struct shim_wq_cpu *q = arg;
	struct workqueue_struct *wq = q->wq;

	shim_thread_enter(q->cpu);
	pthread_mutex_lock(&wq_lock);
	for (;;) {
		struct work_struct *w;

		while (!wq->stop && (wq_hold || !q->head))
			pthread_cond_wait(&q->cv, &wq_lock);
		if (!q->head)
			break;
		w = q->head;
		q->head = w->next;
		if (!q->head)
			q->tail = NULL;
		pthread_mutex_unlock(&wq_lock);

		/* run on this CPU: producers of this CPU wait, as if preempted */
		if (!wq->no_cpu_lock)
			pthread_mutex_lock(&shim_cpu_lock[q->cpu]);
		shim_cpu_held = !wq->no_cpu_lock;
		__atomic_store_n(&w->pending, 0, __ATOMIC_SEQ_CST);
		w->func(w);
		shim_cpu_held = 0;
		if (!wq->no_cpu_lock)
			pthread_mutex_unlock(&shim_cpu_lock[q->cpu]);

		pthread_mutex_lock(&wq_lock);
		w->nr_done++;
		pthread_cond_broadcast(&wq_done);
	}
	pthread_mutex_unlock(&wq_lock);
	shim_thread_exit();
	return NULL;
}

struct workqueue_struct *alloc_workqueue(const char *fmt, unsigned int flags,
					 int max_active, ...)
{
	struct workqueue_struct *wq = calloc(1, sizeof(*wq));
	unsigned int cpu, i;

	if (!wq)
		return NULL;
	/*
	 * FAST_SHIM_NO_CPU_LOCK=1 lets a CPU's worker run concurrently with
	 * that CPU's producers, which the kernel never does: ThreadSanitizer
	 * must then report the ring (scripts/check-fast.sh checks it does).
	 */
	wq->no_cpu_lock = getenv("FAST_SHIM_NO_CPU_LOCK") != NULL;
	for (cpu = 0; cpu < shim_nr_cpus; cpu++) {
		struct shim_wq_cpu *q = &wq->q[cpu];

		pthread_cond_init(&q->cv, NULL);
		q->wq = wq;
		q->cpu = cpu;
		if (pthread_create(&q->thread, NULL, shim_worker, q)) {
			fprintf(stderr, "shim: pthread_create failed\n");
			exit(2);
		}
	}
	pthread_mutex_lock(&wq_lock);
	for (i = 0; i < 8; i++)
		if (!wq_all[i]) {
			wq_all[i] = wq;
			break;
		}
	pthread_mutex_unlock(&wq_lock);
	return wq;
}

void destroy_workqueue(struct workqueue_struct *wq)
{
	unsigned int cpu, i;

	pthread_mutex_lock(&wq_lock);
	wq->stop = true;
	for (cpu = 0; cpu < shim_nr_cpus; cpu++)
		pthread_cond_broadcast(&wq->q[cpu].cv);
	for (i = 0; i < 8; i++)
		if (wq_all[i] == wq)
			wq_all[i] = NULL;
	pthread_mutex_unlock(&wq_lock);
	for (cpu = 0; cpu < shim_nr_cpus; cpu++)
		pthread_join(wq->q[cpu].thread, NULL);
	free(wq);
}

bool shim_queue_work_slow(int cpu, struct workqueue_struct *wq,
			  struct work_struct *w)
{
	struct shim_wq_cpu *q = &wq->q[cpu];

	pthread_mutex_lock(&wq_lock);
	w->cpu = cpu;
	w->next = NULL;
	if (q->tail)
		q->tail->next = w;
	else
		q->head = w;
	q->tail = w;
	w->nr_queued++;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&wq_lock);
	return true;
}

bool flush_work(struct work_struct *w)
{
	unsigned long target;
	bool waited;

	pthread_mutex_lock(&wq_lock);
	target = w->nr_queued;
	waited = w->nr_done < target;
	while (w->nr_done < target)
		pthread_cond_wait(&wq_done, &wq_lock);
	pthread_mutex_unlock(&wq_lock);
	return waited;
}

void shim_wq_hold(bool hold)
{
	unsigned int i, cpu;

	pthread_mutex_lock(&wq_lock);
	wq_hold = hold;
	if (!hold)
		for (i = 0; i < 8; i++)
			for (cpu = 0; wq_all[i] && cpu < shim_nr_cpus; cpu++)
				pthread_cond_broadcast(&wq_all[i]->q[cpu].cv);
	pthread_mutex_unlock(&wq_lock);
}

/* --- debugfs and seq_file --- */

struct dentry {
	struct dentry *next;
	char name[64];
	void *data;
	const struct file_operations *fops;
};

static pthread_mutex_t debugfs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct dentry *debugfs_files;
static struct dentry debugfs_dir;

struct dentry *debugfs_create_dir(const char *name, struct dentry *parent)
{
	return &debugfs_dir;
}

struct dentry *debugfs_create_file(const char *name, unsigned short mode,
				   struct dentry *parent, void *data,
				   const struct file_operations *fops)
{
	struct dentry *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->data = data;
	d->fops = fops;
	pthread_mutex_lock(&debugfs_lock);
	d->next = debugfs_files;
	debugfs_files = d;
	pthread_mutex_unlock(&debugfs_lock);
	return d;
}

void debugfs_remove(struct dentry *dentry)
{
	struct dentry **p;

	if (!dentry || dentry == &debugfs_dir)
		return;
	pthread_mutex_lock(&debugfs_lock);
	for (p = &debugfs_files; *p; p = &(*p)->next)
		if (*p == dentry) {
			*p = dentry->next;
			break;
		}
	pthread_mutex_unlock(&debugfs_lock);
	free(dentry);
}

int shim_debugfs_read(const char *name, char *buf, size_t size)
{
	struct seq_file s = { .buf = buf, .size = size };
	struct dentry *d;
	int ret = -ENOENT;

	buf[0] = 0;
	pthread_mutex_lock(&debugfs_lock);
	for (d = debugfs_files; d; d = d->next)
		if (!strcmp(d->name, name)) {
			s.private = d->data;
			ret = d->fops->show(&s, NULL);
			break;
		}
	pthread_mutex_unlock(&debugfs_lock);
	return ret;
}

void seq_printf(struct seq_file *m, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (m->count >= m->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(m->buf + m->count, m->size - m->count, fmt, ap);
	va_end(ap);
	if (n > 0)
		m->count += n;
}

void seq_puts(struct seq_file *m, const char *s)
{
	seq_printf(m, "%s", s);
}
