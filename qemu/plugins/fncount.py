#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Read, print, compare and check the fncount plugin's output (fncount/).

The file is TSV. Lines starting with '#' are comments; '#region' and
'#function' lines name the columns of the rows that follow them. Rows:
  absent    NAME                      listed, in no map (inlined, not built)
  region    vcpu insns task irq exception softirq interrupts exceptions
            switches rep_skipped restarts anomalies
  function  vcpu name calls recursive open insns min median max excluded self
vcpu is a number, or "all" in function rows (every vCPU together).

  fncount.py table FILE [VCPU]       print the function rows (default: all)
  fncount.py same A B                exit 1 unless A and B count the same
  fncount.py check FILE EXPECTED     exit 1 unless FILE meets EXPECTED
                                     (format: qemu/plugins/test/expected.tsv)
Importable: load(path) returns a dict (see load's docstring).
"""
import signal
import sys

INT_REGION = ("insns", "task", "irq", "exception", "softirq", "interrupts",
              "exceptions", "switches", "rep_skipped", "restarts",
              "anomalies")
INT_FUNCTION = ("calls", "recursive", "open", "insns", "min", "median", "max",
                "excluded", "self")


def load(path):
    """{'comments': [str], 'absent': [name], 'region': {vcpu: {col: int}},
    'function': {(vcpu, name): {col: int}}, 'order': [name]}; vcpu is a
    str ("0", "1", "all")."""
    out = {"comments": [], "absent": [], "region": {}, "function": {},
           "order": []}
    cols = {}
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            w = line.split("\t")
            if line.startswith("#region") or line.startswith("#function"):
                cols[w[0][1:]] = w[1:]
                continue
            if line.startswith("#"):
                out["comments"].append(line)
                continue
            kind = w[0]
            if kind == "absent":
                out["absent"].append(w[1])
                continue
            if kind not in cols:
                raise ValueError(f"{path}: row '{kind}' before its #{kind} header")
            row = dict(zip(cols[kind], w[1:]))
            ints = INT_REGION if kind == "region" else INT_FUNCTION
            for c in ints:
                row[c] = int(row[c])
            if kind == "region":
                out["region"][row["vcpu"]] = row
            else:
                out["function"][(row["vcpu"], row["name"])] = row
                if row["name"] not in out["order"]:
                    out["order"].append(row["name"])
    return out


def table(d, vcpu="all"):
    cols = ("calls", "recursive", "open", "insns", "min", "median", "max",
            "excluded", "self")
    names = [n for n in d["order"] if (vcpu, n) in d["function"]]
    width = max([len(n) for n in names] + [8])
    lines = [f"{'function':<{width}} " + " ".join(f"{c:>10}" for c in cols)]
    for n in names:
        r = d["function"][(vcpu, n)]
        lines.append(f"{n:<{width}} " + " ".join(f"{r[c]:>10}" for c in cols))
    for n in d["absent"]:
        lines.append(f"{n:<{width}} absent from the maps (inlined or not built)")
    return "\n".join(lines)


def same(a, b):
    """The differences between two outputs' counts, as strings."""
    diffs = []
    for key in ("region", "function"):
        for k in sorted(set(a[key]) | set(b[key])):
            ra, rb = a[key].get(k), b[key].get(k)
            if ra != rb:
                diffs.append(f"{key} {k}: {ra} != {rb}")
    if a["absent"] != b["absent"]:
        diffs.append(f"absent: {a['absent']} != {b['absent']}")
    return diffs


def _ok(spec, val, row):
    if spec == "*":
        return True
    if spec == ">0":
        return val > 0
    if spec == "=min":
        return val == row["min"]
    if ".." in spec:
        lo, hi = spec.split("..")
        return int(lo) <= val <= int(hi)
    return val == int(spec)


def check(d, expected_path):
    """The failed expectations, as strings (empty: all met)."""
    fails = []
    cols = None
    with open(expected_path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#name"):
                cols = line.split("\t")[1:]
                continue
            if not line or line.startswith("#"):
                continue
            w = line.split("\t")
            name, specs = w[0], dict(zip(cols, w[1:]))
            row = d["function"].get(("all", name))
            if row is None:
                fails.append(f"{name}: no row in the output (absent: "
                             f"{name in d['absent']}); is it in the map "
                             "given to the plugin?")
                continue
            for c, spec in specs.items():
                if not _ok(spec, row[c], row):
                    fails.append(f"{name}: {c} = {row[c]}, expected {spec}")
    return fails


def main(argv):
    if len(argv) >= 2 and argv[0] == "table":
        print(table(load(argv[1]), argv[2] if len(argv) > 2 else "all"))
        return 0
    if len(argv) == 3 and argv[0] == "same":
        diffs = same(load(argv[1]), load(argv[2]))
        for x in diffs:
            print(f"differs: {x}")
        return 1 if diffs else 0
    if len(argv) == 3 and argv[0] == "check":
        fails = check(load(argv[1]), argv[2])
        for x in fails:
            print(f"FAIL: {x}")
        return 1 if fails else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)   # | head: no traceback
    sys.exit(main(sys.argv[1:]))
