#!/usr/bin/env bash
# End to end: malformed images are refused by the installed `stdfu flash`
# with exit 7 (bad image) or 20 (unsupported), a message naming the file and
# the line or offset, and the emulated device is never touched: its flash
# (preloaded with a known pattern) is dumped unchanged.
# Usage: e2e_malformed.sh STAGE WORK_DIR
set -euo pipefail
stage=$1 work=$2
stdfu=$stage/bin/stdfu emu=$stage/bin/stdfu-emu
for b in "$stdfu" "$emu"; do
	[ -x "$b" ] || { echo "FAIL: $b is not installed (needs the CLI and the emulator)"; exit 1; }
done
rm -rf "$work" && mkdir -p "$work" && cd "$work"

python3 - <<'PY'
import struct, zlib
def ihex(t, a, d):
    b = bytes([len(d), a >> 8, a & 255, t]) + d
    return ":" + b.hex().upper() + "%02X" % (-sum(b) & 255) + "\n"
def srec(t, a, d):
    b = bytes([len(d) + 5]) + a.to_bytes(4, "big") + d
    return "S%d" % t + b.hex().upper() + "%02X" % (~sum(b) & 255) + "\n"
data = bytes(range(16))
eof = ":00000001FF\n"
w = lambda n, s: open(n, "w" if isinstance(s, str) else "wb").write(s)
w("bad_checksum.hex", ihex(4, 0, b"\x08\x00") + ihex(0, 0, data)[:-3] + "00\n" + eof)
w("truncated.hex", ihex(4, 0, b"\x08\x00") + ihex(0, 0, data) + ihex(0, 16, data)[:20])
w("wrap.hex", ihex(4, 0, b"\xff\xff") + ihex(0, 0xfff8, data) + eof)
w("overlap.srec", srec(3, 0x08000000, data) + srec(3, 0x08000008, data) + "S70500000000FA\n")
w("bad_type.hex", ihex(4, 0, b"\x08\x00") + ihex(6, 0, data) + eof)
# DfuSe with an absurd element size and a valid suffix: no allocation, a clear error.
body = b"Target" + bytes([0]) + struct.pack("<I", 0) + bytes(255) + struct.pack("<II", 24, 1)
body += struct.pack("<II", 0x08000000, 0xFFFFFFF0) + data
pre = b"DfuSe\x01" + struct.pack("<I", 11 + len(body)) + b"\x01"
f = pre + body + struct.pack("<HHHH", 0xffff, 0xdf11, 0x0483, 0x011a) + b"UFD\x10"
w("absurd.dfu", f + struct.pack("<I", zlib.crc32(f) ^ 0xffffffff))
# A raw binary whose DFU suffix CRC does not match.
g = data * 4 + struct.pack("<HHHH", 0xffff, 0xdf11, 0x0483, 0x0100) + b"UFD\x10"
w("bad_suffix.bin", g + struct.pack("<I", 0x12345678))
w("truncated.elf", b"\x7fELF\x01\x01\x01" + bytes(20))
w("pattern.bin", bytes((i * 13) & 255 for i in range(65536)))
PY

# file  expected-exit  text the message must contain
cases=(
	"bad_checksum.hex 7 bad_checksum.hex:2: checksum"
	"truncated.hex 7 truncated.hex:3:"
	"wrap.hex 7 wrap.hex:2: 16 bytes at 0xfffffff8 run past the end of the 4 GiB"
	"overlap.srec 7 overlapping data: 0x08000000-0x0800000f and 0x08000008"
	"bad_type.hex 7 bad_type.hex:2: unknown record type 06"
	"absurd.dfu 7 dwElementSize 0xfffffff0 runs past"
	"bad_suffix.bin 7 DFU suffix CRC 0x12345678"
	"truncated.elf 7 truncated.elf: ELF header truncated"
)
for c in "${cases[@]}"; do
	read -r file want text <<<"$c"
	rc=0
	"$emu" --chip f405 --mode dfu --load pattern.bin --dump "dump_$file" -- \
		"$stdfu" flash "$file" >"out_$file" 2>&1 || rc=$?
	cat "out_$file"
	[ "$rc" = "$want" ] || { echo "FAIL: $file: exit $rc, expected $want"; exit 1; }
	grep -qF -- "$text" "out_$file" || { echo "FAIL: $file: message lacks '$text'"; exit 1; }
	cmp -n 65536 pattern.bin "dump_$file" || { echo "FAIL: $file: the device was written"; exit 1; }
	python3 -c "import sys; d=open(sys.argv[1],'rb').read()[65536:]; sys.exit(any(b != 0xFF for b in d))" \
		"dump_$file" || { echo "FAIL: $file: flash beyond the pattern changed"; exit 1; }
done
echo "PASS: ${#cases[@]} malformed files refused, device untouched"
