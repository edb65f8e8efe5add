#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write results/reliability.md from the console logs of the guest jobs
torture, storm and failinject (scripts/torture.sh, scripts/reliability.sh).

usage: reliability.py --logs build/logs --out results/reliability.md
The section starts with "## Reliability: torture, storms, fault injection";
every number in it comes from a log.
"""
import argparse
import glob
import os
import re
import sys

RESULT = re.compile(r'^(?:# )*@@RESULT (.*)$')
TEST = re.compile(r'^@@TEST (\S+) (PASS|FAIL)(.*)$')
KLINE = re.compile(r'^\[ *[0-9.]+\] iopf_torture: (.*)$')


def read(path):
    with open(path, 'rb') as f:
        return f.read().decode('utf-8', 'replace').replace('\r', '').split('\n')


def kv(s):
    d = {}
    for w in s.split():
        if '=' in w:
            k, v = w.split('=', 1)
            d[k] = v
    return d


def parse(path):
    lines = read(path)
    res, tests, klines = [], [], []
    for ln in lines:
        m = RESULT.match(ln)
        if m:
            res.append(kv(m.group(1)))
            continue
        m = TEST.match(ln)
        if m:
            tests.append((m.group(1), m.group(2), m.group(3).strip()))
            continue
        m = KLINE.match(ln)
        if m:
            klines.append(m.group(1))
    done = any(ln.startswith('IOPF-GUEST-DONE rc=0') for ln in lines)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    splat = splat_lines(lines)
    return {'results': res, 'tests': tests, 'k': klines, 'done': done,
            'splat': splat, 'path': path}


SPLAT = re.compile(r'Kernel panic|Oops|BUG:|WARNING:|KASAN|possible circular locking|'
                   r'inconsistent lock state|INFO: |suspicious RCU usage|UBSAN|'
                   r'kmemleak: .* new suspected memory leaks|possible recursive locking|'
                   r'Call Trace:')


def splat_lines(lines):
    return [ln for ln in lines if SPLAT.search(ln)]


def nums(line):
    return {k: int(v) for k, v in re.findall(r'([a-z][a-z -]*?) (-?\d+)', line)}


def torture_section(runs, out):
    out.append('### Torture (bench/iopf_torture_main.c, mode=torture)\n')
    out.append('Every online CPU runs a flooder (page requests: 40 % succeed, 20 % write a '
               'read-only VMA, 20 % hit no VMA, 15 % use a PASID without handler, 5 % are '
               'rejected by the "IOMMU driver"; now and then a burst of 256-767 rejected requests from one '
               'RID, more than a ring holds, so records are dropped) and a churner (register, unregister quiesced '
               'or hot, remove and re-add a device with records pending). Counter checks run '
               'whenever a registration is quiesced: generated == delivered + dropped and '
               'delivered == callbacks the driver saw. Any splat (KASAN, lockdep, PROVE_RCU, '
               'kmemleak, WARNING) fails the run in scripts/qemu.sh.\n')
    out.append('| Duration (s) | Requests | Responses ok / failed | Callbacks | Registrations '
               '| Unregistrations quiesced / hot | Device re-adds | Counter checks '
               '| Generated / delivered / dropped (checked) | Errors | kmemleak | Splats | Verdict |')
    out.append('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|')
    notes = []
    for r in runs:
        end = [k for k in r['k'] if k.startswith('end: ')]
        verdict = [k for k in r['k'] if re.match(r'(PASS|FAIL) duration=', k)]
        if not end or not verdict:
            out.append(f"| ? | run in {os.path.basename(r['path'])} did not finish "
                       f"| | | | | | | | | | {len(r['splat'])} | FAIL |")
            continue
        req = end[0]
        reg = end[1] if len(end) > 1 else ''
        chk = end[2] if len(end) > 2 else ''
        v = kv(verdict[-1])
        m_req = re.search(r'requests: (\d+) .*responses: success (\d+) failed (\d+)', req)
        m_reg = re.search(r'registrations (\d+) unregistrations (\d+) \(quiesced (\d+) hot (\d+)\) '
                          r'device re-adds (\d+) callbacks (\d+)', reg)
        m_chk = re.search(r'counter checks (\d+) \(generated (\d+) delivered (\d+) dropped (\d+)\)', chk)
        errs = re.search(r'errors: (.*)$', chk)
        leak = [x for x in r['results'] if 'kmemleak_total' in x]
        leak = leak[-1]['kmemleak_total'] if leak else '?'
        ok = verdict[-1].startswith('PASS') and not r['splat'] and r['done']
        out.append(f"| {v.get('duration', '?')} | {m_req.group(1)} | {m_req.group(2)} / {m_req.group(3)} "
                   f"| {m_reg.group(6)} | {m_reg.group(1)} | {m_reg.group(3)} / {m_reg.group(4)} "
                   f"| {m_reg.group(5)} | {m_chk.group(1) if m_chk else '?'} "
                   f"| {m_chk.group(2)} / {m_chk.group(3)} / {m_chk.group(4)} "
                   f"| {v.get('errors', '?')} | {leak} | {len(r['splat'])} | {'PASS' if ok else 'FAIL'} |")
        if errs:
            notes.append(f"Error classes of the {v.get('duration', '?')} s run: {errs.group(1)}.")
    out.append('')
    for n in notes:
        out.append(n)
        out.append('')


def storm_section(r, out):
    out.append('### Fault storm (mode=storm, guest/jobs/storm.sh)\n')
    res = {}
    victims = []
    caches = []
    for x in r['results']:
        if x.get('test') != 'storm':
            continue
        if 'victim_cpu' in x:
            victims.append(x)
        elif 'slab_cache' in x:
            caches.append(x)
        else:
            res.update(x)
    if 'sent' not in res:
        out.append(f"The storm run ({os.path.basename(r['path'])}) produced no result.\n")
        return
    sent = int(res['sent'])
    ms = max(int(res['ms']), 1)
    out.append(f"- Requests: {sent:,} failing page requests (PASID without handler, answered "
               f"INVALID by the fault core and reported as IOPF_FAILURE_NO_HANDLER) from RID "
               f"0x100 on CPU 0, in {ms / 1000:.1f} s ({sent * 1000 // ms:,}/s) on the debug "
               f"kernel under TCG. The brief asked for 10,000,000: "
               + ("done." if sent >= 10000000 else
                  f"reduced {10000000 / sent:.1f}x (STORM_COUNT={sent}); at this rate 10^7 "
                  f"would take {10000000 * ms / sent / 60000:.1f} minutes.")
               )
    out.append(f"- Storm RID: generated {int(res['generated']):,}, delivered "
               f"{int(res['delivered']):,}, dropped {int(res['dropped']):,} "
               f"(generated == delivered + dropped: "
               f"{'yes' if int(res['generated']) == int(res['delivered']) + int(res['dropped']) else 'NO'}).")
    out.append(f"- Ring usage: most records queued for the storm RID at any 200 ms sample: "
               f"{res['max_queued']}; ring capacity {res['ring']} records per CPU x {res['cpus']} "
               f"CPUs, preallocated at the first registration. The notifier allocates nothing "
               f"per failure; a full ring counts a drop.")
    out.append(f"- Slab (kernel counters NR_SLAB_*): before {res['slab_before_kb']} kB, highest "
               f"during {res['slab_max_kb']} kB, after {res['slab_after_kb']} kB. /proc/meminfo "
               f"Slab: before {res.get('meminfo_slab_before_kb', '?')} kB, highest "
               f"{res.get('meminfo_slab_max_kb', '?')} kB, after "
               f"{res.get('meminfo_slab_after_kb', '?')} kB. (KASAN's quarantine keeps freed "
               f"objects, for example those of the shell sampling debugfs, on the slab for a "
               f"while: the caches below show where the growth is.)")
    if caches:
        out.append('')
        out.append('| Slab cache (largest changes, /proc/slabinfo) | Bytes before | Bytes after | Change |')
        out.append('|---|---:|---:|---:|')
        for c in caches:
            out.append(f"| {c['slab_cache']} | {int(c['bytes_before']):,} | "
                       f"{int(c['bytes_after']):,} | {int(c['growth']):+,} |")
    if victims:
        out.append('')
        out.append('Other RIDs during the storm: one failing request per millisecond from a '
                   'victim thread on each CPU, each with its own RID:\n')
        out.append('| Victim CPU | RID | Sent | Generated | Delivered | Dropped | Callbacks |')
        out.append('|---:|---|---:|---:|---:|---:|---:|')
        for v in victims:
            out.append(f"| {v['victim_cpu']}{' (storm CPU)' if v['victim_cpu'] == '0' else ''} "
                       f"| {v['rid']} | {v['sent']} | {v['generated']} | {v['delivered']} "
                       f"| {v['dropped']} | {v['callbacks']} |")
    if 'cyclictest_ref_max_us' in res:
        out.append('')
        out.append(f"cyclictest on CPU 1 (SCHED_FIFO 95, {res['cyclictest_interval_us']} us "
                   f"interval, TCG):\n")
        out.append('| Run | Seconds | Avg (us) | Max (us) |')
        out.append('|---|---:|---:|---:|')
        out.append(f"| CPU 0 idle (the bound) | {res['cyclictest_ref_s']} | "
                   f"{res['cyclictest_ref_avg_us']} | {res['cyclictest_ref_max_us']} |")
        if 'cyclictest_hog_max_us' in res:
            out.append(f"| CPU 0 in a busy loop (control) | {res['cyclictest_ref_s']} | "
                       f"{res['cyclictest_hog_avg_us']} | {res['cyclictest_hog_max_us']} |")
        out.append(f"| CPU 0 storming | {res['cyclictest_storm_s']} | "
                   f"{res['cyclictest_storm_avg_us']} | {res['cyclictest_storm_max_us']} |")
        within = int(res['cyclictest_storm_max_us'] or 0) <= int(res['cyclictest_ref_max_us'] or 0)
        out.append('')
        out.append(f"Storm maximum within the idle bound: {'yes' if within else 'no'}"
                   + ('' if 'cyclictest_hog_max_us' not in res else
                      f"; within the busy-loop control: "
                      f"{'yes' if int(res['cyclictest_storm_max_us'] or 0) <= int(res['cyclictest_hog_max_us'] or 0) else 'no'}")
                   + ". TCG runs each vCPU as a host thread on a 2-core host shared with "
                     "other work, so these are upper bounds of the emulator, not of the "
                     "kernel"
                   + ("" if res['cyclictest_storm_s'] == res['cyclictest_ref_s'] else
                      f"; the storm run lasted {res['cyclictest_storm_s']} s against "
                      f"{res['cyclictest_ref_s']} s for the others, and a longer run meets more "
                      f"host preemptions")
                   + "; run guest/jobs/storm.sh on hardware for the real bound.")
    out.append('')


def failinject_section(r, out):
    out.append('### Fault injection (mode=failinject, guest/jobs/failinject.sh)\n')
    out.append('For nth = 1, 2, ... the module sets current->fail_nth (what '
               '/proc/self/fail-nth and iommufd_fail_nth use) and runs one cycle of what a '
               'driver does: create a mock device (device_add, IOMMU probe), enable IOPF and '
               'SVA, bind SVA, register a notifier, send one failing request (write to a '
               'read-only page, through the SVA handler), unregister and tear down. The sweep '
               'ends at the first nth the cycle does not reach. Checked after each cycle: a '
               'failed step returned a negative errno, the IOMMU\'s notifier table is empty, '
               'a registration that succeeded got exactly one callback, every request got '
               'its response. When an unregistration returns with the notifier still in the '
               'table, the test counts it and unregisters again without injection, so that '
               'the sweep goes on and kmemleak judges the rest. Before the sweep, one '
               'deterministic case: an unregistration whose first allocation fails.\n')
    sweeps = [x for x in r['results'] if x.get('test') == 'failinject' and 'sweep' in x]
    if sweeps:
        out.append('| Sweep | Cycles | Sites in a cycle | Errors: device_create | enable_iopf '
                   '| enable_sva | sva_bind | notifier_register | Absorbed (cycle completed) '
                   '| Unregister returned still registered | First allocation of unregister fails '
                   '| Bad | Covered |')
        out.append('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|')
        for s in sweeps:
            out.append(f"| {s['sweep']} | {s['cycles']} | {s['sites']} | {s['err_device_create']} "
                       f"| {s['err_enable_iopf']} | {s['err_enable_sva']} | {s['err_sva_bind']} "
                       f"| {s['err_notifier_register']} | {s['absorbed']} "
                       f"| {s.get('silent_unregister', '?')} "
                       f"| {s.get('first_alloc_unregister', '?').replace('_', ' ')} | {s['bad']} "
                       f"| {'yes' if s['covered'] == '1' else 'no'} |")
    errs = {}
    for k in r['k']:
        m = re.match(r'failinject nth=(\d+): (\S+) failed cleanly: (-?\d+)', k)
        if m:
            errs.setdefault((m.group(2), m.group(3)), []).append(int(m.group(1)))
    if errs:
        out.append('')
        out.append('Errors returned, by step and errno (both sweeps):\n')
        out.append('| Step | Errno | Times |')
        out.append('|---|---:|---:|')
        for (st, e), l in sorted(errs.items()):
            out.append(f"| {st} | {e} | {len(l)} |")
    misc = {}
    for x in r['results']:
        if x.get('test') == 'failinject':
            misc.update(x)
    out.append('')
    out.append(f"kmemleak after both sweeps (and after the bad-input cases): "
               f"{misc.get('kmemleak_total', '?')} unreferenced objects "
               f"({misc.get('kmemleak_ours_lines', '?')} lines naming iopf/iommu/mock); "
               f"debugfs files left in iopf_notify/: {misc.get('debugfs_files_left', '?')}.")
    tests = {t[0]: t[1] for t in r['tests']}
    if 'usable_after_injection' in tests:
        out.append(f"A 5-second torture run after all of it: {tests['usable_after_injection']}.")
    out.append('')


def badinput_section(r, out):
    out.append('### Bad input (mode=badinput and insmod with bad parameters)\n')
    cases = [x for x in r['results'] if x.get('test') == 'badinput']
    if cases:
        out.append('Exported functions of the notifier (and of the mock), called from the '
                   'module. Expected values are errnos, callback counts (report_*) or 1 for '
                   '"the table is empty"; void functions are expected to return and leave the '
                   'system usable (0).\n')
        out.append('| Case | Call | Expected | Got | Verdict |')
        out.append('|---|---|---:|---:|---|')
        for c in cases:
            out.append(f"| {c['case']} | `{c['call']}` | {c['expect']} | {c['got']} "
                       f"| {c.get('verdict', '?')} |")
    params = [x for x in r['results'] if x.get('test') == 'badparam']
    if params:
        out.append('')
        out.append('Module parameters (insmod must fail and leave no module loaded):\n')
        out.append('| Module | Parameter | insmod error | Kernel message | Verdict |')
        out.append('|---|---|---|---|---|')
        for p in params:
            msg = p['message'].replace('~', ' ').replace('|', '\\|')
            out.append(f"| {p['module']} | `{p['param']}` | {p['errno'].replace('~', ' ')} "
                       f"| {msg} | {p['verdict']} |")
    out.append('')
    out.append('Not called: `__iopf_report_failure(NULL, ...)` and `(iommu, NULL, ...)` '
               'dereference their arguments (the contract of every IOMMU fault report '
               'function: the caller is an IOMMU driver with a valid instance and fault).')
    out.append('')


def ringsize_section(logs, out):
    rows = []
    for p in logs:
        m = re.search(r'ringsize-(\d+)\.log$', p)
        if not m:
            continue
        lines = [re.sub(r'^\[ *[0-9.]+\] ', '', ln) for ln in read(p)]
        kt = [ln for ln in lines if re.match(r'^\s+(not ok|ok) \d+ iopf_notify', ln)]
        ok = sum(1 for ln in kt if re.match(r'^\s+ok ', ln))
        bad = len(kt) - ok
        sp = splat_lines(lines)
        first = next((ln for ln in sp if 'WARNING:' in ln or 'BUG:' in ln or 'KASAN' in ln), '')
        done = any(ln.startswith('IOPF-GUEST-DONE') for ln in lines)
        rows.append((int(m.group(1)), ok, bad, len(sp), first, done))
    if not rows:
        return
    out.append('### Boot parameter iopf_notify.ring_size (scripts/reliability.sh)\n')
    out.append('The built-in KUnit suite registers notifiers at boot, so the rings are '
               'allocated with the given size during boot.\n')
    out.append('| ring_size | KUnit cases ok / not ok | Guest reached its end | Splat lines '
               '| First splat |')
    out.append('|---:|---:|---|---:|---|')
    for v, ok, bad, n, first, done in sorted(rows):
        out.append(f"| {v} | {ok} / {bad} | {'yes' if done else 'no'} | {n} "
                   f"| {('`' + first + '`') if first else '-'} |")
    out.append('')


def findings_section(logs, out):
    """What the logs show is wrong, each with the evidence that shows it."""
    f = []
    p = os.path.join(logs, 'torture-failinject.log')
    if os.path.exists(p):
        r = parse(p)
        sw = [x for x in r['results'] if x.get('test') == 'failinject' and 'sweep' in x]
        first = [x['sweep'] for x in sw if x.get('first_alloc_unregister') == 'left_registered']
        silent = sum(int(x.get('silent_unregister', 0)) for x in sw)
        if first or silent:
            f.append('iopf_failure_notifier_unregister() can return with the notifier still '
                     'registered: it allocates the RID array with kcalloc(GFP_KERNEL) and, when '
                     'that fails, finds no notifier and returns as for an unregistered device '
                     '(src/drivers/iommu/iopf-notify.c, iopf_failure_notifier_unregister()). The '
                     'caller, told that no callback will run, frees its data: the next failure '
                     'from one of its RIDs calls the callback with freed data, and the slots, '
                     'xarray nodes, debugfs file and static-key reference leak. Reproduced '
                     f"deterministically (sweep {', '.join(first) or '-'}: first allocation of the "
                     f"unregistration failing) and {silent} time(s) in the nth sweeps. The test "
                     'then unregisters again without injection; without that, kmemleak reports '
                     'the xarray nodes that __xa_insert() allocated in '
                     'iopf_failure_notifier_register() once the mock IOMMU is gone.')
    p = os.path.join(logs, 'torture-storm.log')
    if os.path.exists(p):
        r = parse(p)
        for v in (x for x in r['results'] if 'victim_cpu' in x):
            if int(v['dropped']) > 0:
                f.append(f"A storm on one CPU makes other RIDs lose records on that CPU: the victim "
                         f"on CPU {v['victim_cpu']} (RID {v['rid']}) lost {v['dropped']} of "
                         f"{v['generated']} records, the victims elsewhere none. The per-CPU ring "
                         f"is shared by every registration and has no per-notifier share; the "
                         f"drops are counted (debugfs dropped), but a storming device can starve "
                         f"a quiet one that faults on the same CPU.")
    rows = {}
    for q in glob.glob(os.path.join(logs, 'ringsize-*.log')):
        m = re.search(r'ringsize-(\d+)\.log$', q)
        if m:
            rows[int(m.group(1))] = read(q)
    big = [v for v, ln in rows.items() if any('WARNING:' in x and 'page_alloc' in x for x in ln)]
    dead = [v for v, ln in rows.items()
            if v >= 1 << 31 and any(re.search(r'not ok \d+ iopf_notify', x) for x in ln)]
    if big or dead:
        f.append('iopf_notify.ring_size is not validated (src/drivers/iommu/iopf-notify.c, '
                 'iopf_notify_setup(): kfifo_alloc(max(ring_size, 2U))). '
                 + (f"ring_size={', '.join(map(str, sorted(big)))} makes the first registration "
                    f"WARN in the page allocator (order > MAX_PAGE_ORDER, no __GFP_NOWARN) and "
                    f"fail with -ENOMEM, again at every registration. " if big else '')
                 + (f"ring_size={', '.join(map(str, sorted(dead)))} overflows roundup_pow_of_two() "
                    f"to 0: kfifo_alloc() returns -EINVAL and every registration fails, with no "
                    f"message. " if dead else '')
                 + 'A bound (and a pr_warn at the first registration) would make both defined.')
    if not f:
        return
    out.append('### Findings\n')
    for i, x in enumerate(f, 1):
        out.append(f'{i}. {x}')
    out.append('')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--logs', default='build/logs')
    ap.add_argument('--out', default='results/reliability.md')
    a = ap.parse_args()

    out = ['## Reliability: torture, storms, fault injection', '']
    out.append('Generated by scripts/reliability.py from the console logs in '
               f'{a.logs}/torture-*.log. Kernel: patched-debug (KASAN generic, PROVE_LOCKING, '
               'PROVE_RCU, DEBUG_ATOMIC_SLEEP, DEBUG_OBJECTS, kmemleak, FAILSLAB, '
               'FAIL_PAGE_ALLOC), QEMU TCG, 2 vCPUs (scripts/qemu.sh smp).')
    out.append('')
    runs = []
    for p in glob.glob(os.path.join(a.logs, 'torture-torture-*s.log')):
        m = re.search(r'torture-torture-(\d+)s\.log$', p)
        if m:
            runs.append((int(m.group(1)), p))
    runs.sort()
    torture_section([parse(p) for _, p in runs], out)
    p = os.path.join(a.logs, 'torture-storm.log')
    if os.path.exists(p):
        storm_section(parse(p), out)
    p = os.path.join(a.logs, 'torture-failinject.log')
    if os.path.exists(p):
        r = parse(p)
        failinject_section(r, out)
        badinput_section(r, out)
    ringsize_section(sorted(glob.glob(os.path.join(a.logs, 'ringsize-*.log'))), out)
    findings_section(a.logs, out)
    os.makedirs(os.path.dirname(a.out) or '.', exist_ok=True)
    with open(a.out, 'w') as f:
        f.write('\n'.join(out).rstrip() + '\n')
    print(f'reliability: wrote {a.out}', file=sys.stderr)


if __name__ == '__main__':
    main()
