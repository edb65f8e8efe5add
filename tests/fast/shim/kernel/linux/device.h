/* SPDX-License-Identifier: GPL-2.0 */
/* Shim: the fields of struct device the notifier and its tests use. */
#ifndef _SHIM_DEVICE_H
#define _SHIM_DEVICE_H

struct dev_iommu;
struct iommu_group;

struct device {
	const char *name;
	struct dev_iommu *iommu;
	struct iommu_group *iommu_group;
};

static inline const char *dev_name(const struct device *dev)
{
	return dev->name;
}

/* printed, and counted for the tests (shim_warnings()) */
void shim_dev_warn(const struct device *dev, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define dev_warn(dev, fmt, ...)	shim_dev_warn((dev), fmt, ##__VA_ARGS__)

#endif
