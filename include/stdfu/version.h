/* SPDX-License-Identifier: MIT */
/**
 * @file stdfu/version.h
 * @brief The version of libstdfu: at compile time (macros) and at run time.
 *
 * The macros say which headers a program was compiled against; stdfu_version()
 * says which library it runs with. They differ when the shared library was
 * upgraded under a program: same major version, same ABI (the SONAME is
 * libstdfu.so.MAJOR). The build reads the version from this file.
 */
#ifndef STDFU_VERSION_H
#define STDFU_VERSION_H

#ifdef __cplusplus
extern "C" {
#endif

#define STDFU_VERSION_MAJOR  0
#define STDFU_VERSION_MINOR  1
#define STDFU_VERSION_PATCH  0
#define STDFU_VERSION_STRING "0.1.0"

/** One number that compares: (MAJOR << 16) | (MINOR << 8) | PATCH. */
#define STDFU_VERSION_NUMBER \
	((STDFU_VERSION_MAJOR << 16) | (STDFU_VERSION_MINOR << 8) | STDFU_VERSION_PATCH)

/** The running library's version, "MAJOR.MINOR.PATCH" (static storage). */
const char *stdfu_version(void);

/** The running library's STDFU_VERSION_NUMBER. */
unsigned stdfu_version_number(void);

#ifdef __cplusplus
}
#endif

#endif
