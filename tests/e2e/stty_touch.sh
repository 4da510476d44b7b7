#!/usr/bin/env bash
# The Arduino-style 1200-baud touch done the classic way, with nothing but
# stty: open, set 1200 baud, close. The cdc_acm driver drops DTR on the last
# close (HUPCL), and the emulated application must enter the ROM. This is
# independent of stdfu's own touch1200, which drops DTR explicitly.
. "$(dirname "$0")/lib.sh"
chip=$1

emu --chip "$chip" --mode app -- sh -c '
	stty -F /dev/ttyACM0 1200 hupcl || exit 10
	for i in $(seq 1 50); do
		"$1" -l 2>/dev/null | grep -q "0483:df11" && exit 0
		sleep 0.1
	done
	exit 11
' sh "$DFU_UTIL" || fail "$chip: no ROM after stty 1200 + close (exit $?)"
echo PASS
