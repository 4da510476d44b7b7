/* SPDX-License-Identifier: MIT */
/* stdfu convert: works on files only, so it needs none of cli.h's device plumbing. */
#ifndef STDFU_CMD_CONVERT_H
#define STDFU_CMD_CONVERT_H

struct cli;

int cmd_convert(struct cli *c);

#define CMD_CONVERT_ENTRY                                                                          \
	{                                                                                          \
		"convert", cmd_convert, OPT_ADDRESS | OPT_FORMAT, 2, 2,                            \
			"IN OUT [--format bin|hex|srec|dfu] [--address ADDR] [--json]",            \
			"convert a firmware image between bin, hex, srec and dfu",                 \
			"Reads IN (raw binary, Intel HEX, S-record, ELF or DfuSe; detected from "  \
			"its content)\n"                                                           \
			"and writes OUT in the format of its extension or --format: bin, hex, "    \
			"srec or dfu.\n"                                                           \
			"hex, srec and dfu keep every segment at its address, byte for byte. bin " \
			"keeps no\n"                                                               \
			"addresses: it spans the lowest to the highest address with gaps filled "  \
			"with 0xFF,\n"                                                             \
			"and raw input is placed at --address (default 0x08000000). A .dfu gets "  \
			"the DFU\n"                                                                \
			"suffix of IN if it had one, else 0483:df11. OUT is replaced only when "   \
			"complete."                                                                \
	}

#endif
