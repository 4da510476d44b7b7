#!/bin/sh
# Compile an integration example (firmware/examples/NAME) against stand-ins for its
# stack's headers, which copy the real declarations, so that neither the guide nor the
# callbacks' signatures can drift from the companion's API or from the stack's.
# usage: example_build.sh CC FIRMWARE_DIR INCLUDE_DIR OUT_DIR NAME [cflags...]
#   NAME: cubemx, tinyusb or libopencm3
set -eu
cc=$1 fw=$2 inc=$3 out=$4 name=$5
shift 5
ex="$fw/examples/$name"
mkdir -p "$out"
case "$name" in
cubemx) srcs="usbd_cdc_if_stdfu main_stdfu" ;;
tinyusb) srcs="cdc_stdfu" ;;
libopencm3) srcs="cdcacm_stdfu" ;;
*)
	echo "unknown example $name" >&2
	exit 2
	;;
esac
for src in $srcs; do
	"$cc" -std=c99 -ffreestanding -Os -mthumb -Wall -Wextra -Werror -Wshadow \
		-Wstrict-prototypes -Wmissing-prototypes -DSTDFU_FW_EXAMPLE_COMPILE_CHECK \
		-I"$fw/include" -I"$inc" -I"$ex" -I"$ex/stand_in" "$@" -c "$ex/$src.c" \
		-o "$out/$src.o"
done
if [ "$name" = cubemx ]; then
	"$cc" -mthumb "$@" -c "$ex/startup_stdfu.s" -o "$out/startup_stdfu.o"
fi
echo "ok: examples $name"
