/* SPDX-License-Identifier: MIT */
/* The library's own version, compiled in from stdfu/version.h. */
#include <stdfu/version.h>

const char *stdfu_version(void)
{
	return STDFU_VERSION_STRING;
}

unsigned stdfu_version_number(void)
{
	return STDFU_VERSION_NUMBER;
}
