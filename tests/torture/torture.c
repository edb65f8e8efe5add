// SPDX-License-Identifier: GPL-2.0
/*
 * iopf_torture mode=torture: for @duration seconds, on every online CPU at
 * once, a flooder sends succeeding and failing page requests from the RIDs
 * of every slot, now and then a burst that overflows a ring, and a churner
 * registers, unregisters (quiesced or hot), and removes and re-adds
 * devices, some of them while still registered. See main.c for what is
 * checked.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/random.h>
#include <linux/sched/signal.h>

#include "iopf_torture.h"

static enum iopf_torture_kind iopf_torture_pick_kind(void)
{
	u32 r = get_random_u32_below(100);

	if (r < 40)
		return IOPF_TORTURE_SUCCESS;
	if (r < 60)
		return IOPF_TORTURE_RO;
	if (r < 80)
		return IOPF_TORTURE_NOVMA;
	if (r < 95)
		return IOPF_TORTURE_NOHANDLER;
	return IOPF_TORTURE_REJECTED;
}

/*
 * A burst of requests the IOMMU driver rejects, from one RID: reported at
 * once on this CPU, more than a ring holds, so records overflow.
 */
static void iopf_torture_burst(void)
{
	unsigned int idx = get_random_u32_below(iopf_tt.nr_rids);
	unsigned int i, n = 256 + get_random_u32_below(512);

	for (i = 0; i < n; i++)
		iopf_torture_request(idx, IOPF_TORTURE_REJECTED);
	atomic_long_inc(&iopf_tt.bursts);
}

static int iopf_torture_flooder(void *unused)
{
	while (!kthread_should_stop()) {
		if (!get_random_u32_below(1024))
			iopf_torture_burst();
		iopf_torture_throttle();
		iopf_torture_request(get_random_u32_below(iopf_tt.nr_rids),
				     iopf_torture_pick_kind());
		cond_resched();
	}
	return 0;
}

/*
 * The device of a registered slot goes away: its release tears the
 * registration down and returns once no callback runs, so the data goes
 * at once. Its RIDs are free, its counters balance, and the handle still
 * unregisters.
 */
static void iopf_torture_remove_registered(struct iopf_torture_slot *slot)
{
	struct iopf_notifier *n = slot->reg->n;
	char what[40];
	unsigned int i;

	iopf_torture_dev_down(slot);
	iopf_torture_reg_kill(slot->reg);
	slot->reg = NULL;
	atomic_long_inc(&iopf_tt.removed_registered);
	for (i = 0; i < iopf_tparam.rids_per_dev; i++) {
		if (!xa_load(&iopf_tt.mock.iommu.iopf_notifiers,
			     slot->rids[i]))
			continue;
		pr_err("slot %u: RID %#x still in the table after its device was released\n",
		       slot->idx, slot->rids[i]);
		atomic_long_inc(&iopf_tt.counter_mismatch);
	}
	snprintf(what, sizeof(what), "slot %u (device released)", slot->idx);
	if (!iopf_torture_wait_final(n, what, NULL))
		atomic_long_inc(&iopf_tt.counter_mismatch);
	iopf_failure_notifier_unregister(n);
}

/* Remove and re-add the slot's device; its records may still be queued */
static void iopf_torture_readd(struct iopf_torture_slot *slot)
{
	bool registered;
	int ret;

	down_write(&slot->devsem);
	if (slot->reg && get_random_u32_below(2)) {
		iopf_failure_notifier_unregister(slot->reg->n);
		iopf_torture_reg_kill(slot->reg);
		slot->reg = NULL;
		atomic_long_inc(&iopf_tt.unreg_hot);
	}
	registered = slot->reg;
	if (slot->mdev && registered)
		iopf_torture_remove_registered(slot);
	else if (slot->mdev)
		iopf_torture_dev_down(slot);
	ret = iopf_torture_dev_up(slot);
	if (ret) {
		pr_err("slot %u: device re-add failed: %d\n", slot->idx, ret);
		atomic_long_inc(&iopf_tt.setup_errors);
	} else if (registered || get_random_u32_below(2)) {
		/* The same RIDs: must register, released or not before */
		iopf_torture_register(slot);
	}
	up_write(&slot->devsem);
	atomic_long_inc(&iopf_tt.readds);
}

static int iopf_torture_churner(void *unused)
{
	while (!kthread_should_stop()) {
		struct iopf_torture_slot *slot;
		u32 r = get_random_u32_below(16);

		slot = &iopf_tt.slots[get_random_u32_below(iopf_tparam.nr_devs)];
		mutex_lock(&slot->lock);
		if (!slot->mdev || r == 0)
			iopf_torture_readd(slot);
		else if (slot->reg)
			iopf_torture_unregister(slot, r & 1);
		else
			iopf_torture_register(slot);
		mutex_unlock(&slot->lock);
		usleep_range(200, 2000);
	}
	return 0;
}

/**
 * iopf_torture_print_stats() - Print the statistics lines
 * @tag: their prefix
 *
 * Context: Any context.
 */
void iopf_torture_print_stats(const char *tag)
{
	long sent[IOPF_TORTURE_NR_KINDS] = {};
	unsigned int i, k;

	for (i = 0; i < iopf_tt.nr_rids; i++)
		for (k = 0; k < IOPF_TORTURE_NR_KINDS; k++)
			sent[k] += atomic_long_read(&iopf_tt.rid[i].sent[k]);
	pr_info("%s: requests: %ld (success %ld ro %ld novma %ld nohandler %ld rejected %ld) responses: success %ld failed %ld inflight %d\n",
		tag, atomic_long_read(&iopf_tt.requests),
		sent[IOPF_TORTURE_SUCCESS], sent[IOPF_TORTURE_RO],
		sent[IOPF_TORTURE_NOVMA], sent[IOPF_TORTURE_NOHANDLER],
		sent[IOPF_TORTURE_REJECTED],
		atomic_long_read(&iopf_tt.resp_success),
		atomic_long_read(&iopf_tt.resp_fail),
		atomic_read(&iopf_tt.inflight));
	pr_info("%s: notifiers: registrations %ld unregistrations %ld (quiesced %ld hot %ld) device re-adds %ld (registered %ld) callbacks %ld bursts %ld\n",
		tag, atomic_long_read(&iopf_tt.registrations),
		atomic_long_read(&iopf_tt.unreg_quiesced) +
		atomic_long_read(&iopf_tt.unreg_hot),
		atomic_long_read(&iopf_tt.unreg_quiesced),
		atomic_long_read(&iopf_tt.unreg_hot),
		atomic_long_read(&iopf_tt.readds),
		atomic_long_read(&iopf_tt.removed_registered),
		atomic_long_read(&iopf_tt.callbacks),
		atomic_long_read(&iopf_tt.bursts));
	pr_info("%s: checks: counter checks %ld (generated %ld delivered %ld overflow %ld stale %ld) errors: counters %ld callbacks %ld late %ld foreign %ld wrong-addr %ld wrong-source %ld success-reported %ld setup %ld lost-responses %ld\n",
		tag, atomic_long_read(&iopf_tt.counter_checks),
		atomic_long_read(&iopf_tt.total_generated),
		atomic_long_read(&iopf_tt.total_delivered),
		atomic_long_read(&iopf_tt.total_overflow),
		atomic_long_read(&iopf_tt.total_stale),
		atomic_long_read(&iopf_tt.counter_mismatch),
		atomic_long_read(&iopf_tt.callback_mismatch),
		atomic_long_read(&iopf_tt.late_callbacks),
		atomic_long_read(&iopf_tt.foreign_rid),
		atomic_long_read(&iopf_tt.bad_addr),
		atomic_long_read(&iopf_tt.wrong_source),
		atomic_long_read(&iopf_tt.success_reported),
		atomic_long_read(&iopf_tt.setup_errors),
		iopf_tt.lost_responses);
}

/* A failing RID never gets more callbacks than it sent failing requests */
static void iopf_torture_check_rids(void)
{
	unsigned int i, k;

	for (i = 0; i < iopf_tt.nr_rids; i++) {
		long failed = 0, cb = atomic_long_read(&iopf_tt.rid[i].callbacks);

		for (k = IOPF_TORTURE_RO; k < IOPF_TORTURE_NR_KINDS; k++)
			failed += atomic_long_read(&iopf_tt.rid[i].sent[k]);
		if (cb > failed) {
			pr_err("RID %#x: %ld callbacks for %ld failed requests\n",
			       iopf_torture_index_rid(i), cb, failed);
			atomic_long_inc(&iopf_tt.foreign_rid);
		}
	}
}

/**
 * iopf_torture_run_torture() - Run mode=torture
 *
 * Context: Process context, the mm of insmod.
 * Return: 0 once run (the verdict is printed), or a negative errno.
 */
int iopf_torture_run_torture(void)
{
	unsigned long end, next_stat;
	int ret;

	pr_info("torture: duration %d s, %u CPUs, %d devices x %d RIDs, notifier counters %s\n",
		iopf_tparam.duration, num_online_cpus(), iopf_tparam.nr_devs,
		iopf_tparam.rids_per_dev,
		IOPF_TORTURE_HAS_COUNTS ? "checked" : "not available");
	if (!IOPF_TORTURE_HAS_COUNTS) {
		pr_err("torture: the kernel has no CONFIG_IOPF_NOTIFY_KUNIT_TEST, so the per-registration accounting cannot be checked: use the patched-debug kernel\n");
		atomic_long_inc(&iopf_tt.setup_errors);
	}
	ret = iopf_torture_setup(false);
	if (ret)
		return ret;
	ret = iopf_torture_start_threads(iopf_torture_flooder,
					 "iopf_flood/%u", NULL);
	if (!ret)
		ret = iopf_torture_start_threads(iopf_torture_churner,
						 "iopf_churn/%u", NULL);
	if (ret) {
		atomic_long_inc(&iopf_tt.setup_errors);
		pr_err("thread start failed: %d\n", ret);
	}

	end = jiffies + iopf_tparam.duration * HZ;
	next_stat = jiffies + iopf_tparam.stat_interval * HZ;
	while (!ret && time_before(jiffies, end)) {
		if (msleep_interruptible(200) || fatal_signal_pending(current)) {
			pr_err("interrupted\n");
			atomic_long_inc(&iopf_tt.setup_errors);
			break;
		}
		if (iopf_tparam.stat_interval && time_after(jiffies, next_stat)) {
			iopf_torture_print_stats("stat");
			next_stat += iopf_tparam.stat_interval * HZ;
		}
	}
	iopf_torture_stop_threads();
	iopf_torture_quiesce_all();
	iopf_torture_check_rids();
	if (!xa_empty(&iopf_tt.mock.iommu.iopf_notifiers)) {
		pr_err("the notifier table is not empty after the last unregistration\n");
		atomic_long_inc(&iopf_tt.setup_errors);
	}
	iopf_torture_print_stats("end");
	iopf_torture_slots_free();
	iopf_torture_unmap();
	if (atomic_long_read(&iopf_tt.callbacks) == 0 ||
	    atomic_long_read(&iopf_tt.resp_success) == 0) {
		pr_err("no callback or no succeeding request: nothing was tested\n");
		atomic_long_inc(&iopf_tt.setup_errors);
	}
	pr_info("%s duration=%d requests=%ld callbacks=%ld registrations=%ld readds=%ld removed_registered=%ld counter_checks=%ld errors=%lu\n",
		iopf_torture_errors() ? "FAIL" : "PASS", iopf_tparam.duration,
		atomic_long_read(&iopf_tt.requests),
		atomic_long_read(&iopf_tt.callbacks),
		atomic_long_read(&iopf_tt.registrations),
		atomic_long_read(&iopf_tt.readds),
		atomic_long_read(&iopf_tt.removed_registered),
		atomic_long_read(&iopf_tt.counter_checks),
		iopf_torture_errors());
	return 0;
}
