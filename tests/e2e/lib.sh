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
# which dump_match.sh holds to docs/dumps/CHIP.txt) and how the real ROM
# treats dfu-util (chips.c):
#   XFER          wTransferSize the ROM advertises
#   DFU_T         the -t dfu-util needs to succeed ("" = the advertised size)
#   ALIGN         image sizes dfu-util can write (G4 takes only 1024-byte writes)
#   LEAVE_RC      dfu-util's exit after -s ADDR:leave (74: the GETSTATUS fails)
#   LEAVE_GONE    1 if the board leaves the bus after the leave (0: H563 locks up)
#   EMPTY_CHECK   1 if a chip powered up with an empty flash stays in the ROM
#                 after the leave until a power cycle (L4)
chip_facts() {
	FLASH_BASE=0x08000000 DFU_T="" ALIGN=1 LEAVE_RC=0 LEAVE_GONE=1 EMPTY_CHECK=0
	case "$1" in
	f405) XFER=2048 FIRST_SECTOR=16384 FLASH_SIZE=1048576 ;;
	l4) XFER=2048 FIRST_SECTOR=2048 FLASH_SIZE=524288 EMPTY_CHECK=1 ;;
	h7) XFER=1024 FIRST_SECTOR=131072 FLASH_SIZE=2097152 LEAVE_RC=74 ;;
	g0) XFER=1024 FIRST_SECTOR=2048 FLASH_SIZE=524288 LEAVE_RC=74 ;;
	f072) XFER=2048 FIRST_SECTOR=2048 FLASH_SIZE=131072 ;;
	f303) XFER=2048 FIRST_SECTOR=2048 FLASH_SIZE=262144 ;;
	f746) XFER=2048 FIRST_SECTOR=32768 FLASH_SIZE=1048576 ;;
	f722) XFER=1024 FIRST_SECTOR=16384 FLASH_SIZE=524288 LEAVE_RC=74 ;;
	g474) XFER=1024 FIRST_SECTOR=2048 FLASH_SIZE=524288 LEAVE_RC=74 ALIGN=1024 ;;
	l432) XFER=2048 FIRST_SECTOR=2048 FLASH_SIZE=262144 DFU_T="-t 1024" EMPTY_CHECK=1 ;;
	u585) XFER=1024 FIRST_SECTOR=8192 FLASH_SIZE=2097152 LEAVE_RC=74 ;;
	h563) XFER=1024 FIRST_SECTOR=8192 FLASH_SIZE=2097152 LEAVE_RC=74 LEAVE_GONE=0 ;;
	wb55) XFER=1024 FIRST_SECTOR=4096 FLASH_SIZE=1048576 LEAVE_RC=74 ;;
	c071) XFER=1024 FIRST_SECTOR=2048 FLASH_SIZE=131072 LEAVE_RC=74 ;;
	*) fail "unknown chip $1" ;;
	esac
	# the block size dfu-util really writes with
	USED_XFER=${DFU_T#-t }
	USED_XFER=${USED_XFER:-$XFER}
}

# Every chip the emulator models (tests/e2e/CMakeLists.txt runs each).
ALL_CHIPS="f405 l4 h7 g0 f072 f303 f746 f722 g474 l432 u585 h563 wb55 c071"

# aligned SIZE: SIZE rounded up to what the chip accepts (ALIGN)
aligned() {
	echo $((($1 + ALIGN - 1) / ALIGN * ALIGN))
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
