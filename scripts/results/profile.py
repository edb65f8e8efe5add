#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""profile.py OUT RES NAME...: results/profile.md (on stdout) from
scripts/profile.sh's output: OUT/logs/NAME.log (@@RESULT profile=... lines),
OUT/NAME/MODE.{report,stat,ftrace}.txt (sent by the guest job profile) and
RES/flame-NAME-MODE.folded (perf-scripts/flamegraph.sh). NAME is a kernel
(baseline-perf, patched-perf) or host-RELEASE. Nothing is typed by hand."""
import glob
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guestlog  # noqa: E402

PRQ = re.compile(r'^(iopf_prq/\d+|irq/\d+-dmar\d+-prq|irq/\d+-AMD-Vi.*)$')
WORK = 'iommu_sva_handle_iopf'
STAT = re.compile(r'^\s*([\d.,]+)\s+(?:msec\s+)?([\w:-]+)\s.*?\(\s*\+-\s*([\d.]+)%\s*\)')
ELAPSED = re.compile(r'^\s*([\d.]+)\s+\+-\s+([\d.]+)\s+seconds time elapsed')
TRACED = ['iommu_report_device_fault', 'iommu_sva_handle_iopf', 'handle_mm_fault',
          'iopf_group_response']


def infos(out, name):
    """The @@RESULT profile=... lines of a log, by profile (guestlog.py)"""
    r = {}
    for kv in guestlog.Log(os.path.join(out, 'logs', name + '.log')).results():
        if 'profile' in kv:
            r.setdefault(kv['profile'], []).append(kv)
    return r


def modes(out, name):
    return sorted({os.path.basename(p).split('.')[0]
                   for p in glob.glob(os.path.join(out, name, '*.stat.txt'))},
                  key=lambda m: ['success', 'fail-ro', 'mixed'].index(m)
                  if m in ('success', 'fail-ro', 'mixed') else 9)


def stat(path):
    ev = {}
    if not os.path.exists(path):
        return ev
    with open(path) as f:
        for line in f:
            m = STAT.match(line)
            if m:
                ev[m.group(2)] = (float(m.group(1).replace(',', '')), float(m.group(3)))
            m = ELAPSED.match(line)
            if m:
                v, sd = float(m.group(1)), float(m.group(2))
                ev['elapsed'] = (v, 100 * sd / v if v else 0)
    return ev


def folded(path):
    st = []
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                s, _, n = line.rstrip('\n').rpartition(' ')
                if s:
                    st.append((s.split(';'), int(n)))
    return st


def clean(frame):
    # perf 6.1 keeps "\0[module]" in the names of module symbols it read
    # from a saved kallsyms
    return re.sub(r'_\[k\]$', '', frame.split('\0')[0])


def hot(stacks, keep):
    """inclusive and self shares of the frames of the stacks keep() picks"""
    sel = [(f, n) for f, n in stacks if keep(f)]
    tot = sum(n for _, n in sel) or 1
    inc, self_ = {}, {}
    for f, n in sel:
        for fr in set(clean(x) for x in f[1:]):
            inc[fr] = inc.get(fr, 0) + n
        leaf = clean(f[-1])
        self_[leaf] = self_.get(leaf, 0) + n
    return tot, {k: 100.0 * v / tot for k, v in inc.items()}, \
        {k: 100.0 * v / tot for k, v in self_.items()}


def ftrace_durations(path):
    """{function: [duration us of each call]} for the TRACED functions"""
    d = {}
    if not os.path.exists(path):
        return d
    with open(path) as f:
        for line in f:
            parts = line.split('|')
            if len(parts) < 4:
                continue
            body = parts[-1].strip()
            m = re.search(r'([\d.]+) us', parts[-2])
            if not m:
                continue
            for fn in TRACED:
                if body == '} /* %s */' % fn or body == fn + '();':
                    d.setdefault(fn, []).append(float(m.group(1)))
    return d


def main(out, res, names):
    info = {n: infos(out, n) for n in names}
    ms = modes(out, names[0])
    rel = lambda p: os.path.relpath(p, os.path.join(res, '..'))
    print('## Profiling the PRQ path\n')
    print('Made by `make profile` (scripts/profile.sh: guest job profile running '
          'perf-scripts/ in each perf kernel, flame graphs made on the host by '
          'perf-scripts/flamegraph.sh and diff-flamegraph.sh, this text by '
          'scripts/results/profile.py). One PRQ thread (`iopf_prq/0`, CPU 0), '
          'the bench helper on CPU 1; on the patched kernel the failure modes '
          'run with a failure notifier registered (no-op callback), so the new '
          'code is on the profiled path.\n')
    for n in names:
        i = (info[n].get('info') or [{}])[0]
        print('- %s: kernel %s, %s CPUs, sampling event `%s` at %s Hz per CPU, %s' % (
            n, i.get('kernel'), i.get('cpus'), i.get('event'), i.get('freq'),
            i.get('perf', '').replace('_', ' ')))
        for fl in info[n].get('flood', []):
            print('  - flood %s: `%s`' % (fl['mode'], fl['cmd'].replace(',', ' ').strip()))
    ev = (info[names[0]].get('info') or [{}])[0].get('event')
    if ev == 'cpu-clock':
        print('\nNo PMU (QEMU TCG): samples come from the cpu-clock hrtimer, which '
              'fires only where interrupts are enabled, so time spent with '
              'interrupts off is charged to the instruction that enables them '
              '(`_raw_spin_unlock_irqrestore`, the `local_irq_restore()` at the end '
              'of `queue_work_on()`). Read the shares as "this call chain, up to '
              'its next interrupt-enable point"; on a host with a PMU, '
              'perf-scripts pick `cycles` and the attribution is exact.')

    print('\n### perf stat -r N of the flood (whole machine)\n')
    evs = ['cpu-clock', 'context-switches', 'cpu-migrations', 'page-faults',
           'cycles', 'instructions', 'elapsed']
    have = [e for e in evs if any(e in stat(os.path.join(out, n, m + '.stat.txt'))
                                  for n in names for m in ms)]
    print('| mode | kernel | ' + ' | '.join(
        e + (' (msec)' if e == 'cpu-clock' else ' (s)' if e == 'elapsed' else '')
        for e in have) + ' |')
    print('|---|---|' + '---|' * len(have))
    for m in ms:
        for n in names:
            s = stat(os.path.join(out, n, m + '.stat.txt'))
            cells = []
            for e in have:
                v = s.get(e)
                cells.append('%.3g +- %.1f%%' % v if v else '-')
            print('| %s | %s | %s |' % (m, n, ' | '.join(cells)))
    print('\nValues are perf stat\'s means over its -r runs with its +- spread.')

    print('\n### Hottest frames of the PRQ path (from the folded stacks)\n')
    for m in ms:
        data = {n: folded(os.path.join(res, 'flame-%s-%s.folded' % (n, m))) for n in names}
        prq = {n: hot(data[n], lambda f: bool(PRQ.match(f[0]))) for n in names}
        work = {n: hot(data[n], lambda f: any(clean(x) == WORK for x in f)) for n in names}
        print('**%s** (samples: PRQ thread %s; fault work %s)\n' % (
            m, ', '.join('%s %d' % (n, prq[n][0]) for n in names),
            ', '.join('%s %d' % (n, work[n][0]) for n in names)))
        for title, h, col in (('PRQ thread, self', prq, 2), ('PRQ thread, inclusive', prq, 1),
                              ('fault work (%s), self' % WORK, work, 2)):
            top = sorted({k for n in names for k, v in h[n][col].items() if v >= 2.0},
                         key=lambda k: -max(h[n][col].get(k, 0) for n in names))[:10]
            if title.endswith('inclusive'):
                top = [k for k in top if not k.startswith('ret_from_fork') and k != 'kthread'][:10]
            print('| %s | %s |' % (title, ' | '.join('%s %%' % n for n in names)))
            print('|---|' + '---|' * len(names))
            for k in top:
                print('| `%s` | %s |' % (k, ' | '.join('%.1f' % h[n][col].get(k, 0) for n in names)))
            print()

    print('### Flame graphs\n')
    print('Self-contained HTML (d3-flame-graph, works offline; idle tasks left '
          'out), and the folded stacks they come from:\n')
    for m in ms:
        links = []
        for n in names:
            b = os.path.join(res, 'flame-%s-%s' % (n, m))
            links.append('[%s](%s) ([folded](%s)%s)' % (
                n, rel(b + '.html'), rel(b + '.folded'),
                ', [png](%s)' % rel(b + '.png') if os.path.exists(b + '.png') else ''))
        d = os.path.join(res, 'diff-%s' % m)
        if os.path.exists(d + '.html'):
            links.append('[differential %s vs %s](%s)%s' % (
                names[1], names[0], rel(d + '.html'),
                ' ([png](%s))' % rel(d + '.png') if os.path.exists(d + '.png') else ''))
        print('- %s: %s' % (m, ', '.join(links)))

    # RESULTS.md takes this file up to here; the traces stay in results/profile.md
    print('\n<!-- end of the RESULTS.md part -->')
    print('The function_graph traces of one page request and the perf reports of '
          'the PRQ path follow in `results/profile.md`.')
    print('\n### One page request, function_graph (perf-scripts/ftrace-graph.sh)\n')
    print('| kernel | request | ' + ' | '.join('`%s` us' % f for f in TRACED) + ' |')
    print('|---|---|' + '---|' * len(TRACED))
    for n in names:
        for m in ('success', 'fail-ro'):
            d = ftrace_durations(os.path.join(out, n, m + '.ftrace.txt'))
            print('| %s | %s | %s |' % (n, m, ' | '.join(
                '%.1f (%d)' % (statistics.median(d[f]), len(d[f])) if f in d else '-'
                for f in TRACED)))
    print('\nMedian duration over the traced calls (their number in brackets). '
          'They include function_graph\'s own cost on every traced call, '
          'TCG\'s, and any preemption inside the call (a wakeup in '
          '`queue_work_on()` can hand the CPU to the woken worker): read the '
          'traces for the call structure, and take costs from `make bench`. '
          'The full traces:\n')
    for n in names:
        for m in ('success', 'fail-ro'):
            p = os.path.join(out, n, m + '.ftrace.txt')
            if os.path.exists(p):
                with open(p) as f:
                    txt = f.read()
                print('<details><summary>%s, %s (%d lines)</summary>\n\n```\n%s```\n</details>\n'
                      % (n, m, txt.count('\n'), txt))

    print('### perf report of the PRQ path (perf-scripts/report.sh)\n')
    for m in ms:
        for n in names:
            p = os.path.join(out, n, m + '.report.txt')
            if os.path.exists(p):
                with open(p) as f:
                    txt = f.read()
                print('<details><summary>%s, %s</summary>\n\n```\n%s```\n</details>\n' % (n, m, txt))


if __name__ == '__main__':
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
