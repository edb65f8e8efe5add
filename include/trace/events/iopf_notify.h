/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoint for failed I/O page faults, fired once per failed request
 * whether or not a driver registered for its requester ID.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM iopf_notify

#if !defined(_TRACE_IOPF_NOTIFY_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_IOPF_NOTIFY_H

#include <linux/iopf-notify.h>
#include <linux/tracepoint.h>

int iopf_failure_trace_reg(void);
void iopf_failure_trace_unreg(void);

TRACE_EVENT_FN(iopf_failure,
	       TP_PROTO(const struct iommu_device *iommu,
			const struct iopf_failure *f, bool notified),
	       TP_ARGS(iommu, f, notified),
	       TP_STRUCT__entry(__field(const void *, iommu)
				__field(u64, addr)
				__field(u32, rid)
				__field(u32, pasid)
				__field(u32, grpid)
				__field(u32, perm)
				__field(u16, code)
				__field(u16, source)
				__field(bool, notified)),
	       TP_fast_assign(__entry->iommu = iommu;
			      __entry->addr = f->addr;
			      __entry->rid = f->rid;
			      __entry->pasid = f->pasid;
			      __entry->grpid = f->grpid;
			      __entry->perm = f->perm;
			      __entry->code = f->code;
			      __entry->source = f->source;
			      __entry->notified = notified;),
	       TP_printk("iommu=%p rid=%04x pasid=%#x addr=%#llx grpid=%u perm=%#x code=%u source=%u notified=%d",
			 __entry->iommu, __entry->rid, __entry->pasid,
			 __entry->addr, __entry->grpid, __entry->perm,
			 __entry->code, __entry->source, __entry->notified),
	       iopf_failure_trace_reg, iopf_failure_trace_unreg
);

#endif /* _TRACE_IOPF_NOTIFY_H */

/* This part must be outside protection */
#include <trace/define_trace.h>
