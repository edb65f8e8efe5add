# SPDX-License-Identifier: GPL-2.0
"""The benchmark's data, read once from the guest logs of `make bench`
(scripts/bench.sh) and the fncount plugin's output, for the reducers that
write RESULTS.md (bench.py, goals.py, design.py).

A log's result lines (guest/jobs/bench.sh, bench/iopf-bench-user.c,
tests/vtd-pri/iopf-pri-flood-user.c) carry tag=KERNEL-SET-RUN:
  SET icount | smp      the main matrix in that QEMU mode
  SET icount-cpusN      the RID-slot kernel on N vCPUs (scaling)
  SET icount-ringN      the RID-slot kernel with notifier rings of N
  SET exact-SCENARIO    one scenario under the fncount plugin, whose TSV
                        is EXACT_DIR/KERNEL-SCENARIO-RUN.tsv
Parsing is guestlog.py's; this module only groups the lines.
"""
import glob
import os
import re
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, '..', '..', 'qemu', 'plugins'))
import guestlog  # noqa: E402

BASE, PATCHED, HOOK = 'baseline-perf', 'patched-perf', 'domainhook-perf'
KERNELS = [BASE, PATCHED, HOOK]
TAG = re.compile(r'^(?P<kernel>[a-z]+-perf)-(?P<set>.+)-(?P<run>\d+)$')
# what identifies a configuration of the mock benchmark's helper
MOCK_KEYS = ('mode', 'group', 'notify', 'rids', 'nbase', 'cb_us', 'cb_sleep',
             'defer', 'state', 'batch', 'block_ms')
PRQ_KEYS = ('mode', 'window', 'notify')


def cfg(kv, keys):
    return tuple(kv.get(k, '') for k in keys)


class Data:
    """Every result of one `make bench`, grouped.

    mock[(kernel, set, cfg)][metric] -> [line dict per run]
    prq[(kernel, set, cfg)][metric]  -> [line dict per run]
    env[(kernel, set, run)]          -> the job's first line (kernel, cpus)
    exact[(kernel, scenario)]        -> [fncount.load() dict per run]
    logs, failed                     -> log names read, failed runs
    """

    def __init__(self, logdir, exactdir=None):
        self.mock, self.prq, self.env, self.exact = {}, {}, {}, {}
        self.splats = []
        self.logs = sorted(glob.glob(os.path.join(logdir, '*.log')))
        self.failed = sorted(os.path.basename(p) for p in
                             glob.glob(os.path.join(logdir, '*.failed')))
        for path in self.logs:
            log = guestlog.Log(path)
            self.splats += [(log.name, s) for s in log.splats]
            for kv in log.results():
                m = TAG.match(kv.get('tag', ''))
                if not m:
                    continue
                k, s, run = m['kernel'], m['set'], int(m['run'])
                if kv.get('bench') == 'iopf' and 'kernel' in kv:
                    self.env[(k, s, run)] = kv
                if 'metric' not in kv or 'error' in kv:
                    continue
                if kv.get('bench') == 'iopf':
                    dst = self.mock.setdefault((k, s, cfg(kv, MOCK_KEYS)), {})
                elif kv.get('bench') == 'prq':
                    dst = self.prq.setdefault((k, s, cfg(kv, PRQ_KEYS)), {})
                else:
                    continue
                dst.setdefault(kv['metric'], []).append(kv)
        if exactdir:
            import fncount
            for path in sorted(glob.glob(os.path.join(exactdir, '*.tsv'))):
                m = re.match(r'^([a-z]+-perf)-(.+)-(\d+)\.tsv$',
                             os.path.basename(path))
                if m:
                    self.exact.setdefault((m[1], m[2]), []).append(
                        fncount.load(path))

    def kernels(self):
        return [k for k in KERNELS if any(key[0] == k for key in self.env)]

    def runs(self, kernel, s):
        return sorted(r for (k, ss, r) in self.env if k == kernel and ss == s)


def mock_cfg(mode, notify=0, rids=0, cb_us=0, cb_sleep=0, defer=0,
             group=1, nbase=0, state=None, batch=None, block_ms=None):
    """The cfg tuple the helper prints for these options"""
    kv = {'mode': mode, 'group': str(group), 'notify': str(notify),
          'rids': str(rids), 'nbase': hex(nbase) if nbase else '0',
          'cb_us': str(cb_us), 'cb_sleep': str(cb_sleep),
          'defer': str(defer)}
    if state is not None:
        kv['state'] = state
        kv['batch'] = str(batch)
    if block_ms is not None:
        kv['block_ms'] = str(block_ms)
    return cfg(kv, MOCK_KEYS)


def prq_cfg(mode, window, notify):
    return (mode, str(window), str(notify))


def values(lines, field, conv=float):
    """The values of @field over the runs' lines (missing ones skipped)"""
    return [conv(kv[field]) for kv in lines or [] if field in kv]


def med(v):
    return statistics.median(v) if v else None


def spread(v):
    """'a-b' over the runs, or the single value"""
    if not v:
        return 'no data'
    lo, hi = min(v), max(v)
    return fmt(lo) if lo == hi else f'{fmt(lo)}-{fmt(hi)}'


def fmt(v, digits=0):
    if v is None:
        return 'no data'
    if digits == 0 and abs(v - round(v)) < 1e-9:
        return f'{int(round(v)):,}'
    return f'{v:,.{digits or 1}f}'
