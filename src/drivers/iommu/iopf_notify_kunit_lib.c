// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite iommu_iopf_notify: the failed I/O page fault notifier.
 *
 * The module iopf_notify_kunit is four files (see the Makefile): this one
 * has the fakes, the helpers and the suite; iopf_notify_kunit_api.c the
 * cases of registration, bad input, delivery and observability;
 * iopf_notify_kunit_dispatch.c the rings, the consumer, isolation between
 * registrations and device lifetime; iopf_notify_kunit_core.c PASID
 * lifetime, the fault core's failure paths run for real and PCI VFs.
 *
 * The IOMMU instances are fakes: a struct iommu_device whose ops count page
 * responses. Devices are KUnit devices given a struct dev_iommu and a
 * fwspec whose IDs are their requester IDs; those that reach the fault core
 * are also in an IOMMU group and an iopf queue, so that
 * iommu_report_device_fault(), iommu_attach_device_pasid(),
 * iommu_detach_device_pasid() and the SVA handler run unmodified on them.
 *
 * No case asserts a duration: a case waits on completions and wait queues,
 * and IOPF_TEST_GUARD only turns a hang into a reported failure.
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/debugfs.h>
#include <linux/jump_label.h>
#include <linux/kthread.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <trace/events/iopf_notify.h>

#include "iopf_notify_kunit.h"

static atomic_t fake_seq;

/* --- fake IOMMU instances */

static void fake_page_response(struct device *dev, struct iopf_fault *evt,
			       struct iommu_page_response *msg)
{
	struct fake_iommu *fi = container_of(dev->iommu->iommu_dev,
					     struct fake_iommu, iommu);

	atomic_set(&fi->last_code, msg->code);
	atomic_inc(&fi->responses);
}

static int fake_set_dev_pasid(struct iommu_domain *domain, struct device *dev,
			      ioasid_t pasid, struct iommu_domain *old)
{
	return 0;
}

const struct iommu_domain_ops fake_pasid_ops = {
	.set_dev_pasid = fake_set_dev_pasid,
};

static struct iommu_domain fake_blocked_domain = {
	.type = IOMMU_DOMAIN_BLOCKED,
	.ops = &fake_pasid_ops,
};

static void fake_sva_free(struct iommu_domain *domain)
{
	kfree(domain);
}

static const struct iommu_domain_ops fake_sva_ops = {
	.set_dev_pasid = fake_set_dev_pasid,
	.free = fake_sva_free,
};

/* The core makes it an SVA domain: its handler is iommu_sva_iopf_handler() */
static struct iommu_domain *fake_domain_alloc_sva(struct device *dev,
						  struct mm_struct *mm)
{
	struct iommu_domain *domain = kzalloc_obj(*domain);

	if (!domain)
		return ERR_PTR(-ENOMEM);
	domain->ops = &fake_sva_ops;
	return domain;
}

const struct iommu_ops fake_ops = {
	.page_response = fake_page_response,
	.blocked_domain = &fake_blocked_domain,
	.domain_alloc_sva = fake_domain_alloc_sva,
};

static const struct iommu_ops fake_ops_no_prq = { };

struct fake_ctx *ctx_of(struct kunit *test)
{
	return test->priv;
}

static struct device *kunit_dev(struct kunit *test)
{
	struct device *dev;
	char name[32];

	snprintf(name, sizeof(name), "iopf-test-%d",
		 atomic_inc_return(&fake_seq));
	dev = kunit_device_register(test, name);
	KUNIT_ASSERT_NOT_ERR_OR_NULL_MSG(test, dev, "KUnit device %s", name);
	return dev;
}

/* iommu_deinit_device() unlinks devices from their IOMMU's device */
static void fake_iommu_init(struct kunit *test, struct fake_iommu *fi,
			    const struct iommu_ops *ops)
{
	fi->iommu.ops = ops;
	fi->iommu.dev = kunit_dev(test);
	iopf_notify_init_iommu(&fi->iommu);
}

/* --- fake devices */

/* What dev_iommu_free() does, for devices the IOMMU core never saw */
static void fake_dev_free_iommu(struct device *dev)
{
	struct dev_iommu *param = dev->iommu;

	if (!param)
		return;
	dev->iommu = NULL;
	kfree(param->fwspec);
	kfree(param);
}

KUNIT_DEFINE_ACTION_WRAPPER(fake_dev_free_iommu_action, fake_dev_free_iommu,
			    struct device *);

/* Give @dev a dev_iommu behind @fi whose fwspec IDs are @rids */
void fake_dev_attach(struct kunit *test, struct device *dev,
		     struct fake_iommu *fi, const u32 *rids, unsigned int nr)
{
	struct iommu_fwspec *fwspec;
	struct dev_iommu *param;

	/* kmalloc()ed: iommu_deinit_device() frees them for core devices */
	param = kzalloc_obj(*param);
	fwspec = kzalloc_flex(*fwspec, ids, nr);
	if (!param || !fwspec) {
		kfree(param);
		kfree(fwspec);
		KUNIT_FAIL_AND_ABORT(test, "no memory for a fake dev_iommu");
	}
	mutex_init(&param->lock);
	param->iommu_dev = &fi->iommu;
	param->max_pasids = 1U << 8;
	fwspec->num_ids = nr;
	if (nr)
		memcpy(fwspec->ids, rids, nr * sizeof(*rids));
	param->fwspec = fwspec;
	dev->iommu = param;
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test,
						  fake_dev_free_iommu_action,
						  dev));
}

/* Free the dev_iommu of @dev now, as iommu_release_device() would */
void fake_dev_drop_iommu(struct kunit *test, struct device *dev)
{
	kunit_release_action(test, fake_dev_free_iommu_action, dev);
}

/* A KUnit device behind @fi (none if NULL) whose requester IDs are @rids */
struct device *fake_dev(struct kunit *test, struct fake_iommu *fi,
			const u32 *rids, unsigned int nr)
{
	struct device *dev = kunit_dev(test);

	if (fi)
		fake_dev_attach(test, dev, fi, rids, nr);
	return dev;
}

struct device *fake_dev1(struct kunit *test, struct fake_iommu *fi, u32 rid)
{
	return fake_dev(test, fi, &rid, 1);
}

KUNIT_DEFINE_ACTION_WRAPPER(group_put_action, iommu_group_put,
			    struct iommu_group *);
/* Also frees dev->iommu, through iommu_deinit_device() */
KUNIT_DEFINE_ACTION_WRAPPER(group_remove_action, iommu_group_remove_device,
			    struct device *);
KUNIT_DEFINE_ACTION_WRAPPER(iopfq_free_action, iopf_queue_free,
			    struct iopf_queue *);

struct fake_queued {
	struct iopf_queue *queue;
	struct device *dev;
};

static void iopfq_remove_action(void *data)
{
	struct fake_queued *q = data;

	iopf_queue_remove_device(q->queue, q->dev);
}

/* A device that reaches the fault core: in an IOMMU group and an iopf queue */
struct device *fake_core_dev(struct kunit *test, struct fake_iommu *fi,
			     u32 rid)
{
	struct fake_ctx *ctx = ctx_of(test);
	struct device *dev = fake_dev1(test, fi, rid);
	struct fake_queued *q = kunit_kzalloc(test, sizeof(*q), GFP_KERNEL);
	struct iommu_group *group;

	KUNIT_ASSERT_NOT_NULL(test, q);
	if (!ctx->iopfq) {
		ctx->iopfq = iopf_queue_alloc("iopf-kunit");
		KUNIT_ASSERT_NOT_NULL(test, ctx->iopfq);
		KUNIT_ASSERT_EQ(test, 0,
				kunit_add_action_or_reset(test,
							  iopfq_free_action,
							  ctx->iopfq));
	}
	group = iommu_group_alloc();
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, group);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, group_put_action,
						  group));
	KUNIT_ASSERT_EQ(test, 0, iommu_group_add_device(group, dev));
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, group_remove_action,
						  dev));
	KUNIT_ASSERT_EQ(test, 0, iopf_queue_add_device(ctx->iopfq, dev));
	q->queue = ctx->iopfq;
	q->dev = dev;
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, iopfq_remove_action,
						  q));
	return dev;
}

/* --- the recording callback */

void sink_fn(const struct iopf_failure *f, void *data)
{
	struct sink *s = data;
	sink_hook_fn hook;

	if (READ_ONCE(s->magic) != SINK_LIVE)
		atomic_inc(&s->bad_magic);
	if (!in_task() || (IS_ENABLED(CONFIG_PREEMPT_COUNT) && !preemptible()))
		atomic_inc(&s->bad_context);
	if (atomic_inc_return(&s->running) > 1)
		atomic_inc(&s->concurrent);
	WRITE_ONCE(s->work, current_work());
	spin_lock(&s->lock);
	if (s->nr < SINK_MAX)
		s->rec[s->nr++] = *f;
	if (s->check_order) {
		if (f->addr != s->next_addr)
			atomic_inc(&s->order_errors);
		s->next_addr = f->addr + PAGE_SIZE;
	}
	spin_unlock(&s->lock);
	hook = READ_ONCE(s->hook);
	if (hook)
		hook(s, f);
	atomic_inc(&s->calls);
	wake_up_all(&s->waitq);
	if (READ_ONCE(s->gated))
		wait_for_completion(&s->gate);
	atomic_dec(&s->running);
	atomic_inc(&s->finished);
	wake_up_all(&s->waitq);
}

void sink_open(struct sink *s)
{
	complete_all(&s->gate);
}

bool sink_wait_calls(struct sink *s, int calls)
{
	return wait_event_timeout(s->waitq, atomic_read(&s->calls) >= calls,
				  IOPF_TEST_GUARD);
}

static void sink_forget(void *data)
{
	struct sink *s = data;

	list_del(&s->node);
}

struct sink *sink_new(struct kunit *test)
{
	struct sink *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, s);
	s->magic = SINK_LIVE;
	spin_lock_init(&s->lock);
	init_completion(&s->gate);
	init_completion(&s->hook_done);
	init_waitqueue_head(&s->waitq);
	list_add(&s->node, &ctx_of(test)->sinks);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, sink_forget, s));
	return s;
}

/* Free a sink before the case ends; a late callback finds it poisoned */
void sink_free(struct kunit *test, struct sink *s)
{
	kunit_release_action(test, sink_forget, s);
	WRITE_ONCE(s->magic, SINK_POISON);
	kunit_kfree(test, s);
}

static void sink_unreg_action(void *data)
{
	struct sink *s = data;

	sink_open(s);
	iopf_failure_notifier_unregister(xchg(&s->n, NULL));
}

/* Register @dev for @s; the case's end unregisters it if the case did not */
struct iopf_notifier *reg(struct kunit *test, struct device *dev,
			  struct sink *s)
{
	struct iopf_notifier *n = iopf_failure_notifier_register(dev, sink_fn,
								  s);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(n), "registering %s failed: %pe",
			       dev_name(dev), n);
	s->n = n;
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, sink_unreg_action, s));
	return n;
}

/* Open the gate of @s and unregister its registration */
void unreg(struct kunit *test, struct sink *s)
{
	kunit_release_action(test, sink_unreg_action, s);
}

/* --- reporting and counting */

void report_pasid(struct iommu_device *iommu, u32 rid, bool pasid_valid,
		  u32 pasid, u64 addr)
{
	struct iommu_fault fault = {
		.type = IOMMU_FAULT_PAGE_REQ,
		.rid = rid,
		.prm = {
			.flags = IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE,
			.pasid = pasid,
			.grpid = 7,
			.perm = IOMMU_FAULT_PERM_WRITE,
			.addr = addr,
		},
	};

	if (pasid_valid)
		fault.prm.flags |= IOMMU_FAULT_PAGE_REQUEST_PASID_VALID;
	__iopf_report_failure(iommu, &fault, IOMMU_PAGE_RESP_INVALID,
			      IOPF_FAILURE_RESPONSE);
}

void report(struct iommu_device *iommu, u32 rid, u64 addr)
{
	report_pasid(iommu, rid, true, 0x42, addr);
}

void counts_of(struct kunit *test, struct iopf_notifier *n,
	       struct iopf_notify_counts *c)
{
	iopf_notify_counts(n, c);
	kunit_info(test, "generated %lu delivered %lu overflow %lu stale %lu released %lu\n",
		   c->generated, c->delivered, c->overflow, c->stale,
		   c->released);
}

void expect_balanced(struct kunit *test, const struct iopf_notify_counts *c)
{
	KUNIT_EXPECT_EQ_MSG(test, c->generated,
			    c->delivered + c->overflow + c->stale + c->released,
			    "accounting: generated %lu != delivered %lu + overflow %lu + stale %lu + released %lu",
			    c->generated, c->delivered, c->overflow, c->stale,
			    c->released);
}

unsigned int nr_slots(struct iommu_device *iommu)
{
	unsigned int nr = 0;
	unsigned long index;
	void *entry;

	xa_for_each(&iommu->iopf_notifiers, index, entry)
		nr++;
	return nr;
}

int key_count(void)
{
	return static_key_count(&iopf_failure_notify_key.key);
}

/* --- helper threads */

static int runner_thread(void *data)
{
	struct runner *r = data;

	r->fn(r->arg);
	WRITE_ONCE(r->returned, true);
	/* all: runner_wait() and the case's end both wait for it */
	complete_all(&r->done);
	return 0;
}

static void runner_cleanup(void *data)
{
	struct runner *r = data;
	struct sink *s;

	/* A case that failed early may leave the runner behind a gate */
	list_for_each_entry(s, &r->ctx->sinks, node)
		sink_open(s);
	wait_for_completion(&r->done);
	put_task_struct(r->task);
}

/* Run fn(arg) once in a new thread; the case's end waits for it */
struct runner *runner_start(struct kunit *test, void (*fn)(void *arg),
			    void *arg)
{
	struct runner *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	struct task_struct *t;

	KUNIT_ASSERT_NOT_NULL(test, r);
	r->fn = fn;
	r->arg = arg;
	r->ctx = ctx_of(test);
	init_completion(&r->done);
	t = kthread_create(runner_thread, r, "iopf-test-runner");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t);
	r->task = get_task_struct(t);
	wake_up_process(t);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, runner_cleanup, r));
	return r;
}

bool runner_wait(struct runner *r)
{
	return wait_for_completion_timeout(&r->done, IOPF_TEST_GUARD);
}

/*
 * Wait until @t sleeps in an uninterruptible wait: a completion, a flush
 * or a grace period. Used to release a gate only once a thread is inside
 * the call under test, so the case does not depend on scheduling.
 */
bool wait_task_blocked(struct task_struct *t)
{
	unsigned long end = jiffies + IOPF_TEST_GUARD;

	while (READ_ONCE(t->__state) != TASK_UNINTERRUPTIBLE) {
		if (time_after(jiffies, end))
			return false;
		schedule_timeout_uninterruptible(1);
	}
	return true;
}

static int storm_thread(void *data)
{
	struct storm *st = data;
	unsigned long i = 0;

	while (!kthread_should_stop()) {
		report(st->iommu, st->rids[i % st->nr_rids],
		       (u64)(i & 0xffff) << PAGE_SHIFT);
		atomic_long_inc(&st->reports);
		if (!(++i % 32))
			cond_resched();
	}
	return 0;
}

void storm_stop(struct storm *st)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		if (st->threads[cpu])
			kthread_stop(st->threads[cpu]);
		st->threads[cpu] = NULL;
	}
}

KUNIT_DEFINE_ACTION_WRAPPER(storm_stop_action, storm_stop, struct storm *);

/*
 * Start one reporter bound to each online CPU, each cycling through @rids
 * on @iommu; the case's end stops them if the case did not.
 */
struct storm *storm_start(struct kunit *test, struct iommu_device *iommu,
			  const u32 *rids, unsigned int nr_rids)
{
	struct storm *st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	struct task_struct *t;
	unsigned int cpu;

	KUNIT_ASSERT_NOT_NULL(test, st);
	st->iommu = iommu;
	st->rids = rids;
	st->nr_rids = nr_rids;
	st->threads = kunit_kcalloc(test, nr_cpu_ids, sizeof(*st->threads),
				    GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st->threads);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, storm_stop_action, st));
	for_each_online_cpu(cpu) {
		t = kthread_create(storm_thread, st, "iopf-storm/%u", cpu);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t);
		kthread_bind(t, cpu);
		st->threads[cpu] = t;
		wake_up_process(t);
	}
	return st;
}

/* --- the suite */

static int iopf_notify_test_init(struct kunit *test)
{
	struct fake_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	if (!ctx)
		return -ENOMEM;
	INIT_LIST_HEAD(&ctx->sinks);
	test->priv = ctx;
	fake_iommu_init(test, &ctx->iommu, &fake_ops);
	fake_iommu_init(test, &ctx->iommu2, &fake_ops);
	fake_iommu_init(test, &ctx->no_prq, &fake_ops_no_prq);
	return 0;
}

static struct kunit_case iopf_notify_test_cases[] = {
	/* iopf_notify_kunit_api.c */
	KUNIT_CASE_PARAM(iopf_notify_test_register_errors,
			 iopf_notify_test_register_errors_params),
	KUNIT_CASE_PARAM(iopf_notify_test_bad_input_noops,
			 iopf_notify_test_bad_input_noops_params),
	KUNIT_CASE(iopf_notify_test_reregister),
	KUNIT_CASE(iopf_notify_test_delivers_all_fields),
	KUNIT_CASE(iopf_notify_test_callback_context),
	KUNIT_CASE(iopf_notify_test_unknown_rid_ignored),
	KUNIT_CASE(iopf_notify_test_rid_isolation),
	KUNIT_CASE(iopf_notify_test_all_rids_covered),
	KUNIT_CASE(iopf_notify_test_per_iommu_tables),
	KUNIT_CASE(iopf_notify_test_static_key),
	KUNIT_CASE(iopf_notify_test_debugfs),
	KUNIT_CASE(iopf_notify_test_tracepoint),
	/* iopf_notify_kunit_dispatch.c */
	KUNIT_CASE(iopf_notify_test_ring_overflow),
	KUNIT_CASE(iopf_notify_test_reporter_never_waits),
	KUNIT_CASE(iopf_notify_test_kick_once),
	KUNIT_CASE(iopf_notify_test_blocked_neighbour),
	KUNIT_CASE(iopf_notify_test_unregister_waits),
	KUNIT_CASE(iopf_notify_test_unregister_other_in_callback),
	KUNIT_CASE(iopf_notify_test_unregister_self_in_callback),
	KUNIT_CASE_SLOW(iopf_notify_test_unregister_under_storm),
	KUNIT_CASE_SLOW(iopf_notify_test_race_all_cpus),
	KUNIT_CASE(iopf_notify_test_device_release),
	/* iopf_notify_kunit_core.c */
	KUNIT_CASE(iopf_notify_test_pasid_gone),
	KUNIT_CASE(iopf_notify_test_pasid_detach),
	KUNIT_CASE(iopf_notify_test_no_handler),
	KUNIT_CASE(iopf_notify_test_abort),
	KUNIT_CASE(iopf_notify_test_handled_success),
	KUNIT_CASE(iopf_notify_test_teardown_not_reported),
	KUNIT_CASE(iopf_notify_test_sva_failed_request),
	KUNIT_CASE(iopf_notify_test_vf_with_pri),
	{}
};

static struct kunit_suite iopf_notify_test_suite = {
	.name = "iommu_iopf_notify",
	.init = iopf_notify_test_init,
	.test_cases = iopf_notify_test_cases,
};

kunit_test_suite(iopf_notify_test_suite);

MODULE_DESCRIPTION("KUnit tests for failed I/O page fault notification");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
