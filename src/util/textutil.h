/*
 * textutil.h - small text helpers that know nothing about mail.
 */
#ifndef MXAUDIT_TEXTUTIL_H
#define MXAUDIT_TEXTUTIL_H

#include <stddef.h>

/* Copies at most MAX input bytes of IN (LEN bytes, may hold NULs or invalid
 * UTF-8) into a new NUL-terminated string that is valid UTF-8: control bytes
 * other than tab, and bytes that are not part of a valid UTF-8 sequence,
 * become "\xNN". Sets *cut when input was left out. The caller frees it. */
char *text_printable(const char *in, size_t len, size_t max, int *cut);

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when s[0..avail) does
 * not start with one. */
size_t text_utf8_seq(const unsigned char *s, size_t avail);

#endif
