/*
 * sqlout.c - see sqlout.h.
 *
 * Values are escaped by escape.c: CSV as ESCAPE_CSV_DATA (RFC 4180, bytes
 * unchanged, for re-import), TSV as ESCAPE_TSV (PostgreSQL COPY text
 * format, NULL as \N), JSON as ESCAPE_JSON (RFC 8259 section 7).
 */
#include "sqlout.h"

#include "escape.h"
#include "textutil.h"
#include "xalloc.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define TRUNC_MARK "\xe2\x80\xa6"   /* U+2026 HORIZONTAL ELLIPSIS */
#define NEWLINE_MARK "\xe2\x86\xb5" /* U+21B5, shows where a cell had a line break */
#define BYTE_WIDTH 4                /* a control or stray byte as escape.h's text form, \xNN */
#define COL_SEP " | "
#define COL_SEP_WIDTH 3
#define MIN_COL_WIDTH 4 /* three characters and the marker */

struct kept_cell {
    enum sqlout_type type;
    char *data;
    size_t len;
};

struct sqlout {
    enum sqlout_format format;
    FILE *out;
    int width;
    int ncols;
    char **names;
    /* table only: the first SQLOUT_TABLE_SAMPLE rows, kept until the column
     * widths are known; then the widths, and later rows print as they come */
    struct kept_cell *cells;
    size_t nrows, cap_rows;
    size_t *w;     /* column widths once fixed, else NULL */
    int streaming; /* 1 once the sample was printed */
    int sets;      /* result sets begun so far */
};

static const struct {
    const char *name;
    enum sqlout_format f;
} format_names[] = {{"table", SQLOUT_TABLE}, {"csv", SQLOUT_CSV}, {"json", SQLOUT_JSON}, {"tsv", SQLOUT_TSV}};

int sqlout_parse_format(const char *name, enum sqlout_format *format)
{
    for (size_t i = 0; i < sizeof format_names / sizeof format_names[0]; i++) {
        if (strcmp(name, format_names[i].name) == 0) {
            *format = format_names[i].f;
            return 0;
        }
    }
    return -1;
}

const char *sqlout_format_name(enum sqlout_format format)
{
    for (size_t i = 0; i < sizeof format_names / sizeof format_names[0]; i++)
        if (format_names[i].f == format)
            return format_names[i].name;
    return "?";
}

struct sqlout *sqlout_new(enum sqlout_format format, FILE *out, int width)
{
    struct sqlout *o = xcalloc(1, sizeof *o);
    o->format = format;
    o->out = out;
    o->width = width < 0 ? 0 : width;
    return o;
}

static void clear_set(struct sqlout *o)
{
    for (size_t i = 0; i < o->nrows * (size_t)o->ncols; i++)
        free(o->cells[i].data);
    free(o->cells);
    o->cells = NULL;
    o->nrows = o->cap_rows = 0;
    for (int i = 0; i < o->ncols; i++)
        free(o->names[i]);
    free(o->names);
    o->names = NULL;
    o->ncols = 0;
    free(o->w);
    o->w = NULL;
    o->streaming = 0;
}

/* Frees the kept rows (the set's names and widths stay). */
static void clear_rows(struct sqlout *o)
{
    for (size_t i = 0; i < o->nrows * (size_t)o->ncols; i++)
        free(o->cells[i].data);
    o->nrows = 0;
}

void sqlout_free(struct sqlout *o)
{
    if (!o)
        return;
    clear_set(o);
    free(o);
}

/* ---- display width ---- */

/* Unicode code point of the sequence at p (N bytes, valid UTF-8). */
static uint32_t utf8_decode(const unsigned char *p, size_t n)
{
    switch (n) {
    case 1:
        return p[0];
    case 2:
        return ((uint32_t)(p[0] & 0x1f) << 6) | (p[1] & 0x3f);
    case 3:
        return ((uint32_t)(p[0] & 0x0f) << 12) | ((uint32_t)(p[1] & 0x3f) << 6) | (p[2] & 0x3f);
    default:
        return ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3f) << 12) | ((uint32_t)(p[2] & 0x3f) << 6) |
               (p[3] & 0x3f);
    }
}

/* Columns a code point takes: the main combining and wide blocks of
 * Unicode's EastAsianWidth.txt (W and F) and the Mn blocks most text uses;
 * an approximation that keeps table columns aligned for common scripts. */
static int codepoint_width(uint32_t c)
{
    if ((c >= 0x0300 && c <= 0x036f) || (c >= 0x0483 && c <= 0x0489) || (c >= 0x0591 && c <= 0x05bd) ||
        (c >= 0x0610 && c <= 0x061a) || (c >= 0x064b && c <= 0x065f) || (c >= 0x1ab0 && c <= 0x1aff) ||
        (c >= 0x1dc0 && c <= 0x1dff) || (c >= 0x200b && c <= 0x200f) || (c >= 0x20d0 && c <= 0x20ff) ||
        (c >= 0xfe00 && c <= 0xfe0f) || (c >= 0xfe20 && c <= 0xfe2f))
        return 0;
    if ((c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0x303e) || (c >= 0x3041 && c <= 0x33ff) ||
        (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xa000 && c <= 0xa4cf) ||
        (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) ||
        (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1f64f) ||
        (c >= 0x1f900 && c <= 0x1f9ff) || (c >= 0x20000 && c <= 0x3fffd))
        return 2;
    return 1;
}

/* Walks the displayed form of a cell, writing it to OUT (when not NULL)
 * and stopping before a piece that would pass MAXW (0: no limit). A line
 * break shows as NEWLINE_MARK, a tab as a blank, any other control byte and
 * a byte that is not UTF-8 as \xNN (ESCAPE_TEXT), so a '?' in the value is
 * never mistaken for one. Returns the width shown; *stopped is set when
 * something was left out. */
static size_t display_walk(const char *s, size_t len, size_t maxw, FILE *out, int *stopped)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t w = 0;
    if (stopped)
        *stopped = 0;
    for (size_t i = 0; i < len;) {
        const char *piece = s + i;
        size_t plen = 1, n = 1, pw = 1;
        int escaped = 0;
        if (p[i] == '\n') {
            piece = NEWLINE_MARK;
            plen = strlen(NEWLINE_MARK);
        } else if (p[i] == '\t') {
            piece = " ";
        } else if (p[i] < 0x20 || p[i] == 0x7f) {
            escaped = 1;
        } else if (p[i] >= 0x80) {
            n = text_utf8_seq(p + i, len - i);
            if (n == 0) {
                n = 1;
                escaped = 1;
            } else {
                plen = n;
                pw = (size_t)codepoint_width(utf8_decode(p + i, n));
            }
        }
        if (escaped)
            pw = BYTE_WIDTH;
        if (maxw && w + pw > maxw) {
            if (stopped)
                *stopped = 1;
            break;
        }
        if (out && escaped)
            escape_write(out, ESCAPE_TEXT, s + i, 1);
        else if (out)
            fwrite(piece, 1, plen, out);
        w += pw;
        i += n;
    }
    return w;
}

size_t sqlout_text_width(const char *s, size_t len)
{
    return display_walk(s, len, 0, NULL, NULL);
}

/* ---- renderers ---- */

void sqlout_begin(struct sqlout *o, int ncols, const char *const *names)
{
    clear_set(o);
    o->ncols = ncols;
    o->names = xcalloc((size_t)ncols + 1, sizeof *o->names);
    for (int i = 0; i < ncols; i++)
        o->names[i] = xstrdup(names[i] ? names[i] : "");
    switch (o->format) {
    case SQLOUT_CSV:
        for (int i = 0; i < ncols; i++) {
            if (i)
                putc(',', o->out);
            escape_write(o->out, ESCAPE_CSV_DATA, o->names[i], strlen(o->names[i]));
        }
        putc('\n', o->out);
        break;
    case SQLOUT_TSV:
        for (int i = 0; i < ncols; i++) {
            if (i)
                putc('\t', o->out);
            escape_write(o->out, ESCAPE_TSV, o->names[i], strlen(o->names[i]));
        }
        putc('\n', o->out);
        break;
    case SQLOUT_TABLE:
        if (o->sets)
            putc('\n', o->out);
        break;
    case SQLOUT_JSON:
        break;
    }
    o->sets++;
}

static void write_hex(FILE *out, const char *data, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        putc(hex[(unsigned char)data[i] >> 4], out);
        putc(hex[(unsigned char)data[i] & 15], out);
    }
}

/* A JSON number must match RFC 8259's grammar; SQLite prints infinities as
 * "Inf" and those become null. */
static int json_number_ok(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!strchr("0123456789+-.eE", s[i]))
            return 0;
    return len > 0;
}

static void json_row(struct sqlout *o, const struct sqlout_cell *cells)
{
    putc('{', o->out);
    for (int i = 0; i < o->ncols; i++) {
        const struct sqlout_cell *c = &cells[i];
        if (i)
            putc(',', o->out);
        escape_write(o->out, ESCAPE_JSON, o->names[i], strlen(o->names[i]));
        putc(':', o->out);
        switch (c->type) {
        case SQLOUT_NULL:
            fputs("null", o->out);
            break;
        case SQLOUT_INTEGER:
        case SQLOUT_REAL:
            if (json_number_ok(c->data, c->len))
                fwrite(c->data, 1, c->len, o->out);
            else
                fputs("null", o->out);
            break;
        case SQLOUT_TEXT:
            escape_write(o->out, ESCAPE_JSON, c->data ? c->data : "", c->len);
            break;
        case SQLOUT_BLOB:
            putc('"', o->out);
            write_hex(o->out, c->data, c->len);
            putc('"', o->out);
            break;
        }
    }
    fputs("}\n", o->out);
}

static void table_flush(struct sqlout *o);
static void table_line(struct sqlout *o, const struct sqlout_cell *cells);

void sqlout_row(struct sqlout *o, const struct sqlout_cell *cells)
{
    switch (o->format) {
    case SQLOUT_CSV:
        for (int i = 0; i < o->ncols; i++) {
            if (i)
                putc(',', o->out);
            if (cells[i].type == SQLOUT_BLOB) {
                write_hex(o->out, cells[i].data, cells[i].len);
            } else if (cells[i].type != SQLOUT_NULL) {
                escape_write(o->out, ESCAPE_CSV_DATA, cells[i].data ? cells[i].data : "", cells[i].len);
            }
        }
        putc('\n', o->out);
        return;
    case SQLOUT_TSV:
        for (int i = 0; i < o->ncols; i++) {
            if (i)
                putc('\t', o->out);
            if (cells[i].type == SQLOUT_NULL)
                fputs("\\N", o->out);
            else if (cells[i].type == SQLOUT_BLOB)
                write_hex(o->out, cells[i].data, cells[i].len);
            else
                escape_write(o->out, ESCAPE_TSV, cells[i].data ? cells[i].data : "", cells[i].len);
        }
        putc('\n', o->out);
        return;
    case SQLOUT_JSON:
        json_row(o, cells);
        return;
    case SQLOUT_TABLE:
        break;
    }
    if (o->streaming) {
        table_line(o, cells);
        return;
    }
    if (o->nrows == o->cap_rows) {
        o->cap_rows = o->cap_rows ? o->cap_rows * 2 : 64;
        o->cells = xrealloc(o->cells, o->cap_rows * (size_t)o->ncols * sizeof *o->cells);
    }
    struct kept_cell *row = o->cells + o->nrows * (size_t)o->ncols;
    for (int i = 0; i < o->ncols; i++) {
        row[i].type = cells[i].type;
        if (cells[i].type == SQLOUT_NULL) {
            row[i].data = xstrdup("NULL");
            row[i].len = 4;
        } else if (cells[i].type == SQLOUT_BLOB) {
            char buf[64];
            int n = snprintf(buf, sizeof buf, "<blob %zu bytes>", cells[i].len);
            row[i].data = xstrdup(buf);
            row[i].len = (size_t)n;
        } else {
            row[i].data = xstrndup(cells[i].data ? cells[i].data : "", cells[i].len);
            row[i].len = cells[i].len;
        }
    }
    o->nrows++;
    if (o->nrows == SQLOUT_TABLE_SAMPLE) {
        /* enough to size the columns by: print, and stream the rest */
        table_flush(o);
        clear_rows(o);
        o->streaming = 1;
    }
}

/* Shrinks the widest column one step at a time until the line fits, no
 * column below MIN_COL_WIDTH (or its natural width when smaller). */
static void fit_widths(size_t *w, const size_t *natural, int n, int width)
{
    if (width <= 0)
        return;
    size_t total = (size_t)(n - 1) * COL_SEP_WIDTH;
    for (int i = 0; i < n; i++)
        total += w[i];
    while (total > (size_t)width) {
        int widest = -1;
        for (int i = 0; i < n; i++) {
            size_t floor = natural[i] < MIN_COL_WIDTH ? natural[i] : MIN_COL_WIDTH;
            if (w[i] > floor && (widest < 0 || w[i] > w[widest]))
                widest = i;
        }
        if (widest < 0)
            return; /* too many columns for the width: let the lines run long */
        w[widest]--;
        total--;
    }
}

static void table_cell(FILE *out, const char *s, size_t len, size_t colw, int right, int last)
{
    size_t full = sqlout_text_width(s, len);
    if (full > colw) {
        int stopped;
        size_t shown = display_walk(s, len, colw - 1, out, &stopped);
        fputs(TRUNC_MARK, out);
        for (size_t k = shown + 1; k < colw && !last; k++)
            putc(' ', out);
        return;
    }
    if (right)
        for (size_t k = full; k < colw; k++)
            putc(' ', out);
    display_walk(s, len, 0, out, NULL);
    if (!right && !last)
        for (size_t k = full; k < colw; k++)
            putc(' ', out);
}

static void table_flush(struct sqlout *o)
{
    int n = o->ncols;
    if (n <= 0)
        return;
    size_t *natural = xcalloc((size_t)n, sizeof *natural);
    size_t *w = xcalloc((size_t)n, sizeof *w);
    for (int i = 0; i < n; i++)
        natural[i] = sqlout_text_width(o->names[i], strlen(o->names[i]));
    for (size_t r = 0; r < o->nrows; r++) {
        for (int i = 0; i < n; i++) {
            const struct kept_cell *c = &o->cells[r * (size_t)n + (size_t)i];
            size_t cw = sqlout_text_width(c->data, c->len);
            if (cw > natural[i])
                natural[i] = cw;
        }
    }
    memcpy(w, natural, (size_t)n * sizeof *w);
    fit_widths(w, natural, n, o->width);
    for (int i = 0; i < n; i++) {
        if (i)
            fputs(COL_SEP, o->out);
        table_cell(o->out, o->names[i], strlen(o->names[i]), w[i], 0, i == n - 1);
    }
    putc('\n', o->out);
    for (int i = 0; i < n; i++) {
        if (i)
            fputs("-+-", o->out);
        for (size_t k = 0; k < w[i]; k++)
            putc('-', o->out);
    }
    putc('\n', o->out);
    for (size_t r = 0; r < o->nrows; r++) {
        for (int i = 0; i < n; i++) {
            const struct kept_cell *c = &o->cells[r * (size_t)n + (size_t)i];
            if (i)
                fputs(COL_SEP, o->out);
            int right = c->type == SQLOUT_INTEGER || c->type == SQLOUT_REAL;
            table_cell(o->out, c->data, c->len, w[i], right, i == n - 1);
        }
        putc('\n', o->out);
    }
    free(natural);
    free(o->w);
    o->w = w;
}

/* One row past the sample, in the widths the sample fixed. A wider number,
 * or any wider cell without a width limit, is printed whole and its line
 * runs long; with a limit a wider text is cut, in the last column where
 * the width runs out. */
static void table_line(struct sqlout *o, const struct sqlout_cell *cells)
{
    for (int i = 0; i < o->ncols; i++) {
        if (i)
            fputs(COL_SEP, o->out);
        const char *d = cells[i].data ? cells[i].data : "";
        size_t len = cells[i].len;
        char buf[64];
        if (cells[i].type == SQLOUT_NULL) {
            d = "NULL";
            len = 4;
        } else if (cells[i].type == SQLOUT_BLOB) {
            len = (size_t)snprintf(buf, sizeof buf, "<blob %zu bytes>", cells[i].len);
            d = buf;
        }
        size_t colw = o->w[i];
        int right = cells[i].type == SQLOUT_INTEGER || cells[i].type == SQLOUT_REAL;
        size_t full = sqlout_text_width(d, len);
        if (full > colw) {
            /* a column the sample left narrower than a cut needs gets room for one */
            size_t least = full < MIN_COL_WIDTH ? full : MIN_COL_WIDTH;
            if (colw < least)
                colw = least;
            if (o->width <= 0 || right) {
                colw = full; /* a number is never cut */
            } else if (i == o->ncols - 1) {
                /* the last column may use what is left of the width */
                size_t used = (size_t)(o->ncols - 1) * COL_SEP_WIDTH;
                for (int k = 0; k < i; k++)
                    used += o->w[k];
                size_t room = used < (size_t)o->width ? (size_t)o->width - used : 0;
                if (room > colw)
                    colw = full < room ? full : room;
            }
        }
        table_cell(o->out, d, len, colw, right, i == o->ncols - 1);
    }
    putc('\n', o->out);
}

int sqlout_end(struct sqlout *o)
{
    if (o->format == SQLOUT_TABLE && !o->streaming)
        table_flush(o);
    clear_set(o);
    errno = 0;
    if (fflush(o->out) != 0 || ferror(o->out))
        return -1;
    return 0;
}
