/* SPDX-License-Identifier: MIT */
/*
 * The host protocol engine against a device whose every reply the fuzzer
 * chooses: scan (descriptors, language id, serial, product, one layout
 * string per alt), open, then flash (read-back with blank-sector skip or
 * --incremental, erase, write with the errPROG / padded-write / 1024-byte
 * fallbacks, verify, leave). The library's own sources run unchanged from
 * usb/transport.c up; below them this file stands in for libusb (the link
 * seam test_engine.c uses one layer higher) and plays an STM32 ROM (AN3156)
 * with an in-memory flash.
 *
 * Input: an 8-byte scenario header (struct scenario), then one fault
 * selector byte per USB request: 0xF0 + enum fault, anything else the honest
 * ROM (see fault()); some faults take further bytes (forged replies). Once
 * the input runs out the device answers as a well-behaved ROM, so short
 * inputs still reach leave.
 *
 * Checked by mutation: with the verify's compare removed from blocks.c, the
 * seed f4_dropped_write (a write acknowledged, not executed) aborts.
 *
 * The oracle (the silent-corruption check): when stdfu_flash succeeds with
 * verify on, the model's flash must hold every byte of the image. A device
 * can make that impossible only by lying in a way no protocol detects, so
 * the model never tells those lies silently; a run in which one was told is
 * "tainted" and not checked:
 *  - a GETSTATUS reply forged to say "done, no error" (bStatus OK, a state
 *    other than dfuDNBUSY / dfuERROR) to a Set Address the model refused or
 *    did not execute: the writes and the verify's reads then go elsewhere
 *    alike (a write or an erase that did not happen is the verify's to find,
 *    see dropped());
 *  - forged UPLOAD data that differs from the model's flash, in the verify
 *    phase, or in the read-back of --incremental (which trusts it to drop
 *    sectors; the blank-sector skip does not need the taint: a lie there is
 *    caught by the verify, which reads the truth);
 *  - a forged layout string for an alt (the memory map is taken on trust).
 * And the other way round: a run in which every request got the honest ROM's
 * reply, from a ROM that places blocks by the wTransferSize it advertises,
 * must succeed (the image always fits the flash).
 * Everything else the fuzzer may do: stalls, timeouts, I/O errors, a vanished
 * device, short replies, forged error statuses and busy replies, forged
 * strings, ROMs that place blocks by another wTransferSize than they say.
 * Executed commands always take effect in the model (erase, program with
 * flash physics: ECC units fail a second program, non-ECC cells only go
 * from 1 to 0), whatever reply the fuzzer then puts on the wire.
 *
 * Time is virtual: stdfu__now_us / stdfu__sleep_us (usb/clock.c, left out
 * here) are mocked because no device exists in-process; a sleep advances the
 * clock, so poll waits and budgets run their course without sleeping.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <libusb.h>

#include <stdfu/device.h>
#include <stdfu/dfu.h>
#include <stdfu/flash.h>
#include <stdfu/incremental.h>
#include <stdfu/layout.h>

#include "flash/after_leave.h"
#include "flash/op.h"
#include "usb/bus_internal.h"

#define BASE	   0x08000000u
#define FLASH_MAX  (128u * 1024u)
#define OB_SIZE	   64u
#define N_CHIPS	   4
#define MAX_IMAGE  (24u * 1024u)
#define DESC_ALT0  4 /* iInterface of alt 0; alt a is DESC_ALT0 + a */
#define DFU_GETCMD 0x00

/* ---- the chips the model can be ------------------------------------------ */

struct chip {
	const char *flash, *ob;
	uint32_t ob_addr;
	uint16_t bcd;
	unsigned ecc;	  /* bytes per ECC programming unit, 0: no ECC */
	bool full_blocks; /* G4: a write shorter than wTransferSize is refused */
	bool manifest;	  /* F4: the leave answers dfuDNBUSY, dfuMANIFEST, then goes */
	uint32_t poll_ms; /* bwPollTimeout of a busy reply */
};

static const struct chip chips[N_CHIPS] = {
	{"@Internal Flash  /0x08000000/04*016Kg,01*064Kg", "@Option Bytes  /0x1FFFC000/01*016 e",
	 0x1FFFC000, 0x2200, 0, false, true, 100},
	{"@Internal Flash  /0x08000000/0064*02Kg", "@Option Bytes  /0x1FFF7800/01*040 e",
	 0x1FFF7800, 0x2200, 8, false, false, 25},
	{"@Internal Flash  /0x08000000/0064*02Kg",
	 "@Option Bytes   /0x1FFF7800/01*048 e/0x1FFFF800/01*048 e", 0x1FFF7800, 0x2200, 8, true,
	 false, 25},
	/* C0-like: one flash alt, 2 KiB pages, no option-byte alt */
	{"@Internal Flash  /0x08000000/0064*02Kg", NULL, 0, 0x2200, 8, false, false, 0},
};

/* The 8-byte header. */
struct scenario {
	uint8_t chip;	/* % N_CHIPS; bit 7: start in dfuERROR (errFIRMWARE, as L4 ROMs) */
	uint8_t ts;	/* bits 0-1 advertised wTransferSize; with bit 4, bits 2-3 the
			   ROM's own; bit 5: writes over 1024 bytes fail (L43x) */
	uint8_t opts;	/* bit 0 incremental, 1 always_erase, 2 no_verify, 3 no_leave,
			   4 poll spec, 5 force, 6-7 what the flash holds at start */
	uint8_t at;	/* image start, in 256-byte units from the flash base */
	uint8_t len;	/* image length: (len + 1) * 93 bytes */
	uint8_t second; /* nonzero: a second segment this many 512 bytes after the first */
	uint8_t seed;	/* image content */
	uint8_t unused; /* reserved */
};

enum pending { P_NONE, P_CMD, P_WRITE, P_LEAVE };

static struct {
	const struct chip *chip;
	uint16_t ts, real_ts;
	uint8_t flash[FLASH_MAX];
	uint8_t ecc_used[FLASH_MAX / 8];
	uint8_t ob[OB_SIZE];
	int state, status;
	uint32_t pointer;
	int alt;
	enum pending pending;
	uint8_t pbuf[STDFU_TRANSFER_SIZE_MAX];
	uint16_t plen, pblock;
	bool busy_reported; /* the executing command answered dfuDNBUSY once */
	int result;	    /* status the executing command ends with */
	bool gone;
	bool small_writes; /* L43x: advertises 2048, fails writes over 1024 */
	bool tainted;
	bool faulted; /* some request was answered otherwise than by the ROM */
	enum stdfu_phase phase;
	bool incremental;
	uint64_t now_us;
	const uint8_t *in;
	size_t left;
	unsigned refs;
} m;

/* ---- the fuzzer's input -------------------------------------------------- */

static uint8_t take(void)
{
	if (!m.left)
		return 0;
	m.left--;
	return *m.in++;
}

static void take_bytes(uint8_t *dst, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = take();
}

/* Faults a request can be answered with instead of the ROM's reply. */
enum fault {
	F_HONEST,
	F_PIPE,	     /* a stall and nothing done */
	F_TIMEOUT,   /* no answer in time */
	F_GONE,	     /* the device disconnects */
	F_IO,	     /* another libusb error */
	F_OVERFLOW,  /* the device sent more than asked for */
	F_SHORT,     /* fewer bytes than asked for */
	F_FORGE,     /* reply bytes from the input */
	F_BUSY,	     /* GETSTATUS: dfuDNBUSY with a forged bwPollTimeout */
	F_ERRSTATUS, /* GETSTATUS: dfuERROR with a forged bStatus */
	F_DROP,	     /* GETSTATUS: the pending command "done" but not executed */
	F_BLANK,     /* UPLOAD: all 0xFF, whatever the flash holds */
};
#define N_FAULTS 12

/* One selector byte per request: most values are the honest ROM. */
static enum fault fault(void)
{
	uint8_t f = take();
	enum fault r = f < 0xF0 || f - 0xF0 >= N_FAULTS ? F_HONEST : (enum fault)(f - 0xF0);

	m.faulted |= r != F_HONEST;
	return r;
}

/* ---- the virtual clock --------------------------------------------------- */

uint64_t stdfu__now_us(void)
{
	return m.now_us;
}

void stdfu__sleep_us(uint64_t us)
{
	m.now_us += us;
}

/* What comes back after a leave is the bus watch's business (not modelled). */
void stdfu__after_leave(struct op *op)
{
	(void)op;
}

/* ---- the ROM ------------------------------------------------------------- */

static uint32_t flash_size(void)
{
	struct stdfu_layout l;

	if (stdfu_layout_parse(m.chip->flash, &l))
		abort();
	return (uint32_t)stdfu_layout_bytes(&l);
}

/* The model's memory of the current alt at [a, a + n), or NULL (errTARGET). */
static uint8_t *memory(uint32_t a, uint32_t n)
{
	if (m.alt == 0 && a >= BASE && (uint64_t)a + n <= (uint64_t)BASE + flash_size())
		return m.flash + (a - BASE);
	if (m.alt == 1 && m.chip->ob && a >= m.chip->ob_addr &&
	    (uint64_t)a + n <= (uint64_t)m.chip->ob_addr + OB_SIZE)
		return m.ob + (a - m.chip->ob_addr);
	return NULL;
}

static void erase_at(uint32_t a)
{
	struct stdfu_layout l;
	struct stdfu_sector s;

	if (stdfu_layout_parse(m.chip->flash, &l) || stdfu_layout_sector_at(&l, a, &s)) {
		m.result = STDFU_STATUS_ERR_TARGET;
		return;
	}
	memset(m.flash + (s.start - BASE), 0xFF, s.size);
	memset(m.ecc_used + (s.start - BASE) / 8, 0, s.size / 8);
}

/*
 * Flash physics: ECC units program once per erase; other cells only 1 -> 0.
 * ASSUMPTION: a write that ends inside a unit programs that unit (its other
 * bytes stay 0xFF), so a later write into the rest of it fails; the image's
 * segments start on unit boundaries, as linkers place them.
 */
static void program(uint32_t a, const uint8_t *d, uint16_t n)
{
	uint8_t *dst = memory(a, n);

	if (!dst || m.alt != 0) {
		m.result = dst ? STDFU_STATUS_OK : STDFU_STATUS_ERR_TARGET;
		if (dst)
			memcpy(dst, d, n);
		return;
	}
	if (m.chip->full_blocks && n < m.ts) {
		m.result = STDFU_STATUS_ERR_TARGET;
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint32_t off = a - BASE + i, unit = m.chip->ecc ? off / m.chip->ecc : 0;

		if (m.chip->ecc && m.ecc_used[unit] && (i == 0 || off % m.chip->ecc == 0)) {
			m.result = STDFU_STATUS_ERR_PROG;
			return;
		}
		if (m.chip->ecc)
			m.ecc_used[unit] = 1;
		m.flash[off] = m.chip->ecc ? d[i] : (uint8_t)(m.flash[off] & d[i]);
	}
}

static void execute(void)
{
	uint32_t a = (uint32_t)(m.pbuf[1] | m.pbuf[2] << 8 | m.pbuf[3] << 16 |
				(uint32_t)m.pbuf[4] << 24);

	m.result = STDFU_STATUS_OK;
	if (m.pending == P_WRITE) {
		program(m.pointer + (uint32_t)(m.pblock - 2) * m.real_ts, m.pbuf, m.plen);
	} else if (m.pending == P_CMD && m.plen == 5 && m.pbuf[0] == 0x21) {
		if (memory(a, 1))
			m.pointer = a;
		else
			m.result = STDFU_STATUS_ERR_TARGET;
	} else if (m.pending == P_CMD && m.plen == 5 && m.pbuf[0] == 0x41) {
		erase_at(a);
	} else if (m.pending == P_CMD && m.plen == 1 && m.pbuf[0] == 0x41) {
		memset(m.flash, 0xFF, sizeof(m.flash));
		memset(m.ecc_used, 0, sizeof(m.ecc_used));
	} else if (m.pending == P_CMD) {
		m.result = STDFU_STATUS_ERR_STALLEDPKT;
	}
}

static void stall(int status)
{
	m.state = STDFU_STATE_DFU_ERROR;
	m.status = status;
	m.pending = P_NONE;
}

static int dnload(uint16_t block, const uint8_t *data, uint16_t len)
{
	if (m.state != STDFU_STATE_DFU_IDLE && m.state != STDFU_STATE_DFU_DNLOAD_IDLE) {
		stall(STDFU_STATUS_ERR_STALLEDPKT);
		return LIBUSB_ERROR_PIPE;
	}
	if (len > m.real_ts || block == 1 || (block == 0 && len == 0)) {
		stall(STDFU_STATUS_ERR_STALLEDPKT);
		return LIBUSB_ERROR_PIPE;
	}
	m.pending = len == 0 ? P_LEAVE : block == 0 ? P_CMD : P_WRITE;
	if (len)
		memcpy(m.pbuf, data, len);
	m.plen = len;
	m.pblock = block;
	m.busy_reported = false;
	m.state = len ? STDFU_STATE_DFU_DNLOAD_SYNC : STDFU_STATE_DFU_MANIFEST_SYNC;
	return len;
}

/* AN3156 6.1: the command runs when GETSTATUS comes; busy first, then the outcome. */
static int getstatus(uint8_t *buf)
{
	uint32_t poll = 0;

	if (m.pending == P_LEAVE) {
		if (!m.chip->manifest) {
			m.gone = true; /* H7/G0/U5-style: gone before it answers */
			return LIBUSB_ERROR_IO;
		}
		if (m.busy_reported) {
			/* answers dfuMANIFEST, then drops off the bus */
			m.state = STDFU_STATE_DFU_MANIFEST;
			m.gone = true;
			m.pending = P_NONE;
		} else {
			m.busy_reported = true;
			m.state = STDFU_STATE_DFU_DNBUSY;
			poll = m.chip->poll_ms;
		}
	} else if (m.pending == P_WRITE && m.small_writes && m.plen > 1024) {
		stall(STDFU_STATUS_ERR_STALLEDPKT); /* L43x: nothing is written */
		return LIBUSB_ERROR_PIPE;
	} else if (m.pending != P_NONE && !m.busy_reported) {
		execute();
		m.busy_reported = true;
		m.state = STDFU_STATE_DFU_DNBUSY;
		poll = m.chip->poll_ms;
	} else if (m.pending != P_NONE) {
		m.pending = P_NONE;
		if (m.result == STDFU_STATUS_OK)
			m.state = STDFU_STATE_DFU_DNLOAD_IDLE;
		else
			stall(m.result);
	}
	buf[0] = (uint8_t)m.status;
	buf[1] = (uint8_t)poll;
	buf[2] = (uint8_t)(poll >> 8);
	buf[3] = (uint8_t)(poll >> 16);
	buf[4] = (uint8_t)m.state;
	buf[5] = 0;
	return 6;
}

static int upload(uint16_t block, uint8_t *data, uint16_t len)
{
	static const uint8_t commands[] = {DFU_GETCMD, 0x21, 0x41, 0x92};
	uint8_t *src;

	if (m.state != STDFU_STATE_DFU_IDLE && m.state != STDFU_STATE_DFU_UPLOAD_IDLE) {
		stall(STDFU_STATUS_ERR_STALLEDPKT);
		return LIBUSB_ERROR_PIPE;
	}
	if (block == 0) {
		uint16_t n = len < sizeof(commands) ? len : sizeof(commands);

		memcpy(data, commands, n);
		m.state = STDFU_STATE_DFU_UPLOAD_IDLE;
		return n;
	}
	src = block >= 2 ? memory(m.pointer + (uint32_t)(block - 2) * m.real_ts, len) : NULL;
	if (!src || len > m.real_ts) {
		stall(src ? STDFU_STATUS_ERR_STALLEDPKT : STDFU_STATUS_ERR_TARGET);
		return LIBUSB_ERROR_PIPE;
	}
	memcpy(data, src, len);
	m.state = STDFU_STATE_DFU_UPLOAD_IDLE;
	return len;
}

/* The DFU 1.1 class requests of the ROM, honestly. */
static int rom(uint8_t request, uint16_t value, uint8_t *data, uint16_t len)
{
	switch (request) {
	case STDFU_DFU_DNLOAD:
		return dnload(value, data, len);
	case STDFU_DFU_UPLOAD:
		return upload(value, data, len);
	case STDFU_DFU_GETSTATUS:
		return len < 6 ? LIBUSB_ERROR_PIPE : getstatus(data);
	case STDFU_DFU_CLRSTATUS:
		m.state = STDFU_STATE_DFU_IDLE;
		m.status = STDFU_STATUS_OK;
		m.pending = P_NONE;
		return 0;
	case STDFU_DFU_GETSTATE:
		if (len < 1)
			return LIBUSB_ERROR_PIPE;
		data[0] = (uint8_t)m.state;
		return 1;
	case STDFU_DFU_ABORT:
		if (m.state == STDFU_STATE_DFU_ERROR) {
			return LIBUSB_ERROR_PIPE; /* DFU 1.1 A.2.10: only CLRSTATUS leaves it */
		}
		m.state = STDFU_STATE_DFU_IDLE;
		m.pending = P_NONE;
		return 0;
	default:
		stall(STDFU_STATUS_ERR_STALLEDPKT);
		return LIBUSB_ERROR_PIPE;
	}
}

/* A forged GETSTATUS: the taint rule of the file comment. */
static int forged_status(uint8_t *buf, int truth)
{
	/* the honest reply: an error, or busy with a command that failed */
	bool failed = truth < 6 || buf[0] != STDFU_STATUS_OK || buf[4] == STDFU_STATE_DFU_ERROR ||
		      (buf[4] == STDFU_STATE_DFU_DNBUSY && m.result != STDFU_STATUS_OK);
	/* a failed write or erase is the verify's to find; a failed Set Address not */
	bool set_address = m.pblock == 0 && m.plen == 5 && m.pbuf[0] == 0x21;

	take_bytes(buf, 6);
	if (failed && set_address && buf[0] == STDFU_STATUS_OK &&
	    buf[4] != STDFU_STATE_DFU_DNBUSY && buf[4] != STDFU_STATE_DFU_ERROR)
		m.tainted = true;
	if (buf[4] == STDFU_STATE_DFU_ERROR) /* the device means it: it is in dfuERROR */
		stall(buf[0] ? buf[0] : STDFU_STATUS_ERR_UNKNOWN);
	return 6;
}

/* UPLOAD data other than the flash's: the taint rule of the file comment. */
static void upload_lie(const uint8_t *truth, int truth_len, const uint8_t *data, int n)
{
	/* the verify, the read-back of --incremental and the wTransferSize probe
	 * (which alone tells a ROM that places blocks by another size) trust it */
	bool trusted = m.phase == STDFU_PHASE_VERIFY ||
		       (m.phase == STDFU_PHASE_READ && m.incremental) || m.real_ts != m.ts;

	if (trusted && (truth_len != n || memcmp(truth, data, (size_t)n)))
		m.tainted = true;
}

static int forged_upload(uint8_t *data, uint16_t len, int truth)
{
	uint8_t before[STDFU_TRANSFER_SIZE_MAX];
	uint16_t n = (uint16_t)(take() % (len + 1u));

	memcpy(before, data, truth > 0 ? (size_t)truth : 0);
	take_bytes(data, n);
	upload_lie(before, truth, data, n);
	return n;
}

static int blank_upload(uint8_t *data, int truth)
{
	uint8_t before[STDFU_TRANSFER_SIZE_MAX];

	if (truth <= 0)
		return truth;
	memcpy(before, data, (size_t)truth);
	memset(data, 0xFF, (size_t)truth);
	upload_lie(before, truth, data, truth);
	return truth;
}

/*
 * "Done" for a command that was not executed. A write or an erase that did not
 * happen is what the verify is for; a Set Address that did not happen moves
 * the writes and the verify's reads alike, which no protocol tells.
 */
static int dropped(uint8_t *buf)
{
	if (m.pending == P_CMD && m.pbuf[0] == 0x21)
		m.tainted = true;
	m.pending = P_NONE;
	m.result = STDFU_STATUS_OK;
	m.state = STDFU_STATE_DFU_DNLOAD_IDLE;
	memset(buf, 0, 6);
	buf[4] = (uint8_t)m.state;
	return 6;
}

static int class_request(uint8_t type, uint8_t request, uint16_t value, uint8_t *data, uint16_t len,
			 unsigned timeout)
{
	enum fault f = fault();
	int rc;

	switch (f) {
	case F_PIPE:
		return LIBUSB_ERROR_PIPE;
	case F_TIMEOUT:
		m.now_us += (uint64_t)timeout * 1000u;
		return LIBUSB_ERROR_TIMEOUT;
	case F_GONE:
		m.gone = true;
		return LIBUSB_ERROR_NO_DEVICE;
	case F_IO:
		return LIBUSB_ERROR_IO;
	case F_OVERFLOW:
		return LIBUSB_ERROR_OVERFLOW;
	default:
		break;
	}
	if (request == STDFU_DFU_GETSTATUS && len >= 6 && f == F_BUSY) {
		/* Still busy: the command has not run yet, whatever it was. */
		data[0] = 0;
		take_bytes(data + 1, 3);
		data[4] = STDFU_STATE_DFU_DNBUSY;
		data[5] = 0;
		return 6;
	}
	if (request == STDFU_DFU_GETSTATUS && len >= 6 && f == F_DROP &&
	    (m.pending == P_WRITE || m.pending == P_CMD) && !m.busy_reported)
		return dropped(data);
	rc = rom(request, value, data, len);
	if (f == F_BLANK && request == STDFU_DFU_UPLOAD && value >= 2)
		return blank_upload(data, rc);
	if (m.gone && rc == LIBUSB_ERROR_IO)
		return rc;
	if (f == F_SHORT && rc > 0)
		return take() % rc;
	if (f == F_ERRSTATUS && request == STDFU_DFU_GETSTATUS && len >= 6) {
		stall(take() | 1);
		data[0] = (uint8_t)m.status;
		memset(data + 1, 0, 3);
		data[4] = STDFU_STATE_DFU_ERROR;
		return 6;
	}
	if (f == F_FORGE && (type & LIBUSB_ENDPOINT_IN) && request == STDFU_DFU_GETSTATUS &&
	    len >= 6)
		return forged_status(data, rc);
	if (f == F_FORGE && (type & LIBUSB_ENDPOINT_IN) && request == STDFU_DFU_UPLOAD &&
	    value >= 2)
		return forged_upload(data, len, rc);
	if (f == F_FORGE && (type & LIBUSB_ENDPOINT_IN) && rc >= 0 && len) {
		uint16_t n = (uint16_t)(take() % (len + 1u));

		take_bytes(data, n);
		return n;
	}
	return rc;
}

/* ---- strings (USB 2.0, 9.6.7) -------------------------------------------- */

static const char *string_of(uint8_t index)
{
	static const char *const fixed[] = {NULL, "STMicroelectronics", "STM32  BOOTLOADER",
					    "3276386B3333"};

	if (index < DESC_ALT0)
		return fixed[index];
	if (index == DESC_ALT0)
		return m.chip->flash;
	return index == DESC_ALT0 + 1 ? m.chip->ob : NULL;
}

static int string_request(uint16_t value, uint8_t *data, uint16_t len)
{
	uint8_t index = (uint8_t)value, raw[255];
	const char *s = string_of(index);
	enum fault f = fault();
	size_t n;

	if (f == F_PIPE || f == F_IO || f == F_OVERFLOW)
		return f == F_PIPE ? LIBUSB_ERROR_PIPE
		       : f == F_IO ? LIBUSB_ERROR_IO
				   : LIBUSB_ERROR_OVERFLOW;
	if (f == F_GONE) {
		m.gone = true;
		return LIBUSB_ERROR_NO_DEVICE;
	}
	if (f == F_TIMEOUT)
		return LIBUSB_ERROR_TIMEOUT;
	if (f == F_FORGE) {
		n = take() % (len + 1u);
		take_bytes(data, n);
		if (index >= DESC_ALT0)
			m.tainted = true;
		return (int)n;
	}
	if (index == 0) {
		raw[0] = 4;
		raw[1] = LIBUSB_DT_STRING;
		raw[2] = 0x09;
		raw[3] = 0x04;
		n = 4;
	} else if (!s) {
		return LIBUSB_ERROR_PIPE;
	} else {
		n = 2;
		for (size_t i = 0; s[i] && n + 2 <= sizeof(raw) - 1; i++, n += 2) {
			raw[n] = (uint8_t)s[i];
			raw[n + 1] = 0;
		}
		raw[0] = (uint8_t)n;
		raw[1] = LIBUSB_DT_STRING;
	}
	if (n > len)
		n = len;
	if (f == F_SHORT)
		n = take() % (n + 1);
	memcpy(data, raw, n);
	return (int)n;
}

/* ---- libusb, in-process -------------------------------------------------- */

struct libusb_context {
	int unused;
};
struct libusb_device {
	int unused;
};
struct libusb_device_handle {
	int unused;
};

static struct libusb_context the_ctx;
static struct libusb_device the_dev;
static struct libusb_device_handle the_handle;

int LIBUSB_CALL libusb_init(libusb_context **ctx)
{
	*ctx = &the_ctx;
	return 0;
}

void LIBUSB_CALL libusb_exit(libusb_context *ctx)
{
	(void)ctx;
}

const char *LIBUSB_CALL libusb_strerror(int errcode)
{
	(void)errcode;
	return "libusb error";
}

ssize_t LIBUSB_CALL libusb_get_device_list(libusb_context *ctx, libusb_device ***list)
{
	static libusb_device *items[2];

	(void)ctx;
	items[0] = m.gone ? NULL : &the_dev;
	items[1] = NULL;
	*list = items;
	return m.gone ? 0 : 1;
}

void LIBUSB_CALL libusb_free_device_list(libusb_device **list, int unref_devices)
{
	(void)list;
	(void)unref_devices;
}

int LIBUSB_CALL libusb_get_device_descriptor(libusb_device *dev,
					     struct libusb_device_descriptor *desc)
{
	(void)dev;
	memset(desc, 0, sizeof(*desc));
	desc->bLength = LIBUSB_DT_DEVICE_SIZE;
	desc->bDescriptorType = LIBUSB_DT_DEVICE;
	desc->idVendor = 0x0483;
	desc->idProduct = 0xdf11;
	desc->bcdDevice = m.chip->bcd;
	desc->iManufacturer = 1;
	desc->iProduct = 2;
	desc->iSerialNumber = 3;
	desc->bNumConfigurations = 1;
	return 0;
}

uint8_t LIBUSB_CALL libusb_get_bus_number(libusb_device *dev)
{
	(void)dev;
	return 1;
}

uint8_t LIBUSB_CALL libusb_get_device_address(libusb_device *dev)
{
	(void)dev;
	return 7;
}

int LIBUSB_CALL libusb_get_port_numbers(libusb_device *dev, uint8_t *ports, int len)
{
	(void)dev;
	if (len < 1)
		return LIBUSB_ERROR_OVERFLOW;
	ports[0] = 2;
	return 1;
}

libusb_device *LIBUSB_CALL libusb_ref_device(libusb_device *dev)
{
	m.refs++;
	return dev;
}

void LIBUSB_CALL libusb_unref_device(libusb_device *dev)
{
	(void)dev;
	if (!m.refs)
		abort(); /* unbalanced reference: a real libusb would free the device */
	m.refs--;
}

static struct libusb_interface_descriptor alts[2];
static struct libusb_interface iface = {alts, 2};
static uint8_t functional_desc[9];
static struct libusb_config_descriptor config = {
	.bLength = LIBUSB_DT_CONFIG_SIZE,
	.bDescriptorType = LIBUSB_DT_CONFIG,
	.bNumInterfaces = 1,
	.interface = &iface,
};

static void build_config(void)
{
	/* DFU 1.1 4.1.3: bmAttributes 0x0B (download, upload, manifestation tolerant) */
	static const uint8_t f[9] = {9, 0x21, 0x0B, 0xFF, 0x00, 0, 0, 0x1A, 0x01};

	memcpy(functional_desc, f, sizeof(f));
	functional_desc[5] = (uint8_t)m.ts;
	functional_desc[6] = (uint8_t)(m.ts >> 8);
	iface.num_altsetting = m.chip->ob ? 2 : 1;
	for (int a = 0; a < 2; a++) {
		memset(&alts[a], 0, sizeof(alts[a]));
		alts[a].bLength = LIBUSB_DT_INTERFACE_SIZE;
		alts[a].bDescriptorType = LIBUSB_DT_INTERFACE;
		alts[a].bAlternateSetting = (uint8_t)a;
		alts[a].bInterfaceClass = 0xFE;
		alts[a].bInterfaceSubClass = 0x01;
		alts[a].bInterfaceProtocol = 0x02;
		alts[a].iInterface = (uint8_t)(DESC_ALT0 + a);
	}
	alts[iface.num_altsetting - 1].extra = functional_desc;
	alts[iface.num_altsetting - 1].extra_length = sizeof(functional_desc);
}

int LIBUSB_CALL libusb_get_active_config_descriptor(libusb_device *dev,
						    struct libusb_config_descriptor **config_out)
{
	(void)dev;
	*config_out = &config;
	return 0;
}

int LIBUSB_CALL libusb_get_config_descriptor(libusb_device *dev, uint8_t index,
					     struct libusb_config_descriptor **config_out)
{
	(void)index;
	return libusb_get_active_config_descriptor(dev, config_out);
}

void LIBUSB_CALL libusb_free_config_descriptor(struct libusb_config_descriptor *c)
{
	(void)c;
}

int LIBUSB_CALL libusb_open(libusb_device *dev, libusb_device_handle **h)
{
	(void)dev;
	if (m.gone)
		return LIBUSB_ERROR_NO_DEVICE;
	*h = &the_handle;
	return 0;
}

void LIBUSB_CALL libusb_close(libusb_device_handle *h)
{
	(void)h;
}

int LIBUSB_CALL libusb_claim_interface(libusb_device_handle *h, int n)
{
	(void)h;
	return m.gone ? LIBUSB_ERROR_NO_DEVICE : n == 0 ? 0 : LIBUSB_ERROR_NOT_FOUND;
}

int LIBUSB_CALL libusb_release_interface(libusb_device_handle *h, int n)
{
	(void)h;
	(void)n;
	return 0;
}

int LIBUSB_CALL libusb_set_interface_alt_setting(libusb_device_handle *h, int n, int alt)
{
	enum fault f = fault();

	(void)h;
	(void)n;
	if (m.gone || f == F_GONE) {
		m.gone = true;
		return LIBUSB_ERROR_NO_DEVICE;
	}
	if (f == F_PIPE || alt >= iface.num_altsetting)
		return LIBUSB_ERROR_PIPE;
	if (f == F_TIMEOUT)
		return LIBUSB_ERROR_TIMEOUT;
	m.alt = alt;
	return 0;
}

int LIBUSB_CALL libusb_handle_events_timeout_completed(libusb_context *ctx, struct timeval *tv,
						       int *completed)
{
	(void)ctx;
	(void)completed;
	m.now_us += (uint64_t)tv->tv_sec * 1000000u + (uint64_t)tv->tv_usec;
	return 0;
}

int LIBUSB_CALL libusb_control_transfer(libusb_device_handle *h, uint8_t type, uint8_t request,
					uint16_t value, uint16_t index, unsigned char *data,
					uint16_t len, unsigned int timeout)
{
	(void)h;
	(void)index;
	m.now_us += 50;
	if (m.gone)
		return LIBUSB_ERROR_NO_DEVICE;
	if ((type & 0x60) == LIBUSB_REQUEST_TYPE_STANDARD &&
	    request == LIBUSB_REQUEST_GET_DESCRIPTOR && value >> 8 == LIBUSB_DT_STRING)
		return string_request(value, data, len);
	if ((type & 0x60) != LIBUSB_REQUEST_TYPE_CLASS)
		return LIBUSB_ERROR_PIPE;
	return class_request(type, request, value, data, len, timeout);
}

/* ---- one run ------------------------------------------------------------- */

static void on_event(const struct stdfu_event *ev, void *user)
{
	(void)user;
	if (ev->type == STDFU_EVENT_PHASE_START)
		m.phase = ev->phase;
	if (ev->type == STDFU_EVENT_WARNING && getenv("FUZZ_ENGINE_TRACE"))
		fprintf(stderr, "warning: %s\n", ev->message);
}

static void on_log(const struct stdfu_log_event *ev, void *user)
{
	(void)user;
	fprintf(stderr, "  %s value %u len %u -> %d state %d status %d (pointer 0x%08x)\n",
		ev->name, ev->value, ev->length, ev->result, ev->state, ev->status, m.pointer);
	if (ev->request == STDFU_DFU_DNLOAD && ev->value == 0 && ev->result >= 5)
		fprintf(stderr, "    command %02x 0x%08x\n", ev->data[0],
			(unsigned)(ev->data[1] | ev->data[2] << 8 | ev->data[3] << 16 |
				   (uint32_t)ev->data[4] << 24));
}

static const uint16_t sizes[4] = {2048, 1024, 256, 64};

static void setup(const struct scenario *sc)
{
	uint8_t hold = sc->opts >> 6;
	uint16_t real = sizes[(sc->ts >> 2) & 3];

	memset(&m, 0, sizeof(m));
	m.chip = &chips[(sc->chip & 0x7F) % N_CHIPS];
	m.ts = sizes[sc->ts & 3];
	/* the ROM's own block size: the same unless bits 2-3 say otherwise and differ */
	m.real_ts = (sc->ts >> 4 & 1) ? real : m.ts;
	m.small_writes = (sc->ts & 0x20) && m.ts > 1024 && !m.chip->full_blocks;
	memset(m.flash, 0xFF, sizeof(m.flash));
	memset(m.ob, 0xAA, sizeof(m.ob));
	m.state = STDFU_STATE_DFU_IDLE;
	if (sc->chip & 0x80)
		stall(STDFU_STATUS_ERR_FIRMWARE);
	/* hold 1: an old firmware in the first sectors; 2: units programmed with 0xFF
	 * (ECC: they read blank but refuse a program); 3: both */
	for (uint32_t i = 0; (hold & 1) && i < 20000; i++)
		m.flash[i] = (uint8_t)(i * 7u + 3u);
	for (uint32_t u = 0; m.chip->ecc && (hold & 2) && u < FLASH_MAX / 8; u += 97)
		m.ecc_used[u] = 1;
	if (m.chip->ecc && (hold & 1))
		memset(m.ecc_used, 1, 20000 / 8);
	build_config();
}

static void fill(uint8_t *d, uint32_t n, uint8_t seed)
{
	for (uint32_t i = 0; i < n; i++)
		d[i] = (uint8_t)(i * 131u + seed * 7u + (i >> 9));
	if (n >= 8) {
		memcpy(d, "\x00\x20\x00\x20", 4);     /* initial SP in SRAM */
		memcpy(d + 4, "\x99\x01\x00\x08", 4); /* Thumb reset vector in flash */
	}
}

static int open_device(struct stdfu_ctx *ctx, struct stdfu_device **dev)
{
	struct stdfu_device_list *list = NULL;
	int rc = stdfu_device_scan(ctx, &list);

	if (!rc && list->count != 1)
		rc = STDFU_ERR_NO_DEVICE;
	if (!rc)
		rc = stdfu_device_open(ctx, &list->items[0], dev);
	stdfu_device_list_free(list);
	return rc;
}

/* The silent-corruption oracle of the file comment. */
static void check(const struct stdfu_image *img)
{
	for (size_t i = 0; i < img->count; i++) {
		const struct stdfu_segment *s = &img->segments[i];

		if (memcmp(m.flash + (s->address - BASE), s->data, s->size)) {
			fprintf(stderr, "flash succeeded but the flash does not hold the image\n");
			abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[2][MAX_IMAGE];
	struct stdfu_segment segs[2];
	struct stdfu_image img = {.format = STDFU_FORMAT_DFUSE, .segments = segs};
	struct stdfu_flash_opts o = {.on_event = on_event};
	struct stdfu_incremental_stats inc;
	struct stdfu_result res;
	struct stdfu_device *dev = NULL;
	struct stdfu_ctx *ctx = NULL;
	struct scenario sc;
	uint32_t fsize, len;
	int rc;

	if (size < sizeof(sc))
		return 0;
	memcpy(&sc, data, sizeof(sc));
	setup(&sc);
	m.in = data + sizeof(sc);
	m.left = size - sizeof(sc);
	fsize = flash_size();
	len = (sc.len + 1u) * 93u;
	segs[0].address = BASE + sc.at * 256u;
	segs[0].size = len < MAX_IMAGE ? len : MAX_IMAGE;
	segs[0].data = buf[0];
	segs[0].alt = 0;
	img.count = 1;
	if (segs[0].address + segs[0].size > BASE + fsize)
		return 0;
	fill(buf[0], segs[0].size, sc.seed);
	if (sc.second) {
		segs[1] = segs[0];
		/* on a unit boundary: an ECC unit takes one program (see program()) */
		segs[1].address = (segs[0].address + segs[0].size + sc.second * 512u) & ~7u;
		segs[1].size = 64u + sc.seed * 3u;
		segs[1].data = buf[1];
		fill(buf[1], segs[1].size, (uint8_t)~sc.seed);
		if ((uint64_t)segs[1].address + segs[1].size <= BASE + fsize)
			img.count = 2;
	}
	o.always_erase = sc.opts & 2;
	o.no_verify = sc.opts & 4;
	o.no_leave = sc.opts & 8;
	o.force = sc.opts & 32;
	m.incremental = sc.opts & 1;

	if (stdfu_ctx_new(&ctx))
		abort();
	if (getenv("FUZZ_ENGINE_TRACE") && atoi(getenv("FUZZ_ENGINE_TRACE")) > 1)
		stdfu_ctx_set_log(ctx, STDFU_LOG_TRANSFER, on_log, NULL);
	rc = open_device(ctx, &dev);
	if (!rc) {
		stdfu_device_set_poll_policy(dev,
					     sc.opts & 16 ? STDFU_POLL_SPEC : STDFU_POLL_EARLY);
		rc = m.incremental ? stdfu_flash_incremental(dev, &img, &o, &res, &inc)
				   : stdfu_flash(dev, &img, &o, &res);
		if (rc == STDFU_OK && !o.no_verify && !m.tainted)
			check(&img);
	}
	/* An honest ROM that places blocks as it says takes every image that fits. */
	if (rc && !m.faulted && m.real_ts == m.ts) {
		fprintf(stderr, "an honest ROM failed: %s\n", stdfu_error_detail());
		abort();
	}
	if (getenv("FUZZ_ENGINE_TRACE")) /* what a run reached, for seeds */
		fprintf(stderr, "rc %d tainted %d gone %d phase %d t %llu us: %s\n", rc, m.tainted,
			m.gone, m.phase, (unsigned long long)m.now_us, stdfu_error_detail());
	stdfu_device_close(dev);
	stdfu_ctx_free(ctx);
	stdfu_error_clear();
	if (m.refs)
		abort(); /* a device reference leaked */
	return 0;
}
