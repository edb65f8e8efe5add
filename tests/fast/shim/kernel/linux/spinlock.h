/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim raw spinlocks: the tools/include spinlock (a pthread mutex) under the
 * raw_ names. "_irq" adds nothing: interrupts are modelled by the CPU mutex
 * of local_irq_save() (percpu.h), which the callers here take around it.
 */
#ifndef _SHIM_SPINLOCK_H
#define _SHIM_SPINLOCK_H

#include_next <linux/spinlock.h>

#define raw_spinlock_t			spinlock_t
#define raw_spin_lock_init(x)		spin_lock_init(x)
#define raw_spin_lock(x)		spin_lock(x)
#define raw_spin_unlock(x)		spin_unlock(x)
#define raw_spin_lock_irq(x)		spin_lock(x)
#define raw_spin_unlock_irq(x)		spin_unlock(x)

#endif
