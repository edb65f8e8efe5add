/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim module parameters: module_param(name, ...) also defines a pointer
 * shim_param_<name> to the parameter, so a test can set it (as a boot or
 * insmod parameter would) before the code reads it. module_param_named()
 * names the pointer after the parameter, not the variable.
 */
#ifndef _SHIM_MODULEPARAM_H
#define _SHIM_MODULEPARAM_H
#define module_param(name, type, perm)	\
	__typeof__(name) *shim_param_##name = &name
#define module_param_named(name, value, type, perm)	\
	__typeof__(value) *shim_param_##name = &value
#define MODULE_PARM_DESC(name, desc)
#endif
