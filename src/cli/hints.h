/* SPDX-License-Identifier: MIT */
/*
 * Advice by situation: what stdfu found (the error code and the cause the
 * library recorded) mapped to what the user can do, in one table.
 */
#ifndef STDFU_CLI_HINTS_H
#define STDFU_CLI_HINTS_H

#include <stddef.h>

#include <stdfu/error.h>

#define HINT_ANY      (-1)
/* Phase sets (1 << enum stdfu_phase); 0 matches any phase and none. */
#define HINT_PH(p)    (1u << (p))
#define HINT_NO_PHASE (1u << 15) /* the failure was not inside an operation */

struct cli_hint {
	int err;	  /* enum stdfu_err */
	int kind;	  /* enum stdfu_cause_kind, or HINT_ANY */
	unsigned phases;  /* HINT_PH() bits, HINT_NO_PHASE; 0: any */
	const char *id;	  /* stable, in the JSON result as "hint_id" */
	const char *text; /* "%s" is replaced by what was found (cause->found) */
};

extern const struct cli_hint cli_hints[];
extern const size_t cli_hints_count;

/* The first row that fits @err and @cause, or NULL: no advice beats a wrong one. */
const struct cli_hint *cli_hint_find(int err, const struct stdfu_cause *cause);

/* The row's text with the finding filled in. */
void cli_hint_format(const struct cli_hint *h, const struct stdfu_cause *cause, char *buf,
		     size_t cap);

#endif
