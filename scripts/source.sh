#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch Debian's pinned linux-source package ($KPKG $KPKG_VERSION, suite
# $KPKG_SUITE) with a private apt configuration, check its SHA256, and
# unpack its tarball into $KREPO as a git repository whose first commit is
# the pristine tree, tagged $KTAG. Nothing is installed; the system's apt
# sources are not touched. Does nothing when the tag exists.
. "$(dirname "$0")/lib.sh"

if git -C "$KREPO" rev-parse -q --verify "refs/tags/$KTAG" >/dev/null 2>&1; then
	exit 0
fi
command -v git >/dev/null || die "git missing; run: scripts/deps.sh (or apt-get install git)"

dl=$BUILD/dl
deb=$dl/${KPKG}_${KPKG_VERSION#*:}_all.deb
mkdir -p "$dl"
if [ ! -f "$deb" ] || [ "$(sha256sum "$deb" | cut -d' ' -f1)" != "$KPKG_SHA256" ]; then
	apt_private "$KPKG_SUITE" "$KPKG_SUITE"
	served=$(apt-cache "${APT_PRIVATE[@]}" madison "$KPKG" 2>/dev/null | awk -F'|' '{gsub(/ /, "", $2); print $2}' | sort -uV | tr '\n' ' ')
	case " $served " in
	*" $KPKG_VERSION "*) ;;
	*) die "$KPKG $KPKG_VERSION is not served by Debian $KPKG_SUITE; served: ${served:-none}
       set KPKG_VERSION (and KPKG_SHA256, from: apt-cache show $KPKG) in scripts/lib.sh or the environment" ;;
	esac
	say "downloading $KPKG $KPKG_VERSION from Debian $KPKG_SUITE (164 MB)"
	rm -f "$deb"
	(cd "$dl" && apt-get "${APT_PRIVATE[@]}" -q download "$KPKG=$KPKG_VERSION") >"$dl/download.log" 2>&1 ||
		{ tail -n 15 "$dl/download.log" >&2; die "apt-get download $KPKG=$KPKG_VERSION failed (above; log ${dl#"$TOP"/}/download.log)"; }
	[ -f "$deb" ] || die "apt-get download left no $deb (log ${dl#"$TOP"/}/download.log)"
	got=$(sha256sum "$deb" | cut -d' ' -f1)
	if [ "$got" != "$KPKG_SHA256" ]; then
		mv "$deb" "$deb.bad"
		die "$deb has SHA256 $got, pinned KPKG_SHA256=$KPKG_SHA256 (kept as $deb.bad); if Debian rebuilt the package, check it and set KPKG_SHA256"
	fi
	say "$KPKG $KPKG_VERSION: SHA256 matches the pin"
fi

say "unpacking $KPKG $KPKG_VERSION into ${KREPO#"$TOP"/} (about 2 minutes)"
rm -rf "$KREPO.tmp"
mkdir -p "$KREPO.tmp"
dpkg-deb --fsys-tarfile "$deb" | tar -xO "$KTARBALL_MEMBER" |
	tar -C "$KREPO.tmp" --strip-components=1 -xJ ||
	die "could not unpack $KTARBALL_MEMBER from $deb (disk full? see above)"
[ -f "$KREPO.tmp/Makefile" ] || die "$KTARBALL_MEMBER of $deb held no kernel tree"
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
say "pristine kernel tree ready: ${KREPO#"$TOP"/} ($KTAG, $(make -s -C "$KREPO" kernelversion 2>/dev/null))"
