/* SPDX-License-Identifier: MIT */
/*
 * `stdfu --completion-table` (hidden, for the build): the command table, the
 * options each command accepts and the values the library parses, one record
 * per line, tab-separated. completions/generate.py turns it into the bash, zsh
 * and fish completions, so that they cannot drift from the parser:
 *   command  NAME  MIN_ARGS  MAX_ARGS  SUMMARY
 *   option   NAME  --OPT     arg|flag
 *   value    --OPT VALUE
 */
#include <stdio.h>
#include <string.h>

#include "complete.h"

static void print_commands(const struct cli_cmd *cmds, const struct option *opts,
			   bool (*allowed)(const struct cli_cmd *cmd, int opt))
{
	for (const struct cli_cmd *cmd = cmds; cmd->name; cmd++) {
		printf("command\t%s\t%d\t%d\t%s\n", cmd->name, cmd->min_args, cmd->max_args,
		       cmd->summary);
		for (const struct option *o = opts; o->name; o++) {
			/* --version is a top-level option only */
			if (strcmp(o->name, "version") && allowed(cmd, o->val))
				printf("option\t%s\t--%s\t%s\n", cmd->name, o->name,
				       o->has_arg == no_argument ? "flag" : "arg");
		}
	}
}

static void print_methods(void)
{
	for (int m = 0;; m++) {
		enum stdfu_trigger_method parsed;
		const char *name = stdfu_trigger_method_name((enum stdfu_trigger_method)m);

		if (!name || !strcmp(name, "?"))
			break;
		char with_arg[64];

		/* A method that takes its argument after a colon (text:STRING)
		 * completes as "name:", the rest as their bare name. */
		snprintf(with_arg, sizeof(with_arg), "%s:", name);
		if (stdfu_trigger_method_parse(with_arg, &parsed) == 0 && (int)parsed == m)
			printf("value\t--method\t%s\n", with_arg);
		else if (stdfu_trigger_method_parse(name, &parsed) == 0 && (int)parsed == m)
			printf("value\t--method\t%s\n", name);
	}
}

/* Only the names --format accepts ("auto" is the absence of --format). */
static void print_formats(void)
{
	for (int f = 0;; f++) {
		enum stdfu_image_format parsed;
		const char *name = stdfu_image_format_name((enum stdfu_image_format)f);

		if (!name || !strcmp(name, "unknown"))
			break;
		if (stdfu_image_format_parse(name, &parsed) == 0)
			printf("value\t--format\t%s\n", name);
	}
}

int cli_completion_table(const struct cli_cmd *cmds, const struct option *opts,
			 bool (*allowed)(const struct cli_cmd *cmd, int opt))
{
	static const enum stdfu_poll_policy polls[] = {STDFU_POLL_SPEC, STDFU_POLL_EARLY};

	print_commands(cmds, opts, allowed);
	print_methods();
	print_formats();
	for (size_t i = 0; i < sizeof(polls) / sizeof(polls[0]); i++)
		printf("value\t--poll\t%s\n", stdfu_poll_policy_name(polls[i]));
	return fflush(stdout) ? 1 : 0;
}
