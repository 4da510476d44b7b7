/* SPDX-License-Identifier: MIT */
/* One bounded append for the library's lists of candidates in an error detail. */
#ifndef STDFU_BUFCAT_H
#define STDFU_BUFCAT_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Append to the NUL-terminated @buf of @cap bytes; silently truncates (the
 * detail is for humans). */
__attribute__((format(printf, 3, 4))) static inline void stdfu__bufcat(char *buf, size_t cap,
								       const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	if (len + 1 >= cap)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + len, cap - len, fmt, ap);
	va_end(ap);
}

#endif
