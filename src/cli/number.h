/* SPDX-License-Identifier: MIT */
/*
 * The numbers of the command line: pure parsers (no output, no state), so
 * that they are unit-tested and fuzzed alone. Every one checks its range:
 * a value that does not fit is refused, never wrapped.
 */
#ifndef STDFU_CLI_NUMBER_H
#define STDFU_CLI_NUMBER_H

#include <stdbool.h>
#include <stdint.h>

/* "4096", "0x1000", "16K", "1M" (K = 1024): a value that fits in 32 bits. */
bool cli_parse_u32(const char *s, uint32_t *out);

/* "5000" (milliseconds) or "5s" (seconds): 1..@max_ms. */
bool cli_parse_ms(const char *s, uint32_t max_ms, uint32_t *out);

/* "245", "0xF5": 0..255. */
bool cli_parse_byte(const char *s, uint8_t *out);

#endif
