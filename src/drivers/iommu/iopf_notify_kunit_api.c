// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite iommu_iopf_notify: registration, bad input, delivery and
 * observability (static key, debugfs, tracepoint). See
 * iopf_notify_kunit_lib.c.
 */

#include <kunit/test.h>
#include <linux/debugfs.h>
#include <linux/jump_label.h>
#include <linux/ktime.h>
#include <linux/tracepoint.h>
#include <trace/events/iopf_notify.h>

#include "iopf_notify_kunit.h"

/* --- registration errors: one row per way to get it wrong */

struct reg_error {
	const char *name;
	struct device *(*setup)(struct kunit *test);
	bool null_fn;
	int err;
};

static struct device *dev_plain(struct kunit *test)
{
	return fake_dev1(test, &ctx_of(test)->iommu, 0x11);
}

static struct device *dev_null(struct kunit *test)
{
	return NULL;
}

static struct device *dev_no_dev_iommu(struct kunit *test)
{
	return fake_dev(test, NULL, NULL, 0);
}

static struct device *dev_no_iommu_instance(struct kunit *test)
{
	struct device *dev = dev_plain(test);

	dev->iommu->iommu_dev = NULL;
	return dev;
}

static struct device *dev_no_page_response(struct kunit *test)
{
	return fake_dev1(test, &ctx_of(test)->no_prq, 0x11);
}

static struct device *dev_no_rid(struct kunit *test)
{
	return fake_dev(test, &ctx_of(test)->iommu, NULL, 0);
}

static struct device *dev_registered(struct kunit *test)
{
	struct device *dev = dev_plain(test);

	reg(test, dev, sink_new(test));
	return dev;
}

/* The second RID of the new device is taken: the first must roll back */
static struct device *dev_rid_taken(struct kunit *test)
{
	static const u32 rids[] = { 0x12, 0x11 };

	reg(test, dev_plain(test), sink_new(test));
	return fake_dev(test, &ctx_of(test)->iommu, rids, ARRAY_SIZE(rids));
}

static struct device *dev_vf_with_pri(struct kunit *test)
{
	return fake_pci_dev(test, true, true);
}

static const struct reg_error reg_errors[] = {
	{ "NULL device", dev_null, false, -ENODEV },
	{ "NULL callback", dev_plain, true, -EINVAL },
	{ "no dev_iommu", dev_no_dev_iommu, false, -ENODEV },
	{ "no IOMMU instance", dev_no_iommu_instance, false, -ENODEV },
	{ "IOMMU without page_response", dev_no_page_response, false, -ENODEV },
	{ "no requester ID", dev_no_rid, false, -ENODEV },
	{ "device registered already", dev_registered, false, -EBUSY },
	{ "requester ID of another device", dev_rid_taken, false, -EBUSY },
	{ "PCI VF with PRI", dev_vf_with_pri, false, -EINVAL },
};

KUNIT_ARRAY_PARAM_DESC(reg_errors, reg_errors, name);

const void *iopf_notify_test_register_errors_params(struct kunit *test,
						    const void *prev,
						    char *desc)
{
	return reg_errors_gen_params(test, prev, desc);
}

void iopf_notify_test_register_errors(struct kunit *test)
{
	const struct reg_error *p = test->param_value;
	struct fake_ctx *ctx = ctx_of(test);
	struct device *dev = p->setup(test);
	unsigned int slots = nr_slots(&ctx->iommu.iommu);
	int key = key_count();
	struct iopf_notifier *n;

	n = iopf_failure_notifier_register(dev, p->null_fn ? NULL : sink_fn,
					   sink_new(test));
	if (!IS_ERR(n)) {
		iopf_failure_notifier_unregister(n);
		KUNIT_FAIL_AND_ABORT(test, "%s: registration succeeded, expected %d",
				     p->name, p->err);
	}
	KUNIT_EXPECT_EQ_MSG(test, PTR_ERR(n), p->err, "%s: wrong error",
			    p->name);
	KUNIT_EXPECT_EQ_MSG(test, nr_slots(&ctx->iommu.iommu), slots,
			    "%s: a failed registration changed the RID table",
			    p->name);
	KUNIT_EXPECT_EQ_MSG(test, key_count(), key,
			    "%s: a failed registration changed the static key",
			    p->name);
	/* a partial registration rolled back: its other RID is free */
	if (p->setup == dev_rid_taken)
		KUNIT_EXPECT_NULL_MSG(test,
				      xa_load(&ctx->iommu.iommu.iopf_notifiers, 0x12),
				      "RID 0x12 kept after the failed registration");
}

/* --- calls that must do nothing: a registration next to them is untouched */

struct noop_input {
	const char *name;
	void (*call)(struct kunit *test);
};

static void unregister_null(struct kunit *test)
{
	iopf_failure_notifier_unregister(NULL);
}

static void unregister_err_ptr(struct kunit *test)
{
	iopf_failure_notifier_unregister(ERR_PTR(-ENODEV));
}

static void report_unknown_rid(struct kunit *test)
{
	report(&ctx_of(test)->iommu.iommu, 0x13, 0);
}

static void report_other_iommu(struct kunit *test)
{
	report(&ctx_of(test)->iommu2.iommu, 0x12, 0);
}

static void pasid_gone_no_dev_iommu(struct kunit *test)
{
	__iopf_notify_pasid_gone(fake_dev(test, NULL, NULL, 0), 0x42);
}

/* Same RID as the registered device, but another device */
static void pasid_gone_stranger(struct kunit *test)
{
	__iopf_notify_pasid_gone(fake_dev1(test, &ctx_of(test)->iommu, 0x12),
				 0x42);
}

static void release_no_dev_iommu(struct kunit *test)
{
	__iopf_notify_device_release(fake_dev(test, NULL, NULL, 0));
}

static void release_stranger(struct kunit *test)
{
	__iopf_notify_device_release(fake_dev1(test, &ctx_of(test)->iommu,
					       0x12));
}

static const struct noop_input noop_inputs[] = {
	{ "unregister NULL", unregister_null },
	{ "unregister an error pointer", unregister_err_ptr },
	{ "report an unknown RID", report_unknown_rid },
	{ "report the RID on another IOMMU", report_other_iommu },
	{ "PASID gone, device without dev_iommu", pasid_gone_no_dev_iommu },
	{ "PASID gone, unregistered device, same RID", pasid_gone_stranger },
	{ "release a device without dev_iommu", release_no_dev_iommu },
	{ "release an unregistered device, same RID", release_stranger },
};

KUNIT_ARRAY_PARAM_DESC(noop_inputs, noop_inputs, name);

const void *iopf_notify_test_bad_input_noops_params(struct kunit *test,
						    const void *prev,
						    char *desc)
{
	return noop_inputs_gen_params(test, prev, desc);
}

void iopf_notify_test_bad_input_noops(struct kunit *test)
{
	const struct noop_input *p = test->param_value;
	struct fake_ctx *ctx = ctx_of(test);
	struct device *dev = fake_dev1(test, &ctx->iommu, 0x12);
	struct sink *s = sink_new(test);
	struct iopf_notify_counts c;
	struct iopf_notifier *n;
	int key;

	n = reg(test, dev, s);
	key = key_count();
	p->call(test);
	KUNIT_EXPECT_PTR_EQ_MSG(test, xa_load(&ctx->iommu.iommu.iopf_notifiers, 0x12),
				n, "%s: the registered RID lost its slot",
				p->name);
	KUNIT_EXPECT_EQ_MSG(test, key_count(), key,
			    "%s: changed the static key", p->name);
	report(&ctx->iommu.iommu, 0x12, 0x1000);
	iopf_notify_flush(n);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&s->calls), 1,
			    "%s: the registration next to it lost its record",
			    p->name);
	counts_of(test, n, &c);
	KUNIT_EXPECT_EQ_MSG(test, c.generated, 1,
			    "%s: counted for the registration", p->name);
	KUNIT_EXPECT_EQ_MSG(test, c.stale, 0, "%s: made a record stale",
			    p->name);
}

/* --- registration lifetime in the table */

void iopf_notify_test_reregister(struct kunit *test)
{
	struct fake_iommu *fi = &ctx_of(test)->iommu;
	struct device *a = fake_dev1(test, fi, 4);
	struct device *b = fake_dev1(test, fi, 4);
	struct sink *sa = sink_new(test), *sb = sink_new(test);

	reg(test, a, sa);
	unreg(test, sa);
	KUNIT_EXPECT_NULL_MSG(test, xa_load(&fi->iommu.iopf_notifiers, 4),
			      "unregister left the slot");
	/* the same device again, then another device with the same RID */
	reg(test, a, sa);
	unreg(test, sa);
	reg(test, b, sb);
	report(&fi->iommu, 4, 0x2000);
	iopf_notify_flush(sb->n);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&sb->calls), 1,
			    "the new owner of the RID got no record");
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&sa->calls), 0,
			    "the old owner of the RID got a record");
}

/* --- delivery */

void iopf_notify_test_delivers_all_fields(struct kunit *test)
{
	struct fake_iommu *fi = &ctx_of(test)->iommu;
	struct device *dev = fake_dev1(test, fi, 0x1234);
	struct iommu_fault fault = {
		.type = IOMMU_FAULT_PAGE_REQ,
		.rid = 0x1234,
		.prm = {
			.flags = IOMMU_FAULT_PAGE_REQUEST_PASID_VALID |
				 IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE,
			.pasid = 0x5a5a,
			.grpid = 0x1ff,
			.perm = IOMMU_FAULT_PERM_READ | IOMMU_FAULT_PERM_EXEC,
			.addr = 0x7fff12345000ULL,
		},
	};
	struct sink *s = sink_new(test);
	struct iopf_failure *f = &s->rec[0];
	struct iopf_notifier *n = reg(test, dev, s);
	u64 before = ktime_get_ns(), after;

	__iopf_report_failure(&fi->iommu, &fault, IOMMU_PAGE_RESP_FAILURE,
			      IOPF_FAILURE_REJECTED);
	iopf_notify_flush(n);
	after = ktime_get_ns();
	KUNIT_ASSERT_EQ_MSG(test, atomic_read(&s->calls), 1,
			    "one failure, %d callbacks", atomic_read(&s->calls));
	KUNIT_EXPECT_EQ_MSG(test, f->rid, 0x1234, "rid");
	KUNIT_EXPECT_EQ_MSG(test, f->pasid, 0x5a5a, "pasid");
	KUNIT_EXPECT_EQ_MSG(test, f->grpid, 0x1ff, "grpid");
	KUNIT_EXPECT_EQ_MSG(test, f->perm, fault.prm.perm, "perm");
	KUNIT_EXPECT_EQ_MSG(test, f->flags, fault.prm.flags, "flags");
	KUNIT_EXPECT_EQ_MSG(test, f->addr, fault.prm.addr, "addr");
	KUNIT_EXPECT_EQ_MSG(test, f->code, IOMMU_PAGE_RESP_FAILURE, "code");
	KUNIT_EXPECT_EQ_MSG(test, f->source, IOPF_FAILURE_REJECTED, "source");
	KUNIT_EXPECT_TRUE_MSG(test, f->timestamp >= before &&
			      f->timestamp <= after,
			      "timestamp %llu outside [%llu, %llu]",
			      f->timestamp, before, after);
	KUNIT_EXPECT_TRUE_MSG(test, iopf_failure_current(n, f),
			      "a record whose PASID never went is not current");
}

/* Reports from atomic contexts; callbacks in sleepable process context */
void iopf_notify_test_callback_context(struct kunit *test)
{
	struct fake_iommu *fi = &ctx_of(test)->iommu;
	struct device *dev = fake_dev1(test, fi, 0x20);
	struct sink *s = sink_new(test);
	struct iopf_notifier *n = reg(test, dev, s);
	unsigned long flags;

	local_irq_save(flags);
	report(&fi->iommu, 0x20, 0x1000);
	local_irq_restore(flags);
	preempt_disable();
	report(&fi->iommu, 0x20, 0x2000);
	preempt_enable();
	rcu_read_lock();
	report(&fi->iommu, 0x20, 0x3000);
	rcu_read_unlock();
	iopf_notify_flush(n);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&s->calls), 3, "callbacks");
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&s->bad_context), 0,
			    "callbacks outside sleepable process context");
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&s->concurrent), 0,
			    "callbacks of one registration overlapped");
	KUNIT_EXPECT_NOT_NULL_MSG(test, READ_ONCE(s->work),
				  "callback not run from a work item");
}

void iopf_notify_test_unknown_rid_ignored(struct kunit *test)
{
	struct fake_ctx *ctx = ctx_of(test);
	struct device *dev = fake_dev1(test, &ctx->iommu, 0x30);
	struct sink *s = sink_new(test);
	struct iopf_notifier *n = reg(test, dev, s);
	struct iopf_notify_counts c;

	report(&ctx->iommu.iommu, 0x31, 0x1000);
	report(&ctx->iommu2.iommu, 0x30, 0x1000);
	iopf_notify_flush(n);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&s->calls), 0,
			    "a record for another RID or IOMMU was delivered");
	counts_of(test, n, &c);
	KUNIT_EXPECT_EQ_MSG(test, c.generated, 0, "counted for a stranger");
}

void iopf_notify_test_rid_isolation(struct kunit *test)
{
	struct fake_iommu *fi = &ctx_of(test)->iommu;
	static const u32 a_rids[] = { 0x100, 0x101 };
	struct device *a = fake_dev(test, fi, a_rids, ARRAY_SIZE(a_rids));
	struct device *b = fake_dev1(test, fi, 0x102);
	struct sink *sa = sink_new(test), *sb = sink_new(test);
	struct iopf_notifier *na = reg(test, a, sa), *nb = reg(test, b, sb);
	unsigned int i;

	for (i = 0; i < 30; i++)
		report(&fi->iommu, 0x100 + i % 3, (u64)i << PAGE_SHIFT);
	iopf_notify_flush(na);
	iopf_notify_flush(nb);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&sa->calls), 20, "device A");
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&sb->calls), 10, "device B");
	for (i = 0; i < sa->nr; i++)
		KUNIT_EXPECT_NE_MSG(test, sa->rec[i].rid, 0x102,
				    "A got B's record %u", i);
	for (i = 0; i < sb->nr; i++)
		KUNIT_EXPECT_EQ_MSG(test, sb->rec[i].rid, 0x102,
				    "B got A's record %u", i);
}

/* Every requester ID of a device takes a slot; duplicates take one */
void iopf_notify_test_all_rids_covered(struct kunit *test)
{
	struct fake_iommu *fi = &ctx_of(test)->iommu;
	static const u32 rids[] = { 0x200, 0x208, 0x200, 0x2ff };
	struct device *dev = fake_dev(test, fi, rids, ARRAY_SIZE(rids));
	struct sink *s = sink_new(test);
	struct iopf_notifier *n = reg(test, dev, s);

	KUNIT_EXPECT_EQ_MSG(test, nr_slots(&fi->iommu), 3, "slots");
	report(&fi->iommu, 0x200, 0x1000);
	report(&fi->iommu, 0x208, 0x2000);
	report(&fi->iommu, 0x2ff, 0x3000);
	iopf_notify_flush(n);
	KUNIT_ASSERT_EQ_MSG(test, atomic_read(&s->calls), 3, "callbacks");
	KUNIT_EXPECT_EQ(test, s->rec[0].rid, 0x200);
	KUNIT_EXPECT_EQ(test, s->rec[1].rid, 0x208);
	KUNIT_EXPECT_EQ(test, s->rec[2].rid, 0x2ff);
	unreg(test, s);
	KUNIT_EXPECT_EQ_MSG(test, nr_slots(&fi->iommu), 0,
			    "unregister left slots");
}

void iopf_notify_test_per_iommu_tables(struct kunit *test)
{
	struct fake_ctx *ctx = ctx_of(test);
	struct device *a = fake_dev1(test, &ctx->iommu, 0x10);
	struct device *b = fake_dev1(test, &ctx->iommu2, 0x10);
	struct sink *sa = sink_new(test), *sb = sink_new(test);
	struct iopf_notifier *na = reg(test, a, sa), *nb = reg(test, b, sb);

	report(&ctx->iommu2.iommu, 0x10, 0x1000);
	iopf_notify_flush(na);
	iopf_notify_flush(nb);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&sa->calls), 0,
			    "the same RID behind another IOMMU got it");
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&sb->calls), 1,
			    "the RID behind the reporting IOMMU missed it");
}

/* --- observability */

void iopf_notify_test_static_key(struct kunit *test)
{
	struct device *dev = fake_dev1(test, &ctx_of(test)->iommu, 0x40);
	struct sink *s = sink_new(test);
	int before = key_count();

	reg(test, dev, s);
	KUNIT_EXPECT_EQ_MSG(test, key_count(), before + 1,
			    "a registration does not take the static key");
	unreg(test, s);
	KUNIT_EXPECT_EQ_MSG(test, key_count(), before,
			    "unregister does not drop the static key");
}

void iopf_notify_test_debugfs(struct kunit *test)
{
	struct fake_iommu *fi = &ctx_of(test)->iommu;
	struct device *a = fake_dev1(test, fi, 0x50);
	struct device *b = fake_dev1(test, fi, 0x51);
	struct sink *sa = sink_new(test), *sb = sink_new(test);
	struct dentry *dir, *file;

	if (!IS_ENABLED(CONFIG_IOMMU_DEBUGFS))
		kunit_skip(test, "CONFIG_IOMMU_DEBUGFS is off");
	reg(test, a, sa);
	reg(test, b, sb);
	dir = debugfs_lookup("iopf_notify", iommu_debugfs_dir);
	KUNIT_ASSERT_NOT_ERR_OR_NULL_MSG(test, dir, "no iommu/iopf_notify");
	file = debugfs_lookup(dev_name(a), dir);
	KUNIT_EXPECT_NOT_ERR_OR_NULL_MSG(test, file, "no file while registered");
	dput(file);
	unreg(test, sa);
	file = debugfs_lookup(dev_name(a), dir);
	KUNIT_EXPECT_NULL_MSG(test, file, "file left after unregister");
	dput(file);
	/* the release of a device still registered removes it too */
	__iopf_notify_device_release(b);
	file = debugfs_lookup(dev_name(b), dir);
	KUNIT_EXPECT_NULL_MSG(test, file, "file left after the device release");
	dput(file);
	dput(dir);
}

static struct {
	const struct iommu_device *iommu;
	atomic_t hits;
	u32 rid;
	bool queued;
	char device[96];
} traced;

static void probe_iopf_failure(void *data, const struct iommu_device *iommu,
			       const char *device,
			       const struct iommu_fault *fault,
			       enum iommu_page_response_code code,
			       enum iopf_failure_source source, bool queued)
{
	if (iommu != traced.iommu)
		return;
	WRITE_ONCE(traced.rid, fault->rid);
	WRITE_ONCE(traced.queued, queued);
	strscpy(traced.device, device ?: "-");
	atomic_inc(&traced.hits);
}

void iopf_notify_test_tracepoint(struct kunit *test)
{
	struct fake_iommu *fi = &ctx_of(test)->iommu;
	struct device *dev = fake_dev1(test, fi, 0x60);
	struct sink *s = sink_new(test);
	int before = key_count();

	traced.iommu = &fi->iommu;
	atomic_set(&traced.hits, 0);
	KUNIT_ASSERT_EQ(test, 0,
			register_trace_iopf_failure(probe_iopf_failure, NULL));
	KUNIT_EXPECT_EQ_MSG(test, key_count(), before + 1,
			    "the tracepoint alone does not turn the hooks on");
	report(&fi->iommu, 0x61, 0x1000);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&traced.hits), 1,
			    "an unregistered RID was not traced");
	KUNIT_EXPECT_EQ(test, READ_ONCE(traced.rid), 0x61);
	KUNIT_EXPECT_FALSE_MSG(test, READ_ONCE(traced.queued),
			       "queued for an unregistered RID");
	KUNIT_EXPECT_STREQ(test, traced.device, "-");
	reg(test, dev, s);
	report(&fi->iommu, 0x60, 0x1000);
	KUNIT_EXPECT_TRUE_MSG(test, READ_ONCE(traced.queued),
			      "not queued for a registered RID");
	KUNIT_EXPECT_STREQ(test, traced.device, dev_name(dev));
	unregister_trace_iopf_failure(probe_iopf_failure, NULL);
	tracepoint_synchronize_unregister();
	report(&fi->iommu, 0x60, 0x2000);
	iopf_notify_flush(s->n);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&traced.hits), 2,
			    "traced after the probe was unregistered");
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&s->calls), 2,
			    "delivery depends on the tracepoint");
	unreg(test, s);
	KUNIT_EXPECT_EQ_MSG(test, key_count(), before,
			    "static key not back after probe and registration");
}
