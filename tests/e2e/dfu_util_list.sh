#!/usr/bin/env bash
# dfu-util -l lists 0483:df11 and every alt name of the chip's ROM.
. "$(dirname "$0")/lib.sh"
chip=$1

emu --chip "$chip" -- "$DFU_UTIL" -l >"$WORK/list" 2>&1 || fail "dfu-util -l exited $?"
cat "$WORK/list"
case "$chip" in
f405) alts=("@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg"
	"@Option Bytes  /0x1FFFC000/01*016 e"
	"@OTP Memory /0x1FFF7800/01*512 e,01*016 e"
	"@Device Feature/0xFFFF0000/01*004 e") ;;
l4) alts=("@Internal Flash  /0x08000000/0512*0002Kg") ;;
h7) alts=("@Internal Flash   /0x08000000/16*128Kg") ;;
g0) alts=("@Internal Flash /0x08000000/256*02Kg") ;;
esac
n=$(grep -c 'Found DFU: \[0483:df11\]' "$WORK/list") || true
[ "$n" -ge "${#alts[@]}" ] || fail "expected at least ${#alts[@]} DFU alts, got $n"
for a in "${alts[@]}"; do
	grep -qF "name=\"$a\"" "$WORK/list" || fail "alt name '$a' not listed"
done
grep -q 'path="1-1"' "$WORK/list" || fail "board 1 is not on port path 1-1"
# every alt dfu-util found carries a non-empty name
! grep 'Found DFU' "$WORK/list" | grep -q 'name=""' || fail "an alt has an empty name"
echo PASS
