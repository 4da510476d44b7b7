#!/usr/bin/env bash
# dfu-util -s base:mass-erase:force erases the whole flash.
. "$(dirname "$0")/lib.sh"
chip=$1
chip_facts "$chip"

random_file "$WORK/load.bin" "$FLASH_SIZE"
emu --chip "$chip" --load "$WORK/load.bin" --dump "$WORK/dump.bin" -- \
	"$DFU_UTIL" -a 0 -s "$FLASH_BASE:mass-erase:force" -D /dev/null >"$WORK/log" 2>&1 ||
	{ rc=$?; cat "$WORK/log"; fail "$chip: mass erase exited $rc"; }
: >"$WORK/empty"
expect_flash "$WORK/dump.bin" "$WORK/empty" 0 || fail "$chip: flash not erased"
echo PASS
