// SPDX-License-Identifier: GPL-2.0
/*
 * iopf_torture mode=badinput: every exported function of the notifier, and
 * of the mock, called with bad arguments; one line per case:
 *   badinput case=NAME call=CALL expect=E got=G PASS|FAIL
 * Expected values are errnos (0 for a handle), callback counts (report_*)
 * or 1 for "true"; void functions must return and leave the system usable.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/log2.h>
#include <linux/slab.h>

#include "iopf_torture.h"

static unsigned int iopf_torture_bad_failed;

static void iopf_torture_bad(const char *name, const char *call, long expect,
			     long got)
{
	bool ok = expect == got;

	if (!ok)
		iopf_torture_bad_failed++;
	pr_info("badinput case=%s call=%s expect=%ld got=%ld %s\n", name, call,
		expect, got, ok ? "PASS" : "FAIL");
}

/* 0 for a handle, the errno of an error pointer */
static long iopf_torture_bad_ret(struct iopf_notifier *n)
{
	return IS_ERR(n) ? PTR_ERR(n) : 0;
}

static void iopf_torture_bad_cb(const struct iopf_failure *f, void *data)
{
	atomic_long_inc(data);
}

/*
 * Report one failure from @rid and return how many callbacks it caused on
 * @count, the data of registration @n (whose records are then flushed)
 */
static long iopf_torture_bad_report(u32 rid, struct iopf_notifier *n,
				    atomic_long_t *count)
{
	long before = atomic_long_read(count);
	struct iopf_fault evt;

	iopf_torture_fault(&evt, rid, 1, 0, 0);
	iopf_torture_reject(&evt);
	/* Without a registration the lookup has already failed */
#if IOPF_TORTURE_HAS_COUNTS
	if (n)
		iopf_notify_flush(n);
#else
	if (n)
		msleep(50);
#endif
	return atomic_long_read(count) - before;
}

/* A registration expected to fail; undone if it does not */
static void iopf_torture_bad_reg(const char *name, const char *call,
				 long expect, struct device *dev,
				 iopf_failure_fn fn, void *data)
{
	struct iopf_notifier *n = iopf_failure_notifier_register(dev, fn, data);

	iopf_torture_bad(name, call, expect, iopf_torture_bad_ret(n));
	if (!IS_ERR(n))
		iopf_failure_notifier_unregister(n);
}

static void iopf_torture_bare_release(struct device *dev)
{
	kfree(dev);
}

static struct iopf_mock_dev *iopf_torture_bad_dev(const u32 *rids,
						  unsigned int nr)
{
	struct iopf_mock_dev *mdev;

	mdev = iopf_mock_dev_create(&iopf_tt.mock, rids, nr);
	if (IS_ERR(mdev)) {
		pr_err("badinput: mock device: %ld\n", PTR_ERR(mdev));
		iopf_torture_bad_failed++;
		return NULL;
	}
	return mdev;
}

/* Registrations on a device that is gone, and on one with 65536 RIDs */
static void iopf_torture_bad_devices(atomic_long_t *count)
{
	const u32 rg[] = { IOPF_TORTURE_BAD_RID + 2 };
	unsigned int i, nr_many = 65536;
	struct iopf_mock_dev *gone, *big = NULL;
	struct iopf_notifier *n;
	u32 *many;

	gone = iopf_torture_bad_dev(rg, 1);
	if (gone) {
		get_device(&gone->dev);
		iopf_mock_dev_destroy(gone);
		n = iopf_failure_notifier_register(&gone->dev,
						   iopf_torture_bad_cb, count);
		iopf_torture_bad("register_removed_dev",
				 "register(dev_after_device_unregister,fn,data)",
				 -ENODEV, iopf_torture_bad_ret(n));
		if (!IS_ERR(n))
			iopf_failure_notifier_unregister(n);
		put_device(&gone->dev);
	}

	many = kvcalloc(nr_many, sizeof(*many), GFP_KERNEL);
	if (many) {
		for (i = 0; i < nr_many; i++)
			many[i] = 0x10000 + i;
		big = iopf_torture_bad_dev(many, nr_many);
		kvfree(many);
	}
	if (!big)
		return;
	n = iopf_failure_notifier_register(&big->dev, iopf_torture_bad_cb,
					   count);
	iopf_torture_bad("register_65536_rids", "register(dev_65536_rids,fn,data)",
			 0, iopf_torture_bad_ret(n));
	if (!IS_ERR(n)) {
		iopf_torture_bad("report_65536th_rid", "report(rid=0x1ffff)", 1,
				 iopf_torture_bad_report(0x1ffff, n, count));
		iopf_failure_notifier_unregister(n);
	}
	iopf_torture_bad("unregister_65536_rids", "unregister(dev_65536_rids)",
			 1, xa_empty(&iopf_tt.mock.iommu.iopf_notifiers));
	iopf_mock_dev_destroy(big);
}

/* The mock's own functions, and the test-only exports on a fresh handle */
static void iopf_torture_bad_mock(struct iopf_mock_dev *a,
				  atomic_long_t *count)
{
	const u32 ra[] = { IOPF_TORTURE_BAD_RID };
	struct iopf_mock other = {};

	iopf_torture_bad("mock_dev_zero_rids", "iopf_mock_dev_create(rids,0)",
			 -EINVAL, PTR_ERR(iopf_mock_dev_create(&iopf_tt.mock, ra, 0)));
	iopf_torture_bad("mock_dev_null_rids", "iopf_mock_dev_create(NULL,1)",
			 -EINVAL, PTR_ERR(iopf_mock_dev_create(&iopf_tt.mock, NULL, 1)));
	iopf_torture_bad("mock_init_twice", "iopf_mock_init(second)", -EBUSY,
			 iopf_mock_init(&other, "iopf_other", 8,
					iopf_torture_page_response));
#if IOPF_TORTURE_HAS_COUNTS
	{
		struct iopf_notify_counts c;
		struct iopf_notifier *n;
		unsigned int cap;

		n = iopf_failure_notifier_register(&a->dev, iopf_torture_bad_cb,
						   count);
		if (IS_ERR(n)) {
			iopf_torture_bad("counts_register", "register(dev,fn,data)",
					 0, PTR_ERR(n));
			return;
		}
		iopf_notify_counts(n, &c);
		iopf_torture_bad("counts_fresh_zero", "iopf_notify_counts(new)",
				 0, c.generated + c.delivered + c.overflow +
				    c.stale + c.released);
		cap = iopf_notify_ring_capacity(n);
		iopf_torture_bad("ring_capacity_pow2_16_65536",
				 "iopf_notify_ring_capacity(new)", 1,
				 is_power_of_2(cap) && cap >= 16 && cap <= 65536);
		iopf_torture_bad("idle_without_records", "iopf_notify_idle(new)",
				 1, iopf_notify_idle(n));
		iopf_failure_notifier_unregister(n);
	}
#endif
}

/**
 * iopf_torture_run_badinput() - Run mode=badinput
 *
 * Context: Process context.
 * Return: 0 once run (the verdict is printed), or a negative errno.
 */
int iopf_torture_run_badinput(void)
{
	const u32 ra[] = { IOPF_TORTURE_BAD_RID };
	const u32 rc[] = { IOPF_TORTURE_BAD_RID + 1, IOPF_TORTURE_BAD_RID };
	const u32 rd[] = { IOPF_TORTURE_BAD_RID + 1 };
	struct iopf_mock_dev *a, *b = NULL, *c = NULL, *d = NULL;
	atomic_long_t count_a = ATOMIC_LONG_INIT(0);
	atomic_long_t count_x = ATOMIC_LONG_INIT(0);
	struct iopf_notifier *na;
	struct iopf_failure rec = {};
	struct device *bare;

	bare = kzalloc_obj(*bare);
	if (!bare)
		return -ENOMEM;
	device_initialize(bare);
	bare->release = iopf_torture_bare_release;
	dev_set_name(bare, "iopf_torture_bare");

	a = iopf_torture_bad_dev(ra, 1);
	if (!a)
		goto out;

	iopf_torture_bad_reg("register_null_fn", "register(dev,NULL,data)",
			     -EINVAL, &a->dev, NULL, &count_a);
	iopf_torture_bad_reg("register_null_dev", "register(NULL,fn,data)",
			     -ENODEV, NULL, iopf_torture_bad_cb, &count_x);
	iopf_torture_bad_reg("register_null_both", "register(NULL,NULL,NULL)",
			     -EINVAL, NULL, NULL, NULL);
	iopf_torture_bad_reg("register_no_iommu", "register(dev_without_iommu,fn,data)",
			     -ENODEV, bare, iopf_torture_bad_cb, &count_x);
	na = iopf_failure_notifier_register(&a->dev, iopf_torture_bad_cb,
					    &count_a);
	iopf_torture_bad("register_ok", "register(dev,fn,data)", 0,
			 iopf_torture_bad_ret(na));
	if (IS_ERR(na))
		goto out;
	iopf_torture_bad_reg("register_twice", "register(dev,fn,data)x2",
			     -EBUSY, &a->dev, iopf_torture_bad_cb, &count_x);
	iopf_torture_bad("register_twice_keeps_first", "report(rid_of_dev)", 1,
			 iopf_torture_bad_report(ra[0], na, &count_a));

	b = iopf_torture_bad_dev(ra, 1);
	c = iopf_torture_bad_dev(rc, 2);
	d = iopf_torture_bad_dev(rd, 1);
	if (!b || !c || !d)
		goto out_na;
	iopf_torture_bad_reg("register_duplicate_rid", "register(dev_same_rid,fn,data)",
			     -EBUSY, &b->dev, iopf_torture_bad_cb, &count_x);
	iopf_torture_bad_reg("register_partial_overlap", "register(dev_rids_free+taken,fn,data)",
			     -EBUSY, &c->dev, iopf_torture_bad_cb, &count_x);
	iopf_torture_bad_reg("partial_overlap_rolled_back", "register(dev_free_rid,fn,data)",
			     0, &d->dev, iopf_torture_bad_cb, &count_x);

	iopf_failure_notifier_unregister(NULL);
	iopf_torture_bad("unregister_null", "unregister(NULL)", 0, 0);
	iopf_failure_notifier_unregister(ERR_PTR(-EBUSY));
	iopf_torture_bad("unregister_error_pointer", "unregister(ERR_PTR(-EBUSY))",
			 0, 0);
	iopf_torture_bad("unregister_error_keeps_first", "report(rid_of_dev)", 1,
			 iopf_torture_bad_report(ra[0], na, &count_a));
	iopf_torture_bad("report_unknown_rid", "report(rid=0x7fff)",
			 0, iopf_torture_bad_report(0x7fff, na, &count_a));
	iopf_torture_bad("report_rid_u32_max", "report(rid=U32_MAX)",
			 0, iopf_torture_bad_report(U32_MAX, na, &count_a));

	rec.flags = 0;
	iopf_torture_bad("current_no_pasid", "iopf_failure_current(n,record_without_pasid)",
			 1, iopf_failure_current(na, &rec));
	rec.flags = IOMMU_FAULT_PAGE_REQUEST_PASID_VALID;
	rec.pasid = 0xfffff;
	iopf_torture_bad("current_pasid_never_attached",
			 "iopf_failure_current(n,record_pasid_0xfffff)",
			 1, iopf_failure_current(na, &rec));

	iopf_failure_notifier_unregister(na);
	iopf_torture_bad("report_after_unregister", "unregister(n);report(rid)",
			 0, iopf_torture_bad_report(ra[0], NULL, &count_a));
	iopf_torture_bad("table_empty_after_unregister", "xa_empty(table)", 1,
			 xa_empty(&iopf_tt.mock.iommu.iopf_notifiers));

	iopf_torture_bad_devices(&count_x);
	iopf_torture_bad_mock(a, &count_x);
	iopf_torture_bad("table_empty_at_end", "xa_empty(table)", 1,
			 xa_empty(&iopf_tt.mock.iommu.iopf_notifiers));
	goto out;

out_na:
	iopf_failure_notifier_unregister(na);
out:
	if (d)
		iopf_mock_dev_destroy(d);
	if (c)
		iopf_mock_dev_destroy(c);
	if (b)
		iopf_mock_dev_destroy(b);
	if (a)
		iopf_mock_dev_destroy(a);
	put_device(bare);
	pr_info("%s badinput failed=%u\n",
		iopf_torture_bad_failed ? "FAIL" : "PASS", iopf_torture_bad_failed);
	return 0;
}
