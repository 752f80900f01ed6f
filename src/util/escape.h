/*
 * escape.h - writing untrusted text into plain text, Markdown, HTML, CSV,
 * TSV and JSON.
 *
 * NAME
 *   escape - the one place where text from logs is made safe for an output
 *   format. Knows nothing about mail.
 * SUMMARY
 *   escape_write(out, ESCAPE_CSV, s, len);   LEN bytes, may hold NULs
 *   escape_str(out, ESCAPE_HTML, s);         NUL-terminated
 *   escape_text(out, s), escape_html(out, s) ... the same, shorter
 * DESCRIPTION
 *   Every format is one table: a byte below 0x80 maps to its replacement
 *   (NULL = the byte itself), plus one rule for a byte >= 0x80 that does not
 *   start a valid UTF-8 sequence (RFC 3629: overlong forms, surrogates,
 *   stray continuation bytes, a cut sequence). Valid UTF-8 of U+0080 and up
 *   is never changed. The rule per format:
 *
 *     format     control bytes (C0 but tab, DEL)   invalid UTF-8 byte
 *     text       \xNN (LF and CR too)              \xNN
 *     markdown   \xNN; tab, LF, CR become a space  \xNN
 *     csv        \xNN; tab, LF, CR kept (quoted)   \xNN
 *     html       &#xFFFD; (tab, LF, CR kept)       &#xFFFD;
 *     json       \u00NN (\b \t \n \f \r)           \ufffd
 *     csv-data   kept                              kept
 *     tsv        kept (\t \n \r escaped)           kept
 *
 *   Outputs people read (text, Markdown, people's CSV) show the byte as
 *   \xNN, the form the reject table uses, so an investigator sees exactly
 *   what the log held; a backslash from the log is not escaped there, so
 *   "\x1B" may also be literal text. JSON and HTML are read by programs
 *   that must decode them: there a bad byte becomes U+FFFD, the replacement
 *   character both standards use (RFC 8259 section 8.1 requires UTF-8;
 *   WHATWG Encoding decodes a bad byte to U+FFFD), and JSON keeps control
 *   characters exactly as \u00NN.
 *
 *   Markup per format: HTML escapes & < > " ' (safe in text and in quoted
 *   attribute values); Markdown backslash-escapes the CommonMark punctuation
 *   that can open markup and '|' (table cells); JSON escapes " \ and '<'
 *   (as \u003c, so "</script>" cannot end an embedded block) and adds the
 *   quotes; TSV writes \t \n \r \\ (PostgreSQL COPY text format).
 *
 *   CSV (RFC 4180): a field holding , " CR or LF is quoted, quotes doubled.
 *   ESCAPE_CSV is for people and spreadsheets: a field a spreadsheet would
 *   run as a formula (first byte = + - @ tab or CR; OWASP "CSV Injection")
 *   is quoted with a leading apostrophe, and an empty field is written as
 *   nothing. ESCAPE_CSV_DATA is for re-import (sqlite3 .import --csv,
 *   PostgreSQL COPY): no byte is changed, so it round-trips exactly; the
 *   empty string is written "" (to tell it from NULL, which the caller
 *   writes as nothing) and leading or trailing blanks are quoted.
 *
 *   NULL input writes nothing (JSON: null). Writers return 0, or -1 when
 *   the stream reports an error. Nothing is allocated.
 */
#ifndef MXAUDIT_ESCAPE_H
#define MXAUDIT_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

enum escape_format {
    ESCAPE_TEXT,     /* plain text for a terminal or a text file */
    ESCAPE_MARKDOWN, /* Markdown inline text or a table cell */
    ESCAPE_HTML,     /* HTML text or a quoted attribute value */
    ESCAPE_CSV,      /* one CSV field for people: formulas neutralised */
    ESCAPE_CSV_DATA, /* one CSV field for re-import: bytes unchanged */
    ESCAPE_TSV,      /* one TSV value (PostgreSQL text format) */
    ESCAPE_JSON,     /* a JSON string with its quotes */
};

/* Writes S (LEN bytes; NULs allowed) escaped for FORMAT. */
int escape_write(FILE *out, enum escape_format format, const char *s, size_t len);
/* The same for a NUL-terminated S. */
int escape_str(FILE *out, enum escape_format format, const char *s);

int escape_text(FILE *out, const char *s);
int escape_markdown(FILE *out, const char *s);
int escape_html(FILE *out, const char *s);
int escape_csv(FILE *out, const char *s);
int escape_json(FILE *out, const char *s);

#endif
