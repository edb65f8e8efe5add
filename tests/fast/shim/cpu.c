// SPDX-License-Identifier: GPL-2.0
/*
 * "CPUs": a thread-local id, one "interrupts off" mutex each, and the
 * per-CPU allocator (linux/percpu.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/rcupdate.h>

#include "shim.h"

unsigned int shim_nr_cpus = 1;
__thread int shim_cpu;
__thread int shim_irq_depth;
pthread_mutex_t shim_cpu_lock[SHIM_NR_CPUS_MAX];

void shim_init(unsigned int nr_cpus)
{
	unsigned int i;

	if (nr_cpus < 1 || nr_cpus > SHIM_NR_CPUS_MAX) {
		fprintf(stderr, "shim: FAST_CPUS must be 1..%d, not %u\n",
			SHIM_NR_CPUS_MAX, nr_cpus);
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
#ifdef FAST_SHIM_TSO
	shim_tso_drain();
#endif
	urcu_memb_unregister_thread();
}

/*
 * Interrupts off: nothing else runs on this CPU, so this CPU's ring has
 * one producer. Nested sections (an interrupt inside) take the mutex once.
 */
void shim_irq_save(void)
{
#ifdef FAST_SHIM_TSO
	shim_tso_drain();
#endif
	if (!shim_irq_depth++)
		pthread_mutex_lock(&shim_cpu_lock[shim_cpu]);
}

void shim_irq_restore(void)
{
	if (!--shim_irq_depth)
		pthread_mutex_unlock(&shim_cpu_lock[shim_cpu]);
}

/* one element per possible CPU, zeroed, aligned as the type asks */
void *shim_alloc_percpu(size_t size, size_t align)
{
	size_t bytes = size * shim_nr_cpus;
	void *p;

	if (align < sizeof(void *))
		align = sizeof(void *);
	bytes = (bytes + align - 1) / align * align;
	p = aligned_alloc(align, bytes);
	if (p)
		memset(p, 0, bytes);
	return p;
}
