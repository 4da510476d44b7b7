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
# shellcheck disable=SC2086
"$cc" -mthumb "$@" -nostdlib -Wl,-e,stdfu_fw_early_boot -Wl,--gc-sections \
	-Wl,--fatal-warnings -Wl,--no-warn-rwx-segments $objs -lgcc -o "$out/companion.elf"
echo "ok: $out/companion.elf"
