/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The structures of the failed I/O page fault notifier that its two halves
 * share: iopf-notify.c (the fault side, the consumer, the release of the
 * rings) and iopf-notify-reg.c (registration and lifetime).
 */
#ifndef __IOMMU_IOPF_NOTIFY_PRIV_H
#define __IOMMU_IOPF_NOTIFY_PRIV_H

#include <linux/cache.h>
#include <linux/completion.h>
#include <linux/iopf-notify.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/refcount.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "iopf-notify.h"

struct dentry;

/**
 * struct iopf_notify_ring - one CPU's queue of one notifier's records
 * @slots: the records, a power of 2 of them (read-only after setup)
 * @prod: records ever published; written by the fault side of this CPU
 * @generated: failures that found the notifier on this CPU
 * @overflow: those lost to a full ring
 * @cons: records ever consumed; written by the consumer
 * @delivered: records passed to the callback
 * @stale: records dropped because their PASID had gone
 */
struct iopf_notify_ring {
	struct iopf_failure *slots;
	u32 prod;
	unsigned long generated;
	unsigned long overflow;

	u32 cons ____cacheline_aligned_in_smp;
	unsigned long delivered;
	unsigned long stale;
};

/**
 * struct iopf_notifier - one registration
 * @rings: per-CPU rings
 * @mask: capacity of a ring minus one
 * @epoch: the PASID epoch, see __iopf_notify_pasid_gone()
 * @idle: 1 while the work item is neither pending nor draining
 * @dead: set when detached; the consumer then stops calling @fn
 * @wq: the workqueue of @work and @release
 * @fn: the driver's callback
 * @data: the driver's pointer, passed to @fn
 * @work: the consumer of @rings
 * @release: frees @rings once no fault side or callback uses them
 * @iommu: the IOMMU instance whose table holds the slots
 * @dev: the registered device; NULL once detached
 * @name: the device's name, for debugfs and the tracepoint
 * @pasid_gone: PASID -> epoch in which it lost its attach handle
 * @all_gone: records of any PASID older than this epoch are stale
 * @detached: the slots are erased (under iopf_notify_lock)
 * @ref: the handle's reference, and one per waiter on @release
 * @orphan: the release work drops the handle's reference (unregistered
 *	from @fn, which cannot wait for it)
 * @released_done: completed when the release work is done with @n
 * @final: the counters, summed when the rings were freed
 * @debugfs: the notifier's counters file
 * @nr_rids: number of entries in @rids
 * @rids: the device's requester IDs, one slot each
 */
struct iopf_notifier {
	/* read by the fault side */
	struct iopf_notify_ring __percpu *rings;
	u32 mask;
	u32 epoch;
	int idle;
	bool dead;
	struct workqueue_struct *wq;

	iopf_failure_fn fn;
	void *data;
	struct work_struct work;
	struct rcu_work release;
	struct iommu_device *iommu;
	struct device *dev;
	const char *name;
	struct xarray pasid_gone;
	u32 all_gone;
	bool detached;
	refcount_t ref;
	bool orphan;
	struct completion released_done;
	struct iopf_notify_counts final;
	struct dentry *debugfs;
	unsigned int nr_rids;
	u32 rids[] __counted_by(nr_rids);
};

/* Protects the tables, dev->iommu->iopf_notifier and the notifiers' state */
extern struct mutex iopf_notify_lock;
/* The ring_size parameter: records of each per-CPU ring of a registration */
extern unsigned int iopf_notify_ring_size;

void iopf_notify_work(struct work_struct *work);
void iopf_notifier_release_work(struct work_struct *work);
int iopf_notifier_alloc_rings(struct iopf_notifier *n);
void iopf_notifier_free_rings(struct iopf_notifier *n);
void iopf_notifier_sum(struct iopf_notifier *n, struct iopf_notify_counts *c);
void iopf_notifier_put(struct iopf_notifier *n);

#endif /* __IOMMU_IOPF_NOTIFY_PRIV_H */
