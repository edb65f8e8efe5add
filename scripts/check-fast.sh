#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check-fast.sh: the user-space fast tier (tests/fast/README.md). Builds
# src/drivers/iommu/iopf-notify.c in place against tests/fast/shim, the
# kernel tree's lib/xarray.c, lib/kfifo.c and kernel/notifier.c, then:
#   - runs the functional cases and the all-CPU race three times: plain,
#     under ThreadSanitizer, under AddressSanitizer+UBSan (no report allowed);
#   - runs the race with the work item off its CPU (as after CPU hotplug):
#     no TSAN report allowed; and two negative controls, which must be
#     caught: TSAN on a mutant of iopf-notify.c without the ring lock, ASan
#     on a mutant without the flush in iopf_notifier_release();
#   - counts instructions per operation with callgrind for our design and
#     the two alternatives (tests/fast/alt) and writes results/fast-tier.md.
# Ends with "N passed, N failed"; exits non-zero on any failure or report.
# FAST_RACE_MS (default 1000) sets how long each race runs.
. "$(dirname "$0")/lib.sh"

start=$(date +%s)
OUT=$BUILD/fast
LOGS=$OUT/logs
RESULT=$TOP/results/fast-tier.md
RACE_MS=${FAST_RACE_MS:-1000}

# --- what this tier needs: a compiler with TSAN/ASan, liburcu, valgrind
missing=0
for c in gcc make valgrind python3; do
	command -v "$c" >/dev/null || missing=1
done
[ -r /usr/include/urcu.h ] || missing=1
if [ "$missing" = 1 ]; then
	"$TOP/scripts/deps.sh"
fi
[ -f "$KREPO/lib/xarray.c" ] || "$TOP/scripts/source.sh"

mkdir -p "$LOGS"
pass=0 fail=0
check() { # NAME 0|1 [detail]
	if [ "$2" = 0 ]; then
		pass=$((pass + 1)); echo "fast: $1 PASS"
	else
		fail=$((fail + 1)); echo "fast: $1 FAIL ${3:-}"
	fi
}

mk() { # VARIANT SAN TARGET...
	local v=$1 san=$2
	shift 2
	make -s -j"$JOBS" -f "$TOP/tests/fast/Makefile" KSRC="$KREPO" \
		O="$OUT/$v" SAN="$san" "${@/#/$OUT/$v/}"
}

reports() { # LOG: number of sanitizer reports in it
	grep -c -E '^WARNING: ThreadSanitizer|^==[0-9]+==ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$1" || true
}
ok() { "$@" && echo 0 || echo 1; }	# a test, as check()'s 0|1

# run_tests VARIANT [ENV=VAL...]: the test binary of VARIANT; every case
# counts, and so does "no sanitizer report"
run_tests() {
	local v=$1 log=$LOGS/test-$1.log rc=0 line p f n
	shift
	env "$@" FAST_RACE_MS="$RACE_MS" "$OUT/$v/test_iopf_notify" >"$log" 2>&1 || rc=$?
	# gcc 12's TSAN cannot map its shadow under some ASLR settings
	if grep -q 'unexpected memory mapping' "$log"; then
		rc=0
		env "$@" FAST_RACE_MS="$RACE_MS" setarch "$(uname -m)" -R \
			"$OUT/$v/test_iopf_notify" >"$log" 2>&1 || rc=$?
	fi
	grep -E '^(not ok|    )' "$log" | sed "s/^ */[$v] /" || true
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)
	if [ -z "$line" ]; then
		check "$v: test run completed" 1 "(rc=$rc, no summary; log: ${log#"$TOP"/})"
		tail -20 "$log"
		return
	fi
	p=${line%% passed*}
	f=${line#*passed, }
	f=${f%% failed}
	pass=$((pass + p)); fail=$((fail + f))
	echo "fast: $v: $p cases passed, $f failed"
	n=$(reports "$log")
	check "$v: no sanitizer report, exit 0" "$(ok [ "$n" = 0 -a "$rc" = 0 ])" \
		"($n reports, rc=$rc; log: ${log#"$TOP"/})"
	[ "$n" = 0 ] || grep -m5 -E '^SUMMARY' "$log" || true
}

# --- build: plain (tests, bench), TSAN, ASan (+ the mutant control)
say "building the fast tier under ${OUT#"$TOP"/}"
built=()
mk plain "" test_iopf_notify bench_ops >"$LOGS/build-plain.log" 2>&1 && r=0 || r=1
check "build plain" $r "(log: ${LOGS#"$TOP"/}/build-plain.log)"
[ $r = 0 ] && built+=(plain)
mk tsan thread test_iopf_notify test_iopf_notify_nolock >"$LOGS/build-tsan.log" 2>&1 && r=0 || r=1
check "build tsan" $r "(log: ${LOGS#"$TOP"/}/build-tsan.log)"
[ $r = 0 ] && built+=(tsan)
mk asan address test_iopf_notify test_iopf_notify_mutant >"$LOGS/build-asan.log" 2>&1 && r=0 || r=1
check "build asan" $r "(log: ${LOGS#"$TOP"/}/build-asan.log)"
[ $r = 0 ] && built+=(asan)
grep -h -E 'warning:|error:' "$LOGS"/build-*.log | sort -u | head -20 || true

# --- tests, three times
for v in "${built[@]}"; do
	case $v in
	tsan) run_tests tsan TSAN_OPTIONS="exitcode=66 halt_on_error=0" ;;
	asan) run_tests asan ASAN_OPTIONS="detect_leaks=1" \
		UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" ;;
	*) run_tests "$v" ;;
	esac
done

# --- negative controls: each must be caught
if [[ " ${built[*]} " == *" tsan "* ]]; then
	# the work item off its CPU, as after CPU hotplug: the ring lock must hold
	log=$LOGS/offcpu-tsan.log
	FAST_SHIM_NO_CPU_LOCK=1 FAST_RACE_MS=300 TSAN_OPTIONS="exitcode=0" \
		"$OUT/tsan/test_iopf_notify" race_all_cpus >"$log" 2>&1 || true
	n=$(reports "$log")
	check "tsan: work item off its CPU (hotplug), no report" \
		"$(ok [ "$n" = 0 ])" "($n reports; log: ${log#"$TOP"/})"
	log=$LOGS/control-tsan.log
	FAST_SHIM_NO_CPU_LOCK=1 FAST_RACE_MS=300 TSAN_OPTIONS="exitcode=0" \
		"$OUT/tsan/test_iopf_notify_nolock" race_all_cpus >"$log" 2>&1 || true
	n=$(reports "$log")
	check "control: TSAN reports the ring without its lock, work item off its CPU" \
		"$(ok [ "$n" -gt 0 ])" "(no report; log: ${log#"$TOP"/})"
fi
if [[ " ${built[*]} " == *" asan "* ]]; then
	log=$LOGS/control-asan.log
	ASAN_OPTIONS="detect_leaks=0" "$OUT/asan/test_iopf_notify_mutant" \
		unregister_with_pending >"$log" 2>&1 || true
	grep -q 'ERROR: AddressSanitizer: heap-use-after-free' "$log" && r=0 || r=1
	check "control: ASan reports unregister without flush" $r \
		"(no use after free reported; log: ${log#"$TOP"/})"
fi

# --- instruction counts
if [[ " ${built[*]} " == *" plain "* ]]; then
	"$OUT/plain/bench_ops" 4 >"$LOGS/bench-native.log" 2>&1 && r=0 || r=1
	check "bench_ops runs natively" $r "(log: ${LOGS#"$TOP"/}/bench-native.log)"
	args=() r=0
	for n in 4 64; do
		valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.$n.out" \
			--compress-strings=no --compress-pos=no \
			--toggle-collect='op_*' --toggle-collect=iopf_notify_work \
			"$OUT/plain/bench_ops" "$n" >"$OUT/callgrind.$n.txt" \
			2>"$LOGS/callgrind.$n.log" || r=1
		args+=("$n:$OUT/callgrind.$n.out:$OUT/callgrind.$n.txt")
	done
	check "callgrind runs" $r "(logs: ${LOGS#"$TOP"/}/callgrind.*.log)"
	if [ $r = 0 ]; then
		mkdir -p "$(dirname "$RESULT")"
		python3 "$TOP/tests/fast/callgrind-table.py" "$RESULT.tmp" "${args[@]}" &&
			grep -q '^| report a failure, RID registered' "$RESULT.tmp" &&
			mv "$RESULT.tmp" "$RESULT" && r=0 || r=1
		check "instruction table written" $r "(${RESULT#"$TOP"/})"
		[ $r = 0 ] && sed -n '/^### 4 devices/,/^### 64/p' "$RESULT" | grep '^|' 
	fi
fi

echo "fast: took $(($(date +%s) - start)) s"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
