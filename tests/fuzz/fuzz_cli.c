/* SPDX-License-Identifier: MIT */
/*
 * The command line's parser (src/cli/main.c: parse, then check_args) on
 * fuzzer-chosen argv: NUL-separated words after "stdfu". Nothing runs a
 * command; the parser returns a usage error instead of exiting, so it can be
 * driven in-process. Its messages go to /dev/null (the C streams only).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define main stdfu_cli_main
#include "main.c"
#undef main

#define MAX_WORDS 24

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	char *words = malloc(size + 1), *av[MAX_WORDS + 2], *args[16];
	struct cli c = cli_defaults(args);
	int ac = 1;
	bool done;
	int rc;

	/* The C streams only: libFuzzer and the sanitizers keep the real stderr. */
	if (!null) {
		null = fopen("/dev/null", "w");
		if (!null)
			abort();
		stdout = null;
		stderr = null;
	}
	if (!words)
		return 0;
	memcpy(words, data, size);
	words[size] = '\0';
	av[0] = "stdfu";
	for (size_t i = 0; i <= size && ac <= MAX_WORDS; ac++) {
		av[ac] = words + i;
		i += strlen(words + i) + 1;
	}
	av[ac] = NULL;
	c.argc = ac;
	c.argv = av;
	rc = parse(&c, ac, av, &done);
	if (!rc && !done)
		rc = check_args(&c);
	out_finish(&c, rc);
	free(words);
	return 0;
}
