// SPDX-License-Identifier: GPL-2.0
/* Registration: error codes, the life of a registration, debugfs, tracepoint. */
#include <stdlib.h>
#include <string.h>

#include <linux/debugfs.h>
#include "fixture.h"
#include <trace/events/iopf_notify.h>

/* ring_size out of 16..65536 at the first registration: warned, 128 used */
void ring_size_out_of_range(void)
{
	struct device *dev = fake_dev1(&iommu, 1);
	struct iopf_notifier *n;

	*shim_param_ring_size = 5;
	n = reg(dev, sink_new());
	ASSERT(!IS_ERR(n));
	EXPECT_EQ(128, iopf_notify_ring_capacity(n));
	EXPECT_EQ(128, *shim_param_ring_size);
}

void null_fn_einval(void)
{
	struct device *dev = fake_dev1(&iommu, 1);

	EXPECT_EQ(-EINVAL, PTR_ERR(iopf_failure_notifier_register(dev, NULL, NULL)));
}

void no_iommu_enodev(void)
{
	struct device *dev = fake_dev(NULL, NULL, 0);

	EXPECT_EQ(-ENODEV, PTR_ERR(iopf_failure_notifier_register(dev, sink_fn,
								  sink_new())));
	EXPECT_EQ(-ENODEV, PTR_ERR(iopf_failure_notifier_register(NULL, sink_fn,
								  NULL)));
}

void no_page_response_enodev(void)
{
	struct device *dev = fake_dev1(&iommu_no_prq, 1);

	EXPECT_EQ(-ENODEV, PTR_ERR(iopf_failure_notifier_register(dev, sink_fn,
								  sink_new())));
}

void no_rid_enodev(void)
{
	struct device *dev = fake_dev(&iommu, NULL, 0);

	EXPECT_EQ(-ENODEV, PTR_ERR(iopf_failure_notifier_register(dev, sink_fn,
								  sink_new())));
}

void rid_taken_ebusy(void)
{
	static const u32 b_rids[] = { 6, 5 };
	struct device *a = fake_dev1(&iommu, 5);
	struct device *b = fake_dev(&iommu, b_rids, 2);
	struct device *c = fake_dev1(&iommu, 6);
	struct iopf_notifier *nc;

	ASSERT(!IS_ERR(reg(a, sink_new())));
	EXPECT_EQ(-EBUSY, PTR_ERR(iopf_failure_notifier_register(b, sink_fn,
								 sink_new())));
	/* b's slot 6 was rolled back: c can take it */
	nc = reg(c, sink_new());
	EXPECT(!IS_ERR(nc));
	EXPECT(xa_load(&iommu.iopf_notifiers, 7) == NULL);
	if (!IS_ERR(nc))
		unreg(nc);
	EXPECT(xa_load(&iommu.iopf_notifiers, 6) == NULL);
}

void register_twice_ebusy(void)
{
	struct device *dev = fake_dev1(&iommu, 9);

	ASSERT(!IS_ERR(reg(dev, sink_new())));
	EXPECT_EQ(-EBUSY, PTR_ERR(iopf_failure_notifier_register(dev, sink_fn,
								 sink_new())));
}

void alloc_failure_enomem(void)
{
	/* more RIDs than kmalloc() can hold: the notifier allocation fails */
	const unsigned int nr = 1U << 22;
	struct device *dev = fake_dev1(&iommu, 1);
	struct iommu_fwspec *fwspec, *saved = dev->iommu->fwspec;

	fwspec = calloc(1, sizeof(*fwspec) + nr * sizeof(u32));
	ASSERT(fwspec);
	fwspec->num_ids = nr;
	dev->iommu->fwspec = fwspec;
	EXPECT_EQ(-ENOMEM, PTR_ERR(iopf_failure_notifier_register(dev, sink_fn,
								  sink_new())));
	dev->iommu->fwspec = saved;
	free(fwspec);
	EXPECT(xa_empty(&iommu.iopf_notifiers));
}

void unregister_null_noop(void)
{
	struct device *a = fake_dev1(&iommu, 3);
	struct sink *s = sink_new();

	ASSERT(!IS_ERR(reg(a, s)));
	iopf_failure_notifier_unregister(NULL);
	iopf_failure_notifier_unregister(ERR_PTR(-ENODEV));
	report(&iommu, 3, 0x1000);
	shim_wq_quiesce();
	EXPECT_EQ(1, aread(&s->calls));
}

void reregister_after_unregister(void)
{
	struct device *a = fake_dev1(&iommu, 4);
	struct device *b = fake_dev1(&iommu, 4);
	struct iopf_notifier *na;
	struct sink *s = sink_new();

	na = reg(a, sink_new());
	ASSERT(!IS_ERR(na));
	unreg(na);
	ASSERT(!IS_ERR(reg(b, s)));
	report(&iommu, 4, 0x2000);
	shim_wq_quiesce();
	EXPECT_EQ(1, aread(&s->calls));
}

void static_key(void)
{
	struct device *dev = fake_dev1(&iommu, 0x40);
	struct iopf_notifier *n;

	EXPECT(!static_key_enabled(&iopf_failure_notify_key));
	n = reg(dev, sink_new());
	ASSERT(!IS_ERR(n));
	EXPECT(static_key_enabled(&iopf_failure_notify_key));
	unreg(n);
	EXPECT(!static_key_enabled(&iopf_failure_notify_key));
}

void debugfs_counters(void)
{
	struct device *dev = fake_dev1(&iommu, 0x50);
	struct iopf_notifier *n;
	char buf[256];

	n = reg(dev, sink_new());
	ASSERT(!IS_ERR(n));
	report(&iommu, 0x50, 0x1000);
	report(&iommu, 0x50, 0x2000);
	shim_wq_quiesce();
	ASSERT_EQ(0, shim_debugfs_read(dev_name(dev), buf, sizeof(buf)));
	EXPECT_MSG(strstr(buf, "rids: 0x50\nring: 128\ngenerated: 2\ndelivered: 2\noverflow: 0\nstale: 0\n"),
		   "debugfs file reads:\n%s", buf);
	unreg(n);
	EXPECT_EQ(-ENOENT, shim_debugfs_read(dev_name(dev), buf, sizeof(buf)));
}

static int traced, traced_queued, traced_named;
static u32 traced_rid;

static void probe_iopf_failure(void *data, const struct iommu_device *iommu,
			       const char *device,
			       const struct iommu_fault *fault,
			       enum iommu_page_response_code code,
			       enum iopf_failure_source source, bool queued)
{
	if (iommu != data)
		return;
	__atomic_store_n(&traced_rid, fault->rid, __ATOMIC_RELAXED);
	if (queued)
		ainc(&traced_queued);
	if (device)
		ainc(&traced_named);
	ainc(&traced);
}

void tracepoint(void)
{
	struct device *dev = fake_dev1(&iommu, 0x60);
	struct sink *s = sink_new();

	traced = traced_queued = traced_named = 0;
	ASSERT_EQ(0, register_trace_iopf_failure(probe_iopf_failure, &iommu));
	/* the tracepoint alone turns the hooks on: unregistered RIDs are traced */
	EXPECT(static_key_enabled(&iopf_failure_notify_key));
	report(&iommu, 0x61, 0x1000);
	EXPECT_EQ(0x61, traced_rid);
	EXPECT_EQ(0, aread(&traced_named));
	ASSERT(!IS_ERR(reg(dev, s)));
	report(&iommu, 0x60, 0x1000);
	EXPECT_EQ(1, aread(&traced_queued));
	EXPECT_EQ(1, aread(&traced_named));
	unregister_trace_iopf_failure(probe_iopf_failure, &iommu);
	tracepoint_synchronize_unregister();
	report(&iommu, 0x60, 0x1000);
	shim_wq_quiesce();
	EXPECT_EQ(2, aread(&traced));
	EXPECT_EQ(2, aread(&s->calls));
}
