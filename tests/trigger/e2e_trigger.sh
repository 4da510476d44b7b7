#!/usr/bin/env bash
# End-to-end trigger tests: the installed stdfu against the installed stdfu-emu.
#   e2e_trigger.sh flash CHIP METHOD   app -> trigger -> DFU -> erase/write/verify/leave
#   e2e_trigger.sh boards3              --usb-path 1-2 changes only the middle board
#   e2e_trigger.sh companion-none       timeout exit code + hint within --timeout + 1 s
#   e2e_trigger.sh busy                 a port held by another process: its own error
#   e2e_trigger.sh port                 --port names the tty; its board alone changes
#   e2e_trigger.sh wait-app             --wait-app and the JSON steps
#   e2e_trigger.sh byte                 --trigger-byte must match the companion's byte
#   e2e_trigger.sh list                 stdfu list shows application ports
#   e2e_trigger.sh trigger              stdfu trigger alone
#   e2e_trigger.sh rom-refuses          the ROM sends the board back: exit 19, BOOT0 hints
#   e2e_trigger.sh dfu-port             DFU on another port: exit 21, or --any-port flashes
#   e2e_trigger.sh writer-before        another program wrote just before: the byte is resent
#   e2e_trigger.sh persona NAME         --companion NAME --method NAME flashes (micropython,
#                                       betaflight, text; inav with --method betaflight)
#   e2e_trigger.sh persona-wrong        the wrong method: exit 18 naming the firmware's answer
#   e2e_trigger.sh companion-record     flashing an image without the companion record onto a
#                                       board reached through the companion warns; with it not
set -euo pipefail

: "${STDFU_STAGE:?STDFU_STAGE must point at the staged install}"
EMU="$STDFU_STAGE/bin/stdfu-emu"
STDFU="$STDFU_STAGE/bin/stdfu"
# Exit codes of stdfu(1).
EXIT_USAGE=2
EXIT_BUSY=6
EXIT_TIMEOUT=13
EXIT_TRIGGER=18
EXIT_REFUSED=19
EXIT_ELSEWHERE=21

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

fail() {
	echo "FAIL: $*" >&2
	for f in "$work"/*.log; do
		[ -f "$f" ] && { echo "--- $f" >&2; cat "$f" >&2; }
	done
	exit 1
}

# A plausible application (initial SP in SRAM, odd reset vector in flash), so
# that the application comes back after leave; 40000 bytes crosses sectors.
# timed_flash TIMEOUT_MS EMU_ARGS...: `stdfu flash app.bin --timeout TIMEOUT_MS`
# on an f405 application under stdfu-emu EMU_ARGS; out.log gets the output and
# an "elapsed_ms N" line measured around stdfu alone. Returns stdfu's status.
timed_flash() {
	local timeout=$1
	shift
	"$EMU" --chip f405 --mode app "$@" -- sh -c '
		t0=$(date +%s%N)
		"$1" flash app.bin --timeout "$2"
		rc=$?
		t1=$(date +%s%N)
		echo "elapsed_ms $(( (t1 - t0) / 1000000 ))"
		exit $rc' sh "$STDFU" "$timeout" >out.log 2>&1
}

make_image() {
	local size=${1:-40000}
	printf '\x00\x20\x00\x20\x01\x01\x00\x08' >app.bin
	head -c $((size - 8)) /dev/urandom >>app.bin
}

expect_in() { # FILE WORD...
	local f=$1
	shift
	for w in "$@"; do
		grep -qi -- "$w" "$f" || fail "'$w' missing from $f"
	done
}

same_head() { # DUMP IMAGE
	cmp -n "$(stat -c %s "$2")" "$1" "$2" >/dev/null || fail "$1 does not start with $2"
}

# The flash as --load left it: IMAGE at the base, 0xFF after it.
untouched() { # DUMP IMAGE
	local n
	same_head "$1" "$2"
	n=$(tail -c +$(($(stat -c %s "$2") + 1)) "$1" | tr -d '\377' | wc -c)
	[ "$n" -eq 0 ] || fail "$1: $n bytes after the --load image are not 0xFF"
}

# A different plausible application, what the board runs before the flash.
make_old() {
	printf '\x00\x20\x00\x20\x01\x02\x00\x08' >old.bin
	head -c 3000 /dev/urandom >>old.bin
}

all_ff() { # FILE
	local n
	n=$(tr -d '\377' <"$1" | wc -c)
	[ "$n" -eq 0 ] || fail "$1 has $n bytes that are not 0xFF"
}

case "${1:-}" in
flash)
	chip=$2 method=$3
	make_image
	mode=app
	[ "$method" = none ] && mode=dfu
	set +e
	"$EMU" --chip "$chip" --mode "$mode" --runtime-dfu --dump out.bin -- \
		"$STDFU" flash app.bin --method "$method" >out.log 2>&1
	rc=$?
	set -e
	[ "$rc" -eq 0 ] || fail "stdfu flash --method $method on $chip exited $rc"
	same_head out.bin app.bin
	if [ "$method" = none ]; then
		expect_in out.log "already be in DFU"
	else
		expect_in out.log "trigger:" "left the bus"
	fi
	expect_in out.log "DFU" "erase" "write" "verify" "leave"
	;;
writer-before)
	# A chunk from a writer that closed the port just before makes the
	# companion ignore the byte (rule b); stdfu has no quiet time before it,
	# so it must send it again. The log shows both bytes when the first came
	# within the window (it always does unless stdfu took > 100 ms to start).
	make_image
	"$EMU" --chip f405 --mode app --verbose --dump out.bin -- sh -c '
		printf x >/dev/ttyACM0
		"$1" flash app.bin' sh "$STDFU" >out.log 2>&1 || fail "flash after a foreign write failed"
	same_head out.bin app.bin
	expect_in out.log "first 0x78" "first 0xf5" "left the bus"
	;;
boards3)
	make_image
	"$EMU" --chip f405 --mode app --boards 3 --dump out.bin -- \
		"$STDFU" flash app.bin --usb-path 1-2 >out.log 2>&1 || fail "flash --usb-path 1-2 failed"
	same_head out.bin.2 app.bin
	all_ff out.bin.1
	all_ff out.bin.3
	# without a selection: refuse and list the three ports
	set +e
	"$EMU" --chip f405 --mode app --boards 3 -- "$STDFU" flash app.bin >amb.log 2>&1
	rc=$?
	set -e
	[ "$rc" -ne 0 ] || fail "three boards and no selection must be refused"
	expect_in amb.log ttyACM0 ttyACM1 ttyACM2 "--usb-path"
	rm amb.log
	;;
companion-none)
	make_image
	set +e
	timed_flash 2000 --companion none
	rc=$?
	set -e
	[ "$rc" -eq "$EXIT_TIMEOUT" ] || fail "expected exit $EXIT_TIMEOUT (timeout), got $rc"
	expect_in out.log "never left" "companion"
	ms=$(sed -n 's/^elapsed_ms //p' out.log)
	echo "companion none: stdfu gave up after $ms ms (--timeout 2000)"
	[ "$ms" -le 3000 ] || fail "took $ms ms, more than --timeout + 1 s"
	[ "$ms" -ge 2000 ] || fail "gave up after $ms ms, before --timeout"
	;;
busy)
	make_image
	set +e
	"$EMU" --chip f405 --mode app --dump out.bin -- sh -c '
		exec 3<>/dev/ttyACM0
		sleep 30 &
		holder=$!
		exec 3>&-
		"$1" flash app.bin
		rc=$?
		kill $holder
		exit $rc' sh "$STDFU" >out.log 2>&1
	rc=$?
	set -e
	[ "$rc" -eq "$EXIT_BUSY" ] || fail "expected exit $EXIT_BUSY (busy), got $rc"
	expect_in out.log "held open by" "sleep"
	all_ff out.bin
	;;
port)
	# --port names the tty directly; its USB path is still what is followed
	make_image
	"$EMU" --chip l4 --mode app --boards 2 --dump out.bin -- \
		"$STDFU" flash app.bin --port /dev/ttyACM1 --json >out.log 2>&1 || fail "--port failed"
	same_head out.bin.2 app.bin
	all_ff out.bin.1
	expect_in out.log '"event":"dfu_found"' '"usb_path":"1-2"'
	set +e
	"$EMU" --chip l4 --mode app -- "$STDFU" flash app.bin --port /dev/ttyACM7 >bad.log 2>&1
	rc=$?
	set -e
	[ "$rc" -eq 3 ] || fail "a --port that does not exist must exit 3 (no device), got $rc"
	expect_in bad.log "/dev/ttyACM7"
	rm bad.log
	;;
wait-app)
	make_image
	"$EMU" --chip f405 --mode app --dump out.bin -- \
		"$STDFU" flash app.bin --wait-app --json >out.log 2>err.log || fail "flash --wait-app failed"
	same_head out.bin app.bin
	result=$(grep '"event":"result"' out.log)
	for step in trigger left dfu_found erase write verify leave app_back; do
		echo "$result" | grep -q "\"$step\":{\"ms\":" || fail "step $step missing: $result"
	done
	expect_in out.log '"event":"app_back"' '"port":"/dev/ttyACM0"'
	# human output names the port that came back
	"$EMU" --chip f405 --mode app -- "$STDFU" flash app.bin --wait-app >h.log 2>&1 ||
		fail "flash --wait-app (human) failed"
	expect_in h.log "app back: /dev/ttyACM0"
	;;
byte)
	make_image
	"$EMU" --chip g0 --mode app --companion byte=0xA5 --dump out.bin -- \
		"$STDFU" flash app.bin --trigger-byte 0xA5 >out.log 2>&1 || fail "--trigger-byte 0xA5 failed"
	same_head out.bin app.bin
	expect_in out.log "byte 0xA5"
	set +e
	"$EMU" --chip g0 --mode app --companion byte=0xA5 -- \
		"$STDFU" flash app.bin --timeout 1000 >bad.log 2>&1
	rc=$?
	set -e
	[ "$rc" -eq "$EXIT_TIMEOUT" ] || fail "a byte the companion does not know must time out, got $rc"
	rm bad.log
	;;
list)
	"$EMU" --chip f405 --mode app --boards 2 -- "$STDFU" list >out.log 2>&1 || fail "list failed"
	expect_in out.log "/dev/ttyACM0" "/dev/ttyACM1" "1-1" "1-2" "0483:5740"
	"$EMU" --chip f405 --mode app -- "$STDFU" list --json >j.log 2>&1 || fail "list --json failed"
	expect_in j.log '"event":"app_port"' '"usb_path":"1-1"'
	# an --app-id that matches nothing lists no application port
	"$EMU" --chip f405 --mode app -- "$STDFU" list --app-id 1209:0001 >n.log 2>&1 ||
		fail "list --app-id failed"
	if grep -q ttyACM n.log; then fail "--app-id 1209:0001 listed the ST port"; fi
	;;
trigger)
	"$EMU" --chip l4 --mode app --boards 3 -- sh -c '
		"$1" trigger --usb-path 1-3 || exit 1
		"$1" list' sh "$STDFU" >out.log 2>&1 || fail "stdfu trigger failed"
	expect_in out.log "left the bus" "0483:df11"
	grep -q '^1-3  0483:df11' out.log || fail "board 1-3 is not in DFU after stdfu trigger"
	grep -q '^1-1  0483:5740' out.log || fail "board 1-1 must still run its application"
	;;
rom-refuses)
	# The application leaves the bus and comes back as itself: refused at
	# once (not at --timeout), with the BOOT0/BFB2/HSE detail, flash untouched.
	make_image
	make_old
	set +e
	timed_flash 10000 --rom-refuses --load old.bin --dump out.bin
	rc=$?
	set -e
	[ "$rc" -eq "$EXIT_REFUSED" ] || fail "--rom-refuses: expected exit $EXIT_REFUSED, got $rc"
	expect_in out.log "left the bus" "came back" "as 0483:5740 (the application)" \
		"Check BOOT0/nBOOT0" "BFB2" "HSE" "hint: the ROM bootloader did not keep the board"
	ms=$(sed -n 's/^elapsed_ms //p' out.log)
	[ "$ms" -lt 5000 ] || fail "refusal reported after $ms ms: it must not wait for --timeout"
	untouched out.bin old.bin
	# every method, and --json: the same error, machine-readable
	for method in touch1200 detach; do
		set +e
		"$EMU" --chip l4 --mode app --runtime-dfu --rom-refuses --load old.bin \
			--dump out.bin -- "$STDFU" flash app.bin --method "$method" --json >j.log 2>&1
		rc=$?
		set -e
		[ "$rc" -eq "$EXIT_REFUSED" ] || fail "--rom-refuses --method $method: exit $rc"
		expect_in j.log '"error":"refused"' '"exit":19' "BOOT0"
		untouched out.bin old.bin
	done
	;;
dfu-port)
	# The ROM enumerates on 1-4 while the application was on 1-1.
	make_image
	make_old
	set +e
	"$EMU" --chip f405 --mode app --dfu-port 1-4 --load old.bin --dump out.bin -- \
		"$STDFU" flash app.bin >out.log 2>&1
	rc=$?
	set -e
	[ "$rc" -eq "$EXIT_ELSEWHERE" ] || fail "--dfu-port 1-4: expected exit $EXIT_ELSEWHERE, got $rc"
	expect_in out.log "left the bus" "appeared at usb-path 1-4" "not at 1-1" "--any-port"
	untouched out.bin old.bin
	"$EMU" --chip f405 --mode app --dfu-port 1-4 --load old.bin --dump out.bin -- \
		"$STDFU" flash app.bin --any-port --json >any.log 2>&1 ||
		fail "--dfu-port 1-4 with --any-port failed"
	same_head out.bin app.bin
	expect_in any.log '"event":"dfu_found"' '"usb_path":"1-4"' '"ok":true'
	# --wait-app: the application comes back where it was (1-1), not where
	# the ROM appeared
	"$EMU" --chip f405 --mode app --dfu-port 1-4 --dump out.bin -- \
		"$STDFU" flash app.bin --any-port --wait-app >wait.log 2>&1 ||
		fail "--dfu-port 1-4 with --any-port --wait-app failed: $(cat wait.log)"
	expect_in wait.log "app back: /dev/ttyACM0 at usb-path 1-1"
	# with several boards only board 1's ROM moves: board 2 is flashed on 1-2
	"$EMU" --chip g0 --mode app --boards 2 --dfu-port 1-3 --dump out.bin -- \
		"$STDFU" flash app.bin --usb-path 1-2 >b2.log 2>&1 || fail "board 2 with --dfu-port failed"
	same_head out.bin.2 app.bin
	all_ff out.bin.1
	# a port path that is a board's own is refused by the emulator
	set +e
	"$EMU" --boards 2 --dfu-port 1-2 -- true >bad.log 2>&1
	rc=$?
	set -e
	[ "$rc" -eq 2 ] || fail "--boards 2 --dfu-port 1-2 must be a usage error, got $rc"
	expect_in bad.log "--dfu-port 1-2"
	rm bad.log
	;;
persona)
	# Firmware without the companion, entering the ROM on its own text command.
	spec=$2 method=$2
	[ "$spec" = text ] && spec='text:reboot dfu\r\n' method='text:reboot dfu\r\n'
	[ "$spec" = inav ] && method=betaflight
	make_image
	"$EMU" --chip f405 --mode app --companion "$spec" --dump out.bin -- \
		"$STDFU" flash app.bin --method "$method" >out.log 2>&1 ||
		fail "--companion '$spec' --method '$method' failed"
	same_head out.bin app.bin
	expect_in out.log "trigger:" "left the bus" "verify" "leave"
	# --json names the method
	"$EMU" --chip f405 --mode app --companion "$spec" -- \
		"$STDFU" trigger --method "$method" --json >j.log 2>&1 ||
		fail "stdfu trigger --method '$method' --json failed"
	expect_in j.log "\"method\":\"${method%%:*}\"" '"event":"dfu_found"'
	;;
persona-wrong)
	make_image
	make_old
	# wrong_method COMPANION METHOD EXIT WORD...: exit EXIT, WORDs in the message,
	# the flash untouched
	wrong_method() {
		local comp=$1 method=$2 want=$3
		shift 3
		set +e
		"$EMU" --chip f405 --mode app --companion "$comp" --load old.bin --dump out.bin -- \
			"$STDFU" flash app.bin --method "$method" --timeout 1500 >bad.log 2>&1
		rc=$?
		set -e
		[ "$rc" -eq "$want" ] || fail "--companion $comp --method $method: exit $rc, not $want"
		expect_in bad.log "$@"
		untouched out.bin old.bin
	}
	# MicroPython's friendly REPL echoes the '#'; Betaflight's MSP port says nothing
	wrong_method micropython betaflight "$EXIT_TRIGGER" "no Betaflight CLI" 'answered "#"' \
		"is it Betaflight"
	wrong_method betaflight micropython "$EXIT_TRIGGER" "no MicroPython raw REPL" \
		"answered nothing" "is it MicroPython"
	wrong_method 'text:reboot dfu\r\n' betaflight "$EXIT_TRIGGER" "answered nothing"
	# the companion's byte means nothing to them: the board never leaves
	wrong_method micropython byte "$EXIT_TIMEOUT" "never left"
	# a text command that is not the application's: it ignores it
	wrong_method 'text:reboot dfu\r\n' 'text:reboot\r\n' "$EXIT_TIMEOUT" "never left"
	# --json carries the firmware's answer
	set +e
	"$EMU" --chip f405 --mode app --companion micropython -- \
		"$STDFU" flash app.bin --method betaflight --json >j.log 2>&1
	rc=$?
	set -e
	[ "$rc" -eq "$EXIT_TRIGGER" ] || fail "--json wrong method: exit $rc"
	expect_in j.log '"error":"trigger"' 'answered \\"#\\"'
	# a malformed text command is a usage error, before anything is sent
	set +e
	"$EMU" --chip f405 --mode app --companion micropython -- \
		"$STDFU" flash app.bin --method 'text:ab\q' >esc.log 2>&1
	rc=$?
	set -e
	[ "$rc" -eq "$EXIT_USAGE" ] || fail "a bad escape must exit $EXIT_USAGE, got $rc"
	expect_in esc.log "bad escape"
	;;
companion-record)
	# app.bin lacks the record; rec.bin is the same with a record at 0x08000400
	make_image
	cp app.bin rec.bin
	printf 'STDFU-CR\001\365\020\000\376\012\357\377' |
		dd of=rec.bin bs=1 seek=1024 conv=notrunc 2>/dev/null
	"$STDFU" info rec.bin >i.log 2>&1 || fail "stdfu info rec.bin failed"
	expect_in i.log "companion: yes, record at 0x08000400" "trigger byte 0xF5"
	"$STDFU" info app.bin >i.log 2>&1 || fail "stdfu info app.bin failed"
	expect_in i.log "companion: no" "BOOT0"
	set +e
	"$STDFU" info app.bin --usb-path 1-1 >i.log 2>&1
	rc=$?
	set -e
	[ "$rc" -eq "$EXIT_USAGE" ] || fail "info FILE with a device selection: exit $rc"
	expect_in i.log "reads a file"
	for method in byte touch1200; do
		"$EMU" --chip f405 --mode app --dump out.bin -- \
			"$STDFU" flash app.bin --method "$method" >w.log 2>&1 || fail "flash app.bin failed"
		same_head out.bin app.bin
		expect_in w.log "app.bin has no stdfu companion record" "BOOT0"
		"$EMU" --chip f405 --mode app --dump out.bin -- \
			"$STDFU" flash rec.bin --method "$method" >r.log 2>&1 || fail "flash rec.bin failed"
		same_head out.bin rec.bin
		if grep -q "companion record" r.log; then fail "warned about an image with the record"; fi
	done
	# --json carries the warning
	"$EMU" --chip f405 --mode app -- "$STDFU" flash app.bin --json >j.log 2>&1 ||
		fail "flash --json failed"
	expect_in j.log '"event":"warning","code":"no-companion-record","message":"app.bin has no stdfu companion record'
	# not reached through the companion: no warning (DFU already, a DFU runtime, MicroPython)
	"$EMU" --chip f405 --mode dfu -- "$STDFU" flash app.bin >n.log 2>&1 || fail "dfu flash failed"
	"$EMU" --chip f405 --mode app --runtime-dfu -- "$STDFU" flash app.bin --method detach \
		>>n.log 2>&1 || fail "detach flash failed"
	"$EMU" --chip f405 --mode app --companion micropython -- \
		"$STDFU" flash app.bin --method micropython >>n.log 2>&1 || fail "micropython flash failed"
	if grep -q "companion record" n.log; then fail "warned without the companion trigger"; fi
	;;
*)
	echo "usage: $0 flash CHIP METHOD | boards3 | companion-none | busy | port | wait-app | byte | list | trigger | rom-refuses | dfu-port | persona NAME | persona-wrong | companion-record" >&2
	exit 2
	;;
esac
echo "ok: $*"
