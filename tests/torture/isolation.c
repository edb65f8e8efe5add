// SPDX-License-Identifier: GPL-2.0
/*
 * iopf_torture mode=lifetime, the isolation cases (see lifetime.c):
 *
 *  unregister_other_from_callback  A's callback unregisters B, whose own
 *                      callback is running or queued: the call returns,
 *                      and B's data freed right after is never touched;
 *  unregister_self_from_callback   a callback unregisters its own
 *                      registration and frees its data: the call returns
 *                      at once and no callback follows;
 *  blocked_isolation   A's callback blocks: B's records are all delivered
 *                      while it blocks, then A's own queued records;
 *  unregister_under_storm  a storm on every CPU from two devices, S and O:
 *                      S and O are unregistered (and registered again) in
 *                      turn while both storm, and every unregistration
 *                      returns.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/jiffies.h>

#include "iopf_torture.h"

#define IOPF_LT_RID(i)	(IOPF_TORTURE_LT_RID + 0x10 + (i))

struct iopf_lt_unreg {
	struct iopf_lt_reg *victim;
	bool returned;
};

/* On the first call: unregister the victim (another registration or us) */
static void iopf_lt_unreg_hook(struct iopf_lt_reg *reg,
			       const struct iopf_failure *f)
{
	struct iopf_lt_unreg *u = reg->priv;
	struct iopf_lt_reg *victim = u->victim;

	if (atomic_read(&reg->calls) != 1)
		return;
	iopf_failure_notifier_unregister(victim->n);
	iopf_lt_kill(victim);
	u->returned = true;
	complete(&iopf_lt.left);
}

/* B's callback takes its time, so that A's unregistration waits for it */
static void iopf_lt_slow_hook(struct iopf_lt_reg *reg,
			      const struct iopf_failure *f)
{
	usleep_range(100, 200);
}

static struct iopf_mock_dev *iopf_lt_dev(unsigned int i)
{
	u32 rid = IOPF_LT_RID(i);
	struct iopf_mock_dev *mdev;

	mdev = iopf_mock_dev_create(&iopf_tt.mock, &rid, 1);
	if (IS_ERR(mdev)) {
		pr_err("lifetime: mock device %#x: %ld\n", rid, PTR_ERR(mdev));
		return NULL;
	}
	return mdev;
}

static bool iopf_lt_rid_free(unsigned int i)
{
	return !xa_load(&iopf_tt.mock.iommu.iopf_notifiers, IOPF_LT_RID(i));
}

static void iopf_lt_unregister_other(void)
{
	struct iopf_mock_dev *a = iopf_lt_dev(0), *b = iopf_lt_dev(1);
	struct iopf_lt_unreg u = {};
	struct iopf_lt_reg *ra = NULL, *rb = NULL;
	bool ok = false;
	int i;

	reinit_completion(&iopf_lt.left);
	if (a && b) {
		rb = iopf_lt_register(b, iopf_lt_slow_hook, NULL);
		ra = iopf_lt_register(a, iopf_lt_unreg_hook, &u);
	}
	if (ra && rb) {
		u.victim = rb;
		for (i = 0; i < 20; i++)
			iopf_lt_report(IOPF_LT_RID(1), 0, 0, 0);
		iopf_lt_report(IOPF_LT_RID(0), 0, 0, 0);
		ok = wait_for_completion_timeout(&iopf_lt.left, 30 * HZ) &&
		     u.returned && iopf_lt_rid_free(1);
		/* B is gone: these find no slot */
		for (i = 0; i < 5; i++)
			iopf_lt_report(IOPF_LT_RID(1), 0, 0, 0);
		ok &= iopf_torture_balanced(ra->n, "unregister_other", NULL);
	}
	iopf_lt_case("unregister_other_from_callback", ok,
		     "unregistration of B from A's callback returned %d, B's slot freed %d",
		     u.returned, iopf_lt_rid_free(1));
	if (ra) {
		iopf_failure_notifier_unregister(ra->n);
		iopf_lt_kill(ra);
	}
	if (rb && !u.returned) {
		iopf_failure_notifier_unregister(rb->n);
		iopf_lt_kill(rb);
	}
	if (b)
		iopf_mock_dev_destroy(b);
	if (a)
		iopf_mock_dev_destroy(a);
}

static void iopf_lt_unregister_self(void)
{
	struct iopf_mock_dev *c = iopf_lt_dev(2);
	struct iopf_lt_unreg u = {};
	struct iopf_lt_reg *rc = NULL;
	bool ok = false;
	int i;

	reinit_completion(&iopf_lt.left);
	if (c)
		rc = iopf_lt_register(c, iopf_lt_unreg_hook, &u);
	if (rc) {
		u.victim = rc;
		/* The first one unregisters; the others are queued behind it */
		for (i = 0; i < 10; i++)
			iopf_lt_report(IOPF_LT_RID(2), 0, 0, 0);
		ok = wait_for_completion_timeout(&iopf_lt.left, 30 * HZ) &&
		     u.returned && iopf_lt_rid_free(2);
	}
	iopf_lt_case("unregister_self_from_callback", ok,
		     "unregistration from its own callback returned %d, slot freed %d",
		     u.returned, iopf_lt_rid_free(2));
	if (rc && !u.returned) {
		iopf_failure_notifier_unregister(rc->n);
		iopf_lt_kill(rc);
	}
	if (c)
		iopf_mock_dev_destroy(c);
}

static void iopf_lt_blocked(void)
{
	struct iopf_mock_dev *a = iopf_lt_dev(3), *b = iopf_lt_dev(4);
	struct iopf_lt_reg *ra = NULL, *rb = NULL;
	bool entered = false, b_done = false, a_blocked = false;
	bool ok = false;
	int i;

	reinit_completion(&iopf_lt.entered);
	reinit_completion(&iopf_lt.release);
	reinit_completion(&iopf_lt.left);
	if (a && b) {
		ra = iopf_lt_register(a, iopf_lt_block_hook, NULL);
		rb = iopf_lt_register(b, NULL, NULL);
	}
	if (ra && rb) {
		iopf_lt_report(IOPF_LT_RID(3), 0, 0, 0);
		entered = wait_for_completion_timeout(&iopf_lt.entered, 30 * HZ);
		for (i = 0; i < 10; i++)
			iopf_lt_report(IOPF_LT_RID(3), 0, 0, 0);
		for (i = 0; i < 50; i++)
			iopf_lt_report(IOPF_LT_RID(4), 0, 0, 0);
		b_done = iopf_lt_wait(atomic_read(&rb->calls) == 50);
		/* A is still in its first callback: we have not released it */
		a_blocked = !completion_done(&iopf_lt.left) &&
			    atomic_read(&ra->calls) == 1;
		complete(&iopf_lt.release);
		ok = entered && b_done && a_blocked &&
		     iopf_lt_wait(atomic_read(&ra->calls) == 11);
		ok &= iopf_torture_balanced(ra->n, "blocked A", NULL);
		ok &= iopf_torture_balanced(rb->n, "blocked B", NULL);
	} else {
		complete(&iopf_lt.release);
	}
	iopf_lt_case("blocked_isolation", ok,
		     "A blocked %d; B delivered %d of 50 while A blocked %d; A then delivered %d of 11",
		     entered, rb ? atomic_read(&rb->calls) : -1, a_blocked,
		     ra ? atomic_read(&ra->calls) : -1);
	if (ra) {
		iopf_failure_notifier_unregister(ra->n);
		iopf_lt_kill(ra);
	}
	if (rb) {
		iopf_failure_notifier_unregister(rb->n);
		iopf_lt_kill(rb);
	}
	if (b)
		iopf_mock_dev_destroy(b);
	if (a)
		iopf_mock_dev_destroy(a);
}

struct iopf_lt_storm {
	atomic_long_t sent;
	struct iopf_notifier *n;
	struct completion done;
};

/* Every CPU: failures from S and O, as fast as they go */
static int iopf_lt_storm_thread(void *data)
{
	struct iopf_lt_storm *st = data;
	long i;

	for (i = 0; !kthread_should_stop(); i++) {
		iopf_lt_report(IOPF_LT_RID(5 + (i & 1)), 0, 0, 0);
		atomic_long_inc(&st->sent);
		if (!(i & 63))
			cond_resched();
	}
	return 0;
}

static int iopf_lt_unregister_thread(void *data)
{
	struct iopf_lt_storm *st = data;

	iopf_failure_notifier_unregister(st->n);
	complete(&st->done);
	return 0;
}

/* Unregister @reg in another thread while the storm goes on; 60 s net */
static bool iopf_lt_unregister_stormed(struct iopf_lt_storm *st,
				       struct iopf_lt_reg *reg, long *during)
{
	struct task_struct *t;
	long before = atomic_long_read(&st->sent);
	bool ok;

	st->n = reg->n;
	reinit_completion(&st->done);
	t = kthread_run(iopf_lt_unregister_thread, st, "iopf_lt_unreg");
	if (IS_ERR(t)) {
		iopf_failure_notifier_unregister(reg->n);
		ok = false;
	} else {
		ok = wait_for_completion_timeout(&st->done, 60 * HZ);
		if (!ok)	/* leaks @reg: freeing it could be a use after free */
			return false;
	}
	*during = atomic_long_read(&st->sent) - before;
	iopf_lt_kill(reg);
	return ok;
}

static void iopf_lt_storm_case(void)
{
	struct iopf_mock_dev *s = iopf_lt_dev(5), *o = iopf_lt_dev(6);
	struct iopf_lt_reg *reg[2] = {};
	struct iopf_lt_storm st = {};
	unsigned int round, done = 0;
	long during[4] = {};
	unsigned long end;
	bool ok = false;

	init_completion(&st.done);
	atomic_long_set(&st.sent, 0);
	if (s && o) {
		reg[0] = iopf_lt_register(s, NULL, NULL);
		reg[1] = iopf_lt_register(o, NULL, NULL);
	}
	if (reg[0] && reg[1] &&
	    !iopf_torture_start_threads(iopf_lt_storm_thread, "iopf_lt_storm/%u",
					&st)) {
		ok = true;
		for (round = 0; round < 4 && ok; round++) {
			struct iopf_mock_dev *dev = round & 1 ? o : s;
			long target = atomic_long_read(&st.sent) + 2000;

			/* The storm is on: wait for it to make progress */
			end = jiffies + 30 * HZ;
			while (atomic_long_read(&st.sent) < target &&
			       time_before(jiffies, end))
				usleep_range(10000, 20000);
			ok = atomic_long_read(&st.sent) >= target &&
			     iopf_lt_unregister_stormed(&st, reg[round & 1],
							&during[round]);
			reg[round & 1] = ok ? iopf_lt_register(dev, NULL, NULL)
					    : NULL;
			ok &= !!reg[round & 1];
			done += ok;
		}
	}
	iopf_torture_stop_threads();
	if (reg[0])
		ok &= iopf_torture_balanced(reg[0]->n, "storm S", NULL);
	if (reg[1])
		ok &= iopf_torture_balanced(reg[1]->n, "storm O", NULL);
	iopf_lt_case("unregister_under_storm", ok && done == 4,
		     "%u of 4 unregistrations returned under the storm (own device, other device, own, other); failures sent meanwhile %ld %ld %ld %ld; %ld in all",
		     done, during[0], during[1], during[2], during[3],
		     atomic_long_read(&st.sent));
	for (round = 0; round < 2; round++) {
		if (!reg[round])
			continue;
		iopf_failure_notifier_unregister(reg[round]->n);
		iopf_lt_kill(reg[round]);
	}
	if (o)
		iopf_mock_dev_destroy(o);
	if (s)
		iopf_mock_dev_destroy(s);
}

/**
 * iopf_lt_isolation() - Run the isolation cases of mode=lifetime
 *
 * Context: Process context.
 */
void iopf_lt_isolation(void)
{
	iopf_lt_unregister_other();
	iopf_lt_unregister_self();
	iopf_lt_blocked();
	iopf_lt_storm_case();
}
