#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""RID slots (the series) against a domain-local hook (the alternative).

Reads the same guest logs as reduce.py (whose parser it reuses) for the
three kernels of `make bench`: baseline-perf, patched-perf (RID slots) and
domainhook-perf (patches/alt-domain-hook/: a callback on the SVA bond,
called synchronously by the iopf worker). Writes one Markdown section with
icount figures (1 ns == 1 instruction, deterministic) from that run.

Usage: compare.py --logs DIR --out results/design-comparison.md
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reduce as R  # noqa: E402

HOOK = 'domainhook-perf'
KERNELS = [(R.BASE, 'baseline'), (R.PATCHED, 'RID slots'), (HOOK, 'domain hook')]
CB = [(0, 0, 'callback 0'), (10, 0, 'callback 10 us busy'), (1000, 1, 'callback 1 ms asleep')]


def cfg(mode, notify=1, rids=0, cb_us=0, cb_sleep=0, group=1):
    return (mode, group, notify, rids, cb_us, cb_sleep)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--logs', required=True)
    ap.add_argument('--out', required=True)
    a = ap.parse_args()
    runs, _failed = R.parse(a.logs)
    vals, _cdfs = R.collect(runs)
    have = {k for k, _, _ in runs}
    if HOOK not in have or R.PATCHED not in have:
        sys.exit('compare.py: the logs hold no run of both patched-perf and domainhook-perf')

    def v(kernel, c, name):
        return vals.get((kernel, 'icount', c), {}).get(name)

    def cell(kernel, c, name, base_c=None):
        x = v(kernel, c, name)
        if not x:
            return '-'
        txt = R.fmt(R.med(x))
        b = v(R.BASE, base_c, name) if base_c else None
        if b and kernel != R.BASE:
            r, lo, hi = R.ratio_ci(b, x)
            txt += f' ({r:.3f}x' + (f', {lo:.3f}-{hi:.3f}' if lo else '') + ')'
        return txt

    out = []
    w = out.append
    w('## RID slots vs a domain-local hook (issue 7)')
    w('')
    w('The alternative a maintainer suggested, built as a third kernel '
      '(`domainhook-perf`: `patches/alt-domain-hook/`, never upstream): a callback '
      'on the attach handle (the SVA bond), called synchronously by the iopf '
      'worker after the page response. Same benchmark, same run, icount mode '
      '(emulated; instructions per fault, median over runs; in brackets the '
      'ratio to baseline with its 95% bootstrap interval).')
    w('')
    w('### Cost per fault (instructions)')
    w('')
    w('| workload | ' + ' | '.join(n for _, n in KERNELS) + ' |')
    w('|---|' + '---|' * len(KERNELS))
    rows = [('success, nothing registered', cfg('success', 0), cfg('success', 0))]
    rows.append(('success, device registered (+1000 other RIDs)',
                 cfg('success', 1, 1000), cfg('success', 0)))
    for mode in ('fail-ro', 'fail-novma', 'fail-nohandler'):
        rows.append((f'{mode}, nothing registered', cfg(mode, 0), cfg(mode, 0)))
        for us, sl, label in CB:
            rows.append((f'{mode}, registered, {label}', cfg(mode, 1, 0, us, sl), cfg(mode, 0)))
    for label, c, base_c in rows:
        w(f'| {label} | ' + ' | '.join(cell(k, c if k != R.BASE else base_c, 'ns_per_fault', base_c)
                                      for k, _ in KERNELS) + ' |')
    w('')
    w('### Report-to-response latency, p50 (instructions)')
    w('')
    w('The response itself never waits for either callback; what a synchronous '
      'callback delays is the next group the same worker handles.')
    w('')
    w('| workload | ' + ' | '.join(n for _, n in KERNELS[1:]) + ' |')
    w('|---|' + '---|' * 2)
    for mode in ('fail-ro', 'fail-novma'):
        for us, sl, label in CB:
            c = cfg(mode, 1, 0, us, sl)
            w(f'| {mode}, {label} | ' + ' | '.join(cell(k, c, 'lat_p50') for k, _ in KERNELS[1:]) + ' |')
    w('')
    w('### Which failures each design sees (callbacks per failed group, measured)')
    w('')
    w('| failure | RID slots | domain hook |')
    w('|---|---|---|')
    for mode, what in (('fail-ro', 'handler: write to a read-only page'),
                       ('fail-novma', 'handler: no VMA'),
                       ('fail-nohandler', 'no handler for the PASID (no attach handle)'),
                       ('mixed', 'mixed success/failure flood')):
        c = cfg(mode, 1, 0, 0, 0)
        cells = []
        for k, _ in KERNELS[1:]:
            x = v(k, c, 'cb_per_failure')
            cells.append(f'{R.med(x):.2f}' if x else '0 (none delivered)')
        w(f'| {what} | ' + ' | '.join(cells) + ' |')
    w('| requests the IOMMU driver rejects (VT-d `handle_bad_prq_event()`, AMD invalid PPR) '
      '| reported (keyed by the descriptor\'s RID; KUnit and code) | cannot: no device, no domain |')
    w('')
    w('### What a driver writes')
    w('')
    w('- RID slots: `iopf_failure_notifier_register(dev, fn, data)` once at probe, '
      '`iopf_failure_notifier_unregister(dev)` at remove; the record carries RID, '
      'PASID, address, access and code, so the driver maps it to its context by '
      'PASID (see the uacce patch: about 40 lines including the uAPI).')
    w('- Domain hook: after every `iommu_sva_bind_device()`, '
      '`iommu_sva_set_fault_failed(handle, fn, data)`, and clear it before unbind; '
      'the callback runs in the fault worker, so anything slow must be deferred by '
      'the driver itself; failures without a bond never reach it.')
    w('')
    with open(a.out, 'w') as f:
        f.write('\n'.join(out))


if __name__ == '__main__':
    main()
