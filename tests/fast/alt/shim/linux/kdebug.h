/* SPDX-License-Identifier: GPL-2.0 */
/* Shim for kernel/notifier.c's die chain, which nothing here calls. */
#ifndef _SHIM_KDEBUG_H
#define _SHIM_KDEBUG_H
struct pt_regs;
enum die_val { DIE_OOPS = 1 };
struct die_args {
	struct pt_regs *regs;
	const char *str;
	long err;
	int trapnr;
	int signr;
};
#define RCU_LOCKDEP_WARN(c, s)	do { } while (0)
#endif
