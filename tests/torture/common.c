// SPDX-License-Identifier: GPL-2.0
/*
 * iopf_torture: what the modes share (see iopf_torture.h): the user
 * mappings that decide how a request ends, requests as an IOMMU driver
 * reports them, the driver's callback and its checks, the threads. The
 * slots are in slots.c.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "iopf_torture.h"

struct iopf_torture iopf_tt;

/**
 * iopf_torture_errors() - Sum of the error counters
 *
 * Context: Any context.
 * Return: the number of errors seen so far; the run fails if not 0.
 */
unsigned long iopf_torture_errors(void)
{
	return atomic_long_read(&iopf_tt.late_callbacks) +
	       atomic_long_read(&iopf_tt.foreign_rid) +
	       atomic_long_read(&iopf_tt.bad_addr) +
	       atomic_long_read(&iopf_tt.wrong_source) +
	       atomic_long_read(&iopf_tt.success_reported) +
	       atomic_long_read(&iopf_tt.counter_mismatch) +
	       atomic_long_read(&iopf_tt.callback_mismatch) +
	       atomic_long_read(&iopf_tt.setup_errors) + iopf_tt.lost_responses;
}

/* --- RIDs and addresses */

static int iopf_torture_rid_index(u32 rid)
{
	u32 slot, j;

	if (rid < IOPF_TORTURE_RID_BASE)
		return -1;
	slot = (rid - IOPF_TORTURE_RID_BASE) / IOPF_TORTURE_RID_STRIDE;
	j = (rid - IOPF_TORTURE_RID_BASE) % IOPF_TORTURE_RID_STRIDE;
	if (slot >= iopf_tparam.nr_devs || j >= iopf_tparam.rids_per_dev)
		return -1;
	return slot * iopf_tparam.rids_per_dev + j;
}

/**
 * iopf_torture_index_rid() - RID of a RID index
 * @idx: index over the RIDs of all slots
 *
 * Context: Any context.
 * Return: the requester ID.
 */
u32 iopf_torture_index_rid(unsigned int idx)
{
	return IOPF_TORTURE_RID_BASE +
	       idx / iopf_tparam.rids_per_dev * IOPF_TORTURE_RID_STRIDE +
	       idx % iopf_tparam.rids_per_dev;
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
		base = iopf_tt.rw;
		break;
	case IOPF_TORTURE_RO:
		base = iopf_tt.ro;
		break;
	case IOPF_TORTURE_NOVMA:
		base = iopf_tt.hole;
		break;
	case IOPF_TORTURE_NOHANDLER:
		base = iopf_tt.hole + iopf_tt.len;
		break;
	default:
		base = iopf_tt.hole + 2 * iopf_tt.len;
		break;
	}
	return base + (u64)idx * PAGE_SIZE;
}

/**
 * iopf_torture_map() - Map the pages that decide how a request ends
 * @nr_pages: pages per mapping, one per RID index
 *
 * A read-write mapping (requests succeed), a read-only one (writes fail in
 * the SVA handler) and a range three times as long that was unmapped (no
 * VMA), in the mm of insmod.
 *
 * Context: Process context, the mm of insmod.
 * Return: 0 or a negative errno.
 */
int iopf_torture_map(unsigned int nr_pages)
{
	unsigned long len = (unsigned long)nr_pages * PAGE_SIZE;

	iopf_tt.len = len;
	iopf_tt.rw = vm_mmap(NULL, 0, len, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, 0);
	if (IS_ERR_VALUE(iopf_tt.rw))
		return iopf_tt.rw;
	iopf_tt.ro = vm_mmap(NULL, 0, len, PROT_READ,
			     MAP_PRIVATE | MAP_ANONYMOUS, 0);
	if (IS_ERR_VALUE(iopf_tt.ro))
		goto err_rw;
	/* A range that was mapped, then unmapped: no VMA */
	iopf_tt.hole = vm_mmap(NULL, 0, 3 * len, PROT_READ,
			       MAP_PRIVATE | MAP_ANONYMOUS, 0);
	if (IS_ERR_VALUE(iopf_tt.hole))
		goto err_ro;
	vm_munmap(iopf_tt.hole, 3 * len);
	return 0;

err_ro:
	vm_munmap(iopf_tt.ro, len);
err_rw:
	vm_munmap(iopf_tt.rw, len);
	return -ENOMEM;
}

/**
 * iopf_torture_unmap() - Undo iopf_torture_map()
 *
 * Context: Process context, the mm of insmod.
 */
void iopf_torture_unmap(void)
{
	vm_munmap(iopf_tt.ro, iopf_tt.len);
	vm_munmap(iopf_tt.rw, iopf_tt.len);
}

/* --- the device's end of the page responses, the driver's callback */

/**
 * iopf_torture_page_response() - The device's end of a page response
 * @dev: the mock device
 * @evt: the last request of the group
 * @msg: the response
 *
 * Counts the response and the requests still waiting for one.
 *
 * Context: Any context.
 */
void iopf_torture_page_response(struct device *dev, struct iopf_fault *evt,
				struct iommu_page_response *msg)
{
	if (msg->code == IOMMU_PAGE_RESP_SUCCESS)
		atomic_long_inc(&iopf_tt.resp_success);
	else
		atomic_long_inc(&iopf_tt.resp_fail);
	if (atomic_dec_return(&iopf_tt.inflight) < IOPF_TORTURE_INFLIGHT / 2)
		wake_up(&iopf_tt.inflight_wq);
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
	u64 rel, len = iopf_tt.len;
	u16 source;

	if (idx < 0 || idx / iopf_tparam.rids_per_dev != slot->idx) {
		if (atomic_long_inc_return(&iopf_tt.foreign_rid) <= 5)
			pr_err("slot %u got a fault of RID %#x: the notifier delivered another device's record\n",
			       slot->idx, f->rid);
		return;
	}
	atomic_long_inc(&iopf_tt.rid[idx].callbacks);
	if (f->addr >= iopf_tt.rw && f->addr < iopf_tt.rw + len) {
		if (atomic_long_inc_return(&iopf_tt.success_reported) <= 5)
			pr_err("RID %#x: a succeeding request was reported (addr %#llx)\n",
			       f->rid, f->addr);
		return;
	}
	if (f->addr >= iopf_tt.ro && f->addr < iopf_tt.ro + len) {
		rel = f->addr - iopf_tt.ro;
		source = IOPF_FAILURE_RESPONSE;
	} else if (f->addr >= iopf_tt.hole && f->addr < iopf_tt.hole + 3 * len) {
		rel = (f->addr - iopf_tt.hole) % len;
		source = iopf_torture_hole_source[(f->addr - iopf_tt.hole) / len];
	} else {
		rel = U64_MAX;
		source = U16_MAX;
	}
	if (rel / PAGE_SIZE != idx) {
		if (atomic_long_inc_return(&iopf_tt.bad_addr) <= 5)
			pr_err("RID %#x got the fault at %#llx of another RID\n",
			       f->rid, f->addr);
		return;
	}
	if ((f->source != source ||
	     (f->code != IOMMU_PAGE_RESP_INVALID &&
	      f->code != IOMMU_PAGE_RESP_FAILURE)) &&
	    atomic_long_inc_return(&iopf_tt.wrong_source) <= 5)
		pr_err("RID %#x addr %#llx: source %u code %u, expected source %u\n",
		       f->rid, f->addr, f->source, f->code, source);
}

/**
 * iopf_torture_callback() - The driver's callback of the slots' registrations
 * @f: the record
 * @data: the &struct iopf_torture_reg
 *
 * Counts a callback on poisoned data as late (and KASAN reports it if the
 * data was freed), checks the record against the slot's RIDs, addresses
 * and sources, and now and then sleeps to widen the races.
 *
 * Context: Process context (the registration's work item).
 */
void iopf_torture_callback(const struct iopf_failure *f, void *data)
{
	struct iopf_torture_reg *reg = data;

	if (READ_ONCE(reg->magic) != IOPF_TORTURE_ALIVE) {
		atomic_long_inc(&iopf_tt.late_callbacks);
		return;
	}
	if (reg->slot)
		iopf_torture_check_record(f, reg->slot);
	atomic_long_inc(&reg->delivered);
	atomic_long_inc(&iopf_tt.callbacks);
	/* Now and then a slow callback, to widen the unregistration races */
	if (!get_random_u32_below(256))
		usleep_range(20, 200);
	if (READ_ONCE(reg->magic) != IOPF_TORTURE_ALIVE)
		atomic_long_inc(&iopf_tt.late_callbacks);
}

/**
 * iopf_torture_reg_alloc() - Allocate the callback data of a registration
 * @slot: the slot whose records are checked, or NULL
 *
 * Context: Process context.
 * Return: the data, or NULL without memory.
 */
struct iopf_torture_reg *iopf_torture_reg_alloc(struct iopf_torture_slot *slot)
{
	struct iopf_torture_reg *reg;

	reg = kzalloc_obj(*reg);
	if (!reg)
		return NULL;
	reg->magic = IOPF_TORTURE_ALIVE;
	reg->slot = slot;
	atomic_long_set(&reg->delivered, 0);
	return reg;
}

/**
 * iopf_torture_reg_kill() - Poison and free callback data
 * @reg: data of a registration that ended
 *
 * Called right after the registration ended: any later access by a
 * callback is a bug that this turns into a late count or a KASAN report.
 *
 * Context: Process context.
 */
void iopf_torture_reg_kill(struct iopf_torture_reg *reg)
{
	WRITE_ONCE(reg->magic, IOPF_TORTURE_POISON);
	kfree(reg);
}

/* --- requests */

/**
 * iopf_torture_fault() - Fill a page request as an IOMMU driver reports it
 * @evt: the request
 * @rid: requester ID
 * @pasid: PASID (the request carries one)
 * @addr: page address
 * @grpid: page request group index
 *
 * A single-request group (last page) asking for read and write access.
 *
 * Context: Any context.
 */
void iopf_torture_fault(struct iopf_fault *evt, u32 rid, u32 pasid, u64 addr,
			u32 grpid)
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

/**
 * iopf_torture_reject() - Report a request as rejected by the IOMMU driver
 * @evt: the request
 *
 * What VT-d does for a malformed request: answer it INVALID itself and
 * report %IOPF_FAILURE_REJECTED.
 *
 * Context: Any context but NMI.
 */
void iopf_torture_reject(const struct iopf_fault *evt)
{
	iopf_report_failure(&iopf_tt.mock.iommu, &evt->fault,
			    IOMMU_PAGE_RESP_INVALID, IOPF_FAILURE_REJECTED);
}

/**
 * iopf_torture_request() - Send one page request from a RID index
 * @idx: the RID index
 * @kind: what the request is made to do
 *
 * As a PRQ thread reports it: through iommu_report_device_fault(), or
 * rejected by the IOMMU driver for %IOPF_TORTURE_REJECTED.
 *
 * Context: Process context.
 * Return: false when the slot's device is being replaced or quiesced.
 */
bool iopf_torture_request(unsigned int idx, enum iopf_torture_kind kind)
{
	struct iopf_torture_slot *slot =
		&iopf_tt.slots[idx / iopf_tparam.rids_per_dev];
	struct iopf_fault evt;
	u32 pasid = iopf_tt.pasid;

	if (!down_read_trylock(&slot->devsem))
		return false;
	if (!slot->mdev) {
		up_read(&slot->devsem);
		return false;
	}
	if (kind == IOPF_TORTURE_NOHANDLER)
		pasid = iopf_tt.pasid + 1;
	iopf_torture_fault(&evt, slot->rids[idx % iopf_tparam.rids_per_dev],
			   pasid, iopf_torture_addr(idx, kind),
			   atomic_long_inc_return(&iopf_tt.requests) & 0x1ff);
	if (kind == IOPF_TORTURE_REJECTED) {
		iopf_torture_reject(&evt);
	} else {
		atomic_inc(&iopf_tt.inflight);
		iommu_report_device_fault(&slot->mdev->dev, &evt);
	}
	up_read(&slot->devsem);
	atomic_long_inc(&iopf_tt.rid[idx].sent[kind]);
	return true;
}

/**
 * iopf_torture_throttle() - Wait while too many requests await their response
 *
 * Context: Process context (a kthread); sleeps at most 100 ms.
 */
void iopf_torture_throttle(void)
{
	wait_event_interruptible_timeout(iopf_tt.inflight_wq,
					 atomic_read(&iopf_tt.inflight) <
						IOPF_TORTURE_INFLIGHT ||
					 kthread_should_stop(),
					 HZ / 10);
}

/**
 * iopf_torture_drain() - Wait until every request sent got its response
 *
 * Waits 30 s at most: a failure net, not a timing check.
 *
 * Context: Process context; sleeps.
 * Return: the requests still without a response.
 */
long iopf_torture_drain(void)
{
	unsigned long end = jiffies + 30 * HZ;

	while (atomic_read(&iopf_tt.inflight) && time_before(jiffies, end))
		msleep(20);
	return atomic_read(&iopf_tt.inflight);
}

/**
 * iopf_torture_stop_threads() - Stop the threads of iopf_torture_start_threads()
 *
 * Context: Process context; sleeps.
 */
void iopf_torture_stop_threads(void)
{
	unsigned int i;

	for (i = 0; i < iopf_tt.nr_threads; i++)
		if (iopf_tt.threads[i])
			kthread_stop(iopf_tt.threads[i]);
	kfree(iopf_tt.threads);
	iopf_tt.threads = NULL;
	iopf_tt.nr_threads = 0;
}

/**
 * iopf_torture_start_threads() - Start one thread of @fn bound to each online CPU
 * @fn: the thread function
 * @name: its name, with %u for the CPU
 * @data: passed to @fn
 *
 * Context: Process context.
 * Return: 0 or a negative errno; the threads started are stopped by
 * iopf_torture_stop_threads() in any case.
 */
int iopf_torture_start_threads(int (*fn)(void *), const char *name,
			       void *data)
{
	struct task_struct **threads;
	struct task_struct *t;
	unsigned int cpu;

	threads = krealloc_array(iopf_tt.threads,
				 iopf_tt.nr_threads + num_online_cpus(),
				 sizeof(*threads), GFP_KERNEL);
	if (!threads)
		return -ENOMEM;
	iopf_tt.threads = threads;
	for_each_online_cpu(cpu) {
		t = kthread_create_on_cpu(fn, data, cpu, name);
		if (IS_ERR(t))
			return PTR_ERR(t);
		iopf_tt.threads[iopf_tt.nr_threads++] = t;
		wake_up_process(t);
	}
	return 0;
}
