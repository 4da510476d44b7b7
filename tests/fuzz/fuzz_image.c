/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the image readers; FUZZ_FORMAT picks the reader
 * (STDFU_FORMAT_AUTO: detection, as `stdfu flash FILE` uses it).
 *
 * Beyond "no crash, no leak, no UB" it checks the model's promises on
 * every accepted input: segments sorted by (alt, address), non-empty,
 * non-overlapping, merged when adjacent, ends inside 4 GiB; and that each
 * writer's output reads back to the same segments.
 */
#include <stdlib.h>
#include <string.h>

#include <stdfu/image.h>

#include "image/build.h"
#include "image/formats.h"

#ifndef FUZZ_FORMAT
#define FUZZ_FORMAT STDFU_FORMAT_AUTO
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUIRE(c)               \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

static void check_model(const struct stdfu_image *img)
{
	REQUIRE(img->count > 0);
	for (size_t i = 0; i < img->count; i++) {
		const struct stdfu_segment *s = &img->segments[i], *p = s - 1;

		REQUIRE(s->size > 0 && s->data);
		REQUIRE((uint64_t)s->address + s->size <= UINT32_MAX);
		if (i == 0)
			continue;
		REQUIRE(p->alt <= s->alt);
		if (p->alt == s->alt)
			REQUIRE((uint64_t)p->address + p->size <
				s->address); /* gap, not adjacent */
	}
}

static bool same(const struct stdfu_image *a, const struct stdfu_image *b)
{
	if (a->count != b->count)
		return false;
	for (size_t i = 0; i < a->count; i++) {
		const struct stdfu_segment *x = &a->segments[i], *y = &b->segments[i];

		if (x->address != y->address || x->size != y->size || x->alt != y->alt ||
		    memcmp(x->data, y->data, x->size) != 0)
			return false;
	}
	return true;
}

typedef int (*writer_fn)(const struct stdfu_image *, const struct stdfu_image_save_opts *,
			 const char *, uint8_t **, size_t *);

static void round_trip(const struct stdfu_image *img, writer_fn w, enum stdfu_image_format f)
{
	struct stdfu_image_save_opts so = {.vid = 0x0483, .pid = 0xdf11, .fill = 0xFF};
	struct stdfu_image_load_opts lo = {.format = f};
	struct stdfu_image *back = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;

	if (w(img, &so, "out", &buf, &len) != 0)
		return; /* e.g. alt != 0 for hex: refused, not a bug */
	REQUIRE(stdfu_image_load_mem(buf, len, "out", &lo, &back) == 0);
	REQUIRE(same(img, back));
	stdfu_image_free(back);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stdfu_image_load_opts o = {.format = FUZZ_FORMAT, .max_size = 4u << 20};
	struct stdfu_image *img = NULL;

	if (stdfu_image_load_mem(data, size, "fuzz", &o, &img) != 0) {
		REQUIRE(img == NULL);
		REQUIRE(stdfu_error_detail()[0] != '\0'); /* every failure says why */
		return 0;
	}
	check_model(img);
	if (stdfu_image_bytes(img) <= 4096) { /* keep executions fast */
		round_trip(img, stdfu__image_write_ihex, STDFU_FORMAT_IHEX);
		round_trip(img, stdfu__image_write_srec, STDFU_FORMAT_SREC);
		round_trip(img, stdfu__image_write_dfuse, STDFU_FORMAT_DFUSE);
	}
	stdfu_image_free(img);
	return 0;
}
