/* SPDX-License-Identifier: GPL-2.0 */
/* Shim: the notifier tracepoints, off (the kernel: a patched-out jump). */
#ifndef _SHIM_TRACE_NOTIFIER_H
#define _SHIM_TRACE_NOTIFIER_H
static inline void trace_notifier_register(void *cb) { }
static inline void trace_notifier_unregister(void *cb) { }
static inline void trace_notifier_run(void *cb) { }
#endif
