// SPDX-License-Identifier: GPL-2.0
/*
 * iopf_torture mode=storm: @storm_count failing requests from one RID
 * (slot 0) on CPU @storm_cpu while a victim thread on every CPU sends one
 * failing request per millisecond from its own slot. Reports slab and
 * ring usage and what the victims, with rings of their own, received;
 * checks that every registration's counters balance and that no record
 * reached another device's callback.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/vmstat.h>

#include "iopf_torture.h"

static unsigned long iopf_torture_slab_kb(void)
{
	return (global_node_page_state_pages(NR_SLAB_RECLAIMABLE_B) +
		global_node_page_state_pages(NR_SLAB_UNRECLAIMABLE_B)) <<
		(PAGE_SHIFT - 10);
}

static int iopf_torture_storm_thread(void *unused)
{
	long i;

	for (i = 0; i < iopf_tparam.storm_count && !kthread_should_stop(); i++) {
		/* RID index 0: slot 0's first RID */
		iopf_torture_request(0, IOPF_TORTURE_NOHANDLER);
		atomic_long_inc(&iopf_tt.storm_sent);
		if (!(i & 63))
			cond_resched();
	}
	WRITE_ONCE(iopf_tt.storm_done, true);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ / 10);
	return 0;
}

/* One failing request per millisecond from this CPU's own slot */
static int iopf_torture_victim(void *unused)
{
	unsigned int idx = (1 + raw_smp_processor_id() %
			    (iopf_tparam.nr_devs - 1)) * iopf_tparam.rids_per_dev;

	while (!kthread_should_stop()) {
		iopf_torture_request(idx, IOPF_TORTURE_NOHANDLER);
		usleep_range(1000, 1100);
	}
	return 0;
}

/* The victims' counters balance; returns those checked */
static unsigned int iopf_torture_storm_victims(unsigned int *complete)
{
	unsigned int cpu, nr = 0;

	*complete = 0;
	for (cpu = 0; cpu < iopf_tparam.nr_devs - 1 && cpu < num_online_cpus();
	     cpu++) {
		struct iopf_torture_slot *slot = &iopf_tt.slots[1 + cpu];
		unsigned int idx = slot->idx * iopf_tparam.rids_per_dev;
		struct iopf_notify_counts c;
		char what[32];
		long sent;

		if (!slot->reg)
			continue;
		snprintf(what, sizeof(what), "victim slot %u", slot->idx);
		if (!iopf_torture_balanced(slot->reg->n, what, &c))
			atomic_long_inc(&iopf_tt.counter_mismatch);
		nr++;
		sent = atomic_long_read(&iopf_tt.rid[idx].sent[IOPF_TORTURE_NOHANDLER]);
		/*
		 * Reported, not asserted: with rings of its own, a victim
		 * loses records only when its consumer did not get a CPU for
		 * a ring's worth of them, which is scheduling, not isolation.
		 */
		if (c.delivered == sent && !c.overflow)
			(*complete)++;
		else
			pr_info("storm: the victim on cpu %u overflowed its own ring (its consumer waited for a CPU): sent %ld delivered %lu overflow %lu\n",
				cpu, sent, c.delivered, c.overflow);
		pr_info("storm: victim cpu %u rid %#x: sent %ld generated %lu delivered %lu overflow %lu callbacks %ld\n",
			cpu, slot->rids[0], sent, c.generated, c.delivered,
			c.overflow, atomic_long_read(&iopf_tt.rid[idx].callbacks));
	}
	return nr;
}

/**
 * iopf_torture_run_storm() - Run mode=storm
 *
 * Context: Process context, the mm of insmod.
 * Return: 0 once run (the verdict is printed), or a negative errno.
 */
int iopf_torture_run_storm(void)
{
	unsigned long slab_before, slab_max, slab_after;
	unsigned int ring = 0, nr_victims = 0, victims_ok = 0;
	long max_queued = 0, sent = 0;
	struct iopf_notify_counts s = {};
	struct iopf_notifier *storm_n;
	struct task_struct *storm;
	u64 t0, ns;
	int ret;

	if (iopf_tparam.nr_devs < 2 + (int)num_online_cpus()) {
		pr_err("storm: nr_devs=%d: needs the storm's device and one per CPU\n",
		       iopf_tparam.nr_devs);
		return -EINVAL;
	}
	if (!IOPF_TORTURE_HAS_COUNTS) {
		pr_err("storm: the kernel has no CONFIG_IOPF_NOTIFY_KUNIT_TEST: no counters to check; use the patched-debug kernel\n");
		return -EOPNOTSUPP;
	}
	ret = iopf_torture_setup(true);
	if (ret)
		return ret;
	if (!iopf_tt.slots[0].reg) {
		ret = -ENODEV;
		goto out;
	}
	storm_n = iopf_tt.slots[0].reg->n;
#if IOPF_TORTURE_HAS_COUNTS
	ring = iopf_notify_ring_capacity(storm_n);
#endif
	slab_before = iopf_torture_slab_kb();
	slab_max = slab_before;
	pr_info("storm: %d failing requests from RID %#x on CPU %d, victims on every CPU; ring %u records x %u CPUs per registration; slab %lu kB\n",
		iopf_tparam.storm_count, iopf_tt.slots[0].rids[0],
		iopf_tparam.storm_cpu, ring, num_possible_cpus(), slab_before);

	ret = iopf_torture_start_threads(iopf_torture_victim, "iopf_victim/%u",
					 NULL);
	if (ret)
		goto out;
	storm = kthread_create_on_cpu(iopf_torture_storm_thread, NULL,
				      iopf_tparam.storm_cpu, "iopf_storm/%u");
	if (IS_ERR(storm)) {
		ret = PTR_ERR(storm);
		goto out;
	}
	t0 = ktime_get_ns();
	wake_up_process(storm);
	while (!READ_ONCE(iopf_tt.storm_done)) {
		if (msleep_interruptible(200) || fatal_signal_pending(current))
			break;
		slab_max = max(slab_max, iopf_torture_slab_kb());
#if IOPF_TORTURE_HAS_COUNTS
		iopf_notify_counts(storm_n, &s);
		max_queued = max_t(long, max_queued, s.generated - s.delivered -
				   s.overflow - s.stale);
#endif
	}
	ns = ktime_get_ns() - t0;
	kthread_stop(storm);
	sent = atomic_long_read(&iopf_tt.storm_sent);
	iopf_torture_stop_threads();

	if (!iopf_torture_balanced(storm_n, "storm slot 0", &s))
		atomic_long_inc(&iopf_tt.counter_mismatch);
	nr_victims = iopf_torture_storm_victims(&victims_ok);
	if (!nr_victims) {
		pr_err("storm: no victim registration: nothing was checked\n");
		atomic_long_inc(&iopf_tt.setup_errors);
	}
	iopf_torture_quiesce_all();
	iopf_torture_print_stats("storm");
	iopf_torture_slots_free();
	slab_after = iopf_torture_slab_kb();
	pr_info("storm: sent %ld in %llu ms (%llu/s); storm RID generated %lu delivered %lu overflow %lu; most records queued %ld\n",
		sent, ns / NSEC_PER_MSEC,
		ns ? (u64)sent * NSEC_PER_SEC / ns : 0, s.generated,
		s.delivered, s.overflow, max_queued);
	pr_info("storm: slab before %lu kB, max during %lu kB, after %lu kB\n",
		slab_before, slab_max, slab_after);
	pr_info("storm: result sent=%ld ms=%llu generated=%lu delivered=%lu overflow=%lu stale=%lu max_queued=%ld ring=%u cpus=%u slab_before_kb=%lu slab_max_kb=%lu slab_after_kb=%lu victims=%u victims_complete=%u\n",
		sent, ns / NSEC_PER_MSEC, s.generated, s.delivered, s.overflow,
		s.stale, max_queued, ring, num_possible_cpus(), slab_before,
		slab_max, slab_after, nr_victims, victims_ok);
	if (sent != iopf_tparam.storm_count) {
		pr_err("storm: sent %ld of %d requests\n", sent,
		       iopf_tparam.storm_count);
		atomic_long_inc(&iopf_tt.setup_errors);
	}
out:
	if (iopf_tt.slots) {
		iopf_torture_stop_threads();
		iopf_torture_quiesce_all();
		iopf_torture_slots_free();
	}
	iopf_torture_unmap();
	pr_info("%s storm requests=%ld callbacks=%ld errors=%lu\n",
		!ret && !iopf_torture_errors() ? "PASS" : "FAIL", sent,
		atomic_long_read(&iopf_tt.callbacks), iopf_torture_errors());
	return ret;
}
