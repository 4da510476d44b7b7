#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""End-to-end tests of the installed `stdfu` under the installed `stdfu-emu`.

usage: e2e.py STAGE TEST [CHIP]
Every test runs real binaries: stdfu-emu builds a umockdev testbed, and the
real libusb inside stdfu (and Debian's dfu-util) talk to the emulated ROM.
"""
import os
import shutil
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from harness import Harness, json_lines, last_event, sh  # noqa: E402

TEST = sys.argv[2]
CHIP = sys.argv[3] if len(sys.argv) > 3 else "f405"
# Flash with ECC: every family but F0/F1/F3 (half-word PGERR, RM0091 3.2.2) and
# F2/F4/F7 (no ECC, RM0090 3.5.4): the emulated chips' names start with the family.
ECC = not CHIP.startswith("f")
H = Harness(sys.argv[1], "stdfu-e2e-", 0x5DF0 + sum(map(ord, TEST + CHIP)))
STDFU, EMU = H.stdfu, H.emu
DFU_UTIL = shutil.which("dfu-util") or "/usr/bin/dfu-util"
check, path, write, read = H.check, H.path, H.write, H.read


def emu(cmd, *emu_args, timeout=120):
    """Run cmd (list) under stdfu-emu; return (rc, stdout, stderr)."""
    return H.run(cmd, ["--chip", CHIP, *emu_args], timeout=timeout, cwd=None)


def rand(n):
    """Random bytes: not an application, so flashing them at the base needs --force."""
    return bytes(H.rng.getrandbits(8) for _ in range(n))


def result(out):
    return last_event(out, "result")


def layout():
    """Base, size and sectors [(start, size)] of the internal flash, from `stdfu list --json`."""
    rc, out, err = emu([STDFU, "list", "--json"])
    assert rc == 0, err
    dev = json_lines(out)[0]
    alt = next(a for a in dev["alts"] if "Internal Flash" in a["name"])
    sectors = []
    for g in alt["sectors"]:
        start = g["start"]
        for i in range(g["count"]):
            sectors.append((start + i * g["size"], g["size"]))
    base = sectors[0][0]
    return base, sectors[-1][0] + sectors[-1][1] - base, sectors


BASE, SIZE, SECTORS = layout()


def touched(addr, n):
    return [s for s in SECTORS if s[0] < addr + n and addr < s[0] + s[1]]


def flash_and_dump(img, addr=None, extra=(), emu_args=()):
    args = [STDFU, "flash", "--force", img, "--json", *extra]
    if addr is not None:
        args += ["--address", hex(addr)]
    rc, out, err = emu(args, "--dump", path("dump.bin"), *emu_args)
    return rc, out, err, read("dump.bin")


def t_flash_random():
    first, second = SECTORS[0][1], SECTORS[1][1]
    cases = [
        ("base, odd size across sectors", BASE, first * 2 + 777),
        ("non-base address, odd size across sectors", SECTORS[1][0] + 0x100, second + 1001),
        ("odd tiny image in a later sector", SECTORS[2][0] + 0x40, 7),
    ]
    for what, addr, n in cases:
        data = rand(n)
        img = write("img.bin", data)
        rc, out, err, dump = flash_and_dump(img, None if addr == BASE else addr)
        off = addr - BASE
        check(rc == 0, f"{CHIP} {what}: exit 0 (got {rc}: {err.strip()[-300:]})")
        check(dump[off:off + n] == data, f"{CHIP} {what}: --dump holds the image")
        check(dump[:off] == b"\xff" * off and dump[off + n:] == b"\xff" * (SIZE - off - n),
              f"{CHIP} {what}: the rest of the flash is erased")
        res = result(out)
        check(res.get("ok") is True and "leave" in res.get("phases", {}),
              f"{CHIP} {what}: JSON result ok with a confirmed leave")
        check(res.get("phases", {}).get("verify", {}).get("bytes") == n,
              f"{CHIP} {what}: verified {n} bytes by read-back")
    # The device instance is gone after the leave: whatever comes back has a new address.
    img = write("img.bin", rand(4001))
    rc, out, err = emu(sh(f"'{STDFU}' list --json; '{STDFU}' flash --force '{img}' --quiet; "
                          f"echo FLASH=$?; sleep 1; '{STDFU}' list --json"))
    lines = json_lines(out)
    before = (lines[0]["usb_path"], lines[0]["address"]) if lines else None
    after = [(o["usb_path"], o["address"]) for o in lines[1:] if o.get("event") == "device"]
    check("FLASH=0" in out, f"{CHIP} flash exits 0 before re-listing")
    check(before is not None and before not in after,
          f"{CHIP} the DFU device instance {before} is gone after leave (now: {after})")


def t_pattern():
    pattern = bytes((i * 7 + 3) & 0xFF if (i * 7 + 3) & 0xFF != 0xFF else 0x5A
                    for i in range(SIZE))
    pat = write("pattern.bin", pattern)
    addr, n = SECTORS[1][0] + 0x40, SECTORS[1][1] + 333
    data = rand(n)
    img = write("img.bin", data)
    rc, out, err, dump = flash_and_dump(img, addr, emu_args=("--load", pat))
    check(rc == 0, f"{CHIP} pattern: exit 0 (got {rc}: {err.strip()[-300:]})")
    hit = touched(addr, n)
    check(len(hit) == 2, f"{CHIP} pattern: the image touches 2 sectors")
    expect = bytearray(pattern)
    for start, size in hit:
        expect[start - BASE:start - BASE + size] = b"\xff" * size
    expect[addr - BASE:addr - BASE + n] = data
    check(dump == bytes(expect),
          f"{CHIP} pattern: only the touched sectors changed, 0xFF outside the image")
    untouched = [s for s in SECTORS if s not in hit]
    check(all(dump[s - BASE:s - BASE + z] == pattern[s - BASE:s - BASE + z] for s, z in untouched),
          f"{CHIP} pattern: all {len(untouched)} other sectors keep their pattern")


def t_interop():
    n = SECTORS[0][1] + 1234 + 1
    data = rand(n)
    img = write("img.bin", data)
    rb = path("readback.bin")
    rc, out, err = emu(sh(f"'{STDFU}' flash --force '{img}' --no-leave --quiet && "
                          f"'{DFU_UTIL}' -a 0 -s {hex(BASE)}:{n} -U '{rb}'"))
    check(rc == 0, f"{CHIP} stdfu flash then dfu-util -U: exit 0 (got {rc}: {err[-300:]})")
    check(os.path.exists(rb) and read("readback.bin") == data,
          f"{CHIP} dfu-util reads back exactly what stdfu wrote")
    data2 = rand(n + 2)
    img2 = write("img2.bin", data2)
    other = write("other.bin", data2[:100] + bytes([data2[100] ^ 0x01]) + data2[101:])
    # dfu-util leaves; the emulated ROM comes back (the random image is no app),
    # as a new device instance with the flash dfu-util wrote.
    rc, out, err = emu(sh(f"addr() {{ '{STDFU}' list --json | grep -o '\"address\":[0-9]*'; }}; "
                          f"B=$(addr); "
                          f"'{DFU_UTIL}' -a 0 -s {hex(BASE)}:leave -D '{img2}' >/dev/null; "
                          f"for i in $(seq 50); do A=$(addr); "
                          f"[ -n \"$A\" ] && [ \"$A\" != \"$B\" ] && break; sleep 0.1; done; "
                          f"'{STDFU}' verify '{img2}'; echo VERIFY=$?; "
                          f"'{STDFU}' verify '{other}'; echo VERIFY_OTHER=$?"))
    check("VERIFY=0" in out, f"{CHIP} stdfu verify accepts what dfu-util wrote ({err[-300:]})")
    check("VERIFY_OTHER=11" in out and hex(BASE + 100)[2:] in err,
          f"{CHIP} stdfu verify rejects a one-bit difference at its address (exit 11)")


def expect_failure(what, code, words, args, emu_args=()):
    rc, out, err = emu([STDFU, *args], *emu_args)
    check(rc == code, f"{CHIP} {what}: exit {code} (got {rc})")
    check(all(w in err for w in words), f"{CHIP} {what}: message mentions {words}: {err.strip()!r}")
    check("ok (" not in err and "ok (" not in out, f"{CHIP} {what}: no success reported")
    rc2, out2, _ = emu([STDFU, *args, "--json"], *emu_args)
    res = result(out2)
    check(rc2 == code and res.get("ok") is False and res.get("exit") == code and res.get("hint"),
          f"{CHIP} {what}: JSON result ok=false, exit {code}, with a hint")


def t_failures():
    img = write("img.bin", rand(3 * 2048 + 5))
    expect_failure("read protection", 14, ["errVENDOR", "unprotect --yes"], ["flash", "--force", img],
                   ("--rdp", "1"))
    big = write("big.bin", rand(SIZE + 1))
    expect_failure("image too large", 9, ["does not fit", "1 bytes too many"], ["flash", "--force", big])
    expect_failure("address outside the flash", 22, ["outside", "--address"],
                   ["flash", "--force", img, "--address", hex(BASE + SIZE + 0x1000)])
    expect_failure("unplug part-way", 15, ["disconnected", "half-written"], ["flash", "--force", img],
                   ("--fault", "disconnect:dnload-data:2"))
    prog = ("--fault", "status=errPROG:dnload-data:2")
    expect_failure("device answers errPROG (--always-erase)", 10,
                   ["errPROG", "flash the image again"], ["flash", "--force", img, "--always-erase"], prog)
    if not ECC:
        # No ECC: a blank unit can always be programmed (RM0090 3.5.4; PGERR of
        # F0/F3 only for a half-word that is not 0xFFFF, RM0091 3.2.2), so an
        # errPROG into a skipped sector is a real failure, not hidden by a retry.
        expect_failure("device answers errPROG in a blank sector", 10,
                       ["errPROG", "flash the image again"], ["flash", "--force", img], prog)
        return
    # ECC: an errPROG into a sector skipped as blank is the programmed-0xFF case;
    # that sector alone is erased and written again, and the flash succeeds.
    # The H7 skips nothing unless trusted (it cannot refuse a second
    # programming): there the sector was erased, and errPROG is a real failure.
    trust = []
    if CHIP == "h7":
        expect_failure("device answers errPROG in a blank-looking sector (erased: h7)", 10,
                       ["errPROG", "flash the image again"], ["flash", "--force", img], prog)
        trust = ["--trust-blank"]
    data = read("img.bin")
    rc, out, err = emu([STDFU, "flash", "--force", img, "--json", "--no-leave", *trust], *prog,
                       "--dump", path("dump.bin"))
    fb = [o for o in json_lines(out) if o.get("event") == "sector" and o.get("action") == "fallback"]
    check(rc == 0 and len(fb) == 1 and read("dump.bin")[:len(data)] == data,
          f"{CHIP} errPROG in a blank sector: one fallback, the image in place, exit 0 "
          f"(got {rc}, {fb}: {err[-300:]!r})")


def stats_run(img, extra):
    rc, out, err = emu([STDFU, "flash", "--force", img, "--quiet", *extra],
                       "--stats", path("stats.json"), "--dump", path("dump.bin"))
    return rc, H.stats("stats.json")


def t_stats():
    data = rand(1024 * 1024)
    img = write("img.bin", data)
    blocks = len(data) // 2048
    # The write and verify phases alone: --always-erase reads nothing back first.
    rc, s1 = stats_run(img, ["--no-verify", "--always-erase"])
    per = s1["control_transfers"] / blocks
    print(f"     --no-verify: {s1['control_transfers']} transfers, {per:.3f} per block")
    check(rc == 0 and read("dump.bin") == data, "1 MiB --no-verify flash ok")
    check(per <= 3.15, f"--no-verify: {per:.3f} <= 3.15 control transfers per 2 KiB block")
    rc, s2 = stats_run(img, ["--always-erase"])
    added = (s2["control_transfers"] - s1["control_transfers"]) / blocks
    print(f"     verify: {s2['control_transfers']} transfers, adds {added:.3f} per block")
    check(rc == 0 and read("dump.bin") == data, "1 MiB verified flash ok")
    check(added <= 1.05, f"read-back verify adds {added:.3f} <= 1.05 per block")
    # (+ 2: the wTransferSize check reads a block and a byte at the end of the flash)
    check(s2["by_request"]["upload"] == blocks + 2, "exactly 1 UPLOAD per block")
    # The blank-sector skip on this blank chip: the read-back costs one UPLOAD
    # per block, plus the 64-byte head of each sector (read first: on a chip
    # that holds data it alone decides), and one Set Address per sector; no
    # sector is erased, and the
    # write starts a new Set Address at each skipped sector (its part is
    # written on its own, so that an errPROG is known to be that sector's).
    rc, s3 = stats_run(img, [])
    r2, r3 = s2["by_request"], s3["by_request"]
    sectors = r2["dnload_erase"]
    print(f"     blank skip: {s3['control_transfers']} transfers "
          f"({r3['upload']} UPLOAD, {r3['dnload_set_address']} Set Address, "
          f"{r3['dnload_erase']} erases; --always-erase: {r2['dnload_set_address']} Set Address,"
          f" {sectors} erases)")
    check(rc == 0 and read("dump.bin") == data, "1 MiB blank-skip flash ok")
    check(r3["upload"] == 2 * blocks + sectors + 2 and r3["dnload_erase"] == 0,
          f"blank skip: 1 read-back + 1 verify UPLOAD per block, 1 head per sector, no "
          f"erase ({r3})")
    check(r3["dnload_set_address"] <= r2["dnload_set_address"] + 2 * sectors,
          "blank skip: at most one Set Address per sector in the read and in the write")
    # A new Set Address is an ABORT, its DNLOAD and two GETSTATUS; an erase saved
    # is a DNLOAD and two GETSTATUS.
    bound = s2["control_transfers"] + blocks + sectors + 4 * 2 * sectors - 3 * sectors
    check(s3["control_transfers"] <= bound,
          f"blank skip: {s3['control_transfers']} <= {bound} transfers (1 UPLOAD per block "
          f"and 1 per sector, a new Set Address per sector in the read and in the write, the erases saved)")


def t_commands():
    rc, out, err = emu([STDFU, "info"])
    check(rc == 0 and "transfer size" in out and "R-W" in out or "REW" in out,
          f"info decodes alts: {out[:200]!r}")
    data = rand(5000)
    img = write("img.bin", data)
    rb = path("rb.bin")
    rc, out, err = emu(sh(f"'{STDFU}' flash --force '{img}' --no-leave -q && '{STDFU}' read '{rb}' "
                          f"--address {hex(BASE)} --length 5000 -q && "
                          f"'{STDFU}' erase --address {hex(BASE)} --length 1 -q && "
                          f"'{STDFU}' verify '{img}' -q; echo V=$?; "
                          f"'{STDFU}' erase --mass -q; echo M=$?; '{STDFU}' leave -q; echo L=$?"),
                       "--dump", path("dump.bin"))
    check(os.path.exists(rb) and read("rb.bin") == data, "read returns what flash wrote")
    check("V=11" in out, "verify fails after erase (exit 11)")
    check("M=0" in out and "L=0" in out and read("dump.bin") == b"\xff" * SIZE,
          f"mass erase and leave succeed: {out!r} {err[-200:]!r}")
    # Read protection: unprotect needs --yes, then clears it; flashing works again.
    rc, out, err = emu(sh(f"'{STDFU}' unprotect; echo U0=$?; '{STDFU}' unprotect --yes -q; "
                          f"echo U=$?; sleep 1; '{STDFU}' flash --force '{img}' -q; echo F=$?"),
                       "--rdp", "1", "--dump", path("dump.bin"))
    check("U0=2" in out and "U=0" in out and "F=0" in out and read("dump.bin")[:5000] == data,
          f"unprotect --yes removes read protection: {out!r} {err[-300:]!r}")
    # Several boards: refuse and list candidates; --usb-path picks exactly one.
    rc, out, err = emu([STDFU, "flash", "--force", img], "--boards", "3")
    check(rc == 4 and err.count("usb-path 1-") == 3 and "--serial" in err,
          f"3 boards without SELECT: exit 4 and 3 candidates listed: {err!r}")
    rc, out, err = emu([STDFU, "flash", "--force", img, "--usb-path", "1-2", "-q"], "--boards", "3",
                       "--dump", path("b.bin"))
    dumps = [read(f"b.bin.{i}") for i in (1, 2, 3)]
    check(rc == 0 and dumps[1][:5000] == data and dumps[0] == dumps[2] == b"\xff" * SIZE,
          "--usb-path 1-2 flashes only the middle board")
    # A DFU suffix made for another device is refused unless --force.
    # (an application's vector table first: the suffix check is what is tested)
    app = struct.pack("<II", 0x20001000, BASE + 0x201) + data[8:]
    suf = write("suffix.bin", app)
    if shutil.which("dfu-suffix"):
        subprocess.run(["dfu-suffix", "-v", "1234", "-p", "5678", "-a", suf],
                       capture_output=True, check=True)
        rc, out, err = emu([STDFU, "flash", suf])
        check(rc == 17 and "--force" in err, f"suffix for 1234:5678 refused (exit 17): {err!r}")
        rc, out, err = emu([STDFU, "flash", suf, "--force", "-q"], "--dump", path("dump.bin"))
        check(rc == 0 and read("dump.bin")[:5000] == app, "--force flashes it (suffix stripped)")
    # JSON: one object per line, in order, with the result last.
    rc, out, err = emu([STDFU, "flash", "--force", img, "--json"])
    events = [(o["event"], o.get("phase")) for o in json_lines(out)]
    order = [e for e in events if e[0] in ("device", "phase_start", "phase_end", "result")]
    check(rc == 0 and all(line.startswith("{") for line in out.splitlines()),
          "--json prints only JSON lines")
    check(("device", None) in order and order[-1] == ("result", None) and
          [p for e, p in order if e == "phase_end"] == ["prepare", "read", "erase", "write",
                                                       "verify", "leave"],
          f"--json event order: {order}")
    # The read phase decided the one touched sector of this blank chip: skipped.
    sec = [o.get("action") for o in json_lines(out) if o["event"] == "sector"]
    check(sec == ["skipped-blank"], f"--json reports the blank sector as skipped: {sec}")
    res = result(out)
    check(res["phases"]["write"]["transfers"] == 3 * 3 + 3 and res["transfers_total"] > 0,
          f"--json counts 3 transfers per block + 1 Set Address: {res['phases']['write']}")
    # Usage errors.
    for args in (["flash"], ["flash", img, "--poll", "never"], ["erase"],
                 ["read", rb, "--address", "0x08000000"], ["frobnicate"],
                 ["flash", img, "--usb-path", "1:2"], ["list", "--mass"],
                 ["flash", img, "--always-erase", "--trust-blank"]):
        p = subprocess.run([STDFU, *args], capture_output=True, text=True)
        check(p.returncode == 2 and "usage" in p.stderr + p.stdout or "stdfu:" in p.stderr,
              f"usage error for {args}: exit 2 (got {p.returncode})")
    p = subprocess.run([STDFU, "--version"], capture_output=True, text=True)
    check(p.returncode == 0 and p.stdout.startswith("stdfu "), "--version")
    p = subprocess.run([STDFU, "flash", "--help"], capture_output=True, text=True)
    check(p.returncode == 0 and "--no-verify" in p.stdout, "flash --help")
    p = subprocess.run([STDFU, "flash", path("missing.bin")], capture_output=True, text=True)
    check(p.returncode in (7, 8), f"missing file: exit 7/8 (got {p.returncode}) {p.stderr!r}")


def t_short_poll():
    """A ROM that reports too short a bwPollTimeout and stalls GETSTATUS while
    busy (--fault quirk=short-poll, real timing): both poll policies must treat
    the stall as busy and finish the flash correctly."""
    img = rand(SECTORS[0][1] + 3 * 1024 + 5)
    write("img.bin", img)
    for policy in ("early", "spec"):
        rc, out, err, dump = flash_and_dump(
            path("img.bin"), extra=("--poll", policy),
            emu_args=("--timing", "real", "--fault", "quirk=short-poll"))
        check(rc == 0, f"{CHIP} short-poll, --poll {policy}: exit 0 (got {rc}) {err[-300:]!r}")
        check(dump[: len(img)] == img, f"{CHIP} short-poll, --poll {policy}: flash holds the image")


H.main(globals(), TEST, clean=True)
