#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# splat.sh LOG: scan a guest console log for kernel splats (panic, Oops,
# BUG, WARNING, KASAN, lockdep, RCU, UBSAN, kmemleak). Prints the first one
# with its context and every offending line, and exits 1 when there is any.
# Also sourced by scripts/qemu.sh and scripts/check.sh for splat_scan().
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SPLAT_RE='Kernel panic|Oops|BUG:|WARNING:|KASAN|possible circular locking|inconsistent lock state|INFO: |suspicious RCU usage|UBSAN|kmemleak: .* new suspected memory leaks|possible recursive locking|Call Trace:'

# console_text LOG: the console without carriage returns, the base64 lines
# of files a guest sent (between @@FILE and @@ENDFILE, guest/lib.sh) blanked
# so that their text cannot look like a splat; line numbers are kept
console_text() {
	tr -d '\r' <"$1" | awk '/^@@ENDFILE /{f=0} { print (f ? "" : $0) } /^@@FILE /{f=1}'
}

# splat_scan LOG [quiet]: 0 when clean, 1 (after printing the evidence) if not
splat_scan() {
	local log=$1 quiet=${2:-} first n
	first=$(console_text "$log" | grep -n -m 1 -E "$SPLAT_RE" | cut -d: -f1 || true)
	[ -z "$first" ] && return 0
	[ -n "$quiet" ] && return 1
	n=$(console_text "$log" | grep -c -E "$SPLAT_RE" || true)
	{
		echo "---- kernel splat in ${log#"$TOP"/} (line $first; $n offending lines) ----"
		tr -d '\r' <"$log" | sed -n "$((first > 20 ? first - 20 : 1)),$((first + 20))p"
		echo "---- all offending lines (first 20) ----"
		console_text "$log" | grep -n -E "$SPLAT_RE" | head -n 20
		echo "----"
	} >&2
	return 1
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	log=${1:?usage: splat.sh LOG}
	[ -f "$log" ] || die "no log $log"
	splat_scan "$log" || die "kernel splat in $log (above)"
fi
