/* SPDX-License-Identifier: GPL-2.0 */
/* Shim: CONFIG_PCI is off here; devices name their RIDs with a fwspec. */
#ifndef _SHIM_PCI_H
#define _SHIM_PCI_H
#endif
