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
sys.stdout.buffer.write(struct.pack("<II", 0x20004000, 0x08000201) + os.urandom(5112))' >"$WORK/app.bin"
cat >"$WORK/leave.sh" <<'SH'
set -u
before=$(cat /sys/bus/usb/devices/1-1/devnum)
# shellcheck disable=SC2086
"$DFU_UTIL" $DFU_T -a 0 -s 0x08000000:leave -D "$2" >/dev/null 2>&1
rc=$?
[ "$rc" = "$LEAVE_RC" ] || { echo "dfu-util exited $rc, the real ROM makes it $LEAVE_RC"; exit 97; }
for _ in $(seq 300); do
	if [ "$1" = rom ] && [ -e /sys/bus/usb/devices/1-1/idProduct ] &&
		[ "$(cat /sys/bus/usb/devices/1-1/idProduct)" = df11 ] &&
		[ "$(cat /sys/bus/usb/devices/1-1/devnum)" != "$before" ]; then
		echo "the ROM is back (empty check latched at power-on)"
		exit 0
	fi
	if [ "$1" = app ] && "$PROBE" | grep -q '^/dev/ttyACM0 0483:5740'; then
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
leave_to() { # app|rom [EMU OPTIONS]: flash app.bin, leave, see what comes back
	local want=$1
	shift
	DFU_UTIL=$DFU_UTIL PROBE=$PROBE DFU_T=$DFU_T LEAVE_RC=$LEAVE_RC \
		emu --chip "$chip" "$@" -- bash "$WORK/leave.sh" "$want" "$WORK/app.bin" ||
		fail "$chip: after the leave the $want did not come back"
}
if [ "$LEAVE_GONE" = 1 ] && [ "$EMPTY_CHECK" = 1 ]; then
	# a virgin chip stays in the ROM; after a power cycle with the image
	# in flash the leave starts it
	leave_to rom
	leave_to app --load "$WORK/app.bin"
elif [ "$LEAVE_GONE" = 1 ]; then
	leave_to app
fi

# The application's USB serial is the ROM's (both derive it from the UID the
# same way), except where the ROM reports a constant (F072: FFFFFFFEFFFF).
rom=$(emu --chip "$chip" -- "$DFU_UTIL" -l 2>/dev/null | sed -n 's/.*path="1-1".*serial="\([^"]*\)".*/\1/p' | head -1)
app=$(awk '$1 == "/dev/ttyACM0" {print $3}' "$WORK/ports")
echo "ROM serial $rom, application serial $app"
if [ "$chip" = f072 ]; then
	[ "$rom" = FFFFFFFEFFFF ] && [ "$app" != "$rom" ] || fail "F072 serials: ROM $rom, app $app"
else
	[ -n "$rom" ] && [ "$app" = "$rom" ] || fail "application serial $app is not the ROM's $rom"
fi
echo PASS
