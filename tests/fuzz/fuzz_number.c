/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the command line's number parsers (src/cli/number.c):
 * D6 of issue 13 was a suffix that wrapped. Whatever is accepted must be in
 * range, and a 32-bit value must read back the same from its hex form.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "number.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), hex[16];
	uint32_t v, again, ms;
	uint8_t b;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (cli_parse_u32(s, &v)) {
		snprintf(hex, sizeof(hex), "0x%x", (unsigned)v);
		if (!cli_parse_u32(hex, &again) || again != v)
			abort();
	}
	if (cli_parse_ms(s, 3600000u, &ms) && (ms < 1 || ms > 3600000u))
		abort();
	if (cli_parse_byte(s, &b) && cli_parse_u32(s, &v) && v != b)
		abort();
	free(s);
	return 0;
}
