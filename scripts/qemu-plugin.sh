#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# qemu-plugin.sh: build the project's QEMU TCG plugins (qemu/plugins/*.c,
# one shared object each) against the plugin API header of the QEMU that
# scripts/qemu-build.sh built, into build/qemu/plugins/libNAME.so. Prints
# nothing and rebuilds nothing when the sources, that header, the compiler
# and this script did not change.
#   qemu-plugin.sh          build them all
#   qemu-plugin.sh --path   also print the path of libfncount.so
. "$(dirname "$0")/lib.sh"

out=$BUILD/qemu/plugins
# the header as QEMU installs it (meson's qemu-bundle), else its source
hdr=
for h in "$BUILD/qemu/obj/qemu-bundle/usr/local/include/qemu-plugin.h" \
	"$BUILD/qemu/src/include/qemu/qemu-plugin.h"; do
	[ -f "$h" ] && { hdr=$h; break; }
done
if [ -z "$hdr" ]; then
	"$TOP/scripts/qemu-build.sh"
	hdr=$BUILD/qemu/obj/qemu-bundle/usr/local/include/qemu-plugin.h
	[ -f "$hdr" ] || die "no qemu-plugin.h in $BUILD/qemu after scripts/qemu-build.sh; is QEMU configured with --enable-plugins there?"
fi
command -v gcc >/dev/null || die "gcc missing; run: apt-get install gcc"
pkg-config --exists glib-2.0 2>/dev/null || die "glib-2.0 development files missing; run: apt-get install libglib2.0-dev pkg-config"

mkdir -p "$out"
for src in "$TOP"/qemu/plugins/*.c; do
	name=$(basename "$src" .c)
	so=$out/lib$name.so
	stamp=$( { hash_of "$src" "$TOP"/qemu/plugins/*.h "$hdr" "$0"; gcc --version | head -n 1; } | sha256sum | cut -c1-16)
	[ -f "$so" ] && [ "$(cat "$so.stamp" 2>/dev/null)" = "$stamp" ] && continue
	say "qemu-plugin: building ${so#"$TOP"/}"
	# shellcheck disable=SC2046
	gcc -shared -fPIC -O2 -g -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Werror \
		-I"$(dirname "$hdr")" $(pkg-config --cflags glib-2.0) \
		-o "$so.tmp" "$src" $(pkg-config --libs glib-2.0) ||
		die "qemu/plugins/$name.c does not build (errors above) against ${hdr#"$TOP"/}"
	mv "$so.tmp" "$so"
	echo "$stamp" >"$so.stamp"
done
[ "${1:-}" = --path ] && echo "$out/libfncount.so"
exit 0
