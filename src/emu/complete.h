/* SPDX-License-Identifier: MIT */
/* The hidden `stdfu-emu --completion-table`: the table shell completions are made from. */
#ifndef STDFU_EMU_COMPLETE_H
#define STDFU_EMU_COMPLETE_H

#include <getopt.h>

/* Prints the table to stdout; opts is the parser's own option table. */
int emu_completion_table(const struct option *opts);

#endif
