/*
 * parser.h - the contract between the ingest driver and one input format.
 *
 * The driver (src/ingest.c) owns the line reader, the source row and the
 * transaction: one transaction per input file, rolled back if the file fails.
 * A parser sees decoded lines (UTF-8 as far as the input is, without the line
 * end, possibly with NUL bytes or invalid UTF-8: it must not assume a C string)
 * and writes rows through statements it prepares on ctx->db in open(). It never
 * opens files, never begins or ends transactions, never exits.
 *
 * Every table a parser writes rows into has the columns source_id and line
 * (evidence: which file and line a row came from). The driver relies on that
 * to remove the rows of a file's unterminated last line when the file is
 * resumed after it grew.
 *
 * Lifetime per input file: detect() on the first lines (only when no --format
 * is forced), open(), line() for every line, finish() at end of input, close()
 * always, even after a failure. after_run(), when not NULL, runs once per
 * ingest run after the last file of this format, in a transaction of its own,
 * to rebuild derived tables (for example correlating Postfix lines into
 * messages across files). State a parser keeps from file to file within a
 * run lives in *ctx->run_state, freed by free_run() when the run ends.
 */
#ifndef MXAUDIT_PARSER_H
#define MXAUDIT_PARSER_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

enum parse_result {
    PARSE_OK = 0,     /* the line was understood (it may have stored rows) */
    PARSE_SKIP = 1,   /* deliberately ignored (another program's line, a comment); counted */
    PARSE_REJECT = 2, /* not understood: the driver stores it in reject with ctx->reason */
    PARSE_FATAL = -1  /* the file cannot go on (ctx->reason says why); its transaction is rolled back */
};

enum date_order { DATE_ORDER_AUTO = 0, DATE_ORDER_DMY, DATE_ORDER_MDY, DATE_ORDER_YMD };

/* Options of one ingest run, from the command line. */
struct ingest_options {
    int year;                   /* --year; 0 = infer from the file's end date */
    const char *tz;             /* --tz Area/City for zone-less local times; NULL = the machine's zone */
    enum date_order date_order; /* --date-order; AUTO = detect per file */
    const char *format;         /* --format NAME forced; NULL = detect */
    int quiet;                  /* --quiet: no progress, no warnings beyond errors */
};

/* One parse of one input file, in the manner of the SQLite shell's ImportCtx. */
struct parse_ctx {
    sqlite3 *db;
    int64_t source_id;        /* source.id of the file being ingested */
    const char *path;         /* its path, for messages */
    const char *display_name; /* file name without directory (for a date in a rotated name) */
    const struct ingest_options *opt;
    time_t ref_time;           /* when the file ends: gzip header mtime, a date in its name, or its mtime */
    uint64_t line_no;          /* current line, 1-based */
    uint64_t offset;           /* byte offset of the current line in the decoded content */
    char reason[256];          /* set by the parser for PARSE_REJECT and PARSE_FATAL */
    uint64_t events;           /* rows stored: the parser adds one per event it stores */
    uint64_t warnings;         /* incremented by parser_warn */
    int64_t first_ts, last_ts; /* epoch seconds of the earliest and latest event; parser_note_time keeps them */
    int year_inferred;         /* 1 once parser_year_for() had to guess a year */
    int local_times;           /* 1 once a zone-less local time was read in the run's zone */
    int year_prev, month_prev, day_prev; /* --year: the previous year-less line's date (year 0: none yet) */
    /* Set by the driver: stores a rejected record (see parser_reject_record). */
    int (*store_reject)(void *driver, uint64_t line, uint64_t offset, const char *text, size_t len, const char *reason);
    void *driver;
    /* Set by the driver: where this parser may keep state for the whole run
     * (NULL at its start), handed to after_run() and free_run(). */
    void **run_state;
};

struct parser {
    const char *name;    /* --format name, stored in source.format */
    const char *summary; /* one line for --help */
    /* How sure the parser is that these first lines are its format: 0 (not
     * mine) to 100 (certain). lines[i] has lens[i] bytes, no line end. */
    int (*detect)(const char *const *lines, const size_t *lens, size_t n);
    /* Prepares statements and per-file state. 0 or PARSE_FATAL with ctx->reason. */
    int (*open)(struct parse_ctx *ctx, void **state);
    /* One line; returns an enum parse_result. */
    int (*line)(void *state, struct parse_ctx *ctx, const char *text, size_t len);
    /* End of input: flush buffered rows. 0 or PARSE_FATAL with ctx->reason. */
    int (*finish)(void *state, struct parse_ctx *ctx);
    /* Frees the state; always called once open() succeeded. */
    void (*close)(void *state);
    /* Once per run after this format's files, when one of them was stored:
     * rebuild derived tables. RUN_STATE is what open() left in
     * *ctx->run_state. 0 or -1 with a message in err. May be NULL. */
    int (*after_run)(sqlite3 *db, void *run_state, char *err, size_t errlen);
    /* Whether after_run() has work left by an earlier run that stopped
     * (killed, or its rebuild failed): then it runs even when this run has
     * no file of the format. May be NULL. */
    int (*pending)(sqlite3 *db);
    /* Frees a run state open() left, at the end of every run. May be NULL. */
    void (*free_run)(void *run_state);
    /* 1 when every line stands alone (Postfix): a file that grew since it was
     * ingested is parsed on from its last complete line. 0 when lines depend
     * on earlier ones (a CSV header, a #Fields line, records spanning lines):
     * a grown file is parsed again from its first line into the same source,
     * its earlier rows replaced. */
    int resumable;
};

/* All parsers, NULL-terminated (parsers/registry.c). */
extern const struct parser *const parser_registry[];
const struct parser *parser_find(const char *name);

/* Prints "path:line: warning: ..." to stderr (unless quiet) and counts it. */
void parser_warn(struct parse_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Sets ctx->reason; returns PARSE_REJECT, so a parser can `return parser_reject(...)`. */
int parser_reject(struct parse_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Stores a rejected record whose first line was read before the current one
 * (a CSV record spanning lines, a record still open at the end of input):
 * LINE and OFFSET of its first line, its text (all its lines, joined by
 * '\n'), and the reason. Counted in source.lines_rejected like any rejected
 * line. Usable from line() and finish(). 0, or PARSE_FATAL on a database
 * error (ctx->reason says why). */
int parser_reject_record(struct parse_ctx *ctx, uint64_t line, uint64_t offset, const char *text, size_t len,
                         const char *reason);
/* Keeps ctx->first_ts / last_ts (epoch seconds, UTC). */
void parser_note_time(struct parse_ctx *ctx, int64_t epoch);
/* The year for a year-less timestamp of MONTH (1-12) and DAY: --year for
 * the file's first such line, and for each later one the year nearest the
 * line before (a file that runs past New Year goes on in the next year);
 * without --year the year of ctx->ref_time, one less when the date lies
 * after the file's end (December lines in a file that ends in January).
 * Sets ctx->year_inferred when it guessed. */
int parser_year_for(struct parse_ctx *ctx, int month, int day);
/* A resumed file goes on from its last stored line, at EPOCH: --year's
 * chain of years continues from that line's local date. */
void parser_resume_after(struct parse_ctx *ctx, int64_t epoch);

#endif
