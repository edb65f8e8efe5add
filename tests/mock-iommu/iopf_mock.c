// SPDX-License-Identifier: GPL-2.0
/*
 * The mock IOMMU of the out-of-tree test modules, see iopf_mock.h.
 *
 * Its SVA domains translate nothing: a page request reaches the real fault
 * core (iommu_report_device_fault()), the real SVA handler and
 * handle_mm_fault() on the bound mm, and the response comes back to
 * iopf_mock::page_response.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/fwnode.h>
#include <linux/iommu.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "iopf_mock.h"
/* iommu_device_register_bus(), iommu_mock_device_add(): CONFIG_IOMMUFD_TEST */
#include "iommu-priv.h"

/* The one instance of this module: the ops below have no context pointer */
static struct iopf_mock *iopf_mock;

static const struct bus_type iopf_mock_bus = {
	.name = "iopf_mock",
};

/* "pasid-num-bits" of every mock device, see dev_iommu_get_max_pasids() */
static u32 iopf_mock_pasid_bits;

static struct iopf_mock_dev *to_iopf_mock_dev(struct device *dev)
{
	return container_of(dev, struct iopf_mock_dev, dev);
}

/*
 * IOPF follows the domains with a fault handler attached to the device:
 * the first one adds the device to the iopf queue, the last one to go
 * removes it (as intel_iommu_enable_iopf() and the iommufd selftest do).
 * Called with the group mutex held.
 */
static int iopf_mock_enable_iopf(struct device *dev,
				 struct iommu_domain *domain)
{
	struct iopf_mock_dev *mdev = to_iopf_mock_dev(dev);
	int ret;

	if (!domain || !domain->iopf_handler)
		return 0;
	iommu_group_mutex_assert(dev);
	if (mdev->iopf_refcount) {
		mdev->iopf_refcount++;
		return 0;
	}
	ret = iopf_queue_add_device(iopf_mock->iopfq, dev);
	if (ret)
		return ret;
	mdev->iopf_refcount = 1;
	return 0;
}

static void iopf_mock_disable_iopf(struct device *dev,
				   struct iommu_domain *domain)
{
	struct iopf_mock_dev *mdev = to_iopf_mock_dev(dev);

	if (!domain || !domain->iopf_handler)
		return;
	iommu_group_mutex_assert(dev);
	if (WARN_ON(!mdev->iopf_refcount) || --mdev->iopf_refcount)
		return;
	iopf_queue_remove_device(iopf_mock->iopfq, dev);
}

/* Replace @old by @domain on the device or one of its PASIDs */
static int iopf_mock_switch(struct iommu_domain *domain, struct device *dev,
			    struct iommu_domain *old)
{
	int ret;

	ret = iopf_mock_enable_iopf(dev, domain);
	if (ret)
		return ret;
	iopf_mock_disable_iopf(dev, old);
	return 0;
}

static int iopf_mock_attach_dev(struct iommu_domain *domain,
				struct device *dev, struct iommu_domain *old)
{
	return iopf_mock_switch(domain, dev, old);
}

static int iopf_mock_set_dev_pasid(struct iommu_domain *domain,
				   struct device *dev, ioasid_t pasid,
				   struct iommu_domain *old)
{
	return iopf_mock_switch(domain, dev, old);
}

static const struct iommu_domain_ops iopf_mock_static_ops = {
	.attach_dev = iopf_mock_attach_dev,
	.set_dev_pasid = iopf_mock_set_dev_pasid,
};

static struct iommu_domain iopf_mock_identity_domain = {
	.type = IOMMU_DOMAIN_IDENTITY,
	.ops = &iopf_mock_static_ops,
};

/* Its set_dev_pasid() is how the core removes a PASID's domain */
static struct iommu_domain iopf_mock_blocked_domain = {
	.type = IOMMU_DOMAIN_BLOCKED,
	.ops = &iopf_mock_static_ops,
};

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

	domain = kzalloc_obj(*domain);
	if (!domain)
		return ERR_PTR(-ENOMEM);
	domain->ops = &iopf_mock_sva_domain_ops;
	return domain;
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
};

/* --- mock devices */

/*
 * A device's firmware node: it only answers "pasid-num-bits". Not a
 * software node, which device_add() links in sysfs: fault injection found
 * an unbalanced reference in that link's error path on 6.12, and this node
 * needs no link.
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
	kfree(to_iopf_mock_dev(dev));
}

/*
 * iommu_mock_device_add() can fail after iommu_fwspec_init() allocated the
 * device's IOMMU data but before it allocated the fwspec; device_add()
 * failures it frees itself. What dev_iommu_free() (not exported) would do.
 */
static void iopf_mock_dev_iommu_free(struct device *dev)
{
	struct dev_iommu *param = dev->iommu;

	if (!param)
		return;
	dev->iommu = NULL;
	if (param->fwspec) {
		fwnode_handle_put(param->fwspec->iommu_fwnode);
		kfree(param->fwspec);
	}
	kfree(param);
}

/**
 * iopf_mock_dev_create() - Add a device probed by the mock IOMMU
 * @mock: the mock IOMMU
 * @rids: the requester IDs of the device's fwspec
 * @nr: number of @rids, at least 1
 *
 * The device is added with iommu_mock_device_add(), which probes it, and
 * its fwspec then gets @rids: the IDs the failure notifier keys the device
 * by (the mock's probe does not read them).
 *
 * Context: Process context.
 * Return: the device, or an ERR_PTR(): -EINVAL for no RID, -ENOMEM, the
 * error of iommu_mock_device_add(); -ENODEV if the IOMMU did not probe it.
 */
struct iopf_mock_dev *iopf_mock_dev_create(struct iopf_mock *mock,
					   const u32 *rids, unsigned int nr)
{
	struct iopf_mock_dev *mdev;
	int ret;

	if (!rids || !nr || nr > INT_MAX)
		return ERR_PTR(-EINVAL);
	mdev = kzalloc_obj(*mdev);
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

	ret = iommu_mock_device_add(&mdev->dev, &mock->iommu);
	if (ret) {
		iopf_mock_dev_iommu_free(&mdev->dev);
		goto err_put;
	}
	if (!mdev->dev.iommu_group) {
		dev_err(&mdev->dev, "not probed by the mock IOMMU\n");
		ret = -ENODEV;
		goto err_unregister;
	}
	ret = iommu_fwspec_add_ids(&mdev->dev, rids, nr);
	if (ret)
		goto err_unregister;
	return mdev;

err_unregister:
	device_unregister(&mdev->dev);
	return ERR_PTR(ret);
err_put:
	put_device(&mdev->dev);
	return ERR_PTR(ret);
}

/**
 * iopf_mock_dev_destroy() - Remove a device of iopf_mock_dev_create()
 * @mdev: the device; its SVA bonds must be unbound
 *
 * Context: Process context.
 */
void iopf_mock_dev_destroy(struct iopf_mock_dev *mdev)
{
	device_unregister(&mdev->dev);
}

/**
 * iopf_mock_flush() - Wait for the page requests queued to the fault handlers
 * @mock: the mock IOMMU
 *
 * Unlike iopf_queue_flush_dev(), also for a device without IOPF enabled.
 *
 * Context: Process context; sleeps.
 */
void iopf_mock_flush(struct iopf_mock *mock)
{
	flush_workqueue(mock->iopfq->wq);
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

	ret = iommu_device_sysfs_add(&mock->iommu, NULL, NULL, "%s", name);
	if (ret)
		goto err_bus;

	mock->iommu.max_pasids = 1U << pasid_bits;
	/* Also gives the IOMMU the fwnode that iommu_mock_device_add() uses */
	ret = iommu_device_register_bus(&mock->iommu, &iopf_mock_ops,
					&iopf_mock_bus, &mock->nb);
	if (ret)
		goto err_sysfs;
	return 0;

err_sysfs:
	iommu_device_sysfs_remove(&mock->iommu);
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
	bus_unregister(&iopf_mock_bus);
	iopf_queue_free(mock->iopfq);
	iopf_mock = NULL;
}
