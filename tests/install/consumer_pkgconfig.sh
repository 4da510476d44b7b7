#!/usr/bin/env bash
# A downstream program built through pkg-config alone, against an install
# under DESTDIR (PKG_CONFIG_SYSROOT_DIR maps /usr to DESTDIR/usr, as for a
# sysroot), linked with the shared library and, with --static, the static one.
# usage: consumer_pkgconfig.sh DESTDIR LIBDIR WORKDIR CC [CFLAGS...]
set -euo pipefail
d=$1 libdir=$2 work=$3 cc=$4
shift 4
src=$(dirname "$0")/consumer/consumer.c
mkdir -p "$work"
export PKG_CONFIG_SYSROOT_DIR=$d
export PKG_CONFIG_PATH=$d/usr/$libdir/pkgconfig

echo "pkg-config --cflags --libs stdfu: $(pkg-config --cflags --libs stdfu)"
# shellcheck disable=SC2046
"$cc" -std=c11 -Wall -Wextra -Werror "$@" "$src" $(pkg-config --cflags --libs stdfu) \
	-o "$work/consumer_shared"
readelf -d "$work/consumer_shared" | grep -q 'NEEDED.*libstdfu.so.0'
LD_LIBRARY_PATH=$d/usr/$libdir "$work/consumer_shared"

# Static libstdfu.a, its dependencies (Requires.private) shared: Debian
# ships no libudev.a for a fully static libusb.
private=$(pkg-config --print-requires-private stdfu | tr '\n' ' ')
echo "stdfu Requires.private: $private"
# shellcheck disable=SC2086
static_libs="$(pkg-config --libs $private) -pthread"
# shellcheck disable=SC2046,SC2086
"$cc" -std=c11 -Wall -Wextra -Werror "$@" "$src" $(pkg-config --cflags stdfu) \
	"$d/usr/$libdir/libstdfu.a" $static_libs -o "$work/consumer_static"
if readelf -d "$work/consumer_static" | grep -q 'NEEDED.*libstdfu'; then
	echo "the static consumer still needs libstdfu.so" >&2
	exit 1
fi
"$work/consumer_static"
