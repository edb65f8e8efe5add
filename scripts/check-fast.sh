#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check-fast.sh: the user-space fast tier (tests/fast/README.md). Builds
# src/drivers/iommu/iopf-notify.c in place against tests/fast/shim and the
# kernel tree's lib/xarray.c, then:
#   - runs every case plain, under ThreadSanitizer and under
#     AddressSanitizer+UBSan (each case counts, and "no sanitizer report"
#     counts once per sanitizer), and the lost-wake-up case in the "tso"
#     build (an x86-TSO store buffer in the shim);
#   - builds mutants of iopf-notify.c (sed, under build/fast/mut-*, never in
#     the tree) with one barrier or lifetime step removed; each must be
#     caught by the check named in MUTANTS below;
#   - counts instructions per operation with callgrind and writes
#     results/fast-tier.md (tests/fast/callgrind-table.py), twice: the two
#     tables must be identical.
# Only checks that can fail are counted; a build that fails counts as one
# failure (the checks it would have run are not counted). Ends with
# "N passed, N failed"; exits non-zero on any failure.
# FAST_RACE_MS (default 1000) sets how long each storm runs.
. "$(dirname "$0")/lib.sh"

start=$(date +%s)
OUT=$BUILD/fast
LOGS=$OUT/logs
RESULT=$TOP/results/fast-tier.md
RACE_MS=${FAST_RACE_MS:-1000}
SRC=$TOP/src/drivers/iommu/iopf-notify.c

# --- what this tier needs: a compiler with TSAN/ASan, liburcu, valgrind
missing=0
for c in gcc make valgrind python3; do
	command -v "$c" >/dev/null || missing=1
done
{ [ -r /usr/include/urcu.h ] || [ -r "/usr/include/$(gcc -dumpmachine)/urcu.h" ]; } || missing=1
if [ "$missing" = 1 ]; then
	say "fast tier: installing what is missing (scripts/deps.sh)"
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
rel() { echo "${1#"$TOP"/}"; }

# mk VARIANT MAKE-ARGS...: build under build/fast/VARIANT; a failure is
# one counted failure, with the first errors printed
mk() {
	local v=$1 log=$LOGS/build-$1.log
	shift
	if make -s -j"$JOBS" -f "$TOP/tests/fast/Makefile" KSRC="$KREPO" "$@" \
		>"$log" 2>&1; then
		grep -h -E 'warning:' "$log" | sort -u | head -5 || true
		return 0
	fi
	grep -E 'error|Error' "$log" | head -n 10
	check "build $v" 1 "(the errors above; log $(rel "$log")): fix the shim or the code, then rerun make check-fast"
	return 1
}

reports() { # LOG: number of sanitizer reports in it
	grep -c -E '^WARNING: ThreadSanitizer|^==[0-9]+==ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$1" || true
}

# run BIN LOG [CASE]: one test binary, killed after FAST_TIMEOUT seconds
# (default 300: a hang is a failure, not a wait); gcc 12's TSAN cannot map
# its shadow under some ASLR settings, so it reruns without ASLR then
run() {
	local bin=$1 log=$2 rc=0 t=${FAST_TIMEOUT:-300}
	shift 2
	FAST_RACE_MS=${RUN_MS:-$RACE_MS} timeout -k 5 "$t" "$bin" "$@" >"$log" 2>&1 || rc=$?
	if grep -q 'unexpected memory mapping' "$log"; then
		rc=0
		FAST_RACE_MS=${RUN_MS:-$RACE_MS} timeout -k 5 "$t" setarch "$(uname -m)" -R "$bin" "$@" >"$log" 2>&1 || rc=$?
	fi
	[ $rc != 124 ] && [ $rc != 137 ] ||
		echo "hung: $(rel "$bin") $* killed after ${t}s" | tee -a "$log"
	return $rc
}

# run_tests VARIANT [CASE]: every case counts; a sanitizer variant also
# counts "no report"
run_tests() {
	local v=$1 log=$LOGS/test-$1.log rc=0 line p f n
	say "fast tier: running the cases ($v)"
	run "$OUT/$v/test_iopf_notify" "$log" ${2:+"$2"} || rc=$?
	grep -E '^(not ok|    )' "$log" | sed "s/^ */[$v] /" || true
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)
	if [ -z "$line" ]; then
		check "$v: the test run completed" 1 "(rc=$rc, no summary line; last lines below; log $(rel "$log"))"
		tail -20 "$log"
		return
	fi
	p=${line%% passed*}
	f=${line#*passed, }
	f=${f%% failed}
	pass=$((pass + p)); fail=$((fail + f))
	echo "fast: $v: $p cases passed, $f failed$([ "$f" = 0 ] || echo " (the 'not ok' lines above; log $(rel "$log"))")"
	case $v in
	tsan | asan)
		n=$(reports "$log")
		check "$v: no sanitizer report, exit 0" "$([ "$n" = 0 ] && [ "$rc" = 0 ] && echo 0 || echo 1)" \
			"($n reports, rc=$rc; log $(rel "$log"); the first report is below)"
		[ "$n" = 0 ] || grep -m1 -A14 -E '^WARNING: ThreadSanitizer|ERROR: AddressSanitizer|runtime error:' "$log" || true
		;;
	esac
}

export TSAN_OPTIONS="halt_on_error=0 exitcode=66"
export ASAN_OPTIONS="detect_leaks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

# --- build and run: plain (and bench), TSAN, ASan+UBSan, TSO
say "fast tier: building under $(rel "$OUT") (4 variants)"
built=()
mk plain O="$OUT/plain" "$OUT/plain/test_iopf_notify" "$OUT/plain/bench_ops" && built+=(plain)
mk tsan O="$OUT/tsan" SAN=thread "$OUT/tsan/test_iopf_notify" && built+=(tsan)
mk asan O="$OUT/asan" SAN=address "$OUT/asan/test_iopf_notify" && built+=(asan)
mk tso O="$OUT/tso" TSO=1 "$OUT/tso/test_iopf_notify" && built+=(tso)
for v in "${built[@]}"; do
	case $v in
	tso) run_tests tso wakeup_not_lost ;;
	*) run_tests "$v" ;;
	esac
done

# --- mutants: NAME|VARIANT|CASE|WHAT IT REMOVES|SED SCRIPT (one line each)
# The sed script must change exactly one line of iopf-notify.c.
MUTANTS=(
"a|tsan|storm|fault side: the release of prod (now WRITE_ONCE)|s/^\tsmp_store_release(\&r->prod, prod + 1);\$/\tWRITE_ONCE(r->prod, prod + 1);/"
"b|tsan|storm|consumer: the acquire of prod (now READ_ONCE)|s/^\tprod = smp_load_acquire(\&r->prod);\$/\tprod = READ_ONCE(r->prod);/"
"c1|tsan|storm|fault side: the acquire of cons (now READ_ONCE)|s/^\tcons = smp_load_acquire(\&r->cons);\$/\tcons = READ_ONCE(r->cons);/"
"c2|tsan|storm|consumer: the release of cons (now WRITE_ONCE)|s/^\t\tsmp_store_release(\&r->cons, ++cons);\$/\t\tWRITE_ONCE(r->cons, ++cons);/"
"d|tso|wakeup_not_lost|fault side: the smp_mb() of the kick|/^static void iopf_notify_kick/,/^}/ s/^\tsmp_mb();\$/\t\/* MUTANT: no smp_mb() *\//"
"d2|tso|wakeup_not_lost|consumer: the recheck of the rings after going idle|/^void iopf_notify_work/,/^}/ s/^\t\tif (!iopf_notify_empty(n) \&\& xchg(\&n->idle, 0))\$/\t\tif (0)/"
"e|asan|unregister_waits_for_callback|release work: disable_work_sync()|/^void iopf_notifier_release_work/,/^}/ s/^\tdisable_work_sync(\&n->work);\$/\t\/* MUTANT: no disable_work_sync() *\//"
)

# caught VARIANT LOG: 0 when the mutant was caught, with the evidence line
caught() {
	case $1 in
	tsan)	# a data race reported in the ring code: both accesses' frames
		grep -m1 -A12 '^WARNING: ThreadSanitizer: data race' "$2" |
			grep -E '^  (Read|Write|Previous)|^    #0 ' >"$2.race" || true
		grep -q -E '#0 iopf_notify_(drain|enqueue) ' "$2.race" && cat "$2.race" ;;
	tso)	grep -m1 'never delivered' "$2" ;;
	asan)	grep -m1 'ERROR: AddressSanitizer: heap-use-after-free' "$2" ;;
	esac
}

say "fast tier: ${#MUTANTS[@]} mutants, each must be caught"
for m in "${MUTANTS[@]}"; do
	IFS='|' read -r name v case what script <<<"$m"
	label="mutant $name ($what removed) caught by $v $case"
	if [[ " ${built[*]} " != *" $v "* ]]; then
		check "$label" 1 "(the $v build failed, see above)"
		continue
	fi
	d=$OUT/mut-$name
	mkdir -p "$d"
	sed "$script" "$SRC" >"$d/iopf-notify.c"
	changed=$(diff "$SRC" "$d/iopf-notify.c" | grep -c '^>' || true)
	if [ "$changed" != 1 ]; then
		check "$label" 1 "(the sed changed $changed lines of $(rel "$SRC"), not 1: the code moved; update MUTANTS in scripts/check-fast.sh)"
		continue
	fi
	vflags=()
	case $v in tsan) vflags=(SAN=thread) ;; asan) vflags=(SAN=address) ;; tso) vflags=(TSO=1) ;; esac
	mk "mut-$name" O="$d" LIB="$OUT/$v" "${vflags[@]}" NOTIFY_C="$d/iopf-notify.c" \
		"$d/test_iopf_notify" || continue
	log=$LOGS/mut-$name.log
	RUN_MS=$((RACE_MS < 500 ? RACE_MS : 500)) ASAN_OPTIONS=detect_leaks=0 \
		run "$d/test_iopf_notify" "$log" "$case" || true
	if ev=$(caught "$v" "$log"); then
		check "$label" 0
		echo "$ev" | sed 's/^ */      /; s/ (test_iopf_notify+0x[0-9a-f]*)//; s/ at pc 0x.*//'
	else
		check "$label" 1 "(no $v report in $(rel "$log")): the $v check no longer sees this bug; see tests/fast/README.md"
	fi
done

# --- instruction counts
if [[ " ${built[*]} " == *" plain "* ]]; then
	say "fast tier: instruction counts (callgrind)"
	r=0
	for n in 4 64; do
		for mode in idle burst; do
			"$OUT/plain/bench_ops" $n $mode >"$LOGS/bench-$n-$mode.log" 2>&1 || r=1
		done
	done
	check "bench_ops self-checks (each idle record queues the work once, every record delivered)" $r \
		"(logs $(rel "$LOGS")/bench-*.log)"
	for pass_no in 1 2; do
		args=() r=0
		for n in 4 64; do
			for mode in idle burst; do
				o=$OUT/callgrind.$pass_no.$n.$mode
				valgrind --tool=callgrind --callgrind-out-file="$o.out" \
					--compress-strings=no --compress-pos=no \
					--toggle-collect='op_*' --toggle-collect=iopf_notify_work \
					"$OUT/plain/bench_ops" $n $mode >"$o.txt" 2>"$o.log" || r=1
				args+=("$n:$mode:$o.out:$o.txt")
			done
		done
		if [ $r != 0 ] || ! python3 "$TOP/tests/fast/callgrind-table.py" "$OUT/fast-tier.$pass_no.md" "${args[@]}"; then
			check "callgrind table" 1 "(valgrind or tests/fast/callgrind-table.py failed; logs $(rel "$OUT")/callgrind.$pass_no.*.log)"
			r=1
			break
		fi
	done
	if [ $r = 0 ]; then
		cmp -s "$OUT/fast-tier.1.md" "$OUT/fast-tier.2.md" && r=0 || r=1
		check "callgrind counts identical on a second run" $r \
			"(diff $(rel "$OUT")/fast-tier.1.md $(rel "$OUT")/fast-tier.2.md: a shim cost became nondeterministic; take it out as queue_work() is)"
		mkdir -p "$(dirname "$RESULT")"
		cp "$OUT/fast-tier.1.md" "$RESULT"
		echo "fast: wrote $(rel "$RESULT"):"
		sed -n '/^### 4 devices/,/^### 64/p' "$RESULT" | grep '^|'
	fi
fi

echo "fast: took $(($(date +%s) - start)) s"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
