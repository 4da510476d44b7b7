/* SPDX-License-Identifier: MIT */
/* stdfu option-bytes show|set, flash --protect, and the chip lines of stdfu info. */
#ifndef STDFU_CMD_OPTION_BYTES_H
#define STDFU_CMD_OPTION_BYTES_H

#include <stdfu/chip.h>
#include <stdfu/flash.h>

struct cli;
struct stdfu_device;

int cmd_option_bytes(struct cli *c);

/* flash --protect: RDP level 1 after the verified flash, confirmed; then the
 * leave (unless --no-leave), its phase added to @res. *dev: the re-opened ROM. */
int cli_protect(struct cli *c, struct stdfu_device **dev, struct stdfu_result *res);

/* The decoded fields of @kind (-1: all), as human lines or a JSON array. */
void cli_ob_fields_human(const struct stdfu_ob_family *fam, const uint8_t *img, size_t len,
			 int kind);
struct json_t *cli_ob_fields_json(const struct stdfu_ob_family *fam, const uint8_t *img, size_t len,
				  int kind);

#define CMD_OPTION_BYTES_ENTRY                                                                     \
	{                                                                                          \
		"option-bytes", cmd_option_bytes,                                                  \
			OPT_SELECT | OPT_YES | OPT_OB_ALLOW | OPT_TRIGGER | OPT_APP_ID | OPT_WAIT, \
			1, 16,                                                                     \
			"show [SELECT] [TRIGGER]\n"                                                \
			"       set FIELD=VALUE... [--yes] [--allow-irreversible] "                \
			"[--allow-rom-lockout]\n"                                                  \
			"       [SELECT] [TRIGGER]",                                               \
			"decode the option bytes by name, or change fields safely",                \
			"show decodes every option-byte field of the family (name, value, "        \
			"meaning and the\n"                                                        \
			"reference-manual section), and says what the boot settings mean for "     \
			"reaching the ROM.\n"                                                      \
			"set reads them, applies FIELD=VALUE (decimal, 0x hex or 0b binary), "     \
			"shows the diff\n"                                                         \
			"and, with --yes, writes them through the option-byte alt. The ROM "       \
			"resets; stdfu\n"                                                          \
			"follows the board on its USB port path (triggering the application if "   \
			"that is\n"                                                                \
			"what comes back) and reads the option bytes back to confirm.\n"           \
			"Refused: values the field does not define; RDP level 2 (0xCC, "           \
			"permanent) unless\n"                                                      \
			"--allow-irreversible; boot settings that keep the ROM bootloader from "   \
			"running\n"                                                                \
			"after a reset unless --allow-rom-lockout."                                \
	}

#endif
