/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the DfuSe memory-layout string parser: the string
 * is the iInterface descriptor of each alt setting, i.e. sent by the device.
 */
#include <stdlib.h>
#include <string.h>

#include <stdfu/layout.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stdfu_layout l;
	struct stdfu_sector s;
	char *str = malloc(size + 1);

	if (!str)
		return 0;
	memcpy(str, data, size);
	str[size] = '\0';
	if (stdfu_layout_parse(str, &l) == 0) {
		uint64_t total = stdfu_layout_bytes(&l);
		uint32_t start = stdfu_layout_start(&l);

		if (l.n_groups > STDFU_LAYOUT_MAX_GROUPS)
			abort();
		/* Every group start must be found as a sector start. */
		for (size_t i = 0; i < l.n_groups; i++) {
			char flags[4];

			if (l.groups[i].count == 0 || l.groups[i].size == 0)
				continue;
			if (stdfu_layout_sector_at(&l, l.groups[i].start, &s) != 0 ||
			    s.start != l.groups[i].start)
				abort();
			stdfu_layout_flags_str(l.groups[i].flags, flags);
		}
		(void)stdfu_layout_sector_at(&l, start + (uint32_t)(total / 2), &s);
		(void)stdfu_layout_sector_at(&l, 0xFFFFFFFFu, &s);
	}
	free(str);
	return 0;
}
