/* SPDX-License-Identifier: MIT */
/*
 * The emulated application: STM32Cube USB Device library CDC "Virtual
 * ComPort" (usbd_cdc.c / usbd_desc.c of STM32CubeF4): 0483:5740, two
 * interfaces (communication 02/02/01 with an interrupt IN endpoint, data 0A
 * with bulk OUT 0x01 / IN 0x81, 64-byte packets), strings
 * "STMicroelectronics" / "STM32 Virtual ComPort" / a 12-hex-digit serial
 * derived from the chip UID.
 */
#include "app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USB_DIR_IN	    0x80
#define USB_TYPE_MASK	    0x60
#define USB_TYPE_STANDARD   0x00
#define USB_TYPE_CLASS	    0x20
#define USB_RECIP_MASK	    0x1f
#define USB_RECIP_INTERFACE 0x01

#define USB_REQ_GET_STATUS	  0x00
#define USB_REQ_CLEAR_FEATURE	  0x01
#define USB_REQ_SET_FEATURE	  0x03
#define USB_REQ_GET_DESCRIPTOR	  0x06
#define USB_REQ_GET_CONFIGURATION 0x08
#define USB_REQ_SET_CONFIGURATION 0x09
#define USB_REQ_GET_INTERFACE	  0x0a
#define USB_REQ_SET_INTERFACE	  0x0b

#define DFU_DETACH    0
#define DFU_GETSTATUS 3
#define DFU_GETSTATE  5

#define STR_MANUFACTURER 1
#define STR_PRODUCT	 2
#define STR_SERIAL	 3
#define STR_DFU_RT	 4

struct emu_app {
	struct emu_app_config cfg;
	char serial[32];
	struct emu_app_line line;
	uint8_t config;
	bool detach_seen;
	uint64_t rx_bytes;
	struct emu_app_trigger trig;
	struct emu_persona persona; /* --companion micropython|betaflight|text: */
	uint64_t next_ns;
	enum emu_app_reason fired;
};

static const uint8_t dev_desc[18] = {
	18,
	0x01,
	0x00,
	0x02, /* USB 2.0 */
	0x02,
	0x02,
	0x00, /* CDC device class, as usbd_cdc.c */
	64,
	0x83,
	0x04,
	0x40,
	0x57,
	0x00,
	0x02, /* bcdDevice 2.00 */
	STR_MANUFACTURER,
	STR_PRODUCT,
	STR_SERIAL,
	1,
};

static const uint8_t cdc_conf[] = {
	/* configuration: wTotalLength and bNumInterfaces patched at run time */
	9,
	0x02,
	0,
	0,
	2,
	1,
	0,
	0xc0,
	0x32,
	/* interface 0: communication, ACM, AT commands */
	9,
	0x04,
	0,
	0,
	1,
	0x02,
	0x02,
	0x01,
	0,
	5,
	0x24,
	0x00,
	0x10,
	0x01, /* header, CDC 1.10 */
	5,
	0x24,
	0x01,
	0x00,
	0x01, /* call management */
	4,
	0x24,
	0x02,
	0x02, /* ACM: line coding + serial state */
	5,
	0x24,
	0x06,
	0x00,
	0x01, /* union: master 0, slave 1 */
	7,
	0x05,
	0x82,
	0x03,
	8,
	0,
	0x10,
	/* interface 1: data */
	9,
	0x04,
	1,
	0,
	2,
	0x0a,
	0x00,
	0x00,
	0,
	7,
	0x05,
	0x01,
	0x02,
	64,
	0,
	0,
	7,
	0x05,
	0x81,
	0x02,
	64,
	0,
	0,
};

/* DFU 1.1 runtime interface (4.1.2) and functional descriptor (4.1.3):
 * will-detach, download capable, detach timeout 255 ms, 1.1a. */
static const uint8_t dfu_rt[] = {
	9, 0x04, 2,    0,    0,	   0xfe, 0x01, 0x01, STR_DFU_RT,
	9, 0x21, 0x09, 0xff, 0x00, 0x00, 0x08, 0x1a, 0x01,
};

struct emu_app *emu_app_new(const struct emu_app_config *cfg)
{
	struct emu_app *app = calloc(1, sizeof(*app));

	if (!app)
		return NULL;
	app->cfg = *cfg;
	app->cfg.serial = NULL;
	app->cfg.trigger.runtime_dfu = cfg->runtime_dfu;
	if (cfg->serial)
		snprintf(app->serial, sizeof(app->serial), "%s", cfg->serial);
	else /* assumption: any stable 12-hex-digit UID-like value per board */
		snprintf(app->serial, sizeof(app->serial), "%08X%04X", 0x2059335Bu + cfg->board,
			 0x3436u);
	emu_app_reset(app);
	return app;
}

void emu_app_free(struct emu_app *app)
{
	free(app);
}

void emu_app_reset(struct emu_app *app)
{
	/* usbd_cdc_if.c template default: 115200 8N1; host has not raised DTR yet */
	app->line.baud = 115200;
	app->line.stop_bits = 0;
	app->line.parity = 0;
	app->line.data_bits = 8;
	app->line.ctrl = 0;
	app->config = 0;
	app->next_ns = 0;
	app->fired = EMU_APP_STAY;
	emu_app_trigger_init(&app->trig, &app->cfg.trigger);
	emu_persona_init(&app->persona, &app->cfg.trigger.persona);
}

/* Ask the companion; a decision to enter the ROM becomes EMU_EVENT_RESET. */
static void run_poll(struct emu_app *app, uint64_t now_ns, struct emu_reply *r)
{
	enum emu_app_reason why;
	uint64_t text_ns = 0;

	if (app->fired != EMU_APP_STAY)
		return;
	why = emu_app_trigger_poll(&app->trig, now_ns, &app->next_ns);
	if (why == EMU_APP_STAY && emu_persona_due(&app->persona, now_ns, &text_ns))
		why = EMU_APP_ENTER_TEXT;
	if (why == EMU_APP_STAY) {
		if (text_ns && (!app->next_ns || text_ns < app->next_ns))
			app->next_ns = text_ns;
		return;
	}
	app->fired = why;
	app->next_ns = 0;
	r->event = EMU_EVENT_RESET;
}

enum emu_app_reason emu_app_fired(const struct emu_app *app)
{
	return app->fired;
}

unsigned emu_app_num_interfaces(const struct emu_app *app)
{
	return app->cfg.runtime_dfu ? 3 : 2;
}

static size_t conf_len(const struct emu_app *app)
{
	return sizeof(cdc_conf) + (app->cfg.runtime_dfu ? sizeof(dfu_rt) : 0);
}

static void build_conf(const struct emu_app *app, uint8_t *buf)
{
	size_t total = conf_len(app);

	memcpy(buf, cdc_conf, sizeof(cdc_conf));
	if (app->cfg.runtime_dfu)
		memcpy(buf + sizeof(cdc_conf), dfu_rt, sizeof(dfu_rt));
	buf[2] = (uint8_t)(total & 0xff);
	buf[3] = (uint8_t)(total >> 8);
	buf[4] = (uint8_t)emu_app_num_interfaces(app);
}

size_t emu_app_sysfs_descriptors(const struct emu_app *app, uint8_t *buf, size_t cap)
{
	size_t total = sizeof(dev_desc) + conf_len(app);

	if (cap < total)
		return 0;
	memcpy(buf, dev_desc, sizeof(dev_desc));
	build_conf(app, buf + sizeof(dev_desc));
	return total;
}

const char *emu_app_serial(const struct emu_app *app)
{
	return app->serial;
}

const char *emu_app_product(const struct emu_app *app)
{
	(void)app;
	return "STM32 Virtual ComPort";
}

const char *emu_app_manufacturer(const struct emu_app *app)
{
	(void)app;
	return "STMicroelectronics";
}

const struct emu_app_line *emu_app_line(const struct emu_app *app)
{
	return &app->line;
}

uint64_t emu_app_rx_bytes(const struct emu_app *app)
{
	return app->rx_bytes;
}

bool emu_app_detach_seen(const struct emu_app *app)
{
	return app->detach_seen;
}

static void reply_ack(struct emu_reply *r, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->kind = EMU_REPLY_ACK;
	r->len = len;
}

static void reply_stall(struct emu_reply *r)
{
	memset(r, 0, sizeof(*r));
	r->kind = EMU_REPLY_STALL;
}

/* Copy an IN reply, truncated to wLength as USB 2.0 9.3.5 requires. */
static void reply_in(struct emu_reply *r, const struct emu_setup *s, uint8_t *data, size_t cap,
		     const void *src, size_t len)
{
	if (len > s->wLength)
		len = s->wLength;
	if (len > cap)
		len = cap;
	memcpy(data, src, len);
	reply_ack(r, len);
}

static const char *string_of(const struct emu_app *app, unsigned idx)
{
	switch (idx) {
	case STR_MANUFACTURER:
		return emu_app_manufacturer(app);
	case STR_PRODUCT:
		return emu_app_product(app);
	case STR_SERIAL:
		return app->serial;
	case STR_DFU_RT:
		return app->cfg.runtime_dfu ? "STDFU runtime DFU" : NULL;
	default:
		return NULL;
	}
}

static void get_descriptor(struct emu_app *app, const struct emu_setup *s, uint8_t *data,
			   size_t cap, struct emu_reply *r)
{
	uint8_t buf[256];
	unsigned type = s->wValue >> 8, idx = s->wValue & 0xff;
	const char *str;
	size_t n;

	switch (type) {
	case 0x01:
		reply_in(r, s, data, cap, dev_desc, sizeof(dev_desc));
		return;
	case 0x02:
		if (idx != 0)
			break;
		build_conf(app, buf);
		reply_in(r, s, data, cap, buf, conf_len(app));
		return;
	case 0x03:
		if (idx == 0) {
			static const uint8_t langids[] = {4, 0x03, 0x09, 0x04};
			reply_in(r, s, data, cap, langids, sizeof(langids));
			return;
		}
		str = string_of(app, idx);
		if (!str)
			break;
		n = strlen(str);
		if (n > 126)
			n = 126;
		buf[0] = (uint8_t)(2 + 2 * n);
		buf[1] = 0x03;
		for (size_t i = 0; i < n; i++) {
			buf[2 + 2 * i] = (uint8_t)str[i];
			buf[3 + 2 * i] = 0;
		}
		reply_in(r, s, data, cap, buf, buf[0]);
		return;
	default:
		break;
	}
	reply_stall(r);
}

static void standard_request(struct emu_app *app, const struct emu_setup *s, uint8_t *data,
			     size_t cap, struct emu_reply *r)
{
	static const uint8_t zero2[2] = {0, 0};

	switch (s->bRequest) {
	case USB_REQ_GET_DESCRIPTOR:
		get_descriptor(app, s, data, cap, r);
		return;
	case USB_REQ_GET_STATUS:
		reply_in(r, s, data, cap, zero2, 2);
		return;
	case USB_REQ_GET_CONFIGURATION:
		reply_in(r, s, data, cap, &app->config, 1);
		return;
	case USB_REQ_SET_CONFIGURATION:
		if (s->wValue > 1)
			break;
		app->config = (uint8_t)s->wValue;
		reply_ack(r, 0);
		return;
	case USB_REQ_GET_INTERFACE:
		reply_in(r, s, data, cap, zero2, 1);
		return;
	case USB_REQ_SET_INTERFACE:
		/* every interface has alt setting 0 only */
		if (s->wValue != 0 || s->wIndex >= emu_app_num_interfaces(app))
			break;
		reply_ack(r, 0);
		return;
	case USB_REQ_CLEAR_FEATURE:
	case USB_REQ_SET_FEATURE:
		reply_ack(r, 0);
		return;
	default:
		break;
	}
	reply_stall(r);
}

static void cdc_request(struct emu_app *app, const struct emu_setup *s, uint8_t *data, size_t cap,
			uint64_t now_ns, struct emu_reply *r)
{
	uint8_t lc[7];

	switch (s->bRequest) {
	case EMU_CDC_SET_LINE_CODING:
		if (s->wLength < 7)
			break;
		app->line.baud = (uint32_t)data[0] | (uint32_t)data[1] << 8 |
				 (uint32_t)data[2] << 16 | (uint32_t)data[3] << 24;
		app->line.stop_bits = data[4];
		app->line.parity = data[5];
		app->line.data_bits = data[6];
		reply_ack(r, 0);
		emu_app_trigger_line_coding(&app->trig, app->line.baud, now_ns);
		run_poll(app, now_ns, r);
		return;
	case EMU_CDC_GET_LINE_CODING:
		lc[0] = (uint8_t)app->line.baud;
		lc[1] = (uint8_t)(app->line.baud >> 8);
		lc[2] = (uint8_t)(app->line.baud >> 16);
		lc[3] = (uint8_t)(app->line.baud >> 24);
		lc[4] = app->line.stop_bits;
		lc[5] = app->line.parity;
		lc[6] = app->line.data_bits;
		reply_in(r, s, data, cap, lc, sizeof(lc));
		return;
	case EMU_CDC_SET_CONTROL_LINE_STATE:
		app->line.ctrl = s->wValue & (EMU_APP_CTRL_DTR | EMU_APP_CTRL_RTS);
		reply_ack(r, 0);
		emu_app_trigger_control_line(&app->trig, app->line.ctrl & EMU_APP_CTRL_DTR, now_ns);
		run_poll(app, now_ns, r);
		return;
	case EMU_CDC_SEND_BREAK:
		reply_ack(r, 0);
		return;
	default:
		break;
	}
	reply_stall(r);
}

/* DFU 1.1 runtime requests (appIDLE): DETACH, GETSTATUS, GETSTATE (6.1). */
static void dfu_rt_request(struct emu_app *app, const struct emu_setup *s, uint8_t *data,
			   size_t cap, uint64_t now_ns, struct emu_reply *r)
{
	static const uint8_t status[6] = {0, 0, 0, 0, 0 /* appIDLE */, 0};
	static const uint8_t state = 0;

	switch (s->bRequest) {
	case DFU_DETACH:
		app->detach_seen = true;
		if (!emu_app_trigger_detach(&app->trig, now_ns))
			break;
		reply_ack(r, 0);
		run_poll(app, now_ns, r);
		return;
	case DFU_GETSTATUS:
		reply_in(r, s, data, cap, status, sizeof(status));
		return;
	case DFU_GETSTATE:
		reply_in(r, s, data, cap, &state, 1);
		return;
	default:
		break;
	}
	reply_stall(r);
}

void emu_app_control(struct emu_app *app, const struct emu_setup *setup, uint8_t *data, size_t cap,
		     uint64_t now_ns, struct emu_reply *reply)
{
	unsigned type = setup->bmRequestType & USB_TYPE_MASK;
	unsigned recip = setup->bmRequestType & USB_RECIP_MASK;
	unsigned iface = setup->wIndex & 0xff;

	if (type == USB_TYPE_STANDARD) {
		standard_request(app, setup, data, cap, reply);
		return;
	}
	if (type == USB_TYPE_CLASS && recip == USB_RECIP_INTERFACE) {
		if (iface == 0) {
			cdc_request(app, setup, data, cap, now_ns, reply);
			return;
		}
		if (iface == 2 && app->cfg.runtime_dfu) {
			dfu_rt_request(app, setup, data, cap, now_ns, reply);
			return;
		}
	}
	reply_stall(reply);
}

void emu_app_rx(struct emu_app *app, const uint8_t *buf, size_t len, uint64_t now_ns,
		struct emu_reply *reply)
{
	reply_ack(reply, 0);
	if (len == 0)
		return;
	app->rx_bytes += len;
	emu_app_trigger_rx(&app->trig, buf, len, now_ns);
	emu_persona_rx(&app->persona, buf, len, now_ns);
	run_poll(app, now_ns, reply);
}

size_t emu_app_tx_take(struct emu_app *app, uint8_t *buf, size_t cap)
{
	return emu_persona_take(&app->persona, buf, cap);
}

uint64_t emu_app_deadline_ns(const struct emu_app *app)
{
	return app->fired == EMU_APP_STAY ? app->next_ns : 0;
}

void emu_app_poll(struct emu_app *app, uint64_t now_ns, struct emu_reply *reply)
{
	reply_ack(reply, 0);
	run_poll(app, now_ns, reply);
}
