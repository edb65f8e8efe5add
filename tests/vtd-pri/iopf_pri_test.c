// SPDX-License-Identifier: GPL-2.0
/*
 * iopf_pri_test: test-only driver for QEMU's iopf-pri-test device (our
 * qemu/patches/), a PCIe endpoint with ATS, PASID and PRI that issues page
 * requests on command. Opening /dev/iopf-pri-test binds the opener's mm to
 * the device through the real IOMMU driver (iommu_sva_bind_device()); the
 * ioctls of iopf-pri-test.h submit page request groups, wait for the
 * device's record of the response and, on kernels with the failure
 * notifier (include/linux/iopf-notify.h), return the failure records the
 * driver was given.
 *
 * Device registers (BAR0; the full description is in qemu/README.md and at
 * the top of QEMU's hw/misc/iopf-pri-test.c): request registers, a command
 * register, and a log of 64 entries of 64 bytes at 0x1000.
 */
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/iommu.h>
#include <linux/jiffies.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/pci-ats.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string_choices.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#ifdef IOPF_PRI_TEST_NOTIFY
#include <linux/iopf-notify.h>
#endif

#include "iopf-pri-test.h"

struct iopf_notifier;

#define IPT_VENDOR		0x1b36
#define IPT_DEVICE		0x00f1

#define IPT_REG_ID		0x00
#define IPT_REG_REQ_ADDR	0x08
#define IPT_REG_REQ_PASID	0x10
#define IPT_REG_REQ_FLAGS	0x14
#define IPT_REG_REQ_PRGI	0x18
#define IPT_REG_REQ_COUNT	0x1c
#define IPT_REG_CMD		0x20
#define IPT_REG_SUBMIT_ERR	0x24
#define IPT_REG_LOG_COUNT	0x28
#define IPT_REG_STRAY		0x2c
#define IPT_REG_PATTERN		0x30

#define IPT_ID_VALUE		0x46504f49
#define IPT_PASID_NONE		BIT(31)
#define IPT_PASID_MASK		0xfffff
#define IPT_CMD_SUBMIT		1
#define IPT_CMD_CLEAR		2

#define IPT_LOG			0x1000
#define IPT_LOG_ENTRIES		64
#define IPT_LOG_ENTRY_SIZE	64
#define IPT_E_STATE		0x00
#define IPT_E_SEQ		0x1c
#define IPT_E_LATENCY		0x20
#define IPT_E_DATA		0x28
#define IPT_E_PAGES_OK		0x30

#define IPT_S_COMPLETE		BIT(1)
#define IPT_S_RESPONDED		BIT(2)
#define IPT_S_CODE(s)		(((s) >> 4) & 0xf)
#define IPT_S_ACCESS(s)		(((s) >> 16) & 0xff)

#define IPT_MAX_PAGES		64
#define IPT_MAX_TIMEOUT_MS	60000
#define IPT_FAILURE_LOG		256	/* a power of two */

/**
 * struct ipt_dev - one iopf-pri-test device
 * @pdev: the PCI device
 * @regs: BAR0
 * @misc: /dev/iopf-pri-test
 * @lock: serialises the device's request registers and the opener
 * @sva: the opener's SVA bond, or NULL
 * @fail_lock: protects the failure log below
 * @fail_wait: woken when a failure record arrives
 * @failures: ring of failure records received by the notifier callback
 * @fail_head: records ever received (producer index)
 * @fail_tail: records taken by IOPF_PRI_FAILURES (consumer index)
 * @fail_dropped: records lost because the ring was full
 * @notifier: the failure notifier registration, or NULL
 */
struct ipt_dev {
	struct pci_dev *pdev;
	void __iomem *regs;
	struct miscdevice misc;
	struct mutex lock;	/* request registers, @sva */
	struct iommu_sva *sva;
	spinlock_t fail_lock;	/* the failure ring */
	wait_queue_head_t fail_wait;
	struct iopf_pri_failure failures[IPT_FAILURE_LOG];
	unsigned int fail_head;
	unsigned int fail_tail;
	unsigned int fail_dropped;
	struct iopf_notifier *notifier;
};

/* One device is enough for the tests: /dev/iopf-pri-test is the first. */
static struct ipt_dev *ipt_the_dev;
static DEFINE_MUTEX(ipt_dev_lock);

static void __iomem *ipt_entry(struct ipt_dev *d, u32 seq)
{
	return d->regs + IPT_LOG + (seq % IPT_LOG_ENTRIES) * IPT_LOG_ENTRY_SIZE;
}

static int ipt_open(struct inode *inode, struct file *file)
{
	struct ipt_dev *d = container_of(file->private_data, struct ipt_dev,
					 misc);
	struct iommu_sva *sva;
	int ret = 0;

	mutex_lock(&d->lock);
	if (d->sva) {
		ret = -EBUSY;
		goto out_unlock;
	}
	sva = iommu_sva_bind_device(&d->pdev->dev, current->mm);
	if (IS_ERR(sva)) {
		ret = PTR_ERR(sva);
		dev_err(&d->pdev->dev, "iommu_sva_bind_device: %d\n", ret);
		goto out_unlock;
	}
	d->sva = sva;
	writel(IPT_CMD_CLEAR, d->regs + IPT_REG_CMD);
	spin_lock(&d->fail_lock);
	d->fail_tail = d->fail_head;
	d->fail_dropped = 0;
	spin_unlock(&d->fail_lock);
	file->private_data = d;
out_unlock:
	mutex_unlock(&d->lock);
	return ret;
}

static int ipt_release(struct inode *inode, struct file *file)
{
	struct ipt_dev *d = file->private_data;

	mutex_lock(&d->lock);
	/* the device only accesses memory while a submit or response runs */
	iommu_sva_unbind_device(d->sva);
	d->sva = NULL;
	mutex_unlock(&d->lock);
	return 0;
}

static long ipt_info(struct ipt_dev *d, void __user *arg)
{
	struct iopf_pri_info info = { };

	mutex_lock(&d->lock);
	info.pasid = iommu_sva_get_pasid(d->sva);
	info.rid = pci_dev_id(d->pdev);
	info.notify = !!d->notifier;
	info.log_count = readl(d->regs + IPT_REG_LOG_COUNT);
	info.stray = readl(d->regs + IPT_REG_STRAY);
	mutex_unlock(&d->lock);
	return copy_to_user(arg, &info, sizeof(info)) ? -EFAULT : 0;
}

static long ipt_submit(struct ipt_dev *d, void __user *arg)
{
	struct iopf_pri_submit req;
	u32 pasid;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (!req.count || req.count > IPT_MAX_PAGES || req.prgi > 511 ||
	    req.flags & ~(IOPF_PRI_READ | IOPF_PRI_WRITE | IOPF_PRI_EXEC |
			  IOPF_PRI_PRIV | IOPF_PRI_ACCESS))
		return -EINVAL;

	mutex_lock(&d->lock);
	switch (req.pasid_mode) {
	case IOPF_PRI_PASID_BOUND:
		pasid = iommu_sva_get_pasid(d->sva);
		break;
	case IOPF_PRI_PASID_EXPLICIT:
		pasid = req.pasid & IPT_PASID_MASK;
		break;
	case IOPF_PRI_PASID_NONE:
		pasid = IPT_PASID_NONE;
		break;
	default:
		mutex_unlock(&d->lock);
		return -EINVAL;
	}
	writeq(req.addr, d->regs + IPT_REG_REQ_ADDR);
	writel(pasid, d->regs + IPT_REG_REQ_PASID);
	writel(req.flags, d->regs + IPT_REG_REQ_FLAGS);
	writel(req.prgi, d->regs + IPT_REG_REQ_PRGI);
	writel(req.count, d->regs + IPT_REG_REQ_COUNT);
	writeq(req.pattern, d->regs + IPT_REG_PATTERN);
	writel(IPT_CMD_SUBMIT, d->regs + IPT_REG_CMD);
	req.seq = readl(d->regs + IPT_REG_LOG_COUNT) - 1;
	req.submit_err = readl(d->regs + IPT_REG_SUBMIT_ERR);
	mutex_unlock(&d->lock);
	return copy_to_user(arg, &req, sizeof(req)) ? -EFAULT : 0;
}

static long ipt_wait(struct ipt_dev *d, void __user *arg)
{
	struct iopf_pri_result res;
	unsigned long deadline;
	void __iomem *e;
	u32 state;

	if (copy_from_user(&res, arg, sizeof(res)))
		return -EFAULT;
	deadline = jiffies +
		   msecs_to_jiffies(min_t(u32, res.timeout_ms, IPT_MAX_TIMEOUT_MS));
	e = ipt_entry(d, res.seq);
	for (;;) {
		if (readl(e + IPT_E_SEQ) != res.seq)
			return -ENOENT;	/* overwritten, or never logged */
		state = readl(e + IPT_E_STATE);
		if (state & IPT_S_COMPLETE)
			break;
		if (time_after(jiffies, deadline))
			return -ETIMEDOUT;
		if (signal_pending(current))
			return -EINTR;
		usleep_range(200, 1000);
	}
	res.responded = !!(state & IPT_S_RESPONDED);
	res.code = IPT_S_CODE(state);
	res.access = IPT_S_ACCESS(state);
	res.pages_ok = readl(e + IPT_E_PAGES_OK);
	res.latency = readq(e + IPT_E_LATENCY);
	res.data = readq(e + IPT_E_DATA);
	return copy_to_user(arg, &res, sizeof(res)) ? -EFAULT : 0;
}

static unsigned int ipt_failures_queued(struct ipt_dev *d)
{
	unsigned int n;

	spin_lock(&d->fail_lock);
	n = d->fail_head - d->fail_tail;
	spin_unlock(&d->fail_lock);
	return n;
}

static long ipt_failures(struct ipt_dev *d, void __user *arg)
{
	struct iopf_pri_failures req;
	struct iopf_pri_failure rec;
	struct iopf_pri_failure __user *out;
	unsigned long timeout;
	unsigned int want;
	long left;

	if (!d->notifier)
		return -EOPNOTSUPP;
	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	out = u64_to_user_ptr(req.records);
	want = min(req.min, req.max);
	timeout = msecs_to_jiffies(min_t(u32, req.timeout_ms,
					 IPT_MAX_TIMEOUT_MS));
	left = wait_event_interruptible_timeout(d->fail_wait,
						ipt_failures_queued(d) >= want,
						timeout);
	if (left < 0)
		return left;

	req.count = 0;
	while (req.count < req.max) {
		spin_lock(&d->fail_lock);
		if (d->fail_tail == d->fail_head) {
			spin_unlock(&d->fail_lock);
			break;
		}
		rec = d->failures[d->fail_tail % IPT_FAILURE_LOG];
		d->fail_tail++;
		spin_unlock(&d->fail_lock);
		if (copy_to_user(&out[req.count], &rec, sizeof(rec)))
			return -EFAULT;
		req.count++;
	}
	spin_lock(&d->fail_lock);
	req.dropped = d->fail_dropped;
	spin_unlock(&d->fail_lock);
	return copy_to_user(arg, &req, sizeof(req)) ? -EFAULT : 0;
}

static long ipt_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct ipt_dev *d = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case IOPF_PRI_INFO:
		return ipt_info(d, uarg);
	case IOPF_PRI_SUBMIT:
		return ipt_submit(d, uarg);
	case IOPF_PRI_WAIT:
		return ipt_wait(d, uarg);
	case IOPF_PRI_FAILURES:
		return ipt_failures(d, uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations ipt_fops = {
	.owner = THIS_MODULE,
	.open = ipt_open,
	.release = ipt_release,
	.unlocked_ioctl = ipt_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

#ifdef IOPF_PRI_TEST_NOTIFY
/* The failure notifier's callback: process context, may sleep. */
static void ipt_failure(const struct iopf_failure *f, void *data)
{
	struct ipt_dev *d = data;
	struct iopf_pri_failure *rec;

	spin_lock(&d->fail_lock);
	if (d->fail_head - d->fail_tail >= IPT_FAILURE_LOG) {
		d->fail_dropped++;
		spin_unlock(&d->fail_lock);
		return;
	}
	rec = &d->failures[d->fail_head % IPT_FAILURE_LOG];
	rec->addr = f->addr;
	rec->timestamp = f->timestamp;
	rec->rid = f->rid;
	rec->pasid = f->pasid;
	rec->grpid = f->grpid;
	rec->perm = f->perm;
	rec->flags = f->flags;
	rec->code = f->code;
	rec->source = f->source;
	d->fail_head++;
	spin_unlock(&d->fail_lock);
	wake_up(&d->fail_wait);
}

static int ipt_notify_register(struct ipt_dev *d)
{
	struct iopf_notifier *n;

	n = iopf_failure_notifier_register(&d->pdev->dev, ipt_failure, d);
	if (IS_ERR(n))
		return PTR_ERR(n);
	d->notifier = n;
	return 0;
}

static void ipt_notify_unregister(struct ipt_dev *d)
{
	if (d->notifier)
		iopf_failure_notifier_unregister(d->notifier);
	d->notifier = NULL;
}
#else
static int ipt_notify_register(struct ipt_dev *d)
{
	return 0;
}

static void ipt_notify_unregister(struct ipt_dev *d)
{
}
#endif

static int ipt_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct ipt_dev *d;
	u32 magic;
	int ret;

	mutex_lock(&ipt_dev_lock);
	if (ipt_the_dev) {
		dev_info(&pdev->dev, "only the first iopf-pri-test device is used\n");
		ret = -EBUSY;
		goto out_unlock;
	}
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	d->pdev = pdev;
	mutex_init(&d->lock);
	spin_lock_init(&d->fail_lock);
	init_waitqueue_head(&d->fail_wait);

	ret = pci_enable_device_mem(pdev);
	if (ret)
		goto err_free;
	ret = pci_request_regions(pdev, "iopf_pri_test");
	if (ret)
		goto err_disable;
	d->regs = pci_iomap(pdev, 0, 0);
	if (!d->regs) {
		ret = -ENOMEM;
		goto err_release;
	}
	magic = readl(d->regs + IPT_REG_ID);
	if (magic != IPT_ID_VALUE) {
		dev_err(&pdev->dev, "ID register reads %#x, not %#x\n", magic,
			IPT_ID_VALUE);
		ret = -ENODEV;
		goto err_unmap;
	}
	/* the device's page requests and DMA need bus mastering */
	pci_set_master(pdev);
	ret = ipt_notify_register(d);
	if (ret) {
		dev_err(&pdev->dev, "iopf_failure_notifier_register: %d\n", ret);
		goto err_clear_master;
	}

	d->misc.minor = MISC_DYNAMIC_MINOR;
	d->misc.name = "iopf-pri-test";
	d->misc.fops = &ipt_fops;
	d->misc.parent = &pdev->dev;
	ret = misc_register(&d->misc);
	if (ret)
		goto err_unregister;

	pci_set_drvdata(pdev, d);
	ipt_the_dev = d;
	mutex_unlock(&ipt_dev_lock);
	dev_info(&pdev->dev, "iopf-pri-test: ATS %s, PASID %s, PRI %s, failure notifier %s\n",
		 str_on_off(pci_ats_supported(pdev)),
		 str_on_off(pdev->pasid_enabled),
		 str_on_off(pdev->pri_enabled),
		 d->notifier ? "registered" : "absent");
	return 0;

err_unregister:
	ipt_notify_unregister(d);
err_clear_master:
	pci_clear_master(pdev);
err_unmap:
	pci_iounmap(pdev, d->regs);
err_release:
	pci_release_regions(pdev);
err_disable:
	pci_disable_device(pdev);
err_free:
	kfree(d);
out_unlock:
	mutex_unlock(&ipt_dev_lock);
	return ret;
}

static void ipt_remove(struct pci_dev *pdev)
{
	struct ipt_dev *d = pci_get_drvdata(pdev);

	misc_deregister(&d->misc);
	ipt_notify_unregister(d);
	pci_clear_master(pdev);
	pci_iounmap(pdev, d->regs);
	pci_release_regions(pdev);
	pci_disable_device(pdev);
	mutex_lock(&ipt_dev_lock);
	ipt_the_dev = NULL;
	mutex_unlock(&ipt_dev_lock);
	kfree(d);
}

static const struct pci_device_id ipt_ids[] = {
	{ PCI_DEVICE(IPT_VENDOR, IPT_DEVICE) },
	{ }
};
MODULE_DEVICE_TABLE(pci, ipt_ids);

static struct pci_driver ipt_driver = {
	.name = "iopf_pri_test",
	.id_table = ipt_ids,
	.probe = ipt_probe,
	.remove = ipt_remove,
};
module_pci_driver(ipt_driver);

MODULE_DESCRIPTION("Test driver of QEMU's iopf-pri-test page request device");
MODULE_LICENSE("GPL");
