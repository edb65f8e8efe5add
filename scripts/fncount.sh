#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fncount.sh KERNEL JOB OUT.tsv [PLUGIN-ARG...]: run guest job JOB on
# KERNEL in icount mode (scripts/qemu.sh) under the fncount QEMU plugin
# (qemu/plugins/fncount/): exact instruction counts per function,
# inclusive of callees, per vCPU, inside the region the guest marks
# (qemu/plugins/fncount-marker.h). Writes OUT.tsv (format: the header of
# the file, qemu/plugins/README.md) and the console log OUT.log.
# The plugin gets the kernel's System.map and the self-test program's map,
# and counts the functions of config/success-path.txt unless a fns= or fn=
# argument names others. Extra PLUGIN-ARGs (rep=each, stack=32768...) are
# passed on. Before the run: builds the plugin (scripts/qemu-plugin.sh),
# the self-test program, and for job fncount-vtd the VT-d test driver
# (scripts/modules.sh KERNEL tests/vtd-pri); puts /fncount and the jobs of
# qemu/plugins/test/jobs into KERNEL's guest.
#   scripts/fncount.sh baseline-perf fncount-vtd build/fncount/vtd.tsv
. "$(dirname "$0")/lib.sh"

usage="usage: fncount.sh KERNEL JOB OUT.tsv [PLUGIN-ARG...]"
k=${1:?$usage}
job=${2:?$usage}
out=${3:?$usage}
shift 3
obj=$(kernel_objdir "$k")
[ -f "$obj/System.map" ] || die "kernel $k is not built ($obj/System.map missing); run: scripts/kbuild.sh $k"
case $out in /*) ;; *) out=$PWD/$out ;; esac
mkdir -p "$(dirname "$out")"

so=$("$TOP/scripts/qemu-plugin.sh" --path)

# the self-test program, static, at an address no other guest program uses
t=$TOP/qemu/plugins/test
tb=$BUILD/fncount
mkdir -p "$tb"
tstamp=$(hash_of "$t/fncount-test.c" "$TOP/qemu/plugins/fncount-marker.h" "$0")
if [ "$(cat "$tb/fncount-test.stamp" 2>/dev/null)" != "$tstamp" ] || [ ! -x "$tb/fncount-test" ]; then
	gcc -static -O2 -Wall -Wextra -I"$TOP/qemu/plugins" -Wl,-Ttext-segment=0x30000000 \
		-o "$tb/fncount-test" "$t/fncount-test.c" ||
		die "qemu/plugins/test/fncount-test.c does not build (gcc -static needs libc6-dev)"
	nm -n "$tb/fncount-test" >"$tb/fncount-test.map"
	echo "$tstamp" >"$tb/fncount-test.stamp"
fi
[ "$job" = fncount-vtd ] && "$TOP/scripts/modules.sh" "$k" tests/vtd-pri
extra=$BUILD/guest-extra/$k
mkdir -p "$extra/fncount" "$extra/guest/jobs"
cmp -s "$tb/fncount-test" "$extra/fncount/fncount-test" || cp "$tb/fncount-test" "$extra/fncount/fncount-test"
for j in "$t"/jobs/*.sh; do
	cmp -s "$j" "$extra/guest/jobs/$(basename "$j")" || cp "$j" "$extra/guest/jobs/"
done

args="out=$out,map=$obj/System.map,map=$tb/fncount-test.map"
case " $* " in
*" fns="* | *" fn="*) ;;
*) args+=",fns=$TOP/config/success-path.txt" ;;
esac
for a in "$@"; do
	case $a in *,*) die "plugin argument '$a' holds a comma (QEMU splits -plugin arguments on commas)" ;; esac
	args+=",$a"
done
# One vCPU unless FNCOUNT_SMP says otherwise: QEMU 10.2.2's plugin code
# generation gives every callback and inline op the index of the vCPU that
# translated the block, and corrupts a TCG constant doing so, whenever
# TCG runs round-robin (thread=single, so always with -icount) with more
# than one vCPU: wrong vCPUs, and crashes (qemu/plugins/README.md,
# "Limits"). FNCOUNT_SMP=2 is right only on a QEMU with that fixed.
smp=${FNCOUNT_SMP:-1}
rm -f "$out"
QEMU_EXTRA="${QEMU_EXTRA:+$QEMU_EXTRA }-smp $smp" QEMU_PLUGIN="$so,$args" \
	"$TOP/scripts/qemu.sh" "$k" icount "$job" "${out%.tsv}.log"
[ -s "$out" ] || die "the fncount plugin wrote no $out (console: ${out%.tsv}.log; did the job turn the region on and off?)"
grep -q '^# regions [1-9]' "$out" || die "no measured region in $out: the guest never executed the 'on' marker (qemu/plugins/fncount-marker.h)"
say "fncount: $k $job: ${out#"$TOP"/}"
