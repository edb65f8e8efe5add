#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""disasm-gate.py A_VMLINUX B_VMLINUX FUNCTIONS ALLOWLIST [--names A B]

Compare the machine code of the functions listed in FUNCTIONS
(config/success-path.txt) between two linked kernels (vmlinux with its
symbol table), after normalising what only reflects where things were
linked: instruction addresses and raw bytes are dropped, branch targets
inside the function become labels (L1, L2... in address order), other
code and data addresses become <symbol+offset>. What remains differs only
when the code does. A differing line passes only if an entry of ALLOWLIST
(config/disasm-allowlist.txt) matches it; the diff is printed either way,
unallowed lines marked with '!'.

FUNCTIONS: NAME [inlined-into CALLER,...] per line ('#' comments). A name
without the note must be a text symbol of both kernels (its NAME.cold*
parts are compared with it); a name with it must be in neither, and each
CALLER must be listed without the note.

ALLOWLIST: FUNCTION<TAB>SIDE<TAB>REGEX<TAB>REASON per line; SIDE is +
(a line only in B), - (only in A) or +- (either); FUNCTION may be *.
REGEX (Python) is searched in the normalised line; REASON is required.

Moved code: gcc lays out the blocks of a function anew when a branch is
added, so a diff also shows instructions that only changed place. A line
only in A and a line only in B that are the same instruction once branch
targets are erased cancel out (marked '~', never failing), as do label
lines, which are not instructions. What is left are instructions one
kernel has and the other lacks: each must be allowed. The gate proves
that no instruction was added to a function but the allowed ones; how
often each runs on the success path is the exact count's part
(scripts/fncount.sh).

Exit 0 when every function is identical or differs only by allowed lines,
1 otherwise; 2 on a usage or input error. The last line is a summary.
"""
import bisect
import difflib
import re
import struct
import subprocess
import sys

KERNEL_LO = 0xffffffff80000000


def die(msg):
    print(f"disasm-gate: ERROR: {msg}", file=sys.stderr)
    sys.exit(2)


def read_sections(path):
    """[(name, addr, size, file offset)] of the ELF64 file's allocated,
    file-backed sections."""
    with open(path, "rb") as f:
        h = f.read(64)
        if h[:5] != b"\x7fELF\x02":
            die(f"{path} is not an ELF64 file")
        shoff, = struct.unpack_from("<Q", h, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", h, 0x3a)
        f.seek(shoff)
        raw = f.read(shentsize * shnum)
        shdrs = [struct.unpack_from("<IIQQQQIIQQ", raw, i * shentsize)
                 for i in range(shnum)]
        strtab = shdrs[shstrndx]
        f.seek(strtab[4])
        names = f.read(strtab[5])
    out = []
    for name, typ, flags, addr, off, size, *_ in shdrs:
        if flags & 2 and addr:                  # SHF_ALLOC
            n = names[name:names.index(b"\0", name)].decode()
            out.append((n, addr, size, None if typ == 8 else off))
    return out


def read_string(path, sec, addr):
    """The printable NUL-terminated string at addr, or None."""
    if sec[3] is None:
        return None                             # NOBITS (.bss)
    with open(path, "rb") as f:
        f.seek(sec[3] + addr - sec[1])
        b = f.read(256)
    end = b.find(b"\0")
    if end < 1:
        return None
    try:
        s = b[:end].decode("ascii")
    except UnicodeDecodeError:
        return None
    return s if all(c.isprintable() or c in "\n\t" for c in s) else None


class Kernel:
    """The symbol table of one vmlinux, and its disassembler."""

    def __init__(self, path, name):
        self.path, self.name = path, name
        try:
            out = subprocess.run(["nm", "-S", "--defined-only", path],
                                 capture_output=True, text=True,
                                 check=True).stdout
        except (OSError, subprocess.CalledProcessError) as e:
            die(f"nm -S {path} failed ({e}); is it a vmlinux? (binutils: "
                "apt-get install binutils)")
        self.text = {}          # name -> [(addr, size)]
        syms = []
        for line in out.splitlines():
            w = line.split()
            if len(w) == 4:
                addr, size, typ, sym = int(w[0], 16), int(w[1], 16), w[2], w[3]
            elif len(w) == 3:
                addr, size, typ, sym = int(w[0], 16), 0, w[1], w[2]
            else:
                continue
            syms.append((addr, size, sym))
            if typ in "tTwW" and size:
                self.text.setdefault(sym, []).append((addr, size))
        syms.sort()
        self.syms = syms
        self.addrs = [a for a, _, _ in syms]
        self.sections = read_sections(path)

    def symbolise(self, addr):
        """<sym+off> for an address inside a symbol of the image, the
        string itself for an unnamed string, <anon SECTION> for other
        unnamed data, the number for anything else (masks, constants)."""
        sec = next((x for x in self.sections if x[1] <= addr < x[1] + x[2]),
                   None)
        if sec is None:
            return f"{addr:#x}"
        i = bisect.bisect_right(self.addrs, addr) - 1
        while i >= 0 and self.addrs[i] == addr and i > 0 and \
                self.addrs[i - 1] == addr:
            i -= 1              # the first name at that address: stable
        if i >= 0:
            a, size, name = self.syms[i]
            if addr < a + max(size, 1):
                return f"<{name}+{addr - a:#x}>" if addr > a else f"<{name}>"
        s = read_string(self.path, sec, addr)
        return f"<{s!r}>" if s is not None else f"<anon {sec[0]}>"

    def parts(self, fn):
        """[(addr, size)] of fn and its NAME.cold* parts, or None."""
        if fn not in self.text:
            return None
        if len(self.text[fn]) > 1:
            die(f"{self.name}: {fn} names {len(self.text[fn])} functions "
                "(static functions of the same name): the gate cannot tell "
                "them apart; list a unique name")
        parts = list(self.text[fn])
        for sym, v in sorted(self.text.items()):
            if re.fullmatch(re.escape(fn) + r"\.cold(\.\d+)?", sym):
                parts += v
        return parts

    def disasm(self, fn):
        """The normalised instructions of fn (with its cold parts)."""
        out = []
        parts = self.parts(fn)
        insns = []
        for addr, size in parts:
            try:
                text = subprocess.run(
                    ["objdump", "-d", "--no-show-raw-insn", "--wide",
                     f"--start-address={addr:#x}",
                     f"--stop-address={addr + size:#x}", self.path],
                    capture_output=True, text=True, check=True).stdout
            except (OSError, subprocess.CalledProcessError) as e:
                die(f"objdump -d {self.path} failed: {e}")
            part = []
            for line in text.splitlines():
                m = re.match(r"\s*([0-9a-f]+):\s+(.*)$", line)
                if m:
                    part.append((int(m.group(1), 16), m.group(2).strip()))
            insns.append((addr, size, part))
        inside = lambda a: any(p <= a < p + s for p, s, _ in insns)
        targets = sorted({int(t, 16) for _, _, part in insns for _, i in part
                          for t in re.findall(r"\b([0-9a-f]{16}) <", i)
                          if inside(int(t, 16))})
        label = {t: f"L{n + 1}" for n, t in enumerate(targets)}
        for k, (addr, _, part) in enumerate(insns):
            if k:
                out.append(f"--- cold part {k}")
            for a, i in part:
                if a in label:
                    out.append(f"{label[a]}:")
                out.append(self.normalise(i, label))
        return out

    def normalise(self, insn, label):
        # "mov 0x1234(%rip),%rax  # ffffffff81234567 <sym+0x8>"
        m = re.match(r"(.*?)\s+#\s+([0-9a-f]+)(?: <[^>]*>)?$", insn)
        if m:
            insn, target = m.group(1), int(m.group(2), 16)
            insn = re.sub(r"-?0x[0-9a-f]+(?=\(%rip\))", self.symbolise(target),
                          insn)
        # branch and call targets: "jmp ffffffff81234567 <sym+0x10>"
        def branch(m):
            t = int(m.group(1), 16)
            return label.get(t) or self.symbolise(t)
        insn = re.sub(r"\b([0-9a-f]{16}) <[^>]*>", branch, insn)
        # kernel addresses as immediates or displacements
        def absolute(m):
            v = int(m.group(2), 16)
            return m.group(1) + (self.symbolise(v) if v >= KERNEL_LO else
                                 m.group(2))
        insn = re.sub(r"(\$?)(0x[0-9a-f]{16})\b", absolute, insn)
        return re.sub(r"\s+", " ", insn)


def read_functions(path):
    fns = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].split()
            if not line:
                continue
            callers = []
            if len(line) == 3 and line[1] == "inlined-into":
                callers = line[2].split(",")
            elif len(line) != 1:
                die(f"{path}:{n}: expected NAME [inlined-into CALLER,...]")
            fns.append((line[0], callers))
    if not fns:
        die(f"{path} lists no function")
    return fns


def read_allowlist(path):
    allow = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if not line.strip() or line.startswith("#"):
                continue
            w = line.rstrip("\n").split("\t")
            if len(w) != 4 or w[1] not in ("+", "-", "+-") or not w[3].strip():
                die(f"{path}:{n}: expected FUNCTION<TAB>+|-|+-<TAB>REGEX<TAB>"
                    "REASON (a reason is required)")
            try:
                allow.append((w[0], w[1], re.compile(w[2]), w[3]))
            except re.error as e:
                die(f"{path}:{n}: bad regex {w[2]!r}: {e}")
    return allow


def match_labels(da, db):
    """db with its labels renamed after the labels of da at the same place
    (an alignment of the two with labels erased), so that one inserted
    branch target does not rename every later label. A label of db with
    no counterpart becomes Ln1, Ln2..."""
    erase = lambda l: re.sub(r"\bL\d+\b", "L", l)
    sm = difflib.SequenceMatcher(None, [erase(l) for l in da],
                                 [erase(l) for l in db], autojunk=False)
    ren = {}
    for i, j, n in sm.get_matching_blocks():
        for k in range(n):
            if re.fullmatch(r"L\d+:", db[j + k]):
                ren[db[j + k][:-1]] = da[i + k][:-1]
    fresh = 0
    for l in db:
        if re.fullmatch(r"L\d+:", l) and l[:-1] not in ren:
            fresh += 1
            ren[l[:-1]] = f"Ln{fresh}"
    return [re.sub(r"\bL\d+\b", lambda m: ren.get(m.group(0), m.group(0)), l)
            for l in db]


def erase_targets(line):
    return re.sub(r"\bLn?\d+\b", "L", line)


def moved_lines(da, db, sm):
    """The differing lines that only moved, as sets of indices into da
    ("-") and db ("+"): a line with a counterpart of the same instruction,
    targets erased, among the other side's differing lines (each
    counterpart used once), and every label line."""
    is_label = lambda l: re.fullmatch(r"Ln?\d+:", l) is not None
    rem, add = [], []
    for tag, x1, x2, y1, y2 in sm.get_opcodes():
        if tag != "equal":
            rem += range(x1, x2)
            add += range(y1, y2)
    pool = {}
    for j in add:
        if not is_label(db[j]):
            pool.setdefault(erase_targets(db[j]), []).append(j)
    mr = {i for i in rem if is_label(da[i])}
    mb = {j for j in add if is_label(db[j])}
    for i in rem:
        cand = pool.get(erase_targets(da[i]))
        if cand and not is_label(da[i]):
            mr.add(i)
            mb.add(cand.pop(0))
    return {"-": mr, "+": mb}


def allowed(allow, fn, side, line):
    for f, s, rx, reason in allow:
        if f in (fn, "*") and side in s and rx.search(line):
            return reason
    return None


def main(argv):
    names = None
    if "--names" in argv:
        i = argv.index("--names")
        names = argv[i + 1:i + 3]
        argv = argv[:i] + argv[i + 3:]
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    a_path, b_path, fn_path, allow_path = argv
    names = names or [a_path, b_path]
    ka, kb = Kernel(a_path, names[0]), Kernel(b_path, names[1])
    fns = read_functions(fn_path)
    allow = read_allowlist(allow_path)
    gated = {f for f, c in fns if not c}
    same = allowed_n = failed = 0
    for fn, callers in fns:
        pa, pb = ka.parts(fn), kb.parts(fn)
        if callers:
            bad = [c for c in callers if c not in gated]
            if pa or pb:
                where = " and ".join(k.name for k, p in ((ka, pa), (kb, pb)) if p)
                print(f"FAIL {fn}: listed as inlined into {','.join(callers)} "
                      f"but it is a function of {where}: inlining changed; gate "
                      f"it directly (drop 'inlined-into' in {fn_path}) after "
                      "checking why")
                failed += 1
            elif bad:
                print(f"FAIL {fn}: inlined into {','.join(bad)}, which "
                      f"{fn_path} does not gate: add them")
                failed += 1
            else:
                print(f"ok   {fn}: inlined into {','.join(callers)} in both "
                      "(gated there)")
                same += 1
            continue
        if not pa or not pb:
            miss = " and ".join(k.name for k, p in ((ka, pa), (kb, pb)) if not p)
            print(f"FAIL {fn}: not a function of {miss} (inlined or renamed?); "
                  f"if gcc inlines it, write '{fn} inlined-into CALLER' in "
                  f"{fn_path}")
            failed += 1
            continue
        da, db = ka.disasm(fn), kb.disasm(fn)
        db = match_labels(da, db)
        if da == db:
            print(f"ok   {fn}: identical ({len(da)} lines)")
            same += 1
            continue
        bad, reasons, body = 0, set(), []
        sm = difflib.SequenceMatcher(None, da, db, autojunk=False)
        moved = moved_lines(da, db, sm)
        for group in sm.get_grouped_opcodes(3):
            i1, i2, j1, j2 = group[0][1], group[-1][2], group[0][3], group[-1][4]
            body.append(f"@@ {names[0]} {i1 + 1},{i2 - i1} "
                        f"{names[1]} {j1 + 1},{j2 - j1} @@")
            for tag, x1, x2, y1, y2 in group:
                if tag == "equal":
                    body += [f"    {l}" for l in da[x1:x2]]
                    continue
                for side, d, lo, hi in (("-", da, x1, x2), ("+", db, y1, y2)):
                    for idx in range(lo, hi):
                        l = d[idx]
                        if idx in moved[side]:
                            body.append(f"~{side}  {l}")
                            continue
                        r = allowed(allow, fn, side, l)
                        if r:
                            reasons.add(r)
                        else:
                            bad += 1
                        body.append(f"{'!' if not r else ' '}{side}  {l}")
        if bad:
            print(f"FAIL {fn}: {bad} differing lines not in {allow_path}:")
            failed += 1
        else:
            print(f"ok   {fn}: differs only by allowed lines "
                  f"({'; '.join(sorted(reasons))}):")
            allowed_n += 1
        print("\n".join(f"     {l}" for l in body))
    print(f"disasm-gate: {names[0]} vs {names[1]}: {len(fns)} functions: "
          f"{same} identical, {allowed_n} with allowed differences, "
          f"{failed} failed")
    if failed:
        print("disasm-gate: a success-path function changed: the lines marked "
              "'!' are new code on the path; remove the change, or, if it is "
              f"intended and off the success path, allow it in {allow_path} "
              "with its reason")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
