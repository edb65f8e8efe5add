#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# report.sh DATA [KALLSYMS]: the PRQ path of a perf.data as text:
#  1. the top symbols (self time) of the PRQ consumer threads (PRQ_COMM);
#  2. their call chains, callers first, from the thread function down;
#  3. the fault work (iommu_sva_handle_iopf and what it calls, whichever
#     thread ran it) with its children, as perf's --children view.
# KALLSYMS: a saved /proc/kallsyms of the machine that recorded DATA (needed
# only when reading a guest's perf.data on another machine).
# PERF_LIMIT: hide entries under this percentage (default 1).
. "$(dirname "$0")/lib.sh"

[ $# -ge 1 ] || die "usage: report.sh DATA [KALLSYMS]"
data=$1
ks=${2:+--kallsyms=$2}
lim=${PERF_LIMIT:-1}
prq=$(prq_comms "$data")
[ -n "$prq" ] || die "no PRQ thread in $data (comms: $(comms "$data" | paste -sd' ' -); PRQ_COMM='$PRQ_COMM')"

echo "## top symbols of the PRQ threads ($prq)"
"$PERF" report -i "$data" $ks --stdio --no-children --comm="$prq" \
	--sort sym -g none --percent-limit "$lim" 2>/dev/null | grep -v '^$'

echo
echo "## call chains of the PRQ threads (caller first)"
"$PERF" report -i "$data" $ks --stdio --children --comm="$prq" \
	--sort sym -g caller,"$lim",callee,function,percent --percent-limit 5 \
	--symbol-filter="${PRQ_ROOT:-prq}" 2>/dev/null | grep -v '^$'

echo
echo "## the fault work: ${WORK_SYMS:=iommu_sva_handle_iopf} and its callees"
"$PERF" report -i "$data" $ks --stdio --children --symbols="$WORK_SYMS" \
	--sort sym -g caller,"$lim",callee,function,percent 2>/dev/null | grep -v '^$'
