# SPDX-License-Identifier: GPL-2.0
"""The tables of RESULTS.md's benchmark sections, from benchdata.Data."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchdata as D  # noqa: E402
import goals as G  # noqa: E402

QM = [('icount', 'instructions'), ('smp', 'ns, indication')]
FAIL_MODES = ['fail-ro', 'fail-novma', 'fail-nohandler', 'mixed']
CBS = [(0, 0, '0'), (10, 0, '10 us busy'), (1000, 1, '1 ms asleep')]
# functions counted beyond config/success-path.txt (scripts/bench.sh)
FAILURE_FNS = ['__iopf_report_failure', 'xa_load', 'ktime_get_ns',
               'queue_work_on', 'iopf_notify_work',
               'iommu_fault_failed_call', 'iommu_fault_failed_work']
# one call per record: its median call; the others drain several records
# per call: their total over the records
PER_CALL_FNS = ['__iopf_report_failure', 'iommu_fault_failed_call',
                'xa_load', 'ktime_get_ns', 'queue_work_on']


def md(rows):
    head, body = rows[0], rows[1:]
    out = ['| ' + ' | '.join(head) + ' |',
           '| ' + ' | '.join('---' for _ in head) + ' |']
    out += ['| ' + ' | '.join(str(c) for c in r) + ' |' for r in body]
    return '\n'.join(out) + '\n'


def q(lines, field):
    """median over runs, and the range when runs differ"""
    v = D.values(lines, field)
    if not v:
        return 'no data'
    m = D.fmt(D.med(v))
    return m if min(v) == max(v) else f'{m} ({D.spread(v)})'


def exact_success(data, fns):
    fns = fns + ['handle_mm_fault']
    own = G.exact_table(data, 'prq-success', fns, G.prq_faults, 'self')
    inc = G.exact_table(data, 'prq-success', fns, G.prq_faults, 'median')
    if not own or not any(own.values()):
        return ('No exact counts: the fncount plugin runs (scenario '
                'prq-success) are missing from this run.\n')
    runs = {k: len(data.exact.get((k, 'prq-success'), []))
            for k in (D.BASE, D.PATCHED)}
    rows = [('function', 'own: baseline', 'own: patched', 'own: delta',
             'inclusive: baseline', 'inclusive: patched', 'inclusive: delta')]

    def cell(v):
        if not v or None in v:
            return 'absent'
        if len(set(v)) == 1:
            return D.fmt(v[0])
        return f'{D.fmt(min(v))}-{D.fmt(max(v))} (runs differ)'

    for fn in fns:
        ob, op = own.get(fn, {}).get(D.BASE), own.get(fn, {}).get(D.PATCHED)
        ib, ip = inc.get(fn, {}).get(D.BASE), inc.get(fn, {}).get(D.PATCHED)

        def delta(b, p):
            if not b or not p or None in b + p:
                return ''
            if len(set(b)) > 1 or len(set(p)) > 1:
                return 'runs differ'
            return f'{p[0] - b[0]:+g}'
        rows.append((f'`{fn}`', cell(ob), cell(op), delta(ob, op),
                     cell(ib), cell(ip), delta(ib, ip)))
    return (f'Instructions per successful fault, counted by the fncount '
            f'plugin (qemu/plugins/fncount/) around 64 one-page groups of '
            f'the iopf-pri-test device sent one at a time (one call of each '
            f'function per fault); {runs[D.BASE]} baseline and '
            f'{runs[D.PATCHED]} patched boots in QEMU smp mode (instruction '
            f'counts need no virtual clock). "own": the function\'s own '
            f'code per call, callees excluded (the same in every call and '
            f'every boot: the verdicts use it); "inclusive": the median '
            f'call with its callees. A call into the workqueue costs more '
            f'when a kworker must be woken, which depends on timing: the '
            f'inclusive counts of the PRQ thread, the report and the SVA '
            f'handler can differ between boots of the same kernel, and '
            f'such rows show the range. A `rep` string instruction counts '
            f'once, as hardware counts it. Functions in path order '
            f'(config/success-path.txt); the inlined ones are counted in '
            f'their callers. Every call\'s min/median/max is in the '
            f'plugin output (build/bench/exact/).\n\n' + md(rows))


def _region_rows(data, scen_kernels):
    rows = [('kernel', 'scenario', 'records') +
            tuple(FAILURE_FNS) + ('all vCPUs, per record',)]
    for k, scen in scen_kernels:
        runs = data.exact.get((k, scen), [])
        if not runs:
            rows.append((k, scen, 'no data') + ('',) * (len(FAILURE_FNS) + 1))
            continue
        r = runs[0]
        n = r['function'].get(('all', 'iopf_group_response'), {}).get('calls')
        if scen.startswith('mock-enq'):
            n = r['function'].get(('all', '__iopf_report_failure'), {}).get('calls')
        cells = []
        for fn in FAILURE_FNS:
            row = r['function'].get(('all', fn))
            if not row or not row['calls'] or not n:
                cells.append('-')
            elif fn in PER_CALL_FNS:
                cells.append(D.fmt(row['median']))
            else:
                cells.append(D.fmt(row['insns'] / n, 1))
        tot = sum(x['insns'] for x in r['region'].values())
        # the enqueue scenarios' regions hold their waits: not comparable
        cells.append(D.fmt(tot / n, 1) if n and 'fail' in scen else '-')
        rows.append((k, scen, n or '-') + tuple(cells))
    return rows


def exact_failure(data):
    sk = [(D.BASE, 'mock-fail-ro'), (D.PATCHED, 'mock-fail-ro'),
          (D.HOOK, 'mock-fail-ro-sync'), (D.HOOK, 'mock-fail-ro-defer'),
          (D.PATCHED, 'mock-enq-idle'), (D.PATCHED, 'mock-enq-pending')]
    if not any(data.exact.get(x) for x in sk):
        return 'No exact counts: the fncount plugin runs are missing.\n'
    return ('Instructions per failure record, inclusive, from the fncount '
            'plugin (QEMU smp mode): the median call of the fault side '
            '(`__iopf_report_failure`, `iommu_fault_failed_call`), the total '
            'of the consumers over the records (a call drains several). '
            '`xa_load`, `ktime_get_ns` and `queue_work_on` are median calls '
            'of those functions anywhere in the region (the fault side\'s '
            'RID lookup, timestamp and kick, but also other callers). '
            'mock-fail-ro: a flood of write requests to read-only '
            'pages through the mock IOMMU, no-op callback (the baseline has '
            'no notification); `__iopf_report_failure` is the fault side, '
            '`iopf_notify_work` the consumer (callbacks included). '
            'mock-enq-idle/-pending: the failure site called directly, the '
            'consumer idle before each call (each call kicks) or held in a '
            'callback (no call kicks). The last column is every instruction '
            'of every vCPU in the region, per record, for the floods '
            '(the added-per-failure goal compares the new code only: fault '
            'side + consumer).\n\n' + md(_region_rows(data, sk)))


def prq_flood(data):
    rows = [('mode', 'window', 'kernel', 'records delivered',
             'icount p50', 'icount p99', 'smp p50 (indication)', 'smp p99')]
    modes = ['success', 'present'] + FAIL_MODES
    for m, win in [(x, 16) for x in modes] + [('success', 1), ('fail-ro', 1)]:
        for k in data.kernels():
            notify = '1' if k == D.PATCHED else '0'
            c = D.prq_cfg(m, win, notify)
            li = data.prq.get((k, 'icount', c), {})
            ls = data.prq.get((k, 'smp', c), {})
            thr = li.get('throughput') or ls.get('throughput') or []
            rec = q(thr, 'records') if notify == '1' else 'no notifier'
            rows.append((m, win, k, rec,
                         q(li.get('device_latency'), 'p50'),
                         q(li.get('device_latency'), 'p99'),
                         q(ls.get('device_latency'), 'p50'),
                         q(ls.get('device_latency'), 'p99')))
    return ('The device-side time from a page request to its Page Group '
            'Response (QEMU virtual clock, logged by the device; in icount '
            'mode guest instructions of both vCPUs), one-page groups sent '
            '16 (window 16: a flood) or 1 at a time. On patched-perf the '
            'driver (tests/vtd-pri) is registered and takes every failure '
            'record; the count of records must equal the failures (checked '
            'by the program). The driver has no domain hook: on '
            'domainhook-perf these rows are the kernel without a hook. '
            'Medians over runs, range in parentheses where runs differ.\n\n' +
            md(rows))


def mock_flood(data):
    out = []
    for qm, unit in QM:
        rows = [('mode', 'kernel', 'registration', 'latency p50', 'p99',
                 'PRQ thread report p50', 'per fault (elapsed)')]
        for m in ['success', 'present'] + FAIL_MODES:
            for k in data.kernels():
                cfgs = [('off', D.mock_cfg(m))]
                if k == D.PATCHED:
                    for rids in (0, 1000):
                        for cb_us, sl, name in CBS[:1] if m in ('success', 'present') else CBS:
                            cfgs.append((f'RID slot, {rids} others, cb {name}',
                                         D.mock_cfg(m, 1, rids, cb_us, sl)))
                if k == D.HOOK:
                    for d in (0, 1):
                        for cb_us, sl, name in CBS[:1] if m in ('success', 'present') else CBS:
                            cfgs.append((f'hook {"deferred" if d else "sync"}, cb {name}',
                                         D.mock_cfg(m, 1, 0, cb_us, sl, d)))
                for label, c in cfgs:
                    d = data.mock.get((k, qm, c))
                    if not d:
                        continue
                    rows.append((m, k, label, q(d.get('latency_ns'), 'p50'),
                                 q(d.get('latency_ns'), 'p99'),
                                 q(d.get('report_ns'), 'p50'),
                                 q(d.get('throughput'), 'ns_per_fault')))
        out.append(f'### {qm} ({unit})\n\n' + md(rows))
    return ('Synthetic page requests from the benchmark\'s PRQ threads through '
            'the mock IOMMU (bench/), the real fault core, SVA handler and '
            'handle_mm_fault(): latency = last request reported to page '
            'response; report = iommu_report_device_fault() in the PRQ '
            'thread; per fault = elapsed time of a round over its faults. '
            'Median over runs (range where runs differ).\n\n' + '\n'.join(out))


def enqueue(data):
    rows = [('consumer', 'batch', 'RIDs registered', 'first neighbour RID',
             'fault side p50 - timer p50', 'mean', 'timer p50', 'callbacks p50')]
    seen = set()
    for (k, s, c), d in sorted(data.mock.items()):
        if k != D.PATCHED or s != 'icount' or c[0] != 'enqueue':
            continue
        kv = dict(zip(D.MOCK_KEYS, c))
        e50 = D.values(d.get('enqueue_ns'), 'p50')
        n50 = D.values(d.get('null_ns'), 'p50')
        net = [a - b for a, b in zip(e50, n50)]
        key = (kv['state'], kv['batch'], kv['rids'], kv['nbase'])
        if key in seen:
            continue
        seen.add(key)
        rows.append((kv['state'], kv['batch'], int(kv['rids']) + 1,
                     kv['nbase'] if kv['rids'] != '0' else '-',
                     D.spread(net), q(d.get('enqueue_ns'), 'mean'),
                     q(d.get('null_ns'), 'p50'),
                     q(d.get('callback_ns'), 'p50')))
    return ('icount, instructions. `__iopf_report_failure()` called by the '
            'benchmark with IRQs off around each call: idle = the consumer '
            'went idle before each call (the call kicks it); pending = held '
            'in a callback (no call kicks); free = bursts of `batch` calls, '
            'the consumer running as it comes (how the kick amortises). '
            'RIDs: the mock device plus neighbours from the first neighbour '
            'RID on (0x20, 0x100, 0x1000 force 1, 2, 3 xarray levels with '
            'the device at 0x10). callbacks: failure timestamp to callback.\n\n'
            + md(rows))


def scaling(data):
    rows = [('vCPUs', 'idle p50 - timer', 'pending p50 - timer',
             'ring memory per registration (bytes)', 'unregister (ns)')]
    sets = sorted({s for (k, s, _c) in data.mock if k == D.PATCHED and
                   s.startswith('icount-cpus')}, key=lambda s: int(s[11:]))
    for s in ['icount'] + sets:
        cpus = s[11:] if s != 'icount' else '2'

        def net(state, batch):
            d = data.mock.get((D.PATCHED, s, D.mock_cfg('enqueue', 1, state=state, batch=batch)), {})
            e = D.values(d.get('enqueue_ns'), 'p50')
            n = D.values(d.get('null_ns'), 'p50')
            return D.spread([a - b for a, b in zip(e, n)])
        ctr = data.mock.get((D.PATCHED, s, D.mock_cfg('enqueue', 1, state='idle', batch=1)), {}).get('counters')
        info = [kv for (k, ss, _c), d in data.mock.items() if k == D.PATCHED and ss == s
                for kv in d.get('info', [])]
        mem = 'no data'
        if ctr and info:
            mem = D.fmt(int(ctr[0]['ring']) * int(info[0]['record_size']) * int(info[0]['cpus']))
        iso = (data.mock.get((D.PATCHED, s, D.mock_cfg('isolation', 1, 1, block_ms=0))) or
               data.mock.get((D.PATCHED, s, D.mock_cfg('isolation', 1, 1, block_ms=500)), {}))
        rows.append((cpus, net('idle', 1), net('pending', 32), mem,
                     q(iso.get('isolation'), 'unregister_ns')))
    drops = [('notifier ring', 'callback', 'generated', 'overflow', 'drop rate')]
    for s in sorted({s for (k, s, _c) in data.mock if s.startswith('icount-ring')},
                    key=lambda s: int(s[11:])):
        for cb_us, sl, name in CBS:
            d = data.mock.get((D.PATCHED, s, D.mock_cfg('fail-ro', 1, 0, cb_us, sl)), {})
            c = d.get('counters')
            if not c:
                continue
            g, o = int(c[0]['generated']), int(c[0]['overflow'])
            drops.append((c[0]['ring'], name, g, o, f'{o / g:.3f}' if g else '-'))
    return ('icount, instructions. vCPUs: the RID-slot kernel booted with '
            'that many vCPUs (scripts/bench.sh, QEMU_SMP); ring memory = '
            'records per ring x record size x possible CPUs (the slots, '
            'without the per-CPU ring heads); unregister = '
            'iopf_failure_notifier_unregister() of a registration whose '
            'callbacks returned (an RCU grace period: icount time includes '
            'the idle time the emulation skips).\n\n' + md(rows) +
            '\nDrop rate: a flood of 1,024 failures (fail-ro, 2 rounds) '
            'with the notifier\'s rings of each size (iopf_notify.ring_size '
            'on the kernel command line); counters from the notifier\'s '
            'debugfs file.\n\n' + (md(drops) if len(drops) > 1 else 'no data\n'))


def isolation(data):
    rows = [('mode', 'neighbour callback sleeps (ms)', 'longest delay of the other registration (ns)',
             'unregister of the sleeper, after its callback (ns)')]
    for qm, _u in QM:
        d = data.mock.get((D.PATCHED, qm, D.mock_cfg('isolation', 1, 1, block_ms=500)), {})
        rows.append((qm + (' (indication)' if qm == 'smp' else ''), 500,
                     q(d.get('isolation'), 'max_delay_ns'),
                     q(d.get('isolation'), 'unregister_ns')))
    return ('Two registrations: the neighbour\'s callback sleeps 500 ms on '
            'its record while 20 failures of the mock device are reported '
            'one after the other; each waits for its callback.\n\n' + md(rows))
