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
