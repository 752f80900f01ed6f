/*
 * ingest.h - reads input files into the database, one transaction each.
 *
 * For every path (a file, a directory walked recursively, or "-" for
 * standard input) the driver opens a line reader, recognises content it has
 * already stored (the fingerprint in the source table), detects the format
 * from the first lines unless one is forced, feeds the lines to the parser,
 * stores rejected lines, and commits. A file that fails is rolled back whole
 * and recorded as a failed source; the other files still land. After all
 * files, each parser's after_run() rebuilds its derived tables.
 */
#ifndef MXAUDIT_INGEST_H
#define MXAUDIT_INGEST_H

#include "parser.h"

#include <sqlite3.h>
#include <stdint.h>

/* Totals of one run, for the summary line and the exit code. */
struct ingest_report {
    unsigned files_new;       /* ingested from the start */
    unsigned files_grown;     /* already known, resumed after the known part */
    unsigned files_unchanged; /* already ingested whole: nothing added */
    unsigned files_failed;    /* input or I/O error: rolled back */
    unsigned files_ignored;   /* found in a directory, of no known format: skipped with a warning */
    unsigned db_errors;       /* database errors (exit code 4) */
    uint64_t lines;           /* lines read */
    uint64_t events;          /* rows stored by parsers */
    uint64_t rejected;        /* lines stored in reject */
    uint64_t skipped;         /* lines deliberately ignored */
};

/* Ingests PATHS. Returns 0 when every named file landed or was already
 * there, else the exit code to use (3 input/I/O, 4 database). */
int ingest_run(sqlite3 *db, char *const *paths, int npaths, const struct ingest_options *opt,
               struct ingest_report *rep);

/* Removes source SOURCE_ID and every row stored from it, in one
 * transaction; Postfix messages that had lines in it are correlated again
 * from the lines that remain. 0, 1 when there is no such source, or -1 with
 * a message in err. */
int ingest_forget(sqlite3 *db, int64_t source_id, char *err, size_t errlen);

/* The largest line the reader accepts before it rejects the line (bytes). */
extern size_t ingest_max_line;

#endif
