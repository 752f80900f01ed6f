/*
 * fuzz_ingest.c - every parser through the ingest driver (src/ingest.h), as
 * `mxaudit ingest` runs it: the fuzz input is one file, ingested into a fresh
 * in-memory database.
 *
 * The environment variable MXAUDIT_FUZZ_FORMAT forces one parser (as
 * --format does: the parser sees input that is not its format too); unset or
 * "detect", the driver detects the format; "list" prints the parser names and
 * exits. .ci/fuzz runs this target once per registered parser.
 *
 * The database is a copy of one that store_open made, so every input starts
 * from the same empty, fully migrated schema.
 *
 * Beyond not crashing: a run returns one of the documented statuses, every
 * rejected line is in the reject table, and a file is either stored whole
 * (status ok, counts adding up) or recorded as failed with nothing stored.
 */
#include "fuzz_common.h"
#include "ingest.h"
#include "parser.h"
#include "sqlfunc.h"
#include "store.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static const char *forced_format;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *f = getenv("MXAUDIT_FUZZ_FORMAT");
    if (f && strcmp(f, "list") == 0) {
        /* For .ci/fuzz: one run per registered parser. */
        for (size_t i = 0; parser_registry[i]; i++)
            printf("%s\n", parser_registry[i]->name);
        exit(0);
    }
    if (f && *f && strcmp(f, "detect") != 0) {
        if (!parser_find(f)) {
            fprintf(stderr, "fuzz_ingest: unknown MXAUDIT_FUZZ_FORMAT '%s'; formats:", f);
            for (size_t i = 0; parser_registry[i]; i++)
                fprintf(stderr, " %s", parser_registry[i]->name);
            fprintf(stderr, "\n");
            exit(2);
        }
        forced_format = f;
    }
    return 0;
}

/* A fresh database per input, copied from one made by store_open at start:
 * applying every schema step per input would cost more than the parse. */
static sqlite3 *template_db;

static sqlite3 *fresh_db(void)
{
    char err[512];
    if (!template_db && store_open(":memory:", STORE_READWRITE, &template_db, err, sizeof err) < 0) {
        fprintf(stderr, "fuzz_ingest: %s\n", err);
        abort();
    }
    sqlite3 *db;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK) {
        fprintf(stderr, "fuzz_ingest: cannot open a database\n");
        abort();
    }
    sqlite3_backup *b = sqlite3_backup_init(db, "main", template_db, "main");
    if (!b || sqlite3_backup_step(b, -1) != SQLITE_DONE || sqlite3_backup_finish(b) != SQLITE_OK) {
        fprintf(stderr, "fuzz_ingest: cannot copy the database: %s\n", sqlite3_errmsg(db));
        abort();
    }
    /* The per-connection settings store_open makes. */
    sqlite3_extended_result_codes(db, 1);
    if (store_exec(db, "PRAGMA foreign_keys = ON", err, sizeof err) < 0 || sqlfunc_register(db) != SQLITE_OK) {
        fprintf(stderr, "fuzz_ingest: %s\n", err);
        abort();
    }
    return db;
}

static long long one_int(sqlite3 *db, const char *sql)
{
    return store_query_int(db, sql, -1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = fuzz_input_fd(data, size);
    if (fd < 0)
        return 0;
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);

    sqlite3 *db = fresh_db();
    struct ingest_options opt;
    memset(&opt, 0, sizeof opt);
    opt.tz = "UTC";
    opt.quiet = 1;
    opt.format = forced_format;
    struct ingest_report rep;
    char *paths[] = {path};
    int rc = ingest_run(db, paths, 1, &opt, &rep);
    FUZZ_ASSERT(rc == 0 || rc == 3);
    FUZZ_ASSERT(rep.db_errors == 0);

    long long ok = one_int(db, "SELECT count(*) FROM source WHERE status = 'ok'");
    long long failed = one_int(db, "SELECT count(*) FROM source WHERE status = 'failed'");
    FUZZ_ASSERT(ok + failed <= 1);
    FUZZ_ASSERT((rc == 0) == (failed == 0));
    /* Nothing is dropped silently: the reject table holds what the counts say. */
    FUZZ_ASSERT(one_int(db, "SELECT coalesce(sum(lines_rejected), 0) FROM source") ==
                one_int(db, "SELECT count(*) FROM reject"));
    FUZZ_ASSERT((long long)rep.rejected == one_int(db, "SELECT count(*) FROM reject"));
    if (ok) {
        FUZZ_ASSERT(one_int(db, "SELECT lines_read FROM source") == (long long)rep.lines);
        FUZZ_ASSERT(one_int(db, "SELECT lines_rejected + lines_skipped <= lines_read FROM source") == 1);
        FUZZ_ASSERT(one_int(db, "SELECT count(*) FROM reject WHERE length(text) > 2048 * 4") == 0);
    }
    if (failed)
        FUZZ_ASSERT(one_int(db, "SELECT count(*) FROM reject") == 0);
    store_close(db);
    close(fd);
    return 0;
}
