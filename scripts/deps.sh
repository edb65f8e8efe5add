#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages the pipeline needs (non-interactive), or say
# exactly which apt command to run when we cannot.
. "$(dirname "$0")/lib.sh"

# Debian 12 (bookworm) packages, from the system's apt sources.
PKGS=(
	build-essential flex bison bc libelf-dev libssl-dev cpio xz-utils kmod
	rsync ccache sparse python3 git dpkg-dev debian-archive-keyring
	busybox-static linux-perf rt-tests
	gnuplot-nox liburcu-dev valgrind b4 codespell python3-ply python3-git
	gcc-aarch64-linux-gnu
	# QEMU 10.2 build (scripts/qemu-build.sh)
	ninja-build pkg-config libglib2.0-dev
	zlib1g-dev python3-venv python3-setuptools seabios
	# the x86 option ROMs (linuxboot_dma.bin): gcc -m32/-m16 and the 32-bit
	# libgcc QEMU's configure links against. Not gcc-multilib: Debian has
	# it conflict with every cross gcc (gcc-aarch64-linux-gnu above).
	lib32gcc-12-dev
)
# Packages bookworm has too old: taken from bookworm-backports by name,
# through a private apt configuration (the system's sources stay as they are).
PKGS_BPO=(
	meson python3-pycotap
)

# installed NAME [MIN_VERSION]: true when NAME is installed (at >= MIN_VERSION)
installed() {
	local have
	have=$(dpkg-query -W -f='${Status} ${Version}' "$1" 2>/dev/null || true)
	case $have in
	"install ok installed"*) ;;
	*) return 1 ;;
	esac
	[ -z "${2:-}" ] || dpkg --compare-versions "${have##* }" ge "$2"
}

missing=()
for p in "${PKGS[@]}"; do
	installed "$p" || missing+=("$p")
done
missing_bpo=()
for p in "${PKGS_BPO[@]}"; do
	case $p in
	meson) installed meson 1.5 || missing_bpo+=("$p") ;;
	*) installed "$p" || missing_bpo+=("$p") ;;
	esac
done
[ ${#missing[@]} -eq 0 ] && [ ${#missing_bpo[@]} -eq 0 ] && exit 0

say "installing Debian packages: ${missing[*]} ${missing_bpo[*]:+(bookworm-backports: ${missing_bpo[*]})}"
if [ "$(id -u)" -ne 0 ]; then
	[ ${#missing[@]} -eq 0 ] || warn "run: sudo apt-get update && sudo apt-get install -y ${missing[*]}"
	[ ${#missing_bpo[@]} -eq 0 ] || warn "run (as root): scripts/deps.sh   (installs ${missing_bpo[*]} from bookworm-backports with a private apt configuration)"
	die "not root: cannot install the packages above"
fi
export DEBIAN_FRONTEND=noninteractive
mkdir -p "$BUILD"
log=$BUILD/apt.log
if [ ${#missing[@]} -gt 0 ]; then
	apt-get update -q >"$log" 2>&1 ||
		{ tail -n 20 "$log" >&2; die "apt-get update failed (above); check the apt sources and run: apt-get update"; }
	apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$log" 2>&1 ||
		{ tail -n 20 "$log" >&2; die "apt-get install failed (above); run by hand: apt-get install -y ${missing[*]}"; }
fi
if [ ${#missing_bpo[@]} -gt 0 ]; then
	apt_private bookworm-backports bookworm bookworm-backports
	apt-get "${APT_PRIVATE[@]}" install -y -q --no-install-recommends \
		-t bookworm-backports "${missing_bpo[@]}" >>"$log" 2>&1 ||
		{ tail -n 20 "$log" >&2; die "installing ${missing_bpo[*]} from bookworm-backports failed (above; log ${log#"$TOP"/})"; }
fi
say "installed: ${missing[*]} ${missing_bpo[*]} (log: ${log#"$TOP"/})"
