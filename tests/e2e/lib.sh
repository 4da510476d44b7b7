# Shared helpers of the dfu-util peer tests: sourced, not run.
# EMU (stdfu-emu), DFU_UTIL and PY come from tests/e2e/CMakeLists.txt.
set -euo pipefail

: "${EMU:?EMU must point at the installed stdfu-emu}"
: "${DFU_UTIL:=/usr/bin/dfu-util}"
: "${PY:=/usr/bin/python3}"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/stdfu-e2e.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# Facts of the emulated chips the tests need (from the ROM's layout string,
# which test_list checks against what dfu-util prints).
chip_facts() {
	FLASH_BASE=0x08000000
	case "$1" in
	f405) XFER=2048 FIRST_SECTOR=16384 FLASH_SIZE=1048576 ;;
	l4) XFER=2048 FIRST_SECTOR=2048 FLASH_SIZE=1048576 ;;
	h7) XFER=1024 FIRST_SECTOR=131072 FLASH_SIZE=2097152 ;;
	g0) XFER=1024 FIRST_SECTOR=2048 FLASH_SIZE=524288 ;;
	*) fail "unknown chip $1" ;;
	esac
}

# random_file PATH SIZE
random_file() {
	head -c "$2" /dev/urandom >"$1"
}

# expect_flash DUMP IMAGE OFFSET: DUMP holds IMAGE at OFFSET and 0xFF elsewhere.
expect_flash() {
	"$PY" - "$1" "$2" "$3" <<'PYEOF'
import sys
dump = open(sys.argv[1], "rb").read()
img = open(sys.argv[2], "rb").read()
off = int(sys.argv[3], 0)
if dump[off:off + len(img)] != img:
    bad = next(i for i in range(len(img)) if off + i >= len(dump) or dump[off + i] != img[i])
    sys.exit("image differs at offset 0x%x" % (off + bad))
rest = dump[:off] + dump[off + len(img):]
if rest.count(0xFF) != len(rest):
    sys.exit("flash outside the image is not erased (0xFF)")
PYEOF
}

# Run dfu-util under the emulator: emu [EMU OPTIONS] -- ARGS...
emu() {
	"$EMU" --timing fast "$@"
}
