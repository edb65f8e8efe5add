// SPDX-License-Identifier: GPL-2.0
/*
 * User-space runner for src/drivers/iommu/iopf-notify.c (README.md):
 * every case below, or those whose name contains argv[1]. Output: one
 * "ok"/"not ok" line per case, then "N passed, N failed".
 *   FAST_CPUS     "CPUs" (threads standing in for them; default 4)
 *   FAST_RACE_MS  how long each storm runs (default 1000)
 */
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

void radix_tree_init(void);

#define CASES(X)							\
	X(ring_size_out_of_range)	/* first: before any registration */ \
	X(null_fn_einval)						\
	X(no_iommu_enodev)						\
	X(no_page_response_enodev)					\
	X(no_rid_enodev)						\
	X(rid_taken_ebusy)						\
	X(register_twice_ebusy)						\
	X(alloc_failure_enomem)						\
	X(unregister_null_noop)						\
	X(reregister_after_unregister)					\
	X(static_key)							\
	X(debugfs_counters)						\
	X(tracepoint)							\
	X(delivers_all_fields)						\
	X(callback_context)						\
	X(unknown_rid_ignored)						\
	X(rid_isolation)						\
	X(all_rids_covered)						\
	X(per_iommu_tables)						\
	X(per_cpu_order)						\
	X(one_callback_at_a_time)					\
	X(reporter_never_waits)						\
	X(kick_once_per_burst)						\
	X(ring_overflow)						\
	X(blocked_registration_isolated)				\
	X(unregister_waits_for_callback)				\
	X(unregister_with_pending)					\
	X(unregister_from_other_callback)				\
	X(unregister_from_own_callback)					\
	X(device_release_tears_down)					\
	X(accounting_detach_with_pending)				\
	X(pasid_gone_drops_stale)					\
	X(pasid_current_in_callback)					\
	X(pasid_gone_twice)						\
	X(storm)							\
	TSO_CASES(X)

#ifdef FAST_SHIM_TSO
#define TSO_CASES(X)	X(wakeup_not_lost)
#else
#define TSO_CASES(X)
#endif

#define DECLARE(f)	void f(void);
CASES(DECLARE)

struct test_case {
	const char *name;
	void (*fn)(void);
};

#define ENTRY(f)	{ #f, f },
static const struct test_case cases[] = { CASES(ENTRY) };

int main(int argc, char **argv)
{
	unsigned int nr_cpus = 4, i, passed = 0, failed = 0;
	const char *env;

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
