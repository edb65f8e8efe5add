#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# modules.sh KERNEL [FOLDER...]: build our out-of-tree code for KERNEL's
# guests, the one place that does. A module folder is a folder with a
# Kbuild (bench/, tests/torture/, tests/uacce-e2e/, tests/vtd-pri/...);
# each is built with its static user programs (its *-user.c files) into
# build/guest-extra/KERNEL/NAME/, NAME being the folder's last component,
# which scripts/initramfs.sh puts into KERNEL's guest as /NAME/. Also a
# copy of perf-scripts/ as /perf-scripts (the profile and rt jobs).
#   FOLDER...   module folders, or folders holding them (default: bench
#               tests, i.e. every module folder)
# A Kbuild that links iopf_mock.o gets the shared mock IOMMU
# (tests/mock-iommu/) staged next to its sources; a folder whose sources
# include fncount-marker.h gets the fncount plugin's marker header
# (qemu/plugins/), for its module and its user programs. A Kbuild may build no
# module for KERNEL (one that needs the failure notifier, on the baseline
# kernel): its user programs are then not built either. Each folder is
# rebuilt only when its inputs changed; any folder that does not build
# fails the script.
. "$(dirname "$0")/lib.sh"

k=${1:?usage: modules.sh KERNEL [FOLDER...]}
shift
tree=$KTREES/$(kernel_tree "$k")
obj=$(kernel_objdir "$k")
[ -f "$obj/.build-stamp" ] || die "kernel $k is not built; run: scripts/kbuild.sh $k"
m=$BUILD/mod/$k
extra=$BUILD/guest-extra/$k
mock=$TOP/tests/mock-iommu
marker=$TOP/qemu/plugins/fncount-marker.h
mkdir -p "$m" "$extra"

# the module folders named by the arguments, as paths relative to $TOP
folders=()
for a in "${@:-bench tests}"; do
	for f in $a; do
		d=$TOP/${f%/}
		[ -d "$d" ] || die "no folder ${f%/} (module folders: bench tests/*)"
		while IFS= read -r kb; do
			folders+=("${kb%/Kbuild}")
		done < <(find "$d" -maxdepth 2 -name Kbuild -printf '%P\n' | sed "s|^|${f%/}/|; s|//|/|" | LC_ALL=C sort)
	done
done
[ ${#folders[@]} -gt 0 ] || die "no module folder (a folder with a Kbuild) in: ${*:-bench tests}"

# this kernel's uAPI headers, for the user programs
hstamp=$(hash_of "$obj/.build-stamp")
if [ "$(cat "$m/hdr.stamp" 2>/dev/null)" != "$hstamp" ]; then
	rm -rf "$m/hdr"
	make -s -C "$tree" O="$(basename "$obj")" INSTALL_HDR_PATH="$m/hdr" headers_install >"$m/hdr.log" 2>&1 ||
		{ cat "$m/hdr.log" >&2; die "headers_install failed for $k"; }
	echo "$hstamp" >"$m/hdr.stamp"
fi

# build_folder REL: one module folder into $extra/NAME
build_folder() {
	local rel=$1 src=$TOP/$1 name st out stamp f usemock= usemark kos
	name=$(basename "$rel")
	st=$m/$name
	out=$extra/$name
	grep -q 'iopf_mock\.o' "$src/Kbuild" && usemock=$mock
	usemark=
	# without it (a checkout without the plugin) the markers are no-ops
	grep -qs 'fncount-marker\.h' "$src"/*.[ch] && [ -f "$marker" ] && usemark=$marker
	stamp=$(hash_of "$src" ${usemock:+"$usemock"} ${usemark:+"$usemark"} "$obj/.build-stamp" "$0")
	[ "$(cat "$st.stamp" 2>/dev/null)" = "$stamp" ] && [ -d "$out" ] && return 0

	rm -rf "$st" "$out" "$st.stamp"
	mkdir -p "$st" "$out"
	# a private copy: kbuild writes its objects next to the sources
	cp "$src/Kbuild" "$st/"
	for f in "$src"/*.[ch] ${usemock:+"$usemock"/*.[ch]} ${usemark:+"$usemark"}; do
		case $f in *-user.c) ;; *) cp "$f" "$st/" ;; esac
	done
	say "modules: building $rel against $k"
	make -s -C "$tree" O="$(basename "$obj")" M="$st" modules >"$st/build.log" 2>&1 ||
		{ cat "$st/build.log" >&2; die "$rel does not build against $k (log above, ${st#"$TOP"/}/build.log)"; }
	kos=("$st"/*.ko)	# nullglob (lib.sh): empty when none was built
	if [ ${#kos[@]} -eq 0 ]; then
		say "modules: $rel builds no module for $k (its Kbuild's condition)"
		echo "$stamp" >"$st.stamp"
		return 0
	fi
	cp "$st"/*.ko "$out/"
	# user space, static for the busybox guest, against this kernel's uAPI
	for f in "$src"/*-user.c; do
		[ -e "$f" ] || continue
		gcc -static -O2 -Wall -Wextra -I"$m/hdr/include" -I"$src" -I"$(dirname "$marker")" \
			-o "$out/$(basename "$f" .c)" "$f" -lm ||
			die "$rel/$(basename "$f") does not build against $k (gcc -static needs libc6-dev)"
	done
	echo "$stamp" >"$st.stamp"
	say "modules: /$name: $(cd "$out" && echo *) for $k"
}

for rel in "${folders[@]}"; do
	build_folder "$rel"
done

# perf-scripts/ for the profile and rt jobs, as /perf-scripts
rm -rf "$extra/perf-scripts"
cp -r "$TOP/perf-scripts" "$extra/perf-scripts"
