#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tree.sh baseline|patched|domainhook|kcsan-mutant
#   baseline:   pristine + fixes (patches/fixes/) + test-only patches
#               (patches/test-only/)
#   patched:    baseline + the upstream series
#   kcsan-mutant: patched + scripts/kcsan-mutant.sed on iopf-notify.c (a
#               barrier removed; scripts/kcsan.sh proves KCSAN reports it)
#   domainhook: baseline + patches/alt-domain-hook/ (the alternative design,
#               measured against the series; never upstream)
# patches/fixes/ holds fixes of upstream bugs that the series' tests found,
# sent upstream on their own; every tree has them, so that the A/B/C
# comparison measures the series alone.
# Each is a git worktree of $KREPO under $KTREES/<name>. A tree whose inputs
# did not change is left alone, so kbuild sees no new mtimes.
. "$(dirname "$0")/lib.sh"

name=${1:?usage: tree.sh baseline|patched|domainhook|kcsan-mutant}
wt=$KTREES/$name
series_inputs=("$TOP/patches/series" "$TOP"/patches/*.patch "$TOP/src" "$TOP/include")
common=("$TOP/patches/fixes" "$TOP/patches/test-only")
case $name in
baseline) inputs=("${common[@]}") ;;
patched)  inputs=("${common[@]}" "${series_inputs[@]}") ;;
kcsan-mutant) inputs=("${common[@]}" "${series_inputs[@]}" "$TOP/scripts/kcsan-mutant.sed") ;;
domainhook) inputs=("${common[@]}" "$TOP/patches/alt-domain-hook") ;;
*) die "unknown tree '$name' (baseline, patched, domainhook, kcsan-mutant)" ;;
esac
stamp=$(hash_of "${inputs[@]}" "$TOP/scripts/tree.sh" "$TOP/scripts/series.sh")
[ -f "$wt.stamp" ] && [ "$(cat "$wt.stamp")" = "$stamp" ] && [ -e "$wt/.git" ] && exit 0

worktree "$name"
cd "$wt"
git am --abort >/dev/null 2>&1 || true
# Only files that differ are rewritten: kbuild rebuilds just what changed.
git checkout -q -f -B "$name" "$KTAG"
git clean -q -fdx -e '/obj-*'

# am_all LABEL PATCH...: apply with git am, naming the patch and hunk that fail
am_all() {
	local label=$1 p out
	shift
	for p in "$@"; do
		if ! out=$(git am -q "$p" 2>&1); then
			git am --abort >/dev/null 2>&1 || true
			rm -f "$wt.stamp"
			printf '%s\n' "$out" | grep -E '^(error|Patch failed|Applying)' >&2 || printf '%s\n' "$out" >&2
			die "$label patch does not apply to $KTAG: ${p#"$TOP"/}
       (the lines above name the failing file and hunk; refresh the patch against build/linux tag $KTAG)"
		fi
	done
}

fx=("$TOP"/patches/fixes/*.patch)
if [ ${#fx[@]} -gt 0 ]; then
	say "tree $name: applying ${#fx[@]} fixes (patches/fixes/)"
	am_all fixes "${fx[@]}"
fi
# Test-only patches (patches/test-only/, applied to every tree, never sent
# upstream): none is needed on this base today; the mechanism stays.
tp=("$TOP"/patches/test-only/*.patch)
if [ ${#tp[@]} -gt 0 ]; then
	say "tree $name: applying ${#tp[@]} test-only patches"
	am_all test-only "${tp[@]}"
fi
if [ "$name" = domainhook ]; then
	say "tree $name: applying the domain-hook alternative"
	am_all domain-hook "$TOP"/patches/alt-domain-hook/*.patch
fi
if [ "$name" = patched ] || [ "$name" = kcsan-mutant ]; then
	"$TOP/scripts/series.sh" --quiet
	say "tree $name: applying the series"
	am_all series $(ls "$BUILD"/series/*.patch | grep -v '/0000-cover-letter.patch$')
fi
if [ "$name" = kcsan-mutant ]; then
	f=drivers/iommu/iopf-notify.c
	sed -i -f "$TOP/scripts/kcsan-mutant.sed" "$f"
	[ "$(git diff --numstat -- "$f" | cut -f1)" = 1 ] ||
		{ rm -f "$wt.stamp"; die "scripts/kcsan-mutant.sed did not change exactly one line of $f: the code moved; update the sed"; }
	git -c user.name=mutant -c user.email=mutant@invalid commit -q -a -m "MUTANT: scripts/kcsan-mutant.sed"
fi
echo "$stamp" >"$wt.stamp"
say "tree $name ready at $wt ($(git log --oneline "$KTAG"..HEAD | wc -l) commits on $KTAG)"
