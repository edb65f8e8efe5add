/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim per-CPU data: an array indexed by the thread-local CPU id. Threads
 * stand in for CPUs; local_irq_save() takes the CPU's mutex, so at most one
 * thread produces into a CPU's data at a time, as with interrupts off.
 */
#ifndef _SHIM_PERCPU_H
#define _SHIM_PERCPU_H

#include <pthread.h>
#include "../../shim.h"

#define NR_CPUS			SHIM_NR_CPUS_MAX
#define DEFINE_PER_CPU(type, name)	__typeof__(type) name[SHIM_NR_CPUS_MAX]
#define DECLARE_PER_CPU(type, name)	extern __typeof__(type) name[SHIM_NR_CPUS_MAX]
#define per_cpu_ptr(ptr, cpu)	(&(*(ptr))[(cpu)])
#define this_cpu_ptr(ptr)	per_cpu_ptr(ptr, smp_processor_id())
#define raw_cpu_ptr(ptr)	per_cpu_ptr(ptr, raw_smp_processor_id())
#define smp_processor_id()	(shim_cpu)
#define raw_smp_processor_id()	(shim_cpu)
#define for_each_possible_cpu(cpu) \
	for ((cpu) = 0; (cpu) < shim_nr_cpus; (cpu)++)
#define for_each_online_cpu(cpu)	for_each_possible_cpu(cpu)

#define local_irq_save(flags) do {					\
		(flags) = 0;						\
		pthread_mutex_lock(&shim_cpu_lock[shim_cpu]);		\
		shim_irq_depth++;					\
	} while (0)
#define local_irq_restore(flags) do {					\
		(void)(flags);						\
		shim_irq_depth--;					\
		pthread_mutex_unlock(&shim_cpu_lock[shim_cpu]);		\
	} while (0)
#define irqs_disabled()		(shim_irq_depth > 0)

#endif
