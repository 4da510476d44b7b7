/* SPDX-License-Identifier: MIT */
/*
 * One emulated board: routes control transfers to whatever it currently is
 * (ROM or application), logs them with --verbose, and turns the models'
 * events into re-enumerations on the same port path.
 */
#include "emu.h"
#include "optbytes.h"

#include <stdio.h>
#include <string.h>

#include <stdfu/usb_requests.h>

static void log_request(const struct emu_board *b, const struct emu_setup *s,
			const struct emu_reply *r, const uint8_t *data, uint64_t now)
{
	const char *name = "?";
	unsigned type = s->bmRequestType & 0x60;
	static const char *const kinds[] = {"ACK", "STALL", "DISCONNECT"};

	if (type == 0x00)
		name = stdfu_usb_std_request_name(s->bRequest);
	else if (type == 0x20 && b->kind == EMU_DEV_ROM)
		name = stdfu_dfu_request_name(s->bRequest);
	else if (type == 0x20)
		name = s->bRequest == EMU_CDC_SET_LINE_CODING	? "SET_LINE_CODING"
		       : s->bRequest == EMU_CDC_GET_LINE_CODING ? "GET_LINE_CODING"
		       : s->bRequest == EMU_CDC_SET_CONTROL_LINE_STATE
			       ? "SET_CONTROL_LINE_STATE"
			       : stdfu_dfu_request_name(s->bRequest);
	fprintf(stderr, "stdfu-emu: board %u %s: %02x %02x %04x %04x %04x %-17s -> %s len %zu",
		b->index, b->kind == EMU_DEV_APP ? "app" : "rom", s->bmRequestType, s->bRequest,
		s->wValue, s->wIndex, s->wLength, name, kinds[r->kind % 3], r->len);
	if (r->ready_at_ns > now)
		fprintf(stderr, " after %.3f ms", (double)(r->ready_at_ns - now) / 1e6);
	if (type == 0x20 && b->kind == EMU_DEV_ROM && s->bRequest == 3 && r->kind == 0 &&
	    r->len >= 6)
		fprintf(stderr, " [status %u poll %lu state %u]", (unsigned)data[0],
			(unsigned long)data[1] | (unsigned long)data[2] << 8 |
				(unsigned long)data[3] << 16,
			(unsigned)data[4]);
	fputc('\n', stderr);
}

static void count_app(struct emu_board *b, const struct emu_setup *s, const struct emu_reply *r)
{
	struct emu_stats *st = &b->app_stats;

	st->control_transfers++;
	if ((s->bmRequestType & 0x60) == 0)
		st->by_request[EMU_STAT_STANDARD]++;
	if (r->kind != EMU_REPLY_ACK)
		return;
	if (s->bmRequestType & 0x80)
		st->bytes_up += r->len;
	else
		st->bytes_down += s->wLength;
}

void emu_board_control(struct emu_board *b, const struct emu_setup *setup, uint8_t *data,
		       size_t cap, uint64_t now_ns, struct emu_reply *reply)
{
	uint64_t now = MAX(now_ns, b->control_clock_ns);

	b->control_clock_ns = now;

	memset(reply, 0, sizeof(*reply));
	if (b->kind == EMU_DEV_APP && (setup->bmRequestType & 0x60) == 0x20)
		b->last_ctrl_ns = now;
	if (b->kind == EMU_DEV_ROM && !b->first_request_ns)
		b->first_request_ns = now;
	if (b->kind == EMU_DEV_ROM && !b->first_dfu_request_ns &&
	    (setup->bmRequestType & 0x60) == 0x20)
		b->first_dfu_request_ns = now;
	if (b->kind == EMU_DEV_APP) {
		emu_app_control(b->app, setup, data, cap, now, reply);
		count_app(b, setup, reply);
	} else {
		emu_rom_control(b->rom, setup, data, cap, now, reply);
	}
	emu_plug_count_request(b);
	if (b->ctx->opt.verbose)
		log_request(b, setup, reply, data, now);
}

/* The application accepted a trigger: remember when, and when its input came. */
static void note_trigger(struct emu_board *b)
{
	g_mutex_lock(&b->lock);
	if (b->kind == EMU_DEV_APP) {
		b->trigger_ns = emu_now_ns();
		b->trigger_rx_ns = b->last_rx_ns ? b->last_rx_ns : b->last_ctrl_ns;
	}
	g_mutex_unlock(&b->lock);
}

void emu_board_after_reply(struct emu_board *b, unsigned generation, const struct emu_reply *r)
{
	struct emu_ctx *ctx = b->ctx;
	bool stale;

	g_mutex_lock(&b->lock);
	stale = generation != b->generation;
	g_mutex_unlock(&b->lock);
	if (stale)
		return;
	/* a control request (DFU_DETACH...) may have set a companion deadline */
	if (b->kind == EMU_DEV_APP && r->event == EMU_EVENT_NONE)
		emu_tty_schedule_poll(b->tty);
	switch (r->event) {
	case EMU_EVENT_LEAVE:
		/* the ROM jumps to the application (or falls back to itself) */
		if (r->app_plausible)
			emu_board_reenumerate(b, EMU_DEV_APP, 1,
					      emu_reenum_delay_ms(ctx, EMU_DEV_APP));
		else
			emu_board_reenumerate(b, EMU_DEV_ROM, 1,
					      emu_reenum_delay_ms(ctx, EMU_DEV_ROM));
		return;
	case EMU_EVENT_RESET:
		note_trigger(b);
		emu_board_reset(b, false);
		return;
	case EMU_EVENT_NONE:
	default:
		break;
	}
	/* A device that drops off the bus mid-transfer (a --fault disconnect, a
	 * brown-out) comes back as the ROM, as a real board resetting would. */
	if (r->kind == EMU_REPLY_DISCONNECT)
		emu_board_reenumerate(b, EMU_DEV_ROM, 0, emu_reenum_delay_ms(ctx, EMU_DEV_ROM));
}

void emu_board_enter_rom(struct emu_board *b)
{
	note_trigger(b);
	emu_board_reset(b, true);
}

enum emu_dev_kind emu_board_boot_kind(struct emu_board *b, bool jump)
{
	enum emu_boot_target t;

	g_mutex_lock(&b->lock);
	t = emu_rom_boot_target(b->rom, jump);
	g_mutex_unlock(&b->lock);
	return t == EMU_BOOT_ROM ? EMU_DEV_ROM : t == EMU_BOOT_APP ? EMU_DEV_APP : EMU_DEV_NONE;
}

/* The chip resets (or the application jumps to the ROM): what boots follows
 * the option bytes (optbytes.c), so a setting that keeps the ROM from
 * running brings back the application, or nothing. */
void emu_board_reset(struct emu_board *b, bool jump)
{
	enum emu_dev_kind kind = emu_board_boot_kind(b, jump);

	if (b->ctx->opt.verbose && kind != EMU_DEV_ROM)
		fprintf(stderr, "stdfu-emu: board %u: the option bytes boot %s, not the ROM\n",
			b->index, kind == EMU_DEV_APP ? "the application" : "nothing");
	emu_board_reenumerate(
		b, kind, 1,
		emu_reenum_delay_ms(b->ctx, kind == EMU_DEV_APP ? EMU_DEV_APP : EMU_DEV_ROM));
}

/* DFU mode: as if BOOT0 were held high, the ROM runs, unless option bytes
 * loaded with --load (RDP 2, BFB2) keep it from running. ASSUMPTION: --mode
 * app boots the application whatever flash holds: the model does not run
 * flash content, and a board of a fixture in app mode is one shipped with
 * its application. */
enum emu_dev_kind emu_board_power_on_kind(struct emu_board *b)
{
	if (b->cfg.mode == EMU_MODE_APP)
		return EMU_DEV_APP;
	return emu_board_boot_kind(b, true);
}
