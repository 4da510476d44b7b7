/* SPDX-License-Identifier: MIT */
/**
 * @file stdfu/image.h
 * @brief Firmware images: one model for raw, Intel HEX, S-record, ELF and DfuSe files.
 *
 * An image is a list of segments sorted by address that never overlap.
 * Gaps between segments are not part of the image: nothing is written there
 * and no sector is erased for them. Readers treat every file as hostile:
 * every failure returns STDFU_ERR_IMAGE (or STDFU_ERR_FILE for I/O) with a
 * detail naming the file, the line or offset, and the problem.
 */
#ifndef STDFU_IMAGE_H
#define STDFU_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <stdfu/error.h>

#ifdef __cplusplus
extern "C" {
#endif

enum stdfu_image_format {
	STDFU_FORMAT_AUTO = 0, /**< detect from content (then extension) */
	STDFU_FORMAT_RAW,
	STDFU_FORMAT_IHEX,
	STDFU_FORMAT_SREC,
	STDFU_FORMAT_ELF,
	STDFU_FORMAT_DFUSE, /**< DfuSe .dfu (UM0391) */
};

struct stdfu_segment {
	uint32_t address; /**< first byte; address + size <= 0xFFFFFFFF (the end fits in 32 bits) */
	uint32_t size;	  /**< > 0 */
	uint8_t *data;	  /**< size bytes, owned by the image */
	uint8_t alt;	  /**< DfuSe target alternate setting; 0 for other formats */
};

struct stdfu_image {
	enum stdfu_image_format format; /**< what the file was */
	size_t count;			/**< number of segments */
	struct stdfu_segment *segments; /**< sorted by (alt, address), non-overlapping */
	bool has_suffix;		/**< a DFU suffix was present (checked and stripped) */
	uint16_t suffix_vid;		/**< 0xFFFF = any */
	uint16_t suffix_pid;		/**< 0xFFFF = any */
	uint16_t suffix_bcd_device;	/**< 0xFFFF = any */
	uint16_t suffix_bcd_dfu;	/**< 0x0100 plain DFU, 0x011A DfuSe */
	/** A raw file loaded without an address: its one segment says 0x08000000,
	 *  and flashing or verifying places it at the start of the device's flash. */
	bool at_flash_base;
	/** Loaded by stdfu_image_load(): the file's size and mtime when it was read. */
	bool from_file;
	int64_t file_size;
	int64_t file_mtime_ns;
};

struct stdfu_image_load_opts {
	enum stdfu_image_format format; /**< STDFU_FORMAT_AUTO to detect */
	bool raw_address_set;		/**< raw files: place at raw_address... */
	uint32_t raw_address;		/**< ...else at the device's flash base (at_flash_base) */
	size_t max_size;		/**< refuse images whose data exceeds this; 0 = 256 MiB */
};

struct stdfu_image_save_opts {
	enum stdfu_image_format format; /**< STDFU_FORMAT_AUTO: from the file extension */
	uint16_t vid, pid, bcd_device;	/**< for the DFU suffix of .dfu output; 0xFFFF = any */
	uint8_t fill;			/**< raw output: byte used for gaps (normally 0xFF) */
	unsigned line_bytes; /**< hex/srec output: data bytes per record, 1..250; 0 = 16 */
};

/** Read a file. On success *out is a new image; free it with stdfu_image_free(). */
int stdfu_image_load(const char *path, const struct stdfu_image_load_opts *opts,
		     struct stdfu_image **out);

/**
 * STDFU_OK if the file @img was loaded from (stdfu_image_load) still has the
 * size and mtime it had when it was read; STDFU_ERR_FILE if it was rewritten
 * since. Call it just before the device is touched.
 */
int stdfu_image_file_unchanged(const struct stdfu_image *img, const char *path);

/**
 * Refuse an image that would put something other than a Cortex-M vector
 * table at @flash_base of alt @alt: the initial SP must be a word-aligned
 * address in an STM32 SRAM window and the reset vector an odd (Thumb)
 * address inside [@flash_base, @flash_base + @flash_size). An image that does
 * not cover @flash_base passes. STDFU_ERR_IMAGE with the reason otherwise
 * (a caller may offer --force). Give the image as placed (at_flash_base
 * images at the real flash base).
 */
int stdfu_image_check_vectors(const struct stdfu_image *img, uint8_t alt, uint32_t flash_base,
			      uint32_t flash_size);

/** Same, from memory; @name is used in error details in place of a path. */
int stdfu_image_load_mem(const uint8_t *buf, size_t len, const char *name,
			 const struct stdfu_image_load_opts *opts, struct stdfu_image **out);

/** Write an image in the requested format (used by `stdfu convert`). */
int stdfu_image_save(const struct stdfu_image *img, const char *path,
		     const struct stdfu_image_save_opts *opts);

/** Free an image; NULL is accepted. */
void stdfu_image_free(struct stdfu_image *img);

/** Total number of data bytes over all segments. */
uint64_t stdfu_image_bytes(const struct stdfu_image *img);

/** Format name: "raw", "ihex", "srec", "elf", "dfuse". */
const char *stdfu_image_format_name(enum stdfu_image_format fmt);

/** Parse a format name or file extension ("hex", "srec", "s19", "bin", "dfu", "elf"). */
int stdfu_image_format_parse(const char *name, enum stdfu_image_format *out);

/** Format named by the extension of @path ("app.hex" -> IHEX); STDFU_ERR_ARG if none. */
int stdfu_image_format_from_path(const char *path, enum stdfu_image_format *out);

/**
 * Format of a file from its content alone: ELF magic, "DfuSe" prefix, a first
 * line that is an Intel HEX record or an S-record; anything else is raw.
 * stdfu_image_load() with STDFU_FORMAT_AUTO uses this, and falls back to the
 * extension only when the content looks raw (so a broken .hex file is
 * reported as a broken HEX file rather than flashed as a binary).
 */
enum stdfu_image_format stdfu_image_detect(const uint8_t *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
