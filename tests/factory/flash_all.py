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
  foreign_rom a slow board is not failed by another board's ROM on another port
              path (--all, and separate --usb-path processes)
"""
import os
import re
import shlex
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from harness import Harness, json_lines as lines, results  # noqa: E402

TEST = sys.argv[2]
H = Harness(sys.argv[1], "stdfu-all-", 0xA11 + sum(map(ord, TEST)))
STDFU, EMU = H.stdfu, H.emu
check, path, image, dump, stats = H.check, H.path, H.image, H.dump, H.stats


def emu(cmd, *emu_args, timeout=240):
    return H.run(cmd, [*emu_args, "--dump", path("dump.bin"), "--stats", path("stats.json")],
                 timeout=timeout)


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
    rc, stdout, _ = H.run(["script", "-qec", f"stty cols 44; {inner}", "/dev/null"],
                          text=False)
    raw = stdout.decode(errors="replace")
    check(rc == 23, f"exit 23 through the terminal ({rc})")
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
    rc, _, _ = H.run([STDFU, "flash", "--all", "--json", "--method", "none", "--usb-path", "1-1",
                      "nonexistent.bin"], ["--boards", "1"])
    check(rc == 8, f"a missing file fails before any board (exit 8: {rc})")
    rc, out, err = emu([STDFU, "flash", "--all", "--json", "--method", "none", "app.bin"],
                       "--boards", "2", "--mode", "app")
    check(rc == 3 and "no board found" in out, f"no board in DFU and --method none: exit 3 ({rc})")


# Board 1 runs the application and enters its ROM 2.5 s after the text
# trigger; board 2 is in DFU, flashed at once, and comes back as its ROM
# (the image is no plausible application: --force) at 1-2 long before: a new DFU
# device on another path while board 1 waits. Board 1 is followed on 1-1
# alone: that must not end its wait (it did, with exit 21, after a 1 s grace).
SLOW_TEXT = "text:import time, machine; time.sleep_ms(2500); machine.bootloader()\\r"


def not_an_application():
    data = bytearray(H.image(16 * 1024, "rom.bin", vectors=False))
    data[0:8] = b"\xff" * 8
    H.write("rom.bin", bytes(data))
    return bytes(data)


def t_foreign_rom():
    data = not_an_application()
    board1 = ["--boards", "2", "--board", "1:mode=app,companion=micropython"]
    rc, out, err = emu([STDFU, "flash", "--all", "--json", "--force", "--method", SLOW_TEXT,
                        "rom.bin"],
                       *board1)
    res = {r["usb_path"]: r for r in results(out)}
    check(rc == 0, f"--all: exit 0 (got {rc}: {res.get('1-1', err.strip()[-300:])})")
    check(res.get("1-1", {}).get("phases", {}).get("left", {}).get("ms", 0) >= 2000,
          f"1-1 really was the slow one ({res.get('1-1', {}).get('phases')})")
    for i in (1, 2):
        check(dump(i)[:len(data)] == data, f"--all: 1-{i} holds the image")
    one = f"'{STDFU}' flash --usb-path 1-1 --force --method '{SLOW_TEXT}' rom.bin >one.log 2>&1"
    two = f"sleep 0.3; '{STDFU}' flash --usb-path 1-2 --force rom.bin >two.log 2>&1"
    script = f"( {one}; echo $? >rc.1 ) & ( {two}; echo $? >rc.2 ) & wait"
    rc, out, err = emu(["/bin/sh", "-c", script], *board1)
    rcs = [open(path(f"rc.{i}")).read().strip() for i in (1, 2)]
    check(rcs == ["0", "0"], f"--usb-path processes: both exit 0 ({rcs}: "
          f"{open(path('one.log')).read().strip()[-300:]})")
    for i in (1, 2):
        check(dump(i)[:len(data)] == data, f"--usb-path 1-{i}: holds the image")


H.main(globals(), TEST)
