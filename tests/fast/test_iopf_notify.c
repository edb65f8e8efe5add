// SPDX-License-Identifier: GPL-2.0
/*
 * User-space runner for src/drivers/iommu/iopf-notify.c: the functional
 * cases of the KUnit suite (src/drivers/iommu/iopf-notify-test.c) that do
 * not need the fault core, plus a register/unregister race against
 * reporters on every "CPU". Built plain, with ThreadSanitizer and with
 * AddressSanitizer+UBSan by scripts/check-fast.sh.
 *
 * Threads stand in for CPUs (shim/shim.h). Output: one "ok"/"not ok" line
 * per case, then "N passed, N failed".
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/iopf-notify.h>
#include <linux/debugfs.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <trace/events/iopf_notify.h>

#include "../../src/drivers/iommu/iopf-notify.h"
#include "shim.h"

void radix_tree_init(void);

/* --- a tiny harness --- */

static int case_failed;

#define EXPECT(c) do {							\
		if (!(c)) {						\
			printf("    %s:%d: expected %s\n", __func__,	\
			       __LINE__, #c);				\
			case_failed = 1;				\
		}							\
	} while (0)
#define EXPECT_EQ(a, b) do {						\
		long long __a = (long long)(a), __b = (long long)(b);	\
		if (__a != __b) {					\
			printf("    %s:%d: %s == %s: %lld != %lld\n",	\
			       __func__, __LINE__, #a, #b, __a, __b);	\
			case_failed = 1;				\
		}							\
	} while (0)
#define ASSERT(c) do {							\
		if (!(c)) {						\
			printf("    %s:%d: assertion %s\n", __func__,	\
			       __LINE__, #c);				\
			case_failed = 1;				\
			return;						\
		}							\
	} while (0)
#define ASSERT_EQ(a, b) do {						\
		long long __a = (long long)(a), __b = (long long)(b);	\
		if (__a != __b) {					\
			printf("    %s:%d: assertion %s == %s: %lld != %lld\n", \
			       __func__, __LINE__, #a, #b, __a, __b);	\
			case_failed = 1;				\
			return;						\
		}							\
	} while (0)

/* --- completions, as in the kernel --- */

struct completion {
	pthread_mutex_t m;
	pthread_cond_t c;
	int done;
};

#define COMPLETE_ALL	(1 << 30)

static void init_completion(struct completion *x)
{
	pthread_mutex_init(&x->m, NULL);
	pthread_cond_init(&x->c, NULL);
	x->done = 0;
}

static void complete(struct completion *x)
{
	pthread_mutex_lock(&x->m);
	if (x->done != COMPLETE_ALL)
		x->done++;
	pthread_cond_broadcast(&x->c);
	pthread_mutex_unlock(&x->m);
}

static void complete_all(struct completion *x)
{
	pthread_mutex_lock(&x->m);
	x->done = COMPLETE_ALL;
	pthread_cond_broadcast(&x->c);
	pthread_mutex_unlock(&x->m);
}

static bool wait_for_completion_timeout(struct completion *x, int ms)
{
	struct timespec ts;
	bool ok = true;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&x->m);
	while (!x->done && ok)
		ok = !pthread_cond_timedwait(&x->c, &x->m, &ts) || x->done;
	if (x->done && x->done != COMPLETE_ALL)
		x->done--;
	pthread_mutex_unlock(&x->m);
	return ok;
}

static void msleep(int ms)
{
	usleep(ms * 1000);
}

/* --- the sink every registration in these tests uses --- */

#define SINK_MAX	64
#define SINK_LIVE	0x11fe11feU
#define SINK_POISON	0xdeaddeadU

struct sink {
	unsigned int magic;
	pthread_mutex_t lock;
	unsigned int n;
	struct iopf_failure rec[SINK_MAX];
	int cpu[SINK_MAX];
	pthread_t thread[SINK_MAX];
	int calls;		/* atomic */
	int bad_context;	/* atomic */
	int bad_magic;		/* atomic */
	int finished;		/* atomic */
	int sleep_every;	/* sleep 50us every that many calls (0: never) */
	struct completion *entered;
	struct completion *gate;
};

#define aread(p)	__atomic_load_n((p), __ATOMIC_SEQ_CST)
#define ainc(p)		__atomic_fetch_add((p), 1, __ATOMIC_SEQ_CST)

static int global_bad_magic;

static void sink_fn(const struct iopf_failure *f, void *data)
{
	struct sink *s = data;
	int calls;

	/* a callback may sleep: it gives its CPU back, as schedule() does */
	shim_sleep_begin();
	if (__atomic_load_n(&s->magic, __ATOMIC_RELAXED) != SINK_LIVE) {
		ainc(&s->bad_magic);
		ainc(&global_bad_magic);
	}
	if (irqs_disabled())
		ainc(&s->bad_context);
	pthread_mutex_lock(&s->lock);
	if (s->n < SINK_MAX) {
		s->rec[s->n] = *f;
		s->cpu[s->n] = raw_smp_processor_id();
		s->thread[s->n] = pthread_self();
		s->n++;
	}
	pthread_mutex_unlock(&s->lock);
	calls = ainc(&s->calls) + 1;
	if (s->entered)
		complete(s->entered);
	if (s->gate)
		wait_for_completion_timeout(s->gate, 10000);
	if (s->sleep_every && !(calls % s->sleep_every))
		usleep(50);
	ainc(&s->finished);
	shim_sleep_end();
}

static struct sink *sink_alloc(void)
{
	struct sink *s = calloc(1, sizeof(*s));

	if (!s)
		abort();
	s->magic = SINK_LIVE;
	pthread_mutex_init(&s->lock, NULL);
	return s;
}

/* sinks of a case, freed after it (kunit_kzalloc) */
static struct sink *case_sinks[64];
static unsigned int nr_case_sinks;

static struct sink *sink_new(void)
{
	struct sink *s = sink_alloc();

	if (nr_case_sinks == 64)
		abort();
	case_sinks[nr_case_sinks++] = s;
	return s;
}

/* --- fake IOMMUs and devices --- */

static int responses;

static void fake_page_response(struct device *dev, struct iopf_fault *evt,
			       struct iommu_page_response *msg)
{
	ainc(&responses);
}

static const struct iommu_ops fake_ops = {
	.page_response = fake_page_response,
};

static const struct iommu_ops fake_ops_no_prq = { };

static struct iommu_device iommu, iommu2, iommu_no_prq;

struct fake_dev {
	struct device dev;
	struct dev_iommu param;
	struct iommu_fwspec *fwspec;
	char name[32];
};

static struct fake_dev *case_devs[64];
static unsigned int nr_case_devs;

/* A device behind @iommu whose requester IDs are @rids */
static struct device *fake_dev(struct iommu_device *iommu, const u32 *rids,
			       unsigned int nr)
{
	static int seq;
	struct fake_dev *fd = calloc(1, sizeof(*fd));

	if (!fd || nr_case_devs == 64)
		abort();
	snprintf(fd->name, sizeof(fd->name), "iopf-test-%d", ainc(&seq) + 1);
	fd->dev.name = fd->name;
	case_devs[nr_case_devs++] = fd;
	if (!iommu)
		return &fd->dev;
	fd->param.iommu_dev = iommu;
	if (nr) {
		fd->fwspec = calloc(1, sizeof(*fd->fwspec) + nr * sizeof(u32));
		if (!fd->fwspec)
			abort();
		fd->fwspec->num_ids = nr;
		memcpy(fd->fwspec->ids, rids, nr * sizeof(*rids));
		fd->param.fwspec = fd->fwspec;
	}
	fd->dev.iommu = &fd->param;
	return &fd->dev;
}

static struct device *fake_dev1(struct iommu_device *iommu, u32 rid)
{
	return fake_dev(iommu, &rid, 1);
}

static void report(struct iommu_device *iommu, u32 rid, u64 addr,
		   enum iommu_page_response_code code)
{
	struct iommu_fault fault = {
		.type = IOMMU_FAULT_PAGE_REQ,
		.rid = rid,
		.prm = {
			.flags = IOMMU_FAULT_PAGE_REQUEST_PASID_VALID |
				 IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE,
			.pasid = 0x42,
			.grpid = 7,
			.perm = IOMMU_FAULT_PERM_WRITE,
			.addr = addr,
		},
	};

	iopf_report_failure(iommu, &fault, code, IOPF_FAILURE_RESPONSE);
}

static void case_init(void)
{
	iommu.ops = &fake_ops;
	xa_init(&iommu.iopf_notifiers);
	iommu2.ops = &fake_ops;
	xa_init(&iommu2.iopf_notifiers);
	iommu_no_prq.ops = &fake_ops_no_prq;
	xa_init(&iommu_no_prq.iopf_notifiers);
	responses = 0;
}

static void case_exit(void)
{
	unsigned int i;

	for (i = 0; i < nr_case_devs; i++)
		iopf_failure_notifier_unregister(&case_devs[i]->dev);
	iopf_notify_flush();
	/* no slot may outlive its registration */
	EXPECT(xa_empty(&iommu.iopf_notifiers));
	EXPECT(xa_empty(&iommu2.iopf_notifiers));
	EXPECT(xa_empty(&iommu_no_prq.iopf_notifiers));
	for (i = 0; i < nr_case_devs; i++) {
		free(case_devs[i]->fwspec);
		free(case_devs[i]);
	}
	nr_case_devs = 0;
	for (i = 0; i < nr_case_sinks; i++)
		free(case_sinks[i]);
	nr_case_sinks = 0;
}

/* --- registration errors --- */

static void null_fn_einval(void)
{
	struct device *dev = fake_dev1(&iommu, 1);

	EXPECT_EQ(-EINVAL, iopf_failure_notifier_register(dev, NULL, NULL));
}

static void no_iommu_enodev(void)
{
	struct device *dev = fake_dev(NULL, NULL, 0);

	EXPECT_EQ(-ENODEV, iopf_failure_notifier_register(dev, sink_fn,
							  sink_new()));
	EXPECT_EQ(-ENODEV, iopf_failure_notifier_register(NULL, sink_fn, NULL));
}

static void no_page_response_enodev(void)
{
	struct device *dev = fake_dev1(&iommu_no_prq, 1);

	EXPECT_EQ(-ENODEV, iopf_failure_notifier_register(dev, sink_fn,
							  sink_new()));
}

static void no_rid_enodev(void)
{
	struct device *dev = fake_dev(&iommu, NULL, 0);

	EXPECT_EQ(-ENODEV, iopf_failure_notifier_register(dev, sink_fn,
							  sink_new()));
}

static void rid_taken_ebusy(void)
{
	static const u32 b_rids[] = { 6, 5 };
	struct device *a = fake_dev1(&iommu, 5);
	struct device *b = fake_dev(&iommu, b_rids, 2);
	struct device *c = fake_dev1(&iommu, 6);

	ASSERT_EQ(0, iopf_failure_notifier_register(a, sink_fn, sink_new()));
	EXPECT_EQ(-EBUSY, iopf_failure_notifier_register(b, sink_fn,
							 sink_new()));
	/* b's slot 6 was rolled back: c can take it */
	EXPECT_EQ(0, iopf_failure_notifier_register(c, sink_fn, sink_new()));
	EXPECT(xa_load(&iommu.iopf_notifiers, 7) == NULL);
	iopf_failure_notifier_unregister(c);
	EXPECT(xa_load(&iommu.iopf_notifiers, 6) == NULL);
}

static void register_twice_ebusy(void)
{
	struct device *dev = fake_dev1(&iommu, 9);

	ASSERT_EQ(0, iopf_failure_notifier_register(dev, sink_fn, sink_new()));
	EXPECT_EQ(-EBUSY, iopf_failure_notifier_register(dev, sink_fn,
							 sink_new()));
}

static void alloc_failure_enomem(void)
{
	/* more RIDs than kmalloc() can hold: the notifier allocation fails */
	const unsigned int nr = 1U << 22;
	struct device *dev = fake_dev1(&iommu, 1);
	struct iommu_fwspec *fwspec, *saved = dev->iommu->fwspec;

	fwspec = calloc(1, sizeof(*fwspec) + nr * sizeof(u32));
	ASSERT(fwspec);
	fwspec->num_ids = nr;
	dev->iommu->fwspec = fwspec;
	EXPECT_EQ(-ENOMEM, iopf_failure_notifier_register(dev, sink_fn,
							  sink_new()));
	dev->iommu->fwspec = saved;
	free(fwspec);
	EXPECT(xa_empty(&iommu.iopf_notifiers));
}

static void unregister_unknown_noop(void)
{
	struct device *a = fake_dev1(&iommu, 3);
	struct device *stranger = fake_dev1(&iommu, 3);
	struct sink *s = sink_new();

	ASSERT_EQ(0, iopf_failure_notifier_register(a, sink_fn, s));
	/* same RID, other device: must not tear down a's registration */
	iopf_failure_notifier_unregister(stranger);
	iopf_failure_notifier_unregister(fake_dev(NULL, NULL, 0));
	iopf_failure_notifier_unregister(NULL);
	report(&iommu, 3, 0x1000, IOMMU_PAGE_RESP_INVALID);
	iopf_notify_flush();
	EXPECT_EQ(1, aread(&s->calls));
}

static void reregister_after_unregister(void)
{
	struct device *a = fake_dev1(&iommu, 4);
	struct device *b = fake_dev1(&iommu, 4);
	struct sink *s = sink_new();

	ASSERT_EQ(0, iopf_failure_notifier_register(a, sink_fn, sink_new()));
	iopf_failure_notifier_unregister(a);
	ASSERT_EQ(0, iopf_failure_notifier_register(b, sink_fn, s));
	report(&iommu, 4, 0x2000, IOMMU_PAGE_RESP_INVALID);
	iopf_notify_flush();
	EXPECT_EQ(1, aread(&s->calls));
}

/* --- delivery --- */

static void delivers_all_fields(void)
{
	struct device *dev = fake_dev1(&iommu, 0x1234);
	struct iommu_fault fault = {
		.type = IOMMU_FAULT_PAGE_REQ,
		.rid = 0x1234,
		.prm = {
			.flags = IOMMU_FAULT_PAGE_REQUEST_PASID_VALID,
			.pasid = 0x5a5a,
			.grpid = 0x1ff,
			.perm = IOMMU_FAULT_PERM_READ | IOMMU_FAULT_PERM_EXEC,
			.addr = 0x7fff12345000ULL,
		},
	};
	struct sink *s = sink_new();
	u64 before;

	ASSERT_EQ(0, iopf_failure_notifier_register(dev, sink_fn, s));
	before = ktime_get_ns();
	__iopf_report_failure(&iommu, &fault, IOMMU_PAGE_RESP_FAILURE,
			      IOPF_FAILURE_REJECTED);
	iopf_notify_flush();
	ASSERT_EQ(1, aread(&s->calls));
	EXPECT_EQ(0x1234, s->rec[0].rid);
	EXPECT_EQ(0x5a5a, s->rec[0].pasid);
	EXPECT_EQ(0x1ff, s->rec[0].grpid);
	EXPECT_EQ(fault.prm.perm, s->rec[0].perm);
	EXPECT_EQ(fault.prm.flags, s->rec[0].flags);
	EXPECT_EQ(fault.prm.addr, s->rec[0].addr);
	EXPECT_EQ(IOMMU_PAGE_RESP_FAILURE, s->rec[0].code);
	EXPECT_EQ(IOPF_FAILURE_REJECTED, s->rec[0].source);
	EXPECT(s->rec[0].timestamp >= before);
	EXPECT(s->rec[0].timestamp <= ktime_get_ns());
}

/* delivered by the worker of the reporting CPU, never in the reporter */
static void callback_context(void)
{
	struct device *dev = fake_dev1(&iommu, 0x20);
	struct sink *s = sink_new();
	unsigned int cpu;

	ASSERT_EQ(0, iopf_failure_notifier_register(dev, sink_fn, s));
	for_each_possible_cpu(cpu) {
		shim_cpu = cpu;		/* the test thread migrates */
		report(&iommu, 0x20, (u64)cpu << 12, IOMMU_PAGE_RESP_INVALID);
		shim_cpu = 0;
		iopf_notify_flush();
	}
	ASSERT_EQ(shim_nr_cpus, aread(&s->calls));
	EXPECT_EQ(0, aread(&s->bad_context));
	for (cpu = 0; cpu < shim_nr_cpus; cpu++) {
		EXPECT_EQ(s->rec[cpu].addr >> 12, s->cpu[cpu]);
		EXPECT(!pthread_equal(s->thread[cpu], pthread_self()));
	}
}

static void unknown_rid_ignored(void)
{
	struct device *dev = fake_dev1(&iommu, 0x30);
	struct iopf_notify_counts c;
	struct sink *s = sink_new();

	ASSERT_EQ(0, iopf_failure_notifier_register(dev, sink_fn, s));
	report(&iommu, 0x31, 0x1000, IOMMU_PAGE_RESP_INVALID);
	report(&iommu2, 0x30, 0x1000, IOMMU_PAGE_RESP_INVALID);
	iopf_notify_flush();
	EXPECT_EQ(0, aread(&s->calls));
	ASSERT_EQ(0, iopf_notify_counts(dev, &c));
	EXPECT_EQ(0, c.generated);
}

static void rid_isolation(void)
{
	static const u32 a_rids[] = { 0x100, 0x101 };
	struct device *a = fake_dev(&iommu, a_rids, 2);
	struct device *b = fake_dev1(&iommu, 0x102);
	struct sink *sa = sink_new(), *sb = sink_new();
	unsigned int i;

	ASSERT_EQ(0, iopf_failure_notifier_register(a, sink_fn, sa));
	ASSERT_EQ(0, iopf_failure_notifier_register(b, sink_fn, sb));
	for (i = 0; i < 30; i++)
		report(&iommu, 0x100 + i % 3, (u64)i << 12,
		       IOMMU_PAGE_RESP_INVALID);
	iopf_notify_flush();
	EXPECT_EQ(20, aread(&sa->calls));
	EXPECT_EQ(10, aread(&sb->calls));
	for (i = 0; i < sa->n; i++)
		EXPECT(sa->rec[i].rid == 0x100 || sa->rec[i].rid == 0x101);
	for (i = 0; i < sb->n; i++) {
		EXPECT_EQ(0x102, sb->rec[i].rid);
		EXPECT_EQ(2, (sb->rec[i].addr >> 12) % 3);
	}
}

static void all_rids_covered(void)
{
	static const u32 rids[] = { 0x200, 0x208, 0x200, 0x2ff };
	struct device *dev = fake_dev(&iommu, rids, 4);
	struct sink *s = sink_new();

	ASSERT_EQ(0, iopf_failure_notifier_register(dev, sink_fn, s));
	report(&iommu, 0x200, 0x1000, IOMMU_PAGE_RESP_INVALID);
	report(&iommu, 0x208, 0x2000, IOMMU_PAGE_RESP_INVALID);
	report(&iommu, 0x2ff, 0x3000, IOMMU_PAGE_RESP_INVALID);
	iopf_notify_flush();
	ASSERT_EQ(3, aread(&s->calls));
	EXPECT_EQ(0x200, s->rec[0].rid);
	EXPECT_EQ(0x208, s->rec[1].rid);
	EXPECT_EQ(0x2ff, s->rec[2].rid);
	iopf_failure_notifier_unregister(dev);
	EXPECT(xa_empty(&iommu.iopf_notifiers));
}

static void per_iommu_tables(void)
{
	struct device *a = fake_dev1(&iommu, 0x10);
	struct device *b = fake_dev1(&iommu2, 0x10);
	struct sink *sa = sink_new(), *sb = sink_new();

	ASSERT_EQ(0, iopf_failure_notifier_register(a, sink_fn, sa));
	ASSERT_EQ(0, iopf_failure_notifier_register(b, sink_fn, sb));
	report(&iommu2, 0x10, 0x1000, IOMMU_PAGE_RESP_INVALID);
	iopf_notify_flush();
	EXPECT_EQ(0, aread(&sa->calls));
	EXPECT_EQ(1, aread(&sb->calls));
}

static void static_key(void)
{
	struct device *dev = fake_dev1(&iommu, 0x40);
	bool before = static_key_enabled(&iopf_failure_notify_key);

	ASSERT_EQ(0, iopf_failure_notifier_register(dev, sink_fn, sink_new()));
	EXPECT(static_key_enabled(&iopf_failure_notify_key));
	iopf_failure_notifier_unregister(dev);
	EXPECT_EQ(before, static_key_enabled(&iopf_failure_notify_key));
}

static void debugfs_counters(void)
{
	struct device *dev = fake_dev1(&iommu, 0x50);
	char buf[256];

	ASSERT_EQ(0, iopf_failure_notifier_register(dev, sink_fn, sink_new()));
	report(&iommu, 0x50, 0x1000, IOMMU_PAGE_RESP_INVALID);
	report(&iommu, 0x50, 0x2000, IOMMU_PAGE_RESP_INVALID);
	iopf_notify_flush();
	ASSERT_EQ(0, shim_debugfs_read(dev_name(dev), buf, sizeof(buf)));
	EXPECT(strstr(buf, "rids: 0x50\n"));
	EXPECT(strstr(buf, "generated: 2\n"));
	EXPECT(strstr(buf, "delivered: 2\n"));
	EXPECT(strstr(buf, "dropped: 0\n"));
	iopf_failure_notifier_unregister(dev);
	EXPECT_EQ(-ENOENT, shim_debugfs_read(dev_name(dev), buf, sizeof(buf)));
}

static int traced;
static u32 traced_rid;

static void probe_iopf_failure(void *data, const struct iommu_device *iommu,
			       const struct iopf_failure *f, bool notified)
{
	if (iommu == data) {
		__atomic_store_n(&traced_rid, f->rid, __ATOMIC_RELAXED);
		ainc(&traced);
	}
}

static void tracepoint(void)
{
	struct device *dev = fake_dev1(&iommu, 0x60);
	struct sink *s = sink_new();

	traced = 0;
	ASSERT_EQ(0, register_trace_iopf_failure(probe_iopf_failure, &iommu));
	/* the tracepoint alone turns the hooks on */
	EXPECT(static_key_enabled(&iopf_failure_notify_key));
	report(&iommu, 0x61, 0x1000, IOMMU_PAGE_RESP_INVALID);
	EXPECT_EQ(0x61, traced_rid);
	ASSERT_EQ(0, iopf_failure_notifier_register(dev, sink_fn, s));
	report(&iommu, 0x60, 0x1000, IOMMU_PAGE_RESP_INVALID);
	unregister_trace_iopf_failure(probe_iopf_failure, &iommu);
	tracepoint_synchronize_unregister();
	report(&iommu, 0x60, 0x1000, IOMMU_PAGE_RESP_INVALID);
	iopf_notify_flush();
	EXPECT_EQ(2, aread(&traced));
	EXPECT_EQ(2, aread(&s->calls));
}

static void ring_overflow(void)
{
	struct device *a = fake_dev1(&iommu, 0x70);
	struct device *b = fake_dev1(&iommu, 0x71);
	struct device *c = fake_dev1(&iommu, 0x72);
	struct sink *sa = sink_new(), *sb = sink_new(), *sc = sink_new();
	struct iopf_notify_counts ca, cb, cc;
	unsigned int cap, q, i;

	ASSERT_EQ(0, iopf_failure_notifier_register(a, sink_fn, sa));
	ASSERT_EQ(0, iopf_failure_notifier_register(b, sink_fn, sb));
	ASSERT_EQ(0, iopf_failure_notifier_register(c, sink_fn, sc));
	iopf_notify_flush();
	cap = iopf_notify_ring_capacity();
	q = iopf_notify_notifier_quota();
	ASSERT(cap > 0);
	ASSERT_EQ(cap / 2, q);
	/* the work item of this CPU cannot run: a storms, b fills, c finds it full */
	shim_wq_hold(true);
	for (i = 0; i < q + 100; i++)
		report(&iommu, 0x70, (u64)i << 12, IOMMU_PAGE_RESP_INVALID);
	for (i = 0; i < q; i++)
		report(&iommu, 0x71, (u64)i << 12, IOMMU_PAGE_RESP_INVALID);
	report(&iommu, 0x72, 0, IOMMU_PAGE_RESP_INVALID);
	shim_wq_hold(false);
	iopf_notify_flush();
	ASSERT_EQ(0, iopf_notify_counts(a, &ca));
	ASSERT_EQ(0, iopf_notify_counts(b, &cb));
	ASSERT_EQ(0, iopf_notify_counts(c, &cc));
	EXPECT_EQ(q + 100, ca.generated);
	EXPECT_EQ(q, ca.delivered);
	EXPECT_EQ(100, ca.dropped);
	EXPECT_EQ(q, cb.delivered);
	EXPECT_EQ(0, cb.dropped);
	EXPECT_EQ(1, cc.generated);
	EXPECT_EQ(1, cc.dropped);
	EXPECT_EQ(ca.generated, ca.delivered + ca.dropped);
	EXPECT_EQ(cb.generated, cb.delivered + cb.dropped);
	EXPECT_EQ(q, aread(&sa->calls));
	EXPECT_EQ(0, aread(&sc->calls));
	/* the oldest records were kept, in order */
	EXPECT_EQ(0, sa->rec[0].addr);
	EXPECT_EQ(1ULL << 12, sa->rec[1].addr);
}

static void reporter_never_waits(void)
{
	struct device *dev = fake_dev1(&iommu, 0x80);
	struct completion gate;
	struct sink *s = sink_new();

	init_completion(&gate);
	s->gate = &gate;
	ASSERT_EQ(0, iopf_failure_notifier_register(dev, sink_fn, s));
	report(&iommu, 0x80, 0x1000, IOMMU_PAGE_RESP_INVALID);
	report(&iommu, 0x80, 0x2000, IOMMU_PAGE_RESP_INVALID);
	/* the callback blocks on the gate: the reports returned without it */
	EXPECT_EQ(0, aread(&s->finished));
	complete_all(&gate);
	iopf_notify_flush();
	EXPECT_EQ(2, aread(&s->finished));
}

struct unreg_thread {
	struct device *dev;
	struct sink *s;
	int finished_at_return;
	struct completion done;
};

static void *unreg_thread_fn(void *data)
{
	struct unreg_thread *u = data;

	shim_thread_enter(shim_nr_cpus - 1);
	iopf_failure_notifier_unregister(u->dev);
	u->finished_at_return = aread(&u->s->finished);
	complete(&u->done);
	shim_thread_exit();
	return NULL;
}

static void unregister_waits_for_callback(void)
{
	struct device *dev = fake_dev1(&iommu, 0x90);
	struct completion entered, gate;
	struct sink *s = sink_new();
	struct unreg_thread u = { .dev = dev, .s = s };
	pthread_t t;

	init_completion(&u.done);
	init_completion(&entered);
	init_completion(&gate);
	s->entered = &entered;
	s->gate = &gate;
	ASSERT_EQ(0, iopf_failure_notifier_register(dev, sink_fn, s));
	report(&iommu, 0x90, 0x1000, IOMMU_PAGE_RESP_INVALID);
	ASSERT(wait_for_completion_timeout(&entered, 10000));
	ASSERT_EQ(0, pthread_create(&t, NULL, unreg_thread_fn, &u));
	msleep(20);
	complete_all(&gate);
	EXPECT(wait_for_completion_timeout(&u.done, 10000));
	pthread_join(t, NULL);
	/* unregister returned only after the running callback finished */
	EXPECT_EQ(1, u.finished_at_return);
}

static void unregister_with_pending(void)
{
	struct device *dev = fake_dev1(&iommu, 0xa0);
	struct completion entered, gate;
	struct sink *s = sink_new();
	struct unreg_thread u = { .dev = dev, .s = s };
	pthread_t t;
	int calls, i;

	init_completion(&u.done);
	init_completion(&entered);
	init_completion(&gate);
	s->entered = &entered;
	s->gate = &gate;
	ASSERT_EQ(0, iopf_failure_notifier_register(dev, sink_fn, s));
	for (i = 0; i < 10; i++)
		report(&iommu, 0xa0, (u64)i << 12, IOMMU_PAGE_RESP_INVALID);
	ASSERT(wait_for_completion_timeout(&entered, 10000));
	ASSERT_EQ(0, pthread_create(&t, NULL, unreg_thread_fn, &u));
	msleep(20);
	complete_all(&gate);
	EXPECT(wait_for_completion_timeout(&u.done, 10000));
	pthread_join(t, NULL);
	calls = aread(&s->calls);
	EXPECT(calls >= 1);
	EXPECT(calls <= 10);
	/* nothing more after unregister returned, and no slot left */
	__atomic_store_n(&s->magic, SINK_POISON, __ATOMIC_RELAXED);
	report(&iommu, 0xa0, 0x1000, IOMMU_PAGE_RESP_INVALID);
	iopf_notify_flush();
	EXPECT_EQ(calls, aread(&s->calls));
	EXPECT_EQ(0, aread(&s->bad_magic));
}

/* --- register/unregister against reporters on every CPU --- */

struct race_ctx {
	int stop;		/* atomic */
	long reports;		/* atomic */
};

struct reporter {
	pthread_t thread;
	int cpu;
	struct race_ctx *r;
};

static void *race_reporter(void *data)
{
	struct reporter *rep = data;
	unsigned long i = 0;

	shim_thread_enter(rep->cpu);
	while (!aread(&rep->r->stop)) {
		report(&iommu, 0xb0 + (i % 3), i << 12,
		       IOMMU_PAGE_RESP_INVALID);
		__atomic_fetch_add(&rep->r->reports, 1, __ATOMIC_RELAXED);
		i++;
	}
	shim_thread_exit();
	return NULL;
}

struct churner {
	pthread_t thread;
	struct device *dev;
	int cpu;
	u32 rid;
	int ms;
	int rounds;
	int errors;
};

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void *race_churner(void *data)
{
	struct churner *ch = data;
	struct device *dev = ch->dev;
	long end = now_ms() + ch->ms;

	shim_thread_enter(ch->cpu);
	while (ch->rounds < 20 || now_ms() < end) {
		struct sink *s = sink_alloc();

		if (iopf_failure_notifier_register(dev, sink_fn, s))
			ch->errors++;
		usleep(100 + (ch->rounds % 3) * 100);
		iopf_failure_notifier_unregister(dev);
		/* a late callback reads poison, or ASan reports the UAF */
		__atomic_store_n(&s->magic, SINK_POISON, __ATOMIC_RELAXED);
		free(s);
		ch->rounds++;
	}
	shim_thread_exit();
	return NULL;
}

static int race_ms = 1000;

static void race_all_cpus(void)
{
	struct device *steady = fake_dev1(&iommu, 0xb1);
	struct reporter rep[SHIM_NR_CPUS_MAX];
	struct churner ch[2] = {
		{ .cpu = 0, .rid = 0xb0, .ms = race_ms },
		{ .cpu = 1 % shim_nr_cpus, .rid = 0xb2, .ms = race_ms },
	};
	struct race_ctx r = { 0 };
	struct sink *ss = sink_new();
	struct iopf_notify_counts c;
	unsigned int cpu;
	int i;

	global_bad_magic = 0;
	ss->sleep_every = 64;	/* a slow consumer: some rings overflow */
	ASSERT_EQ(0, iopf_failure_notifier_register(steady, sink_fn, ss));
	for_each_possible_cpu(cpu) {
		rep[cpu].cpu = cpu;
		rep[cpu].r = &r;
		ASSERT_EQ(0, pthread_create(&rep[cpu].thread, NULL,
					    race_reporter, &rep[cpu]));
	}
	for (i = 0; i < 2; i++)
		ch[i].dev = fake_dev1(&iommu, ch[i].rid);
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&ch[i].thread, NULL, race_churner,
					    &ch[i]));
	for (i = 0; i < 2; i++)
		pthread_join(ch[i].thread, NULL);
	__atomic_store_n(&r.stop, 1, __ATOMIC_SEQ_CST);
	for_each_possible_cpu(cpu)
		pthread_join(rep[cpu].thread, NULL);
	iopf_notify_flush();
	ASSERT_EQ(0, iopf_notify_counts(steady, &c));
	printf("    %u CPUs, %d+%d register/unregister rounds, %ld reports; "
	       "steady: generated %ld delivered %ld dropped %ld\n",
	       shim_nr_cpus, ch[0].rounds, ch[1].rounds, r.reports,
	       c.generated, c.delivered, c.dropped);
	EXPECT_EQ(0, ch[0].errors + ch[1].errors);
	EXPECT_EQ(0, aread(&global_bad_magic));
	EXPECT(r.reports > 0);
	EXPECT(c.generated > 0);
	EXPECT_EQ(c.generated, c.delivered + c.dropped);
	EXPECT_EQ(c.delivered, aread(&ss->calls));
	EXPECT_EQ(0, aread(&ss->bad_context));
}

struct test_case {
	const char *name;
	void (*fn)(void);
};

#define CASE(f) { #f, f }

static const struct test_case cases[] = {
	CASE(null_fn_einval),
	CASE(no_iommu_enodev),
	CASE(no_page_response_enodev),
	CASE(no_rid_enodev),
	CASE(rid_taken_ebusy),
	CASE(register_twice_ebusy),
	CASE(alloc_failure_enomem),
	CASE(unregister_unknown_noop),
	CASE(reregister_after_unregister),
	CASE(delivers_all_fields),
	CASE(callback_context),
	CASE(unknown_rid_ignored),
	CASE(rid_isolation),
	CASE(all_rids_covered),
	CASE(per_iommu_tables),
	CASE(static_key),
	CASE(debugfs_counters),
	CASE(tracepoint),
	CASE(ring_overflow),
	CASE(reporter_never_waits),
	CASE(unregister_waits_for_callback),
	CASE(unregister_with_pending),
	CASE(race_all_cpus),
};

int main(int argc, char **argv)
{
	const char *env;
	unsigned int nr_cpus = 4, i, passed = 0, failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	env = getenv("FAST_CPUS");
	if (env)
		nr_cpus = atoi(env);
	env = getenv("FAST_RACE_MS");
	if (env)
		race_ms = atoi(env);
	shim_init(nr_cpus);
	radix_tree_init();

	printf("# iopf-notify fast tier: %u CPUs\n", nr_cpus);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (argc > 1 && !strstr(cases[i].name, argv[1]))
			continue;
		case_failed = 0;
		case_init();
		cases[i].fn();
		case_exit();
		printf("%s %u %s\n", case_failed ? "not ok" : "ok", i + 1,
		       cases[i].name);
		if (case_failed)
			failed++;
		else
			passed++;
	}
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
