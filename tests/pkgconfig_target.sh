#!/usr/bin/env bash
# A downstream program, built against the installed library with pkg-config
# alone, flashes an emulated STM32F405 that starts in its application: the
# library triggers it, follows it to the ROM, flashes, and waits for the
# application to come back. The emulator's flash must then hold the image.
#   pkgconfig_target.sh CC SOURCE [CFLAGS...]   (STDFU_STAGE: the staged install)
set -euo pipefail
: "${STDFU_STAGE:?STDFU_STAGE must point at the staged install}"
cc=$1
src=$2
shift 2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PKG_CONFIG_PATH="$STDFU_STAGE/lib/pkgconfig"
# shellcheck disable=SC2046 # pkg-config prints several words on purpose
# The staged library, not a packaged one that may be installed on the machine.
"$cc" -std=c11 -Wall -Werror "$@" "$src" $(pkg-config --cflags --libs stdfu) \
	-Wl,-rpath,"$STDFU_STAGE/lib" -o "$work/use"

# A plausible application (initial SP in SRAM, odd reset vector in flash) so
# that it comes back after the leave; 40000 bytes crosses sector boundaries.
printf '\x00\x20\x00\x20\x01\x01\x00\x08' >"$work/app.bin"
head -c 39992 /dev/urandom >>"$work/app.bin"
rc=0
"$STDFU_STAGE/bin/stdfu-emu" --chip f405 --mode app --dump "$work/flash.bin" -- \
	"$work/use" flash "$work/app.bin" >"$work/out.log" 2>&1 || rc=$?
if [ "$rc" -ne 0 ]; then
	cat "$work/out.log"
	echo "FAIL: the program exited $rc" >&2
	exit 1
fi
cat "$work/out.log"
for step in chosen sent left dfu_found app_back; do
	grep -q "^target: $step " "$work/out.log" || { echo "FAIL: no $step event" >&2; exit 1; }
done
cmp -n "$(stat -c %s "$work/app.bin")" "$work/app.bin" "$work/flash.bin" ||
	{ echo "FAIL: the emulated flash does not hold app.bin" >&2; exit 1; }
echo "ok: flashed from the application through stdfu_target_open"
