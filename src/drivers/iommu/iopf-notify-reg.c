// SPDX-License-Identifier: GPL-2.0
/*
 * Notify endpoint drivers of failed I/O page faults: registration.
 *
 * The table updates, the registration and its end, and the IOMMU core's
 * lifetime hooks. The design, the naming and the fault side are described
 * in iopf-notify.c.
 */

#define pr_fmt(fmt) "iopf-notify: " fmt

#include <kunit/visibility.h>
#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/iopf-notify.h>
#include <linux/log2.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/pci-ats.h>
#include <linux/percpu.h>
#include <linux/refcount.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "iopf-notify-priv.h"

/* Protects the tables, dev->iommu->iopf_notifier and the notifiers' state */
DEFINE_MUTEX(iopf_notify_lock);
static struct workqueue_struct *iopf_notify_wq;
static struct dentry *iopf_notify_debugfs;

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
 * The requester IDs the IOMMU driver reports for @dev: the IDs of the
 * device's fwspec where it has one (the SMMUv3 stream IDs of a PCI device
 * too), else a PCI device's RID and DMA aliases (VT-d, AMD). With @rids
 * NULL, counts an upper bound; otherwise fills @rids without duplicates.
 */
static unsigned int iopf_dev_rids(struct device *dev, u32 *rids,
				  unsigned int max)
{
	struct iommu_fwspec *fwspec = dev_iommu_fwspec_get(dev);
	struct iopf_rid_walk w = { .rids = rids, .max = max };
	unsigned int i;

	if (fwspec && fwspec->num_ids) {
		for (i = 0; i < fwspec->num_ids; i++)
			iopf_rid_add(&w, fwspec->ids[i]);
		return w.nr;
	}
#ifdef CONFIG_PCI
	if (dev_is_pci(dev))
		pci_for_each_dma_alias(to_pci_dev(dev), iopf_rid_add_alias, &w);
#endif
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
	struct iopf_notify_counts c;
	unsigned int i;

	/* Lock-free: the detach removes this file before the rings can go */
	iopf_notifier_sum(n, &c);
	seq_puts(s, "rids:");
	for (i = 0; i < n->nr_rids; i++)
		seq_printf(s, " %#x", n->rids[i]);
	seq_printf(s, "\nring: %u\ngenerated: %lu\ndelivered: %lu\noverflow: %lu\nstale: %lu\n",
		   n->mask + 1, c.generated, c.delivered, c.overflow, c.stale);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(iopf_notifier);

/*
 * Wait for the release work. Not with flush_rcu_work(): unregistration may
 * run in another registration's callback, and flushing a release work,
 * which waits for a callback with disable_work_sync(), from a callback is
 * a cycle between the work classes of all notifiers to lockdep.
 */
static void iopf_notifier_wait_released(struct iopf_notifier *n)
{
	wait_for_completion(&n->released_done);
}

/* Erase the slots and stop the callbacks; the release work frees the rings */
static void iopf_notifier_detach(struct iopf_notifier *n)
{
	unsigned int i;

	lockdep_assert_held(&iopf_notify_lock);
	for (i = 0; i < n->nr_rids; i++)
		xa_erase(&n->iommu->iopf_notifiers, n->rids[i]);
	if (n->dev) {
		n->dev->iommu->iopf_notifier = NULL;
		n->dev = NULL;
	}
	WRITE_ONCE(n->dead, true);
	n->detached = true;
	debugfs_remove(n->debugfs);
	n->debugfs = NULL;
	queue_rcu_work(n->wq, &n->release);
	static_branch_dec(&iopf_failure_notify_key);
}

static struct workqueue_struct *iopf_notify_get_wq(void)
{
	lockdep_assert_held(&iopf_notify_lock);
	if (iopf_notify_wq)
		return iopf_notify_wq;

	if (iopf_notify_ring_size < 16 ||
	    iopf_notify_ring_size > 65536) {
		pr_warn("ring_size=%u is out of 16..65536, using 128\n",
			iopf_notify_ring_size);
		iopf_notify_ring_size = 128;
	}
	/* Unbound: a callback that sleeps or spins holds up only its own */
	iopf_notify_wq = alloc_workqueue("iopf_notify", WQ_UNBOUND, 0);
#ifdef CONFIG_IOMMU_DEBUGFS
	if (iopf_notify_wq)
		iopf_notify_debugfs = debugfs_create_dir("iopf_notify",
							 iommu_debugfs_dir);
#endif
	return iopf_notify_wq;
}

/**
 * iopf_failure_notifier_register() - Get notified of a device's failed faults
 * @dev: the device, attached to an IOMMU that handles page requests
 * @fn: called once per failure response to a page request of @dev
 * @data: passed to @fn
 *
 * Takes a slot for each requester ID of @dev (its fwspec IDs, or a PCI
 * device's RID and DMA aliases) in the table of @dev's IOMMU. After the
 * IOMMU answers a page request from one of them with a failure, whatever
 * domain or handler it reached, @fn is called with a copy of the request
 * and the response code, from the registration's own work item. The
 * response to the device never waits for @fn, and @fn is never called for
 * two records at once. When this CPU's ring of the registration is full,
 * the record is lost and counted.
 *
 * The registration ends with iopf_failure_notifier_unregister(). A device
 * released while registered has its registration torn down with a warning:
 * no callback starts after that, and the handle must still be unregistered.
 *
 * A PCI virtual function that supports PRI is refused: PRI is shared with
 * its physical function, whose driver is the one to register.
 *
 * Context: Process context. Takes and releases a mutex; may sleep.
 * Return: the handle of the registration; ERR_PTR(-EINVAL) if @fn is NULL
 * or @dev is a PCI VF with PRI; ERR_PTR(-ENODEV) if @dev has no IOMMU, its
 * IOMMU cannot respond to page requests or @dev has no requester ID;
 * ERR_PTR(-EBUSY) if @dev is registered already or one of its requester
 * IDs is taken by another device; ERR_PTR(-ENOMEM) on allocation failure.
 */
struct iopf_notifier *iopf_failure_notifier_register(struct device *dev,
						     iopf_failure_fn fn,
						     void *data)
{
	struct iommu_device *iommu;
	struct iopf_notifier *n;
	unsigned int nr, i;
	int ret;

	if (!fn)
		return ERR_PTR(-EINVAL);
	iommu = iopf_dev_iommu(dev);
	if (!iommu)
		return ERR_PTR(-ENODEV);
#ifdef CONFIG_PCI
	if (dev_is_pci(dev) && to_pci_dev(dev)->is_virtfn &&
	    pci_pri_supported(to_pci_dev(dev)))
		return ERR_PTR(-EINVAL);
#endif
	nr = iopf_dev_rids(dev, NULL, 0);
	if (!nr)
		return ERR_PTR(-ENODEV);

	n = kzalloc_flex(*n, rids, nr);
	if (!n)
		return ERR_PTR(-ENOMEM);
	n->nr_rids = iopf_dev_rids(dev, n->rids, nr);
	n->fn = fn;
	n->data = data;
	n->iommu = iommu;
	n->idle = 1;
	refcount_set(&n->ref, 1);
	INIT_WORK(&n->work, iopf_notify_work);
	INIT_RCU_WORK(&n->release, iopf_notifier_release_work);
	init_completion(&n->released_done);
	xa_init(&n->pasid_gone);
	n->name = kstrdup_const(dev_name(dev), GFP_KERNEL);
	if (!n->name) {
		ret = -ENOMEM;
		goto err_free;
	}

	mutex_lock(&iopf_notify_lock);
	n->wq = iopf_notify_get_wq();
	if (!n->wq) {
		ret = -ENOMEM;
		goto err_unlock;
	}
	n->mask = roundup_pow_of_two(iopf_notify_ring_size) - 1;
	ret = iopf_notifier_alloc_rings(n);
	if (ret)
		goto err_unlock;
	if (dev->iommu->iopf_notifier) {
		ret = -EBUSY;
		goto err_rings;
	}
	for (i = 0; i < n->nr_rids; i++) {
		ret = xa_insert(&iommu->iopf_notifiers, n->rids[i], n,
				GFP_KERNEL);
		if (ret)
			goto err_erase;
	}
	dev->iommu->iopf_notifier = n;
	n->dev = dev;
	if (iopf_notify_debugfs)
		n->debugfs = debugfs_create_file(n->name, 0400,
						 iopf_notify_debugfs, n,
						 &iopf_notifier_fops);
	static_branch_inc(&iopf_failure_notify_key);
	mutex_unlock(&iopf_notify_lock);
	return n;

err_erase:
	while (i--)
		xa_erase(&iommu->iopf_notifiers, n->rids[i]);
	mutex_unlock(&iopf_notify_lock);
	/* A fault side may have found an erased slot and queued the work */
	synchronize_rcu();
	disable_work_sync(&n->work);
	iopf_notifier_free_rings(n);
	goto err_free;
err_rings:
	iopf_notifier_free_rings(n);
err_unlock:
	mutex_unlock(&iopf_notify_lock);
err_free:
	kfree_const(n->name);
	kfree(n);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(iopf_failure_notifier_register);

/**
 * iopf_failure_notifier_unregister() - End a registration
 * @n: the handle from iopf_failure_notifier_register(); NULL or an error
 *	pointer is ignored
 *
 * Frees the device's slots. Records not yet delivered are dropped and
 * counted. When this returns, no callback of @n runs or will run, and the
 * caller may free the data it registered. Waits for a callback of @n only,
 * never for another registration's, so it may be called from another
 * registration's callback. Called from @n's own callback it cannot wait:
 * it returns at once, no further callback starts, and the data may be
 * freed once the callback returns. Two registrations must not unregister
 * each other from their callbacks: each would wait for the other's
 * callback to return.
 *
 * Context: Process context; sleeps for an RCU grace period and until a
 * running callback of @n returns.
 */
void iopf_failure_notifier_unregister(struct iopf_notifier *n)
{
	bool own;

	if (IS_ERR_OR_NULL(n))
		return;

	own = current_work() == &n->work;
	mutex_lock(&iopf_notify_lock);
	/* Set before the detach queues the release work that reads it */
	n->orphan = own;
	if (!n->detached)
		iopf_notifier_detach(n);
	mutex_unlock(&iopf_notify_lock);
	if (own)
		return;

	iopf_notifier_wait_released(n);
	iopf_notifier_put(n);
}
EXPORT_SYMBOL_GPL(iopf_failure_notifier_unregister);

/**
 * __iopf_notify_pasid_gone() - A PASID of a device lost its attach handle
 * @dev: the device
 * @pasid: the PASID
 *
 * Called by the IOMMU core after the PASID was detached or replaced, when
 * the IOMMU driver has stopped it and flushed its pending faults. Starts a
 * new epoch of the device's registration: records of @pasid reported
 * before are stale. Without memory to note @pasid, records of every PASID
 * reported before are.
 *
 * Context: Process context; takes a mutex, may allocate.
 */
void __iopf_notify_pasid_gone(struct device *dev, ioasid_t pasid)
{
	struct iopf_notifier *n;
	u32 epoch;

	if (!dev->iommu)
		return;
	mutex_lock(&iopf_notify_lock);
	n = dev->iommu->iopf_notifier;
	if (n) {
		epoch = n->epoch + 1;
		/* Read by the fault side, see iopf_notify_enqueue() */
		WRITE_ONCE(n->epoch, epoch);
		if (xa_is_err(xa_store(&n->pasid_gone, pasid,
				       xa_mk_value(epoch), GFP_KERNEL)))
			WRITE_ONCE(n->all_gone, epoch);
	}
	mutex_unlock(&iopf_notify_lock);
}
EXPORT_SYMBOL_GPL(__iopf_notify_pasid_gone);

/**
 * __iopf_notify_device_release() - Tear down what a released device left
 * @dev: the device, before its IOMMU state is freed
 *
 * A registration must end before its device goes. If the driver did not
 * end it, warn and detach it: its slots are freed (a later device with the
 * same requester IDs can register) and, once this returns, no callback
 * runs or will run. The handle stays valid for
 * iopf_failure_notifier_unregister().
 *
 * Context: Process context; sleeps for an RCU grace period and until a
 * running callback of the registration returns.
 */
void __iopf_notify_device_release(struct device *dev)
{
	struct iopf_notifier *n;

	if (!dev->iommu)
		return;
	mutex_lock(&iopf_notify_lock);
	n = dev->iommu->iopf_notifier;
	if (n) {
		dev_warn(dev, "released while registered for failed page fault notification; registration torn down\n");
		iopf_notifier_detach(n);
		/* The driver may unregister the handle while we wait */
		refcount_inc(&n->ref);
	}
	mutex_unlock(&iopf_notify_lock);
	if (!n)
		return;
	iopf_notifier_wait_released(n);
	iopf_notifier_put(n);
}
EXPORT_SYMBOL_GPL(__iopf_notify_device_release);

#if IS_ENABLED(CONFIG_IOPF_NOTIFY_KUNIT_TEST)
/* For the KUnit suite (iopf_notify_kunit_*.c) and test modules */

/**
 * iopf_notify_counts() - Read a registration's counters
 * @n: a registration, detached or not
 * @counts: filled with the counters
 *
 * Context: Process context; takes iopf_notify_lock.
 */
void iopf_notify_counts(struct iopf_notifier *n,
			struct iopf_notify_counts *counts)
{
	mutex_lock(&iopf_notify_lock);
	iopf_notifier_sum(n, counts);
	mutex_unlock(&iopf_notify_lock);
}
EXPORT_SYMBOL_IF_KUNIT(iopf_notify_counts);

/**
 * iopf_notify_flush() - Wait until a registration's queued records are handled
 * @n: a registration
 *
 * Context: Process context; sleeps.
 */
void iopf_notify_flush(struct iopf_notifier *n)
{
	flush_work(&n->work);
}
EXPORT_SYMBOL_IF_KUNIT(iopf_notify_flush);

/**
 * iopf_notify_ring_capacity() - Records one per-CPU ring of @n holds
 * @n: a registration
 *
 * Context: Any context.
 * Return: the capacity.
 */
unsigned int iopf_notify_ring_capacity(struct iopf_notifier *n)
{
	return n->mask + 1;
}
EXPORT_SYMBOL_IF_KUNIT(iopf_notify_ring_capacity);

/**
 * iopf_notify_idle() - Is the registration's consumer idle?
 * @n: a registration
 *
 * Context: Any context.
 * Return: true while the consumer is neither pending nor draining.
 */
bool iopf_notify_idle(struct iopf_notifier *n)
{
	return READ_ONCE(n->idle);
}
EXPORT_SYMBOL_IF_KUNIT(iopf_notify_idle);
#endif /* CONFIG_IOPF_NOTIFY_KUNIT_TEST */
