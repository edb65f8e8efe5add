#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# disasm-gate.sh [A B]: the static proof that the series adds nothing to
# the success path. Disassembles the functions of config/success-path.txt
# in kernels A and B (default baseline-perf and patched-perf, built first
# if needed; or paths to two vmlinux files), normalised so that only code
# differences show, and fails when they differ by a line that
# config/disasm-allowlist.txt does not allow (each entry gives its
# reason). The diff of every differing function is printed; the last line
# is the summary. scripts/disasm-gate.py has the details.
# Self-test (baseline against itself and against a mutant with one added
# instruction): scripts/disasm-gate-selftest.sh.
. "$(dirname "$0")/lib.sh"

a=${1:-baseline-perf}
b=${2:-patched-perf}
vmlinux_of() {
	if [ -f "$1" ]; then
		echo "$1"
		return
	fi
	kernel_tree "$1" >/dev/null
	"$TOP/scripts/kbuild.sh" "$1" >&2
	[ -f "$(kernel_objdir "$1")/vmlinux" ] || die "no vmlinux for $1 after scripts/kbuild.sh $1"
	echo "$(kernel_objdir "$1")/vmlinux"
}
# a kernel's name, or a vmlinux's directory relative to the top
label() { if [ -f "$1" ]; then d=$(cd "$(dirname "$1")" && pwd); echo "${d#"$TOP"/}"; else echo "$1"; fi; }
va=$(vmlinux_of "$a")
if [ "$b" = "$a" ]; then vb=$va; else vb=$(vmlinux_of "$b"); fi
command -v objdump >/dev/null || die "objdump missing; run: apt-get install binutils"
exec python3 -B "$TOP/scripts/disasm-gate.py" "$va" "$vb" \
	"$TOP/config/success-path.txt" "$TOP/config/disasm-allowlist.txt" \
	--names "$(label "$a")" "$(label "$b")"
