/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim static keys: a counter read with a relaxed load. The kernel patches a
 * nop/jmp instead; here the "off" check costs a load and a branch.
 */
#ifndef _SHIM_JUMP_LABEL_H
#define _SHIM_JUMP_LABEL_H

#include <linux/compiler.h>

struct static_key { int enabled; };
struct static_key_true { struct static_key key; };
struct static_key_false { struct static_key key; };

#define DEFINE_STATIC_KEY_FALSE(name)	struct static_key_false name = { { 0 } }
#define DECLARE_STATIC_KEY_FALSE(name)	extern struct static_key_false name

#define static_key_enabled(x)	\
	(__atomic_load_n(&(x)->key.enabled, __ATOMIC_RELAXED) > 0)
#define static_branch_unlikely(x)	unlikely(static_key_enabled(x))
#define static_branch_likely(x)		likely(static_key_enabled(x))
#define static_branch_inc(x)	\
	__atomic_fetch_add(&(x)->key.enabled, 1, __ATOMIC_SEQ_CST)
#define static_branch_dec(x)	\
	__atomic_fetch_sub(&(x)->key.enabled, 1, __ATOMIC_SEQ_CST)

#endif
