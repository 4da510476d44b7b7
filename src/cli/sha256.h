/* SPDX-License-Identifier: MIT */
/*
 * SHA-256 (FIPS 180-4, "Secure Hash Standard", NIST 2015, §6.2), for the
 * image digest a factory record holds. Small and self-contained so that the
 * tool needs no crypto library for one hash of one file per run.
 */
#ifndef STDFU_CLI_SHA256_H
#define STDFU_CLI_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t len; /* bytes hashed so far */
	uint8_t buf[64];
	size_t n; /* bytes waiting in buf */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, uint8_t out[32]);
/* The digest of @len bytes as 64 lowercase hex digits and a NUL. */
void sha256_hex(const void *data, size_t len, char out[65]);
/* The digest of a whole file; 0, or -1 with errno set. */
int sha256_file(const char *path, char out[65]);

#endif
