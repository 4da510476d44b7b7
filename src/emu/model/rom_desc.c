/* SPDX-License-Identifier: MIT */
/*
 * What the ST ROM bootloader tells the host about itself: the device and
 * configuration descriptors (one interface alt setting per memory, each
 * named by its DfuSe layout string, then the DFU functional descriptor), the
 * string descriptors including the UID-derived serial number, and the USB
 * standard requests (USB 2.0 §9.4) the ROM answers.
 */
#include <stdio.h>
#include <string.h>

#include "rom_internal.h"

/* USB standard requests (USB 2.0 §9.4) */
#define USB_REQ_GET_STATUS	  0
#define USB_REQ_CLEAR_FEATURE	  1
#define USB_REQ_SET_FEATURE	  3
#define USB_REQ_SET_ADDRESS	  5
#define USB_REQ_GET_DESCRIPTOR	  6
#define USB_REQ_GET_CONFIGURATION 8
#define USB_REQ_SET_CONFIGURATION 9
#define USB_REQ_GET_INTERFACE	  10
#define USB_REQ_SET_INTERFACE	  11

#define USB_DT_DEVICE	 1
#define USB_DT_CONFIG	 2
#define USB_DT_STRING	 3
#define USB_DT_INTERFACE 4
#define USB_DT_DFU_FUNC	 0x21

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* ---- strings ------------------------------------------------------------ */

const char *emu_rom_serial(const struct emu_rom *rom)
{
	return rom->serial;
}

const char *emu_rom_app_serial(const struct emu_rom *rom)
{
	return rom->app_serial;
}

const char *emu_rom_product(const struct emu_rom *rom)
{
	return rom->chip->product;
}

const char *emu_rom_manufacturer(const struct emu_rom *rom)
{
	return rom->chip->manufacturer;
}

/* ---- descriptors -------------------------------------------------------- */

#define DEV_DESC_LEN  18
#define CFG_DESC_LEN  9
#define IF_DESC_LEN   9
#define FUNC_DESC_LEN 9

static size_t device_desc(const struct emu_rom *rom, uint8_t *d)
{
	const struct emu_chip *c = rom->chip;

	d[0] = DEV_DESC_LEN;
	d[1] = USB_DT_DEVICE;
	put_le16(d + 2, c->bcd_usb); /* chips.c: 1.00 on F4 [F4LS], 2.00 on G0 [G0C1] */
	d[4] = 0;		     /* class per interface */
	d[5] = 0;
	d[6] = 0;
	d[7] = 64; /* bMaxPacketSize0 on every dumped ROM ([F4LS], [G0C1] in chips.c) */
	put_le16(d + 8, c->id_vendor);
	put_le16(d + 10, c->id_product);
	put_le16(d + 12, c->bcd_device);
	d[14] = 1; /* iManufacturer */
	d[15] = 2; /* iProduct */
	d[16] = 3; /* iSerialNumber */
	d[17] = 1; /* bNumConfigurations */
	return DEV_DESC_LEN;
}

static size_t config_len(const struct emu_rom *rom)
{
	return CFG_DESC_LEN + rom->chip->n_alts * IF_DESC_LEN + FUNC_DESC_LEN;
}

static size_t config_desc(const struct emu_rom *rom, uint8_t *d)
{
	const struct emu_chip *c = rom->chip;
	size_t total = config_len(rom);
	uint8_t *p = d;

	p[0] = CFG_DESC_LEN;
	p[1] = USB_DT_CONFIG;
	put_le16(p + 2, (uint16_t)total);
	p[4] = 1; /* bNumInterfaces */
	p[5] = 1; /* bConfigurationValue */
	p[6] = 0; /* iConfiguration */
	p[7] = c->cfg_attributes;
	p[8] = c->cfg_max_power;
	p += CFG_DESC_LEN;
	for (unsigned i = 0; i < c->n_alts; i++, p += IF_DESC_LEN) {
		p[0] = IF_DESC_LEN;
		p[1] = USB_DT_INTERFACE;
		p[2] = 0;	   /* bInterfaceNumber */
		p[3] = (uint8_t)i; /* bAlternateSetting */
		p[4] = 0;	   /* bNumEndpoints */
		p[5] = 0xFE;	   /* application specific */
		p[6] = 0x01;	   /* DFU */
		p[7] = 0x02;	   /* DFU mode */
		p[8] = (uint8_t)(4 + i);
	}
	/* DFU functional descriptor (DFU 1.1 §4.2.4), after the interfaces as ST does. */
	p[0] = FUNC_DESC_LEN;
	p[1] = USB_DT_DFU_FUNC;
	p[2] = c->dfu_attributes;
	put_le16(p + 3, c->detach_timeout);
	put_le16(p + 5, c->transfer_size);
	put_le16(p + 7, c->bcd_dfu);
	return total;
}

size_t emu_rom_sysfs_descriptors(const struct emu_rom *rom, uint8_t *buf, size_t cap)
{
	size_t need = DEV_DESC_LEN + config_len(rom);

	if (!buf || cap < need)
		return 0;
	device_desc(rom, buf);
	config_desc(rom, buf + DEV_DESC_LEN);
	return need;
}

static const char *string_for(const struct emu_rom *rom, unsigned idx)
{
	switch (idx) {
	case 1:
		return rom->chip->manufacturer;
	case 2:
		return rom->chip->product;
	case 3:
		return rom->serial;
	default:
		if (idx >= 4 && idx - 4 < rom->chip->n_alts)
			return rom->chip->alt[idx - 4].layout;
		return NULL;
	}
}

/* Build descriptor (type, index) into d (>= 256 bytes); length or -1 to stall. */
static int get_descriptor(const struct emu_rom *rom, uint8_t type, uint8_t idx, uint8_t *d)
{
	const char *s;
	size_t n;

	switch (type) {
	case USB_DT_DEVICE:
		return (int)device_desc(rom, d);
	case USB_DT_CONFIG:
		if (idx != 0)
			return -1;
		return (int)config_desc(rom, d);
	case USB_DT_DFU_FUNC: {
		uint8_t tmp[CFG_DESC_LEN + EMU_MAX_ALTS * IF_DESC_LEN + FUNC_DESC_LEN];
		size_t len = config_desc(rom, tmp);

		memcpy(d, tmp + len - FUNC_DESC_LEN, FUNC_DESC_LEN);
		return FUNC_DESC_LEN;
	}
	case USB_DT_STRING:
		if (idx == 0) {
			d[0] = 4;
			d[1] = USB_DT_STRING;
			put_le16(d + 2, 0x0409);
			return 4;
		}
		s = string_for(rom, idx);
		if (!s)
			return -1;
		n = strlen(s);
		if (n > 126)
			n = 126;
		d[0] = (uint8_t)(2 + 2 * n);
		d[1] = USB_DT_STRING;
		for (size_t i = 0; i < n; i++)
			put_le16(d + 2 + 2 * i, (uint8_t)s[i]);
		return d[0];
	default:
		return -1;
	}
}

/* ---- standard requests ------------------------------------------------------ */

void rom_handle_standard(struct emu_rom *rom, struct rom_req *q)
{
	const struct emu_setup *s = q->s;
	uint8_t d[256];
	int n;

	switch (s->bRequest) {
	case USB_REQ_GET_DESCRIPTOR:
		if (!(s->bmRequestType & 0x80))
			break;
		n = get_descriptor(rom, (uint8_t)(s->wValue >> 8), (uint8_t)s->wValue, d);
		if (n < 0)
			break;
		q->reply->len = (size_t)n < s->wLength ? (size_t)n : s->wLength;
		memcpy(q->data, d, q->reply->len);
		return;
	case USB_REQ_GET_STATUS:
		if (!(s->bmRequestType & 0x80) || s->wLength < 2)
			break;
		/* self-powered bit for the device, zero otherwise */
		q->data[0] = (s->bmRequestType & 0x1F) == 0 && (rom->chip->cfg_attributes & 0x40);
		q->data[1] = 0;
		q->reply->len = 2;
		return;
	case USB_REQ_SET_ADDRESS:
	case USB_REQ_CLEAR_FEATURE:
	case USB_REQ_SET_FEATURE:
		if (s->bmRequestType & 0x80)
			break;
		return;
	case USB_REQ_GET_CONFIGURATION:
		if (!(s->bmRequestType & 0x80) || s->wLength < 1)
			break;
		q->data[0] = rom->config;
		q->reply->len = 1;
		return;
	case USB_REQ_SET_CONFIGURATION:
		if ((s->bmRequestType & 0x80) || s->wValue > 1)
			break;
		rom->config = (uint8_t)s->wValue;
		return;
	case USB_REQ_GET_INTERFACE:
		if (!(s->bmRequestType & 0x80) || s->wLength < 1 || s->wIndex != 0)
			break;
		q->data[0] = rom->alt;
		q->reply->len = 1;
		return;
	case USB_REQ_SET_INTERFACE:
		if ((s->bmRequestType & 0x80) || s->wIndex != 0 || s->wValue >= rom->chip->n_alts)
			break;
		/* usbd_dfu.c: selects the alt; the DFU state is not touched. */
		rom->alt = (uint8_t)s->wValue;
		return;
	default:
		break;
	}
	rom_stall(q);
}
