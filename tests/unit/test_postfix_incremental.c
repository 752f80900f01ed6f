/*
 * test_postfix_incremental.c - correlation after each run rebuilds only what
 * the run touched: a second, unrelated file leaves the first file's messages
 * and deliveries as they were (ids included), and a message whose lines,
 * links included, are split over two runs comes out as from one run.
 */
#include "ingest.h"
#include "postfix.h"
#include "store.h"
#include "testutil.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static struct ingest_options opt = {.year = 2026, .tz = "UTC", .quiet = 1};

static sqlite3 *fresh_db(const char *name)
{
    sqlite3 *db;
    char err[256], wal[300];
    unlink(name);
    snprintf(wal, sizeof wal, "%s-wal", name);
    unlink(wal);
    if (store_open(name, STORE_READWRITE, &db, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        exit(2);
    }
    return db;
}

static int ingest_paths(sqlite3 *db, char **paths, int n)
{
    struct ingest_report rep;
    memset(&rep, 0, sizeof rep);
    return ingest_run(db, paths, n, &opt, &rep);
}

static void fixture(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/tests/fixtures/postfix/%s", test_srcdir, name);
}

/* Rows of pf_message / pf_delivery in schema S, without the row ids and the
 * evidence columns (which differ when the same lines come from other files):
 * a parent is named by its queue id and first line's time. */
#define MSG_ROWS                                                                                                       \
    "SELECT host, instance, queue_id, first_ts, last_ts, client_host, client_ip, sasl_username, sender, size,"         \
    " nrcpt, message_id, message_id_raw, resent_message_id, pickup_uid, parent_kind, is_ndr, status,"                  \
    " seen_start, rejected, year_inferred, (SELECT p.queue_id || ' ' || p.first_ts FROM %s.pf_message p"               \
    " WHERE p.id = m.parent_id) FROM %s.pf_message m"
#define DLV_ROWS                                                                                                       \
    "SELECT m.queue_id, m.first_ts, d.ts, d.recipient, d.orig_recipient, d.daemon, d.relay_host, d.relay_ip,"          \
    " d.relay_port, d.conn_use, d.delay, d.delays, d.tls, d.dsn, d.status, d.reply, d.is_final, d.queued_as,"          \
    " d.exo_message_id, d.exo_internal_id, d.exo_hostname, d.exo_attribution, d.truncated"                             \
    " FROM %s.pf_delivery d JOIN %s.pf_message m ON m.id = d.pf_message_id"

/* Rows of ROWS (a format whose every %s, three at most, is the schema) in
 * one of main and other but not in both. */
static long long rows_differing(sqlite3 *db, const char *rows)
{
    char a[2048], b[2048], sql[8400];
    snprintf(a, sizeof a, rows, "main", "main", "main");
    snprintf(b, sizeof b, rows, "other", "other", "other");
    snprintf(sql, sizeof sql, "SELECT (SELECT count(*) FROM (%s EXCEPT %s)) + (SELECT count(*) FROM (%s EXCEPT %s))", a,
             b, b, a);
    return test_sql_int(db, sql);
}

static void attach_other(sqlite3 *db, const char *name)
{
    char *sql = sqlite3_mprintf("ATTACH %Q AS other", name);
    CHECK_INT(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_free(sql);
}

/* Lines 1..UPTO of a fixture into PART1, the rest into PART2. */
static void split_fixture(const char *name, int upto, const char *part1, const char *part2)
{
    char path[1024], line[4096];
    fixture(path, sizeof path, name);
    FILE *in = fopen(path, "r"), *o1 = fopen(part1, "w"), *o2 = fopen(part2, "w");
    if (!in || !o1 || !o2) {
        perror(name);
        exit(2);
    }
    for (int n = 1; fgets(line, sizeof line, in); n++)
        fputs(line, n <= upto ? o1 : o2);
    fclose(in);
    fclose(o1);
    fclose(o2);
}

/* A second run with unrelated lines leaves the first run's messages and
 * deliveries as they were, ids included; lines of one message split over two
 * runs give the rows a single run gives, its links across the runs too. */
static void test_incremental_runs(void)
{
    char gateway[1024], reuse[1024];
    fixture(gateway, sizeof gateway, "gateway.log");
    fixture(reuse, sizeof reuse, "reuse.log");

    sqlite3 *db = fresh_db("inc.db");
    char *p1[] = {gateway};
    CHECK_INT(ingest_paths(db, p1, 1), 0);
    CHECK_INT(sqlite3_exec(db,
                           "CREATE TEMP TABLE snap_m AS SELECT * FROM pf_message;"
                           "CREATE TEMP TABLE snap_d AS SELECT * FROM pf_delivery",
                           NULL, NULL, NULL),
              SQLITE_OK);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM pf_dirty"), 0);
    char *p2[] = {reuse};
    CHECK_INT(ingest_paths(db, p2, 1), 0);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM pf_message"), 4 + 6);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM pf_message WHERE source_id = 1"), 4);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM (SELECT * FROM snap_m EXCEPT "
                               "SELECT * FROM pf_message WHERE source_id = 1)"),
              0);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM (SELECT * FROM snap_d EXCEPT "
                               "SELECT * FROM pf_delivery WHERE source_id = 1)"),
              0);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM pf_delivery WHERE source_id = 1"),
              test_sql_int(db, "SELECT count(*) FROM snap_d"));
    /* the second run's rows are those of the file on its own */
    sqlite3 *alone = fresh_db("inc-alone.db");
    CHECK_INT(ingest_paths(alone, p2, 1), 0);
    store_close(alone);
    attach_other(db, "inc-alone.db");
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM pf_message WHERE source_id = 2"), 6);
    CHECK_INT(rows_differing(db, MSG_ROWS " WHERE m.source_id = (SELECT max(id) FROM %s.source)"), 0);
    store_close(db);

    /* The parent's "queued as" deliveries and the notice come in a second
     * run, after the child's first lines: the same rows, ids included, as
     * one run of the whole file. */
    db = fresh_db("whole.db");
    CHECK_INT(ingest_paths(db, p1, 1), 0);
    store_close(db);
    split_fixture("gateway.log", 11, "gw-part1.log", "gw-part2.log");
    db = fresh_db("split.db");
    char *a[] = {"gw-part1.log"}, *b[] = {"gw-part2.log"};
    CHECK_INT(ingest_paths(db, a, 1), 0);
    CHECK_INT(ingest_paths(db, b, 1), 0);
    attach_other(db, "whole.db");
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM pf_message"), 4);
    CHECK_INT(rows_differing(db, MSG_ROWS), 0);
    CHECK_INT(rows_differing(db, DLV_ROWS), 0);
    CHECK_INT(rows_differing(db, "SELECT id, parent_id FROM %s.pf_message"), 0);
    CHECK_INT(rows_differing(db, "SELECT id, pf_message_id, is_final FROM %s.pf_delivery"), 0);
    CHECK_STR(test_sql_text(db, "SELECT c.parent_kind || ' ' || p.queue_id FROM pf_message c JOIN pf_message p "
                                "ON p.id = c.parent_id WHERE c.queue_id = '5B2C3D4E5F'"),
              "queued_as 4A1B2C3D4E");
    store_close(db);

    /* the same two files, newest first */
    db = fresh_db("split-rev.db");
    CHECK_INT(ingest_paths(db, b, 1), 0);
    CHECK_INT(ingest_paths(db, a, 1), 0);
    attach_other(db, "whole.db");
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM pf_message"), 4);
    CHECK_INT(rows_differing(db, MSG_ROWS), 0);
    CHECK_INT(rows_differing(db, DLV_ROWS), 0);
    store_close(db);
}

/* N messages, each relayed to one recipient: the first three lines of each
 * into HEADS, the delivery and "removed" into TAILS, all in time order. */
static void write_split_messages(int n, const char *heads, const char *tails)
{
    FILE *h = fopen(heads, "w"), *t = fopen(tails, "w");
    if (!h || !t) {
        perror(heads);
        exit(2);
    }
    for (int i = 0; i < n; i++) {
        int s = 2 * i;
        fprintf(h, "Nov 20 10:%02d:%02d gw postfix/smtpd[100]: 3%09X: client=mail.example.net[192.0.2.10]\n", s / 60,
                s % 60, i);
        fprintf(h, "Nov 20 10:%02d:%02d gw postfix/cleanup[101]: 3%09X: message-id=<m%d@example.net>\n", s / 60, s % 60,
                i, i);
        fprintf(h,
                "Nov 20 10:%02d:%02d gw postfix/qmgr[102]: 3%09X: from=<a@example.net>, size=1000, nrcpt=1 "
                "(queue active)\n",
                s / 60, s % 60, i);
        fprintf(t,
                "Nov 20 10:%02d:%02d gw postfix/smtp[103]: 3%09X: to=<u%d@company-a.example>, "
                "relay=company-a-example.mail.protection.outlook.com[52.101.1.1]:25, delay=1, "
                "delays=0.1/0/0.5/0.4, dsn=2.0.0, status=sent (250 2.0.0 OK)\n",
                (s + 1) / 60, (s + 1) % 60, i, i);
        fprintf(t, "Nov 20 10:%02d:%02d gw postfix/qmgr[102]: 3%09X: removed\n", (s + 1) / 60, (s + 1) % 60, i);
    }
    fclose(h);
    fclose(t);
}

/* A first load of rotated files listed newest first (as a shell glob of
 * mail.log* lists them) gives the rows of the files listed oldest first:
 * with a few messages split across the two files (each gets a sorted pass of
 * its own) and with many (one sorted pass over everything). */
static void test_first_load_order(void)
{
    static const int sizes[] = {20, 300};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        write_split_messages(sizes[k], "heads.log", "tails.log");
        sqlite3 *db = fresh_db("in-order.db");
        char *in_order[] = {"heads.log", "tails.log"};
        CHECK_INT(ingest_paths(db, in_order, 2), 0);
        CHECK_INT(test_sql_int(db, "SELECT count(*) FROM pf_message WHERE status = 'removed' AND seen_start = 1"),
                  sizes[k]);
        CHECK_INT(test_sql_int(db, "SELECT count(*) FROM pf_delivery WHERE is_final = 1 AND status = 'sent'"),
                  sizes[k]);
        store_close(db);
        db = fresh_db("newest-first.db");
        char *newest_first[] = {"tails.log", "heads.log"};
        CHECK_INT(ingest_paths(db, newest_first, 2), 0);
        attach_other(db, "in-order.db");
        CHECK_INT(test_sql_int(db, "SELECT count(*) FROM pf_message"), sizes[k]);
        CHECK_INT(rows_differing(db, MSG_ROWS), 0);
        CHECK_INT(rows_differing(db, DLV_ROWS), 0);
        store_close(db);
    }
}

static void write_file(const char *name, const char *text)
{
    FILE *f = fopen(name, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        perror(name);
        exit(2);
    }
}

/* The stream pass keeps the last time of each closed life by a hash of its
 * key. These two host names have the same FNV-1a hash, so with the same
 * queue id and instance the keys collide; the late delivery of the second
 * host must still reach its message, not start an open life of its own. */
static void test_stream_hash_collision(void)
{
    write_file("coll1.log", "2026-03-01T09:00:00Z ee2b017726d34704 postfix/qmgr[3]: C0FFEE1234: from=<b@x.example>, "
                            "size=1, nrcpt=1 (queue active)\n"
                            "2026-03-01T10:00:00Z e5fe11d0a582483c postfix/qmgr[3]: C0FFEE1234: from=<a@x.example>, "
                            "size=2, nrcpt=1 (queue active)\n"
                            "2026-03-01T10:00:10Z e5fe11d0a582483c postfix/qmgr[3]: C0FFEE1234: removed\n");
    write_file("coll2.log", "2026-03-01T09:00:05Z ee2b017726d34704 postfix/qmgr[3]: C0FFEE1234: removed\n"
                            "2026-03-01T10:00:05Z e5fe11d0a582483c postfix/smtp[4]: C0FFEE1234: to=<r@y.example>, "
                            "relay=r.example[10.0.0.2]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)\n");
    sqlite3 *db = fresh_db("collision.db");
    char *both[] = {"coll1.log", "coll2.log"};
    CHECK_INT(ingest_paths(db, both, 2), 0);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM pf_message"), 2);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM pf_message WHERE status = 'open'"), 0);
    CHECK_STR(test_sql_text(db, "SELECT m.host || ' ' || m.last_ts FROM pf_delivery d "
                                "JOIN pf_message m ON m.id = d.pf_message_id"),
              "e5fe11d0a582483c 2026-03-01 10:00:10");
    store_close(db);
}

/* The six secondary indexes of pf_message and pf_delivery in DB. */
static long long derived_indexes(sqlite3 *db)
{
    return test_sql_int(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name IN ('pf_message_qid',"
                            " 'pf_message_msgid', 'pf_message_ts', 'pf_message_parent', 'pf_delivery_msg',"
                            " 'pf_delivery_rcpt')");
}

/* A first load correlates its lines as it stores them; the same files
 * stored when pf_event already held a line (a connection-level one, which
 * makes no message) are correlated from the table after the run. Both give
 * the same messages and deliveries, links included. */
static void test_stream_matches_table(void)
{
    char gateway[1024], reuse[1024];
    fixture(gateway, sizeof gateway, "gateway.log");
    fixture(reuse, sizeof reuse, "reuse.log");
    write_split_messages(40, "heads.log", "tails.log");
    /* rejected after queueing: by a milter, and discarded by cleanup */
    write_file("rejects.log",
               "Nov 20 11:00:00 gw postfix/smtpd[100]: 4A1B2C3D4E: client=a.example[192.0.2.1]\n"
               "Nov 20 11:00:01 gw postfix/cleanup[101]: 4A1B2C3D4E: milter-reject: END-OF-MESSAGE from "
               "a.example[192.0.2.1]: 5.7.1 Spam detected; from=<s@a.example> to=<r@company-a.example> proto=ESMTP "
               "helo=<a.example>\n"
               "Nov 20 11:00:02 gw postfix/smtpd[100]: 4A1B2C3D4F: client=a.example[192.0.2.1]\n"
               "Nov 20 11:00:03 gw postfix/cleanup[101]: 4A1B2C3D4F: discard: header Subject: spam from "
               "a.example[192.0.2.1]; from=<s@a.example> to=<r@company-a.example> proto=ESMTP helo=<a.example>: "
               "bye\n");
    char *files[] = {gateway, "heads.log", reuse, "rejects.log", "tails.log"};

    sqlite3 *db = fresh_db("streamed.db");
    CHECK_INT(ingest_paths(db, files, 5), 0);
    CHECK_INT(derived_indexes(db), 6);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM pf_dirty"), 0);
    long long messages = test_sql_int(db, "SELECT count(*) FROM pf_message");
    CHECK_INT(messages, 4 + 6 + 2 + 40);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM pf_message WHERE rejected = 1"), 2);
    store_close(db);

    write_file("connect-only.log", "Nov 20 09:00:00 other postfix/smtpd[9]: connect from unknown[198.51.100.7]\n");
    db = fresh_db("from-table.db");
    char *connect_only[] = {"connect-only.log"};
    CHECK_INT(ingest_paths(db, connect_only, 1), 0);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM pf_message"), 0);
    CHECK_INT(ingest_paths(db, files, 5), 0);
    attach_other(db, "streamed.db");
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM pf_message"), messages);
    CHECK_INT(rows_differing(db, MSG_ROWS), 0);
    CHECK_INT(rows_differing(db, DLV_ROWS), 0);
    CHECK(test_sql_int(db, "SELECT count(*) FROM pf_message WHERE parent_id IS NOT NULL") > 0);
    store_close(db);
}

/* A gzip file cut short fails after its lines were stored: its transaction
 * is rolled back, with the messages written while it was read (the ends of
 * the first file's messages are in it). The run still correlates what
 * landed, as a run without the failed file does, and the message indexes
 * are back. */
static void test_stream_after_failed_file(void)
{
    write_split_messages(1500, "heads.log", "tails.log");
    char gateway[1024];
    fixture(gateway, sizeof gateway, "gateway.log");
    /* tails.log gzipped, then cut in its last block */
    FILE *t = fopen("tails.log", "rb");
    gzFile gz = gzopen("tails-cut.log.gz", "wb");
    char buf[4096];
    size_t n;
    while (t && gz && (n = fread(buf, 1, sizeof buf, t)) > 0)
        gzwrite(gz, buf, (unsigned)n);
    if (t)
        fclose(t);
    gzclose(gz);
    FILE *g = fopen("tails-cut.log.gz", "rb+");
    CHECK(g != NULL);
    fseek(g, 0, SEEK_END);
    long size = ftell(g);
    fclose(g);
    CHECK(size > 100);
    CHECK_INT(truncate("tails-cut.log.gz", size - 20), 0);

    sqlite3 *db = fresh_db("failed.db");
    char *files[] = {"heads.log", "tails-cut.log.gz", gateway};
    CHECK(ingest_paths(db, files, 3) != 0);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM source WHERE status = 'ok'"), 2);
    CHECK_INT(derived_indexes(db), 6);

    sqlite3 *without = fresh_db("without.db");
    char *good[] = {"heads.log", gateway};
    CHECK_INT(ingest_paths(without, good, 2), 0);
    store_close(without);
    attach_other(db, "without.db");
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM pf_message"), 1500 + 4);
    /* the first file's messages lost their ends with the failed file */
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM pf_message WHERE status = 'open' AND queue_id LIKE '3%'"), 1500);
    CHECK_INT(rows_differing(db, MSG_ROWS), 0);
    CHECK_INT(rows_differing(db, DLV_ROWS), 0);
    store_close(db);
}

/* Writes TEXT, then LINES lines of another program that compress badly, to
 * NAME gzipped, and cuts its end off. */
static void write_cut_gzip(const char *name, const char *text, int lines)
{
    gzFile gz = gzopen(name, "wb");
    CHECK(gz != NULL);
    if (!gz)
        return;
    gzputs(gz, text);
    uint32_t x = 12345;
    for (int i = 0; i < lines; i++) {
        x = x * 1103515245u + 12345u;
        uint32_t y = x * 2654435761u;
        gzprintf(gz, "Nov 20 09:30:%02d gw dovecot: imap(u%u): Logged out in=%u out=%u session=<%08x%08x>\n", i % 60,
                 x % 997, x % 100000, y % 1000000, x, y);
    }
    gzclose(gz);
    FILE *g = fopen(name, "rb");
    CHECK(g != NULL);
    if (!g)
        return;
    fseek(g, 0, SEEK_END);
    long size = ftell(g);
    fclose(g);
    CHECK(size > 300 * 1024); /* past the reader's first block */
    CHECK_INT(truncate(name, size - 20), 0);
}

/* A file that fails after the stream started but before any of its lines
 * were written (they wait for their batch) takes the stream's start away
 * with its rollback: the next files are correlated from the table, links
 * included. */
static void test_stream_failed_start(void)
{
    char gateway[1024], reuse[1024];
    fixture(gateway, sizeof gateway, "gateway.log");
    fixture(reuse, sizeof reuse, "reuse.log");
    write_cut_gzip("mixed-cut.log.gz",
                   "Nov 20 09:00:00 gw postfix/smtpd[100]: connect from a.example[192.0.2.1]\n"
                   "Nov 20 09:00:01 gw postfix/smtpd[100]: disconnect from a.example[192.0.2.1]\n",
                   30000);
    sqlite3 *db = fresh_db("failed-start.db");
    char *files[] = {"mixed-cut.log.gz", gateway, reuse};
    CHECK(ingest_paths(db, files, 3) != 0);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM source WHERE status = 'ok'"), 2);
    CHECK_INT(derived_indexes(db), 6);
    sqlite3 *without = fresh_db("without-start.db");
    char *good[] = {gateway, reuse};
    CHECK_INT(ingest_paths(without, good, 2), 0);
    store_close(without);
    attach_other(db, "without-start.db");
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM pf_message"), 4 + 6);
    CHECK(test_sql_int(db, "SELECT count(*) FROM pf_message WHERE parent_id IS NOT NULL") > 0);
    CHECK_INT(rows_differing(db, MSG_ROWS), 0);
    CHECK_INT(rows_differing(db, DLV_ROWS), 0);
    store_close(db);
}

/* A run that ended between two files of a first load (killed) leaves the
 * messages whose lives closed in the files stored so far, no row for the
 * lives still open, and the message indexes dropped. The next run, whatever
 * its files, sees the missing indexes and correlates everything again. */
static void test_stream_unfinished_run(void)
{
    char gateway[1024], reuse[1024];
    fixture(gateway, sizeof gateway, "gateway.log");
    fixture(reuse, sizeof reuse, "reuse.log");
    write_split_messages(25, "heads.log", "tails.log");
    sqlite3 *db = fresh_db("unfinished.db");
    char *first[] = {gateway, "heads.log"};
    CHECK_INT(ingest_paths(db, first, 2), 0);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM pf_message WHERE status = 'open'"), 25 + 1);
    /* what the run would have committed had it been killed after its files */
    CHECK_INT(sqlite3_exec(db,
                           "DELETE FROM pf_delivery WHERE pf_message_id IN (SELECT id FROM pf_message"
                           " WHERE status = 'open'); DELETE FROM pf_message WHERE status = 'open';"
                           " UPDATE pf_message SET parent_id = NULL, parent_kind = NULL;"
                           " DROP INDEX pf_message_qid; DROP INDEX pf_delivery_rcpt",
                           NULL, NULL, NULL),
              SQLITE_OK);
    char *next[] = {reuse};
    CHECK_INT(ingest_paths(db, next, 1), 0);
    CHECK_INT(derived_indexes(db), 6);
    store_close(db);

    db = fresh_db("finished.db");
    char *all[] = {gateway, "heads.log", reuse};
    CHECK_INT(ingest_paths(db, all, 3), 0);
    attach_other(db, "unfinished.db");
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM other.pf_message WHERE status = 'open'"),
              test_sql_int(db, "SELECT count(*) FROM pf_message WHERE status = 'open'"));
    CHECK_INT(rows_differing(db, MSG_ROWS), 0);
    CHECK_INT(rows_differing(db, DLV_ROWS), 0);
    store_close(db);
}

/* Another ingest that commits between two files of a first load (another
 * process, while this run reads its next file) breaks the stream: its rows
 * or its rebuild are not in the stream's memory. The run's after-run step
 * then rebuilds every message from the table, even when the indexes are
 * there and no queue id is marked dirty. */
static void test_stream_other_writer(void)
{
    write_split_messages(25, "heads.log", "tails.log");
    sqlite3 *db = fresh_db("other-writer.db");
    char err[256];
    CHECK_INT(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    struct pf_stream *s = postfix_stream_start(db, err, sizeof err);
    CHECK(s != NULL);
    CHECK_INT(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    if (!s)
        return;
    CHECK_INT(postfix_stream_usable(s, 1), 1);

    /* any commit of another connection, here one that adds no line */
    sqlite3 *other;
    CHECK_INT(store_open("other-writer.db", STORE_READWRITE, &other, err, sizeof err), 0);
    CHECK_INT(sqlite3_exec(other, "INSERT INTO pf_dirty VALUES ('0ABCDEF')", NULL, NULL, NULL), SQLITE_OK);
    CHECK_INT(postfix_stream_usable(s, 2), 0);
    char *heads[] = {"heads.log"};
    CHECK_INT(ingest_paths(other, heads, 1), 0);
    store_close(other);
    CHECK_INT(postfix_stream_usable(s, 3), 0); /* for good */

    /* some messages written, others not, nothing dirty, the indexes there */
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM pf_message"), 25);
    CHECK_INT(sqlite3_exec(db, "DELETE FROM pf_message WHERE id % 2 = 0", NULL, NULL, NULL), SQLITE_OK);
    CHECK(test_sql_int(db, "SELECT count(*) FROM pf_message") < 25);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM pf_dirty"), 0);
    CHECK_INT(derived_indexes(db), 6);
    CHECK_INT(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    CHECK_INT(postfix_rebuild(db, s, err, sizeof err), 0);
    CHECK_INT(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM pf_message"), 25);
    CHECK_INT(derived_indexes(db), 6);
    postfix_stream_free(s);
    store_close(db);
}

/* A first load into a database whose message indexes went missing (an
 * earlier first load of files without a queue-id line, killed) makes them
 * again. */
static void test_stream_makes_missing_indexes(void)
{
    write_split_messages(5, "heads.log", "tails.log");
    sqlite3 *db = fresh_db("no-indexes.db");
    CHECK_INT(sqlite3_exec(db, "DROP INDEX pf_message_ts; DROP INDEX pf_delivery_msg", NULL, NULL, NULL), SQLITE_OK);
    CHECK_INT(derived_indexes(db), 4);
    char *both[] = {"heads.log", "tails.log"};
    CHECK_INT(ingest_paths(db, both, 2), 0);
    CHECK_INT(derived_indexes(db), 6);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM pf_message WHERE status = 'removed'"), 5);
    store_close(db);
}

/* A bounce notice links to its parent when the stored year has five digits. */
static void test_link_year_10000(void)
{
    write_file("y10k.log", "9999-12-31T23:59:59-05:00 mx1 postfix/qmgr[3]: AAAAAA: from=<s@x.example>, size=1, "
                           "nrcpt=1 (queue active)\n"
                           "9999-12-31T23:59:59-05:00 mx1 postfix/bounce[5]: AAAAAA: sender non-delivery "
                           "notification: BBBBBB\n"
                           "9999-12-31T23:59:59-05:00 mx1 postfix/qmgr[3]: BBBBBB: from=<>, size=1, nrcpt=1 "
                           "(queue active)\n");
    sqlite3 *db = fresh_db("y10k.db");
    char *p[] = {"y10k.log"};
    CHECK_INT(ingest_paths(db, p, 1), 0);
    CHECK_STR(test_sql_text(db, "SELECT c.parent_kind || ' ' || p.queue_id || ' ' || c.first_ts FROM pf_message c "
                                "JOIN pf_message p ON p.id = c.parent_id WHERE c.queue_id = 'BBBBBB'"),
              "ndr_of AAAAAA 10000-01-01 04:59:59");
    store_close(db);
}

int main(int argc, char **argv)
{
    TEST_INIT(argc, argv);
    test_incremental_runs();
    test_first_load_order();
    test_stream_hash_collision();
    test_link_year_10000();
    test_stream_matches_table();
    test_stream_after_failed_file();
    test_stream_failed_start();
    test_stream_unfinished_run();
    test_stream_other_writer();
    test_stream_makes_missing_indexes();
    return test_done("test_postfix_incremental");
}
