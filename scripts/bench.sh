#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bench.sh: the body of `make bench`.
#  1. (BENCH_BUILD=1, the default) build baseline-perf and patched-perf with
#     scripts/kbuild.sh; a kernel that is still not built is skipped with a
#     message, the other one still runs;
#  2. build bench/iopf_bench.ko against each kernel and the static helper
#     bench/iopf-bench-user, put both into build/guest-extra/KERNEL/bench/;
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
kernels=(baseline-perf patched-perf)

if [ "${BENCH_BUILD:-1}" = 1 ]; then
	"$TOP/scripts/deps.sh"
	for k in "${kernels[@]}"; do
		"$TOP/scripts/kbuild.sh" "$k" || warn "kernel $k failed to build; it is skipped"
	done
fi

rm -rf "$out/logs" "$out/mod"
mkdir -p "$out/logs" "$out/mod"

say "bench: building the helper (static)"
gcc -static -O2 -Wall -Wextra -o "$out/iopf-bench-user" "$TOP/bench/iopf-bench-user.c" -lm ||
	die "the helper bench/iopf-bench-user.c does not build (gcc -static needs libc6-dev)"

ready=()
for k in "${kernels[@]}"; do
	tree=$KTREES/$(kernel_tree "$k")
	obj=$(kernel_objdir "$k")
	if [ ! -f "$obj/.build-stamp" ] || [ ! -f "$obj/arch/x86/boot/bzImage" ]; then
		warn "kernel $k is not built yet (no ${obj#"$TOP"/}/.build-stamp): skipped; build it with scripts/kbuild.sh $k"
		continue
	fi
	# a private copy: kbuild writes its objects next to the sources
	m=$out/mod/$k
	mkdir -p "$m"
	cp "$TOP"/bench/Kbuild "$TOP"/bench/*.c "$TOP"/bench/*.h "$m/"
	rm -f "$m/iopf-bench-user.c"
	say "bench: building iopf_bench.ko against $k"
	make -s -C "$tree" O="$(basename "$obj")" M="$m" modules >"$m/build.log" 2>&1 ||
		{ cat "$m/build.log" >&2; die "iopf_bench.ko does not build against $k"; }
	extra=$BUILD/guest-extra/$k/bench
	rm -rf "$extra"
	mkdir -p "$extra"
	cp "$m/iopf_bench.ko" "$out/iopf-bench-user" "$extra/"
	ready+=("$k")
done
[ ${#ready[@]} -gt 0 ] || die "no kernel to benchmark: build them with scripts/kbuild.sh baseline-perf and patched-perf"
[ ${#ready[@]} -eq 2 ] || warn "only ${ready[*]} is built: no patched/baseline ratio this time"

# what RESULTS.md states about the environment
{
	echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "kernel_package=$KPKG $KPKG_VERSION"
	echo "qemu=$(qemu-system-x86_64 --version | head -n 1)"
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
if [ ${#ready[@]} -eq 2 ]; then
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

python3 -B "$TOP/bench/reduce.py" --logs "$out/logs" --env "$out/env.txt" \
	--bloat "$out/bloat.txt" --plots "$TOP/results" --out "$TOP/RESULTS.md"
say "bench: RESULTS.md written ($failed failed runs)"
[ $failed -eq 0 ] || die "$failed benchmark runs failed; see build/bench/logs/*.failed"
