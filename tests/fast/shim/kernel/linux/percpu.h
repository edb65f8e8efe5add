/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim per-CPU data: alloc_percpu() returns an array with one element per
 * possible CPU, indexed by the thread-local CPU id. Threads stand in for
 * CPUs; local_irq_save() takes the CPU's mutex, so at most one thread is
 * "the fault side with interrupts off" on a CPU at a time, as in the kernel.
 * The mutex orders only the producers of one CPU among themselves: a work
 * item never takes it, so TSAN sees no happens-before between a ring's
 * producer and its consumer other than the ring's own acquire/release.
 */
#ifndef _SHIM_PERCPU_H
#define _SHIM_PERCPU_H

#include <stdlib.h>
#include "../../shim.h"

#define NR_CPUS			SHIM_NR_CPUS_MAX
#define __percpu
#define smp_processor_id()	(shim_cpu)
#define raw_smp_processor_id()	(shim_cpu)
#define cpu_to_node(cpu)	((void)(cpu), 0)
#define for_each_possible_cpu(cpu) \
	for ((cpu) = 0; (cpu) < shim_nr_cpus; (cpu)++)
#define for_each_online_cpu(cpu)	for_each_possible_cpu(cpu)

void *shim_alloc_percpu(size_t size, size_t align);
#define alloc_percpu(type)	\
	((type *)shim_alloc_percpu(sizeof(type), __alignof__(type)))
#define free_percpu(p)		free(p)
#define per_cpu_ptr(ptr, cpu)	(&(ptr)[(cpu)])
#define this_cpu_ptr(ptr)	per_cpu_ptr(ptr, smp_processor_id())
#define raw_cpu_ptr(ptr)	per_cpu_ptr(ptr, raw_smp_processor_id())

#define local_irq_save(flags)	do { (flags) = 0; shim_irq_save(); } while (0)
#define local_irq_restore(flags) do { (void)(flags); shim_irq_restore(); } while (0)
#define irqs_disabled()		(shim_irq_depth > 0)

#endif
