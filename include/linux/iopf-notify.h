/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Notification of failed I/O page faults to endpoint drivers.
 *
 * An IOMMU answers a page request it could not satisfy with a non-success
 * response code, and many devices cannot tell their driver which PASID and
 * address failed. A driver registers its device here and receives one
 * &struct iopf_failure per failure response, in process context, after the
 * fault side has moved on: the page response never waits for the driver.
 */
#ifndef __LINUX_IOPF_NOTIFY_H
#define __LINUX_IOPF_NOTIFY_H

#include <linux/iommu.h>
#include <linux/jump_label.h>
#include <linux/types.h>

/**
 * enum iopf_failure_source - where a page request failed
 * @IOPF_FAILURE_RESPONSE: the domain's fault handler answered the group
 *	with a non-success code (SVA: no mm, no VMA, access not allowed by
 *	the VMA, VM_FAULT_ERROR)
 * @IOPF_FAILURE_ABORT: the fault core aborted the group (no memory for
 *	it, or its handler refused it) and answered FAILURE, which stops PRI
 *	on the function until it is reset
 * @IOPF_FAILURE_NO_HANDLER: no fault handler or no fault parameter existed
 *	for the device and PASID; the core answered INVALID
 * @IOPF_FAILURE_REJECTED: the IOMMU driver rejected the request before it
 *	reached the fault core (malformed descriptor, unknown requester)
 */
enum iopf_failure_source {
	IOPF_FAILURE_RESPONSE,
	IOPF_FAILURE_ABORT,
	IOPF_FAILURE_NO_HANDLER,
	IOPF_FAILURE_REJECTED,
};

/**
 * struct iopf_failure - one failure response
 * @addr: page address of the failed request
 * @timestamp: ktime_get_ns() when the failure was reported
 * @rid: requester ID as the IOMMU reported it (PCI RID or DMA alias on
 *	VT-d and AMD, stream ID on SMMUv3)
 * @pasid: PASID, valid when @flags has %IOMMU_FAULT_PAGE_REQUEST_PASID_VALID
 * @grpid: page request group index
 * @perm: requested access (%IOMMU_FAULT_PERM_* values)
 * @flags: %IOMMU_FAULT_PAGE_REQUEST_* flags of the request
 * @code: response sent to the device (&enum iommu_page_response_code)
 * @source: where the request failed (&enum iopf_failure_source)
 * @epoch: the registration's PASID epoch when the failure was reported,
 *	for iopf_failure_current()
 *
 * One record describes one page response with a non-success code: for a
 * group the fault core handled, the request of the group that failed; for
 * requests the core or the IOMMU driver answered one by one, the answered
 * request. Teardown responses are not failures of a request and are not
 * reported: iopf_queue_remove_device() answering the groups still pending,
 * and a handler's owner answering the groups it holds when it goes (as
 * iommufd does for its fault object or attach handle). A PCI VF that uses
 * PRI cannot register (PRI is shared with its PF), so its failures reach
 * no registration.
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
	u32 epoch;
};

/**
 * typedef iopf_failure_fn - callback of a failed page request notifier
 * @failure: the failure; valid only during the call
 * @data: the pointer given at registration
 *
 * Called in process context, from the registration's own work item, never
 * from the IOMMU's page request handling; it may sleep. Calls for one
 * registration never run concurrently with each other; records reported
 * on one CPU arrive in the order they were reported.
 */
typedef void (*iopf_failure_fn)(const struct iopf_failure *failure, void *data);

struct iopf_notifier;

#ifdef CONFIG_IOMMU_IOPF
DECLARE_STATIC_KEY_FALSE(iopf_failure_notify_key);

struct iopf_notifier *iopf_failure_notifier_register(struct device *dev,
						     iopf_failure_fn fn,
						     void *data);
void iopf_failure_notifier_unregister(struct iopf_notifier *n);
bool iopf_failure_current(struct iopf_notifier *n,
			  const struct iopf_failure *failure);

void __iopf_report_failure(struct iommu_device *iommu,
			   const struct iommu_fault *fault,
			   enum iommu_page_response_code code,
			   enum iopf_failure_source source);
void __iopf_notify_pasid_gone(struct device *dev, ioasid_t pasid);
void __iopf_notify_device_release(struct device *dev);

/* For the IOMMU core: an IOMMU instance's table of RID slots */
static inline void iopf_notify_init_iommu(struct iommu_device *iommu)
{
	xa_init(&iommu->iopf_notifiers);
}

static inline void iopf_notify_check_iommu(struct iommu_device *iommu)
{
	WARN_ON_ONCE(!xa_empty(&iommu->iopf_notifiers));
}

/**
 * iopf_report_failure() - Report a failure response
 * @iommu: the IOMMU instance that received the request
 * @fault: the failed page request, with its requester ID
 * @code: the response code sent to the device
 * @source: where the request failed
 *
 * For IOMMU drivers and the fault core, on their failure paths, after the
 * response. Costs one patched-out jump while nobody listens (no notifier
 * registered and the iopf_failure tracepoint off).
 *
 * Context: Any context but NMI. Does not sleep, allocate or take a lock.
 */
static inline void iopf_report_failure(struct iommu_device *iommu,
				       const struct iommu_fault *fault,
				       enum iommu_page_response_code code,
				       enum iopf_failure_source source)
{
	if (static_branch_unlikely(&iopf_failure_notify_key))
		__iopf_report_failure(iommu, fault, code, source);
}

/**
 * iopf_notify_pasid_gone() - A PASID of a device lost its attach handle
 * @dev: the device
 * @pasid: the PASID that was detached or replaced
 *
 * For the IOMMU core, after the IOMMU driver stopped the PASID and flushed
 * its faults: records of @pasid reported before are no longer delivered.
 *
 * Context: Process context; takes a mutex.
 */
static inline void iopf_notify_pasid_gone(struct device *dev, ioasid_t pasid)
{
	if (static_branch_unlikely(&iopf_failure_notify_key))
		__iopf_notify_pasid_gone(dev, pasid);
}

/**
 * iopf_notify_device_release() - A device leaves its IOMMU
 * @dev: the device, before its IOMMU state is freed
 *
 * For the IOMMU core: tears down a registration its driver left behind.
 *
 * Context: Process context; takes a mutex.
 */
static inline void iopf_notify_device_release(struct device *dev)
{
	if (static_branch_unlikely(&iopf_failure_notify_key))
		__iopf_notify_device_release(dev);
}
#else
static inline struct iopf_notifier *
iopf_failure_notifier_register(struct device *dev, iopf_failure_fn fn,
			       void *data)
{
	return ERR_PTR(-ENODEV);
}

static inline void iopf_failure_notifier_unregister(struct iopf_notifier *n)
{
}

static inline bool iopf_failure_current(struct iopf_notifier *n,
					const struct iopf_failure *failure)
{
	return false;
}

static inline void iopf_report_failure(struct iommu_device *iommu,
				       const struct iommu_fault *fault,
				       enum iommu_page_response_code code,
				       enum iopf_failure_source source)
{
}

static inline void iopf_notify_pasid_gone(struct device *dev, ioasid_t pasid)
{
}

static inline void iopf_notify_device_release(struct device *dev)
{
}

static inline void iopf_notify_init_iommu(struct iommu_device *iommu)
{
}

static inline void iopf_notify_check_iommu(struct iommu_device *iommu)
{
}
#endif /* CONFIG_IOMMU_IOPF */

#endif /* __LINUX_IOPF_NOTIFY_H */
