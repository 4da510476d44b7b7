/* SPDX-License-Identifier: MIT */
/*
 * The image model: one sorted, non-overlapping segment list for every
 * format. Allocations are bounded by max_size and by the real length of the
 * input, never by a length field read from it.
 */
#include <stdlib.h>
#include <string.h>

#include "common/error_internal.h"
#include "image/build.h"

int stdfu__img_build_init(struct img_build *b, const char *name,
			  const struct stdfu_image_load_opts *opts, enum stdfu_image_format fmt)
{
	memset(b, 0, sizeof(*b));
	b->img = calloc(1, sizeof(*b->img));
	if (!b->img)
		return stdfu__fail(STDFU_ERR_NOMEM, "%s: out of memory", name);
	b->img->format = fmt;
	b->name = name;
	b->max_size = opts && opts->max_size ? opts->max_size : IMG_DEFAULT_MAX_SIZE;
	return STDFU_OK;
}

void stdfu__img_build_abort(struct img_build *b)
{
	stdfu_image_free(b->img);
	b->img = NULL;
}

static int grow_segments(struct img_build *b, const char *where)
{
	size_t ncap = b->cap ? b->cap * 2 : 16;
	struct stdfu_segment *s;

	s = realloc(b->img->segments, ncap * sizeof(*s));
	if (!s)
		return stdfu__fail(STDFU_ERR_NOMEM, "%s: out of memory", where);
	b->img->segments = s;
	b->cap = ncap;
	return STDFU_OK;
}

static int extend_last(struct img_build *b, const uint8_t *data, uint32_t len, const char *where)
{
	struct stdfu_segment *s = &b->img->segments[b->img->count - 1];
	size_t need = (size_t)s->size + len;

	if (need > b->seg_cap) {
		size_t ncap = b->seg_cap * 2 > need ? b->seg_cap * 2 : need;
		uint8_t *d;

		if (ncap > b->max_size)
			ncap = need;
		d = realloc(s->data, ncap);
		if (!d)
			return stdfu__fail(STDFU_ERR_NOMEM, "%s: out of memory", where);
		s->data = d;
		b->seg_cap = ncap;
	}
	memcpy(s->data + s->size, data, len);
	s->size += len;
	return STDFU_OK;
}

int stdfu__img_add(struct img_build *b, uint8_t alt, uint32_t addr, const uint8_t *data,
		   uint32_t len, const char *where)
{
	struct stdfu_image *img = b->img;
	struct stdfu_segment *last = img->count ? &img->segments[img->count - 1] : NULL;
	int rc;

	if (len == 0)
		return STDFU_OK;
	/* The end address must fit in 32 bits so that users can compute it. */
	if ((uint64_t)addr + len > UINT32_MAX)
		return stdfu__fail(
			STDFU_ERR_IMAGE,
			"%s: %u bytes at 0x%08x run past the end of the 4 GiB address space", where,
			len, addr);
	if (b->total + len > b->max_size)
		return stdfu__fail(STDFU_ERR_IMAGE, "%s: image holds more than %zu bytes of data",
				   where, b->max_size);
	b->total += len;

	if (last && last->alt == alt && (uint64_t)last->address + last->size == addr)
		return extend_last(b, data, len, where);

	if (img->count == b->cap && (rc = grow_segments(b, where)) < 0)
		return rc;
	last = &img->segments[img->count];
	last->data = malloc(len);
	if (!last->data)
		return stdfu__fail(STDFU_ERR_NOMEM, "%s: out of memory", where);
	memcpy(last->data, data, len);
	last->address = addr;
	last->size = len;
	last->alt = alt;
	img->count++;
	b->seg_cap = len;
	return STDFU_OK;
}

static int seg_cmp(const void *pa, const void *pb)
{
	const struct stdfu_segment *a = pa, *b = pb;

	if (a->alt != b->alt)
		return a->alt < b->alt ? -1 : 1;
	if (a->address != b->address)
		return a->address < b->address ? -1 : 1;
	return 0;
}

static uint32_t seg_last(const struct stdfu_segment *s)
{
	return s->address + s->size - 1;
}

/* Merge segments [first, end) which are known to be adjacent into segments[first]. */
static int merge_run(struct stdfu_image *img, size_t first, size_t end, const char *name)
{
	struct stdfu_segment *s = &img->segments[first];
	uint64_t total = 0;
	uint8_t *d;
	size_t i, off = 0;

	for (i = first; i < end; i++)
		total += img->segments[i].size;
	d = malloc(total);
	if (!d)
		return stdfu__fail(STDFU_ERR_NOMEM, "%s: out of memory", name);
	for (i = first; i < end; i++) {
		memcpy(d + off, img->segments[i].data, img->segments[i].size);
		off += img->segments[i].size;
		free(img->segments[i].data);
		img->segments[i].data = NULL;
	}
	s->data = d;
	s->size = (uint32_t)total;
	return STDFU_OK;
}

int stdfu__img_build_finish(struct img_build *b, struct stdfu_image **out)
{
	struct stdfu_image *img = b->img;
	size_t i, w = 0;

	if (img->count == 0) {
		stdfu__img_build_abort(b);
		return stdfu__fail(STDFU_ERR_IMAGE, "%s: no data in the image", b->name);
	}
	qsort(img->segments, img->count, sizeof(*img->segments), seg_cmp);
	for (i = 1; i < img->count; i++) {
		const struct stdfu_segment *p = &img->segments[i - 1], *c = &img->segments[i];

		if (p->alt == c->alt && seg_last(p) >= c->address) {
			int rc = stdfu__fail(
				STDFU_ERR_IMAGE,
				"%s: overlapping data: 0x%08x-0x%08x and 0x%08x-0x%08x", b->name,
				p->address, seg_last(p), c->address, seg_last(c));
			stdfu__img_build_abort(b);
			return rc;
		}
	}
	for (i = 0; i < img->count;) {
		size_t j = i + 1;
		int rc;

		while (j < img->count && img->segments[j].alt == img->segments[i].alt &&
		       seg_last(&img->segments[j - 1]) + 1 == img->segments[j].address)
			j++;
		if (j - i > 1 && (rc = merge_run(img, i, j, b->name)) < 0) {
			stdfu__img_build_abort(b);
			return rc;
		}
		img->segments[w++] = img->segments[i];
		i = j;
	}
	img->count = w;
	*out = img;
	b->img = NULL;
	return STDFU_OK;
}

void stdfu_image_free(struct stdfu_image *img)
{
	if (!img)
		return;
	for (size_t i = 0; i < img->count; i++)
		free(img->segments[i].data);
	free(img->segments);
	free(img);
}

uint64_t stdfu_image_bytes(const struct stdfu_image *img)
{
	uint64_t n = 0;

	if (!img)
		return 0;
	for (size_t i = 0; i < img->count; i++)
		n += img->segments[i].size;
	return n;
}
