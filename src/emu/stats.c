/* SPDX-License-Identifier: MIT */
/*
 * --stats FILE: what the targets saw, as JSON. Totals over all boards first
 * (what the benchmark and the transfer-count checks read), then one object
 * per board, with its chip (--board may give boards different ones). Counts
 * come from the models (emu_rom_stats) plus the application device's control
 * transfers counted by the glue.
 */
#include "emu.h"

#include <stdio.h>

static void add_stats(struct emu_stats *sum, const struct emu_stats *s)
{
	sum->control_transfers += s->control_transfers;
	for (int i = 0; i < EMU_STAT__COUNT; i++)
		sum->by_request[i] += s->by_request[i];
	sum->bytes_down += s->bytes_down;
	sum->bytes_up += s->bytes_up;
	sum->device_busy_ns += s->device_busy_ns;
	sum->ecc_faults += s->ecc_faults;
}

static void print_stats(FILE *f, const struct emu_stats *s, const char *indent)
{
	fprintf(f, "%s\"control_transfers\": %llu,\n", indent,
		(unsigned long long)s->control_transfers);
	fprintf(f, "%s\"by_request\": {", indent);
	for (int i = 0; i < EMU_STAT__COUNT; i++)
		fprintf(f, "%s\"%s\": %llu", i ? ", " : "", emu_stat_name((enum emu_stat_req)i),
			(unsigned long long)s->by_request[i]);
	fprintf(f, "},\n");
	fprintf(f, "%s\"bytes_down\": %llu,\n", indent, (unsigned long long)s->bytes_down);
	fprintf(f, "%s\"bytes_up\": %llu,\n", indent, (unsigned long long)s->bytes_up);
	fprintf(f, "%s\"device_busy_ms\": %.3f,\n", indent, (double)s->device_busy_ns / 1e6);
	fprintf(f, "%s\"ecc_faults\": %llu", indent, (unsigned long long)s->ecc_faults);
}

/* Trigger-flow timestamps (CLOCK_MONOTONIC ns, 0 = did not happen), for bench/. */
static void print_timing(FILE *f, const struct emu_board *b, const char *indent)
{
	const struct {
		const char *name;
		uint64_t ns;
	} t[] = {{"trigger_rx_ns", b->trigger_rx_ns},
		 {"trigger_ns", b->trigger_ns},
		 {"rom_enumerated_ns", b->rom_enumerated_ns},
		 {"rom_plugged_ns", b->rom_plugged_ns},
		 {"first_request_ns", b->first_request_ns},
		 {"first_dfu_request_ns", b->first_dfu_request_ns}};

	for (size_t i = 0; i < G_N_ELEMENTS(t); i++)
		fprintf(f, ",\n%s\"%s\": %llu", indent, t[i].name, (unsigned long long)t[i].ns);
}

static void board_stats(const struct emu_board *b, struct emu_stats *out)
{
	*out = *emu_rom_stats(b->rom);
	add_stats(out, &b->app_stats);
}

int emu_stats_write(const struct emu_ctx *ctx, const char *path)
{
	struct emu_stats sum = {0}, s;
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	for (unsigned i = 0; i < ctx->nboards; i++) {
		board_stats(&ctx->board[i], &s);
		add_stats(&sum, &s);
	}
	fprintf(f, "{\n");
	fprintf(f, "  \"chip\": \"%s\",\n", ctx->opt.chip_name);
	fprintf(f, "  \"timing\": \"%s\",\n", ctx->opt.timing == EMU_TIMING_REAL ? "real" : "fast");
	print_stats(f, &sum, "  ");
	fprintf(f, ",\n  \"boards\": [\n");
	for (unsigned i = 0; i < ctx->nboards; i++) {
		const struct emu_board *b = &ctx->board[i];

		board_stats(b, &s);
		fprintf(f, "    {\n      \"board\": %u,\n      \"port\": \"%s\",\n", b->index,
			b->portname);
		fprintf(f, "      \"chip\": \"%s\",\n", b->cfg.chip_name);
		print_stats(f, &s, "      ");
		print_timing(f, b, "      ");
		fprintf(f, "\n    }%s\n", i + 1 < ctx->nboards ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
	return fclose(f) == 0 ? 0 : -1;
}
