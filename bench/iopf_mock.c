// SPDX-License-Identifier: GPL-2.0
/*
 * The mock IOMMU of iopf_bench and iopf_torture, see iopf_mock.h.
 *
 * Its SVA domains translate nothing: a page request reaches the real fault
 * core (iommu_report_device_fault()), the real SVA handler and
 * handle_mm_fault() on the bound mm, and the response comes back to
 * iopf_mock::page_response.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/iommu.h>
#include <linux/fwnode.h>
#include <linux/property.h>
#include <linux/string.h>
#include <linux/slab.h>

#include "iopf_mock.h"
/* iommu_device_register_bus(), exported with CONFIG_IOMMUFD_TEST */
#include "iommu-priv.h"

/* The one instance of this module: the ops below have no context pointer */
static struct iopf_mock *iopf_mock;

static const struct bus_type iopf_mock_bus = {
	.name = "iopf_mock",
};

static const struct software_node iopf_mock_iommu_node = {
	.name = "iopf-mock-iommu",
};

/* "pasid-num-bits" of every mock device, see dev_iommu_get_max_pasids() */
static u32 iopf_mock_pasid_bits;

static int iopf_mock_nop_attach(struct iommu_domain *domain,
				struct device *dev)
{
	return 0;
}

static struct iommu_domain iopf_mock_identity_domain = {
	.type = IOMMU_DOMAIN_IDENTITY,
	.ops = &(const struct iommu_domain_ops) {
		.attach_dev = iopf_mock_nop_attach,
	},
};

static struct iommu_domain iopf_mock_blocked_domain = {
	.type = IOMMU_DOMAIN_BLOCKED,
	.ops = &(const struct iommu_domain_ops) {
		.attach_dev = iopf_mock_nop_attach,
	},
};

static int iopf_mock_set_dev_pasid(struct iommu_domain *domain,
				   struct device *dev, ioasid_t pasid,
				   struct iommu_domain *old)
{
	return 0;
}

static void iopf_mock_domain_free(struct iommu_domain *domain)
{
	kfree(domain);
}

static const struct iommu_domain_ops iopf_mock_sva_domain_ops = {
	.set_dev_pasid = iopf_mock_set_dev_pasid,
	.free = iopf_mock_domain_free,
};

static struct iommu_domain *
iopf_mock_domain_alloc_sva(struct device *dev, struct mm_struct *mm)
{
	struct iommu_domain *domain;

	domain = kzalloc(sizeof(*domain), GFP_KERNEL);
	if (!domain)
		return ERR_PTR(-ENOMEM);
	domain->ops = &iopf_mock_sva_domain_ops;
	return domain;
}

static void iopf_mock_remove_dev_pasid(struct device *dev, ioasid_t pasid,
				       struct iommu_domain *domain)
{
}

static struct iommu_device *iopf_mock_probe_device(struct device *dev)
{
	if (dev->bus != &iopf_mock_bus)
		return ERR_PTR(-ENODEV);
	return &iopf_mock->iommu;
}

static void iopf_mock_page_response(struct device *dev, struct iopf_fault *evt,
				    struct iommu_page_response *msg)
{
	iopf_mock->page_response(dev, evt, msg);
}

static int iopf_mock_enable_feat(struct device *dev,
				 enum iommu_dev_features feat)
{
	switch (feat) {
	case IOMMU_DEV_FEAT_IOPF:
		return iopf_queue_add_device(iopf_mock->iopfq, dev);
	case IOMMU_DEV_FEAT_SVA:
		return 0;
	default:
		return -ENODEV;
	}
}

static int iopf_mock_disable_feat(struct device *dev,
				  enum iommu_dev_features feat)
{
	switch (feat) {
	case IOMMU_DEV_FEAT_IOPF:
		iopf_queue_remove_device(iopf_mock->iopfq, dev);
		return 0;
	case IOMMU_DEV_FEAT_SVA:
		return 0;
	default:
		return -ENODEV;
	}
}

/*
 * No .owner: every probed device would pin the module, and the devices go
 * away only in the module's exit. The exit removes them before the ops.
 */
static const struct iommu_ops iopf_mock_ops = {
	.identity_domain = &iopf_mock_identity_domain,
	.blocked_domain = &iopf_mock_blocked_domain,
	.default_domain = &iopf_mock_identity_domain,
	.domain_alloc_sva = iopf_mock_domain_alloc_sva,
	.probe_device = iopf_mock_probe_device,
	.device_group = generic_device_group,
	.page_response = iopf_mock_page_response,
	.dev_enable_feat = iopf_mock_enable_feat,
	.dev_disable_feat = iopf_mock_disable_feat,
	.remove_dev_pasid = iopf_mock_remove_dev_pasid,
	.pgsize_bitmap = PAGE_SIZE,
};

/* --- mock devices */

/*
 * A device's firmware node: it only answers "pasid-num-bits". Not a
 * software node: device_add() links a software node in sysfs, and 6.12's
 * software_node_notify_remove() drops a reference that
 * software_node_notify() did not take when that link failed (found by
 * fault injection, see iopf_torture), a use after free of the node.
 */
static int iopf_mock_read_int_array(const struct fwnode_handle *fwnode,
				    const char *propname,
				    unsigned int elem_size, void *val,
				    size_t nval)
{
	if (strcmp(propname, "pasid-num-bits") || elem_size != sizeof(u32))
		return -EINVAL;
	if (!val)
		return 1;
	if (!nval)
		return -EOVERFLOW;
	*(u32 *)val = iopf_mock_pasid_bits;
	return 0;
}

static bool iopf_mock_property_present(const struct fwnode_handle *fwnode,
				       const char *propname)
{
	return !strcmp(propname, "pasid-num-bits");
}

static const struct fwnode_operations iopf_mock_fwnode_ops = {
	.property_present = iopf_mock_property_present,
	.property_read_int_array = iopf_mock_read_int_array,
};

static void iopf_mock_dev_release(struct device *dev)
{
	kfree(container_of(dev, struct iopf_mock_dev, dev));
}

/*
 * The core probes a device with the ops of its fwspec's IOMMU, found by
 * fwnode (iommu_ops_from_fwnode()). This is what iommu_fwspec_init() and
 * iommu_fwspec_add_ids() do, but iommu_fwspec_init() asserts that the
 * caller holds iommu_probe_device_lock, which firmware code holds and a
 * module cannot take. dev_iommu_free() frees all of it on release.
 */
static int iopf_mock_fwspec_init(struct device *dev, const u32 *rids,
				 unsigned int nr)
{
	struct fwnode_handle *fwnode = software_node_fwnode(&iopf_mock_iommu_node);
	struct iommu_fwspec *fwspec;
	struct dev_iommu *param;

	param = kzalloc(sizeof(*param), GFP_KERNEL);
	if (!param)
		return -ENOMEM;
	fwspec = kzalloc(struct_size(fwspec, ids, nr), GFP_KERNEL);
	if (!fwspec) {
		kfree(param);
		return -ENOMEM;
	}
	mutex_init(&param->lock);
	fwspec->iommu_fwnode = fwnode_handle_get(fwnode);
	fwspec->num_ids = nr;
	memcpy(fwspec->ids, rids, nr * sizeof(*rids));
	param->fwspec = fwspec;
	dev->iommu = param;
	return 0;
}

/**
 * iopf_mock_dev_create() - Add a device probed by the mock IOMMU
 * @mock: the mock IOMMU
 * @rids: the requester IDs of the device's fwspec
 * @nr: number of @rids, at least 1
 *
 * Context: Process context.
 * Return: the device, or an ERR_PTR(): -EINVAL for no RID, -ENOMEM, or
 * the error of device_add(); -ENODEV if the IOMMU did not probe it.
 */
struct iopf_mock_dev *iopf_mock_dev_create(struct iopf_mock *mock,
					   const u32 *rids, unsigned int nr)
{
	struct iopf_mock_dev *mdev;
	int ret;

	if (!rids || !nr)
		return ERR_PTR(-EINVAL);
	mdev = kzalloc(sizeof(*mdev), GFP_KERNEL);
	if (!mdev)
		return ERR_PTR(-ENOMEM);
	mdev->id = atomic_inc_return(&mock->next_id) - 1;
	device_initialize(&mdev->dev);
	mdev->dev.bus = &iopf_mock_bus;
	mdev->dev.release = iopf_mock_dev_release;
	ret = dev_set_name(&mdev->dev, "iopf_mock%u", mdev->id);
	if (ret)
		goto err_put;

	fwnode_init(&mdev->fwnode, &iopf_mock_fwnode_ops);
	device_set_node(&mdev->dev, &mdev->fwnode);

	ret = iopf_mock_fwspec_init(&mdev->dev, rids, nr);
	if (ret)
		goto err_put;

	ret = device_add(&mdev->dev);
	if (ret)
		goto err_fwspec;
	if (!mdev->dev.iommu_group) {
		dev_err(&mdev->dev, "not probed by the mock IOMMU\n");
		device_unregister(&mdev->dev);
		return ERR_PTR(-ENODEV);
	}
	return mdev;

err_fwspec:
	if (mdev->dev.iommu) {
		iommu_fwspec_free(&mdev->dev);
		kfree(mdev->dev.iommu);
		mdev->dev.iommu = NULL;
	}
err_put:
	put_device(&mdev->dev);
	return ERR_PTR(ret);
}

/**
 * iopf_mock_dev_destroy() - Remove a device of iopf_mock_dev_create()
 * @mdev: the device; its features must be disabled
 *
 * Context: Process context.
 */
void iopf_mock_dev_destroy(struct iopf_mock_dev *mdev)
{
	device_unregister(&mdev->dev);
}

/**
 * iopf_mock_init() - Register the mock bus and IOMMU
 * @mock: zeroed; @mock->iommu is the IOMMU instance
 * @name: name of the IOMMU in sysfs and of its iopf queue
 * @pasid_bits: PASID width of the IOMMU and its devices, 1..20
 * @response: called for every page response
 *
 * Context: Process context.
 * Return: 0 or a negative errno; -EBUSY if a mock IOMMU is registered.
 */
int iopf_mock_init(struct iopf_mock *mock, const char *name,
		   unsigned int pasid_bits, iopf_mock_response_fn response)
{
	int ret;

	if (iopf_mock)
		return -EBUSY;
	if (!pasid_bits || pasid_bits > 20 || !response)
		return -EINVAL;
	iopf_mock_pasid_bits = pasid_bits;
	mock->page_response = response;
	iopf_mock = mock;

	mock->iopfq = iopf_queue_alloc(name);
	if (!mock->iopfq) {
		ret = -ENOMEM;
		goto err_clear;
	}

	ret = bus_register(&iopf_mock_bus);
	if (ret)
		goto err_iopfq;

	ret = software_node_register(&iopf_mock_iommu_node);
	if (ret)
		goto err_bus;

	ret = iommu_device_sysfs_add(&mock->iommu, NULL, NULL, "%s", name);
	if (ret)
		goto err_node;

	/* iommu_ops_from_fwnode() finds this IOMMU for the devices' fwspecs */
	mock->iommu.fwnode = software_node_fwnode(&iopf_mock_iommu_node);
	mock->iommu.max_pasids = 1U << pasid_bits;
	ret = iommu_device_register_bus(&mock->iommu, &iopf_mock_ops,
					&iopf_mock_bus, &mock->nb);
	if (ret)
		goto err_sysfs;
	return 0;

err_sysfs:
	iommu_device_sysfs_remove(&mock->iommu);
err_node:
	software_node_unregister(&iopf_mock_iommu_node);
err_bus:
	bus_unregister(&iopf_mock_bus);
err_iopfq:
	iopf_queue_free(mock->iopfq);
err_clear:
	iopf_mock = NULL;
	return ret;
}

/**
 * iopf_mock_exit() - Unregister what iopf_mock_init() registered
 * @mock: the mock IOMMU; every mock device must be destroyed
 *
 * Context: Process context.
 */
void iopf_mock_exit(struct iopf_mock *mock)
{
	iommu_device_unregister_bus(&mock->iommu, &iopf_mock_bus, &mock->nb);
	iommu_device_sysfs_remove(&mock->iommu);
	software_node_unregister(&iopf_mock_iommu_node);
	bus_unregister(&iopf_mock_bus);
	iopf_queue_free(mock->iopfq);
	iopf_mock = NULL;
}
