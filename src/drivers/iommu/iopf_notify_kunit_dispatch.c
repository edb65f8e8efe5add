// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite iommu_iopf_notify: the per-CPU rings, the consumer and its
 * kick, isolation between registrations, unregistration from any context
 * and under storms, and the release of a device still registered. See
 * iopf_notify_kunit_lib.c.
 *
 * A callback is held inside the notifier by making it wait for the gate
 * of its sink; a case releases the gate only once the state it tests is
 * reached, which it learns from completions, the RID table, or a helper
 * thread sleeping inside the call under test (wait_task_blocked()).
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "iopf_notify_kunit.h"

/* Wait until @rid has no slot: its registration is detached */
static bool wait_slot_gone(struct iommu_device *iommu, u32 rid)
{
	unsigned long end = jiffies + IOPF_TEST_GUARD;

	while (xa_load(&iommu->iopf_notifiers, rid)) {
		if (time_after(jiffies, end))
			return false;
		schedule_timeout_uninterruptible(1);
	}
	return true;
}

/* For runners: unregister the registration of a sink, gate left as is */
static void run_unreg(void *data)
{
	struct sink *s = data;

	iopf_failure_notifier_unregister(xchg(&s->n, NULL));
	WRITE_ONCE(s->hook_data, (void *)(long)atomic_read(&s->finished));
}

static void run_flush(void *data)
{
	iopf_notify_flush(data);
}

/* A full ring loses the newest records, and only its own registration's */
void iopf_notify_test_ring_overflow(struct kunit *test)
{
	struct fake_iommu *fi = &ctx_of(test)->iommu;
	struct device *a = fake_dev1(test, fi, 0x70);
	struct device *b = fake_dev1(test, fi, 0x71);
	struct sink *sa = sink_new(test), *sb = sink_new(test);
	struct iopf_notifier *na, *nb;
	struct iopf_notify_counts ca, cb;
	unsigned int cap, i;

	sa->gated = true;
	sa->check_order = true;
	sb->check_order = true;
	na = reg(test, a, sa);
	nb = reg(test, b, sb);
	cap = iopf_notify_ring_capacity(na);
	KUNIT_ASSERT_GE_MSG(test, cap, 16, "ring capacity");
	report(&fi->iommu, 0x70, 0);
	KUNIT_ASSERT_TRUE_MSG(test, sink_wait_calls(sa, 1),
			      "the first record was not delivered");
	/* A's consumer waits in its callback; this CPU's ring only fills */
	preempt_disable();
	for (i = 1; i <= cap + 100; i++)
		report(&fi->iommu, 0x70, (u64)i << PAGE_SHIFT);
	for (i = 0; i < cap; i++)
		report(&fi->iommu, 0x71, (u64)i << PAGE_SHIFT);
	preempt_enable();
	sink_open(sa);
	iopf_notify_flush(na);
	iopf_notify_flush(nb);
	counts_of(test, na, &ca);
	counts_of(test, nb, &cb);
	KUNIT_EXPECT_EQ_MSG(test, ca.generated, cap + 101, "A generated");
	KUNIT_EXPECT_EQ_MSG(test, ca.delivered, cap + 1, "A delivered");
	KUNIT_EXPECT_EQ_MSG(test, ca.overflow, 100, "A overflow");
	expect_balanced(test, &ca);
	KUNIT_EXPECT_EQ_MSG(test, cb.delivered, cap,
			    "B lost records to A's full ring");
	KUNIT_EXPECT_EQ_MSG(test, cb.overflow, 0, "B overflow");
	expect_balanced(test, &cb);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&sa->calls), cap + 1, "A calls");
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&sa->order_errors), 0,
			    "A's records not the oldest, in order");
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&sb->order_errors), 0,
			    "B's records out of order");
}

static void run_report_twice(void *data)
{
	struct device *dev = data;

	report(dev->iommu->iommu_dev, dev->iommu->fwspec->ids[0], 0x2000);
	report(dev->iommu->iommu_dev, dev->iommu->fwspec->ids[0], 0x3000);
}

/* Reporting never waits for a callback, even one that never returns */
void iopf_notify_test_reporter_never_waits(struct kunit *test)
{
	struct device *dev = fake_dev1(test, &ctx_of(test)->iommu, 0x80);
	struct sink *s = sink_new(test);
	struct iopf_notifier *n;
	struct runner *r;

	s->gated = true;
	n = reg(test, dev, s);
	report(dev->iommu->iommu_dev, 0x80, 0x1000);
	KUNIT_ASSERT_TRUE_MSG(test, sink_wait_calls(s, 1),
			      "the first record was not delivered");
	r = runner_start(test, run_report_twice, dev);
	KUNIT_EXPECT_TRUE_MSG(test, runner_wait(r),
			      "a report waited for a blocked callback");
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&s->finished), 0,
			    "the callback returned with its gate closed");
	sink_open(s);
	iopf_notify_flush(n);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&s->finished), 3, "callbacks");
}

/* While the consumer drains, reports do not queue it again */
void iopf_notify_test_kick_once(struct kunit *test)
{
	struct device *dev = fake_dev1(test, &ctx_of(test)->iommu, 0x90);
	struct sink *s = sink_new(test);
	struct iopf_notify_counts c;
	struct iopf_notifier *n;
	struct work_struct *w;
	unsigned int i;

	s->gated = true;
	n = reg(test, dev, s);
	KUNIT_EXPECT_TRUE_MSG(test, iopf_notify_idle(n),
			      "consumer not idle before any report");
	report(dev->iommu->iommu_dev, 0x90, 0);
	KUNIT_EXPECT_FALSE_MSG(test, iopf_notify_idle(n),
			       "consumer idle with a record queued");
	KUNIT_ASSERT_TRUE_MSG(test, sink_wait_calls(s, 1),
			      "the first record was not delivered");
	w = READ_ONCE(s->work);
	KUNIT_ASSERT_NOT_NULL(test, w);
	for (i = 1; i <= 10; i++)
		report(dev->iommu->iommu_dev, 0x90, (u64)i << PAGE_SHIFT);
	KUNIT_EXPECT_FALSE_MSG(test, iopf_notify_idle(n),
			       "consumer idle while draining");
	KUNIT_EXPECT_FALSE_MSG(test, work_pending(w),
			       "reports queued the consumer again while it drained");
	sink_open(s);
	iopf_notify_flush(n);
	KUNIT_EXPECT_TRUE_MSG(test, iopf_notify_idle(n),
			      "consumer not idle after draining everything");
	KUNIT_EXPECT_FALSE_MSG(test, work_pending(w),
			       "consumer queued with nothing to drain");
	counts_of(test, n, &c);
	KUNIT_EXPECT_EQ_MSG(test, c.delivered, 11, "delivered");
	expect_balanced(test, &c);
}

/* A callback that blocks delays no other registration */
void iopf_notify_test_blocked_neighbour(struct kunit *test)
{
	struct fake_iommu *fi = &ctx_of(test)->iommu;
	struct device *a = fake_dev1(test, fi, 0xa0);
	struct device *b = fake_dev1(test, fi, 0xa1);
	struct sink *sa = sink_new(test), *sb = sink_new(test);

	sa->gated = true;
	reg(test, a, sa);
	reg(test, b, sb);
	report(&fi->iommu, 0xa0, 0x1000);
	KUNIT_ASSERT_TRUE_MSG(test, sink_wait_calls(sa, 1),
			      "A's record was not delivered");
	report(&fi->iommu, 0xa1, 0x1000);
	KUNIT_EXPECT_TRUE_MSG(test, sink_wait_calls(sb, 1),
			      "B's record was not delivered while A's callback blocked");
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&sa->finished), 0,
			    "A's callback returned with its gate closed");
}

/* Unregister waits for the running callback and drops the queued records */
void iopf_notify_test_unregister_waits(struct kunit *test)
{
	struct fake_iommu *fi = &ctx_of(test)->iommu;
	struct device *dev = fake_dev1(test, fi, 0xa8);
	struct sink *s = sink_new(test);
	struct runner *r;
	unsigned int i;

	s->gated = true;
	reg(test, dev, s);
	for (i = 0; i < 10; i++)
		report(&fi->iommu, 0xa8, (u64)i << PAGE_SHIFT);
	KUNIT_ASSERT_TRUE_MSG(test, sink_wait_calls(s, 1),
			      "the first record was not delivered");
	r = runner_start(test, run_unreg, s);
	KUNIT_ASSERT_TRUE_MSG(test, wait_slot_gone(&fi->iommu, 0xa8),
			      "unregister did not erase the slot");
	KUNIT_ASSERT_TRUE_MSG(test, wait_task_blocked(r->task),
			      "unregister did not wait for the running callback");
	KUNIT_EXPECT_FALSE_MSG(test, READ_ONCE(r->returned),
			       "unregister returned during the callback");
	sink_open(s);
	KUNIT_ASSERT_TRUE_MSG(test, runner_wait(r), "unregister did not return");
	KUNIT_EXPECT_EQ_MSG(test, (long)READ_ONCE(s->hook_data), 1,
			    "unregister returned before the callback did");
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&s->calls), 1,
			    "queued records delivered after unregister began");
	/* nothing reaches the data once unregister returned */
	WRITE_ONCE(s->magic, SINK_POISON);
	report(&fi->iommu, 0xa8, 0x1000);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&s->calls), 1,
			    "a record delivered after unregister returned");
	KUNIT_EXPECT_EQ(test, atomic_read(&s->bad_magic), 0);
}

static void hook_unreg_other(struct sink *s, const struct iopf_failure *f)
{
	struct sink *other = s->hook_data;

	iopf_failure_notifier_unregister(xchg(&other->n, NULL));
	complete(&s->hook_done);
}

/* Unregistering B from A's callback returns (A's own work is not waited on) */
void iopf_notify_test_unregister_other_in_callback(struct kunit *test)
{
	struct fake_iommu *fi = &ctx_of(test)->iommu;
	struct device *a = fake_dev1(test, fi, 0xb0);
	struct device *b = fake_dev1(test, fi, 0xb1);
	struct sink *sa = sink_new(test), *sb = sink_new(test);
	struct iopf_notifier *na = reg(test, a, sa), *nb = reg(test, b, sb);

	report(&fi->iommu, 0xb1, 0x1000);
	iopf_notify_flush(nb);
	KUNIT_ASSERT_EQ_MSG(test, atomic_read(&sb->calls), 1, "B's first record");
	sa->hook_data = sb;
	WRITE_ONCE(sa->hook, hook_unreg_other);
	report(&fi->iommu, 0xb0, 0x1000);
	KUNIT_ASSERT_NE_MSG(test,
			    wait_for_completion_timeout(&sa->hook_done,
							IOPF_TEST_GUARD), 0,
			    "unregistering B from A's callback did not return");
	KUNIT_EXPECT_NULL_MSG(test, xa_load(&fi->iommu.iopf_notifiers, 0xb1),
			      "B's slot left");
	WRITE_ONCE(sa->hook, NULL);
	report(&fi->iommu, 0xb1, 0x2000);
	report(&fi->iommu, 0xb0, 0x2000);
	iopf_notify_flush(na);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&sb->calls), 1,
			    "B got a record after its unregistration");
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&sa->calls), 2,
			    "A stopped receiving after unregistering B");
}

static void hook_unreg_self(struct sink *s, const struct iopf_failure *f)
{
	iopf_failure_notifier_unregister(xchg(&s->n, NULL));
	complete(&s->hook_done);
}

/* Unregistering from its own callback returns; no callback runs after it */
void iopf_notify_test_unregister_self_in_callback(struct kunit *test)
{
	struct fake_iommu *fi = &ctx_of(test)->iommu;
	struct device *dev = fake_dev1(test, fi, 0xc0);
	struct sink *s = sink_new(test);
	struct iopf_notifier *n;
	struct runner *r;
	unsigned int i;
	int key;

	s->gated = true;
	s->hook = hook_unreg_self;
	n = reg(test, dev, s);
	key = key_count();
	for (i = 0; i < 5; i++)
		report(&fi->iommu, 0xc0, (u64)i << PAGE_SHIFT);
	KUNIT_ASSERT_NE_MSG(test,
			    wait_for_completion_timeout(&s->hook_done,
							IOPF_TEST_GUARD), 0,
			    "unregister from its own callback did not return");
	/* the callback still runs (its gate is closed): @n is still there */
	KUNIT_EXPECT_NULL_MSG(test, xa_load(&fi->iommu.iopf_notifiers, 0xc0),
			      "slot left after unregistering itself");
	KUNIT_EXPECT_EQ_MSG(test, key_count(), key - 1, "static key kept");
	KUNIT_EXPECT_FALSE_MSG(test, iopf_failure_current(n, &s->rec[0]),
			       "records still current after unregistering itself");
	/* wait for the end of the work item that runs the callback */
	r = runner_start(test, run_flush, n);
	KUNIT_ASSERT_TRUE_MSG(test, wait_task_blocked(r->task),
			      "the callback's work item is not running");
	sink_open(s);
	KUNIT_ASSERT_TRUE_MSG(test, runner_wait(r),
			      "the callback's work item did not end");
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&s->calls), 1,
			    "callbacks ran after it unregistered itself");
}

/* Unregister returns while its own device and another one storm */
void iopf_notify_test_unregister_under_storm(struct kunit *test)
{
	struct fake_iommu *fi = &ctx_of(test)->iommu;
	static const u32 rids[] = { 0xd0, 0xd1, 0xd2 };
	struct storm *st;
	struct sink *s[3];
	struct iopf_notify_counts c;
	struct iopf_notifier *keep = NULL;
	struct runner *r;
	long before;
	int i;

	for (i = 0; i < 3; i++) {
		s[i] = sink_new(test);
		keep = reg(test, fake_dev1(test, fi, rids[i]), s[i]);
	}
	st = storm_start(test, &fi->iommu, rids, ARRAY_SIZE(rids));
	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_TRUE_MSG(test, sink_wait_calls(s[i], 1),
				      "device %d: storm not delivered", i);
	/* 0xd0 under its own storm and its neighbours', then 0xd1 */
	for (i = 0; i < 2; i++) {
		before = atomic_long_read(&st->reports);
		r = runner_start(test, run_unreg, s[i]);
		KUNIT_ASSERT_TRUE_MSG(test, runner_wait(r),
				      "unregister %d did not return under a storm",
				      i);
		KUNIT_EXPECT_GT_MSG(test, atomic_long_read(&st->reports), before,
				    "the storm stopped during unregister %d", i);
	}
	storm_stop(st);
	iopf_notify_flush(keep);
	counts_of(test, keep, &c);
	expect_balanced(test, &c);
	KUNIT_EXPECT_EQ_MSG(test, c.delivered, atomic_read(&s[2]->calls),
			    "delivered count != callbacks");
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&s[2]->concurrent), 0,
			    "callbacks of one registration overlapped");
}

/* Register/unregister against reporters on every CPU, freeing the data */
void iopf_notify_test_race_all_cpus(struct kunit *test)
{
	struct fake_iommu *fi = &ctx_of(test)->iommu;
	static const u32 rids[] = { 0xe0, 0xe1 };
	struct storm *st;
	struct device *churn = fake_dev1(test, fi, 0xe0);
	struct sink *ss = sink_new(test), *s;
	struct iopf_notifier *steady, *n;
	struct iopf_notify_counts c;
	int round, bad_magic = 0;

	steady = reg(test, fake_dev1(test, fi, 0xe1), ss);
	st = storm_start(test, &fi->iommu, rids, ARRAY_SIZE(rids));
	for (round = 0; round < 20; round++) {
		s = sink_new(test);
		n = iopf_failure_notifier_register(churn, sink_fn, s);
		KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(n), "round %d: %pe", round,
				       n);
		KUNIT_EXPECT_TRUE_MSG(test, sink_wait_calls(s, 1),
				      "round %d: nothing delivered", round);
		iopf_failure_notifier_unregister(n);
		bad_magic += atomic_read(&s->bad_magic);
		/* a late callback reads poison, or KASAN reports the use */
		sink_free(test, s);
	}
	storm_stop(st);
	iopf_notify_flush(steady);
	KUNIT_EXPECT_EQ_MSG(test, bad_magic, 0,
			    "callbacks ran on unregistered data");
	counts_of(test, steady, &c);
	KUNIT_EXPECT_GT(test, c.generated, 0);
	expect_balanced(test, &c);
	KUNIT_EXPECT_EQ_MSG(test, c.delivered, atomic_read(&ss->calls),
			    "delivered count != callbacks");
	KUNIT_EXPECT_EQ(test, atomic_read(&ss->bad_context), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ss->concurrent), 0);
}

static void run_release(void *dev)
{
	__iopf_notify_device_release(dev);
}

/*
 * A device released while registered: torn down once its running callback
 * returned, its RID free at once, the handle still to be unregistered.
 */
void iopf_notify_test_device_release(struct kunit *test)
{
	struct fake_iommu *fi = &ctx_of(test)->iommu;
	struct device *a = fake_dev1(test, fi, 0xf0), *b;
	struct sink *sa = sink_new(test), *sb = sink_new(test);
	struct iopf_notify_counts c;
	struct iopf_notifier *na, *nb;
	struct runner *r;
	unsigned int i;
	int key;

	sa->gated = true;
	na = reg(test, a, sa);
	key = key_count();
	for (i = 0; i < 3; i++)
		report(&fi->iommu, 0xf0, (u64)i << PAGE_SHIFT);
	KUNIT_ASSERT_TRUE_MSG(test, sink_wait_calls(sa, 1),
			      "the first record was not delivered");
	/* what iommu_release_device() calls first, with a callback running */
	r = runner_start(test, run_release, a);
	KUNIT_ASSERT_TRUE_MSG(test, wait_slot_gone(&fi->iommu, 0xf0),
			      "the device release did not erase the slot");
	KUNIT_ASSERT_TRUE_MSG(test, wait_task_blocked(r->task),
			      "the device release did not wait for the running callback");
	KUNIT_EXPECT_FALSE_MSG(test, READ_ONCE(r->returned),
			       "the device release returned during the callback");
	KUNIT_EXPECT_NULL_MSG(test, a->iommu->iopf_notifier,
			      "the device still points at its notifier");
	KUNIT_EXPECT_EQ_MSG(test, key_count(), key - 1, "static key kept");
	KUNIT_EXPECT_FALSE_MSG(test, iopf_failure_current(na, &sa->rec[0]),
			       "records current after the device release");
	report(&fi->iommu, 0xf0, 0x10000);
	/* a new device with the same requester ID, old callback still running */
	b = fake_dev1(test, fi, 0xf0);
	nb = reg(test, b, sb);
	report(&fi->iommu, 0xf0, 0x20000);
	iopf_notify_flush(nb);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&sb->calls), 1,
			    "the new device got no record");
	sink_open(sa);
	KUNIT_ASSERT_TRUE_MSG(test, runner_wait(r),
			      "the device release did not return");
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&sa->calls), 1,
			    "a callback started after the device release");
	counts_of(test, na, &c);
	KUNIT_EXPECT_EQ_MSG(test, c.generated, 3,
			    "counted a record after the device release");
	KUNIT_EXPECT_EQ_MSG(test, c.delivered, 1, "delivered");
	KUNIT_EXPECT_EQ_MSG(test, c.released, 2, "released");
	expect_balanced(test, &c);
	/* the rest of the release frees the device; the handle still ends */
	fake_dev_drop_iommu(test, a);
	kunit_device_unregister(test, a);
	unreg(test, sa);
	report(&fi->iommu, 0xf0, 0x30000);
	iopf_notify_flush(nb);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&sb->calls), 2,
			    "ending the old handle hurt the new device");
}
