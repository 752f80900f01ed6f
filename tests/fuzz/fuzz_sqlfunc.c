/*
 * fuzz_sqlfunc.c - mxaudit's SQL functions (src/sqlfunc.h) with any
 * arguments, as queries pass them: regexp(), REGEXP, ip_in(), is_exo_ip(),
 * domain_of(), local_part_of().
 *
 * The input is split at its first newline into A and B, which are bound as
 * parameters (never pasted into SQL) in both roles, as text and as blobs. A
 * function may return an SQL error (a bad pattern, a bad network list) but
 * must never crash; the results of the address functions are checked
 * against their documented meaning.
 */
#include "fuzz_common.h"
#include "sqlfunc.h"

#include <sqlite3.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sqlite3 *db;
static sqlite3_stmt *st;

static const char query[] = "SELECT regexp(?1, ?2), ?2 REGEXP ?1, ip_in(?1, ?2), ip_in(?2, ?1), is_exo_ip(?1), "
                            "is_exo_ip(?2), domain_of(?1), local_part_of(?1), domain_of(?2), local_part_of(?2)";

static void run(const char *a, size_t alen, const char *b, size_t blen, int as_blob)
{
    if (as_blob) {
        sqlite3_bind_blob(st, 1, a, (int)alen, SQLITE_TRANSIENT);
        sqlite3_bind_blob(st, 2, b, (int)blen, SQLITE_TRANSIENT);
    } else {
        sqlite3_bind_text(st, 1, a, (int)alen, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, b, (int)blen, SQLITE_TRANSIENT);
    }
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        for (int c = 0; c < 6; c++) {
            int t = sqlite3_column_type(st, c);
            FUZZ_ASSERT(t == SQLITE_NULL || t == SQLITE_INTEGER);
            if (t == SQLITE_INTEGER) {
                long long v = sqlite3_column_int64(st, c);
                FUZZ_ASSERT(v == 0 || v == 1);
            }
        }
        /* An address with text on both sides of its last '@' has a domain and a
         * local part; the domain is lower case. (With nothing on one side the
         * function may say NULL.) */
        const char *at = NULL;
        for (size_t i = 0; i < alen; i++)
            if (a[i] == '@')
                at = a + i;
        if (!as_blob && at && at > a && at + 1 < a + alen && memchr(a, '\0', alen) == NULL) {
            FUZZ_ASSERT(sqlite3_column_type(st, 6) != SQLITE_NULL);
            FUZZ_ASSERT(sqlite3_column_type(st, 7) != SQLITE_NULL);
            const unsigned char *dom = sqlite3_column_text(st, 6);
            for (const unsigned char *p = dom; p && *p; p++)
                FUZZ_ASSERT(!(*p >= 'A' && *p <= 'Z'));
        }
    } else {
        FUZZ_ASSERT(rc == SQLITE_ERROR);
        FUZZ_ASSERT(sqlite3_errmsg(db)[0] != '\0');
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!db) {
        if (sqlite3_open(":memory:", &db) != SQLITE_OK || sqlfunc_register(db) != SQLITE_OK ||
            sqlite3_prepare_v2(db, query, -1, &st, NULL) != SQLITE_OK) {
            fprintf(stderr, "fuzz_sqlfunc: setup failed: %s\n", db ? sqlite3_errmsg(db) : "no memory");
            abort();
        }
    }
    const char *text = (const char *)data;
    const char *nl = memchr(text, '\n', size);
    size_t alen = nl ? (size_t)(nl - text) : size;
    const char *b = nl ? nl + 1 : text + size;
    size_t blen = size - alen - (nl ? 1 : 0);
    run(text, alen, b, blen, 0);
    run(b, blen, text, alen, 0);
    run(text, alen, b, blen, 1);
    return 0;
}
