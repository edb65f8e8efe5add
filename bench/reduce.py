#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Reduce the benchmark's guest logs into RESULTS.md.

Input: build/bench/logs/KERNEL-MODE-N.log, the serial consoles of the guest
job "bench" (guest/jobs/bench.sh); only their "@@RESULT bench=iopf ..."
lines are read (format: guest/lib.sh). The tag=KERNEL-QMODE-N key of each
line names the kernel (baseline-perf, patched-perf), the QEMU mode (icount,
smp) and the run.

Per run, each configuration gives scalars (p50/p99 latency, ns per fault,
...); across runs we report the median and the range, and patched/baseline
ratios of the means with a 95% bootstrap confidence interval (runs are
resampled within each kernel). Everything in RESULTS.md comes from the logs
and the files given on the command line; nothing is typed by hand.

Usage: reduce.py --logs DIR --env env.txt --bloat bloat.txt --plots DIR --out RESULTS.md
"""
import argparse
import glob
import os
import random
import re
import statistics
import subprocess
import sys

TAG = re.compile(r'^(?P<kernel>.+)-(?P<qmode>icount|smp)-(?P<run>\d+)$')
BASE, PATCHED = 'baseline-perf', 'patched-perf'
# generated sections appended to RESULTS.md, in this order, when present
SECTIONS = ['design-comparison.md', 'fast-tier.md', 'reliability.md',
            'profile.md', 'rt.md']
MODES = ['success', 'present', 'fail-ro', 'fail-novma', 'fail-nohandler',
         'mixed', 'enqueue']


def parse(logdir):
    """{(kernel, qmode, run): [dict, ...]} and the list of failed logs"""
    runs = {}
    for path in sorted(glob.glob(os.path.join(logdir, '*.log'))):
        with open(path, errors='replace') as f:
            for line in f:
                line = line.replace('\r', '').strip()
                if not line.startswith('@@RESULT bench=iopf '):
                    continue
                kv = dict(w.split('=', 1) for w in line.split()[1:] if '=' in w)
                m = TAG.match(kv.get('tag', ''))
                if not m:
                    continue
                key = (m['kernel'], m['qmode'], int(m['run']))
                runs.setdefault(key, []).append(kv)
    failed = sorted(os.path.basename(p) for p in glob.glob(os.path.join(logdir, '*.failed')))
    return runs, failed


def cfg_of(kv):
    return (kv['mode'], int(kv['group']), int(kv['notify']), int(kv['rids']),
            int(kv['cb_us']), int(kv['cb_sleep']))


def scalars(lines):
    """{cfg: {name: value}} and {cfg: {metric: [cdf]}} for one run"""
    out, cdfs = {}, {}
    for kv in lines:
        if 'metric' not in kv or 'error' in kv:
            continue
        cfg, m = cfg_of(kv), kv['metric']
        d = out.setdefault(cfg, {})
        if m.endswith('_cdf'):
            cdfs.setdefault(cfg, {})[m[:-4]] = [int(x) for x in kv['q'].split(',')]
        elif m == 'throughput':
            d['ns_per_fault'] = float(kv['ns_per_fault'])
            d['faults_per_s'] = float(kv['faults_per_s'])
            if 'callbacks' in kv and int(kv.get('failed_groups', 0)):
                d['cb_per_failure'] = int(kv['callbacks']) / int(kv['failed_groups'])
        else:
            short = {'latency_ns': 'lat', 'report_ns': 'report',
                     'callback_ns': 'cb', 'enqueue_ns': 'enq',
                     'null_ns': 'null'}.get(m, m)
            for q in ('p50', 'p90', 'p99', 'p999', 'max', 'min', 'mean', 'n'):
                if q in kv:
                    d[f'{short}_{q}'] = float(kv[q])
    for d in out.values():
        if 'enq_p50' in d and 'null_p50' in d:
            d['enq_net'] = d['enq_p50'] - d['null_p50']
    return out, cdfs


def collect(runs):
    """{(kernel, qmode, cfg): {name: [per-run values]}}, cdfs likewise"""
    vals, cdfs = {}, {}
    for (kernel, qmode, _run), lines in sorted(runs.items()):
        s, c = scalars(lines)
        for cfg, d in s.items():
            dst = vals.setdefault((kernel, qmode, cfg), {})
            for name, v in d.items():
                dst.setdefault(name, []).append(v)
        for cfg, d in c.items():
            dst = cdfs.setdefault((kernel, qmode, cfg), {})
            for name, v in d.items():
                dst.setdefault(name, []).append(v)
    return vals, cdfs


def ratio_ci(a, b, n=4000, seed=1):
    """mean(b)/mean(a) and a 95% bootstrap interval (runs resampled)"""
    r = statistics.mean(b) / statistics.mean(a)
    if len(a) < 2 or len(b) < 2:
        return r, None, None
    rng = random.Random(seed)
    rs = []
    for _ in range(n):
        ma = statistics.mean(rng.choices(a, k=len(a)))
        mb = statistics.mean(rng.choices(b, k=len(b)))
        rs.append(mb / ma)
    rs.sort()
    return r, rs[int(0.025 * n)], rs[int(0.975 * n) - 1]


def fmt_ratio(r, lo, hi):
    if lo is None:
        return f'{r:.4f}x (one run per kernel: no interval)'
    return f'{r:.4f}x (95% CI {lo:.4f}-{hi:.4f})'


def med(v):
    return statistics.median(v) if v else None


def fmt(v, digits=0):
    if v is None:
        return '-'
    if digits:
        return f'{v:,.{digits}f}'
    return f'{v:,.0f}'


def rng_str(v):
    if not v:
        return '-'
    return f'{fmt(med(v))} [{fmt(min(v))}-{fmt(max(v))}]'


def cfg_label(cfg):
    mode, group, notify, rids, cb, sleep = cfg
    if not notify:
        n = 'unused'
    else:
        n = f'{rids} other RIDs'
    cbs = '-' if not notify else ('0' if not cb else f'{cb} us {"sleep" if sleep else "busy"}')
    return mode, group, n, cbs


def gnuplot_cdf(path, title, series):
    """series: [(label, [quantile values])]; x: ns (log), y: fraction"""
    datfiles = []
    for i, (label, q) in enumerate(series):
        dat = f'{path}.{i}.dat'
        with open(dat, 'w') as f:
            for j, v in enumerate(q):
                f.write(f'{max(v, 1)} {j / (len(q) - 1):.4f}\n')
        datfiles.append((label, dat))
    plots = ', '.join(f"'{d}' using 1:2 with steps lw 2 title '{lbl}'" for lbl, d in datfiles)
    script = f"""set terminal svg size 720,420 dynamic font 'sans,11'
set output '{path}'
set title '{title}'
set xlabel 'report -> response latency, ns (emulated)'
set ylabel 'fraction of page request groups'
set logscale x
set grid
set key bottom right
plot {plots}
"""
    try:
        subprocess.run(['gnuplot'], input=script, text=True, check=True,
                       capture_output=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f'reduce.py: gnuplot failed for {path}: {e}', file=sys.stderr)
        return False
    finally:
        for _, d in datfiles:
            os.unlink(d)
    return True


def elementwise_median(cdfs):
    return [statistics.median(col) for col in zip(*cdfs)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--logs', required=True)
    ap.add_argument('--env', required=True)
    ap.add_argument('--bloat', required=True)
    ap.add_argument('--plots', required=True)
    ap.add_argument('--out', required=True)
    a = ap.parse_args()

    runs, failed = parse(a.logs)
    if not runs:
        sys.exit(f'reduce.py: no @@RESULT bench=iopf lines in {a.logs}/*.log: nothing to reduce')
    vals, cdfs = collect(runs)
    env = {}
    if os.path.exists(a.env):
        for line in open(a.env):
            if '=' in line:
                k, v = line.rstrip('\n').split('=', 1)
                env[k] = v
    kernels = sorted({k for k, _, _ in runs})
    qmodes = [q for q in ('icount', 'smp') if any(k[1] == q for k in runs)]
    guest = {}
    for lines in runs.values():
        for kv in lines:
            if 'uname' in kv:
                guest = kv
                break
    errors = [(k, kv) for k, lines in runs.items() for kv in lines if 'error' in kv]

    out = []
    w = out.append
    w('# iopf-notify benchmark results')
    w('')
    w(f'Generated by `bench/reduce.py` from `{os.path.relpath(a.logs)}` (the last `make bench`); '
      'do not edit by hand. **All figures are from QEMU TCG guests: emulated, '
      'not bare metal.** They show relative cost (patched vs baseline on the same '
      'emulator); in `icount` mode the guest clock advances 1 ns per executed '
      'instruction, so "ns" there means instructions.')
    w('')
    w('## Environment')
    w('')
    w('| | |')
    w('|---|---|')
    w(f'| date (UTC) | {env.get("date", "?")} |')
    w(f'| kernel | {env.get("kernel_package", "?")}, guest `uname -r` {guest.get("kernel", "?")} |')
    for k in kernels:
        w(f'| {k} | tree {env.get("tree_" + k, "?")}, .config sha256 {env.get("config_" + k, "?")} |')
    w(f'| QEMU | {env.get("qemu", "?")}; {env.get("qemu_machine", "")} |')
    w(f'| host CPU | {env.get("host_cpu", "?")} ({env.get("host_cpus", "?")} CPUs, host kernel {env.get("host_kernel", "?")}) |')
    w(f'| compiler | {env.get("gcc", "?")} |')
    nrun = {(k, q): len([1 for r in runs if r[0] == k and r[1] == q]) for k in kernels for q in qmodes}
    w(f'| runs | ' + ', '.join(f'{k} {q}: {n}' for (k, q), n in nrun.items()) +
      f' (requested {env.get("runs", "?")} each; order A B A B) |')
    w(f'| guest job args | `{env.get("guest_args", "") or "(defaults: 256 pages/round, 3 warm-up + 8 timed rounds)"}` |')
    if failed:
        w(f'| failed runs (excluded) | {", ".join(failed)} |')
    w('')
    if errors:
        w('**Errors reported by the helper (runs with no samples or wrong response codes):**')
        w('')
        for k, kv in errors[:20]:
            w(f'- {k}: `{" ".join(f"{x}={y}" for x, y in kv.items())}`')
        w('')

    # --- verdicts
    w('## Verdicts')
    w('')
    verdicts = []

    def both(q, cfg, name):
        va = vals.get((BASE, q, cfg), {}).get(name)
        vb = vals.get((PATCHED, q, cfg), {}).get(name)
        return va, vb

    def claim(text, q, cfg_a, cfg_b, name, goal=None):
        va = vals.get((BASE, q, cfg_a), {}).get(name)
        vb = vals.get((PATCHED, q, cfg_b), {}).get(name)
        if not va or not vb:
            verdicts.append(f'- {text}: **no data** ({q})')
            return
        r, lo, hi = ratio_ci(va, vb)
        g = ''
        if goal is not None:
            ok = (hi if hi is not None else r) <= goal
            g = f' - goal <= {goal}: **{"met" if ok else "NOT met"}**'
        verdicts.append(f'- {text}, patched/baseline: **{fmt_ratio(r, lo, hi)}**{g}')

    S = ('success', 1, 0, 0, 0, 0)
    for q in qmodes:
        unit = 'icount = instructions' if q == 'icount' else 'smp = wall clock'
        claim(f'success path, ns per fault ({unit}), emulated', q, S, S, 'ns_per_fault',
              1.002 if q == 'icount' else None)
    for q in qmodes:
        unit = 'icount' if q == 'icount' else 'smp'
        claim(f'success path, p50 report-to-response latency ({unit}), emulated', q, S, S, 'lat_p50')
        claim(f'success path, PRQ-thread cost of iommu_report_device_fault() p50 ({unit}), emulated',
              q, S, S, 'report_p50')
    for q in qmodes:
        claim(f'success path with the notifier in use (own RID + 1000 other RIDs registered), ns per fault ({q}), emulated',
              q, S, ('success', 1, 1, 1000, 0, 0), 'ns_per_fault')
        claim(f'spurious fault (present pages), ns per fault ({q}), emulated',
              q, ('present', 1, 0, 0, 0, 0), ('present', 1, 0, 0, 0, 0), 'ns_per_fault')
        claim(f'4-page groups, ns per fault ({q}), emulated',
              q, ('success', 4, 0, 0, 0, 0), ('success', 4, 0, 0, 0, 0), 'ns_per_fault')
        for m in ('fail-ro', 'fail-novma', 'fail-nohandler', 'mixed'):
            claim(f'{m}, notifier unused, ns per fault ({q}), emulated', q,
                  (m, 1, 0, 0, 0, 0), (m, 1, 0, 0, 0, 0), 'ns_per_fault')
            claim(f'{m}, notifier registered (1000 other RIDs, 0 us callback), ns per fault ({q}), emulated', q,
                  (m, 1, 0, 0, 0, 0), (m, 1, 1, 1000, 0, 0), 'ns_per_fault')

    cbs = [(0, 0), (10, 0), (1000, 1)]
    for q in qmodes:
        for rids in (0, 1, 1000):
            xs = [med(vals.get((PATCHED, q, ('enqueue', 1, 1, rids, c, s)), {}).get('enq_p50'))
                  for c, s in cbs]
            if None in xs:
                continue
            verdicts.append(
                f'- fault-side cost of one failure report (`__iopf_report_failure()`, IRQs off, p50, {q}, '
                f'{rids} other RIDs) with callback 0 / 10 us busy / 1 ms sleeping: '
                f'**{fmt(xs[0])} / {fmt(xs[1])} / {fmt(xs[2])} ns** (max/min {max(xs) / max(min(xs), 1):.3f}), emulated')
        xs = [med(vals.get((PATCHED, q, ('fail-nohandler', 1, 1, 1000, c, s)), {}).get('report_p50'))
              for c, s in cbs]
        if None not in xs:
            verdicts.append(
                f'- PRQ-thread cost of a failed request reported in place (no handler; '
                f'iommu_report_device_fault() p50, {q}, 1000 other RIDs) with callback 0 / 10 us / 1 ms: '
                f'**{fmt(xs[0])} / {fmt(xs[1])} / {fmt(xs[2])} ns**, emulated')
        for m in ('fail-ro', 'fail-novma'):
            xs = [med(vals.get((PATCHED, q, (m, 1, 1, 1000, c, s)), {}).get('lat_p50'))
                  for c, s in cbs]
            if None not in xs:
                verdicts.append(
                    f'- {m} report-to-response latency p50 ({q}, 1000 other RIDs) with callback 0 / 10 us / 1 ms: '
                    f'**{fmt(xs[0])} / {fmt(xs[1])} / {fmt(xs[2])} ns** (the response does not wait for the callback), emulated')
        x = med(vals.get((PATCHED, q, ('fail-ro', 1, 1, 0, 0, 0)), {}).get('cb_p50'))
        if x is not None:
            verdicts.append(f'- failure timestamp to callback p50 (fail-ro, 0 us callback, {q}): **{fmt(x)} ns**, emulated')
    w('\n'.join(verdicts))
    w('')

    # --- ratios table
    w('## Patched / baseline, every configuration both kernels ran')
    w('')
    w('Ratio of the means over runs of the per-run value; 95% bootstrap interval '
      '(runs resampled within each kernel, 4000 resamples). "ns/fault" is the '
      'round time divided by the pages of the round (throughput); "p50" is the '
      'per-group report-to-response latency.')
    w('')
    w('| QEMU | mode | group | ns/fault ratio | p50 latency ratio | p99 latency ratio |')
    w('|---|---|---|---|---|---|')
    for q in qmodes:
        for cfg in sorted({c for (k, qq, c) in vals if qq == q and k == BASE}):
            row = []
            for name in ('ns_per_fault', 'lat_p50', 'lat_p99'):
                va, vb = both(q, cfg, name)
                row.append(fmt_ratio(*ratio_ci(va, vb)) if va and vb else '-')
            w(f'| {q} | {cfg[0]} | {cfg[1]} | ' + ' | '.join(row) + ' |')
    w('')

    # --- per-mode tables
    w('## Per mode')
    w('')
    w('Median over runs [min-max over runs] of each run\'s value. Latencies in ns '
      '(icount: instructions), all emulated. "notifier": unused = nothing registered '
      '(baseline: the facility does not exist); otherwise the mock device\'s RID is '
      'registered plus N unrelated RIDs on the same IOMMU. "callback": time the '
      'driver callback spends. "report" = PRQ thread time in iommu_report_device_fault(); '
      '"callback lat" = failure timestamp to callback start; "enqueue" = '
      '__iopf_report_failure() minus the empty timed region. Each round queues '
      'all its page requests at once on the PRQ threads (a flood, as a device '
      'with many outstanding requests would), so the latency includes the wait '
      'behind earlier groups on the iopf workqueue; the p50 is a loaded-queue '
      'figure, min is the closest to an unloaded single fault.')
    for q in qmodes:
        for mode in MODES:
            cfgs = sorted({c for (_k, qq, c) in vals if qq == q and c[0] == mode})
            if not cfgs:
                continue
            w('')
            w(f'### {mode} ({q}, emulated)')
            w('')
            if mode == 'enqueue':
                w('| kernel | notifier | callback | runs | enqueue p50 (net) | enqueue p99 | null p50 | callback lat p50 | callbacks/run |')
                w('|---|---|---|---|---|---|---|---|---|')
            else:
                w('| kernel | group | notifier | callback | runs | ns/fault | latency p50 | p99 | p99.9 | max | report p50 | callback lat p50 |')
                w('|---|---|---|---|---|---|---|---|---|---|---|---|')
            for cfg in cfgs:
                for k in kernels:
                    d = vals.get((k, q, cfg))
                    if not d:
                        continue
                    _m, group, n, cb = cfg_label(cfg)
                    nr = len(next(iter(d.values())))
                    if mode == 'enqueue':
                        w(f'| {k} | {n} | {cb} | {nr} | {rng_str(d.get("enq_net"))} | {rng_str(d.get("enq_p99"))} | '
                          f'{rng_str(d.get("null_p50"))} | {rng_str(d.get("cb_p50"))} | {rng_str(d.get("cb_n"))} |')
                    else:
                        w(f'| {k} | {group} | {n} | {cb} | {nr} | {rng_str(d.get("ns_per_fault"))} | '
                          f'{rng_str(d.get("lat_p50"))} | {rng_str(d.get("lat_p99"))} | {rng_str(d.get("lat_p999"))} | '
                          f'{rng_str(d.get("lat_max"))} | {rng_str(d.get("report_p50"))} | {rng_str(d.get("cb_p50"))} |')
    w('')

    # --- plots
    w('## Latency CDFs')
    w('')
    os.makedirs(a.plots, exist_ok=True)
    rel = os.path.relpath(a.plots, os.path.dirname(os.path.abspath(a.out)))
    w('Element-wise median over runs of each run\'s 201-point quantile function '
      '(0.5% steps) of the report-to-response latency. Emulated.')
    w('')
    for q in qmodes:
        for mode in MODES[:-1]:
            series = []
            cfg0 = (mode, 1, 0, 0, 0, 0)
            for k in kernels:
                c = cdfs.get((k, q, cfg0), {}).get('latency_ns')
                if c:
                    series.append((f'{k}, notifier unused', elementwise_median(c)))
            for c_us, s in cbs:
                c = cdfs.get((PATCHED, q, (mode, 1, 1, 1000, c_us, s)), {}).get('latency_ns')
                if c and mode.startswith(('fail', 'mixed')) or (c and c_us == 0):
                    series.append((f'patched, 1000 RIDs, callback {c_us} us', elementwise_median(c)))
            if not series:
                continue
            name = f'cdf-{q}-{mode}.svg'
            if gnuplot_cdf(os.path.join(a.plots, name), f'{mode} ({q}, emulated)', series):
                w(f'![{mode} {q}]({rel}/{name})')
                w('')

    # --- bloat-o-meter
    w('## Code size (scripts/bloat-o-meter, baseline-perf -> patched-perf)')
    w('')
    if os.path.exists(a.bloat) and os.path.getsize(a.bloat):
        w('```')
        w(open(a.bloat).read().rstrip())
        w('```')
    else:
        w('Not available (both perf kernels must be built).')
    w('')

    # --- real host
    w('## Running the module on a real host')
    w('')
    w('''The module and helper are plain kbuild/C and need nothing from QEMU:

1. A kernel with `CONFIG_IOMMU_SVA=y`, `CONFIG_IOMMU_IOPF=y`,
   `CONFIG_IOMMUFD_TEST=y` (exports `iommu_device_register_bus()`), the
   test-only patch `patches/test-only/0001-*` (lets SVA bind on x86 for the
   bus named `iopf_mock`), and for the patched run the series. Build both
   kernels from the same `.config` (`scripts/kconfig.sh` produces it) and boot
   each in turn; the host's own IOMMU is not touched (the mock IOMMU lives on
   its own bus).
2. `make -C <kernel tree> O=<objdir> M=$PWD/bench modules` and
   `gcc -static -O2 -o iopf-bench-user bench/iopf-bench-user.c -lm`.
3. Quiet the machine: fixed CPU frequency (`cpupower frequency-set -g
   performance`), no turbo, SMT siblings of the measured CPUs offline,
   `isolcpus=`/`nohz_full=` for the PRQ CPUs if available.
4. As root: copy `guest/lib.sh` and `guest/jobs/bench.sh` and the two
   binaries into `/bench` (or edit `B=` in the job) and run
   `sh bench.sh tag=$(uname -r)-host-1 | tee host-1.log`, alternating
   kernels A B A B at least 5 times; rename the logs to
   `baseline-perf-smp-N.log` / `patched-perf-smp-N.log` with
   `tag=baseline-perf-smp-N` and run
   `bench/reduce.py --logs DIR --env /dev/null --bloat /dev/null --plots DIR --out RESULTS-host.md`.
5. On real VT-d/AMD hardware with a PRI-capable device, the same numbers
   can be cross-checked against the real PRQ thread with
   `perf stat -e instructions -r 10` and function_graph tracing of
   `prq_event_thread`, `iommu_report_device_fault` and
   `iopf_group_response`.
''')
    # sections other scripts generated (each says where it comes from)
    for name in SECTIONS:
        path = os.path.join(a.plots, name)
        if os.path.exists(path):
            body = open(path).read()
            cut = body.find('<!-- end of the RESULTS.md part -->')
            if cut >= 0:
                tail = body[cut:].split('\n', 2)
                body = body[:cut] + (tail[1] if len(tail) > 1 else '')
            w('')
            w(body.rstrip('\n'))
    with open(a.out, 'w') as f:
        f.write('\n'.join(out) + '\n')
    print(f'reduce.py: {len(runs)} runs, {len(vals)} (kernel, mode, configuration) cells -> {a.out}')


if __name__ == '__main__':
    main()
