/* SPDX-License-Identifier: GPL-2.0 */
/* Shim: the three fields of struct device the facility and its tests use. */
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

#endif
