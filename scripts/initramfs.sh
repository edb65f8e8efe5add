#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# initramfs.sh KERNEL OUT.cpio: the guest's initramfs, as two concatenated
# newc archives (the kernel unpacks both):
#   build/initramfs/base.cpio      busybox-static, Debian's perf and rt-tests'
#                                  cyclictest with their shared libraries, and
#                                  guest/ (guest/init is /init); the same for
#                                  every kernel
#   build/initramfs/KERNEL/overlay.cpio
#                                  that kernel's modules (if it has any) and
#                                  build/guest-extra/KERNEL/ (bench modules,
#                                  helpers)
# Each part is rebuilt only when the hash of its inputs changed; OUT is
# rewritten only when its content changes.
. "$(dirname "$0")/lib.sh"

k=${1:?usage: initramfs.sh KERNEL OUT.cpio}
out=${2:?usage: initramfs.sh KERNEL OUT.cpio}
tree=$KTREES/$(kernel_tree "$k")
obj=$(kernel_objdir "$k")
dir=$BUILD/initramfs
extra=$BUILD/guest-extra/$k
mkdir -p "$dir/$k"

command -v cpio >/dev/null || die "cpio missing; run: apt-get install cpio (or scripts/deps.sh)"

# --- the binaries of the base archive
busybox=/bin/busybox
[ -x "$busybox" ] || die "$busybox missing; run: apt-get install busybox-static"
ldd "$busybox" >/dev/null 2>&1 && die "$busybox is dynamically linked (busybox, not busybox-static?); run: apt-get install busybox-static"

# Debian's /usr/bin/perf is either the real binary or (other releases) a
# wrapper script exec'ing /usr/bin/perf_X.Y: take the real ELF binary.
perf=
cands=(/usr/bin/perf_*)
for p in $(printf '%s\n' "${cands[@]}" | sort -rV) /usr/bin/perf; do
	if [ -x "$p" ] && [ "$(head -c 4 "$p" | tail -c 3)" = ELF ]; then
		perf=$p
		break
	fi
done
[ -n "$perf" ] || die "no perf binary (/usr/bin/perf_* or an ELF /usr/bin/perf); run: apt-get install linux-perf"
cyclictest=$(command -v cyclictest || true)
[ -n "$cyclictest" ] || die "cyclictest missing; run: apt-get install rt-tests"

# libs_of BIN...: the shared libraries and ELF interpreter BIN needs (ldd)
libs_of() {
	ldd "$@" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && $2 ~ /^\(/ { print $1 }' | sort -u
}
libs=$(libs_of "$perf" "$cyclictest")
[ -n "$libs" ] || die "ldd found no libraries for $perf $cyclictest (is ldd from libc-bin there?)"

base=$dir/base.cpio
stamp=$(hash_of "$busybox" "$perf" "$cyclictest" $libs "$TOP/guest" "$0")
if [ ! -f "$base" ] || [ "$(cat "$base.stamp" 2>/dev/null)" != "$stamp" ]; then
	say "initramfs: building the base archive (busybox, $(basename "$perf"), cyclictest, guest/)"
	st=$dir/base.tmp
	rm -rf "$st"
	mkdir -p "$st"/{bin,sbin,usr/bin,usr/sbin,lib,proc,sys,dev,tmp,root,etc,guest}
	cp "$busybox" "$st/bin/busybox"
	# every applet as a symlink, where it lives on a busybox system
	for a in $("$busybox" --list-full); do
		[ -e "$st/$a" ] || [ -L "$st/$a" ] || { mkdir -p "$st/$(dirname "$a")"; ln -s /bin/busybox "$st/$a"; }
	done
	cp "$perf" "$st/usr/bin/perf.tmp" && mv -f "$st/usr/bin/perf.tmp" "$st/usr/bin/perf"
	cp "$cyclictest" "$st/usr/bin/cyclictest"
	for l in $libs; do
		mkdir -p "$st$(dirname "$l")"
		cp -L "$l" "$st$l"
	done
	cp -r "$TOP/guest/." "$st/guest/"
	mv "$st/guest/init" "$st/init"
	chmod 755 "$st/init"
	echo 'root:x:0:0:root:/root:/bin/sh' >"$st/etc/passwd"
	echo 'root:x:0:' >"$st/etc/group"
	(cd "$st" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$base.tmp"
	mv "$base.tmp" "$base"
	echo "$stamp" >"$base.stamp"
	rm -rf "$st"
	say "initramfs: base archive $(du -h "$base" | cut -f1)"
fi

# --- the per-kernel overlay: modules and build/guest-extra/KERNEL/
overlay=$dir/$k/overlay.cpio
[ -f "$obj/arch/x86/boot/bzImage" ] || die "kernel $k is not built ($obj/arch/x86/boot/bzImage missing); run: scripts/kbuild.sh $k"
kos=()
if [ -s "$obj/modules.order" ]; then
	mapfile -t kos < <(sed 's/\.o$/.ko/' "$obj/modules.order" | sed "s|^|$obj/|")
fi
ostamp=$(hash_of "${kos[@]}" "$obj/modules.order" "$extra" "$0")
if [ ! -f "$overlay" ] || [ "$(cat "$overlay.stamp" 2>/dev/null)" != "$ostamp" ]; then
	st=$dir/$k/overlay.tmp
	rm -rf "$st"
	mkdir -p "$st"
	if [ ${#kos[@]} -gt 0 ]; then
		say "initramfs: installing the ${#kos[@]} modules of $k"
		make -s -C "$tree" O="$obj" INSTALL_MOD_PATH="$st" INSTALL_MOD_STRIP=1 modules_install >/dev/null ||
			die "modules_install of $k failed; rebuild the kernel with: scripts/kbuild.sh $k"
	fi
	if [ -d "$extra" ]; then
		cp -r "$extra/." "$st/"
	fi
	(cd "$st" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$overlay.tmp"
	mv "$overlay.tmp" "$overlay"
	echo "$ostamp" >"$overlay.stamp"
	say "initramfs: $k overlay: ${#kos[@]} modules, $(find "$st" -type f | wc -l) files"
	rm -rf "$st"
fi

cat "$base" "$overlay" >"$out.tmp"
if cmp -s "$out.tmp" "$out"; then
	rm -f "$out.tmp"
else
	mv "$out.tmp" "$out"
fi
