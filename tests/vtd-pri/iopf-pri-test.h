/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ioctl interface of iopf_pri_test.ko (tests/vtd-pri/iopf_pri_test.c),
 * shared with its user program. Test-only, out of tree.
 *
 * Opening /dev/iopf-pri-test binds the opener's mm to the QEMU device
 * iopf-pri-test with iommu_sva_bind_device() (one opener at a time); the
 * file then drives the device's page requests and reads its response log
 * and, on kernels with the failure notifier, the failure records the
 * driver received.
 */
#ifndef IOPF_PRI_TEST_H
#define IOPF_PRI_TEST_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* struct iopf_pri_submit.flags: the access requested, as the device has it */
#define IOPF_PRI_READ		(1U << 0)
#define IOPF_PRI_WRITE		(1U << 1)
#define IOPF_PRI_EXEC		(1U << 2)
#define IOPF_PRI_PRIV		(1U << 3)
/* access the pages (ATS + DMA) after a Success response */
#define IOPF_PRI_ACCESS		(1U << 4)

/* struct iopf_pri_submit.pasid_mode */
#define IOPF_PRI_PASID_BOUND	0	/* the PASID of this file's SVA bond */
#define IOPF_PRI_PASID_EXPLICIT	1	/* struct iopf_pri_submit.pasid */
#define IOPF_PRI_PASID_NONE	2	/* a request without PASID */

/* struct iopf_pri_result.code: PCIe Page Response codes */
#define IOPF_PRI_RC_SUCCESS	0x0
#define IOPF_PRI_RC_INVALID	0x1
#define IOPF_PRI_RC_FAILURE	0xf

/* struct iopf_pri_result.access */
#define IOPF_PRI_ACC_OK		0	/* none requested, or all pages done */
#define IOPF_PRI_ACC_NOPERM	1	/* translated without the permission */
#define IOPF_PRI_ACC_ATS_ERR	2	/* the translation request failed */
#define IOPF_PRI_ACC_DMA_ERR	3

/**
 * struct iopf_pri_info - IOPF_PRI_INFO
 * @pasid: PASID of this file's SVA bond
 * @rid: the device's requester ID (bus << 8 | devfn)
 * @notify: 1 when the driver receives failure records (the kernel has the
 *	failure notifier), 0 otherwise
 * @log_count: groups the device logged since the file was opened
 * @stray: responses the device received that matched no outstanding group
 */
struct iopf_pri_info {
	__u32 pasid;
	__u32 rid;
	__u32 notify;
	__u32 log_count;
	__u32 stray;
	__u32 reserved;
};

/**
 * struct iopf_pri_submit - IOPF_PRI_SUBMIT: one page request group
 * @addr: address of the first page; page i is at @addr + i * 4096
 * @pattern: what a write access stores at offset 0 of page i (+ i)
 * @pasid_mode: IOPF_PRI_PASID_*
 * @pasid: the PASID for IOPF_PRI_PASID_EXPLICIT
 * @flags: IOPF_PRI_* access flags
 * @prgi: page request group index (0-511)
 * @count: pages in the group (1-64); the last has Last Page In Group
 * @seq: out: the device's log sequence number of the group
 * @submit_err: out: 0, or the errno of the device's failed submit
 */
struct iopf_pri_submit {
	__u64 addr;
	__u64 pattern;
	__u32 pasid_mode;
	__u32 pasid;
	__u32 flags;
	__u32 prgi;
	__u32 count;
	__u32 seq;
	__s32 submit_err;
	__u32 reserved;
};

/**
 * struct iopf_pri_result - IOPF_PRI_WAIT: the device's record of a group
 * @seq: in: the group's sequence number
 * @timeout_ms: in: how long to wait for the response
 * @responded: out: 1 when a response came
 * @code: out: its response code (IOPF_PRI_RC_*)
 * @access: out: IOPF_PRI_ACC_* of the access after a Success response
 * @pages_ok: out: pages the device accessed successfully
 * @latency: out: request to response, QEMU virtual clock nanoseconds
 * @data: out: read: first 64 bits of the first page; write: the pattern
 *
 * Returns -ETIMEDOUT when no response came in @timeout_ms.
 */
struct iopf_pri_result {
	__u32 seq;
	__u32 timeout_ms;
	__u32 responded;
	__u32 code;
	__u32 access;
	__u32 pages_ok;
	__u64 latency;
	__u64 data;
};

/* One failure record as the driver received it (struct iopf_failure) */
struct iopf_pri_failure {
	__u64 addr;
	__u64 timestamp;
	__u32 rid;
	__u32 pasid;
	__u32 grpid;
	__u32 perm;
	__u32 flags;
	__u16 code;
	__u16 source;
};

/**
 * struct iopf_pri_failures - IOPF_PRI_FAILURES: take failure records
 * @records: user pointer to an array of @max struct iopf_pri_failure
 * @max: in: room in @records
 * @min: in: wait until at least @min records are there (or @timeout_ms)
 * @timeout_ms: in: the longest wait
 * @count: out: records copied (and removed from the driver's log)
 * @dropped: out: records lost because the driver's log was full
 *
 * Returns -EOPNOTSUPP on a kernel without the failure notifier.
 */
struct iopf_pri_failures {
	__u64 records;
	__u32 max;
	__u32 min;
	__u32 timeout_ms;
	__u32 count;
	__u32 dropped;
	__u32 reserved;
};

#define IOPF_PRI_MAGIC		'P'
#define IOPF_PRI_INFO		_IOR(IOPF_PRI_MAGIC, 1, struct iopf_pri_info)
#define IOPF_PRI_SUBMIT		_IOWR(IOPF_PRI_MAGIC, 2, struct iopf_pri_submit)
#define IOPF_PRI_WAIT		_IOWR(IOPF_PRI_MAGIC, 3, struct iopf_pri_result)
#define IOPF_PRI_FAILURES	_IOWR(IOPF_PRI_MAGIC, 4, struct iopf_pri_failures)

#endif /* IOPF_PRI_TEST_H */
