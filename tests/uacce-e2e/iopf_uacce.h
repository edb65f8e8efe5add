/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Interface of the iopf_uacce test module. The module is the parent
 * driver of a uacce device (SVA) on a device of the mock IOMMU, and it
 * plays the accelerator:
 *  - on a queue file (/dev/iopf_mock-N), after UACCE_CMD_START_Q or not:
 *    IOPF_UACCE_INJECT sends one page request on the queue's PASID through
 *    iommu_report_device_fault() and waits until it was answered and its
 *    failure (if any) reported; IOPF_UACCE_REBIND sends a failing one, then
 *    unbinds the queue's PASID and binds the process again, which gives
 *    the same PASID number to a new binding, all before the failure can be
 *    delivered (uacce's callback waits for the uacce mutex the queue's
 *    ioctl holds);
 *  - on /dev/iopf_uacce: IOPF_UACCE_FLUSH waits until every failure
 *    reported so far was handled by uacce's callback; IOPF_UACCE_COUNTS
 *    reads the counters of uacce's registration. Both need a kernel with
 *    CONFIG_IOPF_NOTIFY_KUNIT_TEST (else EOPNOTSUPP).
 */
#ifndef _IOPF_UACCE_H
#define _IOPF_UACCE_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define IOPF_UACCE_PERM_READ	0x1
#define IOPF_UACCE_PERM_WRITE	0x2

/**
 * struct iopf_uacce_inject - one page request of the mock device
 * @addr: address the device accesses
 * @perm: IOPF_UACCE_PERM_* access it requests
 * @pasid: out: the queue's PASID, the one the request carried
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

/**
 * struct iopf_uacce_rebind - a failing write, then a new binding
 * @addr: the address written (a read-only page of the process)
 * @pasid_before: out: the PASID the write carried
 * @pasid_after: out: the PASID of the new binding
 * @code: out: the response to the write
 */
struct iopf_uacce_rebind {
	__u64 addr;
	__u32 pasid_before;
	__u32 pasid_after;
	__u32 code;
	__u32 reserved;
};

/**
 * struct iopf_uacce_counts - counters of uacce's registration
 * @generated: failures reported for the device
 * @delivered: records passed to uacce's callback
 * @overflow: records lost to a full ring
 * @stale: records dropped because their PASID lost its binding
 * @released: records dropped at the end of the registration
 */
struct iopf_uacce_counts {
	__u64 generated;
	__u64 delivered;
	__u64 overflow;
	__u64 stale;
	__u64 released;
};

#define IOPF_UACCE_INJECT	_IOWR(0xb8, 0, struct iopf_uacce_inject)
#define IOPF_UACCE_REBIND	_IOWR(0xb8, 1, struct iopf_uacce_rebind)
#define IOPF_UACCE_FLUSH	_IO(0xb8, 2)
#define IOPF_UACCE_COUNTS	_IOR(0xb8, 3, struct iopf_uacce_counts)

#endif /* _IOPF_UACCE_H */
