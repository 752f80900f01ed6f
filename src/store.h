/*
 * store.h - the SQLite database: opening, schema migrations, pragmas.
 *
 * The database is one SQLite file in WAL mode. store_open() applies every
 * embedded schema file (schema/NNN-*.sql) that the file has not seen yet,
 * counting them in PRAGMA user_version, so a newer mxaudit opens an older
 * database. It sets a busy timeout so that concurrent runs wait for each
 * other instead of failing, and registers mxaudit's SQL functions.
 *
 * Whoever calls store_open calls store_close on the handle it returned.
 */
#ifndef MXAUDIT_STORE_H
#define MXAUDIT_STORE_H

#include <sqlite3.h>
#include <stddef.h>

enum store_mode {
    STORE_READWRITE, /* create if missing, migrate */
    STORE_READONLY   /* must exist; opened read-only; refuses an outdated schema */
};

/* The database path: explicit, else $MXAUDIT_DB, else "mxaudit.db". */
const char *store_default_path(const char *explicit_path);

/* Opens PATH. 0, or -1 with a message naming the file in err. */
int store_open(const char *path, enum store_mode mode, sqlite3 **db, char *err, size_t errlen);
/* Opens and migrates up to schema step UPTO only (tests of migrations). */
int store_open_at(const char *path, size_t upto, sqlite3 **db, char *err, size_t errlen);
void store_close(sqlite3 *db);

/* Number of schema steps this binary knows (the user_version of a new database). */
size_t store_schema_version(void);

/* Runs SQL (several statements); 0, or -1 with sqlite's message in err. */
int store_exec(sqlite3 *db, const char *sql, char *err, size_t errlen);
/* One integer from a query with no parameters; DEFAULT_VALUE when no row. */
long long store_query_int(sqlite3 *db, const char *sql, long long default_value);

/* The current time as stored ('YYYY-MM-DD HH:MM:SS', UTC). out: 32 bytes. */
void store_now(char *out);

#endif
