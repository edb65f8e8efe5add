// SPDX-License-Identifier: GPL-2.0
/*
 * (a) A v1-style design, after "[PATCH v1 0/4] Implement IOMMU SVA page
 * fault processing error notifiers" (July 2025, refused): an xarray of
 * notifiers per device indexed by RID, set under a mutex with the old entry
 * freed at once, read with a plain xa_load() (which takes the RCU read lock
 * itself), the callback called synchronously in the reporting thread.
 *
 * Written small for instruction counts only. It keeps v1's lifetime defect
 * (a reader can still hold the entry that a concurrent set frees), which is
 * why it takes no part in the race test.
 */
#include <linux/slab.h>
#include "alt.h"

struct v1_notifier {
	iopf_failure_fn fn;
	void *data;
};

void v1_dev_init(struct v1_dev *d)
{
	mutex_init(&d->lock);
	xa_init(&d->notifiers);
}

int v1_set_rid_fault_notifier(struct v1_dev *d, u32 rid, iopf_failure_fn fn,
			      void *data)
{
	struct v1_notifier *old, *new = kzalloc(sizeof(*new), GFP_KERNEL);
	int ret;

	if (!new)
		return -ENOMEM;
	new->fn = fn;
	new->data = data;
	mutex_lock(&d->lock);
	old = xa_load(&d->notifiers, rid);
	ret = xa_err(xa_store(&d->notifiers, rid, new, GFP_KERNEL));
	mutex_unlock(&d->lock);
	kfree(ret ? new : old);		/* v1: freed at once, no grace period */
	return ret;
}

void v1_report(struct v1_dev *d, const struct iommu_fault *fault,
	       enum iommu_page_response_code code)
{
	struct v1_notifier *e = xa_load(&d->notifiers, fault->rid);

	if (e && e->fn) {
		struct iopf_failure record = {
			.addr = fault->prm.addr,
			.rid = fault->rid,
			.pasid = fault->prm.pasid,
			.grpid = fault->prm.grpid,
			.perm = fault->prm.perm,
			.flags = fault->prm.flags,
			.code = code,
		};

		e->fn(&record, e->data);
	}
}
