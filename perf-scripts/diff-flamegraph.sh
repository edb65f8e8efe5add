#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# diff-flamegraph.sh BASE.folded NEW.folded OUT.html: a differential flame
# graph (Brendan Gregg's red/blue kind) of two folded-stack files made by
# flamegraph.sh: the frames are NEW's, the colour is the change of each
# frame's share from BASE (red: more, blue: less, orange: new), BASE scaled
# to NEW's total. The comm (first frame of each folded stack) is left out
# unless DIFF_COMM=1: worker threads change names and pids from run to run,
# functions do not. Rendered by npm's d3-flame-graph (its computeDelta and
# differentialColorMapper), inlined so the page works offline. Frames found
# only in BASE have no width in NEW: diff.sh / the .folded files show them.
. "$(dirname "$0")/lib.sh"

[ $# -eq 3 ] || die "usage: diff-flamegraph.sh BASE.folded NEW.folded OUT.html"
here=$(cd "$(dirname "$0")" && pwd)
d3=${NPM_PREFIX:-$here/../build/npm}/node_modules
[ -f "$d3/d3-flame-graph/dist/d3-flamegraph.min.js" ] || die "no npm d3-flame-graph; run perf-scripts/deps.sh"
exec python3 - "$1" "$2" "$3" "$d3" "${DIFF_COMM:-0}" <<'PY'
import json, os, sys

base_f, new_f, out, d3, keep_comm = sys.argv[1:]

def folded(path):
    stacks = {}
    with open(path) as f:
        for line in f:
            stack, _, n = line.rstrip('\n').rpartition(' ')
            # perf 6.1 leaves "\0[module]" in module symbols read from a
            # saved kallsyms
            frames = [fr.split('\0')[0] for fr in stack.split(';')]
            stack = ';'.join(frames if keep_comm == '1' else frames[1:])
            if stack:
                stacks[stack] = stacks.get(stack, 0) + int(n)
    return stacks

base, new = folded(base_f), folded(new_f)
scale = sum(new.values()) / max(1, sum(base.values()))
root = {'n': 'all', 'v': 0, 'd': 0, 'c': []}
for stack in set(base) | set(new):
    node = root
    for frame in stack.split(';'):
        for c in node['c']:
            if c['n'] == frame:
                node = c
                break
        else:
            c = {'n': frame, 'v': 0, 'd': 0, 'c': []}
            node['c'].append(c)
            node = c
    node['v'] += new.get(stack, 0)
    node['d'] += round(new.get(stack, 0) - base.get(stack, 0) * scale)

def read(name):
    with open(os.path.join(d3, name)) as f:
        return f.read()

title = '%s vs %s' % (os.path.basename(new_f), os.path.basename(base_f))
page = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>%(title)s</title>
<style>%(css)s body{font-family:sans-serif}</style>
<script>%(sel)s</script><script>%(js)s</script><script>%(cm)s</script></head>
<body><h3>%(title)s</h3>
<p>Width: samples of the second profile. Red: its share grew, blue: it
shrank, orange: new frame (first profile scaled to %(scale).3fx).</p>
<div id="chart"></div><div id="details"></div>
<script>
var chart = flamegraph().width(1200).selfValue(true).computeDelta(true)
  .minFrameSize(2).setColorMapper(flamegraph.colorMapper.differentialColorMapper)
  .setDetailsElement(document.getElementById("details"));
d3.select("#chart").datum(%(data)s).call(chart);
</script></body></html>
"""
with open(out, 'w') as f:
    f.write(page % {
        'title': title, 'scale': scale, 'data': json.dumps(root),
        'css': read('d3-flame-graph/dist/d3-flamegraph.css'),
        'sel': read('d3-selection/dist/d3-selection.min.js'),
        'js': read('d3-flame-graph/dist/d3-flamegraph.min.js'),
        'cm': read('d3-flame-graph/dist/d3-flamegraph-colorMapper.min.js')})
print(out)
PY
