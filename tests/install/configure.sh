#!/usr/bin/env bash
# With only libusb-1.0, libserialport and jansson (the tool's JSON writer)
# visible to pkg-config: a default configure stops and names the switch that
# drops the emulator, and
# -DSTDFU_TOOL_ONLY=ON configures, builds and installs libstdfu and stdfu.
# usage: configure.sh SOURCE_DIR WORKDIR CC
set -euo pipefail
src=$1 work=$2 cc=$3
rm -rf "$work"
mkdir -p "$work/pc"
for m in libusb-1.0 libserialport jansson sqlite3; do
	ln -s "$(pkg-config --variable=pcfiledir $m)/$m.pc" "$work/pc/"
	# their private requirements (libudev), which pkg-config resolves too
	for r in $(pkg-config --print-requires-private $m | awk '{print $1}'); do
		ln -sf "$(pkg-config --variable=pcfiledir "$r")/$r.pc" "$work/pc/"
	done
done
export PKG_CONFIG_LIBDIR=$work/pc CC=$cc

if cmake -S "$src" -B "$work/full" >"$work/full.log" 2>&1; then
	echo "FAIL: configure succeeded without umockdev" >&2
	exit 1
fi
grep -q -- '-DSTDFU_TOOL_ONLY=ON' "$work/full.log" || {
	cat "$work/full.log"
	echo "FAIL: the error does not name the switch" >&2
	exit 1
}
echo "ok   without umockdev: $(grep -A3 'CMake Error' "$work/full.log" | tail -n +2 | tr -s ' \n' ' ')"

cmake -S "$src" -B "$work/tool" -DSTDFU_TOOL_ONLY=ON -DSTDFU_WERROR=ON >/dev/null
cmake --build "$work/tool" -j2 >/dev/null
cmake --install "$work/tool" --prefix "$work/prefix" >/dev/null
"$work/prefix/bin/stdfu" --version
[ ! -e "$work/prefix/bin/stdfu-emu" ] || { echo "FAIL: tool-only installed stdfu-emu" >&2; exit 1; }
echo "ok   -DSTDFU_TOOL_ONLY=ON builds and installs libstdfu and stdfu alone"
