# SPDX-License-Identifier: GPL-2.0
# fncount-vtd [N]: a measured region around N (default 5) successful page
# requests of one page and one of a 4-page group, sent by QEMU's
# iopf-pri-test device through the real VT-d path (prq_event_thread, the
# SVA fault handler, the page response): the workload of the fncount
# plugin's per-function table (scripts/fncount.sh KERNEL fncount-vtd OUT).
# Needs /vtd-pri (scripts/fncount.sh builds it: scripts/modules.sh KERNEL
# tests/vtd-pri).
. /guest/lib.sh

V=/vtd-pri
n=${1:-5}
[ -x $V/iopf-pri-user ] || { echo "no $V/iopf-pri-user: run scripts/modules.sh KERNEL tests/vtd-pri"; exit 1; }
guest_test fncount_vtd_probe insmod $V/iopf_pri_test.ko
guest_test fncount_vtd_bind $V/iopf-pri-user info
/fncount/fncount-test mark on
i=0
while [ $i -lt "$n" ]; do
	guest_test "fncount_vtd_success_$i" $V/iopf-pri-user success
	i=$((i + 1))
done
guest_test fncount_vtd_success_group $V/iopf-pri-user success-group
/fncount/fncount-test mark off
result job=fncount-vtd successes=$n groups=1
exit $((GUEST_FAILED > 0))
