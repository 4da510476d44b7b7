/* SPDX-License-Identifier: MIT */
/* What stdfu_fw_family.h selected for one set of compile definitions. */
#ifndef STDFU_FW_FAMILY_PROBE_H
#define STDFU_FW_FAMILY_PROBE_H

#include <stdint.h>

struct family_probe {
	const char *name;
	int family;
	uint32_t entry;
	int has_vtor;
	int flag64;
	int dcache;
	uint32_t remap_reg;
	uint32_t rstcause_reg;
	int empty_check;
};

#endif
