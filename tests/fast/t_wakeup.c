// SPDX-License-Identifier: GPL-2.0
/*
 * The store-buffering pair of the idle flag, deterministically ("tso"
 * build only, shim/tso.c). The fault side publishes a record (release
 * store of prod) and then reads the idle flag; the consumer sets the flag
 * and then reads prod. x86 lets a store wait in the store buffer past a
 * later load, so without the full barrier on each side both can read the
 * old value: the fault side sees "busy" and does not queue the work, the
 * consumer sees "empty" and goes idle, and the record is never delivered.
 *
 * The test builds exactly that execution: the consumer is held in the
 * callback of record 1; record 2 is reported with the fault side's release
 * stores buffered; the consumer is let go and goes idle; only then does the
 * fault side's buffer drain. With smp_mb() in iopf_notify_kick() the buffer
 * drains before the idle flag is read, the consumer sees record 2 and
 * delivers it. The waits order the steps; nothing depends on timing.
 */
#include "fixture.h"

#ifdef FAST_SHIM_TSO
void wakeup_not_lost(void)
{
	struct device *dev = fake_dev1(&iommu, 0xf0);
	struct iopf_notify_counts c;
	struct iopf_notifier *n;
	struct sink *s = sink_new();
	int held;

	sink_gate(s);
	n = reg(dev, s);
	ASSERT(!IS_ERR(n));
	report(&iommu, 0xf0, 0x1000);
	ASSERT(wait_for_completion_timeout(s->entered, WAIT_MS));

	shim_tso_on = 1;
	report(&iommu, 0xf0, 0x2000);
	shim_tso_on = 0;
	held = shim_tso_pending();	/* release stores still buffered */

	complete_all(s->gate);
	shim_wq_quiesce();		/* the consumer went idle */
	shim_tso_drain();		/* now the store reaches memory */
	shim_wq_quiesce();

	iopf_notify_counts(n, &c);
	printf("    fault side's stores still buffered after its report: %d; consumer idle: %d\n",
	       held, iopf_notify_idle(n));
	EXPECT_MSG(aread(&s->calls) == 2,
		   "record 2 was never delivered (lost wake-up: %d of 2 delivered, %lu generated, consumer idle %d)",
		   aread(&s->calls), c.generated, iopf_notify_idle(n));
	EXPECT_EQ(2, c.delivered);
}
#endif
