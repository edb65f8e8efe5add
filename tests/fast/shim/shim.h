/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Common part of the user-space shim: "CPUs" are thread-local ids, each CPU
 * has an "irq" mutex (local_irq_save) and one worker thread.
 */
#ifndef _FAST_SHIM_H
#define _FAST_SHIM_H

#include <stdbool.h>
#include <pthread.h>

#define SHIM_NR_CPUS_MAX 16

extern unsigned int shim_nr_cpus;		/* "possible" CPUs */
extern __thread int shim_cpu;			/* the CPU this thread runs on */
extern __thread int shim_irq_depth;		/* > 0: "interrupts off" */
extern pthread_mutex_t shim_cpu_lock[SHIM_NR_CPUS_MAX];

void shim_init(unsigned int nr_cpus);
/* make the calling thread an RCU reader running on @cpu */
void shim_thread_enter(int cpu);
void shim_thread_exit(void);
/*
 * A sleeping callback gives its CPU back (as schedule() would) and takes
 * it again before returning to the work item.
 */
void shim_sleep_begin(void);
void shim_sleep_end(void);
/* bench only: keep the workers from picking up work items */
void shim_wq_hold(bool hold);

/* TSAN: happens-before edges RCU gives but liburcu 0.13 does not tell TSAN */
#if defined(__SANITIZE_THREAD__)
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
extern char shim_rcu_gp_sync;
#define shim_tsan_acquire(a)	__tsan_acquire(a)
#define shim_tsan_release(a)	__tsan_release(a)
#else
#define shim_tsan_acquire(a)	do { } while (0)
#define shim_tsan_release(a)	do { } while (0)
#endif

#endif
