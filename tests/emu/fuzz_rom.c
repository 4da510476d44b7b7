/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the ROM model: the input picks a chip (any model of
 * chips.c), timing, RDP, faults and then a sequence of control transfers (setup packet, time step,
 * OUT data). The model must never crash, read or write out of bounds, or return more IN data than
 * asked for.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rom.h"

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t n);

/* one of the chip models, by the input's second byte */
static const struct emu_chip *pick_chip(uint8_t b)
{
	const char *const *names = emu_chip_names();
	size_t count = 0;

	while (names[count])
		count++;
	return emu_chip_find(names[b % count]);
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t n)
{
	static uint8_t io[4200];
	struct emu_rom_config cfg = {0};
	struct emu_rom *rom;
	uint64_t t = 0;

	if (n < 2)
		return 0;
	cfg.chip = pick_chip(in[1]);
	cfg.timing = (in[0] & 4) ? EMU_TIMING_REAL : EMU_TIMING_FAST;
	cfg.rdp_level = (in[0] >> 3) & 1;
	cfg.board = 1;
	cfg.fault = (in[0] & 0x10) ? "stall:any:17,status=errPROG:dnload-data:2" : NULL;
	if (in[0] & 0x20)
		cfg.fault = "quirk=h7-stuck-busy";
	if (in[0] & 0x80)
		cfg.fault = (in[0] & 1) ? "leave=timeout" : "leave=io";
	rom = emu_rom_new(&cfg, NULL, 0);
	if (!rom)
		abort();
	if (in[0] & 0x40) {
		/* a plausible app so that the ROM starts in dfuIDLE */
		uint8_t *f = emu_rom_flash(rom, NULL, NULL);
		static const uint8_t vec[8] = {0x00, 0x00, 0x02, 0x20, 0xC1, 0x01, 0x00, 0x08};

		memcpy(f, vec, sizeof(vec));
		emu_rom_reset(rom);
	}
	in += 2;
	n -= 2;
	/* each record: bmRequestType bRequest wValue(2) wIndex(1) wLength(2) dt(1) */
	while (n >= 8) {
		struct emu_setup s = {in[0], in[1], (uint16_t)(in[2] | in[3] << 8), in[4],
				      (uint16_t)((in[5] | in[6] << 8) % 4200)};
		struct emu_reply r;
		size_t take;

		t += (uint64_t)in[7] * 1000000ull;
		in += 8;
		n -= 8;
		take = s.wLength < n ? s.wLength : n;
		if (!(s.bmRequestType & 0x80)) {
			memcpy(io, in, take);
			memset(io + take, 0, s.wLength - take);
			in += take;
			n -= take;
		}
		emu_rom_control(rom, &s, io, sizeof(io), t, &r);
		if (r.len > s.wLength || r.kind > EMU_REPLY_HANG)
			abort();
		if (r.event != EMU_EVENT_NONE)
			emu_rom_reset(rom);
	}
	emu_rom_free(rom);
	return 0;
}
