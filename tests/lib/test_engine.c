/* SPDX-License-Identifier: MIT */
/*
 * The flash engine without USB: the one block loop (write, read, verify),
 * the multi-alt plan, the read-back inside an operation (blank-sector skip,
 * incremental) and the errPROG fallback of a blank sector on ECC flash.
 *
 * Mocked here: the DfuSe request layer (set address, one block, status), as
 * a memory that follows AN3156 6.3.3 (address = pointer + (wBlockNum - 2) *
 * wTransferSize), with ECC programming units on demand (m.ecc: a unit
 * programmed once, whatever the value, fails the next write with errPROG
 * until its sector is erased). The engine sources (flash/flash.c, op.c,
 * blocks.c, plan.c, incremental.c, readback.c, write.c) are the library's own; everything USB is
 * exercised end to end under stdfu-emu by the e2e tests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <stdfu/chip.h>
#include <stdfu/dfuse.h>
#include <stdfu/incremental.h>
#include <stdfu/plan.h>

#include "common/error_internal.h"
#include "flash/after_leave.h"
#include "flash/blocks.h"
#include "flash/op.h"
#include "flash/readback.h"
#include "usb/device_internal.h"

#define BASE  0x08000000u
#define K     1024u
#define FSIZE (1024u * K)
#define F4    "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg"

static struct {
	uint8_t flash[FSIZE];
	uint32_t pointer;
	unsigned set_address, writes, reads, erases;
	uint32_t left_at;
	uint32_t set_at[8];
	uint16_t last_block;
	int short_read;		       /* UPLOAD returns this many bytes fewer */
	uint32_t ecc;		       /* 0: no ECC; else bytes per programming unit */
	uint8_t programmed[FSIZE / 8]; /* per 8-byte unit, with m.ecc == 8 */
	uint32_t bad_unit;	       /* nonzero: this address always fails with errPROG */
	unsigned prog_errors;
	/* The wTransferSize check (blocks.c) reads the end of the flash: counted
	 * apart, so that the other counts are those of the operation itself. */
	unsigned probes;
	bool probing;
	uint32_t real_ts;    /* 0: the ROM places blocks by the wTransferSize it says */
	uint16_t full_block; /* nonzero: a shorter write is refused (the G4 ROM) */
	bool family_set;     /* else the family follows m.ecc: L4 with ECC, F4 without */
	enum stdfu_family family;
} m;

static struct stdfu_device dev;

/* ---- the mocked request layer -------------------------------------------- */

uint64_t stdfu__now_us(void)
{
	return 0;
}

void stdfu__device_warn(struct stdfu_device *d, int code, const char *fmt, ...)
{
	(void)d;
	(void)code;
	(void)fmt;
}

/* The family decides whether the errPROG fallback applies (ECC flash only). */
void stdfu_chip_identify(const struct stdfu_device_info *info, struct stdfu_chip_id *out)
{
	(void)info;
	memset(out, 0, sizeof(*out));
	out->family = m.family_set ? m.family : m.ecc ? STDFU_FAMILY_L4 : STDFU_FAMILY_F4;
}

int stdfu_device_set_alt(struct stdfu_device *d, uint8_t alt)
{
	d->alt = alt;
	return STDFU_OK;
}

const struct stdfu_alt *stdfu_device_flash_alt(const struct stdfu_device_info *info)
{
	return info->n_alts ? &info->alts[0] : NULL;
}

int stdfu_device_check_layouts(const struct stdfu_device_info *info)
{
	return info->n_alts ? STDFU_OK : STDFU_ERR_PROTOCOL;
}

int stdfu_dfu_get_status(struct stdfu_device *d, struct stdfu_dfu_status *out)
{
	d->transfers++;
	memset(out, 0, sizeof(*out));
	out->state = STDFU_STATE_DFU_IDLE;
	return STDFU_OK;
}

int stdfu_dfu_clear_status(struct stdfu_device *d)
{
	d->transfers++;
	return STDFU_OK;
}

int stdfu_dfu_abort(struct stdfu_device *d)
{
	d->transfers++;
	d->state = STDFU_STATE_DFU_IDLE;
	return STDFU_OK;
}

const char *stdfu_dfu_state_name(int state)
{
	(void)state;
	return "state";
}

const char *stdfu_dfu_status_name(int status)
{
	(void)status;
	return "status";
}

#define PROBE_AT (BASE + FSIZE - 1 - dev.info.functional.transfer_size)

int stdfu_dfuse_set_address(struct stdfu_device *d, uint32_t address)
{
	m.probing = address == PROBE_AT;
	m.pointer = address;
	d->state = STDFU_STATE_DFU_DNLOAD_IDLE;
	if (m.probing) {
		m.probes++;
		return STDFU_OK;
	}
	d->transfers += 3;
	if (m.set_address < 8)
		m.set_at[m.set_address] = address;
	m.set_address++;
	m.pointer = address;
	d->state = STDFU_STATE_DFU_DNLOAD_IDLE;
	return STDFU_OK;
}

static uint8_t *at(uint16_t block)
{
	uint32_t ts = m.real_ts ? m.real_ts : dev.info.functional.transfer_size;
	uint32_t a = m.pointer + (uint32_t)(block - 2) * ts;

	assert_true(a >= BASE && a - BASE < FSIZE);
	return m.flash + (a - BASE);
}

/* As the ROM after PROGERR: status errPROG, cleared back to dfuIDLE by the DFU layer. */
static int prog_error(struct stdfu_device *d)
{
	m.prog_errors++;
	d->last_status = STDFU_STATUS_ERR_PROG;
	d->state = STDFU_STATE_DFU_IDLE;
	return STDFU_ERR_DFU_STATUS;
}

/* ECC flash: units in order; the ones before a failing unit stay written. */
static int ecc_program(struct stdfu_device *d, uint8_t *dst, const uint8_t *data, uint16_t len)
{
	uint32_t off = (uint32_t)(dst - m.flash);

	for (uint32_t u = off / m.ecc; u * m.ecc < off + len; u++) {
		uint32_t from = u * m.ecc < off ? off : u * m.ecc;
		uint32_t to = (u + 1) * m.ecc < off + len ? (u + 1) * m.ecc : off + len;

		if (m.programmed[u] || (m.bad_unit && BASE + u * m.ecc == m.bad_unit))
			return prog_error(d);
		memcpy(m.flash + from, data + (from - off), to - from);
		m.programmed[u] = 1;
	}
	return STDFU_OK;
}

int stdfu_dfuse_write_block(struct stdfu_device *d, uint16_t block, const uint8_t *data,
			    uint16_t len)
{
	d->transfers += 3;
	m.writes++;
	m.last_block = block;
	if (len < m.full_block) {
		d->last_status = STDFU_STATUS_ERR_TARGET;
		d->state = STDFU_STATE_DFU_IDLE;
		return STDFU_ERR_DFU_STATUS;
	}
	if (m.ecc)
		return ecc_program(d, at(block), data, len);
	/* Without ECC only a real programming failure answers errPROG. */
	if (m.bad_unit && m.bad_unit - BASE >= (uint32_t)(at(block) - m.flash) &&
	    m.bad_unit - BASE < (uint32_t)(at(block) - m.flash) + len)
		return prog_error(d);
	memcpy(at(block), data, len);
	return STDFU_OK;
}

/* The ROM refuses an UPLOAD outside its flash (errTARGET). */
static bool outside(uint16_t block, uint16_t len)
{
	uint32_t ts = m.real_ts ? m.real_ts : dev.info.functional.transfer_size;
	uint64_t a = m.pointer + (uint64_t)(block - 2) * ts;

	return a + len > BASE + (uint64_t)FSIZE;
}

int stdfu_dfuse_read_block(struct stdfu_device *d, uint16_t block, uint8_t *data, uint16_t len)
{
	if (m.probing) {
		if (outside(block, len))
			return stdfu__fail(STDFU_ERR_DFU_STATUS, "errTARGET");
		memcpy(data, at(block), len);
		return len;
	}
	d->transfers++;
	m.reads++;
	m.last_block = block;
	memcpy(data, at(block), len);
	d->state = STDFU_STATE_DFU_UPLOAD_IDLE;
	return len - m.short_read;
}

int stdfu_dfuse_erase_page(struct stdfu_device *d, uint32_t address)
{
	struct stdfu_sector sec;

	d->transfers += 3;
	m.erases++;
	assert_int_equal(stdfu_layout_sector_at(&d->info.alts[0].layout, address, &sec), 0);
	memset(m.flash + (sec.start - BASE), 0xFF, sec.size);
	memset(m.programmed + (sec.start - BASE) / 8, 0, sec.size / 8);
	return STDFU_OK;
}

int stdfu_dfuse_leave(struct stdfu_device *d, uint32_t address)
{
	d->transfers += 5;
	m.left_at = address;
	return STDFU_OK;
}

int stdfu_device_wait_gone(struct stdfu_ctx *ctx, const struct stdfu_device_info *info,
			   unsigned timeout_ms)
{
	(void)ctx;
	(void)info;
	(void)timeout_ms;
	return STDFU_OK;
}

/* what comes back after the leave: nothing to watch in the mock */
void stdfu__after_leave(struct op *op)
{
	(void)op;
}

int stdfu_dfuse_mass_erase(struct stdfu_device *d)
{
	(void)d;
	return STDFU_ERR_UNSUPPORTED;
}

int stdfu_dfuse_read_unprotect(struct stdfu_device *d)
{
	(void)d;
	return STDFU_ERR_UNSUPPORTED;
}

/* ---- fixtures ------------------------------------------------------------- */

static uint8_t *pattern(size_t n, unsigned seed)
{
	uint8_t *p = malloc(n);

	assert_non_null(p);
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 131u + seed * 7u + (i >> 9));
	/* An application's vector table: initial SP in SRAM, Thumb reset vector in flash. */
	if (n >= 8) {
		memcpy(p, "\x00\x20\x00\x20", 4);
		memcpy(p + 4, "\x99\x01\x00\x08", 4);
	}
	return p;
}

static int setup(void **state)
{
	(void)state;
	memset(&m, 0, sizeof(m));
	memset(m.flash, 0xFF, FSIZE);
	memset(&dev, 0, sizeof(dev));
	dev.info.functional.transfer_size = 2048;
	dev.info.n_alts = 2;
	dev.info.alts[0].number = 0;
	dev.info.alts[0].layout_ok = true;
	dev.info.alts[1].number = 1;
	dev.info.alts[1].layout_ok = true;
	snprintf(dev.info.path, sizeof(dev.info.path), "1-1");
	if (stdfu_layout_parse(F4, &dev.info.alts[0].layout))
		return -1;
	return stdfu_layout_parse("@Option Bytes  /0x1FFFC000/01*016 e", &dev.info.alts[1].layout);
}

struct events {
	unsigned starts[STDFU_PHASE__COUNT], ends[STDFU_PHASE__COUNT];
	uint64_t done;
	unsigned sector[STDFU_SECTOR_UNCHANGED + 1]; /* STDFU_EVENT_SECTOR per action */
	uint32_t last_sector;
};

static void on_event(const struct stdfu_event *ev, void *user)
{
	struct events *e = user;

	if (ev->type == STDFU_EVENT_PHASE_START)
		e->starts[ev->phase]++;
	if (ev->type == STDFU_EVENT_PHASE_END)
		e->ends[ev->phase]++;
	if (ev->type == STDFU_EVENT_PROGRESS)
		e->done = ev->done;
	if (ev->type == STDFU_EVENT_SECTOR) {
		e->sector[ev->sector->action]++;
		e->last_sector = ev->sector->address;
	}
}

/*
 * What a whole-flash test varies, as one table row: the image (a pattern of
 * n bytes from seed, size bytes of it at BASE + at, one segment) and the mock
 * ROM's programming faults. Everything else is the same for every test.
 */
struct flash_case {
	uint32_t n;
	unsigned seed;
	uint32_t at;
	uint32_t size;			/* 0: n */
	enum stdfu_image_format format; /* STDFU_FORMAT_AUTO: raw */
	uint32_t ecc;			/* as m.ecc */
	uint32_t bad_unit;		/* as m.bad_unit */
};

/* One test's image, options (events recorded in ev) and what came back. */
struct flash_run {
	uint8_t *data;
	struct stdfu_segment seg[2];
	struct stdfu_image img;
	struct events ev;
	struct stdfu_flash_opts o;
	struct stdfu_result res;
	struct stdfu_incremental_stats st;
};

static void run_begin(struct flash_run *r, const struct flash_case *c)
{
	memset(r, 0, sizeof(*r));
	r->data = pattern(c->n, c->seed);
	r->seg[0] = (struct stdfu_segment){BASE + c->at, c->size ? c->size : c->n, r->data, 0};
	r->img.format = c->format ? c->format : STDFU_FORMAT_RAW;
	r->img.count = 1;
	r->img.segments = r->seg;
	r->o.on_event = on_event;
	r->o.user = &r->ev;
	m.ecc = c->ecc;
	m.bad_unit = c->bad_unit;
}

static void run_end(struct flash_run *r)
{
	free(r->data);
}

/* ---- the block loop ------------------------------------------------------- */

static void write_then_read_then_verify(void **state)
{
	struct stdfu_flash_opts o = {0};
	struct stdfu_result res;
	uint8_t *data = pattern(5000, 1), *back = malloc(5000);
	struct op op;

	(void)state;
	stdfu__op_begin(&op, &dev, &o, &res);
	assert_int_equal(stdfu__blocks(&op, BLOCKS_WRITE, BASE + 16, 5000, data, NULL), STDFU_OK);
	/* One Set Address, then wBlockNum 2, 3, 4 (2048 + 2048 + 904 bytes). */
	assert_int_equal(m.set_address, 1);
	assert_int_equal(m.set_at[0], BASE + 16);
	assert_int_equal(m.writes, 3);
	assert_int_equal(m.last_block, 4);
	assert_memory_equal(m.flash + 16, data, 5000);
	assert_int_equal(m.flash[16 + 5000], 0xFF);
	assert_int_equal(op.done, 5000);

	assert_int_equal(stdfu__blocks(&op, BLOCKS_READ, BASE + 16, 5000, NULL, back), STDFU_OK);
	assert_memory_equal(back, data, 5000);
	assert_int_equal(m.reads, 3);
	assert_int_equal(stdfu__blocks(&op, BLOCKS_VERIFY, BASE + 16, 5000, data, NULL), STDFU_OK);
	assert_int_equal(m.reads, 6);
	/* 3 x (Set Address 3 transfers) + 3 blocks x 3 + 6 UPLOADs. */
	assert_int_equal(dev.transfers, 9 + 9 + 6);
	stdfu__op_end(&op, STDFU_OK);
	free(data);
	free(back);
}

static void verify_names_the_first_differing_byte(void **state)
{
	struct stdfu_result res;
	uint8_t *data = pattern(6000, 2);
	struct op op;

	(void)state;
	memcpy(m.flash, data, 6000);
	m.flash[4097] ^= 1;
	stdfu__op_begin(&op, &dev, NULL, &res);
	assert_int_equal(stdfu__blocks(&op, BLOCKS_VERIFY, BASE, 6000, data, NULL),
			 STDFU_ERR_VERIFY);
	assert_int_equal(res.fail_address, BASE + 4097);
	assert_non_null(strstr(stdfu_error_detail(), "0x08001001"));
	/* Blocks 2 and 3 read, 2 passed; block 4 (the third) failed. */
	assert_int_equal(m.reads, 3);
	assert_int_equal(op.done, 4096);
	stdfu__op_end(&op, STDFU_ERR_VERIFY);
	free(data);
}

static void short_upload_is_a_protocol_error(void **state)
{
	struct stdfu_result res;
	uint8_t back[4096];
	struct op op;

	(void)state;
	m.short_read = 1;
	stdfu__op_begin(&op, &dev, NULL, &res);
	assert_int_equal(stdfu__blocks(&op, BLOCKS_READ, BASE, sizeof(back), NULL, back),
			 STDFU_ERR_PROTOCOL);
	assert_non_null(strstr(stdfu_error_detail(), "2047 of 2048"));
	stdfu__op_end(&op, STDFU_ERR_PROTOCOL);
}

/* wBlockNum is 16 bits: after 65534 blocks a new Set Address restarts at block 2. */
static void a_new_set_address_every_65534_blocks(void **state)
{
	struct stdfu_result res;
	uint32_t size = 8u * 65534u + 20u;
	uint8_t *data = pattern(size, 3);
	struct op op;

	(void)state;
	dev.info.functional.transfer_size = 8;
	stdfu__op_begin(&op, &dev, NULL, &res);
	assert_int_equal(stdfu__blocks(&op, BLOCKS_WRITE, BASE, size, data, NULL), STDFU_OK);
	assert_int_equal(m.set_address, 2);
	assert_int_equal(m.set_at[1], BASE + 8u * 65534u);
	assert_int_equal(m.writes, 65534 + 3);
	assert_int_equal(m.last_block, 4);
	assert_memory_equal(m.flash, data, size);
	stdfu__op_end(&op, STDFU_OK);
	free(data);
}

/* ---- the multi-alt plan ---------------------------------------------------- */

static void plan_covers_every_alt_and_places_raw_images(void **state)
{
	uint8_t a[100] = {0}, b[4] = {0};
	struct stdfu_segment segs[] = {{BASE + 0x4000, 100, a, 0}, {0x1FFFC000, 4, b, 1}};
	struct stdfu_image img = {.format = STDFU_FORMAT_DFUSE, .count = 2, .segments = segs};
	struct stdfu_segment raw = {BASE, 100, a, 0};
	struct stdfu_image rimg = {.format = STDFU_FORMAT_RAW, .count = 1, .segments = &raw};
	struct stdfu_flash_plan *fp;

	(void)state;
	assert_int_equal(stdfu_flash_plan_build(&dev.info, &img, &fp), STDFU_OK);
	assert_int_equal(fp->n_alts, 2);
	assert_int_equal(fp->alts[0]->alt, 0);
	assert_int_equal(fp->alts[1]->alt, 1);
	assert_int_equal(fp->leave_address, BASE + 0x4000);
	/* Option bytes are writable but not erasable ("e"): only the flash sector. */
	assert_int_equal(stdfu_flash_plan_erase_bytes(fp), 16 * K);
	assert_int_equal(fp->alts[1]->n_erase, 0);
	assert_int_equal(stdfu_flash_plan_write_bytes(fp), 104);
	stdfu_flash_plan_free(fp);

	/* A raw file without an address goes to the flash alt's start. */
	assert_int_equal(stdfu_layout_parse("@Internal Flash  /0x08100000/08*128Kg",
					    &dev.info.alts[0].layout),
			 STDFU_OK);
	rimg.at_flash_base = true;
	assert_int_equal(stdfu_flash_plan_build(&dev.info, &rimg, &fp), STDFU_OK);
	assert_int_equal(fp->alts[0]->runs[0].address, 0x08100000);
	assert_int_equal(fp->leave_address, 0x08100000);
	assert_int_equal(raw.address, BASE); /* the image itself is not changed */
	stdfu_flash_plan_free(fp);
}

static void plan_refuses_what_the_device_cannot_take(void **state)
{
	uint8_t a[4] = {0};
	struct stdfu_segment seg = {0x20000000, 4, a, 3};
	struct stdfu_image img = {.format = STDFU_FORMAT_DFUSE, .count = 1, .segments = &seg};
	struct stdfu_image empty = {0};
	struct stdfu_flash_plan *fp = (void *)1;

	(void)state;
	assert_int_equal(stdfu_flash_plan_build(&dev.info, &img, &fp), STDFU_ERR_FIT);
	assert_null(fp);
	assert_non_null(strstr(stdfu_error_detail(), "alt 3"));
	assert_int_equal(stdfu_flash_plan_build(&dev.info, &empty, &fp), STDFU_ERR_IMAGE);
	seg.alt = 0; /* alt 0 exists, but 0x20000000 is not in its memory */
	assert_int_equal(stdfu_flash_plan_build(&dev.info, &img, &fp), STDFU_ERR_ADDRESS);
}

/* ---- the incremental read-back inside one operation --------------------- */

static void read_back_filters_the_plan_in_place(void **state)
{
	struct flash_run r;
	struct stdfu_flash_plan *fp;
	struct op op;

	(void)state;
	run_begin(&r, &(struct flash_case){.n = 40 * K, .seed = 4});
	/* Sectors 0 and 2 already hold the image; sector 1 differs in one byte. */
	memcpy(m.flash, r.data, 40 * K);
	m.flash[16 * K + 5] ^= 0x80;
	assert_int_equal(stdfu_flash_plan_build(&dev.info, &r.img, &fp), STDFU_OK);
	assert_int_equal(fp->alts[0]->n_erase, 3);
	stdfu__op_begin(&op, &dev, &r.o, &r.res);
	assert_int_equal(stdfu__read_back(&op, fp, &r.st), STDFU_OK);
	stdfu__op_end(&op, STDFU_OK);
	assert_int_equal(r.st.sectors, 3);
	assert_int_equal(r.st.sectors_skipped, 2);
	assert_int_equal(r.st.bytes_read, 48 * K);
	assert_int_equal(fp->alts[0]->n_erase, 1);
	assert_int_equal(fp->alts[0]->erase[0].address, BASE + 16 * K);
	assert_int_equal(fp->alts[0]->n_runs, 1);
	assert_int_equal(fp->alts[0]->runs[0].address, BASE + 16 * K);
	assert_int_equal(fp->alts[0]->runs[0].size, 16 * K);
	assert_ptr_equal(fp->alts[0]->runs[0].data, r.data + 16 * K);
	/* One READ phase in the same result; read through the block loop, then ABORT. */
	assert_int_equal(r.ev.starts[STDFU_PHASE_READ], 1);
	assert_int_equal(r.ev.ends[STDFU_PHASE_READ], 1);
	assert_int_equal(r.res.phase[STDFU_PHASE_READ].bytes, 48 * K);
	assert_int_equal(m.reads, 24);
	assert_int_equal(m.set_address, 3); /* one per sector */
	assert_int_equal(r.res.phase[STDFU_PHASE_READ].transfers, 3 * 3 + 24 + 1);
	assert_int_equal(r.ev.sector[STDFU_SECTOR_UNCHANGED], 2);
	assert_int_equal(dev.state, STDFU_STATE_DFU_IDLE);
	stdfu_flash_plan_free(fp);
	run_end(&r);
}

/* ---- whole flashes: stdfu_flash = plan + run ------------------------------ */

static void full_flash_erases_exactly_the_touched_sectors(void **state)
{
	struct flash_run r;

	(void)state;
	run_begin(&r, &(struct flash_case){
			      .n = 40 * K, .seed = 5, .at = 8 * K, .format = STDFU_FORMAT_IHEX});
	memset(m.flash, 0x00, 64 * K);
	assert_int_equal(stdfu_flash(&dev, &r.img, &r.o, &r.res), STDFU_OK);
	/* 8K..48K touches sectors 0, 1, 2 (16 KiB each); nothing else changes. */
	assert_int_equal(m.erases, 3);
	assert_int_equal(m.writes, 20);
	/* The read-back stops at the 64-byte head of each (not blank), then verify. */
	assert_int_equal(m.reads, 3 + 20);
	assert_int_equal(r.res.phase[STDFU_PHASE_READ].bytes, 3 * 64);
	assert_int_equal(r.res.sectors.erased, 3);
	assert_int_equal(r.ev.sector[STDFU_SECTOR_ERASE], 3);
	assert_memory_equal(m.flash + 8 * K, r.data, 40 * K);
	assert_int_equal(m.flash[0], 0xFF);
	assert_int_equal(m.flash[48 * K], 0x00);
	assert_int_equal(m.left_at, BASE + 8 * K);
	assert_int_equal(r.res.phase[STDFU_PHASE_ERASE].bytes, 48 * K);
	assert_int_equal(r.res.phase[STDFU_PHASE_WRITE].bytes, 40 * K);
	assert_int_equal(r.res.phase[STDFU_PHASE_VERIFY].bytes, 40 * K);
	assert_int_equal(r.ev.starts[STDFU_PHASE_READ], 1);
	assert_int_equal(r.res.transfers, dev.transfers);
	run_end(&r);
}

/*
 * One Set Address serves the whole read-back: each sector is reached by its
 * wBlockNum from that pointer (AN3156 6.3.3). Each sector's 64-byte head
 * is read first; all three heads are blank here. Sector 0 is blank (read in
 * full, not erased), sector 1 is not blank from byte 100 of its first block
 * (which the head does not see) and sector 2 only in its last byte: both
 * erased, each read up to where it stops.
 */
static void read_back_reaches_every_sector_from_one_set_address(void **state)
{
	struct flash_run r;

	(void)state;
	run_begin(&r, &(struct flash_case){.n = 48 * K, .seed = 15});
	r.o.no_verify = true;
	m.flash[16 * K + 100] = 0x00;
	m.flash[48 * K - 1] = 0x7E;
	assert_int_equal(stdfu_flash(&dev, &r.img, &r.o, &r.res), STDFU_OK);
	assert_int_equal(m.reads, 3 + 8 + 1 + 8);
	assert_int_equal(m.set_at[0], BASE);
	assert_int_equal(m.set_address, 1 + 2); /* the read; the write in two pieces */
	assert_int_equal(r.res.sectors.skipped_blank, 1);
	assert_int_equal(r.res.sectors.erased, 2);
	assert_int_equal(m.erases, 2);
	assert_memory_equal(m.flash, r.data, 48 * K);
	run_end(&r);
}

static void incremental_of_an_unchanged_image_only_reads_and_leaves(void **state)
{
	struct flash_run r;

	(void)state;
	run_begin(&r, &(struct flash_case){.n = 40 * K, .seed = 6});
	memcpy(m.flash, r.data, 40 * K);
	assert_int_equal(stdfu_flash_incremental(&dev, &r.img, &r.o, &r.res, &r.st), STDFU_OK);
	assert_int_equal(r.st.sectors_skipped, 3);
	assert_int_equal(m.erases + m.writes, 0);
	assert_int_equal(r.ev.starts[STDFU_PHASE_PREPARE], 1);
	assert_int_equal(r.ev.starts[STDFU_PHASE_READ], 1);
	assert_int_equal(r.ev.starts[STDFU_PHASE_ERASE] + r.ev.starts[STDFU_PHASE_WRITE], 0);
	assert_int_equal(r.ev.starts[STDFU_PHASE_VERIFY], 0);
	assert_int_equal(r.ev.ends[STDFU_PHASE_LEAVE], 1);
	assert_int_equal(m.left_at, BASE);
	run_end(&r);
}

/* ---- blank-sector skip and the errPROG fallback --------------------------- */

static void blank_sectors_are_written_without_an_erase(void **state)
{
	struct flash_run r;

	(void)state;
	run_begin(&r, &(struct flash_case){.n = 40 * K, .seed = 7});
	m.flash[64 * K] = 0x5A; /* the 64K sector is not touched: not read */
	assert_int_equal(stdfu_flash(&dev, &r.img, &r.o, &r.res), STDFU_OK);
	assert_int_equal(m.erases, 0);
	/* Each of the three sectors: its head, then in full (8 blocks); verify (20). */
	assert_int_equal(m.reads, 3 + 24 + 20);
	assert_int_equal(r.res.phase[STDFU_PHASE_READ].bytes, 48 * K);
	assert_int_equal(r.res.phase[STDFU_PHASE_ERASE].bytes, 0);
	assert_int_equal(r.res.sectors.skipped_blank, 3);
	assert_int_equal(r.res.sectors.erased + r.res.sectors.fallback, 0);
	assert_int_equal(r.ev.sector[STDFU_SECTOR_BLANK], 3);
	assert_memory_equal(m.flash, r.data, 40 * K);
	assert_true(stdfu_plan_is_blank(m.flash + 40 * K, 8 * K));
	assert_int_equal(m.flash[64 * K], 0x5A);
	run_end(&r);
}

static void a_sector_is_blank_only_if_every_byte_is(void **state)
{
	struct flash_run r;

	(void)state;
	run_begin(&r, &(struct flash_case){.n = 32 * K, .seed = 8, .size = 20 * K});
	/* The image covers 16K..20K of sector 1; its last byte, outside the image, is old data. */
	m.flash[32 * K - 1] = 0xFE;
	assert_int_equal(stdfu_flash(&dev, &r.img, &r.o, &r.res), STDFU_OK);
	assert_int_equal(r.res.sectors.skipped_blank, 1);
	assert_int_equal(r.res.sectors.erased, 1);
	assert_int_equal(r.ev.last_sector, BASE + 16 * K);
	assert_int_equal(m.erases, 1);
	/* What a full flash leaves: the image, and 0xFF where it has no data. */
	assert_memory_equal(m.flash, r.data, 20 * K);
	assert_true(stdfu_plan_is_blank(m.flash + 20 * K, 12 * K));
	assert_string_equal(stdfu_sector_action_name(STDFU_SECTOR_BLANK), "skipped-blank");
	assert_string_equal(stdfu_sector_action_name(STDFU_SECTOR_FALLBACK), "fallback");
	run_end(&r);
}

static void always_erase_reads_nothing_back(void **state)
{
	struct flash_run r;

	(void)state;
	run_begin(&r, &(struct flash_case){.n = 40 * K, .seed = 9});
	r.o.always_erase = true;
	assert_int_equal(stdfu_flash(&dev, &r.img, &r.o, &r.res), STDFU_OK);
	assert_int_equal(r.ev.starts[STDFU_PHASE_READ], 0);
	assert_int_equal(m.erases, 3);
	assert_int_equal(m.reads, 20);
	assert_int_equal(r.res.sectors.erased, 3);
	assert_int_equal(r.res.sectors.skipped_blank, 0);
	run_end(&r);
}

/*
 * ECC flash: sector 1 reads blank but holds a unit programmed with 0xFF (as
 * a gap-filled binary leaves it). Two runs of the image fall into sector 1,
 * the first before that unit. The write into it fails; the fallback erases
 * sector 1 (which wipes what the first run wrote there) and writes both runs'
 * parts again. The other sectors are not erased, the gap between the runs is
 * 0xFF, and the sector after the image keeps its data.
 */
static void errprog_in_a_blank_sector_erases_and_rewrites_it_alone(void **state)
{
	struct flash_run r;

	(void)state;
	run_begin(&r, &(struct flash_case){.n = 40 * K,
					   .seed = 10,
					   .size = 20 * K,
					   .format = STDFU_FORMAT_IHEX,
					   .ecc = 8});
	r.seg[1] = (struct stdfu_segment){BASE + 24 * K, 16 * K, r.data + 24 * K, 0};
	r.img.count = 2;
	m.programmed[(28 * K) / 8] = 1; /* reads 0xFF, programmed */
	memset(m.flash + 48 * K, 0x5A, 16 * K);
	assert_int_equal(stdfu_flash(&dev, &r.img, &r.o, &r.res), STDFU_OK);
	assert_int_equal(m.prog_errors, 1);
	assert_int_equal(m.erases, 1); /* sector 1 only */
	assert_int_equal(r.res.sectors.fallback, 1);
	assert_int_equal(r.res.sectors.skipped_blank, 2);
	assert_int_equal(r.res.sectors.erased, 0);
	assert_int_equal(r.ev.sector[STDFU_SECTOR_FALLBACK], 1);
	assert_int_equal(r.ev.sector[STDFU_SECTOR_BLANK], 3); /* reported before the fallback */
	assert_memory_equal(m.flash, r.data, 20 * K);
	assert_true(stdfu_plan_is_blank(m.flash + 20 * K, 4 * K));
	assert_memory_equal(m.flash + 24 * K, r.data + 24 * K, 16 * K);
	assert_true(stdfu_plan_is_blank(m.flash + 40 * K, 8 * K));
	assert_int_equal(m.flash[48 * K], 0x5A);
	/* Verify read the image back (the 5 ends in the result are of every phase). */
	assert_int_equal(r.res.phase[STDFU_PHASE_VERIFY].bytes, 36 * K);
	assert_int_equal(r.ev.ends[STDFU_PHASE_WRITE], 1);
	run_end(&r);
}

/* A write that fails again after the fallback's erase is a real error. */
static void errprog_after_the_fallback_erase_is_an_error(void **state)
{
	struct flash_run r;

	(void)state;
	run_begin(&r, &(struct flash_case){
			      .n = 16 * K, .seed = 11, .ecc = 8, .bad_unit = BASE + 4 * K});
	assert_int_equal(stdfu_flash(&dev, &r.img, NULL, &r.res), STDFU_ERR_DFU_STATUS);
	assert_int_equal(m.prog_errors, 2);
	assert_int_equal(m.erases, 1);
	assert_int_equal(r.res.sectors.fallback, 1);
	run_end(&r);
}

/*
 * Without ECC (F4: RM0090 3.5.4 programs any 1 to 0 without an erase) a
 * blank-looking unit is erased; errPROG there is a real failure, returned
 * as it is: no erase, no rewrite, no fallback reported.
 */
static void errprog_in_a_blank_sector_without_ecc_is_an_error(void **state)
{
	struct flash_run r;

	(void)state;
	run_begin(&r, &(struct flash_case){.n = 16 * K, .seed = 13, .bad_unit = BASE + 4 * K});
	assert_int_equal(stdfu_flash(&dev, &r.img, NULL, &r.res), STDFU_ERR_DFU_STATUS);
	assert_int_equal(m.prog_errors, 1);
	assert_int_equal(m.erases, 0);
	assert_int_equal(r.res.sectors.fallback, 0);
	assert_int_equal(r.res.sectors.skipped_blank, 1);
	run_end(&r);
}

/* A family stdfu does not know is taken for ECC flash: the fallback applies. */
static void errprog_on_an_unknown_family_falls_back(void **state)
{
	struct flash_run r;

	(void)state;
	run_begin(&r, &(struct flash_case){.n = 16 * K, .seed = 14, .ecc = 8});
	m.family_set = true;
	m.family = STDFU_FAMILY_UNKNOWN;
	m.programmed[(4 * K) / 8] = 1;
	assert_int_equal(stdfu_flash(&dev, &r.img, NULL, &r.res), STDFU_OK);
	assert_int_equal(m.erases, 1);
	assert_int_equal(r.res.sectors.fallback, 1);
	assert_memory_equal(m.flash, r.data, 16 * K);
	run_end(&r);
}

/* errPROG in a sector that was erased is not the blank-sector case: an error. */
static void errprog_in_an_erased_sector_is_an_error(void **state)
{
	struct flash_run r;

	(void)state;
	run_begin(&r, &(struct flash_case){
			      .n = 16 * K, .seed = 12, .ecc = 8, .bad_unit = BASE + 4 * K});
	r.o = (struct stdfu_flash_opts){.always_erase = true};
	assert_int_equal(stdfu_flash(&dev, &r.img, &r.o, &r.res), STDFU_ERR_DFU_STATUS);
	assert_int_equal(m.prog_errors, 1);
	assert_int_equal(m.erases, 1);
	assert_int_equal(r.res.sectors.fallback, 0);
	run_end(&r);
}

/* --incremental and the blank-sector skip share one read-back. */
static void incremental_and_blank_skip_decide_from_one_read(void **state)
{
	struct flash_run r;

	(void)state;
	run_begin(&r, &(struct flash_case){.n = 48 * K, .seed = 13});
	memcpy(m.flash, r.data, 16 * K);     /* sector 0: up to date */
	memset(m.flash + 32 * K, 0, 16 * K); /* sector 2: old data; sector 1 blank */
	assert_int_equal(stdfu_flash_incremental(&dev, &r.img, &r.o, &r.res, &r.st), STDFU_OK);
	assert_int_equal(r.st.sectors_skipped, 1);
	assert_int_equal(r.res.sectors.unchanged, 1);
	assert_int_equal(r.res.sectors.skipped_blank, 1);
	assert_int_equal(r.res.sectors.erased, 1);
	assert_int_equal(m.erases, 1);
	assert_int_equal(r.res.phase[STDFU_PHASE_READ].bytes, 48 * K);
	assert_int_equal(r.res.phase[STDFU_PHASE_WRITE].bytes, 32 * K);
	assert_memory_equal(m.flash, r.data, 48 * K);
	run_end(&r);
}

/* A text file at the flash base is not an application: refused before any request. */
static void junk_at_the_flash_base_is_refused_unless_forced(void **state)
{
	static const char text[] = "Hello, these are my notes.\nThey are not firmware.\n";
	struct stdfu_segment seg = {BASE, sizeof(text), (uint8_t *)text, 0};
	struct stdfu_image img = {.format = STDFU_FORMAT_RAW, .count = 1, .segments = &seg};
	struct stdfu_flash_opts o = {.no_verify = true};
	struct stdfu_result res;

	(void)state;
	assert_int_equal(stdfu_flash(&dev, &img, &o, &res), STDFU_ERR_IMAGE);
	assert_non_null(strstr(stdfu_error_detail(), "not an application"));
	assert_int_equal(dev.transfers, 0);
	/* a reset vector outside the flash, or even (ARM, not Thumb) */
	memcpy(seg.data = (uint8_t[8]){0}, "\x00\x10\x00\x20\x00\x01\x00\x08", 8);
	seg.size = 8;
	assert_int_equal(stdfu_flash(&dev, &img, &o, &res), STDFU_ERR_IMAGE);
	assert_non_null(strstr(stdfu_error_detail(), "reset vector"));
	/* the same file elsewhere in the flash is data, and --force takes it anyway */
	seg.data = (uint8_t *)text;
	seg.size = sizeof(text);
	seg.address = BASE + 16 * K;
	assert_int_equal(stdfu_flash(&dev, &img, &o, &res), STDFU_OK);
	seg.address = BASE;
	o.force = true;
	assert_int_equal(stdfu_flash(&dev, &img, &o, &res), STDFU_OK);
	assert_memory_equal(m.flash, text, sizeof(text));
}

/*
 * A ROM that says wTransferSize 1024 but places blocks 2048 bytes apart (as
 * the real ROM places them by its own size): a write and a verify by the
 * told size agree with each other and the flash is wrong. The check before
 * the first run of several blocks refuses it; nothing is erased or written.
 */
static void a_transfer_size_lie_is_refused_before_any_write(void **state)
{
	struct flash_run r;

	(void)state;
	run_begin(&r, &(struct flash_case){.n = 6000, .seed = 14, .at = 16 * K});
	dev.info.functional.transfer_size = 1024;
	m.real_ts = 2048;
	assert_int_equal(stdfu_flash(&dev, &r.img, NULL, &r.res), STDFU_ERR_PROTOCOL);
	assert_non_null(strstr(stdfu_error_detail(), "wTransferSize is 1024"));
	assert_int_equal(m.writes + m.erases, 0);
	/* the honest ROM: checked once per operation, and the flash is right */
	m.real_ts = 0;
	assert_int_equal(stdfu_flash(&dev, &r.img, NULL, &r.res), STDFU_OK);
	assert_int_equal(m.probes, 2);
	assert_memory_equal(m.flash + 16 * K, r.data, 6000);
	run_end(&r);
}

/*
 * A ROM that takes only full blocks (G4), ECC flash: the refused short end of
 * the first segment is written again as a full block, and that block covers
 * the start of the next segment. It must carry the next segment's bytes (its
 * ECC units take one program), and the next segment's write must not program
 * them again. Found by the engine fuzzer (tests/fuzz/fuzz_engine.c): padded
 * with 0xFF, the second segment failed with errPROG.
 */
static void a_padded_block_carries_the_next_segment(void **state)
{
	uint8_t *data = pattern(4 * K, 12);
	struct stdfu_segment segs[] = {{BASE, 100, data, 0}, {BASE + 512, 3000, data + 512, 0}};
	struct stdfu_image img = {.format = STDFU_FORMAT_IHEX, .count = 2, .segments = segs};
	struct events ev = {0};
	struct stdfu_flash_opts o = {.on_event = on_event, .user = &ev};
	struct stdfu_result res;

	(void)state;
	m.ecc = 8;
	m.full_block = 2048;
	memset(m.flash, 0x5A, 64); /* not blank: erased first */
	assert_int_equal(stdfu_flash(&dev, &img, &o, &res), STDFU_OK);
	assert_int_equal(m.prog_errors, 0);
	assert_int_equal(res.sectors.erased, 1);
	assert_memory_equal(m.flash, data, 100);
	assert_true(stdfu_plan_is_blank(m.flash + 100, 412));
	assert_memory_equal(m.flash + 512, data + 512, 3000);
	assert_int_equal(ev.done, 3100); /* progress counts every image byte once */
	assert_int_equal(res.phase[STDFU_PHASE_WRITE].bytes, 3100);
	free(data);
}

/*
 * The G4 ROM (full blocks only) gets blocks at multiples of wTransferSize: a
 * run that starts off that grid and ends short of its sector's end is not
 * padded into the next sector, which the plan neither erases nor reads (its
 * programmed ECC units refused the pad). Found by the engine fuzzer.
 */
static void g4_blocks_stay_inside_the_planned_sectors(void **state)
{
	uint8_t *data = pattern(2 * K, 13);
	struct stdfu_segment seg = {BASE + 16 * K - 1500, 1400, data, 0};
	struct stdfu_image img = {.format = STDFU_FORMAT_IHEX, .count = 1, .segments = &seg};
	struct stdfu_flash_opts o = {0};
	struct stdfu_result res;

	(void)state;
	m.ecc = 8;
	m.family_set = true;
	m.family = STDFU_FAMILY_G4;
	m.full_block = 1024;
	dev.info.functional.transfer_size = 1024;
	memset(m.flash + 16 * K, 0x5A, 64); /* the next sector holds data */
	memset(m.programmed + (16 * K) / 8, 1, 64 / 8);
	assert_int_equal(stdfu_flash(&dev, &img, &o, &res), STDFU_OK);
	assert_int_equal(m.prog_errors, 0);
	/* the read-back's Set Address, then the write's, on the grid of 1024-byte blocks */
	assert_true(m.set_address >= 2);
	assert_int_equal(m.set_at[1], BASE + 14 * K);
	assert_memory_equal(m.flash + 16 * K - 1500, data, 1400);
	assert_true(stdfu_plan_is_blank(m.flash + 14 * K, 16 * K - 1500 - 14 * K));
	assert_int_equal(m.flash[16 * K], 0x5A);
	free(data);
}

/*
 * errPROG on a short last block is the ECC flash's, not a refused length:
 * the sector falls back (erase, rewrite) without a padded retry first, whose
 * 0xFF pad would program units past the image (into the next sector, or past
 * the end of the flash, where the retry fails with errTARGET and the fallback
 * never comes). Found by the engine fuzzer.
 */
static void errprog_on_a_short_block_is_not_padded(void **state)
{
	uint8_t *data = pattern(4 * K, 14);
	struct stdfu_segment seg = {BASE + 32 * K - 3000, 2900, data, 0};
	struct stdfu_image img = {.format = STDFU_FORMAT_IHEX, .count = 1, .segments = &seg};
	struct stdfu_flash_opts o = {0};
	struct stdfu_result res;

	(void)state;
	m.ecc = 8;
	m.programmed[(32 * K - 500) / 8] = 1; /* in the short block; reads 0xFF */
	assert_int_equal(stdfu_flash(&dev, &img, &o, &res), STDFU_OK);
	assert_int_equal(m.prog_errors, 1);
	assert_int_equal(res.sectors.fallback, 1);
	assert_memory_equal(m.flash + 32 * K - 3000, data, 2900);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(write_then_read_then_verify, setup),
		cmocka_unit_test_setup(verify_names_the_first_differing_byte, setup),
		cmocka_unit_test_setup(short_upload_is_a_protocol_error, setup),
		cmocka_unit_test_setup(a_new_set_address_every_65534_blocks, setup),
		cmocka_unit_test_setup(plan_covers_every_alt_and_places_raw_images, setup),
		cmocka_unit_test_setup(plan_refuses_what_the_device_cannot_take, setup),
		cmocka_unit_test_setup(read_back_filters_the_plan_in_place, setup),
		cmocka_unit_test_setup(full_flash_erases_exactly_the_touched_sectors, setup),
		cmocka_unit_test_setup(blank_sectors_are_written_without_an_erase, setup),
		cmocka_unit_test_setup(a_sector_is_blank_only_if_every_byte_is, setup),
		cmocka_unit_test_setup(always_erase_reads_nothing_back, setup),
		cmocka_unit_test_setup(errprog_in_a_blank_sector_erases_and_rewrites_it_alone,
				       setup),
		cmocka_unit_test_setup(errprog_after_the_fallback_erase_is_an_error, setup),
		cmocka_unit_test_setup(errprog_in_an_erased_sector_is_an_error, setup),
		cmocka_unit_test_setup(errprog_in_a_blank_sector_without_ecc_is_an_error, setup),
		cmocka_unit_test_setup(errprog_on_an_unknown_family_falls_back, setup),
		cmocka_unit_test_setup(incremental_and_blank_skip_decide_from_one_read, setup),
		cmocka_unit_test_setup(read_back_reaches_every_sector_from_one_set_address, setup),
		cmocka_unit_test_setup(incremental_of_an_unchanged_image_only_reads_and_leaves,
				       setup),
		cmocka_unit_test_setup(junk_at_the_flash_base_is_refused_unless_forced, setup),
		cmocka_unit_test_setup(a_transfer_size_lie_is_refused_before_any_write, setup),
		cmocka_unit_test_setup(a_padded_block_carries_the_next_segment, setup),
		cmocka_unit_test_setup(g4_blocks_stay_inside_the_planned_sectors, setup),
		cmocka_unit_test_setup(errprog_on_a_short_block_is_not_padded, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
