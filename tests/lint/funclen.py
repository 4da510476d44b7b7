#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fail when a C function in the given folders is longer than the limit.

A function fits on a screen: at most --max lines (default 60) between the
brace that opens its body and the one that closes it. .clang-format's Linux
brace style puts both braces of a function body alone in column 0, and
nothing else there, which is what this reads.
"""
import argparse
import pathlib
import re
import sys

NAME = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*\(")


def signature_name(lines, brace):
    """The function's name: the first call-like word of the nearest line
    above the brace that starts in column 0 (the signature's first line)."""
    for j in range(brace - 1, max(-1, brace - 8), -1):
        if lines[j][:1] not in ("", " ", "\t"):
            names = NAME.findall(lines[j])
            return names[0] if names else "?"
    return "?"


def functions(path):
    lines = path.read_text(errors="replace").splitlines()
    start = None
    for i, line in enumerate(lines):
        if line.startswith("{") and start is None:
            start = i
        elif line.startswith("}") and start is not None:
            yield signature_name(lines, start), start + 1, i - start - 1
            start = None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--max", type=int, default=60)
    ap.add_argument("dirs", nargs="+")
    args = ap.parse_args()
    long = [(p, name, line, n)
            for d in args.dirs for p in sorted(pathlib.Path(d).rglob("*.c"))
            for name, line, n in functions(p) if n > args.max]
    for p, name, line, n in long:
        print(f"{p}:{line}: {name}() is {n} lines long (limit {args.max}): split it")
    print(f"{len(long)} function(s) over {args.max} lines in {' '.join(args.dirs)}")
    return 1 if long else 0


if __name__ == "__main__":
    sys.exit(main())
