// SPDX-License-Identifier: GPL-2.0
/*
 * iopf_torture: torture test of the failed I/O page fault notifier.
 *
 * Runs in the context of insmod, whose mm the mock devices are bound to
 * with SVA (tests/mock-iommu), and reports with a locktorture-style
 * summary ending in "iopf_torture: PASS ..." or "iopf_torture: FAIL ...".
 * The module does all its work in its init and keeps nothing loaded but
 * its text: rmmod it afterwards. Modes (module parameter "mode"), one
 * file each:
 *
 *  torture     (torture.c) for @duration seconds, on every online CPU at
 *              once: a flooder thread sends succeeding and failing page
 *              requests (read-only VMA, no VMA, PASID without handler,
 *              rejected by the IOMMU driver) from the RIDs of @nr_devs mock
 *              devices of @rids_per_dev RIDs each, now and then a burst
 *              from one RID that overflows its ring; a churn thread
 *              registers and unregisters, and removes and re-adds devices
 *              with records pending, registered or not. Checked: per
 *              registration, whenever it is quiesced, generated ==
 *              delivered + overflow + stale + released and delivered ==
 *              callbacks seen, and for a device released while registered
 *              once the release counted what was queued; a released
 *              device's RIDs are free and register again; no callback
 *              after its unregistration or its device's release returned
 *              (the data is poisoned and freed right after, so KASAN
 *              reports a late access); a RID
 *              never sees another RID's fault; a record's source and code
 *              match what its request was made to do; a succeeding request
 *              is never reported; every request gets exactly one response.
 *  lifetime    (lifetime.c, isolation.c) deterministic cases: device
 *              release while registered, PASID unbound and reused,
 *              unregistration from callbacks, a blocking callback, and
 *              unregistration under a storm.
 *  storm       (storm.c) @storm_count failing requests from one RID on CPU
 *              @storm_cpu while a victim on every CPU sends one failing
 *              request per millisecond from its own device; reports slab
 *              and ring usage, checks that no victim lost a record.
 *  failinject  (failinject.c) the nth fault injection site failing, n = 1,
 *              2, ..., in one cycle of device setup, SVA bind,
 *              registration, failing request and unregistration.
 *  badinput    (badinput.c) every exported function of the notifier, and
 *              of the mock, called with bad arguments; one line per case.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/string.h>

#include "iopf_torture.h"

#if IOPF_TORTURE_HAS_COUNTS
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
#endif

struct iopf_torture_params iopf_tparam = {
	.duration = 60,
	.nr_devs = 8,
	.rids_per_dev = 2,
	.stat_interval = 15,
	.storm_count = 10000000,
	.storm_cpu = 0,
	.failinject_max = 5000,
};

static char *mode = "torture";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "torture, lifetime, storm, failinject or badinput");

module_param_named(duration, iopf_tparam.duration, int, 0444);
MODULE_PARM_DESC(duration, "Seconds of torture (1..86400)");
module_param_named(nr_devs, iopf_tparam.nr_devs, int, 0444);
MODULE_PARM_DESC(nr_devs, "Mock devices (2..256)");
module_param_named(rids_per_dev, iopf_tparam.rids_per_dev, int, 0444);
MODULE_PARM_DESC(rids_per_dev, "Requester IDs in each mock device's fwspec (1..8)");
module_param_named(stat_interval, iopf_tparam.stat_interval, int, 0444);
MODULE_PARM_DESC(stat_interval, "Seconds between statistics lines (0: none)");
module_param_named(storm_count, iopf_tparam.storm_count, int, 0444);
MODULE_PARM_DESC(storm_count, "Failing requests of the storm (1..1000000000)");
module_param_named(storm_cpu, iopf_tparam.storm_cpu, int, 0444);
MODULE_PARM_DESC(storm_cpu, "CPU of the storm (an online CPU)");
module_param_named(failinject_max, iopf_tparam.failinject_max, int, 0444);
MODULE_PARM_DESC(failinject_max, "Highest nth failure to inject (1..100000)");

/* Each parameter with its bounds, checked before anything is set up */
static int iopf_torture_check_params(void)
{
	const struct {
		const char *name;
		int val, min, max;
	} p[] = {
		{ "duration", iopf_tparam.duration, 1, 86400 },
		{ "nr_devs", iopf_tparam.nr_devs, 2, IOPF_TORTURE_MAX_DEVS },
		{ "rids_per_dev", iopf_tparam.rids_per_dev, 1,
		  IOPF_TORTURE_MAX_RIDS },
		{ "stat_interval", iopf_tparam.stat_interval, 0, 86400 },
		{ "storm_count", iopf_tparam.storm_count, 1, 1000000000 },
		{ "failinject_max", iopf_tparam.failinject_max, 1, 100000 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(p); i++) {
		if (p[i].val >= p[i].min && p[i].val <= p[i].max)
			continue;
		pr_err("%s=%d: must be %d..%d\n", p[i].name, p[i].val,
		       p[i].min, p[i].max);
		return -EINVAL;
	}
	if (iopf_tparam.storm_cpu < 0 || iopf_tparam.storm_cpu >= nr_cpu_ids ||
	    !cpu_online(iopf_tparam.storm_cpu)) {
		pr_err("storm_cpu=%d: must be an online CPU\n",
		       iopf_tparam.storm_cpu);
		return -EINVAL;
	}
	return 0;
}

static const struct {
	const char *name;
	int (*run)(void);
} iopf_torture_modes[] = {
	{ "torture", iopf_torture_run_torture },
	{ "lifetime", iopf_torture_run_lifetime },
	{ "storm", iopf_torture_run_storm },
	{ "failinject", iopf_torture_run_failinject },
	{ "badinput", iopf_torture_run_badinput },
};

static int __init iopf_torture_init(void)
{
	int (*run)(void) = NULL;
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(iopf_torture_modes); i++)
		if (mode && !strcmp(mode, iopf_torture_modes[i].name))
			run = iopf_torture_modes[i].run;
	if (!run) {
		pr_err("mode=%s: must be torture, lifetime, storm, failinject or badinput\n",
		       mode ?: "(null)");
		return -EINVAL;
	}
	ret = iopf_torture_check_params();
	if (ret)
		return ret;
	if (!current->mm) {
		pr_err("needs a user process's mm (load it with insmod)\n");
		return -EINVAL;
	}

	ret = iopf_mock_init(&iopf_tt.mock, "iopf_torture", 20,
			     iopf_torture_page_response);
	if (ret) {
		pr_err("mock IOMMU: %d\n", ret);
		return ret;
	}
	ret = run();
	iopf_mock_exit(&iopf_tt.mock);
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
