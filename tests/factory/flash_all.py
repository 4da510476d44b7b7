#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""stdfu flash --all under the installed stdfu-emu.

usage: flash_all.py STAGE TEST
  done_when   issue 11's scenario: 8 boards, two running the application, one
              read-protected, one that drops off the bus mid-write
  usb_paths   --usb-path repeated names a set; a named path with nothing fails alone
  plain       off a terminal every line starts with the board's port path
  tty         on a terminal one live line per board, cut to the terminal width
  serials     boards reporting the same serial: a warning, each board flashed once
  usage       options that do not go with --all; no boards at all
"""
import json
import os
import random
import re
import shlex
import subprocess
import sys
import tempfile

STAGE, TEST = os.path.abspath(sys.argv[1]), sys.argv[2]
STDFU = os.path.join(STAGE, "bin", "stdfu")
EMU = os.path.join(STAGE, "bin", "stdfu-emu")
TMP = tempfile.mkdtemp(prefix="stdfu-all-")
RNG = random.Random(0xA11 + sum(map(ord, TEST)))
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)
    return cond


def path(name):
    return os.path.join(TMP, name)


def image(n=64 * 1024):
    data = bytearray(RNG.getrandbits(8) for _ in range(n))
    # a plausible vector table: the application starts after the leave
    data[0:8] = (0x20001000).to_bytes(4, "little") + (0x08000101).to_bytes(4, "little")
    with open(path("app.bin"), "wb") as f:
        f.write(data)
    return bytes(data)


def emu(cmd, *emu_args, timeout=240):
    argv = [EMU, *emu_args, "--dump", path("dump.bin"), "--stats", path("stats.json"), "--",
            *cmd]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd=TMP)
    return p.returncode, p.stdout, p.stderr


def dump(i):
    with open(path(f"dump.bin.{i}"), "rb") as f:
        return f.read()


def stats():
    with open(path("stats.json")) as f:
        return json.load(f)


def lines(out):
    return [json.loads(x) for x in out.splitlines() if x.startswith("{")]


def results(out):
    return [o for o in lines(out) if o.get("event") == "result"]


def t_done_when():
    data = image()
    blocks = -(-len(data) // 2048)
    rc, out, err = emu([STDFU, "flash", "--all", "--json", "app.bin"], "--boards", "8",
                       "--board", "2:mode=app", "--board", "4:mode=app", "--board", "3:rdp=1",
                       "--board", "6:fault=disconnect:dnload-data:5")
    objs = lines(out)
    res = {r["usb_path"]: r for r in results(out)}
    summ = [o for o in objs if o.get("event") == "summary"]
    check(rc == 23, f"exit 23 (got {rc}: {err.strip()[-300:]})")
    check(all("usb_path" in o for o in objs if o.get("event") not in ("summary", "image")),
          "every JSON line but the image (about the file) and the summary carries usb_path")
    check(len(results(out)) == 8 and len(res) == 8, f"one result line per board ({sorted(res)})")
    good = [1, 2, 4, 5, 7, 8]
    for i in good:
        check(res.get(f"1-{i}", {}).get("ok") is True, f"1-{i}: result ok")
        check(dump(i)[:len(data)] == data, f"1-{i}: its dump holds the image")
    check(res.get("1-3", {}).get("exit") == 14, f"1-3 (rdp=1): exit 14 ({res.get('1-3')})")
    check(res.get("1-6", {}).get("exit") in (12, 15),
          f"1-6 (disconnect): a USB/disconnect code ({res.get('1-6', {}).get('exit')})")
    check(dump(3)[:16] == b"\xff" * 16, "1-3: nothing written")
    check(bool(summ) and summ[-1].get("boards") == 8 and summ[-1].get("passed") == 6
          and summ[-1].get("failed") == 2, f"summary: 6 passed, 2 failed ({summ})")
    check(re.search(r"1-3\s+exit 14", err) and re.search(r"1-6\s+exit 1[25]", err),
          "the failed boards and their codes are listed on stderr")
    per = {b["port"]: b for b in stats()["boards"]}
    once = [i for i in good if per[f"1-{i}"]["by_request"]["dnload_data"] == blocks]
    check(once == good, f"every good board got the image exactly once ({blocks} blocks each: "
          f"{[per[f'1-{i}']['by_request']['dnload_data'] for i in good]})")
    triggered = [r["usb_path"] for r in results(out) if "trigger" in r.get("phases", {})]
    check(sorted(triggered) == ["1-2", "1-4"], f"only 1-2 and 1-4 were triggered ({triggered})")


def t_usb_paths():
    data = image(16 * 1024)
    rc, out, err = emu([STDFU, "flash", "--all", "--json", "--usb-path", "1-2", "--usb-path",
                        "1-4", "app.bin"], "--boards", "4", "--board", "4:mode=app")
    res = {r["usb_path"]: r for r in results(out)}
    check(rc == 0 and sorted(res) == ["1-2", "1-4"], f"only the named boards ({rc}, {sorted(res)})")
    check(dump(2)[:len(data)] == data and dump(4)[:len(data)] == data, "both hold the image")
    check(dump(1)[:16] == b"\xff" * 16 and dump(3)[:16] == b"\xff" * 16, "1-1, 1-3 untouched")
    rc, out, err = emu([STDFU, "flash", "--all", "--json", "--usb-path", "1-1", "--usb-path",
                        "1-7", "app.bin"], "--boards", "2")
    res = {r["usb_path"]: r for r in results(out)}
    check(rc == 23 and res.get("1-7", {}).get("exit") == 3 and res.get("1-1", {}).get("ok"),
          f"a named path with nothing there fails alone with exit 3 ({rc}, {res.get('1-7')})")


def t_plain():
    image(16 * 1024)
    rc, out, err = emu([STDFU, "flash", "--all", "app.bin"], "--boards", "3",
                       "--board", "2:mode=app", "--board", "3:rdp=1")
    body = [x for x in err.splitlines() if x and not x.startswith(("flash --all:", "stdfu:"))]
    check(rc == 23, f"exit 23 ({rc})")
    check(body and all(re.match(r"1-[123]: ", x) for x in body),
          "every per-board line starts with its port path:\n  " + "\n  ".join(body[:40]))
    for i in (1, 2):
        check(f"1-{i}: flash: ok" in err, f"1-{i}: its own ok line")
    check("1-3: stdfu: error: device is read protected" in err, "1-3: its own error line")
    check("flash --all: 2 of 3 boards passed, 1 failed" in err, "the summary line")


def t_tty():
    image(64 * 1024)
    inner = " ".join(shlex.quote(x) for x in [EMU, "--boards", "4", "--timing", "real",
                                              "--board", "3:rdp=1", "--", STDFU, "flash",
                                              "--all", "app.bin"])
    p = subprocess.run(["script", "-qec", f"stty cols 44; {inner}", "/dev/null"],
                       capture_output=True, timeout=240, cwd=TMP)
    raw = p.stdout.decode(errors="replace")
    check(p.returncode == 23, f"exit 23 through the terminal ({p.returncode})")
    check("\x1b[4A" in raw, "the 4 live lines are redrawn in place (cursor up 4)")
    drawn = [re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", x).strip("\r")
             for x in raw.split("\n") if "\x1b[K" in x]
    check(drawn and max(len(x) for x in drawn) <= 43,
          f"no live line is wider than the terminal ({max(map(len, drawn)) if drawn else 0})")
    check(any(re.search(r"1-2 .*write +\d+%", x) for x in drawn),
          "a live line shows the phase and the percentage")
    check(any(re.search(r"1-3 .*FAILED", x) for x in drawn), "the failed board says FAILED")


def t_serials():
    data = image(16 * 1024)
    rc, out, err = emu([STDFU, "flash", "--all", "--json", "app.bin"], "--boards", "3",
                       "--board", "1:serial=FFFFFFFEFFFF", "--board", "3:serial=FFFFFFFEFFFF")
    warn = [o for o in lines(out) if o.get("event") == "warning" and "usb_paths" in o]
    check(rc == 0, f"exit 0 ({rc}: {err.strip()[-200:]})")
    check(len(warn) == 1 and warn[0]["usb_paths"] == ["1-1", "1-3"]
          and warn[0]["serial"] == "FFFFFFFEFFFF", f"one warning naming 1-1 and 1-3 ({warn})")
    check("1-1, 1-3 report the same serial number FFFFFFFEFFFF" in err, "and on stderr")
    check(all(dump(i)[:len(data)] == data for i in (1, 2, 3)), "every board holds the image")
    per = {b["port"]: b["by_request"]["dnload_data"] for b in stats()["boards"]}
    check(len(set(per.values())) == 1, f"each board flashed once ({per})")
    # the application's serial differs; the ROMs' collide once they are reached
    rc, out, err = emu([STDFU, "flash", "--all", "--json", "app.bin"], "--boards", "2",
                       "--mode", "app", "--board", "1:serial=STM32", "--board", "2:serial=STM32")
    warn = [o for o in lines(out) if o.get("event") == "warning" and "usb_paths" in o]
    check(rc == 0 and len(warn) == 1 and warn[0]["serial"] == "STM32",
          f"ROM serials that collide after the trigger are reported too ({rc}, {warn})")


def usage(args, code, words):
    rc, out, err = emu([STDFU, "flash", *args, "app.bin"], "--boards", "2")
    check(rc == code and all(w in err for w in words),
          f"flash {' '.join(args)}: exit {code} naming {words} ({rc}: {err.strip()[-200:]})")


def t_usage():
    image(1024)
    usage(["--all", "--serial", "X"], 2, ["--serial", "--all"])
    usage(["--all", "--any-port"], 2, ["--any-port", "own USB port path"])
    usage(["--all", "--port", "/dev/ttyACM0"], 2, ["--port"])
    usage(["--usb-path", "1-1", "--usb-path", "1-2"], 2, ["more than once", "--all"])
    p = subprocess.run([EMU, "--boards", "1", "--", STDFU, "flash", "--all", "--json",
                        "--method", "none", "--usb-path", "1-1", "nonexistent.bin"],
                       capture_output=True, text=True, cwd=TMP)
    check(p.returncode == 8, f"a missing file fails before any board (exit 8: {p.returncode})")
    rc, out, err = emu([STDFU, "flash", "--all", "--json", "--method", "none", "app.bin"],
                       "--boards", "2", "--mode", "app")
    check(rc == 3 and "no board found" in out, f"no board in DFU and --method none: exit 3 ({rc})")


TESTS = {"done_when": t_done_when, "usb_paths": t_usb_paths, "plain": t_plain, "tty": t_tty,
         "serials": t_serials, "usage": t_usage}
TESTS[TEST]()
print(f"{len(failures)} failed" if failures else "PASS")
sys.exit(1 if failures else 0)
