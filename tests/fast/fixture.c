// SPDX-License-Identifier: GPL-2.0
/* Fixtures shared by the cases (fixture.h) and the harness helpers. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/workqueue.h>
#include "fixture.h"

int case_failed;
int race_ms = 1000;
int global_bad_magic;

/* --- harness helpers (harness.h) --- */

#define COMPLETE_ALL	(1 << 30)

void init_completion(struct completion *x)
{
	pthread_mutex_init(&x->m, NULL);
	pthread_cond_init(&x->c, NULL);
	x->done = 0;
}

void complete(struct completion *x)
{
	pthread_mutex_lock(&x->m);
	if (x->done != COMPLETE_ALL)
		x->done++;
	pthread_cond_broadcast(&x->c);
	pthread_mutex_unlock(&x->m);
}

void complete_all(struct completion *x)
{
	pthread_mutex_lock(&x->m);
	x->done = COMPLETE_ALL;
	pthread_cond_broadcast(&x->c);
	pthread_mutex_unlock(&x->m);
}

bool wait_for_completion_timeout(struct completion *x, int ms)
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

void msleep(int ms)
{
	usleep(ms * 1000);
}

long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* --- the sink --- */

void sink_fn(const struct iopf_failure *f, void *data)
{
	struct sink *s = data;
	int call;

	if (__atomic_load_n(&s->magic, __ATOMIC_RELAXED) != SINK_LIVE) {
		ainc(&s->bad_magic);
		ainc(&global_bad_magic);
	}
	if (irqs_disabled())
		ainc(&s->bad_context);
	if (ainc(&s->in_callback) > 0)
		ainc(&s->overlap);
	pthread_mutex_lock(&s->lock);
	if (s->nrec < SINK_MAX) {
		s->rec[s->nrec] = *f;
		s->thread[s->nrec] = pthread_self();
		s->nrec++;
	}
	pthread_mutex_unlock(&s->lock);
	call = ainc(&s->calls) + 1;
	if (s->entered)
		complete(s->entered);
	if (s->gate)
		wait_for_completion_timeout(s->gate, WAIT_MS);
	if (s->action)
		s->action(s, f, call);
	if (s->sleep_every && !(call % s->sleep_every))
		usleep(50);
	adec(&s->in_callback);
	ainc(&s->finished);
}

struct sink *sink_alloc(void)
{
	struct sink *s = calloc(1, sizeof(*s));

	if (!s)
		abort();
	s->magic = SINK_LIVE;
	pthread_mutex_init(&s->lock, NULL);
	return s;
}

void sink_entered(struct sink *s)
{
	init_completion(&s->entered_c);
	s->entered = &s->entered_c;
}

void sink_gate(struct sink *s)
{
	sink_entered(s);
	init_completion(&s->gate_c);
	s->gate = &s->gate_c;
}

static struct sink *case_sinks[64];
static unsigned int nr_case_sinks;

struct sink *sink_new(void)
{
	struct sink *s = sink_alloc();

	if (nr_case_sinks == 64)
		abort();
	case_sinks[nr_case_sinks++] = s;
	return s;
}

/* --- IOMMUs and devices --- */

static void fake_page_response(struct device *dev, struct iopf_fault *evt,
			       struct iommu_page_response *msg)
{
}

static const struct iommu_ops fake_ops = {
	.page_response = fake_page_response,
};
static const struct iommu_ops fake_ops_no_prq = { };

struct iommu_device iommu, iommu2, iommu_no_prq;

struct fake_dev {
	struct device dev;
	struct dev_iommu param;
	struct iommu_fwspec *fwspec;
	char name[32];
};

static struct fake_dev *case_devs[64];
static unsigned int nr_case_devs;

struct device *fake_dev(struct iommu_device *iommu, const u32 *rids,
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

struct device *fake_dev1(struct iommu_device *iommu, u32 rid)
{
	return fake_dev(iommu, &rid, 1);
}

/* --- registrations --- */

struct case_reg {
	struct iopf_notifier *n;
	bool done;
};

static struct case_reg case_regs[64];
static unsigned int nr_case_regs;
static pthread_mutex_t regs_lock = PTHREAD_MUTEX_INITIALIZER;

struct iopf_notifier *reg(struct device *dev, struct sink *s)
{
	struct iopf_notifier *n = iopf_failure_notifier_register(dev, sink_fn, s);

	if (IS_ERR(n)) {
		printf("    register %s: error %ld\n", dev_name(dev), PTR_ERR(n));
		return n;
	}
	if (s)
		s->n = n;
	pthread_mutex_lock(&regs_lock);
	if (nr_case_regs == 64)
		abort();
	case_regs[nr_case_regs].n = n;
	case_regs[nr_case_regs++].done = false;
	pthread_mutex_unlock(&regs_lock);
	return n;
}

void forget(struct iopf_notifier *n)
{
	unsigned int i;

	pthread_mutex_lock(&regs_lock);
	for (i = 0; i < nr_case_regs; i++)
		if (case_regs[i].n == n)
			case_regs[i].done = true;
	pthread_mutex_unlock(&regs_lock);
}

void unreg(struct iopf_notifier *n)
{
	forget(n);
	iopf_failure_notifier_unregister(n);
}

/* --- reports --- */

void report_pasid(struct iommu_device *iommu, u32 rid, u64 addr, u32 pasid,
		  bool pasid_valid)
{
	struct iommu_fault fault = {
		.type = IOMMU_FAULT_PAGE_REQ,
		.rid = rid,
		.prm = {
			.flags = (pasid_valid ? IOMMU_FAULT_PAGE_REQUEST_PASID_VALID : 0) |
				 IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE,
			.pasid = pasid,
			.grpid = 7,
			.perm = IOMMU_FAULT_PERM_WRITE,
			.addr = addr,
		},
	};

	iopf_report_failure(iommu, &fault, IOMMU_PAGE_RESP_INVALID,
			    IOPF_FAILURE_RESPONSE);
}

void report(struct iommu_device *iommu, u32 rid, u64 addr)
{
	report_pasid(iommu, rid, addr, PASID_A, true);
}

void report_on(int cpu, struct iommu_device *iommu, u32 rid, u64 addr)
{
	int saved = shim_cpu;

	shim_cpu = cpu;
	report(iommu, rid, addr);
	shim_cpu = saved;
}

void print_counts(const char *what, const struct iopf_notify_counts *c)
{
	printf("    %s: generated %lu delivered %lu overflow %lu stale %lu released %lu\n",
	       what, c->generated, c->delivered, c->overflow, c->stale,
	       c->released);
}

bool counts_identity(struct iopf_notifier *n, struct iopf_notify_counts *c)
{
	iopf_notify_counts(n, c);
	return c->generated == c->delivered + c->overflow + c->stale + c->released;
}

/* --- per case --- */

void case_init(void)
{
	iommu.ops = &fake_ops;
	xa_init(&iommu.iopf_notifiers);
	iommu2.ops = &fake_ops;
	xa_init(&iommu2.iopf_notifiers);
	iommu_no_prq.ops = &fake_ops_no_prq;
	xa_init(&iommu_no_prq.iopf_notifiers);
	*shim_param_ring_size = 128;
	global_bad_magic = 0;
}

void case_exit(void)
{
	unsigned int i;

	for (i = 0; i < nr_case_regs; i++)
		if (!case_regs[i].done)
			iopf_failure_notifier_unregister(case_regs[i].n);
	nr_case_regs = 0;
	shim_wq_quiesce();
	/* no slot may outlive its registration, nor the hooks stay on */
	EXPECT_MSG(xa_empty(&iommu.iopf_notifiers), "a slot outlived its registration");
	EXPECT_MSG(xa_empty(&iommu2.iopf_notifiers), "a slot outlived its registration");
	EXPECT_MSG(xa_empty(&iommu_no_prq.iopf_notifiers), "a slot outlived its registration");
	EXPECT_MSG(!static_key_enabled(&iopf_failure_notify_key),
		   "the static key stayed on with nothing registered");
	for (i = 0; i < nr_case_devs; i++) {
		free(case_devs[i]->fwspec);
		free(case_devs[i]);
	}
	nr_case_devs = 0;
	for (i = 0; i < nr_case_sinks; i++)
		free(case_sinks[i]);
	nr_case_sinks = 0;
}
