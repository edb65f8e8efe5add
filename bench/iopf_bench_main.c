// SPDX-License-Identifier: GPL-2.0
/*
 * iopf_bench: flood page requests through the real I/O page fault path.
 *
 * The mock IOMMU of tests/mock-iommu/ is registered on a private bus
 * ("iopf_mock") with iommu_device_register_bus(), as
 * drivers/iommu/iommufd/selftest.c does. Its mock device supports IOPF and
 * SVA; opening /dev/iopf_bench binds the device to the opener's mm with
 * iommu_sva_bind_device(), which enables IOPF in the attach path. The PRQ
 * threads (iopf_bench_prq.c) then send the helper's page requests through
 * iommu_report_device_fault(); the failure notification of the kernel
 * under test is set up by iopf_bench_notify.c.
 *
 * Naming: "bench" is the module's global state; a "prq" is one PRQ thread
 * with its ring; a "run" is one round of requests queued by the helper.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/log2.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "iopf_bench_priv.h"

int nr_threads;
module_param(nr_threads, int, 0444);
MODULE_PARM_DESC(nr_threads, "PRQ threads (0: one per online CPU)");

int ring_size = 1024;
module_param(ring_size, int, 0444);
MODULE_PARM_DESC(ring_size, "Descriptors per PRQ ring (power of 2, 16..65536)");

int max_samples = 65536;
module_param(max_samples, int, 0444);
MODULE_PARM_DESC(max_samples, "Most page request groups per run (1..4194304)");

int rid = 0x10;
module_param(rid, int, 0444);
MODULE_PARM_DESC(rid, "Requester ID of the mock device (0..0x7fff)");

static int pasid_bits = 20;
module_param(pasid_bits, int, 0444);
MODULE_PARM_DESC(pasid_bits, "PASID width of the mock IOMMU and device (1..20)");

struct iopf_bench bench;

static const char *const iopf_bench_design_name[] = {
	[IOPF_BENCH_D_NONE] = "absent",
	[IOPF_BENCH_D_RIDSLOT] = "rid-slot",
	[IOPF_BENCH_D_HOOK] = "domain-hook",
};

static long iopf_bench_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	struct iopf_bench_info info = {
		.rid = rid,
		.design = iopf_bench_design,
		.nr_threads = bench.nr_prq,
		.max_samples = max_samples,
		.record_size = iopf_bench_record_size,
	};
	long ret;

	mutex_lock(&bench.lock);
	switch (cmd) {
	case IOPF_BENCH_INFO:
		info.pasid = bench.pasid;
		ret = copy_to_user(uarg, &info, sizeof(info)) ? -EFAULT : 0;
		break;
	case IOPF_BENCH_SETUP:
		ret = iopf_bench_setup(uarg);
		break;
	case IOPF_BENCH_RUN:
		ret = iopf_bench_run(uarg);
		break;
	case IOPF_BENCH_SAMPLES:
		ret = iopf_bench_samples(uarg);
		break;
	case IOPF_BENCH_DRAIN:
		ret = iopf_bench_drain(uarg);
		break;
	case IOPF_BENCH_ENQUEUE:
		ret = iopf_bench_enqueue(uarg);
		break;
	case IOPF_BENCH_ISOLATION:
		ret = iopf_bench_isolation(uarg);
		break;
	default:
		ret = -ENOTTY;
		break;
	}
	mutex_unlock(&bench.lock);
	return ret;
}

static int iopf_bench_open(struct inode *inode, struct file *file)
{
	struct iommu_sva *sva;
	int ret = 0;

	mutex_lock(&bench.lock);
	if (bench.open) {
		ret = -EBUSY;
		goto out_unlock;
	}
	sva = iommu_sva_bind_device(&bench.mdev->dev, current->mm);
	if (IS_ERR(sva)) {
		ret = PTR_ERR(sva);
		pr_err("iommu_sva_bind_device() failed: %d\n", ret);
		goto out_unlock;
	}
	bench.sva = sva;
	bench.pasid = iommu_sva_get_pasid(sva);
	bench.open = true;
out_unlock:
	mutex_unlock(&bench.lock);
	return ret;
}

static int iopf_bench_release(struct inode *inode, struct file *file)
{
	mutex_lock(&bench.lock);
	iopf_bench_notify_off();
	iopf_queue_flush_dev(&bench.mdev->dev);
	if (bench.sva)
		iommu_sva_unbind_device(bench.sva);
	bench.sva = NULL;
	bench.open = false;
	mutex_unlock(&bench.lock);
	return 0;
}

static const struct file_operations iopf_bench_fops = {
	.owner = THIS_MODULE,
	.open = iopf_bench_open,
	.release = iopf_bench_release,
	.unlocked_ioctl = iopf_bench_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice iopf_bench_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "iopf_bench",
	.fops = &iopf_bench_fops,
};

static int iopf_bench_check_params(void)
{
	if (nr_threads < 0 || nr_threads > 4 * num_online_cpus()) {
		pr_err("nr_threads=%d: must be 0..%u\n", nr_threads,
		       4 * num_online_cpus());
		return -EINVAL;
	}
	if (ring_size < 16 || ring_size > 65536 || !is_power_of_2(ring_size)) {
		pr_err("ring_size=%d: must be a power of 2 in 16..65536\n",
		       ring_size);
		return -EINVAL;
	}
	if (max_samples < 1 || max_samples > (1 << 22)) {
		pr_err("max_samples=%d: must be 1..4194304\n", max_samples);
		return -EINVAL;
	}
	if (rid < 0 || rid >= IOPF_BENCH_NEIGHBOUR_RID) {
		pr_err("rid=%d: must be 0..%#x\n", rid,
		       IOPF_BENCH_NEIGHBOUR_RID - 1);
		return -EINVAL;
	}
	if (pasid_bits < 1 || pasid_bits > 20) {
		pr_err("pasid_bits=%d: must be 1..20\n", pasid_bits);
		return -EINVAL;
	}
	return 0;
}

static void iopf_bench_free_samples(void)
{
	kvfree(bench.report_ns);
	kvfree(bench.resp_ns);
	kvfree(bench.cost_ns);
	kvfree(bench.code);
	kvfree(bench.cb_lat);
	kvfree(bench.enq_ns);
	kvfree(bench.null_ns);
}

static int iopf_bench_alloc_samples(void)
{
	bench.report_ns = kvcalloc(max_samples, sizeof(u64), GFP_KERNEL);
	bench.resp_ns = kvcalloc(max_samples, sizeof(u64), GFP_KERNEL);
	bench.cost_ns = kvcalloc(max_samples, sizeof(u64), GFP_KERNEL);
	bench.code = kvcalloc(max_samples, sizeof(u16), GFP_KERNEL);
	bench.cb_lat = kvcalloc(max_samples, sizeof(u64), GFP_KERNEL);
	bench.enq_ns = kvcalloc(max_samples, sizeof(u64), GFP_KERNEL);
	bench.null_ns = kvcalloc(max_samples, sizeof(u64), GFP_KERNEL);
	if (!bench.report_ns || !bench.resp_ns || !bench.cost_ns ||
	    !bench.code || !bench.cb_lat || !bench.enq_ns || !bench.null_ns) {
		iopf_bench_free_samples();
		return -ENOMEM;
	}
	return 0;
}

static int __init iopf_bench_init(void)
{
	u32 dev_rid;
	int ret;

	ret = iopf_bench_check_params();
	if (ret)
		return ret;

	mutex_init(&bench.lock);
	init_waitqueue_head(&bench.space_wq);
	init_waitqueue_head(&bench.cb_wq);
	init_completion(&bench.done);
	init_completion(&bench.gate);

	ret = iopf_bench_alloc_samples();
	if (ret)
		return ret;

	ret = iopf_mock_init(&bench.mock, "iopf_bench", pasid_bits,
			     iopf_bench_page_response);
	if (ret)
		goto err_samples;

	dev_rid = rid;
	bench.mdev = iopf_mock_dev_create(&bench.mock, &dev_rid, 1);
	if (IS_ERR(bench.mdev)) {
		ret = PTR_ERR(bench.mdev);
		bench.mdev = NULL;
		goto err_mock;
	}

	ret = iopf_bench_prq_start();
	if (ret)
		goto err_mdev;

	ret = misc_register(&iopf_bench_misc);
	if (ret)
		goto err_prq;

	pr_info("mock IOMMU on bus iopf_mock, device %s rid %#x, %u PRQ threads, notifier %s\n",
		dev_name(&bench.mdev->dev), rid, bench.nr_prq,
		iopf_bench_design_name[iopf_bench_design]);
	return 0;

err_prq:
	iopf_bench_prq_stop();
err_mdev:
	iopf_mock_dev_destroy(bench.mdev);
	bench.mdev = NULL;
err_mock:
	iopf_mock_exit(&bench.mock);
err_samples:
	iopf_bench_free_samples();
	return ret;
}

static void __exit iopf_bench_exit(void)
{
	/* No opener is left: the file holds a module reference */
	misc_deregister(&iopf_bench_misc);
	iopf_bench_prq_stop();
	iopf_mock_dev_destroy(bench.mdev);
	bench.mdev = NULL;
	iopf_mock_exit(&bench.mock);
	iopf_bench_free_samples();
}

module_init(iopf_bench_init);
module_exit(iopf_bench_exit);

MODULE_DESCRIPTION("Page request flood through the I/O page fault path");
MODULE_LICENSE("GPL");
