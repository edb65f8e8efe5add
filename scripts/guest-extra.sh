#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# guest-extra.sh KERNEL: what the profile and rt guest jobs need in
# build/guest-extra/KERNEL/ (scripts/initramfs.sh adds it to that kernel's
# initramfs): the bench modules and helper (scripts/modules.sh) and a copy
# of perf-scripts/ as /perf-scripts.
. "$(dirname "$0")/lib.sh"

k=${1:?usage: guest-extra.sh KERNEL}
"$TOP/scripts/modules.sh" "$k"
extra=$BUILD/guest-extra/$k
rm -rf "$extra/perf-scripts"
mkdir -p "$extra"
cp -r "$TOP/perf-scripts" "$extra/perf-scripts"
rm -f "$extra/perf-scripts/noeventfd.c"
# perf record needs eventfd(): a stopgap for kernels without it
if ! grep -q '^CONFIG_EVENTFD=y' "$(kernel_objdir "$k")/.config"; then
	warn "$k has no CONFIG_EVENTFD: perf record runs with perf-scripts/noeventfd.c preloaded"
	gcc -shared -fPIC -O2 -Wall -o "$extra/perf-scripts/noeventfd.so" "$TOP/perf-scripts/noeventfd.c" -ldl
fi
