#!/usr/bin/env bash
# dfu-util -l lists 0483:df11 on port path 1-1 with every alt name of the
# chip's dump (docs/dumps/CHIP.txt; dump_match.sh compares the whole lines).
. "$(dirname "$0")/lib.sh"
chip=$1
dump="$(dirname "$0")/../../docs/dumps/$chip.txt"

emu --chip "$chip" -- "$DFU_UTIL" -l >"$WORK/list" 2>&1 || fail "dfu-util -l exited $?"
cat "$WORK/list"
mapfile -t alts < <(sed -n 's/^Found DFU: .* name="\(.*\)", serial=.*$/\1/p' "$dump" | sort -u)
[ "${#alts[@]}" -ge 1 ] || fail "no alt names in $dump"
n=$(grep -c 'Found DFU: \[0483:df11\]' "$WORK/list") || true
want=$(grep -c '^Found DFU' "$dump")
[ "$n" -eq "$want" ] || fail "expected $want DFU alts, got $n"
for a in "${alts[@]}"; do
	grep -qF "name=\"$a\"" "$WORK/list" || fail "alt name '$a' not listed"
done
grep -q 'path="1-1"' "$WORK/list" || fail "board 1 is not on port path 1-1"
! grep 'Found DFU' "$WORK/list" | grep -q 'name=""' || fail "an alt has an empty name"
echo PASS
