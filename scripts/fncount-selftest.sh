#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fncount-selftest.sh [KERNEL]: the fncount plugin's self-test, on KERNEL
# (default baseline-perf) in icount mode: the guest job fncount-test runs
# qemu/plugins/test/fncount-test.c, whose assembly functions have counts
# known by hand. One @@TEST line per check:
#   fncount_counts         run 1 meets qemu/plugins/test/expected.tsv
#                          (loops, calls, tail call, recursion, rep once
#                          with 0 bytes, 4 KiB, 8 MiB under timer
#                          interrupts and across page faults, restarted
#                          faulting stores, a sleep while another task
#                          spins on the CPU, 3 identical kernel calls)
#   fncount_region         run 1: rep iterations skipped, faulting
#                          instructions restarted, no anomaly
#   fncount_deterministic  run 2 counts exactly what run 1 counted
#   fncount_control        a run with the diagnostic options rep=each and
#                          sched=off misses the rep and the sleep checks,
#                          and only them: the checks can fail
# Exits non-zero when a check fails. About 2 minutes (3 boots).
. "$(dirname "$0")/lib.sh"

k=${1:-baseline-perf}
d=$BUILD/fncount/selftest-$k
t=$TOP/qemu/plugins/test
py="python3 -B $TOP/qemu/plugins/fncount.py"
mkdir -p "$d"
fails=0
check() { # NAME OK DETAIL
	if [ "$2" = 1 ]; then
		echo "@@TEST $1 PASS $3"
	else
		echo "@@TEST $1 FAIL $3"
		fails=$((fails + 1))
	fi
}
run() { # N [PLUGIN-ARG...]
	local n=$1
	shift
	"$TOP/scripts/fncount.sh" "$k" fncount-test "$d/run$n.tsv" "fns=$t/functions.txt" "$@" >"$d/run$n.out" 2>&1 ||
		{ cat "$d/run$n.out" >&2; die "the self-test guest did not run (above; console ${d#"$TOP"/}/run$n.log)"; }
}

run 1
out=$($py check "$d/run1.tsv" "$t/expected.tsv") && ok=1 || ok=0
[ $ok = 1 ] || printf '%s\n' "$out" | sed 's/^/# /'
check fncount_counts $ok "$(printf '%s\n' "$out" | grep -c FAIL) expectations missed (qemu/plugins/test/expected.tsv)"

reg=$(awk -F'\t' '$1 == "region" && $2 == 0' "$d/run1.tsv")
skip=$(echo "$reg" | cut -f11)
restarts=$(echo "$reg" | cut -f12)
anom=$(echo "$reg" | cut -f13)
ok=0
[ "${skip:-0}" -gt 8000000 ] && [ "${restarts:-0}" -ge 32 ] && [ "${anom:-1}" = 0 ] && ok=1
check fncount_region $ok "rep_skipped=$skip (> 8000000) restarts=$restarts (>= 32) anomalies=$anom (0)"

run 2
out=$($py same "$d/run1.tsv" "$d/run2.tsv") && ok=1 || ok=0
[ $ok = 1 ] || printf '%s\n' "$out" | head -n 20 | sed 's/^/# /'
check fncount_deterministic $ok "run 2 against run 1: $(printf '%s\n' "$out" | grep -c differs) rows differ"

run 3 rep=each sched=off
out=$($py check "$d/run3.tsv" "$t/expected.tsv") || true
missed=$(printf '%s\n' "$out" | sed -n 's/^FAIL: \([^:]*\):.*/\1/p' | sort -u | tr '\n' ' ')
# without sched, the sleep absorbs the spinning task: in t_sleep, or in
# the kernel's __x64_sys_nanosleep below it when the child's returns end
# t_sleep's call (same user stack addresses after fork)
ok=0
case $missed in
"__x64_sys_nanosleep t_rep t_repbig t_repfault " | "t_rep t_repbig t_repfault t_sleep " | \
"__x64_sys_nanosleep t_rep t_repbig t_repfault t_sleep ") ok=1 ;;
esac
[ $ok = 1 ] || printf '%s\n' "$out" | sed 's/^/# /'
check fncount_control $ok "rep=each sched=off missed: ${missed:-nothing} (expected: t_rep t_repbig t_repfault and the sleep: t_sleep or __x64_sys_nanosleep)"

if [ $fails -gt 0 ]; then
	die "fncount self-test: $fails checks failed (above; outputs in ${d#"$TOP"/}); the plugin's counts cannot be trusted until qemu/plugins/fncount/ passes them"
fi
say "fncount self-test: 4 checks passed (outputs in ${d#"$TOP"/})"
