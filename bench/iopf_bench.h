/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Interface between the iopf_bench module and its user-space helper,
 * through the misc device /dev/iopf_bench. Opening the device binds the
 * mock device to the opener's mm with iommu_sva_bind_device(); closing it
 * unbinds.
 */
#ifndef _IOPF_BENCH_H
#define _IOPF_BENCH_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Low bits of each page address in iopf_bench_run.pages: the request */
#define IOPF_BENCH_PERM_READ	0x1
#define IOPF_BENCH_PERM_WRITE	0x2
#define IOPF_BENCH_BAD_PASID	0x4	/* a PASID with no handler */
#define IOPF_BENCH_PAGE_FLAGS	0xfffULL

/* iopf_bench_info.design: what the kernel offers */
#define IOPF_BENCH_D_NONE	0	/* no failure notification */
#define IOPF_BENCH_D_RIDSLOT	1	/* the RID-slot notifier (the series) */
#define IOPF_BENCH_D_HOOK	2	/* the domain-local hook (alternative) */

/**
 * struct iopf_bench_info - what the loaded module offers
 * @pasid: the PASID of the opener's mm on the mock device
 * @rid: the requester ID of the mock device
 * @design: IOPF_BENCH_D_*
 * @nr_threads: number of PRQ threads
 * @max_samples: most page request groups per run
 * @record_size: bytes of one failure record in a ring (RID-slot only)
 */
struct iopf_bench_info {
	__u32 pasid;
	__u32 rid;
	__u32 design;
	__u32 nr_threads;
	__u32 max_samples;
	__u32 record_size;
};

/**
 * struct iopf_bench_setup - notifier configuration
 * @notify: register for the mock device's failures (a RID-slot notifier,
 *	or a domain hook on the bond)
 * @nr_neighbours: unrelated requester IDs registered on the same IOMMU,
 *	from @neighbour_rid on (one device holding them all)
 * @cb_cost_us: time each callback spends
 * @cb_sleep: 0: the callback busy-waits (udelay), 1: it sleeps
 *	(usleep_range below 20 ms, msleep above)
 * @defer: domain hook only: the deferred form (IOMMU_FAULT_FAILED_DEFER)
 * @neighbour_rid: first neighbour RID; 0: the default, 0x8000
 */
struct iopf_bench_setup {
	__u32 notify;
	__u32 nr_neighbours;
	__u32 cb_cost_us;
	__u32 cb_sleep;
	__u32 defer;
	__u32 neighbour_rid;
};

/**
 * struct iopf_bench_run - one round of page requests
 * @pages: user pointer to @nr_pages __u64: page address | IOPF_BENCH_* bits
 * @nr_pages: number of page requests
 * @group: pages per page request group (the last one has LAST_PAGE)
 * @elapsed_ns: out: first request queued to last response
 * @nr_groups: out: number of groups (= latency samples)
 * @nr_success: out: groups answered SUCCESS
 * @nr_failed: out: groups answered otherwise
 * @mark: 1: the fncount plugin's region is on for the round
 */
struct iopf_bench_run {
	__u64 pages;
	__u32 nr_pages;
	__u32 group;
	__u64 elapsed_ns;
	__u32 nr_groups;
	__u32 nr_success;
	__u32 nr_failed;
	__u32 mark;
};

/* Sample kinds */
#define IOPF_BENCH_S_LATENCY	0	/* last request reported -> response */
#define IOPF_BENCH_S_REPORT	1	/* PRQ thread: iommu_report_device_fault() */
#define IOPF_BENCH_S_CALLBACK	2	/* failure timestamp -> callback */
#define IOPF_BENCH_S_ENQUEUE	3	/* __iopf_report_failure(), IRQs off */
#define IOPF_BENCH_S_NULL	4	/* the empty timed region */

/**
 * struct iopf_bench_samples - copy samples of the last run to user space
 * @kind: IOPF_BENCH_S_*
 * @max: room in @buf, in __u64
 * @buf: user pointer to __u64[@max]
 * @count: out: samples copied
 * @reserved: must be zero
 */
struct iopf_bench_samples {
	__u32 kind;
	__u32 max;
	__u64 buf;
	__u32 count;
	__u32 reserved;
};

/* iopf_bench_enqueue.state: the consumer when a timed call is made */
#define IOPF_BENCH_E_FREE	0	/* as it comes: bursts of @batch */
#define IOPF_BENCH_E_IDLE	1	/* idle: each call waits for the last */
#define IOPF_BENCH_E_PENDING	2	/* held in a callback: never kicked */

/**
 * struct iopf_bench_enqueue - time the failure site directly (RID-slot)
 * @nr: number of timed __iopf_report_failure() calls
 * @batch: calls between two waits for the callbacks to catch up
 * @state: IOPF_BENCH_E_*
 * @mark: 1: the fncount plugin's region is on around the calls
 */
struct iopf_bench_enqueue {
	__u32 nr;
	__u32 batch;
	__u32 state;
	__u32 mark;
};

/**
 * struct iopf_bench_isolation - one registration blocks, another waits
 * @block_ms: how long the neighbour registration's callback sleeps
 * @tries: failures of the mock device reported while it sleeps
 * @max_delay_ns: out: the longest report-to-callback time of those
 * @unregister_ns: out: time of the neighbour's unregistration
 *
 * Needs a setup with @notify and one neighbour RID at least.
 */
struct iopf_bench_isolation {
	__u32 block_ms;
	__u32 tries;
	__u64 max_delay_ns;
	__u64 unregister_ns;
};

#define IOPF_BENCH_MAGIC	0xb7
#define IOPF_BENCH_INFO		_IOR(IOPF_BENCH_MAGIC, 0, struct iopf_bench_info)
#define IOPF_BENCH_SETUP	_IOW(IOPF_BENCH_MAGIC, 1, struct iopf_bench_setup)
#define IOPF_BENCH_RUN		_IOWR(IOPF_BENCH_MAGIC, 2, struct iopf_bench_run)
#define IOPF_BENCH_SAMPLES	_IOWR(IOPF_BENCH_MAGIC, 3, struct iopf_bench_samples)
#define IOPF_BENCH_DRAIN	_IOR(IOPF_BENCH_MAGIC, 4, __u32)
#define IOPF_BENCH_ENQUEUE	_IOW(IOPF_BENCH_MAGIC, 5, struct iopf_bench_enqueue)
#define IOPF_BENCH_ISOLATION	_IOWR(IOPF_BENCH_MAGIC, 6, struct iopf_bench_isolation)

#endif /* _IOPF_BENCH_H */
