/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internals of the failed I/O page fault notifier shared with its
 * tracepoint and its KUnit suite.
 */
#ifndef __IOMMU_IOPF_NOTIFY_H
#define __IOMMU_IOPF_NOTIFY_H

#include <linux/types.h>

struct iopf_notifier;

/* The iopf_failure tracepoint's registration hooks (TRACE_EVENT_FN) */
int iopf_failure_trace_reg(void);
void iopf_failure_trace_unreg(void);

/**
 * struct iopf_notify_counts - counters of one registration
 * @generated: failures that found one of its slots
 * @delivered: records passed to its callback
 * @overflow: records lost to a full ring
 * @stale: records dropped because their PASID had lost its attach handle
 * @released: records still queued when the registration was detached
 *
 * Once the registration is released (or nothing is in flight),
 * @generated == @delivered + @overflow + @stale + @released.
 */
struct iopf_notify_counts {
	unsigned long generated;
	unsigned long delivered;
	unsigned long overflow;
	unsigned long stale;
	unsigned long released;
};

#if IS_ENABLED(CONFIG_IOPF_NOTIFY_KUNIT_TEST)
void iopf_notify_counts(struct iopf_notifier *n,
			struct iopf_notify_counts *counts);
void iopf_notify_flush(struct iopf_notifier *n);
unsigned int iopf_notify_ring_capacity(struct iopf_notifier *n);
bool iopf_notify_idle(struct iopf_notifier *n);
#endif

#endif /* __IOMMU_IOPF_NOTIFY_H */
