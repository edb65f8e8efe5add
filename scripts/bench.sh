#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bench.sh: the body of `make bench`. From a fresh clone it builds what it
# needs and writes RESULTS.md.
#  1. build baseline-perf, patched-perf and domainhook-perf
#     (scripts/kbuild.sh), our QEMU (scripts/qemu-build.sh) and the fncount
#     plugin (scripts/qemu-plugin.sh); the modules and helpers of bench/ and
#     tests/vtd-pri/ for each kernel (scripts/modules.sh);
#  2. the main matrix (guest job "bench", parts mock+prq): the kernels
#     booted alternately, A B C A B C ..., BENCH_ICOUNT_RUNS times in icount
#     mode (deterministic: 1 ns == 1 instruction, so few runs are needed)
#     and BENCH_SMP_RUNS times in smp mode (wall clock: indications);
#  3. scaling (patched-perf, icount): QEMU_SMP of BENCH_CPUS (part scale),
#     notifier ring sizes of BENCH_RINGS (part drop);
#  4. exact counts: one boot per scenario under the fncount plugin
#     (part exact), BENCH_EXACT_RUNS boots of the success path per kernel
#     to show they are identical;
#  5. scripts/results/bench.py writes RESULTS.md with the verdicts of
#     bench/goals.txt and prints "goals: N met, N missed"; a missed goal,
#     or a failed run, fails the script.
# Environment: BENCH_ICOUNT_RUNS (default 2), BENCH_SMP_RUNS (default 3),
# BENCH_CPUS (default "1 4 8"), BENCH_RINGS (default "16 128 1024"),
# BENCH_EXACT_RUNS (default 2), BENCH_ARGS (extra guest job arguments,
# e.g. "quick"), BENCH_BUILD (0: do not build kernels), BENCH_OUT (logs,
# default build/bench), BENCH_PARTS (default "main scale exact").
. "$(dirname "$0")/lib.sh"

icount_runs=${BENCH_ICOUNT_RUNS:-2}
smp_runs=${BENCH_SMP_RUNS:-3}
cpus_list=${BENCH_CPUS:-1 4 8}
rings=${BENCH_RINGS:-16 128 1024}
exact_runs=${BENCH_EXACT_RUNS:-2}
parts=${BENCH_PARTS:-main scale exact}
out=${BENCH_OUT:-$BUILD/bench}
# A: baseline, B: the series, C: the domain-hook alternative
kernels=(baseline-perf patched-perf domainhook-perf)
t0=$(date +%s)
elapsed() { local s=$(( $(date +%s) - t0 )); printf '%dm%02ds' $((s / 60)) $((s % 60)); }
step() { say "bench [$(elapsed)]: $*"; }

step "building what is missing (kernels, QEMU, plugin, modules)"
if [ "${BENCH_BUILD:-1}" = 1 ]; then
	"$TOP/scripts/deps.sh"
	for k in "${kernels[@]}"; do
		"$TOP/scripts/kbuild.sh" "$k" || warn "kernel $k failed to build; it is skipped"
	done
fi
"$TOP/scripts/qemu-build.sh"
plugin=
if [ -f "$TOP/scripts/qemu-plugin.sh" ] && [ -f "$TOP/qemu/plugins/fncount/plugin.c" ]; then
	plugin=$("$TOP/scripts/qemu-plugin.sh" --path) ||
		die "the fncount plugin did not build (above); the exact counts need it (or run BENCH_PARTS=\"main scale\")"
else
	warn "no fncount plugin (scripts/qemu-plugin.sh, qemu/plugins/fncount/) in this checkout: no exact counts, their goals are missed"
	parts=${parts//exact/}
fi

# a part run again replaces its own logs only (BENCH_PARTS=exact after a
# full run adds the exact counts)
mkdir -p "$out/logs" "$out/exact"
has_part() { case " $parts " in *" $1 "*) return 0 ;; esac; return 1; }
has_part main && rm -f "$out"/logs/*-icount-[0-9]*.log* "$out"/logs/*-smp-*.log*
has_part scale && rm -f "$out"/logs/*-icount-cpus*.log* "$out"/logs/*-icount-ring*.log*
has_part exact && rm -f "$out"/logs/*-exact-*.log* "$out"/exact/*.tsv

ready=()
for k in "${kernels[@]}"; do
	obj=$(kernel_objdir "$k")
	if [ ! -f "$obj/.build-stamp" ] || [ ! -f "$obj/arch/x86/boot/bzImage" ]; then
		warn "kernel $k is not built (no ${obj#"$TOP"/}/.build-stamp): skipped; build it with scripts/kbuild.sh $k"
		continue
	fi
	"$TOP/scripts/modules.sh" "$k" bench tests/vtd-pri
	ready+=("$k")
done
[ ${#ready[@]} -gt 0 ] || die "no kernel to benchmark: build them with scripts/kbuild.sh baseline-perf patched-perf domainhook-perf"
[ ${#ready[@]} -eq 3 ] || warn "only ${ready[*]} built: some comparisons are missing this time"
is_ready() { printf '%s\n' "${ready[@]}" | grep -qx "$1"; }

# what RESULTS.md states about the environment
{
	echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "kernel_package=$KPKG $KPKG_VERSION (Linux $(make -s -C "$KREPO" kernelversion 2>/dev/null))"
	echo "qemu=$("$QEMU_BIN" --version | sed -n 1p) (ours: Debian's $QEMU_VERSION + qemu/patches, scripts/qemu-build.sh)"
	echo "host_cpu=$(grep -m 1 "model name" /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
	echo "host_cpus=$(nproc)"
	echo "host_kernel=$(uname -r)"
	echo "gcc=$(gcc --version | sed -n 1p)"
	echo "runs=icount $icount_runs, smp $smp_runs per kernel (main matrix); exact $exact_runs per kernel (success path)"
	for k in "${ready[@]}"; do
		obj=$(kernel_objdir "$k")
		echo "config_$k=$(sha256sum "$obj/.config" | cut -c1-16)"
		echo "tree_$k=$(git -C "$KTREES/$(kernel_tree "$k")" rev-parse --short HEAD)"
	done
	echo "qemu_machine=q35, -cpu max,la57=off, 2 vCPUs (scaling: 1/4/8), 2 GiB, intel-iommu with page requests, iopf-pri-test (scripts/qemu.sh)"
} >"$out/env.txt"

# bloat-o-meter on the objects the series touches
: >"$out/bloat.txt"
a=$(kernel_objdir baseline-perf)
b=$(kernel_objdir patched-perf)
if is_ready baseline-perf && is_ready patched-perf; then
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
	{ echo "### vmlinux"; "$KREPO/scripts/bloat-o-meter" "$a/vmlinux" "$b/vmlinux" | sed -n 1p; } >>"$out/bloat.txt"
fi

failed=0
nboot=0
# boot KERNEL MODE NAME ARGS [VAR=VALUE...]: one guest of the benchmark
boot() {
	local k=$1 mode=$2 name=$3 args=$4 log
	shift 4
	log=$out/logs/$k-$name.log
	nboot=$((nboot + 1))
	step "boot $nboot: $k $mode ($name)"
	if ! env "$@" GUEST_ARGS="$args${BENCH_ARGS:+,$BENCH_ARGS}" \
		QEMU_TIMEOUT=${QEMU_TIMEOUT:-1800} \
		"$TOP/scripts/qemu.sh" "$k" "$mode" bench "$log"; then
		warn "run $k $name failed (log ${log#"$TOP"/}); its results are not used"
		mv "$log" "$log.failed"
		failed=$((failed + 1))
	fi
}
if has_part main; then
	for mode in icount smp; do
		n=$icount_runs
		[ $mode = smp ] && n=$smp_runs
		for i in $(seq 1 "$n"); do
			for k in "${ready[@]}"; do
				boot "$k" "$mode" "$mode-$i" "tag=$k-$mode-$i,part=mock+prq"
			done
		done
	done
fi

if has_part scale && is_ready patched-perf; then
	for c in $cpus_list; do
		boot patched-perf icount "icount-cpus$c-1" "tag=patched-perf-icount-cpus$c-1,part=scale" QEMU_SMP="$c"
	done
	for r in $rings; do
		boot patched-perf icount "icount-ring$r-1" "tag=patched-perf-icount-ring$r-1,part=drop" \
			QEMU_APPEND="iopf_notify.ring_size=$r"
	done
fi

# exact: one scenario per boot, the plugin's region around its timed part.
# smp mode: this QEMU crashes in generated code with the plugin under
# -icount (seen with 10.2.2 + fncount); instruction counts do not need the
# virtual clock
exact_boot() {
	local k=$1 scen=$2 run=$3 obj tsv
	obj=$(kernel_objdir "$k")
	tsv=$out/exact/$k-$scen-$run.tsv
	boot "$k" smp "exact-$scen-$run" "tag=$k-exact-$scen-$run,part=exact,exact=$scen" \
		QEMU_PLUGIN="$plugin,out=$tsv,map=$obj/System.map,fns=$TOP/config/success-path.txt,fn=handle_mm_fault,fn=__iopf_report_failure,fn=iopf_notify_work,fn=iommu_fault_failed_call,fn=iommu_fault_failed_work,fn=xa_load,fn=ktime_get_ns,fn=queue_work_on"
	[ -f "$tsv" ] || warn "no exact counts from $k $scen (${tsv#"$TOP"/} missing)"
}
if has_part exact; then
	for i in $(seq 1 "$exact_runs"); do
		for k in baseline-perf patched-perf; do
			is_ready $k && exact_boot $k prq-success "$i"
		done
	done
	is_ready baseline-perf && exact_boot baseline-perf mock-fail-ro 1
	if is_ready patched-perf; then
		for s in mock-fail-ro mock-enq-idle mock-enq-pending; do
			exact_boot patched-perf $s 1
		done
	fi
	if is_ready domainhook-perf; then
		exact_boot domainhook-perf mock-fail-ro-sync 1
		exact_boot domainhook-perf mock-fail-ro-defer 1
	fi
fi

step "reducing $nboot boots ($failed failed) into RESULTS.md"
echo "elapsed=$(elapsed) for $nboot boots (builds included)" >>"$out/env.txt"
rc=0
python3 -B "$TOP/scripts/results/bench.py" --logs "$out/logs" --exact "$out/exact" \
	--env "$out/env.txt" --bloat "$out/bloat.txt" --goals "$TOP/bench/goals.txt" \
	--success-path "$TOP/config/success-path.txt" --sections "$TOP/results" \
	--out "$TOP/RESULTS.md" || rc=$?
step "RESULTS.md written ($failed failed boots)"
[ $failed -eq 0 ] || die "$failed benchmark boots failed; see build/bench/logs/*.failed"
[ $rc -eq 0 ] || die "a goal of bench/goals.txt was missed (the MISSED lines of RESULTS.md's Verdicts)"
