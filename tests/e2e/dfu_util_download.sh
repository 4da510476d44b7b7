#!/usr/bin/env bash
# dfu-util -D ...:leave of random images (sizes that are not a multiple of
# the transfer size, images crossing sector boundaries, one starting in the
# middle of a sector), then --dump matches byte for byte: the image, then
# 0xFF. dfu-util exits as it does on the real ROM: 0 where the leave's
# GETSTATUS is answered (F4 style), 74 "Error during download get_status"
# where the ROM is gone before answering (H7, G0, U5...; chips.c). Either
# way the device leaves (a new device address on the same port), except on
# the H563, whose ROM locks up. On L43x the advertised 2048-byte blocks fail
# and dfu-util needs -t 1024; on G4 only 1024-byte writes are accepted.
. "$(dirname "$0")/lib.sh"
chip=$1
timing=${2:-fast}
chip_facts "$chip"

# the script dfu-util runs in: record the address, flash, see the device go
cat >"$WORK/flash.sh" <<'SH2'
set -u
before=$(cat /sys/bus/usb/devices/1-1/devnum)
# shellcheck disable=SC2086
"$DFU_UTIL" $DFU_T -a 0 -s "$1:leave" -D "$2" >"$3" 2>&1
rc=$?
echo "dfu-util exit $rc" >>"$3"
[ "$rc" = "$LEAVE_RC" ] || exit 97
for _ in $(seq 300); do
	now=$(cat /sys/bus/usb/devices/1-1/devnum 2>/dev/null || echo gone)
	[ "$now" != "$before" ] && { [ "$LEAVE_GONE" = 1 ] && exit 0; exit 96; }
	sleep 0.01
done
[ "$LEAVE_GONE" = 0 ] && exit 0
echo "device did not leave (devnum still $before)" >&2
exit 99
SH2

check() { # SIZE OFFSET
	local size=$1 off=$2 addr
	addr=$(printf '0x%08x' $((FLASH_BASE + off)))
	random_file "$WORK/img.bin" "$size"
	rm -f "$WORK/dump.bin"
	DFU_UTIL=$DFU_UTIL DFU_T=$DFU_T LEAVE_RC=$LEAVE_RC LEAVE_GONE=$LEAVE_GONE \
		"$EMU" --timing "$timing" --chip "$chip" --dump "$WORK/dump.bin" -- \
		bash "$WORK/flash.sh" "$addr" "$WORK/img.bin" "$WORK/dfu.log" >"$WORK/log" 2>&1 ||
		{ rc=$?; cat "$WORK/log" "$WORK/dfu.log"; fail "$chip: $size bytes at $addr: exit $rc"; }
	if [ "$LEAVE_RC" = 74 ]; then
		grep -q "Error during download get_status" "$WORK/dfu.log" ||
			fail "$chip: dfu-util exited 74 without the real ROM's message"
	fi
	[ "$(stat -c %s "$WORK/dump.bin")" -eq "$FLASH_SIZE" ] || fail "dump is not the whole flash"
	expect_flash "$WORK/dump.bin" "$WORK/img.bin" "$off" || fail "$chip: $size bytes at $addr"
	echo "ok: $chip $size bytes at $addr (dfu-util exit $LEAVE_RC)"
}

# A peer failure the real ROM causes: dfu-util exits 74 and the flash is not
# as the image says ($1: what to flash, $2: the expected message).
expect_peer_failure() {
	random_file "$WORK/img.bin" "$1"
	"$EMU" --timing "$timing" --chip "$chip" -- "$DFU_UTIL" -a 0 -s "$FLASH_BASE" \
		-D "$WORK/img.bin" >"$WORK/log" 2>&1 && { cat "$WORK/log"; fail "$chip: dfu-util succeeded"; }
	grep -q "$2" "$WORK/log" || { cat "$WORK/log"; fail "$chip: dfu-util did not say '$2'"; }
	echo "ok: $chip: dfu-util fails as on the real ROM ($2)"
}

check "$(aligned 1)" 0
[ "$timing" = real ] && { echo PASS; exit 0; }
if [ "$LEAVE_GONE" = 0 ]; then
	# each run waits out dfu-util's 5 s timeout on the locked-up ROM: one
	# more image, across a sector boundary, is enough (u585 has the same map)
	check "$(aligned $((FIRST_SECTOR + XFER + 1)))" 0
	echo PASS
	exit 0
fi
check "$(aligned $((XFER * 3 + 17)))" 0                      # not a multiple of wTransferSize
check "$(aligned $((FIRST_SECTOR + XFER + 1)))" 0            # crosses the first sector boundary
check "$(aligned $((XFER * 2 + 5)))" $((FIRST_SECTOR - XFER)) # starts a block before a boundary
[ "$chip" = f405 ] && check $((4 * 16384 + 9999)) 0         # 16 KiB sectors into the 64 KiB one
[ "$chip" = l432 ] && expect_peer_failure 4096 "Error during download get_status"
[ "$chip" = g474 ] && expect_peer_failure 1000 "Failed to write whole chunk"
echo PASS
