#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The CLI contract, end to end: the installed stdfu under the installed stdfu-emu.

usage: contract.py STAGE SCHEMA TEST
TEST is one of: schema utf8 quiet read_stdout info_app back_to_back hints color
serials address convert
Every --json line is validated against docs/json-schema.json (python3-jsonschema)."""
import json
import os
import re
import subprocess
import sys

import jsonschema

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from harness import Harness  # noqa: E402

SCHEMA, TEST = sys.argv[2], sys.argv[3]
H = Harness(sys.argv[1], "stdfu-contract-")
STDFU, EMU, TMP = H.stdfu, H.emu, H.tmp
VALIDATOR = jsonschema.Draft202012Validator(json.load(open(SCHEMA)))
ENV = dict(os.environ, XDG_CACHE_HOME=os.path.join(TMP, "cache"), LC_ALL="C.UTF-8")
check, p, write = H.check, H.path, H.write


def run(argv, emu_args=None, stdin=None, env=None):
    """argv under stdfu-emu (emu_args a list, or None: no emulator); (rc, out, err) as bytes."""
    return H.run(argv, emu_args, text=False, timeout=300, env=env or ENV, stdin=stdin)


def validate(what, out, rc):
    """Every line valid and schema 1, exactly one result and it is last; returns the lines."""
    text = out.decode("utf-8")  # raises if stdfu printed invalid UTF-8
    lines = [json.loads(line) for line in text.splitlines()]
    bad = []
    for obj in lines:
        errs = sorted(VALIDATOR.iter_errors(obj), key=lambda e: e.path)
        if errs:
            bad.append(f"{obj.get('event')}: {errs[0].message} at {list(errs[0].path)}")
    results = [o for o in lines if o.get("event") == "result"]
    check(not bad, f"{what}: every line validates ({bad[:2]})")
    check(len(results) == 1 and lines[-1].get("event") == "result",
          f"{what}: exactly one result, the last line ({len(results)} results)")
    if results:
        check(results[0]["exit"] == rc, f"{what}: result.exit {results[0]['exit']} == exit status {rc}")
    return lines


def result(lines):
    return lines[-1] if lines else {}


APP = bytes(range(256)) * 64  # 16 KiB (no vector table: flashed with --force)


def t_schema():
    app = write("app.bin", APP)
    other = write("other.bin", bytes(16384))
    hexf = p("app.hex")
    cases = [
        # (what, argv, emu args or None, expected exit)
        ("list", [STDFU, "list", "--json"], [], 0),
        ("list, app mode", [STDFU, "--json", "list"], ["--mode", "app"], 0),
        ("list, no board", [STDFU, "list", "--json"], None, 0),
        ("info", [STDFU, "info", "--json"], [], 0),
        ("info, no board", [STDFU, "info", "--json", "--wait", "0"], None, 3),
        ("flash", [STDFU, "flash", "--force", app, "--json"], [], 0),
        ("flash from the application", [STDFU, "--json", "flash", "--force", app], ["--mode", "app"], 0),
        ("flash --incremental", [STDFU, "flash", "--force", app, "--incremental", "--json"], ["--load", app], 0),
        ("flash -v", [STDFU, "-v", "flash", "--force", app, "--json"], [], 0),
        ("flash -vv", [STDFU, "-vv", "flash", "--force", app, "--json"], [], 0),
        ("flash, missing file", [STDFU, "flash", "--force", p("nope.bin"), "--json"], [], 8),
        ("flash, usage", [STDFU, "flash", "--force", "--bogus", "--json"], None, 2),
        ("flash, no argument", [STDFU, "--json", "flash"], None, 2),
        ("flash, too big", [STDFU, "flash", "--force", write("big.bin", bytes(3 << 20)), "--json"], [], 9),
        ("flash, errPROG", [STDFU, "flash", "--force", app, "--always-erase", "--json"], ["--fault", "status=errPROG:dnload-data:1"], 10),
        ("trigger", [STDFU, "trigger", "--json"], ["--mode", "app"], 0),
        ("trigger, no board", [STDFU, "trigger", "--json", "--wait", "0"], None, 3),
        ("read", [STDFU, "read", p("r.bin"), "--address", "0x08000000", "--length", "4096", "--json"], [], 0),
        ("read, whole flash", [STDFU, "read", p("all.bin"), "--json"], [], 0),
        ("read -, json", [STDFU, "read", "-", "--json"], [], 2),
        # (UPLOADs 1 and 2 are the wTransferSize check; an existing r.bin needs --force)
        ("read, upload fault", [STDFU, "read", p("r2.bin"), "--length", "4096", "--json"], ["--fault", "status=errTARGET:upload:3"], 10),
        ("erase", [STDFU, "erase", "--address", "0x08000000", "--length", "16K", "--json"], [], 0),
        ("erase, usage", [STDFU, "erase", "--json"], [], 2),
        ("verify", [STDFU, "verify", app, "--json"], ["--load", app], 0),
        ("verify, differs", [STDFU, "verify", other, "--json"], ["--load", app], 11),
        ("leave", [STDFU, "leave", "--json"], [], 0),
        ("leave, no board", [STDFU, "leave", "--json", "--wait", "0", "--serial", "NOPE"], [], 3),
        ("unprotect", [STDFU, "unprotect", "--yes", "--json"], ["--rdp", "1"], 0),
        ("unprotect, usage", [STDFU, "unprotect", "--json"], [], 2),
        ("convert", [STDFU, "convert", app, hexf, "--json"], None, 0),
        ("convert, merge", [STDFU, "convert", f"{app}@0x08000000", f"{other}@0x08010000", p("m.hex"), "--json"], None, 0),
        ("convert, overlap", [STDFU, "convert", f"{app}@0x08000000", f"{other}@0x08002000", p("o.hex"), "--json"], None, 2),
        ("convert, bad input", [STDFU, "convert", p("nope.hex"), p("x.bin"), "--json"], None, 8),
        ("info FILE", [STDFU, "info", app, "--json"], None, 0),
        ("info FILE --usb-path", [STDFU, "info", app, "--usb-path", "1-1", "--json"], None, 2),
        ("flash, no companion record", [STDFU, "flash", "--force", app, "--json"], ["--mode", "app"], 0),
        ("flash --method micropython", [STDFU, "flash", "--force", app, "--method", "micropython", "--json"], ["--mode", "app", "--companion", "micropython"], 0),
        ("help", [STDFU, "help", "flash", "--json"], None, 0),
        ("--help", [STDFU, "--json", "--help"], None, 0),
        ("help, unknown", [STDFU, "help", "nope", "--json"], None, 2),
        ("--version", [STDFU, "--version", "--json"], None, 0),
        ("unknown command", [STDFU, "--json", "frobnicate"], None, 2),
        ("no command", [STDFU, "--json"], None, 2),
        ("ambiguous", [STDFU, "info", "--json"], ["--boards", "2"], 4),
    ]
    seen = set()
    for what, argv, emu_args, want in cases:
        rc, out, err = run(argv, emu_args)
        check(rc == want, f"{what}: exit {rc} (want {want}; {err.decode()[-200:].strip()})")
        lines = validate(what, out, rc)
        seen |= {o["event"] for o in lines}
        res = result(lines)
        if rc:
            check(res.get("ok") is False and res.get("error"), f"{what}: a failed result names the error")
    for ev in ("device", "info", "app_port", "chosen", "trigger", "left", "dfu_found", "image",
               "phase_start", "phase_end", "warning", "incremental", "usb", "candidate", "image_info",
               "result"):
        check(ev in seen, f"event {ev} was seen and validated")


def t_utf8():
    name = "Jürgen-fw.bin"
    write(name, APP)
    rc, out, _ = run([STDFU, "flash", "--force", name, "--json"], [])
    lines = validate("flash Jürgen-fw.bin", out, rc)
    check(rc == 0 and result(lines).get("file") == name, "a UTF-8 file name comes back as it was")
    check(b"J\\u00c3" not in out, "no mangled escapes")
    raw = b"J\xfcrgen-latin1.bin"  # not UTF-8
    with open(os.path.join(TMP.encode(), raw), "wb") as f:
        f.write(APP)
    rc, out, _ = run([STDFU.encode(), b"flash", b"--force", raw, b"--json"], [])
    lines = validate("flash a Latin-1 file name", out, rc)
    res = result(lines)
    check(rc == 0 and bytes.fromhex(res.get("file_bytes", "")) == raw,
          "a file name that is not UTF-8 round-trips through file_bytes")
    check(res.get("file") == "J\ufffdrgen-latin1.bin", "and reads with U+FFFD in the text field")


def t_quiet():
    app = write("app.bin", APP)
    rc, out, err = run([STDFU, "--json", "--quiet", "flash", "--force", app], ["--dump", p("dump.bin")])
    lines = validate("stdfu --json --quiet flash app.bin", out, rc)
    check(rc == 0 and result(lines).get("ok") is True, "stdfu --json --quiet flash app.bin works")
    check(open(p("dump.bin"), "rb").read()[:len(APP)] == APP, "and the flash holds the image")
    rc, out, err = run([STDFU, "--quiet", "flash", "--force", app], [])
    check(rc == 0 and out == b"" and err == b"", "--quiet alone prints nothing on success")


def t_read_stdout():
    app = write("app.bin", APP)
    rc, out, _ = run(["/bin/sh", "-c", f"'{STDFU}' read - --address 0x08000000 --length 4096 | wc -c"],
                     ["--load", app])
    check(rc == 0 and out.strip() == b"4096", f"stdfu read - ... | wc -c prints 4096 ({out!r})")
    rc, out, _ = run([STDFU, "read", "-", "--address", "0x08000000", "--length", "4096"], ["--load", app])
    check(out == APP[:4096], "read - writes exactly the memory to stdout")
    rc, out, err = run([STDFU, "flash", "--force", "-", "--json"], ["--dump", p("dump.bin")], stdin=APP)
    validate("flash - (stdin)", out, rc)
    check(rc == 0 and open(p("dump.bin"), "rb").read()[:len(APP)] == APP, "flash - reads standard input")
    rc, out, err = run([STDFU, "read", p("all.bin"), "--json"], [])
    res = result(validate("read, defaults", out, rc))
    check(rc == 0 and res.get("length") == 1 << 20 and os.path.getsize(p("all.bin")) == 1 << 20,
          "read without --address/--length reads the whole flash alt (1 MiB on F405)")
    rc, out, err = run([STDFU, "read", p("tail.bin"), "--address", "0x080E0000", "--json"], [])
    res = result(validate("read, to the end of the region", out, rc))
    check(rc == 0 and res.get("length") == 0x20000, "read --address without --length reads to the region's end")
    rc, out, err = run([STDFU, "read", p("ob.bin"), "--alt", "1", "--json"], [])
    res = result(validate("read --alt 1", out, rc))
    check(rc == 0 and res.get("length") == 16 and res.get("address") == 0x1FFFC000,
          "read --alt 1 reads the whole option bytes")


def t_info_app():
    rc, out, err = run([STDFU, "info", "--json"], ["--mode", "app"])
    lines = validate("info on a running application", out, rc)
    evs = [o["event"] for o in lines]
    info = next((o for o in lines if o["event"] == "info"), {})
    check(rc == 0 and "trigger" in evs and "dfu_found" in evs, f"stdfu info triggers the application ({evs})")
    check(info.get("pid_hex") == "df11" and info.get("state") in ("dfuIDLE", "dfuERROR"), "and reports the ROM")
    rc, out, err = run([STDFU, "info"], ["--mode", "app"])
    check(rc == 0 and b"BOOT0" not in err and b"trigger: sent" in err, "human info: trigger, no BOOT0 advice")
    for cmd in (["read", p("x.bin"), "--length", "16"], ["erase", "--address", "0x08000000", "--length", "1"],
                ["verify", write("v.bin", b"\xff" * 16)], ["leave"], ["unprotect", "--yes"]):
        rc, out, err = run([STDFU, *cmd, "--json"], ["--mode", "app"])
        lines = validate(f"{cmd[0]} on a running application", out, rc)
        check(rc == 0 and any(o["event"] == "trigger" for o in lines), f"stdfu {cmd[0]} triggers it too")


def t_back_to_back():
    a, b = write("a.bin", APP), write("b.bin", bytes(reversed(APP)))
    script = (f"for i in 1 2 3 4 5 6 7 8 9 10; do '{STDFU}' flash --force '{a}' --quiet && "
              f"'{STDFU}' flash --force '{b}' --quiet || {{ echo \"FAILED run $i: $?\"; exit 1; }}; done; echo ALL-OK")
    rc, out, err = run(["/bin/sh", "-c", script], ["--mode", "app", "--dump", p("dump.bin")])
    check(rc == 0 and b"ALL-OK" in out, f"stdfu flash a.bin && stdfu flash b.bin, 10 times ({out[-200:]!r} {err[-300:]!r})")
    check(open(p("dump.bin"), "rb").read()[:len(APP)] == bytes(reversed(APP)), "the board holds b.bin")
    rc, out, err = run([STDFU, "info", "--wait", "0", "--json"], None)
    check(rc == 3 and result(validate("--wait 0", out, rc))["ms"] < 1000, "--wait 0 fails at once")
    rc, out, err = run([STDFU, "info", "--wait", "1", "--json"], None)
    lines = validate("--wait 1", out, rc)
    check(rc == 3 and 1000 <= result(lines)["ms"] < 3000 and any(o["event"] == "waiting" for o in lines),
          f"--wait 1 waits about a second, says so, then fails ({result(lines).get('ms')} ms)")


def hint_of(lines):
    return result(lines).get("hint", ""), result(lines).get("hint_id")


def t_hints():
    app = write("app.bin", APP)
    # (UPLOADs 1 and 2 are the wTransferSize check)
    rc, out, _ = run([STDFU, "read", p("r3.bin"), "--length", "4096", "--json"], ["--fault", "status=errTARGET:upload:3"])
    h, hid = hint_of(validate("failed read", out, rc))
    check(rc == 10 and hid == "status-reading" and "half-written" not in h, f"a failed read is not called half-written ({h})")
    # --always-erase: on ECC flash, errPROG into a blank sector that was not erased is
    # the fallback (erase, write again), not a failure.
    rc, out, _ = run([STDFU, "flash", "--force", app, "--always-erase", "--json"], ["--fault", "status=errPROG:dnload-data:1"])
    h, hid = hint_of(validate("failed write", out, rc))
    check(rc == 10 and hid == "status-writing" and "half-written" in h, "a failed write may be half-written")
    # ECC flash (g0): an errPROG into a sector skipped as blank is the programmed-0xFF case
    rc, out, _ = run([STDFU, "flash", "--force", app, "--json"],
                     ["--chip", "g0", "--fault", "status=errPROG:dnload-data:1"])
    lines = validate("errPROG into a blank sector (g0)", out, rc)
    check(rc == 0 and any(o["event"] == "warning" and o["code"] == "ecc-fallback" for o in lines)
          and any(o["event"] == "sector" and o["action"] == "fallback" for o in lines),
          "errPROG into a blank g0 sector: erased and written again, a warning and a sector event")
    # no ECC (f405): a blank unit always programs (RM0090 3.5.4), so errPROG is a real failure
    rc, out, _ = run([STDFU, "flash", "--force", app, "--json"], ["--fault", "status=errPROG:dnload-data:1"])
    h, hid = hint_of(validate("errPROG into a blank sector (f405)", out, rc))
    check(rc == 10 and hid == "status-writing", f"errPROG on f405 fails the flash ({rc}, {hid})")
    script = (f"exec 3<>/dev/ttyACM0; sleep 30 & h=$!; exec 3>&-; '{STDFU}' flash --force '{app}' --json; "
              "rc=$?; kill $h; exit $rc")
    rc, out, _ = run(["/bin/sh", "-c", script], ["--mode", "app"])
    lines = validate("port held", out, rc)
    h, hid = hint_of(lines)
    check(rc == 6 and hid == "port-held" and "sleep" in h and "dfu-util" not in h,
          f"a held port names its holder and nobody else ({h})")
    check(result(lines)["cause"]["kind"] == "port-held" and "sleep" in result(lines)["cause"]["found"],
          "the cause says what was found")
    rc, out, _ = run([STDFU, "info", "--method", "none", "--wait", "0", "--json"], ["--mode", "app"])
    h, hid = hint_of(validate("info --method none on a running application", out, rc))
    check(rc == 3 and hid == "app-not-triggered" and "BOOT0 high" not in h, f"--method none on a running app: {h}")
    rc, out, _ = run([STDFU, "info", "--wait", "0", "--json"], None)
    h, hid = hint_of(validate("no board", out, rc))
    check(rc == 3 and hid == "no-board", f"no board at all: {hid}")
    rc, out, _ = run([STDFU, "info", "--serial", "NOPE", "--wait", "0", "--json"], [])
    h, hid = hint_of(validate("no match", out, rc))
    check(rc == 3 and hid == "no-match", f"a board that does not match: {hid}")
    rc, out, err = run([STDFU, "flash", "--force", app], ["--fault", "status=errPROG:dnload-data:1"])
    check(b"warning" not in err and b"harmless" not in err, "the ROM's start state is not shown to humans")
    rc, out, _ = run([STDFU, "flash", "--force", app, "--json"], [])
    codes = [o.get("code") for o in json.loads("[" + ",".join(out.decode().splitlines()) + "]") if o["event"] == "warning"]
    check("start-state" in codes, f"JSON records it with its code ({codes})")


def tmux(width, cmd, env_extra="", timeout=120, resize=None):
    """Run cmd in a detached tmux of @width columns; return the screen and the history size."""
    sess = f"stdfu-{os.getpid()}-{width}"
    done = p(f"done-{width}")
    subprocess.run(["tmux", "-L", sess, "new-session", "-d", "-s", sess, "-x", str(width), "-y", "40",
                    f"cd '{TMP}'; {env_extra} {cmd}; echo EXIT=$? > '{done}'; sleep 600"],
                   check=True, env=dict(ENV, TERM="xterm-256color"))
    try:
        for i in range(timeout * 10):
            if os.path.exists(done):
                break
            if resize and i == resize[0] * 10:
                subprocess.run(["tmux", "-L", sess, "resize-window", "-t", sess, "-x", str(resize[1])])
            subprocess.run(["sleep", "0.1"])
        screen = subprocess.run(["tmux", "-L", sess, "capture-pane", "-p", "-e", "-t", sess],
                                capture_output=True, text=True).stdout
        joined = subprocess.run(["tmux", "-L", sess, "capture-pane", "-p", "-J", "-t", sess],
                                capture_output=True, text=True).stdout
        hist = subprocess.run(["tmux", "-L", sess, "display", "-p", "-t", sess, "#{history_size}"],
                              capture_output=True, text=True).stdout.strip()
    finally:
        subprocess.run(["tmux", "-L", sess, "kill-server"])
    return screen, joined, int(hist or 0), open(done).read().strip() if os.path.exists(done) else "EXIT=?"


def t_tmux():
    app = write("big.bin", bytes((i * 7) & 0xFF for i in range(512 * 1024)))
    for width in (40, 80, 120):
        screen, joined, hist, rc = tmux(width, f"'{EMU}' --timing real -- '{STDFU}' flash --force big.bin")
        lines = [re.sub(r"\x1b\[[0-9;]*m", "", l) for l in screen.rstrip("\n").split("\n")]
        used = [l for l in lines if l.strip()]
        check(rc == "EXIT=0", f"{width} columns: the flash passed ({rc})")
        check(hist == 0, f"{width} columns: nothing scrolled off the screen (history {hist})")
        check(len(screen.rstrip("\n").split("\n")) == len(joined.rstrip("\n").split("\n")),
              f"{width} columns: no line wrapped")
        check(all(len(l) < width for l in lines), f"{width} columns: every line is shorter than the width")
        for ph in ("erase", "write", "verify"):
            n = sum(1 for l in used if l.startswith(ph + " "))
            check(n == 1, f"{width} columns: one line for the {ph} phase ({n}): {used}")


def t_winch():
    """The terminal shrinks from 120 to 40 columns in the middle of the erase (SIGWINCH).
    --always-erase: the blank flash of a fresh emulator would skip the erase."""
    write("big.bin", bytes((i * 7) & 0xFF for i in range(512 * 1024)))
    screen, joined, hist, rc = tmux(120, f"'{EMU}' --timing real -- '{STDFU}' flash --force big.bin --always-erase",
                                    resize=(2, 40))
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", l) for l in screen.rstrip("\n").split("\n")]
    bars = [l for l in lines if re.search(r"\[[#.]+\]", l)]
    check(rc == "EXIT=0", f"resized: the flash passed ({rc})")
    check(len(bars) == 3 and all(len(l) < 40 for l in bars),
          f"resized to 40 columns: one bar line per phase, each fits ({bars})")
    for ph in ("erase", "write", "verify"):
        check(sum(1 for l in bars if l.startswith(ph + " ")) == 1, f"resized: one {ph} line")


def t_color():
    app = write("app.bin", APP)
    esc = re.compile(rb"\x1b\[")
    _, _, err = run([STDFU, "--color", "always", "flash", p("nope.bin")])
    check(esc.search(err) is not None, "--color always through a pipe colours")
    _, _, err = run([STDFU, "--color", "never", "flash", p("nope.bin")])
    check(esc.search(err) is None, "--color never: no escape")
    _, _, err = run([STDFU, "flash", "--force", p("nope.bin")])
    check(esc.search(err) is None, "auto through a pipe: no escape")
    # On a terminal (script(1) gives the command a pty): a flash, so bars and "ok" are drawn.
    for what, env, opt in (("NO_COLOR=1", "NO_COLOR=1", ""), ("--color never", "", "--color never"),
                           ("auto", "", "")):
        cmd = f"env {env} '{EMU}' -- '{STDFU}' {opt} flash --force '{app}'"
        rc, data, _ = run(["script", "-qec", cmd, "/dev/null"])
        if what == "auto":
            check(esc.search(data) is not None, f"{what} on a terminal colours")
        else:
            check(esc.search(data) is None and b"ok" in data,
                  f"{what} on a terminal: no escape sequence at all ({data[-120:]!r})")


def t_serials():
    app = write("app.bin", APP)
    # The F072 ROM reports FFFFFFFEFFFF for every part while the application derives its
    # serial from the UID (docs: the [F072D] dumps), so the two serials differ.
    f0 = ["--chip", "f072"]
    rc, out, _ = run([STDFU, "list", "--json"], [*f0, "--mode", "app"])
    app_sn = next(o["serial"] for o in json.loads("[" + ",".join(out.decode().splitlines()) + "]") if o["event"] == "app_port")
    rc, out, _ = run([STDFU, "list", "--json"], f0)
    rom_sn = next(o["serial"] for o in json.loads("[" + ",".join(out.decode().splitlines()) + "]") if o["event"] == "device")
    check(app_sn != rom_sn, f"the two serials differ ({app_sn} / {rom_sn})")
    rc, out, _ = run([STDFU, "flash", "--force", app, "--serial", app_sn, "--json"], [*f0, "--mode", "app"])
    validate("flash --serial APP", out, rc)
    check(rc == 0, "--serial of the application selects it")
    rc, out, _ = run([STDFU, "flash", "--force", app, "--serial", rom_sn, "--json"], [*f0, "--mode", "app"])
    validate("flash --serial ROM while the application runs", out, rc)
    check(rc == 0, "--serial of its ROM selects the running application (the pair is known)")
    rc, out, _ = run([STDFU, "list", "--json"], [*f0, "--mode", "app"])
    lines = validate("list after pairing", out, rc)
    check(any(o.get("rom_serial") == rom_sn for o in lines), "list shows the ROM serial of the application")
    rc, out, _ = run([STDFU, "flash", "--force", app, "--serial", app_sn, "--json"], f0)
    validate("flash --serial APP in DFU mode", out, rc)
    check(rc == 0, "--serial of the application selects the board in DFU mode")


def t_address():
    hexf = p("app.hex")
    run([STDFU, "convert", write("app.bin", APP), hexf])
    rc, out, _ = run([STDFU, "flash", "--force", hexf, "--address", "0x08004000", "--json"], ["--dump", p("dump.bin")])
    lines = validate("flash HEX --address", out, rc)
    dump = open(p("dump.bin"), "rb").read()
    check(rc == 0 and dump[0x4000:0x4000 + len(APP)] == APP and dump[:0x4000] == b"\xff" * 0x4000,
          "--address moves a HEX file")
    check(any(o["event"] == "image_moved" and o["to"] == 0x08004000 for o in lines), "and says so")


def t_convert():
    a, b = write("a.bin", b"\x01" * 100), write("b.bin", b"\x02" * 50)
    rc, out, _ = run([STDFU, "convert", f"{a}@0x08000000", f"{b}@0x08001000", p("m.bin"), "--json"])
    res = result(validate("convert merge", out, rc))
    m = open(p("m.bin"), "rb").read()
    check(rc == 0 and m[:100] == b"\x01" * 100 and m[0x1000:0x1032] == b"\x02" * 50 and len(m) == 0x1032,
          "convert merges inputs at their @ADDR")
    check(res.get("start") == 0x08000000 and res.get("end") == 0x08001032, "and reports the span")
    rc, out, err = run([STDFU, "convert", f"{a}@0x08000000", f"{b}@0x08000010", p("o.bin")])
    check(rc == 2 and b"overlap" in err, "overlapping inputs are refused")


def validate_all(what, out, rc, boards):
    """flash --all: every line valid, a usb_path on every line about a board, one result
    per board, and the summary last; returns the lines."""
    lines = [json.loads(line) for line in out.decode("utf-8").splitlines()]
    bad = [f"{o.get('event')}: {e.message}" for o in lines for e in VALIDATOR.iter_errors(o)]
    check(not bad, f"{what}: every line validates ({bad[:2]})")
    about_boards = [o for o in lines if o["event"] not in ("image", "summary")]
    check(all(o.get("usb_path") for o in about_boards), f"{what}: every line about a board names it")
    results = [o for o in lines if o["event"] == "result"]
    check(sorted(o["usb_path"] for o in results) == sorted(boards),
          f"{what}: one result per board ({[o['usb_path'] for o in results]})")
    last = lines[-1] if lines else {}
    failed = sum(1 for o in results if not o["ok"])
    check(last.get("event") == "summary" and last["boards"] == len(boards) and last["failed"] == failed
          and last["passed"] == len(boards) - failed and last["ms"] > 0,
          f"{what}: the summary is last, with boards, passed, failed and ms ({last})")
    check(rc == (23 if failed else 0), f"{what}: exit {rc}")
    return lines


def t_all():
    app = write("app.bin", APP)
    rc, out, _ = run([STDFU, "flash", "--force", "--all", app, "--json"],
                     ["--boards", "3", "--board", "2:mode=app", "--board", "3:rdp=1"])
    lines = validate_all("flash --all", out, rc, ["1-1", "1-2", "1-3"])
    bad = next((o for o in lines if o["event"] == "result" and not o["ok"]), {})
    check(bad.get("usb_path") == "1-3" and bad.get("exit") == 14
          and bad.get("hint_id") in ("protected", "protected-read"),
          f"flash --all: the protected board fails alone, with its own exit and hint ({bad})")
    rc, out, _ = run([STDFU, "--json", "flash", "--all", "--force", app], ["--chip", "f072", "--boards", "2"])
    lines = validate_all("flash --all, the same serial", out, rc, ["1-1", "1-2"])
    check(any(o["event"] == "warning" and o.get("code") == "same-serial" and o.get("usb_paths") == ["1-1", "1-2"]
              for o in lines), "boards with the same serial get a same-serial warning")
    rc, out, _ = run([STDFU, "flash", "--force", "--all", app, "--json"], None)
    lines = [json.loads(line) for line in out.decode().splitlines()]
    check(all(not list(VALIDATOR.iter_errors(o)) for o in lines) and lines[-1]["event"] == "summary"
          and lines[-1]["boards"] == 0 and lines[-2]["event"] == "result" and rc == 3,
          f"flash --all, no board: a failed result, then an empty summary (exit {rc})")
    rc, out, _ = run([STDFU, "flash", "--force", "--all", app, "--serial", "X", "--json"], [])
    res = result(validate("flash --all --serial", out, rc))
    check(rc == 2 and res.get("error") == "usage", "flash --all --serial: a usage result")


def t_option_bytes():
    ob = ["--dump", p("ob.bin")]
    rc, out, _ = run([STDFU, "option-bytes", "show", "--json"], ob)
    lines = validate("option-bytes show", out, rc)
    ev = next((o for o in lines if o["event"] == "option_bytes"), {})
    check(rc == 0 and ev.get("readable") and ev.get("address_hex") and ev.get("fields"),
          "option-bytes show: the fields, the address as a number and its _hex twin")
    rc, out, _ = run([STDFU, "option-bytes", "set", "nRST_STDBY=0", "--json"], ob)
    res = result(validate("option-bytes set without --yes", out, rc))
    check(rc == 2 and res.get("error") == "usage", "without --yes: a usage result after the diff")
    rc, out, _ = run([STDFU, "option-bytes", "set", "RDP=0xCC", "--yes", "--json"], ob)
    res = result(validate("option-bytes set RDP=0xCC", out, rc))
    check(rc != 0 and res.get("refusal") == "irreversible", f"RDP level 2 is refused ({res.get('refusal')})")
    rc, out, _ = run([STDFU, "option-bytes", "set", "nRST_STDBY=0", "--yes", "--json"], ob)
    lines = validate("option-bytes set --yes", out, rc)
    events = [o["event"] for o in lines]
    check(rc == 0 and "option_change" in events and "option_bytes_confirmed" in events
          and result(lines).get("rdp") == 0, f"option-bytes set --yes: the diff, the steps, the level ({events})")
    rc, out, _ = run([STDFU, "option-bytes", "bogus", "--json"], ob)
    res = result(validate("option-bytes bogus", out, rc))
    check(rc == 2 and res.get("error") == "usage", "option-bytes bogus: a usage result")
    rc, out, _ = run([STDFU, "flash", "--force", write("app.bin", APP), "--protect", "--json"], ["--dump", p("p.bin")])
    lines = validate("flash --protect", out, rc)
    check(any(o["event"] == "protect" and o["rdp"] == 1 for o in lines), "flash --protect: the protect line")


H.main(globals(), TEST)
