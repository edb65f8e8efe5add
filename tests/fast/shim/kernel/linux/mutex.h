/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim: kernel mutexes are pthread mutexes that remember their owner. In
 * the "tso" build taking or releasing one empties the store buffer, as the
 * locked instruction inside a kernel mutex operation does.
 */
#ifndef _SHIM_MUTEX_H
#define _SHIM_MUTEX_H

#include <pthread.h>
#include <assert.h>
#include "../../shim.h"

struct mutex {
	pthread_mutex_t m;
	pthread_t owner;
	int held;
};

#define __MUTEX_INITIALIZER(name)	{ .m = PTHREAD_MUTEX_INITIALIZER }
#define DEFINE_MUTEX(name)	struct mutex name = __MUTEX_INITIALIZER(name)

#ifdef FAST_SHIM_TSO
#define __shim_mutex_drain()	shim_tso_drain()
#else
#define __shim_mutex_drain()	do { } while (0)
#endif

static inline void mutex_init(struct mutex *l)
{
	pthread_mutex_init(&l->m, NULL);
	l->held = 0;
}

static inline void mutex_lock(struct mutex *l)
{
	__shim_mutex_drain();
	pthread_mutex_lock(&l->m);
	l->owner = pthread_self();
	l->held = 1;
}

static inline void mutex_unlock(struct mutex *l)
{
	__shim_mutex_drain();
	l->held = 0;
	pthread_mutex_unlock(&l->m);
}

/* only ever asked by the holder: reading held/owner unlocked is then safe */
#define lockdep_assert_held(l)	\
	assert((l)->held && pthread_equal((l)->owner, pthread_self()))

#endif
