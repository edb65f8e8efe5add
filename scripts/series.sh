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


def section(title):
    """The body of the RESULTS.md section whose heading starts with title."""
    m = re.search(r"^## " + re.escape(title) + r".*?\n(.*?)(?=^## |\Z)", text,
                  re.S | re.M)
    return m.group(1) if m else ""


# for a mail: short headers, medians only, no elapsed-time column
SHORT = {"failure mode": "mode", "response latency p50": "latency p50",
         "callbacks per failed group": "cb/group"}
DROP = ("per fault (elapsed)", "per fault")


def table(lines):
    """A Markdown table as aligned plain text, two spaces in, narrowed."""
    rows = [cells(r) for r in lines if not re.match(r"^\|[-: |]+\|$", r)]
    rows = [[re.sub(r" \([^)]*\)$", "", c.replace("**", "").replace("`", ""))
             .replace("domain hook", "hook") for c in r] for r in rows]
    keep = [i for i, h in enumerate(rows[0]) if h not in DROP]
    rows = [[r[i] for i in keep if i < len(r)] for r in rows]
    rows[0] = [SHORT.get(h, h) for h in rows[0]]
    width = [max(len(r[i]) for r in rows if i < len(r))
             for i in range(max(len(r) for r in rows))]
    return ["  " + "  ".join(c.ljust(width[i]) for i, c in enumerate(r)).rstrip()
            for r in rows]


def text_of(md):
    """Paragraphs wrapped, tables aligned, code blocks kept."""
    out, tab, code = [], [], False
    for line in md.splitlines() + [""]:
        if line.startswith("```"):
            code = not code
            continue
        if code:
            out.append("  " + line)
            continue
        if line.startswith("|"):
            tab.append(line)
            continue
        if tab:
            out += table(tab) + [""]
            tab = []
        if line.startswith("- "):
            out.append(para(line[2:].replace("**", "").replace("`", "")))
        elif line.strip():
            out.append(para(line.replace("**", "").replace("`", ""), ""))
        elif out and out[-1]:
            out.append("")
    return out


nums, designs = [], []
if text:
    date = re.search(r"^\| date \| ([^|]+) \|", text, re.M)
    nums.append(para("From the last `make bench` (%s), in QEMU/TCG: icount figures"
                     " are guest instructions, exact; wall-clock figures of the"
                     " emulation are not used here." % (date.group(1).strip() if date else "?"), ""))
    nums.append("")
    nums += [para(l[2:].replace("**", "").replace("`", ""))
             for l in section("Verdicts").splitlines() if l.startswith("- ")]
    size = section("Size")
    if size:
        nums += ["", "Code size, scripts/bloat-o-meter baseline -> patched (bytes):"]
        obj = None
        for line in size.splitlines():
            if line.startswith("### "):
                obj = line[4:].replace("drivers/iommu/", "")
            elif obj and line.startswith(("add/remove", "new in")):
                nums.append("  %-18s %s" % (obj, line.split(": ", 1)[-1]))
    designs = text_of(section("RID slots against the domain hook"))
if not nums:
    nums.append("(no RESULTS.md yet: run make bench)")
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
