/*
 * test_store.c - the store and the ingest driver: re-ingest adds nothing,
 * rotation (rename + gzip) is recognised, a grown file is resumed, a failed
 * file is rolled back while the others land, rejects are kept, and an older
 * database is migrated.
 */
#include "ingest.h"
#include "store.h"
#include "testutil.h"
#include "timeutil.h"

#include <fcntl.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

static struct ingest_options opt = {.year = 2026, .tz = "UTC", .quiet = 1};

static void gzip_file(const char *path, const char *data, size_t len)
{
    gzFile gz = gzopen(path, "wb");
    gzwrite(gz, data, (unsigned)len);
    gzclose(gz);
}

/* Rows stored for all sources, over every table that carries (source_id, line). */
static long long stored_rows(sqlite3 *db)
{
    long long total = 0;
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db,
                       "SELECT m.name FROM sqlite_schema m WHERE m.type = 'table' AND m.name <> 'reject' "
                       "AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) WHERE name = 'source_id') "
                       "AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) WHERE name = 'line')",
                       -1, &st, NULL);
    while (sqlite3_step(st) == SQLITE_ROW) {
        char *q = sqlite3_mprintf("SELECT count(*) FROM \"%w\"", sqlite3_column_text(st, 0));
        total += test_sql_int(db, q);
        sqlite3_free(q);
    }
    sqlite3_finalize(st);
    return total;
}

static int ingest1(sqlite3 *db, const char *path, struct ingest_report *rep)
{
    char *paths[] = {(char *)path};
    return ingest_run(db, paths, 1, &opt, rep);
}

/* N lines of a realistic gateway log, numbered from FIRST. */
static char *make_log(int first, int n, size_t *len)
{
    char *buf = malloc((size_t)n * 200 + 1);
    size_t o = 0;
    for (int i = first; i < first + n; i++)
        o += (size_t)sprintf(buf + o,
                             "Nov 23 %02d:%02d:%02d mx1 postfix/smtpd[%d]: connect from client%d.example[192.0.2.%d]\n",
                             (i / 3600) % 24, (i / 60) % 60, i % 60, 1000 + i, i, i % 250 + 1);
    *len = o;
    return buf;
}

static void test_reingest_and_rotation(void)
{
    sqlite3 *db;
    char err[512];
    struct ingest_report rep;
    unlink("rot.db");
    CHECK_INT(store_open("rot.db", STORE_READWRITE, &db, err, sizeof err), 0);
    size_t len;
    char *log = make_log(0, 2000, &len); /* > 64 KiB, so the head hash is a true prefix */
    test_write_file("mail.log", log, len);
    CHECK_INT(ingest1(db, "mail.log", &rep), 0);
    CHECK_INT(rep.files_new, 1);
    long long rows = stored_rows(db);
    CHECK(rows >= 2000);
    CHECK_INT(test_sql_int(db, "SELECT lines_read FROM source"), 2000);
    CHECK_STR(test_sql_text(db, "SELECT format FROM source"), "postfix");
    CHECK_STR(test_sql_text(db, "SELECT first_ts FROM source"), "2026-11-23 00:00:00");

    /* The same content again: nothing added. */
    CHECK_INT(ingest1(db, "mail.log", &rep), 0);
    CHECK_INT(rep.files_unchanged, 1);
    CHECK_INT(stored_rows(db), rows);

    /* Rotated: renamed and compressed. Still the same source. */
    gzip_file("mail.log.2.gz", log, len);
    CHECK_INT(ingest1(db, "mail.log.2.gz", &rep), 0);
    CHECK_INT(rep.files_unchanged, 1);
    CHECK_INT(stored_rows(db), rows);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM source"), 1);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM source_file WHERE outcome = 'unchanged'"), 2);

    /* Grown: resumed after the known part, line numbers go on. */
    size_t more_len;
    char *more = make_log(2000, 500, &more_len);
    char *grown = malloc(len + more_len);
    memcpy(grown, log, len);
    memcpy(grown + len, more, more_len);
    test_write_file("mail.log", grown, len + more_len);
    CHECK_INT(ingest1(db, "mail.log", &rep), 0);
    CHECK_INT(rep.files_grown, 1);
    CHECK_INT(rep.lines, 500);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM source"), 1);
    CHECK_INT(test_sql_int(db, "SELECT lines_read FROM source"), 2500);
    long long grown_rows = stored_rows(db);
    CHECK(grown_rows > rows);

    /* The grown file, rotated and compressed: nothing new. */
    gzip_file("mail.log.1.gz", grown, len + more_len);
    CHECK_INT(ingest1(db, "mail.log.1.gz", &rep), 0);
    CHECK_INT(rep.files_unchanged, 1);
    CHECK_INT(stored_rows(db), grown_rows);

    /* Same beginning, different ending: a different source. */
    memcpy(grown + len + 10, "XYZ", 3);
    test_write_file("other.log", grown, len + more_len);
    CHECK_INT(ingest1(db, "other.log", &rep), 0);
    CHECK_INT(rep.files_new, 1);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM source"), 2);
    store_close(db);
    free(log);
    free(more);
    free(grown);
}

static void test_small_file_growth(void)
{
    sqlite3 *db;
    char err[512];
    struct ingest_report rep;
    unlink("small.db");
    CHECK_INT(store_open("small.db", STORE_READWRITE, &db, err, sizeof err), 0);
    const char *a = "Nov 23 08:00:00 mx1 postfix/smtpd[1]: connect from a.example[192.0.2.1]\n";
    const char *partial = "Nov 23 08:00:01 mx1 postfix/smtpd[1]: disconnect from a.exa";
    const char *rest = "mple[192.0.2.1] ehlo=1 quit=1 commands=2\n";
    char buf[1024];
    /* A file caught while the logger was writing its last line. */
    snprintf(buf, sizeof buf, "%s%s", a, partial);
    test_write_file("growing.log", buf, strlen(buf));
    CHECK_INT(ingest1(db, "growing.log", &rep), 0);
    CHECK_INT(test_sql_int(db, "SELECT lines_read FROM source"), 2);
    CHECK_INT(test_sql_int(db, "SELECT lines_complete FROM source"), 1);
    /* The line completed: it is read again whole, and only once. */
    snprintf(buf, sizeof buf, "%s%s%s", a, partial, rest);
    test_write_file("growing.log", buf, strlen(buf));
    CHECK_INT(ingest1(db, "growing.log", &rep), 0);
    CHECK_INT(rep.files_grown, 1);
    CHECK_INT(test_sql_int(db, "SELECT lines_read FROM source"), 2);
    CHECK_INT(test_sql_int(db, "SELECT lines_complete FROM source"), 2);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM reject"), 0);
    long long once = stored_rows(db);
    /* And compared with a fresh ingest of the finished file: the same rows. */
    sqlite3 *fresh;
    unlink("fresh.db");
    store_open("fresh.db", STORE_READWRITE, &fresh, err, sizeof err);
    ingest1(fresh, "growing.log", &rep);
    CHECK_INT(stored_rows(fresh), once);
    /* and the same counts: the partial line's event counted once */
    const char *counts = "SELECT lines_read || ' ' || events_stored || ' ' || lines_skipped || ' ' || lines_rejected "
                         "FROM source";
    CHECK_STR(test_sql_text(db, counts), test_sql_text(fresh, counts));
    store_close(fresh);

    /* A partial last line that was skipped (another program's, cut short)
     * counts once too when it is read again whole. */
    const char *other = "Nov 23 08:00:02 mx1 dovecot[7]: imap-login: Login: user=<a>";
    snprintf(buf, sizeof buf, "%s%s%s%s", a, partial, rest, other);
    test_write_file("growing.log", buf, strlen(buf));
    CHECK_INT(ingest1(db, "growing.log", &rep), 0);
    snprintf(buf, sizeof buf, "%s%s%s%s, method=PLAIN\n", a, partial, rest, other);
    test_write_file("growing.log", buf, strlen(buf));
    CHECK_INT(ingest1(db, "growing.log", &rep), 0);
    unlink("fresh.db");
    store_open("fresh.db", STORE_READWRITE, &fresh, err, sizeof err);
    ingest1(fresh, "growing.log", &rep);
    CHECK_STR(test_sql_text(db, counts), test_sql_text(fresh, counts));
    CHECK_STR(test_sql_text(db, counts), "3 2 1 0");
    store_close(fresh);
    store_close(db);
}

static void test_failure_rolls_back(void)
{
    sqlite3 *db;
    char err[512];
    struct ingest_report rep;
    unlink("fail.db");
    CHECK_INT(store_open("fail.db", STORE_READWRITE, &db, err, sizeof err), 0);
    size_t len;
    char *log = make_log(0, 5000, &len);
    gzip_file("whole.gz", log, len);
    FILE *f = fopen("whole.gz", "rb");
    char *gz = malloc(len);
    size_t n = fread(gz, 1, len, f);
    fclose(f);
    test_write_file("cut.gz", gz, n * 3 / 4);
    char *good = make_log(9000, 10, &len);
    test_write_file("good.log", good, len);

    char *paths[] = {"cut.gz", "good.log"};
    CHECK_INT(ingest_run(db, paths, 2, &opt, &rep), 3);
    CHECK_INT(rep.files_failed, 1);
    CHECK_INT(rep.files_new, 1);
    /* Nothing of the broken file, all of the good one. */
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM source WHERE status = 'ok'"), 1);
    CHECK_STR(test_sql_text(db, "SELECT path FROM source WHERE status = 'ok'"), "good.log");
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM source WHERE status = 'failed' AND path = 'cut.gz' "
                               "AND error LIKE '%compressed byte offset%'"),
              1);
    CHECK_INT(test_sql_int(db, "SELECT sum(events_stored) FROM source WHERE status = 'ok'"), stored_rows(db));
    store_close(db);
    free(log);
    free(gz);
    free(good);
}

static void test_rejects_kept(void)
{
    sqlite3 *db;
    char err[512];
    struct ingest_report rep;
    unlink("rej.db");
    CHECK_INT(store_open("rej.db", STORE_READWRITE, &db, err, sizeof err), 0);
    /* A line longer than the cap is rejected with its start, and the rest lands. */
    size_t big = 100000;
    char *data = malloc(big + 400);
    size_t o = (size_t)sprintf(data, "Nov 23 08:00:00 mx1 postfix/smtpd[1]: connect from a.example[192.0.2.1]\n");
    o += (size_t)sprintf(data + o, "Nov 23 08:00:01 mx1 postfix/cleanup[2]: 4F2A31C0D2: message-id=<");
    memset(data + o, 'x', big);
    o += big;
    o += (size_t)sprintf(data + o, ">\nNov 23 08:00:02 mx1 postfix/smtpd[1]: disconnect from a.example[192.0.2.1]\n");
    test_write_file("long.log", data, o);
    size_t saved = ingest_max_line;
    ingest_max_line = 65536;
    CHECK_INT(ingest1(db, "long.log", &rep), 0);
    ingest_max_line = saved;
    CHECK_INT(rep.rejected, 1);
    CHECK_INT(test_sql_int(db, "SELECT line FROM reject"), 2);
    CHECK_INT(test_sql_int(db, "SELECT length(text) FROM reject"), 2048);
    CHECK(strstr(test_sql_text(db, "SELECT reason FROM reject"), "longer than the limit") != NULL);
    CHECK_INT(test_sql_int(db, "SELECT lines_read FROM source"), 3);
    CHECK_INT(test_sql_int(db, "SELECT lines_rejected FROM source"), 1);
    store_close(db);
    free(data);
}

static void test_migration(void)
{
    sqlite3 *db;
    char err[512];
    unlink("old.db");
    /* A database made by an mxaudit that knew only the first schema step. */
    CHECK_INT(store_open_at("old.db", 1, &db, err, sizeof err), 0);
    CHECK_INT(test_sql_int(db, "PRAGMA user_version"), 1);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'ex_event'"), 0);
    CHECK(store_exec(db,
                     "INSERT INTO source(path, format, status, ingested_at) "
                     "VALUES ('old.log', 'postfix', 'ok', '2026-01-01 00:00:00')",
                     err, sizeof err) == 0);
    store_close(db);
    /* Read-only use refuses to work on it rather than misread it. */
    CHECK_INT(store_open("old.db", STORE_READONLY, &db, err, sizeof err), -1);
    CHECK(strstr(err, "schema version 1") != NULL);
    CHECK_INT(store_open("old.db", STORE_READWRITE, &db, err, sizeof err), 0);
    CHECK_INT(test_sql_int(db, "PRAGMA user_version"), (long long)store_schema_version());
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'ex_event'"), 1);
    CHECK_STR(test_sql_text(db, "SELECT path FROM source"), "old.log");
    CHECK_STR(test_sql_text(db, "PRAGMA journal_mode"), "wal");
    store_close(db);
    /* A database from a newer mxaudit is refused, not damaged. */
    CHECK_INT(store_open("old.db", STORE_READWRITE, &db, err, sizeof err), 0);
    store_exec(db, "PRAGMA user_version = 999", err, sizeof err);
    store_close(db);
    CHECK_INT(store_open("old.db", STORE_READWRITE, &db, err, sizeof err), -1);
    CHECK(strstr(err, "newer") != NULL);

    /* Another program's database (a wrong --db) is refused and left as it was. */
    unlink("other.db");
    sqlite3 *other;
    CHECK_INT(sqlite3_open("other.db", &other), SQLITE_OK);
    CHECK(store_exec(other, "CREATE TABLE customers(id INTEGER)", err, sizeof err) == 0);
    sqlite3_close(other);
    CHECK_INT(store_open("other.db", STORE_READWRITE, &db, err, sizeof err), -1);
    CHECK(strstr(err, "not an mxaudit database") != NULL);
    /* a reader says the same, not that an ingest would migrate it */
    CHECK_INT(store_open("other.db", STORE_READONLY, &db, err, sizeof err), -1);
    CHECK(strstr(err, "not an mxaudit database") != NULL);
    CHECK_INT(sqlite3_open("other.db", &other), SQLITE_OK);
    CHECK_STR(test_sql_text(other, "SELECT group_concat(name) FROM sqlite_schema"), "customers");
    CHECK_STR(test_sql_text(other, "PRAGMA journal_mode"), "delete");
    /* the same with a schema version of its own */
    CHECK(store_exec(other, "PRAGMA user_version = 3", err, sizeof err) == 0);
    sqlite3_close(other);
    CHECK_INT(store_open("other.db", STORE_READWRITE, &db, err, sizeof err), -1);
    CHECK(strstr(err, "not an mxaudit database") != NULL);
    CHECK_INT(sqlite3_open("other.db", &other), SQLITE_OK);
    CHECK_STR(test_sql_text(other, "SELECT group_concat(name) FROM sqlite_schema"), "customers");
    CHECK_INT(test_sql_int(other, "PRAGMA user_version"), 3);
    sqlite3_close(other);
    /* an empty file is a new database; a reader says nothing is in it yet */
    unlink("empty.db");
    test_write_file("empty.db", "", 0);
    CHECK_INT(store_open("empty.db", STORE_READONLY, &db, err, sizeof err), -1);
    CHECK(strstr(err, "nothing is ingested yet") != NULL);
    CHECK_INT(store_open("empty.db", STORE_READWRITE, &db, err, sizeof err), 0);
    store_close(db);
}

/* A CSV export that grew (a newer export of the same search) needs its
 * header: it is parsed again whole into the same source, rows replaced. */
static void test_csv_growth(void)
{
    sqlite3 *db;
    char err[512];
    struct ingest_report rep;
    unlink("csv.db");
    CHECK_INT(store_open("csv.db", STORE_READWRITE, &db, err, sizeof err), 0);
    const char *hdr = "\"Received\",\"SenderAddress\",\"RecipientAddress\",\"Subject\",\"Status\",\"ToIP\","
                      "\"FromIP\",\"Size\",\"MessageId\",\"MessageTraceId\"\n";
    const char *row1 = "\"2026-11-24T08:14:03\",\"a@contoso.example\",\"u@fabrikam.example\",\"one\","
                       "\"Delivered\",\"\",\"192.0.2.1\",\"1234\",\"<1@contoso.example>\","
                       "\"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0\"\n";
    const char *row2 = "\"2026-11-24T08:15:03\",\"b@contoso.example\",\"u@fabrikam.example\",\"two\","
                       "\"Delivered\",\"\",\"192.0.2.2\",\"1234\",\"<2@contoso.example>\","
                       "\"1f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0\"\n";
    char buf[2048];
    snprintf(buf, sizeof buf, "%s%s", hdr, row1);
    test_write_file("trace.csv", buf, strlen(buf));
    CHECK_INT(ingest1(db, "trace.csv", &rep), 0);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM ex_event"), 1);
    snprintf(buf, sizeof buf, "%s%s%s", hdr, row1, row2);
    test_write_file("trace.csv", buf, strlen(buf));
    CHECK_INT(ingest1(db, "trace.csv", &rep), 0);
    CHECK_INT(rep.files_grown, 1);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM source"), 1);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM ex_event"), 2);
    CHECK_INT(test_sql_int(db, "SELECT events_stored FROM source"), 2);
    CHECK_INT(test_sql_int(db, "SELECT count(DISTINCT message_id) FROM ex_event"), 2);
    /* And once more, unchanged: nothing moves. */
    CHECK_INT(ingest1(db, "trace.csv", &rep), 0);
    CHECK_INT(rep.files_unchanged, 1);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM ex_event"), 2);
    store_close(db);
}

/* A small file whose last line has no newline, ingested twice unchanged,
 * keeps that line's rows. */
static void test_unterminated_unchanged(void)
{
    sqlite3 *db;
    char err[512];
    struct ingest_report rep;
    unlink("unterm.db");
    CHECK_INT(store_open("unterm.db", STORE_READWRITE, &db, err, sizeof err), 0);
    size_t len;
    char *log = make_log(0, 5, &len);
    test_write_file("unterm.log", log, len - 1);
    CHECK_INT(ingest1(db, "unterm.log", &rep), 0);
    long long rows = stored_rows(db);
    CHECK_INT(test_sql_int(db, "SELECT max(line) FROM pf_event"), 5);
    CHECK_INT(ingest1(db, "unterm.log", &rep), 0);
    CHECK_INT(stored_rows(db), rows);
    CHECK_INT(test_sql_int(db, "SELECT max(line) FROM pf_event"), 5);
    store_close(db);
    free(log);
}

/* A named pipe is streamed. One whose beginning matches a stored source but
 * whose content then differs cannot be read twice: a clear error, exit 3,
 * nothing stored (rather than a silently empty source). */
static void test_fifo(void)
{
    sqlite3 *db;
    char err[512];
    struct ingest_report rep;
    unlink("fifo.db");
    unlink("pipe.log");
    CHECK_INT(store_open("fifo.db", STORE_READWRITE, &db, err, sizeof err), 0);
    size_t len;
    char *log = make_log(0, 2000, &len);
    test_write_file("whole.log", log, len);
    CHECK_INT(ingest1(db, "whole.log", &rep), 0);
    /* The same first 1000 lines, then different ones, through a pipe. */
    size_t more_len;
    char *more = make_log(5000, 1000, &more_len);
    const char *cut = log;
    for (int i = 0; i < 1000; i++)
        cut = strchr(cut, '\n') + 1;
    if (mkfifo("pipe.log", 0600) == 0) {
        pid_t pid = fork();
        if (pid == 0) {
            FILE *f = fopen("pipe.log", "w");
            fwrite(log, 1, (size_t)(cut - log), f);
            fwrite(more, 1, more_len, f);
            fclose(f);
            _exit(0);
        }
        CHECK_INT(ingest1(db, "pipe.log", &rep), 3);
        waitpid(pid, NULL, 0);
        CHECK_INT(rep.files_failed, 1);
        CHECK_INT(test_sql_int(db, "SELECT count(*) FROM source WHERE path = 'pipe.log' AND status = 'ok'"), 0);
        CHECK(strstr(test_sql_text(db, "SELECT error FROM source WHERE path = 'pipe.log'"), "named pipe") != NULL);
    }
    store_close(db);
    free(log);
    free(more);
}

/* Year-less lines around New Year in a zone east of UTC: the file ended at
 * 2026-12-31 23:20 UTC (00:20 local), so "Jan  1 00:10" is 2027 local time. */
static void test_year_inference(void)
{
    sqlite3 *db;
    char err[512];
    struct ingest_report rep;
    struct ingest_options local = {.tz = "Europe/Berlin", .quiet = 1};
    unlink("year.db");
    CHECK_INT(store_open("year.db", STORE_READWRITE, &db, err, sizeof err), 0);
    const char *log = "Dec 31 23:50:00 mx1 postfix/smtpd[1]: connect from a.example[192.0.2.1]\n"
                      "Jan  1 00:10:00 mx1 postfix/smtpd[1]: connect from b.example[192.0.2.2]\n";
    test_write_file("newyear.log", log, strlen(log));
    struct timespec times[2] = {{.tv_sec = 1798759200}, {.tv_sec = 1798759200}}; /* 2026-12-31 23:20 UTC */
    utimensat(AT_FDCWD, "newyear.log", times, 0);
    char *paths[] = {"newyear.log"};
    CHECK_INT(ingest_run(db, paths, 1, &local, &rep), 0);
    CHECK_STR(test_sql_text(db, "SELECT group_concat(ts, ' / ') FROM (SELECT ts FROM pf_event ORDER BY line)"),
              "2026-12-31 22:50:00 / 2026-12-31 23:10:00");
    CHECK_INT(test_sql_int(db, "SELECT year_inferred FROM source"), 1);
    store_close(db);
    time_set_zone("UTC", err, sizeof err);
}

int main(int argc, char **argv)
{
    TEST_INIT(argc, argv);
    test_reingest_and_rotation();
    test_small_file_growth();
    test_failure_rolls_back();
    test_rejects_kept();
    test_migration();
    test_csv_growth();
    test_unterminated_unchanged();
    test_fifo();
    test_year_inference();
    return test_done("test_store");
}
