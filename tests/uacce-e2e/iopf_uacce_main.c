// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end test of the uacce consumer of the failed I/O page fault
 * notifier. A uacce device (SVA) sits on a device of the mock IOMMU
 * (tests/mock-iommu), so a process opens a queue on it the way it would on
 * an accelerator, and uacce registers the device for its failed faults.
 * This module is the accelerator's driver: through the queue's ioctl it
 * sends page requests on the queue's PASID through the real fault path
 * (iommu_report_device_fault() -> SVA handler -> page response), and it
 * can bind the queue's PASID anew. iopf_uacce.h has the interface,
 * iopf-uacce-user.c the checks.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/iommu.h>
#include <linux/iopf-notify.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/uacce.h>
#include <linux/uaccess.h>

#include "iopf_mock.h"
/* iopf_notify_flush(), iopf_notify_counts(): exported for KUnit only */
#include "iopf-notify.h"
#include "iopf_uacce.h"

#define IOPF_UACCE_HAS_COUNTS IS_ENABLED(CONFIG_IOPF_NOTIFY_KUNIT_TEST)
#if IOPF_UACCE_HAS_COUNTS
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
#endif

static unsigned int rid = 0x42;
module_param(rid, uint, 0444);
MODULE_PARM_DESC(rid, "Requester ID of the mock accelerator (0..0xffff)");

static struct {
	struct iopf_mock mock;
	struct iopf_mock_dev *mdev;
	struct uacce_device *uacce;
	/* one request at a time: @responded and @code are its */
	struct mutex lock;
	struct completion responded;
	int code;
} t;

static void iopf_uacce_response(struct device *dev, struct iopf_fault *evt,
				struct iommu_page_response *msg)
{
	WRITE_ONCE(t.code, msg->code);
	complete(&t.responded);
}

/*
 * One page request on @pasid, as prq_event_thread() reports a descriptor.
 * Returns once it was answered and the fault handler is done, so that a
 * failure is reported (queued for uacce) when this returns.
 */
static int iopf_uacce_request(u32 pasid, u64 addr, u32 perm, u32 *code)
{
	struct iopf_fault event = {};
	int ret = 0;

	event.fault.type = IOMMU_FAULT_PAGE_REQ;
	event.fault.rid = rid;
	event.fault.prm.flags = IOMMU_FAULT_PAGE_REQUEST_PASID_VALID |
				IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE;
	event.fault.prm.grpid = 1;
	event.fault.prm.pasid = pasid;
	event.fault.prm.addr = addr & PAGE_MASK;
	if (perm & IOPF_UACCE_PERM_READ)
		event.fault.prm.perm |= IOMMU_FAULT_PERM_READ;
	if (perm & IOPF_UACCE_PERM_WRITE)
		event.fault.prm.perm |= IOMMU_FAULT_PERM_WRITE;

	mutex_lock(&t.lock);
	reinit_completion(&t.responded);
	iommu_report_device_fault(&t.mdev->dev, &event);
	/* 10 s: a failure net for a lost response, not a timing check */
	if (!wait_for_completion_timeout(&t.responded, 10 * HZ))
		ret = -ETIMEDOUT;
	iopf_mock_flush(&t.mock);
	*code = READ_ONCE(t.code);
	mutex_unlock(&t.lock);
	return ret;
}

/* Called with uacce->mutex held, from the queue's ioctl */
static long iopf_uacce_inject(struct uacce_queue *q,
			      struct iopf_uacce_inject __user *uarg)
{
	struct iopf_uacce_inject arg;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.reserved || !arg.perm ||
	    arg.perm & ~(IOPF_UACCE_PERM_READ | IOPF_UACCE_PERM_WRITE))
		return -EINVAL;
	if (!q->handle)
		return -ENODEV;
	ret = iopf_uacce_request(q->pasid, arg.addr, arg.perm, &arg.code);
	if (ret)
		return ret;
	arg.pasid = q->pasid;
	return copy_to_user(uarg, &arg, sizeof(arg)) ? -EFAULT : 0;
}

/*
 * Called with uacce->mutex held: a failing write on the queue's PASID,
 * then the PASID unbound and the process bound again. uacce's callback
 * for the write waits for uacce->mutex, so it runs after the new binding
 * has the same PASID number: it must not record the write in the queue.
 */
static long iopf_uacce_rebind(struct uacce_queue *q,
			      struct iopf_uacce_rebind __user *uarg)
{
	struct iopf_uacce_rebind arg;
	struct iommu_sva *handle;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.reserved)
		return -EINVAL;
	if (!q->handle)
		return -ENODEV;
	arg.pasid_before = q->pasid;
	ret = iopf_uacce_request(q->pasid, arg.addr, IOPF_UACCE_PERM_WRITE,
				 &arg.code);
	if (ret)
		return ret;
	/* What uacce_fops_release() and uacce_fops_open() do, in one go */
	iommu_sva_unbind_device(q->handle);
	q->handle = NULL;
	handle = iommu_sva_bind_device(q->uacce->parent, current->mm);
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	q->handle = handle;
	q->pasid = iommu_sva_get_pasid(handle);
	arg.pasid_after = q->pasid;
	return copy_to_user(uarg, &arg, sizeof(arg)) ? -EFAULT : 0;
}

static long iopf_uacce_q_ioctl(struct uacce_queue *q, unsigned int cmd,
			       unsigned long arg)
{
	switch (cmd) {
	case IOPF_UACCE_INJECT:
		return iopf_uacce_inject(q, (void __user *)arg);
	case IOPF_UACCE_REBIND:
		return iopf_uacce_rebind(q, (void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct uacce_ops iopf_uacce_ops = {
	.ioctl = iopf_uacce_q_ioctl,
};

#if IOPF_UACCE_HAS_COUNTS
static long iopf_uacce_flush(struct iopf_notifier *n)
{
	iopf_mock_flush(&t.mock);
	iopf_notify_flush(n);
	return 0;
}

static long iopf_uacce_counts(struct iopf_notifier *n,
			      struct iopf_uacce_counts __user *uarg)
{
	struct iopf_uacce_counts uc;
	struct iopf_notify_counts c;

	iopf_notify_counts(n, &c);
	uc = (struct iopf_uacce_counts) {
		.generated = c.generated, .delivered = c.delivered,
		.overflow = c.overflow, .stale = c.stale,
		.released = c.released,
	};
	return copy_to_user(uarg, &uc, sizeof(uc)) ? -EFAULT : 0;
}
#endif

/* /dev/iopf_uacce: not under uacce->mutex, which uacce's callback takes */
static long iopf_uacce_ctl_ioctl(struct file *file, unsigned int cmd,
				 unsigned long arg)
{
	struct iopf_notifier *n = t.uacce->fault_notifier;

	if (cmd != IOPF_UACCE_FLUSH && cmd != IOPF_UACCE_COUNTS)
		return -ENOTTY;
	if (!n)
		return -ENODEV;
#if IOPF_UACCE_HAS_COUNTS
	if (cmd == IOPF_UACCE_FLUSH)
		return iopf_uacce_flush(n);
	return iopf_uacce_counts(n, (void __user *)arg);
#else
	return -EOPNOTSUPP;
#endif
}

static const struct file_operations iopf_uacce_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = iopf_uacce_ctl_ioctl,
};

static struct miscdevice iopf_uacce_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "iopf_uacce",
	.fops = &iopf_uacce_fops,
};

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
	if (!t.uacce->fault_notifier)
		pr_warn("uacce did not register the device for its failed faults\n");
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
