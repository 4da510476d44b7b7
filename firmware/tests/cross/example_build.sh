#!/bin/sh
# Compile the CubeMX integration examples (firmware/examples/cubemx) against a stand-in
# for the CubeMX headers, so the guide cannot drift from the companion's API.
# usage: example_build.sh CC FIRMWARE_DIR INCLUDE_DIR OUT_DIR [cflags...]
set -eu
cc=$1 fw=$2 inc=$3 out=$4
shift 4
ex="$fw/examples/cubemx"
mkdir -p "$out"
for src in usbd_cdc_if_stdfu main_stdfu; do
	"$cc" -std=c99 -ffreestanding -Os -mthumb -Wall -Wextra -Werror -Wshadow \
		-Wstrict-prototypes -Wmissing-prototypes -DSTDFU_FW_EXAMPLE_COMPILE_CHECK \
		-I"$fw/include" -I"$inc" -I"$ex" "$@" -c "$ex/$src.c" -o "$out/$src.o"
done
"$cc" -mthumb "$@" -c "$ex/startup_stdfu.s" -o "$out/startup_stdfu.o"
echo "ok: examples"
