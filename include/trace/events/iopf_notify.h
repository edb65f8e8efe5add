/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoint for failure responses to I/O page requests, fired once per
 * failure whether or not a driver registered for its requester ID. It is in
 * the "iommu" trace system, next to the IOMMU core's events.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM iommu
#define TRACE_INCLUDE_FILE iopf_notify

#if !defined(_TRACE_IOPF_NOTIFY_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_IOPF_NOTIFY_H

#include <linux/iopf-notify.h>
#include <linux/tracepoint.h>

TRACE_DEFINE_ENUM(IOMMU_PAGE_RESP_SUCCESS);
TRACE_DEFINE_ENUM(IOMMU_PAGE_RESP_INVALID);
TRACE_DEFINE_ENUM(IOMMU_PAGE_RESP_FAILURE);
TRACE_DEFINE_ENUM(IOPF_FAILURE_RESPONSE);
TRACE_DEFINE_ENUM(IOPF_FAILURE_ABORT);
TRACE_DEFINE_ENUM(IOPF_FAILURE_NO_HANDLER);
TRACE_DEFINE_ENUM(IOPF_FAILURE_REJECTED);

TRACE_EVENT_FN(iopf_failure,
	       TP_PROTO(const struct iommu_device *iommu, const char *device,
			const struct iommu_fault *fault,
			enum iommu_page_response_code code,
			enum iopf_failure_source source, bool queued),
	       TP_ARGS(iommu, device, fault, code, source, queued),
	       TP_STRUCT__entry(__string(iommu, iommu->dev ?
						dev_name(iommu->dev) : "-")
				__string(device, device ?: "-")
				__field(u64, addr)
				__field(u32, rid)
				__field(u32, pasid)
				__field(u32, flags)
				__field(u32, grpid)
				__field(u32, perm)
				__field(u16, code)
				__field(u16, source)
				__field(bool, queued)),
	       TP_fast_assign(__assign_str(iommu);
			      __assign_str(device);
			      __entry->addr = fault->prm.addr;
			      __entry->rid = fault->rid;
			      __entry->pasid = fault->prm.pasid;
			      __entry->flags = fault->prm.flags;
			      __entry->grpid = fault->prm.grpid;
			      __entry->perm = fault->prm.perm;
			      __entry->code = code;
			      __entry->source = source;
			      __entry->queued = queued;),
	       TP_printk("iommu=%s device=%s rid=%#x pasid=%s%#x addr=%#llx grpid=%u perm=%s code=%s source=%s queued=%d",
			 __get_str(iommu), __get_str(device),
			 __entry->rid,
			 __entry->flags & IOMMU_FAULT_PAGE_REQUEST_PASID_VALID ?
				"" : "none/", __entry->pasid,
			 __entry->addr, __entry->grpid,
			 __print_flags(__entry->perm, "",
				       { IOMMU_FAULT_PERM_READ, "r" },
				       { IOMMU_FAULT_PERM_WRITE, "w" },
				       { IOMMU_FAULT_PERM_EXEC, "x" },
				       { IOMMU_FAULT_PERM_PRIV, "p" }),
			 __print_symbolic(__entry->code,
					  { IOMMU_PAGE_RESP_SUCCESS, "success" },
					  { IOMMU_PAGE_RESP_INVALID, "invalid" },
					  { IOMMU_PAGE_RESP_FAILURE, "failure" }),
			 __print_symbolic(__entry->source,
					  { IOPF_FAILURE_RESPONSE, "response" },
					  { IOPF_FAILURE_ABORT, "abort" },
					  { IOPF_FAILURE_NO_HANDLER, "no-handler" },
					  { IOPF_FAILURE_REJECTED, "rejected" }),
			 __entry->queued),
	       iopf_failure_trace_reg, iopf_failure_trace_unreg
);

#endif /* _TRACE_IOPF_NOTIFY_H */

/* This part must be outside protection */
#include <trace/define_trace.h>
