/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the files of the KUnit suite iommu_iopf_notify: the fake
 * IOMMU instances and devices, the recording callback, helper threads and
 * the case functions each file contributes to the suite.
 */
#ifndef __IOMMU_IOPF_NOTIFY_KUNIT_H
#define __IOMMU_IOPF_NOTIFY_KUNIT_H

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/iopf-notify.h>
#include <linux/iommu.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include "iopf-notify.h"

#define SINK_MAX	64
#define SINK_LIVE	0x11fe11feU
#define SINK_POISON	0xdeaddeadU

/*
 * How long a case waits for an event that must happen before it reports a
 * failure. A guard against a hang, never a latency bound: every event
 * waited for happens at once when the code under test is right.
 */
#define IOPF_TEST_GUARD	(30 * HZ)

/**
 * struct fake_iommu - an IOMMU instance with no hardware behind it
 * @iommu: the instance whose table of RID slots the notifier uses
 * @responses: page responses sent through @iommu
 * @last_code: code of the last page response
 */
struct fake_iommu {
	struct iommu_device iommu;
	atomic_t responses;
	atomic_t last_code;
};

/**
 * struct fake_ctx - what every case gets (test->priv)
 * @iommu: an IOMMU that answers page requests
 * @iommu2: a second one, with its own table
 * @no_prq: an IOMMU without a page_response op
 * @iopfq: the iopf queue of the devices that reach the fault core
 * @sinks: every sink of the case, so a failing case can open their gates
 */
struct fake_ctx {
	struct fake_iommu iommu;
	struct fake_iommu iommu2;
	struct fake_iommu no_prq;
	struct iopf_queue *iopfq;
	struct list_head sinks;
};

struct sink;
typedef void (*sink_hook_fn)(struct sink *s, const struct iopf_failure *f);

/**
 * struct sink - the callback data of a registration under test
 * @magic: %SINK_LIVE; anything else when a late callback reads freed data
 * @lock: protects @nr and @rec against the callback
 * @nr: records kept in @rec
 * @rec: the first %SINK_MAX records delivered
 * @calls: callbacks entered
 * @finished: callbacks returned
 * @running: callbacks running now (more than one is a bug)
 * @concurrent: callbacks that found another one running
 * @bad_context: callbacks not in sleepable process context
 * @bad_magic: callbacks that found @magic poisoned
 * @order_errors: records out of order when @check_order is set
 * @next_addr: address of the next record expected by @check_order
 * @check_order: records carry consecutive page addresses from 0
 * @gated: each callback waits for @gate before returning
 * @gate: opened by the case (or its cleanup)
 * @waitq: woken on every callback
 * @hook: called by the callback first, if set
 * @hook_data: for @hook
 * @hook_done: completed by hooks that need to tell the case
 * @n: the registration delivering here; NULL once unregistered
 * @work: current_work() of the last callback
 * @node: in &fake_ctx.sinks
 */
struct sink {
	u32 magic;
	/* protects nr, rec and next_addr */
	spinlock_t lock;
	unsigned int nr;
	struct iopf_failure rec[SINK_MAX];
	atomic_t calls;
	atomic_t finished;
	atomic_t running;
	atomic_t concurrent;
	atomic_t bad_context;
	atomic_t bad_magic;
	atomic_t order_errors;
	u64 next_addr;
	bool check_order;
	bool gated;
	struct completion gate;
	wait_queue_head_t waitq;
	sink_hook_fn hook;
	void *hook_data;
	struct completion hook_done;
	struct iopf_notifier *n;
	struct work_struct *work;
	struct list_head node;
};

/**
 * struct runner - a helper thread running one function once
 * @fn: the function
 * @arg: its argument
 * @task: the thread, referenced until the case ends
 * @done: completed when @fn returned
 * @returned: set when @fn returned
 * @ctx: the case's context, whose gates a failing case's end opens
 */
struct runner {
	void (*fn)(void *arg);
	void *arg;
	struct fake_ctx *ctx;
	struct task_struct *task;
	struct completion done;
	bool returned;
};

/**
 * struct storm - reporter threads, one bound to each online CPU
 * @iommu: where they report
 * @rids: the requester IDs they cycle through
 * @nr_rids: number of @rids
 * @threads: one per possible CPU, NULL where none runs
 * @reports: failures reported so far
 */
struct storm {
	struct iommu_device *iommu;
	const u32 *rids;
	unsigned int nr_rids;
	struct task_struct **threads;
	atomic_long_t reports;
};

struct fake_ctx *ctx_of(struct kunit *test);
struct device *fake_dev(struct kunit *test, struct fake_iommu *fi,
			const u32 *rids, unsigned int nr);
struct device *fake_dev1(struct kunit *test, struct fake_iommu *fi, u32 rid);
struct device *fake_core_dev(struct kunit *test, struct fake_iommu *fi,
			     u32 rid);
void fake_dev_attach(struct kunit *test, struct device *dev,
		     struct fake_iommu *fi, const u32 *rids, unsigned int nr);
void fake_dev_drop_iommu(struct kunit *test, struct device *dev);

void sink_fn(const struct iopf_failure *f, void *data);
struct sink *sink_new(struct kunit *test);
void sink_free(struct kunit *test, struct sink *s);
void sink_open(struct sink *s);
bool sink_wait_calls(struct sink *s, int calls);
struct iopf_notifier *reg(struct kunit *test, struct device *dev,
			  struct sink *s);
void unreg(struct kunit *test, struct sink *s);

void report(struct iommu_device *iommu, u32 rid, u64 addr);
void report_pasid(struct iommu_device *iommu, u32 rid, bool pasid_valid,
		  u32 pasid, u64 addr);
void counts_of(struct kunit *test, struct iopf_notifier *n,
	       struct iopf_notify_counts *c);
void expect_balanced(struct kunit *test, const struct iopf_notify_counts *c);
unsigned int nr_slots(struct iommu_device *iommu);
int key_count(void);

struct runner *runner_start(struct kunit *test, void (*fn)(void *arg),
			    void *arg);
bool runner_wait(struct runner *r);
bool wait_task_blocked(struct task_struct *t);
struct storm *storm_start(struct kunit *test, struct iommu_device *iommu,
			  const u32 *rids, unsigned int nr_rids);
void storm_stop(struct storm *st);

/* iopf_notify_kunit_api.c: registration, bad input, delivery, observability */
void iopf_notify_test_register_errors(struct kunit *test);
const void *iopf_notify_test_register_errors_params(struct kunit *test,
						    const void *prev,
						    char *desc);
void iopf_notify_test_bad_input_noops(struct kunit *test);
const void *iopf_notify_test_bad_input_noops_params(struct kunit *test,
						    const void *prev,
						    char *desc);
void iopf_notify_test_reregister(struct kunit *test);
void iopf_notify_test_delivers_all_fields(struct kunit *test);
void iopf_notify_test_callback_context(struct kunit *test);
void iopf_notify_test_unknown_rid_ignored(struct kunit *test);
void iopf_notify_test_rid_isolation(struct kunit *test);
void iopf_notify_test_all_rids_covered(struct kunit *test);
void iopf_notify_test_per_iommu_tables(struct kunit *test);
void iopf_notify_test_static_key(struct kunit *test);
void iopf_notify_test_debugfs(struct kunit *test);
void iopf_notify_test_tracepoint(struct kunit *test);

/* iopf_notify_kunit_dispatch.c: rings, the consumer, isolation, lifetime */
void iopf_notify_test_ring_overflow(struct kunit *test);
void iopf_notify_test_reporter_never_waits(struct kunit *test);
void iopf_notify_test_kick_once(struct kunit *test);
void iopf_notify_test_blocked_neighbour(struct kunit *test);
void iopf_notify_test_unregister_waits(struct kunit *test);
void iopf_notify_test_unregister_other_in_callback(struct kunit *test);
void iopf_notify_test_unregister_self_in_callback(struct kunit *test);
void iopf_notify_test_unregister_under_storm(struct kunit *test);
void iopf_notify_test_race_all_cpus(struct kunit *test);
void iopf_notify_test_device_release(struct kunit *test);

/* iopf_notify_kunit_core.c: PASID lifetime, the fault core, PCI VFs */
void iopf_notify_test_pasid_gone(struct kunit *test);
void iopf_notify_test_pasid_detach(struct kunit *test);
void iopf_notify_test_no_handler(struct kunit *test);
void iopf_notify_test_abort(struct kunit *test);
void iopf_notify_test_handled_success(struct kunit *test);
void iopf_notify_test_teardown_not_reported(struct kunit *test);
void iopf_notify_test_sva_failed_request(struct kunit *test);
void iopf_notify_test_vf_with_pri(struct kunit *test);

struct device *fake_pci_dev(struct kunit *test, bool virtfn, bool pri);

extern const struct iommu_ops fake_ops;
extern const struct iommu_domain_ops fake_pasid_ops;

#endif /* __IOMMU_IOPF_NOTIFY_KUNIT_H */
