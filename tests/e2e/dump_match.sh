#!/usr/bin/env bash
# Hold a chip model to its public dump (docs/dumps/CHIP.txt): dfu-util -l under
# stdfu-emu, line for line apart from devnum, path and serial ("*" in the
# dump), and the lsusb -v level fields read the way a host that opens the
# usbfs node itself does (libusb_wrap_sys_device, $WRAP).
. "$(dirname "$0")/lib.sh"
chip=$1
dump="$(dirname "$0")/../../docs/dumps/$chip.txt"
: "${WRAP:?WRAP must point at the usbfs_wrap helper}"
[ -f "$dump" ] || fail "no dump for $chip"

cat >"$WORK/probe.sh" <<'EOS'
set -eu
"$DFU_UTIL" -l >"$1/list" 2>&1
node=/dev/bus/usb/001/$(printf %03d "$(cat /sys/bus/usb/devices/1-1/devnum)")
"$WRAP" "$node" >"$1/fields"
EOS
DFU_UTIL=$DFU_UTIL WRAP=$WRAP emu --chip "$chip" -- bash "$WORK/probe.sh" "$WORK" ||
	fail "$chip: probing under stdfu-emu failed"

"$PY" - "$dump" "$WORK/list" "$WORK/fields" <<'PYEOF'
import re, sys
dump, listing, fields = (open(p).read().splitlines() for p in sys.argv[1:])
section, want = None, {"[dfu-util -l]": [], "[lsusb]": []}
for line in dump:
    if line.startswith("#") or not line.strip():
        continue
    if line in want:
        section = line
        continue
    want[section].append(line)

got = [l for l in listing if l.startswith("Found DFU")]
errors = []
if len(got) != len(want["[dfu-util -l]"]):
    errors.append("dfu-util -l: %d lines, the dump has %d" % (len(got), len(want["[dfu-util -l]"])))
for w, g in zip(want["[dfu-util -l]"], got):
    # "*" in the dump replaces devnum, path and serial only
    wl = re.sub(r'(devnum=)\*', r'\1<N>', w)
    wl = re.sub(r'(path=")\*(")', r'\1<P>\2', wl)
    wl = re.sub(r'(serial=")\*(")', r'\1<S>\2', wl)
    rx = "^" + re.escape(wl).replace("<N>", r"\d+").replace("<P>", r"[0-9.-]+").replace("<S>", r"[^\"]*") + "$"
    if not re.match(rx, g):
        errors.append("dfu-util -l differs:\n  dump: %s\n  emu:  %s" % (w, g))
for w in want["[lsusb]"]:
    if w not in fields:
        key = w.split()[0]
        have = [f for f in fields if f.split()[0] == key]
        errors.append("lsusb field: dump '%s', emu '%s'" % (w, have[0] if have else "missing"))
if errors:
    sys.exit("\n".join(errors))
PYEOF
echo PASS
