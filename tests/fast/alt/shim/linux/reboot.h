/* SPDX-License-Identifier: GPL-2.0 */
/* Shim: kernel/notifier.c needs system_state (linux/kernel.h upstream). */
#ifndef _SHIM_REBOOT_H
#define _SHIM_REBOOT_H
enum system_states { SYSTEM_BOOTING, SYSTEM_RUNNING };
extern enum system_states system_state;
#endif
