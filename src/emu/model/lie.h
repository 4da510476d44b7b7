/* SPDX-License-Identifier: MIT */
/*
 * --lie KEY=VALUE: a device that tells the host things that are not so. The
 * ROM model asks these hooks at the few places where it describes itself or
 * answers (descriptors, strings, GETSTATUS, UPLOAD); without lies every hook
 * leaves the answer as it is.
 */
#ifndef STDFU_EMU_LIE_H
#define STDFU_EMU_LIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EMU_LIE_MAX_ALTS 100 /* 18 + 9 + 9 * 100 + 9 bytes fit a sysfs descriptors file */

struct emu_lies {
	bool any;
	char *layout[EMU_LIE_MAX_ALTS]; /* iInterface string of alt N, NULL = the chip's */
	int alts;			/* alt settings, -1 = the chip's */
	int transfer_size;		/* wTransferSize told, -1 = the chip's */
	long poll_timeout;		/* bwPollTimeout of every GETSTATUS, -1 = the real one */
	int state_after_dnload;		/* bState ending a DNLOAD, -1 = dfuDNLOAD-IDLE */
	int getstatus_length;		/* bytes of a GETSTATUS reply, -1 = 6 */
	unsigned upload_extra;		/* an UPLOAD sends this many bytes more than asked */
	unsigned upload_short;		/* ...or this many fewer */
	char *serial;			/* iSerialNumber, NULL = the real one */
};

/* Parse @n entries KEY=VALUE into @out (cleared first); -1 with @err on a bad one. */
int emu_lie_parse(const char *const *entries, size_t n, struct emu_lies *out, char *err,
		  size_t errlen);
void emu_lie_free(struct emu_lies *lies);

/* The keys, for usage texts. */
const char *emu_lie_keys(void);

/* Hooks: each returns what to tell the host, given the truth. */
unsigned emu_lie_alts(const struct emu_lies *l, unsigned real);
const char *emu_lie_layout(const struct emu_lies *l, unsigned alt, const char *real);
uint16_t emu_lie_transfer_size(const struct emu_lies *l, uint16_t real);
uint32_t emu_lie_poll_timeout(const struct emu_lies *l, uint32_t real);
uint8_t emu_lie_state_after_dnload(const struct emu_lies *l, uint8_t real);
size_t emu_lie_getstatus_length(const struct emu_lies *l, size_t real);
/* Bytes an UPLOAD of @asked answers with @real bytes of data; may exceed @asked. */
size_t emu_lie_upload_length(const struct emu_lies *l, size_t asked, size_t real);
const char *emu_lie_serial(const struct emu_lies *l, const char *real);

#endif
