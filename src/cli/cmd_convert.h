/* SPDX-License-Identifier: MIT */
/* stdfu convert: works on files only, so it needs none of cli.h's device plumbing. */
#ifndef STDFU_CMD_CONVERT_H
#define STDFU_CMD_CONVERT_H

struct cli;

int cmd_convert(struct cli *c);

#define CMD_CONVERT_ENTRY                                                                         \
	{                                                                                         \
		"convert", cmd_convert, OPT_ADDRESS | OPT_FORMAT, 2, 8,                           \
			"IN[@ADDR]... OUT [--format bin|hex|srec|dfu] [--address ADDR]",          \
			"convert firmware images between bin, hex, srec and dfu, or merge them",  \
			"Reads each IN (raw binary, Intel HEX, S-record, ELF or DfuSe; detected " \
			"from its\n"                                                              \
			"content; - is standard input), merges them, and writes OUT in the "      \
			"format of its\n"                                                         \
			"extension or --format: bin, hex, srec or dfu. A raw IN goes to its "     \
			"@ADDR, else to\n"                                                        \
			"--address (default 0x08000000); an IN with addresses stays where it "    \
			"is, or moves\n"                                                          \
			"to @ADDR (its lowest address). Inputs that overlap are refused. hex, "   \
			"srec and dfu\n"                                                          \
			"keep every segment at its address; bin spans the lowest to the highest " \
			"address\n"                                                               \
			"with gaps filled with 0xFF. A .dfu gets the DFU suffix of the first IN " \
			"that had one,\n"                                                         \
			"else 0483:df11. OUT is replaced only when complete."                     \
	}

#endif
