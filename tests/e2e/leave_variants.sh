#!/usr/bin/env bash
# Every way the leave's GETSTATUS fails on ROMs that are gone before they
# answer it (--fault leave=pipe|io|nodev|timeout, chips.c): dfu-util exits 74
# "Error during download get_status", as users report on H7/G0/U5, while
# stdfu exits 0 and confirms that the board left (the application is back).
. "$(dirname "$0")/lib.sh"
: "${STDFU:?STDFU must point at the installed stdfu}"
chip=$1
chip_facts "$chip"
"$PY" -c 'import os, struct, sys
sys.stdout.buffer.write(struct.pack("<II", 0x20001000, 0x08000201) + os.urandom(3000))' >"$WORK/app.bin"

cat >"$WORK/both.sh" <<'EOS'
set -u
"$DFU_UTIL" -a 0 -s 0x08000000:leave -D "$1" >"$2.dfu" 2>&1
echo "dfu_rc=$?" >"$2.rc"
for _ in $(seq 300); do
	[ "$(cat /sys/bus/usb/devices/1-1/idProduct 2>/dev/null)" = 5740 ] && break
	sleep 0.01
done
echo "after_dfu=$(cat /sys/bus/usb/devices/1-1/idProduct 2>/dev/null)" >>"$2.rc"
EOS
cat >"$WORK/stdfu.sh" <<'EOS'
set -u
"$STDFU" flash "$1" --json >"$2.json" 2>&1
echo "stdfu_rc=$?" >>"$2.rc"
sleep 0.5
echo "after_stdfu=$(cat /sys/bus/usb/devices/1-1/idProduct 2>/dev/null)" >>"$2.rc"
EOS
for v in pipe io nodev timeout; do
	DFU_UTIL=$DFU_UTIL emu --chip "$chip" --fault "leave=$v" -- \
		bash "$WORK/both.sh" "$WORK/app.bin" "$WORK/$v" || fail "$chip leave=$v: emulator run"
	STDFU=$STDFU emu --chip "$chip" --fault "leave=$v" -- \
		bash "$WORK/stdfu.sh" "$WORK/app.bin" "$WORK/$v" || fail "$chip leave=$v: emulator run"
	. "$WORK/$v.rc"
	[ "$dfu_rc" = 74 ] || { cat "$WORK/$v.dfu"; fail "$chip leave=$v: dfu-util exited $dfu_rc, not 74"; }
	grep -q "Error during download get_status" "$WORK/$v.dfu" || fail "$chip leave=$v: dfu-util message"
	[ "$after_dfu" = 5740 ] || fail "$chip leave=$v: the application did not start after dfu-util"
	[ "$stdfu_rc" = 0 ] || { cat "$WORK/$v.json"; fail "$chip leave=$v: stdfu exited $stdfu_rc"; }
	[ "$after_stdfu" = 5740 ] || fail "$chip leave=$v: the application did not start after stdfu"
	"$PY" - "$WORK/$v.json" <<'PYEOF' || fail "$chip leave=$v: stdfu's result"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
res = [e for e in ev if e.get("event") == "result"][-1]
assert res["ok"] is True and "leave" in res["phases"], res
PYEOF
	echo "ok: $chip leave=$v: dfu-util 74, stdfu 0 with a confirmed leave"
done
echo PASS
