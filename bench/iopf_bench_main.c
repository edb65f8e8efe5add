// SPDX-License-Identifier: GPL-2.0
/*
 * iopf_bench: flood page requests through the real I/O page fault path.
 *
 * The mock IOMMU of iopf_mock.c is registered on a private bus
 * ("iopf_mock") with iommu_device_register_bus(), as
 * drivers/iommu/iommufd/selftest.c does. Its mock device supports IOPF and
 * SVA; opening /dev/iopf_bench binds the device to the opener's mm with
 * iommu_sva_bind_device(). Per-CPU "PRQ" kthreads play the hardware page
 * request queue consumer: they take synthetic descriptors from a ring and
 * call iommu_report_device_fault() as prq_event_thread() in
 * drivers/iommu/intel/prq.c does, so every request goes through the SVA
 * handler, handle_mm_fault() and back to this driver's page_response(),
 * which timestamps the response and records its code.
 *
 * On a kernel with the failed page fault notifier (linux/iopf-notify.h) the
 * module also registers a notifier for the mock device, optionally with
 * unrelated requester IDs registered on the same IOMMU, with a callback of
 * configurable cost, and times the failure site directly (refscale style:
 * IRQs off around each timed call).
 *
 * Naming: "bench" is the module's global state; a "prq" is one PRQ thread
 * with its ring; a "desc" is one synthetic page request; a "run" is one
 * round of requests queued by the helper, waited for until every group got
 * its response.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/iommu.h>
#include <linux/kthread.h>
#include <linux/log2.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>

/* Kbuild defines IOPF_BENCH_NOTIFY when the kernel has linux/iopf-notify.h */
#ifdef IOPF_BENCH_NOTIFY
#include <linux/iopf-notify.h>
#define IOPF_BENCH_HAS_NOTIFY true
#define IOPF_BENCH_DESIGN "built"
#elif defined(IOPF_BENCH_DOMAIN_HOOK)
/* Kbuild defines it when the kernel has the domain-hook alternative */
#define IOPF_BENCH_HAS_NOTIFY true
#define IOPF_BENCH_DESIGN "domain-hook"
#else
#define IOPF_BENCH_HAS_NOTIFY false
#define IOPF_BENCH_DESIGN "absent"
#endif

#include "iopf_bench.h"
#include "iopf_mock.h"

#define IOPF_BENCH_NEIGHBOUR_RID	0x8000
#define IOPF_BENCH_MAX_NEIGHBOURS	4096
#define IOPF_BENCH_RUN_TIMEOUT		(120 * HZ)

static int nr_threads;
module_param(nr_threads, int, 0444);
MODULE_PARM_DESC(nr_threads, "PRQ threads (0: one per online CPU)");

static int ring_size = 1024;
module_param(ring_size, int, 0444);
MODULE_PARM_DESC(ring_size, "Descriptors per PRQ ring (power of 2, 16..65536)");

static int max_samples = 65536;
module_param(max_samples, int, 0444);
MODULE_PARM_DESC(max_samples, "Most page request groups per run (1..4194304)");

static int rid = 0x10;
module_param(rid, int, 0444);
MODULE_PARM_DESC(rid, "Requester ID of the mock device (0..0x7fff)");

static int pasid_bits = 20;
module_param(pasid_bits, int, 0444);
MODULE_PARM_DESC(pasid_bits, "PASID width of the mock IOMMU and device (1..20)");

struct iopf_bench_desc {
	u64 addr;
	u32 grpid;
	u32 perm;
	u32 flags;
	u32 pasid;
};

struct iopf_bench_prq {
	struct task_struct *task;
	wait_queue_head_t wq;
	unsigned int head;	/* written by the producer (ioctl) */
	unsigned int tail;	/* written by the PRQ thread */
	struct iopf_bench_desc *ring;
};

static struct iopf_bench {
	struct iopf_mock mock;
	struct iopf_mock_dev *mdev;
	struct iopf_mock_dev *neighbour;

	struct iopf_bench_prq *prq;
	unsigned int nr_prq;
	wait_queue_head_t space_wq;

	struct mutex lock;	/* open, ioctls */
	bool open;
	struct iommu_sva *sva;
	u32 pasid;

	/* the current run */
	u32 nr_groups;
	bool abort;
	atomic_t pending;
	struct completion done;
	u64 *report_ns;
	u64 *resp_ns;
	u64 *cost_ns;
	u16 *code;

	/* the failure notifier */
	bool notify;
	u32 cb_cost_us;
	bool cb_sleep;
	atomic_t nr_cb;
	atomic_t nr_neighbour_cb;
	wait_queue_head_t cb_wq;
	u64 *cb_lat;
	u64 *enq_ns;
	u64 *null_ns;
	u32 nr_enq;
} bench;

/* --- the mock device's end of the page responses */

/* The device's answer: timestamp first, then bookkeeping */
static void iopf_bench_page_response(struct device *dev, struct iopf_fault *evt,
				     struct iommu_page_response *msg)
{
	u64 now = ktime_get_ns();
	u32 g = msg->grpid;

	if (!bench.mdev || dev != &bench.mdev->dev ||
	    g >= READ_ONCE(bench.nr_groups))
		return;
	bench.resp_ns[g] = now;
	bench.code[g] = msg->code;
	if (atomic_dec_and_test(&bench.pending))
		complete(&bench.done);
}

/* --- the PRQ threads */

static bool iopf_bench_prq_pop(struct iopf_bench_prq *prq,
			       struct iopf_bench_desc *desc)
{
	unsigned int tail = prq->tail;

	/* Acquire: the descriptor is read after the head that published it */
	if (tail == smp_load_acquire(&prq->head))
		return false;
	*desc = prq->ring[tail & (ring_size - 1)];
	/* Release: the slot is read before the producer may reuse it */
	smp_store_release(&prq->tail, tail + 1);
	return true;
}

/* As intel_prq_report() + prq_event_thread() do for one descriptor */
static void iopf_bench_prq_handle(const struct iopf_bench_desc *desc)
{
	struct iopf_fault event = { };
	struct iommu_fault_page_request *prm = &event.fault.prm;
	bool last = desc->flags & IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE;
	u64 t0, t1;

	event.fault.type = IOMMU_FAULT_PAGE_REQ;
	prm->addr = desc->addr;
	prm->pasid = desc->pasid;
	prm->grpid = desc->grpid;
	prm->perm = desc->perm;
	prm->flags = desc->flags;
#ifdef IOPF_BENCH_NOTIFY
	event.fault.rid = rid;
#endif
	if (READ_ONCE(bench.abort))
		return;

	t0 = ktime_get_ns();
	if (last)
		bench.report_ns[desc->grpid] = t0;
	iommu_report_device_fault(&bench.mdev->dev, &event);
	t1 = ktime_get_ns();
	if (last)
		bench.cost_ns[desc->grpid] = t1 - t0;
}

static int iopf_bench_prq_thread(void *data)
{
	struct iopf_bench_prq *prq = data;
	struct iopf_bench_desc desc;

	while (!kthread_should_stop()) {
		wait_event_interruptible(prq->wq,
					 READ_ONCE(prq->head) != prq->tail ||
					 kthread_should_stop());
		while (iopf_bench_prq_pop(prq, &desc)) {
			iopf_bench_prq_handle(&desc);
			wake_up(&bench.space_wq);
			cond_resched();
		}
	}
	return 0;
}

static bool iopf_bench_prq_has_space(struct iopf_bench_prq *prq)
{
	/* Acquire: pairs with the release of the tail in iopf_bench_prq_pop() */
	return prq->head - smp_load_acquire(&prq->tail) < ring_size;
}

static bool iopf_bench_prq_empty(struct iopf_bench_prq *prq)
{
	/* Acquire: pairs with the release of the tail in iopf_bench_prq_pop() */
	return smp_load_acquire(&prq->tail) == READ_ONCE(prq->head);
}

static int iopf_bench_prq_push(struct iopf_bench_prq *prq,
			       const struct iopf_bench_desc *desc)
{
	int ret;

	ret = wait_event_killable(bench.space_wq, iopf_bench_prq_has_space(prq));
	if (ret)
		return ret;
	prq->ring[prq->head & (ring_size - 1)] = *desc;
	/* Release: the descriptor is written before the head publishes it */
	smp_store_release(&prq->head, prq->head + 1);
	return 0;
}

static void iopf_bench_prq_stop(void)
{
	unsigned int i;

	for (i = 0; i < bench.nr_prq; i++) {
		if (bench.prq[i].task)
			kthread_stop(bench.prq[i].task);
		kvfree(bench.prq[i].ring);
	}
	kfree(bench.prq);
	bench.prq = NULL;
	bench.nr_prq = 0;
}

static int iopf_bench_prq_start(void)
{
	unsigned int i, cpu, n = nr_threads ?: num_online_cpus();
	struct task_struct *task;

	bench.prq = kcalloc(n, sizeof(*bench.prq), GFP_KERNEL);
	if (!bench.prq)
		return -ENOMEM;
	bench.nr_prq = n;
	cpu = cpumask_first(cpu_online_mask);
	for (i = 0; i < n; i++) {
		struct iopf_bench_prq *prq = &bench.prq[i];

		init_waitqueue_head(&prq->wq);
		prq->ring = kvcalloc(ring_size, sizeof(*prq->ring), GFP_KERNEL);
		if (!prq->ring)
			goto err_stop;
		task = kthread_create(iopf_bench_prq_thread, prq, "iopf_prq/%u",
				      cpu);
		if (IS_ERR(task))
			goto err_stop;
		kthread_bind(task, cpu);
		prq->task = task;
		wake_up_process(task);
		cpu = cpumask_next(cpu, cpu_online_mask);
		if (cpu >= nr_cpu_ids)
			cpu = cpumask_first(cpu_online_mask);
	}
	return 0;

err_stop:
	iopf_bench_prq_stop();
	return -ENOMEM;
}

/* --- runs */

/* Stop a run that will not finish: drop what is queued, flush the rest */
static void iopf_bench_abort(void)
{
	unsigned int i;

	WRITE_ONCE(bench.abort, true);
	for (i = 0; i < bench.nr_prq; i++) {
		wake_up(&bench.prq[i].wq);
		wait_event(bench.space_wq, iopf_bench_prq_empty(&bench.prq[i]));
	}
	iopf_queue_flush_dev(&bench.mdev->dev);
	iopf_queue_discard_partial(bench.mock.iopfq);
	WRITE_ONCE(bench.nr_groups, 0);
	WRITE_ONCE(bench.abort, false);
}

static long iopf_bench_run(struct iopf_bench_run __user *uarg)
{
	struct iopf_bench_run arg;
	struct iopf_bench_desc desc = { };
	u64 __user *upages;
	u32 i, nr_groups, group;
	u64 start, page;
	long left;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	group = arg.group ?: 1;
	if (!arg.nr_pages || arg.reserved || group > 512)
		return -EINVAL;
	nr_groups = DIV_ROUND_UP(arg.nr_pages, group);
	if (nr_groups > max_samples)
		return -E2BIG;
	upages = u64_to_user_ptr(arg.pages);

	reinit_completion(&bench.done);
	atomic_set(&bench.pending, nr_groups);
	memset(bench.resp_ns, 0, nr_groups * sizeof(*bench.resp_ns));
	atomic_set(&bench.nr_cb, 0);
	atomic_set(&bench.nr_neighbour_cb, 0);
	WRITE_ONCE(bench.nr_groups, nr_groups);

	start = ktime_get_ns();
	for (i = 0; i < arg.nr_pages; i++) {
		u32 g = i / group;
		struct iopf_bench_prq *prq = &bench.prq[g % bench.nr_prq];

		if (get_user(page, upages + i)) {
			ret = -EFAULT;
			goto err_abort;
		}
		desc.addr = page & ~IOPF_BENCH_PAGE_FLAGS;
		desc.grpid = g;
		desc.perm = 0;
		if (page & IOPF_BENCH_PERM_READ)
			desc.perm |= IOMMU_FAULT_PERM_READ;
		if (page & IOPF_BENCH_PERM_WRITE)
			desc.perm |= IOMMU_FAULT_PERM_WRITE;
		desc.pasid = bench.pasid;
		if (page & IOPF_BENCH_BAD_PASID) {
			/* No handler: the core answers each request itself */
			if (group != 1) {
				ret = -EINVAL;
				goto err_abort;
			}
			desc.pasid = bench.pasid + 1;
		}
		desc.flags = IOMMU_FAULT_PAGE_REQUEST_PASID_VALID;
		if (i % group == group - 1 || i == arg.nr_pages - 1)
			desc.flags |= IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE;
		ret = iopf_bench_prq_push(prq, &desc);
		if (ret)
			goto err_abort;
		if (desc.flags & IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE)
			wake_up(&prq->wq);
	}

	left = wait_for_completion_killable_timeout(&bench.done,
						    IOPF_BENCH_RUN_TIMEOUT);
	if (left <= 0) {
		ret = left ?: -ETIMEDOUT;
		pr_err("run of %u groups: %u responses missing (%d)\n",
		       nr_groups, atomic_read(&bench.pending), ret);
		goto err_abort;
	}
	arg.elapsed_ns = ktime_get_ns() - start;
	arg.nr_groups = nr_groups;
	arg.nr_success = 0;
	for (i = 0; i < nr_groups; i++)
		if (bench.code[i] == IOMMU_PAGE_RESP_SUCCESS)
			arg.nr_success++;
	arg.nr_failed = nr_groups - arg.nr_success;
	if (copy_to_user(uarg, &arg, sizeof(arg)))
		return -EFAULT;
	return 0;

err_abort:
	iopf_bench_abort();
	return ret;
}

static long iopf_bench_samples(struct iopf_bench_samples __user *uarg)
{
	struct iopf_bench_samples arg;
	u64 __user *ubuf;
	u64 v;
	u32 i, n;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.reserved)
		return -EINVAL;
	ubuf = u64_to_user_ptr(arg.buf);
	switch (arg.kind) {
	case IOPF_BENCH_S_LATENCY:
	case IOPF_BENCH_S_REPORT:
		n = READ_ONCE(bench.nr_groups);
		break;
	case IOPF_BENCH_S_CALLBACK:
		n = min_t(u32, atomic_read(&bench.nr_cb), max_samples);
		break;
	case IOPF_BENCH_S_ENQUEUE:
	case IOPF_BENCH_S_NULL:
		n = bench.nr_enq;
		break;
	default:
		return -EINVAL;
	}
	n = min(n, arg.max);
	for (i = 0; i < n; i++) {
		switch (arg.kind) {
		case IOPF_BENCH_S_LATENCY:
			v = bench.resp_ns[i] - bench.report_ns[i];
			break;
		case IOPF_BENCH_S_REPORT:
			v = bench.cost_ns[i];
			break;
		case IOPF_BENCH_S_CALLBACK:
			v = bench.cb_lat[i];
			break;
		case IOPF_BENCH_S_ENQUEUE:
			v = bench.enq_ns[i];
			break;
		default:
			v = bench.null_ns[i];
			break;
		}
		if (put_user(v, ubuf + i))
			return -EFAULT;
	}
	arg.count = n;
	if (copy_to_user(uarg, &arg, sizeof(arg)))
		return -EFAULT;
	return 0;
}

/* --- the failure notifier */

#if defined(IOPF_BENCH_NOTIFY) || defined(IOPF_BENCH_DOMAIN_HOOK)
static void iopf_bench_spend(void)
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
#endif

#ifdef IOPF_BENCH_NOTIFY
static void iopf_bench_failure(const struct iopf_failure *f, void *data)
{
	u64 now = ktime_get_ns();
	int i;

	if (data != &bench) {
		atomic_inc(&bench.nr_neighbour_cb);
		return;
	}
	i = atomic_inc_return(&bench.nr_cb) - 1;
	if (i < max_samples)
		bench.cb_lat[i] = now - f->timestamp;
	iopf_bench_spend();
	wake_up(&bench.cb_wq);
}

static void iopf_bench_notify_off(void)
{
	if (bench.notify)
		iopf_failure_notifier_unregister(&bench.mdev->dev);
	bench.notify = false;
	if (bench.neighbour) {
		iopf_failure_notifier_unregister(&bench.neighbour->dev);
		iopf_mock_dev_destroy(bench.neighbour);
		bench.neighbour = NULL;
	}
}

static int iopf_bench_notify_on(const struct iopf_bench_setup *s)
{
	u32 *rids;
	u32 i;
	int ret;

	if (s->nr_neighbours) {
		rids = kcalloc(s->nr_neighbours, sizeof(*rids), GFP_KERNEL);
		if (!rids)
			return -ENOMEM;
		for (i = 0; i < s->nr_neighbours; i++)
			rids[i] = IOPF_BENCH_NEIGHBOUR_RID + i;
		bench.neighbour = iopf_mock_dev_create(&bench.mock, rids, s->nr_neighbours);
		kfree(rids);
		if (IS_ERR(bench.neighbour)) {
			ret = PTR_ERR(bench.neighbour);
			bench.neighbour = NULL;
			return ret;
		}
		ret = iopf_failure_notifier_register(&bench.neighbour->dev,
						     iopf_bench_failure, NULL);
		if (ret) {
			iopf_mock_dev_destroy(bench.neighbour);
			bench.neighbour = NULL;
			return ret;
		}
	}
	ret = iopf_failure_notifier_register(&bench.mdev->dev,
					     iopf_bench_failure, &bench);
	if (ret) {
		iopf_bench_notify_off();
		return ret;
	}
	bench.notify = true;
	return 0;
}

/* refscale style: each sample is one call with IRQs off */
static long iopf_bench_enqueue(struct iopf_bench_enqueue __user *uarg)
{
	struct iommu_fault fault = {
		.type = IOMMU_FAULT_PAGE_REQ,
		.rid = rid,
		.prm = {
			.flags = IOMMU_FAULT_PAGE_REQUEST_PASID_VALID |
				 IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE,
			.pasid = bench.pasid,
			.perm = IOMMU_FAULT_PERM_WRITE,
		},
	};
	struct iopf_bench_enqueue arg;
	unsigned long flags;
	u64 t0, t1, t2;
	u32 i, sent;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (!bench.notify)
		return -ENOENT;
	if (!arg.nr || arg.nr > max_samples || !arg.batch)
		return -EINVAL;

	atomic_set(&bench.nr_cb, 0);
	bench.nr_enq = 0;
	for (i = 0; i < arg.nr; i++) {
		fault.prm.addr = (u64)i << PAGE_SHIFT;
		fault.prm.grpid = i;
		local_irq_save(flags);
		t0 = ktime_get_ns();
		t1 = ktime_get_ns();
		__iopf_report_failure(&bench.mock.iommu, &fault,
				      IOMMU_PAGE_RESP_INVALID,
				      IOPF_FAILURE_RESPONSE);
		t2 = ktime_get_ns();
		local_irq_restore(flags);
		bench.null_ns[i] = t1 - t0;
		bench.enq_ns[i] = t2 - t1;
		bench.nr_enq = i + 1;
		if ((i + 1) % arg.batch)
			continue;
		/* Let the callbacks catch up: the ring never overflows */
		sent = i + 1;
		if (!wait_event_timeout(bench.cb_wq,
					atomic_read(&bench.nr_cb) >= sent,
					HZ + usecs_to_jiffies(arg.batch * 2 *
							     bench.cb_cost_us)))
			pr_warn("enqueue: %d of %u callbacks after the wait\n",
				atomic_read(&bench.nr_cb), sent);
		if (fatal_signal_pending(current))
			return -EINTR;
	}
	return 0;
}
#elif defined(IOPF_BENCH_DOMAIN_HOOK)
/*
 * The domain-hook alternative (patches/alt-domain-hook/, not upstream): a
 * callback on the SVA bond, called synchronously by the iopf worker after
 * the page response. No dispatch: the enqueue-to-callback latency is 0 and
 * the worker pays for the callback. Neighbour RIDs cost nothing here; the
 * neighbour device is still created so the runs match the RID-slot ones.
 */
static void iopf_bench_hook_failure(const struct iommu_fault *fault,
				    enum iommu_page_response_code code,
				    void *data)
{
	int i = atomic_inc_return(&bench.nr_cb) - 1;

	if (i < max_samples)
		bench.cb_lat[i] = 0;
	iopf_bench_spend();
	wake_up(&bench.cb_wq);
}

static void iopf_bench_notify_off(void)
{
	if (bench.notify && bench.sva)
		iommu_sva_set_fault_failed(bench.sva, NULL, NULL);
	bench.notify = false;
	if (bench.neighbour) {
		iopf_mock_dev_destroy(bench.neighbour);
		bench.neighbour = NULL;
	}
}

static int iopf_bench_notify_on(const struct iopf_bench_setup *s)
{
	u32 *rids;
	u32 i;

	if (!bench.sva)
		return -ENODEV;
	if (s->nr_neighbours) {
		rids = kcalloc(s->nr_neighbours, sizeof(*rids), GFP_KERNEL);
		if (!rids)
			return -ENOMEM;
		for (i = 0; i < s->nr_neighbours; i++)
			rids[i] = IOPF_BENCH_NEIGHBOUR_RID + i;
		bench.neighbour = iopf_mock_dev_create(&bench.mock, rids,
						       s->nr_neighbours);
		kfree(rids);
		if (IS_ERR(bench.neighbour)) {
			int ret = PTR_ERR(bench.neighbour);

			bench.neighbour = NULL;
			return ret;
		}
	}
	iommu_sva_set_fault_failed(bench.sva, iopf_bench_hook_failure, &bench);
	bench.notify = true;
	return 0;
}

static long iopf_bench_enqueue(struct iopf_bench_enqueue __user *uarg)
{
	return -EOPNOTSUPP;
}
#else
static void iopf_bench_notify_off(void)
{
}

static int iopf_bench_notify_on(const struct iopf_bench_setup *s)
{
	return -EOPNOTSUPP;
}

static long iopf_bench_enqueue(struct iopf_bench_enqueue __user *uarg)
{
	return -EOPNOTSUPP;
}
#endif

static long iopf_bench_setup(struct iopf_bench_setup __user *uarg)
{
	struct iopf_bench_setup arg;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.nr_neighbours > IOPF_BENCH_MAX_NEIGHBOURS ||
	    arg.cb_cost_us > 1000000 || arg.cb_sleep > 1 || arg.notify > 1 ||
	    (!arg.notify && (arg.nr_neighbours || arg.cb_cost_us)))
		return -EINVAL;
	iopf_bench_notify_off();
	WRITE_ONCE(bench.cb_cost_us, arg.cb_cost_us);
	WRITE_ONCE(bench.cb_sleep, arg.cb_sleep);
	if (!arg.notify)
		return 0;
	return iopf_bench_notify_on(&arg);
}

/* Wait until the callbacks stop coming; returns how many there were */
static long iopf_bench_drain(u32 __user *uarg)
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

static long iopf_bench_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	struct iopf_bench_info info = {
		.pasid = bench.pasid,
		.rid = rid,
		.notify = IOPF_BENCH_HAS_NOTIFY,
		.nr_threads = bench.nr_prq,
		.max_samples = max_samples,
	};
	long ret;

	mutex_lock(&bench.lock);
	switch (cmd) {
	case IOPF_BENCH_INFO:
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

/* --- module init and exit */

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

	ret = iommu_dev_enable_feature(&bench.mdev->dev, IOMMU_DEV_FEAT_IOPF);
	if (ret)
		goto err_mdev;
	ret = iommu_dev_enable_feature(&bench.mdev->dev, IOMMU_DEV_FEAT_SVA);
	if (ret)
		goto err_iopf;

	ret = iopf_bench_prq_start();
	if (ret)
		goto err_sva;

	ret = misc_register(&iopf_bench_misc);
	if (ret)
		goto err_prq;

	pr_info("mock IOMMU on bus iopf_mock, device %s rid %#x, %u PRQ threads, notifier %s\n",
		dev_name(&bench.mdev->dev), rid,
		bench.nr_prq,
		IOPF_BENCH_DESIGN);
	return 0;

err_prq:
	iopf_bench_prq_stop();
err_sva:
	iommu_dev_disable_feature(&bench.mdev->dev, IOMMU_DEV_FEAT_SVA);
err_iopf:
	iommu_dev_disable_feature(&bench.mdev->dev, IOMMU_DEV_FEAT_IOPF);
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
	iommu_dev_disable_feature(&bench.mdev->dev, IOMMU_DEV_FEAT_SVA);
	iommu_dev_disable_feature(&bench.mdev->dev, IOMMU_DEV_FEAT_IOPF);
	iopf_mock_dev_destroy(bench.mdev);
	bench.mdev = NULL;
	iopf_mock_exit(&bench.mock);
	iopf_bench_free_samples();
}

module_init(iopf_bench_init);
module_exit(iopf_bench_exit);

MODULE_DESCRIPTION("Page request flood through the I/O page fault path");
MODULE_LICENSE("GPL");
