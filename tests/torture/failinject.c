// SPDX-License-Identifier: GPL-2.0
/*
 * iopf_torture mode=failinject: for nth = 1, 2, ...: make the nth fault
 * injection site of this task fail (current->fail_nth, as
 * /proc/self/fail-nth and iommufd_fail_nth do) during one cycle of what a
 * driver does: mock device setup, SVA binding (which enables IOPF in the
 * attach path), registration, one failing request, unregistration. Every
 * failure must be a clean error, the notifier table empty afterwards, and
 * a registration that succeeded must see its failure exactly once. The
 * failslab and fail_page_alloc attributes (debugfs) select the sites.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "iopf_torture.h"

#ifdef CONFIG_FAULT_INJECTION
enum iopf_torture_fi_stage {
	IOPF_FI_DEV, IOPF_FI_BIND, IOPF_FI_REG, IOPF_FI_DONE, IOPF_FI_NR,
};

static const char * const iopf_torture_fi_stages[] = {
	"device_create", "sva_bind", "notifier_register", "complete",
};

/* A callback that only counts, for registrations without a slot */
static void iopf_torture_fi_cb(const struct iopf_failure *f, void *data)
{
	atomic_long_inc(data);
}

/*
 * Unregister @n; count it in @silent if a slot of @rid is still in the
 * table afterwards (the unregistration failed without a word).
 */
static void iopf_torture_fi_unregister(struct iopf_notifier *n, u32 rid,
				       unsigned int *silent)
{
	iopf_failure_notifier_unregister(n);
	if (xa_load(&iopf_tt.mock.iommu.iopf_notifiers, rid))
		(*silent)++;
}

/*
 * One cycle of the device setup and registration a driver does, with one
 * failing request in the middle. Returns the stage reached.
 */
static enum iopf_torture_fi_stage iopf_torture_fi_cycle(int *err,
							long *delivered,
							unsigned int *silent)
{
	u32 rids[2] = { IOPF_TORTURE_FI_RID, IOPF_TORTURE_FI_RID + 1 };
	enum iopf_torture_fi_stage stage = IOPF_FI_DEV;
	struct iopf_torture_reg *reg;
	struct iopf_mock_dev *mdev;
	struct iopf_notifier *n;
	struct iommu_sva *sva;
	struct iopf_fault evt;
	int ret;

	*delivered = -1;
	mdev = iopf_mock_dev_create(&iopf_tt.mock, rids, ARRAY_SIZE(rids));
	if (IS_ERR(mdev)) {
		*err = PTR_ERR(mdev);
		return stage;
	}
	stage = IOPF_FI_BIND;
	sva = iommu_sva_bind_device(&mdev->dev, iopf_tt.mm);
	if (IS_ERR(sva)) {
		ret = PTR_ERR(sva);
		goto out_destroy;
	}
	stage = IOPF_FI_REG;
	reg = iopf_torture_reg_alloc(NULL);
	if (!reg) {
		ret = -ENOMEM;
		goto out_unbind;
	}
	n = iopf_failure_notifier_register(&mdev->dev, iopf_torture_fi_cb,
					   &reg->delivered);
	if (IS_ERR(n)) {
		ret = PTR_ERR(n);
		kfree(reg);
		goto out_unbind;
	}
	stage = IOPF_FI_DONE;
	ret = 0;
	/* A write to a read-only page: the SVA handler answers INVALID */
	iopf_torture_fault(&evt, rids[1], iommu_sva_get_pasid(sva),
			   iopf_tt.ro, 1);
	atomic_inc(&iopf_tt.inflight);
	iommu_report_device_fault(&mdev->dev, &evt);
	iopf_mock_flush(&iopf_tt.mock);
	if (!iopf_torture_balanced(n, "failinject", NULL))
		atomic_long_inc(&iopf_tt.counter_mismatch);
	*delivered = atomic_long_read(&reg->delivered);
	iopf_torture_fi_unregister(n, rids[0], silent);
	iopf_torture_reg_kill(reg);
out_unbind:
	iopf_mock_flush(&iopf_tt.mock);
	iommu_sva_unbind_device(sva);
out_destroy:
	iopf_mock_dev_destroy(mdev);
	*err = ret;
	return stage;
}

/* Before the sweep: an unregistration with its first allocation failing */
static unsigned int iopf_torture_fi_first(void)
{
	u32 rid = IOPF_TORTURE_FI_RID;
	struct iopf_mock_dev *mdev;
	struct iopf_notifier *n;
	atomic_long_t count = ATOMIC_LONG_INIT(0);
	unsigned int first = 0;

	mdev = iopf_mock_dev_create(&iopf_tt.mock, &rid, 1);
	if (IS_ERR(mdev))
		return 1;
	n = iopf_failure_notifier_register(&mdev->dev, iopf_torture_fi_cb,
					   &count);
	if (!IS_ERR(n)) {
		WRITE_ONCE(current->fail_nth, 1);
		iopf_torture_fi_unregister(n, rid, &first);
		WRITE_ONCE(current->fail_nth, 0);
	} else {
		first = 1;
	}
	iopf_mock_dev_destroy(mdev);
	pr_info("failinject: unregistration with its first allocation failing: %s\n",
		first ? "returned with the notifier still registered" :
			"unregistered");
	return first;
}

/**
 * iopf_torture_run_failinject() - Run mode=failinject
 *
 * Context: Process context, the mm of insmod.
 * Return: 0 once run (the verdict is printed), or a negative errno.
 */
int iopf_torture_run_failinject(void)
{
	unsigned int count[IOPF_FI_NR] = {}, nth, left = 0, cycles = 0;
	unsigned int absorbed = 0, errors = 0, bad = 0, silent = 0, first;
	unsigned int silent_total = 0;
	enum iopf_torture_fi_stage stage;
	long delivered;
	int err, ret;

	iopf_tt.mm = current->mm;
	init_waitqueue_head(&iopf_tt.inflight_wq);
	ret = iopf_torture_map(1);
	if (ret)
		return ret;

	first = iopf_torture_fi_first();
	bad += first;
	for (nth = 1; nth <= iopf_tparam.failinject_max; nth++) {
		if (fatal_signal_pending(current))
			break;
		WRITE_ONCE(current->fail_nth, nth);
		stage = iopf_torture_fi_cycle(&err, &delivered, &silent);
		left = READ_ONCE(current->fail_nth);
		WRITE_ONCE(current->fail_nth, 0);
		cycles++;
		iopf_torture_drain();
		if (!xa_empty(&iopf_tt.mock.iommu.iopf_notifiers)) {
			pr_err("failinject nth=%u: a slot is left in the table after a failed setup: the error path of a registration leaks\n",
			       nth);
			bad++;
			break;
		}
		if (silent) {
			pr_err("failinject nth=%u: iopf_failure_notifier_unregister() returned with the notifier still registered\n",
			       nth);
			bad += silent;
			silent_total += silent;
			silent = 0;
		}
		if (stage == IOPF_FI_DONE && delivered != 1) {
			pr_err("failinject nth=%u: registered, but %ld callbacks for one failure\n",
			       nth, delivered);
			bad++;
		}
		if (stage != IOPF_FI_DONE && err >= 0) {
			pr_err("failinject nth=%u: stopped at %s without an error\n",
			       nth, iopf_torture_fi_stages[stage]);
			bad++;
		}
		if (left)	/* the cycle ran out of sites: it is covered */
			break;
		count[stage]++;
		if (stage == IOPF_FI_DONE) {
			absorbed++;
		} else {
			errors++;
			pr_info("failinject nth=%u: %s failed cleanly: %d\n",
				nth, iopf_torture_fi_stages[stage], err);
		}
	}
	iopf_torture_unmap();
	iopf_tt.lost_responses = iopf_torture_drain();
	pr_info("failinject: %u cycles, sites in a cycle %u; errors returned: device_create %u sva_bind %u notifier_register %u; absorbed %u; bad %u; late callbacks %ld; lost responses %ld\n",
		cycles, left ? nth - 1 : nth, count[IOPF_FI_DEV],
		count[IOPF_FI_BIND], count[IOPF_FI_REG], absorbed, bad,
		atomic_long_read(&iopf_tt.late_callbacks),
		iopf_tt.lost_responses);
	pr_info("failinject: result cycles=%u sites=%u err_device_create=%u err_sva_bind=%u err_notifier_register=%u absorbed=%u bad=%u silent_unregister=%u first_alloc_unregister=%s covered=%u\n",
		cycles, left ? nth - 1 : nth, count[IOPF_FI_DEV],
		count[IOPF_FI_BIND], count[IOPF_FI_REG], absorbed, bad,
		silent_total, first ? "left_registered" : "ok", left ? 1 : 0);
	pr_info("%s failinject cycles=%u errors=%u bad=%u\n",
		!bad && left && !iopf_torture_errors() ? "PASS" : "FAIL",
		cycles, errors, bad + (unsigned int)iopf_torture_errors());
	return 0;
}
#else
/**
 * iopf_torture_run_failinject() - Run mode=failinject
 *
 * Context: Process context, the mm of insmod.
 * Return: 0 once run (the verdict is printed), or a negative errno.
 */
int iopf_torture_run_failinject(void)
{
	pr_err("failinject: the kernel has no CONFIG_FAULT_INJECTION\n");
	return -EOPNOTSUPP;
}
#endif
