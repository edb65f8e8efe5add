#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# qemu-plugin.sh: build the project's QEMU TCG plugins against the plugin
# API header of the QEMU that scripts/qemu-build.sh built, into
# build/qemu/plugins/libNAME.so: one per qemu/plugins/NAME.c (a plugin in
# one file) and one per qemu/plugins/NAME/plugin.c (a plugin made of every
# .c of that folder, with its headers; fncount). Symbols are hidden but
# for the ones marked QEMU_PLUGIN_EXPORT. Prints nothing and rebuilds
# nothing when the plugin's sources and headers, qemu/plugins/*.h, that
# header, the compiler and this script did not change.
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
for src in "$TOP"/qemu/plugins/*.c "$TOP"/qemu/plugins/*/plugin.c; do
	[ -f "$src" ] || continue
	if [ "$(basename "$src")" = plugin.c ]; then
		dir=$(dirname "$src")
		name=$(basename "$dir")
		srcs=("$dir"/*.c)
		deps=("$dir")
	else
		name=$(basename "$src" .c)
		srcs=("$src")
		deps=("$src")
	fi
	so=$out/lib$name.so
	stamp=$( { hash_of "${deps[@]}" "$TOP"/qemu/plugins/*.h "$hdr" "$0"; gcc --version | head -n 1; } | sha256sum | cut -c1-16)
	[ -f "$so" ] && [ "$(cat "$so.stamp" 2>/dev/null)" = "$stamp" ] && continue
	say "qemu-plugin: building ${so#"$TOP"/}"
	# shellcheck disable=SC2046
	gcc -shared -fPIC -O2 -g -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Werror \
		-fvisibility=hidden -I"$(dirname "$hdr")" $(pkg-config --cflags glib-2.0) \
		-o "$so.tmp" "${srcs[@]}" $(pkg-config --libs glib-2.0) ||
		die "${deps[0]#"$TOP"/} does not build (errors above) against ${hdr#"$TOP"/}"
	mv "$so.tmp" "$so"
	echo "$stamp" >"$so.stamp"
done
[ "${1:-}" = --path ] && echo "$out/libfncount.so"
exit 0
