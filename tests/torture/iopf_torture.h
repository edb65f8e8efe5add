/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iopf_torture: torture test of the failed I/O page fault notifier; the
 * part shared by its modes (main.c describes them).
 *
 * Naming: a "slot" is a mock device with its RIDs, SVA bond and current
 * registration; a "reg" is the callback data of one registration (with
 * its handle), poisoned and freed when the registration ends; a RID
 * "index" numbers the RIDs of all slots; a "kind" is what a request is
 * made to do.
 */
#ifndef _IOPF_TORTURE_H
#define _IOPF_TORTURE_H

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/iommu.h>
#include <linux/iopf-notify.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "iopf_mock.h"
/* iopf_notify_counts() and friends: exported for KUnit only */
#include "iopf-notify.h"

#define IOPF_TORTURE_HAS_COUNTS IS_ENABLED(CONFIG_IOPF_NOTIFY_KUNIT_TEST)

#define IOPF_TORTURE_RID_BASE		0x100
#define IOPF_TORTURE_RID_STRIDE		16
#define IOPF_TORTURE_MAX_DEVS		256
#define IOPF_TORTURE_MAX_RIDS		8
#define IOPF_TORTURE_INFLIGHT		256
#define IOPF_TORTURE_ALIVE		0x11fe11feU
#define IOPF_TORTURE_POISON		0xdeadbeefU
#define IOPF_TORTURE_FI_RID		0x7000
#define IOPF_TORTURE_BAD_RID		0x7100
#define IOPF_TORTURE_LT_RID		0x7200

/* Module parameters, see main.c */
struct iopf_torture_params {
	int duration;
	int nr_devs;
	int rids_per_dev;
	int stat_interval;
	int storm_count;
	int storm_cpu;
	int failinject_max;
};

extern struct iopf_torture_params iopf_tparam;

enum iopf_torture_kind {
	IOPF_TORTURE_SUCCESS,
	IOPF_TORTURE_RO,
	IOPF_TORTURE_NOVMA,
	IOPF_TORTURE_NOHANDLER,
	IOPF_TORTURE_REJECTED,
	IOPF_TORTURE_NR_KINDS,
};

struct iopf_torture_slot;

/**
 * struct iopf_torture_reg - the callback data of one registration
 * @magic: %IOPF_TORTURE_ALIVE until the registration ended
 * @slot: the slot whose records are checked, or NULL
 * @n: the registration's handle
 * @delivered: callbacks it got
 */
struct iopf_torture_reg {
	u32 magic;
	struct iopf_torture_slot *slot;
	struct iopf_notifier *n;
	atomic_long_t delivered;
};

/**
 * struct iopf_torture_slot - a mock device and what is attached to it
 * @idx: index in iopf_tt.slots
 * @lock: serializes registration and device changes
 * @devsem: requests take it for reading, quiescing for writing
 * @mdev: the device (changed under both locks), NULL while re-added
 * @sva: its SVA bond to the mm of insmod
 * @reg: its registration (under @lock), or NULL
 * @rids: its requester IDs
 */
struct iopf_torture_slot {
	unsigned int idx;
	struct mutex lock;		/* registration, device changes */
	struct rw_semaphore devsem;
	struct iopf_mock_dev *mdev;
	struct iommu_sva *sva;
	struct iopf_torture_reg *reg;
	u32 rids[IOPF_TORTURE_MAX_RIDS];
};

struct iopf_torture_rid {
	atomic_long_t sent[IOPF_TORTURE_NR_KINDS];
	atomic_long_t callbacks;
};

/* The state of the module: one run of one mode per load */
struct iopf_torture {
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
	atomic_long_t removed_registered;
	atomic_long_t readds;
	atomic_long_t bursts;
	atomic_long_t counter_checks;
	/* summed by the churners of all slots at once */
	atomic_long_t total_generated;
	atomic_long_t total_delivered;
	atomic_long_t total_overflow;
	atomic_long_t total_stale;

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
};

extern struct iopf_torture iopf_tt;

unsigned long iopf_torture_errors(void);
u32 iopf_torture_index_rid(unsigned int idx);
int iopf_torture_map(unsigned int nr_pages);
void iopf_torture_unmap(void);
void iopf_torture_page_response(struct device *dev, struct iopf_fault *evt,
				struct iommu_page_response *msg);
void iopf_torture_callback(const struct iopf_failure *f, void *data);
struct iopf_torture_reg *iopf_torture_reg_alloc(struct iopf_torture_slot *slot);
void iopf_torture_reg_kill(struct iopf_torture_reg *reg);
void iopf_torture_fault(struct iopf_fault *evt, u32 rid, u32 pasid, u64 addr,
			u32 grpid);
void iopf_torture_reject(const struct iopf_fault *evt);
bool iopf_torture_request(unsigned int idx, enum iopf_torture_kind kind);
void iopf_torture_throttle(void);
long iopf_torture_drain(void);
int iopf_torture_dev_up(struct iopf_torture_slot *slot);
void iopf_torture_dev_down(struct iopf_torture_slot *slot);
void iopf_torture_register(struct iopf_torture_slot *slot);
void iopf_torture_unregister(struct iopf_torture_slot *slot, bool quiesce);
bool iopf_torture_balanced(struct iopf_notifier *n, const char *what,
			   struct iopf_notify_counts *out);
bool iopf_torture_wait_final(struct iopf_notifier *n, const char *what,
			     struct iopf_notify_counts *out);
int iopf_torture_setup(bool register_all);
void iopf_torture_slots_free(void);
void iopf_torture_quiesce_all(void);
void iopf_torture_print_stats(const char *tag);
int iopf_torture_start_threads(int (*fn)(void *), const char *name,
			       void *data);
void iopf_torture_stop_threads(void);

/* mode=lifetime (lifetime.c, isolation.c) */
struct iopf_lt_reg;
typedef void (*iopf_lt_hook)(struct iopf_lt_reg *reg,
			     const struct iopf_failure *f);

/**
 * struct iopf_lt_reg - callback data of the lifetime cases
 * @magic: %IOPF_TORTURE_ALIVE until freed
 * @n: the handle
 * @calls: callbacks, counted before @hook runs
 * @hook: what the case does in the callback (may block, may free @reg:
 *	the callback touches @reg no more after it)
 * @priv: for @hook
 */
struct iopf_lt_reg {
	u32 magic;
	struct iopf_notifier *n;
	atomic_t calls;
	iopf_lt_hook hook;
	void *priv;
};

/**
 * struct iopf_lt - state of mode=lifetime, none of it in callback data
 * @wq: woken after every callback
 * @entered: a blocking callback is waiting for @release
 * @release: lets it go
 * @left: the blocking callback is done with its data
 * @destroyed: a device release in another thread returned
 * @calls_total: every callback, counted before the data is touched
 * @failed: cases that failed
 * @warnings: "released while registered" warnings expected in dmesg
 * @ring: capacity of a registration's per-CPU ring
 */
struct iopf_lt {
	wait_queue_head_t wq;
	struct completion entered;
	struct completion release;
	struct completion left;
	struct completion destroyed;
	atomic_t calls_total;
	unsigned int failed;
	unsigned int warnings;
	unsigned int ring;
};

extern struct iopf_lt iopf_lt;

/* Wait (30 s at most: a failure net, not a timing check) for @cond */
#define iopf_lt_wait(cond) \
	(wait_event_timeout(iopf_lt.wq, (cond), 30 * HZ) != 0)

void iopf_lt_case(const char *name, bool ok, const char *fmt, ...)
	__printf(3, 4);
void iopf_lt_report(u32 rid, u32 flags, u32 pasid, u64 addr);
struct iopf_lt_reg *iopf_lt_register(struct iopf_mock_dev *mdev,
				     iopf_lt_hook hook, void *priv);
void iopf_lt_kill(struct iopf_lt_reg *reg);
void iopf_lt_block_hook(struct iopf_lt_reg *reg,
			const struct iopf_failure *f);
void iopf_lt_isolation(void);

int iopf_torture_run_torture(void);
int iopf_torture_run_storm(void);
int iopf_torture_run_failinject(void);
int iopf_torture_run_badinput(void);
int iopf_torture_run_lifetime(void);

#endif /* _IOPF_TORTURE_H */
