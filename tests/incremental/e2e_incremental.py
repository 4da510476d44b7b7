#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""e2e: stdfu flash --incremental, installed binaries under stdfu-emu (f405).

1. Re-flash of an unchanged 256 KiB image onto flash that already holds it:
   exit 0, 0 data blocks written and 0 erases (--stats), flash unchanged.
2. The same image with one byte changed in sector 2 (16 KiB at 0x08008000):
   exactly that sector is erased and its 8 blocks written; the dump equals the
   new image; every other sector keeps its content.
3. Leftovers after the image's end inside its last sector: that sector is
   rewritten so the result equals a full flash (0xFF after the image).

usage: e2e_incremental.py STAGE_PREFIX WORKDIR
"""
import json
import os
import random
import subprocess
import sys

KiB = 1024
BASE = 0x08000000


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def image(size, seed):
    rnd = random.Random(seed)
    data = bytearray(rnd.getrandbits(8) for _ in range(size))
    data[0:8] = (0x20001000).to_bytes(4, "little") + (0x08000101).to_bytes(4, "little")
    return data


def run(stage, work, name, img, load, extra=()):
    d = os.path.join(work, name)
    os.makedirs(d, exist_ok=True)
    img_path, load_path = os.path.join(d, "img.bin"), os.path.join(d, "load.bin")
    stats, dump = os.path.join(d, "stats.json"), os.path.join(d, "dump.bin")
    open(img_path, "wb").write(img)
    open(load_path, "wb").write(load)
    cmd = [os.path.join(stage, "bin", "stdfu-emu"), "--chip", "f405", "--mode", "dfu",
           "--load", f"{load_path}@0x{BASE:08x}", "--stats", stats, "--dump", dump, "--",
           os.path.join(stage, "bin", "stdfu"), "flash", img_path, "--incremental", "--json",
           *extra]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        fail(f"{name}: exit {p.returncode}\n{p.stdout}\n{p.stderr}")
    st = json.load(open(stats))
    if isinstance(st.get("boards"), list):
        st = st["boards"][0]
    return st, open(dump, "rb").read(), p.stdout


def main():
    stage, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    img = image(256 * KiB, 1)

    st, dump, _ = run(stage, work, "unchanged", img, img)
    req = st["by_request"]
    if req["dnload_data"] != 0 or req["dnload_erase"] != 0:
        fail(f"unchanged: wrote {req['dnload_data']} blocks, {req['dnload_erase']} erases")
    if dump[:len(img)] != img or dump[len(img):] != b"\xff" * (len(dump) - len(img)):
        fail("unchanged: flash content changed")
    if req["upload"] < 256 * KiB // 2048:
        fail(f"unchanged: only {req['upload']} UPLOADs: the sectors were not read back")

    new = bytearray(img)
    new[2 * 16 * KiB + 777] ^= 0x5A
    st, dump, _ = run(stage, work, "one-sector", bytes(new), img)
    req = st["by_request"]
    if req["dnload_erase"] != 1 or req["dnload_data"] != 16 * KiB // 2048:
        fail(f"one-sector: {req['dnload_erase']} erases, {req['dnload_data']} blocks; "
             "want 1 and 8")
    if dump[:len(new)] != bytes(new):
        fail("one-sector: dump differs from the new image")

    short = img[:20 * KiB]
    st, dump, _ = run(stage, work, "leftovers", short, img)
    req = st["by_request"]
    if req["dnload_erase"] != 1:
        fail(f"leftovers: {req['dnload_erase']} erases, want 1 (sector 1 only)")
    want = short + b"\xff" * (32 * KiB - len(short))
    if dump[:32 * KiB] != want or dump[32 * KiB:len(img)] != img[32 * KiB:]:
        fail("leftovers: flash is not what a full flash of the short image leaves")
    print("incremental e2e: OK")


if __name__ == "__main__":
    main()
