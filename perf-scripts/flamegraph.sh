#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# flamegraph.sh DATA OUT [KALLSYMS]: flame graphs of a perf.data, idle
# tasks left out, made by perf's own scripts:
#   OUT.html    `perf script report flamegraph` (perf's flamegraph.py), with
#               the d3-flame-graph template (FG_TEMPLATE; Debian 12 has no
#               libjs-d3-flame-graph, so perf-scripts/deps.sh installs npm's
#               d3-flame-graph@4 under build/npm/); self-contained, offline
#   OUT.folded  `perf script report stackcollapse`: FlameGraph's folded
#               stacks ("comm;frame;...;frame count")
# KALLSYMS: the recording machine's /proc/kallsyms, for a guest's perf.data.
# Needs perf with Python scripting (Debian's linux-perf): a host tool; the
# QEMU guest has no Python, so scripts/profile.sh runs this on the host.
. "$(dirname "$0")/lib.sh"

[ $# -ge 2 ] || die "usage: flamegraph.sh DATA OUT [KALLSYMS]"
data=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
out=$2
ks=
[ -z "${3:-}" ] || ks=--kallsyms=$(cd "$(dirname "$3")" && pwd)/$(basename "$3")
here=$(cd "$(dirname "$0")" && pwd)
npm=${NPM_PREFIX:-$here/../build/npm}/node_modules
tpl=${FG_TEMPLATE:-}
for t in $tpl /usr/share/d3-flame-graph/d3-flamegraph-base.html \
	 "$npm/d3-flame-graph/dist/templates/d3-flamegraph-base.html"; do
	[ -f "$t" ] && { tpl=$t; break; }
done
[ -f "$tpl" ] || die "no d3-flame-graph template; run perf-scripts/deps.sh (npm install d3-flame-graph@4)"
PERF_EXEC_PATH=$("$PERF" --exec-path)
export PERF_EXEC_PATH
py=$PERF_EXEC_PATH/scripts/python
[ -f "$py/flamegraph.py" ] || die "this perf has no flamegraph.py ($py)"
busy=$(busy_comms "$data")

# flamegraph.py reads the header of ./perf.data for its "Context" pane
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ln -s "$data" "$tmp/perf.data"
case $out in /*) ;; *) out=$PWD/$out ;; esac
(cd "$tmp" && "$PERF" script -i perf.data $ks --comms="$busy" \
	-s "$py/flamegraph.py" -- --template "$tpl" -o "$out.html" >/dev/null)
# perf 6.1 names a module symbol read from a saved kallsyms "sym\0[module]"
"$PERF" script -i "$data" $ks --comms="$busy" -s "$py/stackcollapse.py" \
	-- --kernel | tr '\000' ' ' >"$out.folded"
ls "$out".*
