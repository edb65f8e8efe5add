// SPDX-License-Identifier: GPL-2.0
/*
 * Notify endpoint drivers of failed I/O page faults.
 *
 * Each IOMMU instance keeps a table of RID slots: an xarray indexed by the
 * requester ID that the hardware reports in a page request (a PCI RID, or
 * an SMMU stream ID). A registration owns the slots of all the RIDs of its
 * device, DMA aliases included, so a failure site finds the notifier from
 * the fault alone, even when no struct device or domain is known.
 *
 * Naming:
 *  - a "notifier" is one registration (struct iopf_notifier);
 *  - a "slot" is one index of an IOMMU's table that points at a notifier;
 *  - a "record" is one failed request (struct iopf_failure);
 *  - a "ring" is the preallocated, bounded, per-CPU queue of records that
 *    the fault side fills and a per-CPU work item drains.
 *
 * Locking: the table is read under RCU (xa_load()); registration and
 * unregistration are serialized by iopf_notify_lock. A ring has one
 * producer, the fault side on that CPU, and one consumer, that CPU's work
 * item; a raw spinlock per ring, taken with interrupts off, orders them
 * even when the work item runs on another CPU (CPU hotplug unbinds it)
 * and costs an uncontended lock on the failure path only. The fault side
 * never sleeps, never allocates and never waits for a callback: a full
 * ring counts a drop against the notifier. A notifier may hold at most
 * half a ring's worth of records at a time (its quota), so a device that
 * storms cannot take all of a CPU's ring from the others.
 *
 * Lifetime: unregistration erases the slots, marks the notifier dead,
 * waits for an RCU grace period (no fault side can still be enqueueing to
 * it) and flushes every CPU's work item (records already queued are
 * dropped and counted, a callback already running completes). Only then
 * is the notifier freed and the caller's data released to it.
 *
 * The success path of the fault core does not come here: the hooks sit on
 * failure paths, behind a static key that is off while nobody registered a
 * notifier and the iopf_failure tracepoint is off.
 */

#define pr_fmt(fmt) "iopf-notify: " fmt

#include <kunit/visibility.h>
#include <linux/debugfs.h>
#include <linux/iopf-notify.h>
#include <linux/kfifo.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "iopf-notify.h"

#define CREATE_TRACE_POINTS
#include <trace/events/iopf_notify.h>

EXPORT_TRACEPOINT_SYMBOL_GPL(iopf_failure);

/**
 * struct iopf_notifier - one registration
 * @fn: the driver's callback
 * @data: the driver's pointer, passed to @fn
 * @dev: the registered device
 * @iommu: the IOMMU instance whose table holds the slots
 * @dead: set by unregistration; queued records are then dropped
 * @generated: failed requests that found this notifier's slot
 * @delivered: records passed to @fn
 * @dropped: records lost to a full ring, to the quota or to unregistration
 * @queued: records of this notifier in the rings now
 * @debugfs: the notifier's counters file
 * @nr_rids: number of entries in @rids
 * @rids: the device's requester IDs, one slot each
 */
struct iopf_notifier {
	iopf_failure_fn fn;
	void *data;
	struct device *dev;
	struct iommu_device *iommu;
	bool dead;
	atomic_long_t generated;
	atomic_long_t delivered;
	atomic_long_t dropped;
	atomic_t queued;
	struct dentry *debugfs;
	unsigned int nr_rids;
	u32 rids[] __counted_by(nr_rids);
};

struct iopf_notify_entry {
	struct iopf_notifier *notifier;
	struct iopf_failure record;
};

struct iopf_notify_cpu {
	struct work_struct work;
	/* orders the ring's producer and consumer */
	raw_spinlock_t lock;
	DECLARE_KFIFO_PTR(ring, struct iopf_notify_entry);
};

DEFINE_STATIC_KEY_FALSE(iopf_failure_notify_key);
EXPORT_SYMBOL_GPL(iopf_failure_notify_key);

static DEFINE_MUTEX(iopf_notify_lock);
static DEFINE_PER_CPU(struct iopf_notify_cpu, iopf_notify_cpus);
static struct workqueue_struct *iopf_notify_wq;
static struct dentry *iopf_notify_debugfs;

static unsigned int ring_size = 256;
module_param(ring_size, uint, 0444);
MODULE_PARM_DESC(ring_size,
		 "Records each per-CPU ring holds: 16..65536, rounded up to a power of 2");

/* set once the rings exist: the records one notifier may have queued */
static unsigned int iopf_notify_quota;

/* Deliver the records queued on one CPU, from its work item */
static void iopf_notify_work(struct work_struct *work)
{
	struct iopf_notify_cpu *pc = container_of(work, struct iopf_notify_cpu,
						  work);
	struct iopf_notify_entry e;
	unsigned int got;

	for (;;) {
		struct iopf_notifier *n;

		raw_spin_lock_irq(&pc->lock);
		got = kfifo_get(&pc->ring, &e);
		raw_spin_unlock_irq(&pc->lock);
		if (!got)
			break;
		n = e.notifier;
		if (READ_ONCE(n->dead)) {
			atomic_long_inc(&n->dropped);
			atomic_dec(&n->queued);
			continue;
		}
		n->fn(&e.record, n->data);
		atomic_long_inc(&n->delivered);
		atomic_dec(&n->queued);
		cond_resched();
	}
}

/* Called with iopf_notify_lock held. The rings are never freed. */
static int iopf_notify_setup(void)
{
	struct workqueue_struct *wq;
	unsigned int cpu;
	int ret;

	lockdep_assert_held(&iopf_notify_lock);
	if (iopf_notify_wq)
		return 0;

	if (ring_size < 16 || ring_size > 65536) {
		pr_warn("ring_size=%u is out of 16..65536, using 256\n", ring_size);
		ring_size = 256;
	}
	wq = alloc_workqueue("iopf_notify", 0, 0);
	if (!wq)
		return -ENOMEM;

	for_each_possible_cpu(cpu) {
		struct iopf_notify_cpu *pc = per_cpu_ptr(&iopf_notify_cpus, cpu);

		ret = kfifo_alloc(&pc->ring, ring_size, GFP_KERNEL);
		if (ret)
			goto err_free_rings;
		INIT_WORK(&pc->work, iopf_notify_work);
		raw_spin_lock_init(&pc->lock);
	}

	/* one storming device cannot fill a ring that others need */
	iopf_notify_quota = roundup_pow_of_two(ring_size) / 2;
	iopf_notify_debugfs = debugfs_create_dir("iopf_notify", NULL);
	iopf_notify_wq = wq;
	return 0;

err_free_rings:
	for_each_possible_cpu(cpu) {
		struct iopf_notify_cpu *pc = per_cpu_ptr(&iopf_notify_cpus, cpu);

		kfifo_free(&pc->ring);
	}
	destroy_workqueue(wq);
	return ret;
}

static void iopf_notify_enqueue(struct iopf_notifier *n,
				const struct iopf_failure *record)
{
	struct iopf_notify_entry e = { .notifier = n, .record = *record };
	struct iopf_notify_cpu *pc;
	unsigned long flags;
	bool queued;

	atomic_long_inc(&n->generated);
	if (atomic_inc_return(&n->queued) > iopf_notify_quota) {
		atomic_dec(&n->queued);
		atomic_long_inc(&n->dropped);
		return;
	}
	local_irq_save(flags);
	pc = this_cpu_ptr(&iopf_notify_cpus);
	raw_spin_lock(&pc->lock);
	queued = kfifo_put(&pc->ring, e);
	raw_spin_unlock(&pc->lock);
	if (queued)
		queue_work_on(smp_processor_id(), iopf_notify_wq, &pc->work);
	local_irq_restore(flags);
	if (!queued) {
		atomic_dec(&n->queued);
		atomic_long_inc(&n->dropped);
	}
}

/**
 * __iopf_report_failure() - Report a failed page request
 * @iommu: the IOMMU instance that received the request
 * @fault: the failed page request, with its requester ID
 * @code: the response code sent to the device
 * @source: where the request failed
 *
 * The out-of-line part of iopf_report_failure(): one table lookup, then a
 * copy of a fixed-size record into this CPU's ring and a kick of this CPU's
 * work item. The callback runs later, from that work item.
 *
 * Context: Any context but NMI. Does not sleep or allocate.
 */
void __iopf_report_failure(struct iommu_device *iommu,
			   const struct iommu_fault *fault,
			   enum iommu_page_response_code code,
			   enum iopf_failure_source source)
{
	const struct iommu_fault_page_request *prm = &fault->prm;
	struct iopf_failure record = {
		.addr = prm->addr,
		.timestamp = ktime_get_ns(),
		.rid = fault->rid,
		.pasid = prm->pasid,
		.grpid = prm->grpid,
		.perm = prm->perm,
		.flags = prm->flags,
		.code = code,
		.source = source,
	};
	struct iopf_notifier *n;
	bool notified;

	rcu_read_lock();
	n = xa_load(&iommu->iopf_notifiers, fault->rid);
	notified = n;
	if (n)
		iopf_notify_enqueue(n, &record);
	rcu_read_unlock();

	trace_iopf_failure(iommu, &record, notified);
}
EXPORT_SYMBOL_GPL(__iopf_report_failure);

/* The tracepoint turns the hooks on too: failures are traced unregistered. */
int iopf_failure_trace_reg(void)
{
	static_branch_inc(&iopf_failure_notify_key);
	return 0;
}

void iopf_failure_trace_unreg(void)
{
	static_branch_dec(&iopf_failure_notify_key);
}

struct iopf_rid_walk {
	u32 *rids;
	unsigned int max;
	unsigned int nr;
};

static void iopf_rid_add(struct iopf_rid_walk *w, u32 rid)
{
	unsigned int i;

	if (!w->rids) {
		w->nr++;
		return;
	}
	for (i = 0; i < w->nr; i++)
		if (w->rids[i] == rid)
			return;
	if (w->nr < w->max)
		w->rids[w->nr++] = rid;
}

#ifdef CONFIG_PCI
static int iopf_rid_add_alias(struct pci_dev *pdev, u16 alias, void *data)
{
	iopf_rid_add(data, alias);
	return 0;
}
#endif

/*
 * The requester IDs the IOMMU may report for @dev: a PCI device's RID and
 * DMA aliases, or the IDs of the device's fwspec. With @rids NULL, counts
 * an upper bound; otherwise fills @rids without duplicates.
 */
static unsigned int iopf_dev_rids(struct device *dev, u32 *rids,
				  unsigned int max)
{
	struct iommu_fwspec *fwspec = dev_iommu_fwspec_get(dev);
	struct iopf_rid_walk w = { .rids = rids, .max = max };
	unsigned int i;

#ifdef CONFIG_PCI
	if (dev_is_pci(dev)) {
		pci_for_each_dma_alias(to_pci_dev(dev), iopf_rid_add_alias, &w);
		return w.nr;
	}
#endif
	if (fwspec)
		for (i = 0; i < fwspec->num_ids; i++)
			iopf_rid_add(&w, fwspec->ids[i]);
	return w.nr;
}

/* The IOMMU instance of a device that can receive page requests */
static struct iommu_device *iopf_dev_iommu(struct device *dev)
{
	struct iommu_device *iommu;

	if (!dev || !dev->iommu)
		return NULL;
	iommu = dev->iommu->iommu_dev;
	if (!iommu || !iommu->ops || !iommu->ops->page_response)
		return NULL;
	return iommu;
}

static int iopf_notifier_show(struct seq_file *s, void *unused)
{
	struct iopf_notifier *n = s->private;
	unsigned int i;

	seq_puts(s, "rids:");
	for (i = 0; i < n->nr_rids; i++)
		seq_printf(s, " %#x", n->rids[i]);
	seq_printf(s, "\ngenerated: %ld\ndelivered: %ld\ndropped: %ld\n",
		   atomic_long_read(&n->generated),
		   atomic_long_read(&n->delivered),
		   atomic_long_read(&n->dropped));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(iopf_notifier);

/*
 * Make sure no callback of @n runs or will run, then free it. @n's slots
 * must already be erased.
 */
static void iopf_notifier_release(struct iopf_notifier *n)
{
	unsigned int cpu;

	WRITE_ONCE(n->dead, true);
	/* No fault side still holds @n from xa_load() after this... */
	synchronize_rcu();
	/* ...and every record it queued has been dropped or delivered. */
	for_each_possible_cpu(cpu)
		flush_work(&per_cpu_ptr(&iopf_notify_cpus, cpu)->work);
	kfree(n);
}

/**
 * iopf_failure_notifier_register() - Get notified of a device's failed faults
 * @dev: the device, attached to an IOMMU that handles page requests
 * @fn: called once per failed page request from any of @dev's RIDs
 * @data: passed to @fn
 *
 * Takes a slot for each requester ID of @dev (a PCI device's DMA aliases
 * included) in the table of @dev's IOMMU. After a page request from one of
 * them fails, whatever domain or handler it reached, @fn is called with a
 * copy of the request and the response code, from a work item on the CPU
 * that reported the failure. The response to the device is never delayed
 * by @fn. When the per-CPU ring is full the record is dropped and counted
 * (see debugfs iopf_notify/<device>).
 *
 * Context: Process context. Takes and releases a mutex; may sleep.
 * Return: 0 on success; -EINVAL if @fn is NULL; -ENODEV if @dev has no
 * IOMMU, its IOMMU cannot respond to page requests or @dev has no
 * requester ID; -EBUSY if one of @dev's requester IDs is already
 * registered (by @dev or another device); -ENOMEM on allocation failure.
 */
int iopf_failure_notifier_register(struct device *dev, iopf_failure_fn fn,
				   void *data)
{
	struct iommu_device *iommu;
	struct iopf_notifier *n;
	unsigned int nr, i;
	int ret;

	if (!fn)
		return -EINVAL;
	iommu = iopf_dev_iommu(dev);
	if (!iommu)
		return -ENODEV;
	nr = iopf_dev_rids(dev, NULL, 0);
	if (!nr)
		return -ENODEV;

	n = kzalloc(struct_size(n, rids, nr), GFP_KERNEL | __GFP_NOWARN);
	if (!n)
		return -ENOMEM;
	n->nr_rids = nr;
	n->nr_rids = iopf_dev_rids(dev, n->rids, nr);
	n->fn = fn;
	n->data = data;
	n->dev = dev;
	n->iommu = iommu;

	mutex_lock(&iopf_notify_lock);
	ret = iopf_notify_setup();
	if (ret)
		goto err_unlock;

	for (i = 0; i < n->nr_rids; i++) {
		ret = xa_insert(&iommu->iopf_notifiers, n->rids[i], n,
				GFP_KERNEL);
		if (ret)
			goto err_erase;
	}
	n->debugfs = debugfs_create_file(dev_name(dev), 0400,
					 iopf_notify_debugfs, n,
					 &iopf_notifier_fops);
	static_branch_inc(&iopf_failure_notify_key);
	mutex_unlock(&iopf_notify_lock);
	return 0;

err_erase:
	while (i--)
		xa_erase(&iommu->iopf_notifiers, n->rids[i]);
	mutex_unlock(&iopf_notify_lock);
	/* A fault side may have found one of the erased slots. */
	iopf_notifier_release(n);
	return ret;

err_unlock:
	mutex_unlock(&iopf_notify_lock);
	kfree(n);
	return ret;
}
EXPORT_SYMBOL_GPL(iopf_failure_notifier_register);

/**
 * iopf_failure_notifier_unregister() - Stop the notifications of a device
 * @dev: a device given to iopf_failure_notifier_register()
 *
 * Frees @dev's slots. Records still queued for @dev are dropped. When this
 * returns, no callback of this registration is running or will run, so the
 * caller may free the data it registered. Must not be called from the
 * callback itself. Does nothing if @dev is not registered.
 *
 * Context: Process context; sleeps for an RCU grace period and until any
 * running callback of @dev returns.
 */
void iopf_failure_notifier_unregister(struct device *dev)
{
	struct iommu_device *iommu;
	struct iopf_notifier *n;
	unsigned int i;
	u32 rid;

	iommu = iopf_dev_iommu(dev);
	if (!iommu || !iopf_dev_rids(dev, &rid, 1))
		return;

	/*
	 * A registration holds every RID of its device, so the first one
	 * finds it; nothing is allocated, so this cannot fail.
	 */
	mutex_lock(&iopf_notify_lock);
	n = xa_load(&iommu->iopf_notifiers, rid);
	if (!n || n->dev != dev) {
		mutex_unlock(&iopf_notify_lock);
		return;
	}
	for (i = 0; i < n->nr_rids; i++)
		xa_erase(&iommu->iopf_notifiers, n->rids[i]);
	debugfs_remove(n->debugfs);
	static_branch_dec(&iopf_failure_notify_key);
	mutex_unlock(&iopf_notify_lock);

	iopf_notifier_release(n);
}
EXPORT_SYMBOL_GPL(iopf_failure_notifier_unregister);

#if IS_ENABLED(CONFIG_IOPF_NOTIFY_KUNIT_TEST)
/* For the KUnit suite, drivers/iommu/iopf-notify-test.c */

/**
 * iopf_notify_counts() - Read a registration's counters
 * @dev: a registered device
 * @counts: filled with the counters
 *
 * Context: Process context; takes iopf_notify_lock.
 * Return: 0, or -ENOENT if @dev is not registered.
 */
int iopf_notify_counts(struct device *dev, struct iopf_notify_counts *counts)
{
	struct iommu_device *iommu = iopf_dev_iommu(dev);
	struct iopf_notifier *n;
	int ret = -ENOENT;
	u32 rid;

	if (!iommu || !iopf_dev_rids(dev, &rid, 1))
		return -ENOENT;
	mutex_lock(&iopf_notify_lock);
	n = xa_load(&iommu->iopf_notifiers, rid);
	if (n && n->dev == dev) {
		counts->generated = atomic_long_read(&n->generated);
		counts->delivered = atomic_long_read(&n->delivered);
		counts->dropped = atomic_long_read(&n->dropped);
		ret = 0;
	}
	mutex_unlock(&iopf_notify_lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(iopf_notify_counts);

/**
 * iopf_notify_flush() - Wait until every queued record was handled
 *
 * Context: Process context; sleeps.
 */
void iopf_notify_flush(void)
{
	unsigned int cpu;

	if (!READ_ONCE(iopf_notify_wq))
		return;
	for_each_possible_cpu(cpu)
		flush_work(&per_cpu_ptr(&iopf_notify_cpus, cpu)->work);
}
EXPORT_SYMBOL_IF_KUNIT(iopf_notify_flush);

/**
 * iopf_notify_ring_capacity() - Records one per-CPU ring holds
 *
 * Context: Any context.
 * Return: the capacity, or 0 before the first registration.
 */
unsigned int iopf_notify_ring_capacity(void)
{
	if (!READ_ONCE(iopf_notify_wq))
		return 0;
	return kfifo_size(&raw_cpu_ptr(&iopf_notify_cpus)->ring);
}
EXPORT_SYMBOL_IF_KUNIT(iopf_notify_ring_capacity);

/**
 * iopf_notify_notifier_quota() - Records one notifier may have queued
 *
 * Context: Any context.
 * Return: the quota, or 0 before the first registration.
 */
unsigned int iopf_notify_notifier_quota(void)
{
	return READ_ONCE(iopf_notify_wq) ? iopf_notify_quota : 0;
}
EXPORT_SYMBOL_IF_KUNIT(iopf_notify_notifier_quota);
#endif /* CONFIG_IOPF_NOTIFY_KUNIT_TEST */
