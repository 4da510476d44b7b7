#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""stdfu-emu for factories: many client processes under one emulator, and
per-board settings. Runs the installed binaries.

usage: emu_clients.py STAGE TEST [ROUNDS]
  parallel ROUNDS  ROUNDS runs of 4 separate `stdfu flash --force --usb-path 1-N`
                   processes started with & under one stdfu-emu each
  peers            2 dfu-util processes in parallel (not only stdfu)
  slow_client      a process that never reads its udev monitor
  churn_client     a process that opens and closes monitors all the time
  board_options    --board: parse errors and what each key does
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from harness import Harness  # noqa: E402

TEST = sys.argv[2]
ROUNDS = int(sys.argv[3]) if len(sys.argv) > 3 else 3
H = Harness(sys.argv[1], "stdfu-factory-", 0xFAC7 + sum(map(ord, TEST)))
STDFU, EMU = H.stdfu, H.emu
CLIENT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "uevent_client.py")
DFU_UTIL = "/usr/bin/dfu-util"
check, path, dump = H.check, H.path, H.dump


def image(n=64 * 1024):
    """Random bytes: no vector table, so the flashes take --force."""
    return H.image(n, vectors=False)


def emu(script, *emu_args, timeout=180):
    return H.run(["/bin/sh", "-c", script], list(emu_args), timeout=timeout)


# Four processes with &, as a factory shell script starts them; each
# prints its board and exit code.
PARALLEL = """
pids=
for n in 1 2 3 4; do
  ( "$0" flash --force --usb-path 1-$n app.bin >out.$n 2>&1; echo "board $n exit $?" ) &
  pids="$pids $!"
done
wait $pids
"""


def parallel_round(r, data, extra=()):
    rc, out, err = emu(PARALLEL.replace('"$0"', STDFU), "--boards", "4", "--dump",
                       path("dump.bin"), *extra)
    passed = 0
    for n in range(1, 5):
        ok = f"board {n} exit 0" in out and dump(n)[:len(data)] == data
        if not ok:
            with open(path(f"out.{n}")) as f:
                print(f"  round {r} board 1-{n}: {f.read().strip()[-400:]}")
        passed += ok
    check(rc == 0 and passed == 4, f"round {r} {' '.join(extra)}: {passed} of 4 boards "
          f"flashed and verified (emulator exit {rc}{': ' + err.strip()[-300:] if rc else ''})")
    return passed


def t_parallel():
    total = 0
    for r in range(1, ROUNDS + 1):
        total += parallel_round(r, image())
    print(f"parallel: {total} of {4 * ROUNDS} boards flashed and verified in {ROUNDS} rounds")
    # the trigger path as well: two of the four run the application
    parallel_round("app", image(), ("--board", "2:mode=app", "--board", "4:mode=app"))


def t_peers():
    data = image(8 * 1024)
    script = (f"{DFU_UTIL} -p 1-1 -a 0 -s 0x08000000:leave -D app.bin >o1 2>&1 & a=$!; "
              f"{DFU_UTIL} -p 1-2 -a 0 -s 0x08000000:leave -D app.bin >o2 2>&1 & b=$!; "
              "wait $a; ra=$?; wait $b; echo \"exits $ra $?\"")
    rc, out, err = emu(script, "--boards", "2", "--dump", path("dump.bin"))
    check(rc == 0 and "exits 0 0" in out, f"2 parallel dfu-util: both exit 0 ({out.strip()})")
    check(dump(1)[:len(data)] == data and dump(2)[:len(data)] == data,
          "2 parallel dfu-util: both dumps hold the image")


def t_slow_client():
    # umockdev 0.17.16's own sender aborts once this client has 10 unread events
    data = image()
    script = (f"/usr/bin/python3 {CLIENT} idle 60 >idle.out & c=$!; "
              "while [ ! -s idle.out ]; do sleep 0.05; done; "
              f"{STDFU} flash --force --usb-path 1-1 app.bin >o1 2>&1; r1=$?; "
              f"{STDFU} flash --force --usb-path 1-2 app.bin >o2 2>&1; r2=$?; "
              "kill $c; echo \"exits $r1 $r2\"")
    rc, out, err = emu(script, "--boards", "2", "--mode", "app", "--dump", path("dump.bin"))
    check(rc == 0, f"a client that never reads: the emulator survives (exit {rc}: "
          f"{err.strip()[-300:]})")
    check("exits 0 0" in out, f"... and the others are served: both flashes exit 0 ({out.strip()})")
    check(rc == 0 and dump(1)[:len(data)] == data and dump(2)[:len(data)] == data,
          "... both dumps hold the image")


def t_churn_client():
    data = image()
    script = (f"/usr/bin/python3 {CLIENT} churn 600 >churn.out & c=$!; "
              "while [ ! -s churn.out ]; do sleep 0.05; done\n" +
              PARALLEL.replace('"$0"', STDFU) + "kill $c\n")
    rc, out, err = emu(script, "--boards", "4", "--mode", "app", "--dump", path("dump.bin"))
    check(rc == 0, f"monitors opened and closed all the time: the emulator survives "
          f"(exit {rc}: {err.strip()[-300:]})")
    good = sum(f"board {n} exit 0" in out and rc == 0 and dump(n)[:len(data)] == data
               for n in range(1, 5))
    check(good == 4, f"... and 4 of 4 boards flashed meanwhile ({good})")


def usage_error(args, words):
    rc, _, err = H.run(["true"], list(args), timeout=None, cwd=None)
    check(rc == 2 and all(w in err for w in words),
          f"{' '.join(args)}: exit 2 naming {words} (got {rc}: {err.strip()})")


def list_json(*emu_args):
    rc, out, err = emu(f"{STDFU} list --json", *emu_args)
    check(rc == 0, f"list under {' '.join(emu_args)}: exit 0 ({err.strip()[-200:]})")
    return {d.get("usb_path"): d for d in map(json.loads, filter(None, out.splitlines()))
            if d.get("event") in ("device", "app_port")}


def t_board_options():
    usage_error(["--board", "3:rdp=1"], ["--board 3", "only 1 boards", "--boards 3"])
    usage_error(["--boards", "2", "--board", "2:colour=red"], ["--board 2", "colour=red", "KEY"])
    usage_error(["--boards", "2", "--board", "0:rdp=1"], ["1..32", "0:rdp=1"])
    usage_error(["--boards", "2", "--board", "33:rdp=1"], ["1..32"])
    usage_error(["--boards", "2", "--board", "2"], ["I:KEY=VALUE"])
    usage_error(["--boards", "2", "--board", "2:rdp=2"], ["--board 2", "rdp must be 0 or 1"])
    usage_error(["--boards", "2", "--board", "2:mode=boot"], ["--board 2", "dfu or app"])
    usage_error(["--boards", "2", "--board", "2:chip=z80"], ["--board 2", "unknown chip 'z80'"])
    usage_error(["--boards", "2", "--board", "2:rdp="], ["--board 2", "rdp has no value"])
    usage_error(["--boards", "2", "--board", "2:rdp=1,"], ["--board 2", "','"])
    usage_error(["--boards", "2", "--board", "2:fault=sideways:any:1"], ["board 2", "sideways"])
    usage_error(["--boards", "2", "--board", "2:load=/nonexistent.bin"], ["board 2", "nonexistent"])
    usage_error(["--boards", "2", "--board", "2:companion=maybe"], ["--board 2", "maybe"])
    usage_error(["--boards", "33"], ["1..32"])
    usage_error(["--boards", "2", "--board", "2:serial=" + "X" * 32], ["--board 2", "serial must"])

    devs = list_json("--boards", "2", "--board", "2:serial=FFFFFFFEFFFF")
    check(devs.get("1-2", {}).get("serial") == "FFFFFFFEFFFF" and
          devs.get("1-1", {}).get("serial") not in (None, "FFFFFFFEFFFF"),
          f"serial= sets that board's ROM serial only ({[d.get('serial') for d in devs.values()]})")

    devs = list_json("--boards", "4", "--board", "2:mode=app", "--board", "3:chip=h7",
                     "--board", "4:chip=g0,mode=app")
    check(sorted(devs) == ["1-1", "1-2", "1-3", "1-4"], f"4 boards listed ({sorted(devs)})")
    modes = {k: "app" if d.get("event") == "app_port" else "dfu" for k, d in devs.items()}
    check(modes == {"1-1": "dfu", "1-2": "app", "1-3": "dfu", "1-4": "app"},
          f"mode per board ({modes})")
    alts = json.dumps(devs.get("1-3", {}))
    check("16*128Kg" in alts, "board 3 is an H7 (chip=h7), the others keep --chip")
    check("04*016Kg" in json.dumps(devs.get("1-1", {})), "board 1 keeps the global f405")

    # rdp and fault for one board only; load for one board only
    data = image(16 * 1024)
    H.write("pre.bin", b"\x5a" * 1000)
    script = "".join(f"{STDFU} flash --force --usb-path 1-{n} app.bin >o{n} 2>&1; echo \"board {n} exit $?\"; "
                     for n in (1, 2, 3))
    rc, out, err = emu(script, "--boards", "3", "--rdp", "0", "--board", "2:rdp=1",
                       "--board", "3:fault=disconnect:dnload-data:2,load=pre.bin@0x08004000",
                       "--dump", path("dump.bin"))
    check("board 1 exit 0" in out and dump(1)[:len(data)] == data,
          f"board 1 (no settings) flashed ({out.strip()})")
    check("board 2 exit 14" in out, "board 2 (rdp=1) refused: exit 14")
    check("board 3 exit 0" not in out and "board 3 exit 14" not in out,
          "board 3 (fault=disconnect) fails with its own fault")
    check(dump(3)[0x4000:0x4000 + 1000] == b"\x5a" * 1000, "board 3 (load=FILE@ADDR) was preloaded")
    check(dump(1)[0x4000:0x4000 + 1000] == b"\xff" * 1000, "board 1 was not preloaded")


H.main(globals(), TEST)
