#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kbuild.sh KERNEL: prepare the tree, configure and build one kernel
# (baseline-perf, patched-perf, patched-debug) in its own object directory,
# through ccache. Nothing is rebuilt when neither tree nor config changed.
. "$(dirname "$0")/lib.sh"

k=${1:?usage: kbuild.sh KERNEL}
tree=$(kernel_tree "$k")
wt=$KTREES/$tree
obj=$(kernel_objdir "$k")

# One build per tree at a time (perf and debug flavours share a tree):
# concurrent callers wait here instead of rewriting files under a build.
mkdir -p "$KTREES"
exec 9>"$KTREES/.lock-$tree"
if ! flock -n 9; then
	say "kernel $k: waiting for another build of tree $tree"
	flock 9
fi

"$TOP/scripts/tree.sh" "$tree"
"$TOP/scripts/kconfig.sh" "$k"
# the kcsan flavour instruments only our files (scripts/kcsan-make-args.sh)
kvars=()
[ "$(kernel_flavour "$k")" = kcsan ] && mapfile -t kvars < <("$TOP/scripts/kcsan-make-args.sh")
stamp=$({ cat "$wt.stamp" "$obj/.config"; printf '%s\n' "${kvars[@]}"; } | sha256sum | cut -c1-16)
if [ -f "$obj/arch/x86/boot/bzImage" ] && [ "$(cat "$obj/.build-stamp" 2>/dev/null)" = "$stamp" ]; then
	say "kernel $k: up to date"
	exit 0
fi

command -v ccache >/dev/null || die "ccache missing; run: apt-get install ccache"
ccache -M 8G >/dev/null
log=$obj/build.log
say "kernel $k: building in ${obj#"$TOP"/} (log: ${log#"$TOP"/}; first build ~15-25 min on 2 cores, ccache-warm ~3 min)"
start=$(date +%s)
(
	while sleep 60; do
		n=$(grep -c '^  CC' "$log" 2>/dev/null || true)
		say "kernel $k: $n objects compiled, $(( $(date +%s) - start ))s"
	done
) &
ticker=$!
trap 'kill $ticker 2>/dev/null' EXIT
if ! make -C "$wt" O="$obj" CC="ccache gcc" -j"$JOBS" "${kvars[@]}" bzImage modules >"$log" 2>&1; then
	grep -E 'error:|Error [0-9]|undefined reference|\*\*\*' "$log" | head -n 20 >&2
	die "kernel $k: build failed (above: the first errors; full log ${log#"$TOP"/})"
fi
echo "$stamp" >"$obj/.build-stamp"
say "kernel $k: built in $(( $(date +%s) - start ))s ($(ccache -s 2>/dev/null | grep -iE 'hits|Hits:' | head -n 1 | tr -s ' '))"
