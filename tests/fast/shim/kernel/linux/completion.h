/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim completions: a pthread mutex and condition variable (so TSAN sees
 * complete() -> wait_for_completion() as the happens-before it is). Static
 * inline: the tests' own harness completions (harness.h) live in other
 * translation units.
 */
#ifndef _SHIM_COMPLETION_H
#define _SHIM_COMPLETION_H

#include <limits.h>
#include <pthread.h>
#include <linux/mutex.h>

struct completion {
	pthread_mutex_t m;
	pthread_cond_t c;
	unsigned int done;
};

static inline void init_completion(struct completion *x)
{
	pthread_mutex_init(&x->m, NULL);
	pthread_cond_init(&x->c, NULL);
	x->done = 0;
}

#define reinit_completion(x)	((x)->done = 0)

static inline void complete(struct completion *x)
{
	__shim_mutex_drain();
	pthread_mutex_lock(&x->m);
	if (x->done != UINT_MAX)
		x->done++;
	pthread_cond_broadcast(&x->c);
	pthread_mutex_unlock(&x->m);
}

static inline void complete_all(struct completion *x)
{
	__shim_mutex_drain();
	pthread_mutex_lock(&x->m);
	x->done = UINT_MAX;
	pthread_cond_broadcast(&x->c);
	pthread_mutex_unlock(&x->m);
}

static inline void wait_for_completion(struct completion *x)
{
	__shim_mutex_drain();
	pthread_mutex_lock(&x->m);
	while (!x->done)
		pthread_cond_wait(&x->c, &x->m);
	if (x->done != UINT_MAX)
		x->done--;
	pthread_mutex_unlock(&x->m);
}

static inline bool completion_done(struct completion *x)
{
	bool d;

	pthread_mutex_lock(&x->m);
	d = x->done;
	pthread_mutex_unlock(&x->m);
	return d;
}

#endif
