/* SPDX-License-Identifier: MIT */
/*
 * floor --chip NAME --size BYTES [--address ADDR] [--check]
 *
 * The device-bound floor of flashing BYTES at ADDR (default: the flash base)
 * on an emulated chip with `stdfu-emu --timing real`: the time the modelled
 * device itself needs, with a host that costs nothing and never waits a
 * microsecond longer than the device.
 *
 *   erase   = sum of the erase durations of the sectors the image touches
 *   program = per wTransferSize block, ceil(len / prog_unit) * prog_unit_ns
 *   bus     = bus_ns_per_byte for every data-stage byte (down; up for verify)
 *
 * The parameters are not copied: this file is compiled together with the
 * ROM model (the src/emu/model sources) and reads the very chip table stdfu-emu
 * uses (emu_chip_find()->timing, the alt 0 layout string through the model's
 * own layout parser). So the floor cannot drift from the model silently.
 *
 * It then checks itself against the model's behaviour: it drives the ROM
 * state machine (emu_rom_control) with an ideal host on a virtual clock
 * (erase every touched sector, one Set Address, every block, read back,
 * leave; each request sent the instant the previous reply is ready) and
 * reports the virtual time that took, plus the model's own device_busy_ns.
 * The benchmark refuses to report a floor when the two disagree; --check
 * makes floor itself exit 1 then (a ctest runs it for every chip).
 *
 * Output: one JSON object on stdout.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rom_internal.h"
#include <stdfu/trigger_protocol.h>

/* The re-enumeration delays of stdfu-emu --timing real (src/emu/testbed.c,
 * emu_reenum_delay_ms: outside the model sources compiled here, so repeated;
 * keep them in step): disconnect -> ROM seen, and -> application seen. */
#define REENUM_ROM_MS 300u
#define REENUM_APP_MS 400u

struct floor {
	uint64_t erase_ns, program_ns, bus_down_ns, bus_up_ns;
	unsigned n_sectors, n_blocks;
};

static uint64_t erase_ns_for(const struct emu_chip_timing *t, uint32_t size)
{
	for (size_t i = 0; i < sizeof(t->erase) / sizeof(t->erase[0]); i++)
		if (t->erase[i].size >= size && t->erase[i].ns)
			return t->erase[i].ns;
	return 0; /* unknown size: reported as an error by the caller */
}

static int analytic(const struct emu_chip *chip, uint32_t addr, uint32_t size, struct floor *f)
{
	const struct emu_chip_timing *t = &chip->timing;
	struct emu_memmap map;
	uint64_t end = (uint64_t)addr + size, covered = 0;

	memset(f, 0, sizeof(*f));
	if (emu_layout_parse(chip->alt[0].layout, &map) != 0) {
		fprintf(stderr, "floor: cannot parse %s\n", chip->alt[0].layout);
		return -1;
	}
	for (unsigned i = 0; i < map.n; i++) {
		const struct emu_sector *s = &map.sec[i];
		uint64_t ns;

		if (s->start >= end || (uint64_t)s->start + s->size <= addr)
			continue;
		covered +=
			(s->start + (uint64_t)s->size < end ? s->start + (uint64_t)s->size : end) -
			(s->start > addr ? s->start : addr);
		ns = erase_ns_for(t, s->size);
		if (!ns) {
			fprintf(stderr, "floor: no erase time for a %u-byte sector\n", s->size);
			free(map.sec);
			return -1;
		}
		f->erase_ns += ns;
		f->n_sectors++;
	}
	free(map.sec);
	if (covered != size) {
		fprintf(stderr, "floor: %u bytes at 0x%08x do not fit the %s flash\n", size, addr,
			chip->name);
		return -1;
	}
	for (uint32_t off = 0; off < size; off += chip->transfer_size) {
		uint32_t len = size - off < chip->transfer_size ? size - off : chip->transfer_size;

		f->program_ns +=
			(uint64_t)((len + t->prog_unit - 1) / t->prog_unit) * t->prog_unit_ns;
		f->n_blocks++;
	}
	f->bus_down_ns = (uint64_t)size * t->bus_ns_per_byte;
	f->bus_up_ns = (uint64_t)size * t->bus_ns_per_byte;
	return 0;
}

/* ---- the ideal host, on a virtual clock ---------------------------------- */

#define REQ_OUT 0x21 /* class, interface, host to device */
#define REQ_IN	0xA1

struct vhost {
	struct emu_rom *rom;
	uint64_t now;
	uint8_t buf[4096];
	int failed;
};

static struct emu_reply vreq(struct vhost *h, uint8_t type, uint8_t req, uint16_t value,
			     uint16_t len)
{
	struct emu_setup s = {type, req, value, 0, len};
	struct emu_reply r;

	memset(&r, 0, sizeof(r));
	emu_rom_control(h->rom, &s, h->buf, sizeof(h->buf), h->now, &r);
	if (r.ready_at_ns > h->now)
		h->now = r.ready_at_ns;
	if (r.kind != EMU_REPLY_ACK)
		h->failed = 1;
	return r;
}

/* GETSTATUS until the device is out of dfuDNBUSY; returns the final state. */
static uint8_t vwait(struct vhost *h)
{
	for (int i = 0; i < 1000000; i++) {
		struct emu_setup s = {REQ_IN, 3, 0, 0, 6};
		struct emu_reply r;

		memset(&r, 0, sizeof(r));
		emu_rom_control(h->rom, &s, h->buf, sizeof(h->buf), h->now, &r);
		if (r.ready_at_ns > h->now)
			h->now = r.ready_at_ns;
		if (r.kind == EMU_REPLY_STALL) {
			h->now += 1000; /* a ROM that stalls while busy: retry 1 µs later */
			continue;
		}
		if (r.kind != EMU_REPLY_ACK || r.len < 6) {
			h->failed = 1;
			return 0xFF;
		}
		if (h->buf[4] != DFU_STATE_DNBUSY)
			return h->buf[4];
	}
	h->failed = 1;
	return 0xFF;
}

static void vcommand(struct vhost *h, uint8_t cmd, uint32_t addr)
{
	h->buf[0] = cmd;
	for (int i = 0; i < 4; i++)
		h->buf[1 + i] = (uint8_t)(addr >> (8 * i));
	vreq(h, REQ_OUT, 1, 0, 5);
	if (vwait(h) != DFU_STATE_DNLOAD_IDLE)
		h->failed = 1;
}

static int simulate(const struct emu_chip *chip, uint32_t addr, uint32_t size, uint64_t *write_ns,
		    uint64_t *verify_ns, uint64_t *busy_ns)
{
	struct emu_rom_config cfg = {.chip = chip, .timing = EMU_TIMING_REAL, .board = 1};
	struct vhost h = {.now = 1000000000ull};
	struct emu_memmap map;
	uint32_t ts = chip->transfer_size, end = addr + size;
	uint64_t t0;
	char err[256];

	h.rom = emu_rom_new(&cfg, err, sizeof(err));
	if (!h.rom || ts > sizeof(h.buf) || emu_layout_parse(chip->alt[0].layout, &map) != 0) {
		fprintf(stderr, "floor: cannot set up the model: %s\n", h.rom ? "" : err);
		return -1;
	}
	/* Blank flash starts in dfuERROR/errFIRMWARE: clear it off the clock. */
	vreq(&h, REQ_IN, 3, 0, 6);
	if (h.buf[4] == DFU_STATE_ERROR)
		vreq(&h, REQ_OUT, 4, 0, 0);
	h.failed = 0;
	t0 = h.now;
	for (unsigned i = 0; i < map.n; i++)
		if (map.sec[i].start < end && (uint64_t)map.sec[i].start + map.sec[i].size > addr)
			vcommand(&h, 0x41, map.sec[i].start);
	free(map.sec);
	vcommand(&h, 0x21, addr);
	for (uint32_t off = 0, blk = 2; off < size; off += ts, blk++) {
		uint16_t len = (uint16_t)(size - off < ts ? size - off : ts);

		memset(h.buf, (int)(off / ts), len);
		vreq(&h, REQ_OUT, 1, (uint16_t)blk, len);
		if (vwait(&h) != DFU_STATE_DNLOAD_IDLE)
			h.failed = 1;
	}
	*write_ns = h.now - t0;
	/* Read-back: ABORT to dfuIDLE, Set Address, UPLOAD every block. */
	vreq(&h, REQ_OUT, 6, 0, 0);
	vcommand(&h, 0x21, addr);
	vreq(&h, REQ_OUT, 6, 0, 0);
	for (uint32_t off = 0, blk = 2; off < size; off += ts, blk++)
		vreq(&h, REQ_IN, 2, (uint16_t)blk, (uint16_t)(size - off < ts ? size - off : ts));
	*verify_ns = h.now - t0;
	*busy_ns = emu_rom_stats(h.rom)->device_busy_ns;
	emu_rom_free(h.rom);
	return h.failed ? -1 : 0;
}

static int within(uint64_t a, uint64_t b, uint64_t pct)
{
	uint64_t d = a > b ? a - b : b - a;

	return d * 100 <= b * pct;
}

/* The analytic floor matches the model within 1 %, and the model's own busy
 * time is exactly the erase and programming time. */
static int agree(const struct floor *f, int sim_ok, uint64_t sim_w, uint64_t sim_v, uint64_t busy)
{
	uint64_t w = f->erase_ns + f->program_ns + f->bus_down_ns;

	return sim_ok && within(sim_w, w, 1) && within(sim_v, w + f->bus_up_ns, 1) &&
	       busy == f->erase_ns + f->program_ns;
}

static int parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);

	if (end == s || v > UINT32_MAX)
		return -1;
	if (*end == 'K' || *end == 'k')
		v *= 1024, end++;
	else if (*end == 'M' || *end == 'm')
		v *= 1024 * 1024, end++;
	if (*end || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static void print_json(const struct emu_chip *chip, uint32_t addr, uint32_t size,
		       const struct floor *f, int sim_ok, uint64_t sim_w, uint64_t sim_v,
		       uint64_t busy)
{
	const struct emu_chip_timing *t = &chip->timing;
	uint64_t w = f->erase_ns + f->program_ns + f->bus_down_ns;
	uint64_t v = w + f->bus_up_ns;

	printf("{\"chip\": \"%s\", \"address\": %" PRIu32 ", \"size\": %" PRIu32, chip->name, addr,
	       size);
	printf(", \"params\": {\"layout\": \"%s\", \"transfer_size\": %u, \"prog_unit\": %" PRIu32
	       ", \"prog_unit_ns\": %" PRIu32 ", \"bus_ns_per_byte\": %" PRIu32
	       ", \"poll_write_ms\": %" PRIu32 ", \"poll_erase_ms\": %" PRIu32 ", \"erase\": [",
	       chip->alt[0].layout, chip->transfer_size, t->prog_unit, t->prog_unit_ns,
	       t->bus_ns_per_byte, t->poll_write_ms, t->poll_erase_ms);
	for (size_t i = 0, n = 0; i < sizeof(t->erase) / sizeof(t->erase[0]); i++)
		if (t->erase[i].size)
			printf("%s{\"size\": %" PRIu32 ", \"ns\": %" PRIu64 "}", n++ ? ", " : "",
			       t->erase[i].size, t->erase[i].ns);
	printf("]}, \"sectors\": %u, \"blocks\": %u", f->n_sectors, f->n_blocks);
	printf(", \"erase_ns\": %" PRIu64 ", \"program_ns\": %" PRIu64 ", \"bus_down_ns\": %" PRIu64
	       ", \"bus_up_ns\": %" PRIu64,
	       f->erase_ns, f->program_ns, f->bus_down_ns, f->bus_up_ns);
	printf(", \"floor_write_ns\": %" PRIu64 ", \"floor_verify_ns\": %" PRIu64, w, v);
	printf(", \"silence_ms\": %u, \"reenum_rom_ms\": %u, \"reenum_app_ms\": %u",
	       STDFU_TRIGGER_SILENCE_MS, REENUM_ROM_MS, REENUM_APP_MS);
	printf(", \"model_check\": {\"ok\": %s, \"write_ns\": %" PRIu64 ", \"verify_ns\": %" PRIu64
	       ", \"device_busy_ns\": %" PRIu64 "}}\n",
	       sim_ok ? "true" : "false", sim_w, sim_v, busy);
}

int main(int argc, char **argv)
{
	const struct emu_chip *chip = NULL;
	uint32_t addr = 0, size = 0;
	int have_addr = 0, check = 0;
	uint64_t sim_w = 0, sim_v = 0, busy = 0;
	struct floor f;
	int sim_ok;

	for (int i = 1; i < argc; i += 2) {
		if (!strcmp(argv[i], "--check")) {
			check = 1;
			i--;
		} else if (i + 1 >= argc) {
			chip = NULL;
		} else if (!strcmp(argv[i], "--chip"))
			chip = emu_chip_find(argv[i + 1]);
		else if (!strcmp(argv[i], "--size") && parse_u32(argv[i + 1], &size) == 0)
			continue;
		else if (!strcmp(argv[i], "--address") && parse_u32(argv[i + 1], &addr) == 0)
			have_addr = 1;
		else
			chip = NULL, i = argc;
	}
	if (!chip || !size) {
		fprintf(stderr, "usage: floor --chip NAME --size BYTES[K|M] [--address ADDR]\n");
		return 64;
	}
	if (!have_addr)
		addr = chip->flash_base;
	if (analytic(chip, addr, size, &f) != 0)
		return 1;
	sim_ok = simulate(chip, addr, size, &sim_w, &sim_v, &busy) == 0;
	print_json(chip, addr, size, &f, sim_ok, sim_w, sim_v, busy);
	if (check && !agree(&f, sim_ok, sim_w, sim_v, busy)) {
		fprintf(stderr, "floor: %s %u bytes: the floor disagrees with the model\n",
			chip->name, size);
		return 1;
	}
	return 0;
}
