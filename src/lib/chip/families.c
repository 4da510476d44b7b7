/* SPDX-License-Identifier: MIT */
/* The families stdfu knows by name, and which of them have an option-byte table. */
#include <stdfu/optbytes.h>

#include "chip/ob_tables.h"

static const char *const family_names[STDFU_FAMILY__COUNT] = {
	"unknown", "F0", "F1", "F3", "F4", "F7", "L4", "G0", "G4", "H7", "H5", "U5", "WB", "C0",
};

const char *stdfu_family_name(enum stdfu_family family)
{
	return (unsigned)family < STDFU_FAMILY__COUNT ? family_names[family] : "unknown";
}

const struct stdfu_ob_family *stdfu_ob_family_get(enum stdfu_family family)
{
	static const struct stdfu_ob_family *const all[] = {
		&stdfu__ob_f0, &stdfu__ob_f3, &stdfu__ob_f4, &stdfu__ob_f7, &stdfu__ob_l4,
		&stdfu__ob_g0, &stdfu__ob_g4, &stdfu__ob_h7, &stdfu__ob_u5,
	};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (all[i]->family == family)
			return all[i];
	return NULL;
}
