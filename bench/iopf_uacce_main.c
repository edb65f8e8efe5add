// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end test of the uacce consumer of the failed I/O page fault
 * notifier. A uacce device (SVA) sits on a device of the mock IOMMU, so a
 * process can open a queue on it the way it would on an accelerator.
 * /dev/iopf_uacce plays the accelerator: it binds the same mm and sends
 * page requests on its PASID through the real fault path
 * (iommu_report_device_fault() -> SVA handler -> page response); a write
 * to a read-only page of the process fails, and the queue's owner must
 * see the fault through poll() and UACCE_CMD_GET_FAULT.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/iommu.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/uacce.h>
#include <linux/uaccess.h>

#include "iopf_mock.h"
#include "iopf_uacce.h"

static unsigned int rid = 0x42;
module_param(rid, uint, 0444);
MODULE_PARM_DESC(rid, "Requester ID of the mock accelerator (0..0xffff)");

static struct {
	struct iopf_mock mock;
	struct iopf_mock_dev *mdev;
	struct uacce_device *uacce;
	/* serializes open, release and injection */
	struct mutex lock;
	struct iommu_sva *sva;
	u32 pasid;
	struct completion responded;
	int code;
} t;

static void iopf_uacce_response(struct device *dev, struct iopf_fault *evt,
				struct iommu_page_response *msg)
{
	WRITE_ONCE(t.code, msg->code);
	complete(&t.responded);
}

static int iopf_uacce_open(struct inode *inode, struct file *file)
{
	struct iommu_sva *sva;
	int ret = 0;

	mutex_lock(&t.lock);
	if (t.sva) {
		ret = -EBUSY;
		goto out_unlock;
	}
	sva = iommu_sva_bind_device(&t.mdev->dev, current->mm);
	if (IS_ERR(sva)) {
		ret = PTR_ERR(sva);
		goto out_unlock;
	}
	t.sva = sva;
	t.pasid = iommu_sva_get_pasid(sva);
out_unlock:
	mutex_unlock(&t.lock);
	return ret;
}

static int iopf_uacce_release(struct inode *inode, struct file *file)
{
	mutex_lock(&t.lock);
	iommu_sva_unbind_device(t.sva);
	t.sva = NULL;
	mutex_unlock(&t.lock);
	return 0;
}

/* One page request, as prq_event_thread() reports a descriptor */
static long iopf_uacce_inject(struct iopf_uacce_inject __user *uarg)
{
	struct iopf_uacce_inject arg;
	struct iopf_fault event = {};
	long ret = 0;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.reserved || !arg.perm ||
	    arg.perm & ~(IOPF_UACCE_PERM_READ | IOPF_UACCE_PERM_WRITE))
		return -EINVAL;

	event.fault.type = IOMMU_FAULT_PAGE_REQ;
	event.fault.rid = rid;
	event.fault.prm.flags = IOMMU_FAULT_PAGE_REQUEST_PASID_VALID |
				IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE;
	event.fault.prm.grpid = 1;
	event.fault.prm.addr = arg.addr & PAGE_MASK;
	if (arg.perm & IOPF_UACCE_PERM_READ)
		event.fault.prm.perm |= IOMMU_FAULT_PERM_READ;
	if (arg.perm & IOPF_UACCE_PERM_WRITE)
		event.fault.prm.perm |= IOMMU_FAULT_PERM_WRITE;

	mutex_lock(&t.lock);
	event.fault.prm.pasid = t.pasid;
	reinit_completion(&t.responded);
	iommu_report_device_fault(&t.mdev->dev, &event);
	if (!wait_for_completion_timeout(&t.responded, 10 * HZ)) {
		ret = -ETIMEDOUT;
		goto out_unlock;
	}
	arg.pasid = t.pasid;
	arg.code = READ_ONCE(t.code);
	if (copy_to_user(uarg, &arg, sizeof(arg)))
		ret = -EFAULT;
out_unlock:
	mutex_unlock(&t.lock);
	return ret;
}

static long iopf_uacce_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	if (cmd != IOPF_UACCE_INJECT)
		return -ENOTTY;
	return iopf_uacce_inject((void __user *)arg);
}

static const struct file_operations iopf_uacce_fops = {
	.owner = THIS_MODULE,
	.open = iopf_uacce_open,
	.release = iopf_uacce_release,
	.unlocked_ioctl = iopf_uacce_ioctl,
};

static struct miscdevice iopf_uacce_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "iopf_uacce",
	.fops = &iopf_uacce_fops,
};

static const struct uacce_ops iopf_uacce_ops = {};

static int __init iopf_uacce_init(void)
{
	struct uacce_interface iface = {
		.name = "iopf_mock",
		.flags = UACCE_DEV_SVA,
		.ops = &iopf_uacce_ops,
	};
	u32 r = rid;
	int ret;

	if (rid > 0xffff) {
		pr_err("rid=%u: must be at most 0xffff\n", rid);
		return -EINVAL;
	}
	mutex_init(&t.lock);
	init_completion(&t.responded);

	ret = iopf_mock_init(&t.mock, "iopf_uacce", 8, iopf_uacce_response);
	if (ret)
		return ret;
	t.mdev = iopf_mock_dev_create(&t.mock, &r, 1);
	if (IS_ERR(t.mdev)) {
		ret = PTR_ERR(t.mdev);
		goto err_mock;
	}
	t.uacce = uacce_alloc(&t.mdev->dev, &iface);
	if (IS_ERR(t.uacce)) {
		ret = PTR_ERR(t.uacce);
		goto err_mdev;
	}
	if (!(t.uacce->flags & UACCE_DEV_SVA)) {
		pr_err("uacce could not enable SVA on the mock device\n");
		ret = -ENODEV;
		goto err_uacce;
	}
	ret = uacce_register(t.uacce);
	if (ret)
		goto err_uacce;
	ret = misc_register(&iopf_uacce_misc);
	if (ret)
		goto err_uacce;
	return 0;

err_uacce:
	uacce_remove(t.uacce);
err_mdev:
	iopf_mock_dev_destroy(t.mdev);
err_mock:
	iopf_mock_exit(&t.mock);
	return ret;
}

static void __exit iopf_uacce_exit(void)
{
	misc_deregister(&iopf_uacce_misc);
	uacce_remove(t.uacce);
	iopf_mock_dev_destroy(t.mdev);
	iopf_mock_exit(&t.mock);
}

module_init(iopf_uacce_init);
module_exit(iopf_uacce_exit);
MODULE_DESCRIPTION("uacce on a mock IOMMU: end-to-end test of failed page fault notification");
MODULE_LICENSE("GPL");
