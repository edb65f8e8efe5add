# SPDX-License-Identifier: GPL-2.0
# check: the guest-side tests of `make check`. Each guest_test is a real
# assertion; the host counts the @@TEST lines. KUnit suites built into the
# kernel have already run during boot and printed KTAP on the console.
. /guest/lib.sh

vtd_probed() {
	ls -d /sys/class/iommu/dmar* && return 0
	dmesg | grep -E 'DMAR: Intel\(R\) Virtualization Technology for Directed I/O|DMAR: IOMMU enabled' && return 0
	echo "no /sys/class/iommu/dmar* and no DMAR probe message in dmesg"
	return 1
}

# QEMU's x-scalable-mode/x-pasid-mode: ECAP.SMTS (bit 43) and ECAP.PASID (bit 40)
vtd_scalable_pasid() {
	ecap=$(cat /sys/class/iommu/dmar0/intel-iommu/ecap) || return 1
	echo "ecap=$ecap"
	[ $(( (0x$ecap >> 43) & 1 )) = 1 ] || { echo "no scalable mode (ECAP.SMTS)"; return 1; }
	[ $(( (0x$ecap >> 40) & 1 )) = 1 ] || { echo "no PASID support (ECAP.PASID)"; return 1; }
}

mounted() {
	grep -q " $1 $2 " /proc/mounts || { echo "$2 not mounted on $1"; return 1; }
}

perf_runs() {
	perf stat -e task-clock -x, -- true 2>&1 | tee /tmp/perf.out
	grep -q task-clock /tmp/perf.out || { echo "perf stat printed no task-clock count"; return 1; }
}

cyclictest_runs() {
	cyclictest -q -D1 -m -i 1000 >/tmp/ct.out 2>&1 || { cat /tmp/ct.out; return 1; }
	cat /tmp/ct.out
	grep -qE 'T: ?0 .*Max: *[0-9]+' /tmp/ct.out || { echo "cyclictest printed no result line"; return 1; }
}

function_graph() {
	grep -qw function_graph /sys/kernel/tracing/available_tracers ||
		{ echo "available_tracers: $(cat /sys/kernel/tracing/available_tracers)"; return 1; }
}

# the uacce consumer of the notifier, end to end (tests/uacce-e2e): a
# process owning a uacce queue receives the record of its failed fault
# through the uacce uAPI, never one of an earlier binding of its PASID
uacce_end_to_end() {
	insmod /uacce-e2e/iopf_uacce.ko || return 1
	/uacce-e2e/iopf-uacce-user >/tmp/uacce.out 2>&1
	rc=$?
	cat /tmp/uacce.out
	rmmod iopf_uacce || rc=1
	[ $rc = 0 ] || grep -m 1 '^not ok' /tmp/uacce.out
	return $rc
}

guest_test vtd_probed vtd_probed
guest_test vtd_scalable_pasid vtd_scalable_pasid
guest_test debugfs_mounted mounted /sys/kernel/debug debugfs
guest_test tracefs_mounted mounted /sys/kernel/tracing tracefs
guest_test function_graph_available function_graph
guest_test perf_stat_task_clock perf_runs
guest_test cyclictest_1s cyclictest_runs
if [ -x /uacce-e2e/iopf-uacce-user ]; then
	guest_test uacce_fault_end_to_end uacce_end_to_end
fi
# the VT-d page request path end to end (guest/jobs/vtd.sh, tests/vtd-pri)
if [ -x /vtd-pri/iopf-pri-user ]; then
	sh /guest/jobs/vtd.sh || GUEST_FAILED=$((GUEST_FAILED + 1))
fi
if [ -e /sys/kernel/debug/kmemleak ]; then
	guest_test kmemleak_clean kmemleak_scan check
fi

exit $((GUEST_FAILED > 0))
