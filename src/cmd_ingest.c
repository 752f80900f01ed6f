/*
 * cmd_ingest.c - the `ingest` and `sources` commands.
 */
#include "cli.h"
#include "ingest.h"
#include "store.h"
#include "timeutil.h"

#include <getopt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void ingest_usage(FILE *out)
{
    fprintf(out, "usage: mxaudit ingest [OPTIONS] PATH...\n"
                 "\n"
                 "Reads log files into the database. PATH is a file, a directory (read\n"
                 "recursively; files of no known format are skipped with a warning) or - for\n"
                 "standard input. Plain or gzipped (by content, not by name), UTF-8 or UTF-16.\n"
                 "Each file is stored in one transaction: a file that fails leaves nothing\n"
                 "behind. Content already stored is recognised by its fingerprint, also after\n"
                 "log rotation renamed or compressed it; a file that grew is resumed.\n"
                 "\n"
                 "Options:\n"
                 "  --year YYYY          year of the first year-less syslog timestamp of each file,\n"
                 "                       going on into the next year after New Year (default:\n"
                 "                       from the file's end: gzip mtime, a date in its name, or\n"
                 "                       its mtime)\n"
                 "  --tz AREA/CITY       zone of zone-less local timestamps (default: this machine's);\n"
                 "                       never applied to times that carry an offset\n"
                 "  --date-order ORDER   dmy, mdy or ymd for culture-formatted Exchange dates\n"
                 "                       (default: detected per file)\n"
                 "  --format NAME        force a format instead of detecting it\n"
                 "  --max-line BYTES     longest line accepted (default 64 MiB); longer lines are\n"
                 "                       rejected with their start kept\n"
                 "\n"
                 "Formats:\n");
    for (size_t i = 0; parser_registry[i]; i++)
        fprintf(out, "  %-18s %s\n", parser_registry[i]->name, parser_registry[i]->summary);
    fprintf(out, "\n"
                 "Exit codes: 0 all files stored or already there; 2 usage; 3 a named file could\n"
                 "not be read or is of no known format (the other files still land); 4 database.\n");
}

int cmd_ingest(const struct global_options *g, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"year", required_argument, NULL, 'y'},
        {"tz", required_argument, NULL, 't'},
        {"date-order", required_argument, NULL, 'd'},
        {"format", required_argument, NULL, 'f'},
        {"max-line", required_argument, NULL, 'm'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct ingest_options opt;
    memset(&opt, 0, sizeof opt);
    opt.quiet = g->quiet;
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'y': {
            char *end;
            long y = strtol(optarg, &end, 10);
            if (*end || y < 1970 || y > 2100) {
                fprintf(stderr, "mxaudit ingest: --year needs a year from 1970 to 2100, not '%s'\n", optarg);
                return EXIT_USAGE;
            }
            opt.year = (int)y;
            break;
        }
        case 't':
            opt.tz = optarg;
            break;
        case 'd':
            if (strcmp(optarg, "dmy") == 0)
                opt.date_order = DATE_ORDER_DMY;
            else if (strcmp(optarg, "mdy") == 0)
                opt.date_order = DATE_ORDER_MDY;
            else if (strcmp(optarg, "ymd") == 0)
                opt.date_order = DATE_ORDER_YMD;
            else {
                fprintf(stderr, "mxaudit ingest: --date-order is dmy, mdy or ymd, not '%s'\n", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'f':
            if (!parser_find(optarg)) {
                fprintf(stderr, "mxaudit ingest: unknown format '%s'; `mxaudit ingest --help` lists them\n", optarg);
                return EXIT_USAGE;
            }
            opt.format = optarg;
            break;
        case 'm': {
            char *end;
            long long n = strtoll(optarg, &end, 10);
            if (*end || n < 1024) {
                fprintf(stderr, "mxaudit ingest: --max-line needs a number of bytes (at least 1024)\n");
                return EXIT_USAGE;
            }
            ingest_max_line = (size_t)n;
            break;
        }
        case 'h':
            ingest_usage(stdout);
            return EXIT_OK;
        default:
            fprintf(stderr, "mxaudit ingest: unknown or incomplete option '%s'\n", argv[optind - 1]);
            ingest_usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "mxaudit ingest: no files given\n");
        ingest_usage(stderr);
        return EXIT_USAGE;
    }
    if (opt.tz) {
        char err[512];
        if (time_set_zone(opt.tz, err, sizeof err) < 0) {
            fprintf(stderr, "mxaudit ingest: %s\n", err);
            return EXIT_USAGE;
        }
    }
    const char *path = store_default_path(g->db_path);
    sqlite3 *db;
    char err[1024];
    if (store_open(path, STORE_READWRITE, &db, err, sizeof err) < 0) {
        fprintf(stderr, "mxaudit: %s\n", err);
        return EXIT_DB;
    }
    struct ingest_report rep;
    int rc = ingest_run(db, argv + optind, argc - optind, &opt, &rep);
    store_close(db);
    if (!g->quiet) {
        fprintf(stderr,
                "%u new, %u grown, %u unchanged, %u failed, %u skipped files%s; %llu lines, %llu events, "
                "%llu rejected, %llu skipped lines -> %s\n",
                rep.files_new, rep.files_grown, rep.files_unchanged, rep.files_failed, rep.files_ignored,
                rep.db_errors ? ", and database errors (see above)" : "", (unsigned long long)rep.lines,
                (unsigned long long)rep.events, (unsigned long long)rep.rejected, (unsigned long long)rep.skipped,
                path);
        if (rep.rejected)
            fprintf(stderr, "rejected lines are kept: `mxaudit sources --rejects` lists them\n");
    }
    return rc;
}

static void sources_usage(FILE *out)
{
    fprintf(out, "usage: mxaudit sources [--rejects]\n"
                 "\n"
                 "Lists every ingested source: its format, status, line, event and reject\n"
                 "counts and time span. With --rejects, lists the rejected lines instead:\n"
                 "file:line: reason, then the line.\n"
                 "\n"
                 "Exit codes: 0 listed; 2 usage, or standard output cannot be written; 4\n"
                 "database error.\n");
}

int cmd_sources(const struct global_options *g, int argc, char **argv)
{
    int rejects = 0;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            sources_usage(stdout);
            return EXIT_OK;
        } else if (strcmp(argv[i], "--rejects") == 0) {
            rejects = 1;
        } else {
            fprintf(stderr, "mxaudit sources: unknown argument '%s'\n", argv[i]);
            sources_usage(stderr);
            return EXIT_USAGE;
        }
    }
    const char *path = store_default_path(g->db_path);
    sqlite3 *db;
    char err[1024];
    if (store_open(path, STORE_READONLY, &db, err, sizeof err) < 0) {
        fprintf(stderr, "mxaudit: %s\n", err);
        return EXIT_DB;
    }
    errno = 0; /* see cli_stdout_done */
    sqlite3_stmt *st;
    const char *sql =
        rejects ? "SELECT s.path, r.line, r.reason, r.text FROM reject r JOIN source s ON s.id = r.source_id "
                  "ORDER BY s.id, r.line"
                : "SELECT id, status, format, lines_read, events_stored, lines_rejected, lines_skipped, "
                  "coalesce(first_ts, ''), coalesce(last_ts, ''), path, coalesce(error, ''), year_inferred, "
                  "(SELECT min(o.id) FROM source o WHERE o.status = 'ok' AND o.id > s.id AND "
                  "(o.path = s.path OR o.id IN (SELECT f.source_id FROM source_file f WHERE f.path = s.path))), "
                  "time_zone FROM source s ORDER BY id";
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "mxaudit: %s: %s\n", path, sqlite3_errmsg(db));
        store_close(db);
        return EXIT_DB;
    }
    if (!rejects)
        printf("%4s  %-6s  %-16s  %9s  %9s  %8s  %8s  %-19s  %-19s  %s\n", "id", "status", "format", "lines", "events",
               "rejected", "skipped", "first (UTC)", "last (UTC)", "path");
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (rejects) {
            printf("%s:%lld: %s\n    %s\n", sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1),
                   sqlite3_column_text(st, 2), sqlite3_column_text(st, 3));
            continue;
        }
        const char *zone = (const char *)sqlite3_column_text(st, 13);
        printf("%4lld  %-6s  %-16s  %9lld  %9lld  %8lld  %8lld  %-19.19s  %-19.19s  %s%s%s%s%s\n",
               sqlite3_column_int64(st, 0), sqlite3_column_text(st, 1), sqlite3_column_text(st, 2),
               sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4), sqlite3_column_int64(st, 5),
               sqlite3_column_int64(st, 6), sqlite3_column_text(st, 7), sqlite3_column_text(st, 8),
               sqlite3_column_text(st, 9), sqlite3_column_int(st, 11) ? "  (year inferred)" : "",
               zone ? "  (local times in " : "", zone ? zone : "", zone ? ")" : "");
        if (*sqlite3_column_text(st, 10))
            printf("      error: %s\n", sqlite3_column_text(st, 10));
        if (sqlite3_column_type(st, 12) != SQLITE_NULL)
            printf("      since stored whole as source %lld (`mxaudit forget %lld` removes this record)\n",
                   sqlite3_column_int64(st, 12), sqlite3_column_int64(st, 0));
    }
    if (rc != SQLITE_DONE)
        fprintf(stderr, "mxaudit: %s: %s\n", path, sqlite3_errmsg(db));
    sqlite3_finalize(st);
    store_close(db);
    if (rc != SQLITE_DONE)
        return EXIT_DB;
    return cli_stdout_done("sources") < 0 ? EXIT_USAGE : EXIT_OK;
}

static void forget_usage(FILE *out)
{
    fprintf(out, "usage: mxaudit forget ID...\n"
                 "\n"
                 "Removes the sources with these ids (the first column of `mxaudit sources`)\n"
                 "and every row stored from them: events, rejects, file names. Postfix\n"
                 "messages that had lines in them are correlated again from the lines that\n"
                 "remain. Then the files can be ingested again, with other options (--tz,\n"
                 "--year, --date-order) or after a fix. Each id is one transaction; an id\n"
                 "that is not there is reported and the others still go.\n"
                 "\n"
                 "Exit codes: 0 forgotten, 2 usage or no such source, 4 database error.\n");
}

int cmd_forget(const struct global_options *g, int argc, char **argv)
{
    if (argc < 2) {
        forget_usage(stderr);
        return EXIT_USAGE;
    }
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            forget_usage(stdout);
            return EXIT_OK;
        }
        char *end;
        long long id = strtoll(argv[i], &end, 10);
        if (!*argv[i] || *end || id <= 0) {
            fprintf(stderr, "mxaudit forget: '%s' is not a source id (`mxaudit sources` lists them)\n", argv[i]);
            return EXIT_USAGE;
        }
    }
    const char *path = store_default_path(g->db_path);
    sqlite3 *db;
    char err[1024];
    if (access(path, F_OK) != 0) { /* forget never makes a database */
        fprintf(stderr, "mxaudit: %s: no such database\n", path);
        return EXIT_DB;
    }
    if (store_open(path, STORE_READWRITE, &db, err, sizeof err) < 0) {
        fprintf(stderr, "mxaudit: %s\n", err);
        return EXIT_DB;
    }
    /* Every id is tried: one that is not there is reported (exit 2), the
     * others still go; a database error stops the rest. */
    int rc = EXIT_OK;
    for (int i = 1; i < argc && rc != EXIT_DB; i++) {
        long long id = strtoll(argv[i], NULL, 10);
        char name[1024] = "";
        char *sql = sqlite3_mprintf("SELECT path FROM source WHERE id = %lld", id);
        sqlite3_stmt *st;
        if (sql && sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
            if (sqlite3_step(st) == SQLITE_ROW)
                snprintf(name, sizeof name, "%s", (const char *)sqlite3_column_text(st, 0));
            sqlite3_finalize(st);
        }
        sqlite3_free(sql);
        int r = ingest_forget(db, id, err, sizeof err);
        if (r == 1) {
            fprintf(stderr, "mxaudit forget: %s\n", err);
            rc = EXIT_USAGE;
        } else if (r < 0) {
            fprintf(stderr, "mxaudit forget: %s: source %lld: %s; nothing of it was removed\n", path, id, err);
            rc = EXIT_DB;
        } else if (!g->quiet) {
            fprintf(stderr, "forgot source %lld (%s)\n", id, name);
        }
    }
    store_close(db);
    return rc;
}
