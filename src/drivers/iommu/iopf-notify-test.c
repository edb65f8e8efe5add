// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the failed I/O page fault notifier.
 *
 * The IOMMU instances and devices here are fakes: a struct iommu_device
 * with a page_response op that counts responses, and KUnit devices given a
 * struct dev_iommu and a fwspec whose IDs are the requester IDs. The fault
 * core paths (iopf_group_response(), iommu_report_device_fault() without a
 * handler) run for real on top of them.
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/iopf-notify.h>
#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <trace/events/iopf_notify.h>

#include "iopf-notify.h"

#define SINK_MAX	64
#define SINK_LIVE	0x11fe11feU
#define SINK_POISON	0xdeaddeadU

struct sink {
	u32 magic;
	/* protects n, rec[] and cpu[] against concurrent callbacks */
	spinlock_t lock;
	unsigned int n;
	struct iopf_failure rec[SINK_MAX];
	int cpu[SINK_MAX];
	atomic_t calls;
	atomic_t bad_context;
	atomic_t bad_magic;
	struct completion *entered;
	struct completion *gate;
	atomic_t finished;
};

static void sink_fn(const struct iopf_failure *f, void *data)
{
	struct sink *s = data;

	if (READ_ONCE(s->magic) != SINK_LIVE)
		atomic_inc(&s->bad_magic);
	if (!in_task() || irqs_disabled())
		atomic_inc(&s->bad_context);
	spin_lock(&s->lock);
	if (s->n < SINK_MAX) {
		s->rec[s->n] = *f;
		s->cpu[s->n] = raw_smp_processor_id();
		s->n++;
	}
	spin_unlock(&s->lock);
	atomic_inc(&s->calls);
	if (s->entered)
		complete(s->entered);
	if (s->gate)
		wait_for_completion_timeout(s->gate, 10 * HZ);
	atomic_inc(&s->finished);
}

static struct sink *sink_new(struct kunit *test)
{
	struct sink *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, s);
	s->magic = SINK_LIVE;
	spin_lock_init(&s->lock);
	return s;
}

static atomic_t responses;
static int last_response;

static void fake_page_response(struct device *dev, struct iopf_fault *evt,
			       struct iommu_page_response *msg)
{
	WRITE_ONCE(last_response, msg->code);
	atomic_inc(&responses);
}

static const struct iommu_ops fake_ops = {
	.page_response = fake_page_response,
};

static const struct iommu_ops fake_ops_no_prq = { };

struct fake_ctx {
	struct iommu_device iommu;
	struct iommu_device iommu2;
	struct iommu_device iommu_no_prq;
};

static int iopf_notify_test_init(struct kunit *test)
{
	struct fake_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->iommu.ops = &fake_ops;
	xa_init(&ctx->iommu.iopf_notifiers);
	ctx->iommu2.ops = &fake_ops;
	xa_init(&ctx->iommu2.iopf_notifiers);
	ctx->iommu_no_prq.ops = &fake_ops_no_prq;
	xa_init(&ctx->iommu_no_prq.iopf_notifiers);
	atomic_set(&responses, 0);
	test->priv = ctx;
	return 0;
}

static void fake_dev_unregister(void *dev)
{
	iopf_failure_notifier_unregister(dev);
}

static void fake_dev_clear_iommu(void *data)
{
	struct device *dev = data;

	dev->iommu = NULL;
}

static void fake_vfree(void *p)
{
	vfree(p);
}

/* A KUnit device behind @iommu whose requester IDs are @rids */
static struct device *fake_dev(struct kunit *test, struct iommu_device *iommu,
			       const u32 *rids, unsigned int nr)
{
	static atomic_t seq;
	struct iommu_fwspec *fwspec;
	struct dev_iommu *param;
	struct device *dev;
	char name[32];

	snprintf(name, sizeof(name), "iopf-test-%d", atomic_inc_return(&seq));
	dev = kunit_device_register(test, name);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	if (!iommu)
		return dev;

	param = kunit_kzalloc(test, sizeof(*param), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, param);
	param->iommu_dev = iommu;
	if (nr) {
		fwspec = kunit_kzalloc(test, struct_size(fwspec, ids, nr),
				       GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, fwspec);
		fwspec->num_ids = nr;
		memcpy(fwspec->ids, rids, nr * sizeof(*rids));
		param->fwspec = fwspec;
	}
	dev->iommu = param;
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, fake_dev_clear_iommu,
						  dev));
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, fake_dev_unregister,
						  dev));
	return dev;
}

static struct device *fake_dev1(struct kunit *test, struct iommu_device *iommu,
				u32 rid)
{
	return fake_dev(test, iommu, &rid, 1);
}

static void report(struct iommu_device *iommu, u32 rid, u64 addr,
		   enum iommu_page_response_code code)
{
	struct iommu_fault fault = {
		.type = IOMMU_FAULT_PAGE_REQ,
		.rid = rid,
		.prm = {
			.flags = IOMMU_FAULT_PAGE_REQUEST_PASID_VALID |
				 IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE,
			.pasid = 0x42,
			.grpid = 7,
			.perm = IOMMU_FAULT_PERM_WRITE,
			.addr = addr,
		},
	};

	__iopf_report_failure(iommu, &fault, code, IOPF_FAILURE_RESPONSE);
}

static struct fake_ctx *ctx_of(struct kunit *test)
{
	return test->priv;
}

/* --- registration errors --- */

static void iopf_notify_test_null_fn_einval(struct kunit *test)
{
	struct device *dev = fake_dev1(test, &ctx_of(test)->iommu, 1);

	KUNIT_EXPECT_EQ(test, -EINVAL,
			iopf_failure_notifier_register(dev, NULL, NULL));
}

static void iopf_notify_test_no_iommu_enodev(struct kunit *test)
{
	struct device *dev = fake_dev(test, NULL, NULL, 0);

	KUNIT_EXPECT_EQ(test, -ENODEV,
			iopf_failure_notifier_register(dev, sink_fn,
						       sink_new(test)));
	KUNIT_EXPECT_EQ(test, -ENODEV,
			iopf_failure_notifier_register(NULL, sink_fn, NULL));
}

static void iopf_notify_test_no_page_response_enodev(struct kunit *test)
{
	struct device *dev = fake_dev1(test, &ctx_of(test)->iommu_no_prq, 1);

	KUNIT_EXPECT_EQ(test, -ENODEV,
			iopf_failure_notifier_register(dev, sink_fn,
						       sink_new(test)));
}

static void iopf_notify_test_no_rid_enodev(struct kunit *test)
{
	struct device *dev = fake_dev(test, &ctx_of(test)->iommu, NULL, 0);

	KUNIT_EXPECT_EQ(test, -ENODEV,
			iopf_failure_notifier_register(dev, sink_fn,
						       sink_new(test)));
}

static void iopf_notify_test_rid_taken_ebusy(struct kunit *test)
{
	struct iommu_device *iommu = &ctx_of(test)->iommu;
	static const u32 b_rids[] = { 6, 5 };
	struct device *a = fake_dev1(test, iommu, 5);
	struct device *b = fake_dev(test, iommu, b_rids, 2);
	struct device *c = fake_dev1(test, iommu, 6);

	KUNIT_ASSERT_EQ(test, 0,
			iopf_failure_notifier_register(a, sink_fn,
						       sink_new(test)));
	KUNIT_EXPECT_EQ(test, -EBUSY,
			iopf_failure_notifier_register(b, sink_fn,
						       sink_new(test)));
	/* b's slot 6 was rolled back: c can take it */
	KUNIT_EXPECT_EQ(test, 0,
			iopf_failure_notifier_register(c, sink_fn,
						       sink_new(test)));
	KUNIT_EXPECT_PTR_EQ(test, NULL, xa_load(&iommu->iopf_notifiers, 7));
	iopf_failure_notifier_unregister(c);
	KUNIT_EXPECT_PTR_EQ(test, NULL, xa_load(&iommu->iopf_notifiers, 6));
}

static void iopf_notify_test_register_twice_ebusy(struct kunit *test)
{
	struct device *dev = fake_dev1(test, &ctx_of(test)->iommu, 9);

	KUNIT_ASSERT_EQ(test, 0,
			iopf_failure_notifier_register(dev, sink_fn,
						       sink_new(test)));
	KUNIT_EXPECT_EQ(test, -EBUSY,
			iopf_failure_notifier_register(dev, sink_fn,
						       sink_new(test)));
}

static void iopf_notify_test_alloc_failure_enomem(struct kunit *test)
{
	/* more RIDs than any kmalloc() can hold: the notifier allocation fails */
	const unsigned int nr = 1U << 22;
	struct iommu_fwspec *fwspec;
	struct device *dev;

	dev = fake_dev1(test, &ctx_of(test)->iommu, 1);
	fwspec = vzalloc(struct_size(fwspec, ids, nr));
	KUNIT_ASSERT_NOT_NULL(test, fwspec);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, fake_vfree, fwspec));
	fwspec->num_ids = nr;
	dev->iommu->fwspec = fwspec;
	KUNIT_EXPECT_EQ(test, -ENOMEM,
			iopf_failure_notifier_register(dev, sink_fn,
						       sink_new(test)));
	dev->iommu->fwspec = NULL;
	KUNIT_EXPECT_TRUE(test, xa_empty(&ctx_of(test)->iommu.iopf_notifiers));
}

static void iopf_notify_test_unregister_unknown_noop(struct kunit *test)
{
	struct iommu_device *iommu = &ctx_of(test)->iommu;
	struct device *a = fake_dev1(test, iommu, 3);
	struct device *stranger = fake_dev1(test, iommu, 3);
	struct sink *s = sink_new(test);

	KUNIT_ASSERT_EQ(test, 0, iopf_failure_notifier_register(a, sink_fn, s));
	/* same RID, other device: must not tear down a's registration */
	iopf_failure_notifier_unregister(stranger);
	iopf_failure_notifier_unregister(fake_dev(test, NULL, NULL, 0));
	iopf_failure_notifier_unregister(NULL);
	report(iommu, 3, 0x1000, IOMMU_PAGE_RESP_INVALID);
	iopf_notify_flush();
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&s->calls));
}

static void iopf_notify_test_reregister_after_unregister(struct kunit *test)
{
	struct iommu_device *iommu = &ctx_of(test)->iommu;
	struct device *a = fake_dev1(test, iommu, 4);
	struct device *b = fake_dev1(test, iommu, 4);
	struct sink *s = sink_new(test);

	KUNIT_ASSERT_EQ(test, 0,
			iopf_failure_notifier_register(a, sink_fn,
						       sink_new(test)));
	iopf_failure_notifier_unregister(a);
	KUNIT_ASSERT_EQ(test, 0, iopf_failure_notifier_register(b, sink_fn, s));
	report(iommu, 4, 0x2000, IOMMU_PAGE_RESP_INVALID);
	iopf_notify_flush();
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&s->calls));
}

/* --- delivery --- */

static void iopf_notify_test_delivers_all_fields(struct kunit *test)
{
	struct iommu_device *iommu = &ctx_of(test)->iommu;
	struct device *dev = fake_dev1(test, iommu, 0x1234);
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
	const struct iommu_fault_page_request *prm = &fault.prm;
	struct sink *s = sink_new(test);
	u64 before;

	KUNIT_ASSERT_EQ(test, 0, iopf_failure_notifier_register(dev, sink_fn, s));
	before = ktime_get_ns();
	__iopf_report_failure(iommu, &fault, IOMMU_PAGE_RESP_FAILURE,
			      IOPF_FAILURE_REJECTED);
	iopf_notify_flush();
	KUNIT_ASSERT_EQ(test, 1, atomic_read(&s->calls));
	KUNIT_EXPECT_EQ(test, 0x1234, s->rec[0].rid);
	KUNIT_EXPECT_EQ(test, 0x5a5a, s->rec[0].pasid);
	KUNIT_EXPECT_EQ(test, 0x1ff, s->rec[0].grpid);
	KUNIT_EXPECT_EQ(test, prm->perm, s->rec[0].perm);
	KUNIT_EXPECT_EQ(test, prm->flags, s->rec[0].flags);
	KUNIT_EXPECT_EQ(test, prm->addr, s->rec[0].addr);
	KUNIT_EXPECT_EQ(test, IOMMU_PAGE_RESP_FAILURE, s->rec[0].code);
	KUNIT_EXPECT_EQ(test, IOPF_FAILURE_REJECTED, s->rec[0].source);
	KUNIT_EXPECT_GE(test, s->rec[0].timestamp, before);
	KUNIT_EXPECT_LE(test, s->rec[0].timestamp, ktime_get_ns());
}

static void iopf_notify_test_callback_context(struct kunit *test)
{
	struct iommu_device *iommu = &ctx_of(test)->iommu;
	struct device *dev = fake_dev1(test, iommu, 0x20);
	struct sink *s = sink_new(test);
	int cpu;

	KUNIT_ASSERT_EQ(test, 0, iopf_failure_notifier_register(dev, sink_fn, s));
	cpu = get_cpu();
	report(iommu, 0x20, 0x3000, IOMMU_PAGE_RESP_INVALID);
	/* with preemption off here, the callback cannot have run yet */
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&s->calls));
	put_cpu();
	iopf_notify_flush();
	KUNIT_ASSERT_EQ(test, 1, atomic_read(&s->calls));
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&s->bad_context));
	if (cpu_online(cpu))
		KUNIT_EXPECT_EQ(test, cpu, s->cpu[0]);
}

static void iopf_notify_test_unknown_rid_ignored(struct kunit *test)
{
	struct iommu_device *iommu = &ctx_of(test)->iommu;
	struct device *dev = fake_dev1(test, iommu, 0x30);
	struct iopf_notify_counts c;
	struct sink *s = sink_new(test);

	KUNIT_ASSERT_EQ(test, 0, iopf_failure_notifier_register(dev, sink_fn, s));
	report(iommu, 0x31, 0x1000, IOMMU_PAGE_RESP_INVALID);
	report(&ctx_of(test)->iommu2, 0x30, 0x1000, IOMMU_PAGE_RESP_INVALID);
	iopf_notify_flush();
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&s->calls));
	KUNIT_ASSERT_EQ(test, 0, iopf_notify_counts(dev, &c));
	KUNIT_EXPECT_EQ(test, 0, c.generated);
}

static void iopf_notify_test_rid_isolation(struct kunit *test)
{
	struct iommu_device *iommu = &ctx_of(test)->iommu;
	static const u32 a_rids[] = { 0x100, 0x101 };
	struct device *a = fake_dev(test, iommu, a_rids, 2);
	struct device *b = fake_dev1(test, iommu, 0x102);
	struct sink *sa = sink_new(test), *sb = sink_new(test);
	unsigned int i;

	KUNIT_ASSERT_EQ(test, 0, iopf_failure_notifier_register(a, sink_fn, sa));
	KUNIT_ASSERT_EQ(test, 0, iopf_failure_notifier_register(b, sink_fn, sb));
	for (i = 0; i < 30; i++)
		report(iommu, 0x100 + i % 3, i << 12, IOMMU_PAGE_RESP_INVALID);
	iopf_notify_flush();
	KUNIT_EXPECT_EQ(test, 20, atomic_read(&sa->calls));
	KUNIT_EXPECT_EQ(test, 10, atomic_read(&sb->calls));
	for (i = 0; i < sa->n; i++)
		KUNIT_EXPECT_TRUE(test,
				  sa->rec[i].rid == 0x100 ||
				  sa->rec[i].rid == 0x101);
	for (i = 0; i < sb->n; i++) {
		KUNIT_EXPECT_EQ(test, 0x102, sb->rec[i].rid);
		KUNIT_EXPECT_EQ(test, 2, (sb->rec[i].addr >> 12) % 3);
	}
}

static void iopf_notify_test_all_rids_covered(struct kunit *test)
{
	struct iommu_device *iommu = &ctx_of(test)->iommu;
	static const u32 rids[] = { 0x200, 0x208, 0x200, 0x2ff };
	struct device *dev = fake_dev(test, iommu, rids, ARRAY_SIZE(rids));
	struct sink *s = sink_new(test);

	KUNIT_ASSERT_EQ(test, 0, iopf_failure_notifier_register(dev, sink_fn, s));
	report(iommu, 0x200, 0x1000, IOMMU_PAGE_RESP_INVALID);
	report(iommu, 0x208, 0x2000, IOMMU_PAGE_RESP_INVALID);
	report(iommu, 0x2ff, 0x3000, IOMMU_PAGE_RESP_INVALID);
	iopf_notify_flush();
	KUNIT_ASSERT_EQ(test, 3, atomic_read(&s->calls));
	KUNIT_EXPECT_EQ(test, 0x200, s->rec[0].rid);
	KUNIT_EXPECT_EQ(test, 0x208, s->rec[1].rid);
	KUNIT_EXPECT_EQ(test, 0x2ff, s->rec[2].rid);
	iopf_failure_notifier_unregister(dev);
	KUNIT_EXPECT_TRUE(test, xa_empty(&iommu->iopf_notifiers));
}

static void iopf_notify_test_per_iommu_tables(struct kunit *test)
{
	struct fake_ctx *ctx = ctx_of(test);
	struct device *a = fake_dev1(test, &ctx->iommu, 0x10);
	struct device *b = fake_dev1(test, &ctx->iommu2, 0x10);
	struct sink *sa = sink_new(test), *sb = sink_new(test);

	KUNIT_ASSERT_EQ(test, 0, iopf_failure_notifier_register(a, sink_fn, sa));
	KUNIT_ASSERT_EQ(test, 0, iopf_failure_notifier_register(b, sink_fn, sb));
	report(&ctx->iommu2, 0x10, 0x1000, IOMMU_PAGE_RESP_INVALID);
	iopf_notify_flush();
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&sa->calls));
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&sb->calls));
}

static void iopf_notify_test_static_key(struct kunit *test)
{
	struct device *dev = fake_dev1(test, &ctx_of(test)->iommu, 0x40);
	bool before = static_key_enabled(&iopf_failure_notify_key);

	KUNIT_ASSERT_EQ(test, 0,
			iopf_failure_notifier_register(dev, sink_fn,
						       sink_new(test)));
	KUNIT_EXPECT_TRUE(test, static_key_enabled(&iopf_failure_notify_key));
	iopf_failure_notifier_unregister(dev);
	KUNIT_EXPECT_EQ(test, before,
			static_key_enabled(&iopf_failure_notify_key));
}

static void iopf_notify_test_debugfs_counters(struct kunit *test)
{
	struct device *dev = fake_dev1(test, &ctx_of(test)->iommu, 0x50);
	struct dentry *dir, *file;

	KUNIT_ASSERT_EQ(test, 0,
			iopf_failure_notifier_register(dev, sink_fn,
						       sink_new(test)));
	dir = debugfs_lookup("iopf_notify", NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dir);
	file = debugfs_lookup(dev_name(dev), dir);
	KUNIT_EXPECT_NOT_ERR_OR_NULL(test, file);
	dput(file);
	iopf_failure_notifier_unregister(dev);
	file = debugfs_lookup(dev_name(dev), dir);
	KUNIT_EXPECT_PTR_EQ(test, NULL, file);
	dput(file);
	dput(dir);
}

static atomic_t traced;
static u32 traced_rid;

static void probe_iopf_failure(void *data, const struct iommu_device *iommu,
			       const struct iopf_failure *f, bool notified)
{
	if (iommu == data) {
		WRITE_ONCE(traced_rid, f->rid);
		atomic_inc(&traced);
	}
}

static void iopf_notify_test_tracepoint(struct kunit *test)
{
	struct iommu_device *iommu = &ctx_of(test)->iommu;
	struct device *dev = fake_dev1(test, iommu, 0x60);
	struct sink *s = sink_new(test);

	atomic_set(&traced, 0);
	KUNIT_ASSERT_EQ(test, 0, register_trace_iopf_failure(probe_iopf_failure,
							     iommu));
	/* the tracepoint alone turns the hooks on */
	KUNIT_EXPECT_TRUE(test, static_key_enabled(&iopf_failure_notify_key));
	report(iommu, 0x61, 0x1000, IOMMU_PAGE_RESP_INVALID);
	KUNIT_EXPECT_EQ(test, 0x61, READ_ONCE(traced_rid));
	KUNIT_ASSERT_EQ(test, 0, iopf_failure_notifier_register(dev, sink_fn, s));
	report(iommu, 0x60, 0x1000, IOMMU_PAGE_RESP_INVALID);
	unregister_trace_iopf_failure(probe_iopf_failure, iommu);
	tracepoint_synchronize_unregister();
	report(iommu, 0x60, 0x1000, IOMMU_PAGE_RESP_INVALID);
	iopf_notify_flush();
	KUNIT_EXPECT_EQ(test, 2, atomic_read(&traced));
	KUNIT_EXPECT_EQ(test, 2, atomic_read(&s->calls));
}

static void iopf_notify_test_ring_overflow(struct kunit *test)
{
	struct iommu_device *iommu = &ctx_of(test)->iommu;
	struct device *a = fake_dev1(test, iommu, 0x70);
	struct device *b = fake_dev1(test, iommu, 0x71);
	struct device *c = fake_dev1(test, iommu, 0x72);
	struct sink *sa = sink_new(test), *sb = sink_new(test);
	struct sink *sc = sink_new(test);
	struct iopf_notify_counts ca, cb, cc;
	unsigned int cap, q, i;

	KUNIT_ASSERT_EQ(test, 0, iopf_failure_notifier_register(a, sink_fn, sa));
	KUNIT_ASSERT_EQ(test, 0, iopf_failure_notifier_register(b, sink_fn, sb));
	KUNIT_ASSERT_EQ(test, 0, iopf_failure_notifier_register(c, sink_fn, sc));
	iopf_notify_flush();
	cap = iopf_notify_ring_capacity();
	q = iopf_notify_notifier_quota();
	KUNIT_ASSERT_GT(test, cap, 0);
	KUNIT_ASSERT_EQ(test, cap / 2, q);
	/* the work item of this CPU cannot run while preemption is off */
	preempt_disable();
	/* a storms: half the ring, then its quota drops the rest */
	for (i = 0; i < q + 100; i++)
		report(iommu, 0x70, (u64)i << 12, IOMMU_PAGE_RESP_INVALID);
	/* b still finds its half; then the ring is full for c */
	for (i = 0; i < q; i++)
		report(iommu, 0x71, (u64)i << 12, IOMMU_PAGE_RESP_INVALID);
	report(iommu, 0x72, 0, IOMMU_PAGE_RESP_INVALID);
	preempt_enable();
	iopf_notify_flush();
	KUNIT_ASSERT_EQ(test, 0, iopf_notify_counts(a, &ca));
	KUNIT_ASSERT_EQ(test, 0, iopf_notify_counts(b, &cb));
	KUNIT_ASSERT_EQ(test, 0, iopf_notify_counts(c, &cc));
	KUNIT_EXPECT_EQ(test, q + 100, ca.generated);
	KUNIT_EXPECT_EQ(test, q, ca.delivered);
	KUNIT_EXPECT_EQ(test, 100, ca.dropped);
	KUNIT_EXPECT_EQ(test, q, cb.delivered);
	KUNIT_EXPECT_EQ(test, 0, cb.dropped);
	KUNIT_EXPECT_EQ(test, 1, cc.generated);
	KUNIT_EXPECT_EQ(test, 1, cc.dropped);
	KUNIT_EXPECT_EQ(test, ca.generated, ca.delivered + ca.dropped);
	KUNIT_EXPECT_EQ(test, cb.generated, cb.delivered + cb.dropped);
	KUNIT_EXPECT_EQ(test, cc.generated, cc.delivered + cc.dropped);
	KUNIT_EXPECT_EQ(test, q, atomic_read(&sa->calls));
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&sc->calls));
	/* the oldest records were kept, in order */
	KUNIT_EXPECT_EQ(test, 0, sa->rec[0].addr);
	KUNIT_EXPECT_EQ(test, 1ULL << 12, sa->rec[1].addr);
}

static void iopf_notify_test_reporter_never_waits(struct kunit *test)
{
	struct iommu_device *iommu = &ctx_of(test)->iommu;
	struct device *dev = fake_dev1(test, iommu, 0x80);
	DECLARE_COMPLETION_ONSTACK(gate);
	struct sink *s = sink_new(test);

	s->gate = &gate;
	KUNIT_ASSERT_EQ(test, 0, iopf_failure_notifier_register(dev, sink_fn, s));
	report(iommu, 0x80, 0x1000, IOMMU_PAGE_RESP_INVALID);
	report(iommu, 0x80, 0x2000, IOMMU_PAGE_RESP_INVALID);
	/* the callback blocks on the gate: the reports returned without it */
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&s->finished));
	complete_all(&gate);
	iopf_notify_flush();
	KUNIT_EXPECT_EQ(test, 2, atomic_read(&s->finished));
}

struct unreg_thread {
	struct device *dev;
	struct sink *s;
	int finished_at_return;
	struct completion done;
};

static int unreg_thread_fn(void *data)
{
	struct unreg_thread *u = data;

	iopf_failure_notifier_unregister(u->dev);
	u->finished_at_return = atomic_read(&u->s->finished);
	complete(&u->done);
	return 0;
}

static void iopf_notify_test_unregister_waits_for_callback(struct kunit *test)
{
	struct iommu_device *iommu = &ctx_of(test)->iommu;
	struct device *dev = fake_dev1(test, iommu, 0x90);
	DECLARE_COMPLETION_ONSTACK(entered);
	DECLARE_COMPLETION_ONSTACK(gate);
	struct sink *s = sink_new(test);
	struct unreg_thread u = { .dev = dev, .s = s };
	struct task_struct *t;

	init_completion(&u.done);
	s->entered = &entered;
	s->gate = &gate;
	KUNIT_ASSERT_EQ(test, 0, iopf_failure_notifier_register(dev, sink_fn, s));
	report(iommu, 0x90, 0x1000, IOMMU_PAGE_RESP_INVALID);
	KUNIT_ASSERT_NE(test, 0,
			wait_for_completion_timeout(&entered, 10 * HZ));
	t = kthread_run(unreg_thread_fn, &u, "iopf-test-unreg");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t);
	msleep(20);
	complete_all(&gate);
	KUNIT_ASSERT_NE(test, 0, wait_for_completion_timeout(&u.done, 10 * HZ));
	/* unregister returned only after the running callback finished */
	KUNIT_EXPECT_EQ(test, 1, u.finished_at_return);
}

static void iopf_notify_test_unregister_with_pending(struct kunit *test)
{
	struct iommu_device *iommu = &ctx_of(test)->iommu;
	struct device *dev = fake_dev1(test, iommu, 0xa0);
	DECLARE_COMPLETION_ONSTACK(entered);
	DECLARE_COMPLETION_ONSTACK(gate);
	struct sink *s = sink_new(test);
	struct unreg_thread u = { .dev = dev, .s = s };
	struct task_struct *t;
	int calls, i;

	init_completion(&u.done);
	s->entered = &entered;
	s->gate = &gate;
	KUNIT_ASSERT_EQ(test, 0, iopf_failure_notifier_register(dev, sink_fn, s));
	for (i = 0; i < 10; i++)
		report(iommu, 0xa0, (u64)i << 12, IOMMU_PAGE_RESP_INVALID);
	KUNIT_ASSERT_NE(test, 0,
			wait_for_completion_timeout(&entered, 10 * HZ));
	t = kthread_run(unreg_thread_fn, &u, "iopf-test-unreg");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t);
	msleep(20);
	complete_all(&gate);
	KUNIT_ASSERT_NE(test, 0, wait_for_completion_timeout(&u.done, 10 * HZ));
	calls = atomic_read(&s->calls);
	KUNIT_EXPECT_GE(test, calls, 1);
	KUNIT_EXPECT_LE(test, calls, 10);
	/* nothing more after unregister returned, and no new slot */
	s->magic = SINK_POISON;
	report(iommu, 0xa0, 0x1000, IOMMU_PAGE_RESP_INVALID);
	iopf_notify_flush();
	KUNIT_EXPECT_EQ(test, calls, atomic_read(&s->calls));
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&s->bad_magic));
}

struct race_ctx {
	struct iommu_device *iommu;
	bool stop;
	atomic_t reports;
};

static int race_reporter(void *data)
{
	struct race_ctx *r = data;
	unsigned long i = 0;

	while (!READ_ONCE(r->stop)) {
		report(r->iommu, 0xb0 + (i & 1), i << 12,
		       IOMMU_PAGE_RESP_INVALID);
		atomic_inc(&r->reports);
		if (!(++i % 32))
			cond_resched();
	}
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

static void iopf_notify_test_race_all_cpus(struct kunit *test)
{
	struct iommu_device *iommu = &ctx_of(test)->iommu;
	struct device *churn = fake_dev1(test, iommu, 0xb0);
	struct device *steady = fake_dev1(test, iommu, 0xb1);
	struct task_struct *threads[NR_CPUS] = {};
	struct race_ctx r = { .iommu = iommu };
	struct sink *ss = sink_new(test);
	struct iopf_notify_counts c;
	unsigned int cpu, round;
	int bad_magic = 0;

	KUNIT_ASSERT_EQ(test, 0,
			iopf_failure_notifier_register(steady, sink_fn, ss));
	for_each_online_cpu(cpu) {
		threads[cpu] = kthread_create(race_reporter, &r,
					      "iopf-race/%u", cpu);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, threads[cpu]);
		kthread_bind(threads[cpu], cpu);
		wake_up_process(threads[cpu]);
	}
	for (round = 0; round < 30; round++) {
		struct sink *s = kzalloc(sizeof(*s), GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, s);
		s->magic = SINK_LIVE;
		spin_lock_init(&s->lock);
		KUNIT_EXPECT_EQ(test, 0,
				iopf_failure_notifier_register(churn, sink_fn,
							       s));
		usleep_range(200, 400);
		iopf_failure_notifier_unregister(churn);
		bad_magic += atomic_read(&s->bad_magic);
		/* a late callback reads poison, or KASAN reports the UAF */
		s->magic = SINK_POISON;
		kfree(s);
	}
	WRITE_ONCE(r.stop, true);
	for_each_online_cpu(cpu)
		kthread_stop(threads[cpu]);
	iopf_notify_flush();
	KUNIT_EXPECT_EQ(test, 0, bad_magic);
	KUNIT_EXPECT_GT(test, atomic_read(&r.reports), 0);
	KUNIT_ASSERT_EQ(test, 0, iopf_notify_counts(steady, &c));
	KUNIT_EXPECT_GT(test, c.generated, 0);
	KUNIT_EXPECT_EQ(test, c.generated, c.delivered + c.dropped);
	KUNIT_EXPECT_EQ(test, c.delivered, atomic_read(&ss->calls));
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&ss->bad_context));
}

/* --- the fault core's failure paths, run for real --- */

struct fake_group {
	struct iommu_fault_param param;
	struct iopf_group group;
	struct iopf_fault more[2];
};

static struct fake_group *fake_group(struct kunit *test, struct device *dev,
				     u32 rid)
{
	struct fake_group *g = kunit_kzalloc(test, sizeof(*g), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, g);
	mutex_init(&g->param.lock);
	g->param.dev = dev;
	g->group.fault_param = &g->param;
	INIT_LIST_HEAD(&g->group.faults);
	INIT_LIST_HEAD(&g->group.pending_node);
	for (i = 0; i < 2; i++) {
		g->more[i].fault.type = IOMMU_FAULT_PAGE_REQ;
		g->more[i].fault.rid = rid;
		g->more[i].fault.prm.pasid = 3;
		g->more[i].fault.prm.addr = 0x10000 * (i + 1);
		list_add_tail(&g->more[i].list, &g->group.faults);
	}
	g->group.last_fault.fault.type = IOMMU_FAULT_PAGE_REQ;
	g->group.last_fault.fault.rid = rid;
	g->group.last_fault.fault.prm.pasid = 3;
	g->group.last_fault.fault.prm.flags =
		IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE;
	g->group.last_fault.fault.prm.addr = 0x30000;
	list_add_tail(&g->group.last_fault.list, &g->group.faults);
	return g;
}

static void iopf_notify_test_group_response_failure(struct kunit *test)
{
	struct iommu_device *iommu = &ctx_of(test)->iommu;
	struct device *dev = fake_dev1(test, iommu, 0xc0);
	struct fake_group *g = fake_group(test, dev, 0xc0);
	struct sink *s = sink_new(test);

	KUNIT_ASSERT_EQ(test, 0, iopf_failure_notifier_register(dev, sink_fn, s));
	iopf_group_response(&g->group, IOMMU_PAGE_RESP_INVALID);
	iopf_notify_flush();
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&responses));
	KUNIT_EXPECT_EQ(test, IOMMU_PAGE_RESP_INVALID, READ_ONCE(last_response));
	KUNIT_ASSERT_EQ(test, 1, atomic_read(&s->calls));
	KUNIT_EXPECT_EQ(test, 0xc0, s->rec[0].rid);
	KUNIT_EXPECT_EQ(test, 3, s->rec[0].pasid);
	/* no request named as failed: the group's last one */
	KUNIT_EXPECT_EQ(test, 0x30000, s->rec[0].addr);
	KUNIT_EXPECT_EQ(test, IOMMU_PAGE_RESP_INVALID, s->rec[0].code);
	KUNIT_EXPECT_EQ(test, IOPF_FAILURE_RESPONSE, s->rec[0].source);
}

static void iopf_notify_test_group_abort_failure(struct kunit *test)
{
	struct iommu_device *iommu = &ctx_of(test)->iommu;
	struct device *dev = fake_dev1(test, iommu, 0xc1);
	struct fake_group *g = fake_group(test, dev, 0xc1);
	struct sink *s = sink_new(test);

	KUNIT_ASSERT_EQ(test, 0, iopf_failure_notifier_register(dev, sink_fn, s));
	/* what iommu_report_device_fault() sends on its abort path */
	iopf_group_response(&g->group, IOMMU_PAGE_RESP_FAILURE);
	iopf_notify_flush();
	KUNIT_ASSERT_EQ(test, 1, atomic_read(&s->calls));
	KUNIT_EXPECT_EQ(test, IOMMU_PAGE_RESP_FAILURE, s->rec[0].code);
}

static void iopf_notify_test_group_success_silent(struct kunit *test)
{
	struct iommu_device *iommu = &ctx_of(test)->iommu;
	struct device *dev = fake_dev1(test, iommu, 0xc2);
	struct fake_group *g = fake_group(test, dev, 0xc2);
	struct iopf_notify_counts c;
	struct sink *s = sink_new(test);

	KUNIT_ASSERT_EQ(test, 0, iopf_failure_notifier_register(dev, sink_fn, s));
	iopf_group_response(&g->group, IOMMU_PAGE_RESP_SUCCESS);
	iopf_notify_flush();
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&responses));
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&s->calls));
	KUNIT_ASSERT_EQ(test, 0, iopf_notify_counts(dev, &c));
	KUNIT_EXPECT_EQ(test, 0, c.generated);
}

static void iopf_notify_test_group_names_failed_request(struct kunit *test)
{
	struct iommu_device *iommu = &ctx_of(test)->iommu;
	struct device *dev = fake_dev1(test, iommu, 0xc3);
	struct fake_group *g = fake_group(test, dev, 0xc3);
	struct sink *s = sink_new(test);

	KUNIT_ASSERT_EQ(test, 0, iopf_failure_notifier_register(dev, sink_fn, s));
	/* the second request of a three-page group failed */
	g->group.failed = &g->more[1];
	iopf_group_response(&g->group, IOMMU_PAGE_RESP_INVALID);
	iopf_notify_flush();
	KUNIT_ASSERT_EQ(test, 1, atomic_read(&s->calls));
	KUNIT_EXPECT_EQ(test, 0x20000, s->rec[0].addr);
}

static void no_handler_case(struct kunit *test, bool with_pasid)
{
	struct iommu_device *iommu = &ctx_of(test)->iommu;
	struct device *dev = fake_dev1(test, iommu, 0xd0);
	struct iopf_fault evt = {};
	struct iommu_group *group;
	struct sink *s = sink_new(test);

	group = iommu_group_alloc();
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, group);
	dev->iommu_group = group;
	KUNIT_ASSERT_EQ(test, 0, iopf_failure_notifier_register(dev, sink_fn, s));
	evt.fault.type = IOMMU_FAULT_PAGE_REQ;
	evt.fault.prm.flags = IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE;
	if (with_pasid)
		evt.fault.prm.flags |= IOMMU_FAULT_PAGE_REQUEST_PASID_VALID;
	evt.fault.prm.pasid = with_pasid ? 9 : 0;
	evt.fault.prm.addr = 0xabc000;
	evt.fault.rid = 0xd0;
	KUNIT_EXPECT_EQ(test, -EINVAL, iommu_report_device_fault(dev, &evt));
	iopf_notify_flush();
	dev->iommu_group = NULL;
	iommu_group_put(group);
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&responses));
	KUNIT_EXPECT_EQ(test, IOMMU_PAGE_RESP_INVALID, READ_ONCE(last_response));
	KUNIT_ASSERT_EQ(test, 1, atomic_read(&s->calls));
	KUNIT_EXPECT_EQ(test, 0xabc000, s->rec[0].addr);
	KUNIT_EXPECT_EQ(test, with_pasid ? 9 : 0, s->rec[0].pasid);
	KUNIT_EXPECT_EQ(test, IOMMU_PAGE_RESP_INVALID, s->rec[0].code);
	KUNIT_EXPECT_EQ(test, IOPF_FAILURE_NO_HANDLER, s->rec[0].source);
}

static void iopf_notify_test_no_handler_pasid(struct kunit *test)
{
	no_handler_case(test, true);
}

static void iopf_notify_test_no_handler_rid(struct kunit *test)
{
	no_handler_case(test, false);
}

static struct kunit_case iopf_notify_test_cases[] = {
	KUNIT_CASE(iopf_notify_test_null_fn_einval),
	KUNIT_CASE(iopf_notify_test_no_iommu_enodev),
	KUNIT_CASE(iopf_notify_test_no_page_response_enodev),
	KUNIT_CASE(iopf_notify_test_no_rid_enodev),
	KUNIT_CASE(iopf_notify_test_rid_taken_ebusy),
	KUNIT_CASE(iopf_notify_test_register_twice_ebusy),
	KUNIT_CASE(iopf_notify_test_alloc_failure_enomem),
	KUNIT_CASE(iopf_notify_test_unregister_unknown_noop),
	KUNIT_CASE(iopf_notify_test_reregister_after_unregister),
	KUNIT_CASE(iopf_notify_test_delivers_all_fields),
	KUNIT_CASE(iopf_notify_test_callback_context),
	KUNIT_CASE(iopf_notify_test_unknown_rid_ignored),
	KUNIT_CASE(iopf_notify_test_rid_isolation),
	KUNIT_CASE(iopf_notify_test_all_rids_covered),
	KUNIT_CASE(iopf_notify_test_per_iommu_tables),
	KUNIT_CASE(iopf_notify_test_static_key),
	KUNIT_CASE(iopf_notify_test_debugfs_counters),
	KUNIT_CASE(iopf_notify_test_tracepoint),
	KUNIT_CASE(iopf_notify_test_ring_overflow),
	KUNIT_CASE(iopf_notify_test_reporter_never_waits),
	KUNIT_CASE(iopf_notify_test_unregister_waits_for_callback),
	KUNIT_CASE(iopf_notify_test_unregister_with_pending),
	KUNIT_CASE_SLOW(iopf_notify_test_race_all_cpus),
	KUNIT_CASE(iopf_notify_test_group_response_failure),
	KUNIT_CASE(iopf_notify_test_group_abort_failure),
	KUNIT_CASE(iopf_notify_test_group_success_silent),
	KUNIT_CASE(iopf_notify_test_group_names_failed_request),
	KUNIT_CASE(iopf_notify_test_no_handler_pasid),
	KUNIT_CASE(iopf_notify_test_no_handler_rid),
	{}
};

static struct kunit_suite iopf_notify_test_suite = {
	.name = "iommu_iopf_notify",
	.init = iopf_notify_test_init,
	.test_cases = iopf_notify_test_cases,
};

kunit_test_suite(iopf_notify_test_suite);

MODULE_DESCRIPTION("KUnit tests for failed I/O page fault notification");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
