#!/usr/bin/python3
"""Every command and every option that `stdfu --help` and `stdfu CMD --help`
print must be documented in man/stdfu.1 (and stdfu-emu's in stdfu-emu.1), so
that --help, the man page and the code stay in step.

usage: doc_sync.py STAGE MANDIR"""
import re
import subprocess
import sys

stage, mandir = sys.argv[1], sys.argv[2]
missing = []


def helptext(argv):
    p = subprocess.run(argv, capture_output=True, text=True)
    return p.stdout + p.stderr


def man_words(page):
    src = open(f"{mandir}/{page}.1").read()
    # mdoc escapes dashes: ".Fl \-address" documents --address.
    return src.replace("\\-", "-").replace("\\&", "")


def check(page, argvs):
    man = man_words(page)
    for argv in argvs:
        for opt in sorted(set(re.findall(r"(?<![\w-])--([a-z][a-z0-9-]*)", helptext(argv)))):
            if not re.search(rf"(Fl -{opt}\b|--{opt}\b)", man):
                missing.append(f"{page}: {' '.join(argv[1:]) or '(top)'} --{opt}")


stdfu = f"{stage}/bin/stdfu"
top = helptext([stdfu, "--help"])
cmds = re.findall(r"^  ([a-z][a-z-]*)  ", top, re.M)
if len(cmds) < 10:
    missing.append(f"stdfu --help lists only {cmds}")
man = man_words("stdfu")
for c in cmds:
    # man(7) ".B flash" / ".SS flash", or mdoc ".It Cm flash"
    if not re.search(rf"^\.(B|BI|SS|It Cm|Ss) {c}\b", man, re.M):
        missing.append(f"stdfu: command {c} has no section in stdfu.1")
check("stdfu", [[stdfu, "--help"]] + [[stdfu, c, "--help"] for c in cmds])
check("stdfu-emu", [[f"{stage}/bin/stdfu-emu", "--help"]])

for m in missing:
    print("undocumented:", m)
print(f"{len(cmds)} commands checked; {len(missing)} undocumented")
sys.exit(1 if missing else 0)
