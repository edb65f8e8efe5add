// SPDX-License-Identifier: GPL-2.0
/*
 * PASID epochs: once a PASID lost its attach handle, the records reported
 * for it before are not delivered (counted stale); records of other
 * PASIDs, without a PASID, or reported after are.
 */
#include "fixture.h"

static int count_pasid(struct sink *s, u32 pasid, bool valid, u32 epoch)
{
	unsigned int i;
	int n = 0;

	for (i = 0; i < s->nrec; i++) {
		bool v = s->rec[i].flags & IOMMU_FAULT_PAGE_REQUEST_PASID_VALID;

		if (v == valid && (!valid || s->rec[i].pasid == pasid) &&
		    s->rec[i].epoch == epoch)
			n++;
	}
	return n;
}

void pasid_gone_drops_stale(void)
{
	struct device *dev = fake_dev1(&iommu, 0xe0);
	struct iopf_notify_counts c;
	struct iopf_notifier *n;
	struct sink *s = sink_new();
	int i;

	n = reg(dev, s);
	ASSERT(!IS_ERR(n));
	shim_wq_hold(true);
	for (i = 0; i < 3; i++)
		report_pasid(&iommu, 0xe0, 0x1000, PASID_A, true);
	for (i = 0; i < 2; i++)
		report_pasid(&iommu, 0xe0, 0x2000, PASID_B, true);
	report_pasid(&iommu, 0xe0, 0x3000, PASID_A, false);	/* no PASID */
	__iopf_notify_pasid_gone(dev, PASID_A);
	for (i = 0; i < 2; i++)
		report_pasid(&iommu, 0xe0, 0x4000, PASID_A, true);
	shim_wq_hold(false);
	shim_wq_quiesce();
	EXPECT(counts_identity(n, &c));
	EXPECT_EQ(8, c.generated);
	EXPECT_EQ(3, c.stale);
	EXPECT_EQ(5, c.delivered);
	EXPECT_EQ(0, count_pasid(s, PASID_A, true, 0));
	EXPECT_EQ(2, count_pasid(s, PASID_B, true, 0));
	EXPECT_EQ(1, count_pasid(s, 0, false, 0));
	EXPECT_EQ(2, count_pasid(s, PASID_A, true, 1));
}

struct current_check {
	int current_a, current_b;	/* iopf_failure_current() after gone */
};

static void check_current_action(struct sink *s, const struct iopf_failure *f,
				 int call)
{
	struct current_check *cc = s->action_data;
	int cur = iopf_failure_current(s->n, f);

	if (f->pasid == PASID_A)
		aset(&cc->current_a, cur);
	else
		aset(&cc->current_b, cur);
}

/* a callback that sleeps before acting checks iopf_failure_current() */
void pasid_current_in_callback(void)
{
	struct device *dev = fake_dev1(&iommu, 0xe1);
	static struct current_check cc;	/* the callback may outlive a stack */
	struct sink *s = sink_new();

	cc = (struct current_check){ .current_a = -1, .current_b = -1 };
	sink_gate(s);
	s->action = check_current_action;
	s->action_data = &cc;
	ASSERT(!IS_ERR(reg(dev, s)));
	report_pasid(&iommu, 0xe1, 0x1000, PASID_A, true);
	ASSERT(wait_for_completion_timeout(s->entered, WAIT_MS));
	/* the record is in the callback: its PASID goes, then it acts */
	__iopf_notify_pasid_gone(dev, PASID_A);
	report_pasid(&iommu, 0xe1, 0x2000, PASID_B, true);
	complete_all(s->gate);
	shim_wq_quiesce();
	EXPECT_EQ(2, aread(&s->calls));
	EXPECT_EQ(0, aread(&cc.current_a));
	EXPECT_EQ(1, aread(&cc.current_b));
}

/* each loss of the attach handle starts an epoch; only older ones are stale */
void pasid_gone_twice(void)
{
	struct device *dev = fake_dev1(&iommu, 0xe2);
	struct iopf_notify_counts c;
	struct iopf_notifier *n;
	struct sink *s = sink_new();

	n = reg(dev, s);
	ASSERT(!IS_ERR(n));
	shim_wq_hold(true);
	report_pasid(&iommu, 0xe2, 0x1000, PASID_A, true);	/* epoch 0: stale */
	__iopf_notify_pasid_gone(dev, PASID_A);
	report_pasid(&iommu, 0xe2, 0x2000, PASID_B, true);	/* epoch 1: live */
	report_pasid(&iommu, 0xe2, 0x3000, PASID_A, true);	/* epoch 1: stale */
	__iopf_notify_pasid_gone(dev, PASID_A);
	report_pasid(&iommu, 0xe2, 0x4000, PASID_A, true);	/* epoch 2: live */
	shim_wq_hold(false);
	shim_wq_quiesce();
	EXPECT(counts_identity(n, &c));
	EXPECT_EQ(2, c.stale);
	EXPECT_EQ(2, c.delivered);
	EXPECT_EQ(1, count_pasid(s, PASID_B, true, 1));
	EXPECT_EQ(1, count_pasid(s, PASID_A, true, 2));
}
