#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# export-series.sh [WORKTREE]: the reverse of series.sh, for developers.
# Takes the commits on top of the pristine tag in a kernel worktree
# (default build/k/dev), writes each as patches/NNNN-*.patch without the
# new files, copies the new files into src/ and include/, and rewrites
# patches/series.
. "$(dirname "$0")/lib.sh"

wt=${1:-$KTREES/dev}
[ -e "$wt/.git" ] || die "$wt is not a kernel worktree"
cd "$wt"
rm -f "$TOP"/patches/[0-9][0-9][0-9][0-9]-*.patch
: >"$TOP/patches/series.new"
n=0
for c in $(git rev-list --reverse "$KTAG"..HEAD); do
	n=$((n + 1))
	added=$(git diff-tree --no-commit-id --name-only --diff-filter=A -r "$c")
	excl=()
	for f in $added; do
		case $f in include/*) dst=$TOP/$f ;; *) dst=$TOP/src/$f ;; esac
		mkdir -p "$(dirname "$dst")"
		git show "$c:$f" >"$dst"
		excl+=(":(exclude)$f")
	done
	p=$(git format-patch --no-signature --start-number "$n" -1 "$c" -o "$TOP/patches" -- . "${excl[@]}")
	# empty context lines without their space (git am takes both): then
	# checkpatch also passes the file when it is run on it as a tracked file
	sed -i 's/^ $//' "$p"
	echo "$(basename "$p") $(echo $added)" >>"$TOP/patches/series.new"
done
mv "$TOP/patches/series.new" "$TOP/patches/series"
say "exported $n patches to patches/ (series list: patches/series)"
