#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Reliability end to end (issue 13): a device that lies, interruption, and
the repros of the issue, each against the installed stdfu under stdfu-emu.

usage: e2e_reliability.py STAGE TEST [CHIP]
  lies       every --lie key: a correct flash, or a specific non-zero exit
             whose message names the lie; never a hang or exit 0 with wrong
             content
  interrupt  SIGINT during the write phase of a --timing real flash: exit 130,
             the board's state named, a JSON result line, the board in dfuIDLE
             and the next flash passes (SIGTERM: 143)
  killed     SIGKILL right after the leave's zero-length DNLOAD: the next flash
             exits 0
  repros     each repro of the issue's "Why" gives the right code and message
"""
import json
import os
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from harness import Harness, json_lines, last_event, sh  # noqa: E402

TEST = sys.argv[2]
CHIP = sys.argv[3] if len(sys.argv) > 3 else "f405"
H = Harness(sys.argv[1], "stdfu-rel-", 0x13 + sum(map(ord, TEST + CHIP)))
STDFU, EMU = H.stdfu, H.emu
check, path, write, read = H.check, H.path, H.write, H.read

EXIT_USAGE, EXIT_IMAGE, EXIT_FILE, EXIT_PROTOCOL, EXIT_ADDRESS = 2, 7, 8, 16, 22


def app(n):
    """A plausible application: initial SP in SRAM, odd reset vector in the flash."""
    return struct.pack("<II", 0x20001000, 0x08000201) + bytes(
        H.rng.getrandbits(8) for _ in range(n - 8))


def emu(cmd, *emu_args, timeout=120):
    return H.run(cmd, ["--chip", CHIP, *emu_args], timeout=timeout, cwd=None)


def result(out):
    return last_event(out, "result")


# --lie KEY=VALUE -> None (the flash must succeed with the right content), or
# (exit code, words the message must hold: it names the lie).
LIES = [
    ("alts=9", None),
    ("alts=100", None),
    ("alts=1", None),
    ("serial=LIAR0123", None),
    ("poll-timeout=0", None),
    ("poll-timeout=60000", None),
    ("layout=1:garbage", None),
    ("layout=garbage", (EXIT_PROTOCOL, ["memory layout", "garbage"])),
    ("layout=@Internal Flash /0x08000000/99*999Kg", (EXIT_PROTOCOL, ["memory layout"])),
    ("transfer-size=0", (EXIT_PROTOCOL, ["wTransferSize 0"])),
    ("transfer-size=7", (EXIT_PROTOCOL, ["wTransferSize 7"])),
    ("transfer-size=65535", (EXIT_PROTOCOL, ["wTransferSize 65535"])),
    ("state-after-dnload=2", (EXIT_PROTOCOL, ["dfuIDLE"])),
    ("state-after-dnload=6", (EXIT_PROTOCOL, ["dfuMANIFEST-SYNC"])),
    ("state-after-dnload=7", (EXIT_PROTOCOL, ["dfuMANIFEST"])),
    ("state-after-dnload=8", (EXIT_PROTOCOL, ["dfuMANIFEST-WAIT-RESET"])),
    ("state-after-dnload=255", (EXIT_PROTOCOL, ["state"])),
    ("getstatus-length=0", (EXIT_PROTOCOL, ["GETSTATUS"])),
    ("getstatus-length=5", (EXIT_PROTOCOL, ["GETSTATUS"])),
    ("getstatus-length=64", (EXIT_PROTOCOL, ["GETSTATUS"])),
    ("upload-extra=1", (EXIT_PROTOCOL, ["read of block", "more data than was asked"])),
    ("upload-short=1", (EXIT_PROTOCOL, ["UPLOAD", "returned"])),
]


def flash_lie(lie, img, data, extra=()):
    t0 = time.monotonic()
    rc, out, err = emu([STDFU, "flash", img, *extra], "--lie", lie, "--dump", path("dump.bin"),
                       timeout=300)
    dump = read("dump.bin") if os.path.exists(path("dump.bin")) else b""
    return rc, err, dump[:len(data)] == data, time.monotonic() - t0


def real_transfer_size():
    rc, out, err = emu([STDFU, "list", "--json"])
    return json_lines(out)[0]["transfer_size"]


def t_lies():
    data = app(6000)
    img = write("img.bin", data)
    ts = real_transfer_size()
    # Smaller than the ROM's: blocks after the first of a run would be misplaced
    # (on write and verify alike); larger: the ROM refuses the blocks.
    sized = [(f"transfer-size={n}", (EXIT_PROTOCOL, ["wTransferSize", "lie"]))
             for n in (ts // 2, ts // 4, ts - 1, ts * 2)]
    for lie, want in LIES + sized:
        rc, err, same, secs = flash_lie(lie, img, data)
        last = err.strip().splitlines()[-3:] if err.strip() else []
        check(rc != 0 or same, f"{CHIP} --lie {lie}: no exit 0 with wrong content (exit {rc})")
        if want is None:
            check(rc == 0 and same, f"{CHIP} --lie {lie}: flashes correctly (exit {rc}) {last}")
            continue
        code, words = want
        check(rc == code, f"{CHIP} --lie {lie}: exit {code} (got {rc}) {last}")
        check(all(w in err for w in words), f"{CHIP} --lie {lie}: the message names it {words}")
        check("Traceback" not in err and rc < 128, f"{CHIP} --lie {lie}: no crash")
    # D9: a huge bwPollTimeout with --poll spec has an overall deadline.
    rc, err, same, secs = flash_lie("poll-timeout=60000", img, data, ("--poll", "spec"))
    check(rc != 0 or same, f"{CHIP} poll-timeout=60000 --poll spec: no wrong content")
    check(secs < 100, f"{CHIP} poll-timeout=60000 --poll spec: ends in {secs:.0f} s (< 100)")


def wait_for(fname, text, secs):
    end = time.monotonic() + secs
    while time.monotonic() < end:
        if os.path.exists(fname) and text in open(fname).read():
            return True
        time.sleep(0.02)
    return False


def interrupt_script(sig, data_file):
    """Flash under --json, signal it once the write phase has made progress,
    then check the board's state with GETSTATUS (stdfu info) and flash again."""
    # the previous run's output goes first: a loop that saw it would signal
    # the new stdfu before it started, and then read the old result
    return (f"rm -f '{path('run.json')}'; "
            f"'{STDFU}' flash '{data_file}' --json >'{path('run.json')}' 2>'{path('run.err')}' & "
            f"P=$!; i=0; while [ $i -lt 3000 ] && ! grep -q '\"phase\":\"write\",\"done\"' "
            f"'{path('run.json')}'; do sleep 0.02; i=$((i+1)); done; "
            f"kill -{sig} $P; wait $P; echo FIRST=$?; "
            f"'{STDFU}' flash '{data_file}' -q; echo SECOND=$?")


def t_interrupt():
    data = app(512 * 1024)  # a write phase of seconds: the signal lands in it under load too
    img = write("big.bin", data)
    for sig, code in (("INT", 130), ("TERM", 143)):
        rc, out, err = emu(sh(interrupt_script(sig, img)), "--timing", "real", "--dump",
                           path("dump.bin"), timeout=300)
        runerr = open(path("run.err")).read()
        res = result(open(path("run.json")).read())
        check(f"FIRST={code}" in out, f"{CHIP} SIG{sig} in the write phase: exit {code} ({out!r})")
        check(res.get("exit") == code and res.get("ok") is False and
              res.get("error") == "interrupted", f"{CHIP} SIG{sig}: JSON result line {res}")
        msg = res.get("message", "")
        check("interrupted during write" in msg and "dfuIDLE" in msg,
              f"{CHIP} SIG{sig}: the message names the phase and the board's state: {msg!r}")
        check("--usb-path" in res.get("hint", ""), f"{CHIP} SIG{sig}: the hint says how to resume")
        check("SECOND=0" in out and read("dump.bin")[:len(data)] == data,
              f"{CHIP} SIG{sig}: the next flash passes ({out!r} {runerr[-200:]!r})")


def t_killed():
    """SIGKILL once the leave's zero-length DNLOAD went out (the emulator's
    --verbose log shows it), before the GETSTATUS that completes it: the board
    is left mid-manifestation; the next flash recovers and exits 0."""
    data = app(8 * 1024)
    img = write("img.bin", data)
    data2 = app(8 * 1024)
    img2 = write("img2.bin", data2)
    log = path("emu.log")
    leave = "21 01 0002 0000 0000 DNLOAD"  # wBlockNum 2, wLength 0 (AN3156 6.3.4)
    script = (f"'{STDFU}' flash '{img}' -q & P=$!; i=0; "
              f"while [ $i -lt 2000 ] && ! grep -q '{leave}' '{log}'; "
              f"do sleep 0.002; i=$((i+1)); done; kill -KILL $P; wait $P; echo FIRST=$?; "
              f"'{STDFU}' flash '{img2}' -q; echo SECOND=$?")
    with open(log, "w") as lf:
        p = subprocess.run([EMU, "--chip", CHIP, "--timing", "real", "--verbose", "--dump",
                            path("dump.bin"), "--", "/bin/sh", "-c", script],
                           stdout=subprocess.PIPE, stderr=lf, text=True, timeout=300)
    out = p.stdout
    check(leave in open(log).read(), f"{CHIP} the leave's zero-length DNLOAD was sent")
    check("FIRST=137" in out, f"{CHIP} the first flash was killed ({out!r})")
    check("SECOND=0" in out and read("dump.bin")[:len(data2)] == data2,
          f"{CHIP} after a kill behind the leave the next flash exits 0 ({out!r})")


def t_repros():
    data = app(6000)
    img = write("img.bin", data)
    # D1: a stalled request while the layout is read is not "does not fit".
    rc, out, err = emu([STDFU, "flash", img, "-q"], "--fault", "stall:any:4", "--dump",
                       path("dump.bin"))
    check((rc == 0 and read("dump.bin")[:len(data)] == data) or
          (rc not in (0, 9) and "fit" not in err),
          f"D1 stall:any:4: a correct flash or the real cause, never exit 9 ({rc}: {err[-200:]!r})")
    # D6: number suffixes that would wrap are refused.
    for opt, val in (("--address", "18014398509613056K"), ("--timeout", "18446744073709552s")):
        p = subprocess.run([STDFU, "flash", img, opt, val], capture_output=True, text=True)
        check(p.returncode == EXIT_USAGE and f"bad {opt}" in p.stderr,
              f"D6 {opt} {val}: exit 2, named ({p.returncode})")
    # D7: a FIFO is refused without blocking in open().
    fifo = path("fifo")
    os.mkfifo(fifo)
    p = subprocess.run([STDFU, "flash", fifo], capture_output=True, text=True, timeout=20)
    check(p.returncode == EXIT_FILE and "not a regular file" in p.stderr,
          f"D7 FIFO as FILE: exit 8 at once ({p.returncode}: {p.stderr.strip()!r})")
    # D4: read does not replace a file without --force, and checks it first.
    old = write("old.bin", b"keep me" * 100)
    rc, out, err = emu([STDFU, "read", old, "--address", "0x08000000", "--length", "4096"],
                       "--stats", path("st.json"))
    stats = json.load(open(path("st.json")))
    check(rc == EXIT_FILE and "--force" in err and read("old.bin") == b"keep me" * 100,
          f"D4 read over an existing file: exit 8, file kept, --force named ({rc})")
    check(stats["by_request"].get("upload", 0) == 0, "D4 ... and the device was not read")
    rc, out, err = emu([STDFU, "read", old, "--address", "0x08000000", "--length", "4096",
                        "--force", "-q"])
    check(rc == 0 and len(read("old.bin")) == 4096, f"D4 read --force replaces it ({rc})")
    # D5: a read outside the memory map is refused up front, with a read's hint.
    rc, out, err = emu([STDFU, "read", path("r.bin"), "--address", "0x20000000", "--length",
                        "16"], "--stats", path("st.json"))
    stats = json.load(open(path("st.json")))
    check(rc == EXIT_ADDRESS and "half-written" not in err and "nothing was read" in err,
          f"D5 read outside the map: exit 22, no 'half-written' ({rc}: {err[-200:]!r})")
    check(stats["by_request"].get("upload", 0) == 0, "D5 ... and no UPLOAD reached the device")
    # Junk at the flash base: exit 7 before the device is touched; --force takes it.
    for name, blob in (("notes.txt", b"my notes\nmore notes\n" * 20),
                       ("logo.png", b"\x89PNG\r\n\x1a\n" + bytes(200))):
        f = write(name, blob)
        rc, out, err = emu([STDFU, "flash", f], "--stats", path("st.json"))
        stats = json.load(open(path("st.json")))
        check(rc == EXIT_IMAGE and "not an application" in err and "--force" in err,
              f"junk {name}: exit 7, says why and names --force ({rc})")
        check(stats["control_transfers"] == 0, f"junk {name}: the device was not touched")
    # D8: a DNLOAD that ends in another state than dfuDNLOAD-IDLE fails, --no-verify too.
    for state in (2, 6, 7, 8):
        rc, out, err = emu([STDFU, "flash", img, "--no-verify", "-q"], "--lie",
                           f"state-after-dnload={state}")
        check(rc == EXIT_PROTOCOL, f"D8 state-after-dnload={state} --no-verify: exit 16 ({rc})")
    # E1: a status= fault aimed at the GETSTATUS that completes a command takes effect.
    rc, out, err = emu([STDFU, "flash", img, "-q"], "--fault", "status=errPROG:getstatus:3")
    check(rc != 0, f"E1 status=errPROG:getstatus:3 takes effect (exit {rc})")
    # E4: timeout, a request never answered, is a timeout for the host.
    rc, out, err = emu([STDFU, "flash", img, "-q"], "--fault", "timeout:upload:1", timeout=200)
    check(rc != 0 and rc < 128, f"E4 timeout:upload:1: a documented failure (exit {rc})")


if __name__ == "__main__":
    H.main(globals(), TEST)
