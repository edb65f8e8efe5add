#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# profile.sh: the body of `make profile`: boot baseline-perf and patched-perf
# with guest job profile (perf-scripts/ record, report, stat -r N, ftrace
# function_graph, per flood mode), take the files it sends back
# (scripts/guest-files.py), make the flame graphs on the host
# (perf-scripts/flamegraph.sh: perf's flamegraph and stackcollapse reports
# with the guest's kallsyms; perf-scripts/diff-flamegraph.sh: baseline vs
# patched) into results/profile/, and results/profile.md with
# scripts/results/profile.py; a PNG of each graph where `chromium` is
# installed. Kernels are not built here (scripts/kbuild.sh).
# Environment: PROFILE_ARGS (guest job arguments, e.g.
# "modes=success,rounds=80,stat=10"; modes are joined with +),
# PROFILE_OUT (default build/profile).
# TARGET=host: run the job on this machine (it must have booted our
# patched-perf kernel, see perf-scripts/README.md), with FLOOD="CMD" to
# profile a real device's workload (the real dmarN-prq thread) instead of
# the bench; the results are named host-`uname -r`.
. "$(dirname "$0")/lib.sh"

out=${PROFILE_OUT:-$BUILD/profile}
res=$TOP/results/profile
kernels=(baseline-perf patched-perf)
"$TOP/perf-scripts/deps.sh"
rm -rf "$out" "$res"
mkdir -p "$out/logs" "$res"

if [ "${TARGET:-qemu}" = host ]; then
	k=${PROFILE_KERNEL:-patched-perf}
	"$TOP/scripts/modules.sh" "$k"
	name=host-$(uname -r)
	IFS=, read -r -a args <<<"tag=$name${PROFILE_ARGS:+,$PROFILE_ARGS}"
	GUEST_LIB=$TOP/guest/lib.sh BENCH_DIR=$BUILD/guest-extra/$k/bench \
		PERF_SCRIPTS=$TOP/perf-scripts \
		sh "$TOP/guest/jobs/profile.sh" "${args[@]}" >"$out/logs/$name.log"
	names=("$name")
else
	names=()
	for k in "${kernels[@]}"; do
		"$TOP/scripts/modules.sh" "$k"
		GUEST_ARGS="tag=$k${PROFILE_ARGS:+,$PROFILE_ARGS}" QEMU_TIMEOUT=${QEMU_TIMEOUT:-1200} \
			"$TOP/scripts/qemu.sh" "$k" smp profile "$out/logs/$k.log"
		names+=("$k")
	done
fi

for n in "${names[@]}"; do
	"$TOP/scripts/guest-files.py" "$out/logs/$n.log" "$out/$n" >/dev/null
	for d in "$out/$n"/*.data; do
		m=$(basename "$d" .data)
		say "profile: flame graph $n $m"
		"$TOP/perf-scripts/flamegraph.sh" "$d" "$res/flame-$n-$m" "$out/$n/kallsyms" >/dev/null
	done
done
if [ ${#names[@]} -eq 2 ]; then
	for f in "$res/flame-${names[1]}"-*.folded; do
		m=${f##*/flame-"${names[1]}"-}
		m=${m%.folded}
		b=$res/flame-${names[0]}-$m.folded
		[ -f "$b" ] && "$TOP/perf-scripts/diff-flamegraph.sh" "$b" "$f" "$res/diff-$m.html" >/dev/null
	done
fi
# a picture of each graph, where headless Chromium is installed
if command -v chromium >/dev/null; then
	for h in "$res"/*.html; do
		timeout 120 chromium --headless --no-sandbox --disable-gpu --window-size=1300,800 \
			--virtual-time-budget=3000 --screenshot="${h%.html}.png" "file://$h" >/dev/null 2>&1 ||
			warn "no screenshot of ${h#"$TOP"/}"
	done
fi
python3 -B "$TOP/scripts/results/profile.py" "$out" "$res" "${names[@]}" >"$TOP/results/profile.md"
say "profile: results/profile.md and results/profile/ written"
