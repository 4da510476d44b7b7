#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""End-to-end tests of chip identification, option bytes and read protection:
the installed `stdfu` under the installed `stdfu-emu`.

usage: e2e_chip.py STAGE TEST [CHIP]
  info        stdfu info --json on every emulated chip at --rdp 0 and 1
  optbytes    show decodes RDP and the boot fields; a harmless set persists
              through --dump/--load; refusals (RDP 2, ROM lock-out, bad value,
              unknown field, no --yes) write nothing
  lockout     --allow-rom-lockout: the board comes back as its application
              (which stdfu triggers again) or as nothing (exit 15)
  protect     flash --protect -> RDP 1; flash exits 14; unprotect --yes; flash
"""
import os
import re
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from harness import Harness, last_event, sh  # noqa: E402

TEST = sys.argv[2]
CHIP = sys.argv[3] if len(sys.argv) > 3 else "f405"
H = Harness(sys.argv[1], "stdfu-chip-")
STDFU, EMU = H.stdfu, H.emu
check, path, write, read = H.check, H.path, H.write, H.read

# What each emulated chip is, from its reference manual and public dumps
# (the chip table of src/emu/model/chips.c): family, flash bytes, bcdDevice.
# A chip model without a line here fails the info test: add it.
EXPECT = {
    "f405": ("F4", 1024 * 1024, "22.00"),
    "l4": ("L4", None, None),
    "h7": ("H7", 2048 * 1024, "2.00"),
    "g0": ("G0", 512 * 1024, "2.00"),
    "f072": ("F0", 128 * 1024, "22.00"),
    "f303": ("F3", 256 * 1024, "22.00"),
    "f746": ("F7", 1024 * 1024, "22.00"),
    "f722": ("F7", 512 * 1024, "2.00"),
    "g474": ("G4", 512 * 1024, "2.00"),
    "l432": ("L4", 256 * 1024, "22.00"),
    "u585": ("U5", 2048 * 1024, "2.00"),
    "h563": ("H5", 2048 * 1024, "3.00"),
    "wb55": ("WB", 1024 * 1024, "2.00"),
    "c071": ("C0", 128 * 1024, "2.00"),
}

# Per chip: boot fields show must decode, a harmless field, a lock-out setting
# (one that boots the flash: the application comes back, or nothing).
OB = {
    "f405": (["RDP", "BFB2"], "nRST_STDBY", "BFB2=1"),
    "l4": (["RDP", "nBOOT1", "nSWBOOT0", "nBOOT0", "BFB2"], "nRST_STDBY", "nSWBOOT0=0"),
    "g0": (["RDP", "nBOOT_SEL", "nBOOT0", "nBOOT1", "BOOT_LOCK"], "nRST_STDBY", "BOOT_LOCK=1"),
    "h7": (["RDP", "BOOT_ADD0", "BOOT_ADD1"], "nRST_STBY_D1", "BOOT_ADD1=0x0800"),
}

EXIT_USAGE, EXIT_PROTECTED, EXIT_GONE = 2, 14, 15


def emu(cmd, *emu_args, chip=None, timeout=120):
    return H.run(cmd, ["--chip", chip or CHIP, *emu_args], timeout=timeout, cwd=None)


event = last_event


def app_image(n=6000):
    """A plausible application: initial SP in SRAM, odd reset vector in flash."""
    data = struct.pack("<II", 0x20002000, 0x08000101) + bytes((i * 13 + 5) & 0xFF
                                                               for i in range(n - 8))
    return write("app.bin", data)


def chips():
    """The chip models stdfu-emu --help lists after "--chip NAME ...:"."""
    rc, out, err = H.run([EMU, "--help"], cwd=None)
    lines = (out + err).splitlines()
    i = next(n for n, ln in enumerate(lines) if "--chip NAME" in ln)
    words = lines[i].split(":", 1)[1].split()
    for ln in lines[i + 1:]:
        if ln.strip().startswith("--"):
            break
        words += ln.split()
    return [w.strip(",") for w in words if re.match(r"^[a-z]+[0-9][a-z0-9]*,?$", w)]


def t_info():
    models = chips()
    check(len(models) >= 4, f"stdfu-emu --help lists the chip models ({models})")
    for chip in models:
        check(chip in EXPECT, f"{chip}: an expected identity is recorded in this test")
        fam, size, bcd = EXPECT.get(chip, (None, None, None))
        for rdp in (0, 1):
            rc, out, err = emu([STDFU, "info", "--json"], "--rdp", str(rdp), chip=chip)
            info = event(out, "info")
            what = f"{chip} --rdp {rdp}"
            if not check(rc == 0 and info, f"{what}: info exits 0 ({rc}: {err[-300:]})"):
                continue
            check(info["family"] == fam, f"{what}: family {info['family']} == {fam}")
            if size:
                check(info["flash_size"] == size, f"{what}: flash {info['flash_size']}")
            if bcd:
                check(info["bcd_device"] == bcd, f"{what}: bcdDevice {info['bcd_device']}")
            check(info["uid"] or info["uid_reason"], f"{what}: a UID or the reason")
            check(info["rdp"] == rdp, f"{what}: rdp {info['rdp']} matches --rdp")
            check(info["rdp_source"], f"{what}: says how RDP was found")
            check(info["transfer_size"] > 0 and info["part"], f"{what}: transfer size, part")


def ob_show(chip, *emu_args):
    rc, out, err = emu([STDFU, "option-bytes", "show", "--json"], *emu_args, chip=chip)
    ev = event(out, "option_bytes")
    return rc, {f["name"]: f for f in ev.get("fields", [])}, ev, err


def optbytes(dump):
    """The option bytes the emulator wrote beside its --dump DUMP (a scratch path)."""
    return read(dump + ".optbytes")


def refused(chip, what, args, cls, dump):
    rc, out, err = emu([STDFU, "option-bytes", "set", *args, "--json"], "--dump", dump,
                       chip=chip)
    res = event(out, "result")
    check(rc == EXIT_USAGE and res.get("refusal") == cls,
          f"{chip} {what}: refused, exit 2, refusal {cls} (got {rc}, {res})")
    check(res.get("message"), f"{chip} {what}: the refusal explains itself")
    return optbytes(dump)


def t_optbytes():
    boot, harmless, lockout = OB[CHIP]
    rc, fields, ev, err = ob_show(CHIP)
    check(rc == 0, f"{CHIP} option-bytes show exits 0 ({err[-200:]})")
    for name in boot:
        check(name in fields and fields[name]["meaning"] is not None and fields[name]["ref"],
              f"{CHIP} show decodes {name} with its meaning and RM section")
    check(fields.get("RDP", {}).get("value") == 0xAA, f"{CHIP} RDP reads 0xAA (level 0)")
    check(ev.get("boot"), f"{CHIP} show says what the boot settings mean")
    dump = path("ob.bin")
    base = refused(CHIP, "RDP=0xCC", ["RDP=0xCC", "--yes"], "irreversible", dump)
    rc, fields0, _, _ = ob_show(CHIP)
    check(base == refused(CHIP, lockout, [lockout, "--yes"], "rom-lockout", dump),
          f"{CHIP} {lockout}: nothing written")
    refused(CHIP, "unknown field", ["NO_SUCH_FIELD=1", "--yes"], "unknown-field", dump)
    refused(CHIP, "value too wide", ["RDP=0x1AA", "--yes"], "bad-value", dump)
    rc, out, err = emu([STDFU, "option-bytes", "set", f"{harmless}=0"], "--dump", dump)
    check(rc == EXIT_USAGE and "--yes" in err, f"{CHIP} set without --yes: exit 2, asks for it")
    check(optbytes(dump) == base, f"{CHIP} set without --yes writes nothing")
    rc, out, err = emu([STDFU, "option-bytes", "set", f"{harmless}=0", "--yes", "--json"],
                       "--dump", dump)
    res = event(out, "result")
    check(rc == 0 and res.get("ok"), f"{CHIP} set {harmless}=0 --yes: exit 0 ({err[-300:]})")
    check(event(out, "option_change").get("name") == harmless, f"{CHIP} the diff names it")
    check(event(out, "option_bytes_confirmed"), f"{CHIP} read back after the reset")
    rc, fields, _, err = ob_show(CHIP, "--load", dump)
    check(fields.get(harmless, {}).get("value") == 0,
          f"{CHIP} a second run from --dump/--load keeps {harmless}=0")
    check(all(fields[n]["value"] == fields0[n]["value"] for n in fields if n != harmless),
          f"{CHIP} no other field changed")


def t_lockout():
    _, _, lockout = OB[CHIP]
    app = app_image()
    args = [STDFU, "option-bytes", "set", lockout, "--yes", "--allow-rom-lockout", "--json"]
    if CHIP == "f405":
        # BFB2 is reserved on F405/407 (RM0090 §3.7.1): the ROM keeps it 0.
        rc, out, err = emu(args)
        check(rc == 11 and "did not take" in out + err,
              f"f405 BFB2=1: the read-back shows the ROM did not take it, exit 11 (got {rc})")
        return
    rc, out, err = emu(args, "--load", app, "--dump", path("l.bin"))
    check(rc == 0, f"{CHIP} {lockout} with an application: back as the application, "
          f"triggered into the ROM again and confirmed ({rc}: {err[-400:]})")
    rc, out, err = emu(args + ["--timeout", "1500"], "--dump", path("n.bin"))
    check(rc == EXIT_GONE, f"{CHIP} {lockout} on a blank flash: nothing comes back, exit 15 "
          f"(got {rc})")
    check("boot settings" in err or "boot settings" in out, f"{CHIP} the error names the cause")


def t_protect():
    app = app_image()
    # --wait-app: the next command finds the application back (a station's flow);
    # after unprotect the ROM re-enumerates (~300 ms).
    script = (f"'{STDFU}' flash '{app}' --protect --wait-app --json; echo PROTECT=$?; "
              f"'{STDFU}' flash '{app}' --quiet; echo FLASH1=$?; "
              f"'{STDFU}' unprotect --yes --quiet; echo UNPROTECT=$?; sleep 1; "
              f"'{STDFU}' flash '{app}' --no-leave --quiet; echo FLASH2=$?; "
              f"'{STDFU}' info --json")
    rc, out, err = emu(sh(script), "--dump", path("p.bin"), timeout=240)
    prot = event(out, "protect")
    check("PROTECT=0" in out, f"{CHIP} flash --protect exits 0 ({err[-400:]})")
    check(prot.get("rdp") == 1, f"{CHIP} --protect reports RDP level 1 ({prot})")
    check(f"FLASH1={EXIT_PROTECTED}" in out, f"{CHIP} the following flash exits 14")
    check("UNPROTECT=0" in out, f"{CHIP} unprotect --yes recovers")
    check("FLASH2=0" in out, f"{CHIP} a final flash passes")
    check(event(out, "info").get("rdp") == 0, f"{CHIP} info says RDP 0 at the end")
    image = read("app.bin")
    check(read("p.bin")[:len(image)] == image, f"{CHIP} the final image is in flash")


H.main(globals(), TEST, clean=True)
