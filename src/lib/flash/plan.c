/* SPDX-License-Identifier: MIT */
/*
 * The flash plan. Sectors may have unequal sizes (F4: 16K,16K,16K,16K,64K,
 * 128K...), so sector boundaries always come from the layout, never from
 * address arithmetic with one page size (the mistake docs/peers.md notes in
 * dfu-util).
 */
#include <stdlib.h>
#include <string.h>

#include <stdfu/plan.h>

#include "common/error_internal.h"
#include "flash/place.h"
#include "usb/device_internal.h"

static int add_erase(struct stdfu_plan *p, const struct stdfu_sector *s, size_t *cap)
{
	if (p->n_erase && p->erase[p->n_erase - 1].address == s->start)
		return STDFU_OK; /* segments come sorted, so a repeat is the last one */
	if (p->n_erase == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct stdfu_plan_erase *e = realloc(p->erase, ncap * sizeof(*e));

		if (!e)
			return stdfu__fail(STDFU_ERR_NOMEM, "out of memory planning the erase");
		p->erase = e;
		*cap = ncap;
	}
	p->erase[p->n_erase] = (struct stdfu_plan_erase){
		.address = s->start, .size = s->size, .action = STDFU_SECTOR_ERASE};
	p->n_erase++;
	p->erase_bytes += s->size;
	return STDFU_OK;
}

const char *stdfu_sector_action_name(enum stdfu_sector_action action)
{
	switch (action) {
	case STDFU_SECTOR_ERASE:
		return "erased";
	case STDFU_SECTOR_BLANK:
		return "skipped-blank";
	case STDFU_SECTOR_FALLBACK:
		return "fallback";
	case STDFU_SECTOR_UNCHANGED:
		return "unchanged";
	}
	return "unknown";
}

bool stdfu_plan_is_blank(const uint8_t *dev, size_t len)
{
	/* 0xFF on every STM32 family (STDFU_ERASED_BYTE of incremental.h) */
	for (size_t i = 0; i < len; i++)
		if (dev[i] != 0xFFu)
			return false;
	return true;
}

static int not_in_map(const struct stdfu_layout *l, uint32_t addr)
{
	uint64_t end = (uint64_t)stdfu_layout_start(l) + stdfu_layout_bytes(l);

	return stdfu__fail(STDFU_ERR_ADDRESS,
			   "address 0x%08x is outside the memory of \"%s\" (0x%08x..0x%08llx)",
			   addr, l->name, stdfu_layout_start(l),
			   (unsigned long long)(end ? end - 1 : 0));
}

/* The data starts inside the memory but runs off its end (or into a gap). */
static int too_large(const struct stdfu_layout *l, uint32_t addr, uint32_t size, uint64_t pos)
{
	return stdfu__fail(STDFU_ERR_FIT,
			   "the image does not fit: %u bytes at 0x%08x run past the memory of "
			   "\"%s\" at 0x%08llx (%llu bytes too many)",
			   size, addr, l->name, (unsigned long long)pos,
			   (unsigned long long)((uint64_t)addr + size - pos));
}

/* Walk the sectors of [addr, addr+size): all must be writable. */
static int plan_segment(struct stdfu_plan *p, const struct stdfu_layout *l, uint32_t addr,
			uint32_t size, size_t *cap)
{
	uint64_t pos = addr, end = (uint64_t)addr + size;

	while (pos < end) {
		struct stdfu_sector s;

		if (stdfu_layout_sector_at(l, (uint32_t)pos, &s))
			return pos == addr ? not_in_map(l, addr) : too_large(l, addr, size, pos);
		if (!(s.flags & STDFU_MEM_WRITABLE))
			return stdfu__fail(STDFU_ERR_FIT,
					   "address 0x%08llx is in a sector of \"%s\" that is not "
					   "writable (0x%08x, %u bytes)",
					   (unsigned long long)pos, l->name, s.start, s.size);
		if (s.flags & STDFU_MEM_ERASABLE) {
			int rc = add_erase(p, &s, cap);
			if (rc)
				return rc;
		}
		pos = (uint64_t)s.start + s.size;
	}
	return STDFU_OK;
}

static size_t count_runs(const struct stdfu_image *img, uint8_t alt, size_t *merged_bytes)
{
	const struct stdfu_segment *prev = NULL;
	size_t n = 0;

	*merged_bytes = 0;
	for (size_t i = 0; i < img->count; i++) {
		const struct stdfu_segment *s = &img->segments[i];

		if (s->alt != alt)
			continue;
		if (prev && (uint64_t)prev->address + prev->size == s->address)
			*merged_bytes += s->size;
		else
			n++;
		prev = s;
	}
	return n;
}

/* Adjacent segments become one run so that one Set Address covers them. */
static int build_runs(struct stdfu_plan *p, const struct stdfu_image *img, uint8_t alt)
{
	size_t merged_bytes, nruns = count_runs(img, alt, &merged_bytes);
	uint8_t *store = NULL;
	size_t used = 0;

	p->runs = calloc(nruns ? nruns : 1, sizeof(*p->runs));
	if (!p->runs)
		return stdfu__fail(STDFU_ERR_NOMEM, "out of memory planning the write");
	if (merged_bytes) {
		/* Worst case every byte of the image for this alt is copied. */
		p->merged = malloc((size_t)stdfu_image_bytes(img));
		if (!p->merged)
			return stdfu__fail(STDFU_ERR_NOMEM, "out of memory merging segments");
		store = p->merged;
	}
	for (size_t i = 0; i < img->count; i++) {
		const struct stdfu_segment *s = &img->segments[i];
		struct stdfu_plan_run *r = p->n_runs ? &p->runs[p->n_runs - 1] : NULL;

		if (s->alt != alt)
			continue;
		if (r && (uint64_t)r->address + r->size == s->address) {
			if (r->data < store || r->data >= store + used) {
				memcpy(store + used, r->data, r->size);
				r->data = store + used;
				used += r->size;
			}
			memcpy(store + used, s->data, s->size);
			used += s->size;
			r->size += s->size;
		} else {
			p->runs[p->n_runs++] =
				(struct stdfu_plan_run){s->address, s->size, s->data};
		}
		p->write_bytes += s->size;
	}
	return STDFU_OK;
}

int stdfu_plan_build(const struct stdfu_image *img, uint8_t alt, const struct stdfu_layout *layout,
		     struct stdfu_plan **out)
{
	struct stdfu_plan *p;
	size_t cap = 0;
	int rc = STDFU_OK;

	if (!img || !layout || !out)
		return stdfu__fail(STDFU_ERR_ARG, "stdfu_plan_build: NULL argument");
	*out = NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return stdfu__fail(STDFU_ERR_NOMEM, "out of memory planning");
	p->alt = alt;
	for (size_t i = 0; i < img->count && !rc; i++) {
		const struct stdfu_segment *s = &img->segments[i];

		if (s->alt == alt && s->size)
			rc = plan_segment(p, layout, s->address, s->size, &cap);
	}
	if (!rc)
		rc = build_runs(p, img, alt);
	if (!rc && p->n_runs == 0)
		rc = stdfu__fail(STDFU_ERR_IMAGE, "the image has no data for alt %u", alt);
	if (rc) {
		stdfu_plan_free(p);
		return rc;
	}
	*out = p;
	return STDFU_OK;
}

int stdfu_plan_erase_range(const struct stdfu_layout *layout, uint32_t address, uint32_t length,
			   struct stdfu_plan **out)
{
	uint64_t pos = address, end = (uint64_t)address + length;
	struct stdfu_plan *p;
	size_t cap = 0;
	int rc = STDFU_OK;

	if (!layout || !out || length == 0)
		return stdfu__fail(STDFU_ERR_ARG, "erase range: empty or NULL");
	*out = NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return stdfu__fail(STDFU_ERR_NOMEM, "out of memory planning");
	while (pos < end && !rc) {
		struct stdfu_sector s;

		if (stdfu_layout_sector_at(layout, (uint32_t)pos, &s)) {
			rc = not_in_map(layout, (uint32_t)pos);
			break;
		}
		if (!(s.flags & STDFU_MEM_ERASABLE))
			rc = stdfu__fail(STDFU_ERR_FIT,
					 "address 0x%08x is in a sector of \"%s\" that is not "
					 "erasable",
					 s.start, layout->name);
		else
			rc = add_erase(p, &s, &cap);
		pos = (uint64_t)s.start + s.size;
	}
	if (rc) {
		stdfu_plan_free(p);
		return rc;
	}
	*out = p;
	return STDFU_OK;
}

void stdfu_plan_free(struct stdfu_plan *plan)
{
	if (!plan)
		return;
	free(plan->erase);
	free(plan->runs);
	free(plan->merged);
	free(plan);
}

/* ---- the plan of a whole image ------------------------------------------ */

uint32_t stdfu__flash_base(const struct stdfu_device_info *info)
{
	const struct stdfu_alt *alt = stdfu_device_flash_alt(info);

	return alt ? stdfu_layout_start(&alt->layout) : 0x08000000u;
}

const struct stdfu_image *stdfu__image_placed(const struct stdfu_device_info *info,
					      const struct stdfu_image *img,
					      struct stdfu_image *view, struct stdfu_segment *seg)
{
	if (!img->at_flash_base || img->count != 1)
		return img;
	*view = *img;
	*seg = img->segments[0];
	seg->address = stdfu__flash_base(info);
	view->segments = seg;
	return view;
}

/* Where a flash leaves DFU: the image's first address in the flash alt, else its start. */
static uint32_t leave_address(const struct stdfu_device_info *info, const struct stdfu_image *img)
{
	const struct stdfu_alt *alt = stdfu_device_flash_alt(info);

	for (size_t i = 0; alt && i < img->count; i++)
		if (img->segments[i].alt == alt->number)
			return img->segments[i].address;
	return stdfu__flash_base(info);
}

/* Segments are sorted by (alt, address): one plan per alt, in order. */
/* The alt exists but its layout string is unreadable: a protocol error, not a fit. */
static int broken_layout(const struct stdfu_device_info *info, uint8_t altno)
{
	for (size_t a = 0; a < info->n_alts; a++) {
		const struct stdfu_alt *alt = &info->alts[a];

		if (alt->number != altno || alt->layout_ok)
			continue;
		return stdfu__fail(
			STDFU_ERR_PROTOCOL,
			"device %s: the memory layout of alt %u is %s (string \"%.60s\")",
			info->path, altno, alt->layout_problem[0] ? alt->layout_problem : "missing",
			alt->string);
	}
	return STDFU_OK;
}

static int plan_alts(struct stdfu_flash_plan *fp, const struct stdfu_device_info *info,
		     const struct stdfu_image *img)
{
	for (size_t i = 0; i < img->count; i++) {
		uint8_t altno = img->segments[i].alt;
		const struct stdfu_alt *alt;
		int rc;

		if (fp->n_alts && fp->alts[fp->n_alts - 1]->alt == altno)
			continue;
		if (fp->n_alts == STDFU_MAX_ALTS)
			return stdfu__fail(STDFU_ERR_IMAGE, "the image targets too many alts");
		alt = stdfu__alt_by_number(info, altno);
		if (!alt && broken_layout(info, altno))
			return broken_layout(info, altno);
		if (!alt)
			return stdfu__fail(STDFU_ERR_FIT,
					   "the image has data for alt %u, but device %s has no "
					   "memory layout for that alt",
					   altno, info->path);
		rc = stdfu_plan_build(img, altno, &alt->layout, &fp->alts[fp->n_alts]);
		if (rc)
			return rc;
		fp->n_alts++;
	}
	return STDFU_OK;
}

int stdfu_flash_plan_build(const struct stdfu_device_info *info, const struct stdfu_image *img,
			   struct stdfu_flash_plan **out)
{
	struct stdfu_segment seg;
	struct stdfu_image view;
	struct stdfu_flash_plan *fp;
	int rc;

	if (!info || !img || !out)
		return stdfu__fail(STDFU_ERR_ARG, "stdfu_flash_plan_build: NULL argument");
	*out = NULL;
	if (!img->count)
		return stdfu__fail(STDFU_ERR_IMAGE, "the image is empty");
	/* A layout the device failed to give is its fault, not the image's size. */
	rc = stdfu_device_check_layouts(info);
	if (rc)
		return rc;
	fp = calloc(1, sizeof(*fp));
	if (!fp)
		return stdfu__fail(STDFU_ERR_NOMEM, "out of memory planning");
	img = stdfu__image_placed(info, img, &view, &seg);
	rc = plan_alts(fp, info, img);
	if (rc) {
		stdfu_flash_plan_free(fp);
		return rc;
	}
	fp->leave_address = leave_address(info, img);
	*out = fp;
	return STDFU_OK;
}

uint64_t stdfu_flash_plan_erase_bytes(const struct stdfu_flash_plan *plan)
{
	uint64_t n = 0;

	for (size_t i = 0; plan && i < plan->n_alts; i++)
		n += plan->alts[i]->erase_bytes;
	return n;
}

uint64_t stdfu_flash_plan_write_bytes(const struct stdfu_flash_plan *plan)
{
	uint64_t n = 0;

	for (size_t i = 0; plan && i < plan->n_alts; i++)
		n += plan->alts[i]->write_bytes;
	return n;
}

void stdfu_flash_plan_free(struct stdfu_flash_plan *plan)
{
	if (!plan)
		return;
	for (size_t i = 0; i < plan->n_alts; i++)
		stdfu_plan_free(plan->alts[i]);
	free(plan);
}
