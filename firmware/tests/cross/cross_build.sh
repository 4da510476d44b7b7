#!/bin/sh
# Cross-compile and link the firmware companion for one family configuration.
# usage: cross_build.sh CC FIRMWARE_DIR INCLUDE_DIR OUT_DIR [cflags...]
# Every warning is an error; the link (no libc, entry = stdfu_fw_early_boot) proves the
# companion is self-contained: no HAL, no CMSIS, no libc.
set -eu
cc=$1 fw=$2 inc=$3 out=$4
shift 4
mkdir -p "$out"
objs=
for src in stdfu_fw_trigger stdfu_trigger_rule stdfu_fw_record stdfu_fw_port_cm; do
	"$cc" -std=c99 -ffreestanding -Os -g -mthumb -ffunction-sections -fdata-sections \
		-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
		-Wcast-align -Wconversion -Wno-sign-conversion \
		-I"$fw/include" -I"$fw/src" -I"$inc" "$@" \
		-c "$fw/src/$src.c" -o "$out/$src.o"
	objs="$objs $out/$src.o"
done
# The companion record, as <stdfu/trigger_protocol.h> lays it out: "STDFU-CR", protocol
# 1, the trigger byte, size 16, flags 0, then the complement of bytes 8..11.
byte=$(printf '%s\n' "$@" | sed -n 's/^-DSTDFU_FW_TRIGGER_BYTE=//p')
byte=$((${byte:-0xF5}))
"${cc%gcc}objcopy" -O binary --only-section=.stdfu_companion "$out/stdfu_fw_trigger.o" \
	"$out/record.bin"
want=$(printf '53544446552d4352 01 %02x 10 00 fe %02x ef ff' "$byte" $((byte ^ 0xff)) |
	tr -d ' ')
got=$(od -An -tx1 -v "$out/record.bin" | tr -d ' \n')
if [ "$got" != "$want" ]; then
	echo "companion record: got $got, want $want" >&2
	exit 1
fi
# shellcheck disable=SC2086
"$cc" -mthumb "$@" -nostdlib -Wl,-e,stdfu_fw_early_boot -Wl,--gc-sections \
	-Wl,--fatal-warnings -Wl,--no-warn-rwx-segments $objs -lgcc -o "$out/companion.elf"
echo "ok: $out/companion.elf"
