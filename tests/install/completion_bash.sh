#!/usr/bin/env bash
# Drives the installed bash completion of stdfu and stdfu-emu the way bash
# does (COMP_WORDS, COMP_CWORD, the completion function, COMPREPLY) and checks
# it against what the installed tools themselves say in --help, and, for
# --usb-path and --serial, against the boards `stdfu list` sees.
# usage: completion_bash.sh STAGE   (run under stdfu-emu --boards 2)
set -uo pipefail
stage=$1
export PATH=$stage/bin:$PATH
# shellcheck disable=SC1091
source "$stage/share/bash-completion/completions/stdfu" || exit 1
# shellcheck disable=SC1091
source "$stage/share/bash-completion/completions/stdfu-emu" || exit 1
fail=0

# complete LINE: the words of LINE, completing its last word ("" after a space)
complete_line() {
	local fn=_stdfu
	read -r -a COMP_WORDS <<<"$1"
	[[ $1 == *" " ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE=$1
	COMP_POINT=${#1}
	[ "${COMP_WORDS[0]}" = stdfu-emu ] && fn=_stdfu_emu
	COMPREPLY=()
	$fn stdfu "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	printf '%s\n' "${COMPREPLY[@]}" | sort -u | tr '\n' ' ' | sed 's/ $//'
}

expect() { # LINE WANTED
	local got
	got=$(complete_line "$1")
	if [ "$got" = "$2" ]; then
		echo "ok   '$1' -> $got"
	else
		echo "FAIL '$1'"
		echo "     want: $2"
		echo "     got:  $got"
		fail=1
	fi
}

sorted() { tr ' ' '\n' | grep -v '^$' | sort -u | tr '\n' ' ' | sed 's/ $//'; }

# Commands: exactly those `stdfu --help` lists.
cmds=$(stdfu --help | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p' | tr '\n' ' ')
[ -n "$cmds" ] || { echo "FAIL: stdfu --help lists no commands"; exit 1; }
expect "stdfu " "$(echo "$cmds --help --version" | sorted)"
expect "stdfu fl" "flash"
expect "stdfu --v" "--version"

# Every option `stdfu CMD --help` shows completes for CMD. The completion
# comes from the parser's table: an option the parser takes that --help does
# not show is the help text's gap, reported as a note.
opt_fail=$fail
for c in $cmds; do
	want=$(stdfu "$c" --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u | tr '\n' ' ')
	got=$(complete_line "stdfu $c --")
	for o in $want; do
		case " $got " in *" $o "*) ;; *) echo "FAIL: stdfu $c --help shows $o, completion lacks it"; fail=1 ;; esac
	done
	for o in $got; do
		case $o in --help | --json | --quiet) continue ;; esac
		case " $want " in *" $o "*) ;; *) echo "note: stdfu $c takes $o, its --help does not show it" ;; esac
	done
done
[ "$fail" = "$opt_fail" ] && echo "ok   every option of every command's --help completes"

expect "stdfu flash --me" "--method"
expect "stdfu flash --method " "betaflight byte detach micropython none text: touch1200"
expect "stdfu trigger --method to" "touch1200"
expect "stdfu flash --poll " "early spec"
expect "stdfu list --usb" ""
expect "stdfu flash --address " ""

# --usb-path and --serial: the boards `stdfu list` shows (here: stdfu-emu's).
paths=$(stdfu list --json | grep -o '"usb_path":"[^"]*"' | cut -d'"' -f4 | sorted)
serials=$(stdfu list --json | grep -o '"serial":"[^"]*"' | cut -d'"' -f4 | sorted)
[ "$(echo "$paths" | wc -w)" -ge 2 ] || { echo "FAIL: expected 2 boards, stdfu list: $paths"; fail=1; }
expect "stdfu flash --usb-path " "$paths"
expect "stdfu info --usb-path 1-" "$paths"
expect "stdfu erase --serial " "$serials"
expect "stdfu leave --usb-path 9" ""

# FILE arguments: files for as many as the command takes, then nothing.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
touch app.bin app.hex
expect "stdfu flash app." "app.bin app.hex"
expect "stdfu flash --usb-path 1-1 app.b" "app.bin"
expect "stdfu flash app.bin a" ""
expect "stdfu convert app.bin app." "app.bin app.hex"
expect "stdfu list a" ""

# stdfu-emu: its options, its chip models (as `stdfu-emu --help` lists them),
# then COMMAND after --.
chips=$(stdfu-emu --help | sed -n 's/.*--chip NAME.*:\(.*\)/\1/p' | sorted)
[ -n "$chips" ] || { echo "FAIL: stdfu-emu --help lists no chips"; fail=1; }
expect "stdfu-emu --chip " "$chips"
expect "stdfu-emu --ch" "--chip"
expect "stdfu-emu --mode " "app dfu"
expect "stdfu-emu --chip f405 -- stdfu-e" "stdfu-emu"
exit $fail
