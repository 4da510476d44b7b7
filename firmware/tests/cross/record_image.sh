#!/bin/sh
# The companion record in a linked image: stdfu finds it in the ELF and in the binary and
# Intel HEX files objcopy makes from it, at the address the linker gave it, and says
# "no" for an image without the companion.
# usage: record_image.sh STDFU OBJCOPY APP_ELF OUT_DIR
set -eu
stdfu=$1 objcopy=$2 elf=$3 out=$4
mkdir -p "$out"
"$objcopy" -O binary "$elf" "$out/app.bin"
"$objcopy" -O ihex "$elf" "$out/app.hex"
at=$("${objcopy%objcopy}nm" "$elf" | sed -n 's/^\([0-9a-f]*\) R stdfu_fw_companion_record$/\1/p')
[ -n "$at" ] || { echo "no stdfu_fw_companion_record symbol in $elf" >&2; exit 1; }
for f in "$elf" "$out/app.bin" "$out/app.hex"; do
	"$stdfu" info "$f" >"$out/info.txt"
	grep -q "companion: yes, record at 0x$at: trigger protocol 1, trigger byte 0xF5" \
		"$out/info.txt" || { cat "$out/info.txt" >&2; echo "$f: record not found" >&2; exit 1; }
	"$stdfu" info "$f" --json | grep -q '"companion":{"found":true,"address":' ||
		{ echo "$f: --json does not report the record" >&2; exit 1; }
done
# the same application with the record's magic broken: not a record any more
off=$(( 0x$at - 0x08000000 ))
cp "$out/app.bin" "$out/broken.bin"
printf 'X' | dd of="$out/broken.bin" bs=1 seek="$off" conv=notrunc 2>/dev/null
"$stdfu" info "$out/broken.bin" >"$out/info.txt"
grep -q "^companion: no" "$out/info.txt" || { cat "$out/info.txt" >&2; exit 1; }
echo "ok: record at 0x$at in ELF, bin and hex; absent once broken"
