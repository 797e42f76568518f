#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make bench's instruction profile (BENCH_PROFILE=1) of one boot.

Usage: scripts/bench-profile.py RUN_DIR

RUN_DIR is a bench boot's directory: icount-prof.txt (QEMU's icount.so:
"MARK VADDR COUNT", the instructions each translated block executed
since the mark before), results/kallsyms.txt (the Dom0's kernel
functions: the DomU runs the same kernel at the same addresses) and
results/domu-console.log (each driver's flip runs, "E2E-BENCH TAG
flipsN-insn-marks A B FLIPS", and its modules' functions, "E2E-KSYM TAG
ADDR TYPE NAME [MODULE]"); results/xensyms.txt, Xen's functions, if the
Dom0 could read them.

Prints, for one and four connectors, the instructions per flip of each
part of the machine (Xen, user space, the kernel, each module) and of
each function, both drivers' rounds pooled, largest difference first. The
whole machine is counted: the Dom0 runs the same kernel, so a kernel
function's figure holds its work in both domains, the backend's as well
as the guest's. Xen's functions are named "(Xen) NAME" where its symbols
were exported.
Both kernels load their modules from the start of the module area: where
a DomU module's function lies in the range of one of the Dom0's modules,
its name says "or" and the Dom0's function, as either may have run there.
"""

import bisect
import collections
import re
import sys

# x86-64: user space below the canonical hole, Xen's own range in every
# PV guest's address space, then the kernel's.
KERNEL_START = 0xFFFF800000000000
XEN_END = 0xFFFF880000000000
# A module's last function: as far as this past its symbol.
MODULE_TAIL = 0x1000


def read_symbols(path):
    """Text symbols: the kernel's, and the modules' with their extents."""
    kernel, mods = [], collections.defaultdict(list)
    with open(path, errors="replace") as f:
        for line in f:
            parts = line.split()
            if len(parts) < 3 or parts[1] not in "tT":
                continue
            addr = int(parts[0], 16)
            if len(parts) > 3:
                mods[parts[3]].append((addr, f"{parts[2]} {parts[3]}"))
            else:
                kernel.append((addr, parts[2]))
    return kernel, mods


class Names:
    """The function an address is in, by the nearest symbol below it."""

    def __init__(self, syms):
        syms = sorted(s for s in syms if s[0])
        self.addrs = [a for a, _ in syms]
        self.names = [n for _, n in syms]

    def __call__(self, vaddr):
        i = bisect.bisect_right(self.addrs, vaddr) - 1
        return self.names[i] if i >= 0 else None


class Namer:
    """Names for the DomU's addresses, flagging those of the Dom0's modules."""

    def __init__(self, kernel, dom0_mods, domu_mods, xen):
        self.domu = Names(kernel + domu_mods)
        self.xen = Names(xen) if xen else None
        self.dom0 = Names([s for syms in dom0_mods.values() for s in syms])
        self.dom0_ranges = [(min(a for a, _ in s), max(a for a, _ in s) + MODULE_TAIL)
                            for s in dom0_mods.values()]
        self.cache = {}

    def __call__(self, vaddr):
        if vaddr in self.cache:
            return self.cache[vaddr]
        if vaddr < KERNEL_START:
            name = "(user space)"
        elif vaddr < XEN_END:
            name = "(Xen)"
            if self.xen:
                name += f" {self.xen(vaddr) or 'unknown'}"
        else:
            name = self.domu(vaddr) or "(kernel, unknown)"
            if any(lo <= vaddr < hi for lo, hi in self.dom0_ranges):
                name += f" or Dom0's {self.dom0(vaddr)}"
        self.cache[vaddr] = name
        return name


def part(name):
    """The part of the machine a function's name belongs to."""
    if name.startswith("("):
        return name.split(")")[0] + ")"
    m = re.search(r" \[(\S+)\]", name)
    return f"[{m.group(1)}]" if m else "the kernel"


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    run = sys.argv[1]
    console = open(f"{run}/results/domu-console.log", errors="replace").read()
    kernel, dom0_mods = read_symbols(f"{run}/results/kallsyms.txt")
    try:
        xen, _ = read_symbols(f"{run}/results/xensyms.txt")
    except FileNotFoundError:
        xen = []

    marks = {}  # (driver, n) -> [(A, B, flips, tag)]
    modsyms = collections.defaultdict(list)  # tag -> [(addr, name)]
    for line in console.splitlines():
        line = line.replace("\r", "")
        m = re.search(r"E2E-BENCH (\w+)\.(\d+) flips([14])-insn-marks (\d+) (\d+) (\d+)", line)
        if m:
            drv, rnd, n, a, b, flips = m.groups()
            marks.setdefault((drv, int(n)), []).append(
                (int(a), int(b), int(flips), f"{drv}.{rnd}"))
            continue
        m = re.search(r"E2E-KSYM (\w+\.\d+) ([0-9a-f]+) [tT] (\S+)\s+(\[\S+\])", line)
        if m:
            tag, addr, name, mod = m.groups()
            modsyms[tag].append((int(addr, 16), f"{name} {mod}"))
    if not marks:
        sys.exit(f"{run}: no flipsN-insn-marks in the DomU's console")

    # The profile's lines by mark: a run's instructions are those of the
    # marks after its first, up to its last.
    wanted = set()
    for runs in marks.values():
        for a, b, _, _ in runs:
            wanted.update(range(a + 1, b + 1))
    by_mark = collections.defaultdict(list)
    with open(f"{run}/icount-prof.txt") as f:
        for line in f:
            mark, vaddr, count = line.split()
            mark = int(mark)
            if mark in wanted:
                by_mark[mark].append((int(vaddr, 16), int(count)))

    for n in (1, 4):
        per = {}
        for drv in ("ours", "upstream"):
            funcs = collections.Counter()
            flips = 0
            for a, b, f, tag in marks.get((drv, n), []):
                names = Namer(kernel, dom0_mods, modsyms.get(tag, []), xen)
                for m in range(a + 1, b + 1):
                    for vaddr, count in by_mark.get(m, []):
                        funcs[names(vaddr)] += count
                flips += f
            if flips:
                per[drv] = {k: v / flips for k, v in funcs.items()}
        if len(per) < 1:
            continue
        print(f"== {n} connector(s): instructions per flip, by function "
              f"(largest difference first)")
        ours, up = per.get("ours", {}), per.get("upstream", {})
        print(f"{'ours':>9} {'upstream':>9} {'diff':>9}  part")
        print(f"{sum(ours.values()):9.0f} {sum(up.values()):9.0f} "
              f"{sum(ours.values()) - sum(up.values()):9.0f}  (all)")
        parts = {}
        for drv, funcs in (("ours", ours), ("upstream", up)):
            for k, v in funcs.items():
                p = part(k)
                parts.setdefault(p, {"ours": 0, "upstream": 0})[drv] += v
        for p, v in sorted(parts.items(),
                           key=lambda x: -abs(x[1]["ours"] - x[1]["upstream"])):
            print(f"{v['ours']:9.0f} {v['upstream']:9.0f} "
                  f"{v['ours'] - v['upstream']:9.0f}  {p}")
        print(f"{'ours':>9} {'upstream':>9} {'diff':>9}  function")
        keys = sorted(set(ours) | set(up),
                      key=lambda k: -abs(ours.get(k, 0) - up.get(k, 0)))
        keys = [k for k in keys if max(ours.get(k, 0), up.get(k, 0)) >= 20]
        for k in keys[:60]:
            o, u = ours.get(k, 0), up.get(k, 0)
            print(f"{o:9.0f} {u:9.0f} {o - u:9.0f}  {k}")
        print()


if __name__ == "__main__":
    main()
