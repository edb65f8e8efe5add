#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kconfig.sh KERNEL: tinyconfig + config/base.config + config/<flavour>.config
# -> olddefconfig, then prove every requested line survived. The object
# directory's .config is replaced only when the result differs.
. "$(dirname "$0")/lib.sh"

k=${1:?usage: kconfig.sh KERNEL}
wt=$KTREES/$(kernel_tree "$k")
fl=$(kernel_flavour "$k")
obj=$(kernel_objdir "$k")
frags=("$TOP/config/base.config" "$TOP/config/$fl.config")
scratch=$wt/obj-kconfig-$fl
[ -e "$wt/.git" ] || die "kernel tree $wt missing; run scripts/tree.sh $(kernel_tree "$k") first"

rm -rf "$scratch"
mkdir -p "$scratch" "$obj"
make -s -C "$wt" O="$scratch" tinyconfig >/dev/null
"$wt/scripts/kconfig/merge_config.sh" -m -O "$scratch" "$scratch/.config" "${frags[@]}" >/dev/null
make -s -C "$wt" O="$scratch" olddefconfig >/dev/null

dropped=()
while IFS= read -r line; do
	case $line in
	CONFIG_*=*)
		grep -qxF -- "$line" "$scratch/.config" || dropped+=("$line (got: $(grep -E "^(# )?${line%%=*}[= ]" "$scratch/.config" || echo absent))")
		;;
	"# CONFIG_"*" is not set")
		sym=${line#\# }; sym=${sym%% *}
		if grep -q "^$sym=" "$scratch/.config"; then dropped+=("$line (got: $(grep "^$sym=" "$scratch/.config"))"); fi
		;;
	esac
done < <(cat "${frags[@]}")
if [ ${#dropped[@]} -gt 0 ]; then
	printf '  %s\n' "${dropped[@]}" >&2
	die "kernel $k: olddefconfig dropped the config options above (a missing dependency in config/*.config)"
fi
if ! cmp -s "$scratch/.config" "$obj/.config"; then
	cp "$scratch/.config" "$obj/.config"
	say "kernel $k: new .config ($(grep -c '=y' "$obj/.config") options =y)"
fi
rm -rf "$scratch"
