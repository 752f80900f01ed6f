/*
 * NAME
 *   exchange_common.h - what the Exchange parsers share: column names, the
 *   normalised row, culture-formatted dates, and the ex_event/ex_recipient
 *   writer.
 *
 * SUMMARY
 *   Every Exchange export names its columns differently (date-time,
 *   Timestamp, Received, date_time_utc ...). ex_column_from_name() maps a
 *   header name to one of the columns of the normalised model, ignoring
 *   case, '-', '_' and spaces, so that parsers map by name and never by
 *   position. A parser collects a row as slices (struct ex_slice, one per
 *   enum ex_col) and hands it to ex_store_row(), which derives the stored
 *   values (Message-ID, entry IP, directionality, recipients) in one place.
 *
 *   ex_tab_* is the engine of the CSV-shaped formats (tracking logs with
 *   #Fields, Export-Csv files, downloadable reports): header mapping, field
 *   count checks, day/month order detection with look-ahead, truncation and
 *   System.String[] warnings. Each format is a struct ex_format.
 *
 * OWNERSHIP
 *   ex_store_open / ex_store_close pair up, as do ex_tab_open / ex_tab_close.
 *   Slices point into the caller's buffers and are not kept.
 */
#ifndef MXAUDIT_EXCHANGE_COMMON_H
#define MXAUDIT_EXCHANGE_COMMON_H

#include "csv.h"
#include "parser.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* Columns of the normalised model that some export carries. */
enum ex_col {
    EXC_NONE = 0,
    EXC_TIME,
    EXC_CLIENT_IP,
    EXC_CLIENT_HOST,
    EXC_SERVER_IP,
    EXC_SERVER_HOST,
    EXC_SOURCE_CONTEXT,
    EXC_CONNECTOR,
    EXC_SOURCE,
    EXC_EVENT,
    EXC_INTERNAL_ID,
    EXC_MESSAGE_ID,
    EXC_NETWORK_ID,
    EXC_RECIPIENTS,
    EXC_RECIPIENT_STATUS,
    EXC_SIZE,
    EXC_RECIPIENT_COUNT,
    EXC_RELATED_RECIPIENT,
    EXC_REFERENCE,
    EXC_SUBJECT,
    EXC_SENDER,
    EXC_RETURN_PATH,
    EXC_MESSAGE_INFO,
    EXC_DIRECTIONALITY,
    EXC_TENANT,
    EXC_ORIG_CLIENT_IP,
    EXC_ORIG_SERVER_IP,
    EXC_CUSTOM_DATA,
    EXC_STATUS, /* message trace Status: the event and every recipient's status */
    EXC_ACTION, /* trace detail Action */
    EXC_DETAIL, /* trace detail Detail */
    EXC_COUNT
};

struct ex_slice {
    const char *p;
    size_t len;
};

/* The column a header name stands for (any export's spelling), or EXC_NONE. */
enum ex_col ex_column_from_name(const char *name, size_t len);
/* Lower-cases NAME keeping letters and digits only, into out (size outlen). */
void ex_name_normalise(const char *name, size_t len, char *out, size_t outlen);

/* The first <...> of a Message-ID field without its brackets; the trimmed
 * value when it has no brackets; len 0 when empty. */
struct ex_slice ex_message_id_normalise(const char *p, size_t len);
/* The value of KEY (for example "S:ProxiedClientIPAddress") in a custom-data
 * list "S:k=v;S:k2=v2"; len 0 when absent. */
struct ex_slice ex_custom_data_get(const char *p, size_t len, const char *key);
/* IP text without an IPv6 zone id ("fe80::1%3" -> "fe80::1"). */
struct ex_slice ex_ip_strip_zone(const char *p, size_t len);
/* "Incoming"/"1" -> "Incoming", "Originating"/"2" -> "Originating", else NULL. */
const char *ex_directionality(const char *p, size_t len);

/* A culture-formatted date and time as Export-Csv writes it
 * ("3/13/2026 9:00:05 AM", "13.03.2026 09:00:05", "2026-03-13 09:00:05"). */
struct ex_culture_time {
    int a, b, year; /* the two leading fields in file order, and the year */
    int ymd;        /* 1 when the year came first (no ambiguity) */
    int hour, min, sec, ms;
};
/* 0 on success, -1 when TEXT is not such a date. */
int ex_culture_time_parse(const char *p, size_t len, struct ex_culture_time *t);

/* One value of a row waiting in a batch. */
enum ex_val_kind { EX_VAL_NULL, EX_VAL_INT, EX_VAL_TEXT, EX_VAL_STATIC };
struct ex_val {
    enum ex_val_kind kind;
    int64_t i;     /* EX_VAL_INT */
    const char *s; /* EX_VAL_STATIC: a string that outlives the store */
    size_t off;    /* EX_VAL_TEXT: offset in the store's arena */
    size_t len;    /* text length */
};

#define EX_BATCH 64 /* ex_event rows (and recipient rows) per INSERT */

/* Writer of ex_event + ex_recipient rows, EX_BATCH to a statement. */
struct ex_store {
    sqlite3_stmt *ins_event, *ins_events;         /* one row; EX_BATCH rows */
    sqlite3_stmt *ins_recipient, *ins_recipients; /* the same for ex_recipient */
    sqlite3_stmt *next_id;                        /* the id of the next ex_event row */
    struct ipset *exo; /* Exchange Online's ranges (on-prem logs): a hybrid hop from there keeps its IP */
    const char *system, *format;
    int empty_sender_is_null; /* exports where an empty sender means <> (message trace) */
    char *scratch;            /* unescaped multi-value members */
    size_t scratch_cap;
    int warned_string_array;
    /* The batch not yet written: its rows' values, their text in arena. */
    struct ex_val *vals;  /* EX_BATCH rows of 32 values (id first) */
    size_t nrows;         /* rows in vals */
    struct ex_val *rvals; /* recipient rows of 5 values; the first holds the row's place until written */
    size_t nrvals, rvals_cap;
    char *arena;
    size_t arena_len, arena_cap;
    uint64_t first_line, last_line; /* of the batch, for an error message */
};
int ex_store_open(struct ex_store *st, struct parse_ctx *ctx, const char *system, const char *format);
/* Frees the store; a batch not yet written is dropped (the file failed). */
void ex_store_close(struct ex_store *st);
/* Adds one row to the batch, writing the batch first when it is full;
 * col[] holds the row's fields by ex_col (len 0 = empty). Returns 0, or
 * PARSE_FATAL with ctx->reason on a database error. */
int ex_store_row(struct ex_store *st, struct parse_ctx *ctx, const struct ex_slice *col, int64_t epoch, int ms,
                 uint64_t line);
/* Writes the rows still waiting: at the end of the input, before anything
 * reads ex_event. 0, or PARSE_FATAL with ctx->reason. */
int ex_store_flush(struct ex_store *st, struct parse_ctx *ctx);

/* Parses a multi-valued field (';'-joined, members with ';' or '\'' in single
 * quotes): calls fn for each member, unescaped. Uses st->scratch. */
void ex_multi_value_each(struct ex_store *st, const char *p, size_t len,
                         void (*fn)(void *arg, const char *m, size_t mlen), void *arg);

/* ---- the engine of the CSV-shaped formats ---- */

enum ex_time_kind {
    EX_TIME_ISO_UTC,       /* ISO 8601 with Z (tracking log files) */
    EX_TIME_CULTURE_LOCAL, /* culture format, local time of the exporting machine (--tz) */
    EX_TIME_CULTURE_UTC    /* culture format or ISO, already UTC (Exchange Online) */
};

enum ex_header_kind {
    EX_HEADER_FIELDS_LINE, /* "#Fields: a,b,c" (tracking log files), possibly repeated */
    EX_HEADER_FIRST_LINE   /* the first line that is not "#TYPE ..." is the header */
};

struct ex_format {
    const char *name;   /* parser name */
    const char *system; /* 'exchange' or 'exo' */
    enum ex_time_kind time_kind;
    enum ex_header_kind header_kind;
    int empty_sender_is_null;
    /* Minimum columns: groups of alternatives by ex_col, 0-terminated; for
     * the error message, the names as the format spells them. */
    const enum ex_col *required;
    const char *const *required_names;
    int warn_result_limit; /* warn at exactly 1000 or 5000 data rows */
};

struct ex_tab;
int ex_tab_open(const struct ex_format *fmt, struct parse_ctx *ctx, void **state);
int ex_tab_line(void *state, struct parse_ctx *ctx, const char *text, size_t len);
int ex_tab_finish(void *state, struct parse_ctx *ctx);
void ex_tab_close(void *state);

/* Detection help: the header line of a CSV export among the first lines
 * (skipping "#TYPE" and empty lines) split into normalised names; calls
 * has() for each. Returns the number of names, 0 when there is no header. */
size_t ex_header_names(const char *const *lines, const size_t *lens, size_t n, char names[][48], size_t max);
int ex_names_have(char names[][48], size_t n, const char *norm);

#endif
