// SPDX-License-Identifier: GPL-2.0
/*
 * iopf_torture mode=lifetime: deterministic cases of the lifetime rules of
 * the notifier, one line each ("lifetime case=NAME PASS|FAIL: detail"):
 *
 *  removal_idle        a device released while registered, nothing in
 *                      flight: its slots are free at once, its data freed
 *                      right after the release is never touched again
 *                      (KASAN), a new device with the same RIDs registers
 *                      and receives, the old handle still unregisters;
 *  removal_pending     the same with a callback blocked and records queued
 *                      behind it: the release frees the slot at once, waits
 *                      for the blocked callback and returns once it is let
 *                      go; the data freed right after is never touched, the
 *                      queued records are counted as released; and again
 *                      with the queued records in the next CPU's ring
 *                      (removal_pending_cross_cpu);
 *  pasid_reuse         records of a PASID reported while a callback blocks,
 *                      the PASID unbound and bound again (same number, new
 *                      attach handle): none of the old records reaches the
 *                      new binding, the one being delivered is no longer
 *                      current, the new ones all arrive;
 *  and the isolation cases of isolation.c.
 * Waits have a 30 s failure net; nothing is timed.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/slab.h>

#include "iopf_torture.h"

struct iopf_lt iopf_lt;

/**
 * iopf_lt_case() - Print the verdict of one lifetime case
 * @name: the case
 * @ok: its verdict
 * @fmt: what was seen, printf style
 * @...: its arguments
 *
 * Context: Any context.
 */
void iopf_lt_case(const char *name, bool ok, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	if (!ok)
		iopf_lt.failed++;
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	pr_info("lifetime case=%s %s: %pV\n", name, ok ? "PASS" : "FAIL", &vaf);
	va_end(args);
}

static void iopf_lt_callback(const struct iopf_failure *f, void *data)
{
	struct iopf_lt_reg *reg = data;

	atomic_inc(&iopf_lt.calls_total);
	/* A freed @reg is a KASAN report here: the point of the cases */
	if (READ_ONCE(reg->magic) != IOPF_TORTURE_ALIVE) {
		atomic_long_inc(&iopf_tt.late_callbacks);
		return;
	}
	atomic_inc(&reg->calls);
	if (reg->hook)
		reg->hook(reg, f);
	wake_up_all(&iopf_lt.wq);
}

/**
 * iopf_lt_block_hook() - Block in the first callback until iopf_lt.release
 * @reg: the registration
 * @f: the record
 *
 * Completes iopf_lt.entered when it starts waiting and iopf_lt.left once
 * it is done with @reg.
 *
 * Context: Process context (the registration's work item); sleeps.
 */
void iopf_lt_block_hook(struct iopf_lt_reg *reg, const struct iopf_failure *f)
{
	if (atomic_read(&reg->calls) != 1)
		return;
	complete(&iopf_lt.entered);
	wait_for_completion(&iopf_lt.release);
	complete(&iopf_lt.left);
}

/**
 * iopf_lt_report() - Report a failure as an IOMMU driver rejecting the request
 * @rid: requester ID
 * @flags: %IOMMU_FAULT_PAGE_REQUEST_* flags (PASID_VALID or 0)
 * @pasid: PASID
 * @addr: page address
 *
 * Context: Any context but NMI.
 */
void iopf_lt_report(u32 rid, u32 flags, u32 pasid, u64 addr)
{
	struct iopf_fault evt;

	iopf_torture_fault(&evt, rid, pasid, addr, 0);
	evt.fault.prm.flags = flags | IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE;
	iopf_torture_reject(&evt);
}

/**
 * iopf_lt_register() - Register a device with the lifetime callback
 * @mdev: the device
 * @hook: what the callback does beyond counting, or NULL
 * @priv: for @hook
 *
 * Context: Process context.
 * Return: the callback data (with the handle), or NULL on failure.
 */
struct iopf_lt_reg *iopf_lt_register(struct iopf_mock_dev *mdev,
				     iopf_lt_hook hook, void *priv)
{
	struct iopf_lt_reg *reg;
	struct iopf_notifier *n;

	reg = kzalloc_obj(*reg);
	if (!reg)
		return NULL;
	reg->magic = IOPF_TORTURE_ALIVE;
	reg->hook = hook;
	reg->priv = priv;
	n = iopf_failure_notifier_register(&mdev->dev, iopf_lt_callback, reg);
	if (IS_ERR(n)) {
		pr_err("lifetime: %s: registration failed: %ld\n",
		       dev_name(&mdev->dev), PTR_ERR(n));
		kfree(reg);
		return NULL;
	}
	reg->n = n;
	return reg;
}

/**
 * iopf_lt_kill() - Poison and free lifetime callback data
 * @reg: the data
 *
 * Context: Process context.
 */
void iopf_lt_kill(struct iopf_lt_reg *reg)
{
	WRITE_ONCE(reg->magic, IOPF_TORTURE_POISON);
	kfree(reg);
}

static void iopf_lt_reset(void)
{
	reinit_completion(&iopf_lt.destroyed);
	reinit_completion(&iopf_lt.entered);
	reinit_completion(&iopf_lt.release);
	reinit_completion(&iopf_lt.left);
}

static bool iopf_lt_slots_free(const u32 *rids, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (xa_load(&iopf_tt.mock.iommu.iopf_notifiers, rids[i]))
			return false;
	return true;
}

static void iopf_lt_removal_idle(void)
{
	const u32 rids[] = { IOPF_TORTURE_LT_RID, IOPF_TORTURE_LT_RID + 1 };
	struct iopf_mock_dev *mdev, *again = NULL;
	struct iopf_lt_reg *reg, *reg2 = NULL;
	struct iopf_notify_counts c = {};
	struct iopf_failure rec = {};
	bool ok, freed, current_after;
	struct iopf_notifier *n;
	int total, late, i;

	mdev = iopf_mock_dev_create(&iopf_tt.mock, rids, ARRAY_SIZE(rids));
	if (IS_ERR(mdev)) {
		iopf_lt_case("removal_idle", false, "mock device: %ld",
			     PTR_ERR(mdev));
		return;
	}
	reg = iopf_lt_register(mdev, NULL, NULL);
	if (!reg) {
		iopf_lt_case("removal_idle", false, "registration failed");
		iopf_mock_dev_destroy(mdev);
		return;
	}
	n = reg->n;
#if IOPF_TORTURE_HAS_COUNTS
	iopf_lt.ring = iopf_notify_ring_capacity(n);
#endif
	for (i = 0; i < 3; i++)
		iopf_lt_report(rids[1], 0, 0, i * PAGE_SIZE);
	if (!iopf_lt_wait(atomic_read(&reg->calls) == 3)) {
		iopf_lt_case("removal_idle", false,
			     "%d of 3 records delivered before the removal",
			     atomic_read(&reg->calls));
		iopf_failure_notifier_unregister(n);
		iopf_lt_kill(reg);
		iopf_mock_dev_destroy(mdev);
		return;
	}

	/* The driver forgot to unregister: release, then free its data */
	iopf_mock_dev_destroy(mdev);
	iopf_lt.warnings++;
	iopf_lt_kill(reg);
	freed = iopf_lt_slots_free(rids, ARRAY_SIZE(rids));
	total = atomic_read(&iopf_lt.calls_total);
	for (i = 0; i < 5; i++)
		iopf_lt_report(rids[i & 1], 0, 0, 0);
#if IOPF_TORTURE_HAS_COUNTS
	iopf_notify_flush(n);
#endif
	late = atomic_read(&iopf_lt.calls_total) - total;
	current_after = iopf_failure_current(n, &rec);
	ok = freed && !late && !current_after;
	ok &= iopf_torture_wait_final(n, "removal_idle", &c);
	ok &= !IOPF_TORTURE_HAS_COUNTS || (c.delivered == 3 && !c.released);

	again = iopf_mock_dev_create(&iopf_tt.mock, rids, ARRAY_SIZE(rids));
	if (!IS_ERR(again))
		reg2 = iopf_lt_register(again, NULL, NULL);
	if (reg2) {
		iopf_lt_report(rids[0], 0, 0, 0);
		iopf_lt_report(rids[1], 0, 0, 0);
		ok &= iopf_lt_wait(atomic_read(&reg2->calls) == 2);
	}
	iopf_lt_case("removal_idle", ok && reg2,
		     "slots freed %d, callbacks after the release %d, old handle current %d, delivered %lu released %lu, same RIDs registered again %d and received %d of 2",
		     freed, late, current_after, c.delivered, c.released,
		     !!reg2, reg2 ? atomic_read(&reg2->calls) : 0);
	/* The old handle unregisters cleanly, after the new registration */
	iopf_failure_notifier_unregister(n);
	if (reg2) {
		iopf_failure_notifier_unregister(reg2->n);
		iopf_lt_kill(reg2);
	}
	if (!IS_ERR(again))
		iopf_mock_dev_destroy(again);
}

struct iopf_lt_on_cpu {
	u32 rid;
	unsigned int nr;
	struct completion done;
};

static int iopf_lt_report_thread(void *data)
{
	struct iopf_lt_on_cpu *r = data;
	unsigned int i;

	for (i = 0; i < r->nr; i++)
		iopf_lt_report(r->rid, 0, 0, i * PAGE_SIZE);
	complete(&r->done);
	return 0;
}

/* @nr failures of @rid reported on @cpu, into that CPU's ring */
static bool iopf_lt_report_on(unsigned int cpu, u32 rid, unsigned int nr)
{
	struct iopf_lt_on_cpu r = { .rid = rid, .nr = nr };
	struct task_struct *t;

	init_completion(&r.done);
	t = kthread_create_on_cpu(iopf_lt_report_thread, &r, cpu,
				  "iopf_lt_report/%u");
	if (IS_ERR(t))
		return false;
	wake_up_process(t);
	wait_for_completion(&r.done);
	return true;
}

static int iopf_lt_destroy_thread(void *data)
{
	iopf_mock_dev_destroy(data);
	complete(&iopf_lt.destroyed);
	return 0;
}

/*
 * @cross: the blocked record on the first online CPU, the queued ones on
 * the next: after the block the consumer moves on to the next CPU's ring.
 */
static void iopf_lt_removal_pending(bool cross)
{
	const char *name = cross ? "removal_pending_cross_cpu" :
				   "removal_pending";
	const u32 rid = IOPF_TORTURE_LT_RID + 2;
	unsigned int cpu0 = cpumask_first(cpu_online_mask);
	unsigned int cpu1 = cpumask_next(cpu0, cpu_online_mask);
	struct iopf_notify_counts c = {};
	struct task_struct *t;
	struct iopf_mock_dev *mdev;
	struct iopf_lt_reg *reg;
	bool freed, waited, returned, ok = true;
	struct iopf_notifier *n;
	int total, late, i;

	iopf_lt_reset();
	mdev = iopf_mock_dev_create(&iopf_tt.mock, &rid, 1);
	if (IS_ERR(mdev)) {
		iopf_lt_case(name, false, "mock device: %ld",
			     PTR_ERR(mdev));
		return;
	}
	reg = iopf_lt_register(mdev, iopf_lt_block_hook, NULL);
	if (!reg) {
		iopf_lt_case(name, false, "registration failed");
		iopf_mock_dev_destroy(mdev);
		return;
	}
	n = reg->n;
	if (cross && cpu1 >= nr_cpu_ids) {
		iopf_lt_case(name, true, "skipped: one CPU online");
		iopf_failure_notifier_unregister(n);
		iopf_lt_kill(reg);
		iopf_mock_dev_destroy(mdev);
		return;
	}
	if (cross)
		ok &= iopf_lt_report_on(cpu0, rid, 1);
	else
		iopf_lt_report(rid, 0, 0, 0);
	if (!wait_for_completion_timeout(&iopf_lt.entered, 30 * HZ)) {
		iopf_lt_case(name, false, "the first callback never ran");
		iopf_failure_notifier_unregister(n);
		iopf_lt_kill(reg);
		iopf_mock_dev_destroy(mdev);
		return;
	}
	if (cross)
		ok &= iopf_lt_report_on(cpu1, rid, 8);
	else
		for (i = 0; i < 8; i++)
			iopf_lt_report(rid, 0, 0, PAGE_SIZE);

	/* Released by another thread: the release waits for the callback */
	t = kthread_run(iopf_lt_destroy_thread, mdev, "iopf_lt_destroy");
	if (IS_ERR(t)) {
		iopf_lt_case(name, false, "kthread_run: %ld", PTR_ERR(t));
		complete(&iopf_lt.release);
		wait_for_completion(&iopf_lt.left);
		iopf_mock_dev_destroy(mdev);
		iopf_lt.warnings++;
		iopf_failure_notifier_unregister(n);
		iopf_lt_kill(reg);
		return;
	}
	iopf_lt.warnings++;
	/* The detach comes first: the slot goes (30 s failure net) */
	for (i = 0; i < 3000 && !iopf_lt_slots_free(&rid, 1); i++)
		usleep_range(10000, 20000);
	freed = iopf_lt_slots_free(&rid, 1);
	/* The callback still blocks: the release must still be waiting */
	waited = !completion_done(&iopf_lt.destroyed);
	total = atomic_read(&iopf_lt.calls_total);
	complete(&iopf_lt.release);
	returned = wait_for_completion_timeout(&iopf_lt.destroyed, 30 * HZ);
	/* The release returned: the data may go at once */
	if (returned)
		iopf_lt_kill(reg);
	late = atomic_read(&iopf_lt.calls_total) - total;
	ok &= freed && waited && returned && !late;
	ok &= iopf_torture_wait_final(n, name, &c);
	ok &= !IOPF_TORTURE_HAS_COUNTS ||
	      (c.generated == 9 && c.delivered == 1 && c.released == 8);
	iopf_lt_case(name, ok,
		     "slot freed while the callback blocked %d, release waited for it %d and returned once it was let go %d, callbacks after the release %d, generated %lu delivered %lu stale %lu released %lu (expected 9, 1, 0, 8)",
		     freed, waited, returned, late, c.generated, c.delivered,
		     c.stale, c.released);
	if (!returned)	/* the data may still be in use: leak it */
		return;
	iopf_failure_notifier_unregister(n);
}

/* PASID reuse: what the blocked callback saw, and what arrived after */
struct iopf_lt_pasid {
	u64 old_base, new_base;
	bool plug_current;
	atomic_t old_seen, new_seen;
};

static void iopf_lt_pasid_hook(struct iopf_lt_reg *reg,
			       const struct iopf_failure *f)
{
	struct iopf_lt_pasid *p = reg->priv;

	if (atomic_read(&reg->calls) == 1) {
		complete(&iopf_lt.entered);
		wait_for_completion(&iopf_lt.release);
		/* uacce's pattern: check under the lock taken after waiting */
		p->plug_current = iopf_failure_current(reg->n, f);
		return;
	}
	if (f->addr >= p->new_base && f->addr < p->new_base + 16 * PAGE_SIZE)
		atomic_inc(&p->new_seen);
	else
		atomic_inc(&p->old_seen);
}

static void iopf_lt_pasid_reuse(void)
{
	const u32 rid = IOPF_TORTURE_LT_RID + 3;
	const u32 pv = IOMMU_FAULT_PAGE_REQUEST_PASID_VALID;
	struct iopf_lt_pasid p = { .plug_current = true };
	struct iommu_sva *sva, *sva2 = NULL;
	struct iopf_notify_counts c = {};
	struct iopf_mock_dev *mdev;
	struct iopf_lt_reg *reg;
	struct iopf_fault evt;
	u32 pasid, pasid2 = 0;
	bool ok = true;
	int i;

	iopf_lt_reset();
	/* old: the read-only page; new: the page after it */
	p.old_base = iopf_tt.ro;
	p.new_base = iopf_tt.ro + PAGE_SIZE;
	mdev = iopf_mock_dev_create(&iopf_tt.mock, &rid, 1);
	if (IS_ERR(mdev)) {
		iopf_lt_case("pasid_reuse", false, "mock device: %ld",
			     PTR_ERR(mdev));
		return;
	}
	sva = iommu_sva_bind_device(&mdev->dev, iopf_tt.mm);
	if (IS_ERR(sva)) {
		iopf_lt_case("pasid_reuse", false, "SVA bind: %ld", PTR_ERR(sva));
		goto out_destroy;
	}
	pasid = iommu_sva_get_pasid(sva);
	reg = iopf_lt_register(mdev, iopf_lt_pasid_hook, &p);
	if (!reg) {
		iopf_lt_case("pasid_reuse", false, "registration failed");
		iommu_sva_unbind_device(sva);
		goto out_destroy;
	}
	/* The plug: taken by the consumer before the unbind, then blocked */
	iopf_lt_report(rid, pv, pasid, p.old_base);
	ok &= wait_for_completion_timeout(&iopf_lt.entered, 30 * HZ) != 0;
	for (i = 0; i < 5; i++)
		iopf_lt_report(rid, pv, pasid, p.old_base);
	/* And one through the real fault path: write to the read-only page */
	iopf_torture_fault(&evt, rid, pasid, p.old_base, 1);
	atomic_inc(&iopf_tt.inflight);
	iommu_report_device_fault(&mdev->dev, &evt);
	iopf_mock_flush(&iopf_tt.mock);

	/* Unbind (the attach handle goes) and bind again: same PASID */
	iommu_sva_unbind_device(sva);
	sva2 = iommu_sva_bind_device(&mdev->dev, iopf_tt.mm);
	if (!IS_ERR(sva2))
		pasid2 = iommu_sva_get_pasid(sva2);
	ok &= !IS_ERR(sva2) && pasid2 == pasid;
	for (i = 0; i < 4; i++)
		iopf_lt_report(rid, pv, pasid, p.new_base + i * PAGE_SIZE);
	if (!IS_ERR(sva2)) {
		/* Through the real fault path too: another read-only page */
		iopf_torture_fault(&evt, rid, pasid,
				   p.new_base + 8 * PAGE_SIZE, 2);
		atomic_inc(&iopf_tt.inflight);
		iommu_report_device_fault(&mdev->dev, &evt);
		iopf_mock_flush(&iopf_tt.mock);
	}
	complete(&iopf_lt.release);
	ok &= iopf_lt_wait(atomic_read(&p.new_seen) >= 5 ||
			   atomic_read(&p.old_seen));
	ok &= iopf_torture_balanced(reg->n, "pasid_reuse", &c);
	ok &= !atomic_read(&p.old_seen) && atomic_read(&p.new_seen) == 5 &&
	      !p.plug_current;
	ok &= !IOPF_TORTURE_HAS_COUNTS || (c.stale == 6 && c.delivered == 6);
	iopf_lt_case("pasid_reuse", ok,
		     "PASID %u rebound as %u; old records delivered %d (expected 0), new %d of 5, the blocked old record current after the unbind %d, stale %lu of 6, delivered %lu of 6",
		     pasid, pasid2, atomic_read(&p.old_seen),
		     atomic_read(&p.new_seen), p.plug_current, c.stale,
		     c.delivered);
	iopf_failure_notifier_unregister(reg->n);
	iopf_lt_kill(reg);
	iopf_mock_flush(&iopf_tt.mock);
	if (!IS_ERR(sva2))
		iommu_sva_unbind_device(sva2);
out_destroy:
	iopf_mock_dev_destroy(mdev);
}

/**
 * iopf_torture_run_lifetime() - Run mode=lifetime
 *
 * Context: Process context, the mm of insmod.
 * Return: 0 once run (the verdict is printed), or a negative errno.
 */
int iopf_torture_run_lifetime(void)
{
	int ret;

	init_waitqueue_head(&iopf_lt.wq);
	init_completion(&iopf_lt.entered);
	init_completion(&iopf_lt.release);
	init_completion(&iopf_lt.left);
	init_completion(&iopf_lt.destroyed);
	iopf_tt.mm = current->mm;
	init_waitqueue_head(&iopf_tt.inflight_wq);
	if (!IOPF_TORTURE_HAS_COUNTS)
		pr_err("lifetime: the kernel has no CONFIG_IOPF_NOTIFY_KUNIT_TEST: the accounting is not checked; use the patched-debug kernel\n");
	ret = iopf_torture_map(16);
	if (ret)
		return ret;

	iopf_lt_removal_idle();
	iopf_lt_removal_pending(false);
	iopf_lt_removal_pending(true);
	iopf_lt_pasid_reuse();
	iopf_lt_isolation();

	iopf_torture_unmap();
	iopf_tt.lost_responses = iopf_torture_drain();
	if (!xa_empty(&iopf_tt.mock.iommu.iopf_notifiers)) {
		pr_err("lifetime: the notifier table is not empty at the end\n");
		iopf_lt.failed++;
	}
	if (!IOPF_TORTURE_HAS_COUNTS)
		iopf_lt.failed++;
	pr_info("lifetime: released_while_registered_expected=%u ring_capacity=%u\n",
		iopf_lt.warnings, iopf_lt.ring);
	pr_info("%s lifetime failed=%u errors=%lu\n",
		iopf_lt.failed || iopf_torture_errors() ? "FAIL" : "PASS",
		iopf_lt.failed, iopf_torture_errors());
	return 0;
}
