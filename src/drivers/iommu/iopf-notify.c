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
 *
 * Files: this one holds the fault side, the consumer and the release of a
 * notifier's rings; iopf-notify-reg.c the registration, the table updates
 * and the lifetime hooks; iopf-notify-priv.h the structures they share.
 */

#define pr_fmt(fmt) "iopf-notify: " fmt

#include <linux/completion.h>
#include <linux/iopf-notify.h>
#include <linux/ktime.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "iopf-notify-priv.h"

#define CREATE_TRACE_POINTS
#include <trace/events/iopf_notify.h>

EXPORT_TRACEPOINT_SYMBOL_GPL(iopf_failure);

/* Records one pass of the consumer takes from a ring before the next ring */
#define IOPF_NOTIFY_BUDGET	16

DEFINE_STATIC_KEY_FALSE(iopf_failure_notify_key);
EXPORT_SYMBOL_GPL(iopf_failure_notify_key);

unsigned int iopf_notify_ring_size = 128;
module_param_named(ring_size, iopf_notify_ring_size, uint, 0444);
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
void iopf_notify_work(struct work_struct *work)
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

void iopf_notifier_sum(struct iopf_notifier *n, struct iopf_notify_counts *c)
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

void iopf_notifier_free_rings(struct iopf_notifier *n)
{
	unsigned int cpu;

	if (!n->rings)
		return;
	for_each_possible_cpu(cpu)
		kvfree(per_cpu_ptr(n->rings, cpu)->slots);
	free_percpu(n->rings);
	n->rings = NULL;
}

int iopf_notifier_alloc_rings(struct iopf_notifier *n)
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

void iopf_notifier_put(struct iopf_notifier *n)
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
void iopf_notifier_release_work(struct work_struct *work)
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
	orphan = n->orphan;
	mutex_unlock(&iopf_notify_lock);

	xa_destroy(&n->pasid_gone);
	/* Last access unless we hold the handle's reference (@orphan) */
	complete_all(&n->released_done);
	if (orphan)
		iopf_notifier_put(n);
}

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
