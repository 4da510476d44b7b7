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
		return stdfu_fail(STDFU_ERR_ARG, "incremental: span at 0x%08x too large", base);
	buf = malloc((size_t)len);
	if (!buf)
		return stdfu_fail(STDFU_ERR_NOMEM, "out of memory reading back %llu bytes",
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
		return stdfu_fail(STDFU_ERR_NOMEM, "out of memory filtering the plan");
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
		return stdfu_fail(STDFU_ERR_ARG, "stdfu_incremental_filter: NULL argument");
	local.sectors = plan->n_erase;
	skip = calloc(plan->n_erase + 1, sizeof(*skip));
	if (!skip)
		return stdfu_fail(STDFU_ERR_NOMEM, "out of memory filtering the plan");
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

/* ---- stdfu_flash_incremental: the filter on a real device --------------- */

struct reader {
	struct stdfu_device *dev;
	uint8_t alt;
	const struct stdfu_flash_opts *opts;
	struct stdfu_result *res;
};

static void add_result(struct stdfu_result *sum, const struct stdfu_result *r)
{
	for (int p = 0; p < STDFU_PHASE__COUNT; p++) {
		sum->phase[p].ns += r->phase[p].ns;
		sum->phase[p].bytes += r->phase[p].bytes;
		sum->phase[p].transfers += r->phase[p].transfers;
	}
	sum->ns += r->ns;
	sum->transfers += r->transfers;
	if (r->fail_address)
		sum->fail_address = r->fail_address;
}

static int device_read(void *user, uint32_t address, uint8_t *buf, uint32_t len)
{
	struct reader *rd = user;
	struct stdfu_result r;
	int rc = stdfu_read(rd->dev, rd->alt, address, len, buf, rd->opts, &r);

	add_result(rd->res, &r);
	return rc;
}

/* Where a full flash leaves DFU (as stdfu_flash): the image's first address
 * in the flash alt, else the start of that alt. */
static uint32_t leave_address(const struct stdfu_device_info *info, const struct stdfu_image *img,
			      const struct stdfu_flash_opts *opts)
{
	const struct stdfu_alt *alt = stdfu_device_flash_alt(info);

	if (opts->leave_address_set)
		return opts->leave_address;
	for (size_t i = 0; alt && i < img->count; i++)
		if (img->segments[i].alt == alt->number)
			return img->segments[i].address;
	return alt ? stdfu_layout_start(&alt->layout) : 0x08000000u;
}

static const struct stdfu_alt *alt_of(const struct stdfu_device_info *info, uint8_t number)
{
	for (size_t a = 0; a < info->n_alts; a++)
		if (info->alts[a].number == number && info->alts[a].layout_ok)
			return &info->alts[a];
	return NULL;
}

struct leftover {
	struct stdfu_segment *segs;
	size_t n;
};

/* Filter the plan of one alt and append the runs that are left to @left. */
static int filter_alt(struct stdfu_device *dev, const struct stdfu_image *img, uint8_t altno,
		      struct reader *rd, struct stdfu_plan **plan, struct leftover *left,
		      struct stdfu_incremental_stats *st)
{
	const struct stdfu_alt *alt = alt_of(stdfu_device_get_info(dev), altno);
	struct stdfu_incremental_stats one;
	struct stdfu_segment *segs;
	int rc;

	if (!alt)
		return stdfu_fail(
			STDFU_ERR_FIT,
			"the image has data for alt %u, but device %s has no memory layout "
			"for that alt",
			altno, stdfu_device_get_info(dev)->path);
	rc = stdfu_plan_build(img, altno, &alt->layout, plan);
	if (rc)
		return rc;
	rd->alt = altno;
	rc = stdfu_incremental_filter(*plan, device_read, rd, &one);
	if (rc)
		return rc;
	segs = realloc(left->segs, (left->n + (*plan)->n_runs + 1) * sizeof(*segs));
	if (!segs)
		return stdfu_fail(STDFU_ERR_NOMEM, "out of memory filtering the plan");
	left->segs = segs;
	for (size_t r = 0; r < (*plan)->n_runs; r++) {
		const struct stdfu_plan_run *run = &(*plan)->runs[r];

		/* The image API has no const segments; stdfu_flash only reads them. */
		segs[left->n++] = (struct stdfu_segment){run->address, run->size,
							 (uint8_t *)(uintptr_t)run->data, altno};
	}
	st->sectors += one.sectors;
	st->sectors_skipped += one.sectors_skipped;
	st->bytes_read += one.bytes_read;
	st->bytes_skipped += one.bytes_skipped;
	return STDFU_OK;
}

/* Erase, write and verify what is left, then leave; or only leave. */
static int flash_left(struct stdfu_device *dev, const struct stdfu_image *img,
		      const struct leftover *left, const struct stdfu_flash_opts *opts,
		      struct stdfu_result *res)
{
	struct stdfu_flash_opts o = *opts;
	struct stdfu_image sub = *img;
	struct stdfu_result r;
	int rc;

	o.leave_address_set = true;
	o.leave_address = leave_address(stdfu_device_get_info(dev), img, opts);
	o.force = true; /* the suffix was checked against the whole image */
	if (left->n) {
		sub.count = left->n;
		sub.segments = left->segs;
		rc = stdfu_flash(dev, &sub, &o, &r);
	} else if (!o.no_leave) {
		rc = stdfu_leave(dev, o.leave_address, &o, &r);
	} else {
		return STDFU_OK;
	}
	add_result(res, &r);
	return rc;
}

int stdfu_flash_incremental(struct stdfu_device *dev, const struct stdfu_image *img,
			    const struct stdfu_flash_opts *opts, struct stdfu_result *res,
			    struct stdfu_incremental_stats *st)
{
	static const struct stdfu_flash_opts defaults;
	struct stdfu_incremental_stats local = {0};
	struct stdfu_plan *plans[STDFU_MAX_ALTS] = {0};
	struct reader rd = {dev, 0, opts ? opts : &defaults, res};
	struct leftover left = {NULL, 0};
	size_t nplans = 0;
	int rc = STDFU_OK;

	if (!dev || !img || !res)
		return stdfu_fail(STDFU_ERR_ARG, "stdfu_flash_incremental: NULL argument");
	memset(res, 0, sizeof(*res));
	if (!img->count)
		return stdfu_fail(STDFU_ERR_IMAGE, "the image is empty");
	if (!rd.opts->force)
		rc = stdfu_image_check_suffix(img, stdfu_device_get_info(dev));
	/* Segments are sorted by (alt, address): one plan per alt, in order. */
	for (size_t i = 0; i < img->count && !rc; i++) {
		uint8_t altno = img->segments[i].alt;

		if (nplans && plans[nplans - 1]->alt == altno)
			continue;
		if (nplans == STDFU_MAX_ALTS) {
			rc = stdfu_fail(STDFU_ERR_IMAGE, "the image targets too many alts");
			break;
		}
		rc = filter_alt(dev, img, altno, &rd, &plans[nplans], &left, &local);
		if (plans[nplans])
			nplans++;
	}
	if (!rc)
		rc = flash_left(dev, img, &left, rd.opts, res);
	if (st)
		*st = local;
	free(left.segs);
	for (size_t i = 0; i < nplans; i++)
		stdfu_plan_free(plans[i]);
	return rc;
}
