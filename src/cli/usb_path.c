/* SPDX-License-Identifier: MIT */
/* USB port paths in bus order (usb_path.h). */
#include "usb_path.h"

#include <stdlib.h>

int usb_path_cmp(const char *p, const char *q)
{
	while (*p && *q) {
		char *pe, *qe;
		unsigned long x = strtoul(p, &pe, 10), y = strtoul(q, &qe, 10);

		if (x != y)
			return x < y ? -1 : 1;
		p = *pe ? pe + 1 : pe;
		q = *qe ? qe + 1 : qe;
	}
	return *p ? 1 : *q ? -1 : 0;
}
