#!/usr/bin/env bash
# The application device (--mode app) as libserialport sees it, and the
# re-enumeration after dfu-util's leave: a plausible application image makes
# the CDC-ACM device come back on the same port path with a new address.
. "$(dirname "$0")/lib.sh"
: "${PROBE:?PROBE must point at the serial_probe helper}"
chip=$1
chip_facts "$chip"

emu --chip "$chip" --mode app --boards 2 -- bash -c '"$PROBE" && "$PROBE" open /dev/ttyACM1' \
	>"$WORK/ports" 2>&1 || { rc=$?; cat "$WORK/ports"; fail "probe exited $rc"; }
cat "$WORK/ports"
grep -q '^/dev/ttyACM0 0483:5740 [0-9A-F]\{12\} 1 [0-9]' "$WORK/ports" || fail "ttyACM0 not listed as 0483:5740"
grep -q '^/dev/ttyACM1 0483:5740 ' "$WORK/ports" || fail "ttyACM1 not listed"
[ "$(grep -c 0483:5740 "$WORK/ports" | tr -d ' ')" = 2 ] || fail "expected two application ports"
[ "$(awk '/0483:5740/ {print $3}' "$WORK/ports" | sort -u | wc -l)" = 2 ] || fail "serials not distinct"
grep -q '^opened /dev/ttyACM1' "$WORK/ports" || fail "sp_open of ttyACM1 failed"

# a plausible application: initial SP at the top of SRAM, odd reset vector in flash
"$PY" -c 'import os, struct, sys
sys.stdout.buffer.write(struct.pack("<II", 0x20008000, 0x08000201) + os.urandom(5000))' >"$WORK/app.bin"
cat >"$WORK/leave.sh" <<'SH'
set -u
before=$(cat /sys/bus/usb/devices/1-1/devnum)
"$DFU_UTIL" -a 0 -s 0x08000000:leave -D "$1" >/dev/null 2>&1 || exit $?
for _ in $(seq 300); do
	if "$PROBE" | grep -q '^/dev/ttyACM0 0483:5740'; then
		now=$(cat /sys/bus/usb/devices/1-1/devnum)
		[ "$now" != "$before" ] || { echo "same address $now"; exit 98; }
		echo "application back at address $now (ROM was $before)"
		exit 0
	fi
	sleep 0.01
done
echo "application did not come back" >&2
exit 99
SH
DFU_UTIL=$DFU_UTIL PROBE=$PROBE emu --chip "$chip" -- bash "$WORK/leave.sh" "$WORK/app.bin" ||
	fail "$chip: leave did not bring the application back"
echo PASS
