#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fncount-mutant-check.sh: the exact count catches one added instruction
# on the success path. Runs the guest job fncount-vtd (successful page
# requests through the real VT-d path) under the fncount plugin on
# baseline-perf and on the mutant kernel (scripts/mutant-kernel.sh: a nop
# added in iopf_group_response) and checks, @@TEST fncount_mutant:
# iopf_group_response costs the same for every call in both, exactly one
# instruction more per call in the mutant, and intel_iommu_page_response
# (which it calls, unchanged) the same in both. Exits non-zero otherwise.
. "$(dirname "$0")/lib.sh"

d=$BUILD/fncount/mutant-check
mkdir -p "$d"
"$TOP/scripts/mutant-kernel.sh" >/dev/null
"$TOP/scripts/fncount.sh" baseline-perf fncount-vtd "$d/base.tsv" >"$d/base.out" 2>&1 ||
	{ cat "$d/base.out" >&2; die "the baseline-perf run failed (above)"; }
BUILD=$BUILD/gate-mutant "$TOP/scripts/fncount.sh" baseline-perf fncount-vtd "$d/mutant.tsv" >"$d/mutant.out" 2>&1 ||
	{ cat "$d/mutant.out" >&2; die "the mutant run failed (above)"; }
verdict=$(python3 -B - "$TOP/qemu/plugins" "$d/base.tsv" "$d/mutant.tsv" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import fncount
b, m = fncount.load(sys.argv[2]), fncount.load(sys.argv[3])
def row(d, f):
    return d["function"].get(("all", f))
bad = []
rb, rm = row(b, "iopf_group_response"), row(m, "iopf_group_response")
pb, pm = row(b, "intel_iommu_page_response"), row(m, "intel_iommu_page_response")
if not (rb and rm and pb and pm) or not rb["calls"] or rb["calls"] != rm["calls"]:
    bad.append(f"no comparable calls (baseline {rb}, mutant {rm})")
else:
    for name, r in (("baseline", rb), ("mutant", rm)):
        if r["min"] != r["max"]:
            bad.append(f"{name} iopf_group_response varies per call ({r['min']}..{r['max']})")
    if rm["median"] != rb["median"] + 1:
        bad.append(f"iopf_group_response: mutant {rm['median']} per call, baseline {rb['median']}: expected baseline + 1")
    if (pm["min"], pm["max"]) != (pb["min"], pb["max"]):
        bad.append(f"intel_iommu_page_response changed: {pb['min']}..{pb['max']} -> {pm['min']}..{pm['max']}")
print("; ".join(bad) if bad else
      f"iopf_group_response {rb['median']} -> {rm['median']} per call over {rb['calls']} calls, "
      f"intel_iommu_page_response {pb['median']} in both")
sys.exit(1 if bad else 0)
PY
) && ok=1 || ok=0
if [ $ok = 1 ]; then
	echo "@@TEST fncount_mutant PASS $verdict"
else
	echo "@@TEST fncount_mutant FAIL $verdict"
	die "the exact count did not show the mutant's one added instruction (outputs in ${d#"$TOP"/}): check the plugin (scripts/fncount-selftest.sh) and the mutation (scripts/mutant-kernel.sh)"
fi
