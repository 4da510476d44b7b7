#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fail when files of a module include or call each other in a circle.

Two graphs, each over the source files of the folders given:
  - includes: a quoted #include of another file of those folders;
  - calls: an object file that leaves a symbol undefined (nm "U") that
    another object file of the same target defines.
A strongly connected component of more than one file is a circle.
Usage: cycles.py --objects OBJDIR [--objects OBJDIR...] --sources SRCDIR...
"""
import argparse
import pathlib
import re
import subprocess
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def sccs(graph):
    """Tarjan's algorithm, iterative; yields components of size > 1."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            node, it = work[-1]
            nxt = next(it, None)
            if nxt is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.append(w)
                        if w == node:
                            break
                    if len(comp) > 1:
                        out.append(sorted(comp))
                continue
            if nxt not in graph:
                continue
            if nxt not in index:
                index[nxt] = low[nxt] = counter[0]
                counter[0] += 1
                stack.append(nxt)
                on.add(nxt)
                work.append((nxt, iter(graph[nxt])))
            elif nxt in on:
                low[node] = min(low[node], index[nxt])
    return out


def include_graph(dirs):
    files = [p for d in dirs for p in pathlib.Path(d).rglob("*.[ch]")]
    known = {p.resolve() for p in files}
    graph = {}
    for p in files:
        edges = set()
        for inc in INCLUDE.findall(p.read_text(errors="replace")):
            for base in [p.parent] + [pathlib.Path(d) for d in dirs] + \
                        [pathlib.Path(d).parent for d in dirs]:
                cand = (base / inc).resolve()
                if cand in known:
                    edges.add(str(cand))
                    break
        graph[str(p.resolve())] = edges
    return graph


def symbols(obj):
    out = subprocess.run(["nm", obj], capture_output=True, text=True, check=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            undefined.add(parts[1])
        elif len(parts) == 3 and parts[1] in "TDBR":
            defined.add(parts[2])
    return defined, undefined


def call_graph(objdir):
    objs = sorted(str(p) for p in pathlib.Path(objdir).rglob("*.o"))
    syms = {o: symbols(o) for o in objs}
    owner = {s: o for o, (d, _) in syms.items() for s in d}
    return {o: {owner[s] for s in u if s in owner and owner[s] != o}
            for o, (_, u) in syms.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--objects", action="append", default=[])
    ap.add_argument("--sources", nargs="+", required=True)
    args = ap.parse_args()
    bad = 0
    for comp in sccs(include_graph(args.sources)):
        print("include circle:", " -> ".join(comp))
        bad += 1
    for objdir in args.objects:
        for comp in sccs(call_graph(objdir)):
            print("call circle:", " -> ".join(pathlib.Path(c).name for c in comp))
            bad += 1
    print(f"{bad} circle(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
