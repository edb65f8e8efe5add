#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# rt.sh: the body of `make rt`: cyclictest on one CPU while the bench floods
# the other (guest job rt: idle, success, failure, mixed; with and without a
# failure notifier on the patched kernel), baseline-perf and patched-perf
# booted alternately A B A B (RT_RUNS pairs, default 2), then
# scripts/results/rt.py writes results/rt.md. Kernels are not built here
# (scripts/kbuild.sh); a kernel that is not built is an error.
# Environment: RT_RUNS (pairs, default 2), RT_ARGS (guest job arguments,
# e.g. "secs=30,interval=500"), RT_OUT (default build/rt).
# TARGET=host: run the same job on this machine, once (RT_RUNS times), on
# the kernel it booted: it must be our patched-perf build, whose bench module
# modules.sh builds (see perf-scripts/README.md); tag host-`uname -r`.
. "$(dirname "$0")/lib.sh"

runs=${RT_RUNS:-2}
out=${RT_OUT:-$BUILD/rt}
kernels=(baseline-perf patched-perf)
rm -rf "$out"
mkdir -p "$out/logs" "$out/files"

if [ "${TARGET:-qemu}" = host ]; then
	k=${RT_KERNEL:-patched-perf}
	"$TOP/scripts/modules.sh" "$k"
	command -v cyclictest >/dev/null || die "cyclictest missing; run: apt-get install rt-tests"
	for i in $(seq 1 "$runs"); do
		name=host-$(uname -r)-$i
		cut -d' ' -f1-3 /proc/loadavg >"$out/logs/$name.load"
		IFS=, read -r -a args <<<"tag=$name${RT_ARGS:+,$RT_ARGS}"
		GUEST_LIB=$TOP/guest/lib.sh BENCH_DIR=$BUILD/guest-extra/$k/bench \
			sh "$TOP/guest/jobs/rt.sh" "${args[@]}" | tee "$out/logs/$name.log" |
			grep -a '^@@RESULT' || true
		"$TOP/scripts/guest-files.py" "$out/logs/$name.log" "$out/files/$name" >/dev/null
	done
else
	for k in "${kernels[@]}"; do
		"$TOP/scripts/modules.sh" "$k"
	done
	for i in $(seq 1 "$runs"); do
		for k in "${kernels[@]}"; do
			name=$k-$i
			cut -d' ' -f1-3 /proc/loadavg >"$out/logs/$name.load"
			GUEST_ARGS="tag=$name${RT_ARGS:+,$RT_ARGS}" QEMU_TIMEOUT=${QEMU_TIMEOUT:-900} \
				"$TOP/scripts/qemu.sh" "$k" smp rt "$out/logs/$name.log"
			"$TOP/scripts/guest-files.py" "$out/logs/$name.log" "$out/files/$name" >/dev/null
		done
	done
fi
mkdir -p "$TOP/results"
python3 -B "$TOP/scripts/results/rt.py" "$out" >"$TOP/results/rt.md"
say "rt: results/rt.md written"
