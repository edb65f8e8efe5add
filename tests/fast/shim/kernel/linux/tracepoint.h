/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim tracepoints: one probe per event, a pointer load when off (the kernel
 * has a patched-out jump). TRACE_EVENT_FN's reg/unreg callbacks are called
 * like the kernel does, so the event still turns the hooks on.
 */
#ifndef _SHIM_TRACEPOINT_H
#define _SHIM_TRACEPOINT_H

#include <linux/compiler.h>

#define EXPORT_TRACEPOINT_SYMBOL_GPL(name)
#define TP_PROTO(args...)	args
#define TP_ARGS(args...)	args
#define TP_STRUCT__entry(args...)
#define TP_fast_assign(args...)
#define TP_printk(args...)
#define TRACE_DEFINE_ENUM(x)

void tracepoint_synchronize_unregister(void);

#endif

#ifdef CREATE_TRACE_POINTS
#define __SHIM_TP_DEFINE(name, proto...)					\
	void (*__tp_probe_##name)(void *, proto);			\
	void *__tp_data_##name;
#else
#define __SHIM_TP_DEFINE(name, proto...)
#endif

#undef TRACE_EVENT_FN
#define TRACE_EVENT_FN(name, proto, args, tstruct, assign, print, reg, unreg) \
	extern void (*__tp_probe_##name)(void *, proto);		\
	extern void *__tp_data_##name;					\
	__SHIM_TP_DEFINE(name, proto)					\
	static inline void trace_##name(proto)				\
	{								\
		void (*__p)(void *, proto) =				\
			__atomic_load_n(&__tp_probe_##name, __ATOMIC_ACQUIRE); \
		if (unlikely(__p))					\
			__p(__atomic_load_n(&__tp_data_##name,		\
					    __ATOMIC_RELAXED), args);	\
	}								\
	static inline int register_trace_##name(void (*probe)(void *, proto), \
						void *data)		\
	{								\
		int __r = reg();					\
		if (__r)						\
			return __r;					\
		__atomic_store_n(&__tp_data_##name, data, __ATOMIC_RELAXED); \
		__atomic_store_n(&__tp_probe_##name, probe, __ATOMIC_RELEASE); \
		return 0;						\
	}								\
	static inline int unregister_trace_##name(void (*probe)(void *, proto), \
						  void *data)		\
	{								\
		__atomic_store_n(&__tp_probe_##name, NULL, __ATOMIC_RELEASE); \
		unreg();						\
		return 0;						\
	}
