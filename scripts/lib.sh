# SPDX-License-Identifier: GPL-2.0
# Common settings and helpers for every pipeline script. Sourced, never run.
# This is the one place that names the kernel version, the paths and the
# package list.

set -euo pipefail
shopt -s nullglob

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}

# The kernel we stand on: Debian's linux-source-6.12, pinned.
KPKG=linux-source-6.12
KPKG_VERSION=6.12.117-1~deb12u1
KTARBALL=/usr/src/linux-source-6.12.tar.xz
# git refs cannot hold '~'
KTAG=debian/${KPKG_VERSION//\~/_}

KREPO=$BUILD/linux           # pristine git repository (first commit = tarball)
KTREES=$BUILD/k              # one worktree per kernel tree: baseline, patched
CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
export CCACHE_DIR

# Reproducible, ccache-friendly kernel builds.
export KBUILD_BUILD_TIMESTAMP="Thu Jan  1 00:00:00 UTC 2026"
export KBUILD_BUILD_USER=iopf KBUILD_BUILD_HOST=bench

JOBS=${JOBS:-$(nproc)}

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
kernel_tree()   { case $1 in baseline-perf) echo baseline ;; patched-perf|patched-debug) echo patched ;; domainhook-perf) echo domainhook ;; *) die "unknown kernel '$1' (baseline-perf, patched-perf, patched-debug, domainhook-perf)" ;; esac; }
kernel_flavour(){ echo "${1##*-}"; }
kernel_objdir() { echo "$KTREES/$(kernel_tree "$1")/obj-$(kernel_flavour "$1")"; }
