/* SPDX-License-Identifier: MIT */
/*
 * The advice table. Rows are tried in order, the specific before the
 * general, and each says only what the finding supports: a failed read never
 * calls the flash half-written, a port whose holder stdfu named is never
 * blamed on some other program, a libusb that cannot start is not a cable.
 * tests/cli/test_hints.c walks every row.
 */
#include <stdio.h>
#include <string.h>

#include <stdfu/flash.h>

#include "hints.h"
#include "udev_hint.h"

#define WRITES (HINT_PH(STDFU_PHASE_ERASE) | HINT_PH(STDFU_PHASE_WRITE))
#define READS  (HINT_PH(STDFU_PHASE_READ) | HINT_PH(STDFU_PHASE_VERIFY))
#define BEFORE (HINT_PH(STDFU_PHASE_PREPARE) | HINT_NO_PHASE)
#define LEAVE  HINT_PH(STDFU_PHASE_LEAVE)

const struct cli_hint cli_hints[] = {
	{STDFU_ERR_ACCESS, STDFU_CAUSE_PORT_DENIED, 0, "port-permission",
	 "your user may not open the serial port %s: add yourself to its group (usually "
	 "dialout: `sudo usermod -aG dialout $USER`, then log in again)"},
	{STDFU_ERR_ACCESS, HINT_ANY, 0, "usb-permission",
	 "your user may not open USB devices: install the udev rule shipped with stdfu (see "
	 "stdfu(1), UDEV), then replug the board"},
	{STDFU_ERR_NO_DEVICE, STDFU_CAUSE_NO_BOARD, 0, "no-board",
	 "no board is connected: plug it in (stdfu waits --wait seconds for one). A running "
	 "application shows up as 0483:5740 (or give --app-id VID:PID), a board in DFU mode as "
	 "0483:df11 (BOOT0 high, then reset)"},
	{STDFU_ERR_NO_DEVICE, STDFU_CAUSE_APP_NOT_TRIGGERED, 0, "app-not-triggered",
	 "the board at %s runs its application and --method none told stdfu not to trigger it: "
	 "drop --method none, or enter DFU mode with BOOT0"},
	{STDFU_ERR_NO_DEVICE, STDFU_CAUSE_NO_MATCH, 0, "no-match",
	 "boards are connected (%s) but none matches --serial/--usb-path: compare them with "
	 "`stdfu list`. A running application's ROM serial is known once stdfu has triggered "
	 "that board: select it once by --usb-path or by the application's serial"},
	{STDFU_ERR_NO_DEVICE, HINT_ANY, 0, "no-device",
	 "check what is connected with `stdfu list`"},
	{STDFU_ERR_AMBIGUOUS, HINT_ANY, 0, "ambiguous",
	 "pick one of the boards above with --usb-path or --serial"},
	{STDFU_ERR_BUSY, STDFU_CAUSE_PORT_HELD, 0, "port-held",
	 "close %s (it holds the application's serial port), then run stdfu again"},
	{STDFU_ERR_BUSY, STDFU_CAUSE_PORT_EXCL, 0, "port-exclusive",
	 "another program has %s in exclusive use (TIOCEXCL): close it, then run stdfu again"},
	{STDFU_ERR_BUSY, STDFU_CAUSE_IFACE_CLAIMED, 0, "interface-claimed",
	 "another program has claimed the DFU interface of %s (dfu-util, another stdfu, a "
	 "flashing IDE): close it, then run stdfu again"},
	{STDFU_ERR_BUSY, HINT_ANY, 0, "busy",
	 "close the program that uses the board, then try again"},
	{STDFU_ERR_FIT, HINT_ANY, 0, "does-not-fit",
	 "the image is too big for this part (or hits memory that is not writable): check it "
	 "against the memory map of `stdfu info`"},
	{STDFU_ERR_ADDRESS, HINT_ANY, 0, "bad-address",
	 "give an --address inside the device memory (see `stdfu info`), or check where the "
	 "image is linked"},
	{STDFU_ERR_PROTECTED, HINT_ANY, READS, "protected-read",
	 "read protection (RDP level 1) keeps the flash from being read; nothing was changed. "
	 "`stdfu unprotect --yes` removes it, and MASS-ERASES the whole flash"},
	{STDFU_ERR_PROTECTED, HINT_ANY, 0, "protected",
	 "read protection (RDP level 1) is active: the ROM refuses to erase, write or read the "
	 "flash. `stdfu unprotect --yes` removes it; that MASS-ERASES the whole flash and resets "
	 "the device. Then flash again"},
	{STDFU_ERR_DFU_STATUS, HINT_ANY, WRITES, "status-writing",
	 "the flash may be half-written or half-erased: flash the image again (or repeat the "
	 "erase); if the error persists, check write protection in the option bytes"},
	{STDFU_ERR_DFU_STATUS, HINT_ANY, READS, "status-reading",
	 "the device refused to read that memory; nothing was written. Check the address and "
	 "length against the memory map of `stdfu info`"},
	{STDFU_ERR_DFU_STATUS, HINT_ANY, LEAVE, "status-leaving",
	 "the image is in place but the ROM refused to start it: check --address of the leave "
	 "(the start of the application's vector table)"},
	{STDFU_ERR_DFU_STATUS, HINT_ANY, 0, "status",
	 "nothing was written yet: reset the board into DFU mode and try again"},
	{STDFU_ERR_GONE, HINT_ANY, WRITES, "gone-writing",
	 "the device left the bus part-way: the flash is probably half-written. Reconnect the "
	 "board and flash again"},
	{STDFU_ERR_GONE, HINT_ANY, HINT_PH(STDFU_PHASE_VERIFY), "gone-verifying",
	 "the image was written but the device left the bus before the check: reconnect it and "
	 "run `stdfu verify FILE`"},
	{STDFU_ERR_GONE, HINT_ANY, LEAVE, "gone-leaving",
	 "the image is written; the device left the bus before it confirmed the start: "
	 "reconnect it and check that the application runs (`stdfu verify FILE` checks the "
	 "flash)"},
	{STDFU_ERR_GONE, HINT_ANY, 0, "gone",
	 "the device left the bus; nothing was written. Reconnect the board and try again"},
	{STDFU_ERR_VERIFY, HINT_ANY, 0, "verify",
	 "the flash does not hold the image: flash again; if it persists, check write "
	 "protection in the option bytes"},
	{STDFU_ERR_TIMEOUT, STDFU_CAUSE_NO_REACTION, 0, "no-reaction",
	 "the application at usb-path %s did not react to the trigger: does it run the stdfu "
	 "companion with the same --method and --trigger-byte? Else enter DFU mode with BOOT0 "
	 "and use --method none"},
	{STDFU_ERR_TIMEOUT, STDFU_CAUSE_LEAVE_HUNG, 0, "rom-hung",
	 "the ROM hung on the bus instead of starting the application (the STM32H5 ROM does): "
	 "power-cycle or reset the board with BOOT0 low; the flash is not touched by a leave"},
	{STDFU_ERR_TIMEOUT, HINT_ANY, HINT_PH(STDFU_PHASE_VERIFY), "timeout-verifying",
	 "the ROM stopped answering while it read back the image. After --trust-blank on an "
	 "STM32H7 that is a flash word programmed twice, whose ECC faults the ROM: power-cycle "
	 "the board and flash again without --trust-blank (the sector is then erased). Else "
	 "reset the board into DFU mode and flash again"},
	{STDFU_ERR_TIMEOUT, HINT_ANY, 0, "timeout", "reset the board into DFU mode and try again"},
	{STDFU_ERR_TRIGGER, HINT_ANY, 0, "trigger",
	 "try another --method (byte, touch1200, detach, micropython, betaflight, "
	 "text:STRING), or enter DFU with BOOT0 and use --method none"},
	{STDFU_ERR_REFUSED, STDFU_CAUSE_BACK_IN_APP, 0, "rom-sent-back",
	 "the ROM bootloader did not keep the board at %s: it went back to its application. "
	 "Check BOOT0, the boot option bytes and the HSE crystal (see the detail)"},
	{STDFU_ERR_REFUSED, HINT_ANY, 0, "refused",
	 "the board did not come back as expected: see the detail above"},
	{STDFU_ERR_ELSEWHERE, HINT_ANY, 0, "elsewhere",
	 "check which board went into DFU (stdfu list); --any-port accepts it"},
	{STDFU_ERR_IO, STDFU_CAUSE_USB_INIT, 0, "usb-init",
	 "libusb could not start, so no USB device can be seen from here: on a container or VM, "
	 "pass the host's USB through (/dev/bus/usb); else check that usbfs is available"},
	{STDFU_ERR_IO, HINT_ANY, WRITES, "io-writing",
	 "USB failed part-way through writing: check the cable and hub, then flash again"},
	{STDFU_ERR_IO, HINT_ANY, 0, "io", "check the cable and hub, then try again"},
	{STDFU_ERR_PROTOCOL, STDFU_CAUSE_NOT_DFU_MODE, 0, "not-dfu-mode",
	 "the device at %s answers as an application, not as the ROM bootloader: let stdfu "
	 "trigger it (drop --method none)"},
	{STDFU_ERR_PROTOCOL, HINT_ANY, 0, "protocol",
	 "the device broke the DFU protocol: reset it and try again; if it persists, report "
	 "the detail"},
	{STDFU_ERR_MISMATCH, HINT_ANY, 0, "wrong-device",
	 "use an image built for this device, or --force"},
	{STDFU_ERR_IMAGE, HINT_ANY, 0, "bad-image", "check the file (or give --format)"},
	{STDFU_ERR_FILE, HINT_ANY, 0, "file", "check the path and its permissions"},
	{STDFU_ERR_ARG, HINT_ANY, 0, "usage", "see `stdfu help COMMAND`"},
	{STDFU_ERR_UNSUPPORTED, HINT_ANY, 0, "unsupported",
	 "this device or file asks for something stdfu does not do: see the detail"},
};

const size_t cli_hints_count = sizeof(cli_hints) / sizeof(cli_hints[0]);

const struct cli_warn_hint cli_warn_hints[] = {
	{STDFU_WARN_STAYED_IN_ROM, "power-cycle",
	 "power-cycle the board (a reset with BOOT0 low may not do: the ROM's empty check is "
	 "made at power-up) to start the application; the flash holds the image"},
	{STDFU_WARN_LEAVE_HUNG, "leave-hung",
	 "power-cycle or reset the board (with BOOT0 low) to start the application: no USB "
	 "request reaches the hung ROM; the flash holds the verified image"},
	{STDFU_WARN_TRANSFER_SIZE, "transfer-size",
	 "nothing to do for stdfu, which keeps 1024-byte transfers for this run; dfu-util "
	 "needs -t 1024 with this ROM"},
	{STDFU_WARN_ECC_FALLBACK, "ecc-fallback",
	 "nothing was lost: the sector held nothing. --always-erase erases every sector first "
	 "and skips the blank check"},
	{STDFU_WARN_BLANK_ERASED, "blank-erased",
	 "nothing to do: the image is in place. If these chips are virgin (new from the "
	 "reel, or mass-erased since), --trust-blank writes their blank sectors without an "
	 "erase; on a chip once flashed with 0xFF there, the verify then hangs the ROM"},
	{STDFU_WARN_PADDED_WRITE, "padded-write",
	 "nothing to do: the bytes added after the image are 0xFF, as erased flash reads"},
	{STDFU_WARN_POLL_CLAMPED, "poll-clamped",
	 "nothing to do; if operations time out on this board, report its bwPollTimeout"},
};

const size_t cli_warn_hints_count = sizeof(cli_warn_hints) / sizeof(cli_warn_hints[0]);

const struct cli_warn_hint *cli_warn_hint_find(int code)
{
	for (size_t i = 0; i < cli_warn_hints_count; i++)
		if (cli_warn_hints[i].code == code)
			return &cli_warn_hints[i];
	return NULL;
}

static bool phase_fits(unsigned phases, int phase)
{
	if (!phases)
		return true;
	return phase < 0 ? (phases & HINT_NO_PHASE) != 0 : (phases & HINT_PH(phase)) != 0;
}

const struct cli_hint *cli_hint_find(int err, const struct stdfu_cause *cause)
{
	for (size_t i = 0; i < cli_hints_count; i++) {
		const struct cli_hint *h = &cli_hints[i];

		if (h->err != err)
			continue;
		if (h->kind != HINT_ANY && h->kind != (int)cause->kind)
			continue;
		if (phase_fits(h->phases, cause->phase))
			return h;
	}
	return NULL;
}

void cli_hint_format(const struct cli_hint *h, const struct stdfu_cause *cause, char *buf,
		     size_t cap)
{
	const char *at = strstr(h->text, "%s");

	if (!strcmp(h->id, "usb-permission")) { /* names the rule file that exists here */
		snprintf(buf, cap, "%s", cli_udev_hint());
		return;
	}
	if (!at) {
		snprintf(buf, cap, "%s", h->text);
		return;
	}
	snprintf(buf, cap, "%.*s%s%s", (int)(at - h->text), h->text,
		 cause->found[0] ? cause->found : "?", at + 2);
}
