#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# deps.sh: the renderers flamegraph.sh and diff-flamegraph.sh use, from npm,
# pinned, into build/npm/ (NPM_PREFIX): d3-flame-graph 4 (the template perf's
# flamegraph report fills; computeDelta for the differential graph) and
# flamegraph (folded stacks -> SVG). Idempotent, offline once installed.
set -e
here=$(cd "$(dirname "$0")" && pwd)
prefix=${NPM_PREFIX:-$here/../build/npm}
want="d3-flame-graph@4.1.3 flamegraph@1.3.0"
if [ -f "$prefix/node_modules/d3-flame-graph/dist/templates/d3-flamegraph-base.html" ] &&
   [ -f "$prefix/node_modules/flamegraph/bin/flamegraph.js" ]; then
	exit 0
fi
command -v npm >/dev/null 2>&1 || { echo "deps.sh: npm missing; run: apt-get install npm" >&2; exit 1; }
mkdir -p "$prefix"
npm install --no-audit --no-fund --no-save --prefix "$prefix" $want >&2
