#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""rt.py DIR: results/rt.md (on stdout) from scripts/rt.sh's output:
DIR/logs/NAME.log (the job's @@RESULT lines) and DIR/files/NAME/ct-ROW.json
(cyclictest --json, with its -h histogram). NAME is KERNEL-RUN. Per row and
run: cyclictest's max and the p99 of its histogram (1 us buckets,
nearest rank; samples past the histogram count as overflow); across runs
the median. Nothing is typed by hand."""
import glob
import json
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guestlog  # noqa: E402


def p99(hist, cycles):
    """nearest-rank p99 in us; None when it falls past the histogram"""
    rank = -(-99 * cycles // 100)
    seen = 0
    for us in sorted(hist, key=int):
        seen += hist[us]
        if seen >= rank:
            return int(us)
    return None


def results(log):
    """The job's @@RESULT rt=... lines (guestlog.py, the one parser)"""
    return [r for r in guestlog.Log(log).results() if 'rt' in r]


def main(d):
    rows, info, order = {}, {}, []
    for log in sorted(glob.glob(os.path.join(d, 'logs', '*.log'))):
        name = os.path.basename(log)[:-4]
        m = re.match(r'^(.*)-(\d+)$', name)
        kernel, run = m.group(1), int(m.group(2))
        for r in results(log):
            if r['rt'] == 'info':
                info[kernel] = r
            if r['rt'] != 'row':
                continue
            path = os.path.join(d, 'files', name, 'ct-%s.json' % r['row'])
            if not os.path.exists(path):
                continue
            with open(path) as f:
                t = json.load(f)['thread']['0']
            v = p99(t['histogram'], t['cycles'])
            rows.setdefault(r['row'], {}).setdefault(kernel, []).append(
                (run, v, t['max'], t['avg'], t['cycles'], int(r['flood_rounds'])))
            if r['row'] not in order:
                order.append(r['row'])
    kernels = sorted({k for r in rows.values() for k in r})
    loads = []
    for p in sorted(glob.glob(os.path.join(d, 'logs', '*.load'))):
        with open(p) as f:
            loads.append('%s %s' % (os.path.basename(p)[:-5], f.read().split()[0]))
    print('## Latency under a flood (cyclictest)\n')
    print('Wakeup latency of cyclictest (SCHED_FIFO 95, mlocked, one thread) on '
          'one CPU while the bench floods page requests on the other (the PRQ '
          'thread, the helper and the unbound workqueues confined to CPU 0); '
          'made by `make rt` (scripts/rt.sh, guest job rt, this table by '
          'scripts/results/rt.py). p99 comes from cyclictest\'s own histogram '
          '(`-h`, 1 us buckets, `--json`), max is cyclictest\'s. Kernels '
          'booted alternately (A B A B ...).\n')
    for k in kernels:
        i = info.get(k, {})
        print('- %s: kernel %s, %s CPUs, measured CPU %s, %s s per row, interval %s us, '
              'cyclictest %s, notifier %s' % (k, i.get('kernel'), i.get('cpus'), i.get('cpu'),
                                              i.get('secs'), i.get('interval'), i.get('cyclictest'),
                                              'built' if i.get('notify') == '1' else 'absent'))
    if loads:
        print('- host load average (1 min) when each boot started: ' + ', '.join(loads))
    print()
    print('| row | kernel | runs | p99 us (median) | max us (median) | avg us | '
          'p99 per run | max per run | flood rounds per run |')
    print('|---|---|---|---|---|---|---|---|---|')
    fmt = lambda v: '>20000' if v is None else str(v)
    for row in order:
        for k in kernels:
            rs = sorted(rows[row].get(k, []))
            if not rs:
                continue
            p = [r[1] if r[1] is not None else 10 ** 9 for r in rs]
            med = statistics.median_low(p)  # an even count: the lower middle
            print('| %s | %s | %d | %s | %d | %.1f | %s | %s | %s |' % (
                row, k, len(rs), fmt(None if med == 10 ** 9 else med),
                statistics.median_low([r[2] for r in rs]),
                statistics.mean([r[3] for r in rs]),
                ' '.join(fmt(r[1]) for r in rs), ' '.join(str(r[2]) for r in rs),
                ' '.join(str(r[5]) for r in rs)))
    print()
    print('Medians of an even number of runs are the lower middle value. Rows: idle = no flood (the control); success, fail-ro (writes to '
          'read-only pages: every request fails), mixed (10% fail-ro) = the '
          'bench flood; +notify = the same with a failure notifier registered '
          '(patched kernel only). Under QEMU TCG these latencies carry the '
          'emulator\'s own jitter (vCPU threads share 2 host cores): compare '
          'rows and kernels against the idle control of the same kernel, and '
          'distrust any difference smaller than the spread of that control '
          'across runs.')


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
