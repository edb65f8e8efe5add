#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write results/reliability.md from the console logs of the guest jobs
torture (lifetime cases and torture), storm and failinject
(scripts/torture.sh, scripts/reliability.sh), parsed by guestlog.py.

usage: reliability.py --logs build/logs --out results/reliability.md
The section starts with "## Reliability: torture, storms, fault injection";
every number in it comes from a log.
"""
import argparse
import glob
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guestlog  # noqa: E402

MOD = 'iopf_torture'


def torture_runs(logdir):
    runs = []
    for p in glob.glob(os.path.join(logdir, 'torture-torture-*s.log')):
        m = re.search(r'torture-torture-(\d+)s\.log$', p)
        if m:
            runs.append((int(m.group(1)), guestlog.Log(p)))
    return [r for _, r in sorted(runs, key=lambda x: x[0])]


def torture_section(runs, out):
    out.append('### Torture (tests/torture, mode=torture)\n')
    out.append('Every online CPU runs a flooder (page requests: 40 % succeed, 20 % write a '
               'read-only VMA, 20 % hit no VMA, 15 % use a PASID without handler, 5 % are '
               'rejected by the "IOMMU driver"; now and then a burst of 256-767 rejected '
               'requests from one RID, more than a ring holds, so records overflow) and a '
               'churner (register, unregister quiesced or hot, remove and re-add a device with '
               'records pending, half of the time while it is still registered). Counter '
               'checks run whenever a registration is quiesced: generated == delivered + '
               'overflow + stale + released and delivered == callbacks the driver saw; a '
               'device released while registered has its RIDs free at once and its counters '
               'balance once the release counted what was queued. Any splat (KASAN, lockdep, '
               'PROVE_RCU, kmemleak, WARNING) fails the run in scripts/qemu.sh.\n')
    out.append('| Duration (s) | Requests | Responses ok / failed | Callbacks | Registrations '
               '| Unregistrations quiesced / hot | Device re-adds (registered) | Counter checks '
               '| Generated / delivered / overflow / stale (checked) | Errors | kmemleak '
               '| Splats | Verdict |')
    out.append('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|')
    notes = []
    for r in runs:
        k = r.kernel(MOD)
        end = [x for x in k if x.startswith('end: ')]
        verdict = [x for x in k if re.match(r'(PASS|FAIL) duration=', x)]
        if len(end) < 3 or not verdict:
            out.append(f"| ? | run in {r.name} did not finish | | | | | | | | | "
                       f"| {len(r.splats)} | FAIL |")
            continue
        req, reg, chk = end[-3:]
        v = guestlog.kv(verdict[-1])
        m_req = re.search(r'requests: (\d+) .*responses: success (\d+) failed (\d+)', req)
        m_reg = re.search(r'registrations (\d+) unregistrations (\d+) \(quiesced (\d+) hot (\d+)\) '
                          r'device re-adds (\d+) \(registered (\d+)\) callbacks (\d+)', reg)
        m_chk = re.search(r'counter checks (\d+) \(generated (\d+) delivered (\d+) '
                          r'overflow (\d+) stale (\d+)\)', chk)
        errs = re.search(r'errors: (.*)$', chk)
        leak = r.results(test='torture')
        leak = [x['kmemleak_total'] for x in leak if 'kmemleak_total' in x]
        ok = verdict[-1].startswith('PASS') and not r.splats and r.done
        if not (m_req and m_reg and m_chk):
            out.append(f"| {v.get('duration', '?')} | unparsed statistics in {r.name} "
                       f"| | | | | | | | | | {len(r.splats)} | FAIL |")
            continue
        out.append(f"| {v.get('duration', '?')} | {m_req.group(1)} | {m_req.group(2)} / "
                   f"{m_req.group(3)} | {m_reg.group(7)} | {m_reg.group(1)} | {m_reg.group(3)} / "
                   f"{m_reg.group(4)} | {m_reg.group(5)} ({m_reg.group(6)}) | {m_chk.group(1)} "
                   f"| {m_chk.group(2)} / {m_chk.group(3)} / {m_chk.group(4)} / {m_chk.group(5)} "
                   f"| {v.get('errors', '?')} | {leak[-1] if leak else '?'} | {len(r.splats)} "
                   f"| {'PASS' if ok else 'FAIL'} |")
        if errs:
            notes.append(f"Error classes of the {v.get('duration', '?')} s run: {errs.group(1)}.")
    out.append('')
    for n in notes:
        out.append(n)
        out.append('')


def lifetime_cases(log):
    cases = []
    for x in log.kernel(MOD):
        m = re.match(r'lifetime case=(\S+) (PASS|FAIL): (.*)$', x)
        if m:
            cases.append(m.groups())
    return cases


def lifetime_section(runs, out):
    runs = [r for r in runs if lifetime_cases(r)]
    if not runs:
        return
    r = runs[-1]
    out.append('### Lifetime and isolation cases (tests/torture, mode=lifetime)\n')
    out.append(f'Deterministic cases, run before the torture ({r.name}); waits have a 30 s '
               'failure net, nothing is timed. The data of a registration is poisoned and '
               'freed as soon as the rules allow, so a late callback is a KASAN report.\n')
    out.append('| Case | Verdict | What was seen |')
    out.append('|---|---|---|')
    for name, v, detail in lifetime_cases(r):
        out.append(f'| {name} | {v} | {detail} |')
    lt = r.merged(test='lifetime')
    warn = [t for t in r.tests if t[0] == 'torture_release_warns_once']
    out.append('')
    out.append(f"Devices released while registered warned once each: "
               f"{warn[0][1] if warn else '?'} ({lt.get('released_while_registered_expected', '?')} "
               f"in the lifetime cases, the others in the torture).")
    out.append('')


def storm_section(r, out):
    out.append('### Fault storm (mode=storm, guest/jobs/storm.sh)\n')
    res = {}
    victims, caches = [], []
    for x in r.results(test='storm'):
        if 'victim_cpu' in x:
            victims.append(x)
        elif 'slab_cache' in x:
            caches.append(x)
        else:
            res.update(x)
    if 'sent' not in res:
        out.append(f"The storm run ({r.name}) produced no result.\n")
        return
    sent = int(res['sent'])
    ms = max(int(res['ms']), 1)
    gen, dlv, ovf = int(res['generated']), int(res['delivered']), int(res['overflow'])
    stale = int(res.get('stale', 0))
    out.append(f"- Requests: {sent:,} failing page requests (PASID without handler, answered "
               f"INVALID by the fault core and reported as IOPF_FAILURE_NO_HANDLER) from RID "
               f"0x100 on CPU 0, in {ms / 1000:.1f} s ({sent * 1000 // ms:,}/s) on the debug "
               f"kernel under TCG. The brief asked for 10,000,000: "
               + ("done." if sent >= 10000000 else
                  f"reduced {10000000 / sent:.1f}x (STORM_COUNT={sent}); at this rate 10^7 "
                  f"would take {10000000 * ms / sent / 60000:.1f} minutes."))
    out.append(f"- Storm device: generated {gen:,}, delivered {dlv:,}, overflow {ovf:,}, "
               f"stale {stale:,} (generated == delivered + overflow + stale: "
               f"{'yes' if gen == dlv + ovf + stale else 'NO'}).")
    out.append(f"- Ring usage: most records queued for the storm device at any 200 ms sample: "
               f"{res['max_queued']}; ring capacity {res['ring']} records per CPU x "
               f"{res['cpus']} CPUs, preallocated for each registration. The notifier "
               f"allocates nothing per failure; a full ring counts an overflow.")
    out.append(f"- Slab (kernel counters NR_SLAB_*): before {res['slab_before_kb']} kB, highest "
               f"during {res['slab_max_kb']} kB, after {res['slab_after_kb']} kB. /proc/meminfo "
               f"Slab: before {res.get('meminfo_slab_before_kb', '?')} kB, highest "
               f"{res.get('meminfo_slab_max_kb', '?')} kB, after "
               f"{res.get('meminfo_slab_after_kb', '?')} kB. (KASAN's quarantine keeps freed "
               f"objects on the slab for a while: the caches below show where the growth is.)")
    if caches:
        out.append('')
        out.append('| Slab cache (largest changes, /proc/slabinfo) | Bytes before | Bytes after | Change |')
        out.append('|---|---:|---:|---:|')
        for c in caches:
            out.append(f"| {c['slab_cache']} | {int(c['bytes_before']):,} | "
                       f"{int(c['bytes_after']):,} | {int(c['growth']):+,} |")
    if victims:
        out.append('')
        out.append('Other devices during the storm: one failing request per millisecond from a '
                   'victim thread on each CPU, each with its own device and so its own rings '
                   f"(complete: {res.get('victims_complete', '?')} of {res.get('victims', '?')}; "
                   'with rings of its own a victim loses records only when its consumer waits '
                   'for a CPU for a ring\'s worth of them, so this is reported, not asserted):\n')
        out.append('| Victim CPU | RID | Sent | Generated | Delivered | Overflow | Callbacks |')
        out.append('|---:|---|---:|---:|---:|---:|---:|')
        for v in victims:
            out.append(f"| {v['victim_cpu']}{' (storm CPU)' if v['victim_cpu'] == '0' else ''} "
                       f"| {v['rid']} | {v['sent']} | {v['generated']} | {v['delivered']} "
                       f"| {v['overflow']} | {v['callbacks']} |")
    if 'cyclictest_ref_max_us' in res:
        storm_max = int(res['cyclictest_storm_max_us'] or 0)
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
        out.append('')
        out.append(f"Storm maximum within the idle bound: "
                   f"{'yes' if storm_max <= int(res['cyclictest_ref_max_us'] or 0) else 'no'}"
                   + ('' if 'cyclictest_hog_max_us' not in res else
                      f"; within the busy-loop control: "
                      f"{'yes' if storm_max <= int(res['cyclictest_hog_max_us'] or 0) else 'no'}")
                   + ". TCG runs each vCPU as a host thread on a 2-core host shared with "
                     "other work, so these are upper bounds of the emulator, not of the kernel; "
                     "run guest/jobs/storm.sh on hardware for the real bound.")
    out.append('')


def failinject_section(r, out):
    out.append('### Fault injection (mode=failinject, guest/jobs/failinject.sh)\n')
    out.append('For nth = 1, 2, ... the module sets current->fail_nth (what '
               '/proc/self/fail-nth and iommufd_fail_nth use) and runs one cycle of what a '
               'driver does: create a mock device (device_add, IOMMU probe), bind SVA (which '
               'enables IOPF in the attach path), register a notifier, send one failing '
               'request (write to a read-only page, through the SVA handler), unregister and '
               'tear down. The sweep ends at the first nth the cycle does not reach. Checked '
               'after each cycle: a failed step returned a negative errno, the IOMMU\'s '
               'notifier table is empty, a registration that succeeded got exactly one '
               'callback and its counters balance, every request got its response. Before '
               'the sweep, one deterministic case: an unregistration whose first allocation '
               'fails.\n')
    sweeps = [x for x in r.results(test='failinject') if 'sweep' in x]
    if sweeps:
        out.append('| Sweep | Cycles | Sites in a cycle | Errors: device_create | sva_bind '
                   '| notifier_register | Absorbed (cycle completed) '
                   '| Unregister returned still registered | First allocation of unregister fails '
                   '| Bad | Covered |')
        out.append('|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---|')
        for s in sweeps:
            out.append(f"| {s['sweep']} | {s['cycles']} | {s['sites']} | {s['err_device_create']} "
                       f"| {s['err_sva_bind']} | {s['err_notifier_register']} | {s['absorbed']} "
                       f"| {s.get('silent_unregister', '?')} "
                       f"| {s.get('first_alloc_unregister', '?').replace('_', ' ')} | {s['bad']} "
                       f"| {'yes' if s['covered'] == '1' else 'no'} |")
    errs = {}
    for x in r.kernel(MOD):
        m = re.match(r'failinject nth=(\d+): (\S+) failed cleanly: (-?\d+)', x)
        if m:
            errs.setdefault((m.group(2), m.group(3)), []).append(int(m.group(1)))
    if errs:
        out.append('')
        out.append('Errors returned, by step and errno (both sweeps):\n')
        out.append('| Step | Errno | Times |')
        out.append('|---|---:|---:|')
        for (st, e), nths in sorted(errs.items()):
            out.append(f"| {st} | {e} | {len(nths)} |")
    misc = r.merged(test='failinject')
    out.append('')
    out.append(f"kmemleak after both sweeps (and after the bad-input cases): "
               f"{misc.get('kmemleak_total', '?')} unreferenced objects "
               f"({misc.get('kmemleak_ours_lines', '?')} lines naming iopf/iommu/mock); "
               f"debugfs files left in iopf_notify/: {misc.get('debugfs_files_left', '?')}.")
    usable = r.test('usable_after_injection')
    if usable:
        out.append(f"A 5-second torture run after all of it: {usable}.")
    out.append('')


def badinput_section(r, out):
    out.append('### Bad input (mode=badinput and insmod with bad parameters)\n')
    cases = r.results(test='badinput')
    if cases:
        out.append('Exported functions of the notifier (and of the mock), called from the '
                   'module. Expected values are errnos (0 for a handle), callback counts '
                   '(report_*) or 1 for "true"; void functions are expected to return and '
                   'leave the system usable (0).\n')
        out.append('| Case | Call | Expected | Got | Verdict |')
        out.append('|---|---|---:|---:|---|')
        for c in cases:
            out.append(f"| {c['case']} | `{c['call']}` | {c['expect']} | {c['got']} "
                       f"| {c.get('verdict', '?')} |")
    params = r.results(test='badparam')
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
               'function: the caller is an IOMMU driver with a valid instance and fault); '
               'a handle after its unregistration (freed by it).')
    out.append('')


RINGWARN = re.compile(r'ring_size=(\d+) is out of 16\.\.65536, using (\d+)')


def ringsize_rows(logdir):
    rows = []
    for p in sorted(glob.glob(os.path.join(logdir, 'ringsize-*.log'))):
        m = re.search(r'ringsize-(\d+)\.log$', p)
        if not m:
            continue
        r = guestlog.Log(p)
        warn = [x for x in r.kernel('iopf-notify') if RINGWARN.search(x)]
        lt = r.merged(test='lifetime')
        tests = r.tests
        ok = [t for t in tests if t[1] == 'PASS']
        first = next((x for x in r.splats if re.search(r'WARNING:|BUG:|KASAN', x)), '')
        rows.append({'v': int(m.group(1)), 'warn': warn[0] if warn else '',
                     'ring': lt.get('ring_capacity', '?'), 'ok': len(ok), 'n': len(tests),
                     'splats': len(r.splats), 'first': first, 'done': r.done})
    return sorted(rows, key=lambda x: x['v'])


def ringsize_section(logdir, out):
    rows = ringsize_rows(logdir)
    if not rows:
        return
    out.append('### Boot parameter iopf_notify.ring_size (scripts/reliability.sh)\n')
    out.append('The debug kernel booted with the value, then the torture job (the lifetime '
               'cases and 5 s of torture) registers notifiers with it.\n')
    out.append('| ring_size | Warning at the first registration | Ring capacity '
               '| Guest tests passed | Guest reached its end | Splat lines | First splat |')
    out.append('|---:|---|---:|---:|---|---:|---|')
    for x in rows:
        out.append(f"| {x['v']} | {('`' + x['warn'] + '`') if x['warn'] else 'none'} "
                   f"| {x['ring']} | {x['ok']} / {x['n']} | {'yes' if x['done'] else 'no'} "
                   f"| {x['splats']} | {('`' + x['first'] + '`') if x['first'] else '-'} |")
    out.append('')


def findings_section(logdir, runs, out):
    """What the logs show is wrong, each with the evidence that shows it."""
    f = []
    for r in runs:
        if r.splats:
            first = next((x for x in r.splats if re.search(r'WARNING:|BUG:|KASAN', x)),
                         r.splats[0])
            f.append(f'{r.name}: {len(r.splats)} splat lines; the first: `{first.strip()}` '
                     '(the console log has the whole report).')
    for r in runs[-1:]:
        for name, v, detail in lifetime_cases(r):
            if v == 'FAIL':
                f.append(f'Lifetime case {name} failed ({r.name}): {detail}.')
    p = os.path.join(logdir, 'torture-failinject.log')
    if os.path.exists(p):
        r = guestlog.Log(p)
        sw = [x for x in r.results(test='failinject') if 'sweep' in x]
        silent = sum(int(x.get('silent_unregister', 0)) for x in sw)
        first = [x['sweep'] for x in sw if x.get('first_alloc_unregister') == 'left_registered']
        if first or silent:
            f.append('iopf_failure_notifier_unregister() returned with the notifier still in '
                     f"the table: sweeps {', '.join(first) or '-'} (first allocation failing), "
                     f'{silent} time(s) in the nth sweeps.')
    p = os.path.join(logdir, 'torture-storm.log')
    if os.path.exists(p):
        r = guestlog.Log(p)
        for v in r.results(test='storm'):
            if 'victim_cpu' in v and (int(v['overflow']) or v['delivered'] != v['sent']):
                ct = r.merged(test='storm').get('cyclictest_storm_max_us', '?')
                f.append(f"The victim on CPU {v['victim_cpu']} (RID {v['rid']}) overflowed its "
                         f"own ring during the storm: sent {v['sent']}, delivered "
                         f"{v['delivered']}, overflow {v['overflow']}. Its records are in its "
                         f"own rings, so its consumer (an unbound work item) did not get a CPU "
                         f"for {v['overflow']} records' time; cyclictest on CPU 1 saw a "
                         f"{ct} us maximum latency in the same run.")
    for x in ringsize_rows(logdir):
        bad = x['v'] < 16 or x['v'] > 65536
        if bad and not x['warn']:
            f.append(f"iopf_notify.ring_size={x['v']} was used without the out-of-range "
                     f"warning (ring capacity {x['ring']}).")
        if x['splats']:
            f.append(f"iopf_notify.ring_size={x['v']}: {x['splats']} splat lines, first "
                     f"`{x['first']}`.")
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
    out.append('Generated by scripts/results/reliability.py from the console logs in '
               f'{a.logs}/ (torture-*.log, ringsize-*.log). Kernel: patched-debug (KASAN '
               'generic, PROVE_LOCKING, PROVE_RCU, DEBUG_ATOMIC_SLEEP, DEBUG_OBJECTS, '
               'kmemleak, FAILSLAB, FAIL_PAGE_ALLOC), QEMU TCG, 2 vCPUs (scripts/qemu.sh smp).')
    out.append('')
    runs = torture_runs(a.logs)
    torture_section(runs, out)
    lifetime_section(runs, out)
    p = os.path.join(a.logs, 'torture-storm.log')
    if os.path.exists(p):
        storm_section(guestlog.Log(p), out)
    p = os.path.join(a.logs, 'torture-failinject.log')
    if os.path.exists(p):
        r = guestlog.Log(p)
        failinject_section(r, out)
        badinput_section(r, out)
    ringsize_section(a.logs, out)
    findings_section(a.logs, runs, out)
    os.makedirs(os.path.dirname(a.out) or '.', exist_ok=True)
    with open(a.out, 'w') as f:
        f.write('\n'.join(out).rstrip() + '\n')
    print(f'reliability: wrote {a.out}', file=sys.stderr)


if __name__ == '__main__':
    main()
