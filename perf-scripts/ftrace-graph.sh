#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# ftrace-graph.sh CMD [ARG...]: function_graph trace of what CMD makes the
# fault path do, printed on stdout. CMD should cause one page request (the
# bench: iopf-bench-user -m success -n 1 -w 0 -r 1).
# Graphed (set_graph_function), those of GRAPH_FUNCS that exist:
#   the PRQ side: the bench's iopf_bench_prq_handle, VT-d's prq_event_thread,
#     AMD's iommu_call_iopf_notifier, then iommu_report_device_fault;
#   the fault work: iommu_sva_handle_iopf, down to iopf_group_response and
#     the driver's page_response.
# GRAPH_DEPTH: max_graph_depth (default 0: unlimited).
. "$(dirname "$0")/lib.sh"

[ $# -ge 1 ] || die "usage: ftrace-graph.sh CMD [ARG...]"
T=$(tracefs)
funcs=${GRAPH_FUNCS:-iopf_bench_prq_handle prq_event_thread iommu_call_iopf_notifier iommu_report_device_fault iommu_sva_handle_iopf iopf_group_response}

reset() {
	echo 0 >"$T/tracing_on"
	echo nop >"$T/current_tracer"
	: >"$T/set_graph_function"
	echo 0 >"$T/max_graph_depth"
}
trap reset EXIT

reset
: >"$T/trace"
set=
for f in $funcs; do
	if grep -q "^$f\( \|$\)" "$T/available_filter_functions"; then
		echo "$f" >>"$T/set_graph_function"
		set="$set $f"
	fi
done
[ -n "$set" ] || die "none of $funcs can be traced (CONFIG_FUNCTION_GRAPH_TRACER?)"
echo "${GRAPH_DEPTH:-0}" >"$T/max_graph_depth"
echo function_graph >"$T/current_tracer"
for o in funcgraph-proc funcgraph-abstime funcgraph-tail; do
	echo "$o" >"$T/trace_options" 2>/dev/null || true
done
echo "# set_graph_function:$set" >&2
echo 1 >"$T/tracing_on"
"$@" >/dev/null
echo 0 >"$T/tracing_on"
cat "$T/trace"
