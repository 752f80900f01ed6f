/*
 * testutil.h - the few checks the unit tests need, and fixture helpers.
 *
 * CHECK* report "file:line: what" and count a failure; the test goes on so
 * one run shows every broken assertion. TEST_MAIN's body returns through
 * test_done(): 0 when nothing failed, 1 otherwise.
 */
#ifndef MXAUDIT_TESTUTIL_H
#define MXAUDIT_TESTUTIL_H

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_failures;
static int test_checks;
static const char *test_srcdir = ".";

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        test_checks++;                                                                                                 \
        if (!(cond)) {                                                                                                 \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);                                   \
            test_failures++;                                                                                           \
        }                                                                                                              \
    } while (0)

#define CHECK_INT(got, want)                                                                                           \
    do {                                                                                                               \
        long long g_ = (long long)(got), w_ = (long long)(want);                                                       \
        test_checks++;                                                                                                 \
        if (g_ != w_) {                                                                                                \
            fprintf(stderr, "%s:%d: %s is %lld, want %lld\n", __FILE__, __LINE__, #got, g_, w_);                       \
            test_failures++;                                                                                           \
        }                                                                                                              \
    } while (0)

#define CHECK_STR(got, want)                                                                                           \
    do {                                                                                                               \
        const char *g_ = (got), *w_ = (want);                                                                          \
        test_checks++;                                                                                                 \
        if (!g_ || !w_ ? g_ != w_ : strcmp(g_, w_) != 0) {                                                             \
            fprintf(stderr, "%s:%d: %s is \"%s\", want \"%s\"\n", __FILE__, __LINE__, #got, g_ ? g_ : "(null)",        \
                    w_ ? w_ : "(null)");                                                                               \
            test_failures++;                                                                                           \
        }                                                                                                              \
    } while (0)

static inline int test_done(const char *name)
{
    if (test_failures)
        fprintf(stderr, "%s: %d of %d checks failed\n", name, test_failures, test_checks);
    else
        printf("%s: %d checks passed\n", name, test_checks);
    return test_failures ? 1 : 0;
}

/* Writes LEN bytes to PATH (in the test's scratch directory); aborts on error. */
static inline void test_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        exit(2);
    }
}

/* One text value from a query, copied into a static buffer ("" for NULL,
 * "<error: ...>" on error), so CHECK_STR(test_sql_text(db, "..."), "x") reads well. */
static inline const char *test_sql_text(sqlite3 *db, const char *sql)
{
    static char buf[8][4096];
    static int slot;
    char *out = buf[slot++ % 8];
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(out, 4096, "<error: %s>", sqlite3_errmsg(db));
        return out;
    }
    out[0] = '\0';
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(out, 4096, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return out;
}

static inline long long test_sql_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    long long v = -999999;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "SQL error: %s in %s\n", sqlite3_errmsg(db), sql);
        return v;
    }
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* A message tracking log (Exchange 2013+ header, 30 fields) of ROWS rows
 * written to PATH. Row k (line k + 5) has the subject "S<k>" and k % 4
 * recipients "r<k>-<j>@corp.example.com", each with its own status; rows
 * with k % 50 == 7 carry a custom-data value of 20,006 bytes
 * ("S:pad=" and 20,000 letters x). When BROKEN_ROW is not 0 that row lacks a field, so
 * the parser rejects it. Returns the number of recipients written. */
static inline long long test_write_msgtrk(const char *path, int rows, int broken_row)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(2);
    }
    fputs("#Software: Microsoft Exchange Server\n#Version: 15.02.1544.004\n#Log-type: Message Tracking Log\n"
          "#Date: 2026-11-27T00:00:00.000Z\n"
          "#Fields: date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,"
          "source,event-id,internal-message-id,message-id,network-message-id,recipient-address,recipient-status,"
          "total-bytes,recipient-count,related-recipient-address,reference,message-subject,sender-address,"
          "return-path,message-info,directionality,tenant-id,original-client-ip,original-server-ip,custom-data,"
          "transport-traffic-type,log-id,schema-version\n",
          f);
    long long rcpts = 0;
    for (int k = 1; k <= rows; k++) {
        int n = k % 4;
        fprintf(f,
                "2026-11-27T%02d:%02d:%02d.000Z,192.0.2.%d,,10.0.1.10,EX01,,EX01\\Default,SMTP,RECEIVE,%d,"
                "<m%d@partner.example>,,",
                k / 3600 % 24, k / 60 % 60, k % 60, k % 250 + 1, k, k);
        for (int j = 0; j < n; j++)
            fprintf(f, "%sR%d-%d@Corp.Example.com", j ? ";" : "", k, j);
        fputc(',', f);
        for (int j = 0; j < n; j++)
            fprintf(f, "%s250 2.1.5 r%d-%d", j ? ";" : "", k, j);
        fprintf(f, ",%d,%d,,,S%d,bob@partner.example,bob@partner.example,,Incoming,,,,", 1000 + k, n, k);
        if (k % 50 == 7) {
            fputs("S:pad=", f);
            for (int x = 0; x < 20000; x++)
                fputc('x', f);
        }
        fprintf(f, ",Email,%s\n", k == broken_row ? "" : ",15.02.1544.004");
        if (k != broken_row)
            rcpts += n;
    }
    if (fclose(f) != 0) {
        perror(path);
        exit(2);
    }
    return rcpts;
}

#define TEST_INIT(argc, argv)                                                                                          \
    do {                                                                                                               \
        if ((argc) > 1)                                                                                                \
            test_srcdir = (argv)[1];                                                                                   \
    } while (0)

#endif
