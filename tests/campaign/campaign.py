#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The fault campaign (issue 13): flash under every fault kind at request
indices of a flash, on every chip model, on blank flash and over an older
application, with and without a lie that still allows a correct flash.

usage: campaign.py STAGE [--chips a,b] [--stride N] [--kinds k,...] [--lies l,...]
                         [--jobs N] [--json FILE]

Each run is one stdfu-emu session: `stdfu flash` under the fault; if it
fails, a plain `stdfu flash` again on the same (still emulated) board. The
fault fires once, on the Nth matching request, so the re-run is unfaulted.
Only where stdfu's failure told the user to power-cycle the board (the H563
ROM locks up on leave, and no USB request reaches it until then) is the
re-run made after a power cycle: a new stdfu-emu session whose flash is the
--dump of the first (--load), which is what a power cycle of an emulated
board is. Counted:
  silent corruption  exit 0 with wrong content
  hang               the session did not end within its time limit
  undocumented       a failure with an exit code stdfu(1) does not document
  recovered          a failure whose plain re-run gave the right content
  recovered-after-power-cycle
                     a failure that said "power-cycle", whose re-run after a
                     power cycle gave the right content
  lost               a failure whose re-run did not
The run fails (exit 1) on any silent corruption, hang, undocumented code or
lost board, and when a chip's clean flash does not exit 0. Only exit 0 claims
success (the H563's clean flash too: written, verified, and a leave-hung
warning that names the power cycle).
"""
import argparse
import concurrent.futures
import json
import os
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from harness import Harness, json_lines, sh  # noqa: E402

KINDS = ["stall", "disconnect", "timeout", "status=errPROG", "status=errTARGET", "state=10"]
DOCUMENTED = set(range(1, 24)) | {130, 143}
SESSION_TIMEOUT = 120  # a host timeout (5 s) per try, two tries, slow machine


def app_image(n, seed):
    body = bytes((i * 131 + seed * 7 + (i >> 8)) & 0xFF for i in range(n - 8))
    return struct.pack("<II", 0x20001000, 0x08000201) + body


def emulate(h, chip, extra, script):
    """SCRIPT in one stdfu-emu session: its exit and the KEY=VALUE words it printed."""
    rc, out, _ = h.run(sh(script), ["--chip", chip, *extra], timeout=SESSION_TIMEOUT, cwd=None)
    return rc, dict(kv.split("=") for kv in out.split() if "=" in kv)


def told_power_cycle(path):
    """stdfu's JSON told the user to power-cycle: an error or a warning whose
    message or hint names it (the documented fix of a locked-up ROM)."""
    try:
        with open(path) as f:
            lines = json_lines(f.read())
    except (OSError, ValueError):
        return False
    for e in lines:
        text = json.dumps({k: e.get(k) for k in ("message", "hint", "error")})
        if e.get("event") in ("result", "warning") and "power-cycle" in text:
            return True
    return False


def run_session(h, chip, fault, lie, start):
    img, dump, a_json, stdfu = h.path("new.bin"), h.path("dump.bin"), h.path("a.json"), h.stdfu
    extra = ["--dump", dump]
    if fault:
        extra += ["--fault", fault]
    if lie:
        extra += ["--lie", lie]
    if start == "old":
        extra += ["--load", h.path("old.bin")]
    # a board that dropped off the bus is back after a moment (a person
    # re-runs seconds later): let it go, then wait for it to be listed
    rerun = (f"sleep 0.5; i=0; while [ $i -lt 50 ] && ! '{stdfu}' list 2>/dev/null | grep -q .; "
             f"do sleep 0.1; i=$((i+1)); done; "
             f"'{stdfu}' flash '{img}' -q >/dev/null 2>&1; echo B=$?")
    script = (f"'{stdfu}' flash '{img}' --json >'{a_json}' 2>/dev/null; A=$?; echo A=$A; "
              f"if [ $A -ne 0 ]; then if grep -q power-cycle '{a_json}'; then echo PC=1; "
              f"else {rerun}; fi; fi")
    t0 = time.monotonic()
    try:
        emu_rc, codes = emulate(h, chip, extra, script)
        cycled = "PC" in codes and told_power_cycle(a_json)
        if cycled:
            # the power cycle the user was told to do: the same flash, a new ROM
            os.replace(dump, dump + ".before")
            emu_rc, more = emulate(h, chip, ["--load", dump + ".before", "--dump", dump], rerun)
            codes.update(more)
    except subprocess.TimeoutExpired:
        return {"outcome": "hang", "secs": time.monotonic() - t0}
    want = h.read("new.bin")
    try:
        right = h.read("dump.bin")[:len(want)] == want
    except OSError:
        right = False
    return {"a": int(codes.get("A", -1)), "b": int(codes.get("B", -1)) if "B" in codes else None,
            "power_cycle": cycled, "right": right, "emu": emu_rc,
            "secs": time.monotonic() - t0}


def classify(args, chip, r):
    """Only exit 0 claims success, the first run's or the re-run's."""
    if r.get("outcome") == "hang":
        return "hang"
    if r["a"] == 0:
        return "ok" if r["right"] else "silent-corruption"
    if r["a"] not in DOCUMENTED:
        return "undocumented"
    if r["b"] == 0 and r["right"]:
        return "recovered-after-power-cycle" if r["power_cycle"] else "recovered"
    if r["b"] == 0 and not r["right"]:
        return "silent-corruption"
    return "lost"


def one(args, job):
    chip, fault, lie, start = job
    with Harness(args.stage, "stdfu-camp-") as h:
        h.write("new.bin", app_image(args.size, 1))
        h.write("old.bin", app_image(args.size + 3000, 2))
        r = run_session(h, chip, fault, lie, start)
    r.update(chip=chip, fault=fault, lie=lie, start=start, outcome=classify(args, chip, r))
    return r


def requests_of(args, chip):
    """Control requests of a clean flash of this chip (the fault indices), and its exit."""
    with Harness(args.stage, "stdfu-camp-") as h:
        img = h.write("new.bin", app_image(args.size, 1))
        rc, _, _ = h.run([h.stdfu, "flash", img, "-q"],
                         ["--chip", chip, "--stats", h.path("stats.json")], timeout=120, cwd=None)
        return h.stats()["control_transfers"], rc


def jobs_of(args):
    out = []
    for chip in args.chips:
        n, code = requests_of(args, chip)
        args.ok_code[chip] = code
        args.requests[chip] = n
        for kind in args.kinds:
            for i in range(1, n + 1, args.stride):
                for lie in args.lies:
                    for start in ("blank", "old"):
                        out.append((chip, f"{kind}:any:{i}", lie, start))
    return out


def summary(results, secs):
    counts = {}
    for r in results:
        counts[r["outcome"]] = counts.get(r["outcome"], 0) + 1
    fixed = counts.get("recovered", 0) + counts.get("recovered-after-power-cycle", 0)
    failed = fixed + counts.get("lost", 0)
    return {"runs": len(results), "seconds": round(secs), "counts": counts,
            "failures": failed,
            "recovered_after_power_cycle": counts.get("recovered-after-power-cycle", 0),
            "recovered_pct": round(100.0 * fixed / failed, 2) if failed else 100.0}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("stage")
    ap.add_argument("--chips", default="f405,l4,h7,g0,f072,f303,f746,f722,g474,l432,u585,"
                    "h563,wb55,c071")
    ap.add_argument("--stride", type=int, default=1)
    ap.add_argument("--kinds", default=",".join(KINDS))
    ap.add_argument("--lies", default=",alts=9")
    ap.add_argument("--size", type=int, default=6000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--json")
    args = ap.parse_args()
    args.chips = args.chips.split(",")
    args.kinds = args.kinds.split(",")
    args.lies = args.lies.split(",")
    args.ok_code, args.requests = {}, {}
    t0 = time.monotonic()
    jobs = jobs_of(args)
    print(f"campaign: {len(jobs)} sessions; requests per clean flash: {args.requests}; "
          f"clean exit codes: {args.ok_code}", flush=True)
    unclean = {c: rc for c, rc in args.ok_code.items() if rc != 0}
    if unclean:
        print(f"campaign: a clean flash must exit 0: {unclean}", flush=True)
        sys.exit(1)
    results = []
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as ex:
        for r in ex.map(lambda j: one(args, j), jobs):
            results.append(r)
            if r["outcome"] not in ("ok", "recovered"):
                print(f"{r['outcome'].upper()}: {r}", flush=True)
            if len(results) % 1000 == 0:  # a full run takes hours: say where it is
                secs = time.monotonic() - t0
                print(f"campaign: {len(results)}/{len(jobs)} sessions in {secs:.0f} s "
                      f"(now {r['chip']} {r['fault']})", flush=True)
    s = summary(results, time.monotonic() - t0)
    print("campaign: " + json.dumps(s), flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"summary": s, "results": results}, f)
    bad = sum(s["counts"].get(k, 0) for k in ("silent-corruption", "hang", "undocumented",
                                                "lost"))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
