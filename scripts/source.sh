#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Unpack Debian's kernel source into $KREPO as a git repository whose first
# commit is the pristine tarball, tagged with the exact package version.
. "$(dirname "$0")/lib.sh"

if git -C "$KREPO" rev-parse -q --verify "refs/tags/$KTAG" >/dev/null 2>&1; then
	exit 0
fi
[ -r "$KTARBALL" ] || die "$KTARBALL missing; run: apt-get install $KPKG=$KPKG_VERSION"
have=$(dpkg-query -W -f='${Version}' "$KPKG" 2>/dev/null || true)
[ "$have" = "$KPKG_VERSION" ] ||
	die "$KPKG is '$have', the series is pinned to $KPKG_VERSION; run: apt-get install $KPKG=$KPKG_VERSION"

say "unpacking $KTARBALL ($KPKG $KPKG_VERSION) into $KREPO (about 2 minutes)"
rm -rf "$KREPO.tmp"
mkdir -p "$KREPO.tmp"
tar -C "$KREPO.tmp" --strip-components=1 -xJf "$KTARBALL"
cd "$KREPO.tmp"
git init -q -b pristine
git config user.name "iopf-notify pipeline"
git config user.email "pipeline@localhost"
git config gc.auto 0
say "committing the pristine tree"
# Debian's top-level .gitignore ignores everything: add with -f.
git add -f -A .
git commit -q -m "Debian $KPKG $KPKG_VERSION, pristine"
git tag "$KTAG"
cd "$TOP"
mv "$KREPO.tmp" "$KREPO"
say "pristine kernel tree ready: $KREPO ($KTAG)"
