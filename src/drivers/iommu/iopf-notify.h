/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internals of the failed I/O page fault notifier shared with its KUnit
 * suite.
 */
#ifndef __IOMMU_IOPF_NOTIFY_H
#define __IOMMU_IOPF_NOTIFY_H

#include <linux/types.h>

struct device;

/**
 * struct iopf_notify_counts - counters of one registration
 * @generated: failed requests that found one of its slots
 * @delivered: records passed to its callback
 * @dropped: records lost to a full ring, to the quota or to unregistration
 *
 * Once nothing is in flight, @generated == @delivered + @dropped.
 */
struct iopf_notify_counts {
	long generated;
	long delivered;
	long dropped;
};

#if IS_ENABLED(CONFIG_IOPF_NOTIFY_KUNIT_TEST)
int iopf_notify_counts(struct device *dev, struct iopf_notify_counts *counts);
void iopf_notify_flush(void);
unsigned int iopf_notify_ring_capacity(void);
unsigned int iopf_notify_notifier_quota(void);
#endif

#endif /* __IOMMU_IOPF_NOTIFY_H */
