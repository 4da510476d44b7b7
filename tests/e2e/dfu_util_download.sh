#!/usr/bin/env bash
# dfu-util -D ...:leave of random images (sizes that are not a multiple of
# the transfer size, images crossing sector boundaries, one starting in the
# middle of a sector), then --dump matches byte for byte: the image, then
# 0xFF. dfu-util exits 0 and the device leaves (it comes back with a new
# device address on the same port).
. "$(dirname "$0")/lib.sh"
chip=$1
chip_facts "$chip"

# the script dfu-util runs in: record the address, flash, see the device go
cat >"$WORK/flash.sh" <<'SH'
set -u
before=$(cat /sys/bus/usb/devices/1-1/devnum)
"$DFU_UTIL" -a 0 -s "$1:leave" -D "$2" || exit $?
for _ in $(seq 200); do
	now=$(cat /sys/bus/usb/devices/1-1/devnum 2>/dev/null || echo gone)
	[ "$now" != "$before" ] && exit 0
	sleep 0.01
done
echo "device did not leave (devnum still $before)" >&2
exit 99
SH

check() { # SIZE OFFSET
	local size=$1 off=$2 addr
	addr=$(printf '0x%08x' $((FLASH_BASE + off)))
	random_file "$WORK/img.bin" "$size"
	rm -f "$WORK/dump.bin"
	DFU_UTIL=$DFU_UTIL emu --chip "$chip" --dump "$WORK/dump.bin" -- \
		bash "$WORK/flash.sh" "$addr" "$WORK/img.bin" >"$WORK/log" 2>&1 ||
		{ rc=$?; cat "$WORK/log"; fail "$chip: $size bytes at $addr: exit $rc"; }
	[ "$(stat -c %s "$WORK/dump.bin")" -eq "$FLASH_SIZE" ] || fail "dump is not the whole flash"
	expect_flash "$WORK/dump.bin" "$WORK/img.bin" "$off" || fail "$chip: $size bytes at $addr"
	echo "ok: $chip $size bytes at $addr"
}

check 1 0
check $((XFER * 3 + 17)) 0                      # not a multiple of wTransferSize
check $((FIRST_SECTOR + XFER + 1)) 0            # crosses the first sector boundary
check $((XFER * 2 + 5)) $((FIRST_SECTOR - XFER)) # starts a block before a boundary
[ "$chip" = f405 ] && check $((4 * 16384 + 9999)) 0 # 16 KiB sectors into the 64 KiB one
echo PASS
