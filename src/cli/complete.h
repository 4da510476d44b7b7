/* SPDX-License-Identifier: MIT */
/* The hidden `stdfu --completion-table`: the table shell completions are made from. */
#ifndef STDFU_CLI_COMPLETE_H
#define STDFU_CLI_COMPLETE_H

#include <getopt.h>
#include <stdbool.h>

#include "cli.h"

/* Prints the table to stdout; cmds, opts and allowed() are the parser's own
 * (passed in, so that this file calls nothing in main.c). */
int cli_completion_table(const struct cli_cmd *cmds, const struct option *opts,
			 bool (*allowed)(const struct cli_cmd *cmd, int opt));

#endif
