#!/usr/bin/env bash
# With --boards 3, dfu-util -p 1-2 touches only board 2; the boards sit on
# port paths 1-1..1-3 with distinct serials (one constant serial on F072).
. "$(dirname "$0")/lib.sh"
chip=$1
chip_facts "$chip"

emu --chip "$chip" --boards 3 -- "$DFU_UTIL" -l >"$WORK/list" 2>&1 || fail "dfu-util -l exited $?"
for p in 1-1 1-2 1-3; do
	grep -q "path=\"$p\"" "$WORK/list" || fail "no board on port path $p"
done
serials=$(grep -o 'serial="[^"]*"' "$WORK/list" | sort -u | wc -l)
if [ "$chip" = f072 ]; then
	# every F072 ROM reports FFFFFFFEFFFF: only the port path tells boards apart
	[ "$serials" -eq 1 ] || fail "expected the one constant F072 serial, got $serials"
else
	[ "$serials" -eq 3 ] || fail "expected 3 distinct serials, got $serials"
fi

random_file "$WORK/img.bin" "$(aligned $((XFER * 2 + 3)))"
emu --chip "$chip" --boards 3 --dump "$WORK/dump.bin" -- \
	"$DFU_UTIL" $DFU_T -p 1-2 -a 0 -s "$FLASH_BASE" -D "$WORK/img.bin" >"$WORK/log" 2>&1 ||
	{ rc=$?; cat "$WORK/log"; fail "dfu-util -p 1-2 exited $rc"; }
expect_flash "$WORK/dump.bin.2" "$WORK/img.bin" 0 || fail "board 2 does not hold the image"
: >"$WORK/empty"
for i in 1 3; do
	expect_flash "$WORK/dump.bin.$i" "$WORK/empty" 0 || fail "board $i was touched"
done
echo PASS
