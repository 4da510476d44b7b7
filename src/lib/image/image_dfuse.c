/* SPDX-License-Identifier: MIT */
/*
 * DfuSe files (ST UM0391): an 11-byte prefix, targets (one per alternate
 * setting, i.e. memory) made of elements (address, size, data), and the
 * DFU suffix, already checked and stripped by the caller.
 */
#include <stdio.h>
#include <string.h>

#include "common/error_internal.h"
#include "common/le.h"
#include "image/formats.h"
#include "image/suffix.h"

#define DFUSE_PREFIX_LEN 11u
#define DFUSE_TARGET_LEN 274u
#define DFUSE_ELEM_LEN	 8u

struct dfuse {
	struct img_build *b;
	const uint8_t *buf;
	size_t len, off;
};

static int dfuse_element(struct dfuse *d, unsigned t, uint8_t alt, uint32_t e, size_t tend)
{
	uint32_t addr, size;
	char where[300];

	if (tend - d->off < DFUSE_ELEM_LEN)
		return stdfu__fail(
			STDFU_ERR_IMAGE,
			"%s: offset 0x%zx: target %u element %u header runs past its target",
			d->b->name, d->off, t, e);
	addr = le_get32(d->buf + d->off);
	size = le_get32(d->buf + d->off + 4);
	d->off += DFUSE_ELEM_LEN;
	if (size > tend - d->off)
		return stdfu__fail(
			STDFU_ERR_IMAGE,
			"%s: offset 0x%zx: target %u element %u: dwElementSize 0x%x runs "
			"past the target (0x%zx bytes left)",
			d->b->name, d->off - 4, t, e, size, tend - d->off);
	snprintf(where, sizeof(where), "%s: offset 0x%zx: target %u element %u", d->b->name,
		 d->off - DFUSE_ELEM_LEN, t, e);
	d->off += size;
	return stdfu__img_add(d->b, alt, addr, d->buf + d->off - size, size, where);
}

static int dfuse_target(struct dfuse *d, unsigned t)
{
	const uint8_t *h = d->buf + d->off;
	uint32_t tsize, nelem;
	size_t tend;
	uint8_t alt;

	if (d->len - d->off < DFUSE_TARGET_LEN)
		return stdfu__fail(
			STDFU_ERR_IMAGE,
			"%s: offset 0x%zx: target %u header truncated (%zu of 274 bytes)",
			d->b->name, d->off, t, d->len - d->off);
	if (memcmp(h, "Target", 6) != 0)
		return stdfu__fail(STDFU_ERR_IMAGE,
				   "%s: offset 0x%zx: target %u does not start with \"Target\"",
				   d->b->name, d->off, t);
	alt = h[6];
	tsize = le_get32(h + 266);
	nelem = le_get32(h + 270);
	d->off += DFUSE_TARGET_LEN;
	if (tsize > d->len - d->off)
		return stdfu__fail(
			STDFU_ERR_IMAGE,
			"%s: offset 0x%zx: target %u: dwTargetSize 0x%x runs past the end "
			"of the file (0x%zx bytes left)",
			d->b->name, d->off - 8, t, tsize, d->len - d->off);
	if (nelem > tsize / DFUSE_ELEM_LEN)
		return stdfu__fail(STDFU_ERR_IMAGE,
				   "%s: offset 0x%zx: target %u: dwNbElements %u cannot fit in "
				   "dwTargetSize 0x%x",
				   d->b->name, d->off - 4, t, nelem, tsize);
	tend = d->off + tsize;
	for (uint32_t e = 0; e < nelem; e++) {
		int rc = dfuse_element(d, t, alt, e, tend);

		if (rc < 0)
			return rc;
	}
	if (d->off != tend)
		return stdfu__fail(
			STDFU_ERR_IMAGE,
			"%s: offset 0x%zx: target %u: dwTargetSize 0x%x, but its %u elements "
			"take 0x%zx bytes",
			d->b->name, d->off, t, tsize, nelem, d->off - (tend - tsize));
	return STDFU_OK;
}

int stdfu__image_read_dfuse(struct img_build *b, const uint8_t *buf, size_t len)
{
	struct dfuse d = {.b = b, .buf = buf, .len = len, .off = DFUSE_PREFIX_LEN};
	unsigned targets;
	uint32_t size;

	if (len < DFUSE_PREFIX_LEN || memcmp(buf, "DfuSe", 5) != 0)
		return stdfu__fail(STDFU_ERR_IMAGE,
				   "%s: no DfuSe prefix (11 bytes starting \"DfuSe\")", b->name);
	if (buf[5] != 1)
		return stdfu__fail(STDFU_ERR_UNSUPPORTED,
				   "%s: offset 0x5: DfuSe version %u, expected 1", b->name, buf[5]);
	size = le_get32(buf + 6);
	targets = buf[10];
	/*
	 * UM0391 errata and ST's tools: the size without the suffix. dfuse-pack
	 * (dfu-util) counts the suffix too. Accept both, nothing else.
	 */
	if (size != len && size != len + DFU_SUFFIX_LEN)
		return stdfu__fail(STDFU_ERR_IMAGE,
				   "%s: offset 0x6: DFUImageSize %u, but the file holds %zu bytes "
				   "before its suffix (truncated?)",
				   b->name, size, len);
	for (unsigned t = 0; t < targets; t++) {
		int rc = dfuse_target(&d, t);

		if (rc < 0)
			return rc;
	}
	if (d.off != len)
		return stdfu__fail(STDFU_ERR_IMAGE,
				   "%s: offset 0x%zx: %zu bytes after the last of %u targets",
				   b->name, d.off, len - d.off, targets);
	return STDFU_OK;
}
