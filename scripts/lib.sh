# SPDX-License-Identifier: GPL-2.0
# Common settings and helpers for every pipeline script. Sourced, never run.
# This is the one place that names the kernel version, the paths and the
# package list.

set -euo pipefail
shopt -s nullglob

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}

# The kernel we stand on: Debian's linux-source-7.2, pinned. The package is
# arch:all and lives in sid only; scripts/source.sh downloads it with a
# private apt configuration (apt_private below), never installing it.
# To move to another version: set KPKG_VERSION and KPKG_SHA256 (the
# package's SHA256 from `apt-cache show`), nothing else.
KPKG=linux-source-7.2
KPKG_VERSION=${KPKG_VERSION:-7.2.13-1}
KPKG_SHA256=${KPKG_SHA256:-30a8c5fc63f9028a62e6d7b3f7f43bee67425dbce2a05fceba83f9b87c92083d}
KPKG_SUITE=sid
KTARBALL_MEMBER=./usr/src/$KPKG.tar.xz
# git refs cannot hold '~'
KTAG=debian/${KPKG_VERSION//\~/_}

# The QEMU we build (scripts/qemu-build.sh): Debian's source package, pinned.
QEMU_VERSION=${QEMU_VERSION:-1:10.2.2+ds-1}
QEMU_ORIG_SHA256=${QEMU_ORIG_SHA256:-be05230fe47a6937cd29f28f562932c8125f9c93c2a82c625198f7a4aa601dfb}
QEMU_SUITE=sid
# What scripts/qemu-build.sh produces, the one place naming it: the binary
# and the firmware directory (SeaBIOS, linuxboot_dma.bin) given with -L.
QEMU_BIN=$BUILD/qemu/bin/qemu-system-x86_64
QEMU_FW=$BUILD/qemu/share/qemu

KREPO=$BUILD/linux           # pristine git repository (first commit = tarball)
KTREES=$BUILD/k              # one worktree per kernel tree: baseline, patched
CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
export CCACHE_DIR
# Kernel and module builds pass absolute paths (O=, srctree): hash them
# relative to the checkout, so that a fresh clone elsewhere (CI) hits the
# cache; the kernels build no debug info, so the directory itself need not
# be hashed either.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$TOP} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}

# Reproducible, ccache-friendly kernel builds.
export KBUILD_BUILD_TIMESTAMP="Thu Jan  1 00:00:00 UTC 2026"
export KBUILD_BUILD_USER=iopf KBUILD_BUILD_HOST=bench

JOBS=${JOBS:-$(nproc)}

# apt_private NAME SUITE...: a private apt configuration under
# $BUILD/apt/NAME naming only Debian's SUITEs (binary and source indexes),
# with its own lists and cache; sets the array APT_PRIVATE to the options
# that make apt-get/apt-cache use it. The system's apt sources are never
# read nor changed. The index is refreshed when older than a day.
apt_private() {
	local name=$1 d s
	shift
	d=$BUILD/apt/$name
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/etc/preferences.d"
	: >"$d/etc/sources.list.new"
	for s in "$@"; do
		printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian %s main\n' "$s"
		printf 'deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian %s main\n' "$s"
	done >"$d/etc/sources.list.new"
	if ! cmp -s "$d/etc/sources.list.new" "$d/etc/sources.list"; then
		mv "$d/etc/sources.list.new" "$d/etc/sources.list"
		rm -f "$d/updated"
	else
		rm -f "$d/etc/sources.list.new"
	fi
	APT_PRIVATE=(
		-o "Dir::Etc::SourceList=$d/etc/sources.list"
		-o "Dir::Etc::SourceParts=/dev/null"
		-o "Dir::Etc::PreferencesParts=$d/etc/preferences.d"
		-o "Dir::State::Lists=$d/lists"
		-o "Dir::Cache=$d/cache"
		-o "APT::Sandbox::User=root"
		-o "Acquire::Retries=3"
	)
	[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] ||
		die "no /usr/share/keyrings/debian-archive-keyring.gpg; run: apt-get install debian-archive-keyring"
	if [ -z "$(find "$d/updated" -mmin -1440 2>/dev/null)" ]; then
		say "apt ($name: $*): reading the package index"
		apt-get "${APT_PRIVATE[@]}" -q update >"$d/update.log" 2>&1 ||
			{ tail -n 15 "$d/update.log" >&2; die "apt-get update with the private configuration $d failed (above; log $d/update.log); check that deb.debian.org is reachable"; }
		touch "$d/updated"
	fi
}

say()  { printf '==> %s\n' "$*" >&2; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die()  { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# hash_of FILE|DIR...: one stable hash over the contents of the arguments
hash_of() {
	local f
	for f in "$@"; do
		if [ -d "$f" ]; then
			find "$f" -type f ! -name '*~' -print0 | LC_ALL=C sort -z |
				xargs -0 -r sha256sum
		elif [ -e "$f" ]; then
			sha256sum "$f"
		else
			echo "absent $f"
		fi
	done | sed "s|$TOP/||" | sha256sum | cut -c1-16
}

# worktree NAME: make $KTREES/NAME a git worktree of $KREPO (detached at
# $KTAG) if it is not one; unpacks the kernel source first if needed.
worktree() {
	local wt=$KTREES/$1
	"$TOP/scripts/source.sh"
	mkdir -p "$KTREES"
	[ -e "$wt/.git" ] && return 0
	rm -rf "$wt"
	git -C "$KREPO" worktree prune
	git -C "$KREPO" worktree add -q --detach "$wt" "$KTAG"
}

# The kernels we build: name -> tree and config flavour.
kernel_tree()   { case $1 in baseline-perf) echo baseline ;; patched-perf|patched-debug|patched-kcsan) echo patched ;; domainhook-perf) echo domainhook ;; mutant-kcsan) echo kcsan-mutant ;; *) die "unknown kernel '$1' (baseline-perf, patched-perf, patched-debug, patched-kcsan, domainhook-perf, mutant-kcsan)" ;; esac; }
kernel_flavour(){ echo "${1##*-}"; }
kernel_objdir() { echo "$KTREES/$(kernel_tree "$1")/obj-$(kernel_flavour "$1")"; }
