#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# report.sh DATA [KALLSYMS]: the PRQ path of a perf.data as text:
#  1. top symbols (self) of the PRQ consumer threads (PRQ_COMM), as a share
#     of those threads' samples;
#  2. the call chains (callers first, thread entry at the bottom) that lead
#     to those threads' hottest symbols (>= 5%);
#  3. the fault work: top symbols (self) of the samples under
#     WORK_PARENT (default iommu_sva_handle_iopf, the SVA workqueue's fault
#     handler: handle_mm_fault(), then the page response), any thread.
# KALLSYMS: a saved /proc/kallsyms of the machine that recorded DATA (needed
# only when reading a guest's perf.data on another machine).
# PERF_LIMIT: hide symbols under this percentage (default 0.5).
# Note: the comm is a sort key everywhere; with --sort sym alone perf 6.1
# merges a symbol's samples across threads before --comm filters them.
. "$(dirname "$0")/lib.sh"

[ $# -ge 1 ] || die "usage: report.sh DATA [KALLSYMS]"
data=$1
ks=${2:+--kallsyms=$2}
lim=${PERF_LIMIT:-0.5}
prq=$(prq_comms "$data")
[ -n "$prq" ] || die "no PRQ thread in $data (comms: $(comms "$data" | paste -sd' ' -); PRQ_COMM='$PRQ_COMM')"
rep() {
	"$PERF" report -i "$data" $ks --stdio -q --no-children --percentage relative "$@" 2>/dev/null
}

echo "## top symbols of the PRQ threads ($prq)"
rep --comm="$prq" --sort comm,sym -g none --percent-limit "$lim"
echo
echo "## call chains to the PRQ threads' hottest symbols"
rep --comm="$prq" --sort comm,sym -g graph,0.5,caller,function,percent --percent-limit 5
echo
echo "## the fault work: top symbols under ${WORK_PARENT:=iommu_sva_handle_iopf}"
rep -p "$WORK_PARENT" -x --sort parent,sym -g none --percent-limit "$lim"
