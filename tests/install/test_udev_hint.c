/* SPDX-License-Identifier: MIT */
/*
 * The permission hint names a udev rule file that exists on this machine, or
 * says how to install the one in the source tree. Run from a copy of this
 * program placed in a fake prefix (PREFIX/bin), with or without
 * PREFIX/lib/udev/rules.d/60-stdfu.rules next to it.
 * usage: test_udev_hint SOURCE_DIR
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "udev_hint.h"

/* The first word of the hint ending in 60-stdfu.rules. */
static int named_rule(const char *hint, char *out, size_t size)
{
	const char *end = strstr(hint, "60-stdfu.rules");
	const char *start = end;

	if (!end)
		return -1;
	end += strlen("60-stdfu.rules");
	while (start > hint && start[-1] != ' ' && start[-1] != '`')
		start--;
	if ((size_t)(end - start) >= size)
		return -1;
	memcpy(out, start, (size_t)(end - start));
	out[end - start] = '\0';
	return 0;
}

int main(int argc, char **argv)
{
	const char *hint = cli_udev_hint();
	char rule[4096], path[4200];

	printf("hint: %s\n", hint);
	if (argc != 2 || named_rule(hint, rule, sizeof(rule))) {
		fprintf(stderr, "FAIL: the hint names no 60-stdfu.rules\n");
		return 1;
	}
	if (!strstr(hint, "udevadm control --reload") || !strstr(hint, "stdfu(1), UDEV")) {
		fprintf(stderr, "FAIL: the hint does not say how to reload udev\n");
		return 1;
	}
	/* relative: the copy in the source tree */
	if (rule[0] != '/')
		snprintf(path, sizeof(path), "%s/%s", argv[1], rule);
	else
		snprintf(path, sizeof(path), "%s", rule);
	if (access(path, R_OK)) {
		fprintf(stderr, "FAIL: the hint names %s, which does not exist\n", path);
		return 1;
	}
	printf("ok: names %s, which exists\n", path);
	return 0;
}
