#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# modules.sh KERNEL: build the bench/ modules (iopf_bench, iopf_torture,
# iopf_uacce) and the static user-space programs against KERNEL, into
# build/guest-extra/KERNEL/bench/, which scripts/initramfs.sh puts into that
# kernel's guest, with a copy of perf-scripts/; and the VT-d page request
# test (tests/vtd-pri/: iopf_pri_test.ko and iopf-pri-user) into
# build/guest-extra/KERNEL/vtd-pri/. The one place that builds our
# out-of-tree code for the guests. Each part is rebuilt only when its
# inputs changed.
. "$(dirname "$0")/lib.sh"

k=${1:?usage: modules.sh KERNEL}
tree=$KTREES/$(kernel_tree "$k")
obj=$(kernel_objdir "$k")
[ -f "$obj/.build-stamp" ] || die "kernel $k is not built; run: scripts/kbuild.sh $k"
m=$BUILD/mod/$k
extra=$BUILD/guest-extra/$k/bench

# vtd_pri: tests/vtd-pri, the driver of QEMU's iopf-pri-test device and its
# user program, into build/guest-extra/KERNEL/vtd-pri/
vtd_pri() {
	local src=$TOP/tests/vtd-pri vm=$BUILD/mod/$k-vtd-pri
	local vextra=$BUILD/guest-extra/$k/vtd-pri vstamp
	vstamp=$(hash_of "$src" "$obj/.build-stamp" "$0")
	[ "$(cat "$vm/.stamp" 2>/dev/null)" = "$vstamp" ] && [ -d "$vextra" ] && return 0
	rm -rf "$vm" "$vextra"
	mkdir -p "$vm" "$vextra"
	cp "$src/Kbuild" "$src/iopf_pri_test.c" "$src/iopf-pri-test.h" "$vm/"
	say "modules: building tests/vtd-pri against $k"
	make -s -C "$tree" O="$(basename "$obj")" M="$vm" modules >"$vm/build.log" 2>&1 ||
		{ cat "$vm/build.log" >&2; die "tests/vtd-pri/iopf_pri_test.c does not build against $k (log above)"; }
	cp "$vm/iopf_pri_test.ko" "$vextra/"
	gcc -static -O2 -Wall -Wextra -I"$src" -o "$vextra/iopf-pri-user" "$src/iopf-pri-user.c" ||
		die "tests/vtd-pri/iopf-pri-user.c does not build (gcc -static needs libc6-dev)"
	echo "$vstamp" >"$vm/.stamp"
	say "modules: $(cd "$vextra" && echo *) for $k"
}
vtd_pri

stamp=$(hash_of "$TOP/bench" "$TOP/perf-scripts" "$obj/.build-stamp" "$0")
[ "$(cat "$m/.stamp" 2>/dev/null)" = "$stamp" ] && [ -d "$extra" ] && exit 0

rm -rf "$m" "$extra" "$BUILD/guest-extra/$k/perf-scripts"
mkdir -p "$m" "$extra"
# a private copy: kbuild writes its objects next to the sources
cp "$TOP"/bench/Kbuild "$TOP"/bench/*.h "$m/"
for f in "$TOP"/bench/*.c; do
	case $f in */iopf-*-user.c) ;; *) cp "$f" "$m/" ;; esac
done
say "modules: building bench/ modules against $k"
make -s -C "$tree" O="$(basename "$obj")" M="$m" modules >"$m/build.log" 2>&1 ||
	{ cat "$m/build.log" >&2; die "the bench/ modules do not build against $k (log above)"; }
cp "$m"/*.ko "$extra/"

# user space, static for the busybox guest, against this kernel's uAPI
make -s -C "$tree" O="$(basename "$obj")" INSTALL_HDR_PATH="$m/hdr" headers_install >"$m/hdr.log" 2>&1 ||
	{ cat "$m/hdr.log" >&2; die "headers_install failed for $k"; }
cflags=(-static -O2 -Wall -Wextra -I"$m/hdr/include" -I"$TOP/bench")
gcc "${cflags[@]}" -o "$extra/iopf-bench-user" "$TOP/bench/iopf-bench-user.c" -lm ||
	die "bench/iopf-bench-user.c does not build (gcc -static needs libc6-dev)"
if grep -q UACCE_CMD_GET_FAULT "$m/hdr/include/misc/uacce/uacce.h" 2>/dev/null; then
	gcc "${cflags[@]}" -o "$extra/iopf-uacce-user" "$TOP/bench/iopf-uacce-user.c" ||
		die "bench/iopf-uacce-user.c does not build against $k"
fi
# perf-scripts/ for the profile and rt jobs, as /perf-scripts
cp -r "$TOP/perf-scripts" "$BUILD/guest-extra/$k/perf-scripts"
echo "$stamp" >"$m/.stamp"
say "modules: $(cd "$extra" && echo *) for $k"
