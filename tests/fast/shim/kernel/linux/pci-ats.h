/* SPDX-License-Identifier: GPL-2.0 */
/* Shim: CONFIG_PCI is off here; nothing of linux/pci-ats.h is used. */
