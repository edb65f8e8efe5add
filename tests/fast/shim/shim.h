/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the shim's out-of-line parts (cpu.c, wq.c, rcu.c, misc.c, tso.c)
 * share with the shim headers and the tests: "CPUs" are thread-local ids,
 * each with an "interrupts off" mutex; workqueues are pools of threads.
 */
#ifndef _FAST_SHIM_H
#define _FAST_SHIM_H

#include <stdbool.h>
#include <stddef.h>
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

/* local_irq_save()/restore(): the CPU's mutex, so one producer per CPU */
void shim_irq_save(void);
void shim_irq_restore(void);

/* --- workqueues (wq.c) --- */
struct work_struct;
/* keep every worker from starting a work item (bench, ring_overflow) */
void shim_wq_hold(bool hold);
/* wait until no work item nor RCU work is queued, pending or running */
void shim_wq_quiesce(void);
/* queue_work() calls that queued a work item, since the start */
unsigned long shim_wq_kicks(void);
/* wait until no RCU work (queue_rcu_work()) is waiting, queued or running */
void shim_wq_rcu_idle(void);
/* threads now waiting in disable_work_sync() */
int shim_disable_waiters(void);

/* --- misc.c --- */
/* dev_warn() calls so far */
int shim_warnings(void);

/* --- TSAN: the happens-before RCU gives, which liburcu does not tell TSAN */
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

/*
 * --- the x86-TSO store buffer of the "tso" build (tso.c, asm/barrier.h) ---
 * When on, a release store made by the fault side (interrupts off) stays in
 * its thread's buffer until that thread runs a full barrier, a locked
 * operation or local_irq_save(), or calls shim_tso_drain(); the thread's
 * own marked loads see it (store forwarding), other threads do not.
 */
extern int shim_tso_on;
void shim_tso_store(void *p, unsigned long v, size_t size);
bool shim_tso_forward(const void *p, unsigned long size, unsigned long *v);
void shim_tso_drain(void);
int shim_tso_pending(void);

#endif
