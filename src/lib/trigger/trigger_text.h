/* SPDX-License-Identifier: MIT */
#ifndef STDFU_TRIGGER_TEXT_H
#define STDFU_TRIGGER_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include <stdfu/trigger.h>

/*
 * trigger_text.c: the methods for firmware without the companion that enters
 * the ROM on a text command of its own (--method micropython, betaflight,
 * text:STRING). Opens @port, holds the dialogue, closes it; the board is then
 * followed on the bus like after any other trigger. STDFU_ERR_TRIGGER, with
 * what the firmware answered, when it does not answer as expected.
 */
int stdfu__trigger_send_text(const char *port, enum stdfu_trigger_method m, const char *text);

/*
 * Decode C escapes (\r \n \t \a \b \e \f \v \\ \" \' \? \0, \xHH, \NNN) of
 * @s into @buf. Returns STDFU_OK, or STDFU_ERR_ARG (empty, a bad escape, or
 * longer than @cap) with the reason as the error detail.
 */
int stdfu__text_unescape(const char *s, uint8_t *buf, size_t cap, size_t *len);

#endif
