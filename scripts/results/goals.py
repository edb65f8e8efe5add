# SPDX-License-Identifier: GPL-2.0
"""The verdicts of the benchmark: each goal of bench/goals.txt against the
measured data (benchdata.Data). A goal whose data is missing is MISSED.

    import goals
    lines, met, missed = goals.verdicts(data, 'bench/goals.txt',
                                        'config/success-path.txt')
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchdata as D  # noqa: E402


def read_goals(path):
    out = []
    with open(path) as f:
        for ln in f:
            ln = ln.strip()
            if not ln or ln.startswith('#'):
                continue
            head, _, text = ln.partition(' -- ')
            w = head.split()
            args = dict(x.split('=', 1) for x in w[2:])
            out.append((w[0], w[1], args, text.strip()))
    return out


def success_path_fns(path):
    """The functions of config/success-path.txt that are in System.map"""
    fns = []
    with open(path) as f:
        for ln in f:
            w = ln.split('#', 1)[0].split()
            if w and 'inlined-into' not in w:
                fns.append(w[0])
    return fns


def per_fault(d, fn, faults, col='self'):
    """@fn's instructions per successful fault (one call per fault: the
    PRQ thread handles one request per wakeup there):
      self    its own code (callees excluded) per call: the same in every
              call and every boot, what the verdicts compare
      median  the median call, callees included: a call into the
              workqueue costs more when a kworker must be woken, which
              depends on timing, so this one can differ between boots"""
    row = d['function'].get(('all', fn))
    if row is None or not faults or not row['calls']:
        return None
    if col == 'self':
        return row['self'] / row['calls']
    return row['median']


def exact_table(data, scenario, fns, faults_of, col='self'):
    """{fn: {kernel: [per-fault insns per run]}} for @scenario"""
    out = {}
    for k in (D.BASE, D.PATCHED):
        for run in data.exact.get((k, scenario), []):
            n = faults_of(run)
            for fn in fns:
                out.setdefault(fn, {}).setdefault(k, []).append(
                    per_fault(run, fn, n, col))
    return out


def prq_faults(run):
    """Faults in a prq-success region: the calls of the page response"""
    row = run['function'].get(('all', 'iopf_group_response'))
    return row['calls'] if row else None


def _exact_delta(data, args, fns):
    tab = exact_table(data, args['scenario'], fns, prq_faults)
    res = {}
    for fn in fns:
        b = tab.get(fn, {}).get(D.BASE, [])
        p = tab.get(fn, {}).get(D.PATCHED, [])
        if not b or not p or None in b + p:
            res[fn] = None
        elif len(set(b)) > 1 or len(set(p)) > 1:
            res[fn] = 'varies'
        else:
            res[fn] = p[0] - b[0]
    return res


def _mock_icount(data, kernel, c, metric):
    return data.mock.get((kernel, 'icount', c), {}).get(metric)


# the new code of each design in a failure flood: its fault side (one
# call per failure) and its consumer (draining several per call)
ADDED_FNS = {
    D.PATCHED: ('__iopf_report_failure', 'iopf_notify_work'),
    D.HOOK: ('iommu_fault_failed_call', 'iommu_fault_failed_work'),
}


def added_per_failure(data, kernel, scenario):
    """Exact instructions of @kernel's new code per failure: the median
    call of its fault side plus its consumer's total over the failures
    (the callbacks, a no-op in both designs, included); None without data
    or when the runs differ"""
    v = []
    fault_fn, cons_fn = ADDED_FNS[kernel]
    for run in data.exact.get((kernel, scenario), []):
        fails = run['function'].get(('all', 'iopf_group_response'))
        f = run['function'].get(('all', fault_fn))
        c = run['function'].get(('all', cons_fn))
        if not fails or not fails['calls'] or not f or not f['calls']:
            return None
        v.append(f['median'] + (c['insns'] if c else 0) / fails['calls'])
    return v[0] if v and len(set(v)) == 1 else None


def verdict(data, gid, kind, a, text, sp_fns):
    """(value string, met bool or None for no data)"""
    if kind == 'exact-untouched':
        touched = set(a['touched'].split(','))
        fns = [f for f in sp_fns if f not in touched]
        res = _exact_delta(data, a, fns)
        if not res or any(v is None for v in res.values()):
            return 'no exact counts (fncount plugin runs missing)', None
        bad = {f: v for f, v in res.items() if v != 0}
        val = ', '.join(f'{f} {v:+g}' if v != 'varies' else f'{f} varies run to run'
                        for f, v in res.items())
        return f'deltas per fault: {val}', not bad
    if kind == 'exact-touched':
        fns = a['fns'].split(',')
        res = _exact_delta(data, a, fns)
        if not res or any(v is None for v in res.values()):
            return 'no exact counts (fncount plugin runs missing)', None
        lim = float(a['max_abs'])
        ok = all(v != 'varies' and abs(v) <= lim for v in res.values())
        val = ', '.join(f'{f} {v:+g}' if v != 'varies' else f'{f} varies'
                        for f, v in res.items())
        return f'deltas per fault: {val}', ok
    if kind == 'net-p50':
        c = D.mock_cfg('enqueue', notify=1, state=a['state'],
                       batch=int(a['batch']))
        enq = D.values(_mock_icount(data, D.PATCHED, c, a['metric']), 'p50')
        nul = D.values(_mock_icount(data, D.PATCHED, c, 'null_ns'), 'p50')
        if not enq or not nul:
            return 'no data (icount enqueue runs of patched-perf)', None
        net = [e - n for e, n in zip(enq, nul)]
        worst = max(net)
        return (f'{D.spread(net)} instructions over {len(net)} icount runs',
                worst <= float(a['max']))
    if kind == 'added-ratio':
        return added_ratio(data, a)
    if kind == 'max-value':
        c = D.mock_cfg('isolation', notify=1, rids=1, block_ms=500)
        v = D.values(_mock_icount(data, D.PATCHED, c, a['metric']),
                     a['field'])
        if not v:
            return 'no data (icount isolation runs of patched-perf)', None
        return (f'{D.spread(v)} over {len(v)} icount runs',
                max(v) <= float(a['max']))
    return f'unknown goal kind {kind} in bench/goals.txt', None


def added_ratio(data, a):
    """Exact counts of the new code when the plugin ran, else icount time
    per fault over the baseline's"""
    form = a['form']
    defer = 1 if form == 'defer' else 0
    ap = added_per_failure(data, D.PATCHED, 'mock-fail-ro')
    ah = (added_per_failure(data, D.HOOK, 'mock-fail-ro-defer') if defer else
          None)
    src = 'exact: fault side + consumer per failure (fncount)'
    if not defer:
        # the synchronous hook has no consumer of its own: its cost is in
        # the worker, only the elapsed time shows it
        ap = None
    if ap is None or ah is None:
        src = 'icount time per fault over the baseline (median of runs)'

        def npf(kernel, c):
            v = D.values(_mock_icount(data, kernel, c, 'throughput'),
                         'ns_per_fault')
            return D.med(v)
        b = npf(D.BASE, D.mock_cfg('fail-ro'))
        p = npf(D.PATCHED, D.mock_cfg('fail-ro', notify=1))
        h = npf(D.HOOK, D.mock_cfg('fail-ro', notify=1, defer=defer))
        if None in (b, p, h):
            return 'no data (fail-ro floods of the three kernels)', None
        ap, ah = p - b, h - b
    if ah <= 0:
        return (f'series {ap:+.1f}, {form} hook {ah:+.1f} per failure ({src}): '
                'no ratio', ap <= 0)
    r = ap / ah
    return (f'series {ap:+.1f}, {form} domain hook {ah:+.1f} instructions per '
            f'failure, ratio {r:.2f} ({src})', r <= float(a['max']))


def verdicts(data, goals_path, sp_path):
    sp_fns = success_path_fns(sp_path)
    lines, met, missed = [], 0, 0
    for gid, kind, a, text in read_goals(goals_path):
        bound = {k: v for k, v in a.items()
                 if k in ('max', 'max_abs')}
        goal = ', '.join(f'{k} {v}' for k, v in bound.items()) or 'delta 0'
        val, ok = verdict(data, gid, kind, a, text, sp_fns)
        word = 'met' if ok else 'MISSED'
        met += bool(ok)
        missed += not ok
        lines.append(f'- `{gid}` {text} (goal: {goal}): {val}: **{word}**')
    return lines, met, missed
