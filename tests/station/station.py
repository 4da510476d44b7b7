#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""stdfu station under the installed stdfu-emu (issue 12).

usage: station.py STAGE TEST
  done_when       6 boards plugged over 3 s (1-2 in app mode, 1-4 rdp=1), --timing
                  real, --count 6: exit 23, 6 records in the log and the database,
                  5 PASS, 1-4 FAIL 14, every PASS dump holds the image
  rework          1-1 passes, is unplugged, plugged back: a second record flagged
                  rework, and it is flashed only after the re-plug
  serial          --serial-at 0x080FFF00 --serial-start 1000 over 4 boards: the dumps
                  hold 1000..1003; a second run on the same database continues at 1004
  serial_refused  the image holds data at ADDR (exit 7), ADDR not in flash (exit 2),
                  ADDR past this board's flash (FAIL 9, no serial taken)
  protect         --protect: the record says RDP 1, a plain stdfu flash exits 14
  interrupt       one Ctrl-C: no board starts after it, those in flight finish
  abort           two Ctrl-C: exit 130, ABORTED record, the board stays in DFU and
                  the next run flashes it
  tty             on a terminal: the live table, counters, colour; NO_COLOR honoured
  plain           off a terminal: one line per event, each starting with its port
  json            --json: every line an object with schema 1; records as in the log
  usage           options that do not go with station, files that cannot be written
  uid             a G0 ROM gives the UID: records hold it, and rework is told by it
                  (not by a serial another board shares)
  readme          README's Factory station screen is what tmux captures of a station
"""
import json
import os
import re
import shlex
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from harness import Harness, json_lines as lines  # noqa: E402

TEST = sys.argv[2]
H = Harness(sys.argv[1], "stdfu-station-", 0x5747 + sum(map(ord, TEST)))
STDFU, EMU, TMP = H.stdfu, H.emu, H.tmp
SERIAL_AT = 0x080FFF00
check, path, stats = H.check, H.path, H.stats


def image(n=64 * 1024, name="app.bin"):
    return H.image(n, name)


def schedule(text):
    return ["--plug-schedule", H.write("plug.txt", text)]


def emu(cmd, *emu_args, timeout=240):
    return H.run(cmd, [*emu_args, "--dump", path("dump.bin"), "--stats", path("stats.json")],
                 timeout=timeout)


def shell(script, *emu_args, timeout=240):
    """Run a shell script under the emulator ($STDFU is the tool)."""
    H.write("inner.sh", f"STDFU={shlex.quote(STDFU)}\n" + script)
    return emu(["/bin/sh", path("inner.sh")], *emu_args, timeout=timeout)


def dump(i=None):
    # with one board the emulator writes dump.bin itself
    if i is None or not os.path.exists(path(f"dump.bin.{i}")):
        return H.read("dump.bin")
    return H.dump(i)


def log(name="st.jsonl"):
    with open(path(name)) as f:
        return [json.loads(x) for x in f]


def db_rows(name="st.sqlite"):
    con = sqlite3.connect(path(name))
    con.row_factory = sqlite3.Row
    rows = [dict(r) for r in con.execute("SELECT * FROM board ORDER BY id")]
    con.close()
    return rows


def station(*args):
    return [STDFU, "station", "app.bin", *args]


def t_done_when():
    data = image()
    plug = schedule("".join(f"{600 * (i - 1)} plug {i}\n" for i in range(1, 7)))
    rc, out, err = emu(station("--count", "6", "--db", "st.sqlite", "--log", "st.jsonl"),
                       "--boards", "6", "--timing", "real", *plug, "--board", "2:mode=app",
                       "--board", "4:rdp=1")
    recs, rows = log(), db_rows()
    check(rc == 23, f"it ends by itself with exit 23 (got {rc}: {err.strip()[-300:]})")
    check(len(recs) == 6 and len(rows) == 6,
          f"st.jsonl and st.sqlite each hold 6 records ({len(recs)}, {len(rows)})")
    for name, rs, key in (("jsonl", recs, "exit"), ("sqlite", rows, "exit_code")):
        res = {r["usb_path"]: (r["result"], r[key]) for r in rs}
        passed = sorted(p for p, (v, _) in res.items() if v == "PASS")
        check(passed == ["1-1", "1-2", "1-3", "1-5", "1-6"] and res.get("1-4") == ("FAIL", 14),
              f"{name}: 5 PASS and 1-4 FAIL with code 14 ({res})")
    for i in (1, 2, 3, 5, 6):
        check(dump(i)[:len(data)] == data, f"1-{i}: its dump holds the image")
    check(dump(4)[:16] == b"\xff" * 16, "1-4: nothing written")
    blocks = -(-len(data) // 2048)
    per = {b["port"]: b["by_request"]["dnload_data"] for b in stats()["boards"]}
    check(all(per[f"1-{i}"] == blocks for i in (1, 2, 3, 5, 6)),
          f"each good board got the image exactly once ({blocks} blocks: {per})")
    r2 = [r for r in recs if r["usb_path"] == "1-2"]
    check(r2 and r2[0]["phases"][0]["phase"] == "trigger", "1-2 (app mode) was triggered")
    check(all(r["image"]["name"] == "app.bin" and len(r["image"]["sha256"]) == 64 for r in recs),
          "each record names the image and its SHA-256")
    check(all(r["rom_serial"] and r["flash_size"] == 1 << 20 for r in recs),
          "each record holds the ROM serial and the flash size")
    check(all(r["uid"] is None and r["uid_reason"] for r in recs),
          "the F405 ROM maps no UID: null with the reason")


def t_rework():
    data = image()
    plug = schedule("0 plug 1\n2500 unplug 1\n4000 plug 1\n")
    rc, out, err = emu(station("--count", "2", "--db", "st.sqlite", "--log", "st.jsonl",
                               "--json"), "--boards", "1", *plug)
    ev = [(o["event"], o.get("usb_path")) for o in lines(out)
          if o["event"] in ("arrived", "record", "removed")]
    recs = log()
    check(rc == 0, f"exit 0 ({rc}: {err.strip()[-300:]})")
    check(ev == [("arrived", "1-1"), ("record", "1-1"), ("removed", "1-1"), ("arrived", "1-1"),
                 ("record", "1-1")],
          f"flashed, removed, flashed again only after the re-plug ({ev})")
    check(len(recs) == 2 and [r["rework"] for r in recs] == [False, True],
          f"the second record is flagged rework ({[r.get('rework') for r in recs]})")
    check([r["rework"] for r in db_rows()] == [0, 1], "in the database too")
    blocks = -(-len(data) // 2048)
    n = stats()["boards"][0]["by_request"]["dnload_data"]
    check(n == 2 * blocks, f"flashed twice in all, once per plug ({n} blocks, {blocks} each)")
    check(dump()[:len(data)] == data, "the dump holds the image")


def serials_in_dumps(n):
    return [int.from_bytes(dump(i)[SERIAL_AT - 0x08000000:][:4], "little")
            for i in range(1, n + 1)]


def t_serial():
    image()
    args = ("--db", "st.sqlite", "--serial-at", "0x080FFF00", "--serial-start", "1000")
    rc, out, err = emu(station("--count", "4", *args), "--boards", "4")
    got = serials_in_dumps(4)
    check(rc == 0, f"exit 0 ({rc}: {err.strip()[-300:]})")
    check(sorted(got) == [1000, 1001, 1002, 1003], f"the dumps hold 1000..1003 ({got})")
    by_path = {r["usb_path"]: r["serial_written"] for r in log("stdfu-station.jsonl")}
    check(by_path == {f"1-{i}": got[i - 1] for i in range(1, 5)},
          f"each record names the serial its board holds ({by_path})")
    check(all(r["serial_at"] == SERIAL_AT and r["serial_at_hex"] == "0x080fff00"
              for r in log("stdfu-station.jsonl")), "records say where (number and hex)")
    rc, out, err = emu(station("--count", "2", *args), "--boards", "2")
    got = serials_in_dumps(2)
    check(rc == 0 and sorted(got) == [1004, 1005],
          f"a second run on the same database continues at 1004 ({rc}, {got})")
    check(len(db_rows()) == 6, "the database holds all six boards")


def t_serial_refused():
    data = bytearray(image(64 * 1024))
    with open(path("big.bin"), "wb") as f:
        f.write(data + bytes(0x100000 - len(data)))
    base = ["--db", "st.sqlite", "--count", "1"]
    for args, code, words in (
            (["big.bin", "--serial-at", "0x080FFF00"], 7, ["already holds data", "0x080fff00"]),
            (["app.bin", "--serial-at", "0x20000000"], 2, ["not in the internal flash"]),
            (["app.bin", "--serial-at", "0x080FFF02"], 2, ["aligned"]),
            (["app.bin", "--serial-at", "0x080FFF00", "--log", "x.jsonl"][:3], 2, ["--db"]),
            (["app.bin", "--serial-start", "5"], 2, ["--serial-at"])):
        extra = base if "--db" not in words else []
        rc, out, err = emu([STDFU, "station", *args, *extra], "--boards", "1")
        check(rc == code and all(w in err for w in words),
              f"station {' '.join(args)}: refuses to start, exit {code} naming {words} "
              f"({rc}: {err.strip()[-200:]})")
        check(not os.path.exists(path("stdfu-station.jsonl")) or not log("stdfu-station.jsonl"),
              "  and no board was touched")
    rc, out, err = emu(station("--serial-at", "0x08100000", "--serial-start", "77", *base),
                       "--boards", "1")
    recs = log("stdfu-station.jsonl")
    check(rc == 23 and recs and recs[0]["exit"] == 9 and recs[0]["serial_written"] is None,
          f"an address past this board's flash: FAIL 9, no serial ({rc}, {recs})")
    rc, out, err = emu(station("--serial-at", "0x080FFF00", "--serial-start", "77", *base),
                       "--boards", "1")
    check(rc == 0 and serials_in_dumps(1) == [77], "the serial the failed board did not take "
          f"is the next one handed out ({rc}, {serials_in_dumps(1)})")


def t_protect():
    data = image()
    rc, out, err = shell(
        '"$STDFU" station app.bin --protect --count 1 --json > st.out\n'
        'echo $? > st.rc\n'
        '"$STDFU" flash app.bin > flash.out 2>&1\n'
        'echo $? > flash.rc\n', "--boards", "1", "--timing", "real")
    with open(path("st.rc")) as f:
        st_rc = int(f.read())
    with open(path("flash.rc")) as f:
        flash_rc = int(f.read())
    with open(path("st.out")) as f:
        recs = [o for o in lines(f.read()) if o["event"] == "record"]
    check(st_rc == 0, f"station --protect: exit 0 ({st_rc}: {err.strip()[-300:]})")
    check(recs and recs[0]["rdp"] == 1 and recs[0]["result"] == "PASS"
          and "protect" in [p["phase"] for p in recs[0]["phases"]],
          f"the record says PASS, RDP level 1, with a protect phase ({recs})")
    with open(path("dump.bin.optbytes"), "rb") as f:
        ob = f.read()
    check(ob[1] != 0xAA, f"the emulated board holds RDP level 1 (RDP byte 0x{ob[1]:02x})")
    check(flash_rc == 14, f"a plain stdfu flash on it exits 14 ({flash_rc})")
    check(dump()[:len(data)] == data, "the image was written before the protection")


def t_interrupt():
    image(512 * 1024)
    # 1-3 arrives after the Ctrl-C, while 1-1 and 1-2 are still in flight
    plug = schedule("0 plug 1\n0 plug 2\n900 plug 3\n")
    rc, out, err = shell(
        '"$STDFU" station app.bin --json > st.out 2> st.err &\n'
        'pid=$!\n'
        'until grep -q \'"arrived".*1-2\' st.out 2>/dev/null; do sleep 0.05; done\n'
        'until grep -q \'"arrived".*1-1\' st.out 2>/dev/null; do sleep 0.05; done\n'
        'kill -INT $pid\n'
        'wait $pid\n'
        'echo $? > st.rc\n', "--boards", "3", "--timing", "real", *plug)
    with open(path("st.rc")) as f:
        st_rc = int(f.read())
    with open(path("st.out")) as f:
        objs = lines(f.read())
    recs = {o["usb_path"]: o for o in objs if o["event"] == "record"}
    check(st_rc == 0, f"exit 0: the boards in flight finished and passed ({st_rc}, {err[-300:]})")
    check(sorted(recs) == ["1-1", "1-2"] and all(r["result"] == "PASS" for r in recs.values()),
          f"1-1 and 1-2 finished ({ {k: v['result'] for k, v in recs.items()} })")
    check(any(o["event"] == "stopping" and o["in_flight"] == 2 for o in objs),
          "a stopping event names the 2 in flight")
    summ = [o for o in objs if o["event"] == "station_summary"]
    check(summ and summ[0]["boards"] == 2 and objs[-1]["event"] == "result",
          "then the summary and the result")
    check(dump(3)[:16] == b"\xff" * 16, "1-3, plugged after the Ctrl-C, was not flashed")


def t_abort():
    data = image(512 * 1024)
    rc, out, err = shell(
        '"$STDFU" station app.bin --json --log st.jsonl > st.out 2> st.err &\n'
        'pid=$!\n'
        'until grep -q \'"board_progress"\' st.out 2>/dev/null; do sleep 0.02; done\n'
        'kill -INT $pid; sleep 0.2; kill -INT $pid\n'
        'wait $pid\n'
        'echo $? > st.rc\n'
        '"$STDFU" station app.bin --json --log st.jsonl --count 1 > st2.out 2> st2.err\n'
        'echo $? > st2.rc\n', "--boards", "1", "--timing", "real")
    with open(path("st.rc")) as f:
        st_rc = int(f.read())
    with open(path("st2.rc")) as f:
        st2_rc = int(f.read())
    with open(path("st2.out")) as f:
        second = lines(f.read())
    recs = log()
    check(st_rc == 130, f"the second Ctrl-C aborts: exit 130 ({st_rc})")
    check(len(recs) == 2 and recs[0]["result"] == "ABORTED" and recs[0]["exit"] == 130,
          f"the aborted board has its record ({recs[:1]})")
    arrived = [o for o in second if o["event"] == "arrived"]
    check(arrived and arrived[0]["mode"] == "dfu", f"it was left in DFU mode ({arrived})")
    check(st2_rc == 0 and recs[1]["result"] == "PASS", f"the next run flashes it ({st2_rc})")
    check(dump()[:len(data)] == data, "the dump holds the image")


def tty_run(env_extra, cols=70):
    image()
    plug = schedule("0 plug 1\n0 plug 2\n")
    inner = " ".join(shlex.quote(x) for x in [
        EMU, "--boards", "2", "--timing", "real", "--board", "2:rdp=1", *plug, "--", STDFU,
        "station", "app.bin", "--count", "2"])
    env = dict(os.environ, TERM="xterm", **env_extra)
    env.pop("NO_COLOR", None) if "NO_COLOR" not in env_extra else None
    p = subprocess.run(["script", "-qec", f"stty cols {cols}; {inner}", "/dev/null"],
                       capture_output=True, timeout=240, cwd=TMP, env=env)
    return p.returncode, p.stdout.decode(errors="replace")


def t_tty():
    rc, raw = tty_run({})
    text = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", raw)
    check(rc == 23, f"exit 23 through the terminal ({rc})")
    check(re.search(r"\x1b\[4A", raw) is not None, "the table is redrawn in place (cursor up 4)")
    drawn = [re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", x).strip("\r")
             for x in raw.split("\n") if "\x1b[K" in x]
    check(drawn and max(len(x) for x in drawn) <= 69,
          f"no line is wider than the terminal ({max(map(len, drawn)) if drawn else 0})")
    check(re.search(r"passed 1 +failed 1 +yield 50\.0% +[0-9.]+ boards/h", text) is not None,
          "the counters: passed, failed, yield, boards per hour")
    check(re.search(r"last failure: 1-2 exit 14", text) is not None, "the last failure")
    check(re.search(r"1-1 +PASS", text) and re.search(r"1-2 +FAIL 14", text),
          "PASS and FAIL code per port")
    check(re.search(r"1-1 +(flashing|verifying) +\d+%", text) is not None,
          "a port shows flashing nn%")
    check("\x1b[1;32m" in raw and "\x1b[1;31m" in raw, "PASS in green, FAIL in red")
    rc, raw = tty_run({"NO_COLOR": "1"})
    check(rc == 23 and not re.search(r"\x1b\[[0-9;]*m", raw),
          "NO_COLOR: no colour at all")


def t_plain():
    image()
    plug = schedule("0 plug 1\n0 plug 2\n1500 unplug 1\n2500 plug 1\n")
    rc, out, err = emu(station("--count", "3"), "--boards", "2", "--board", "2:rdp=1", *plug)
    body = [x for x in err.splitlines() if x and not x.startswith(("station", "stdfu:"))]
    check(rc == 23, f"exit 23 ({rc}: {err.strip()[-300:]})")
    check(body and all(re.match(r"1-[12]: ", x) for x in body),
          "one line per event, each starting with its port:\n  " + "\n  ".join(body[:40]))
    check("1-1: board arrived (DFU mode)" in err and re.search(r"1-1: PASS in", err),
          "arrival and PASS")
    check(re.search(r"1-2: FAIL exit 14 read-protected", err) is not None, "FAIL with its code")
    check("1-1: board removed; port armed" in err, "the removal re-arms the port")
    check(re.search(r"station: 3 boards, 2 passed, 1 failed, yield 66.7%", err) is not None,
          "the summary line")
    check("\x1b" not in err, "no escape sequences off a terminal")


def t_json():
    import jsonschema
    schema_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs",
                               "json-schema.json")
    with open(schema_path) as f:
        validator = jsonschema.Draft202012Validator(json.load(f))
    image()
    rc, out, err = emu(station("--count", "3", "--json", "--db", "st.sqlite"),
                       "--boards", "3", "--board", "2:mode=app", "--board", "3:rdp=1")
    raw = [x for x in out.splitlines() if x]
    objs = [json.loads(x) for x in raw]
    check(rc == 23, f"exit 23 ({rc})")
    bad = [(o.get("event"), e.message) for o in objs for e in validator.iter_errors(o)]
    check(not bad, f"every line validates against docs/json-schema.json ({bad[:3]})")
    check(len(objs) == len(raw) and all(o.get("schema") == 1 and "event" in o for o in objs),
          "every stdout line is a JSON object with schema 1 and an event")
    first = [o["event"] for o in objs if o["event"] not in ("image",)][:1]
    check(first == ["station"] and objs[-2]["event"] == "station_summary"
          and objs[-1]["event"] == "result",
          "it starts with the station and ends with the summary and one result")
    res = objs[-1]
    check(res["command"] == "station" and res["exit"] == 23 and res["error"] == "some-failed",
          f"the result line ({res})")
    per_port = [o for o in objs if o["event"] in ("arrived", "removed", "record")
                or o["event"].startswith("board_")]
    check(per_port and all(re.match(r"1-[123]$", o.get("usb_path", "")) for o in per_port),
          "every per-board event names its port")
    recs = [o for o in objs if o["event"] == "record"]
    check(recs == log("stdfu-station.jsonl"), "the record events are the log's lines")
    s = objs[-2]
    check(s["boards"] == 3 and s["passed"] == 2 and s["failed"] == 1 and s["exit"] == 23
          and abs(s["yield_percent"] - 66.7) < 0.1, f"the summary counts ({s})")
    phases = {o["phase"] for o in objs if o["event"] == "board_phase_end"}
    check({"trigger", "open", "probe", "write", "verify", "leave", "wait_app"} <= phases,
          f"phase events ({sorted(phases)})")


def usage(args, code, words, emu_args=("--boards", "1")):
    rc, out, err = emu([STDFU, "station", *args], *emu_args)
    check(rc == code and all(w in err for w in words),
          f"station {' '.join(args)}: exit {code} naming {words} ({rc}: {err.strip()[-200:]})")


def t_usage():
    image(1024)
    usage(["app.bin", "--serial", "X"], 2, ["--serial", "--usb-path"])
    usage(["app.bin", "--port", "/dev/ttyACM0"], 2, ["--port"])
    usage(["app.bin", "--any-port"], 2, ["--any-port"])
    usage(["app.bin", "--count", "0"], 2, ["--count"])
    usage(["app.bin", "--no-leave"], 2, ["does not apply"])
    usage(["missing.bin", "--count", "1"], 8, ["missing.bin"])
    usage(["app.bin", "--count", "1", "--log", "/nonexistent/dir/x.jsonl"], 8,
          ["cannot open the log", "--log"])
    usage(["app.bin", "--count", "1", "--db", "/nonexistent/dir/x.sqlite"], 8,
          ["cannot open the database"])
    with open(path("text.sqlite"), "w") as f:
        f.write("not a database, just text that is long enough to look like a header\n" * 4)
    usage(["app.bin", "--count", "1", "--db", "text.sqlite"], 8, ["not an SQLite database"])
    # two named ports: only those are watched
    rc, out, err = emu(station("--usb-path", "1-1", "--usb-path", "1-3", "--count", "2"),
                       "--boards", "3")
    check(rc == 0 and sorted(r["usb_path"] for r in log("stdfu-station.jsonl")) == ["1-1", "1-3"]
          and dump(2)[:16] == b"\xff" * 16, f"--usb-path twice: only those ports ({rc})")


def t_uid():
    image()
    plug = schedule("0 plug 1\n0 plug 2\n1500 unplug 1\n2500 plug 1\n")
    rc, out, err = emu(station("--count", "3", "--db", "st.sqlite"), "--chip", "g0",
                       "--boards", "2", "--board", "2:serial=345435653137", *plug)
    recs = log("stdfu-station.jsonl")
    check(rc == 0 and len(recs) == 3, f"3 boards passed ({rc}: {err.strip()[-300:]})")
    check(all(re.fullmatch(r"[0-9A-F]{24}", r["uid"] or "") and r["uid_reason"] is None
              and r["rework_basis"] == "uid" for r in recs),
          f"every record holds the 96-bit UID ({[r['uid'] for r in recs]})")
    one = [r for r in recs if r["usb_path"] == "1-1"]
    two = [r for r in recs if r["usb_path"] == "1-2"]
    check(len({r["rom_serial"] for r in recs}) == 1 and one[0]["uid"] != two[0]["uid"],
          "1-1 and 1-2 share a serial but not a UID")
    check(two[0]["rework"] is False, "so 1-2 is not rework")
    check([r["rework"] for r in one] == [False, True] and one[0]["uid"] == one[1]["uid"],
          f"1-1 plugged back: rework by its UID ({[r['rework'] for r in one]})")
    rows = db_rows()
    check(sorted(r["uid"] for r in rows) == sorted(r["uid"] for r in recs),
          "the database holds the same UIDs")


def readme_screen():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    with open(os.path.join(root, "README.md")) as f:
        text = f.read()
    m = re.search(r"^## Factory station\n(.*?)^## ", text, re.S | re.M)
    sec = m.group(1) if m else ""
    blocks = re.findall(r"```\n(.*?)```", sec, re.S)
    return [b.splitlines() for b in blocks if b.startswith("station ")]


# The screen's lines with their numbers and reasons masked: what a capture must match.
SHAPE = [r"station \S+  passed \d+  failed \d+  yield [\d.]+%  [\d.]+ boards/h(  \(stopping\))?$",
         r"last failure: 1-\d exit \d+ .+$"]
PORT = r"  1-\d +(waiting|flashing +\d+%.*|verifying +\d+%|PASS [\d.]+ s.*|FAIL \d+ .+|" \
       r"waiting  last: .+|starting|open|probe|image|leaving|waiting-app|trigger|protecting)$"


def screen_ok(lines):
    return len(lines) >= 3 and all(re.match(p, x) for p, x in zip(SHAPE, lines)) and \
        all(re.match(PORT, x) for x in lines[2:])


def t_readme():
    screens = readme_screen()
    check(len(screens) == 1, "README.md has a Factory station section with one station screen")
    shown = screens[0] if screens else []
    check(screen_ok(shown) and len(shown) == 6,
          "  it shows the counters, the last failure and four ports:\n  " + "\n  ".join(shown))
    check(any("FAIL 14" in x for x in shown) and any("PASS" in x for x in shown)
          and any("flashing" in x for x in shown), "  with PASS, FAIL 14 and flashing")
    image(200 * 1024, "firmware.bin")
    plug = schedule("0 plug 1\n0 plug 2\n300 plug 3\n")
    cmd = " ".join(shlex.quote(x) for x in [
        EMU, "--boards", "3", "--timing", "real", *plug, "--board", "2:mode=app", "--board",
        "3:rdp=1", "--", STDFU, "station", "firmware.bin", "--count", "3"]) + "; sleep 20"
    name = f"stdfu-station-{os.getpid()}"
    subprocess.run(["tmux", "new-session", "-d", "-s", name, "-c", TMP, "-x", "88", "-y", "9", cmd],
                   check=True, cwd=TMP, env=dict(os.environ, TERM="xterm"))
    captured, seen, last = [], set(), []
    try:
        for _ in range(200):
            p = subprocess.run(["tmux", "capture-pane", "-p", "-t", name], capture_output=True,
                               text=True)
            lines = [x for x in p.stdout.splitlines() if x.strip()]
            last = lines or last
            if len(lines) >= 5 and screen_ok(lines[:5]):
                captured.append(lines[:5])
                seen |= {k for k in ("PASS", "FAIL 14", "flashing") if any(k in x for x in lines)}
            if "PASS" in seen and "FAIL 14" in seen and "flashing" in seen:
                break
            subprocess.run(["sleep", "0.1"])
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)
    check(captured, "tmux captures a screen of the same shape as the README's:\n  " + "\n  ".join(last))
    check(seen == {"PASS", "FAIL 14", "flashing"},
          f"  and in it PASS, FAIL 14 and flashing as in the README ({sorted(seen)})")


H.main(globals(), TEST, clean=True)
