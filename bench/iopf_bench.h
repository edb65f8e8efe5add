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
#define IOPF_BENCH_PERM_READ	(1 << 0)
#define IOPF_BENCH_PERM_WRITE	(1 << 1)
#define IOPF_BENCH_BAD_PASID	(1 << 2)	/* a PASID with no handler */
#define IOPF_BENCH_PAGE_FLAGS	0xfffULL

/**
 * struct iopf_bench_info - what the loaded module offers
 * @pasid: the PASID of the opener's mm on the mock device
 * @rid: the requester ID of the mock device
 * @notify: 1 when the kernel has the failure notifier
 * @nr_threads: number of PRQ threads
 * @max_samples: most page request groups per run
 */
struct iopf_bench_info {
	__u32 pasid;
	__u32 rid;
	__u32 notify;
	__u32 nr_threads;
	__u32 max_samples;
	__u32 reserved;
};

/**
 * struct iopf_bench_setup - notifier configuration
 * @notify: register a failure notifier for the mock device
 * @nr_neighbours: unrelated requester IDs registered on the same IOMMU
 * @cb_cost_us: time each callback spends
 * @cb_sleep: 0: the callback busy-waits (udelay), 1: it sleeps
 *	(usleep_range below 20 ms, msleep above)
 */
struct iopf_bench_setup {
	__u32 notify;
	__u32 nr_neighbours;
	__u32 cb_cost_us;
	__u32 cb_sleep;
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
 * @reserved: must be zero
 */
struct iopf_bench_run {
	__u64 pages;
	__u32 nr_pages;
	__u32 group;
	__u64 elapsed_ns;
	__u32 nr_groups;
	__u32 nr_success;
	__u32 nr_failed;
	__u32 reserved;
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

/**
 * struct iopf_bench_enqueue - time the failure site directly
 * @nr: number of timed __iopf_report_failure() calls
 * @batch: calls between two waits for the callbacks to catch up
 */
struct iopf_bench_enqueue {
	__u32 nr;
	__u32 batch;
};

#define IOPF_BENCH_MAGIC	0xb7
#define IOPF_BENCH_INFO		_IOR(IOPF_BENCH_MAGIC, 0, struct iopf_bench_info)
#define IOPF_BENCH_SETUP	_IOW(IOPF_BENCH_MAGIC, 1, struct iopf_bench_setup)
#define IOPF_BENCH_RUN		_IOWR(IOPF_BENCH_MAGIC, 2, struct iopf_bench_run)
#define IOPF_BENCH_SAMPLES	_IOWR(IOPF_BENCH_MAGIC, 3, struct iopf_bench_samples)
#define IOPF_BENCH_DRAIN	_IOR(IOPF_BENCH_MAGIC, 4, __u32)
#define IOPF_BENCH_ENQUEUE	_IOW(IOPF_BENCH_MAGIC, 5, struct iopf_bench_enqueue)

#endif /* _IOPF_BENCH_H */
