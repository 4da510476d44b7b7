#!/usr/bin/env bash
# dfu-util -U reads back exactly what --load put in flash.
. "$(dirname "$0")/lib.sh"
chip=$1
chip_facts "$chip"

check() { # SIZE OFFSET
	local size=$1 off=$2 addr
	addr=$(printf '0x%08x' $((FLASH_BASE + off)))
	random_file "$WORK/load.bin" "$size"
	rm -f "$WORK/up.bin"
	emu --chip "$chip" --load "$WORK/load.bin@$addr" -- \
		"$DFU_UTIL" -a 0 -s "$addr:$size" -U "$WORK/up.bin" >"$WORK/log" 2>&1 ||
		{ rc=$?; cat "$WORK/log"; fail "$chip: -U $size at $addr exited $rc"; }
	cmp "$WORK/load.bin" "$WORK/up.bin" || fail "$chip: read back differs ($size at $addr)"
	echo "ok: $chip -U $size bytes at $addr"
}

check $((XFER * 5 + 333)) 0
check $((FIRST_SECTOR + 777)) $((FIRST_SECTOR / 2 + 4))
echo PASS
