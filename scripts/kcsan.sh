#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kcsan.sh [DURATION]: the KCSAN part of make check (config/kcsan.config).
#  1. builds patched-kcsan (strict KCSAN, weak-memory modelling; only the
#     files the series adds are instrumented, scripts/kcsan-make-args.sh)
#     and its test modules;
#  2. boots it with guest job kcsan: the KUnit suite iommu_iopf_notify at
#     boot, then the torture job for DURATION seconds (default 30);
#  3. counts: the guest's @@TEST lines, the KUnit cases (kunit.py parse),
#     the guest's end marker, no KCSAN report anywhere on the console (boot
#     included), no other kernel splat;
#  4. proves the restriction hides none of our races: builds mutant-kcsan,
#     the same kernel with one barrier of iopf-notify.c removed
#     (scripts/kcsan-mutant.sed), through the same config and the same
#     per-file instrumentation, boots the same job, and requires a KCSAN
#     data-race report in iopf-notify.c's functions. KCSAN_MUTANT=0 skips it.
# Prints one line per check, then "N passed, N failed"; exits non-zero on
# any failure. Logs: build/logs/kcsan*.log.
. "$(dirname "$0")/lib.sh"
. "$TOP/scripts/splat.sh"

duration=${1:-${KCSAN_TORTURE:-30}}
logs=$BUILD/logs
mkdir -p "$logs"
start=$(date +%s)
pass=0 fail=0
check() { # NAME 0|1 [detail]
	if [ "$2" = 0 ]; then
		pass=$((pass + 1)); echo "kcsan: $1 PASS"
	else
		fail=$((fail + 1)); echo "kcsan: $1 FAIL ${3:-}"
	fi
}
rel() { echo "${1#"$TOP"/}"; }
ok() { "$@" && echo 0 || echo 1; }

# build KERNEL: kernel and modules; prints the seconds it took
build() {
	local k=$1 t0
	t0=$(date +%s)
	"$TOP/scripts/kbuild.sh" "$k" >&2 && "$TOP/scripts/modules.sh" "$k" tests/torture >&2 || return 1
	echo $(( $(date +%s) - t0 ))
}

# boot KERNEL LOG: the kcsan job; prints the seconds it took. A KCSAN
# report is a splat to qemu.sh, which then fails: the checks below read
# the console either way.
boot() {
	local t0 rc=0
	t0=$(date +%s)
	GUEST_ARGS=duration=$duration "$TOP/scripts/qemu.sh" "$1" smp kcsan "$2" \
		$((duration + 600)) >"$2.host" 2>&1 || rc=$?
	echo $(( $(date +%s) - t0 ))
	return $rc
}

# reports LOG: the KCSAN report headers on the console
reports() {
	tr -d '\r' <"$1" | grep -a -E 'BUG: KCSAN: ' | sed 's/^\[[ 0-9.]*\] //' || true
}

# --- 1-3: the kernel as it is
k=patched-kcsan
log=$logs/kcsan.log
say "kcsan: building $k (log: $(rel "$(kernel_objdir "$k")")/build.log)"
if ! bt=$(build $k); then
	check "build $k" 1 "(the errors are above; fix them, then rerun scripts/kcsan.sh)"
	echo "$pass passed, $fail failed"
	exit 1
fi
say "kcsan: booting $k, job kcsan (KUnit at boot, torture ${duration}s; console $(rel "$log"))"
qrc=0
bs=$(boot $k "$log") || qrc=$?
[ -f "$log" ] || { cat "$log.host"; check "boot $k" 1 "(no console log: QEMU did not start, above)"; echo "$pass passed, $fail failed"; exit 1; }

tr -d '\r' <"$log" | grep -q '^IOPF-GUEST-DONE rc=' && r=0 || r=1
check "guest completed" $r "(no IOPF-GUEST-DONE marker: the guest died, hung or panicked; $(rel "$log").host says how)"

n=$(reports "$log" | wc -l)
check "no KCSAN report (boot, KUnit, torture)" "$(ok [ "$n" = 0 ])" \
	"($n reports, the first is below; console $(rel "$log")): a data race in our code, fix it"
if [ "$n" != 0 ]; then
	tr -d '\r' <"$log" | grep -a -m1 -A30 'BUG: KCSAN: ' | sed 's/^/    /'
fi
# other splats: KCSAN's own lines are counted above
other=$(tr -d '\r' <"$log" | grep -a -E "$SPLAT_RE" | grep -v -E 'BUG: KCSAN|^\[[ 0-9.]*\] (Call Trace:|Reported by Kernel Concurrency Sanitizer)' | head -n 5 || true)
check "no other kernel splat" "$(ok [ -z "$other" ])" "(below; console $(rel "$log"))"
[ -z "$other" ] || printf '    %s\n' "$other"

# KUnit, through the kernel tree's own parser
tree=$KTREES/$(kernel_tree $k)
kout=$logs/kcsan.kunit
python3 -B "$tree/tools/testing/kunit/kunit.py" parse <"$log" >"$kout" 2>&1 || true
sumline=$(grep -a 'Testing complete\. Ran' "$kout" | tail -n 1 || true)
num() { echo "$sumline" | grep -oE "$1: [0-9]+" | grep -oE '[0-9]+' || echo 0; }
if grep -aq 'iommu_iopf_notify' "$kout" && [ -n "$sumline" ]; then
	kp=$(num passed)
	kf=$(( $(num failed) + $(num crashed) + $(num errors) ))
	pass=$((pass + kp)); fail=$((fail + kf))
	grep -aE '\[(FAILED|CRASHED|ERROR)\]' "$kout" | sed 's/^\[[0-9:]*\] /kcsan: kunit: /' || true
	echo "kcsan: KUnit under KCSAN: ${sumline#*] } (details: $(rel "$kout"))"
else
	check "KUnit suite iommu_iopf_notify ran at boot" 1 \
		"(not in the console's KTAP: CONFIG_IOPF_NOTIFY_KUNIT_TEST=y in config/kcsan.config, and the suite in the series?)"
fi

# the guest's tests
gp=$(tr -d '\r' <"$log" | grep -cE '^@@TEST [^ ]+ PASS' || true)
gf=$(tr -d '\r' <"$log" | grep -cE '^@@TEST [^ ]+ FAIL' || true)
tr -d '\r' <"$log" | grep -E '^@@TEST ' | sed 's/^@@TEST /kcsan: guest: /' || true
pass=$((pass + gp)); fail=$((fail + gf))
[ $((gp + gf)) -gt 0 ] || check "guest tests ran" 1 "(no @@TEST line; console $(rel "$log"))"
[ $qrc = 0 ] || [ $fail -gt 0 ] || check "qemu.sh" 1 "(failed for a reason not counted above: $(rel "$log").host)"
say "kcsan: $k built in ${bt}s, booted and ran in ${bs}s"

# --- 4: the mutant must be reported through the same restriction
if [ "${KCSAN_MUTANT:-1}" != 0 ]; then
	mk=mutant-kcsan
	mlog=$logs/kcsan-mutant.log
	say "kcsan: building $mk (patched-kcsan + scripts/kcsan-mutant.sed)"
	if mbt=$(build $mk); then
		say "kcsan: booting $mk, job kcsan (console $(rel "$mlog"))"
		mbs=$(boot $mk "$mlog") || true
		ev=$(reports "$mlog" | grep -E 'iopf_' | head -n 1)
		if [ -n "$ev" ]; then
			check "mutant (fault side: plain store of prod) reported by KCSAN" 0
			echo "    $ev"
			tr -d '\r' <"$mlog" | grep -a -m1 -A12 'BUG: KCSAN: .*iopf_' |
				grep -a -E '^\[[ 0-9.]*\] (read|write)|^\[[ 0-9.]*\]  iopf_|^\[[ 0-9.]*\]  __iopf_' |
				sed 's/^\[[ 0-9.]*\] /    /' | head -n 6 || true
		else
			check "mutant (fault side: plain store of prod) reported by KCSAN" 1 \
				"(no 'BUG: KCSAN' report naming iopf_* on $(rel "$mlog")): the restriction or the workload hides a race in iopf-notify.c"
		fi
		say "kcsan: $mk built in ${mbt}s, booted and ran in ${mbs:-?}s"
	else
		check "build $mk" 1 "(the errors are above)"
	fi
fi

say "kcsan: $(( $(date +%s) - start ))s in all"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
