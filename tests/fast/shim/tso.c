// SPDX-License-Identifier: GPL-2.0
/*
 * The x86-TSO store buffer of the "tso" build (asm/barrier.h). When
 * shim_tso_on is set, a release store the fault side makes with
 * interrupts off is appended to the calling thread's buffer instead of
 * going to memory; the buffer is written to memory, oldest first, when the
 * thread runs a full barrier (smp_mb(), smp_store_mb()), a locked
 * operation (xchg(), cmpxchg(), queue_work(), a mutex) or local_irq_save(),
 * when it exits, or when it calls shim_tso_drain(). The thread's own
 * marked loads see buffered values (store forwarding); other threads see
 * memory. This is the one reordering x86 allows (a store passing a later
 * load); a test uses it to hold the fault side's ring publication back
 * while the consumer goes idle (t_wakeup.c).
 *
 * Only release stores are buffered: the fault side's plain and
 * WRITE_ONCE() stores before them (the record, the counters) go to memory
 * at once, which is an allowed order (they are older), and nothing after
 * them until the next drain point is a store the test depends on.
 */
#include <stdio.h>
#include <stdlib.h>

#include "shim.h"

#define TSO_MAX 32

struct tso_entry {
	void *p;
	unsigned long v;
	size_t size;
};

int shim_tso_on;
static __thread struct tso_entry buf[TSO_MAX];
static __thread int nbuf;

static void store(const struct tso_entry *e)
{
	switch (e->size) {
	case 1: __atomic_store_n((unsigned char *)e->p, e->v, __ATOMIC_RELEASE); break;
	case 2: __atomic_store_n((unsigned short *)e->p, e->v, __ATOMIC_RELEASE); break;
	case 4: __atomic_store_n((unsigned int *)e->p, e->v, __ATOMIC_RELEASE); break;
	case 8: __atomic_store_n((unsigned long *)e->p, e->v, __ATOMIC_RELEASE); break;
	default:
		fprintf(stderr, "shim: tso store of %zu bytes\n", e->size);
		abort();
	}
}

void shim_tso_drain(void)
{
	int i;

	for (i = 0; i < nbuf; i++)
		store(&buf[i]);
	nbuf = 0;
}

void shim_tso_store(void *p, unsigned long v, size_t size)
{
	if (nbuf == TSO_MAX) {		/* full: the oldest one drains */
		int i;

		store(&buf[0]);
		for (i = 1; i < nbuf; i++)
			buf[i - 1] = buf[i];
		nbuf--;
	}
	buf[nbuf].p = p;
	buf[nbuf].v = v;
	buf[nbuf].size = size;
	nbuf++;
}

bool shim_tso_forward(const void *p, unsigned long size, unsigned long *v)
{
	int i;

	for (i = nbuf - 1; i >= 0; i--)
		if (buf[i].p == p && buf[i].size == size) {
			*v = buf[i].v;
			return true;
		}
	return false;
}

int shim_tso_pending(void)
{
	return nbuf;
}
