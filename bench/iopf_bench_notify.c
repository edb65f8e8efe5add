// SPDX-License-Identifier: GPL-2.0
/*
 * iopf_bench: the failure notification of the kernel under test.
 *
 * Kbuild defines IOPF_BENCH_NOTIFY when the kernel has the RID-slot
 * notifier of the series (linux/iopf-notify.h) and IOPF_BENCH_DOMAIN_HOOK
 * when it has the domain-hook alternative (patches/alt-domain-hook/). On
 * the baseline kernel neither exists and a setup with notify is refused.
 *
 * RID-slot: the mock device is registered with
 * iopf_failure_notifier_register(), optionally next to a neighbour device
 * holding unrelated requester IDs on the same IOMMU; the failure site
 * __iopf_report_failure() is also timed directly (refscale style: IRQs
 * off around each timed call) with the consumer idle, held pending, or
 * free running.
 *
 * Domain hook: the hook is set on the bond with iommu_sva_set_fault_failed(),
 * synchronous or deferred (IOMMU_FAULT_FAILED_DEFER). A hook is set once
 * and goes with the bond, so every setup binds the opener's mm afresh.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/irqflags.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#ifdef IOPF_BENCH_NOTIFY
#include <linux/iopf-notify.h>
#endif

#include "iopf_bench_priv.h"

/*
 * Records timed while the consumer is held: with the holding record they
 * must fit in one per-CPU ring of the notifier (128 by default)
 */
#define IOPF_BENCH_MAX_HELD	64

/* A callback spends bench.cb_cost_us, spinning or sleeping */
static void __maybe_unused iopf_bench_spend(void)
{
	u32 us = READ_ONCE(bench.cb_cost_us);

	if (!us)
		return;
	if (!READ_ONCE(bench.cb_sleep))
		udelay(us);
	else if (us < 20000)
		usleep_range(us, us + us / 8 + 1);
	else
		msleep(us / 1000);
}

/* The neighbour device, holding @nr requester IDs from @first on */
static int __maybe_unused iopf_bench_neighbour_create(u32 first, u32 nr)
{
	u32 *rids;
	u32 i;

	if (!nr)
		return 0;
	bench.neighbour_rid = first ?: IOPF_BENCH_NEIGHBOUR_RID;
	first = bench.neighbour_rid;
	rids = kcalloc(nr, sizeof(*rids), GFP_KERNEL);
	if (!rids)
		return -ENOMEM;
	for (i = 0; i < nr; i++)
		rids[i] = first + i;
	bench.neighbour = iopf_mock_dev_create(&bench.mock, rids, nr);
	kfree(rids);
	if (IS_ERR(bench.neighbour)) {
		int ret = PTR_ERR(bench.neighbour);

		bench.neighbour = NULL;
		return ret;
	}
	return 0;
}

static void __maybe_unused iopf_bench_neighbour_destroy(void)
{
	if (bench.neighbour)
		iopf_mock_dev_destroy(bench.neighbour);
	bench.neighbour = NULL;
}

#ifdef IOPF_BENCH_NOTIFY
const u32 iopf_bench_design = IOPF_BENCH_D_RIDSLOT;
const u32 iopf_bench_record_size = sizeof(struct iopf_failure);

void iopf_bench_fill_rid(struct iopf_fault *event)
{
	event->fault.rid = rid;
}

static void iopf_bench_failure(const struct iopf_failure *f, void *data)
{
	u64 now = ktime_get_ns();
	int i;

	if (data != &bench) {
		/* the neighbour: never called in a flood of the mock device */
		if (READ_ONCE(bench.block_ms))
			msleep(READ_ONCE(bench.block_ms));
		atomic_inc(&bench.nr_neighbour_cb);
		wake_up(&bench.cb_wq);
		return;
	}
	i = atomic_inc_return(&bench.nr_cb) - 1;
	if (i < max_samples)
		bench.cb_lat[i] = now - f->timestamp;
	if (f->addr == READ_ONCE(bench.hold_addr))
		wait_for_completion(&bench.gate);
	iopf_bench_spend();
	wake_up(&bench.cb_wq);
}

void iopf_bench_notify_off(void)
{
	iopf_failure_notifier_unregister(bench.nfy);
	bench.nfy = NULL;
	iopf_failure_notifier_unregister(bench.neighbour_nfy);
	bench.neighbour_nfy = NULL;
	bench.notify = false;
	iopf_bench_neighbour_destroy();
}

static int iopf_bench_notify_on(const struct iopf_bench_setup *s)
{
	struct iopf_notifier *n;
	int ret;

	if (s->defer)
		return -EINVAL;		/* the notifier always defers */
	ret = iopf_bench_neighbour_create(s->neighbour_rid, s->nr_neighbours);
	if (ret)
		return ret;
	if (bench.neighbour) {
		n = iopf_failure_notifier_register(&bench.neighbour->dev,
						   iopf_bench_failure, NULL);
		if (IS_ERR(n)) {
			ret = PTR_ERR(n);
			goto err_off;
		}
		bench.neighbour_nfy = n;
	}
	n = iopf_failure_notifier_register(&bench.mdev->dev,
					   iopf_bench_failure, &bench);
	if (IS_ERR(n)) {
		ret = PTR_ERR(n);
		goto err_off;
	}
	bench.nfy = n;
	bench.notify = true;
	return 0;

err_off:
	pr_err("iopf_failure_notifier_register: %d\n", ret);
	iopf_bench_notify_off();
	return ret;
}

static void iopf_bench_fault_init(struct iommu_fault *fault, u32 req_rid,
				  u32 i)
{
	memset(fault, 0, sizeof(*fault));
	fault->type = IOMMU_FAULT_PAGE_REQ;
	fault->rid = req_rid;
	fault->prm.flags = IOMMU_FAULT_PAGE_REQUEST_PASID_VALID |
			   IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE;
	fault->prm.pasid = bench.pasid;
	fault->prm.perm = IOMMU_FAULT_PERM_WRITE;
	fault->prm.addr = ((u64)i + 1) << PAGE_SHIFT;
	fault->prm.grpid = i & 0x1ff;
}

static void iopf_bench_report(const struct iommu_fault *fault)
{
	__iopf_report_failure(&bench.mock.iommu, fault,
			      IOMMU_PAGE_RESP_INVALID, IOPF_FAILURE_RESPONSE);
}

/* Wait until @n callbacks of the mock device ran; false on a timeout */
static bool iopf_bench_wait_cb(u32 n)
{
	unsigned long t = HZ + usecs_to_jiffies(2 * n * bench.cb_cost_us);

	if (wait_event_timeout(bench.cb_wq, atomic_read(&bench.nr_cb) >= n, t))
		return true;
	pr_warn("enqueue: %d of %u callbacks after the wait\n",
		atomic_read(&bench.nr_cb), n);
	return false;
}

/*
 * Timed calls of the failure site, each with IRQs off:
 *  FREE     bursts of @batch calls, then a wait for their callbacks
 *  IDLE     before each call, its predecessor's callback ran and the
 *           consumer had the time to go idle: every call kicks
 *  PENDING  an untimed first record holds the consumer in its callback
 *           (bench.gate) while @batch calls are timed: none kicks
 */
long iopf_bench_enqueue(struct iopf_bench_enqueue __user *uarg)
{
	struct iopf_bench_enqueue arg;
	struct iommu_fault fault;
	unsigned long flags;
	u32 i, sent = 0;
	u64 t0, t1, t2;
	long ret = 0;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (!bench.notify)
		return -ENOENT;
	if (!arg.nr || arg.nr > max_samples || !arg.batch || arg.mark > 1 ||
	    arg.state > IOPF_BENCH_E_PENDING ||
	    (arg.state == IOPF_BENCH_E_PENDING &&
	     arg.batch > IOPF_BENCH_MAX_HELD))
		return -EINVAL;

	atomic_set(&bench.nr_cb, 0);
	bench.nr_enq = 0;
	if (arg.mark)
		fncount_region_on();
	for (i = 0; i < arg.nr; i++) {
		if (arg.state == IOPF_BENCH_E_PENDING && i % arg.batch == 0) {
			/* the record whose callback holds the consumer */
			reinit_completion(&bench.gate);
			iopf_bench_fault_init(&fault, rid, U32_MAX >> 1);
			WRITE_ONCE(bench.hold_addr, fault.prm.addr);
			iopf_bench_report(&fault);
			sent++;
			if (!wait_event_timeout(bench.cb_wq,
						atomic_read(&bench.nr_cb) >= sent,
						HZ)) {
				ret = -ETIMEDOUT;
				break;
			}
		}
		iopf_bench_fault_init(&fault, rid, i);
		local_irq_save(flags);
		t0 = ktime_get_ns();
		t1 = ktime_get_ns();
		iopf_bench_report(&fault);
		t2 = ktime_get_ns();
		local_irq_restore(flags);
		bench.null_ns[i] = t1 - t0;
		bench.enq_ns[i] = t2 - t1;
		bench.nr_enq = i + 1;
		sent++;
		if (arg.state == IOPF_BENCH_E_IDLE) {
			if (!iopf_bench_wait_cb(sent)) {
				ret = -ETIMEDOUT;
				break;
			}
			/* the consumer finds its rings empty and goes idle */
			usleep_range(50, 100);
		} else if ((i + 1) % arg.batch == 0 || i + 1 == arg.nr) {
			if (arg.state == IOPF_BENCH_E_PENDING)
				complete(&bench.gate);
			if (!iopf_bench_wait_cb(sent)) {
				ret = -ETIMEDOUT;
				break;
			}
		}
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
	}
	if (arg.mark)
		fncount_region_off();
	WRITE_ONCE(bench.hold_addr, 0);
	complete_all(&bench.gate);
	return ret;
}

/*
 * The neighbour's callback sleeps @block_ms for its record; meanwhile the
 * mock device's failures must still be delivered: their delay is the
 * isolation. Then, once that callback returned, the neighbour's
 * unregistration is timed.
 */
long iopf_bench_isolation(struct iopf_bench_isolation __user *uarg)
{
	struct iopf_bench_isolation arg;
	struct iommu_fault fault;
	u64 t0, worst = 0;
	u32 i;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (!bench.notify || !bench.neighbour_nfy)
		return -ENOENT;
	if (!arg.tries || arg.tries > max_samples || arg.block_ms > 10000)
		return -EINVAL;

	WRITE_ONCE(bench.block_ms, arg.block_ms);
	atomic_set(&bench.nr_cb, 0);
	atomic_set(&bench.nr_neighbour_cb, 0);
	iopf_bench_fault_init(&fault, bench.neighbour_rid, 0);
	iopf_bench_report(&fault);
	/* let the neighbour's consumer start sleeping in its callback */
	usleep_range(1000, 2000);
	for (i = 0; i < arg.tries; i++) {
		iopf_bench_fault_init(&fault, rid, i);
		iopf_bench_report(&fault);
		if (!iopf_bench_wait_cb(i + 1))
			break;
	}
	for (i = 0; i < (u32)atomic_read(&bench.nr_cb) && i < arg.tries; i++)
		worst = max(worst, bench.cb_lat[i]);
	arg.max_delay_ns = worst;

	wait_event_timeout(bench.cb_wq, atomic_read(&bench.nr_neighbour_cb),
			   msecs_to_jiffies(arg.block_ms + 1000));
	WRITE_ONCE(bench.block_ms, 0);
	t0 = ktime_get_ns();
	iopf_failure_notifier_unregister(bench.neighbour_nfy);
	arg.unregister_ns = ktime_get_ns() - t0;
	bench.neighbour_nfy = NULL;
	if (atomic_read(&bench.nr_cb) < arg.tries ||
	    !atomic_read(&bench.nr_neighbour_cb))
		return -ETIMEDOUT;
	return copy_to_user(uarg, &arg, sizeof(arg)) ? -EFAULT : 0;
}
#elif defined(IOPF_BENCH_DOMAIN_HOOK)
const u32 iopf_bench_design = IOPF_BENCH_D_HOOK;
const u32 iopf_bench_record_size;

void iopf_bench_fill_rid(struct iopf_fault *event)
{
}

/*
 * The domain-hook alternative: called by the iopf worker after the page
 * response (synchronous form), or from the hook's work item (deferred).
 * A fault carries no timestamp: no callback latency is sampled.
 */
static void iopf_bench_hook_failure(const struct iommu_fault *fault,
				    enum iommu_page_response_code code,
				    void *data)
{
	atomic_inc(&bench.nr_cb);
	iopf_bench_spend();
	wake_up(&bench.cb_wq);
}

/* A fresh bond of the opener's mm: the old one takes its hook along */
static int iopf_bench_rebind(void)
{
	struct iommu_sva *sva;

	iopf_queue_flush_dev(&bench.mdev->dev);
	iommu_sva_unbind_device(bench.sva);
	bench.sva = NULL;
	sva = iommu_sva_bind_device(&bench.mdev->dev, current->mm);
	if (IS_ERR(sva)) {
		pr_err("iommu_sva_bind_device() on a new setup: %ld\n",
		       PTR_ERR(sva));
		return PTR_ERR(sva);
	}
	bench.sva = sva;
	bench.pasid = iommu_sva_get_pasid(sva);
	return 0;
}

void iopf_bench_notify_off(void)
{
	if (bench.notify && bench.sva && current->mm)
		iopf_bench_rebind();
	bench.notify = false;
	iopf_bench_neighbour_destroy();
}

static int iopf_bench_notify_on(const struct iopf_bench_setup *s)
{
	int ret;

	if (!bench.sva)
		return -ENODEV;
	/* neighbours cost nothing here; created so the runs match */
	ret = iopf_bench_neighbour_create(s->neighbour_rid, s->nr_neighbours);
	if (ret)
		return ret;
	ret = iommu_sva_set_fault_failed(bench.sva, iopf_bench_hook_failure,
					 &bench, s->defer ?
					 IOMMU_FAULT_FAILED_DEFER : 0);
	if (ret) {
		pr_err("iommu_sva_set_fault_failed: %d\n", ret);
		iopf_bench_neighbour_destroy();
		return ret;
	}
	bench.notify = true;
	return 0;
}

long iopf_bench_enqueue(struct iopf_bench_enqueue __user *uarg)
{
	return -EOPNOTSUPP;
}

long iopf_bench_isolation(struct iopf_bench_isolation __user *uarg)
{
	return -EOPNOTSUPP;
}
#else
const u32 iopf_bench_design = IOPF_BENCH_D_NONE;
const u32 iopf_bench_record_size;

void iopf_bench_fill_rid(struct iopf_fault *event)
{
}

void iopf_bench_notify_off(void)
{
}

static int iopf_bench_notify_on(const struct iopf_bench_setup *s)
{
	return -EOPNOTSUPP;
}

long iopf_bench_enqueue(struct iopf_bench_enqueue __user *uarg)
{
	return -EOPNOTSUPP;
}

long iopf_bench_isolation(struct iopf_bench_isolation __user *uarg)
{
	return -EOPNOTSUPP;
}
#endif

long iopf_bench_setup(struct iopf_bench_setup __user *uarg)
{
	struct iopf_bench_setup arg;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.nr_neighbours > IOPF_BENCH_MAX_NEIGHBOURS ||
	    arg.cb_cost_us > 1000000 || arg.cb_sleep > 1 || arg.notify > 1 ||
	    arg.defer > 1 || arg.neighbour_rid > 0xffff ||
	    arg.neighbour_rid + arg.nr_neighbours > 0x10000 ||
	    (arg.neighbour_rid && arg.neighbour_rid <= (u32)rid &&
	     arg.neighbour_rid + arg.nr_neighbours > (u32)rid) ||
	    (!arg.notify && (arg.nr_neighbours || arg.cb_cost_us || arg.defer)))
		return -EINVAL;
	iopf_bench_notify_off();
	WRITE_ONCE(bench.cb_cost_us, arg.cb_cost_us);
	WRITE_ONCE(bench.cb_sleep, arg.cb_sleep);
	if (!arg.notify)
		return 0;
	return iopf_bench_notify_on(&arg);
}

/* Wait until the callbacks stop coming; returns how many there were */
long iopf_bench_drain(u32 __user *uarg)
{
	unsigned long quiet = msecs_to_jiffies(50) +
			      usecs_to_jiffies(2 * bench.cb_cost_us);
	int n;

	do {
		n = atomic_read(&bench.nr_cb);
		wait_event_interruptible_timeout(bench.cb_wq,
						 atomic_read(&bench.nr_cb) != n,
						 quiet);
		if (signal_pending(current))
			return -EINTR;
	} while (atomic_read(&bench.nr_cb) != n);
	if (atomic_read(&bench.nr_neighbour_cb))
		pr_err("%d failures notified to an unrelated RID\n",
		       atomic_read(&bench.nr_neighbour_cb));
	return put_user(n, uarg);
}
