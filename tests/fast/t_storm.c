// SPDX-License-Identifier: GPL-2.0
/*
 * The storm: a fault side on every CPU reports without pause for three
 * RIDs into rings of 16 records (they wrap and overflow all the time)
 * while
 *  - a steady registration with a slow callback drains its RID,
 *  - a churner registers and unregisters another RID, poisoning and
 *    freeing the callback data after every unregister,
 *  - a second churner registers the third RID and releases the device,
 *    poisons the data (no callback may run after the release returned),
 *    then checks the accounting identity,
 *  - a thread keeps ending PASID A of the steady device (stale records).
 * Under TSAN this is the check of the rings' acquire/release; under ASan
 * of the lifetime of rings, handles and callback data.
 */
#include <stdlib.h>
#include <unistd.h>

#include "fixture.h"

#define RID_CHURN	0xb0
#define RID_STEADY	0xb1
#define RID_RELEASE	0xb2

struct storm {
	int stop;		/* atomic, from here down */
	long reports;
	int identity_bad;
	int errors;
};

struct storm_thread {
	pthread_t thread;
	int cpu;
	struct storm *st;
	struct device *dev;
	int rounds;
};

static void *reporter_fn(void *data)
{
	struct storm_thread *t = data;
	unsigned long i = 0;

	shim_thread_enter(t->cpu);
	while (!aread(&t->st->stop)) {
		report_pasid(&iommu, RID_CHURN + i % 3, i << 12,
			     (i & 4) ? PASID_A : PASID_B, true);
		i++;
	}
	__atomic_fetch_add(&t->st->reports, i, __ATOMIC_RELAXED);
	shim_thread_exit();
	return NULL;
}

/* register, let records arrive, unregister, then poison and free the data */
static void *churn_fn(void *data)
{
	struct storm_thread *t = data;
	long end = now_ms() + race_ms;

	shim_thread_enter(t->cpu);
	while (t->rounds < 20 || now_ms() < end) {
		struct sink *s = sink_alloc();
		struct iopf_notifier *n;

		n = iopf_failure_notifier_register(t->dev, sink_fn, s);
		if (IS_ERR(n)) {
			ainc(&t->st->errors);
		} else {
			usleep(100 + (t->rounds % 3) * 100);
			iopf_failure_notifier_unregister(n);
		}
		/* a late callback reads poison, or ASan reports the use */
		__atomic_store_n(&s->magic, SINK_POISON, __ATOMIC_RELAXED);
		free(s);
		t->rounds++;
	}
	shim_thread_exit();
	return NULL;
}

/* register, release the device, check the counts */
static void *release_fn(void *data)
{
	struct storm_thread *t = data;
	long end = now_ms() + race_ms;

	shim_thread_enter(t->cpu);
	while (t->rounds < 20 || now_ms() < end) {
		struct sink *s = sink_alloc();
		struct iopf_notify_counts c;
		struct iopf_notifier *n;

		n = iopf_failure_notifier_register(t->dev, sink_fn, s);
		if (IS_ERR(n)) {
			ainc(&t->st->errors);
		} else {
			usleep(100 + (t->rounds % 3) * 100);
			__iopf_notify_device_release(t->dev);
			/* no callback runs once the release returned, and
			 * the release work has counted what was left */
			__atomic_store_n(&s->magic, SINK_POISON, __ATOMIC_RELAXED);
			if (!counts_identity(n, &c)) {
				if (!aread(&t->st->identity_bad))
					print_counts("released registration", &c);
				ainc(&t->st->identity_bad);
			}
			iopf_failure_notifier_unregister(n);
		}
		__atomic_store_n(&s->magic, SINK_POISON, __ATOMIC_RELAXED);
		free(s);
		t->rounds++;
	}
	shim_thread_exit();
	return NULL;
}

static void *pasid_fn(void *data)
{
	struct storm_thread *t = data;

	shim_thread_enter(t->cpu);
	while (!aread(&t->st->stop)) {
		__iopf_notify_pasid_gone(t->dev, PASID_A);
		usleep(1000);
	}
	shim_thread_exit();
	return NULL;
}

void storm(void)
{
	struct device *steady = fake_dev1(&iommu, RID_STEADY);
	struct storm_thread rep[SHIM_NR_CPUS_MAX], churn, rel, pasid;
	struct storm st = { 0 };
	struct iopf_notify_counts c;
	struct iopf_notifier *n;
	struct sink *ss = sink_new();
	unsigned int cpu;
	int shown;

	*shim_param_ring_size = 16;
	ss->sleep_every = 64;	/* a slow consumer: its rings overflow */
	n = reg(steady, ss);
	ASSERT(!IS_ERR(n));
	for_each_possible_cpu(cpu) {
		rep[cpu] = (struct storm_thread){ .cpu = cpu, .st = &st };
		ASSERT_EQ(0, pthread_create(&rep[cpu].thread, NULL, reporter_fn,
					    &rep[cpu]));
	}
	churn = (struct storm_thread){ .cpu = 0, .st = &st,
				       .dev = fake_dev1(&iommu, RID_CHURN) };
	rel = (struct storm_thread){ .cpu = 1 % shim_nr_cpus, .st = &st,
				     .dev = fake_dev1(&iommu, RID_RELEASE) };
	pasid = (struct storm_thread){ .cpu = 0, .st = &st, .dev = steady };
	ASSERT_EQ(0, pthread_create(&churn.thread, NULL, churn_fn, &churn));
	ASSERT_EQ(0, pthread_create(&rel.thread, NULL, release_fn, &rel));
	ASSERT_EQ(0, pthread_create(&pasid.thread, NULL, pasid_fn, &pasid));
	pthread_join(churn.thread, NULL);
	pthread_join(rel.thread, NULL);
	aset(&st.stop, 1);
	for_each_possible_cpu(cpu)
		pthread_join(rep[cpu].thread, NULL);
	pthread_join(pasid.thread, NULL);
	shim_wq_quiesce();
	shown = counts_identity(n, &c);
	printf("    %u CPUs, %d+%d register rounds, %ld reports\n", shim_nr_cpus,
	       churn.rounds, rel.rounds, st.reports);
	print_counts("steady registration", &c);
	EXPECT_MSG(shown, "steady: generated != delivered + overflow + stale + released");
	EXPECT_EQ(0, aread(&st.errors));
	EXPECT_EQ(0, aread(&st.identity_bad));
	EXPECT_EQ(0, aread(&global_bad_magic));
	EXPECT(st.reports > 0);
	EXPECT(c.delivered > 0);
	EXPECT(c.overflow > 0);
	EXPECT(c.stale > 0);
	EXPECT_EQ(c.delivered, aread(&ss->calls));
	EXPECT_EQ(0, aread(&ss->overlap));
	EXPECT_EQ(0, aread(&ss->bad_context));
}
