// SPDX-License-Identifier: GPL-2.0
/*
 * iopf_torture: torture test of the failed I/O page fault notifier.
 *
 * Runs in the context of insmod, whose mm the mock devices are bound to
 * with SVA (see iopf_mock.c), and reports with a locktorture-style
 * summary ending in "iopf_torture: PASS" or "iopf_torture: FAIL". The
 * module does all its work in its init and keeps nothing loaded but its
 * text: rmmod it afterwards. Modes (module parameter "mode"):
 *
 *  torture     for @duration seconds, on every online CPU at once: a
 *              flooder thread sends succeeding and failing page requests
 *              (read-only VMA, no VMA, PASID without handler, rejected by
 *              the IOMMU driver) from the RIDs of @nr_devs mock devices of
 *              @rids_per_dev RIDs each, now and then a burst of rejected
 *              requests from one RID that overflows the ring (drops), and
 *              a churn thread registers and unregisters notifiers and
 *              removes and re-adds mock devices with notifications
 *              pending. Checked: per registration,
 *              generated == delivered + dropped and delivered == callbacks
 *              seen (whenever a registration is quiesced); no callback
 *              after its unregistration returned (the data is poisoned and
 *              freed right after, so KASAN reports a late access); a RID
 *              never sees another RID's fault; a record's source and code
 *              match what its request was made to do; a succeeding request
 *              is never reported; every request gets exactly one response.
 *  storm       @storm_count failing requests from one RID on CPU
 *              @storm_cpu while a victim thread on every CPU sends one
 *              failing request from its own RID per millisecond; reports
 *              slab and ring usage and what the victims received.
 *  failinject  for nth = 1, 2, ...: make the nth fault injection site of
 *              this task fail (current->fail_nth, as /proc/self/fail-nth
 *              and iommufd_fail_nth do) during mock device setup, SVA
 *              binding, registration, one failing request and
 *              unregistration; every failure must be a clean error, the
 *              notifier table empty afterwards and a registration that
 *              succeeded must see its failure. The failslab and
 *              fail_page_alloc attributes (debugfs) select the sites.
 *  badinput    every exported function of the notifier, and of the mock,
 *              called with bad arguments; one line per case.
 *
 * Naming: a "slot" is a mock device with its RIDs, SVA bond and current
 * registration ("reg", the callback data); a RID "index" numbers the RIDs
 * of all slots; a "kind" is what a request is made to do.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/iommu.h>
#include <linux/iopf-notify.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/rwsem.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/vmstat.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include "iopf_mock.h"
/* iopf_notify_counts(), iopf_notify_flush(): exported for KUnit only */
#include "iopf-notify.h"

#define IOPF_TORTURE_HAS_COUNTS IS_ENABLED(CONFIG_IOPF_NOTIFY_KUNIT_TEST)
#if IOPF_TORTURE_HAS_COUNTS
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
#endif

#define IOPF_TORTURE_RID_BASE		0x100
#define IOPF_TORTURE_RID_STRIDE		16
#define IOPF_TORTURE_MAX_DEVS		256
#define IOPF_TORTURE_MAX_RIDS		8
#define IOPF_TORTURE_INFLIGHT		256
#define IOPF_TORTURE_ALIVE		0x11fe11feU
#define IOPF_TORTURE_POISON		0xdeadbeefU
#define IOPF_TORTURE_FI_RID		0x7000
#define IOPF_TORTURE_BAD_RID		0x7100

static char *mode = "torture";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "torture, storm, failinject or badinput");

static int duration = 60;
module_param(duration, int, 0444);
MODULE_PARM_DESC(duration, "Seconds of torture (1..86400)");

static int nr_devs = 8;
module_param(nr_devs, int, 0444);
MODULE_PARM_DESC(nr_devs, "Mock devices (2..256)");

static int rids_per_dev = 2;
module_param(rids_per_dev, int, 0444);
MODULE_PARM_DESC(rids_per_dev, "Requester IDs in each mock device's fwspec (1..8)");

static int stat_interval = 15;
module_param(stat_interval, int, 0444);
MODULE_PARM_DESC(stat_interval, "Seconds between statistics lines (0: none)");

static int storm_count = 10000000;
module_param(storm_count, int, 0444);
MODULE_PARM_DESC(storm_count, "Failing requests of the storm (1..1000000000)");

static int storm_cpu;
module_param(storm_cpu, int, 0444);
MODULE_PARM_DESC(storm_cpu, "CPU of the storm (an online CPU)");

static int failinject_max = 5000;
module_param(failinject_max, int, 0444);
MODULE_PARM_DESC(failinject_max, "Highest nth failure to inject (1..100000)");

enum iopf_torture_kind {
	IOPF_TORTURE_SUCCESS,
	IOPF_TORTURE_RO,
	IOPF_TORTURE_NOVMA,
	IOPF_TORTURE_NOHANDLER,
	IOPF_TORTURE_REJECTED,
	IOPF_TORTURE_NR_KINDS,
};

static const char * const iopf_torture_kind_names[] = {
	"success", "ro", "novma", "nohandler", "rejected",
};

struct iopf_torture_slot;

/* The callback data of one registration: poisoned and freed at its end */
struct iopf_torture_reg {
	u32 magic;
	struct iopf_torture_slot *slot;
	atomic_long_t delivered;
};

struct iopf_torture_slot {
	unsigned int idx;
	struct mutex lock;		/* registration and device changes */
	struct rw_semaphore devsem;	/* requests: read; quiescing: write */
	struct iopf_mock_dev *mdev;	/* changed under both */
	struct iommu_sva *sva;
	struct iopf_torture_reg *reg;	/* under lock */
	u32 rids[IOPF_TORTURE_MAX_RIDS];
};

struct iopf_torture_rid {
	atomic_long_t sent[IOPF_TORTURE_NR_KINDS];
	atomic_long_t callbacks;
};

static struct iopf_torture {
	struct iopf_mock mock;
	struct mm_struct *mm;
	u32 pasid;
	unsigned long rw, ro, hole, len;	/* user mappings */
	struct iopf_torture_slot *slots;
	struct iopf_torture_rid *rid;
	unsigned int nr_rids;
	struct task_struct **threads;
	unsigned int nr_threads;

	atomic_t inflight;
	wait_queue_head_t inflight_wq;
	atomic_long_t requests;
	atomic_long_t resp_success;
	atomic_long_t resp_fail;

	atomic_long_t callbacks;
	atomic_long_t registrations;
	atomic_long_t unreg_quiesced;
	atomic_long_t unreg_hot;
	atomic_long_t readds;
	atomic_long_t bursts;
	atomic_long_t counter_checks;
	long total_generated;
	long total_delivered;
	long total_dropped;

	/* errors */
	atomic_long_t late_callbacks;
	atomic_long_t foreign_rid;
	atomic_long_t bad_addr;
	atomic_long_t wrong_source;
	atomic_long_t success_reported;
	atomic_long_t counter_mismatch;
	atomic_long_t callback_mismatch;
	atomic_long_t setup_errors;
	long lost_responses;

	/* storm */
	atomic_long_t storm_sent;
	bool storm_done;
} tt;

static unsigned long iopf_torture_errors(void)
{
	return atomic_long_read(&tt.late_callbacks) +
	       atomic_long_read(&tt.foreign_rid) +
	       atomic_long_read(&tt.bad_addr) +
	       atomic_long_read(&tt.wrong_source) +
	       atomic_long_read(&tt.success_reported) +
	       atomic_long_read(&tt.counter_mismatch) +
	       atomic_long_read(&tt.callback_mismatch) +
	       atomic_long_read(&tt.setup_errors) + tt.lost_responses;
}

/* --- RIDs and addresses */

static int iopf_torture_rid_index(u32 rid)
{
	u32 slot, j;

	if (rid < IOPF_TORTURE_RID_BASE)
		return -1;
	slot = (rid - IOPF_TORTURE_RID_BASE) / IOPF_TORTURE_RID_STRIDE;
	j = (rid - IOPF_TORTURE_RID_BASE) % IOPF_TORTURE_RID_STRIDE;
	if (slot >= nr_devs || j >= rids_per_dev)
		return -1;
	return slot * rids_per_dev + j;
}

static u32 iopf_torture_index_rid(unsigned int idx)
{
	return IOPF_TORTURE_RID_BASE +
	       idx / rids_per_dev * IOPF_TORTURE_RID_STRIDE +
	       idx % rids_per_dev;
}

/*
 * Each RID has its own page in each mapping, and the range with no VMA has
 * a part per kind: the address names the RID and what the request was.
 */
static u64 iopf_torture_addr(unsigned int idx, enum iopf_torture_kind kind)
{
	unsigned long base;

	switch (kind) {
	case IOPF_TORTURE_SUCCESS:
		base = tt.rw;
		break;
	case IOPF_TORTURE_RO:
		base = tt.ro;
		break;
	case IOPF_TORTURE_NOVMA:
		base = tt.hole;
		break;
	case IOPF_TORTURE_NOHANDLER:
		base = tt.hole + tt.len;
		break;
	default:
		base = tt.hole + 2 * tt.len;
		break;
	}
	return base + (u64)idx * PAGE_SIZE;
}

static int iopf_torture_map(unsigned int nr_pages)
{
	unsigned long len = (unsigned long)nr_pages * PAGE_SIZE;

	tt.len = len;
	tt.rw = vm_mmap(NULL, 0, len, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, 0);
	if (IS_ERR_VALUE(tt.rw))
		return tt.rw;
	tt.ro = vm_mmap(NULL, 0, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			0);
	if (IS_ERR_VALUE(tt.ro))
		goto err_rw;
	/* A range that was mapped, then unmapped: no VMA */
	tt.hole = vm_mmap(NULL, 0, 3 * len, PROT_READ,
			  MAP_PRIVATE | MAP_ANONYMOUS, 0);
	if (IS_ERR_VALUE(tt.hole))
		goto err_ro;
	vm_munmap(tt.hole, 3 * len);
	return 0;

err_ro:
	vm_munmap(tt.ro, len);
err_rw:
	vm_munmap(tt.rw, len);
	return -ENOMEM;
}

static void iopf_torture_unmap(void)
{
	vm_munmap(tt.ro, tt.len);
	vm_munmap(tt.rw, tt.len);
}

/* --- the device's end of the page responses, the driver's callback */

static void iopf_torture_page_response(struct device *dev,
				       struct iopf_fault *evt,
				       struct iommu_page_response *msg)
{
	if (msg->code == IOMMU_PAGE_RESP_SUCCESS)
		atomic_long_inc(&tt.resp_success);
	else
		atomic_long_inc(&tt.resp_fail);
	if (atomic_dec_return(&tt.inflight) < IOPF_TORTURE_INFLIGHT / 2)
		wake_up(&tt.inflight_wq);
}

/* What reports a request of each part of the range with no VMA */
static const u16 iopf_torture_hole_source[] = {
	IOPF_FAILURE_RESPONSE,		/* no VMA: the SVA handler answers */
	IOPF_FAILURE_NO_HANDLER,	/* no handler for the PASID */
	IOPF_FAILURE_REJECTED,		/* the IOMMU driver answers */
};

static void iopf_torture_check_record(const struct iopf_failure *f,
				      struct iopf_torture_slot *slot)
{
	int idx = iopf_torture_rid_index(f->rid);
	u16 source;
	u64 rel;

	if (idx < 0 || idx / rids_per_dev != slot->idx) {
		if (atomic_long_inc_return(&tt.foreign_rid) <= 5)
			pr_err("slot %u got a fault of RID %#x\n", slot->idx,
			       f->rid);
		return;
	}
	atomic_long_inc(&tt.rid[idx].callbacks);
	if (f->addr >= tt.rw && f->addr < tt.rw + tt.len) {
		if (atomic_long_inc_return(&tt.success_reported) <= 5)
			pr_err("RID %#x: a succeeding request was reported (addr %#llx)\n",
			       f->rid, f->addr);
		return;
	}
	if (f->addr >= tt.ro && f->addr < tt.ro + tt.len) {
		rel = f->addr - tt.ro;
		source = IOPF_FAILURE_RESPONSE;
	} else if (f->addr >= tt.hole && f->addr < tt.hole + 3 * tt.len) {
		rel = (f->addr - tt.hole) % tt.len;
		source = iopf_torture_hole_source[(f->addr - tt.hole) / tt.len];
	} else {
		rel = U64_MAX;
		source = U16_MAX;
	}
	if (rel / PAGE_SIZE != idx) {
		if (atomic_long_inc_return(&tt.bad_addr) <= 5)
			pr_err("RID %#x got the fault at %#llx of another RID\n",
			       f->rid, f->addr);
		return;
	}
	if ((f->source != source ||
	     (f->code != IOMMU_PAGE_RESP_INVALID &&
	      f->code != IOMMU_PAGE_RESP_FAILURE)) &&
	    atomic_long_inc_return(&tt.wrong_source) <= 5)
		pr_err("RID %#x addr %#llx: source %u code %u, expected source %u\n",
		       f->rid, f->addr, f->source, f->code, source);
}

static void iopf_torture_callback(const struct iopf_failure *f, void *data)
{
	struct iopf_torture_reg *reg = data;

	if (READ_ONCE(reg->magic) != IOPF_TORTURE_ALIVE) {
		atomic_long_inc(&tt.late_callbacks);
		return;
	}
	if (reg->slot)
		iopf_torture_check_record(f, reg->slot);
	atomic_long_inc(&reg->delivered);
	atomic_long_inc(&tt.callbacks);
	/* Now and then a slow callback, to widen the unregistration races */
	if (!get_random_u32_below(256))
		usleep_range(20, 200);
	if (READ_ONCE(reg->magic) != IOPF_TORTURE_ALIVE)
		atomic_long_inc(&tt.late_callbacks);
}

static struct iopf_torture_reg *iopf_torture_reg_alloc(struct iopf_torture_slot *slot)
{
	struct iopf_torture_reg *reg;

	reg = kzalloc(sizeof(*reg), GFP_KERNEL);
	if (!reg)
		return NULL;
	reg->magic = IOPF_TORTURE_ALIVE;
	reg->slot = slot;
	atomic_long_set(&reg->delivered, 0);
	return reg;
}

/* Right after the unregistration returned: any later access is a bug */
static void iopf_torture_reg_kill(struct iopf_torture_reg *reg)
{
	WRITE_ONCE(reg->magic, IOPF_TORTURE_POISON);
	kfree(reg);
}

/* --- requests */

static void iopf_torture_fault(struct iopf_fault *evt, u32 rid, u32 pasid,
			       u64 addr, u32 grpid)
{
	memset(evt, 0, sizeof(*evt));
	evt->fault.type = IOMMU_FAULT_PAGE_REQ;
	evt->fault.rid = rid;
	evt->fault.prm.flags = IOMMU_FAULT_PAGE_REQUEST_PASID_VALID |
			       IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE;
	evt->fault.prm.pasid = pasid;
	evt->fault.prm.grpid = grpid;
	evt->fault.prm.perm = IOMMU_FAULT_PERM_READ | IOMMU_FAULT_PERM_WRITE;
	evt->fault.prm.addr = addr;
}

/*
 * One page request from RID @idx, as a PRQ thread reports it. Returns
 * false when the slot's device is being replaced or quiesced.
 */
static bool iopf_torture_request(unsigned int idx, enum iopf_torture_kind kind)
{
	struct iopf_torture_slot *slot = &tt.slots[idx / rids_per_dev];
	struct iopf_fault evt;
	u32 pasid = tt.pasid;

	if (!down_read_trylock(&slot->devsem))
		return false;
	if (!slot->mdev) {
		up_read(&slot->devsem);
		return false;
	}
	if (kind == IOPF_TORTURE_NOHANDLER)
		pasid = tt.pasid + 1;
	iopf_torture_fault(&evt, slot->rids[idx % rids_per_dev], pasid,
			   iopf_torture_addr(idx, kind),
			   atomic_long_inc_return(&tt.requests) & 0x1ff);
	if (kind == IOPF_TORTURE_REJECTED) {
		/* A malformed request the IOMMU driver answers itself */
		__iopf_report_failure(&tt.mock.iommu, &evt.fault,
				      IOMMU_PAGE_RESP_INVALID,
				      IOPF_FAILURE_REJECTED);
	} else {
		atomic_inc(&tt.inflight);
		iommu_report_device_fault(&slot->mdev->dev, &evt);
	}
	up_read(&slot->devsem);
	atomic_long_inc(&tt.rid[idx].sent[kind]);
	return true;
}

static void iopf_torture_throttle(void)
{
	wait_event_interruptible_timeout(tt.inflight_wq,
					 atomic_read(&tt.inflight) <
						IOPF_TORTURE_INFLIGHT ||
					 kthread_should_stop(),
					 HZ / 10);
}

/* Wait until every request sent got its response */
static long iopf_torture_drain(void)
{
	unsigned long end = jiffies + 30 * HZ;

	while (atomic_read(&tt.inflight) && time_before(jiffies, end))
		msleep(20);
	return atomic_read(&tt.inflight);
}

/* --- slots: a mock device, its SVA bond, its registration */

static int iopf_torture_dev_up(struct iopf_torture_slot *slot)
{
	struct iopf_mock_dev *mdev;
	struct iommu_sva *sva;
	int ret;

	mdev = iopf_mock_dev_create(&tt.mock, slot->rids, rids_per_dev);
	if (IS_ERR(mdev))
		return PTR_ERR(mdev);
	ret = iommu_dev_enable_feature(&mdev->dev, IOMMU_DEV_FEAT_IOPF);
	if (ret)
		goto err_destroy;
	ret = iommu_dev_enable_feature(&mdev->dev, IOMMU_DEV_FEAT_SVA);
	if (ret)
		goto err_iopf;
	sva = iommu_sva_bind_device(&mdev->dev, tt.mm);
	if (IS_ERR(sva)) {
		ret = PTR_ERR(sva);
		goto err_sva;
	}
	if (iommu_sva_get_pasid(sva) != tt.pasid) {
		ret = -EINVAL;
		iommu_sva_unbind_device(sva);
		goto err_sva;
	}
	slot->sva = sva;
	slot->mdev = mdev;
	return 0;

err_sva:
	iommu_dev_disable_feature(&mdev->dev, IOMMU_DEV_FEAT_SVA);
err_iopf:
	iommu_dev_disable_feature(&mdev->dev, IOMMU_DEV_FEAT_IOPF);
err_destroy:
	iopf_mock_dev_destroy(mdev);
	return ret;
}

/* Called with slot->devsem held for writing and no registration */
static void iopf_torture_dev_down(struct iopf_torture_slot *slot)
{
	struct device *dev = &slot->mdev->dev;

	iopf_queue_flush_dev(dev);
	iommu_sva_unbind_device(slot->sva);
	iommu_dev_disable_feature(dev, IOMMU_DEV_FEAT_SVA);
	iommu_dev_disable_feature(dev, IOMMU_DEV_FEAT_IOPF);
	iopf_mock_dev_destroy(slot->mdev);
	slot->mdev = NULL;
	slot->sva = NULL;
}

static void iopf_torture_register(struct iopf_torture_slot *slot)
{
	struct iopf_torture_reg *reg;
	int ret;

	reg = iopf_torture_reg_alloc(slot);
	if (!reg) {
		atomic_long_inc(&tt.setup_errors);
		return;
	}
	ret = iopf_failure_notifier_register(&slot->mdev->dev,
					     iopf_torture_callback, reg);
	if (ret) {
		pr_err("slot %u: registration failed: %d\n", slot->idx, ret);
		atomic_long_inc(&tt.setup_errors);
		kfree(reg);
		return;
	}
	slot->reg = reg;
	atomic_long_inc(&tt.registrations);
}

/*
 * With slot->devsem held for writing and the slot's queued page requests
 * flushed, nothing can generate a record for the slot: once the rings are
 * drained its counters must balance and match the callbacks it got.
 */
static void iopf_torture_check_counts(struct iopf_torture_slot *slot)
{
#if IOPF_TORTURE_HAS_COUNTS
	struct iopf_torture_reg *reg = slot->reg;
	struct iopf_notify_counts c;
	long seen;

	iopf_notify_flush();
	if (iopf_notify_counts(&slot->mdev->dev, &c)) {
		pr_err("slot %u: registered but no counters\n", slot->idx);
		atomic_long_inc(&tt.counter_mismatch);
		return;
	}
	atomic_long_inc(&tt.counter_checks);
	seen = atomic_long_read(&reg->delivered);
	if (c.generated != c.delivered + c.dropped) {
		pr_err("slot %u: generated %ld != delivered %ld + dropped %ld\n",
		       slot->idx, c.generated, c.delivered, c.dropped);
		atomic_long_inc(&tt.counter_mismatch);
	}
	if (c.delivered != seen) {
		pr_err("slot %u: delivered %ld but the callback ran %ld times\n",
		       slot->idx, c.delivered, seen);
		atomic_long_inc(&tt.callback_mismatch);
	}
	tt.total_generated += c.generated;
	tt.total_delivered += c.delivered;
	tt.total_dropped += c.dropped;
#endif
}

/* Called with slot->lock held */
static void iopf_torture_unregister(struct iopf_torture_slot *slot,
				    bool quiesce)
{
	if (quiesce) {
		down_write(&slot->devsem);
		iopf_queue_flush_dev(&slot->mdev->dev);
		iopf_torture_check_counts(slot);
	}
	iopf_failure_notifier_unregister(&slot->mdev->dev);
	if (quiesce)
		up_write(&slot->devsem);
	iopf_torture_reg_kill(slot->reg);
	slot->reg = NULL;
	atomic_long_inc(quiesce ? &tt.unreg_quiesced : &tt.unreg_hot);
}

/* Remove and re-add the slot's device; its records may still be queued */
static void iopf_torture_readd(struct iopf_torture_slot *slot)
{
	int ret;

	down_write(&slot->devsem);
	if (slot->reg) {
		iopf_failure_notifier_unregister(&slot->mdev->dev);
		iopf_torture_reg_kill(slot->reg);
		slot->reg = NULL;
		atomic_long_inc(&tt.unreg_hot);
	}
	if (slot->mdev)
		iopf_torture_dev_down(slot);
	ret = iopf_torture_dev_up(slot);
	if (ret) {
		pr_err("slot %u: device re-add failed: %d\n", slot->idx, ret);
		atomic_long_inc(&tt.setup_errors);
	} else if (get_random_u32_below(2)) {
		iopf_torture_register(slot);
	}
	up_write(&slot->devsem);
	atomic_long_inc(&tt.readds);
}

/* --- threads */

static enum iopf_torture_kind iopf_torture_pick_kind(void)
{
	u32 r = get_random_u32_below(100);

	if (r < 40)
		return IOPF_TORTURE_SUCCESS;
	if (r < 60)
		return IOPF_TORTURE_RO;
	if (r < 80)
		return IOPF_TORTURE_NOVMA;
	if (r < 95)
		return IOPF_TORTURE_NOHANDLER;
	return IOPF_TORTURE_REJECTED;
}

/*
 * A burst of requests the IOMMU driver rejects, from one RID: reported at
 * once on this CPU, more than a ring holds, so records are dropped.
 */
static void iopf_torture_burst(void)
{
	unsigned int idx = get_random_u32_below(tt.nr_rids);
	unsigned int i, n = 256 + get_random_u32_below(512);

	for (i = 0; i < n; i++)
		iopf_torture_request(idx, IOPF_TORTURE_REJECTED);
	atomic_long_inc(&tt.bursts);
}

static int iopf_torture_flooder(void *unused)
{
	while (!kthread_should_stop()) {
		if (!get_random_u32_below(1024))
			iopf_torture_burst();
		iopf_torture_throttle();
		iopf_torture_request(get_random_u32_below(tt.nr_rids),
				     iopf_torture_pick_kind());
		cond_resched();
	}
	return 0;
}

static int iopf_torture_churner(void *unused)
{
	while (!kthread_should_stop()) {
		struct iopf_torture_slot *slot;
		u32 r = get_random_u32_below(16);

		slot = &tt.slots[get_random_u32_below(nr_devs)];
		mutex_lock(&slot->lock);
		if (!slot->mdev || r == 0)
			iopf_torture_readd(slot);
		else if (slot->reg)
			iopf_torture_unregister(slot, r & 1);
		else
			iopf_torture_register(slot);
		mutex_unlock(&slot->lock);
		usleep_range(200, 2000);
	}
	return 0;
}

static void iopf_torture_stop_threads(void)
{
	unsigned int i;

	for (i = 0; i < tt.nr_threads; i++)
		if (tt.threads[i])
			kthread_stop(tt.threads[i]);
	kfree(tt.threads);
	tt.threads = NULL;
	tt.nr_threads = 0;
}

/* One thread of @fn bound to each online CPU (@per_cpu of them) */
static int iopf_torture_start_threads(int (*fn)(void *), const char *name,
				      void *data)
{
	struct task_struct **threads;
	struct task_struct *t;
	unsigned int cpu;

	threads = krealloc_array(tt.threads, tt.nr_threads + num_online_cpus(),
				 sizeof(*threads), GFP_KERNEL);
	if (!threads)
		return -ENOMEM;
	tt.threads = threads;
	for_each_online_cpu(cpu) {
		t = kthread_create_on_cpu(fn, data, cpu, name);
		if (IS_ERR(t))
			return PTR_ERR(t);
		tt.threads[tt.nr_threads++] = t;
		wake_up_process(t);
	}
	return 0;
}

/* --- setup and teardown of the slots */

static void iopf_torture_slots_free(void)
{
	unsigned int i;

	for (i = 0; i < nr_devs && tt.slots; i++) {
		struct iopf_torture_slot *slot = &tt.slots[i];

		mutex_lock(&slot->lock);
		down_write(&slot->devsem);
		if (slot->reg) {
			iopf_failure_notifier_unregister(&slot->mdev->dev);
			iopf_torture_reg_kill(slot->reg);
			slot->reg = NULL;
		}
		if (slot->mdev)
			iopf_torture_dev_down(slot);
		up_write(&slot->devsem);
		mutex_unlock(&slot->lock);
	}
	kfree(tt.slots);
	tt.slots = NULL;
	vfree(tt.rid);
	tt.rid = NULL;
}

static int iopf_torture_slots_alloc(bool register_all)
{
	unsigned int i, j;
	int ret;

	tt.nr_rids = nr_devs * rids_per_dev;
	tt.rid = vzalloc(array_size(tt.nr_rids, sizeof(*tt.rid)));
	tt.slots = kcalloc(nr_devs, sizeof(*tt.slots), GFP_KERNEL);
	if (!tt.rid || !tt.slots) {
		ret = -ENOMEM;
		goto err;
	}
	for (i = 0; i < nr_devs; i++) {
		struct iopf_torture_slot *slot = &tt.slots[i];

		slot->idx = i;
		mutex_init(&slot->lock);
		init_rwsem(&slot->devsem);
		for (j = 0; j < rids_per_dev; j++)
			slot->rids[j] = iopf_torture_index_rid(i * rids_per_dev + j);
		ret = iopf_torture_dev_up(slot);
		if (ret) {
			pr_err("slot %u: device setup failed: %d\n", i, ret);
			goto err;
		}
		if (register_all || (i & 1))
			iopf_torture_register(slot);
	}
	return 0;

err:
	iopf_torture_slots_free();
	return ret;
}

/* The SVA bond to insmod's mm: its PASID is the one of every slot */
static int iopf_torture_setup(bool register_all)
{
	struct iopf_mock_dev *probe;
	struct iommu_sva *sva;
	u32 rid = IOPF_TORTURE_BAD_RID;
	int ret;

	tt.mm = current->mm;
	init_waitqueue_head(&tt.inflight_wq);
	ret = iopf_torture_map(nr_devs * rids_per_dev);
	if (ret)
		return ret;

	/* Learn the PASID the core gives insmod's mm */
	probe = iopf_mock_dev_create(&tt.mock, &rid, 1);
	if (IS_ERR(probe)) {
		ret = PTR_ERR(probe);
		goto err_unmap;
	}
	ret = iommu_dev_enable_feature(&probe->dev, IOMMU_DEV_FEAT_IOPF);
	if (ret)
		goto err_probe;
	ret = iommu_dev_enable_feature(&probe->dev, IOMMU_DEV_FEAT_SVA);
	if (ret)
		goto err_iopf;
	sva = iommu_sva_bind_device(&probe->dev, tt.mm);
	if (IS_ERR(sva)) {
		ret = PTR_ERR(sva);
		pr_err("iommu_sva_bind_device() failed: %d\n", ret);
		goto err_sva;
	}
	tt.pasid = iommu_sva_get_pasid(sva);
	iommu_sva_unbind_device(sva);
	/* The mm keeps its PASID until it goes away */
	iommu_dev_disable_feature(&probe->dev, IOMMU_DEV_FEAT_SVA);
	iommu_dev_disable_feature(&probe->dev, IOMMU_DEV_FEAT_IOPF);
	iopf_mock_dev_destroy(probe);

	ret = iopf_torture_slots_alloc(register_all);
	if (ret)
		goto err_unmap;
	return 0;

err_sva:
	iommu_dev_disable_feature(&probe->dev, IOMMU_DEV_FEAT_SVA);
err_iopf:
	iommu_dev_disable_feature(&probe->dev, IOMMU_DEV_FEAT_IOPF);
err_probe:
	iopf_mock_dev_destroy(probe);
err_unmap:
	iopf_torture_unmap();
	return ret;
}

/*
 * Stop every request, flush every queue, check the counters of every
 * registration still there and that no response is missing.
 */
static void iopf_torture_quiesce_all(void)
{
	unsigned int i;

	for (i = 0; i < nr_devs; i++) {
		struct iopf_torture_slot *slot = &tt.slots[i];

		mutex_lock(&slot->lock);
		if (slot->reg)
			iopf_torture_unregister(slot, true);
		mutex_unlock(&slot->lock);
	}
	tt.lost_responses = iopf_torture_drain();
	if (tt.lost_responses)
		pr_err("%ld page requests got no response\n", tt.lost_responses);
}

static void iopf_torture_print_stats(const char *tag)
{
	long sent[IOPF_TORTURE_NR_KINDS] = {};
	unsigned int i, k;

	for (i = 0; i < tt.nr_rids; i++)
		for (k = 0; k < IOPF_TORTURE_NR_KINDS; k++)
			sent[k] += atomic_long_read(&tt.rid[i].sent[k]);
	pr_info("%s: requests: %ld (success %ld ro %ld novma %ld nohandler %ld rejected %ld) responses: success %ld failed %ld inflight %d\n",
		tag, atomic_long_read(&tt.requests),
		sent[IOPF_TORTURE_SUCCESS], sent[IOPF_TORTURE_RO],
		sent[IOPF_TORTURE_NOVMA], sent[IOPF_TORTURE_NOHANDLER],
		sent[IOPF_TORTURE_REJECTED], atomic_long_read(&tt.resp_success),
		atomic_long_read(&tt.resp_fail), atomic_read(&tt.inflight));
	pr_info("%s: notifiers: registrations %ld unregistrations %ld (quiesced %ld hot %ld) device re-adds %ld callbacks %ld bursts %ld\n",
		tag, atomic_long_read(&tt.registrations),
		atomic_long_read(&tt.unreg_quiesced) +
		atomic_long_read(&tt.unreg_hot),
		atomic_long_read(&tt.unreg_quiesced),
		atomic_long_read(&tt.unreg_hot), atomic_long_read(&tt.readds),
		atomic_long_read(&tt.callbacks), atomic_long_read(&tt.bursts));
	pr_info("%s: checks: counter checks %ld (generated %ld delivered %ld dropped %ld) errors: counters %ld callbacks %ld late %ld foreign %ld wrong-addr %ld wrong-source %ld success-reported %ld setup %ld lost-responses %ld\n",
		tag, atomic_long_read(&tt.counter_checks), tt.total_generated,
		tt.total_delivered, tt.total_dropped,
		atomic_long_read(&tt.counter_mismatch),
		atomic_long_read(&tt.callback_mismatch),
		atomic_long_read(&tt.late_callbacks),
		atomic_long_read(&tt.foreign_rid),
		atomic_long_read(&tt.bad_addr),
		atomic_long_read(&tt.wrong_source),
		atomic_long_read(&tt.success_reported),
		atomic_long_read(&tt.setup_errors), tt.lost_responses);
}

/* A failing RID never gets more callbacks than it sent failing requests */
static void iopf_torture_check_rids(void)
{
	unsigned int i, k;

	for (i = 0; i < tt.nr_rids; i++) {
		long failed = 0;

		for (k = IOPF_TORTURE_RO; k < IOPF_TORTURE_NR_KINDS; k++)
			failed += atomic_long_read(&tt.rid[i].sent[k]);
		if (atomic_long_read(&tt.rid[i].callbacks) > failed) {
			pr_err("RID %#x: %ld callbacks for %ld failed requests\n",
			       iopf_torture_index_rid(i),
			       atomic_long_read(&tt.rid[i].callbacks), failed);
			atomic_long_inc(&tt.foreign_rid);
		}
	}
}

static int iopf_torture_run_torture(void)
{
	unsigned long end, next_stat;
	int ret;

	pr_info("torture: duration %d s, %u CPUs, %d devices x %d RIDs, notifier counters %s\n",
		duration, num_online_cpus(), nr_devs, rids_per_dev,
		IOPF_TORTURE_HAS_COUNTS ? "checked" : "not available");
	ret = iopf_torture_setup(false);
	if (ret)
		return ret;
	ret = iopf_torture_start_threads(iopf_torture_flooder,
					 "iopf_flood/%u", NULL);
	if (!ret)
		ret = iopf_torture_start_threads(iopf_torture_churner,
						 "iopf_churn/%u", NULL);
	if (ret) {
		atomic_long_inc(&tt.setup_errors);
		pr_err("thread start failed: %d\n", ret);
	}

	end = jiffies + duration * HZ;
	next_stat = jiffies + stat_interval * HZ;
	while (!ret && time_before(jiffies, end)) {
		if (msleep_interruptible(200) || fatal_signal_pending(current)) {
			pr_err("interrupted\n");
			atomic_long_inc(&tt.setup_errors);
			break;
		}
		if (stat_interval && time_after(jiffies, next_stat)) {
			iopf_torture_print_stats("stat");
			next_stat += stat_interval * HZ;
		}
	}
	iopf_torture_stop_threads();
	iopf_torture_quiesce_all();
	iopf_torture_check_rids();
	if (!xa_empty(&tt.mock.iommu.iopf_notifiers)) {
		pr_err("the notifier table is not empty after the last unregistration\n");
		atomic_long_inc(&tt.setup_errors);
	}
	iopf_torture_print_stats("end");
	iopf_torture_slots_free();
	iopf_torture_unmap();
	if (atomic_long_read(&tt.callbacks) == 0 ||
	    atomic_long_read(&tt.resp_success) == 0) {
		pr_err("no callback or no succeeding request: nothing was tested\n");
		atomic_long_inc(&tt.setup_errors);
	}
	pr_info("%s duration=%d requests=%ld callbacks=%ld registrations=%ld readds=%ld counter_checks=%ld errors=%lu\n",
		iopf_torture_errors() ? "FAIL" : "PASS", duration,
		atomic_long_read(&tt.requests), atomic_long_read(&tt.callbacks),
		atomic_long_read(&tt.registrations),
		atomic_long_read(&tt.readds),
		atomic_long_read(&tt.counter_checks), iopf_torture_errors());
	return 0;
}

/* --- storm */

static unsigned long iopf_torture_slab_kb(void)
{
	return (global_node_page_state_pages(NR_SLAB_RECLAIMABLE_B) +
		global_node_page_state_pages(NR_SLAB_UNRECLAIMABLE_B)) <<
		(PAGE_SHIFT - 10);
}

static int iopf_torture_storm_thread(void *unused)
{
	long i;

	for (i = 0; i < storm_count && !kthread_should_stop(); i++) {
		/* RID index 0: slot 0's first RID */
		iopf_torture_request(0, IOPF_TORTURE_NOHANDLER);
		atomic_long_inc(&tt.storm_sent);
		if (!(i & 63))
			cond_resched();
	}
	WRITE_ONCE(tt.storm_done, true);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ / 10);
	return 0;
}

/* One failing request per millisecond from this CPU's own slot */
static int iopf_torture_victim(void *unused)
{
	unsigned int idx = (1 + raw_smp_processor_id() % (nr_devs - 1)) *
			   rids_per_dev;

	while (!kthread_should_stop()) {
		iopf_torture_request(idx, IOPF_TORTURE_NOHANDLER);
		usleep_range(1000, 1100);
	}
	return 0;
}

static int iopf_torture_run_storm(void)
{
	unsigned long slab_before, slab_max, slab_after, slab;
	long max_queued = 0, sent = 0, s_gen = 0, s_del = 0, s_drop = 0;
	unsigned int ring = 0, nr_victims = 0, victims_ok = 0;
	struct task_struct *storm;
	u64 t0, ns;
	int ret;

	if (nr_devs < 2 + (int)num_online_cpus()) {
		pr_err("storm: nr_devs=%d: needs the storm's device and one per CPU\n",
		       nr_devs);
		return -EINVAL;
	}
	ret = iopf_torture_setup(true);
	if (ret)
		return ret;
#if IOPF_TORTURE_HAS_COUNTS
	ring = iopf_notify_ring_capacity();
#endif
	slab_before = iopf_torture_slab_kb();
	slab_max = slab_before;
	pr_info("storm: %d failing requests from RID %#x on CPU %d, victims on every CPU; ring %u records x %u CPUs; slab %lu kB\n",
		storm_count, tt.slots[0].rids[0], storm_cpu, ring,
		num_possible_cpus(), slab_before);

	ret = iopf_torture_start_threads(iopf_torture_victim, "iopf_victim/%u",
					 NULL);
	if (ret)
		goto out;
	storm = kthread_create_on_cpu(iopf_torture_storm_thread, NULL,
				      storm_cpu, "iopf_storm/%u");
	if (IS_ERR(storm)) {
		ret = PTR_ERR(storm);
		goto out;
	}
	t0 = ktime_get_ns();
	wake_up_process(storm);
	while (!READ_ONCE(tt.storm_done)) {
		if (msleep_interruptible(200) || fatal_signal_pending(current))
			break;
		slab = iopf_torture_slab_kb();
		slab_max = max(slab_max, slab);
#if IOPF_TORTURE_HAS_COUNTS
		{
			struct iopf_notify_counts c;

			if (!iopf_notify_counts(&tt.slots[0].mdev->dev, &c))
				max_queued = max(max_queued, c.generated -
						 c.delivered - c.dropped);
		}
#endif
	}
	ns = ktime_get_ns() - t0;
	kthread_stop(storm);
	sent = atomic_long_read(&tt.storm_sent);
	iopf_torture_stop_threads();

#if IOPF_TORTURE_HAS_COUNTS
	{
		struct iopf_notify_counts c;
		unsigned int cpu;

		iopf_notify_flush();
		if (!iopf_notify_counts(&tt.slots[0].mdev->dev, &c)) {
			s_gen = c.generated;
			s_del = c.delivered;
			s_drop = c.dropped;
		}
		for (cpu = 0; cpu < nr_devs - 1 && cpu < num_online_cpus();
		     cpu++) {
			struct iopf_torture_slot *slot = &tt.slots[1 + cpu];
			unsigned int idx = slot->idx * rids_per_dev;
			long vsent;

			if (iopf_notify_counts(&slot->mdev->dev, &c))
				continue;
			nr_victims++;
			vsent = atomic_long_read(&tt.rid[idx].sent[IOPF_TORTURE_NOHANDLER]);
			if (c.delivered == vsent)
				victims_ok++;
			pr_info("storm: victim cpu %u rid %#x: sent %ld generated %ld delivered %ld dropped %ld callbacks %ld\n",
				cpu, slot->rids[0], vsent, c.generated, c.delivered, c.dropped,
				atomic_long_read(&tt.rid[idx].callbacks));
		}
	}
#endif
	iopf_torture_quiesce_all();
	iopf_torture_print_stats("storm");
	iopf_torture_slots_free();
	slab_after = iopf_torture_slab_kb();
	pr_info("storm: sent %ld in %llu ms (%llu/s); storm RID generated %ld delivered %ld dropped %ld; most records queued %ld\n",
		sent, ns / NSEC_PER_MSEC,
		ns ? (u64)sent * NSEC_PER_SEC / ns : 0, s_gen, s_del, s_drop,
		max_queued);
	pr_info("storm: slab before %lu kB, max during %lu kB, after %lu kB\n",
		slab_before, slab_max, slab_after);
	pr_info("storm: result sent=%ld ms=%llu generated=%ld delivered=%ld dropped=%ld max_queued=%ld ring=%u cpus=%u slab_before_kb=%lu slab_max_kb=%lu slab_after_kb=%lu victims=%u victims_complete=%u\n",
		sent, ns / NSEC_PER_MSEC, s_gen, s_del, s_drop, max_queued,
		ring, num_possible_cpus(), slab_before, slab_max, slab_after,
		nr_victims, victims_ok);
	if (s_gen != s_del + s_drop || sent != storm_count)
		atomic_long_inc(&tt.counter_mismatch);
out:
	if (tt.slots) {
		iopf_torture_stop_threads();
		iopf_torture_quiesce_all();
		iopf_torture_slots_free();
	}
	iopf_torture_unmap();
	pr_info("%s storm requests=%ld callbacks=%ld errors=%lu\n",
		!ret && !iopf_torture_errors() ? "PASS" : "FAIL", sent,
		atomic_long_read(&tt.callbacks), iopf_torture_errors());
	return ret;
}

/* The callback of the bad-input cases: counts into @data, if any */
static void iopf_torture_bad_cb(const struct iopf_failure *f, void *data)
{
	atomic_long_t *count = data;

	if (count)
		atomic_long_inc(count);
}

/* --- fault injection */

#ifdef CONFIG_FAULT_INJECTION
enum iopf_torture_fi_stage {
	IOPF_FI_DEV, IOPF_FI_IOPF, IOPF_FI_SVA, IOPF_FI_BIND, IOPF_FI_REG,
	IOPF_FI_DONE, IOPF_FI_NR,
};

static const char * const iopf_torture_fi_stages[] = {
	"device_create", "enable_iopf", "enable_sva", "sva_bind",
	"notifier_register", "complete",
};

/*
 * One cycle of the device setup and registration a driver does, with one
 * failing request in the middle. Returns the stage reached.
 */
/*
 * Unregister @dev; if its slots are still in the table afterwards (the
 * unregistration failed silently), count it and unregister again with no
 * failure injected, so that @reg may be freed.
 */
static void iopf_torture_fi_unregister(struct device *dev, u32 rid,
				       unsigned int *silent)
{
	unsigned int nth;

	iopf_failure_notifier_unregister(dev);
	if (!xa_load(&tt.mock.iommu.iopf_notifiers, rid))
		return;
	(*silent)++;
	nth = READ_ONCE(current->fail_nth);
	WRITE_ONCE(current->fail_nth, 0);
	iopf_failure_notifier_unregister(dev);
	WRITE_ONCE(current->fail_nth, nth);
}

static enum iopf_torture_fi_stage iopf_torture_fi_cycle(int *err,
							long *delivered,
							unsigned int *silent)
{
	u32 rids[2] = { IOPF_TORTURE_FI_RID, IOPF_TORTURE_FI_RID + 1 };
	enum iopf_torture_fi_stage stage = IOPF_FI_DEV;
	struct iopf_torture_reg *reg = NULL;
	struct iopf_mock_dev *mdev;
	struct iommu_sva *sva = NULL;
	struct iopf_fault evt;
	int ret;

	*delivered = -1;
	mdev = iopf_mock_dev_create(&tt.mock, rids, ARRAY_SIZE(rids));
	if (IS_ERR(mdev)) {
		*err = PTR_ERR(mdev);
		return stage;
	}
	stage = IOPF_FI_IOPF;
	ret = iommu_dev_enable_feature(&mdev->dev, IOMMU_DEV_FEAT_IOPF);
	if (ret)
		goto out_destroy;
	stage = IOPF_FI_SVA;
	ret = iommu_dev_enable_feature(&mdev->dev, IOMMU_DEV_FEAT_SVA);
	if (ret)
		goto out_iopf;
	stage = IOPF_FI_BIND;
	sva = iommu_sva_bind_device(&mdev->dev, tt.mm);
	if (IS_ERR(sva)) {
		ret = PTR_ERR(sva);
		sva = NULL;
		goto out_sva;
	}
	stage = IOPF_FI_REG;
	reg = iopf_torture_reg_alloc(NULL);
	if (!reg) {
		ret = -ENOMEM;
		goto out_unbind;
	}
	ret = iopf_failure_notifier_register(&mdev->dev, iopf_torture_callback,
					     reg);
	if (ret) {
		kfree(reg);
		reg = NULL;
		goto out_unbind;
	}
	stage = IOPF_FI_DONE;
	/* A write to a read-only page: through the SVA handler, answered INVALID */
	iopf_torture_fault(&evt, rids[1], iommu_sva_get_pasid(sva), tt.ro, 1);
	atomic_inc(&tt.inflight);
	iommu_report_device_fault(&mdev->dev, &evt);
	iopf_queue_flush_dev(&mdev->dev);
#if IOPF_TORTURE_HAS_COUNTS
	iopf_notify_flush();
#endif
	*delivered = atomic_long_read(&reg->delivered);
	iopf_torture_fi_unregister(&mdev->dev, rids[0], silent);
	iopf_torture_reg_kill(reg);
out_unbind:
	iopf_queue_flush_dev(&mdev->dev);
	iommu_sva_unbind_device(sva);
out_sva:
	iommu_dev_disable_feature(&mdev->dev, IOMMU_DEV_FEAT_SVA);
out_iopf:
	iommu_dev_disable_feature(&mdev->dev, IOMMU_DEV_FEAT_IOPF);
out_destroy:
	iopf_mock_dev_destroy(mdev);
	*err = ret;
	return stage;
}

static int iopf_torture_run_failinject(void)
{
	unsigned int count[IOPF_FI_NR] = {}, nth, left = 0, cycles = 0;
	unsigned int absorbed = 0, errors = 0, bad = 0, silent = 0, first = 0;
	unsigned int silent_total = 0;
	u32 rid = IOPF_TORTURE_FI_RID;
	enum iopf_torture_fi_stage stage;
	struct iopf_mock_dev *mdev;
	long delivered;
	int err, ret;

	/* The callback's slot checks need a slot: the cycle's RIDs are not */
	tt.mm = current->mm;
	init_waitqueue_head(&tt.inflight_wq);
	ret = iopf_torture_map(1);
	if (ret)
		return ret;

	/*
	 * Deterministic: the first allocation of an unregistration fails
	 * (with failslab set to fail GFP_KERNEL allocations)
	 */
	mdev = iopf_mock_dev_create(&tt.mock, &rid, 1);
	if (!IS_ERR(mdev)) {
		if (!iopf_failure_notifier_register(&mdev->dev,
						    iopf_torture_bad_cb, NULL)) {
			WRITE_ONCE(current->fail_nth, 1);
			iopf_torture_fi_unregister(&mdev->dev, rid, &first);
			WRITE_ONCE(current->fail_nth, 0);
		}
		iopf_mock_dev_destroy(mdev);
	}
	pr_info("failinject: unregistration with its first allocation failing: %s\n",
		first ? "returned with the notifier still registered" :
			"unregistered");
	if (first)
		bad++;

	for (nth = 1; nth <= failinject_max; nth++) {
		if (fatal_signal_pending(current))
			break;
		WRITE_ONCE(current->fail_nth, nth);
		stage = iopf_torture_fi_cycle(&err, &delivered, &silent);
		left = READ_ONCE(current->fail_nth);
		WRITE_ONCE(current->fail_nth, 0);
		cycles++;
		iopf_torture_drain();
		if (!xa_empty(&tt.mock.iommu.iopf_notifiers)) {
			pr_err("failinject nth=%u: a slot is left in the table\n",
			       nth);
			bad++;
			break;
		}
		if (silent) {
			pr_err("failinject nth=%u: iopf_failure_notifier_unregister() returned with the notifier still registered\n",
			       nth);
			bad += silent;
			silent_total += silent;
			silent = 0;
		}
		if (stage == IOPF_FI_DONE && delivered != 1) {
			pr_err("failinject nth=%u: registered, but %ld callbacks for one failure\n",
			       nth, delivered);
			bad++;
		}
		if (stage != IOPF_FI_DONE && err >= 0) {
			pr_err("failinject nth=%u: stopped at %s without an error\n",
			       nth, iopf_torture_fi_stages[stage]);
			bad++;
		}
		if (left)	/* the cycle ran out of sites: it is covered */
			break;
		count[stage]++;
		if (stage == IOPF_FI_DONE) {
			absorbed++;
		} else {
			errors++;
			pr_info("failinject nth=%u: %s failed cleanly: %d\n",
				nth, iopf_torture_fi_stages[stage], err);
		}
	}
	iopf_torture_unmap();
	tt.lost_responses = iopf_torture_drain();
	pr_info("failinject: %u cycles, sites in a cycle %u; errors returned: device_create %u enable_iopf %u enable_sva %u sva_bind %u notifier_register %u; absorbed %u; bad %u; late callbacks %ld; lost responses %ld\n",
		cycles, left ? nth - 1 : nth, count[IOPF_FI_DEV],
		count[IOPF_FI_IOPF], count[IOPF_FI_SVA], count[IOPF_FI_BIND],
		count[IOPF_FI_REG], absorbed, bad,
		atomic_long_read(&tt.late_callbacks), tt.lost_responses);
	pr_info("failinject: result cycles=%u sites=%u err_device_create=%u err_enable_iopf=%u err_enable_sva=%u err_sva_bind=%u err_notifier_register=%u absorbed=%u bad=%u silent_unregister=%u first_alloc_unregister=%s covered=%u\n",
		cycles, left ? nth - 1 : nth, count[IOPF_FI_DEV],
		count[IOPF_FI_IOPF], count[IOPF_FI_SVA], count[IOPF_FI_BIND],
		count[IOPF_FI_REG], absorbed, bad, silent_total,
		first ? "left_registered" : "ok", left ? 1 : 0);
	pr_info("%s failinject cycles=%u errors=%u bad=%u\n",
		!bad && left && !iopf_torture_errors() ? "PASS" : "FAIL",
		cycles, errors, bad + (unsigned int)iopf_torture_errors());
	return 0;
}
#else
static int iopf_torture_run_failinject(void)
{
	pr_err("failinject: the kernel has no CONFIG_FAULT_INJECTION\n");
	return -EOPNOTSUPP;
}
#endif

/* --- bad input */

static unsigned int iopf_torture_bad_failed;

static void iopf_torture_bad(const char *name, const char *call, long expect,
			     long got)
{
	bool ok = expect == got;

	if (!ok)
		iopf_torture_bad_failed++;
	pr_info("badinput case=%s call=%s expect=%ld got=%ld %s\n", name, call,
		expect, got, ok ? "PASS" : "FAIL");
}

/* Report one failure from @rid and return how many callbacks it caused */
static long iopf_torture_bad_report(u32 rid, atomic_long_t *count)
{
	struct iopf_fault evt;
	long before = atomic_long_read(count);

	iopf_torture_fault(&evt, rid, 1, 0, 0);
	__iopf_report_failure(&tt.mock.iommu, &evt.fault,
			      IOMMU_PAGE_RESP_INVALID, IOPF_FAILURE_REJECTED);
#if IOPF_TORTURE_HAS_COUNTS
	iopf_notify_flush();
#else
	msleep(50);
#endif
	return atomic_long_read(count) - before;
}

static void iopf_torture_bare_release(struct device *dev)
{
	kfree(dev);
}

static struct iopf_mock_dev *iopf_torture_bad_dev(const u32 *rids,
						  unsigned int nr)
{
	struct iopf_mock_dev *mdev = iopf_mock_dev_create(&tt.mock, rids, nr);

	if (IS_ERR(mdev)) {
		pr_err("badinput: mock device: %ld\n", PTR_ERR(mdev));
		iopf_torture_bad_failed++;
		return NULL;
	}
	return mdev;
}

static int iopf_torture_run_badinput(void)
{
	const u32 ra[] = { IOPF_TORTURE_BAD_RID };
	const u32 rb[] = { IOPF_TORTURE_BAD_RID };
	const u32 rc[] = { IOPF_TORTURE_BAD_RID + 1, IOPF_TORTURE_BAD_RID };
	const u32 rd[] = { IOPF_TORTURE_BAD_RID + 1 };
	struct iopf_mock_dev *a, *b = NULL, *c = NULL, *d = NULL, *big = NULL;
	atomic_long_t count_a = ATOMIC_LONG_INIT(0);
	atomic_long_t count_x = ATOMIC_LONG_INIT(0);
	struct iopf_mock other = {};
	struct device *bare;
	u32 *many;
	unsigned int i, nr_many = 65536;
	long ret;

	bare = kzalloc(sizeof(*bare), GFP_KERNEL);
	if (!bare)
		return -ENOMEM;
	device_initialize(bare);
	bare->release = iopf_torture_bare_release;
	dev_set_name(bare, "iopf_torture_bare");

	a = iopf_torture_bad_dev(ra, 1);
	if (!a)
		goto out;

	iopf_torture_bad("register_null_fn", "register(dev,NULL,data)", -EINVAL,
			 iopf_failure_notifier_register(&a->dev, NULL, &count_a));
	iopf_torture_bad("register_null_dev", "register(NULL,fn,data)", -ENODEV,
			 iopf_failure_notifier_register(NULL, iopf_torture_bad_cb,
							&count_x));
	iopf_torture_bad("register_null_both", "register(NULL,NULL,NULL)",
			 -EINVAL,
			 iopf_failure_notifier_register(NULL, NULL, NULL));
	iopf_torture_bad("register_no_iommu", "register(dev_without_iommu,fn,data)",
			 -ENODEV,
			 iopf_failure_notifier_register(bare, iopf_torture_bad_cb,
							&count_x));
	iopf_torture_bad("register_ok", "register(dev,fn,data)", 0,
			 iopf_failure_notifier_register(&a->dev,
							iopf_torture_bad_cb,
							&count_a));
	iopf_torture_bad("register_twice", "register(dev,fn,data)x2", -EBUSY,
			 iopf_failure_notifier_register(&a->dev,
							iopf_torture_bad_cb,
							&count_x));
	iopf_torture_bad("register_twice_keeps_first", "report(rid_of_dev)", 1,
			 iopf_torture_bad_report(ra[0], &count_a));

	b = iopf_torture_bad_dev(rb, 1);
	c = iopf_torture_bad_dev(rc, 2);
	d = iopf_torture_bad_dev(rd, 1);
	if (!b || !c || !d)
		goto out;
	iopf_torture_bad("register_duplicate_rid", "register(dev_same_rid,fn,data)",
			 -EBUSY,
			 iopf_failure_notifier_register(&b->dev,
							iopf_torture_bad_cb,
							&count_x));
	iopf_torture_bad("register_partial_overlap", "register(dev_rids_free+taken,fn,data)",
			 -EBUSY,
			 iopf_failure_notifier_register(&c->dev,
							iopf_torture_bad_cb,
							&count_x));
	ret = iopf_failure_notifier_register(&d->dev, iopf_torture_bad_cb,
					     &count_x);
	iopf_torture_bad("partial_overlap_rolled_back", "register(dev_free_rid,fn,data)",
			 0, ret);
	if (!ret)
		iopf_failure_notifier_unregister(&d->dev);

	iopf_failure_notifier_unregister(&b->dev);
	iopf_torture_bad("unregister_non_owner", "unregister(dev_same_rid);report(rid)",
			 1, iopf_torture_bad_report(ra[0], &count_a));
	iopf_failure_notifier_unregister(NULL);
	iopf_torture_bad("unregister_null", "unregister(NULL)", 0, 0);
	iopf_failure_notifier_unregister(bare);
	iopf_torture_bad("unregister_no_iommu", "unregister(dev_without_iommu)",
			 0, 0);
	iopf_failure_notifier_unregister(&d->dev);
	iopf_torture_bad("unregister_unregistered", "unregister(dev_never_registered)",
			 0, 0);
	iopf_torture_bad("report_unknown_rid", "__iopf_report_failure(rid=0x7fff)",
			 0, iopf_torture_bad_report(0x7fff, &count_a));
	iopf_torture_bad("report_rid_u32_max", "__iopf_report_failure(rid=U32_MAX)",
			 0, iopf_torture_bad_report(U32_MAX, &count_a));
	iopf_failure_notifier_unregister(&a->dev);
	iopf_torture_bad("report_after_unregister", "unregister(dev);report(rid)",
			 0, iopf_torture_bad_report(ra[0], &count_a));
	iopf_failure_notifier_unregister(&a->dev);
	iopf_torture_bad("unregister_twice", "unregister(dev)x2", 0, 0);

	/* Huge: a device with 65536 requester IDs */
	many = kvcalloc(nr_many, sizeof(*many), GFP_KERNEL);
	if (many) {
		for (i = 0; i < nr_many; i++)
			many[i] = 0x10000 + i;
		big = iopf_torture_bad_dev(many, nr_many);
		kvfree(many);
	}
	if (big) {
		iopf_torture_bad("register_65536_rids", "register(dev_65536_rids,fn,data)",
				 0, iopf_failure_notifier_register(&big->dev,
								   iopf_torture_bad_cb,
								   &count_x));
		iopf_torture_bad("report_65536th_rid", "report(rid=0x1ffff)", 1,
				 iopf_torture_bad_report(0x1ffff, &count_x));
		iopf_failure_notifier_unregister(&big->dev);
		iopf_torture_bad("unregister_65536_rids", "unregister(dev_65536_rids)",
				 1, xa_empty(&tt.mock.iommu.iopf_notifiers));
	}

	/* The mock's own functions */
	iopf_torture_bad("mock_dev_zero_rids", "iopf_mock_dev_create(rids,0)",
			 -EINVAL, PTR_ERR(iopf_mock_dev_create(&tt.mock, ra, 0)));
	iopf_torture_bad("mock_dev_null_rids", "iopf_mock_dev_create(NULL,1)",
			 -EINVAL, PTR_ERR(iopf_mock_dev_create(&tt.mock, NULL, 1)));
	iopf_torture_bad("mock_init_twice", "iopf_mock_init(second)", -EBUSY,
			 iopf_mock_init(&other, "iopf_other", 8,
					iopf_torture_page_response));
#if IOPF_TORTURE_HAS_COUNTS
	{
		struct iopf_notify_counts nc;

		iopf_torture_bad("counts_null_dev", "iopf_notify_counts(NULL)",
				 -ENOENT, iopf_notify_counts(NULL, &nc));
		iopf_torture_bad("counts_unregistered", "iopf_notify_counts(dev_unregistered)",
				 -ENOENT, iopf_notify_counts(&a->dev, &nc));
	}
#endif
	iopf_torture_bad("table_empty_at_end", "xa_empty(table)", 1,
			 xa_empty(&tt.mock.iommu.iopf_notifiers));
out:
	if (big)
		iopf_mock_dev_destroy(big);
	if (d)
		iopf_mock_dev_destroy(d);
	if (c)
		iopf_mock_dev_destroy(c);
	if (b)
		iopf_mock_dev_destroy(b);
	if (a)
		iopf_mock_dev_destroy(a);
	put_device(bare);
	pr_info("%s badinput failed=%u\n",
		iopf_torture_bad_failed ? "FAIL" : "PASS", iopf_torture_bad_failed);
	return 0;
}

/* --- module init and exit */

static int iopf_torture_check_params(void)
{
	if (duration < 1 || duration > 86400) {
		pr_err("duration=%d: must be 1..86400\n", duration);
		return -EINVAL;
	}
	if (nr_devs < 2 || nr_devs > IOPF_TORTURE_MAX_DEVS) {
		pr_err("nr_devs=%d: must be 2..%d\n", nr_devs,
		       IOPF_TORTURE_MAX_DEVS);
		return -EINVAL;
	}
	if (rids_per_dev < 1 || rids_per_dev > IOPF_TORTURE_MAX_RIDS) {
		pr_err("rids_per_dev=%d: must be 1..%d\n", rids_per_dev,
		       IOPF_TORTURE_MAX_RIDS);
		return -EINVAL;
	}
	if (stat_interval < 0 || stat_interval > 86400) {
		pr_err("stat_interval=%d: must be 0..86400\n", stat_interval);
		return -EINVAL;
	}
	if (storm_count < 1 || storm_count > 1000000000) {
		pr_err("storm_count=%d: must be 1..1000000000\n", storm_count);
		return -EINVAL;
	}
	if (storm_cpu < 0 || storm_cpu >= nr_cpu_ids || !cpu_online(storm_cpu)) {
		pr_err("storm_cpu=%d: must be an online CPU\n", storm_cpu);
		return -EINVAL;
	}
	if (failinject_max < 1 || failinject_max > 100000) {
		pr_err("failinject_max=%d: must be 1..100000\n", failinject_max);
		return -EINVAL;
	}
	return 0;
}

static int __init iopf_torture_init(void)
{
	int (*run)(void);
	int ret;

	if (!mode || !strcmp(mode, "torture")) {
		run = iopf_torture_run_torture;
	} else if (!strcmp(mode, "storm")) {
		run = iopf_torture_run_storm;
	} else if (!strcmp(mode, "failinject")) {
		run = iopf_torture_run_failinject;
	} else if (!strcmp(mode, "badinput")) {
		run = iopf_torture_run_badinput;
	} else {
		pr_err("mode=%s: must be torture, storm, failinject or badinput\n",
		       mode);
		return -EINVAL;
	}
	ret = iopf_torture_check_params();
	if (ret)
		return ret;
	if (!current->mm) {
		pr_err("needs a user process's mm (load it with insmod)\n");
		return -EINVAL;
	}

	ret = iopf_mock_init(&tt.mock, "iopf_torture", 20,
			     iopf_torture_page_response);
	if (ret) {
		pr_err("mock IOMMU: %d\n", ret);
		return ret;
	}
	ret = run();
	iopf_mock_exit(&tt.mock);
	if (ret)
		pr_err("FAIL %s: %d\n", mode, ret);
	return ret;
}

static void __exit iopf_torture_exit(void)
{
}

module_init(iopf_torture_init);
module_exit(iopf_torture_exit);

MODULE_DESCRIPTION("Torture test of the failed I/O page fault notifier");
MODULE_LICENSE("GPL");
