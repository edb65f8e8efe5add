#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bisect-check.sh: build every patch of the series on its own (pristine +
# patches 1..i, perf config + the KUnit suite when it exists), then run
# sparse on the files the series touches and report warnings the series
# added. Uses its own worktree and object directory, through ccache.
. "$(dirname "$0")/lib.sh"

"$TOP/scripts/series.sh" --quiet
# the cover letter does not change what is built
stamp=$(hash_of $(ls "$BUILD"/series/*.patch | grep -v '/0000-cover-letter.patch$') \
	"$TOP/config/base.config" "$TOP/config/perf.config" "$TOP/config/arm64.config" "$0")
if [ "$(cat "$BUILD/bisect.stamp" 2>/dev/null)" = "$stamp" ]; then
	say "bisect-check: series unchanged since the last clean check"
	exit 0
fi
rm -f "$BUILD/bisect.stamp"
wt=$KTREES/bisect
obj=$wt/obj-perf
worktree bisect
commits=$(git -C "$KTREES/series" rev-list --reverse "$KTAG"..series)
n=$(echo "$commits" | wc -l)
frag=$(mktemp)
trap 'rm -f "$frag"' EXIT
cat "$TOP/config/base.config" "$TOP/config/perf.config" >"$frag"
echo CONFIG_IOPF_NOTIFY_KUNIT_TEST=y >>"$frag"

configure() {
	make -s -C "$wt" O="$obj" tinyconfig >/dev/null
	"$wt/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$frag" >/dev/null
	make -s -C "$wt" O="$obj" olddefconfig >/dev/null
}

touched=$(git -C "$KTREES/series" diff --name-only "$KTAG"..series -- '*.c' | grep -v arm-smmu-v3 || true)
sparse_run() { # sparse_run LABEL: sparse warnings of the touched files
	local objs=() f
	for f in $touched; do [ -e "$wt/$f" ] && objs+=("${f%.c}.o"); done
	make -C "$wt" O="$obj" CC="ccache gcc" C=2 -j"$JOBS" "${objs[@]}" 2>&1 |
		grep -E '^[^ ]+:[0-9]+:[0-9]+: (warning|error):' |
		sed -E 's/:[0-9]+:[0-9]+:/:/' | sort -u >"$BUILD/sparse-$1.txt" || true
}

command -v sparse >/dev/null || die "sparse missing; run: apt-get install sparse"
git -C "$wt" checkout -q -f "$KTAG"
configure
say "bisect-check: sparse on the pristine tree (baseline warnings)"
sparse_run pristine

i=0
for c in $commits; do
	i=$((i + 1))
	git -C "$wt" checkout -q -f "$c"
	configure
	subj=$(git -C "$wt" log -1 --format=%s)
	say "bisect-check: [$i/$n] building: $subj"
	log=$BUILD/bisect-$i.log
	if ! make -C "$wt" O="$obj" CC="ccache gcc" -j"$JOBS" vmlinux modules >"$log" 2>&1; then
		grep -E 'error:|Error [0-9]' "$log" | head -n 20 >&2
		die "patch $i ($subj) does not build on its own; log: ${log#"$TOP"/}"
	fi
	warn=$(grep -E 'warning:' "$log" | grep -F -f <(git -C "$wt" diff --name-only "$c~1" "$c") || true)
	[ -z "$warn" ] || { printf '%s\n' "$warn" >&2; die "patch $i ($subj) adds compiler warnings"; }
done
say "bisect-check: sparse on the series"
sparse_run series
new=$(comm -13 "$BUILD/sparse-pristine.txt" "$BUILD/sparse-series.txt")
if [ -n "$new" ]; then
	printf '%s\n' "$new" >&2
	die "sparse: the series adds the warnings above"
fi
# arm64 cross build of the full series: SMMUv3 (not buildable on x86) and
# the generic code it links with, compiled with the kernel's warnings on
cross=aarch64-linux-gnu-
command -v ${cross}gcc >/dev/null || die "${cross}gcc missing; run: apt-get install gcc-aarch64-linux-gnu"
aobj=$wt/obj-arm64
say "bisect-check: arm64 cross build of the series (SMMUv3, fault core, notifier, uacce)"
amake() { make -C "$wt" O="$aobj" ARCH=arm64 CROSS_COMPILE=$cross CC="ccache ${cross}gcc" "$@"; }
mkdir -p "$aobj"
# aconfig [OPT...]: tinyconfig + config/arm64.config for the tree as it is
# checked out, each OPT checked (the pristine tree lacks the series'
# options, so the series is configured again after it)
aconfig() {
	amake -s tinyconfig >/dev/null
	"$wt/scripts/kconfig/merge_config.sh" -m -O "$aobj" "$aobj/.config" "$TOP/config/arm64.config" >/dev/null
	amake -s olddefconfig >/dev/null
	for opt in "$@"; do
		grep -qx "$opt" "$aobj/.config" || die "arm64 config lost $opt (config/arm64.config needs a dependency)"
	done
}
series_opts=(CONFIG_ARM_SMMU_V3=y CONFIG_ARM_SMMU_V3_SVA=y CONFIG_IOMMU_IOPF=y CONFIG_IOPF_NOTIFY_KUNIT_TEST=y CONFIG_UACCE=y)
aobjs=(drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.o drivers/iommu/iopf-notify.o
	drivers/iommu/iopf-notify-reg.o
	drivers/iommu/io-pgfault.o drivers/iommu/iommu-sva.o drivers/iommu/iommu.o
	drivers/misc/uacce/uacce.o)
for f in "$wt"/drivers/iommu/iopf_notify_kunit*.c; do
	[ -e "$f" ] && aobjs+=("drivers/iommu/$(basename "${f%.c}").o")
done
# arm64_warnings LABEL: build the objects, keep the compiler and sparse
# warnings of the touched files (line numbers dropped)
arm64_warnings() {
	local log=$BUILD/bisect-arm64-$1.log
	if ! amake -j"$JOBS" C=1 "${aobjs[@]}" >"$log" 2>&1; then
		grep -E 'error:|Error [0-9]' "$log" | head -n 20 >&2
		die "arm64 build ($1) failed; log: ${log#"$TOP"/}"
	fi
	grep -E '^[^ ]+:[0-9]+:[0-9]+: (warning|error):' "$log" |
		sed -E 's/:[0-9]+:[0-9]+:/:/' | sort -u >"$BUILD/arm64-$1.txt" || true
}
last=$(git -C "$wt" rev-parse HEAD)
git -C "$wt" checkout -q -f "$KTAG"
aconfig CONFIG_ARM_SMMU_V3=y CONFIG_IOMMU_IOPF=y CONFIG_UACCE=y
pristine_objs=()
for f in "${aobjs[@]}"; do [ -e "$wt/${f%.o}.c" ] && pristine_objs+=("$f"); done
all_objs=("${aobjs[@]}")
aobjs=("${pristine_objs[@]}")
arm64_warnings pristine
git -C "$wt" checkout -q -f "$last"
aconfig "${series_opts[@]}"
aobjs=("${all_objs[@]}")
arm64_warnings series
anew=$(comm -13 "$BUILD/arm64-pristine.txt" "$BUILD/arm64-series.txt")
[ -z "$anew" ] || { printf '%s\n' "$anew" >&2; die "arm64 build: the series adds the warnings above (compiler or sparse)"; }
say "bisect-check: arm64: ${#aobjs[@]} objects built, the series adds no compiler or sparse warning"

echo "$stamp" >"$BUILD/bisect.stamp"
say "bisect-check: all $n patches build on their own; sparse adds no warning ($(wc -l <"$BUILD/sparse-series.txt") pre-existing in touched files)"
