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
 */
#include <stdio.h>
#include <stdlib.h>
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

/* DFU 1.1 class requests */
#define DFU_DETACH    0
#define DFU_DNLOAD    1
#define DFU_UPLOAD    2
#define DFU_GETSTATUS 3
#define DFU_CLRSTATUS 4
#define DFU_GETSTATE  5
#define DFU_ABORT     6

/* DfuSe command bytes (AN3156 §4-5) */
#define DFUSE_GET_COMMANDS   0x00
#define DFUSE_SET_ADDRESS    0x21
#define DFUSE_ERASE	     0x41
#define DFUSE_READ_UNPROTECT 0x92

#define PERM_READ  1u
#define PERM_ERASE 2u
#define PERM_WRITE 4u

enum cmd_kind {
	CMD_NONE,
	CMD_DATA,
	CMD_SET_ADDRESS,
	CMD_ERASE,
	CMD_MASS_ERASE,
	CMD_READ_UNPROTECT,
	CMD_LEAVE,
};

struct emu_rom {
	const struct emu_chip *chip;
	enum emu_timing timing;
	char serial[32];

	struct emu_memmap map[EMU_MAX_ALTS];
	uint8_t *store[EMU_MAX_ALTS]; /* backing store of each alt (flash alts: flash) */
	uint8_t *flash;
	uint8_t *ecc_used; /* per ECC word: programmed since its last erase */
	uint8_t *ob;	   /* option-byte store, or NULL */
	int rdp;

	/* USB device state */
	uint8_t config;
	uint8_t alt;

	/* DFU state */
	uint8_t state;
	uint8_t status;
	uint32_t addr_ptr;
	struct {
		enum cmd_kind kind;
		uint16_t block;
		uint16_t len;
		uint32_t arg;	/* address of Set Address / Erase */
		uint8_t forced; /* fault-injected status, 0 = none */
		bool done;	/* executed; result below is for the next GETSTATUS */
		uint8_t result; /* DFU status of the execution */
	} cmd;
	uint8_t *buf; /* wTransferSize bytes: the pending data block */
	bool busy;
	bool stuck; /* H7 quirk: an erase that never completes */
	uint64_t busy_until;
	unsigned quirk_clr; /* CLRSTATUS count while stuck */

	struct emu_faults faults;
	struct emu_stats stats;
};

/* ---- helpers ------------------------------------------------------------ */

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static bool real(const struct emu_rom *rom)
{
	return rom->timing == EMU_TIMING_REAL;
}

static const struct emu_chip_timing *tm(const struct emu_rom *rom)
{
	return &rom->chip->timing;
}

static const struct emu_sector *find_sector(const struct emu_rom *rom, unsigned alt, uint32_t addr)
{
	const struct emu_memmap *m = &rom->map[alt];

	for (unsigned i = 0; i < m->n; i++)
		if (addr >= m->sec[i].start && addr - m->sec[i].start < m->sec[i].size)
			return &m->sec[i];
	return NULL;
}

/* True if [addr, addr+len) lies wholly in sectors of @alt that have @perm. */
static bool range_ok(const struct emu_rom *rom, unsigned alt, uint64_t addr, uint64_t len,
		     unsigned perm)
{
	while (len) {
		const struct emu_sector *s;
		uint64_t n;

		if (addr > 0xFFFFFFFFull)
			return false;
		s = find_sector(rom, alt, (uint32_t)addr);
		if (!s || !(s->type & perm))
			return false;
		n = (uint64_t)s->start + s->size - addr;
		if (n > len)
			n = len;
		addr += n;
		len -= n;
	}
	return true;
}

/* Backing byte of @addr in @alt; the address must have been checked. */
static uint8_t *backing(struct emu_rom *rom, unsigned alt, uint32_t addr)
{
	const struct emu_sector *s = find_sector(rom, alt, addr);

	return rom->store[alt] + s->backing + (addr - s->start);
}

static bool in_flash(const struct emu_rom *rom, uint32_t addr, uint32_t len)
{
	uint32_t base = rom->chip->flash_base, size = rom->chip->flash_size;

	return addr >= base && addr - base <= size && len <= size - (addr - base);
}

static bool plausible_at(const struct emu_rom *rom, uint32_t addr)
{
	const struct emu_chip *c = rom->chip;
	uint32_t sp, pc;
	bool sp_ok = false;

	if (!in_flash(rom, addr, 8))
		return false;
	sp = le32(rom->flash + (addr - c->flash_base));
	pc = le32(rom->flash + (addr - c->flash_base) + 4);
	for (unsigned i = 0; i < 3; i++) {
		uint32_t b = c->sram[i].base, sz = c->sram[i].size;

		/* "inside SRAM or at its top": a full-descending stack starts at the end */
		if (sz && sp >= b && sp - b <= sz)
			sp_ok = true;
	}
	return sp_ok && (pc & 1u) && in_flash(rom, pc & ~1u, 2);
}

bool emu_rom_app_plausible(const struct emu_rom *rom)
{
	return plausible_at(rom, rom->chip->flash_base);
}

/* ---- construction ------------------------------------------------------- */

static void fake_uid_serial(struct emu_rom *rom, unsigned board)
{
	/*
	 * ASSUMPTION: a UID in the shape of real ones (X/Y wafer coordinates,
	 * wafer and lot number). The serial is derived the way ST's device
	 * library does it and as observed on ROMs (12 hex chars): UID0 + UID2
	 * as 8 hex digits, then the top half of UID1.
	 */
	uint32_t uid0 = 0x00200030u + board * 0x00010003u;
	uint32_t uid1 = 0x3136470Du + board;
	uint32_t uid2 = 0x34333532u;

	snprintf(rom->serial, sizeof(rom->serial), "%08X%04X", uid0 + uid2,
		 (unsigned)(uid1 >> 16) ^ (board & 0xFFFFu));
}

static int setup_alt(struct emu_rom *rom, unsigned alt, char *err, size_t errlen)
{
	const struct emu_chip_alt *a = &rom->chip->alt[alt];
	struct emu_memmap *m = &rom->map[alt];

	if (emu_layout_parse(a->layout, m)) {
		snprintf(err, errlen, "chip %s: bad layout string for alt %u", rom->chip->name,
			 alt);
		return -1;
	}
	switch (a->kind) {
	case EMU_MEM_FLASH:
		if (m->sec[0].start != rom->chip->flash_base || m->total != rom->chip->flash_size) {
			snprintf(err, errlen, "chip %s: alt %u layout does not cover the flash",
				 rom->chip->name, alt);
			return -1;
		}
		rom->store[alt] = rom->flash;
		return 0;
	case EMU_MEM_OPTBYTES:
		if (!rom->chip->ob_default || m->total != rom->chip->ob_size) {
			snprintf(err, errlen, "chip %s: option-byte size mismatch",
				 rom->chip->name);
			return -1;
		}
		rom->store[alt] = malloc(m->total);
		if (!rom->store[alt])
			return -1;
		memcpy(rom->store[alt], rom->chip->ob_default, m->total);
		rom->ob = rom->store[alt];
		return 0;
	case EMU_MEM_OTP:
	case EMU_MEM_PLAIN:
		rom->store[alt] = malloc(m->total);
		if (!rom->store[alt])
			return -1;
		memset(rom->store[alt], 0xFF, m->total);
		return 0;
	}
	return -1;
}

static void set_rdp(struct emu_rom *rom, int level)
{
	rom->rdp = level;
	if (rom->ob)
		rom->ob[rom->chip->ob_rdp_offset] =
			level ? rom->chip->ob_rdp_level1 : rom->chip->ob_rdp_level0;
}

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
	rom->flash = malloc(c->flash_size);
	rom->buf = malloc(c->transfer_size);
	rom->ecc_used = c->ecc_unit ? calloc(c->flash_size / c->ecc_unit, 1) : NULL;
	if (!rom->flash || !rom->buf || (c->ecc_unit && !rom->ecc_used))
		goto oom;
	memset(rom->flash, 0xFF, c->flash_size);
	for (unsigned i = 0; i < c->n_alts; i++)
		if (setup_alt(rom, i, err, errlen))
			goto fail;
	if (cfg->serial)
		snprintf(rom->serial, sizeof(rom->serial), "%s", cfg->serial);
	else
		fake_uid_serial(rom, cfg->board);
	set_rdp(rom, cfg->rdp_level);
	emu_rom_reset(rom);
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
	free(rom->flash);
	free(rom->ecc_used);
	free(rom->buf);
	free(rom);
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

const char *emu_rom_serial(const struct emu_rom *rom)
{
	return rom->serial;
}

const char *emu_rom_product(const struct emu_rom *rom)
{
	return rom->chip->product;
}

const char *emu_rom_manufacturer(const struct emu_rom *rom)
{
	return rom->chip->manufacturer;
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
	put_le16(d + 2, 0x0200); /* bcdUSB 2.00 [G0C1] */
	d[4] = 0;		 /* class per interface */
	d[5] = 0;
	d[6] = 0;
	d[7] = 64; /* bMaxPacketSize0 [G0C1] */
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

/* ---- flash operations ----------------------------------------------------- */

struct exec_result {
	uint8_t status;
	uint64_t dur_ns;
	uint32_t poll_ms;
	enum emu_event event;
};

static uint64_t erase_time(const struct emu_rom *rom, uint32_t size)
{
	const struct emu_chip_timing *t = tm(rom);
	uint64_t last = 0;

	for (unsigned i = 0; i < 4 && t->erase[i].size; i++) {
		last = t->erase[i].ns;
		if (size <= t->erase[i].size)
			return t->erase[i].ns;
	}
	return last;
}

static void flash_erase_range(struct emu_rom *rom, uint32_t addr, uint32_t size)
{
	const struct emu_chip *c = rom->chip;
	uint32_t off = addr - c->flash_base;

	memset(rom->flash + off, 0xFF, size);
	if (c->ecc_unit)
		memset(rom->ecc_used + off / c->ecc_unit, 0, size / c->ecc_unit);
}

static void mass_erase(struct emu_rom *rom)
{
	flash_erase_range(rom, rom->chip->flash_base, rom->chip->flash_size);
}

/*
 * The bwPollTimeout the ROM reports for an operation. quirk=short-poll makes
 * it report less than the operation takes (10 ms, 30 ms for mass erase), as
 * the L4 ROM is said to [DP]; a host that trusts it then meets a stalled
 * GETSTATUS while the flash is still busy.
 */
static uint32_t reported_poll(const struct emu_rom *rom, uint32_t poll_ms, uint32_t short_ms)
{
	return rom->faults.quirk_short_poll && poll_ms > short_ms ? short_ms : poll_ms;
}

static void exec_erase(struct emu_rom *rom, struct exec_result *r)
{
	const struct emu_sector *s = find_sector(rom, rom->alt, rom->cmd.arg);

	r->poll_ms = reported_poll(rom, tm(rom)->poll_erase_ms, 10);
	/* AN2662 §4.5.3 fig. 59 (the F105/F107 DFU ROM; AN3156 describes the
	 * same protocol): a wrong or unsupported page address gives errTARGET,
	 * then active read protection gives errVENDOR and the erase is
	 * ignored. The page containing the address is erased. */
	if (!s || !(s->type & PERM_ERASE) || rom->chip->alt[rom->alt].kind != EMU_MEM_FLASH) {
		r->status = DFU_STATUS_ERR_TARGET;
		return;
	}
	if (rom->rdp) {
		r->status = DFU_STATUS_ERR_VENDOR;
		return;
	}
	flash_erase_range(rom, s->start, s->size);
	r->dur_ns = erase_time(rom, s->size);
	/* H7 rev V quirk [DP]: an erase beyond the first MiB can stay busy. */
	if (rom->faults.quirk_h7_stuck_busy && s->start - rom->chip->flash_base >= 0x100000)
		rom->stuck = true;
}

static void exec_mass_erase(struct emu_rom *rom, struct exec_result *r)
{
	r->poll_ms = reported_poll(rom, tm(rom)->poll_mass_erase_ms, 30);
	if (rom->rdp) {
		r->status = DFU_STATUS_ERR_VENDOR;
		return;
	}
	mass_erase(rom);
	r->dur_ns = tm(rom)->mass_erase_ns;
}

static void exec_read_unprotect(struct emu_rom *rom, struct exec_result *r)
{
	/* AN3156: the device mass-erases, removes read protection and resets. */
	r->poll_ms = reported_poll(rom, tm(rom)->poll_mass_erase_ms, 30);
	mass_erase(rom);
	set_rdp(rom, 0);
	r->dur_ns = tm(rom)->mass_erase_ns;
	r->event = EMU_EVENT_RESET;
}

static uint64_t prog_time(const struct emu_rom *rom, uint32_t len)
{
	const struct emu_chip_timing *t = tm(rom);

	return (uint64_t)((len + t->prog_unit - 1) / t->prog_unit) * t->prog_unit_ns;
}

static bool ecc_word_blank(const struct emu_rom *rom, uint32_t word)
{
	const uint32_t u = rom->chip->ecc_unit;
	const uint8_t *p = rom->flash + (size_t)word * u;

	if (rom->ecc_used[word])
		return false;
	for (uint32_t i = 0; i < u; i++)
		if (p[i] != 0xFF)
			return false;
	return true;
}

/*
 * Program flash. No ECC (F4): bits can only go 1 -> 0, so the result is the
 * AND of old and new. ECC (L4/G0 64-bit, H7 256-bit words): a word can be
 * programmed once after erase; programming one that is not erased fails
 * with PROGERR and the ROM reports errPROG. Words are programmed in order,
 * so the words before the failing one stay written, as on the chip.
 */
static uint8_t flash_program(struct emu_rom *rom, uint32_t addr, const uint8_t *data, uint32_t len)
{
	const struct emu_chip *c = rom->chip;
	uint32_t off = addr - c->flash_base;

	if (!c->ecc_unit) {
		for (uint32_t i = 0; i < len; i++)
			rom->flash[off + i] &= data[i];
		return DFU_STATUS_OK;
	}
	for (uint32_t w = off / c->ecc_unit; (uint64_t)w * c->ecc_unit < (uint64_t)off + len; w++) {
		uint32_t ws = w * c->ecc_unit;
		uint32_t from = ws < off ? off : ws;
		uint32_t to = ws + c->ecc_unit < off + len ? ws + c->ecc_unit : off + len;

		if (!ecc_word_blank(rom, w))
			return DFU_STATUS_ERR_PROG;
		memcpy(rom->flash + from, data + (from - off), to - from);
		rom->ecc_used[w] = 1;
	}
	return DFU_STATUS_OK;
}

static void write_optbytes(struct emu_rom *rom, unsigned alt, uint32_t addr, uint32_t len,
			   struct exec_result *r)
{
	const struct emu_chip *c = rom->chip;
	int was = rom->rdp;

	for (uint32_t i = 0; i < len; i++)
		*backing(rom, alt, addr + i) = rom->buf[i];
	/* RDP byte 0xAA is level 0; anything else is level 1 (level 2, 0xCC, is
	 * not modelled: it would brick the emulated chip). Going from level 1 to
	 * 0 mass-erases the flash (RM0090 §3.7.3). */
	rom->rdp = rom->ob[c->ob_rdp_offset] == c->ob_rdp_level0 ? 0 : 1;
	if (was && !rom->rdp)
		mass_erase(rom);
	/* AN3156/[DP]: an option-byte write resets the device at once. */
	r->event = EMU_EVENT_RESET;
}

static void exec_data(struct emu_rom *rom, struct exec_result *r)
{
	const struct emu_chip *c = rom->chip;
	unsigned alt = rom->alt;
	enum emu_mem_kind kind = c->alt[alt].kind;
	uint64_t addr = (uint64_t)rom->addr_ptr + (uint64_t)(rom->cmd.block - 2) * c->transfer_size;
	uint32_t len = rom->cmd.len;

	r->poll_ms = reported_poll(rom, tm(rom)->poll_write_ms, 10);
	/* AN2662 §4.5.1 fig. 57 (Write memory): address not allowed ->
	 * errTARGET; then read protection active -> errVENDOR; a write to the
	 * option bytes ends in a system reset. "Allowed" here: writable per
	 * the alt's layout letters. */
	if (!range_ok(rom, alt, addr, len, PERM_WRITE)) {
		r->status = DFU_STATUS_ERR_TARGET;
		return;
	}
	if (rom->rdp) {
		r->status = DFU_STATUS_ERR_VENDOR;
		return;
	}
	r->dur_ns = prog_time(rom, len);
	switch (kind) {
	case EMU_MEM_FLASH:
		r->status = flash_program(rom, (uint32_t)addr, rom->buf, len);
		return;
	case EMU_MEM_OPTBYTES:
		write_optbytes(rom, alt, (uint32_t)addr, len, r);
		return;
	case EMU_MEM_OTP:
		for (uint32_t i = 0; i < len; i++)
			*backing(rom, alt, (uint32_t)addr + i) &= rom->buf[i];
		return;
	case EMU_MEM_PLAIN:
		for (uint32_t i = 0; i < len; i++)
			*backing(rom, alt, (uint32_t)addr + i) = rom->buf[i];
		return;
	}
}

static bool address_allowed(const struct emu_rom *rom, uint32_t addr)
{
	const struct emu_chip *c = rom->chip;

	for (unsigned i = 0; i < c->n_alts; i++)
		if (find_sector(rom, i, addr))
			return true;
	for (unsigned i = 0; i < 3; i++)
		if (c->sram[i].size && addr >= c->sram[i].base &&
		    addr - c->sram[i].base < c->sram[i].size)
			return true;
	return false;
}

/* Execute the pending command (on the GETSTATUS that answers dfuDNBUSY). */
static void execute(struct emu_rom *rom, struct exec_result *r)
{
	memset(r, 0, sizeof(*r));
	switch (rom->cmd.kind) {
	case CMD_SET_ADDRESS:
		/* AN2662 §4.5.2: allowed under read protection; a wrong address
		 * gives errTARGET. Allowed: flash, RAM, system memory and option
		 * bytes; we accept every alt's memory and the SRAM. */
		r->poll_ms = tm(rom)->poll_set_address_ms;
		if (!address_allowed(rom, rom->cmd.arg))
			r->status = DFU_STATUS_ERR_TARGET;
		else
			rom->addr_ptr = rom->cmd.arg;
		break;
	case CMD_ERASE:
		exec_erase(rom, r);
		break;
	case CMD_MASS_ERASE:
		exec_mass_erase(rom, r);
		break;
	case CMD_READ_UNPROTECT:
		exec_read_unprotect(rom, r);
		break;
	case CMD_DATA:
		exec_data(rom, r);
		break;
	case CMD_NONE:
	case CMD_LEAVE:
		break;
	}
	if (r->status != DFU_STATUS_OK)
		r->event = EMU_EVENT_NONE;
	if (!real(rom)) {
		/* --timing fast: no durations, and bwPollTimeout 0, because
		 * dfu-util sleeps it after every GETSTATUS (see rom.h). */
		r->dur_ns = 0;
		r->poll_ms = 0;
	}
}

/* ---- request handling ----------------------------------------------------- */

struct req {
	const struct emu_setup *s;
	uint8_t *data;
	size_t cap;
	uint64_t t; /* time the request is processed (after any blocking) */
	struct emu_reply *reply;
	uint8_t forced; /* status= fault firing on this request */
};

static void stall(struct req *q)
{
	q->reply->kind = EMU_REPLY_STALL;
	q->reply->len = 0;
}

/* DFU 1.1 §6.1.2 ff.: a request not valid in the current state is stalled
 * and the device enters dfuERROR with errSTALLEDPKT (an existing error is
 * kept). */
static void stall_protocol(struct emu_rom *rom, struct req *q)
{
	stall(q);
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

static void handle_standard(struct emu_rom *rom, struct req *q)
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
	stall(q);
}

static void put_status(struct emu_rom *rom, struct req *q, uint8_t state, uint32_t poll_ms)
{
	uint8_t *d = q->data;

	if (q->s->wLength < 6) {
		/* ASSUMPTION: a short GETSTATUS is a malformed request: stall. */
		stall(q);
		return;
	}
	d[0] = rom->status;
	d[1] = (uint8_t)poll_ms;
	d[2] = (uint8_t)(poll_ms >> 8);
	d[3] = (uint8_t)(poll_ms >> 16);
	d[4] = state;
	d[5] = 0;
	q->reply->len = 6;
}

/* The GETSTATUS that executes the pending command and answers dfuDNBUSY. */
static void getstatus_start(struct emu_rom *rom, struct req *q)
{
	struct exec_result r;
	uint64_t reply_end;

	if (q->forced)
		rom->cmd.forced = q->forced;
	if (rom->cmd.forced) {
		memset(&r, 0, sizeof(r));
		r.status = rom->cmd.forced;
	} else {
		execute(rom, &r);
	}
	rom->cmd.done = true;
	rom->cmd.result = r.status;
	rom->state = DFU_STATE_DNBUSY;
	put_status(rom, q, DFU_STATE_DNBUSY, r.poll_ms);
	reply_end = q->t + (real(rom) ? 6ull * tm(rom)->bus_ns_per_byte : 0);
	rom->busy = true;
	rom->busy_until = rom->stuck ? UINT64_MAX : reply_end + r.dur_ns;
	rom->stats.device_busy_ns += r.dur_ns;
	/* Read Unprotect and option-byte writes reset the chip: hosts send one
	 * GETSTATUS and expect the device to vanish (dfu-util "will-reset"). */
	q->reply->event = r.event;
}

/* GETSTATUS after the command executed: dfuDNLOAD-IDLE or dfuERROR. */
static void getstatus_finish(struct emu_rom *rom, struct req *q)
{
	uint8_t result = rom->cmd.result;

	if (result != DFU_STATUS_OK) {
		fail(rom, result);
		put_status(rom, q, DFU_STATE_ERROR, 0);
		return;
	}
	memset(&rom->cmd, 0, sizeof(rom->cmd));
	rom->state = DFU_STATE_DNLOAD_IDLE;
	rom->status = DFU_STATUS_OK;
	put_status(rom, q, DFU_STATE_DNLOAD_IDLE, 0);
}

static void handle_getstatus(struct emu_rom *rom, struct req *q)
{
	if (q->forced && rom->state != DFU_STATE_DNLOAD_SYNC &&
	    rom->state != DFU_STATE_MANIFEST_SYNC) {
		fail(rom, q->forced);
		put_status(rom, q, DFU_STATE_ERROR, 0);
		return;
	}
	switch (rom->state) {
	case DFU_STATE_DNLOAD_SYNC:
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
		/* Leave (AN3156 §6): answer dfuMANIFEST, then disconnect and jump
		 * to the address pointer. bmAttributes has manifestation-tolerant
		 * clear, so the device then waits for reset (DFU 1.1 §7). */
		put_status(rom, q, DFU_STATE_MANIFEST, 0);
		rom->state = DFU_STATE_MANIFEST_WAIT_RESET;
		memset(&rom->cmd, 0, sizeof(rom->cmd));
		q->reply->event = EMU_EVENT_LEAVE;
		q->reply->app_plausible = plausible_at(rom, rom->addr_ptr);
		return;
	}
	default:
		put_status(rom, q, rom->state, 0);
		return;
	}
}

static enum cmd_kind decode_command(const uint8_t *d, uint16_t len, uint32_t *arg)
{
	if (len == 5 && d[0] == DFUSE_SET_ADDRESS) {
		*arg = le32(d + 1);
		return CMD_SET_ADDRESS;
	}
	if (len == 5 && d[0] == DFUSE_ERASE) {
		*arg = le32(d + 1);
		return CMD_ERASE;
	}
	if (len == 1 && d[0] == DFUSE_ERASE)
		return CMD_MASS_ERASE;
	if (len == 1 && d[0] == DFUSE_READ_UNPROTECT)
		return CMD_READ_UNPROTECT;
	return CMD_NONE;
}

static void handle_dnload(struct emu_rom *rom, struct req *q)
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
		rom->cmd.kind = decode_command(q->data, len, &rom->cmd.arg);
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
	}
	rom->cmd.block = s->wValue;
	rom->cmd.len = len;
	rom->cmd.forced = q->forced;
	rom->state = DFU_STATE_DNLOAD_SYNC;
}

static void handle_upload(struct emu_rom *rom, struct req *q)
{
	const struct emu_setup *s = q->s;
	const struct emu_chip *c = rom->chip;
	uint64_t addr;
	uint32_t avail = 0;

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
		stall(q);
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
		stall(q);
		fail(rom, DFU_STATUS_ERR_VENDOR);
		return;
	}
	addr = (uint64_t)rom->addr_ptr + (uint64_t)(s->wValue - 2) * c->transfer_size;
	/*
	 * ASSUMPTION: a read that starts in readable memory but runs past its
	 * end returns the readable part (a short packet ends the upload, DFU
	 * 1.1 §6.2), which favours hosts that read whole regions; a read that
	 * starts outside readable memory stalls with errTARGET.
	 */
	while (avail < s->wLength && range_ok(rom, rom->alt, addr + avail, 1, PERM_READ)) {
		const struct emu_sector *sec = find_sector(rom, rom->alt, (uint32_t)(addr + avail));
		uint64_t n = (uint64_t)sec->start + sec->size - (addr + avail);

		if (n > (uint64_t)(s->wLength - avail))
			n = s->wLength - avail;
		memcpy(q->data + avail, backing(rom, rom->alt, (uint32_t)(addr + avail)), n);
		avail += (uint32_t)n;
	}
	if (!avail) {
		stall(q);
		fail(rom, DFU_STATUS_ERR_TARGET);
		return;
	}
	q->reply->len = avail;
	rom->state = avail < s->wLength ? DFU_STATE_IDLE : DFU_STATE_UPLOAD_IDLE;
}

static void handle_clrstatus(struct emu_rom *rom, struct req *q)
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

static void handle_abort(struct emu_rom *rom, struct req *q)
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

static void handle_detach(struct emu_rom *rom, struct req *q)
{
	/*
	 * ASSUMPTION: DETACH in DFU mode is not defined by DFU 1.1 for the ROM.
	 * usbd_dfu.c accepts it in the idle-like states, returns to dfuIDLE and,
	 * with bitWillDetach set (the ROM's 0x0B), drops off the bus and comes
	 * back: we do the same (re-enumerate as the ROM).
	 */
	if (!idle_like(rom->state)) {
		stall_protocol(rom, q);
		return;
	}
	back_to_idle(rom);
	q->reply->event = EMU_EVENT_RESET;
}

static void handle_class(struct emu_rom *rom, struct req *q)
{
	const struct emu_setup *s = q->s;
	bool in = s->bmRequestType & 0x80;

	/* Interface 0 only; direction must match the request. */
	if ((s->wIndex & 0xFF) != 0 || (s->bmRequestType & 0x1F) != 1) {
		stall(q);
		return;
	}
	if (rom->state == DFU_STATE_MANIFEST_WAIT_RESET) {
		/* gone from the bus in reality; only a reset helps */
		stall(q);
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
		q->data[0] = rom->state;
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
	struct req q = {.s = setup, .data = data, .cap = data ? cap : 0, .reply = reply};
	bool in = setup->bmRequestType & 0x80;
	struct emu_fault *f;
	unsigned match;
	int stat;

	memset(reply, 0, sizeof(*reply));
	reply->kind = EMU_REPLY_ACK;
	rom->stats.control_transfers++;
	/* an OUT data stage we did not get, or an IN one we cannot hold */
	if (setup->wLength && (!data || cap < setup->wLength)) {
		stall(&q);
		return;
	}
	classify(setup, in ? NULL : data, &stat, &match);
	if (stat >= 0)
		rom->stats.by_request[stat]++;

	q.t = now_ns;
	if (rom->busy && !rom->stuck && now_ns < rom->busy_until) {
		if (tm(rom)->busy == EMU_BUSY_BLOCK) {
			/* F4: the operation runs in the USB interrupt; the
			 * host is NAKed until it is over. */
			q.t = rom->busy_until;
		} else if (is_class(setup)) {
			/* L4: requests are stalled while busy [DP]; the state
			 * stays dfuDNBUSY. */
			stall(&q);
			return;
		}
	}
	settle(rom, q.t);

	f = emu_fault_check(&rom->faults, match);
	if (f && f->action == EMU_FAULT_DISCONNECT) {
		reply->kind = EMU_REPLY_DISCONNECT;
		return;
	}
	if (f && f->action == EMU_FAULT_STALL) {
		if (is_class(setup))
			stall_protocol(rom, &q);
		else
			stall(&q);
	} else {
		if (f)
			q.forced = f->status;
		if (is_class(setup))
			handle_class(rom, &q);
		else if ((setup->bmRequestType & 0x60) == 0)
			handle_standard(rom, &q);
		else
			stall(&q);
		if (q.forced && !is_class(setup)) {
			/* status= on a standard request: the DFU state errs */
			fail(rom, q.forced);
		}
	}

	if (reply->kind != EMU_REPLY_ACK)
		return;
	if (in)
		rom->stats.bytes_up += reply->len;
	else
		rom->stats.bytes_down += setup->wLength;
	if (real(rom)) {
		size_t bytes = in ? reply->len : setup->wLength;

		reply->ready_at_ns = q.t + (uint64_t)bytes * tm(rom)->bus_ns_per_byte;
		if (reply->ready_at_ns == now_ns)
			reply->ready_at_ns = 0;
	}
}
