#!/usr/bin/env bash
# --stats writes valid JSON with the required fields, consistent with what
# dfu-util did (one download of a known size).
. "$(dirname "$0")/lib.sh"
chip=$1
chip_facts "$chip"

size=$(aligned $((XFER * 4 + 100)))
random_file "$WORK/img.bin" "$size"
emu --chip "$chip" --boards 2 --stats "$WORK/stats.json" -- \
	"$DFU_UTIL" $DFU_T -p 1-1 -a 0 -s "$FLASH_BASE" -D "$WORK/img.bin" >"$WORK/log" 2>&1 ||
	{ rc=$?; cat "$WORK/log"; fail "dfu-util exited $rc"; }
cat "$WORK/stats.json"
# the transfer size the device's functional descriptor says
adv=$(sed -n 's/^Device returned transfer size \([0-9]*\)$/\1/p' "$WORK/log")
[ "$adv" = "$XFER" ] || fail "the device advertised '$adv', expected $XFER"
xfer=$USED_XFER
"$PY" - "$WORK/stats.json" "$size" "$xfer" <<'PYEOF'
import json, sys
s = json.load(open(sys.argv[1]))
size, xfer = int(sys.argv[2]), int(sys.argv[3])
for k in ("control_transfers", "by_request", "bytes_down", "bytes_up", "device_busy_ms", "boards"):
    assert k in s, "missing field " + k
br = s["by_request"]
for k in ("dnload_data", "dnload_set_address", "dnload_erase", "dnload_mass_erase",
          "dnload_read_unprotect", "dnload_get_commands", "dnload_leave", "upload",
          "getstatus", "clrstatus", "abort", "standard"):
    assert k in br and isinstance(br[k], int), "by_request lacks " + k
assert br["dnload_data"] == -(-size // xfer), br
assert s["bytes_down"] >= size, s["bytes_down"]
assert s["control_transfers"] >= sum(br.values()) - br.get("standard", 0)
assert len(s["boards"]) == 2
b1, b2 = s["boards"]
assert b1["by_request"]["dnload_data"] == br["dnload_data"]
assert b2["by_request"]["dnload_data"] == 0
assert s["control_transfers"] == b1["control_transfers"] + b2["control_transfers"]
assert isinstance(s["device_busy_ms"], (int, float)) and s["device_busy_ms"] >= 0
PYEOF
echo PASS
