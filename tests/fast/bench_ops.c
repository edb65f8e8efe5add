// SPDX-License-Identifier: GPL-2.0
/*
 * Per-operation instruction counts, run under valgrind --tool=callgrind
 * (scripts/fast-callgrind.sh). Each measured operation is one noinline
 * function op_<design>_<what>() doing the operation once; callgrind's
 * inclusive cost of that function divided by its number of calls is the
 * count per operation. The harness prints "calls <function> <n>" lines.
 *
 *   bench_ops NDEV      NDEV devices registered (one RID each) per design
 *
 * Designs: "ours" = src/drivers/iommu/iopf-notify.c as built for the tests;
 * "v1" = alt/v1.c; "chain" = alt/chain.c on kernel/notifier.c.
 */
#include <stdio.h>
#include <stdlib.h>

#include <linux/iopf-notify.h>
#include <linux/ktime.h>
#include "../../src/drivers/iommu/iopf-notify.h"
#include "alt/alt.h"
#include "shim.h"

void radix_tree_init(void);

#define N_OPS		1000	/* calls of each single-shot operation */
#define ROUNDS		10	/* enqueue rounds */
#define BATCH		100	/* records per round, below one notifier's quota (half a ring) */
#define RID_BASE	0x3b00	/* bus 0x3b: a typical SR-IOV PF's VFs */
#define RID_MISS	0x3bff	/* same bus, never registered */
#define MAX_DEV		256

static unsigned long counted;

static void count_fn(const struct iopf_failure *f, void *data)
{
	counted++;
}

static const struct iommu_ops ops = { .page_response = (void *)1 };
static struct iommu_device iommu;
static struct device devs[MAX_DEV];
static struct dev_iommu params[MAX_DEV];
static struct iommu_fwspec *fwspecs[MAX_DEV];
static struct v1_dev v1devs[MAX_DEV];
static struct v1_dev v1_unused;		/* a device nobody registered */
static struct chain_dev chaindevs[MAX_DEV];

static struct iommu_fault fault_hit, fault_miss;

#define OP __attribute__((__noinline__, __noclone__))

/* calibration: the cost of an empty measured function */
OP void op_nop(void) { __asm__ volatile("" ::: "memory"); }
OP u64 op_ktime(void) { return ktime_get_ns(); }

/* shim costs inside the rows above, to set against the kernel's */
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

/* --- ours --- */
OP void op_ours_hook_off(const struct iommu_fault *f)
{
	iopf_report_failure(&iommu, f, IOMMU_PAGE_RESP_INVALID,
			    IOPF_FAILURE_RESPONSE);
}

/* what __iopf_report_failure() does to find the notifier */
static __always_inline void *ours_lookup(u32 rid)
{
	void *n;

	rcu_read_lock();
	n = xa_load(&iommu.iopf_notifiers, rid);
	rcu_read_unlock();
	return n;
}

OP void *op_ours_lookup_hit(u32 rid) { return ours_lookup(rid); }
OP void *op_ours_lookup_miss(u32 rid) { return ours_lookup(rid); }

OP void op_ours_report_miss(const struct iommu_fault *f)
{
	iopf_report_failure(&iommu, f, IOMMU_PAGE_RESP_INVALID,
			    IOPF_FAILURE_RESPONSE);
}

OP void op_ours_report_hit_kick(const struct iommu_fault *f)
{
	iopf_report_failure(&iommu, f, IOMMU_PAGE_RESP_INVALID,
			    IOPF_FAILURE_RESPONSE);
}

OP void op_ours_report_hit(const struct iommu_fault *f)
{
	iopf_report_failure(&iommu, f, IOMMU_PAGE_RESP_INVALID,
			    IOPF_FAILURE_RESPONSE);
}

/* --- v1 --- */
OP void op_v1_hook_empty(const struct iommu_fault *f)
{
	v1_report(&v1_unused, f, IOMMU_PAGE_RESP_INVALID);
}

OP void *op_v1_lookup_hit(struct v1_dev *d, u32 rid)
{
	return xa_load(&d->notifiers, rid);
}

OP void *op_v1_lookup_miss(struct v1_dev *d, u32 rid)
{
	return xa_load(&d->notifiers, rid);
}

OP void op_v1_report_hit(struct v1_dev *d, const struct iommu_fault *f)
{
	v1_report(d, f, IOMMU_PAGE_RESP_INVALID);
}

OP void op_v1_report_miss(struct v1_dev *d, const struct iommu_fault *f)
{
	v1_report(d, f, IOMMU_PAGE_RESP_INVALID);
}

/* --- blocking notifier chain --- */
OP void op_chain_hook_empty(const struct iommu_fault *f)
{
	chain_report(f, IOMMU_PAGE_RESP_INVALID, IOPF_FAILURE_RESPONSE);
}

OP void op_chain_report_hit(const struct iommu_fault *f)
{
	chain_report(f, IOMMU_PAGE_RESP_INVALID, IOPF_FAILURE_RESPONSE);
}

OP void op_chain_report_miss(const struct iommu_fault *f)
{
	chain_report(f, IOMMU_PAGE_RESP_INVALID, IOPF_FAILURE_RESPONSE);
}

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
	unsigned int ndev = argc > 1 ? atoi(argv[1]) : 4, i, r;
	u32 rid_hit = RID_BASE + ndev / 2;
	struct v1_dev *v1hit;
	struct iopf_notify_counts c;
	int ret;

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

	v1_dev_init(&v1_unused);
	for (i = 0; i < N_OPS; i++) {
		op_nop();
		op_ktime();
		op_shim_rcu_pair();
		op_shim_irq_pair();
		/* nobody registered yet: the static key is off */
		op_ours_hook_off(&fault_hit);
		op_chain_hook_empty(&fault_hit);
		op_v1_hook_empty(&fault_hit);
	}
	calls("op_nop", N_OPS);
	calls("op_ktime", N_OPS);
	calls("op_shim_rcu_pair", N_OPS);
	calls("op_shim_irq_pair", N_OPS);
	calls("op_ours_hook_off", N_OPS);
	calls("op_chain_hook_empty", N_OPS);
	calls("op_v1_hook_empty", N_OPS);

	for (i = 0; i < ndev; i++) {
		fwspecs[i] = calloc(1, sizeof(*fwspecs[i]) + sizeof(u32));
		fwspecs[i]->num_ids = 1;
		fwspecs[i]->ids[0] = RID_BASE + i;
		params[i].iommu_dev = &iommu;
		params[i].fwspec = fwspecs[i];
		devs[i].name = "bench";
		devs[i].iommu = &params[i];
		ret = iopf_failure_notifier_register(&devs[i], count_fn, NULL);
		v1_dev_init(&v1devs[i]);
		ret |= v1_set_rid_fault_notifier(&v1devs[i], RID_BASE + i,
						 count_fn, NULL);
		ret |= chain_register(&chaindevs[i], RID_BASE + i, count_fn,
				      NULL);
		if (ret) {
			fprintf(stderr, "bench_ops: registration failed\n");
			return 1;
		}
	}
	v1hit = &v1devs[ndev / 2];

	for (i = 0; i < N_OPS; i++) {
		if (!op_ours_lookup_hit(rid_hit) ||
		    op_ours_lookup_miss(RID_MISS))
			return 1;
		if (!op_v1_lookup_hit(v1hit, rid_hit) ||
		    op_v1_lookup_miss(v1hit, RID_MISS))
			return 1;
		op_ours_report_miss(&fault_miss);
		op_v1_report_hit(v1hit, &fault_hit);
		op_v1_report_miss(v1hit, &fault_miss);
		op_chain_report_hit(&fault_hit);
		op_chain_report_miss(&fault_miss);
	}
	calls("op_ours_lookup_hit", N_OPS);
	calls("op_ours_lookup_miss", N_OPS);
	calls("op_v1_lookup_hit", N_OPS);
	calls("op_v1_lookup_miss", N_OPS);
	calls("op_ours_report_miss", N_OPS);
	calls("op_v1_report_hit", N_OPS);
	calls("op_v1_report_miss", N_OPS);
	calls("op_chain_report_hit", N_OPS);
	calls("op_chain_report_miss", N_OPS);

	/*
	 * Enqueue: the CPU's work item is held back, so the first record of
	 * a round queues it and the next ones find it pending, as in a burst.
	 * The worker then drains the round (iopf_notify_work, per record).
	 */
	iopf_notify_flush();
	for (r = 0; r < ROUNDS; r++) {
		shim_wq_hold(true);
		op_ours_report_hit_kick(&fault_hit);
		for (i = 1; i < BATCH; i++)
			op_ours_report_hit(&fault_hit);
		shim_wq_hold(false);
		iopf_notify_flush();
	}
	calls("op_ours_report_hit_kick", ROUNDS);
	calls("op_ours_report_hit", ROUNDS * (BATCH - 1));
	if (iopf_notify_counts(&devs[ndev / 2], &c) ||
	    c.delivered != ROUNDS * BATCH || c.dropped) {
		fprintf(stderr, "bench_ops: delivered %ld dropped %ld\n",
			c.delivered, c.dropped);
		return 1;
	}
	calls("iopf_notify_work", c.delivered);	/* records, not calls */
	/* sanity: every synchronous design delivered too */
	printf("counted %lu\n", counted);

	for (i = 0; i < ndev; i++) {
		iopf_failure_notifier_unregister(&devs[i]);
		chain_unregister(&chaindevs[i]);
	}
	return 0;
}
