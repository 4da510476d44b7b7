#!/usr/bin/env bash
# End to end: `stdfu convert` (installed) between every pair of bin, hex,
# srec and dfu, starting from a real two-region ELF. Semantics checked:
#  - hex, srec and dfu keep the segments: converting any of them to hex
#    gives the very same file as converting the ELF to hex;
#  - bin keeps no addresses: X -> bin gives the span with gaps filled with
#    0xFF, the same file for every X; bin -> X (with --address) is that span;
#  - a malformed input exits 7 and writes nothing.
# Usage: e2e_convert.sh STAGE FW_SRC_DIR WORK_DIR
set -euo pipefail
stage=$1 src=$2 work=$3
stdfu=$stage/bin/stdfu
[ -x "$stdfu" ] || { echo "FAIL: $stdfu is not installed"; exit 1; }
command -v arm-none-eabi-gcc >/dev/null || { echo "FAIL: arm-none-eabi-gcc not found"; exit 1; }
rm -rf "$work" && mkdir -p "$work" && cd "$work"
arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -Os -nostdlib -ffreestanding \
	-T "$src/fw.ld" "$src/fw.c" -o fw.elf

c() { "$stdfu" convert "$@" --quiet; }
fmts="bin hex srec dfu"
for o in $fmts; do c fw.elf "ref.$o"; done
c ref.bin span.hex --address 0x08000000 # what a bin holds, as hex
for i in $fmts; do
	addr=()
	[ "$i" = bin ] && addr=(--address 0x08000000)
	for o in $fmts; do
		c "ref.$i" "$i-to.$o" "${addr[@]}"
		# Back to hex, for a byte comparison of the data.
		oaddr=()
		[ "$o" = bin ] && oaddr=(--address 0x08000000)
		c "$i-to.$o" "$i-to-$o.hex" "${oaddr[@]}"
		if [ "$i" = bin ] || [ "$o" = bin ]; then
			cmp span.hex "$i-to-$o.hex"
		else
			cmp ref.hex "$i-to-$o.hex"
			cmp "ref.$o" "$i-to.$o" # same data, same format: the same file
		fi
		[ "$o" = bin ] && cmp ref.bin "$i-to.bin"
	done
done
# --format names the output format whatever the extension.
c fw.elf out.data --format srec && cmp ref.srec out.data
# Malformed input: exit 7, nothing written.
printf ':0400100001020304E3\n:00000001FF\n' >bad.hex
rc=0
"$stdfu" convert bad.hex bad.bin 2>err.txt || rc=$?
[ "$rc" = 7 ] || { echo "FAIL: exit $rc for a bad checksum"; exit 1; }
grep -q 'bad.hex:1: checksum 0xe3, expected 0xe2' err.txt || { cat err.txt; exit 1; }
[ ! -e bad.bin ] || { echo "FAIL: bad.bin written"; exit 1; }
# Unknown output format: usage error.
rc=0
"$stdfu" convert fw.elf out.zip 2>/dev/null || rc=$?
[ "$rc" = 2 ] || { echo "FAIL: exit $rc for .zip"; exit 1; }
echo "PASS: convert round-trips between every pair of bin, hex, srec, dfu"
