/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Interface of the iopf_uacce test module: /dev/iopf_uacce binds its
 * opener's mm to the mock device, like the driver of an SVA accelerator
 * would, and plays the device: each IOPF_UACCE_INJECT sends one page
 * request through iommu_report_device_fault() and waits for its response.
 */
#ifndef _IOPF_UACCE_H
#define _IOPF_UACCE_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define IOPF_UACCE_PERM_READ	(1 << 0)
#define IOPF_UACCE_PERM_WRITE	(1 << 1)

/**
 * struct iopf_uacce_inject - one page request of the mock device
 * @addr: address the device accesses
 * @perm: IOPF_UACCE_PERM_* access it requests
 * @pasid: out: the PASID of the opener's mm on the device
 * @code: out: the page response the device received (0 success,
 *	  1 invalid, 2 failure)
 * @reserved: must be zero
 */
struct iopf_uacce_inject {
	__u64 addr;
	__u32 perm;
	__u32 pasid;
	__u32 code;
	__u32 reserved;
};

#define IOPF_UACCE_INJECT	_IOWR(0xb8, 0, struct iopf_uacce_inject)

#endif /* _IOPF_UACCE_H */
