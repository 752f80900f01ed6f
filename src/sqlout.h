/*
 * sqlout.h - query results as text: table, CSV, JSON lines, TSV.
 *
 * NAME
 *   sqlout - one result model (columns, then rows of typed cells) and its
 *   renderers. Values are escaped by escape.h (ESCAPE_CSV_DATA, ESCAPE_TSV,
 *   ESCAPE_JSON).
 * SUMMARY
 *   struct sqlout *o = sqlout_new(SQLOUT_CSV, stdout, 0);
 *   sqlout_begin(o, ncols, names);   once per result set
 *   sqlout_row(o, cells);            once per row
 *   sqlout_end(o);                   flushes (a table of few rows prints here)
 *   sqlout_free(o);
 * DESCRIPTION
 *   A renderer never queries the database: the caller copies what it read
 *   into struct sqlout_cell values, so any producer (a statement, the audit's
 *   findings) can use the same output code.
 *
 *   Every format tells NULL from the empty string, because in mxaudit's
 *   schema they differ ('' is the null sender <>, NULL "not logged"):
 *     table  NULL prints as NULL; numbers are right-aligned; cells wider than
 *            their share of the width end in the marker "…". The first
 *            SQLOUT_TABLE_SAMPLE rows set the column widths and are printed
 *            when they are all in (or at sqlout_end); later rows print as
 *            they come, so memory stays flat on any result. Newlines show
 *            as "↵", tabs as a blank, other control characters and bytes
 *            that are not valid UTF-8 as \xNN (ESCAPE_TEXT), each four
 *            columns wide.
 *     csv    data for re-import: RFC 4180 quoting, LF line ends, a header
 *            row, no byte of a value changed and no formula prefix, so
 *            sqlite3 .import --csv reads back exactly what the query
 *            returned; NULL is an empty unquoted field and '' a quoted ""
 *            (PostgreSQL COPY ... CSV does the same).
 *     json   one object per row and line ({"column": value, ...}); integers
 *            and reals as numbers, NULL as null, blobs as hex strings;
 *            control characters as \u00NN, bytes that are not valid UTF-8
 *            as U+FFFD, so every line is valid JSON.
 *     tsv    a header row; tab, newline, carriage return and backslash in a
 *            value as \t \n \r \\; NULL as \N (PostgreSQL's text format).
 *
 * Ownership: whoever calls sqlout_new calls sqlout_free. The strings passed
 * to sqlout_begin and sqlout_row are copied when the renderer must keep them
 * (table), so the caller may reuse its buffers at once.
 */
#ifndef MXAUDIT_SQLOUT_H
#define MXAUDIT_SQLOUT_H

#include <stddef.h>
#include <stdio.h>

enum sqlout_format { SQLOUT_TABLE, SQLOUT_CSV, SQLOUT_JSON, SQLOUT_TSV };

/* Rows a table is sized by before it starts printing. */
#define SQLOUT_TABLE_SAMPLE 1000

enum sqlout_type { SQLOUT_NULL, SQLOUT_INTEGER, SQLOUT_REAL, SQLOUT_TEXT, SQLOUT_BLOB };

struct sqlout_cell {
    enum sqlout_type type;
    const char *data; /* text (UTF-8, need not be NUL-terminated) or blob bytes; numbers as text */
    size_t len;       /* bytes of data */
};

struct sqlout;

/* "table", "csv", "json" or "tsv" to *FORMAT; 0, or -1 for another name. */
int sqlout_parse_format(const char *name, enum sqlout_format *format);
/* The name of FORMAT, as sqlout_parse_format reads it. */
const char *sqlout_format_name(enum sqlout_format format);

/* A renderer writing to OUT. WIDTH is the table's width in columns (0: no
 * limit); the other formats ignore it. */
struct sqlout *sqlout_new(enum sqlout_format format, FILE *out, int width);
void sqlout_free(struct sqlout *o);

/* Starts a result set of NCOLS columns named NAMES[i]. */
void sqlout_begin(struct sqlout *o, int ncols, const char *const *names);
/* One row of NCOLS cells, as announced by sqlout_begin. */
void sqlout_row(struct sqlout *o, const struct sqlout_cell *cells);
/* Ends the result set; 0, or -1 when writing failed (errno tells why). */
int sqlout_end(struct sqlout *o);

/* Display width of S (LEN bytes of UTF-8) in terminal columns: East Asian
 * wide characters count 2, combining marks 0. */
size_t sqlout_text_width(const char *s, size_t len);

#endif
