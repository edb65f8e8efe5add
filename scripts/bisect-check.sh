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
	"$TOP/config/base.config" "$TOP/config/perf.config" "$0")
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
echo "$stamp" >"$BUILD/bisect.stamp"
say "bisect-check: all $n patches build on their own; sparse adds no warning ($(wc -l <"$BUILD/sparse-series.txt") pre-existing in touched files)"
