/*
 * ingest.c - see ingest.h.
 *
 * One file's journey: open a line reader; read the head (the first 64 KiB of
 * content, kept as copies for format detection); compare the head's hash with
 * the sources already stored; if one matches, read on without parsing to the
 * end of that source's content and compare again: equal means the file is that
 * source (unchanged, or grown and resumed from there). Otherwise it is new.
 * Parsing happens inside one BEGIN IMMEDIATE transaction per file, so a file
 * that fails leaves nothing behind and two concurrent runs never interleave
 * their rows.
 */
#include "ingest.h"

#include "hash.h"
#include "linereader.h"
#include "store.h"
#include "textutil.h"
#include "timeutil.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

size_t ingest_max_line = 0; /* 0 = the reader's default, 64 MiB */

#define HEAD_BYTES 65536 /* the head hash covers content up to the first line end at or after this */
#define DETECT_LINES 40  /* lines handed to detect() */
#define REJECT_TEXT_MAX 2048

enum exit_status { ST_OK = 0, ST_INPUT = 3, ST_DB = 4 };

/* A source already in the database, as a fingerprint candidate. */
struct known {
    int64_t id;
    uint64_t head_bytes, content_bytes, lines_complete, lines_read;
    char head_hash[17], content_hash[17];
    char format[32];
    int head_matched;
};

/* A line kept from the head, before we know what to do with it. */
struct held_line {
    char *text;
    size_t len;
    struct line meta;
    uint64_t end;  /* content position after this line */
    char hash[17]; /* content hash up to there */
};

struct run {
    sqlite3 *db;
    const struct ingest_options *opt;
    struct ingest_report *rep;
    int status;             /* worst exit status so far */
    unsigned char used[64]; /* parsers that ingested something */
    void *run_state[64];    /* each parser's state for the whole run (parse_ctx.run_state) */
    char **row_tables;      /* tables with source_id and line columns */
    size_t nrow_tables;
    int progress; /* show progress on stderr */
    dev_t db_dev;
    ino_t db_ino;
};

static void say(const struct run *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const struct run *run, const char *fmt, ...)
{
    if (run->opt->quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

static void worse(struct run *run, int st)
{
    if (st > run->status)
        run->status = st;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the reference date for year-less timestamps ---- */

/* A date in a rotated file's name: mail.log-20261125, maillog.2026-11-25.gz. */
static time_t date_in_name(const char *name)
{
    for (const char *p = name; *p; p++) {
        int y, m, d;
        if (sscanf(p, "%4d%2d%2d", &y, &m, &d) == 3 && p[0] >= '0' && p[0] <= '9' && strspn(p, "0123456789") == 8) {
            if (y >= 1990 && y <= 2100 && time_valid_date(y, m, d))
                return (time_t)time_from_civil(y, m, d, 23, 59, 59);
        }
        if (strspn(p, "0123456789") == 4 && p[4] == '-' && sscanf(p, "%4d-%2d-%2d", &y, &m, &d) == 3) {
            if (y >= 1990 && y <= 2100 && time_valid_date(y, m, d))
                return (time_t)time_from_civil(y, m, d, 23, 59, 59);
        }
        if (p[0] >= '0' && p[0] <= '9')
            p += strspn(p, "0123456789") - 1;
    }
    return 0;
}

/* ---- fingerprint candidates ---- */

static struct known *load_known(sqlite3 *db, size_t *n)
{
    sqlite3_stmt *st;
    struct known *k = NULL;
    size_t cap = 0;
    *n = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT id, head_bytes, head_hash, content_bytes, content_hash, lines_complete, "
                           "lines_read, format FROM source WHERE status = 'ok' AND content_bytes > 0",
                           -1, &st, NULL) != SQLITE_OK)
        return NULL;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            k = xrealloc(k, cap * sizeof *k);
        }
        struct known *e = &k[(*n)++];
        memset(e, 0, sizeof *e);
        e->id = sqlite3_column_int64(st, 0);
        e->head_bytes = (uint64_t)sqlite3_column_int64(st, 1);
        snprintf(e->head_hash, sizeof e->head_hash, "%s", (const char *)sqlite3_column_text(st, 2));
        e->content_bytes = (uint64_t)sqlite3_column_int64(st, 3);
        snprintf(e->content_hash, sizeof e->content_hash, "%s", (const char *)sqlite3_column_text(st, 4));
        e->lines_complete = (uint64_t)sqlite3_column_int64(st, 5);
        e->lines_read = (uint64_t)sqlite3_column_int64(st, 6);
        snprintf(e->format, sizeof e->format, "%s", (const char *)sqlite3_column_text(st, 7));
    }
    sqlite3_finalize(st);
    return k;
}

/* Tables whose rows carry (source_id, line): where a resumed file's partial
 * last line has to be removed from. */
static void find_row_tables(struct run *run)
{
    sqlite3_stmt *st;
    const char *sql = "SELECT m.name FROM sqlite_schema m WHERE m.type = 'table' "
                      "AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) WHERE name = 'source_id') "
                      "AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) WHERE name = 'line')";
    if (sqlite3_prepare_v2(run->db, sql, -1, &st, NULL) != SQLITE_OK)
        return;
    while (sqlite3_step(st) == SQLITE_ROW) {
        run->row_tables = xrealloc(run->row_tables, (run->nrow_tables + 1) * sizeof *run->row_tables);
        run->row_tables[run->nrow_tables++] = xstrdup((const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
}

static int drop_rows_after(struct run *run, int64_t source_id, uint64_t line, char *err, size_t errlen)
{
    for (size_t i = 0; i < run->nrow_tables; i++) {
        char *sql = sqlite3_mprintf("DELETE FROM \"%w\" WHERE source_id = %lld AND line > %lld", run->row_tables[i],
                                    (long long)source_id, (long long)line);
        int rc = store_exec(run->db, sql, err, errlen);
        sqlite3_free(sql);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* ---- one file ---- */

struct file_job {
    const char *path;  /* as given or found */
    int explicit_path; /* named on the command line: unknown format is an error */
    int fd;            /* spooled stdin, or -1 */
    int opened;        /* the path has been opened once */
    struct stat st;
};

static int open_reader(const struct file_job *job, struct linereader **r, char *err, size_t errlen)
{
    if (job->fd < 0 && S_ISFIFO(job->st.st_mode) && job->opened) {
        /* A named pipe is streamed, not spooled (a writer may feed it for
         * hours), so what was read of it cannot be read again. */
        snprintf(err, errlen,
                 "%s: a named pipe whose beginning matches a stored source but whose content differs from it "
                 "cannot be read twice; copy it to a file and ingest that",
                 job->path);
        return -1;
    }
    if (job->fd >= 0) {
        int fd = dup(job->fd);
        if (fd < 0 || lseek(fd, 0, SEEK_SET) < 0) {
            snprintf(err, errlen, "%s: %s", job->path, strerror(errno));
            if (fd >= 0)
                close(fd);
            return -1;
        }
        return linereader_open_fd(fd, job->path, ingest_max_line, r, err, errlen);
    }
    ((struct file_job *)job)->opened = 1;
    return linereader_open(job->path, ingest_max_line, r, err, errlen);
}

static void record_failure(struct run *run, const struct file_job *job, const char *format, const char *error)
{
    char now[TIME_TEXT_MAX], msg[256];
    store_now(now);
    sqlite3_stmt *st;
    if (store_exec(run->db, "BEGIN IMMEDIATE", msg, sizeof msg) < 0)
        return;
    if (sqlite3_prepare_v2(run->db,
                           "INSERT INTO source(path, format, size, status, error, ingested_at) "
                           "VALUES (?1, ?2, ?3, 'failed', ?4, ?5)",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, job->path, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, format ? format : "unknown", -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, (sqlite3_int64)job->st.st_size);
        sqlite3_bind_text(st, 4, error, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
        sqlite3_step(st);
        sqlite3_finalize(st);
        int64_t id = sqlite3_last_insert_rowid(run->db);
        if (sqlite3_prepare_v2(run->db,
                               "INSERT INTO source_file(source_id, path, size, outcome, seen_at) "
                               "VALUES (?1, ?2, ?3, 'failed', ?4)",
                               -1, &st, NULL) == SQLITE_OK) {
            sqlite3_bind_int64(st, 1, id);
            sqlite3_bind_text(st, 2, job->path, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 3, (sqlite3_int64)job->st.st_size);
            sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
            sqlite3_step(st);
            sqlite3_finalize(st);
        }
    }
    store_exec(run->db, "COMMIT", msg, sizeof msg);
}

struct parse_state {
    struct run *run;
    const struct parser *parser;
    void *pstate;
    struct parse_ctx ctx;
    sqlite3_stmt *reject_stmt;
    uint64_t lines, complete, skipped, rejected;
    double last_progress, started;
    off_t total_size;
    struct linereader *reader;
};

/* The database's file name, for messages about it rather than about the input. */
static const char *db_name(sqlite3 *db)
{
    const char *f = sqlite3_db_filename(db, "main");
    return f && *f ? f : "the database";
}

static void show_progress(struct parse_state *ps, int final)
{
    double now = now_seconds();
    if (!final && now - ps->last_progress < 0.25)
        return;
    ps->last_progress = now;
    double elapsed = now - ps->started;
    double pos = (double)linereader_input_pos(ps->reader);
    double rate = elapsed > 0 ? ps->lines / elapsed : 0;
    char eta[32] = "";
    if (ps->total_size > 0 && pos > 0 && elapsed > 0.5 && !final) {
        double left = elapsed * ((double)ps->total_size - pos) / pos;
        snprintf(eta, sizeof eta, ", ETA %d:%02d", (int)left / 60, (int)left % 60);
    }
    fprintf(stderr, "\r\033[K%s: %.1f/%.1f MiB, %llu lines, %.0f lines/s%s%s", ps->ctx.path, pos / 1048576.0,
            (double)ps->total_size / 1048576.0, (unsigned long long)ps->lines, rate, eta, final ? "\n" : "");
}

/* Stores one rejected line or record. 0, or PARSE_FATAL with ctx->reason. */
static int store_reject(void *driver, uint64_t line, uint64_t offset, const char *text, size_t len, const char *reason)
{
    struct parse_state *ps = driver;
    int cut;
    char *printable = text_printable(text, len, REJECT_TEXT_MAX, &cut);
    sqlite3_stmt *st = ps->reject_stmt;
    sqlite3_bind_int64(st, 1, ps->ctx.source_id);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)line);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)offset);
    sqlite3_bind_text(st, 4, reason && *reason ? reason : "not understood", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, printable, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    free(printable);
    if (rc != SQLITE_DONE) {
        snprintf(ps->ctx.reason, sizeof ps->ctx.reason, "cannot store rejected line: %s", sqlite3_errmsg(ps->ctx.db));
        return PARSE_FATAL;
    }
    ps->rejected++;
    return 0;
}

/* Feeds one line to the parser. 0, or -1 when the file must fail (reason in ctx). */
static int feed(struct parse_state *ps, const char *text, size_t len, const struct line *meta)
{
    struct parse_ctx *ctx = &ps->ctx;
    ctx->line_no = meta->number;
    ctx->offset = meta->offset;
    ps->lines++;
    if (meta->has_newline)
        ps->complete++;
    int rc;
    if (meta->too_long) {
        snprintf(ctx->reason, sizeof ctx->reason,
                 "line of at least %llu bytes is longer than the limit (--max-line); its start is kept",
                 (unsigned long long)meta->full_len);
        rc = PARSE_REJECT;
    } else {
        ctx->reason[0] = '\0';
        rc = ps->parser->line(ps->pstate, ctx, text, len);
    }
    if (rc == PARSE_SKIP) {
        ps->skipped++;
    } else if (rc == PARSE_REJECT) {
        char reason[sizeof ctx->reason];
        memcpy(reason, ctx->reason, sizeof reason);
        if (store_reject(ps, meta->number, meta->offset, text, len, reason) != 0)
            return -1;
    } else if (rc == PARSE_FATAL) {
        if (!ctx->reason[0])
            snprintf(ctx->reason, sizeof ctx->reason, "parser failed");
        return -1;
    }
    if (ps->run->progress && (ps->lines & 0x3FFF) == 0)
        show_progress(ps, 0);
    return 0;
}

static const struct parser *detect_format(struct held_line *held, size_t nheld, int *score_out)
{
    const char *lines[DETECT_LINES];
    size_t lens[DETECT_LINES], n = 0;
    for (size_t i = 0; i < nheld && n < DETECT_LINES; i++) {
        lines[n] = held[i].text;
        lens[n++] = held[i].len;
    }
    const struct parser *best = NULL;
    int best_score = 0;
    for (size_t i = 0; parser_registry[i]; i++) {
        int s = parser_registry[i]->detect(lines, lens, n);
        if (s > best_score) {
            best_score = s;
            best = parser_registry[i];
        }
    }
    *score_out = best_score;
    return best;
}

static size_t parser_index(const struct parser *p)
{
    for (size_t i = 0; parser_registry[i]; i++)
        if (parser_registry[i] == p)
            return i;
    return 0;
}

static void free_held(struct held_line *held, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(held[i].text);
    free(held);
}

/* Reads lines without parsing until the content position reaches TARGET.
 * 1 when it got there, 0 at the end of input first, -1 on a read error. */
static int skip_to(struct linereader *r, uint64_t target)
{
    struct line l;
    while (linereader_content_pos(r) < target) {
        int rc = linereader_next(r, &l);
        if (rc <= 0)
            return rc;
        if (!l.has_newline)
            return 0;
    }
    return linereader_content_pos(r) == target;
}

static void ingest_file(struct run *run, struct file_job *job)
{
    char err[1024] = "";
    struct linereader *r = NULL;
    struct held_line *held = NULL;
    size_t nheld = 0;
    struct known *known = NULL;
    size_t nknown = 0;
    const struct parser *parser = NULL;
    const char *display = strrchr(job->path, '/') ? strrchr(job->path, '/') + 1 : job->path;

    if (open_reader(job, &r, err, sizeof err) < 0) {
        fprintf(stderr, "mxaudit: %s\n", err);
        record_failure(run, job, NULL, err);
        run->rep->files_failed++;
        worse(run, ST_INPUT);
        return;
    }

    /* The head: enough lines to detect the format and to hash the first 64 KiB. */
    uint64_t head_bytes = 0;
    char head_hash[17] = "";
    struct line l;
    int rc = 0;
    size_t cap = 0;
    while (linereader_content_pos(r) < HEAD_BYTES && (rc = linereader_next(r, &l)) == 1) {
        if (nheld == cap) {
            cap = cap ? cap * 2 : 64;
            held = xrealloc(held, cap * sizeof *held);
        }
        held[nheld].text = xstrndup(l.text, l.len);
        held[nheld].len = l.len;
        held[nheld].meta = l;
        /* Where each line of the head ends, and the hash up to there: a
         * stored source smaller than the head matches at one of these. */
        held[nheld].end = linereader_content_pos(r);
        hash64_hex(linereader_hash(r), held[nheld].hash);
        nheld++;
        if (!l.has_newline)
            break;
    }
    if (rc < 0) {
        fprintf(stderr, "mxaudit: %s\n", linereader_error(r));
        record_failure(run, job, NULL, linereader_error(r));
        run->rep->files_failed++;
        worse(run, ST_INPUT);
        goto done;
    }
    head_bytes = linereader_content_pos(r);
    hash64_hex(linereader_hash(r), head_hash);

    if (nheld == 0) {
        say(run, "mxaudit: %s: empty, nothing to ingest\n", job->path);
        goto done;
    }
    if (run->opt->format) {
        parser = parser_find(run->opt->format);
    } else {
        int score;
        parser = detect_format(held, nheld, &score);
        if (!parser) {
            int cut;
            char *first = text_printable(held[0].text, held[0].len, 120, &cut);
            if (job->explicit_path) {
                snprintf(err, sizeof err,
                         "%s: not a log format mxaudit knows (first line: \"%s%s\"); "
                         "see `mxaudit ingest --help` for the formats, or force one with --format",
                         job->path, first, cut ? "..." : "");
                fprintf(stderr, "mxaudit: %s\n", err);
                record_failure(run, job, NULL, err);
                run->rep->files_failed++;
                worse(run, ST_INPUT);
            } else {
                say(run, "mxaudit: warning: %s: skipped, not a log format mxaudit knows (first line: \"%s%s\")\n",
                    job->path, first, cut ? "..." : "");
                run->rep->files_ignored++;
            }
            free(first);
            goto done;
        }
    }

    if (store_exec(run->db, "BEGIN IMMEDIATE", err, sizeof err) < 0) {
        fprintf(stderr, "mxaudit: %s: cannot lock the database: %s\n", job->path, err);
        run->rep->db_errors++;
        worse(run, ST_DB);
        goto done;
    }

    /* Is this content, or its beginning, a source we already have? */
    known = load_known(run->db, &nknown);
    struct known *resume = NULL;
    int any_head = 0;
    uint64_t longest = 0;
    for (size_t i = 0; i < nknown; i++) {
        for (size_t j = 0; j < nheld; j++) {
            if (held[j].meta.has_newline && known[i].head_bytes == held[j].end &&
                strcmp(known[i].head_hash, held[j].hash) == 0) {
                known[i].head_matched = 1;
                any_head = 1;
                if (known[i].content_bytes > longest)
                    longest = known[i].content_bytes;
                break;
            }
        }
        /* A source that ends inside the head is decided by the head alone. */
        for (size_t j = 0; known[i].head_matched && j < nheld; j++)
            if (held[j].meta.has_newline && held[j].end == known[i].content_bytes &&
                strcmp(held[j].hash, known[i].content_hash) == 0 &&
                (!resume || known[i].content_bytes > resume->content_bytes))
                resume = &known[i];
    }
    if (any_head) {
        /* Read on to each candidate's end, checking the hash there; keep the longest that matches. */
        int reread = 0;
        for (;;) {
            uint64_t pos = linereader_content_pos(r);
            char h[17];
            hash64_hex(linereader_hash(r), h);
            for (size_t i = 0; i < nknown; i++)
                if (known[i].head_matched && known[i].content_bytes == pos && strcmp(known[i].content_hash, h) == 0)
                    if (!resume || known[i].content_bytes > resume->content_bytes)
                        resume = &known[i];
            if (pos >= longest)
                break;
            rc = linereader_next(r, &l);
            if (rc < 0) {
                snprintf(err, sizeof err, "%s", linereader_error(r));
                goto fail;
            }
            if (rc == 0 || !l.has_newline) {
                reread = 1;
                break;
            }
        }
        if (resume && (reread || linereader_content_pos(r) != resume->content_bytes ||
                       (nheld && !held[nheld - 1].meta.has_newline))) {
            /* We read past the part that matched: start over and skip to it. */
            linereader_close(r);
            r = NULL;
            if (open_reader(job, &r, err, sizeof err) < 0)
                goto fail;
            if (skip_to(r, resume->content_bytes) != 1) {
                snprintf(err, sizeof err, "%s: changed while being read", job->path);
                goto fail;
            }
        } else if (!resume) {
            /* Same head, different content: a new source after all. */
            linereader_close(r);
            r = NULL;
            if (open_reader(job, &r, err, sizeof err) < 0)
                goto fail;
            free_held(held, nheld);
            held = NULL;
            nheld = 0;
            cap = 0;
            while (linereader_content_pos(r) < head_bytes && (rc = linereader_next(r, &l)) == 1) {
                if (nheld == cap) {
                    cap = cap ? cap * 2 : 64;
                    held = xrealloc(held, cap * sizeof *held);
                }
                held[nheld].text = xstrndup(l.text, l.len);
                held[nheld].len = l.len;
                held[nheld].meta = l;
                nheld++;
                if (!l.has_newline)
                    break;
            }
            if (rc < 0) {
                snprintf(err, sizeof err, "%s", linereader_error(r));
                goto fail;
            }
        }
    }
    if (resume && strcmp(resume->format, parser->name) != 0 && !run->opt->format)
        parser = parser_find(resume->format) ? parser_find(resume->format) : parser;

    struct parse_state ps;
    memset(&ps, 0, sizeof ps);
    ps.run = run;
    ps.parser = parser;
    ps.reader = r;
    ps.total_size = job->st.st_size;
    ps.started = ps.last_progress = now_seconds();
    struct parse_ctx *ctx = &ps.ctx;
    ctx->db = run->db;
    ctx->store_reject = store_reject;
    ctx->driver = &ps;
    ctx->run_state = &run->run_state[parser_index(parser)];
    ctx->path = job->path;
    ctx->display_name = display;
    ctx->opt = run->opt;
    ctx->ref_time = linereader_gzip_mtime(r);
    if (!ctx->ref_time)
        ctx->ref_time = date_in_name(display);
    if (!ctx->ref_time)
        ctx->ref_time = job->fd >= 0 ? time(NULL) : job->st.st_mtime;

    char now[TIME_TEXT_MAX];
    store_now(now);
    sqlite3_stmt *st;
    int reparse = 0; /* a grown file of a format whose lines depend on earlier ones */
    if (resume) {
        ctx->source_id = resume->id;
        uint64_t keep = resume->lines_complete;
        if (!parser->resumable) {
            /* Anything past the known part? Then parse the whole file again. */
            rc = linereader_next(r, &l);
            if (rc < 0) {
                snprintf(err, sizeof err, "%s", linereader_error(r));
                goto fail;
            }
            if (rc == 1) {
                linereader_close(r);
                r = NULL;
                if (open_reader(job, &r, err, sizeof err) < 0)
                    goto fail;
                ps.reader = r;
                reparse = 1;
                keep = 0;
            } else {
                keep = resume->lines_read; /* nothing new: keep every row */
            }
        }
        /* The stored unterminated last line is read again, whole this time,
         * so what it counted goes from the counters with its rows: the rows
         * it stored as events, or else its reject, or else its skip. */
        long long partial_events = 0, partial_skipped = 0;
        if (!reparse && resume->lines_read > keep) {
            char *q = sqlite3_mprintf("SELECT (SELECT count(*) FROM pf_event WHERE source_id = %lld AND line > %lld)"
                                      " + (SELECT count(*) FROM pf_reject WHERE source_id = %lld AND line > %lld)"
                                      " + (SELECT count(*) FROM ex_event WHERE source_id = %lld AND line > %lld)",
                                      (long long)resume->id, (long long)keep, (long long)resume->id, (long long)keep,
                                      (long long)resume->id, (long long)keep);
            char *qr = sqlite3_mprintf("SELECT count(*) FROM reject WHERE source_id = %lld AND line > %lld",
                                       (long long)resume->id, (long long)keep);
            partial_events = store_query_int(run->db, q, 0);
            partial_skipped = partial_events == 0 && store_query_int(run->db, qr, 0) == 0;
            sqlite3_free(q);
            sqlite3_free(qr);
        }
        if (resume->lines_read > keep && drop_rows_after(run, resume->id, keep, err, sizeof err) < 0)
            goto fail_db;
        char *sql =
            sqlite3_mprintf("DELETE FROM reject WHERE source_id = %lld AND line > %lld; "
                            "UPDATE source SET events_stored = CASE WHEN %d THEN 0 ELSE events_stored - %lld END, "
                            "lines_skipped = CASE WHEN %d THEN 0 ELSE lines_skipped - %lld END, "
                            "lines_rejected = (SELECT count(*) FROM reject WHERE source_id = %lld) "
                            "WHERE id = %lld",
                            (long long)resume->id, (long long)keep, reparse, partial_events, reparse, partial_skipped,
                            (long long)resume->id, (long long)resume->id);
        rc = store_exec(run->db, sql, err, sizeof err);
        sqlite3_free(sql);
        if (rc < 0)
            goto fail_db;
        ps.lines = reparse ? 0 : keep;
        ps.complete = reparse ? 0 : (keep < resume->lines_complete ? keep : resume->lines_complete);
    } else {
        if (sqlite3_prepare_v2(run->db,
                               "INSERT INTO source(path, format, size, head_bytes, head_hash, status, ingested_at) "
                               "VALUES (?1, ?2, ?3, ?4, ?5, 'ok', ?6)",
                               -1, &st, NULL) != SQLITE_OK)
            goto fail_db;
        sqlite3_bind_text(st, 1, job->path, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, parser->name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, (sqlite3_int64)job->st.st_size);
        sqlite3_bind_int64(st, 4, (sqlite3_int64)head_bytes);
        sqlite3_bind_text(st, 5, head_hash, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, now, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
            goto fail_db;
        ctx->source_id = sqlite3_last_insert_rowid(run->db);
    }
    if (sqlite3_prepare_v2(run->db, "INSERT INTO reject(source_id, line, offset, reason, text) VALUES (?1,?2,?3,?4,?5)",
                           -1, &ps.reject_stmt, NULL) != SQLITE_OK)
        goto fail_db;

    /* Exchange rows enter the Message-ID index in random order, and a 1M-row
     * tracking log took 12 % less time with 48 MiB of page cache than with
     * 16. Postfix lines are appended and indexed at the end, where the small
     * cache keeps the correlation of 10M lines under 100 MB. */
    store_exec(run->db, strcmp(parser->name, "postfix") ? "PRAGMA cache_size = -49152" : "PRAGMA cache_size = -16384",
               err, sizeof err);
    if (parser->open(ctx, &ps.pstate) != 0) {
        snprintf(err, sizeof err, "%s: %s", job->path, ctx->reason[0] ? ctx->reason : "parser could not start");
        sqlite3_finalize(ps.reject_stmt);
        goto fail_parse;
    }
    int failed = 0;
    if (!resume && !reparse)
        for (size_t i = 0; i < nheld && !failed; i++)
            failed = feed(&ps, held[i].text, held[i].len, &held[i].meta) < 0;
    while (!failed && (rc = linereader_next(r, &l)) == 1)
        failed = feed(&ps, l.text, l.len, &l) < 0;
    if (!failed && rc < 0) {
        snprintf(ctx->reason, sizeof ctx->reason, "%s", linereader_error(r));
        failed = 2;
    }
    if (!failed && parser->finish(ps.pstate, ctx) != 0)
        failed = 1;
    parser->close(ps.pstate);
    sqlite3_finalize(ps.reject_stmt);
    if (run->progress)
        show_progress(&ps, 1);
    if (failed) {
        if (failed == 2)
            snprintf(err, sizeof err, "%s", ctx->reason);
        else
            snprintf(err, sizeof err, "%s:%llu: %s", job->path, (unsigned long long)ctx->line_no, ctx->reason);
        goto fail_parse;
    }

    /* Bookkeeping for the fingerprint and the sources listing. */
    char content_hash[17], first[TIME_TEXT_MAX] = "", last[TIME_TEXT_MAX] = "";
    hash64_hex(linereader_hash(r), content_hash);
    uint64_t content_bytes = linereader_content_pos(r);
    if (ctx->first_ts)
        time_format(ctx->first_ts, -1, first);
    if (ctx->last_ts)
        time_format(ctx->last_ts, -1, last);
    char fingerprint[64];
    snprintf(fingerprint, sizeof fingerprint, "xxh64:%s:%s", content_hash, resume ? resume->head_hash : head_hash);
    if (sqlite3_prepare_v2(run->db,
                           "UPDATE source SET size = ?2, fingerprint = ?3, content_bytes = ?4, content_hash = ?5, "
                           "lines_read = ?6, lines_complete = ?7, events_stored = events_stored + ?8, "
                           "lines_skipped = lines_skipped + ?9, lines_rejected = lines_rejected + ?10, "
                           "first_ts = CASE WHEN ?11 IS NULL OR (first_ts IS NOT NULL AND first_ts <= ?11) "
                           "THEN first_ts ELSE ?11 END, "
                           "last_ts = CASE WHEN ?12 IS NULL OR (last_ts IS NOT NULL AND last_ts >= ?12) "
                           "THEN last_ts ELSE ?12 END, "
                           "year_inferred = max(year_inferred, ?13), ingested_at = ?14 WHERE id = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        goto fail_db;
    sqlite3_bind_int64(st, 1, ctx->source_id);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)job->st.st_size);
    sqlite3_bind_text(st, 3, fingerprint, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)content_bytes);
    sqlite3_bind_text(st, 5, content_hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)ps.lines);
    sqlite3_bind_int64(st, 7, (sqlite3_int64)ps.complete);
    sqlite3_bind_int64(st, 8, (sqlite3_int64)ctx->events);
    sqlite3_bind_int64(st, 9, (sqlite3_int64)ps.skipped);
    sqlite3_bind_int64(st, 10, (sqlite3_int64)ps.rejected);
    if (first[0])
        sqlite3_bind_text(st, 11, first, -1, SQLITE_STATIC);
    if (last[0])
        sqlite3_bind_text(st, 12, last, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 13, ctx->year_inferred);
    sqlite3_bind_text(st, 14, now, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        goto fail_db;
    /* The zone its local times were read in (schema step 10; a database
     * opened at an earlier step, as the migration tests do, has no column).
     * Lines added to a grown file in another zone than its earlier ones:
     * both zones are listed, "Europe/Berlin, America/New_York". */
    if (ctx->local_times && store_query_int(run->db,
                                            "SELECT count(*) FROM pragma_table_info('source') "
                                            "WHERE name = 'time_zone'",
                                            0) > 0) {
        const char *set = resume && !reparse
                              ? "UPDATE source SET time_zone = CASE WHEN coalesce(time_zone, '') = '' THEN ?2 "
                                "WHEN instr(', ' || time_zone || ', ', ', ' || ?2 || ', ') > 0 THEN time_zone "
                                "ELSE time_zone || ', ' || ?2 END WHERE id = ?1"
                              : "UPDATE source SET time_zone = ?2 WHERE id = ?1";
        if (sqlite3_prepare_v2(run->db, set, -1, &st, NULL) != SQLITE_OK)
            goto fail_db;
        sqlite3_bind_int64(st, 1, ctx->source_id);
        sqlite3_bind_text(st, 2, time_zone_name(), -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
            goto fail_db;
    }

    /* Lines this run added: all of a new source's; for a known one, those
     * past what it held (a reparse counts the whole file again). */
    uint64_t new_lines = ps.lines;
    int grown = 0;
    if (resume) {
        grown = content_bytes > resume->content_bytes || ps.lines > resume->lines_read;
        new_lines = !grown ? 0 : ps.lines > resume->lines_complete ? ps.lines - resume->lines_complete : 0;
    }
    const char *outcome = !resume ? "new" : grown ? "grown" : "unchanged";
    if (sqlite3_prepare_v2(run->db,
                           "INSERT INTO source_file(source_id, path, size, outcome, seen_at) VALUES (?1,?2,?3,?4,?5)",
                           -1, &st, NULL) != SQLITE_OK)
        goto fail_db;
    sqlite3_bind_int64(st, 1, ctx->source_id);
    sqlite3_bind_text(st, 2, job->path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)job->st.st_size);
    sqlite3_bind_text(st, 4, outcome, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        goto fail_db;

    if (store_exec(run->db, "COMMIT", err, sizeof err) < 0)
        goto fail_db;

    run->rep->lines += new_lines;
    run->rep->events += ctx->events;
    run->rep->rejected += ps.rejected;
    run->rep->skipped += ps.skipped;
    if (!resume)
        run->rep->files_new++;
    else if (grown)
        run->rep->files_grown++;
    else
        run->rep->files_unchanged++;
    /* Unchanged files count too: their parser's after_run finishes what an
     * earlier run left pending (a rebuild that failed after its files were
     * committed); after_run is cheap when nothing is pending. */
    run->used[parser_index(parser)] = 1;
    if (!resume)
        say(run, "%s: %s, %llu lines, %llu events, %llu rejected, %llu skipped\n", job->path, parser->name,
            (unsigned long long)ps.lines, (unsigned long long)ctx->events, (unsigned long long)ps.rejected,
            (unsigned long long)ps.skipped);
    else if (grown && reparse)
        say(run, "%s: %s, grown: %llu new lines, the whole file parsed again, %llu events, %llu rejected\n", job->path,
            parser->name, (unsigned long long)new_lines, (unsigned long long)ctx->events,
            (unsigned long long)ps.rejected);
    else if (grown)
        say(run, "%s: %s, grown: resumed after line %llu, %llu new lines, %llu events, %llu rejected\n", job->path,
            parser->name, (unsigned long long)resume->lines_complete, (unsigned long long)new_lines,
            (unsigned long long)ctx->events, (unsigned long long)ps.rejected);
    else
        say(run, "%s: already ingested (source %lld), nothing new\n", job->path, (long long)ctx->source_id);
    goto done;

fail_db:
    if (!err[0] || strcmp(err, "") == 0)
        snprintf(err, sizeof err, "%s", sqlite3_errmsg(run->db));
    fprintf(stderr, "mxaudit: %s: database error while storing %s: %s; nothing of this file was stored\n",
            db_name(run->db), job->path, sqlite3_errmsg(run->db));
    {
        char msg[256];
        store_exec(run->db, "ROLLBACK", msg, sizeof msg);
    }
    run->rep->db_errors++;
    worse(run, ST_DB);
    goto done;

fail_parse:
    /* A database error surfacing through the parser is still a database error. */
    {
        int code = sqlite3_errcode(run->db) & 0xFF;
        char msg[256], why[256];
        snprintf(why, sizeof why, "%s", sqlite3_errmsg(run->db)); /* the ROLLBACK replaces it */
        store_exec(run->db, "ROLLBACK", msg, sizeof msg);
        if (code == SQLITE_FULL || code == SQLITE_IOERR || code == SQLITE_CORRUPT || code == SQLITE_READONLY ||
            code == SQLITE_BUSY || code == SQLITE_LOCKED || code == SQLITE_NOMEM || code == SQLITE_CANTOPEN) {
            fprintf(stderr, "mxaudit: %s: database error while storing %s: %s; nothing of this file was stored\n",
                    db_name(run->db), job->path, why);
            run->rep->db_errors++;
            worse(run, ST_DB);
            goto done;
        }
    }
    fprintf(stderr, "mxaudit: %s; nothing of this file was stored\n", err);
    record_failure(run, job, parser ? parser->name : NULL, err);
    run->rep->files_failed++;
    worse(run, ST_INPUT);
    goto done;

fail : {
    char msg[256];
    store_exec(run->db, "ROLLBACK", msg, sizeof msg);
}
    fprintf(stderr, "mxaudit: %s; nothing of this file was stored\n", err);
    record_failure(run, job, parser ? parser->name : NULL, err);
    run->rep->files_failed++;
    worse(run, ST_INPUT);

done:
    free(known);
    free_held(held, nheld);
    linereader_close(r);
}

/* ---- paths: files, directories, stdin ---- */

struct dir_stack {
    dev_t dev[64];
    ino_t ino[64];
    int depth;
};

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void ingest_path(struct run *run, const char *path, int explicit_path, struct dir_stack *stack);

static void ingest_dir(struct run *run, const char *path, const struct stat *st, struct dir_stack *stack)
{
    for (int i = 0; i < stack->depth; i++)
        if (stack->dev[i] == st->st_dev && stack->ino[i] == st->st_ino) {
            say(run, "mxaudit: warning: %s: directory loop (a symbolic link back to a parent), not followed\n", path);
            return;
        }
    if (stack->depth == 64) {
        say(run, "mxaudit: warning: %s: directories nested too deep, not followed\n", path);
        return;
    }
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "mxaudit: %s: %s\n", path, strerror(errno));
        run->rep->files_failed++;
        worse(run, ST_INPUT);
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue; /* ., .., and hidden files such as editors' swap files */
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            names = xrealloc(names, cap * sizeof *names);
        }
        names[n++] = xstrdup(e->d_name);
    }
    closedir(d);
    if (n > 1)
        qsort(names, n, sizeof *names, name_cmp);
    stack->dev[stack->depth] = st->st_dev;
    stack->ino[stack->depth] = st->st_ino;
    stack->depth++;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(path) + strlen(names[i]) + 2;
        char *child = xmalloc(len);
        snprintf(child, len, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", names[i]);
        ingest_path(run, child, 0, stack);
        free(child);
        free(names[i]);
    }
    stack->depth--;
    free(names);
}

/* Standard input is copied to an unlinked temporary file first, so that it
 * can be read twice like any file (fingerprint check, then parse). Reads IN
 * until its end; returns the spool's descriptor. */
static int spool_input(int in, const char *name, char *err, size_t errlen)
{
    const char *dir = getenv("TMPDIR");
    char tmpl[400];
    snprintf(tmpl, sizeof tmpl, "%s/mxaudit-stdin-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(tmpl);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot create a temporary file in %s: %s", name, dir && *dir ? dir : "/tmp",
                 strerror(errno));
        return -1;
    }
    unlink(tmpl);
    char *buf = xmalloc(1 << 20);
    for (;;) {
        ssize_t n = read(in, buf, 1 << 20);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(err, errlen, "%s: read error: %s", name, strerror(errno));
            break;
        }
        if (n == 0) {
            free(buf);
            return fd;
        }
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(fd, buf + off, (size_t)(n - off));
            if (w < 0) {
                snprintf(err, errlen, "%s: cannot spool to %s: %s", name, tmpl, strerror(errno));
                free(buf);
                close(fd);
                return -1;
            }
            off += w;
        }
    }
    free(buf);
    close(fd);
    return -1;
}

static void ingest_path(struct run *run, const char *path, int explicit_path, struct dir_stack *stack)
{
    struct file_job job;
    memset(&job, 0, sizeof job);
    job.path = path;
    job.explicit_path = explicit_path;
    job.fd = -1;
    if (strcmp(path, "-") == 0) {
        char err[1024];
        job.path = "(stdin)";
        job.fd = spool_input(0, job.path, err, sizeof err);
        if (job.fd < 0) {
            fprintf(stderr, "mxaudit: %s\n", err);
            run->rep->files_failed++;
            worse(run, ST_INPUT);
            return;
        }
        fstat(job.fd, &job.st);
        ingest_file(run, &job);
        close(job.fd);
        return;
    }
    if (stat(path, &job.st) != 0) {
        fprintf(stderr, "mxaudit: %s: %s\n", path, strerror(errno));
        run->rep->files_failed++;
        worse(run, ST_INPUT);
        return;
    }
    if (S_ISDIR(job.st.st_mode)) {
        ingest_dir(run, path, &job.st, stack);
        return;
    }
    if (!S_ISREG(job.st.st_mode) && !S_ISFIFO(job.st.st_mode)) {
        if (explicit_path) {
            fprintf(stderr, "mxaudit: %s: not a regular file\n", path);
            run->rep->files_failed++;
            worse(run, ST_INPUT);
        }
        return;
    }
    if (!explicit_path && job.st.st_dev == run->db_dev && job.st.st_ino == run->db_ino)
        return; /* our own database, inside the directory being read */
    ingest_file(run, &job);
}

int ingest_run(sqlite3 *db, char *const *paths, int npaths, const struct ingest_options *opt, struct ingest_report *rep)
{
    struct run run;
    memset(&run, 0, sizeof run);
    memset(rep, 0, sizeof *rep);
    run.db = db;
    run.opt = opt;
    run.rep = rep;
    run.progress = !opt->quiet && isatty(2);
    char err[512];
    if (time_set_zone(opt->tz, err, sizeof err) < 0) {
        fprintf(stderr, "mxaudit: %s\n", err);
        return ST_INPUT;
    }
    if (opt->format && !parser_find(opt->format)) {
        fprintf(stderr, "mxaudit: unknown format '%s'\n", opt->format);
        return ST_INPUT;
    }
    const char *dbfile = sqlite3_db_filename(db, "main");
    struct stat dbst;
    if (dbfile && *dbfile && stat(dbfile, &dbst) == 0) {
        run.db_dev = dbst.st_dev;
        run.db_ino = dbst.st_ino;
    }
    find_row_tables(&run);
    /* A first load (no source stored yet) runs with a rollback journal: WAL
     * writes every page twice (into the log, then back into the database at
     * the checkpoint), and a rollback journal writes a page that did not
     * exist before the transaction not at all, so a load into an empty
     * database writes its rows once. Readers of an empty database lose
     * nothing by waiting. SQLite refuses the switch while another connection
     * has the database open; the run then stays in WAL. Crash safety is the
     * same in both modes. */
    /* Sorts too big for the page cache (index builds) spill to temporary
     * files, so an ingest's memory stays flat however large its input. */
    store_exec(db, "PRAGMA temp_store = FILE", err, sizeof err);
    int rollback = store_query_int(db, "SELECT NOT EXISTS (SELECT 1 FROM source)", 0) == 1 &&
                   store_exec(db, "PRAGMA journal_mode = TRUNCATE", err, sizeof err) == 0 &&
                   store_query_int(db, "SELECT journal_mode = 'truncate' FROM pragma_journal_mode", 0) == 1;
    /* Every row a parser stores references the source row the driver has
     * just written, and the driver deletes rows table by table itself: the
     * per-row foreign key look-ups of a bulk load buy nothing. The pragma is
     * a no-op inside a transaction, so it is set here, between them. */
    store_exec(db, "PRAGMA foreign_keys = OFF", err, sizeof err);
    struct dir_stack stack;
    stack.depth = 0;
    for (int i = 0; i < npaths; i++)
        ingest_path(&run, paths[i], 1, &stack);

    store_exec(db, "PRAGMA cache_size = -16384", err, sizeof err); /* back to store.c's size (see ingest_file) */
    for (size_t i = 0; parser_registry[i]; i++) {
        const struct parser *p = parser_registry[i];
        if (!p->after_run || (!run.used[i] && !(p->pending && p->pending(db))))
            continue;
        char msg[512];
        if (store_exec(db, "BEGIN IMMEDIATE", msg, sizeof msg) < 0 ||
            p->after_run(db, run.run_state[i], msg, sizeof msg) < 0) {
            fprintf(stderr,
                    "mxaudit: %s: rebuilding derived tables failed: %s; the files themselves are "
                    "stored, and the next ingest of such files finishes the rebuild\n",
                    p->name, msg);
            store_exec(db, "ROLLBACK", msg, sizeof msg);
            rep->db_errors++;
            worse(&run, ST_DB);
            continue;
        }
        if (store_exec(db, "COMMIT", msg, sizeof msg) < 0) {
            fprintf(stderr,
                    "mxaudit: %s: rebuilding derived tables failed: %s; the files themselves are "
                    "stored, and the next ingest of such files finishes the rebuild\n",
                    p->name, msg);
            store_exec(db, "ROLLBACK", msg, sizeof msg);
            rep->db_errors++;
            worse(&run, ST_DB);
        }
    }
    for (size_t i = 0; parser_registry[i]; i++)
        if (run.run_state[i] && parser_registry[i]->free_run)
            parser_registry[i]->free_run(run.run_state[i]);
    store_exec(db, "PRAGMA foreign_keys = ON", err, sizeof err);
    if (rollback && store_exec(db, "PRAGMA journal_mode = WAL", err, sizeof err) < 0)
        fprintf(stderr, "mxaudit: warning: the database stays in rollback-journal mode until the next run: %s\n", err);
    for (size_t i = 0; i < run.nrow_tables; i++)
        free(run.row_tables[i]);
    free(run.row_tables);
    return run.status;
}

int ingest_forget(sqlite3 *db, int64_t source_id, char *err, size_t errlen)
{
    struct run run;
    memset(&run, 0, sizeof run);
    run.db = db;
    find_row_tables(&run);
    char msg[512];
    int status = -1;
    /* Rows go table by table, and the message lives that pointed at them
     * are rebuilt before the source row goes (as in ingest_run). */
    store_exec(db, "PRAGMA foreign_keys = OFF", msg, sizeof msg);
    if (store_exec(db, "BEGIN IMMEDIATE", msg, sizeof msg) < 0) {
        snprintf(err, errlen, "cannot lock the database: %s", msg);
        goto out;
    }
    char *sql = sqlite3_mprintf("SELECT EXISTS (SELECT 1 FROM source WHERE id = %lld)", (long long)source_id);
    long long exists = store_query_int(db, sql, -1);
    sqlite3_free(sql);
    if (exists != 1) {
        store_exec(db, "ROLLBACK", msg, sizeof msg);
        if (exists == 0) {
            snprintf(err, errlen, "no source %lld (`mxaudit sources` lists them)", (long long)source_id);
            status = 1;
        } else {
            snprintf(err, errlen, "%s", sqlite3_errmsg(db));
        }
        goto out;
    }
    /* The queue ids with lines here, and those their lines name, are
     * correlated again from what remains. */
    sql = sqlite3_mprintf("INSERT OR IGNORE INTO pf_dirty SELECT queue_id FROM pf_event WHERE source_id = %lld AND "
                          "queue_id IS NOT NULL UNION SELECT link_queue_id FROM pf_event WHERE source_id = %lld AND "
                          "link_queue_id IS NOT NULL",
                          (long long)source_id, (long long)source_id);
    int rc = store_exec(db, sql, msg, sizeof msg);
    sqlite3_free(sql);
    for (size_t i = 0; rc == 0 && i < run.nrow_tables; i++) {
        if (!strcmp(run.row_tables[i], "pf_message") || !strcmp(run.row_tables[i], "pf_delivery"))
            continue;
        sql = sqlite3_mprintf("DELETE FROM \"%w\" WHERE source_id = %lld", run.row_tables[i], (long long)source_id);
        rc = store_exec(db, sql, msg, sizeof msg);
        sqlite3_free(sql);
    }
    for (size_t i = 0; rc == 0 && parser_registry[i]; i++)
        if (parser_registry[i]->after_run && parser_registry[i]->after_run(db, NULL, msg, sizeof msg) < 0)
            rc = -1;
    if (rc == 0) {
        long long id = (long long)source_id;
        sql = sqlite3_mprintf("DELETE FROM pf_delivery WHERE source_id = %lld; DELETE FROM pf_message WHERE "
                              "source_id = %lld; DELETE FROM source_file WHERE source_id = %lld; DELETE FROM "
                              "source WHERE id = %lld",
                              id, id, id, id);
        rc = store_exec(db, sql, msg, sizeof msg);
        sqlite3_free(sql);
    }
    if (rc == 0)
        rc = store_exec(db, "COMMIT", msg, sizeof msg);
    if (rc != 0) {
        snprintf(err, errlen, "%s", msg);
        store_exec(db, "ROLLBACK", msg, sizeof msg);
        goto out;
    }
    status = 0;
out:
    store_exec(db, "PRAGMA foreign_keys = ON", msg, sizeof msg);
    for (size_t i = 0; i < run.nrow_tables; i++)
        free(run.row_tables[i]);
    free(run.row_tables);
    return status;
}
