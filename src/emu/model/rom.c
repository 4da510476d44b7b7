/* SPDX-License-Identifier: MIT */
/*
 * The ST ROM bootloader in DFU mode: DFU 1.1 state machine plus the DfuSe
 * extensions of ST AN3156 ("USB DFU protocol used in the STM32 bootloader").
 *
 * Where the ROM's behaviour is not public, the model follows ST's USB device
 * library (usbd_dfu.c), from which the ROMs descend, and otherwise takes the
 * choice that favours the host. Those choices are marked ASSUMPTION.
 *
 * Timing: a DfuSe command or data block is executed when the host sends
 * GETSTATUS (AN3156 §3, "the command is executed ... on the GETSTATUS that
 * follows"): that GETSTATUS answers dfuDNBUSY with bwPollTimeout and the
 * flash operation starts when its reply completes, like usbd_dfu.c does on
 * EP0 TxSent. The next GETSTATUS answers dfuDNLOAD-IDLE, or dfuERROR with the
 * status of the failure.
 *
 * This file holds the lifecycle and the DFU class requests; descriptors and
 * standard requests are in rom_desc.c, the memories and what the DfuSe
 * commands do to them in rom_flash.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "optbytes.h"
#include "rom_internal.h"

/* DFU 1.1 class requests */
#define DFU_DETACH    0
#define DFU_DNLOAD    1
#define DFU_UPLOAD    2
#define DFU_GETSTATUS 3
#define DFU_CLRSTATUS 4
#define DFU_GETSTATE  5
#define DFU_ABORT     6

/* ---- construction ------------------------------------------------------- */

struct emu_rom *emu_rom_new(const struct emu_rom_config *cfg, char *err, size_t errlen)
{
	char dummy[8];
	struct emu_rom *rom;
	const struct emu_chip *c = cfg ? cfg->chip : NULL;

	if (!err) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	if (!c) {
		snprintf(err, errlen, "no chip given");
		return NULL;
	}
	if (cfg->rdp_level != 0 && cfg->rdp_level != 1) {
		snprintf(err, errlen, "rdp level %d not supported (use 0 or 1)", cfg->rdp_level);
		return NULL;
	}
	rom = calloc(1, sizeof(*rom));
	if (!rom)
		goto oom;
	rom->chip = c;
	rom->timing = cfg->timing;
	if (emu_fault_parse(cfg->fault, &rom->faults, err, errlen))
		goto fail;
	if (emu_lie_parse(cfg->lies, cfg->lies ? cfg->n_lies : 0, &rom->lies, err, errlen))
		goto fail;
	rom->flash = malloc(c->flash_size);
	rom->buf = malloc(c->transfer_size);
	rom->ecc_used = c->ecc_unit ? calloc(c->flash_size / c->ecc_unit, 1) : NULL;
	if (!rom->flash || !rom->buf || (c->ecc_unit && !rom->ecc_used))
		goto oom;
	memset(rom->flash, 0xFF, c->flash_size);
	for (unsigned i = 0; i < c->n_alts; i++)
		if (rom_setup_alt(rom, i, err, errlen))
			goto fail;
	rom_uid_init(rom, cfg->board, cfg->serial != NULL);
	if (cfg->serial) {
		snprintf(rom->serial, sizeof(rom->serial), "%s", cfg->serial);
		snprintf(rom->app_serial, sizeof(rom->app_serial), "%s", cfg->serial);
	}
	rom_set_rdp(rom, cfg->rdp_level);
	if (emu_ob_init(rom, cfg->rdp_level))
		goto oom;
	emu_rom_reset(rom);
	/* Power-on is the first (re)enumeration the glue asks for, after
	 * --load has filled the flash. */
	rom->powered = false;
	return rom;
oom:
	snprintf(err, errlen, "out of memory");
fail:
	emu_rom_free(rom);
	return NULL;
}

void emu_rom_free(struct emu_rom *rom)
{
	if (!rom)
		return;
	for (unsigned i = 0; i < EMU_MAX_ALTS; i++) {
		if (rom->store[i] && rom->store[i] != rom->flash)
			free(rom->store[i]);
		free(rom->map[i].sec);
	}
	emu_fault_free(&rom->faults);
	emu_ob_free(rom);
	emu_lie_free(&rom->lies);
	free(rom->flash);
	free(rom->ecc_used);
	free(rom->buf);
	free(rom);
}

void emu_rom_power_off(struct emu_rom *rom)
{
	rom->powered = false;
}

void emu_rom_reset(struct emu_rom *rom)
{
	rom->config = 0;
	rom->alt = 0;
	memset(&rom->cmd, 0, sizeof(rom->cmd));
	rom->busy = false;
	rom->stuck = false;
	rom->quirk_clr = 0;
	rom->busy_until = 0;
	rom->locked = false;
	rom->set_address_last = false;
	if (!rom->powered) {
		/* The empty check reads the first flash word at power-on only
		 * (RM0394 §2.6.1): flashing does not change the boot choice. */
		rom->powered = true;
		rom->empty_at_por = rom->flash[0] == 0xFF && rom->flash[1] == 0xFF &&
				    rom->flash[2] == 0xFF && rom->flash[3] == 0xFF;
	}
	/* ASSUMPTION: the pointer starts at the flash base, as in usbd_dfu.c
	 * (USBD_DFU_APP_DEFAULT_ADD). */
	rom->addr_ptr = rom->chip->flash_base;
	/*
	 * The ROM is commonly found in dfuERROR/errFIRMWARE [DP]. We start there
	 * when flash holds no plausible application (the same test as for the
	 * jump after leave): the status means "firmware corrupt", and a blank or
	 * garbage vector table is exactly that. With a plausible app: dfuIDLE.
	 */
	if (emu_rom_app_plausible(rom)) {
		rom->state = DFU_STATE_IDLE;
		rom->status = DFU_STATUS_OK;
	} else {
		rom->state = DFU_STATE_ERROR;
		rom->status = DFU_STATUS_ERR_FIRMWARE;
	}
}

uint8_t *emu_rom_flash(struct emu_rom *rom, uint32_t *base, uint32_t *size)
{
	if (base)
		*base = rom->chip->flash_base;
	if (size)
		*size = rom->chip->flash_size;
	return rom->flash;
}

const struct emu_stats *emu_rom_stats(const struct emu_rom *rom)
{
	return &rom->stats;
}

static const char *const stat_names[EMU_STAT__COUNT] = {
	[EMU_STAT_DNLOAD_DATA] = "dnload_data",
	[EMU_STAT_DNLOAD_SET_ADDRESS] = "dnload_set_address",
	[EMU_STAT_DNLOAD_ERASE] = "dnload_erase",
	[EMU_STAT_DNLOAD_MASS_ERASE] = "dnload_mass_erase",
	[EMU_STAT_DNLOAD_READ_UNPROTECT] = "dnload_read_unprotect",
	[EMU_STAT_DNLOAD_GET_COMMANDS] = "dnload_get_commands",
	[EMU_STAT_DNLOAD_LEAVE] = "dnload_leave",
	[EMU_STAT_DNLOAD_OTHER] = "dnload_other",
	[EMU_STAT_UPLOAD] = "upload",
	[EMU_STAT_GETSTATUS] = "getstatus",
	[EMU_STAT_CLRSTATUS] = "clrstatus",
	[EMU_STAT_GETSTATE] = "getstate",
	[EMU_STAT_ABORT] = "abort",
	[EMU_STAT_DETACH] = "detach",
	[EMU_STAT_STANDARD] = "standard",
};

const char *emu_stat_name(enum emu_stat_req r)
{
	if ((unsigned)r >= EMU_STAT__COUNT)
		return "unknown";
	return stat_names[r];
}

/* ---- request handling ----------------------------------------------------- */

void rom_stall(struct rom_req *q)
{
	q->reply->kind = EMU_REPLY_STALL;
	q->reply->len = 0;
}

/* DFU 1.1 §6.1.2 ff.: a request not valid in the current state is stalled
 * and the device enters dfuERROR with errSTALLEDPKT (an existing error is
 * kept). */
static void stall_protocol(struct emu_rom *rom, struct rom_req *q)
{
	rom_stall(q);
	if (rom->state != DFU_STATE_ERROR) {
		rom->state = DFU_STATE_ERROR;
		rom->status = DFU_STATUS_ERR_STALLEDPKT;
	}
	memset(&rom->cmd, 0, sizeof(rom->cmd));
}

static void fail(struct emu_rom *rom, uint8_t status)
{
	rom->state = DFU_STATE_ERROR;
	rom->status = status;
	memset(&rom->cmd, 0, sizeof(rom->cmd));
}

/* An IN reply of @len bytes: more than wLength is babble on the bus (a lie). */
static void reply_len(struct rom_req *q, size_t len)
{
	if (len > q->s->wLength) {
		q->reply->kind = EMU_REPLY_BABBLE;
		len = q->s->wLength;
	}
	q->reply->len = len;
}

static void put_status(struct emu_rom *rom, struct rom_req *q, uint8_t state, uint32_t poll_ms)
{
	uint8_t *d = q->data;
	size_t len = emu_lie_getstatus_length(&rom->lies, 6);

	if (q->s->wLength < 6) {
		/* ASSUMPTION: a short GETSTATUS is a malformed request: stall. */
		rom_stall(q);
		return;
	}
	poll_ms = emu_lie_poll_timeout(&rom->lies, poll_ms);
	memset(d, 0, q->s->wLength);
	d[0] = rom->status;
	d[1] = (uint8_t)poll_ms;
	d[2] = (uint8_t)(poll_ms >> 8);
	d[3] = (uint8_t)(poll_ms >> 16);
	d[4] = q->state >= 0 ? (uint8_t)q->state : state;
	d[5] = 0;
	reply_len(q, len);
}

/* The GETSTATUS that executes the pending command and answers dfuDNBUSY. */
static void getstatus_start(struct emu_rom *rom, struct rom_req *q)
{
	struct rom_exec_result r;
	uint64_t reply_end;

	if (q->forced)
		rom->cmd.forced = q->forced;
	if (rom->cmd.forced) {
		memset(&r, 0, sizeof(r));
		r.status = rom->cmd.forced;
	} else {
		rom_execute(rom, &r);
	}
	rom->cmd.done = true;
	rom->cmd.result = r.status;
	rom->set_address_last = rom->cmd.kind == CMD_SET_ADDRESS && r.status == DFU_STATUS_OK;
	rom->state = DFU_STATE_DNBUSY;
	put_status(rom, q, DFU_STATE_DNBUSY, r.poll_ms);
	reply_end = q->t + (rom_real(rom) ? 6ull * rom_tm(rom)->bus_ns_per_byte : 0);
	rom->busy = true;
	rom->busy_until = rom->stuck ? UINT64_MAX : reply_end + r.dur_ns;
	rom->stats.device_busy_ns += r.dur_ns;
	/* Read Unprotect and option-byte writes reset the chip: hosts send one
	 * GETSTATUS and expect the device to vanish (dfu-util "will-reset"). */
	q->reply->event = r.event;
}

/* GETSTATUS after the command executed: dfuDNLOAD-IDLE or dfuERROR. */
static void getstatus_finish(struct emu_rom *rom, struct rom_req *q)
{
	/* status= aimed at the GETSTATUS that completes the command: it fails. */
	uint8_t result = q->forced ? q->forced : rom->cmd.result;

	if (result != DFU_STATUS_OK) {
		fail(rom, result);
		put_status(rom, q, DFU_STATE_ERROR, 0);
		return;
	}
	memset(&rom->cmd, 0, sizeof(rom->cmd));
	rom->state = DFU_STATE_DNLOAD_IDLE;
	rom->status = DFU_STATUS_OK;
	put_status(rom, q, emu_lie_state_after_dnload(&rom->lies, DFU_STATE_DNLOAD_IDLE), 0);
}

/* The jump of a leave: to the address pointer if it holds an application and
 * the boot choice latched at power-on does not send the chip back to the ROM. */
static void leave_now(struct emu_rom *rom, struct rom_req *q)
{
	rom->state = DFU_STATE_MANIFEST_WAIT_RESET;
	memset(&rom->cmd, 0, sizeof(rom->cmd));
	q->reply->event = EMU_EVENT_LEAVE;
	q->reply->app_plausible = rom_plausible_at(rom, rom->addr_ptr) &&
				  !(rom->chip->q.empty_check && rom->empty_at_por);
}

static enum emu_reply_kind leave_fail_reply(const struct emu_rom *rom)
{
	enum emu_leave_fail v = rom->faults.leave_fail;

	if (v == EMU_LEAVE_FAIL_DEFAULT)
		v = rom->chip->leave_fail;
	switch (v) {
	case EMU_LEAVE_FAIL_IO:
		return EMU_REPLY_IO_ERROR;
	case EMU_LEAVE_FAIL_NODEV:
		return EMU_REPLY_DISCONNECT;
	case EMU_LEAVE_FAIL_TIMEOUT:
		return EMU_REPLY_HANG;
	case EMU_LEAVE_FAIL_PIPE:
	case EMU_LEAVE_FAIL_DEFAULT:
	default:
		return EMU_REPLY_STALL;
	}
}

/*
 * The GETSTATUS after the leave's zero-length DNLOAD (AN3156 §6.3.4), in the
 * chip's style (see enum emu_leave_style).
 */
static void getstatus_leave(struct emu_rom *rom, struct rom_req *q)
{
	const struct emu_chip *c = rom->chip;

	if (c->q.leave_needs_set_address && !rom->set_address_last) {
		/* ASSUMPTION: how the C0 leave fails is not reported; the ROM
		 * stays in DFU and reports errTARGET. */
		fail(rom, DFU_STATUS_ERR_TARGET);
		put_status(rom, q, DFU_STATE_ERROR, 0);
		return;
	}
	switch (c->leave) {
	case EMU_LEAVE_LOCKS_UP:
		rom->locked = true;
		q->reply->kind = EMU_REPLY_HANG;
		return;
	case EMU_LEAVE_GETSTATUS_FAILS:
		leave_now(rom, q);
		q->reply->kind = leave_fail_reply(rom);
		q->reply->len = 0;
		return;
	case EMU_LEAVE_BUSY_MANIFEST:
	default:
		break;
	}
	if (!rom->cmd.done) {
		rom->cmd.done = true;
		put_status(rom, q, DFU_STATE_DNBUSY, rom_tm(rom)->poll_leave_ms);
		rom->busy = true;
		rom->busy_until = q->t + (rom_real(rom) ? rom_tm(rom)->leave_busy_ns : 0);
		return;
	}
	put_status(rom, q, DFU_STATE_MANIFEST, 0);
	leave_now(rom, q);
}

static void handle_getstatus(struct emu_rom *rom, struct rom_req *q)
{
	if (q->forced && rom->state != DFU_STATE_DNLOAD_SYNC &&
	    rom->state != DFU_STATE_MANIFEST_SYNC) {
		fail(rom, q->forced);
		put_status(rom, q, DFU_STATE_ERROR, 0);
		return;
	}
	switch (rom->state) {
	case DFU_STATE_DNLOAD_SYNC:
		if (rom->cmd.oversize) {
			/* [L43] in chips.c: the GETSTATUS after a 2048-byte
			 * DNLOAD fails ("Pipe error"); nothing is written. */
			stall_protocol(rom, q);
			return;
		}
		if (rom->cmd.done)
			getstatus_finish(rom, q);
		else
			getstatus_start(rom, q);
		return;
	case DFU_STATE_DNBUSY:
		/* only reachable while stuck (H7 quirk) or under EMU_BUSY_STALL */
		put_status(rom, q, DFU_STATE_DNBUSY, 0);
		return;
	case DFU_STATE_MANIFEST_SYNC: {
		uint8_t forced = q->forced ? q->forced : rom->cmd.forced;

		if (forced) {
			fail(rom, forced);
			put_status(rom, q, DFU_STATE_ERROR, 0);
			return;
		}
		getstatus_leave(rom, q);
		return;
	}
	default:
		put_status(rom, q, rom->state, 0);
		return;
	}
}

static void handle_dnload(struct emu_rom *rom, struct rom_req *q)
{
	const struct emu_setup *s = q->s;
	uint16_t len = s->wLength;

	if (rom->state != DFU_STATE_IDLE && rom->state != DFU_STATE_DNLOAD_IDLE) {
		stall_protocol(rom, q);
		return;
	}
	if (len == 0) {
		/* Leave: usbd_dfu.c accepts it from dfuIDLE too (DFU 1.1 would
		 * stall there); favours the host. */
		memset(&rom->cmd, 0, sizeof(rom->cmd));
		rom->cmd.kind = CMD_LEAVE;
		rom->cmd.forced = q->forced;
		rom->state = DFU_STATE_MANIFEST_SYNC;
		return;
	}
	if (len > rom->chip->transfer_size || len > q->cap) {
		stall_protocol(rom, q);
		return;
	}
	memset(&rom->cmd, 0, sizeof(rom->cmd));
	if (s->wValue == 0) {
		rom->cmd.kind = rom_decode_command(q->data, len, &rom->cmd.arg);
		/* AN2662 fig. 55 (F105/F107 DFU ROM, same protocol): unsupported
		 * command -> dfuERROR/errSTALLEDPKT and stall. */
		if (rom->cmd.kind == CMD_NONE) {
			stall_protocol(rom, q);
			return;
		}
	} else if (s->wValue == 1) {
		/* AN2662 fig. 55: wBlockNum 1 is neither command nor data: stall. */
		stall_protocol(rom, q);
		return;
	} else {
		rom->cmd.kind = CMD_DATA;
		memcpy(rom->buf, q->data, len);
		rom->cmd.oversize =
			rom->chip->q.xfer_works_max && len > rom->chip->q.xfer_works_max;
	}
	rom->cmd.block = s->wValue;
	rom->cmd.len = len;
	rom->cmd.forced = q->forced;
	rom->state = DFU_STATE_DNLOAD_SYNC;
	rom->set_address_last = false;
}

static void handle_upload(struct emu_rom *rom, struct rom_req *q)
{
	const struct emu_setup *s = q->s;
	const struct emu_chip *c = rom->chip;
	uint64_t addr;
	uint32_t avail;

	if (rom->state != DFU_STATE_IDLE && rom->state != DFU_STATE_UPLOAD_IDLE) {
		stall_protocol(rom, q);
		return;
	}
	if (s->wLength == 0) {
		/* usbd_dfu.c: a zero-length UPLOAD ends the upload. */
		rom->state = DFU_STATE_IDLE;
		return;
	}
	if (s->wLength > c->transfer_size || s->wLength > q->cap) {
		stall_protocol(rom, q);
		return;
	}
	if (q->forced) {
		rom_stall(q);
		fail(rom, q->forced);
		return;
	}
	if (s->wValue == 0) {
		/* Get Commands (AN3156 §4.2): the command bytes supported. */
		static const uint8_t cmds[] = {DFUSE_GET_COMMANDS, DFUSE_SET_ADDRESS, DFUSE_ERASE,
					       DFUSE_READ_UNPROTECT};
		size_t n = s->wLength < sizeof(cmds) ? s->wLength : sizeof(cmds);

		memcpy(q->data, cmds, n);
		q->reply->len = n;
		/* usbd_dfu.c: dfuIDLE after a full answer, else dfuUPLOAD-IDLE */
		rom->state = n == sizeof(cmds) ? DFU_STATE_IDLE : DFU_STATE_UPLOAD_IDLE;
		return;
	}
	if (s->wValue == 1) {
		stall_protocol(rom, q);
		return;
	}
	if (rom->rdp) {
		/* ASSUMPTION (upload figure not found): by analogy with AN2662
		 * figs. 57/59, read protection refuses the read with errVENDOR;
		 * the request stalls since no data can be returned. */
		rom_stall(q);
		fail(rom, DFU_STATUS_ERR_VENDOR);
		return;
	}
	addr = (uint64_t)rom->addr_ptr + (uint64_t)(s->wValue - 2) * c->transfer_size;
	if (c->alt[rom->alt].kind == EMU_MEM_FLASH && rom_ecc_fault_at(rom, addr, s->wLength)) {
		/* H7: a word programmed twice (rom_flash.c) is a double ECC
		 * error, and its read faults the core ("unhandled NMI to
		 * Hardfault", community.st.com td-p/51344). ASSUMPTION (no
		 * trace of the ROM's handler is public): the ROM's fault
		 * handler never returns, so nothing answers until a reset. */
		rom->locked = true;
		rom->stats.ecc_faults++;
		q->reply->kind = EMU_REPLY_HANG;
		return;
	}
	/*
	 * ASSUMPTION: a read that starts in readable memory but runs past its
	 * end returns the readable part (a short packet ends the upload, DFU
	 * 1.1 §6.2), which favours hosts that read whole regions; a read that
	 * starts outside readable memory stalls with errTARGET.
	 */
	avail = rom_read_mem(rom, rom->alt, addr, q->data, s->wLength);
	if (!avail) {
		rom_stall(q);
		fail(rom, DFU_STATUS_ERR_TARGET);
		return;
	}
	rom->state = avail < s->wLength ? DFU_STATE_IDLE : DFU_STATE_UPLOAD_IDLE;
	reply_len(q, emu_lie_upload_length(&rom->lies, s->wLength, avail));
}

static void handle_clrstatus(struct emu_rom *rom, struct rom_req *q)
{
	if (q->forced) {
		fail(rom, q->forced);
		return;
	}
	if (rom->stuck) {
		/* H7 rev V recovery [DP]: the first CLRSTATUS gives
		 * dfuERROR/errUNKNOWN, the second dfuIDLE/OK. */
		rom->stuck = false;
		rom->busy = false;
		fail(rom, DFU_STATUS_ERR_UNKNOWN);
		return;
	}
	if (rom->state == DFU_STATE_ERROR) {
		rom->state = DFU_STATE_IDLE;
		rom->status = DFU_STATUS_OK;
		memset(&rom->cmd, 0, sizeof(rom->cmd));
		return;
	}
	/* usbd_dfu.c: CLRSTATUS outside dfuERROR -> dfuERROR/errUNKNOWN [DP] */
	fail(rom, DFU_STATUS_ERR_UNKNOWN);
}

/* The states DFU 1.1 §6.1.5 lets ABORT return from to dfuIDLE. */
static bool idle_like(uint8_t state)
{
	switch (state) {
	case DFU_STATE_IDLE:
	case DFU_STATE_DNLOAD_SYNC:
	case DFU_STATE_DNLOAD_IDLE:
	case DFU_STATE_MANIFEST_SYNC:
	case DFU_STATE_UPLOAD_IDLE:
		return true;
	default:
		return false;
	}
}

static void back_to_idle(struct emu_rom *rom)
{
	rom->state = DFU_STATE_IDLE;
	rom->status = DFU_STATUS_OK;
	memset(&rom->cmd, 0, sizeof(rom->cmd));
}

static void handle_abort(struct emu_rom *rom, struct rom_req *q)
{
	if (q->forced) {
		fail(rom, q->forced);
		return;
	}
	if (!idle_like(rom->state)) {
		stall_protocol(rom, q);
		return;
	}
	back_to_idle(rom);
}

static void handle_detach(struct emu_rom *rom, struct rom_req *q)
{
	/*
	 * ASSUMPTION: DETACH in DFU mode is not defined by DFU 1.1 for the ROM.
	 * usbd_dfu.c accepts it in the idle-like states, returns to dfuIDLE and,
	 * with bitWillDetach set (the ROM's 0x0B), drops off the bus and comes
	 * back: we do the same (re-enumerate as the ROM).
	 */
	if (!idle_like(rom->state) || rom->chip->q.detach_stalls) {
		/* F722 stalls it in every state (chips.c [CROW155]) */
		stall_protocol(rom, q);
		return;
	}
	back_to_idle(rom);
	q->reply->event = EMU_EVENT_RESET;
}

static void handle_class(struct emu_rom *rom, struct rom_req *q)
{
	const struct emu_setup *s = q->s;
	bool in = s->bmRequestType & 0x80;

	/* Interface 0 only; direction must match the request. */
	if ((s->wIndex & 0xFF) != 0 || (s->bmRequestType & 0x1F) != 1) {
		rom_stall(q);
		return;
	}
	if (rom->state == DFU_STATE_MANIFEST_WAIT_RESET) {
		/* gone from the bus in reality; only a reset helps */
		rom_stall(q);
		return;
	}
	switch (s->bRequest) {
	case DFU_DETACH:
		if (in)
			break;
		handle_detach(rom, q);
		return;
	case DFU_DNLOAD:
		if (in)
			break;
		handle_dnload(rom, q);
		return;
	case DFU_UPLOAD:
		if (!in)
			break;
		handle_upload(rom, q);
		return;
	case DFU_GETSTATUS:
		if (!in)
			break;
		handle_getstatus(rom, q);
		return;
	case DFU_CLRSTATUS:
		if (in)
			break;
		handle_clrstatus(rom, q);
		return;
	case DFU_GETSTATE:
		if (!in || s->wLength < 1)
			break;
		if (q->forced)
			fail(rom, q->forced);
		q->data[0] = q->state >= 0 ? (uint8_t)q->state : rom->state;
		q->reply->len = 1;
		return;
	case DFU_ABORT:
		if (in)
			break;
		handle_abort(rom, q);
		return;
	default:
		break;
	}
	stall_protocol(rom, q);
}

/* ---- classification (stats and fault matching) ----------------------------- */

static bool is_class(const struct emu_setup *s)
{
	return (s->bmRequestType & 0x60) == 0x20;
}

static void classify(const struct emu_setup *s, const uint8_t *data, int *stat, unsigned *match)
{
	*stat = -1;
	*match = EMU_MATCH_ANY;
	if ((s->bmRequestType & 0x60) == 0) {
		*stat = EMU_STAT_STANDARD;
		return;
	}
	if (!is_class(s))
		return;
	switch (s->bRequest) {
	case DFU_DETACH:
		*stat = EMU_STAT_DETACH;
		return;
	case DFU_DNLOAD:
		*match |= EMU_MATCH_DNLOAD;
		if (s->wLength == 0) {
			*stat = EMU_STAT_DNLOAD_LEAVE;
			*match |= EMU_MATCH_LEAVE;
		} else if (s->wValue != 0) {
			*stat = EMU_STAT_DNLOAD_DATA;
			*match |= EMU_MATCH_DNLOAD_DATA;
		} else if (!data) {
			*stat = EMU_STAT_DNLOAD_OTHER;
		} else if (data[0] == DFUSE_SET_ADDRESS) {
			*stat = EMU_STAT_DNLOAD_SET_ADDRESS;
			*match |= EMU_MATCH_SET_ADDRESS;
		} else if (data[0] == DFUSE_ERASE && s->wLength == 1) {
			*stat = EMU_STAT_DNLOAD_MASS_ERASE;
			*match |= EMU_MATCH_MASS_ERASE;
		} else if (data[0] == DFUSE_ERASE) {
			*stat = EMU_STAT_DNLOAD_ERASE;
			*match |= EMU_MATCH_ERASE;
		} else if (data[0] == DFUSE_READ_UNPROTECT) {
			*stat = EMU_STAT_DNLOAD_READ_UNPROTECT;
		} else if (data[0] == DFUSE_GET_COMMANDS) {
			*stat = EMU_STAT_DNLOAD_GET_COMMANDS;
		} else {
			*stat = EMU_STAT_DNLOAD_OTHER;
		}
		return;
	case DFU_UPLOAD:
		*stat = EMU_STAT_UPLOAD;
		*match |= EMU_MATCH_UPLOAD;
		return;
	case DFU_GETSTATUS:
		*stat = EMU_STAT_GETSTATUS;
		*match |= EMU_MATCH_GETSTATUS;
		return;
	case DFU_CLRSTATUS:
		*stat = EMU_STAT_CLRSTATUS;
		*match |= EMU_MATCH_CLRSTATUS;
		return;
	case DFU_GETSTATE:
		*stat = EMU_STAT_GETSTATE;
		return;
	case DFU_ABORT:
		*stat = EMU_STAT_ABORT;
		*match |= EMU_MATCH_ABORT;
		return;
	default:
		return;
	}
}

/* ---- entry point ------------------------------------------------------------ */

/* Lazily finish a running flash operation: DFU 1.1, dfuDNBUSY -> dfuDNLOAD-SYNC
 * when the operation is over. */
static void settle(struct emu_rom *rom, uint64_t t)
{
	if (rom->busy && !rom->stuck && t >= rom->busy_until) {
		rom->busy = false;
		if (rom->state == DFU_STATE_DNBUSY)
			rom->state = DFU_STATE_DNLOAD_SYNC;
	}
}

void emu_rom_control(struct emu_rom *rom, const struct emu_setup *setup, uint8_t *data, size_t cap,
		     uint64_t now_ns, struct emu_reply *reply)
{
	struct rom_req q = {
		.s = setup, .data = data, .cap = data ? cap : 0, .reply = reply, .state = -1};
	bool in = setup->bmRequestType & 0x80;
	struct emu_fault *f;
	unsigned match;
	int stat;

	memset(reply, 0, sizeof(*reply));
	reply->kind = EMU_REPLY_ACK;
	rom->stats.control_transfers++;
	if (rom->locked) {
		/* the H563 after its leave: nothing answers until a power cycle */
		reply->kind = EMU_REPLY_HANG;
		return;
	}
	/* an OUT data stage we did not get, or an IN one we cannot hold */
	if (setup->wLength && (!data || cap < setup->wLength)) {
		rom_stall(&q);
		return;
	}
	classify(setup, in ? NULL : data, &stat, &match);
	if (stat >= 0)
		rom->stats.by_request[stat]++;

	q.t = now_ns;
	if (rom->busy && !rom->stuck && now_ns < rom->busy_until) {
		if (rom_tm(rom)->busy == EMU_BUSY_BLOCK) {
			/* F4: the operation runs in the USB interrupt; the
			 * host is NAKed until it is over. */
			q.t = rom->busy_until;
		} else if (is_class(setup)) {
			/* L4: requests are stalled while busy [DP]; the state
			 * stays dfuDNBUSY. */
			rom_stall(&q);
			return;
		}
	}
	settle(rom, q.t);

	f = emu_fault_check(&rom->faults, match);
	if (f && f->action == EMU_FAULT_DISCONNECT) {
		reply->kind = EMU_REPLY_DISCONNECT;
		return;
	}
	if (f && f->action == EMU_FAULT_TIMEOUT) {
		/* lost: the device never saw it, so its state does not move */
		reply->kind = EMU_REPLY_HANG;
		return;
	}
	if (f && f->action == EMU_FAULT_STATE)
		q.state = f->state;
	if (f && f->action == EMU_FAULT_STALL) {
		if (is_class(setup))
			stall_protocol(rom, &q);
		else
			rom_stall(&q);
	} else {
		if (f && f->action == EMU_FAULT_STATUS)
			q.forced = f->status;
		if (is_class(setup))
			handle_class(rom, &q);
		else if ((setup->bmRequestType & 0x60) == 0)
			rom_handle_standard(rom, &q);
		else
			rom_stall(&q);
		if (q.forced && !is_class(setup)) {
			/* status= on a standard request: the DFU state errs */
			fail(rom, q.forced);
		}
	}
	if (q.state >= 0) {
		/* state=N: the device is (and says it is) in bState N from now on */
		rom->state = (uint8_t)q.state;
		memset(&rom->cmd, 0, sizeof(rom->cmd));
	}

	if (reply->kind != EMU_REPLY_ACK && reply->kind != EMU_REPLY_BABBLE)
		return;
	if (in)
		rom->stats.bytes_up += reply->len;
	else
		rom->stats.bytes_down += setup->wLength;
	if (rom_real(rom)) {
		size_t bytes = in ? reply->len : setup->wLength;

		reply->ready_at_ns = q.t + (uint64_t)bytes * rom_tm(rom)->bus_ns_per_byte;
		if (reply->ready_at_ns == now_ns)
			reply->ready_at_ns = 0;
	}
}
