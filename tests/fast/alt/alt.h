/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Two alternative designs, small, for the instruction-count comparison in
 * bench_ops.c. Neither is proposed; see v1.c and chain.c.
 */
#ifndef _FAST_ALT_H
#define _FAST_ALT_H

#include <linux/iopf-notify.h>
#include <linux/mutex.h>
#include <linux/notifier.h>

/* (a) the refused upstream v1: a per-device xarray, set under a mutex */
struct v1_dev {
	struct mutex lock;
	struct xarray notifiers;	/* was in struct dev_iommu */
};

void v1_dev_init(struct v1_dev *d);
int v1_set_rid_fault_notifier(struct v1_dev *d, u32 rid, iopf_failure_fn fn,
			      void *data);
void v1_report(struct v1_dev *d, const struct iommu_fault *fault,
	       enum iommu_page_response_code code);

/* (b) one blocking notifier chain (kernel/notifier.c) for all devices */
struct chain_dev {
	struct notifier_block nb;
	u32 rid;
	iopf_failure_fn fn;
	void *data;
};

extern struct blocking_notifier_head chain_head;
int chain_register(struct chain_dev *cd, u32 rid, iopf_failure_fn fn,
		   void *data);
int chain_unregister(struct chain_dev *cd);
void chain_report(const struct iommu_fault *fault,
		  enum iommu_page_response_code code,
		  enum iopf_failure_source source);

#endif
