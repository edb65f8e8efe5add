#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mutant-kernel.sh: the mutant kernel of the exact-measurement checks:
# baseline-perf plus ONE added instruction on the success path (a "nop"
# in iopf_group_response(), before it calls the driver's page_response).
# Built in its own build directory, $BUILD/gate-mutant, laid out like
# $BUILD (k/baseline/obj-perf, qemu -> $BUILD/qemu) so that the pipeline
# scripts run on it unchanged with BUILD=$BUILD/gate-mutant and kernel
# name baseline-perf:
#   BUILD=build/gate-mutant scripts/qemu.sh baseline-perf icount JOB LOG
# The tree is a copy of the baseline tree (sources hard-linked, but the
# mutated file; the object directory copied with its timestamps), so the
# build through ccache recompiles that one object and relinks. Rebuilt
# only when baseline-perf or this script changed. Prints the mutant's
# vmlinux.
. "$(dirname "$0")/lib.sh"

m=$BUILD/gate-mutant
base=$KTREES/baseline
file=drivers/iommu/io-pgfault.c
# the mutation: before this line (in iopf_group_response(), once in the file)
anchor='	ops->page_response(dev, &group->last_fault, &resp);'
"$TOP/scripts/kbuild.sh" baseline-perf >&2
stamp=$(hash_of "$base/obj-perf/.build-stamp" "$0")
wt=$m/k/baseline
if [ "$(cat "$m/.stamp" 2>/dev/null)" = "$stamp" ] && [ -f "$wt/obj-perf/vmlinux" ]; then
	echo "$wt/obj-perf/vmlinux"
	exit 0
fi
[ "$(grep -cxF "$anchor" "$base/$file")" = 1 ] ||
	die "the mutation's anchor line is not once in $file of the baseline tree (its code changed?): update the anchor in $0"

say "mutant: copying the baseline tree into ${m#"$TOP"/}"
rm -rf "$m"
mkdir -p "$m/k"
cp -al "$base" "$wt.tmp"
rm -rf "$wt.tmp/obj-perf"
cp -a "$base/obj-perf" "$wt.tmp/obj-perf"
# a new file, not the hard link: the baseline tree stays untouched
awk -v a="$anchor" '$0 == a { print "\tasm volatile(\"nop\");\t/* MUTANT: one added instruction */" } { print }' \
	"$base/$file" >"$wt.tmp/$file.new"
mv -f "$wt.tmp/$file.new" "$wt.tmp/$file"
grep -q 'MUTANT: one added instruction' "$wt.tmp/$file" || die "the mutation was not applied to $file"
mv "$wt.tmp" "$wt"
ln -sfn "$BUILD/qemu" "$m/qemu"

log=$wt/obj-perf/mutant-build.log
say "mutant: building (log ${log#"$TOP"/})"
command -v ccache >/dev/null || die "ccache missing; run: apt-get install ccache"
make -C "$wt" O=obj-perf CC="ccache gcc" -j"$JOBS" bzImage modules >"$log" 2>&1 ||
	{ grep -E 'error:|Error [0-9]' "$log" | head -n 20 >&2; die "the mutant kernel does not build (log ${log#"$TOP"/})"; }
ncc=$(grep -c '^  CC ' "$log" || true)
say "mutant: built; objects compiled: $ncc ($(grep '^  CC ' "$log" | grep -v -e '\.mod\.o' -e 'version\.o' -e kallsyms | awk '{print $2}' | tr '\n' ' '))"
echo "$stamp" >"$m/.stamp"
echo "$wt/obj-perf/vmlinux"
