// SPDX-License-Identifier: GPL-2.0
/*
 * Notify endpoint drivers of failed I/O page faults.
 *
 * Each IOMMU instance keeps a table of RID slots: an xarray indexed by the
 * requester ID that the hardware reports in a page request (a PCI RID or
 * DMA alias, or an ID of the device's fwspec such as an SMMU stream ID). A
 * registration owns the slots of all the requester IDs of its device, so a
 * failure site finds the registration from the fault alone, even when no
 * struct device or domain is known.
 *
 * Naming:
 *  - a "notifier" is one registration (struct iopf_notifier), the handle
 *    its driver holds;
 *  - a "slot" is one index of an IOMMU's table that points at a notifier;
 *  - a "record" is one failure response (struct iopf_failure);
 *  - a "ring" is one of a notifier's per-CPU, preallocated, bounded queues
 *    of records: the fault side of that CPU fills it, the notifier's work
 *    item drains it;
 *  - the "fault side" is whoever calls __iopf_report_failure(): an IOMMU
 *    driver's page request thread, the fault core or a fault handler.
 *
 * Dispatch: the fault side looks the notifier up under RCU, writes the
 * record into the notifier's ring for this CPU with interrupts off (so a
 * ring has a single producer) and publishes it with a release store. The
 * notifier's work item, on an unbound workqueue, is the single consumer of
 * all of the notifier's rings and calls the driver's callback. The fault
 * side takes no lock, never sleeps, never allocates and never waits for a
 * callback: a full ring counts an overflow. Each notifier has its own rings
 * and its own work item, so a device that storms fills only its own rings,
 * and a callback that sleeps delays only its own notifier.
 *
 * Kicking the consumer: a notifier is "idle" while its work item is neither
 * pending nor draining. The fault side queues the work only when it takes
 * the idle flag (xchg()), so a storm queues it once; the consumer sets the
 * flag again only after it found every ring empty. See iopf_notify_kick()
 * and iopf_notify_work() for the ordering.
 *
 * Counters: a ring's "generated" and "overflow" are written by the fault
 * side of its CPU only; its "delivered" and "stale" by the consumer only.
 * Readers sum them with READ_ONCE(); none is a shared atomic.
 *
 * Lifetime: the table and the device's link to its notifier change under
 * iopf_notify_lock, which nothing holds while waiting for a callback. A
 * notifier is "detached" by its unregistration or, when the driver forgot
 * it, by the release of its device: its slots are erased and it is marked
 * dead, so no callback starts after that. Its rings are freed by a release
 * work item queued after an RCU grace period (no fault side still holds the
 * notifier), which waits for a callback that was already running. The
 * handle itself is freed by unregistration.
 *
 * PASID lifetime: every notifier has an epoch. When one of the device's
 * PASIDs loses its attach handle (detach or replace), the IOMMU core calls
 * __iopf_notify_pasid_gone(), which starts a new epoch and notes it for the
 * PASID. Records of that PASID reported in an older epoch are stale: the
 * consumer drops them, and a callback that sleeps before acting on a record
 * checks iopf_failure_current() under its own lock.
 */

#define pr_fmt(fmt) "iopf-notify: " fmt

#include <kunit/visibility.h>
#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/iopf-notify.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/pci-ats.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "iopf-notify.h"

#define CREATE_TRACE_POINTS
#include <trace/events/iopf_notify.h>

EXPORT_TRACEPOINT_SYMBOL_GPL(iopf_failure);

/* Records one pass of the consumer takes from a ring before the next ring */
#define IOPF_NOTIFY_BUDGET	16

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
 * @released: the release work has run (under iopf_notify_lock)
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
	bool released;
	struct completion released_done;
	struct iopf_notify_counts final;
	struct dentry *debugfs;
	unsigned int nr_rids;
	u32 rids[] __counted_by(nr_rids);
};

DEFINE_STATIC_KEY_FALSE(iopf_failure_notify_key);
EXPORT_SYMBOL_GPL(iopf_failure_notify_key);

/* Protects the tables, dev->iommu->iopf_notifier and the notifiers' state */
static DEFINE_MUTEX(iopf_notify_lock);
static struct workqueue_struct *iopf_notify_wq;
static struct dentry *iopf_notify_debugfs;

static unsigned int ring_size = 128;
module_param(ring_size, uint, 0444);
MODULE_PARM_DESC(ring_size,
		 "Records of each per-CPU ring of a registration: 16..65536, rounded up to a power of 2");

/* Is a record still meant for the device's current use of its PASID? */
static bool iopf_notify_live(struct iopf_notifier *n,
			     const struct iopf_failure *f)
{
	u32 gone = READ_ONCE(n->all_gone);
	void *entry;

	if (!(f->flags & IOMMU_FAULT_PAGE_REQUEST_PASID_VALID))
		return true;
	entry = xa_load(&n->pasid_gone, f->pasid);
	if (entry && (s32)(xa_to_value(entry) - gone) > 0)
		gone = xa_to_value(entry);
	return (s32)(f->epoch - gone) >= 0;
}

/*
 * Deliver at most @budget records of one ring. Returns true when records
 * remain that this pass did not take.
 */
static bool iopf_notify_drain(struct iopf_notifier *n,
			      struct iopf_notify_ring *r, unsigned int budget)
{
	struct iopf_failure f;
	u32 cons = r->cons;
	u32 prod;

	/*
	 * Pairs with smp_store_release(&r->prod) in iopf_notify_enqueue():
	 * the slots up to @prod are written before we read them.
	 */
	prod = smp_load_acquire(&r->prod);
	while (cons != prod && budget--) {
		/* Records of a detached notifier stay counted as released */
		if (READ_ONCE(n->dead))
			return false;
		f = r->slots[cons & n->mask];
		/*
		 * Pairs with smp_load_acquire(&r->cons) in iopf_notify_enqueue():
		 * the slot is read before the producer may write it again.
		 */
		smp_store_release(&r->cons, ++cons);
		if (!iopf_notify_live(n, &f)) {
			WRITE_ONCE(r->stale, r->stale + 1);
			continue;
		}
		n->fn(&f, n->data);
		WRITE_ONCE(r->delivered, r->delivered + 1);
		cond_resched();
	}
	return cons != prod;
}

static bool iopf_notify_empty(struct iopf_notifier *n)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct iopf_notify_ring *r = per_cpu_ptr(n->rings, cpu);

		if (READ_ONCE(r->prod) != r->cons)
			return false;
	}
	return true;
}

/* The consumer: one work item per notifier, so one callback at a time */
static void iopf_notify_work(struct work_struct *work)
{
	struct iopf_notifier *n = container_of(work, struct iopf_notifier,
					       work);
	unsigned int cpu;
	bool more;

	do {
		more = false;
		for_each_possible_cpu(cpu)
			more |= iopf_notify_drain(n, per_cpu_ptr(n->rings, cpu),
						  IOPF_NOTIFY_BUDGET);
		if (READ_ONCE(n->dead))
			return;
		if (more)
			continue;
		/*
		 * Going idle. Store-buffering pattern with iopf_notify_kick():
		 * we store idle and then load the rings' prod, the producer
		 * stores prod and then loads idle; the full barriers of both
		 * sides (smp_store_mb() here, smp_mb() there) guarantee that
		 * at least one of us sees the other's store. If we see a new
		 * record, whoever takes the idle flag back drains it: we keep
		 * going, or the producer has queued the work again.
		 */
		smp_store_mb(n->idle, 1);
		if (!iopf_notify_empty(n) && xchg(&n->idle, 0))
			more = true;
	} while (more);
}

/* Queue the consumer unless it is pending or draining already */
static void iopf_notify_kick(struct iopf_notifier *n)
{
	/* Pairs with smp_store_mb(n->idle, 1) in iopf_notify_work() */
	smp_mb();
	if (READ_ONCE(n->idle) && xchg(&n->idle, 0))
		queue_work(n->wq, &n->work);
}

/* Returns false when the ring was full and the record was lost */
static bool iopf_notify_enqueue(struct iopf_notifier *n,
				const struct iommu_fault *fault,
				enum iommu_page_response_code code,
				enum iopf_failure_source source)
{
	const struct iommu_fault_page_request *prm = &fault->prm;
	u64 now = ktime_get_ns();
	struct iopf_notify_ring *r;
	struct iopf_failure *f;
	unsigned long flags;
	u32 prod, cons;

	/* Interrupts off: the only producer of this CPU's ring */
	local_irq_save(flags);
	r = this_cpu_ptr(n->rings);
	prod = r->prod;
	WRITE_ONCE(r->generated, r->generated + 1);
	/*
	 * Pairs with smp_store_release(&r->cons) in iopf_notify_drain(): the
	 * consumer is done reading a slot before we overwrite it.
	 */
	cons = smp_load_acquire(&r->cons);
	if (unlikely(prod - cons > n->mask)) {
		WRITE_ONCE(r->overflow, r->overflow + 1);
		local_irq_restore(flags);
		return false;
	}
	f = &r->slots[prod & n->mask];
	f->addr = prm->addr;
	f->timestamp = now;
	f->rid = fault->rid;
	f->pasid = prm->pasid;
	f->grpid = prm->grpid;
	f->perm = prm->perm;
	f->flags = prm->flags;
	f->code = code;
	f->source = source;
	f->epoch = READ_ONCE(n->epoch);
	/*
	 * Pairs with smp_load_acquire(&r->prod) in iopf_notify_drain(): the
	 * record is written before the consumer can see it.
	 */
	smp_store_release(&r->prod, prod + 1);
	local_irq_restore(flags);

	iopf_notify_kick(n);
	return true;
}

/**
 * __iopf_report_failure() - Report a failure response
 * @iommu: the IOMMU instance that received the request
 * @fault: the failed page request, with its requester ID
 * @code: the response code sent to the device
 * @source: where the request failed
 *
 * The out-of-line part of iopf_report_failure(): one table lookup, then a
 * fixed-size record into this CPU's ring of the registration that owns the
 * requester ID, and a kick of its work item unless that is pending or
 * draining already. The callback runs later, from that work item.
 *
 * Context: Any context but NMI. Does not sleep, allocate or take a lock.
 */
void __iopf_report_failure(struct iommu_device *iommu,
			   const struct iommu_fault *fault,
			   enum iommu_page_response_code code,
			   enum iopf_failure_source source)
{
	struct iopf_notifier *n;
	bool queued = false;

	rcu_read_lock();
	n = xa_load(&iommu->iopf_notifiers, fault->rid);
	if (n)
		queued = iopf_notify_enqueue(n, fault, code, source);
	trace_iopf_failure(iommu, n ? n->name : NULL, fault, code, source,
			   queued);
	rcu_read_unlock();
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

static void iopf_notifier_sum(struct iopf_notifier *n,
			      struct iopf_notify_counts *c)
{
	unsigned int cpu;

	*c = n->final;
	if (!n->rings)
		return;
	for_each_possible_cpu(cpu) {
		struct iopf_notify_ring *r = per_cpu_ptr(n->rings, cpu);

		c->generated += READ_ONCE(r->generated);
		c->overflow += READ_ONCE(r->overflow);
		c->delivered += READ_ONCE(r->delivered);
		c->stale += READ_ONCE(r->stale);
	}
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

static void iopf_notifier_free_rings(struct iopf_notifier *n)
{
	unsigned int cpu;

	if (!n->rings)
		return;
	for_each_possible_cpu(cpu)
		kvfree(per_cpu_ptr(n->rings, cpu)->slots);
	free_percpu(n->rings);
	n->rings = NULL;
}

static int iopf_notifier_alloc_rings(struct iopf_notifier *n)
{
	unsigned int cpu;

	n->rings = alloc_percpu(struct iopf_notify_ring);
	if (!n->rings)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		struct iopf_notify_ring *r = per_cpu_ptr(n->rings, cpu);

		r->slots = kvcalloc_node(n->mask + 1, sizeof(*r->slots),
					 GFP_KERNEL, cpu_to_node(cpu));
		if (!r->slots)
			goto err_free;
	}
	return 0;

err_free:
	iopf_notifier_free_rings(n);
	return -ENOMEM;
}

static void iopf_notifier_put(struct iopf_notifier *n)
{
	if (refcount_dec_and_test(&n->ref)) {
		kfree_const(n->name);
		kfree(n);
	}
}

/*
 * After an RCU grace period from the detach: no fault side holds the
 * notifier. Wait for a callback already running, count what is left in the
 * rings as dropped, free them.
 */
static void iopf_notifier_release_work(struct work_struct *work)
{
	struct iopf_notifier *n = container_of(to_rcu_work(work),
					       struct iopf_notifier, release);
	struct iopf_notify_counts c;
	unsigned int cpu;
	bool orphan;

	disable_work_sync(&n->work);
	iopf_notifier_sum(n, &c);
	for_each_possible_cpu(cpu) {
		struct iopf_notify_ring *r = per_cpu_ptr(n->rings, cpu);

		c.released += r->prod - r->cons;
	}

	mutex_lock(&iopf_notify_lock);
	n->final = c;
	iopf_notifier_free_rings(n);
	n->released = true;
	orphan = n->orphan;
	mutex_unlock(&iopf_notify_lock);

	xa_destroy(&n->pasid_gone);
	/* Last access unless we hold the handle's reference (@orphan) */
	complete_all(&n->released_done);
	if (orphan)
		iopf_notifier_put(n);
}

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

	if (ring_size < 16 || ring_size > 65536) {
		pr_warn("ring_size=%u is out of 16..65536, using 128\n",
			ring_size);
		ring_size = 128;
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
	n->mask = roundup_pow_of_two(ring_size) - 1;
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
 * iopf_failure_current() - Is a record still about the device's PASID use?
 * @n: the registration that received @failure
 * @failure: the record passed to the callback
 *
 * A record is delivered only if its PASID kept its attach handle until the
 * consumer took it. A callback that sleeps (takes a lock) before acting on
 * the record calls this under that lock: it returns false once the PASID
 * was detached or replaced after the failure, so a PASID reused by another
 * address space never receives the record of the previous one.
 *
 * Context: Any context.
 * Return: true if @failure's PASID is still attached as it was when the
 * failure was reported (always true without a PASID) and @n is registered.
 */
bool iopf_failure_current(struct iopf_notifier *n,
			  const struct iopf_failure *failure)
{
	return !READ_ONCE(n->dead) && iopf_notify_live(n, failure);
}
EXPORT_SYMBOL_GPL(iopf_failure_current);

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
