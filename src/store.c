/*
 * store.c - see store.h.
 *
 * Migrations: embedded_schema[] holds schema/NNN-*.sql in name order; step i
 * is file i. PRAGMA user_version is the number of steps applied. Each step
 * runs in its own transaction together with the user_version update, so a
 * crash mid-migration leaves the previous version intact.
 */
#include "store.h"

#include "embedded.h"
#include "sqlfunc.h"
#include "timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* Concurrent ingests hold the write lock for one file at a time; waiting
 * ten minutes covers a very large file without hanging forever. */
#define BUSY_TIMEOUT_MS (10 * 60 * 1000)

const char *store_default_path(const char *explicit_path)
{
    if (explicit_path && *explicit_path)
        return explicit_path;
    const char *env = getenv("MXAUDIT_DB");
    if (env && *env)
        return env;
    return "mxaudit.db";
}

size_t store_schema_version(void)
{
    return embedded_schema_count;
}

int store_exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "%s", msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

long long store_query_int(sqlite3 *db, const char *sql, long long default_value)
{
    sqlite3_stmt *st;
    long long v = default_value;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return default_value;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

void store_now(char *out)
{
    time_format((int64_t)time(NULL), -1, out);
}

static int migrate(sqlite3 *db, const char *path, size_t upto, char *err, size_t errlen)
{
    long long have = store_query_int(db, "PRAGMA user_version", 0);
    if (have > (long long)embedded_schema_count) {
        snprintf(err, errlen,
                 "%s: database schema version %lld is newer than this mxaudit knows (%zu); use a newer mxaudit", path,
                 have, embedded_schema_count);
        return -1;
    }
    for (size_t i = (size_t)have; i < upto; i++) {
        char msg[512];
        if (store_exec(db, "BEGIN IMMEDIATE", msg, sizeof msg) < 0) {
            snprintf(err, errlen, "%s: cannot start migration: %s", path, msg);
            return -1;
        }
        /* Another process may have migrated while we waited for the lock. */
        if (store_query_int(db, "PRAGMA user_version", 0) > (long long)i) {
            store_exec(db, "COMMIT", msg, sizeof msg);
            continue;
        }
        char version[64];
        snprintf(version, sizeof version, "PRAGMA user_version = %zu", i + 1);
        if (store_exec(db, embedded_schema[i].text, msg, sizeof msg) < 0 ||
            store_exec(db, version, msg, sizeof msg) < 0) {
            snprintf(err, errlen, "%s: schema step %s failed: %s", path, embedded_schema[i].name, msg);
            store_exec(db, "ROLLBACK", msg, sizeof msg);
            return -1;
        }
        if (store_exec(db, "COMMIT", msg, sizeof msg) < 0) {
            snprintf(err, errlen, "%s: cannot commit schema step %s: %s", path, embedded_schema[i].name, msg);
            return -1;
        }
    }
    return 0;
}

/* Puts the database in WAL mode. A first load holds it in rollback-journal
 * mode (see ingest.c); leaving that mode needs the database to itself, and
 * SQLite answers SQLITE_BUSY at once instead of calling the busy handler, so
 * the wait for that load to end is here, bounded like any other. */
static int set_wal(sqlite3 *db, char *msg, size_t msglen)
{
    for (int waited = 0;; waited += 50) {
        int rc = store_exec(db, "PRAGMA journal_mode = WAL", msg, msglen);
        if (rc == 0 || (sqlite3_errcode(db) & 0xff) != SQLITE_BUSY || waited >= BUSY_TIMEOUT_MS)
            return rc;
        sqlite3_sleep(50);
    }
}

/* Rolls back what an interrupted writer left (a hot journal, an unrecovered
 * WAL) by opening PATH read-write once: 0 when that worked. */
static int recover(const char *path)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
        rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL);
    }
    sqlite3_close(db);
    return rc == SQLITE_OK ? 0 : -1;
}

static int open_once(const char *path, enum store_mode mode, size_t upto, int may_recover, sqlite3 **out, char *err,
                     size_t errlen)
{
    sqlite3 *db = NULL;
    int flags = mode == STORE_READONLY ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    if (mode == STORE_READONLY && strcmp(path, ":memory:") != 0) {
        struct stat st;
        if (stat(path, &st) != 0) {
            snprintf(err, errlen, "%s: no such database (run `mxaudit ingest` first, or give --db)", path);
            return -1;
        }
    }
    if (sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: cannot open database: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return -1;
    }
    sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
    sqlite3_extended_result_codes(db, 1);
    /* regexp(), ip_in(), ...: views and ad-hoc queries may use them anywhere. */
    if (sqlfunc_register(db) != SQLITE_OK) {
        snprintf(err, errlen, "%s: cannot register SQL functions: %s", path, sqlite3_errmsg(db));
        sqlite3_close(db);
        return -1;
    }
    char msg[512];
    /* A file that is not SQLite fails here, with SQLite's own words. */
    if (store_exec(db, "SELECT count(*) FROM sqlite_schema", msg, sizeof msg) < 0) {
        int code = sqlite3_extended_errcode(db);
        sqlite3_close(db);
        if (code == SQLITE_READONLY_ROLLBACK || code == SQLITE_READONLY_RECOVERY) {
            /* An ingest killed mid-file left its journal, and rolling it back
             * takes write access: done once here, as any SQLite client that
             * may write would, then the read-only open again. */
            if (mode == STORE_READONLY && may_recover && recover(path) == 0)
                return open_once(path, mode, upto, 0, out, err, errlen);
            snprintf(err, errlen,
                     "%s: an interrupted ingest left its journal, and rolling it back needs write access: run "
                     "`mxaudit ingest` on this database as a user who may write to it",
                     path);
            return -1;
        }
        snprintf(err, errlen, "%s: not a usable mxaudit database: %s", path, msg);
        return -1;
    }
    long long version = store_query_int(db, "PRAGMA user_version", 0);
    long long objects = store_query_int(db, "SELECT count(*) FROM sqlite_schema", 0);
    long long has_source =
        store_query_int(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'source'", 0);
    if (mode != STORE_READONLY && ((version == 0 && objects != 0) || (version > 0 && !has_source))) {
        /* Tables but no schema version, or a version without mxaudit's
         * first table: another program's database (a wrong --db), which
         * mxaudit's schema must not be added to. */
        snprintf(err, errlen,
                 "%s: not an mxaudit database: it holds another program's tables; give --db a new file or an "
                 "mxaudit database",
                 path);
        sqlite3_close(db);
        return -1;
    }
    if (mode != STORE_READONLY) {
        /* 16 KiB pages for a new database (an existing one keeps its own):
         * the audit reads whole tables of wide rows, and a scan of ex_event
         * took 0.26 s with them against 0.35 s with 4 KiB pages (the same
         * rows, both files vacuumed); an ingest is no slower. */
        store_exec(db, "PRAGMA page_size = 16384", msg, sizeof msg);
        /* WAL: readers (audit, sql) never block the writer (ingest). NORMAL
         * sync is durable across application crashes, which is what an
         * ingest that can simply be re-run needs. */
        if (set_wal(db, msg, sizeof msg) < 0 ||
            store_exec(db, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON", msg, sizeof msg) < 0) {
            snprintf(err, errlen, "%s: %s", path, msg);
            sqlite3_close(db);
            return -1;
        }
        if (migrate(db, path, upto, err, errlen) < 0) {
            sqlite3_close(db);
            return -1;
        }
    } else {
        long long have = store_query_int(db, "PRAGMA user_version", 0);
        if (have != (long long)embedded_schema_count) {
            if (have > (long long)embedded_schema_count)
                snprintf(err, errlen,
                         "%s: database schema version %lld is newer than this mxaudit knows (%zu); "
                         "use a newer mxaudit",
                         path, have, embedded_schema_count);
            else if ((have == 0 && objects != 0) || (have > 0 && !has_source))
                snprintf(err, errlen, "%s: not an mxaudit database: it holds another program's tables", path);
            else if (have == 0)
                snprintf(err, errlen, "%s: an empty database: nothing is ingested yet (run `mxaudit ingest` first)",
                         path);
            else
                snprintf(err, errlen,
                         "%s: database schema version %lld, this mxaudit uses %zu; run any `mxaudit ingest` on it "
                         "to migrate it",
                         path, have, embedded_schema_count);
            sqlite3_close(db);
            return -1;
        }
    }
    /* 16 MiB of page cache: a bulk load appends, so a larger cache only
     * holds pages that are already written (64 MiB measured no faster and
     * doubled an ingest's peak memory); the audit's sorts stay in memory. */
    store_exec(db, "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -16384", msg, sizeof msg);
    *out = db;
    return 0;
}

int store_open(const char *path, enum store_mode mode, sqlite3 **db, char *err, size_t errlen)
{
    return open_once(path, mode, embedded_schema_count, 1, db, err, errlen);
}

int store_open_at(const char *path, size_t upto, sqlite3 **db, char *err, size_t errlen)
{
    if (upto > embedded_schema_count)
        upto = embedded_schema_count;
    return open_once(path, STORE_READWRITE, upto, 1, db, err, errlen);
}

void store_close(sqlite3 *db)
{
    if (db)
        sqlite3_close_v2(db);
}
