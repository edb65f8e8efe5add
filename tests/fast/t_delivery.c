// SPDX-License-Identifier: GPL-2.0
/*
 * Delivery: what a record carries, where and in which order it arrives,
 * that requester IDs and IOMMUs stay apart, that the fault side never
 * waits and kicks the consumer once per burst, and the overflow count.
 */
#include <stdlib.h>
#include <string.h>

#include <linux/ktime.h>
#include "fixture.h"

void delivers_all_fields(void)
{
	struct device *dev = fake_dev1(&iommu, 0x1234);
	struct iommu_fault fault = {
		.type = IOMMU_FAULT_PAGE_REQ,
		.rid = 0x1234,
		.prm = {
			.flags = IOMMU_FAULT_PAGE_REQUEST_PASID_VALID,
			.pasid = 0x5a5a,
			.grpid = 0x1ff,
			.perm = IOMMU_FAULT_PERM_READ | IOMMU_FAULT_PERM_EXEC,
			.addr = 0x7fff12345000ULL,
		},
	};
	struct sink *s = sink_new();
	u64 before;

	ASSERT(!IS_ERR(reg(dev, s)));
	before = ktime_get_ns();
	__iopf_report_failure(&iommu, &fault, IOMMU_PAGE_RESP_FAILURE,
			      IOPF_FAILURE_REJECTED);
	shim_wq_quiesce();
	ASSERT_EQ(1, aread(&s->calls));
	EXPECT_EQ(0x1234, s->rec[0].rid);
	EXPECT_EQ(0x5a5a, s->rec[0].pasid);
	EXPECT_EQ(0x1ff, s->rec[0].grpid);
	EXPECT_EQ(fault.prm.perm, s->rec[0].perm);
	EXPECT_EQ(fault.prm.flags, s->rec[0].flags);
	EXPECT_EQ(fault.prm.addr, s->rec[0].addr);
	EXPECT_EQ(IOMMU_PAGE_RESP_FAILURE, s->rec[0].code);
	EXPECT_EQ(IOPF_FAILURE_REJECTED, s->rec[0].source);
	EXPECT_EQ(0, s->rec[0].epoch);
	EXPECT(s->rec[0].timestamp >= before);
	EXPECT(s->rec[0].timestamp <= ktime_get_ns());
}

/* from a work item: not in the reporting thread, interrupts on */
void callback_context(void)
{
	struct device *dev = fake_dev1(&iommu, 0x20);
	struct sink *s = sink_new();
	unsigned int cpu;

	ASSERT(!IS_ERR(reg(dev, s)));
	for_each_possible_cpu(cpu)
		report_on(cpu, &iommu, 0x20, (u64)cpu << 12);
	shim_wq_quiesce();
	ASSERT_EQ(shim_nr_cpus, aread(&s->calls));
	EXPECT_EQ(0, aread(&s->bad_context));
	for (cpu = 0; cpu < shim_nr_cpus; cpu++)
		EXPECT(!pthread_equal(s->thread[cpu], pthread_self()));
}

void unknown_rid_ignored(void)
{
	struct device *dev = fake_dev1(&iommu, 0x30);
	struct iopf_notify_counts c;
	struct iopf_notifier *n;
	struct sink *s = sink_new();

	n = reg(dev, s);
	ASSERT(!IS_ERR(n));
	report(&iommu, 0x31, 0x1000);
	report(&iommu2, 0x30, 0x1000);
	shim_wq_quiesce();
	EXPECT_EQ(0, aread(&s->calls));
	iopf_notify_counts(n, &c);
	EXPECT_EQ(0, c.generated);
}

void rid_isolation(void)
{
	static const u32 a_rids[] = { 0x100, 0x101 };
	struct device *a = fake_dev(&iommu, a_rids, 2);
	struct device *b = fake_dev1(&iommu, 0x102);
	struct sink *sa = sink_new(), *sb = sink_new();
	unsigned int i;

	ASSERT(!IS_ERR(reg(a, sa)));
	ASSERT(!IS_ERR(reg(b, sb)));
	for (i = 0; i < 30; i++)
		report(&iommu, 0x100 + i % 3, (u64)i << 12);
	shim_wq_quiesce();
	EXPECT_EQ(20, aread(&sa->calls));
	EXPECT_EQ(10, aread(&sb->calls));
	for (i = 0; i < sa->nrec; i++)
		EXPECT(sa->rec[i].rid == 0x100 || sa->rec[i].rid == 0x101);
	for (i = 0; i < sb->nrec; i++) {
		EXPECT_EQ(0x102, sb->rec[i].rid);
		EXPECT_EQ(2, (sb->rec[i].addr >> 12) % 3);
	}
}

void all_rids_covered(void)
{
	static const u32 rids[] = { 0x200, 0x208, 0x200, 0x2ff };
	struct device *dev = fake_dev(&iommu, rids, 4);
	struct iopf_notifier *n;
	struct sink *s = sink_new();

	n = reg(dev, s);
	ASSERT(!IS_ERR(n));
	report(&iommu, 0x200, 0x1000);
	report(&iommu, 0x208, 0x2000);
	report(&iommu, 0x2ff, 0x3000);
	shim_wq_quiesce();
	ASSERT_EQ(3, aread(&s->calls));
	EXPECT_EQ(0x200, s->rec[0].rid);
	EXPECT_EQ(0x208, s->rec[1].rid);
	EXPECT_EQ(0x2ff, s->rec[2].rid);
	unreg(n);
	EXPECT(xa_empty(&iommu.iopf_notifiers));
}

void per_iommu_tables(void)
{
	struct device *a = fake_dev1(&iommu, 0x10);
	struct device *b = fake_dev1(&iommu2, 0x10);
	struct sink *sa = sink_new(), *sb = sink_new();

	ASSERT(!IS_ERR(reg(a, sa)));
	ASSERT(!IS_ERR(reg(b, sb)));
	report(&iommu2, 0x10, 0x1000);
	shim_wq_quiesce();
	EXPECT_EQ(0, aread(&sa->calls));
	EXPECT_EQ(1, aread(&sb->calls));
}

/* records reported on one CPU arrive in the order they were reported */
#define ORDER_N	100
void per_cpu_order(void)
{
	struct device *dev = fake_dev1(&iommu, 0x21);
	u64 last[SHIM_NR_CPUS_MAX];
	struct sink *s = sink_new();
	unsigned int cpu, i;

	ASSERT(!IS_ERR(reg(dev, s)));
	for (i = 0; i < ORDER_N; i++)
		for_each_possible_cpu(cpu)
			report_on(cpu, &iommu, 0x21, ((u64)cpu << 32) | (i + 1));
	shim_wq_quiesce();
	ASSERT_EQ(ORDER_N * shim_nr_cpus, aread(&s->calls));
	memset(last, 0, sizeof(last));
	for (i = 0; i < s->nrec; i++) {
		cpu = s->rec[i].addr >> 32;
		ASSERT(cpu < shim_nr_cpus);
		EXPECT_MSG((s->rec[i].addr & 0xffffffff) == last[cpu] + 1,
			   "CPU %u: record %llu after %llu", cpu,
			   (unsigned long long)(s->rec[i].addr & 0xffffffff),
			   (unsigned long long)last[cpu]);
		last[cpu] = s->rec[i].addr & 0xffffffff;
	}
}

struct flooder {
	pthread_t thread;
	int cpu;
	u32 rid;
	int count;
	int *stop;	/* NULL: count records; else until *stop */
	long done;
};

static void *flood_fn(void *data)
{
	struct flooder *fl = data;
	long i;

	shim_thread_enter(fl->cpu);
	for (i = 0; fl->stop ? !aread(fl->stop) : i < fl->count; i++)
		report(&iommu, fl->rid, (u64)i << 12);
	fl->done = i;
	shim_thread_exit();
	return NULL;
}

/* one registration's callbacks never run at once, whatever CPUs report */
void one_callback_at_a_time(void)
{
	struct device *dev = fake_dev1(&iommu, 0x22);
	struct flooder fl[SHIM_NR_CPUS_MAX];
	struct iopf_notify_counts c;
	struct iopf_notifier *n;
	struct sink *s = sink_new();
	unsigned int cpu;

	s->sleep_every = 16;
	n = reg(dev, s);
	ASSERT(!IS_ERR(n));
	for_each_possible_cpu(cpu) {
		fl[cpu] = (struct flooder){ .cpu = cpu, .rid = 0x22, .count = 2000 };
		ASSERT_EQ(0, pthread_create(&fl[cpu].thread, NULL, flood_fn, &fl[cpu]));
	}
	for_each_possible_cpu(cpu)
		pthread_join(fl[cpu].thread, NULL);
	shim_wq_quiesce();
	EXPECT_EQ(0, aread(&s->overlap));
	EXPECT(counts_identity(n, &c));
	EXPECT_EQ(c.delivered, aread(&s->calls));
	EXPECT(c.delivered > 0);
}

void reporter_never_waits(void)
{
	struct device *dev = fake_dev1(&iommu, 0x80);
	struct sink *s = sink_new();

	sink_gate(s);
	ASSERT(!IS_ERR(reg(dev, s)));
	report(&iommu, 0x80, 0x1000);
	ASSERT(wait_for_completion_timeout(s->entered, WAIT_MS));
	/* the callback is blocked on the gate: these return without it */
	report(&iommu, 0x80, 0x2000);
	report(&iommu, 0x80, 0x3000);
	EXPECT_EQ(0, aread(&s->finished));
	complete_all(s->gate);
	shim_wq_quiesce();
	EXPECT_EQ(3, aread(&s->finished));
}

/* the first record of a burst queues the work item, the others do not */
void kick_once_per_burst(void)
{
	struct device *dev = fake_dev1(&iommu, 0x81);
	struct iopf_notifier *n;
	struct sink *s = sink_new();
	unsigned long k0;
	unsigned int i;

	n = reg(dev, s);
	ASSERT(!IS_ERR(n));
	EXPECT(iopf_notify_idle(n));
	shim_wq_hold(true);
	k0 = shim_wq_kicks();
	for (i = 0; i < 50; i++)
		report_on(i % shim_nr_cpus, &iommu, 0x81, (u64)i << 12);
	EXPECT_EQ(1, shim_wq_kicks() - k0);
	EXPECT(!iopf_notify_idle(n));
	shim_wq_hold(false);
	shim_wq_quiesce();
	EXPECT_EQ(50, aread(&s->calls));
	EXPECT(iopf_notify_idle(n));
	report(&iommu, 0x81, 0);
	shim_wq_quiesce();
	EXPECT_EQ(2, shim_wq_kicks() - k0);
	EXPECT_EQ(51, aread(&s->calls));
}

void ring_overflow(void)
{
	struct device *a = fake_dev1(&iommu, 0x70);
	struct device *b = fake_dev1(&iommu, 0x71);
	struct sink *sa = sink_new(), *sb = sink_new();
	struct iopf_notify_counts ca, cb;
	struct iopf_notifier *na, *nb;
	unsigned int cap, i;

	*shim_param_ring_size = 16;
	na = reg(a, sa);
	nb = reg(b, sb);
	ASSERT(!IS_ERR(na) && !IS_ERR(nb));
	cap = iopf_notify_ring_capacity(na);
	ASSERT_EQ(16, cap);
	/* the consumers cannot run: a storms its own rings, b is not hurt */
	shim_wq_hold(true);
	for (i = 0; i < cap + 10; i++)
		report(&iommu, 0x70, (u64)i << 12);
	for (i = 0; i < cap; i++)
		report(&iommu, 0x71, (u64)i << 12);
	shim_wq_hold(false);
	shim_wq_quiesce();
	EXPECT(counts_identity(na, &ca));
	EXPECT(counts_identity(nb, &cb));
	EXPECT_EQ(cap + 10, ca.generated);
	EXPECT_EQ(cap, ca.delivered);
	EXPECT_EQ(10, ca.overflow);
	EXPECT_EQ(cap, cb.delivered);
	EXPECT_EQ(0, cb.overflow);
	EXPECT_EQ(cap, aread(&sa->calls));
	/* the oldest records were kept, in order */
	EXPECT_EQ(0, sa->rec[0].addr);
	EXPECT_EQ(1ULL << 12, sa->rec[1].addr);
	EXPECT_EQ((u64)(cap - 1) << 12, sa->rec[cap - 1].addr);
}
