/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim: the parts of include/linux/iommu.h that iopf-notify.c uses, with the
 * layout of Linux 7.2.13 plus patches 0001 (iommu_fault.rid) and 0002
 * (iommu_device.iopf_notifiers, dev_iommu.iopf_notifier). Field order and
 * types follow build/k/patched/include/linux/iommu.h; fields nobody here
 * touches are opaque pointers.
 */
#ifndef _SHIM_IOMMU_H
#define _SHIM_IOMMU_H

#include <linux/types.h>
#include <linux/xarray.h>
#include <linux/mutex.h>
#include <linux/device.h>

#define IOMMU_FAULT_PERM_READ	(1 << 0)
#define IOMMU_FAULT_PERM_WRITE	(1 << 1)
#define IOMMU_FAULT_PERM_EXEC	(1 << 2)
#define IOMMU_FAULT_PERM_PRIV	(1 << 3)

enum iommu_fault_type {
	IOMMU_FAULT_PAGE_REQ = 1,
};

struct iommu_fault_page_request {
#define IOMMU_FAULT_PAGE_REQUEST_PASID_VALID	(1 << 0)
#define IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE	(1 << 1)
#define IOMMU_FAULT_PAGE_RESPONSE_NEEDS_PASID	(1 << 2)
	u32	flags;
	u32	pasid;
	u32	grpid;
	u32	perm;
	u64	addr;
	u64	private_data[2];
};

struct iommu_fault {
	u32 type;
	u32 rid;
	struct iommu_fault_page_request prm;
};

enum iommu_page_response_code {
	IOMMU_PAGE_RESP_SUCCESS = 0,
	IOMMU_PAGE_RESP_INVALID,
	IOMMU_PAGE_RESP_FAILURE,
};

struct iommu_page_response {
	u32	pasid;
	u32	grpid;
	u32	code;
};

struct iopf_fault;

struct iommu_ops {
	void (*page_response)(struct device *dev, struct iopf_fault *evt,
			      struct iommu_page_response *msg);
};

typedef unsigned int ioasid_t;

struct iommu_device {
	struct list_head list;
	const struct iommu_ops *ops;
	void *fwnode;
	struct device *dev;
	struct iommu_group *singleton_group;
	u32 max_pasids;
	bool ready;
	struct xarray iopf_notifiers;
};

struct iommu_fwspec {
	void			*iommu_fwnode;
	u32			flags;
	unsigned int		num_ids;
	u32			ids[];
};

struct iopf_notifier;

struct dev_iommu {
	struct mutex lock;
	void				*fault_param;
	struct iommu_fwspec		*fwspec;
	struct iommu_device		*iommu_dev;
	void				*priv;
	u32				max_pasids;
	u32				attach_deferred:1;
	u32				pci_32bit_workaround:1;
	u32				require_direct:1;
	u32				shadow_on_flush:1;
	struct iopf_notifier		*iopf_notifier;
};

/* CONFIG_IOMMU_DEBUGFS: the "iommu" debugfs directory */
extern struct dentry *iommu_debugfs_dir;

static inline struct iommu_fwspec *dev_iommu_fwspec_get(struct device *dev)
{
	if (dev->iommu)
		return dev->iommu->fwspec;
	else
		return NULL;
}

#endif
