/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Notification of failed I/O page faults to endpoint drivers.
 *
 * An IOMMU answers a page request it could not satisfy with a non-success
 * response code, and many devices cannot tell their driver which PASID and
 * address failed. A driver registers its device here and receives one
 * &struct iopf_failure per failed request, in process context, after the
 * page response has been sent.
 */
#ifndef __LINUX_IOPF_NOTIFY_H
#define __LINUX_IOPF_NOTIFY_H

#include <linux/iommu.h>
#include <linux/jump_label.h>
#include <linux/types.h>

/**
 * enum iopf_failure_source - where a page request failed
 * @IOPF_FAILURE_RESPONSE: the domain's fault handler, or the fault core on
 *	its abort path, answered the group with a non-success code
 * @IOPF_FAILURE_NO_HANDLER: no fault handler or no fault parameter existed
 *	for the device and PASID; the core answered INVALID
 * @IOPF_FAILURE_REJECTED: the IOMMU driver rejected the request before it
 *	reached the fault core (malformed descriptor, unknown requester)
 */
enum iopf_failure_source {
	IOPF_FAILURE_RESPONSE,
	IOPF_FAILURE_NO_HANDLER,
	IOPF_FAILURE_REJECTED,
};

/**
 * struct iopf_failure - one failed page request
 * @addr: page address of the request
 * @timestamp: ktime_get_ns() when the failure was reported
 * @rid: requester ID as the IOMMU reported it (PCI RID or stream ID)
 * @pasid: PASID, valid when @flags has %IOMMU_FAULT_PAGE_REQUEST_PASID_VALID
 * @grpid: page request group index
 * @perm: requested permissions (%IOMMU_FAULT_PERM_* values)
 * @flags: %IOMMU_FAULT_PAGE_REQUEST_* flags of the request
 * @code: response sent to the device (&enum iommu_page_response_code)
 * @source: where the request failed (&enum iopf_failure_source)
 */
struct iopf_failure {
	u64 addr;
	u64 timestamp;
	u32 rid;
	u32 pasid;
	u32 grpid;
	u32 perm;
	u32 flags;
	u16 code;
	u16 source;
};

/**
 * typedef iopf_failure_fn - callback of a failed page request notifier
 * @failure: the failed request; valid only during the call
 * @data: the pointer given at registration
 *
 * Called in process context, from a per-CPU work item, never from the
 * IOMMU's page request handling; it may sleep.
 */
typedef void (*iopf_failure_fn)(const struct iopf_failure *failure, void *data);

#ifdef CONFIG_IOMMU_IOPF
DECLARE_STATIC_KEY_FALSE(iopf_failure_notify_key);

int iopf_failure_notifier_register(struct device *dev, iopf_failure_fn fn,
				   void *data);
void iopf_failure_notifier_unregister(struct device *dev);

void __iopf_report_failure(struct iommu_device *iommu,
			   const struct iommu_fault *fault,
			   enum iommu_page_response_code code,
			   enum iopf_failure_source source);

/**
 * iopf_report_failure() - Report a failed page request
 * @iommu: the IOMMU instance that received the request
 * @fault: the failed page request, with its requester ID
 * @code: the response code sent (or about to be sent) to the device
 * @source: where the request failed
 *
 * For IOMMU drivers and the fault core, on their failure paths. Costs one
 * patched-out jump while nobody listens (no notifier registered and the
 * iopf_failure tracepoint off).
 *
 * Context: Any context but NMI. Does not sleep or allocate.
 */
static inline void iopf_report_failure(struct iommu_device *iommu,
				       const struct iommu_fault *fault,
				       enum iommu_page_response_code code,
				       enum iopf_failure_source source)
{
	if (static_branch_unlikely(&iopf_failure_notify_key))
		__iopf_report_failure(iommu, fault, code, source);
}
#else
static inline int iopf_failure_notifier_register(struct device *dev,
						 iopf_failure_fn fn, void *data)
{
	return -ENODEV;
}

static inline void iopf_failure_notifier_unregister(struct device *dev)
{
}

static inline void iopf_report_failure(struct iommu_device *iommu,
				       const struct iommu_fault *fault,
				       enum iommu_page_response_code code,
				       enum iopf_failure_source source)
{
}
#endif /* CONFIG_IOMMU_IOPF */

#endif /* __LINUX_IOPF_NOTIFY_H */
