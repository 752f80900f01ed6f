/*
 * NAME
 *   csv.c - CSV record tokenizer (see csv.h).
 *
 * SUMMARY
 *   Quoting follows RFC 4180 section 2: a quoted field may contain the
 *   delimiter, CR/LF and "" for one quote. Text after a closing quote other
 *   than the delimiter is an error; a quote inside an unquoted field is kept
 *   as data (writers that never quote such fields exist).
 */
#include "csv.h"

#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CSV_DEFAULT_MAX_RECORD (1u << 20)

void csv_init(struct csv_reader *r, char delim)
{
    memset(r, 0, sizeof *r);
    r->delim = delim;
    r->max_record = CSV_DEFAULT_MAX_RECORD;
    /* Allocated up front so that every field, even an empty one, has a non-NULL pointer. */
    r->buf_cap = 256;
    r->buf = xmalloc(r->buf_cap);
}

void csv_free(struct csv_reader *r)
{
    free(r->buf);
    free(r->ends);
    free(r->quoted);
    free(r->fields);
    memset(r, 0, sizeof *r);
}

void csv_reset(struct csv_reader *r)
{
    r->buf_len = 0;
    r->nfields = 0;
    r->open_quote = 0;
    r->lines = 0;
}

static void buf_reserve(struct csv_reader *r, size_t more)
{
    if (r->buf_len + more <= r->buf_cap)
        return;
    size_t cap = r->buf_cap ? r->buf_cap : 256;
    while (cap < r->buf_len + more)
        cap *= 2;
    r->buf = xrealloc(r->buf, cap);
    r->buf_cap = cap;
}

static void end_field(struct csv_reader *r, int quoted)
{
    if (r->nfields == r->fields_cap) {
        size_t cap = r->fields_cap ? r->fields_cap * 2 : 32;
        r->ends = xrealloc(r->ends, cap * sizeof *r->ends);
        r->quoted = xrealloc(r->quoted, cap);
        r->fields = xrealloc(r->fields, cap * sizeof *r->fields);
        r->fields_cap = cap;
    }
    r->ends[r->nfields] = r->buf_len;
    r->quoted[r->nfields] = (unsigned char)quoted;
    r->nfields++;
}

static void publish(struct csv_reader *r)
{
    size_t start = 0;
    for (size_t i = 0; i < r->nfields; i++) {
        r->fields[i].p = r->buf + start;
        r->fields[i].len = r->ends[i] - start;
        r->fields[i].quoted = r->quoted[i];
        start = r->ends[i];
    }
    r->open_quote = 0;
    r->lines = 0;
}

/* Reads the rest of a quoted field from s[i..len). Returns the index after
 * the closing quote, or len with r->open_quote set when the line ends first. */
static size_t scan_quoted(struct csv_reader *r, const char *s, size_t i, size_t len)
{
    for (;;) {
        const char *q = memchr(s + i, '"', len - i);
        size_t upto = q ? (size_t)(q - s) : len;
        buf_reserve(r, upto - i);
        memcpy(r->buf + r->buf_len, s + i, upto - i);
        r->buf_len += upto - i;
        if (!q) {
            r->open_quote = 1;
            return len;
        }
        i = upto + 1;
        if (i < len && s[i] == '"') { /* "" is one quote */
            buf_reserve(r, 1);
            r->buf[r->buf_len++] = '"';
            i++;
            continue;
        }
        r->open_quote = 0;
        return i;
    }
}

int csv_feed(struct csv_reader *r, const char *s, size_t len, char *err, size_t errlen)
{
    size_t i = 0;
    const char d = r->delim;
    if (r->lines == 0)
        r->nfields = r->buf_len = 0;
    r->lines++;
    if (r->open_quote) {
        /* The line end inside quotes is data; the reader removed CR LF, LF stands for it. */
        buf_reserve(r, 1);
        r->buf[r->buf_len++] = '\n';
        i = scan_quoted(r, s, 0, len);
        if (r->open_quote)
            goto need_more;
        goto after_quote;
    }
    for (;;) {
        /* start of a field */
        if (i < len && s[i] == '"') {
            i = scan_quoted(r, s, i + 1, len);
            if (r->open_quote)
                goto need_more;
        after_quote:
            if (i == len) {
                end_field(r, 1);
                break;
            }
            if (s[i] != d) {
                snprintf(err, errlen, "field %zu: text after the closing quote", r->nfields + 1);
                csv_reset(r);
                return CSV_ERROR;
            }
            end_field(r, 1);
            i++;
            continue;
        }
        const char *e = memchr(s + i, d, len - i);
        size_t upto = e ? (size_t)(e - s) : len;
        buf_reserve(r, upto - i);
        memcpy(r->buf + r->buf_len, s + i, upto - i);
        r->buf_len += upto - i;
        end_field(r, 0);
        if (!e)
            break;
        i = upto + 1;
    }
    publish(r);
    return CSV_RECORD;

need_more:
    if (r->buf_len > r->max_record) {
        snprintf(err, errlen, "field %zu: quoted field not closed within %zu bytes (%zu lines)", r->nfields + 1,
                 r->max_record, r->lines);
        csv_reset(r);
        return CSV_ERROR;
    }
    return CSV_MORE;
}

char csv_guess_delimiter(const char *s, size_t len)
{
    size_t commas = 0, semis = 0;
    int inq = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            inq = !inq;
        else if (!inq && s[i] == ',')
            commas++;
        else if (!inq && s[i] == ';')
            semis++;
    }
    return semis > commas ? ';' : ',';
}
