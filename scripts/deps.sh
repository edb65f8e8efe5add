#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages the pipeline needs (non-interactive), or say
# exactly which apt command to run when we cannot.
. "$(dirname "$0")/lib.sh"

PKGS=(
	"$KPKG=$KPKG_VERSION"
	build-essential flex bison bc libelf-dev libssl-dev cpio xz-utils kmod
	rsync ccache sparse python3 git
	qemu-system-x86 busybox-static linux-perf rt-tests
	gnuplot-nox liburcu-dev valgrind b4 codespell python3-ply python3-git
)

missing=()
for p in "${PKGS[@]}"; do
	name=${p%%=*}
	want=${p#*=}
	have=$(dpkg-query -W -f='${Status} ${Version}' "$name" 2>/dev/null || true)
	case $have in
	"install ok installed"*)
		[ "$name" = "$want" ] || [ "${have##* }" = "$want" ] || missing+=("$p")
		;;
	*) missing+=("$p") ;;
	esac
done
[ ${#missing[@]} -eq 0 ] && exit 0

say "installing Debian packages: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	die "not root; run: sudo apt-get update && sudo apt-get install -y ${missing[*]}"
fi
export DEBIAN_FRONTEND=noninteractive
mkdir -p "$BUILD"
log=$BUILD/apt.log
apt-get update -q >"$log" 2>&1 ||
	{ tail -n 20 "$log" >&2; die "apt-get update failed (above); check the apt sources and run: apt-get update"; }
apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$log" 2>&1 ||
	{ tail -n 20 "$log" >&2; die "apt-get install failed (above); run by hand: apt-get install -y ${missing[*]}"; }
say "installed: ${missing[*]} (log: ${log#"$TOP"/})"
