/* SPDX-License-Identifier: MIT */
/*
 * Round trips with files from real toolchains (run by roundtrip.sh, which
 * builds fw/fw.c with arm-none-eabi-gcc and makes the other files with
 * objcopy, dfuse-pack and dfu-suffix):
 *
 *   check DIR
 *     fw.elf is the reference. fw.hex, fw.srec (objcopy) and fw_pack.dfu
 *     (dfuse-pack -s) load to exactly its segments. fw.bin (objcopy -O
 *     binary, gaps filled with 0) equals our bin writer with fill 0, and
 *     fw_suffix.bin (dfu-suffix) loads to the same bytes with its IDs.
 *     Then `convert` semantics: every pair of formats bin/hex/srec/dfu.
 *
 * Prints what differs and exits 1 on the first failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdfu/image.h>

static const char *dir;
static int failures;

#define CHECK(cond, ...)                                                     \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);                        \
			fputc('\n', stderr);                                 \
			failures++;                                          \
			return -1;                                           \
		}                                                            \
	} while (0)

static char *path(const char *name)
{
	static char buf[8][4096];
	static int n;
	char *p = buf[n++ % 8];

	snprintf(p, sizeof(buf[0]), "%s/%s", dir, name);
	return p;
}

static struct stdfu_image *load(const char *name, bool raw, uint32_t addr)
{
	struct stdfu_image_load_opts o = {.raw_address_set = raw, .raw_address = addr};
	struct stdfu_image *img = NULL;

	if (stdfu_image_load(path(name), &o, &img) < 0) {
		fprintf(stderr, "FAIL: load %s: %s\n", name, stdfu_error_detail());
		failures++;
		exit(1);
	}
	return img;
}

static int same_segments(const char *what, const struct stdfu_image *a, const struct stdfu_image *b)
{
	CHECK(a->count == b->count, "%s: %zu segments, expected %zu", what, b->count, a->count);
	for (size_t i = 0; i < a->count; i++) {
		const struct stdfu_segment *x = &a->segments[i], *y = &b->segments[i];

		CHECK(x->address == y->address && x->size == y->size && x->alt == y->alt,
		      "%s: segment %zu is 0x%08x+%u alt %u, expected 0x%08x+%u alt %u", what, i,
		      y->address, y->size, y->alt, x->address, x->size, x->alt);
		CHECK(memcmp(x->data, y->data, x->size) == 0, "%s: segment %zu data differs", what,
		      i);
	}
	return 0;
}

static uint8_t *slurp(const char *name, size_t *len)
{
	FILE *f = fopen(path(name), "rb");
	uint8_t *buf;
	long n;

	if (!f || fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0) {
		fprintf(stderr, "FAIL: cannot read %s\n", name);
		exit(1);
	}
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		exit(1);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static int save(const struct stdfu_image *img, const char *name, uint8_t fill)
{
	struct stdfu_image_save_opts o = {
		.vid = 0x0483, .pid = 0xdf11, .bcd_device = 0x2200, .fill = fill};

	CHECK(stdfu_image_save(img, path(name), &o) == 0, "save %s: %s", name,
	      stdfu_error_detail());
	return 0;
}

/* The image as one flat span with gaps filled: what a .bin of it holds. */
static struct stdfu_image *flatten(const struct stdfu_image *ref, uint8_t fill)
{
	struct stdfu_image *img;

	if (save(ref, "flat.bin", fill) < 0)
		exit(1);
	img = load("flat.bin", true, ref->segments[0].address);
	return img;
}

static int check_toolchain_files(const struct stdfu_image *ref)
{
	static const char *same[] = {"fw.hex", "fw.srec", "fw_pack.dfu"};
	struct stdfu_image *img;
	uint8_t *objbin, *ours;
	size_t objlen, ourlen;

	CHECK(ref->count >= 2, "fw.elf has %zu segments; the test needs a gap", ref->count);
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		img = load(same[i], false, 0);
		if (same_segments(same[i], ref, img) < 0)
			return -1;
		stdfu_image_free(img);
	}

	/* objcopy -O binary fills gaps with 0: our bin writer with fill 0 is byte-identical. */
	if (save(ref, "ours0.bin", 0x00) < 0)
		return -1;
	objbin = slurp("fw.bin", &objlen);
	ours = slurp("ours0.bin", &ourlen);
	CHECK(objlen == ourlen && memcmp(objbin, ours, objlen) == 0,
	      "our bin (fill 0, %zu bytes) differs from objcopy's (%zu bytes)", ourlen, objlen);
	free(ours);

	/* With fill 0xFF the bytes of every segment are still objcopy's; the gaps are 0xFF. */
	if (save(ref, "oursff.bin", 0xFF) < 0)
		return -1;
	ours = slurp("oursff.bin", &ourlen);
	CHECK(ourlen == objlen, "fill 0xFF changed the size");
	for (size_t i = 0, s = 0; i < ourlen; i++) {
		uint32_t a = ref->segments[0].address + (uint32_t)i;

		while (s < ref->count && a >= ref->segments[s].address + ref->segments[s].size)
			s++;
		bool in = s < ref->count && a >= ref->segments[s].address;
		CHECK(in ? ours[i] == objbin[i] : ours[i] == 0xFF,
		      "oursff.bin: byte 0x%zx is 0x%02x", i, ours[i]);
	}
	free(ours);

	/* The raw objcopy binary, placed at the first address, holds the same bytes. */
	img = load("fw.bin", true, ref->segments[0].address);
	CHECK(img->count == 1 && img->segments[0].size == objlen &&
		      memcmp(img->segments[0].data, objbin, objlen) == 0,
	      "fw.bin loaded differently");
	CHECK(!img->has_suffix, "fw.bin has no suffix");
	stdfu_image_free(img);

	/* dfu-suffix -v 0483 -p df11 -d 0x0200: checked, stripped, IDs recorded. */
	img = load("fw_suffix.bin", true, ref->segments[0].address);
	CHECK(img->has_suffix && img->suffix_vid == 0x0483 && img->suffix_pid == 0xdf11 &&
		      img->suffix_bcd_device == 0x0200 && img->suffix_bcd_dfu == 0x0100,
	      "fw_suffix.bin: suffix %d %04x:%04x bcd %04x dfu %04x", img->has_suffix,
	      img->suffix_vid, img->suffix_pid, img->suffix_bcd_device, img->suffix_bcd_dfu);
	CHECK(img->count == 1 && img->segments[0].size == objlen &&
		      memcmp(img->segments[0].data, objbin, objlen) == 0,
	      "fw_suffix.bin: data differs from fw.bin");
	stdfu_image_free(img);
	free(objbin);
	return 0;
}

static const char *const exts[] = {"bin", "hex", "srec", "dfu"};
#define NEXT (sizeof(exts) / sizeof(exts[0]))

/*
 * `stdfu convert` semantics. hex, srec and dfu keep the segments exactly.
 * bin keeps no addresses: it is the span from the lowest to the highest
 * address, gaps filled (0xFF), and reads back at the address the user gives
 * (here the lowest). So X -> Y loads to ref, or to flat if X or Y is bin.
 */
static int check_convert(const struct stdfu_image *ref)
{
	uint32_t base = ref->segments[0].address;
	struct stdfu_image *flat = flatten(ref, 0xFF);
	char a[64], b[64];

	for (size_t i = 0; i < NEXT; i++) {
		snprintf(a, sizeof(a), "conv.%s", exts[i]);
		if (save(ref, a, 0xFF) < 0)
			return -1;
	}
	for (size_t i = 0; i < NEXT; i++) {
		struct stdfu_image *in =
			load((snprintf(a, sizeof(a), "conv.%s", exts[i]), a), i == 0, base);

		for (size_t j = 0; j < NEXT; j++) {
			struct stdfu_image *out;
			uint8_t *x, *y;
			size_t xl, yl;

			snprintf(b, sizeof(b), "conv_%s_to.%s", exts[i], exts[j]);
			if (save(in, b, 0xFF) < 0)
				return -1;
			out = load(b, j == 0, base);
			if (same_segments(b, (i == 0 || j == 0) ? flat : ref, out) < 0)
				return -1;
			stdfu_image_free(out);
			/* Same output format, same data: the same file, byte for byte. */
			if (i == 0 || j == 0)
				continue;
			snprintf(a, sizeof(a), "conv.%s", exts[j]);
			x = slurp(a, &xl);
			y = slurp(b, &yl);
			CHECK(xl == yl && memcmp(x, y, xl) == 0, "%s differs from %s", b, a);
			free(x);
			free(y);
		}
		stdfu_image_free(in);
	}
	stdfu_image_free(flat);
	return 0;
}

/* 32 data bytes per record reads back the same. */
static int check_line_bytes(const struct stdfu_image *ref)
{
	struct stdfu_image_save_opts o = {.fill = 0xFF, .line_bytes = 32};
	struct stdfu_image *img;

	CHECK(stdfu_image_save(ref, path("wide.hex"), &o) == 0, "wide.hex: %s",
	      stdfu_error_detail());
	CHECK(stdfu_image_save(ref, path("wide.srec"), &o) == 0, "wide.srec: %s",
	      stdfu_error_detail());
	img = load("wide.hex", false, 0);
	if (same_segments("wide.hex", ref, img) < 0)
		return -1;
	stdfu_image_free(img);
	img = load("wide.srec", false, 0);
	if (same_segments("wide.srec", ref, img) < 0)
		return -1;
	stdfu_image_free(img);
	return 0;
}

int main(int argc, char **argv)
{
	struct stdfu_image *ref;

	if (argc != 3 || strcmp(argv[1], "check") != 0) {
		fprintf(stderr, "usage: %s check DIR\n", argv[0]);
		return 2;
	}
	dir = argv[2];
	ref = load("fw.elf", false, 0);
	for (size_t i = 0; i < ref->count; i++)
		printf("fw.elf segment %zu: 0x%08x, %u bytes\n", i, ref->segments[i].address,
		       ref->segments[i].size);
	check_toolchain_files(ref);
	check_convert(ref);
	check_line_bytes(ref);
	stdfu_image_free(ref);
	if (failures)
		return 1;
	printf("round trips: all formats agree to the byte\n");
	return 0;
}
