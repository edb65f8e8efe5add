// SPDX-License-Identifier: GPL-2.0
/*
 * (b) A blocking-notifier-chain design: one chain for all devices, each
 * registration a notifier_block that filters on its RID, the chain called
 * synchronously for every failure. The chain is the kernel's own
 * kernel/notifier.c, built in user space (blocking chains: an rwsem, here
 * tools/include's pthread rwlock; the empty chain skips it).
 */
#include <linux/reboot.h>
#include "alt.h"

enum system_states system_state = SYSTEM_RUNNING;

BLOCKING_NOTIFIER_HEAD(chain_head);

static int chain_nb_call(struct notifier_block *nb, unsigned long rid,
			 void *data)
{
	struct chain_dev *cd = container_of(nb, struct chain_dev, nb);

	if (rid != cd->rid)
		return NOTIFY_DONE;
	cd->fn(data, cd->data);
	return NOTIFY_STOP;		/* one registration per RID */
}

int chain_register(struct chain_dev *cd, u32 rid, iopf_failure_fn fn,
		   void *data)
{
	cd->nb.notifier_call = chain_nb_call;
	cd->nb.priority = 0;
	cd->rid = rid;
	cd->fn = fn;
	cd->data = data;
	return blocking_notifier_chain_register(&chain_head, &cd->nb);
}

int chain_unregister(struct chain_dev *cd)
{
	return blocking_notifier_chain_unregister(&chain_head, &cd->nb);
}

void chain_report(const struct iommu_fault *fault,
		  enum iommu_page_response_code code,
		  enum iopf_failure_source source)
{
	struct iopf_failure record = {
		.addr = fault->prm.addr,
		.rid = fault->rid,
		.pasid = fault->prm.pasid,
		.grpid = fault->prm.grpid,
		.perm = fault->prm.perm,
		.flags = fault->prm.flags,
		.code = code,
		.source = source,
	};

	blocking_notifier_call_chain(&chain_head, fault->rid, &record);
}
