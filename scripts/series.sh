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
stamp=$( (git -C "$TOP" config user.name; git -C "$TOP" config user.email; hash_of "$list" "$TOP/patches/cover-letter.txt" "$TOP/RESULTS.md" "$TOP"/patches/*.patch "$TOP/patches/fixes" "$TOP/src" "$TOP/include" "$0") | sha256sum | cut -c1-16)
[ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$stamp" ] && exit 0

# Author and Signed-off-by of every patch: the git identity of whoever
# assembles the series (no placeholder identity is ever sent)
me_name=$(git -C "$TOP" config user.name || true)
me_email=$(git -C "$TOP" config user.email || true)
[ -n "$me_name" ] && [ -n "$me_email" ] ||
	die "no git identity for the series' author and Signed-off-by; run: git config --global user.name 'Your Name'; git config --global user.email you@example.org"
export GIT_AUTHOR_NAME="$me_name" GIT_AUTHOR_EMAIL="$me_email"
export GIT_COMMITTER_NAME="$me_name" GIT_COMMITTER_EMAIL="$me_email"

worktree series
cd "$wt"
git am --abort >/dev/null 2>&1 || true
git checkout -q -f -B series "$KTAG"
git clean -q -fdx

# The fixes of upstream bugs (patches/fixes/) go first and are sent on
# their own; the series is based on them.
for p in "$TOP"/patches/fixes/*.patch; do
	if ! msg=$(git am -q "$p" 2>&1); then
		git am --abort >/dev/null 2>&1 || true
		printf '%s\n' "$msg" | grep -E '^(error|Patch failed)' >&2 || printf '%s\n' "$msg" >&2
		die "${p#"$TOP"/} does not apply to $KTAG (see the failing file and hunk above)"
	fi
	git commit -q --amend --no-edit --reset-author --signoff
done
base=$(git rev-parse HEAD)

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
	# the MAINTAINERS entry names whoever sends the series
	if grep -q '@@MAINTAINER@@' MAINTAINERS; then
		sed -i "s|@@MAINTAINER@@|$me_name <$me_email>|" MAINTAINERS
		git add MAINTAINERS
	fi
	git commit -q --amend --no-edit --reset-author --signoff
done <"$list"

# every file in src/ and include/ must belong to exactly one patch
for f in $(cd "$TOP" && find src include -type f | sed 's|^src/||' | sort); do
	grep -qw -- "$f" "$list" || die "$f is in the project but no patch in patches/series adds it"
done

rm -rf "$out"
mkdir -p "$out"
[ "$base" = "$(git rev-parse "$KTAG")" ] ||
	git format-patch -q -o "$out/fixes" "$KTAG".."$base"
git format-patch -q --cover-letter --thread=shallow -o "$out" "$base"..HEAD
# fill the cover letter from patches/cover-letter.txt: first line is the
# subject; @@NUMBERS@@ becomes the success-path verdicts and code size of
# the last `make bench` (RESULTS.md), never typed by hand
cl=$out/0000-cover-letter.patch
python3 - "$cl" "$TOP/patches/cover-letter.txt" "$TOP/RESULTS.md" <<'PY'
import os
import re
import sys
import textwrap
path, body_path, results = sys.argv[1:]
subj, body = open(body_path).read().split("\n", 1)
text = open(results).read() if os.path.exists(results) else ""


def para(line, indent=" - "):
    return textwrap.fill(line, width=72, initial_indent=indent,
                         subsequent_indent=" " * len(indent))


def cells(row):
    return [c.strip() for c in row.strip().strip("|").split("|")]


nums = []
if text:
    date = re.search(r"\| date \(UTC\) \| ([^|]+) \|", text)
    nums.append(para("From the last `make bench` (%s; QEMU TCG, emulated; icount:"
                     " 1 ns == 1 instruction):" % (date.group(1).strip() if date else "?"), ""))
    for line in text.splitlines():
        if line.startswith("- ") and "icount" in line and (
                "success path" in line or "fault-side cost" in line):
            nums.append(para(line[2:].replace("**", "").replace("`", "")))
    m = re.search(r"## Code size.*?```\n(.*?)```", text, re.S)
    if m:
        nums.append(" - code size, scripts/bloat-o-meter baseline -> patched (bytes):")
        obj = None
        for line in m.group(1).splitlines():
            if line.startswith("### "):
                obj = line[4:].replace("drivers/iommu/", "")
            elif obj and line.startswith("add/remove"):
                nums.append("     %-16s %s" % (obj, line.split("up/down: ")[-1]))
            elif obj and line.startswith("new in"):
                nums.append("     %-16s new: %s" % (obj, line.split(": ", 1)[-1]))
else:
    nums.append("(no RESULTS.md yet: run make bench)")

designs = []
sect = re.search(r"## RID slots vs a domain-local hook.*?(?=\n## |\Z)", text, re.S)
if sect:
    lines = sect.group(0).splitlines()
    for i, line in enumerate(lines):
        if line.startswith("### Cost per fault"):
            designs.append("Instructions per fault, ratio to baseline (icount, emulated):")
            designs.append("  %-44s %10s %10s" % ("", "RID slots", "dom. hook"))
            for row in lines[i + 1:]:
                if row.startswith("### "):
                    break
                c = cells(row) if row.startswith("|") else []
                if len(c) == 4 and (c[0].startswith("success") or "fail-ro, registered" in c[0]):
                    r = [x.split("(")[1].split("x")[0] + "x" if "(" in x else x for x in c[2:]]
                    designs.append("  %-44s %10s %10s" % (c[0].replace("device registered", "registered")[:44], r[0], r[1]))
            designs.append("")
        if line.startswith("### Which failures"):
            designs.append("Notifications per failed group (measured):")
            designs.append("  %-44s %10s %10s" % ("", "RID slots", "dom. hook"))
            for row in lines[i + 1:]:
                if row.startswith("### "):
                    break
                c = cells(row) if row.startswith("|") else []
                if len(c) == 3 and re.match(r"^[0-9.]+", c[1]):
                    designs.append("  %-44s %10s %10s" % (c[0][:44], c[1], c[2].split(" ")[0]))
            designs.append("  %-44s %10s %10s" % ("request rejected by the IOMMU driver",
                                                  "reported", "unseen"))
if not designs:
    designs.append("(no comparison in RESULTS.md yet: run make bench)")
body = body.strip("\n").replace("@@NUMBERS@@", "\n".join(nums))
body = body.replace("@@DESIGNS@@", "\n".join(designs).rstrip())
out = open(path).read()
out = out.replace("*** SUBJECT HERE ***", subj).replace("*** BLURB HERE ***", body)
open(path, "w").write(out)
PY
echo "$stamp" >"$out/.stamp"
[ "$quiet" = --quiet ] || say "series: $n patches + cover letter in ${out#"$TOP"/}"
