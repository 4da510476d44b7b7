/* SPDX-License-Identifier: MIT */
/*
 * Incremental flashing (stdfu/incremental.h): the plan filter.
 *
 * Why whole sectors: the erase unit is the sector, so a sector is either left
 * alone or erased and rewritten completely. Comparing the whole sector, not
 * only the image's bytes, keeps the result identical to a full flash (where
 * bytes outside the image end up 0xFF).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <stdfu/incremental.h>

#include "common/error_internal.h"

static uint64_t end_of(uint32_t address, uint32_t size)
{
	return (uint64_t)address + size;
}

bool stdfu_incremental_sector_matches(const struct stdfu_plan *plan, uint32_t start, uint32_t size,
				      const uint8_t *dev)
{
	uint64_t pos = start, end = end_of(start, size);

	/* Runs are sorted and disjoint: walk them once, checking the gaps. */
	for (size_t i = 0; i < plan->n_runs && pos < end; i++) {
		const struct stdfu_plan_run *r = &plan->runs[i];
		uint64_t lo = r->address > pos ? r->address : pos;
		uint64_t hi = end_of(r->address, r->size) < end ? end_of(r->address, r->size) : end;

		if (hi <= pos || lo >= end)
			continue;
		for (; pos < lo; pos++)
			if (dev[pos - start] != STDFU_ERASED_BYTE)
				return false;
		if (memcmp(dev + (lo - start), r->data + (lo - r->address), (size_t)(hi - lo)))
			return false;
		pos = hi;
	}
	for (; pos < end; pos++)
		if (dev[pos - start] != STDFU_ERASED_BYTE)
			return false;
	return true;
}

/* Read the sectors [first, last] (adjacent) in one call, mark the matching ones. */
static int check_span(const struct stdfu_plan *plan, size_t first, size_t last,
		      stdfu_incremental_read_fn read, void *user, bool *skip,
		      struct stdfu_incremental_stats *st)
{
	uint32_t base = plan->erase[first].address;
	uint64_t len = end_of(plan->erase[last].address, plan->erase[last].size) - base;
	uint8_t *buf;
	int rc;

	if (len > UINT32_MAX)
		return stdfu__fail(STDFU_ERR_ARG, "incremental: span at 0x%08x too large", base);
	buf = malloc((size_t)len);
	if (!buf)
		return stdfu__fail(STDFU_ERR_NOMEM, "out of memory reading back %llu bytes",
				   (unsigned long long)len);
	rc = read(user, base, buf, (uint32_t)len);
	if (rc) {
		free(buf);
		return rc;
	}
	st->bytes_read += len;
	for (size_t i = first; i <= last; i++) {
		const struct stdfu_plan_erase *e = &plan->erase[i];

		skip[i] = stdfu_incremental_sector_matches(plan, e->address, e->size,
							   buf + (e->address - base));
	}
	free(buf);
	return STDFU_OK;
}

static int index_of_sector(const struct stdfu_plan *plan, const bool *skip, uint64_t addr)
{
	for (size_t i = 0; i < plan->n_erase; i++)
		if (skip[i] && addr >= plan->erase[i].address &&
		    addr < end_of(plan->erase[i].address, plan->erase[i].size))
			return (int)i;
	return -1;
}

/*
 * Cut the skipped sectors out of the runs. Each skipped sector can split a
 * run in two, so the result has at most n_runs + n_erase runs.
 */
static int cut_runs(const struct stdfu_plan *plan, const bool *skip,
		    struct stdfu_plan_run **out_runs, size_t *out_n, uint64_t *out_bytes)
{
	struct stdfu_plan_run *runs = calloc(plan->n_runs + plan->n_erase + 1, sizeof(*runs));
	size_t n = 0;
	uint64_t bytes = 0;

	if (!runs)
		return stdfu__fail(STDFU_ERR_NOMEM, "out of memory filtering the plan");
	for (size_t i = 0; i < plan->n_runs; i++) {
		const struct stdfu_plan_run *r = &plan->runs[i];
		uint64_t pos = r->address, end = end_of(r->address, r->size);

		while (pos < end) {
			int s = index_of_sector(plan, skip, pos);
			uint64_t stop = end;

			if (s >= 0) { /* inside a skipped sector: jump past it */
				pos = end_of(plan->erase[s].address, plan->erase[s].size);
				continue;
			}
			for (size_t k = 0; k < plan->n_erase; k++)
				if (skip[k] && plan->erase[k].address > pos &&
				    plan->erase[k].address < stop)
					stop = plan->erase[k].address;
			runs[n++] = (struct stdfu_plan_run){(uint32_t)pos, (uint32_t)(stop - pos),
							    r->data + (pos - r->address)};
			bytes += stop - pos;
			pos = stop;
		}
	}
	*out_runs = runs;
	*out_n = n;
	*out_bytes = bytes;
	return STDFU_OK;
}

static void drop_sectors(struct stdfu_plan *plan, const bool *skip)
{
	size_t n = 0;

	plan->erase_bytes = 0;
	for (size_t i = 0; i < plan->n_erase; i++) {
		if (skip[i])
			continue;
		plan->erase[n++] = plan->erase[i];
		if (plan->erase[i].action == STDFU_SECTOR_ERASE)
			plan->erase_bytes += plan->erase[i].size;
	}
	plan->n_erase = n;
}

int stdfu_incremental_filter(struct stdfu_plan *plan, stdfu_incremental_read_fn read, void *user,
			     struct stdfu_incremental_stats *st)
{
	struct stdfu_incremental_stats local = {0};
	struct stdfu_plan_run *runs = NULL;
	uint64_t bytes = 0;
	size_t n = 0;
	bool *skip;
	int rc = STDFU_OK;

	if (!plan || !read)
		return stdfu__fail(STDFU_ERR_ARG, "stdfu_incremental_filter: NULL argument");
	local.sectors = plan->n_erase;
	skip = calloc(plan->n_erase + 1, sizeof(*skip));
	if (!skip)
		return stdfu__fail(STDFU_ERR_NOMEM, "out of memory filtering the plan");
	/* The plan's sectors are ascending: read each run of adjacent ones at once. */
	for (size_t first = 0, last; first < plan->n_erase && !rc; first = last + 1) {
		last = first;
		while (last + 1 < plan->n_erase &&
		       end_of(plan->erase[last].address, plan->erase[last].size) ==
			       plan->erase[last + 1].address)
			last++;
		rc = check_span(plan, first, last, read, user, skip, &local);
	}
	if (!rc)
		rc = cut_runs(plan, skip, &runs, &n, &bytes);
	if (rc) {
		free(skip);
		return rc;
	}
	for (size_t i = 0; i < plan->n_erase; i++)
		local.sectors_skipped += skip[i];
	local.bytes_skipped = plan->write_bytes - bytes;
	drop_sectors(plan, skip);
	free(plan->runs);
	plan->runs = runs;
	plan->n_runs = n;
	plan->write_bytes = bytes;
	free(skip);
	if (st)
		*st = local;
	return STDFU_OK;
}
