#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check.sh: the body of `make check`. Builds the debug kernel (or
# $CHECK_KERNEL), boots it with job=check in smp mode, then counts:
#   - the KUnit cases built into the kernel (KTAP on the console, parsed by
#     the kernel tree's own tools/testing/kunit/kunit.py parse),
#   - the guest tests (@@TEST lines of guest/jobs/check.sh, which runs
#     guest/jobs/vtd.sh: the VT-d page request path with QEMU's device),
#   - the host-side checks (guest reached its end marker, no kernel splat,
#     KUnit output present when the kernel has KUnit suites, the
#     disassembly gate and its self-test).
# Ends with the line "N passed, N failed"; exits non-zero when anything
# failed or when no KUnit case and no guest test ran.
# CHECK_KERNEL=K checks another kernel; NO_BUILD=1 boots it as last built.
. "$(dirname "$0")/lib.sh"
. "$TOP/scripts/splat.sh"

k=${CHECK_KERNEL:-patched-debug}
tree=$KTREES/$(kernel_tree "$k")
obj=$(kernel_objdir "$k")
logs=$BUILD/logs
log=$logs/check-$k.log
start=$(date +%s)

# --- the user-space fast tier first (seconds; scripts/check-fast.sh)
fast_pass=0 fast_fail=0
mkdir -p "$BUILD"
if [ "${CHECK_FAST:-1}" = 1 ]; then
	# its own summary line is relabelled: only the last line counts
	"$TOP/scripts/check-fast.sh" 2>&1 | tee "$BUILD/check-fast.log" |
		sed -E 's/^([0-9]+ passed, [0-9]+ failed)$/fast tier: \1/' || true
	fl=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$BUILD/check-fast.log" | tail -n 1 || true)
	if [ -n "$fl" ]; then
		fast_pass=${fl%% *}
		fast_fail=$(echo "$fl" | awk '{print $3}')
	else
		fast_fail=1
		warn "check-fast printed no summary line (log: build/check-fast.log)"
	fi
fi

if [ "${NO_BUILD:-0}" = 1 ]; then   # debugging: boot the kernel as it was last built
	say "NO_BUILD=1: not checking packages nor rebuilding $k"
else
	"$TOP/scripts/deps.sh"
	"$TOP/scripts/kbuild.sh" "$k"
	"$TOP/scripts/modules.sh" "$k" tests
fi
mkdir -p "$logs"
rm -f "$logs/check-$k.kunit" "$logs/check-$k.kunit.json"
qrc=0
"$TOP/scripts/qemu.sh" "$k" smp check "$log" || qrc=$?
[ -f "$log" ] || die "no console log $log: QEMU did not start (see above)"

pass=0 fail=0
host_check() { # NAME 0|1 [detail]
	if [ "$2" = 0 ]; then
		pass=$((pass + 1)); echo "host: $1 PASS"
	else
		fail=$((fail + 1)); echo "host: $1 FAIL ${3:-}"
	fi
}

# --- host-side checks
tr -d '\r' <"$log" | grep -q '^IOPF-GUEST-DONE rc=' && r=0 || r=1
host_check guest_completed $r "(no IOPF-GUEST-DONE marker: guest died, hung or panicked)"
splat_scan "$log" quiet && r=0 || r=1
host_check no_kernel_splat $r "(the splat is printed above)"

# --- the series itself: checkpatch --strict; every patch builds on its
# own and sparse adds no warning (skipped when the series did not change)
if [ "$k" = patched-debug ]; then
	"$TOP/scripts/checkpatch.sh" >"$logs/checkpatch.log" 2>&1 && r=0 || { r=1; cat "$logs/checkpatch.log"; }
	host_check series_checkpatch_strict $r "(log: ${logs#"$TOP"/}/checkpatch.log)"
	"$TOP/scripts/bisect-check.sh" 2>&1 | tee "$logs/bisect-check.log" && r=0 || r=1
	host_check series_bisect_and_sparse $r "(log: ${logs#"$TOP"/}/bisect-check.log)"
fi

# --- KUnit: how many suites are built in (from System.map), then KTAP
suites=0
if [ -f "$obj/System.map" ]; then
	s=$(awk '$3 == "__kunit_suites_start" { print $1 }' "$obj/System.map")
	e=$(awk '$3 == "__kunit_suites_end" { print $1 }' "$obj/System.map")
	[ -n "$s" ] && [ -n "$e" ] && suites=$(( (0x$e - 0x$s) / 8 ))
fi
kpass=0 kfail=0 kskip=0
# (a kernel without suites still prints "KTAP version 1" and "1..0")
if [ "$suites" -eq 0 ]; then
	if [ "$k" = patched-debug ]; then
		host_check kunit_suites_built_in 1 "($k has no KUnit suite built in: check config/debug.config)"
	else
		echo "kunit: $k has no KUnit suite built in: 0 KUnit cases"
	fi
elif tr -d '\r' <"$log" | grep -qE 'K?TAP version [0-9]+'; then
	kout=$logs/check-$k.kunit
	python3 -B "$tree/tools/testing/kunit/kunit.py" parse --json="$kout.json" <"$log" >"$kout" 2>&1 || true
	sumline=$(grep -a 'Testing complete\. Ran' "$kout" | tail -n 1 || true)
	[ -n "$sumline" ] || { cat "$kout" >&2; die "kunit.py parse printed no summary (its output is above)"; }
	num() { echo "$sumline" | grep -oE "$1: [0-9]+" | grep -oE '[0-9]+' || echo 0; }
	kpass=$(num passed)
	kfail=$(( $(num failed) + $(num crashed) + $(num errors) ))
	kskip=$(num skipped)
	grep -aE '\[(FAILED|CRASHED|ERROR)\]' "$kout" | sed 's/^\[[0-9:]*\] /kunit: /' || true
	echo "kunit: ${sumline#*] } (${suites} suites built in; details: ${kout#"$TOP"/})"
	host_check kunit_output_present 0
else
	host_check kunit_output_present 1 "($k has $suites KUnit suites built in but the console shows no KTAP)"
fi

# a 60-second torture pass of the notifier in the debug kernel (issue 8)
if [ "$k" = patched-debug ] && [ "${CHECK_TORTURE:-60}" != 0 ]; then
	TORTURE_NO_BUILD=1 "$TOP/scripts/torture.sh" "${CHECK_TORTURE:-60}" >"$logs/torture.out" 2>&1 && r=0 || r=1
	grep -E '^@@TEST |iopf_torture: (PASS|FAIL)|ERROR' "$logs/torture.out" | sed 's/^@@TEST /torture: /' || true
	host_check torture_pass $r "(log: ${logs#"$TOP"/}/torture.out)"
fi

# the static proof (issue 15): the success-path functions' code,
# baseline-perf against patched-perf (both built here), differs only as
# config/disasm-allowlist.txt explains; and the gate's self-test: it
# passes a kernel against itself and fails a kernel with one added nop
# (CHECK_DISASM=0 skips both)
if [ "$k" = patched-debug ] && [ "${CHECK_DISASM:-1}" = 1 ]; then
	"$TOP/scripts/disasm-gate.sh" >"$logs/disasm-gate.out" 2>&1 && r=0 || { r=1; cat "$logs/disasm-gate.out"; }
	grep -E '^(ok|FAIL) ' "$logs/disasm-gate.out" | sed 's/^/disasm: /; s/ (.*//' || true
	tail -n 1 "$logs/disasm-gate.out"
	host_check success_path_disasm_gate $r "(log: ${logs#"$TOP"/}/disasm-gate.out)"
	"$TOP/scripts/disasm-gate-selftest.sh" >"$logs/disasm-selftest.out" 2>&1 || true
	for t in disasm_gate_same disasm_gate_mutant; do
		grep -q "^@@TEST $t PASS" "$logs/disasm-selftest.out" && r=0 || r=1
		host_check "$t" $r "(log: ${logs#"$TOP"/}/disasm-selftest.out)"
	done
fi

# the kcsan flavour (scripts/kcsan.sh): the KUnit suite and the torture
# pass under strict KCSAN with no report, and its barrier mutant reported;
# each of its checks counts (CHECK_KCSAN=0 skips it)
kc_pass=0 kc_fail=0
if [ "$k" = patched-debug ] && [ "${CHECK_KCSAN:-1}" = 1 ]; then
	"$TOP/scripts/kcsan.sh" 2>&1 | tee "$logs/kcsan.out" | grep -E '^(kcsan: |==> (kcsan|kernel|qemu))' || true
	kl=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$logs/kcsan.out" | tail -n 1 || true)
	if [ -n "$kl" ]; then
		kc_pass=${kl%% *}
		kc_fail=$(echo "$kl" | awk '{print $3}')
	else
		kc_fail=1
		warn "scripts/kcsan.sh printed no summary line (log: ${logs#"$TOP"/}/kcsan.out)"
	fi
fi

# the in-tree consumer's end-to-end test must have run on the patched kernel
if [ "$k" = patched-debug ]; then
	tr -d '\r' <"$log" | grep -q '^@@TEST uacce_fault_end_to_end ' && r=0 || r=1
	host_check uacce_end_to_end_ran $r "(no /uacce-e2e/iopf-uacce-user in the guest: scripts/modules.sh $k tests/uacce-e2e)"
fi

# the VT-d page request path (guest/jobs/vtd.sh) must have run; on a kernel
# with the failure notifier, with its delivery assertions
tr -d '\r' <"$log" | grep -q '^@@TEST vtd_pri_success ' && r=0 || r=1
host_check vtd_end_to_end_ran $r "(no /vtd-pri/iopf-pri-user in the guest, or the job stopped early: scripts/modules.sh $k; console ${log#"$TOP"/})"
if [ -f "$tree/include/linux/iopf-notify.h" ]; then
	tr -d '\r' <"$log" | grep -q '^@@RESULT job=vtd notifier=1' && r=0 || r=1
	host_check vtd_delivery_asserted $r "(the driver in /vtd-pri has no failure notifier although $k has include/linux/iopf-notify.h)"
fi

# --- guest tests
gpass=$(tr -d '\r' <"$log" | grep -cE '^@@TEST [^ ]+ PASS' || true)
gfail=$(tr -d '\r' <"$log" | grep -cE '^@@TEST [^ ]+ FAIL' || true)
tr -d '\r' <"$log" | grep -E '^@@TEST ' | sed 's/^@@TEST /guest: /' || true

pass=$((pass + kpass + gpass + fast_pass + kc_pass))
fail=$((fail + kfail + gfail + fast_fail + kc_fail))
say "check on $k: fast tier $fast_pass passed, $fast_fail failed; KUnit $kpass passed, $kfail failed, $kskip skipped; guest $gpass passed, $gfail failed; KCSAN $kc_pass passed, $kc_fail failed; $(( $(date +%s) - start ))s in all"
if [ $((kpass + kfail + gpass + gfail)) -eq 0 ]; then
	warn "no KUnit case and no guest test ran (console: ${log#"$TOP"/})"
	fail=$((fail + 1))
fi
[ $qrc -eq 0 ] || [ $fail -gt 0 ] || fail=$((fail + 1))   # qemu.sh failed for a reason not counted above
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
