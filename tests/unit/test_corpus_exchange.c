/* test_corpus_exchange.c - conformance over the shared corpus of real
 * Exchange samples (../shared/corpus/exchange): every file must be
 * recognised, land whole, and give the fields the samples show. Skipped
 * (77) when the corpus is not there. */
#include "ingest.h"
#include "store.h"
#include "testutil.h"

#include <sys/stat.h>

int main(int argc, char **argv)
{
    TEST_INIT(argc, argv);
    char dir[1024], err[256];
    struct stat sb;
    snprintf(dir, sizeof dir, "%s/../shared/corpus/exchange", test_srcdir);
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        printf("test_corpus_exchange: %s absent, skipped\n", dir);
        return 77;
    }
    sqlite3 *db;
    if (store_open(":memory:", STORE_READWRITE, &db, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    char *paths[] = {dir};
    struct ingest_options opt = {.tz = "UTC", .quiet = 1};
    struct ingest_report rep;
    memset(&rep, 0, sizeof rep);
    CHECK_INT(ingest_run(db, paths, 1, &opt, &rep), 0);

    /* what was found, for the log */
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "SELECT format, status, events_stored, lines_rejected, path FROM source ORDER BY path", -1,
                       &st, NULL);
    while (sqlite3_step(st) == SQLITE_ROW)
        printf("%-16s %-6s %3lld events %3lld rejected  %s\n", sqlite3_column_text(st, 0), sqlite3_column_text(st, 1),
               sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3), sqlite3_column_text(st, 4));
    sqlite3_finalize(st);

    CHECK_INT(rep.files_failed + rep.files_ignored, 0);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM source WHERE status <> 'ok'"), 0);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM reject"), 0);
    /* every row of every sample landed: events = data lines */
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM source WHERE events_stored + lines_skipped <> lines_read"), 0);

    /* Exchange 2010 log with BOM and CRLF: 26 fields, two NOTIFYMAPI rows */
    CHECK_STR(test_sql_text(db, "SELECT format || ' ' || events_stored FROM source WHERE path LIKE '%bom8.log'"),
              "msgtrk 2");
    /* Exchange 2016 log with full header: zone id stripped from the chosen IP */
    CHECK_STR(test_sql_text(
                  db, "SELECT client_ip || ' ' || client_ip_logged FROM ex_event e JOIN source s ON s.id = e.source_id "
                      "WHERE s.path LIKE '%MSGTRKMS%' AND e.event = 'NOTIFYMAPI'"),
              "fe80::1234:5678:4321:1010 fe80::1234:5678:4321:1010%3");
    /* header-less 30-field rows: proxied RECEIVE takes original-client-ip */
    CHECK_STR(test_sql_text(db, "SELECT format FROM source WHERE path LIKE '%test-messagetracking.log'"), "msgtrk");
    CHECK_STR(test_sql_text(db, "SELECT client_ip || ' ' || client_ip_logged FROM ex_event "
                                "WHERE message_id = '20240123200014.123F425E28@host01.my.domain.com'"),
              "10.11.12.13 10.11.12.14");
    /* SENDEXTERNAL through the hybrid connector, return-path <>: null sender */
    CHECK_STR(
        test_sql_text(
            db,
            "SELECT typeof(sender) || ':' || sender || '|' || connector FROM ex_event WHERE event = 'SENDEXTERNAL'"),
        "text:|Outbound to Office 365 - cb1ce4e7-cbb6-46e8-8a4c-e1f2efbdd202");
    CHECK_STR(
        test_sql_text(
            db,
            "SELECT status FROM ex_recipient r JOIN ex_event e ON e.id = r.event_id WHERE e.event = 'SENDEXTERNAL'"),
        "250 2.1.5 Recipient OK");
    /* message trace NDJSON: Received with and without Z, both UTC */
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM ex_event WHERE format = 'exo-trace-json'"), 3);
    CHECK_STR(
        test_sql_text(db, "SELECT ts FROM ex_event WHERE network_message_id = 'cf7a249a-5edd-4350-130a-08da8f69e0f6'"),
        "2022-09-05 18:10:13.490");
    CHECK_STR(test_sql_text(db, "SELECT ts || ' ' || client_ip FROM ex_event WHERE network_message_id = "
                                "'a5e6dc0f-23df-4b20-d240-08dab38944a1'"),
              "2022-10-21 17:25:36.969 40.107.23.54");
    store_close(db);
    return test_done("test_corpus_exchange");
}
