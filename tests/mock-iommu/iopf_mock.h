/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The mock IOMMU shared by the out-of-tree modules (tests/torture,
 * tests/uacce-e2e, bench): an IOMMU with an iopf queue and SVA support,
 * registered on the private bus "iopf_mock" with iommu_device_register_bus()
 * (as drivers/iommu/iommufd/selftest.c does), and the mock devices it
 * probes, each with the requester IDs of its fwspec.
 *
 * Each module links its own copy (scripts/modules.sh stages this folder
 * next to the module's sources); only one of them can be loaded at a time
 * (the bus name is unique). Needs CONFIG_IOMMUFD_TEST, which exports
 * iommu_device_register_bus() and iommu_mock_device_add().
 *
 * IOPF is enabled the way IOMMU drivers do it since the IOMMU_DEV_FEAT_*
 * calls went away: in the attach path, when a domain with a fault handler
 * (an SVA domain) is set on one of the device's PASIDs, and disabled when
 * the last such domain is replaced by the blocked domain. A driver binds
 * SVA with iommu_sva_bind_device() and nothing else.
 */
#ifndef _IOPF_MOCK_H
#define _IOPF_MOCK_H

#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/fwnode.h>
#include <linux/iommu.h>
#include <linux/types.h>

/**
 * typedef iopf_mock_response_fn - the device's end of a page response
 * @dev: the mock device
 * @evt: the last request of the group
 * @msg: the response
 */
typedef void (*iopf_mock_response_fn)(struct device *dev,
				      struct iopf_fault *evt,
				      struct iommu_page_response *msg);

/**
 * struct iopf_mock - the mock IOMMU
 * @iommu: the IOMMU instance, the one whose notifier table is used
 * @nb: the bus notifier of iommu_device_register_bus()
 * @iopfq: the iopf queue of every mock device
 * @page_response: called for every page response
 * @next_id: name of the next mock device
 */
struct iopf_mock {
	struct iommu_device iommu;
	struct notifier_block nb;
	struct iopf_queue *iopfq;
	iopf_mock_response_fn page_response;
	atomic_t next_id;
};

/**
 * struct iopf_mock_dev - a device on the mock bus
 * @dev: the device, named iopf_mock<id>
 * @fwnode: its firmware node, with the property "pasid-num-bits"
 * @id: unique for the life of the module
 * @iopf_refcount: attached domains with a fault handler (group mutex)
 */
struct iopf_mock_dev {
	struct device dev;
	struct fwnode_handle fwnode;
	unsigned int id;
	unsigned int iopf_refcount;
};

int iopf_mock_init(struct iopf_mock *mock, const char *name,
		   unsigned int pasid_bits, iopf_mock_response_fn response);
void iopf_mock_exit(struct iopf_mock *mock);
struct iopf_mock_dev *iopf_mock_dev_create(struct iopf_mock *mock,
					   const u32 *rids, unsigned int nr);
void iopf_mock_dev_destroy(struct iopf_mock_dev *mdev);
void iopf_mock_flush(struct iopf_mock *mock);

#endif /* _IOPF_MOCK_H */
