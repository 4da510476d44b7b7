#!/usr/bin/env bash
# Regenerate the seed corpora under corpus/ from real toolchain output:
# the two-region firmware of tests/image/fw built with arm-none-eabi-gcc,
# objcopy's .hex/.srec/.bin, dfuse-pack and dfu-suffix outputs, plus the
# layout strings and descriptors real ST ROMs send. Run by hand; the
# corpora are committed (small).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fw=$here/../image/fw
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -Os -nostdlib -ffreestanding -T "$fw/fw.ld" "$fw/fw.c" -o fw.elf
arm-none-eabi-strip -o fw_stripped.elf fw.elf
# Small page alignment: a compact file (faster fuzzing) whose first PT_LOAD may map the headers.
arm-none-eabi-gcc -mcpu=cortex-m0 -mthumb -O0 -nostdlib -ffreestanding -Wl,-z,max-page-size=0x10 -T "$fw/fw.ld" "$fw/fw.c" -o fw_m0.elf
arm-none-eabi-strip -o fw_m0.elf fw_m0.elf
arm-none-eabi-objcopy -O ihex fw.elf fw.hex
arm-none-eabi-objcopy -O srec fw.elf fw.srec
arm-none-eabi-objcopy -O srec --srec-len=8 fw.elf fw_short.srec
arm-none-eabi-objcopy -O binary -j .calib fw.elf calib.bin
arm-none-eabi-objcopy -O binary -j .isr_vector -j .text -j .data fw.elf code.bin
# S1 records (16-bit addresses) and HEX with 02 segment records, via objcopy's address change.
arm-none-eabi-objcopy -O srec --change-addresses=-0x08000000 -j .text fw.elf fw_s1.srec
arm-none-eabi-objcopy -I binary -O ihex --change-addresses=0x12340 calib.bin fw_seg.hex
cp code.bin code_suffix.bin && dfu-suffix -v 0483 -p df11 -d 0x0200 -a code_suffix.bin >/dev/null
dfuse-pack -s fw.srec fw_pack.dfu >/dev/null
printf '\x00\x40\x00\x00' >opt.bin
dfuse-pack -b 0x08000000:code.bin -b 0x08020000:calib.bin -b 0x1FFFC000@1:opt.bin multi.dfu >/dev/null

put() { local d=$here/corpus/$1; mkdir -p "$d"; shift; cp "$@" "$d/"; }
rm -rf "$here/corpus"
put fuzz_image_elf fw.elf fw_stripped.elf fw_m0.elf
put fuzz_image_ihex fw.hex fw_seg.hex
put fuzz_image_srec fw.srec fw_short.srec fw_s1.srec
put fuzz_image_raw calib.bin code_suffix.bin
put fuzz_image_dfuse fw_pack.dfu multi.dfu
put fuzz_image_auto fw_m0.elf fw.hex fw.srec code_suffix.bin multi.dfu

l=$here/corpus/fuzz_layout
mkdir -p "$l"
printf '%s' '@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg' >"$l/f405_flash"
printf '%s' '@Option Bytes  /0x1FFFC000/01*016 e' >"$l/f405_option"
printf '%s' '@OTP Memory /0x1FFF7800/01*512 e,01*016 e' >"$l/f405_otp"
printf '%s' '@Device Feature/0xFFFF0000/01*004 e' >"$l/f405_feature"
printf '%s' '@Internal Flash   /0x08000000/64*02Kg' >"$l/g0_flash"
printf '%s' '@Internal Flash   /0x08000000/256*08Kg' >"$l/h563_flash"
printf '%s' '@Internal Flash   /0x08000000/16*128Kg/0x08100000/16*128Kg' >"$l/h7_two_banks"
printf '%s' '@SRAM /0x20000000/64*001Kg' >"$l/sram"

d=$here/corpus/fuzz_dfu
mkdir -p "$d"
# First byte odd: GETSTATUS reply; even: class descriptors after the interface.
printf '\x01\x00\x00\x00\x00\x02\x00' >"$d/status_idle"
printf '\x01\x00\x64\x00\x00\x04\x00' >"$d/status_dnbusy_100ms"
printf '\x01\x0a\x00\x00\x00\x0a\x00' >"$d/status_err_vendor"
printf '\x01\x00\xff\xff\xff\x05\x00' >"$d/status_huge_poll"
printf '\x00\x09\x21\x0b\xff\x00\x00\x08\x1a\x01' >"$d/functional_f4"
printf '\x00\x09\x21\x0b\xff\x00\x00\x04\x1a\x01' >"$d/functional_h7"
printf '\x00\x07\x21\x0b\xff\x00\x00\x08' >"$d/functional_dfu10"
printf '\x00\x05\x24\x00\x10\x01\x09\x21\x0b\xff\x00\x00\x08\x1a\x01' >"$d/functional_after_other"
e=$here/corpus/fuzz_engine
mkdir -p "$e"
# fuzz_engine.c: the 8-byte scenario (chip, transfer sizes, options, image
# start, length, second segment, seed, -), then one fault selector per request
# (0xF0..0xF9; anything else, or none left: the honest ROM).
printf '\x00\x00\x00\x00\x40\x00\x11\x00' >"$e/f4_flash"
printf '\x01\x01\x00\x00\x40\x02\x22\x00' >"$e/l4_two_segments"
printf '\x81\x01\x80\x00\x40\x02\x22\x00' >"$e/l4_errfirmware_ecc_ghosts"
printf '\x02\x01\x00\x01\x13\x00\x33\x00' >"$e/g4_short_block"
printf '\x03\x02\x41\x00\x10\x00\x44\x00' >"$e/c0_incremental_old_firmware"
printf '\x01\x20\x00\x00\x40\x00\x55\x00' >"$e/l43x_2048_writes_fail"
printf '\x00\x1c\x00\x00\x40\x00\x66\x00' >"$e/rom_blocks_smaller_than_said"
printf '\x00\x11\x00\x00\x40\x00\x66\x00' >"$e/rom_blocks_larger_than_said"
printf '\x00\x00\x10\x00\x40\x00\x11\x00\x00\x00\xf1\x00\xf8\x10\x00\x00\x00\xf0' >"$e/f4_spec_poll_timeout_busy_stall"
printf '\x01\x01\x01\x00\x40\x00\x22\x00\x00\x00\x00\x00\x00\xf6\x03\x00\xf9\x0a' >"$e/l4_incremental_short_errstatus"
# A write acknowledged but dropped (fault 0xFA at the 22nd request): the verify must catch it.
{ printf '\x00\x00\x02\x00\x40\x00\x11\x00'; head -c 21 /dev/zero; printf '\xfa'; } >"$e/f4_dropped_write"
# Reproducers of what the fuzzer found (flash/write.c, flash/blocks.c).
printf '\x1a\x30\x00\x00\x00\x01\x00\x00' >"$e/g4_next_segment_inside_the_pad"
printf '\x1a\x01\xc0\x3b\x00\x1a\x01\xc0' >"$e/g4_pad_into_an_unplanned_sector"
printf '\x01\xe8\x85\xff\x4f\x70\x74\x69\x6f\x6e\x20\x42\x79\x74\x65\x73\xff\xff\x0c\x00\x00' \
	>"$e/l43x_errprog_on_a_short_block_at_the_flash_end"
c=$here/corpus/fuzz_cli
mkdir -p "$c"
# fuzz_cli.c: the words after "stdfu", NUL-separated.
printf 'flash\0fw.bin\0--usb-path\0001-2.3\0--poll\0spec' >"$c/flash_path_poll"
printf -- '--json\0read\0--alt\0001\0--address\0000x08000000\0--length\00064K\0out.bin' >"$c/json_read"
printf 'flash\0--all\0--usb-path\0001-1\0--usb-path\0001-2\0fw.hex\0--no-verify' >"$c/flash_all"
printf 'station\0--help' >"$c/station_help"
printf -- '--version' >"$c/version"
printf 'trigger\0--port\0/dev/ttyACM0\0--baud\0115200\0--byte\0000x7f' >"$c/trigger"
du -sh "$here/corpus"
