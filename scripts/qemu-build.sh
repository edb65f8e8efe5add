#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# qemu-build.sh: build the project's QEMU (Debian's source package
# qemu $QEMU_VERSION, pinned in lib.sh, plus our qemu/patches/) into
# build/qemu/: bin/qemu-system-x86_64 and the firmware directory
# share/qemu/ ($QEMU_BIN and $QEMU_FW in lib.sh). Only the x86_64-softmmu
# target with TCG and TCG plugins, through ccache. Nothing is rebuilt when
# the pin, qemu/patches/ and this script did not change.
#
# build/qemu/src is a git repository: its first commit is the pristine
# orig tarball (tag upstream/<version>), then one commit per patch of
# Debian's own debian/patches series (tag debian/<version>), then a branch
# "iopf" with ours, applied with git am. Work on our patches there and
# write them back with:
#   git -C build/qemu/src format-patch -o qemu/patches debian/<version>..iopf
. "$(dirname "$0")/lib.sh"

qtop=$BUILD/qemu
src=$qtop/src
obj=$qtop/obj
dl=$BUILD/dl/qemu
upver=${QEMU_VERSION#*:}          # 10.2.2+ds-1
upver=${upver%-*}                 # 10.2.2+ds
orig=$dl/qemu_$upver.orig.tar.xz
debtar=$dl/qemu_${QEMU_VERSION#*:}.debian.tar.xz
tag_up=upstream/$upver
tag_deb=debian/${QEMU_VERSION#*:}
patches=("$TOP"/qemu/patches/*.patch)

stamp=$( { echo "$QEMU_VERSION $QEMU_ORIG_SHA256"; hash_of "$TOP/qemu/patches" "$TOP/scripts/qemu-build.sh"; } | sha256sum | cut -c1-16)
if [ "$(cat "$qtop/.stamp" 2>/dev/null)" = "$stamp" ] && [ -x "$QEMU_BIN" ] &&
	[ -f "$QEMU_FW/bios-256k.bin" ] && [ -f "$QEMU_FW/linuxboot_dma.bin" ]; then
	exit 0
fi

# One build at a time: a concurrent caller (another qemu.sh) waits here,
# then finds the stamp written.
mkdir -p "$qtop"
exec 9>"$qtop/.lock"
if ! flock -n 9; then
	say "qemu: waiting for another build of ${qtop#"$TOP"/}"
	flock 9
	if [ "$(cat "$qtop/.stamp" 2>/dev/null)" = "$stamp" ] && [ -x "$QEMU_BIN" ]; then
		exit 0
	fi
fi

"$TOP/scripts/deps.sh"
command -v ninja >/dev/null || die "ninja missing; run: scripts/deps.sh"

# 1. Debian's source package, downloaded (never installed nor unpacked by
#    dpkg-source: we want the pristine tarball as the first commit).
fetch() {
	local got
	mkdir -p "$dl"
	if [ ! -f "$orig" ] || [ ! -f "$debtar" ] ||
		[ "$(sha256sum "$orig" | cut -d' ' -f1)" != "$QEMU_ORIG_SHA256" ]; then
		apt_private qemu-src "$QEMU_SUITE"
		say "qemu: downloading Debian's source package qemu $QEMU_VERSION ($QEMU_SUITE, 39 MB)"
		rm -f "$orig" "$debtar"
		(cd "$dl" && apt-get "${APT_PRIVATE[@]}" -q source --download-only "qemu=$QEMU_VERSION") >"$dl/download.log" 2>&1 ||
			{ tail -n 15 "$dl/download.log" >&2; die "apt-get source --download-only qemu=$QEMU_VERSION failed (above; log ${dl#"$TOP"/}/download.log); is it still served? apt-cache ${APT_PRIVATE[*]} showsrc qemu | grep ^Version"; }
		[ -f "$orig" ] && [ -f "$debtar" ] ||
			die "apt-get source left no $orig or $debtar (log ${dl#"$TOP"/}/download.log)"
	fi
	got=$(sha256sum "$orig" | cut -d' ' -f1)
	if [ "$got" != "$QEMU_ORIG_SHA256" ]; then
		mv "$orig" "$orig.bad"
		die "$orig has SHA256 $got, pinned QEMU_ORIG_SHA256=$QEMU_ORIG_SHA256 (kept as $orig.bad); if Debian changed the tarball, check it and set QEMU_ORIG_SHA256 in scripts/lib.sh"
	fi
}

# 2. The repository: pristine commit, then Debian's patch series.
#    Debian's debian/patches (quilt, DEP-3 headers) are Debian's own
#    changes to the upstream tree: build fixes for the blob-stripped +ds
#    tarball (no edk2 unpacking, no dtb install), pycotap made optional,
#    the microvm default behind CONFIG_MICROVM_DEFAULT (unset here),
#    Debian paths and gdbstub fixes. Taking them keeps our QEMU the one
#    Debian users get; one that does not apply stops the build.
unpack() {
	local p n
	say "qemu: unpacking $upver into ${src#"$TOP"/}"
	rm -rf "$src.tmp"
	mkdir -p "$src.tmp"
	tar -C "$src.tmp" --strip-components=1 -xJf "$orig" ||
		die "could not unpack $orig (disk full? see above)"
	[ -f "$src.tmp/VERSION" ] || die "$orig held no QEMU tree"
	cd "$src.tmp"
	git init -q -b pristine
	git config user.name "iopf-notify pipeline"
	git config user.email "pipeline@localhost"
	git config gc.auto 0
	git add -f -A .
	git commit -q -m "QEMU $upver (Debian orig tarball), pristine"
	git tag "$tag_up"
	mkdir -p "$qtop/debian"
	rm -rf "$qtop/debian/debian"
	tar -C "$qtop/debian" -xJf "$debtar" || die "could not unpack $debtar"
	while read -r p; do
		p=${p%%#*}
		p=${p//[[:space:]]/}
		[ -n "$p" ] || continue
		n=$qtop/debian/debian/patches/$p
		git apply --index "$n" 2>"$qtop/debian/apply.log" || {
			cat "$qtop/debian/apply.log" >&2
			die "Debian's patch debian/patches/$p does not apply to $tag_up (above); Debian's series for $QEMU_VERSION is meant for this tarball: check QEMU_VERSION/QEMU_ORIG_SHA256 in scripts/lib.sh"
		}
		git commit -q -m "debian/patches/$p (Debian $QEMU_VERSION)"
	done <"$qtop/debian/debian/patches/series"
	git tag "$tag_deb"
	cd "$TOP"
	rm -rf "$src"
	mv "$src.tmp" "$src"
}

fetch
git -C "$src" rev-parse -q --verify "refs/tags/$tag_deb" >/dev/null 2>&1 || unpack

# 3. Our patches, applied with git am in a scratch worktree; the source
#    tree then moves to the result with one checkout, which rewrites only
#    the files that differ from what it holds: ninja (and ccache's direct
#    mode, which distrusts fresh mtimes) rebuild just what changed.
apply=$qtop/apply
git -C "$src" worktree remove --force "$apply" >/dev/null 2>&1 || rm -rf "$apply"
git -C "$src" worktree prune
git -C "$src" worktree add -q --detach "$apply" "$tag_deb" ||
	die "could not make the scratch worktree ${apply#"$TOP"/} of ${src#"$TOP"/} (disk full?)"
if [ ${#patches[@]} -gt 0 ]; then
	say "qemu: applying ${#patches[@]} patches from qemu/patches/"
	for p in "${patches[@]}"; do
		if ! out=$(git -C "$apply" am -q --committer-date-is-author-date "$p" 2>&1); then
			git -C "$apply" am --abort >/dev/null 2>&1 || true
			rm -f "$qtop/.stamp"
			printf '%s\n' "$out" | grep -E '^(error|Patch failed|Applying)' >&2 || printf '%s\n' "$out" >&2
			die "QEMU patch does not apply to $tag_deb: ${p#"$TOP"/}
       (the lines above name the failing file and hunk; refresh it on a branch of ${src#"$TOP"/} and write it back with git format-patch, see qemu/README.md)"
		fi
	done
fi
head=$(git -C "$apply" rev-parse HEAD)
git -C "$src" worktree remove --force "$apply"
git -C "$src" am --abort >/dev/null 2>&1 || true
git -C "$src" checkout -q -f -B iopf "$head"
git -C "$src" clean -q -fdx

# 4. Configure: one target, TCG, plugins; everything optional off. The +ds
#    tarball has no firmware blobs: --disable-install-blobs keeps meson from
#    naming them. --without-default-devices plus the device list
#    configs/devices/x86_64-softmmu/iopf.mak (one of our patches) builds the
#    q35 board, VT-d and our test device, not every PCI card.
#    CCACHE_NOHASHDIR (no debug info is built, so the object does not
#    depend on the directory) and CCACHE_BASEDIR (meson passes absolute
#    -iquote paths, which ccache then hashes relative to $TOP): a fresh
#    clone elsewhere, CI's for one, hits the same cache.
conf=(
	--target-list=x86_64-softmmu --enable-tcg --disable-kvm --disable-xen
	--enable-plugins --disable-download --python=/usr/bin/python3
	--cc="ccache gcc" --host-cc="ccache gcc" --cxx="ccache g++"
	--without-default-features --without-default-devices
	--with-devices-x86_64=iopf
	--disable-docs --disable-tools --disable-guest-agent
	--disable-install-blobs --disable-debug-info --disable-werror
	--enable-fdt=disabled
)
[ -x /usr/bin/python3 ] || die "/usr/bin/python3 missing (QEMU's configure must use Debian's python3); run: apt-get install python3"
export CCACHE_NOHASHDIR=1 CCACHE_BASEDIR=$TOP
cstamp=$(printf '%s\n' "$QEMU_VERSION" "${conf[@]}" | sha256sum | cut -c1-16)
if [ "$(cat "$obj/.configure-stamp" 2>/dev/null)" != "$cstamp" ] || [ ! -f "$obj/build.ninja" ]; then
	say "qemu: configuring in ${obj#"$TOP"/} (log: ${obj#"$TOP"/}/configure.log)"
	rm -rf "$obj"
	mkdir -p "$obj"
	(cd "$obj" && "$src/configure" "${conf[@]}") >"$obj/configure.log" 2>&1 || {
		grep -E 'ERROR|error|not found' "$obj/configure.log" | head -n 15 >&2
		die "QEMU configure failed (above; full log ${obj#"$TOP"/}/configure.log, meson's in ${obj#"$TOP"/}/meson-logs/meson-log.txt); a missing library is installed by scripts/deps.sh: add its -dev package there"
	}
	grep -q '^SUBDIRS=.*pc-bios/optionrom' "$obj/config-host.mak" || {
		rm -rf "$obj"
		die "QEMU's configure found no compiler for the x86 option ROMs (linuxboot_dma.bin needs gcc -m16 and the 32-bit libgcc); run: scripts/deps.sh (package lib32gcc-12-dev)"
	}
	echo "$cstamp" >"$obj/.configure-stamp"
fi

# 5. Build: the emulator and the x86 option ROMs (pc-bios/optionrom, built
#    by make with the host gcc in 16-bit mode).
ccache -M 8G >/dev/null
log=$obj/build.log
say "qemu: building qemu-system-x86_64 (log: ${log#"$TOP"/}; cold ccache about 5 min on 2 cores, warm under 1 min)"
start=$(date +%s)
(
	while sleep 60; do
		say "qemu: $(grep -o '^\[[0-9]*/[0-9]*\]' "$log" 2>/dev/null | tail -n 1) steps, $(( $(date +%s) - start ))s"
	done
) &
ticker=$!
trap 'kill $ticker 2>/dev/null' EXIT
if ! make -C "$obj" -j"$JOBS" qemu-system-x86_64 pc-bios/optionrom/all >"$log" 2>&1; then
	grep -E 'error:|Error [0-9]|undefined reference|FAILED' "$log" | head -n 20 >&2
	die "QEMU build failed (above: the first errors; full log ${log#"$TOP"/}); a failure in a file of qemu/patches/ is fixed in ${src#"$TOP"/} and written back with git format-patch"
fi
kill $ticker 2>/dev/null || true
trap - EXIT

# 6. Install: the binary and the firmware directory.
#    SeaBIOS comes from Debian's seabios package (the +ds tarball has no
#    blobs); linuxboot_dma.bin (-kernel/-initrd through fw_cfg DMA) from
#    QEMU's own pc-bios/optionrom sources, built above.
[ -f /usr/share/seabios/bios-256k.bin ] || die "/usr/share/seabios/bios-256k.bin missing; run: scripts/deps.sh (package seabios)"
rm -rf "$QEMU_FW.tmp"
mkdir -p "$(dirname "$QEMU_BIN")" "$QEMU_FW.tmp"
cp /usr/share/seabios/bios-256k.bin "$QEMU_FW.tmp/"
for f in linuxboot_dma.bin linuxboot.bin kvmvapic.bin; do
	[ -f "$obj/pc-bios/optionrom/$f" ] || die "the option ROM $f was not built (log ${log#"$TOP"/}); it needs the host gcc with -m16"
	cp "$obj/pc-bios/optionrom/$f" "$QEMU_FW.tmp/"
done
# keymaps and descriptors are not needed with -nographic
rm -rf "$QEMU_FW"
mv "$QEMU_FW.tmp" "$QEMU_FW"
cp "$obj/qemu-system-x86_64" "$QEMU_BIN.tmp"
mv "$QEMU_BIN.tmp" "$QEMU_BIN"
echo "$stamp" >"$qtop/.stamp"
say "qemu: $("$QEMU_BIN" --version | head -n 1) built in $(( $(date +%s) - start ))s: ${QEMU_BIN#"$TOP"/}, firmware ${QEMU_FW#"$TOP"/}"
