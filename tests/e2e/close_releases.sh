#!/usr/bin/env bash
# A process that exits while holding the DFU interface (dfu-util without
# :leave never releases it) must not keep it claimed: a real kernel releases
# every claim of an fd when it is closed. Two dfu-util runs in a row in one
# emulator session must both work.
. "$(dirname "$0")/lib.sh"
chip=$1
chip_facts "$chip"

random_file "$WORK/img.bin" $((XFER * 3 + 17))
emu --chip "$chip" -- sh -c '
	"$1" -a 0 -s "$2" -D "$3" >"$4/log1" 2>&1 || exit 10
	"$1" -a 0 -s "$2:$5" -U "$4/up.bin" >"$4/log2" 2>&1 || exit 11
' sh "$DFU_UTIL" "$FLASH_BASE" "$WORK/img.bin" "$WORK" $((XFER * 3 + 17)) || {
	rc=$?
	cat "$WORK"/log* 2>/dev/null
	fail "$chip: second dfu-util after one that exited holding the interface: exit $rc"
}
cmp "$WORK/img.bin" "$WORK/up.bin" || fail "$chip: read back differs"
echo PASS
