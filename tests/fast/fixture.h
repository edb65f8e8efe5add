/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fixtures shared by the cases: fake IOMMUs and devices (RIDs named by a
 * fwspec, CONFIG_PCI is off), the sink callback every registration uses,
 * report helpers, and the per-case bookkeeping that unregisters what a
 * case left and checks no slot outlives its registration.
 */
#ifndef _FAST_FIXTURE_H
#define _FAST_FIXTURE_H

#include <linux/iopf-notify.h>
#include "../../src/drivers/iommu/iopf-notify.h"
#include "harness.h"
#include "shim.h"

#define SINK_MAX	512
#define SINK_LIVE	0x11fe11feU
#define SINK_POISON	0xdeaddeadU

struct sink;
/* an action the sink runs in the callback, on the record number @call */
typedef void (*sink_action_fn)(struct sink *s, const struct iopf_failure *f,
			       int call);

struct sink {
	unsigned int magic;
	pthread_mutex_t lock;
	unsigned int nrec;
	struct iopf_failure rec[SINK_MAX];
	pthread_t thread[SINK_MAX];
	int calls;		/* atomic, from here down */
	int finished;
	int in_callback;	/* callbacks of this sink running now */
	int overlap;		/* times two ran at once */
	int bad_context;	/* called with "interrupts off" */
	int bad_magic;		/* called on poisoned (freed) data */
	int current_false;	/* iopf_failure_current() said false */
	int sleep_every;	/* usleep(50) every that many calls (0: never) */
	struct completion *entered;	/* completed on each entry */
	struct completion *gate;	/* waited for on each entry */
	/* their storage: the sink outlives any callback, a test's stack not */
	struct completion entered_c, gate_c;
	sink_action_fn action;
	void *action_data;
	struct iopf_notifier *n;	/* the registration, for the action */
};

extern int global_bad_magic;	/* atomic: any sink called on poison */

struct sink *sink_new(void);	/* freed after the case */
/* callbacks complete s->entered on entry, then wait for s->gate */
void sink_gate(struct sink *s);
/* callbacks complete s->entered on entry */
void sink_entered(struct sink *s);
struct sink *sink_alloc(void);	/* the caller frees it */
void sink_fn(const struct iopf_failure *f, void *data);

/* --- IOMMUs and devices --- */
extern struct iommu_device iommu, iommu2, iommu_no_prq;

struct device *fake_dev(struct iommu_device *iommu, const u32 *rids,
			unsigned int nr);
struct device *fake_dev1(struct iommu_device *iommu, u32 rid);

/* --- registrations: unregistered after the case unless done by it --- */
struct iopf_notifier *reg(struct device *dev, struct sink *s);
void unreg(struct iopf_notifier *n);
/* the handle is gone (freed by the notifier): do not unregister it */
void forget(struct iopf_notifier *n);

/* --- reports --- */
#define PASID_A		0x42
#define PASID_B		0x43
void report(struct iommu_device *iommu, u32 rid, u64 addr);
void report_pasid(struct iommu_device *iommu, u32 rid, u64 addr, u32 pasid,
		  bool pasid_valid);
/* report as if on @cpu (the calling thread "migrates") */
void report_on(int cpu, struct iommu_device *iommu, u32 rid, u64 addr);

/* counters of @n, and whether the identity holds */
bool counts_identity(struct iopf_notifier *n, struct iopf_notify_counts *c);
void print_counts(const char *what, const struct iopf_notify_counts *c);

/* the ring_size module parameter of iopf-notify.c */
extern unsigned int *shim_param_ring_size;

void case_init(void);
void case_exit(void);

#endif
