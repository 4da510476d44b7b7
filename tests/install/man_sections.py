#!/usr/bin/python3
"""Every man page and section that a message of stdfu or stdfu-emu cites
("see stdfu(1), UDEV") exists in man/.

usage: man_sections.py SOURCE_DIR"""
import glob
import re
import sys

root = sys.argv[1]
bad, cited = [], 0
for src in sorted(glob.glob(f"{root}/src/cli/*.c") + glob.glob(f"{root}/src/emu/*.c")):
    text = open(src).read()
    for m in re.finditer(r"(stdfu(?:-emu)?)\((\d)\)(?:,\s*([A-Z][A-Z ]*[A-Z]))?", text):
        page, sec, section = m.groups()
        cited += 1
        try:
            man = open(f"{root}/man/{page}.{sec}").read()
        except OSError:
            bad.append(f"{src}: cites {page}({sec}), which is not in man/")
            continue
        if section and not re.search(rf'^\.S[HS] "?{section}"?\s*$', man, re.M):
            bad.append(f"{src}: cites {page}({sec}) section {section}, which does not exist")
for b in bad:
    print(b)
print(f"{cited} citations checked; {len(bad)} broken")
sys.exit(1 if bad else 0)
