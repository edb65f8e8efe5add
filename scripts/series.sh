#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# series.sh [--quiet]: assemble the upstream series into $BUILD/series/.
#
# patches/series lists the series in order, one patch per line, followed by
# the kernel paths of the new files that patch adds. New files live here
# only once: include/... in include/, everything else under src/. Each
# patch is applied to the pristine tree, its new files are copied in, and
# git format-patch writes the result with patches/cover-letter.txt.
. "$(dirname "$0")/lib.sh"

quiet=${1:-}
wt=$KTREES/series
out=$BUILD/series
list=$TOP/patches/series
[ -f "$list" ] || die "patches/series missing"
stamp=$(hash_of "$list" "$TOP/patches/cover-letter.txt" "$TOP"/patches/*.patch "$TOP/src" "$TOP/include" "$0")
[ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$stamp" ] && exit 0

"$TOP/scripts/source.sh"
mkdir -p "$KTREES"
if [ ! -e "$wt/.git" ]; then
	rm -rf "$wt"
	git -C "$KREPO" worktree prune
	git -C "$KREPO" worktree add -q --detach "$wt" "$KTAG"
fi
cd "$wt"
git am --abort >/dev/null 2>&1 || true
git checkout -q -f -B series "$KTAG"
git clean -q -fdx

src_of() {
	case $1 in
	include/*) echo "$TOP/$1" ;;
	*) echo "$TOP/src/$1" ;;
	esac
}

n=0
while read -r patch files; do
	case $patch in ''|'#'*) continue ;; esac
	n=$((n + 1))
	[ -f "$TOP/patches/$patch" ] || die "patches/series names patches/$patch, which does not exist"
	if ! msg=$(git am -q "$TOP/patches/$patch" 2>&1); then
		git am --abort >/dev/null 2>&1 || true
		printf '%s\n' "$msg" | grep -E '^(error|Patch failed)' >&2 || printf '%s\n' "$msg" >&2
		die "patches/$patch does not apply to $KTAG (see the failing file and hunk above)"
	fi
	for f in $files; do
		s=$(src_of "$f")
		[ -f "$s" ] || die "patches/series: $patch adds $f, but ${s#"$TOP"/} does not exist"
		mkdir -p "$(dirname "$f")"
		cp "$s" "$f"
		git add -f "$f"
	done
	[ -z "$files" ] || git commit -q --amend --no-edit
done <"$list"

# every file in src/ and include/ must belong to exactly one patch
for f in $(cd "$TOP" && find src include -type f | sed 's|^src/||' | sort); do
	grep -qw -- "$f" "$list" || die "$f is in the project but no patch in patches/series adds it"
done

rm -rf "$out"
mkdir -p "$out"
git format-patch -q --cover-letter --thread=shallow -o "$out" "$KTAG"..HEAD
# fill the cover letter from patches/cover-letter.txt: first line is the subject
cl=$out/0000-cover-letter.patch
subj=$(head -n 1 "$TOP/patches/cover-letter.txt")
python3 - "$cl" "$TOP/patches/cover-letter.txt" "$subj" <<'PY'
import sys
path, body_path, subj = sys.argv[1:]
text = open(path).read()
body = open(body_path).read().split("\n", 1)[1].strip("\n")
text = text.replace("*** SUBJECT HERE ***", subj).replace("*** BLURB HERE ***", body)
open(path, "w").write(text)
PY
echo "$stamp" >"$out/.stamp"
[ "$quiet" = --quiet ] || say "series: $n patches + cover letter in ${out#"$TOP"/}"
