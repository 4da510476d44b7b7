#!/usr/bin/env bash
# Round trips with files from real toolchains: build a two-region Cortex-M
# firmware with arm-none-eabi-gcc, derive .hex/.srec/.bin with objcopy, a
# .dfu with Debian's dfuse-pack and a suffixed .bin with dfu-suffix, then let
# roundtrip_check compare everything to the byte. Finally check that the
# .dfu files our writer makes are accepted by dfu-util's own tools.
# Usage: roundtrip.sh CHECKER FW_SRC_DIR WORK_DIR
set -euo pipefail
checker=$1 src=$2 work=$3

need() {
	command -v "$1" >/dev/null || { echo "FAIL: $1 not found (apt-get install $2; listed in .ci/deps)"; exit 1; }
}
need arm-none-eabi-gcc gcc-arm-none-eabi
need arm-none-eabi-objcopy binutils-arm-none-eabi
need dfuse-pack dfu-util
need dfu-suffix dfu-util

rm -rf "$work" && mkdir -p "$work" && cd "$work"
arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -Os -nostdlib -ffreestanding \
	-T "$src/fw.ld" "$src/fw.c" -o fw.elf
arm-none-eabi-objcopy -O ihex fw.elf fw.hex
arm-none-eabi-objcopy -O srec fw.elf fw.srec
arm-none-eabi-objcopy -O binary fw.elf fw.bin
dfuse-pack -s fw.srec fw_pack.dfu >/dev/null
cp fw.bin fw_suffix.bin
dfu-suffix -v 0483 -p df11 -d 0x0200 -a fw_suffix.bin >/dev/null

"$checker" check "$work"

# Our .dfu, read by the reference tools: the suffix CRC by dfu-suffix, the
# prefix/targets/elements by dfuse-pack's dump, which must give back the
# exact bytes of each ELF load region.
dfu-suffix -c conv.dfu | grep -q 'Vendor ID:.*0x0483' || { echo "FAIL: dfu-suffix rejects conv.dfu"; exit 1; }
mkdir -p dump && (cd dump && dfuse-pack -d ../conv.dfu) > dump.txt
cat dump.txt
grep -q "elements: 2" dump.txt || { echo "FAIL: dfuse-pack sees no 2 elements"; exit 1; }
arm-none-eabi-objcopy -O binary -j .isr_vector -j .text -j .data fw.elf region0.bin
arm-none-eabi-objcopy -O binary -j .calib fw.elf region1.bin
cmp region0.bin conv.dfu.target0.image0.bin
cmp region1.bin conv.dfu.target0.image1.bin
grep -q "address: 0x08000000" dump.txt && grep -q "address: 0x08020000" dump.txt \
	|| { echo "FAIL: element addresses"; exit 1; }
echo "PASS: dfu-suffix and dfuse-pack accept our .dfu"

# Our .hex and .srec (16 and 32 bytes per record), read by objcopy: the same
# binary as objcopy makes from the ELF.
for f in conv.hex wide.hex conv.srec wide.srec; do
	arm-none-eabi-objcopy -I "$([ "${f##*.}" = hex ] && echo ihex || echo srec)" -O binary "$f" "$f.bin"
	cmp fw.bin "$f.bin"
done
echo "PASS: objcopy reads our .hex and .srec back to its own binary"
