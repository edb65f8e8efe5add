// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite iommu_iopf_notify: PASID lifetime, the fault core's failure
 * paths run for real (iommu_report_device_fault() without a handler, its
 * abort path, the SVA handler on a real mm) and PCI virtual functions. See
 * iopf_notify_kunit_lib.c.
 */

#include <kunit/test.h>
#include <linux/mman.h>
#include <linux/pci.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "iopf_notify_kunit.h"

static const struct iopf_failure *find_rec(struct sink *s, u64 addr)
{
	unsigned int i;

	for (i = 0; i < s->nr; i++)
		if (s->rec[i].addr == addr)
			return &s->rec[i];
	return NULL;
}

/* --- PASID lifetime */

#define P	5
#define Q	6

/* Records of a PASID reported before it went are dropped, not the others */
void iopf_notify_test_pasid_gone(struct kunit *test)
{
	struct fake_iommu *fi = &ctx_of(test)->iommu;
	struct device *a = fake_dev1(test, fi, 0x300);
	struct device *b = fake_dev1(test, fi, 0x301);
	struct sink *sa = sink_new(test), *sb = sink_new(test);
	const struct iopf_failure *q, *none, *after;
	struct iopf_notify_counts c;
	struct iopf_notifier *na, *nb;
	struct iopf_failure old;
	unsigned int i;

	sa->gated = true;
	na = reg(test, a, sa);
	nb = reg(test, b, sb);
	/* the first record holds the consumer while the others queue */
	report_pasid(&fi->iommu, 0x300, false, 0, 0);
	KUNIT_ASSERT_TRUE_MSG(test, sink_wait_calls(sa, 1),
			      "the first record was not delivered");
	for (i = 1; i <= 3; i++)
		report_pasid(&fi->iommu, 0x300, true, P, i * 0x1000);
	report_pasid(&fi->iommu, 0x300, true, Q, 0x5000);
	report_pasid(&fi->iommu, 0x300, false, 0, 0x6000);
	report_pasid(&fi->iommu, 0x301, true, P, 0x7000);
	__iopf_notify_pasid_gone(a, P);
	report_pasid(&fi->iommu, 0x300, true, P, 0x8000);
	sink_open(sa);
	iopf_notify_flush(na);
	iopf_notify_flush(nb);

	counts_of(test, na, &c);
	KUNIT_EXPECT_EQ_MSG(test, c.stale, 3, "records of the gone PASID");
	KUNIT_EXPECT_EQ_MSG(test, c.delivered, 4, "records delivered");
	expect_balanced(test, &c);
	for (i = 1; i <= 3; i++)
		KUNIT_EXPECT_NULL_MSG(test, find_rec(sa, i * 0x1000),
				      "record %u of the gone PASID delivered", i);
	q = find_rec(sa, 0x5000);
	none = find_rec(sa, 0x6000);
	after = find_rec(sa, 0x8000);
	KUNIT_ASSERT_NOT_NULL_MSG(test, q, "record of another PASID dropped");
	KUNIT_ASSERT_NOT_NULL_MSG(test, none, "record without PASID dropped");
	KUNIT_ASSERT_NOT_NULL_MSG(test, after,
				  "record reported after the PASID went dropped");
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&sb->calls), 1,
			    "another device's record of the same PASID dropped");

	KUNIT_EXPECT_TRUE_MSG(test, iopf_failure_current(na, q),
			      "record of another PASID not current");
	KUNIT_EXPECT_TRUE_MSG(test, iopf_failure_current(na, none),
			      "record without PASID not current");
	KUNIT_EXPECT_TRUE_MSG(test, iopf_failure_current(na, after),
			      "record after the PASID went not current");
	old = *q;
	old.pasid = P;
	KUNIT_EXPECT_FALSE_MSG(test, iopf_failure_current(na, &old),
			       "record of the gone PASID from before still current");
	/* a delivered record turns stale when its PASID goes */
	__iopf_notify_pasid_gone(a, Q);
	KUNIT_EXPECT_FALSE_MSG(test, iopf_failure_current(na, q),
			       "record current after its PASID went");
	KUNIT_EXPECT_TRUE_MSG(test, iopf_failure_current(na, none),
			      "record without PASID affected by a PASID going");
	KUNIT_EXPECT_TRUE_MSG(test, iopf_failure_current(na, after),
			      "record of P affected by Q going");
}

/* --- fake domains attached to a PASID through the IOMMU core */

struct fake_domain {
	struct iommu_domain domain;
	struct device *dev;
	ioasid_t pasid;
	bool attached;
};

static int handler_refuse(struct iopf_group *group)
{
	return -EBUSY;
}

static int handler_succeed(struct iopf_group *group)
{
	iopf_group_response(group, IOMMU_PAGE_RESP_SUCCESS);
	iopf_free_group(group);
	return 0;
}

/* Keeps the group pending, as a handler forwarding it to user space does */
static struct iopf_group *held_groups[2];
static atomic_t held_nr;

static int handler_hold(struct iopf_group *group)
{
	int i = atomic_inc_return(&held_nr) - 1;

	if (i >= ARRAY_SIZE(held_groups))
		return -ENOSPC;
	held_groups[i] = group;
	return 0;
}

static void fake_domain_detach(struct fake_domain *fd)
{
	if (!fd->attached)
		return;
	iommu_detach_device_pasid(&fd->domain, fd->dev, fd->pasid);
	fd->attached = false;
}

KUNIT_DEFINE_ACTION_WRAPPER(fake_domain_detach_action, fake_domain_detach,
			    struct fake_domain *);

static struct fake_domain *fake_domain(struct kunit *test, struct device *dev,
				       int (*handler)(struct iopf_group *))
{
	struct fake_domain *fd = kunit_kzalloc(test, sizeof(*fd), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, fd);
	fd->domain.type = IOMMU_DOMAIN_SVA;
	fd->domain.ops = &fake_pasid_ops;
	fd->domain.owner = &fake_ops;
	fd->domain.iopf_handler = handler;
	fd->dev = dev;
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test,
						  fake_domain_detach_action,
						  fd));
	return fd;
}

/* Attach with a new handle each time, as iommu_attach_device_pasid() asks */
static void fake_domain_attach(struct kunit *test, struct fake_domain *fd,
			       ioasid_t pasid)
{
	struct iommu_attach_handle *h = kunit_kzalloc(test, sizeof(*h),
						      GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, h);
	KUNIT_ASSERT_EQ_MSG(test, 0,
			    iommu_attach_device_pasid(&fd->domain, fd->dev,
						      pasid, h),
			    "attaching PASID %u", pasid);
	fd->pasid = pasid;
	fd->attached = true;
}

static int fault(struct device *dev, u32 flags, u32 pasid, u32 grpid,
		 u32 perm, u64 addr)
{
	struct iopf_fault evt = {
		.fault = {
			.type = IOMMU_FAULT_PAGE_REQ,
			.rid = dev->iommu->fwspec->ids[0],
			.prm = {
				.flags = flags,
				.pasid = pasid,
				.grpid = grpid,
				.perm = perm,
				.addr = addr,
			},
		},
	};

	return iommu_report_device_fault(dev, &evt);
}

#define PV	IOMMU_FAULT_PAGE_REQUEST_PASID_VALID
#define LAST	IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE
#define RD	IOMMU_FAULT_PERM_READ
#define WR	IOMMU_FAULT_PERM_WRITE

/* iommu_detach_device_pasid() makes the PASID's queued records stale */
void iopf_notify_test_pasid_detach(struct kunit *test)
{
	struct fake_iommu *fi = &ctx_of(test)->iommu;
	struct device *dev = fake_core_dev(test, fi, 0x310);
	struct fake_domain *fd = fake_domain(test, dev, handler_refuse);
	struct sink *s = sink_new(test);
	struct iopf_notify_counts c;
	struct iopf_notifier *n;

	fake_domain_attach(test, fd, P);
	s->gated = true;
	n = reg(test, dev, s);
	report_pasid(&fi->iommu, 0x310, false, 0, 0);
	KUNIT_ASSERT_TRUE_MSG(test, sink_wait_calls(s, 1),
			      "the first record was not delivered");
	report_pasid(&fi->iommu, 0x310, true, P, 0x1000);
	report_pasid(&fi->iommu, 0x310, true, P, 0x2000);
	fake_domain_detach(fd);
	fake_domain_attach(test, fd, P);
	report_pasid(&fi->iommu, 0x310, true, P, 0x3000);
	sink_open(s);
	iopf_notify_flush(n);
	counts_of(test, n, &c);
	KUNIT_EXPECT_EQ_MSG(test, c.stale, 2,
			    "records from before the detach not dropped");
	KUNIT_EXPECT_EQ_MSG(test, c.delivered, 2, "delivered");
	KUNIT_EXPECT_NOT_NULL_MSG(test, find_rec(s, 0x3000),
				  "record after the new attach dropped");
	expect_balanced(test, &c);
}

/* --- the fault core's failure paths */

/* No handler: the core answers every request, and each answer is reported */
void iopf_notify_test_no_handler(struct kunit *test)
{
	struct fake_iommu *fi = &ctx_of(test)->iommu;
	struct device *dev = fake_core_dev(test, fi, 0x320);
	struct sink *s = sink_new(test);
	struct iopf_notifier *n = reg(test, dev, s);
	static const u64 addrs[] = { 0x3000, 0x4000 };
	const struct iopf_failure *f;
	unsigned int i;

	/*
	 * A group of three for a PASID without handler, one without PASID:
	 * each group is answered once, by the response to its last request,
	 * and only answered requests give a record.
	 */
	KUNIT_EXPECT_EQ(test, fault(dev, PV, 9, 3, RD, 0x1000), -EINVAL);
	KUNIT_EXPECT_EQ(test, fault(dev, PV, 9, 3, RD, 0x2000), -EINVAL);
	KUNIT_EXPECT_EQ(test, fault(dev, PV | LAST, 9, 3, WR, 0x3000), -EINVAL);
	KUNIT_EXPECT_EQ(test, fault(dev, LAST, 0, 4, RD, 0x4000), -EINVAL);
	iopf_notify_flush(n);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&fi->responses), 2,
			    "page responses (one per group)");
	KUNIT_EXPECT_EQ(test, atomic_read(&fi->last_code),
			IOMMU_PAGE_RESP_INVALID);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&s->calls), 2,
			    "one record per answered request");
	KUNIT_EXPECT_NULL_MSG(test, find_rec(s, 0x1000),
			      "a record for an unanswered request");
	KUNIT_EXPECT_NULL_MSG(test, find_rec(s, 0x2000),
			      "a record for an unanswered request");
	for (i = 0; i < ARRAY_SIZE(addrs); i++) {
		f = find_rec(s, addrs[i]);
		KUNIT_ASSERT_NOT_NULL_MSG(test, f, "no record for %#llx",
					  addrs[i]);
		KUNIT_EXPECT_EQ(test, f->rid, 0x320);
		KUNIT_EXPECT_EQ(test, f->code, IOMMU_PAGE_RESP_INVALID);
		KUNIT_EXPECT_EQ(test, f->source, IOPF_FAILURE_NO_HANDLER);
		KUNIT_EXPECT_EQ(test, f->pasid, i == 0 ? 9 : 0);
		KUNIT_EXPECT_EQ(test, f->grpid, i == 0 ? 3 : 4);
		KUNIT_EXPECT_EQ(test, f->perm, i == 0 ? WR : RD);
	}
}

/* A handler that refuses the group: FAILURE, one ABORT record for it */
void iopf_notify_test_abort(struct kunit *test)
{
	struct fake_iommu *fi = &ctx_of(test)->iommu;
	struct device *dev = fake_core_dev(test, fi, 0x330);
	struct fake_domain *fd = fake_domain(test, dev, handler_refuse);
	struct sink *s = sink_new(test);
	struct iopf_notifier *n;

	fake_domain_attach(test, fd, 7);
	n = reg(test, dev, s);
	KUNIT_EXPECT_EQ(test, fault(dev, PV, 7, 5, RD, 0x1000), 0);
	KUNIT_EXPECT_EQ(test, fault(dev, PV, 7, 5, RD, 0x2000), 0);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&fi->responses), 0,
			    "partial requests answered");
	KUNIT_EXPECT_EQ(test, fault(dev, PV | LAST, 7, 5, WR, 0x3000), 0);
	iopf_notify_flush(n);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&fi->responses), 1,
			    "one response for the aborted group");
	KUNIT_EXPECT_EQ(test, atomic_read(&fi->last_code),
			IOMMU_PAGE_RESP_FAILURE);
	KUNIT_ASSERT_EQ_MSG(test, atomic_read(&s->calls), 1,
			    "one record per aborted group");
	KUNIT_EXPECT_EQ(test, s->rec[0].addr, 0x3000);
	KUNIT_EXPECT_EQ(test, s->rec[0].pasid, 7);
	KUNIT_EXPECT_EQ(test, s->rec[0].grpid, 5);
	KUNIT_EXPECT_EQ(test, s->rec[0].code, IOMMU_PAGE_RESP_FAILURE);
	KUNIT_EXPECT_EQ_MSG(test, s->rec[0].source, IOPF_FAILURE_ABORT,
			    "the abort path has its own source");
}

/* A group its handler answers with success is not a failure */
void iopf_notify_test_handled_success(struct kunit *test)
{
	struct fake_iommu *fi = &ctx_of(test)->iommu;
	struct device *dev = fake_core_dev(test, fi, 0x338);
	struct fake_domain *fd = fake_domain(test, dev, handler_succeed);
	struct sink *s = sink_new(test);
	struct iopf_notify_counts c;
	struct iopf_notifier *n;

	fake_domain_attach(test, fd, 7);
	n = reg(test, dev, s);
	KUNIT_EXPECT_EQ(test, fault(dev, PV | LAST, 7, 1, RD, 0x1000), 0);
	iopf_notify_flush(n);
	KUNIT_EXPECT_EQ(test, atomic_read(&fi->responses), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&fi->last_code),
			IOMMU_PAGE_RESP_SUCCESS);
	counts_of(test, n, &c);
	KUNIT_EXPECT_EQ_MSG(test, c.generated, 0, "a success was reported");
}

/*
 * Teardown responses are not failures of a request: the INVALID answers of
 * iopf_queue_remove_device() to pending groups, and a handler's owner
 * answering the groups it still holds (iommufd does so when its fault
 * object or attach handle goes), give no record.
 */
void iopf_notify_test_teardown_not_reported(struct kunit *test)
{
	struct fake_iommu *fi = &ctx_of(test)->iommu;
	struct device *dev = fake_core_dev(test, fi, 0x33c);
	struct fake_domain *fd = fake_domain(test, dev, handler_hold);
	struct sink *s = sink_new(test);
	struct iopf_notify_counts c;
	struct iopf_notifier *n;

	atomic_set(&held_nr, 0);
	fake_domain_attach(test, fd, 7);
	n = reg(test, dev, s);
	KUNIT_EXPECT_EQ(test, fault(dev, PV | LAST, 7, 1, RD, 0x1000), 0);
	KUNIT_EXPECT_EQ(test, fault(dev, PV | LAST, 7, 2, WR, 0x2000), 0);
	KUNIT_EXPECT_EQ(test, fault(dev, PV, 7, 3, RD, 0x3000), 0);
	KUNIT_ASSERT_EQ_MSG(test, atomic_read(&held_nr), 2,
			    "the handler did not get both groups");
	KUNIT_EXPECT_EQ(test, atomic_read(&fi->responses), 0);

	/* the owner answers one held group on its own teardown */
	iopf_group_response(held_groups[0], IOMMU_PAGE_RESP_INVALID);
	iopf_free_group(held_groups[0]);
	/* the device leaves its queue: the other group and the partial one */
	iopf_queue_remove_device(ctx_of(test)->iopfq, dev);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&fi->responses), 2,
			    "teardown responses");
	KUNIT_EXPECT_EQ(test, atomic_read(&fi->last_code),
			IOMMU_PAGE_RESP_INVALID);
	/* back in the queue, for the case's end to remove it once more */
	KUNIT_ASSERT_EQ(test, 0, iopf_queue_add_device(ctx_of(test)->iopfq,
						       dev));
	iopf_notify_flush(n);
	counts_of(test, n, &c);
	KUNIT_EXPECT_EQ_MSG(test, c.generated, 0,
			    "a teardown response was reported");
	KUNIT_EXPECT_EQ(test, atomic_read(&s->calls), 0);
}

struct fake_bond {
	struct iommu_sva *sva;
	struct mm_struct *mm;
};

/* Unbind before the mm goes: a failed case's thread drops its mm first */
static void sva_unbind_action(void *data)
{
	struct fake_bond *b = data;

	iommu_sva_unbind_device(b->sva);
	mmput(b->mm);
}

/*
 * The SVA handler on a real mm: in a group whose first request succeeds,
 * the second writes to a read-only page and the third is never handled,
 * the one record names the second.
 */
void iopf_notify_test_sva_failed_request(struct kunit *test)
{
	struct fake_iommu *fi = &ctx_of(test)->iommu;
	struct device *dev = fake_core_dev(test, fi, 0x340);
	struct sink *s = sink_new(test);
	struct fake_bond *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	struct iopf_notifier *n;
	unsigned long ro;
	u32 pasid;

	if (!IS_ENABLED(CONFIG_IOMMU_SVA))
		kunit_skip(test, "CONFIG_IOMMU_SVA is off");
	KUNIT_ASSERT_NOT_NULL(test, b);
	ro = kunit_vm_mmap(test, NULL, 0, 2 * PAGE_SIZE, PROT_READ,
			   MAP_PRIVATE | MAP_ANONYMOUS, 0);
	KUNIT_ASSERT_TRUE_MSG(test, ro && !IS_ERR_VALUE(ro),
			      "mmap: %ld", (long)ro);
	/* the page after @ro has no VMA */
	KUNIT_ASSERT_EQ(test, 0, vm_munmap(ro + PAGE_SIZE, PAGE_SIZE));
	b->mm = current->mm;
	mmget(b->mm);
	b->sva = iommu_sva_bind_device(dev, b->mm);
	if (IS_ERR(b->sva)) {
		mmput(b->mm);
		KUNIT_FAIL_AND_ABORT(test, "SVA bind: %pe", b->sva);
	}
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, sva_unbind_action, b));
	pasid = iommu_sva_get_pasid(b->sva);
	n = reg(test, dev, s);

	KUNIT_EXPECT_EQ(test, fault(dev, PV, pasid, 1, RD, ro), 0);
	KUNIT_EXPECT_EQ(test, fault(dev, PV, pasid, 1, WR, ro), 0);
	KUNIT_EXPECT_EQ(test, fault(dev, PV | LAST, pasid, 1, RD,
				    ro + PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, 0, iopf_queue_flush_dev(dev));
	iopf_notify_flush(n);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&fi->responses), 1,
			    "one response per group");
	KUNIT_EXPECT_EQ(test, atomic_read(&fi->last_code),
			IOMMU_PAGE_RESP_INVALID);
	KUNIT_ASSERT_EQ_MSG(test, atomic_read(&s->calls), 1,
			    "one record per failed group");
	KUNIT_EXPECT_EQ_MSG(test, s->rec[0].addr, (u64)ro,
			    "the record does not name the failed request");
	KUNIT_EXPECT_EQ(test, s->rec[0].perm, WR);
	KUNIT_EXPECT_EQ(test, s->rec[0].pasid, pasid);
	KUNIT_EXPECT_EQ(test, s->rec[0].grpid, 1);
	KUNIT_EXPECT_EQ(test, s->rec[0].code, IOMMU_PAGE_RESP_INVALID);
	KUNIT_EXPECT_EQ(test, s->rec[0].source, IOPF_FAILURE_RESPONSE);

	/* a group that succeeds is answered and not reported */
	KUNIT_EXPECT_EQ(test, fault(dev, PV | LAST, pasid, 2, RD, ro), 0);
	KUNIT_EXPECT_EQ(test, 0, iopf_queue_flush_dev(dev));
	iopf_notify_flush(n);
	KUNIT_EXPECT_EQ(test, atomic_read(&fi->responses), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&fi->last_code),
			IOMMU_PAGE_RESP_SUCCESS);
	KUNIT_EXPECT_EQ(test, atomic_read(&s->calls), 1);

	/* the unbind detaches the PASID: its records are no longer current */
	KUNIT_EXPECT_TRUE(test, iopf_failure_current(n, &s->rec[0]));
	kunit_release_action(test, sva_unbind_action, b);
	KUNIT_EXPECT_FALSE_MSG(test, iopf_failure_current(n, &s->rec[0]),
			       "record current after the SVA unbind");
}

/* --- PCI virtual functions */

#ifdef CONFIG_PCI
struct fake_pci {
	struct pci_dev pdev;
	struct pci_dev pf;
};

static void fake_pci_release(struct device *dev)
{
	kfree(container_of(dev, struct fake_pci, pdev.dev));
}

KUNIT_DEFINE_ACTION_WRAPPER(put_device_action, put_device, struct device *);

/* A PCI function that is never added; only what registration reads is set */
struct device *fake_pci_dev(struct kunit *test, bool virtfn, bool pri)
{
	static atomic_t seq;
	struct fake_pci *fp;
	struct device *dev;
	u32 rid;

	if (pri && !IS_ENABLED(CONFIG_PCI_PRI))
		kunit_skip(test, "CONFIG_PCI_PRI is off");
	fp = kzalloc_obj(*fp);
	KUNIT_ASSERT_NOT_NULL(test, fp);
	dev = &fp->pdev.dev;
	device_initialize(dev);
	dev->release = fake_pci_release;
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, put_device_action, dev));
	rid = 0x400 + atomic_inc_return(&seq);
	KUNIT_ASSERT_EQ(test, 0, dev_set_name(dev, "iopf-test-pci-%x", rid));
	dev->bus = &pci_bus_type;
	fp->pdev.is_virtfn = virtfn;
#ifdef CONFIG_PCI_IOV
	if (virtfn)
		fp->pdev.physfn = &fp->pf;
#endif
#ifdef CONFIG_PCI_PRI
	/* VFs share the PRI capability of their PF (pci_pri_supported()) */
	pci_physfn(&fp->pdev)->pri_cap = pri ? 0x100 : 0;
#endif
	fake_dev_attach(test, dev, &ctx_of(test)->iommu, &rid, 1);
	return dev;
}
#else
struct device *fake_pci_dev(struct kunit *test, bool virtfn, bool pri)
{
	kunit_skip(test, "CONFIG_PCI is off");
	return NULL;
}
#endif

/* PRI is shared by a PF and its VFs: a VF with PRI is refused */
void iopf_notify_test_vf_with_pri(struct kunit *test)
{
	struct device *vf = fake_pci_dev(test, true, true);
	struct device *pf = fake_pci_dev(test, false, true);
	struct device *vf_no_pri = fake_pci_dev(test, true, false);
	struct sink *s = sink_new(test), *s2 = sink_new(test);
	struct iopf_notifier *n;

	n = iopf_failure_notifier_register(vf, sink_fn, sink_new(test));
	KUNIT_EXPECT_EQ_MSG(test, PTR_ERR_OR_ZERO(n), -EINVAL,
			    "a VF with PRI was not refused");
	if (!IS_ERR(n))
		iopf_failure_notifier_unregister(n);
	/* the PF, whose driver answers for PRI, registers */
	n = reg(test, pf, s);
	report(&ctx_of(test)->iommu.iommu, pf->iommu->fwspec->ids[0], 0x1000);
	iopf_notify_flush(n);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&s->calls), 1,
			    "the PF's record was not delivered");
	/* a VF that cannot send page requests shares nothing: it registers */
	reg(test, vf_no_pri, s2);
}
