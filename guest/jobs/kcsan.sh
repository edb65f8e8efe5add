# SPDX-License-Identifier: GPL-2.0
# kcsan: the guest side of scripts/kcsan.sh, on a kcsan-flavour kernel
# (config/kcsan.config: strict KCSAN with weak-memory modelling; only the
# series' own files instrumented, plus the test modules). The KUnit suite
# iommu_iopf_notify has run at boot (the host parses its KTAP). Then:
#  1. KCSAN is on and its boot self-test passed;
#  2. the torture job (guest/jobs/torture.sh) runs unchanged: its @@TEST
#     lines count as they do in the debug kernel;
#  3. KCSAN set up watchpoints in our code during the torture (the
#     instrumentation is live), and found no data race: its data_races
#     counter is 0 and dmesg holds no "BUG: KCSAN" report. The host also
#     scans the whole console, boot included.
# Arguments (args=A,B): passed to the torture job (duration=N, ...).
. /guest/lib.sh

KC=/sys/kernel/debug/kcsan

# kcsan_counter NAME: one counter of /sys/kernel/debug/kcsan
kcsan_counter() {
	sed -n "s/^$1: //p" $KC
}

kcsan_on() {
	[ -r $KC ] || { echo "no $KC: not a KCSAN kernel (config/kcsan.config)"; return 1; }
	grep -q '^enabled: 1$' $KC || { cat $KC; echo "KCSAN is not enabled"; return 1; }
	dmesg | grep -E 'kcsan: selftest: [0-9]+/[0-9]+ tests passed' ||
		{ echo "no 'kcsan: selftest: N/N tests passed' in dmesg"; return 1; }
}
guest_test kcsan_enabled_selftest_passed kcsan_on

w0=$(kcsan_counter setup_watchpoints)
# races counted by the boot and the KUnit suite, before the torture
r0=$(kcsan_counter data_races)
if [ -f /torture/iopf_torture.ko ]; then
	sh /guest/jobs/torture.sh "$@"
	GUEST_FAILED=$((GUEST_FAILED + $?))
else
	no_module() {
		echo "no /torture/iopf_torture.ko in this initramfs (scripts/modules.sh builds tests/torture)"
		return 1
	}
	guest_test torture_module_present no_module
fi
w1=$(kcsan_counter setup_watchpoints)
races=$(kcsan_counter data_races)
result test=kcsan setup_watchpoints_before=${w0:-none} setup_watchpoints_after=${w1:-none} data_races=${races:-none} data_races_before_torture=${r0:-none} report_races=$(kcsan_counter report_races) unknown_origin=$(kcsan_counter races_unknown_origin)

watched() {
	echo "watchpoints set up during the torture: $(( ${w1:-0} - ${w0:-0} ))"
	[ -n "$w0" ] && [ -n "$w1" ] && [ "$w1" -gt "$w0" ]
}
guest_test kcsan_watched_our_code watched

no_race() {
	n=$(dmesg | grep -c 'BUG: KCSAN:')
	echo "data_races counter: ${races:-none}; KCSAN report lines in dmesg: $n"
	dmesg | grep -m 3 'BUG: KCSAN:'
	[ "$races" = 0 ] && [ "$n" = 0 ]
}
guest_test kcsan_no_data_race no_race

exit $GUEST_FAILED
