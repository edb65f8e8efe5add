# SPDX-License-Identifier: GPL-2.0
"""RID slots (the series) against a domain-local hook (the alternative,
patches/alt-domain-hook/) in its synchronous and deferred forms, from the
icount runs of the mock flood (benchdata.Data). One Markdown section."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchdata as D  # noqa: E402
import tables as T  # noqa: E402

DESIGNS = [(D.BASE, 'baseline (none)', None), (D.PATCHED, 'RID slots', 0),
           (D.HOOK, 'domain hook, sync', 0), (D.HOOK, 'domain hook, deferred', 1)]


def section(data):
    rows = [('failure mode', 'callback', 'design', 'response latency p50',
             'per fault (elapsed)', 'callbacks per failed group')]
    for m in T.FAIL_MODES:
        for cb_us, sl, name in T.CBS:
            for k, label, defer in DESIGNS:
                if defer is None:
                    if cb_us:
                        continue
                    c = D.mock_cfg(m)
                else:
                    c = D.mock_cfg(m, 1, 0, cb_us, sl, defer)
                d = data.mock.get((k, 'icount', c))
                if not d:
                    continue
                thr = d.get('throughput', [])
                cb = [int(x['callbacks']) / int(x['failed_groups'])
                      for x in thr if int(x.get('failed_groups', 0))]
                rows.append((m, name if defer is not None else '-', label,
                             T.q(d.get('latency_ns'), 'p50'),
                             T.q(thr, 'ns_per_fault'),
                             D.spread(cb) if defer is not None else '-'))
    return ('icount, instructions, the mock flood (256 one-page groups per '
            'round). The synchronous hook runs the callback in the iopf '
            'worker before the next group; the deferred one allocates a '
            'record and queues a work item per failure; RID slots write a '
            'per-CPU ring and kick their work item only when idle. A design '
            'that cannot see a failure has 0 callbacks per failed group '
            '(a domain hook has no attach handle for a PASID without a '
            'domain: fail-nohandler).\n\n' + T.md(rows))
