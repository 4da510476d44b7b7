/* SPDX-License-Identifier: MIT */
/* One hex-digit decoder for every parser in the library. */
#ifndef STDFU_HEXDIGIT_H
#define STDFU_HEXDIGIT_H

/* Value of the hex digit @c (either case), or -1 if it is not one. */
static inline int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

#endif
