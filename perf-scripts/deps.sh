#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# deps.sh: the renderer flamegraph.sh and diff-flamegraph.sh use, from npm,
# pinned, into build/npm/ (NPM_PREFIX): d3-flame-graph 4, the template
# perf's flamegraph report fills (Debian 12 does not package it), and its
# computeDelta/differentialColorMapper for the differential graph.
# Idempotent, offline once installed.
set -e
here=$(cd "$(dirname "$0")" && pwd)
prefix=${NPM_PREFIX:-$here/../build/npm}
want="d3-flame-graph@4.1.3"
if [ -f "$prefix/node_modules/d3-flame-graph/dist/templates/d3-flamegraph-base.html" ]; then
	exit 0
fi
command -v npm >/dev/null 2>&1 || { echo "deps.sh: npm missing; run: apt-get install npm" >&2; exit 1; }
mkdir -p "$prefix"
npm install --no-audit --no-fund --no-save --prefix "$prefix" $want >&2
