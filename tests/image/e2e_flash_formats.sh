#!/usr/bin/env bash
# End to end: the same two-region firmware as every format a user may hold,
# flashed by the installed `stdfu` into stdfu-emu (an emulated STM32F405 in
# DFU mode), must leave exactly the same flash; and that flash holds
# objcopy's binary at every byte of the image, erased (0xFF) elsewhere.
#   ELF, objcopy .hex/.srec, dfuse-pack .dfu, dfu-suffix'ed raw .bin,
#   and `stdfu convert` outputs (.hex .srec .dfu, .bin filled with 0xFF).
# objcopy's own .bin has zeros in the gap, so it is flashed too and checked
# against objcopy's binary byte for byte over its whole span.
# Missing binaries are a failure, not a skip.
# Usage: e2e_flash_formats.sh STAGE FW_SRC_DIR WORK_DIR
set -euo pipefail
stage=$1 src=$2 work=$3
stdfu=$stage/bin/stdfu emu=$stage/bin/stdfu-emu
for b in "$stdfu" "$emu"; do
	[ -x "$b" ] || { echo "FAIL: $b is not installed (needs the CLI and the emulator)"; exit 1; }
done
for t in arm-none-eabi-gcc arm-none-eabi-objcopy dfuse-pack dfu-suffix python3; do
	command -v "$t" >/dev/null || { echo "FAIL: $t not found (see .ci/deps)"; exit 1; }
done

rm -rf "$work" && mkdir -p "$work" && cd "$work"
arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -Os -nostdlib -ffreestanding \
	-T "$src/fw.ld" "$src/fw.c" -o fw.elf
arm-none-eabi-objcopy -O ihex fw.elf fw.hex
arm-none-eabi-objcopy -O srec fw.elf fw.srec
arm-none-eabi-objcopy -O binary fw.elf fw.bin
dfuse-pack -s fw.srec fw_pack.dfu >/dev/null
cp fw.bin fw_suffix.bin && dfu-suffix -v 0483 -p df11 -a fw_suffix.bin >/dev/null
for ext in hex srec dfu bin; do
	"$stdfu" convert fw.elf "conv.$ext" --quiet
done

flash() { # FILE [stdfu options...]
	local f=$1
	shift
	if ! "$emu" --chip f405 --mode dfu --dump "dump_$f" -- "$stdfu" flash "$f" --quiet "$@" \
		>"log_$f" 2>&1; then
		cat "log_$f"
		echo "FAIL: flashing $f"
		exit 1
	fi
	echo "flashed $f"
}
flash fw.elf
flash fw.hex
flash fw.srec
flash fw_pack.dfu
flash fw_suffix.bin --address 0x08000000
flash conv.hex
flash conv.srec
flash conv.dfu
flash conv.bin --address 0x08000000
flash fw.bin --address 0x08000000

for f in fw.hex fw.srec fw_pack.dfu conv.hex conv.srec conv.dfu conv.bin; do
	cmp "dump_fw.elf" "dump_$f" || { echo "FAIL: $f left other flash contents than fw.elf"; exit 1; }
done
cmp dump_fw.bin dump_fw_suffix.bin || { echo "FAIL: the DFU suffix was flashed"; exit 1; }

python3 - <<'PY'
import subprocess
base = 0x08000000
obj = open("fw.bin", "rb").read()
elf = open("dump_fw.elf", "rb").read()
raw = open("dump_fw.bin", "rb").read()
# The image's regions, from the ELF's loadable sections as objcopy places them.
out = subprocess.run(["arm-none-eabi-objdump", "-h", "fw.elf"], capture_output=True, text=True).stdout
regions = []
lines = out.splitlines()
for i, l in enumerate(lines):
    f = l.split()
    if len(f) >= 7 and f[0].isdigit() and "LOAD" in lines[i + 1]:
        size, lma = int(f[2], 16), int(f[4], 16)
        if size:
            regions.append((lma, size))
assert len(regions) >= 2, regions
inside = bytearray(len(elf))
for lma, size in regions:
    o = lma - base
    assert elf[o:o + size] == obj[o:o + size], "flash differs from objcopy at 0x%08x" % lma
    inside[o:o + size] = b"\1" * size
bad = [i for i in range(len(elf)) if not inside[i] and elf[i] != 0xFF]
assert not bad, "bytes outside the image were written, first at 0x%08x" % (base + bad[0])
assert raw[:len(obj)] == obj, "objcopy's .bin was not flashed as is"
assert all(b == 0xFF for b in raw[len(obj):]), "flash after objcopy's .bin was written"
print("PASS: %d regions match objcopy to the byte: %s" % (len(regions),
      ", ".join("0x%08x+%d" % r for r in regions)))
PY
