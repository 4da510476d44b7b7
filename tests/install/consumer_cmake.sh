#!/usr/bin/env bash
# A downstream CMake project: find_package(stdfu) -> stdfu::stdfu, against an
# install under DESTDIR (CMAKE_PREFIX_PATH=DESTDIR/usr; the package config is
# relocatable).
# usage: consumer_cmake.sh DESTDIR WORKDIR CC [CFLAGS...]
set -euo pipefail
d=$1 work=$2 cc=$3
shift 3
rm -rf "$work"
cmake -S "$(dirname "$0")/consumer" -B "$work" -DCMAKE_PREFIX_PATH="$d/usr" \
	-DCMAKE_C_COMPILER="$cc" -DCMAKE_C_FLAGS="-Wall -Wextra -Werror $*" \
	-DCMAKE_EXE_LINKER_FLAGS="$*"
cmake --build "$work"
readelf -d "$work/consumer" | grep -q 'NEEDED.*libstdfu.so.0'
"$work/consumer"
