// SPDX-License-Identifier: GPL-2.0
/*
 * Isolation and the end of a registration: a blocked callback holds up only
 * its own registration; unregister waits for its own callback only, works
 * from another registration's callback and from its own; a device
 * released while registered is torn down; what was still queued is counted.
 * The steps are ordered by the states they wait for, never by sleeping.
 */
#include <stdlib.h>

#include "fixture.h"

struct unreg_thread {
	pthread_t thread;
	struct iopf_notifier *n;
	struct sink *s;
	int finished_at_return;	/* the sink's finished count then */
	struct completion done;
};

static void *unreg_thread_fn(void *data)
{
	struct unreg_thread *u = data;

	shim_thread_enter(shim_nr_cpus - 1);
	iopf_failure_notifier_unregister(u->n);
	u->finished_at_return = aread(&u->s->finished);
	complete(&u->done);
	shim_thread_exit();
	return NULL;
}

static void start_unreg(struct unreg_thread *u, struct iopf_notifier *n,
			struct sink *s)
{
	u->n = n;
	u->s = s;
	init_completion(&u->done);
	forget(n);
	if (pthread_create(&u->thread, NULL, unreg_thread_fn, u))
		abort();
}

/* A's callback blocks: B's records are still delivered meanwhile */
void blocked_registration_isolated(void)
{
	struct device *a = fake_dev1(&iommu, 0x88);
	struct device *b = fake_dev1(&iommu, 0x89);
	struct sink *sa = sink_new(), *sb = sink_new();

	sink_gate(sa);
	sink_entered(sb);
	ASSERT(!IS_ERR(reg(a, sa)));
	ASSERT(!IS_ERR(reg(b, sb)));
	report(&iommu, 0x88, 0x1000);
	ASSERT(wait_for_completion_timeout(sa->entered, WAIT_MS));
	report(&iommu, 0x88, 0x2000);
	report(&iommu, 0x89, 0x3000);
	EXPECT_MSG(wait_for_completion_timeout(sb->entered, WAIT_MS),
		   "B's record was not delivered while A's callback blocked");
	EXPECT_EQ(0, aread(&sa->finished));
	complete_all(sa->gate);
	shim_wq_quiesce();
	EXPECT_EQ(2, aread(&sa->calls));
	EXPECT_EQ(1, aread(&sb->calls));
}

/*
 * Unregister from another thread while the callback runs: it returns only
 * after the callback returned. The gate opens once the unregistering side
 * waits for the callback (in disable_work_sync()) or has returned (a bug).
 */
void unregister_waits_for_callback(void)
{
	struct device *dev = fake_dev1(&iommu, 0x90);
	struct sink *s = sink_new();
	struct unreg_thread u;
	struct iopf_notifier *n;

	sink_gate(s);
	n = reg(dev, s);
	ASSERT(!IS_ERR(n));
	report(&iommu, 0x90, 0x1000);
	ASSERT(wait_for_completion_timeout(s->entered, WAIT_MS));
	start_unreg(&u, n, s);
	EXPECT_MSG(wait_until(shim_disable_waiters() > 0 || aread(&u.done.done)),
		   "unregister neither waited for the callback nor returned");
	complete_all(s->gate);
	EXPECT(wait_for_completion_timeout(&u.done, WAIT_MS));
	pthread_join(u.thread, NULL);
	EXPECT_MSG(u.finished_at_return == 1,
		   "unregister returned while the callback still ran");
}

/* Records still queued at unregister are not delivered, nor any later */
void unregister_with_pending(void)
{
	struct device *dev = fake_dev1(&iommu, 0xa0);
	struct sink *s = sink_new();
	struct unreg_thread u;
	struct iopf_notifier *n;
	int i;

	sink_gate(s);
	n = reg(dev, s);
	ASSERT(!IS_ERR(n));
	for (i = 0; i < 10; i++)
		report(&iommu, 0xa0, (u64)i << 12);
	ASSERT(wait_for_completion_timeout(s->entered, WAIT_MS));
	start_unreg(&u, n, s);
	EXPECT(wait_until(shim_disable_waiters() > 0 || aread(&u.done.done)));
	complete_all(s->gate);
	EXPECT(wait_for_completion_timeout(&u.done, WAIT_MS));
	pthread_join(u.thread, NULL);
	/* the registration was detached during the first callback */
	EXPECT_EQ(1, aread(&s->calls));
	__atomic_store_n(&s->magic, SINK_POISON, __ATOMIC_RELAXED);
	report(&iommu, 0xa0, 0x1000);
	shim_wq_quiesce();
	EXPECT_EQ(1, aread(&s->calls));
	EXPECT_EQ(0, aread(&s->bad_magic));
	EXPECT(xa_load(&iommu.iopf_notifiers, 0xa0) == NULL);
}

/* --- unregister from a callback --- */

struct other_unreg {
	struct iopf_notifier *victim;
	struct sink *victim_sink;
	int victim_finished;	/* when unregister returned */
	struct completion done;
};

static void unreg_other_action(struct sink *s, const struct iopf_failure *f,
			       int call)
{
	struct other_unreg *o = s->action_data;

	if (call != 1)
		return;
	iopf_failure_notifier_unregister(o->victim);
	o->victim_finished = aread(&o->victim_sink->finished);
	complete(&o->done);
}

/*
 * A's callback unregisters B while B's callback is blocked: it waits for
 * B's callback only (another worker runs B's release), then returns.
 */
void unregister_from_other_callback(void)
{
	struct device *a = fake_dev1(&iommu, 0xc0);
	struct device *b = fake_dev1(&iommu, 0xc1);
	struct sink *sa = sink_new(), *sb = sink_new();
	struct iopf_notifier *nb;
	/* static: A's callback may outlive this function if unregister is broken */
	static struct other_unreg o;

	o = (struct other_unreg){ 0 };
	init_completion(&o.done);
	sink_gate(sb);
	ASSERT(!IS_ERR(reg(a, sa)));
	nb = reg(b, sb);
	ASSERT(!IS_ERR(nb));
	report(&iommu, 0xc1, 0x1000);
	report(&iommu, 0xc1, 0x2000);
	ASSERT(wait_for_completion_timeout(sb->entered, WAIT_MS));
	o.victim = nb;
	o.victim_sink = sb;
	forget(nb);
	sa->action = unreg_other_action;
	sa->action_data = &o;
	report(&iommu, 0xc0, 0x3000);
	EXPECT_MSG(wait_until(shim_disable_waiters() > 0 || aread(&o.done.done)),
		   "unregister from A's callback neither waited for B's nor returned");
	complete_all(sb->gate);
	EXPECT_MSG(wait_for_completion_timeout(&o.done, WAIT_MS),
		   "unregister from A's callback did not return");
	EXPECT_EQ(1, o.victim_finished);
	shim_wq_quiesce();
	EXPECT_EQ(1, aread(&sb->calls));
	EXPECT_EQ(1, aread(&sa->calls));
}

static void unreg_own_action(struct sink *s, const struct iopf_failure *f,
			     int call)
{
	if (call != 1)
		return;
	forget(s->n);	/* the notifier frees the handle itself */
	iopf_failure_notifier_unregister(s->n);
	ainc((int *)s->action_data);	/* it returned at once */
}

/* From its own callback: returns at once, no further callback starts */
void unregister_from_own_callback(void)
{
	struct device *dev = fake_dev1(&iommu, 0xc8);
	struct sink *s = sink_new();
	static int returned;
	int i;

	returned = 0;
	sink_gate(s);
	s->action = unreg_own_action;
	s->action_data = &returned;
	ASSERT(!IS_ERR(reg(dev, s)));
	for (i = 0; i < 10; i++)
		report(&iommu, 0xc8, (u64)i << 12);
	ASSERT(wait_for_completion_timeout(s->entered, WAIT_MS));
	complete_all(s->gate);
	EXPECT(wait_until(aread(&returned) == 1));
	shim_wq_quiesce();
	EXPECT_EQ(1, aread(&s->calls));
	EXPECT(xa_load(&iommu.iopf_notifiers, 0xc8) == NULL);
	/* the sink is freed after the case: ASan checks nothing touches it */
}

/* --- the device goes while registered --- */

void device_release_tears_down(void)
{
	struct device *a = fake_dev1(&iommu, 0xd0);
	struct device *b = fake_dev1(&iommu, 0xd0);
	struct device *stranger = fake_dev1(&iommu, 0xd1);
	struct sink *sa = sink_new(), *sb = sink_new();
	struct iopf_notify_counts c;
	struct iopf_notifier *na;
	int w0;

	na = reg(a, sa);
	ASSERT(!IS_ERR(na));
	report(&iommu, 0xd0, 0x1000);
	shim_wq_quiesce();
	w0 = shim_warnings();
	__iopf_notify_device_release(stranger);	/* not registered: silent */
	EXPECT_EQ(w0, shim_warnings());
	__iopf_notify_device_release(a);
	EXPECT_EQ(w0 + 1, shim_warnings());
	EXPECT(xa_load(&iommu.iopf_notifiers, 0xd0) == NULL);
	EXPECT(!iopf_failure_current(na, &sa->rec[0]));
	report(&iommu, 0xd0, 0x2000);		/* nobody owns 0xd0 now */
	/* a new device with the same RID registers and receives */
	ASSERT(!IS_ERR(reg(b, sb)));
	report(&iommu, 0xd0, 0x3000);
	shim_wq_quiesce();
	EXPECT_EQ(1, aread(&sa->calls));
	EXPECT_EQ(1, aread(&sb->calls));
	EXPECT(counts_identity(na, &c));
	EXPECT_EQ(1, c.generated);
	unreg(na);			/* the handle stays valid until this */
	EXPECT_EQ(w0 + 1, shim_warnings());
}

struct release_thread {
	pthread_t thread;
	struct device *dev;
	struct sink *s;
	int finished_at_return;
	struct completion done;
};

static void *release_thread_fn(void *data)
{
	struct release_thread *r = data;

	shim_thread_enter(shim_nr_cpus - 1);
	__iopf_notify_device_release(r->dev);
	r->finished_at_return = aread(&r->s->finished);
	complete(&r->done);
	shim_thread_exit();
	return NULL;
}

/*
 * The device goes while a callback runs and records are queued: the
 * release returns only after the callback returned, nothing is delivered
 * after, and the queued records are counted as released:
 * generated == delivered + overflow + stale + released.
 */
void accounting_detach_with_pending(void)
{
	struct device *dev = fake_dev1(&iommu, 0xd8);
	struct sink *s = sink_new();
	struct release_thread r = { .dev = dev, .s = s };
	struct iopf_notify_counts c;
	struct iopf_notifier *n;
	int i;

	sink_gate(s);
	n = reg(dev, s);
	ASSERT(!IS_ERR(n));
	/* all ten are in the ring when the consumer starts */
	shim_wq_hold(true);
	for (i = 0; i < 10; i++)
		report(&iommu, 0xd8, (u64)i << 12);
	shim_wq_hold(false);
	ASSERT(wait_for_completion_timeout(s->entered, WAIT_MS));
	init_completion(&r.done);
	ASSERT_EQ(0, pthread_create(&r.thread, NULL, release_thread_fn, &r));
	EXPECT_MSG(wait_until(shim_disable_waiters() > 0 || aread(&r.done.done)),
		   "the device release neither waited for the callback nor returned");
	complete_all(s->gate);
	EXPECT(wait_for_completion_timeout(&r.done, WAIT_MS));
	pthread_join(r.thread, NULL);
	EXPECT_MSG(r.finished_at_return == 1,
		   "the device release returned while the callback still ran");
	__atomic_store_n(&s->magic, SINK_POISON, __ATOMIC_RELAXED);
	shim_wq_quiesce();
	EXPECT_EQ(1, aread(&s->calls));
	EXPECT_EQ(0, aread(&s->bad_magic));
	EXPECT_MSG(counts_identity(n, &c),
		   "generated %lu != delivered %lu + overflow %lu + stale %lu + released %lu",
		   c.generated, c.delivered, c.overflow, c.stale, c.released);
	EXPECT_EQ(10, c.generated);
	EXPECT_EQ(1, c.delivered);
	EXPECT_EQ(9, c.released);
}
