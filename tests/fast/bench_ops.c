// SPDX-License-Identifier: GPL-2.0
/*
 * Instructions per operation, under valgrind --tool=callgrind
 * (scripts/check-fast.sh, callgrind-table.py). Each measured operation is
 * one noinline function op_<what>() doing it once; callgrind's inclusive
 * count of that function divided by its calls (printed as "calls FN N")
 * is the count per operation. The consumer is measured as the inclusive
 * count of iopf_notify_work() divided by the records it delivered.
 *
 *   bench_ops NDEV idle   NDEV devices registered (one RID each); each
 *                         record finds the consumer idle and queues it
 *   bench_ops NDEV burst  the same, records in bursts of BATCH: the first
 *                         queues the consumer, the others find it pending
 * (two runs, so that iopf_notify_work()'s count is for one kind of run)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/iopf-notify.h>
#include <linux/ktime.h>
#include <linux/workqueue.h>
#include "../../src/drivers/iommu/iopf-notify.h"
#include "shim.h"

void radix_tree_init(void);

#define N_OPS		1000	/* calls of each single-shot operation */
#define ROUNDS		10	/* bursts */
#define BATCH		100	/* records per burst, below a ring's 128 */
#define RID_BASE	0x3b00	/* bus 0x3b: a typical SR-IOV PF's VFs */
#define RID_MISS	0x3bff	/* same bus, never registered */
#define MAX_DEV		256

static unsigned long counted;

static void count_fn(const struct iopf_failure *f, void *data)
{
	counted++;
}

static void page_response(struct device *dev, struct iopf_fault *evt,
			  struct iommu_page_response *msg)
{
}

static const struct iommu_ops ops = { .page_response = page_response };
static struct iommu_device iommu;
static struct device devs[MAX_DEV];
static struct dev_iommu params[MAX_DEV];
static struct iommu_fwspec *fwspecs[MAX_DEV];
static struct iopf_notifier *notifiers[MAX_DEV];
static struct iommu_fault fault_hit, fault_miss;

#define OP __attribute__((__noinline__, __noclone__))

/* calibration: the cost of an empty measured function */
OP void op_nop(void) { __asm__ volatile("" ::: "memory"); }
OP u64 op_ktime(void) { return ktime_get_ns(); }

/* shim costs inside the rows, to set against the kernel's */
OP void op_shim_rcu_pair(void)
{
	rcu_read_lock();
	rcu_read_unlock();
}

OP void op_shim_irq_pair(void)
{
	unsigned long flags;

	local_irq_save(flags);
	local_irq_restore(flags);
}

static inline void fail(const struct iommu_fault *f)
{
	iopf_report_failure(&iommu, f, IOMMU_PAGE_RESP_INVALID,
			    IOPF_FAILURE_RESPONSE);
}

OP void op_hook_off(const struct iommu_fault *f) { fail(f); }

/* what __iopf_report_failure() does to find the notifier */
static __always_inline void *lookup(u32 rid)
{
	void *n;

	rcu_read_lock();
	n = xa_load(&iommu.iopf_notifiers, rid);
	rcu_read_unlock();
	return n;
}

OP void *op_lookup_hit(u32 rid) { return lookup(rid); }
OP void *op_lookup_miss(u32 rid) { return lookup(rid); }
OP void op_report_miss(const struct iommu_fault *f) { fail(f); }
OP void op_report_idle(const struct iommu_fault *f) { fail(f); }
OP void op_report_pending(const struct iommu_fault *f) { fail(f); }

static void calls(const char *fn, unsigned long n)
{
	printf("calls %s %lu\n", fn, n);
}

static void fault_init(struct iommu_fault *f, u32 rid)
{
	f->type = IOMMU_FAULT_PAGE_REQ;
	f->rid = rid;
	f->prm.flags = IOMMU_FAULT_PAGE_REQUEST_PASID_VALID |
		       IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE;
	f->prm.pasid = 1;
	f->prm.addr = 0x7f0000001000ULL;
	f->prm.perm = IOMMU_FAULT_PERM_WRITE;
}

int main(int argc, char **argv)
{
	unsigned int ndev = argc > 1 ? atoi(argv[1]) : 4, i, r, runs, per_run;
	bool burst = argc > 2 && !strcmp(argv[2], "burst");
	u32 rid_hit = RID_BASE + ndev / 2;
	struct iopf_notify_counts c;
	struct iopf_notifier *hit;
	unsigned long k0;

	if (!ndev || ndev > MAX_DEV || RID_BASE + ndev > RID_MISS) {
		fprintf(stderr, "bench_ops: NDEV must be 1..%d\n", MAX_DEV);
		return 2;
	}
	shim_init(2);
	radix_tree_init();
	iommu.ops = &ops;
	xa_init(&iommu.iopf_notifiers);
	fault_init(&fault_hit, rid_hit);
	fault_init(&fault_miss, RID_MISS);
	printf("ndev %u hit %#x miss %#x\n", ndev, rid_hit, RID_MISS);

	for (i = 0; i < N_OPS; i++) {
		op_nop();
		op_ktime();
		op_shim_rcu_pair();
		op_shim_irq_pair();
		op_hook_off(&fault_hit);	/* nobody registered: key off */
	}
	calls("op_nop", N_OPS);
	calls("op_ktime", N_OPS);
	calls("op_shim_rcu_pair", N_OPS);
	calls("op_shim_irq_pair", N_OPS);
	calls("op_hook_off", N_OPS);

	for (i = 0; i < ndev; i++) {
		fwspecs[i] = calloc(1, sizeof(*fwspecs[i]) + sizeof(u32));
		fwspecs[i]->num_ids = 1;
		fwspecs[i]->ids[0] = RID_BASE + i;
		params[i].iommu_dev = &iommu;
		params[i].fwspec = fwspecs[i];
		devs[i].name = "bench";
		devs[i].iommu = &params[i];
		notifiers[i] = iopf_failure_notifier_register(&devs[i], count_fn,
							      NULL);
		if (IS_ERR(notifiers[i])) {
			fprintf(stderr, "bench_ops: registration failed\n");
			return 1;
		}
	}
	hit = notifiers[ndev / 2];

	for (i = 0; i < N_OPS; i++) {
		if (!op_lookup_hit(rid_hit) || op_lookup_miss(RID_MISS))
			return 1;
		op_report_miss(&fault_miss);
	}
	calls("op_lookup_hit", N_OPS);
	calls("op_lookup_miss", N_OPS);
	calls("op_report_miss", N_OPS);

	k0 = shim_wq_kicks();
	if (!burst) {
		/*
		 * Consumer idle: each record queues the work item, which
		 * delivers it and goes idle again before the next one.
		 */
		for (i = 0; i < N_OPS; i++) {
			op_report_idle(&fault_hit);
			shim_wq_quiesce();
		}
		calls("op_report_idle", N_OPS);
		runs = N_OPS;
		per_run = 1;
	} else {
		/*
		 * Consumer pending: the workers are held back, so the first
		 * record of a burst queues the work item and the next ones
		 * find it pending; then one run delivers the burst.
		 */
		for (r = 0; r < ROUNDS; r++) {
			shim_wq_hold(true);
			op_report_idle(&fault_hit);
			for (i = 1; i < BATCH; i++)
				op_report_pending(&fault_hit);
			shim_wq_hold(false);
			shim_wq_quiesce();
		}
		calls("op_report_idle", ROUNDS);
		calls("op_report_pending", ROUNDS * (BATCH - 1));
		runs = ROUNDS;
		per_run = BATCH;
	}
	calls("queue_work", runs);
	calls("iopf_notify_work", runs * per_run);	/* records, not runs */
	printf("records_per_run %u\n", per_run);
	if (shim_wq_kicks() - k0 != runs) {
		fprintf(stderr, "bench_ops: the work item was queued %lu times, expected %u\n",
			shim_wq_kicks() - k0, runs);
		return 1;
	}
	iopf_notify_counts(hit, &c);
	if (c.delivered != runs * per_run || c.overflow || c.stale) {
		fprintf(stderr, "bench_ops: delivered %lu overflow %lu stale %lu, expected %u, 0, 0\n",
			c.delivered, c.overflow, c.stale, runs * per_run);
		return 1;
	}
	printf("counted %lu\n", counted);

	for (i = 0; i < ndev; i++)
		iopf_failure_notifier_unregister(notifiers[i]);
	return 0;
}
