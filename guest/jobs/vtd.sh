# SPDX-License-Identifier: GPL-2.0
# vtd: the VT-d page request path end to end, with QEMU's iopf-pri-test
# device (qemu/patches/) and its driver (tests/vtd-pri/, in /vtd-pri). The
# process iopf-pri-user binds its mm to the device through the real VT-d
# driver (SVA); the device sends page requests that the emulated VT-d
# queues, prq_event_thread() handles and the SVA fault handler answers (or
# handle_bad_prq_event() rejects). Each case asserts the response code the
# device received; after a success, that the device's DMA under the PASID
# found the page; on a kernel with the failure notifier, that each failure
# was delivered exactly once to the driver, with the device's RID, the
# PASID, address, access and code, and that a success was not. Run alone
# (qemu.sh KERNEL MODE vtd LOG) or from the check job.
. /guest/lib.sh

V=/vtd-pri
T=/sys/kernel/tracing

# the emulated VT-d advertises what Linux's SVA path wants (x-prs: ours)
vtd_ecap_sva() {
	ecap=$(cat /sys/class/iommu/dmar0/intel-iommu/ecap) || return 1
	echo "ecap=$ecap"
	for b in 29:PRS 40:PASID 42:PDS 43:SMTS 47:FLTS 48:SMPWC 2:DT; do
		[ $(( (0x$ecap >> ${b%%:*}) & 1 )) = 1 ] || { echo "ECAP.${b#*:} (bit ${b%%:*}) clear"; return 1; }
	done
}

vtd_pri_probe() {
	insmod $V/iopf_pri_test.ko || return 1
	[ -c /dev/iopf-pri-test ] || { echo "no /dev/iopf-pri-test after insmod"; dmesg | tail -n 5; return 1; }
	dmesg | grep 'iopf-pri-test: ATS' | tail -n 1
	dmesg | grep 'iopf-pri-test: ATS' | tail -n 1 | grep -q 'PASID on, PRI on' ||
		{ echo "the VT-d driver did not enable PASID and PRI on the device"; return 1; }
}

# trace prq_event_thread (function tracer) and the prq_report tracepoint
trace_start() {
	echo 0 >$T/tracing_on
	echo >$T/trace
	echo prq_event_thread >$T/set_ftrace_filter || { echo "prq_event_thread is not traceable"; return 1; }
	echo function >$T/current_tracer || return 1
	if [ -e $T/events/intel_iommu/prq_report/enable ]; then
		echo 1 >$T/events/intel_iommu/prq_report/enable
	fi
	echo 1 >$T/tracing_on
}

prq_thread_ran() {
	echo 0 >$T/tracing_on
	grep -v '^#' $T/trace >/tmp/vtd-trace.txt
	echo "trace: $(grep -c 'prq_event_thread' /tmp/vtd-trace.txt) prq_event_thread calls, $(grep -c 'prq_report' /tmp/vtd-trace.txt) prq_report events"
	head -n 60 /tmp/vtd-trace.txt
	echo nop >$T/current_tracer
	echo >$T/set_ftrace_filter
	[ -e $T/events/intel_iommu/prq_report/enable ] && echo 0 >$T/events/intel_iommu/prq_report/enable
	grep -q 'prq_event_thread' /tmp/vtd-trace.txt
}

guest_test vtd_ecap_sva vtd_ecap_sva
guest_test vtd_pri_probe vtd_pri_probe
guest_test vtd_sva_bind $V/iopf-pri-user info
if $V/iopf-pri-user info | grep -q 'notify=1'; then
	result job=vtd notifier=1
else
	echo "# this kernel has no failure notifier: the delivery assertions are skipped, response codes are still asserted"
	result job=vtd notifier=0
fi
guest_test vtd_trace_start trace_start
for c in success success-group success-read ro-write ro-write-group \
	no-vma no-vma-group unbound-pasid unbound-pasid-group no-pasid \
	noncanonical noncanonical-group priv exec stale-partial; do
	guest_test "vtd_pri_$(echo $c | tr - _)" $V/iopf-pri-user $c
done
guest_test vtd_prq_event_thread_ran prq_thread_ran
# what the VT-d driver said about the rejected requests
dmesg | grep -E 'DMAR: .*(Invalid page request|not canonical|Privilege Mode|Execution request)|iopf with pasid' | tail -n 8 | sed 's/^/# /'
guest_test vtd_pri_unload rmmod iopf_pri_test

exit $((GUEST_FAILED > 0))
