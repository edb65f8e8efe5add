# SPDX-License-Identifier: GPL-2.0
"""The one parser of the guests' console logs, for every reducer that
writes a section of RESULTS.md (scripts/results/*.py).

The lines it knows are defined by guest/lib.sh and guest/init:
  @@RESULT key=value ...        a measurement or fact (values have no spaces;
                                guest_test prints its command's output with
                                a "# " prefix, which is accepted)
  @@TEST name PASS|FAIL detail  one guest-side test
  IOPF-GUEST-DONE rc=N          the end marker of the job
and kernel messages "[  t.tttttt] PREFIX: text" of a module (pr_fmt).
Splats are matched with SPLAT_RE of scripts/splat.sh, read from that file
so that the host scripts and the reducers agree.

    import guestlog
    log = guestlog.Log('build/logs/torture-storm.log')
    log.results(test='storm')      # [{'test': 'storm', 'sent': '...'}, ...]
    log.tests                      # [('storm_counters_balance', 'PASS', '')]
    log.kernel('iopf_torture')     # message texts of that module
    log.splats, log.done           # splat lines; True once rc=0 was seen
"""
import os
import re

_RESULT = re.compile(r'^(?:# )*@@RESULT (.*)$')
_TEST = re.compile(r'^@@TEST (\S+) (PASS|FAIL)(.*)$')
_DONE = re.compile(r'^IOPF-GUEST-DONE rc=(\d+)')
_KTIME = re.compile(r'^\[ *[0-9.]+\] ')
_SPLAT_SH = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'splat.sh')


def _splat_re():
    with open(_SPLAT_SH) as f:
        m = re.search(r"^SPLAT_RE='([^']*)'", f.read(), re.M)
    if not m:
        raise RuntimeError(f'no SPLAT_RE in {_SPLAT_SH}')
    return re.compile(m.group(1))


SPLAT = _splat_re()


def read_lines(path):
    """The lines of a console log, decoded, without carriage returns"""
    with open(path, 'rb') as f:
        return f.read().decode('utf-8', 'replace').replace('\r', '').split('\n')


def kv(text):
    """{key: value} of the key=value words of @text"""
    d = {}
    for w in text.split():
        if '=' in w:
            k, v = w.split('=', 1)
            d[k] = v
    return d


class Log:
    """One guest console log, parsed once"""

    def __init__(self, path):
        self.path = path
        self.lines = read_lines(path)
        self._results = []
        self.tests = []
        self.rc = None
        for ln in self.lines:
            m = _RESULT.match(ln)
            if m:
                self._results.append(kv(m.group(1)))
                continue
            m = _TEST.match(ln)
            if m:
                self.tests.append((m.group(1), m.group(2), m.group(3).strip()))
                continue
            m = _DONE.match(ln)
            if m and self.rc is None:
                self.rc = int(m.group(1))
        self.done = self.rc == 0
        # the base64 of files the guest sent (@@FILE .. @@ENDFILE) is no text
        text, infile = [], False
        for ln in self.lines:
            if ln.startswith('@@ENDFILE '):
                infile = False
            if not infile:
                text.append(ln)
            if ln.startswith('@@FILE '):
                infile = True
        self.splats = [ln for ln in text if SPLAT.search(ln)]

    @property
    def name(self):
        return os.path.basename(self.path)

    def results(self, **match):
        """The @@RESULT lines whose keys have the given values"""
        return [r for r in self._results
                if all(r.get(k) == v for k, v in match.items())]

    def merged(self, **match):
        """The @@RESULT lines matching, merged into one dict (later wins)"""
        d = {}
        for r in self.results(**match):
            d.update(r)
        return d

    def kernel(self, prefix):
        """The texts of the kernel messages "PREFIX: text", in order"""
        p = prefix + ': '
        out = []
        for ln in self.lines:
            ln = _KTIME.sub('', ln, count=1)
            if ln.startswith(p):
                out.append(ln[len(p):])
        return out

    def test(self, name):
        """The verdict of guest test @name, or None"""
        for t in self.tests:
            if t[0] == name:
                return t[1]
        return None
