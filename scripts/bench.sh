#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bench.sh: the body of `make bench`.
#  1. (BENCH_BUILD=1, the default) build baseline-perf and patched-perf with
#     scripts/kbuild.sh; a kernel that is still not built is skipped with a
#     message, the other one still runs;
#  2. build the bench/ modules and static helpers against each kernel
#     (scripts/modules.sh), into build/guest-extra/KERNEL/bench/;
#  3. boot the kernels alternately, A B A B ..., BENCH_RUNS times each, in
#     every mode of BENCH_MODES (icount: deterministic, 1 ns == 1
#     instruction; smp: wall clock) with guest job "bench";
#  4. bench/reduce.py turns the logs into RESULTS.md (+ results/*.svg).
# Environment: BENCH_RUNS (default 5), BENCH_MODES (default "icount smp"),
# BENCH_ARGS (extra guest job arguments, e.g. "pages=128,rounds=4" or
# "quick"), BENCH_BUILD (0: do not build kernels), BENCH_OUT (logs,
# default build/bench).
. "$(dirname "$0")/lib.sh"

runs=${BENCH_RUNS:-5}
modes=${BENCH_MODES:-icount smp}
out=${BENCH_OUT:-$BUILD/bench}
# A: baseline, B: the series, C: the domain-hook alternative (issue 7)
kernels=(baseline-perf patched-perf domainhook-perf)

if [ "${BENCH_BUILD:-1}" = 1 ]; then
	"$TOP/scripts/deps.sh"
	for k in "${kernels[@]}"; do
		"$TOP/scripts/kbuild.sh" "$k" || warn "kernel $k failed to build; it is skipped"
	done
fi

rm -rf "$out/logs"
mkdir -p "$out/logs"

ready=()
for k in "${kernels[@]}"; do
	obj=$(kernel_objdir "$k")
	if [ ! -f "$obj/.build-stamp" ] || [ ! -f "$obj/arch/x86/boot/bzImage" ]; then
		warn "kernel $k is not built yet (no ${obj#"$TOP"/}/.build-stamp): skipped; build it with scripts/kbuild.sh $k"
		continue
	fi
	"$TOP/scripts/modules.sh" "$k"
	ready+=("$k")
done
[ ${#ready[@]} -gt 0 ] || die "no kernel to benchmark: build them with scripts/kbuild.sh baseline-perf and patched-perf"
[ ${#ready[@]} -eq 3 ] || warn "only ${ready[*]} built: some comparisons are missing this time"

# what RESULTS.md states about the environment
"$TOP/scripts/qemu-build.sh"
{
	echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "kernel_package=$KPKG $KPKG_VERSION"
	echo "qemu=$("$QEMU_BIN" --version | head -n 1) (ours: scripts/qemu-build.sh)"
	echo "host_cpu=$(grep -m 1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
	echo "host_cpus=$(nproc)"
	echo "host_kernel=$(uname -r)"
	echo "gcc=$(gcc --version | head -n 1)"
	echo "runs=$runs"
	echo "modes=$modes"
	echo "guest_args=${BENCH_ARGS:-}"
	for k in "${ready[@]}"; do
		obj=$(kernel_objdir "$k")
		echo "config_$k=$(sha256sum "$obj/.config" | cut -c1-16)"
		echo "tree_$k=$(git -C "$KTREES/$(kernel_tree "$k")" rev-parse --short HEAD)"
	done
	echo "qemu_machine=q35, -cpu max, 2 vCPUs, 2 GiB, intel-iommu (scripts/qemu.sh)"
} >"$out/env.txt"

# bloat-o-meter on the objects the series touches
: >"$out/bloat.txt"
if [ -f "$(kernel_objdir baseline-perf)/vmlinux" ] && [ -f "$(kernel_objdir patched-perf)/vmlinux" ]; then
	a=$(kernel_objdir baseline-perf)
	b=$(kernel_objdir patched-perf)
	for o in drivers/iommu/io-pgfault.o drivers/iommu/iommu-sva.o drivers/iommu/iommu.o \
		 drivers/iommu/intel/prq.o drivers/iommu/iopf-notify.o; do
		{
			echo "### $o"
			if [ -f "$a/$o" ] && [ -f "$b/$o" ]; then
				"$KREPO/scripts/bloat-o-meter" "$a/$o" "$b/$o"
			elif [ -f "$b/$o" ]; then
				echo "new in the patched kernel: $(size "$b/$o" | tail -n 1 | awk '{print "text="$1, "data="$2, "bss="$3}')"
			else
				echo "(not built)"
			fi
		} >>"$out/bloat.txt"
	done
	{
		echo "### vmlinux"
		"$KREPO/scripts/bloat-o-meter" "$a/vmlinux" "$b/vmlinux" | awk "NR == 1"
	} >>"$out/bloat.txt"
fi

failed=0
for mode in $modes; do
	for i in $(seq 1 "$runs"); do
		for k in "${ready[@]}"; do
			log=$out/logs/$k-$mode-$i.log
			if ! GUEST_ARGS="tag=$k-$mode-$i${BENCH_ARGS:+,$BENCH_ARGS}" \
				QEMU_TIMEOUT=${QEMU_TIMEOUT:-1800} \
				"$TOP/scripts/qemu.sh" "$k" "$mode" bench "$log"; then
				warn "run $k $mode #$i failed (log ${log#"$TOP"/}); its results are not used"
				mv "$log" "$log.failed"
				failed=$((failed + 1))
			fi
		done
	done
done

if printf '%s\n' "${ready[@]}" | grep -qx domainhook-perf; then
	python3 -B "$TOP/bench/compare.py" --logs "$out/logs" --out "$TOP/results/design-comparison.md" ||
		warn "no RID-slot vs domain-hook comparison this time"
fi
python3 -B "$TOP/bench/reduce.py" --logs "$out/logs" --env "$out/env.txt" \
	--bloat "$out/bloat.txt" --plots "$TOP/results" --out "$TOP/RESULTS.md"
say "bench: RESULTS.md written ($failed failed runs)"
[ $failed -eq 0 ] || die "$failed benchmark runs failed; see build/bench/logs/*.failed"
