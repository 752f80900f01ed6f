/*
 * NAME
 *   csv.h - a CSV record tokenizer fed one line at a time.
 *
 * SUMMARY
 *   RFC 4180 records with a chosen delimiter: a field in double quotes may
 *   hold the delimiter, doubled quotes and line ends, so one record may span
 *   several input lines. The caller feeds lines without their line end;
 *   csv_feed() says whether a record is complete, needs the next line, or is
 *   broken. Fields of a complete record are slices of one buffer owned by the
 *   reader, valid until the next csv_feed() or csv_reset().
 *
 *   The tokenizer knows nothing about what the fields mean.
 *
 * OWNERSHIP
 *   Whoever calls csv_init calls csv_free. Nothing is allocated per field:
 *   the reader keeps one byte buffer and one field array and grows them.
 */
#ifndef MXAUDIT_CSV_H
#define MXAUDIT_CSV_H

#include <stddef.h>

enum csv_status {
    CSV_RECORD = 0, /* a record is complete: read csv_fields */
    CSV_MORE = 1,   /* a quoted field is still open: feed the next line */
    CSV_ERROR = -1  /* the record is broken (err says why); the reader is reset */
};

struct csv_field {
    const char *p; /* unquoted, unescaped bytes (not NUL-terminated) */
    size_t len;
    int quoted; /* 1 when the field was written in quotes */
};

struct csv_reader {
    char delim;
    size_t max_record; /* a record longer than this is an error (default 1 MiB) */
    char *buf;         /* field bytes of the record being read */
    size_t buf_len, buf_cap;
    size_t *ends; /* end offset of each field in buf */
    unsigned char *quoted;
    size_t nfields, fields_cap;
    struct csv_field *fields; /* filled when a record completes */
    int open_quote;           /* a quoted field continues on the next line */
    size_t lines;             /* lines the current record has taken so far */
};

void csv_init(struct csv_reader *r, char delim);
void csv_free(struct csv_reader *r);
/* Forgets a partly read record. */
void csv_reset(struct csv_reader *r);

/* Feeds one line (LEN bytes, without line end; NUL bytes are data). On
 * CSV_RECORD the fields are r->fields[0 .. r->nfields-1]. On CSV_ERROR err
 * names the field and the problem. */
int csv_feed(struct csv_reader *r, const char *line, size_t len, char *err, size_t errlen);

/* The delimiter that splits LINE (a header line) into more fields: ',' or
 * ';', counting only outside double quotes. ',' when neither occurs. */
char csv_guess_delimiter(const char *line, size_t len);

#endif
