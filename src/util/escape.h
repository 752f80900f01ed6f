/*
 * escape.h - writing untrusted text into HTML, Markdown, CSV and JSON.
 *
 * NAME
 *   escape - the one place where text from logs is made safe for an output
 *   format. Every writer is table-driven: a 256-entry table maps a byte to
 *   its replacement (NULL = the byte itself).
 * SUMMARY
 *   Input is NUL-terminated UTF-8; bytes >= 0x80 pass through unchanged.
 *   NULL input writes nothing (JSON: null). Knows nothing about mail.
 *   Writers return 0, or -1 when the stream reports an error.
 */
#ifndef MXAUDIT_ESCAPE_H
#define MXAUDIT_ESCAPE_H

#include <stdio.h>

/* HTML text and attribute values (quoted with " or '): & < > " ' escaped,
 * control bytes other than tab and newline dropped. */
int escape_html(FILE *out, const char *s);
/* A Markdown table cell or inline text: CommonMark punctuation that could
 * start markup is backslash-escaped, '|' too, line ends become spaces. */
int escape_markdown(FILE *out, const char *s);
/* One CSV field (RFC 4180: quoted when it holds , " CR or LF). A field that a
 * spreadsheet would run as a formula (first byte = + - @ tab CR) gets a
 * leading apostrophe. */
int escape_csv(FILE *out, const char *s);
/* A JSON string with its quotes (RFC 8259 7), or null for NULL. */
int escape_json(FILE *out, const char *s);

#endif
