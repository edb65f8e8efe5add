# SPDX-License-Identifier: GPL-2.0
# guest/lib.sh: the one definition of the machine-readable lines a guest job
# prints on the serial console. The host (scripts/qemu.sh, scripts/check.sh,
# the bench scripts) parses only these prefixes:
#
#   @@RESULT key=value ...            a measurement or fact
#   @@TEST name PASS|FAIL detail      one guest-side test
#
# Values must not contain spaces (use commas or underscores). Sourced by
# /init and by every /guest/jobs/*.sh (busybox sh).

GUEST_FAILED=${GUEST_FAILED:-0}

# result KEY=VALUE ...: one @@RESULT line
result() {
	echo "@@RESULT $*"
}

# guest_test NAME CMD...: run CMD, print @@TEST NAME PASS|FAIL detail.
# The detail of a failure is the exit code and the last line CMD printed;
# CMD's whole output is printed before the verdict, prefixed with '# '.
guest_test() {
	_gt_name=$1
	shift
	_gt_out=$("$@" 2>&1)
	_gt_rc=$?
	if [ -n "$_gt_out" ]; then
		printf '%s\n' "$_gt_out" | sed 's/^/# /'
	fi
	if [ $_gt_rc -eq 0 ]; then
		echo "@@TEST $_gt_name PASS"
	else
		GUEST_FAILED=$((GUEST_FAILED + 1))
		echo "@@TEST $_gt_name FAIL rc=$_gt_rc $(printf '%s\n' "$_gt_out" | tail -n 1)"
	fi
	return 0
}

# emit_file NAME PATH: a file for the host, on the console, gzip'd and
# base64'd between two marker lines (scripts/guest-files.py extracts it):
#   @@FILE name=NAME bytes=N
#   <base64 of gzip of PATH>
#   @@ENDFILE name=NAME
# Kernel messages stay off the console meanwhile (they would cut base64
# lines); they are still in dmesg.
emit_file() {
	_ef_lvl=$(cut -f1 /proc/sys/kernel/printk)
	echo 1 >/proc/sys/kernel/printk
	echo "@@FILE name=$1 bytes=$(wc -c <"$2")"
	gzip -c "$2" | base64
	echo "@@ENDFILE name=$1"
	echo "$_ef_lvl" >/proc/sys/kernel/printk
}

# kmemleak_scan TAG: scan twice (kmemleak reports objects older than 5 s),
# print the first reports, one @@RESULT line; fails on any leak. For
# guest_test, on debug kernels (CONFIG_DEBUG_KMEMLEAK, auto scan off).
kmemleak_scan() {
	_kl=/sys/kernel/debug/kmemleak
	[ -r $_kl ] || { echo "no $_kl"; return 1; }
	sleep 6
	echo scan >$_kl
	echo scan >$_kl
	cat $_kl >/tmp/kmemleak.txt
	_total=$(grep -c '^unreferenced object' /tmp/kmemleak.txt)
	_ours=$(grep -cE 'iopf|iommu|mock' /tmp/kmemleak.txt)
	result test=$1 kmemleak_total=$_total kmemleak_ours_lines=$_ours
	head -n 60 /tmp/kmemleak.txt
	[ "$_total" = 0 ]
}
