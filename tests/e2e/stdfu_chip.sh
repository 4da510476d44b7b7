#!/usr/bin/env bash
# stdfu against one chip model at one timing (fast or real): flash (erase,
# write, verify, leave), then verify, read, erase and leave on a board that
# holds the image. stdfu needs no chip-specific flag: it must cope with each
# ROM's real behaviour (chips.c) on its own:
#   - every leave style succeeds and stdfu confirms the board left;
#   - L43x: a failed 2048-byte block falls back to 1024 bytes, and says so;
#   - G4: only 1024-byte writes (the image's tail is padded);
#   - C0: Set Address before the leave;
#   - H563: the leave locks the ROM up: detected within 3.5 s, the flash
#     passes (exit 0, written and verified) with a leave-hung warning that
#     names the fix (a power cycle); `stdfu leave` alone fails (exit 13);
#   - L4 empty check: the flash succeeds and stdfu says a power cycle is needed.
. "$(dirname "$0")/lib.sh"
: "${STDFU:?STDFU must point at the installed stdfu}"
chip=$1
timing=${2:-fast}
chip_facts "$chip"
run() { "$EMU" --timing "$timing" --chip "$chip" "$@"; }

# an application image: SP at 0x20001000 (in every model's SRAM), Thumb reset
# vector in flash, a size that is a multiple of nothing
size=$((XFER * 2 + FIRST_SECTOR / 2 + 333))
"$PY" -c 'import os, struct, sys
sys.stdout.buffer.write(struct.pack("<II", 0x20001000, 0x08000201) + os.urandom(int(sys.argv[1]) - 8))' \
	"$size" >"$WORK/app.bin"

# 1. stdfu flash on a board in DFU mode with an empty flash (a new chip)
cat >"$WORK/flash.sh" <<'EOS'
set -u
start=$(date +%s%N)
"$STDFU" flash "$1" --json >"$2.json" 2>"$2.err"
echo "rc=$? ms=$((($(date +%s%N) - start) / 1000000))" >"$2.rc"
sleep 1
cat /sys/bus/usb/devices/1-1/idProduct >"$2.after" 2>/dev/null || echo gone >"$2.after"
EOS
STDFU=$STDFU run --dump "$WORK/dump.bin" -- bash "$WORK/flash.sh" "$WORK/app.bin" "$WORK/f" ||
	fail "$chip/$timing: the emulator run failed"
cat "$WORK/f.rc" "$WORK/f.err"
. "$WORK/f.rc"
want_rc=0
[ "$rc" = "$want_rc" ] || { cat "$WORK/f.json"; fail "$chip/$timing: stdfu flash exited $rc, not $want_rc"; }
expect_flash "$WORK/dump.bin" "$WORK/app.bin" 0 || fail "$chip/$timing: flash does not hold the image"
"$PY" - "$WORK/f.json" "$size" "$LEAVE_GONE" <<'PYEOF' || fail "$chip/$timing: JSON result"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
res = [r for r in lines if r.get("event") == "result"][-1]
assert res["ok"] is True, res
assert res["phases"]["verify"]["bytes"] == int(sys.argv[2]), res["phases"]
assert "leave" in res["phases"], res["phases"]
hung = [w for w in lines if w.get("event") == "warning" and w.get("code") == "leave-hung"]
if sys.argv[3] == "0":
    # H563: one warning that says verified, not started, and names the fix
    assert len(hung) == 1, lines
    m = hung[0]["message"]
    assert "verified" in m and "did not start" in m and "power-cycle" in m, m
    assert "power-cycle" in hung[0].get("hint", ""), hung[0]
else:
    assert not hung, hung
PYEOF
after=$(cat "$WORK/f.after")
if [ "$LEAVE_GONE" = 0 ]; then
	# H563: the ROM is still on the bus, hung; stdfu said so and named the fix
	[ "$after" = df11 ] || fail "$chip/$timing: expected the hung ROM on the bus, found $after"
	# the bound: a 3 s GETSTATUS timeout and a 0.5 s GETSTATE probe, plus
	# the flash itself and the emulator's start on a slow machine
	[ "$ms" -lt 20000 ] || fail "$chip/$timing: the hang took $ms ms to detect"
elif [ "$EMPTY_CHECK" = 1 ]; then
	[ "$after" = df11 ] || fail "$chip/$timing: expected the ROM back (empty check), found $after"
	cat "$WORK/f.err" "$WORK/f.json" | grep -qi "power cycle" || fail "$chip/$timing: stdfu does not say a power cycle is needed"
else
	[ "$after" = 5740 ] || fail "$chip/$timing: the application did not start (found $after)"
fi
if [ "$chip" = l432 ]; then
	cat "$WORK/f.err" "$WORK/f.json" | grep -q "1024-byte" || fail "$chip/$timing: the fallback to 1024-byte transfers is not reported"
fi
echo "ok: $chip/$timing flash (rc $rc in $ms ms, then $after on the bus)"

# 2. the trigger chain: a board running its application, with the companion:
# trigger, the ROM on the same port path, erase/write/verify/leave
rc=0
STDFU=$STDFU run --mode app --dump "$WORK/dump3.bin" -- "$STDFU" flash "$WORK/app.bin" \
	>"$WORK/trig.log" 2>&1 || rc=$?
[ "$rc" = "$want_rc" ] || { cat "$WORK/trig.log"; fail "$chip/$timing: triggered flash exited $rc"; }
grep -q "trigger:" "$WORK/trig.log" || { cat "$WORK/trig.log"; fail "$chip/$timing: no trigger"; }
expect_flash "$WORK/dump3.bin" "$WORK/app.bin" 0 || fail "$chip/$timing: triggered flash: image"
echo "ok: $chip/$timing trigger chain (rc $rc)"

# 3. verify, read and erase on a board that holds the image (in DFU mode)
cat >"$WORK/ops.sh" <<'EOS'
set -eu
"$STDFU" verify "$1" --quiet
"$STDFU" read "$2" --address 0x08000000 --length "$3" --quiet
cmp "$1" "$2"
"$STDFU" erase --address 0x08000000 --length 1 --quiet
EOS
STDFU=$STDFU run --load "$WORK/app.bin" --dump "$WORK/dump2.bin" -- \
	bash "$WORK/ops.sh" "$WORK/app.bin" "$WORK/read.bin" "$size" >"$WORK/ops.log" 2>&1 ||
	{ cat "$WORK/ops.log"; fail "$chip/$timing: verify/read/erase failed"; }
"$PY" - "$WORK/dump2.bin" "$WORK/app.bin" "$FIRST_SECTOR" <<'PYEOF' || fail "$chip/$timing: erase"
import sys
dump, img, first = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read(), int(sys.argv[3])
assert dump[:first] == b"\xff" * first, "the first sector is not erased"
assert dump[first:len(img)] == img[first:], "erase touched more than the first sector"
PYEOF
echo "ok: $chip/$timing verify, read, erase"

# 4. stdfu leave on a board that holds the application (not a virgin chip)
cat >"$WORK/leave.sh" <<'EOS'
set -u
"$STDFU" leave >"$1.out" 2>&1
echo "rc=$?" >"$1.rc"
sleep 1
cat /sys/bus/usb/devices/1-1/idProduct >"$1.after" 2>/dev/null || echo gone >"$1.after"
EOS
STDFU=$STDFU run --load "$WORK/app.bin" -- bash "$WORK/leave.sh" "$WORK/l" ||
	fail "$chip/$timing: the emulator run failed"
. "$WORK/l.rc"
cat "$WORK/l.out"
after=$(cat "$WORK/l.after")
if [ "$LEAVE_GONE" = 0 ]; then
	[ "$rc" = 13 ] || fail "$chip/$timing: stdfu leave on the locked-up ROM exited $rc, not 13"
	grep -qi "power-cycle" "$WORK/l.out" || fail "$chip/$timing: stdfu leave does not name the fix"
else
	[ "$rc" = 0 ] || fail "$chip/$timing: stdfu leave exited $rc"
	[ "$after" = 5740 ] || fail "$chip/$timing: after stdfu leave the application is not there ($after)"
fi
echo "ok: $chip/$timing leave (rc $rc, then $after)"
echo PASS
