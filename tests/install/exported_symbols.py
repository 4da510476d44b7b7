#!/usr/bin/python3
"""libstdfu.so exports exactly the functions that include/stdfu/*.h declare:
nothing exported that a public header does not declare (an internal helper
named stdfu_x instead of stdfu__x, or a name without the prefix), and every
declared function exported (a declaration without a definition, or hidden by
the version script).

The declarations come from the compiler itself (gcc -aux-info over every
public header), the exports from `nm -D --defined-only`.

usage: exported_symbols.py LIBSTDFU.so INCLUDE_DIR"""
import glob
import os
import re
import subprocess
import sys
import tempfile

so, incdir = sys.argv[1], sys.argv[2]
headers = sorted(glob.glob(f"{incdir}/stdfu/*.h"))
if not headers:
    sys.exit(f"no headers in {incdir}/stdfu")

with tempfile.TemporaryDirectory() as tmp:
    src, aux = f"{tmp}/all.c", f"{tmp}/aux.txt"
    with open(src, "w") as f:
        for h in headers:
            f.write(f"#include <stdfu/{os.path.basename(h)}>\n")
    subprocess.run(["gcc", "-std=c11", "-fsyntax-only", "-I", incdir, "-aux-info", aux, src],
                   check=True)
    declared = {}
    for line in open(aux):
        m = re.match(r"/\* (\S+):\d+:\w+ \*/ (.*)", line)
        if not m or "/stdfu/" not in m.group(1) or "static" in m.group(2).split("(")[0]:
            continue
        name = re.search(r"(\w+)\s*\(", m.group(2)).group(1)
        declared[name] = os.path.basename(m.group(1))

nm = subprocess.run(["nm", "-D", "--defined-only", so], check=True, capture_output=True,
                    text=True).stdout
# type A: the version node (STDFU_0), not a symbol of the API
exported = {f[2].split("@")[0] for f in (l.split() for l in nm.splitlines())
            if len(f) == 3 and f[1] != "A"}

extra = sorted(exported - set(declared))
missing = sorted(set(declared) - exported)
for name in extra:
    how = ("internal: rename it stdfu__" + name[len("stdfu_"):] if name.startswith("stdfu_")
           else "not prefixed stdfu_")
    print(f"exported but declared in no public header: {name} ({how})")
for name in missing:
    print(f"declared in {declared[name]} but not exported: {name}")
print(f"{len(exported)} exported, {len(declared)} declared in {len(headers)} headers; "
      f"{len(extra)} undeclared exports, {len(missing)} missing")
sys.exit(1 if extra or missing else 0)
