/* SPDX-License-Identifier: MIT */
/**
 * @file stdfu/optbytes.h
 * @brief STM32 option bytes: per-family field tables, decode, a checked edit.
 *
 * Each family's option bytes are an image of @c size bytes at @c address, as
 * the ROM bootloader returns them through its option-byte alt (AN3156 §4:
 * the "@Option Bytes" alt setting). A field is @c width bits at bit @c shift
 * of the little-endian 32-bit word at byte @c offset of that image; each
 * table cites the reference-manual section it comes from.
 *
 * stdfu_ob_edit() applies FIELD=VALUE changes to a copy of the image and
 * refuses, with a machine-readable class (enum stdfu_ob_refusal), values the
 * field does not define, settings that cannot be undone (RDP level 2) and
 * boot settings that keep the ROM bootloader from running, each of the last
 * two unless its own flag is given. Pure: no I/O. Writing the result to a
 * device is stdfu_optbytes_write() (stdfu/chip.h).
 */
#ifndef STDFU_OPTBYTES_H
#define STDFU_OPTBYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <stdfu/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/** STM32 families stdfu knows by name. */
enum stdfu_family {
	STDFU_FAMILY_UNKNOWN = 0,
	STDFU_FAMILY_F0,
	STDFU_FAMILY_F1,
	STDFU_FAMILY_F3,
	STDFU_FAMILY_F4,
	STDFU_FAMILY_F7,
	STDFU_FAMILY_L4,
	STDFU_FAMILY_G0,
	STDFU_FAMILY_G4,
	STDFU_FAMILY_H7,
	STDFU_FAMILY_H5,
	STDFU_FAMILY_U5,
	STDFU_FAMILY_WB,
	STDFU_FAMILY_C0,
	STDFU_FAMILY__COUNT
};

/** "F4", "L4"...; "unknown". */
const char *stdfu_family_name(enum stdfu_family family);

/** What a field is for: the refusals and `stdfu info` look at the kind. */
enum stdfu_ob_kind {
	STDFU_OB_RDP,  /**< read protection level */
	STDFU_OB_BOOT, /**< decides what runs after reset (pins, addresses, banks) */
	STDFU_OB_WRP,  /**< write / proprietary-code protection */
	STDFU_OB_USER, /**< resets, watchdogs, brown-out, RAM */
};

#define STDFU_OB_VALUE_IRREVERSIBLE 0x1u /**< cannot be undone (RDP level 2) */
#define STDFU_OB_VALUE_RESERVED	    0x2u /**< documented, but not to be written */

struct stdfu_ob_value {
	uint32_t value;
	const char *meaning;
	unsigned flags; /**< STDFU_OB_VALUE_* */
};

struct stdfu_ob_field {
	const char *name; /**< as in the reference manual: "nBOOT_SEL", "RDP" */
	uint16_t offset;  /**< byte offset of the 32-bit LE word in the image */
	uint8_t shift, width;
	enum stdfu_ob_kind kind;
	const char *meaning; /**< what the field does */
	/** Values the field defines; NULL: every value of @c width bits. */
	const struct stdfu_ob_value *values;
	size_t n_values;
	/** Meaning of any value not listed (RDP: "level 1"); NULL: unlisted values are refused. */
	const char *other;
	const char *ref; /**< "RM0090 §3.7.1" */
};

/** How the image stores redundancy that an edit must keep consistent. */
enum stdfu_ob_shadow {
	STDFU_OB_SHADOW_NONE,	    /**< each word once (F4, F7, U5) */
	STDFU_OB_SHADOW_COMPLEMENT, /**< each 64-bit pair: word, then its complement (L4, G0, G4) */
	STDFU_OB_SHADOW_BYTE_PAIRS, /**< each byte followed by its complement (F0, F1, F3) */
	STDFU_OB_SHADOW_PRG,	    /**< word = *_CUR register, word + 4 = *_PRG to program (H7) */
};

struct stdfu_ob_family {
	enum stdfu_family family;
	const char *name;
	uint32_t address; /**< of the image, as the ROM reaches it */
	uint32_t size;	  /**< bytes */
	/** The ROM advertises no option-byte alt; the image is read and written
	 *  through the flash alt at @c address (G0). */
	bool via_flash_alt;
	enum stdfu_ob_shadow shadow;
	const struct stdfu_ob_field *fields;
	size_t n_fields;
	const char *ref;
	uint8_t rdp_level0; /**< RDP value of level 0 (0xAA) */
	uint8_t rdp_level1; /**< RDP value stdfu writes for level 1 (0xBB) */
	/** Why the ROM bootloader would not run after a reset with BOOT0 high
	 *  and a valid application in flash, or NULL if it would. */
	const char *(*lockout)(const uint8_t *image, size_t len);
	/** What the boot settings mean for reaching the ROM (always a sentence). */
	const char *(*boot_summary)(const uint8_t *image, size_t len);
};

/** The table of @family, or NULL when stdfu has none (raw words only). */
const struct stdfu_ob_family *stdfu_ob_family_get(enum stdfu_family family);

/** The field named @name (case-insensitive), or NULL. */
const struct stdfu_ob_field *stdfu_ob_field_find(const struct stdfu_ob_family *fam,
						 const char *name);

/** Read a field from an image of @len bytes (bits outside the image read as 1). */
uint32_t stdfu_ob_field_get(const struct stdfu_ob_field *f, const uint8_t *image, size_t len);

/** The meaning of @value in @f ("level 0 (no protection)"), or NULL if it defines none. */
const struct stdfu_ob_value *stdfu_ob_value_find(const struct stdfu_ob_field *f, uint32_t value);
const char *stdfu_ob_value_meaning(const struct stdfu_ob_field *f, uint32_t value);

/** RDP level of an image: 0, 1 or 2 (0xAA: 0, 0xCC: 2, else 1); -1 if no RDP field. */
int stdfu_ob_rdp_level(const struct stdfu_ob_family *fam, const uint8_t *image, size_t len);

/** One FIELD=VALUE. */
struct stdfu_ob_change {
	const char *field;
	uint32_t value;
};

/** Parse "FIELD=VALUE" (VALUE decimal, 0x hex or 0b binary) into @out (field points into @s). */
int stdfu_ob_change_parse(const char *s, char *name, size_t cap, struct stdfu_ob_change *out);

#define STDFU_OB_ALLOW_IRREVERSIBLE 0x1u /**< --allow-irreversible */
#define STDFU_OB_ALLOW_ROM_LOCKOUT  0x2u /**< --allow-rom-lockout */

/** Why an edit was refused: the machine-readable cause. */
enum stdfu_ob_refusal {
	STDFU_OB_OK = 0,
	STDFU_OB_UNKNOWN_FIELD, /**< the family has no such field */
	STDFU_OB_BAD_VALUE,	/**< the field does not define that value */
	STDFU_OB_IRREVERSIBLE,	/**< needs STDFU_OB_ALLOW_IRREVERSIBLE */
	STDFU_OB_ROM_LOCKOUT,	/**< needs STDFU_OB_ALLOW_ROM_LOCKOUT */
	STDFU_OB_NO_TABLE,	/**< no field table for this family */
};

/** "unknown-field", "bad-value", "irreversible", "rom-lockout", "no-table"; "" for OK. */
const char *stdfu_ob_refusal_name(enum stdfu_ob_refusal r);

/**
 * Apply @n changes to @out (a copy of @in, @len bytes), keeping the shadow
 * words consistent. On a refusal returns STDFU_ERR_ARG, sets *why and a
 * detail naming the field, the value and the flag that would allow it, and
 * leaves @out unspecified.
 */
int stdfu_ob_edit(const struct stdfu_ob_family *fam, const uint8_t *in, uint8_t *out, size_t len,
		  const struct stdfu_ob_change *changes, size_t n, unsigned allow,
		  enum stdfu_ob_refusal *why);

#ifdef __cplusplus
}
#endif
#endif
