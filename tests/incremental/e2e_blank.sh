#!/usr/bin/env bash
# Blank-sector skip on ECC flash, end to end (installed stdfu under stdfu-emu):
#   e2e_blank.sh CHIP flash   a 256 KiB image whose second half is explicit
#                             0xFF, flashed with --no-leave over a blank chip,
#                             then 256 KiB of other data over it
#   e2e_blank.sh CHIP load    the same, the first image given by --load
# Both: exit 0, the right content, and the emulator's count of erases as
# stdfu reports them. On g0/l4 (PROGERR) the programmed-0xFF half forces the
# fallback. On h7 nothing refuses a second programming (RM0433 4.7) and the
# word's ECC then faults the ROM on read, so stdfu erases the blank-looking
# half all the same and says so (warning blank-erased, looked_blank); with
# --trust-blank it would write over it, and the verify must then fail (the
# ROM hangs), never pass. Plus: a blank chip is not erased (on h7 only with
# --trust-blank).
set -euo pipefail
: "${STDFU_STAGE:?STDFU_STAGE must point at the staged install}"
EMU="$STDFU_STAGE/bin/stdfu-emu"
STDFU="$STDFU_STAGE/bin/stdfu"
chip=$1 how=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail() { echo "FAIL ($chip $how): $*" >&2; cat out.json >&2 2>/dev/null || true; exit 1; }

python3 - <<'PY'
import os
half = 128 * 1024
a = bytearray(os.urandom(half)) + b"\xff" * half
a[0:8] = bytes.fromhex("0010002001010008")  # SP in SRAM, odd reset vector
b = bytearray(os.urandom(2 * half))
b[0:8] = a[0:8]
open("a.bin", "wb").write(a)
open("b.bin", "wb").write(b)
PY

count() { # WORD: occurrences in out.json (none is 0, not a failure)
	{ grep -o "$1" out.json || true; } | wc -l
}

if [ "$how" = flash ]; then
	"$EMU" --chip "$chip" --stats stats.json --dump dump.bin -- sh -c '
		"$1" flash a.bin --no-leave --quiet || exit 90
		"$1" flash b.bin --json >out.json' sh "$STDFU" || fail "exit $?"
else
	"$EMU" --chip "$chip" --load a.bin --stats stats.json --dump dump.bin -- \
		"$STDFU" flash b.bin --json >out.json || fail "exit $?"
fi
cmp -n 262144 dump.bin b.bin || fail "the flash does not hold the second image"
fallback=$(count '"action":"fallback"')
checked=1
[ "$chip" = h7 ] && checked=0
if [ "$checked" = 1 ]; then
	[ "$fallback" -ge 1 ] || fail "no fallback reported"
else
	[ "$fallback" -eq 0 ] || fail "a fallback on a chip that never refuses a program"
	grep -q '"code":"blank-erased"' out.json || fail "no blank-erased warning"
	grep -q '"address_hex":"0x08020000".*"action":"erased","looked_blank":true' out.json ||
		fail "the 0xFF half is not reported as erased although it looked blank"
fi
grep -q '"event":"sectors".*"fallback":'"$fallback" out.json || fail "summary disagrees"
# The emulator saw one erase per erased sector plus one per fallback.
python3 - "$fallback" "$how" "$checked" <<'PY' || fail "erase count"
import json, sys
fb, how, checked = int(sys.argv[1]), sys.argv[2], sys.argv[3] == "1"
out = [json.loads(l) for l in open("out.json") if l.startswith("{")]
sec = next(o for o in out if o.get("event") == "sectors")
st = json.load(open("stats.json"))["by_request"]["dnload_erase"]
first = 0  # the first flash (blank chip) erased nothing, but on h7 both sectors
if how == "flash" and not checked:
    first = 2
want = sec["erased"] + sec["fallback"] + first
assert st == want, (st, want, sec)
assert sec["skipped_blank"] == 0, sec  # every blank-looking sector was programmed 0xFF
if not checked:
    assert sec["erased"] == 2 and sec["erased_blank"] == 1, sec
    assert json.load(open("stats.json"))["ecc_faults"] == 0
PY

if [ "$checked" = 0 ]; then
	# Trusted over a half programmed with 0xFF: the write is taken, the
	# verify's read faults the ROM. A clear failure, never a success.
	rc=0
	if [ "$how" = flash ]; then
		"$EMU" --chip "$chip" --stats stats.json -- sh -c '
			"$1" flash a.bin --no-leave --quiet || exit 90
			"$1" flash b.bin --trust-blank --json >out.json' sh "$STDFU" || rc=$?
	else
		"$EMU" --chip "$chip" --load a.bin --stats stats.json -- \
			"$STDFU" flash b.bin --trust-blank --json >out.json || rc=$?
	fi
	[ "$rc" = 13 ] || fail "--trust-blank over programmed 0xFF: exit $rc, not 13 (timeout)"
	grep -q '"hint_id":"timeout-verifying"' out.json || fail "no verify-timeout hint"
	python3 -c 'import json,sys; sys.exit(json.load(open("stats.json"))["ecc_faults"] < 1)' ||
		fail "the emulator saw no ECC fault"
fi

if [ "$checked" = 0 ] && [ "$how" = load ]; then
	# --incremental over the same image: nothing to erase, so no note either.
	"$EMU" --chip "$chip" --load a.bin --stats stats.json -- \
		"$STDFU" flash a.bin --incremental --json >out.json || fail "incremental: exit $?"
	! grep -q '"code":"blank-erased"' out.json || fail "incremental: blank-erased for no erase"
	grep -q '"event":"sectors","erased":0,"skipped_blank":0,"fallback":0,"unchanged":2' out.json ||
		fail "incremental: both sectors should be unchanged"
fi

# A blank chip: nothing erased at all, and the image in place.
trust=()
[ "$checked" = 0 ] && trust=(--trust-blank)
"$EMU" --chip "$chip" --stats stats.json --dump dump.bin -- \
	"$STDFU" flash b.bin "${trust[@]}" --json >out.json || fail "blank chip: exit $?"
cmp -n 262144 dump.bin b.bin || fail "blank chip: wrong content"
python3 -c 'import json,sys; sys.exit(json.load(open("stats.json"))["by_request"]["dnload_erase"])' ||
	fail "blank chip: the emulator saw erases"
echo "ok: $chip $how, $fallback fallback sector(s)"
