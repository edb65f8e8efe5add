/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iopf_bench internals shared by its files:
 *   iopf_bench_main.c    module parameters, init and exit, the misc device
 *   iopf_bench_prq.c     the PRQ threads and the runs of page requests
 *   iopf_bench_notify.c  the failure notification of the kernel under test
 *                        (RID-slot notifier, domain hook, or none) and the
 *                        direct timing of the failure site
 */
#ifndef _IOPF_BENCH_PRIV_H
#define _IOPF_BENCH_PRIV_H

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/iommu.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/wait.h>

/* the fncount plugin's region markers, when scripts/modules.sh staged them */
#if __has_include("fncount-marker.h")
#include "fncount-marker.h"
#else
static inline void fncount_region_on(void) { }
static inline void fncount_region_off(void) { }
#endif
#include "iopf_bench.h"
#include "iopf_mock.h"

#define IOPF_BENCH_NEIGHBOUR_RID	0x8000
#define IOPF_BENCH_MAX_NEIGHBOURS	4096

/* Module parameters, checked at load */
extern int nr_threads;
extern int ring_size;
extern int max_samples;
extern int rid;

struct iopf_bench_desc {
	u64 addr;
	u32 grpid;
	u32 perm;
	u32 flags;
	u32 pasid;
};

struct iopf_bench_prq {
	struct task_struct *task;
	wait_queue_head_t wq;
	unsigned int head;	/* written by the producer (ioctl) */
	unsigned int tail;	/* written by the PRQ thread */
	struct iopf_bench_desc *ring;
};

struct iopf_notifier;

/**
 * struct iopf_bench - the module's state
 * @mock: the mock IOMMU
 * @mdev: the mock device the page requests come from
 * @neighbour: a device holding the unrelated requester IDs, or NULL
 * @neighbour_rid: the first of them
 * @prq: the PRQ threads and their rings
 * @nr_prq: number of PRQ threads
 * @space_wq: woken when a PRQ thread took a descriptor
 * @lock: serialises open, release and the ioctls
 * @open: the misc device is open
 * @sva: the opener's bond
 * @pasid: its PASID
 * @nr_groups: groups of the current run
 * @abort: drop descriptors instead of reporting them
 * @pending: groups of the current run without a response
 * @done: completed when @pending reaches 0
 * @report_ns: per group: when its last request was reported
 * @resp_ns: per group: when the response came
 * @cost_ns: per group: time of iommu_report_device_fault() for its last
 *	request
 * @code: per group: the response code
 * @notify: a registration (notifier or hook) is in place
 * @nfy: the mock device's RID-slot notifier
 * @neighbour_nfy: the neighbour device's RID-slot notifier
 * @cb_cost_us: time a callback spends
 * @cb_sleep: the callback sleeps instead of spinning
 * @nr_cb: callbacks for the mock device since the last reset
 * @nr_neighbour_cb: callbacks for a neighbour (must stay 0 in a flood)
 * @cb_wq: woken by every callback
 * @gate: a callback waiting for this completion holds the consumer
 * @hold_addr: the address of the record whose callback waits on @gate
 * @block_ms: the neighbour's callback sleeps this long (isolation)
 * @cb_lat: per callback: failure timestamp to callback
 * @enq_ns: per timed call: __iopf_report_failure()
 * @null_ns: per timed call: the empty timed region
 * @nr_enq: timed calls of the last enqueue run
 */
struct iopf_bench {
	struct iopf_mock mock;
	struct iopf_mock_dev *mdev;
	struct iopf_mock_dev *neighbour;
	u32 neighbour_rid;

	struct iopf_bench_prq *prq;
	unsigned int nr_prq;
	wait_queue_head_t space_wq;

	struct mutex lock;	/* open, release, ioctls */
	bool open;
	struct iommu_sva *sva;
	u32 pasid;

	u32 nr_groups;
	bool abort;
	atomic_t pending;
	struct completion done;
	u64 *report_ns;
	u64 *resp_ns;
	u64 *cost_ns;
	u16 *code;

	bool notify;
	struct iopf_notifier *nfy;
	struct iopf_notifier *neighbour_nfy;
	u32 cb_cost_us;
	bool cb_sleep;
	atomic_t nr_cb;
	atomic_t nr_neighbour_cb;
	wait_queue_head_t cb_wq;
	struct completion gate;
	u64 hold_addr;
	u32 block_ms;
	u64 *cb_lat;
	u64 *enq_ns;
	u64 *null_ns;
	u32 nr_enq;
};

extern struct iopf_bench bench;

/* iopf_bench_prq.c */
void iopf_bench_page_response(struct device *dev, struct iopf_fault *evt,
			      struct iommu_page_response *msg);
int iopf_bench_prq_start(void);
void iopf_bench_prq_stop(void);
long iopf_bench_run(struct iopf_bench_run __user *uarg);
long iopf_bench_samples(struct iopf_bench_samples __user *uarg);

/* iopf_bench_notify.c */
extern const u32 iopf_bench_design;
extern const u32 iopf_bench_record_size;
void iopf_bench_fill_rid(struct iopf_fault *event);
long iopf_bench_setup(struct iopf_bench_setup __user *uarg);
void iopf_bench_notify_off(void);
long iopf_bench_enqueue(struct iopf_bench_enqueue __user *uarg);
long iopf_bench_isolation(struct iopf_bench_isolation __user *uarg);
long iopf_bench_drain(u32 __user *uarg);

#endif /* _IOPF_BENCH_PRIV_H */
