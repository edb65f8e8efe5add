/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's own include/linux/notifier.h, with what it expects around it:
 * tools/include's pthread spinlock and rwsem, an rwsem initializer, WARN().
 */
#ifndef _SHIM_NOTIFIER_H
#define _SHIM_NOTIFIER_H
#include <stdio.h>
#include <linux/spinlock.h>
#include <linux/rwsem.h>
#define __RWSEM_INITIALIZER(name)	{ .lock = PTHREAD_RWLOCK_INITIALIZER }
#ifndef WARN
#define WARN(cond, fmt...) ({						\
		int __c = !!(cond);					\
		if (__c)						\
			fprintf(stderr, "WARNING: %s:%d\n", __FILE__, __LINE__); \
		__c;							\
	})
#endif
#ifndef __KERNEL__
#define __KERNEL__
#define _SHIM_UNDEF_KERNEL
#endif
#include <include/linux/notifier.h>
#ifdef _SHIM_UNDEF_KERNEL
#undef __KERNEL__
#endif
#endif
