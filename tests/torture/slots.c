// SPDX-License-Identifier: GPL-2.0
/*
 * iopf_torture: the slots (see iopf_torture.h): a mock device bound to the
 * mm of insmod with SVA, and its registration; their setup and teardown,
 * and the accounting checks of a registration.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "iopf_torture.h"

/* --- slots: a mock device, its SVA bond, its registration */

/**
 * iopf_torture_dev_up() - Create a slot's device and bind it to insmod's mm
 * @slot: the slot, without a device
 *
 * The SVA bind attaches the SVA domain to the PASID, which enables IOPF.
 *
 * Context: Process context.
 * Return: 0 or a negative errno; -EINVAL if the PASID is not the one of
 * insmod's mm.
 */
int iopf_torture_dev_up(struct iopf_torture_slot *slot)
{
	struct iopf_mock_dev *mdev;
	struct iommu_sva *sva;
	int ret;

	mdev = iopf_mock_dev_create(&iopf_tt.mock, slot->rids,
				    iopf_tparam.rids_per_dev);
	if (IS_ERR(mdev))
		return PTR_ERR(mdev);
	sva = iommu_sva_bind_device(&mdev->dev, iopf_tt.mm);
	if (IS_ERR(sva)) {
		ret = PTR_ERR(sva);
		goto err_destroy;
	}
	if (iommu_sva_get_pasid(sva) != iopf_tt.pasid) {
		ret = -EINVAL;
		goto err_unbind;
	}
	slot->sva = sva;
	slot->mdev = mdev;
	return 0;

err_unbind:
	iommu_sva_unbind_device(sva);
err_destroy:
	iopf_mock_dev_destroy(mdev);
	return ret;
}

/**
 * iopf_torture_dev_down() - Unbind and remove a slot's device
 * @slot: the slot, its devsem held for writing
 *
 * A registration still there is torn down by the device's release (with
 * a warning), which returns once no callback of it runs; its handle stays
 * in slot->reg for the caller to unregister.
 *
 * Context: Process context.
 */
void iopf_torture_dev_down(struct iopf_torture_slot *slot)
{
	iopf_mock_flush(&iopf_tt.mock);
	iommu_sva_unbind_device(slot->sva);
	iopf_mock_dev_destroy(slot->mdev);
	slot->mdev = NULL;
	slot->sva = NULL;
}

/**
 * iopf_torture_register() - Register a slot's device
 * @slot: the slot, with a device and no registration
 *
 * A failure is counted as a setup error.
 *
 * Context: Process context.
 */
void iopf_torture_register(struct iopf_torture_slot *slot)
{
	struct iopf_torture_reg *reg;
	struct iopf_notifier *n;

	reg = iopf_torture_reg_alloc(slot);
	if (!reg) {
		atomic_long_inc(&iopf_tt.setup_errors);
		return;
	}
	n = iopf_failure_notifier_register(&slot->mdev->dev,
					   iopf_torture_callback, reg);
	if (IS_ERR(n)) {
		pr_err("slot %u: registration failed: %ld\n", slot->idx,
		       PTR_ERR(n));
		atomic_long_inc(&iopf_tt.setup_errors);
		kfree(reg);
		return;
	}
	reg->n = n;
	slot->reg = reg;
	atomic_long_inc(&iopf_tt.registrations);
}

/**
 * iopf_torture_balanced() - Check a quiet registration's counters
 * @n: the registration; nothing may report failures for it meanwhile
 * @what: names it in the messages
 * @out: if not NULL, filled with the counters
 *
 * Waits until the records queued are handled, then checks that
 * generated == delivered + overflow + stale + released.
 *
 * Return: true if they balance (or the kernel has no counters to check).
 */
bool iopf_torture_balanced(struct iopf_notifier *n, const char *what,
			   struct iopf_notify_counts *out)
{
#if IOPF_TORTURE_HAS_COUNTS
	struct iopf_notify_counts c;

	iopf_notify_flush(n);
	iopf_notify_counts(n, &c);
	if (out)
		*out = c;
	if (c.generated == c.delivered + c.overflow + c.stale + c.released)
		return true;
	pr_err("%s: generated %lu != delivered %lu + overflow %lu + stale %lu + released %lu: the notifier lost or invented records\n",
	       what, c.generated, c.delivered, c.overflow, c.stale,
	       c.released);
	return false;
#else
	if (out)
		memset(out, 0, sizeof(*out));
	return true;
#endif
}

/**
 * iopf_torture_wait_final() - Check the counters of a detached registration
 * @n: the handle of a registration its device's release tore down
 * @what: names it in the messages
 * @out: if not NULL, filled with the counters
 *
 * The records still queued at the detach are counted as released by a
 * work item after an RCU grace period: wait (10 s at most, a failure net)
 * until generated == delivered + overflow + stale + released.
 *
 * Return: true if they balance (or the kernel has no counters to check).
 */
bool iopf_torture_wait_final(struct iopf_notifier *n, const char *what,
			     struct iopf_notify_counts *out)
{
#if IOPF_TORTURE_HAS_COUNTS
	unsigned long end = jiffies + 10 * HZ;
	struct iopf_notify_counts c;

	for (;;) {
		iopf_notify_counts(n, &c);
		if (out)
			*out = c;
		if (c.generated == c.delivered + c.overflow + c.stale +
				   c.released)
			return true;
		if (time_after(jiffies, end))
			break;
		usleep_range(10000, 20000);
	}
	pr_err("%s: 10 s after the detach, generated %lu != delivered %lu + overflow %lu + stale %lu + released %lu: records lost from the accounting\n",
	       what, c.generated, c.delivered, c.overflow, c.stale,
	       c.released);
	return false;
#else
	if (out)
		memset(out, 0, sizeof(*out));
	return true;
#endif
}

/*
 * With slot->devsem held for writing and the queued page requests flushed,
 * nothing can generate a record for the slot: once its rings are drained
 * its counters must balance and match the callbacks it got.
 */
static void iopf_torture_check_counts(struct iopf_torture_slot *slot)
{
	struct iopf_torture_reg *reg = slot->reg;
	struct iopf_notify_counts c;
	char what[32];
	long seen;

	if (!IOPF_TORTURE_HAS_COUNTS)
		return;
	snprintf(what, sizeof(what), "slot %u", slot->idx);
	if (!iopf_torture_balanced(reg->n, what, &c))
		atomic_long_inc(&iopf_tt.counter_mismatch);
	atomic_long_inc(&iopf_tt.counter_checks);
	seen = atomic_long_read(&reg->delivered);
	if (c.delivered != seen) {
		pr_err("slot %u: delivered %lu but the callback ran %ld times\n",
		       slot->idx, c.delivered, seen);
		atomic_long_inc(&iopf_tt.callback_mismatch);
	}
	if (c.released) {
		pr_err("slot %u: %lu records released while registered\n",
		       slot->idx, c.released);
		atomic_long_inc(&iopf_tt.counter_mismatch);
	}
	atomic_long_add(c.generated, &iopf_tt.total_generated);
	atomic_long_add(c.delivered, &iopf_tt.total_delivered);
	atomic_long_add(c.overflow, &iopf_tt.total_overflow);
	atomic_long_add(c.stale, &iopf_tt.total_stale);
}

/**
 * iopf_torture_unregister() - End a slot's registration
 * @slot: the slot, its lock held
 * @quiesce: stop its requests first and check its counters
 *
 * Context: Process context.
 */
void iopf_torture_unregister(struct iopf_torture_slot *slot, bool quiesce)
{
	if (quiesce) {
		down_write(&slot->devsem);
		iopf_mock_flush(&iopf_tt.mock);
		iopf_torture_check_counts(slot);
	}
	iopf_failure_notifier_unregister(slot->reg->n);
	if (quiesce)
		up_write(&slot->devsem);
	iopf_torture_reg_kill(slot->reg);
	slot->reg = NULL;
	atomic_long_inc(quiesce ? &iopf_tt.unreg_quiesced : &iopf_tt.unreg_hot);
}

/* --- setup and teardown of the slots */

/**
 * iopf_torture_slots_free() - Tear down every slot
 *
 * Context: Process context.
 */
void iopf_torture_slots_free(void)
{
	unsigned int i;

	for (i = 0; i < iopf_tparam.nr_devs && iopf_tt.slots; i++) {
		struct iopf_torture_slot *slot = &iopf_tt.slots[i];

		mutex_lock(&slot->lock);
		down_write(&slot->devsem);
		if (slot->reg) {
			iopf_failure_notifier_unregister(slot->reg->n);
			iopf_torture_reg_kill(slot->reg);
			slot->reg = NULL;
		}
		if (slot->mdev)
			iopf_torture_dev_down(slot);
		up_write(&slot->devsem);
		mutex_unlock(&slot->lock);
	}
	kfree(iopf_tt.slots);
	iopf_tt.slots = NULL;
	vfree(iopf_tt.rid);
	iopf_tt.rid = NULL;
}

static int iopf_torture_slots_alloc(bool register_all)
{
	unsigned int i, j, nr = iopf_tparam.rids_per_dev;
	int ret;

	iopf_tt.nr_rids = iopf_tparam.nr_devs * nr;
	iopf_tt.rid = vzalloc(array_size(iopf_tt.nr_rids, sizeof(*iopf_tt.rid)));
	iopf_tt.slots = kzalloc_objs(*iopf_tt.slots, iopf_tparam.nr_devs);
	if (!iopf_tt.rid || !iopf_tt.slots) {
		ret = -ENOMEM;
		goto err;
	}
	for (i = 0; i < iopf_tparam.nr_devs; i++) {
		struct iopf_torture_slot *slot = &iopf_tt.slots[i];

		slot->idx = i;
		mutex_init(&slot->lock);
		init_rwsem(&slot->devsem);
		for (j = 0; j < nr; j++)
			slot->rids[j] = iopf_torture_index_rid(i * nr + j);
		ret = iopf_torture_dev_up(slot);
		if (ret) {
			pr_err("slot %u: device setup failed: %d\n", i, ret);
			goto err;
		}
		if (register_all || (i & 1))
			iopf_torture_register(slot);
	}
	return 0;

err:
	iopf_torture_slots_free();
	return ret;
}

/**
 * iopf_torture_setup() - Map the pages and set up the slots
 * @register_all: register every slot (else every other one)
 *
 * Learns the PASID of insmod's mm first: the mm keeps it, so every slot's
 * bond gets it.
 *
 * Context: Process context, the mm of insmod.
 * Return: 0 or a negative errno.
 */
int iopf_torture_setup(bool register_all)
{
	u32 rid = IOPF_TORTURE_BAD_RID;
	struct iopf_mock_dev *probe;
	struct iommu_sva *sva;
	int ret;

	iopf_tt.mm = current->mm;
	init_waitqueue_head(&iopf_tt.inflight_wq);
	ret = iopf_torture_map(iopf_tparam.nr_devs * iopf_tparam.rids_per_dev);
	if (ret)
		return ret;

	/* Learn the PASID the core gives insmod's mm (it keeps it) */
	probe = iopf_mock_dev_create(&iopf_tt.mock, &rid, 1);
	if (IS_ERR(probe)) {
		ret = PTR_ERR(probe);
		goto err_unmap;
	}
	sva = iommu_sva_bind_device(&probe->dev, iopf_tt.mm);
	if (IS_ERR(sva)) {
		ret = PTR_ERR(sva);
		pr_err("iommu_sva_bind_device() failed: %d\n", ret);
		iopf_mock_dev_destroy(probe);
		goto err_unmap;
	}
	iopf_tt.pasid = iommu_sva_get_pasid(sva);
	iommu_sva_unbind_device(sva);
	iopf_mock_dev_destroy(probe);

	ret = iopf_torture_slots_alloc(register_all);
	if (ret)
		goto err_unmap;
	return 0;

err_unmap:
	iopf_torture_unmap();
	return ret;
}

/**
 * iopf_torture_quiesce_all() - Unregister every slot, quiesced, and wait for the responses
 *
 * Checks the counters of every registration still there and that no
 * response is missing.
 *
 * Context: Process context.
 */
void iopf_torture_quiesce_all(void)
{
	unsigned int i;

	for (i = 0; i < iopf_tparam.nr_devs; i++) {
		struct iopf_torture_slot *slot = &iopf_tt.slots[i];

		mutex_lock(&slot->lock);
		if (slot->reg)
			iopf_torture_unregister(slot, true);
		mutex_unlock(&slot->lock);
	}
	iopf_tt.lost_responses = iopf_torture_drain();
	if (iopf_tt.lost_responses)
		pr_err("%ld page requests got no response\n",
		       iopf_tt.lost_responses);
}
