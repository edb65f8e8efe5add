// SPDX-License-Identifier: GPL-2.0
/*
 * iopf_bench: the PRQ threads and the runs of page requests.
 *
 * Per-CPU "PRQ" kthreads play the hardware page request queue consumer:
 * they take synthetic descriptors from a ring and call
 * iommu_report_device_fault() as prq_event_thread() in
 * drivers/iommu/intel/prq.c does, so every request goes through the SVA
 * handler, handle_mm_fault() and back to the mock IOMMU's page_response(),
 * which timestamps the response and records its code.
 *
 * A "desc" is one synthetic page request; a "run" is one round of requests
 * queued by the helper, waited for until every group got its response.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "iopf_bench_priv.h"

#define IOPF_BENCH_RUN_TIMEOUT		(120 * HZ)

/* --- the mock device's end of the page responses */

/* The device's answer: timestamp first, then bookkeeping */
void iopf_bench_page_response(struct device *dev, struct iopf_fault *evt,
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
	iopf_bench_fill_rid(&event);
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

void iopf_bench_prq_stop(void)
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

int iopf_bench_prq_start(void)
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

long iopf_bench_run(struct iopf_bench_run __user *uarg)
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
	if (!arg.nr_pages || arg.mark > 1 || group > 512)
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

	if (arg.mark)
		fncount_region_on();
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
	if (arg.mark)
		fncount_region_off();
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
	if (arg.mark)
		fncount_region_off();
	iopf_bench_abort();
	return ret;
}

long iopf_bench_samples(struct iopf_bench_samples __user *uarg)
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
		/* a domain hook's fault has no timestamp to sample from */
		n = iopf_bench_design == IOPF_BENCH_D_RIDSLOT ?
		    min_t(u32, atomic_read(&bench.nr_cb), max_samples) : 0;
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

