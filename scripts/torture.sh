#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# torture.sh [DURATION] [JOB [ARGS]]: the body of `make torture DURATION=...`.
#  1. builds the test modules (tests/: iopf_torture, iopf_uacce...) against
#     the debug kernel (KASAN, lockdep, PROVE_RCU, kmemleak) with
#     scripts/modules.sh (the kernel must be built: scripts/kbuild.sh
#     patched-debug);
#  2. boots it with guest job JOB (default torture: the lifetime cases,
#     then DURATION seconds of torture, default 1800) through
#     scripts/qemu.sh, which fails on any splat;
#  3. prints the guest's @@TEST lines and the torture summary; exits
#     non-zero when a test failed, the guest died or the kernel splatted.
# `scripts/torture.sh 60` is the make check variant. The other jobs:
# `scripts/torture.sh - storm count=N`, `scripts/torture.sh - failinject`.
# Logs: build/logs/torture-JOB.log. TORTURE_NO_BUILD=1 skips step 1.
. "$(dirname "$0")/lib.sh"

duration=${1:-${DURATION:-1800}}
[ "$duration" = - ] && duration=1800
job=${2:-torture}
args=${3:-}
k=patched-debug
tree=$KTREES/$(kernel_tree "$k")
obj=$(kernel_objdir "$k")
logs=$BUILD/logs
log=$logs/torture-$job.log
[ "$job" = torture ] && log=$logs/torture-$job-${duration}s.log

case $duration in
'' | *[!0-9]*) die "DURATION must be a number of seconds, not '$duration'" ;;
esac

[ -f "$obj/.build-stamp" ] && [ -f "$obj/arch/x86/boot/bzImage" ] ||
	die "kernel $k is not built (no ${obj#"$TOP"/}/.build-stamp); build it with scripts/kbuild.sh $k"

if [ "${TORTURE_NO_BUILD:-0}" != 1 ]; then
	"$TOP/scripts/modules.sh" "$k" tests
	[ -f "$BUILD/guest-extra/$k/torture/iopf_torture.ko" ] ||
		die "no iopf_torture.ko: does $k have include/linux/iopf-notify.h?"
fi

case $job in
torture) gargs=duration=$duration${args:+,$args} ; tmo=$((duration + 600)) ;;
storm) gargs=$args ; tmo=${QEMU_TIMEOUT:-3600} ;;
*) gargs=$args ; tmo=${QEMU_TIMEOUT:-1800} ;;
esac

mkdir -p "$logs"
rc=0
GUEST_ARGS=$gargs "$TOP/scripts/qemu.sh" "$k" smp "$job" "$log" "$tmo" || rc=$?
tr -d '\r' <"$log" | grep -aE '^@@TEST ' || true
tr -d '\r' <"$log" | grep -aE 'iopf_torture: (PASS|FAIL)' | sed 's/^\[[ 0-9.]*\] //' || true
if [ $rc -ne 0 ]; then
	tr -d '\r' <"$log" | grep -aq '^@@TEST ' ||
		echo "@@TEST torture_guest_run FAIL (qemu.sh failed: splat, hang or early death; log ${log#"$TOP"/})"
	die "torture job $job failed (log ${log#"$TOP"/})"
fi
say "torture: job $job passed (log ${log#"$TOP"/})"
