#!/usr/bin/env bash
# A DESTDIR install with the prefix /usr puts every file where a distribution
# expects it, and the pkg-config file names that prefix, not the build's.
# usage: layout.sh DESTDIR LIBDIR [emu]  (STDFU_ZSH_DIR: the zsh completion dir)
set -euo pipefail
d=$1 libdir=$2 emu=${3:-}
fail=0
need() { # a package compresses man pages
	if [ -e "$d$1" ] || [[ $1 == *.1 && -e $d$1.gz ]]; then
		echo "ok   $1"
	else
		echo "MISSING $1"
		fail=1
	fi
}
need /usr/bin/stdfu
need /usr/$libdir/libstdfu.so.0
need /usr/$libdir/libstdfu.so
need /usr/$libdir/libstdfu.a
need /usr/$libdir/pkgconfig/stdfu.pc
need /usr/$libdir/cmake/stdfu/stdfuConfig.cmake
need /usr/$libdir/cmake/stdfu/stdfuConfigVersion.cmake
need /usr/$libdir/cmake/stdfu/stdfuTargets.cmake
need /usr/include/stdfu/stdfu.h
need /usr/include/stdfu/version.h
need /usr/lib/udev/rules.d/60-stdfu.rules
need /usr/share/man/man1/stdfu.1
need /usr/share/bash-completion/completions/stdfu
need ${STDFU_ZSH_DIR:-/usr/share/zsh/site-functions}/_stdfu
need /usr/share/fish/vendor_completions.d/stdfu.fish
if [ -n "$emu" ]; then
	need /usr/bin/stdfu-emu
	need /usr/share/man/man1/stdfu-emu.1
	need /usr/share/bash-completion/completions/stdfu-emu
fi

soname=$(readelf -d "$d/usr/$libdir/libstdfu.so.0" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
[ "$soname" = libstdfu.so.0 ] || { echo "SONAME is '$soname', not libstdfu.so.0"; fail=1; }
readelf -d "$d/usr/bin/stdfu" | grep -q 'NEEDED.*libstdfu.so.0' ||
	{ echo "stdfu does not link libstdfu.so.0"; fail=1; }

pc=$d/usr/$libdir/pkgconfig/stdfu.pc
grep -qx 'prefix=/usr' "$pc" || { echo "stdfu.pc: prefix is not /usr:"; cat "$pc"; fail=1; }
grep -qx "libdir=\${prefix}/$libdir" "$pc" || { echo "stdfu.pc: wrong libdir"; cat "$pc"; fail=1; }
grep -qx 'includedir=${prefix}/include' "$pc" || { echo "stdfu.pc: wrong includedir"; fail=1; }
exit $fail
