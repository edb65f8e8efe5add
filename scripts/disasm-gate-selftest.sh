#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# disasm-gate-selftest.sh: show that the disassembly gate can fail, and
# only when it should. Two checks, one @@TEST-style line each:
#   disasm_gate_same     baseline-perf against itself: passes, every
#                        function identical
#   disasm_gate_mutant   baseline-perf against the mutant kernel
#                        (scripts/mutant-kernel.sh: one "nop" added in
#                        iopf_group_response): fails, on that function
#                        alone, and its diff shows the added nop
# Exits non-zero when either check does not hold.
. "$(dirname "$0")/lib.sh"

gate=$TOP/scripts/disasm-gate.sh
fails=0
check() { # NAME OK DETAIL
	if [ "$2" = 1 ]; then
		echo "@@TEST $1 PASS $3"
	else
		echo "@@TEST $1 FAIL $3"
		fails=$((fails + 1))
	fi
}

out=$("$gate" baseline-perf baseline-perf 2>&1) && rc=0 || rc=$?
sum=$(printf '%s\n' "$out" | tail -n 1)
ok=0
[ $rc = 0 ] && ! printf '%s\n' "$out" | grep -q '^FAIL' && ok=1
[ $ok = 1 ] || printf '%s\n' "$out" | sed 's/^/# /'
check disasm_gate_same $ok "rc=$rc: $sum"

mutant=$("$TOP/scripts/mutant-kernel.sh")
out=$("$gate" baseline-perf "$mutant" 2>&1) && rc=0 || rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
failed=$(printf '%s\n' "$out" | grep '^FAIL' | awk '{print $2}' | tr -d ':' | tr '\n' ' ')
ok=0
[ $rc = 1 ] && [ "$failed" = "iopf_group_response " ] &&
	printf '%s\n' "$out" | grep -qE '^ +!\+ +nop$' && ok=1
check disasm_gate_mutant $ok "rc=$rc, failed: ${failed:-none} (expected: rc=1, failed: iopf_group_response, with the added nop marked)"
if [ $fails -gt 0 ]; then
	die "the disassembly gate's self-test failed ($fails checks above): a gate that passes the mutant or fails the baseline against itself proves nothing; fix scripts/disasm-gate.py (its normalisation) before trusting scripts/disasm-gate.sh"
fi
