/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SHIM_MODULEPARAM_H
#define _SHIM_MODULEPARAM_H
#define module_param(name, type, perm)
#define MODULE_PARM_DESC(name, desc)
#endif
