#!/usr/bin/python3
"""Every command and every option that `stdfu --help` and `stdfu CMD --help`
print must be documented in man/stdfu.1 (and stdfu-emu's in stdfu-emu.1), so
that --help, the man page and the code stay in step. The synopsis of each
command lists the same options in `stdfu CMD --help`, in the SYNOPSIS of
stdfu(1) and in the README; the global options agree too; every event and
field of docs/json-schema.json is in JSON OUTPUT, every advice id of
src/cli/hints.c in HINTS.

usage: doc_sync.py STAGE MANDIR"""
import json
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

OPT = r"(?<![\w-])(--[a-z][a-z0-9-]*|-[a-zA-Z])\b"


def opts(text, macros):
    """The options a synopsis names, with SELECT/TRIGGER/GLOBAL expanded."""
    found = set(re.findall(OPT, text))
    for name, expansion in macros.items():
        if re.search(rf"\b{name}\b", text):
            found |= expansion
    return found


def help_synopses():
    syn, macros = {}, {}
    for c in cmds:
        text = helptext([stdfu, c, "--help"])
        m = re.search(rf"^usage: stdfu {c}(.*?)\n\n", text, re.M | re.S)
        syn[c] = m.group(1) if m else ""
        for name in ("SELECT", "TRIGGER"):
            m = re.search(rf"^{name}: (.*?)(?=^\S)", text + "\nEND", re.M | re.S)
            if m:
                macros[name] = set(re.findall(OPT, m.group(1)))
    m = re.search(r"^Global options.*?:\n(.*?)\n\n", top, re.M | re.S)
    macros["GLOBAL"] = set(re.findall(OPT, m.group(1))) if m else set()
    return syn, macros


def man_synopses():
    src = man_words("stdfu")
    block = src[src.index(".SH SYNOPSIS"):src.index(".SH DESCRIPTION")]
    syn = {}
    for chunk in re.split(r"^\.(?:br|PP)$", block, flags=re.M):
        m = re.search(r"^\.B stdfu ([a-z][a-z-]*)", chunk, re.M)
        if m and m.group(1) in cmds:  # a command may have several lines (flash --all)
            syn[m.group(1)] = syn.get(m.group(1), "") + chunk
    macros = {}
    for name in ("GLOBAL", "SELECT", "TRIGGER"):
        m = re.search(rf"^\.I {name}\n(.*?)(?=^\.I (?:GLOBAL|SELECT|TRIGGER)\n|\Z)", block, re.M | re.S)
        macros[name] = set(re.findall(OPT, m.group(1).replace("/", " "))) if m else set()
    return syn, macros


def readme_synopses():
    text = open(f"{mandir}/../README.md").read()
    m = re.search(r"## Using stdfu\n+```\n(.*?)```", text, re.S)
    block = m.group(1) if m else ""
    syn, macros, cur = {}, {}, None
    for line in block.splitlines():
        m = re.match(r"stdfu ([a-z][a-z-]*)(.*)", line)
        d = re.match(r"(GLOBAL|SELECT|TRIGGER)\s*=(.*)", line)
        if m and m.group(1) in cmds:
            cur = ("syn", m.group(1))
            syn[cur[1]] = m.group(2)
        elif d:
            cur = ("macro", d.group(1))
            macros[cur[1]] = set(re.findall(OPT, d.group(2)))
        elif line.startswith(" ") and cur and cur[0] == "syn":
            syn[cur[1]] += line
        elif line.startswith(" ") and cur:
            macros[cur[1]] |= set(re.findall(OPT, line))
        else:
            cur = None
    return syn, macros


hsyn, hmac = help_synopses()
for where, (syn, mac) in (("stdfu.1 SYNOPSIS", man_synopses()), ("README.md", readme_synopses())):
    for name in ("GLOBAL", "SELECT", "TRIGGER"):
        if hmac.get(name, set()) != mac.get(name, set()):
            missing.append(f"{where}: {name} is {sorted(mac.get(name, []))}, --help says "
                           f"{sorted(hmac.get(name, []))}")
    for c in cmds:
        want, got = opts(hsyn[c], hmac), opts(syn.get(c, ""), mac)
        if c not in syn:
            missing.append(f"{where}: no synopsis of {c}")
        elif want != got:
            missing.append(f"{where}: synopsis of {c}: {sorted(got ^ want)} differ from --help")

# The JSON schema in prose, and the advice table.
schema = json.load(open(f"{mandir}/../docs/json-schema.json"))
json_man = man[man.index(".SH JSON OUTPUT"):]
json_man = json_man[:json_man.index(".SH ", 4)]
for name, ev in schema["$defs"].items():
    if not name.startswith("event_"):
        continue
    if not re.search(rf"^\.B {name[6:]}$", json_man, re.M):
        missing.append(f"stdfu.1 JSON OUTPUT: event {name[6:]}")
    for field in ev["properties"]:
        if field not in ("schema", "event") and not field.endswith("_hex") and \
                not re.search(rf"\b{field}\b", json_man):
            missing.append(f"stdfu.1 JSON OUTPUT: field {name[6:]}.{field}")
hints_man = man[man.index(".SH HINTS"):]
hints_man = hints_man[:hints_man.index(".SH ", 4)]
for hid in re.findall(r'^\s*\{STDFU_ERR_\w+, [\w_]+, [^,]*, "([a-z-]+)",',
                      open(f"{mandir}/../src/cli/hints.c").read(), re.M):
    if not re.search(rf"^\.B {re.escape(hid)}$", hints_man, re.M):
        missing.append(f"stdfu.1 HINTS: advice {hid}")

for m in missing:
    print("undocumented:", m)
print(f"{len(cmds)} commands checked; {len(missing)} undocumented")
sys.exit(1 if missing else 0)
