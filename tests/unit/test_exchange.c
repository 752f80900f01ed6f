/* test_exchange.c - the Exchange parsers, one fixture per export format and
 * one check per quirk, through ingest_run exactly as `mxaudit ingest`. The
 * fixtures and the documented facts they rest on: tests/fixtures/exchange/README.md. */
#include "ingest.h"
#include "store.h"
#include "testutil.h"

static sqlite3 *db_new(void)
{
    sqlite3 *db;
    char err[256];
    if (store_open(":memory:", STORE_READWRITE, &db, err, sizeof err) != 0) {
        fprintf(stderr, "store_open: %s\n", err);
        exit(2);
    }
    return db;
}

/* Ingests one file; returns ingest_run's status. */
static int ingest(sqlite3 *db, const char *path, enum date_order order, const char *tz, const char *format)
{
    char full[1024];
    if (path[0] == '/' || path[0] == '.')
        snprintf(full, sizeof full, "%s", path);
    else
        snprintf(full, sizeof full, "%s/tests/fixtures/exchange/%s", test_srcdir, path);
    char *paths[] = {full};
    struct ingest_options opt = {.year = 0, .tz = tz, .date_order = order, .format = format, .quiet = 1};
    struct ingest_report rep;
    memset(&rep, 0, sizeof rep);
    return ingest_run(db, paths, 1, &opt, &rep);
}

static void test_msgtrk(void)
{
    sqlite3 *db = db_new();
    ingest(db, "MSGTRK2026112710-1.LOG", DATE_ORDER_AUTO, "UTC", NULL);
    CHECK_STR(test_sql_text(db, "SELECT format || ' ' || status FROM source"), "msgtrk ok");
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM ex_event"), 8);
    /* its times are UTC ('Z'): no zone was involved */
    CHECK_STR(test_sql_text(db, "SELECT coalesce(time_zone, 'none') FROM source"), "none");
    CHECK_STR(test_sql_text(db, "SELECT group_concat(DISTINCT system) FROM ex_event"), "exchange");
    /* proxied RECEIVE: original-client-ip wins over the front end's client-ip */
    CHECK_STR(test_sql_text(db, "SELECT client_ip || ' ' || client_ip_logged FROM ex_event WHERE line = 6"),
              "203.0.113.25 10.0.1.5");
    CHECK_STR(test_sql_text(db, "SELECT ts FROM ex_event WHERE line = 6"), "2026-11-27 10:04:05.123");
    CHECK_STR(test_sql_text(db, "SELECT message_id FROM ex_event WHERE line = 6"), "CAF1x2y3z4@mail.example.org");
    CHECK_STR(test_sql_text(db, "SELECT message_id_raw FROM ex_event WHERE line = 6"), "<CAF1x2y3z4@mail.example.org>");
    /* single-quoted multi-value members holding ' and ; */
    CHECK_STR(test_sql_text(db, "SELECT group_concat(address || '=' || status, ' ') FROM ex_recipient WHERE line = 6"),
              "alice@corp.example.com=To o'brien@corp.example.com=Cc team;ops@corp.example.com=Cc");
    CHECK_INT(test_sql_int(db, "SELECT recipient_count FROM ex_event WHERE line = 6"), 3);
    /* S:ProxiedClientIPAddress when original-client-ip is empty; null sender */
    CHECK_STR(test_sql_text(db, "SELECT client_ip FROM ex_event WHERE line = 7"), "198.51.100.7");
    CHECK_STR(test_sql_text(db, "SELECT typeof(sender) || ':' || sender FROM ex_event WHERE line = 7"), "text:");
    CHECK_STR(test_sql_text(db, "SELECT subject FROM ex_event WHERE line = 7"), "Invoice 42, overdue");
    /* IPv6 zone id removed from the chosen IP, kept in the logged one */
    CHECK_STR(test_sql_text(db, "SELECT client_ip || ' ' || client_ip_logged FROM ex_event WHERE line = 8"),
              "fe80::5 fe80::5%12");
    /* a DSN links to its original through reference */
    CHECK_STR(test_sql_text(db, "SELECT reference FROM ex_event WHERE event = 'DSN'"), "<CAF1x2y3z4@mail.example.org>");
    CHECK_STR(test_sql_text(db, "SELECT status FROM ex_recipient WHERE line = 10"),
              "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found");
    CHECK_STR(test_sql_text(db, "SELECT connector FROM ex_event WHERE event = 'SENDEXTERNAL'"),
              "Outbound to Office 365 - 3f2e1d0c-aaaa-4bbb-8ccc-0123456789ab");
    CHECK_STR(test_sql_text(db, "SELECT event FROM ex_event WHERE line = 12"), "AGENTINFO");
    /* the broken rows are rejected with reasons, and the file goes on */
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM reject"), 3);
    CHECK_STR(test_sql_text(db, "SELECT reason FROM reject WHERE line = 13"),
              "expected 30 fields (as the header says), found 29");
    CHECK_STR(test_sql_text(db, "SELECT reason FROM reject WHERE line = 14"), "unterminated quoted field");
    CHECK(strstr(test_sql_text(db, "SELECT reason FROM reject WHERE line = 15"), "unparseable time") != NULL);
    /* a second #Fields line (Exchange 2010 layout, 26 fields) remaps the columns */
    CHECK_STR(test_sql_text(db, "SELECT subject || '|' || client_ip || '|' || sender FROM ex_event WHERE line = 21"),
              "Hello from the 2010 layout|192.0.2.44|pat@partner.example");
    store_close(db);
}

/* The header of an Exchange 2013-2019 tracking log (30 fields). */
#define MSGTRK_HEADER                                                                                                  \
    "#Software: Microsoft Exchange Server\n"                                                                           \
    "#Version: 15.02.1544.004\n"                                                                                       \
    "#Log-type: Message Tracking Log\n"                                                                                \
    "#Date: 2026-11-27T10:00:00.000Z\n"                                                                                \
    "#Fields: date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,source,"       \
    "event-id,internal-message-id,message-id,network-message-id,recipient-address,recipient-status,total-bytes,"       \
    "recipient-count,related-recipient-address,reference,message-subject,sender-address,return-path,"                  \
    "message-info,directionality,tenant-id,original-client-ip,original-server-ip,custom-data,"                         \
    "transport-traffic-type,log-id,schema-version\n"

/* Hybrid mail that Exchange Online hands on to on-prem: client-ip is
 * Exchange Online, original-client-ip the internet sender that reached
 * Exchange Online first (the field is carried from hop to hop, see
 * https://www.msxfaq.de/exchange/admin/tracking/originalclientip.htm). The
 * hop that counts is Exchange Online's, or the audit takes hybrid mail for
 * an on-prem back door. */
static void test_msgtrk_hybrid_hop(void)
{
    static const char log[] = MSGTRK_HEADER
        "2026-11-27T11:00:00.000Z,40.107.22.14,mail-db5eur03on2014.outbound.protection.outlook.com,10.0.1.10,EX01,"
        ",EX01\\Inbound from Office 365,SMTP,RECEIVE,1,<h1@partner.example>,,alice@corp.example.com,,100,1,,,"
        "Hello,bob@partner.example,bob@partner.example,,Incoming,,198.18.7.9,,,Email,,15.02.1544.004\n"
        "2026-11-27T11:01:00.000Z,10.0.1.5,EX01.corp.example.com,10.0.1.10,EX01,,EX01\\Default Frontend EX01,"
        "SMTP,RECEIVE,2,<h2@partner.example>,,alice@corp.example.com,,100,1,,,Hello,bob@partner.example,"
        "bob@partner.example,,Incoming,,198.18.7.9,,,Email,,15.02.1544.004\n";
    test_write_file("MSGTRK2026112711-1.LOG", log, sizeof log - 1);
    sqlite3 *db = db_new();
    CHECK_INT(ingest(db, "./MSGTRK2026112711-1.LOG", DATE_ORDER_AUTO, "UTC", NULL), 0);
    CHECK_STR(test_sql_text(db, "SELECT client_ip || ' ' || client_ip_logged FROM ex_event WHERE line = 6"),
              "40.107.22.14 40.107.22.14");
    /* a front end's proxy hop still gives way to the sender */
    CHECK_STR(test_sql_text(db, "SELECT client_ip || ' ' || client_ip_logged FROM ex_event WHERE line = 7"),
              "198.18.7.9 10.0.1.5");
    store_close(db);
}

/* A recipient status may hold ';', the separator of the list it is in:
 * Exchange's "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found" (a ROUTING
 * FAIL row) and a DEFER's bracketed "[{LRT=};{LED=...};{FQDN=};{IP=}]". Each
 * recipient keeps its whole status; a single status still covers them all. */
static void test_msgtrk_status_semicolons(void)
{
    static const char head[] = MSGTRK_HEADER;
    static const char rows[] =
        /* line 6: two recipients, each with its own status holding ';' */
        "2026-11-27T11:00:00.000Z,,,,EX01,,,ROUTING,FAIL,1,<s1@corp.example.com>,,a@corp.example.com;b@corp.example."
        "com,"
        "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found;550 5.1.2 RESOLVER.ADR.BadDomain; bad domain,100,2,,,Hi,"
        "x@corp.example.com,x@corp.example.com,,Originating,,,,,Email,,15.02.1544.004\n"
        /* line 7: one status for both recipients */
        "2026-11-27T11:01:00.000Z,,,,EX01,,,ROUTING,FAIL,2,<s2@corp.example.com>,,c@corp.example.com;d@corp.example."
        "com,"
        "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found,100,2,,,Hi,x@corp.example.com,x@corp.example.com,,"
        "Originating,,,,,Email,,15.02.1544.004\n"
        /* line 8: a DEFER's bracketed status */
        "2026-11-27T11:02:00.000Z,,,,EX01,,,SMTP,DEFER,3,<s3@corp.example.com>,,e@partner.example,"
        "[{LRT=};{LED=451 4.4.0 DNS query failed};{FQDN=};{IP=}],100,1,,,Hi,x@corp.example.com,x@corp.example.com,,"
        "Originating,,,,,Email,,15.02.1544.004\n"
        /* line 9: plain statuses, split as before */
        "2026-11-27T11:03:00.000Z,,,,EX01,,,SMTP,RECEIVE,4,<s4@corp.example.com>,,f@corp.example.com;g@corp.example."
        "com,"
        "250 2.1.5 Recipient OK;550 5.1.1 Unknown,100,2,,,Hi,x@corp.example.com,x@corp.example.com,,"
        "Originating,,,,,Email,,15.02.1544.004\n"
        /* line 10: an empty member between two (the positions shift, as before) */
        "2026-11-27T11:04:00.000Z,,,,EX01,,,SMTP,RECEIVE,5,<s5@corp.example.com>,,h@corp.example.com;i@corp.example."
        "com,"
        "250 2.1.5 Recipient OK;;250 2.1.5 Recipient OK,100,2,,,Hi,x@corp.example.com,x@corp.example.com,,"
        "Originating,,,,,Email,,15.02.1544.004\n"
        /* line 11: an unclosed bracket inside a coded status */
        "2026-11-27T11:05:00.000Z,,,,EX01,,,SMTP,RECEIVE,6,<s6@corp.example.com>,,j@corp.example.com;k@corp.example."
        "com,"
        "550 5.7.1 Rejected [cut;250 2.1.5 OK,100,2,,,Hi,x@corp.example.com,x@corp.example.com,,"
        "Originating,,,,,Email,,15.02.1544.004\n"
        /* line 12: a coded status with a bracketed block; line 13: a multi-line reply's code */
        "2026-11-27T11:06:00.000Z,,,,EX01,,,SMTP,FAIL,7,<s7@corp.example.com>,,l@corp.example.com;m@corp.example.com,"
        "550 4.4.7 QUEUE.Expired; message expired [{LRT=};{LED=451 4.4.0 DNS query failed};{FQDN=};{IP=}];"
        "550 5.1.1 Unknown,100,2,,,Hi,x@corp.example.com,x@corp.example.com,,Originating,,,,,Email,,15.02.1544.004\n"
        "2026-11-27T11:07:00.000Z,,,,EX01,,,SMTP,FAIL,8,<s8@corp.example.com>,,n@corp.example.com;o@corp.example.com,"
        "550-5.7.1 blocked; see policy;250 2.1.5 OK,100,2,,,Hi,x@corp.example.com,x@corp.example.com,,"
        "Originating,,,,,Email,,15.02.1544.004\n";
    char log[sizeof head + sizeof rows];
    snprintf(log, sizeof log, "%s%s", head, rows);
    test_write_file("MSGTRK2026112713-1.LOG", log, strlen(log));
    sqlite3 *db = db_new();
    CHECK_INT(ingest(db, "./MSGTRK2026112713-1.LOG", DATE_ORDER_AUTO, "UTC", NULL), 0);
#define STATUS_OF(line, addr)                                                                                          \
    test_sql_text(db, "SELECT group_concat(status, ' | ') FROM ex_recipient WHERE line = " #line                       \
                      " AND address = '" addr "'")
    CHECK_STR(STATUS_OF(6, "a@corp.example.com"), "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found");
    CHECK_STR(STATUS_OF(6, "b@corp.example.com"), "550 5.1.2 RESOLVER.ADR.BadDomain; bad domain");
    CHECK_STR(STATUS_OF(7, "c@corp.example.com"), "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found");
    CHECK_STR(STATUS_OF(7, "d@corp.example.com"), "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found");
    CHECK_STR(STATUS_OF(8, "e@partner.example"), "[{LRT=};{LED=451 4.4.0 DNS query failed};{FQDN=};{IP=}]");
    CHECK_STR(STATUS_OF(9, "f@corp.example.com"), "250 2.1.5 Recipient OK");
    CHECK_STR(STATUS_OF(9, "g@corp.example.com"), "550 5.1.1 Unknown");
    /* an empty member still separates; a stray '[' in a coded status nests nothing */
    CHECK_STR(STATUS_OF(10, "h@corp.example.com"), "250 2.1.5 Recipient OK");
    CHECK_STR(STATUS_OF(10, "i@corp.example.com"), "250 2.1.5 Recipient OK");
    CHECK_STR(STATUS_OF(11, "j@corp.example.com"), "550 5.7.1 Rejected [cut");
    CHECK_STR(STATUS_OF(11, "k@corp.example.com"), "250 2.1.5 OK");
    CHECK_STR(STATUS_OF(12, "l@corp.example.com"),
              "550 4.4.7 QUEUE.Expired; message expired [{LRT=};{LED=451 4.4.0 DNS query failed};{FQDN=};{IP=}]");
    CHECK_STR(STATUS_OF(12, "m@corp.example.com"), "550 5.1.1 Unknown");
    CHECK_STR(STATUS_OF(13, "n@corp.example.com"), "550-5.7.1 blocked; see policy");
    CHECK_STR(STATUS_OF(13, "o@corp.example.com"), "250 2.1.5 OK");
#undef STATUS_OF
    store_close(db);
}

/* Rows are stored in batches (parsers/exchange_common.c): whatever the
 * batch size, every row is stored once, in file order, and each recipient
 * belongs to its own row, also when the file does not fill its last batch,
 * a row between two is rejected, and the table held rows before. */
static void test_msgtrk_batches(void)
{
    sqlite3 *db = db_new();
    CHECK_INT(ingest(db, "MSGTRK2026112710-1.LOG", DATE_ORDER_AUTO, "UTC", NULL), 0);
    /* a gap below the highest id, as `forget` or a file parsed again leaves */
    CHECK_INT(sqlite3_exec(db, "DELETE FROM ex_event WHERE id = (SELECT min(id) FROM ex_event)", NULL, NULL, NULL),
              SQLITE_OK);
    long long before = test_sql_int(db, "SELECT max(id) FROM ex_event");
    CHECK(before > test_sql_int(db, "SELECT count(*) FROM ex_event"));
    long long rcpts = test_write_msgtrk("MSGTRK2026112712-1.LOG", 1000, 500);
    CHECK_INT(ingest(db, "./MSGTRK2026112712-1.LOG", DATE_ORDER_AUTO, "UTC", NULL), 0);
    const char *mine = "(SELECT id FROM source WHERE path LIKE '%MSGTRK2026112712-1.LOG')";
    char q[512];
    snprintf(q, sizeof q, "SELECT count(*) FROM ex_event WHERE source_id = %s", mine);
    CHECK_INT(test_sql_int(db, q), 999);
    snprintf(q, sizeof q, "SELECT count(*) FROM ex_recipient WHERE source_id = %s", mine);
    CHECK_INT(test_sql_int(db, q), rcpts);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM reject WHERE line = 505"), 1);
    /* each recipient on its own row, with its own status */
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM ex_recipient r JOIN ex_event e ON e.id = r.event_id"
                               " WHERE r.line = e.line AND r.address LIKE 'r' || substr(e.subject, 2) || '-%'"
                               " AND r.status = '250 2.1.5 ' || substr(r.address, 1, instr(r.address, '@') - 1)"),
              rcpts);
    snprintf(q, sizeof q,
             "SELECT count(*) FROM ex_event e WHERE source_id = %s AND (recipient_count <>"
             " (SELECT count(*) FROM ex_recipient r WHERE r.event_id = e.id) OR subject <> 'S' || (line - 5))",
             mine);
    CHECK_INT(test_sql_int(db, q), 0);
    /* long values that outgrow a batch's first buffer come whole, and so do
     * the values stored after them */
    snprintf(q, sizeof q,
             "SELECT count(*) FROM ex_event WHERE source_id = %s AND custom_data = 'S:pad=' || "
             "replace(hex(zeroblob(20000)), '00', 'x')",
             mine);
    CHECK_INT(test_sql_int(db, q), 20);
    /* ids follow the file's order, after the rows that were there */
    snprintf(q, sizeof q,
             "SELECT count(*) FROM ex_event a JOIN ex_event b ON b.id > a.id WHERE a.source_id = %s"
             " AND b.source_id = a.source_id AND b.line < a.line",
             mine);
    CHECK_INT(test_sql_int(db, q), 0);
    snprintf(q, sizeof q, "SELECT min(id) FROM ex_event WHERE source_id = %s", mine);
    CHECK_INT(test_sql_int(db, q), before + 1);
    store_close(db);
}

static void test_msgtrk_refuses_other_logs(void)
{
    sqlite3 *db = db_new();
    CHECK(ingest(db, "RECV2026112710-1.LOG", DATE_ORDER_AUTO, "UTC", NULL) != 0);
    CHECK_STR(test_sql_text(db, "SELECT status FROM source"), "failed");
    CHECK(strstr(test_sql_text(db, "SELECT error FROM source"), "'SMTP Receive Protocol Log'") != NULL);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM ex_event"), 0);
    store_close(db);
}

static void test_msgtrk_csv_en_us(void)
{
    sqlite3 *db = db_new();
    ingest(db, "msgtrk-export-en-US.csv", DATE_ORDER_AUTO, "Europe/Berlin", NULL);
    CHECK_STR(test_sql_text(db, "SELECT format || ' ' || status FROM source"), "msgtrk-csv ok");
    /* its times are the exporting machine's: the source says in which zone they were read */
    CHECK_STR(test_sql_text(db, "SELECT time_zone FROM source"), "Europe/Berlin");
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM ex_event"), 4);
    /* "11/3/2026 9:00:00 AM" waited until "11/27/2026" showed m/d/y; Berlin is UTC+1 in November */
    CHECK_STR(test_sql_text(db, "SELECT ts FROM ex_event WHERE line = 3"), "2026-11-03 08:00:00");
    CHECK_STR(test_sql_text(db, "SELECT ts FROM ex_event WHERE line = 4"), "2026-11-27 10:04:05");
    CHECK_STR(test_sql_text(db, "SELECT ts FROM ex_event WHERE line = 8"), "2026-11-27 12:15:00");
    CHECK_STR(test_sql_text(db, "SELECT subject FROM ex_event WHERE line = 4"), "Quarterly \"numbers\", final");
    CHECK_STR(test_sql_text(db, "SELECT client_ip FROM ex_event WHERE line = 4"), "203.0.113.25");
    CHECK_STR(test_sql_text(db, "SELECT group_concat(address || '=' || status, ' ') FROM ex_recipient WHERE line = 4"),
              "alice@corp.example.com=To carol@corp.example.com=Cc");
    /* a record spanning three lines is stored with its first line */
    CHECK_STR(test_sql_text(db, "SELECT subject FROM ex_event WHERE line = 5"), "Agenda:\nitem one\nitem two");
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM reject"), 0);
    store_close(db);
}

static void test_msgtrk_csv_de_de(void)
{
    sqlite3 *db = db_new();
    ingest(db, "msgtrk-export-de-DE.csv", DATE_ORDER_AUTO, "UTC", NULL);
    CHECK_STR(test_sql_text(db, "SELECT format || ' ' || status FROM source"), "msgtrk-csv ok");
    /* ';' delimiter; "03.11.2026" resolved as d.m.y by the later "27.11.2026" */
    CHECK_STR(test_sql_text(db, "SELECT ts FROM ex_event WHERE line = 2"), "2026-11-03 09:00:05");
    CHECK_STR(test_sql_text(db, "SELECT subject FROM ex_event WHERE line = 2"), "Rechnung; November");
    CHECK_STR(test_sql_text(db, "SELECT subject FROM ex_event WHERE line = 3"), "Grüße aus München");
    CHECK_STR(test_sql_text(db, "SELECT directionality FROM ex_event WHERE line = 3"), "Incoming");
    store_close(db);

    /* --date-order mdy overrides detection: 27.11.2026 is then no date */
    db = db_new();
    ingest(db, "msgtrk-export-de-DE.csv", DATE_ORDER_MDY, "UTC", NULL);
    CHECK_STR(test_sql_text(db, "SELECT ts FROM ex_event WHERE line = 2"), "2026-03-11 09:00:05");
    CHECK_STR(test_sql_text(db, "SELECT reason FROM reject WHERE line = 3"),
              "'27.11.2026 10:04:05' is not a valid m/d/y date");
    store_close(db);
}

static void test_msgtrk_csv_quirks(void)
{
    sqlite3 *db = db_new();
    /* System.String[]: rows kept, no recipients invented */
    ingest(db, "msgtrk-export-string-array.csv", DATE_ORDER_AUTO, "UTC", NULL);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM ex_event"), 3);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM ex_recipient"), 0);
    CHECK_INT(test_sql_int(db, "SELECT recipient_count FROM ex_event WHERE line = 2"), 2);
    store_close(db);

    /* every date ambiguous: refused, naming the value and its line (not the file's end, where it was decided) */
    db = db_new();
    CHECK(ingest(db, "msgtrk-export-ambiguous.csv", DATE_ORDER_AUTO, "UTC", NULL) != 0);
    const char *e = test_sql_text(db, "SELECT error FROM source");
    CHECK(strstr(e, "msgtrk-export-ambiguous.csv:2: day/month order is ambiguous: '11/03/2026 09:00:00'") != NULL);
    CHECK(strstr(e, "--date-order") != NULL);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM ex_event"), 0);
    store_close(db);

    db = db_new();
    CHECK_INT(ingest(db, "msgtrk-export-ambiguous.csv", DATE_ORDER_DMY, "UTC", NULL), 0);
    CHECK_STR(test_sql_text(db, "SELECT group_concat(ts, ' ') FROM (SELECT ts FROM ex_event ORDER BY line)"),
              "2026-03-11 09:00:00 2026-04-11 09:00:00");
    store_close(db);
}

static void test_exo_trace(void)
{
    sqlite3 *db = db_new();
    /* --tz must not move Exchange Online times: they are UTC already */
    ingest(db, "exo-trace-v2-en-US.csv", DATE_ORDER_AUTO, "Europe/Berlin", NULL);
    CHECK_STR(test_sql_text(db, "SELECT format || ' ' || status FROM source"), "exo-trace ok");
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM ex_event WHERE system = 'exo'"), 4);
    CHECK_STR(test_sql_text(db, "SELECT ts FROM ex_event WHERE line = 4"), "2026-11-27 14:30:00");
    CHECK_STR(test_sql_text(db, "SELECT event || ' ' || network_message_id FROM ex_event WHERE line = 3"),
              "FilteredAsSpam 7c0e5a3e-1d2b-4c8e-9f10-08de0a1b2c3d");
    CHECK_STR(test_sql_text(db, "SELECT status FROM ex_recipient WHERE line = 3"), "FilteredAsSpam");
    /* null sender: empty SenderAddress and <> both store '' */
    CHECK_STR(test_sql_text(db, "SELECT typeof(sender) || ':' || sender FROM ex_event WHERE line = 4"), "text:");
    CHECK_STR(test_sql_text(db, "SELECT typeof(sender) || ':' || sender FROM ex_event WHERE line = 5"), "text:");
    /* empty FromIP: submitted inside Exchange Online */
    CHECK_STR(test_sql_text(db, "SELECT typeof(client_ip) FROM ex_event WHERE line = 4"), "null");
    CHECK_STR(test_sql_text(db, "SELECT client_ip || ' ' || tenant FROM ex_event WHERE line = 5"),
              "198.51.100.66 corp.onmicrosoft.com");
    store_close(db);

    db = db_new();
    CHECK(ingest(db, "exo-trace-missing-column.csv", DATE_ORDER_AUTO, "UTC", NULL) != 0);
    CHECK(strstr(test_sql_text(db, "SELECT error FROM source"), "required column(s) RecipientAddress, Status") != NULL);
    store_close(db);
}

static void test_exo_trace_detail(void)
{
    sqlite3 *db = db_new();
    ingest(db, "exo-trace-detail-en-US.csv", DATE_ORDER_AUTO, "UTC", NULL);
    CHECK_STR(test_sql_text(db, "SELECT format || ' ' || status FROM source"), "exo-trace-detail ok");
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM ex_event"), 3);
    CHECK_STR(test_sql_text(db, "SELECT event || '|' || connector || '|' || ts FROM ex_event WHERE line = 2"),
              "Receive|Inbound from Gateway|2026-11-27 15:00:00");
    CHECK_STR(test_sql_text(db, "SELECT detail FROM ex_event WHERE line = 4"),
              "The message was successfully delivered.");
    store_close(db);
}

static void test_exo_trace_json(void)
{
    sqlite3 *db = db_new();
    ingest(db, "exo-trace-odata.json", DATE_ORDER_AUTO, "UTC", NULL);
    CHECK_STR(test_sql_text(db, "SELECT format || ' ' || status FROM source"), "exo-trace-json ok");
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM ex_event"), 2);
    /* "\/Date(ms)\/" and a zone-less ISO time, both UTC */
    CHECK_STR(test_sql_text(db, "SELECT ts FROM ex_event WHERE line = 4"), "2026-11-27 10:04:03.000");
    CHECK_STR(test_sql_text(db, "SELECT ts FROM ex_event WHERE line = 21"), "2026-11-27 15:00:00.123");
    CHECK_STR(test_sql_text(db, "SELECT subject FROM ex_event WHERE line = 4"), "Quarterly numbers \xE2\x80\x93 final");
    CHECK_STR(test_sql_text(db, "SELECT address FROM ex_recipient WHERE line = 4"), "alice@corp.example.com");
    CHECK_STR(test_sql_text(db, "SELECT typeof(server_ip) || ' ' || size FROM ex_event WHERE line = 4"), "null 48213");
    CHECK_STR(test_sql_text(db, "SELECT typeof(sender) || ':' || sender FROM ex_event WHERE line = 21"), "text:");
    store_close(db);

    /* NDJSON with a truncated record in the middle: rejected, the rest lands */
    static const char nd[] = "{\"Received\":\"2026-11-27T10:00:00Z\",\"SenderAddress\":\"a@example.org\","
                             "\"RecipientAddress\":\"b@corp.example.com\","
                             "\"Status\":\"Delivered\",\"MessageTraceId\":\"11111111-1111-4111-8111-111111111111\","
                             "\"MessageId\":\"<1@example.org>\"}\n"
                             "{\"Received\":\"2026-11-27T10:00:01Z\",\"SenderAddress\":\"a@exa\n"
                             "{\"Received\":\"2026-11-27T10:00:02\",\"SenderAddress\":\"a@example.org\","
                             "\"RecipientAddress\":\"c@corp.example.com\","
                             "\"Status\":\"Failed\",\"MessageTraceId\":\"22222222-2222-4222-8222-222222222222\","
                             "\"MessageId\":\"<2@example.org>\"}\n";
    test_write_file("trace.ndjson", nd, sizeof nd - 1);
    db = db_new();
    ingest(db, "./trace.ndjson", DATE_ORDER_AUTO, "UTC", NULL);
    CHECK_STR(test_sql_text(db, "SELECT format FROM source"), "exo-trace-json");
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM ex_event"), 2);
    CHECK_INT(test_sql_int(db, "SELECT line FROM reject"), 2);
    CHECK_STR(test_sql_text(db, "SELECT ts FROM ex_event WHERE line = 3"), "2026-11-27 10:00:02");
    store_close(db);

    /* A record that lost its Received (and MessageTraceId) is rejected with
     * the reason, not skipped as if it were an envelope; an object with no
     * address, Message-ID or time is skipped. */
    static const char lost[] = "{\"Received\":\"2026-11-27T10:00:00Z\",\"SenderAddress\":\"a@example.org\","
                               "\"RecipientAddress\":\"b@corp.example.com\",\"MessageTraceId\":\"x\"}\n"
                               "{\"SenderAddress\":\"spam@example.net\",\"RecipientAddress\":\"anna@corp.example.com\","
                               "\"FromIP\":\"198.51.100.9\",\"Status\":\"Delivered\"}\n"
                               "{\"Index\":2}\n";
    test_write_file("lost.ndjson", lost, sizeof lost - 1);
    db = db_new();
    ingest(db, "./lost.ndjson", DATE_ORDER_AUTO, "UTC", NULL);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM ex_event"), 1);
    CHECK_STR(test_sql_text(db, "SELECT line || ' ' || reason FROM reject"), "2 trace record without Received");
    CHECK_STR(test_sql_text(db, "SELECT lines_rejected || ' ' || lines_skipped FROM source"), "1 1");
    store_close(db);
}

static void test_exo_report(void)
{
    sqlite3 *db = db_new();
    /* UTF-16LE with BOM */
    ingest(db, "exo-report-extended.csv", DATE_ORDER_AUTO, "UTC", NULL);
    CHECK_STR(test_sql_text(db, "SELECT format || ' ' || status FROM source"), "exo-report ok");
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM ex_event"), 2);
    CHECK_STR(
        test_sql_text(db, "SELECT client_ip || '|' || directionality || '|' || tenant FROM ex_event WHERE line = 2"),
        "198.51.100.66|Incoming|3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f");
    /* original_client_ip wins over client_ip */
    CHECK_STR(test_sql_text(
                  db, "SELECT client_ip || '|' || client_ip_logged || '|' || connector FROM ex_event WHERE line = 3"),
              "203.0.113.25|40.92.1.1|Inbound from Gateway");
    store_close(db);

    /* enhanced summary, UTF-16LE without BOM */
    db = db_new();
    ingest(db, "exo-report-enhanced.csv", DATE_ORDER_AUTO, "UTC", NULL);
    CHECK_STR(test_sql_text(db, "SELECT format || ' ' || status FROM source"), "exo-report ok");
    CHECK_STR(test_sql_text(db, "SELECT group_concat(address || '=' || status, ' ') FROM ex_recipient"),
              "alice@corp.example.com=Receive, Deliver carol@corp.example.com=Receive, Fail");
    CHECK_STR(test_sql_text(db, "SELECT ts || '|' || recipient_count FROM ex_event"), "2026-11-27 10:04:03.500|2");
    store_close(db);

    /* its members are addresses, never SMTP statuses, even one that starts
     * like a reply code */
    static const char enh[] =
        "\"origin_timestamp_utc\",\"sender_address\",\"recipient_status\",\"message_subject\",\"total_bytes\","
        "\"message_id\",\"network_message_id\",\"original_client_ip\",\"directionality\",\"connector_id\","
        "\"delivery_priority\"\n"
        "\"2026-11-25T10:30:26.1130000Z\",\"a@partner.example\",\"411-info@corp.example.com##Receive, "
        "Deliver;claudia@corp.example.com##Receive, Fail\",\"S\",\"100\",\"<m1@x>\","
        "\"7c0e5a3e-1d2b-4c8e-9f10-08de0a1b2c3d\",\"52.101.87.33\",\"Incoming\",\"\",\"Normal\"\n";
    test_write_file("enhanced-code.csv", enh, sizeof enh - 1);
    db = db_new();
    ingest(db, "./enhanced-code.csv", DATE_ORDER_AUTO, "UTC", NULL);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM ex_recipient"), 2);
    CHECK_STR(test_sql_text(db, "SELECT status FROM ex_recipient WHERE address = 'claudia@corp.example.com'"),
              "Receive, Fail");
    store_close(db);
}

static void test_detection_is_unique(void)
{
    /* every fixture is claimed by exactly the parser named for it */
    static const struct {
        const char *file, *format;
    } cases[] = {
        {"MSGTRK2026112710-1.LOG", "msgtrk"},
        {"msgtrk-export-en-US.csv", "msgtrk-csv"},
        {"msgtrk-export-de-DE.csv", "msgtrk-csv"},
        {"exo-trace-v2-en-US.csv", "exo-trace"},
        {"exo-trace-detail-en-US.csv", "exo-trace-detail"},
        {"exo-trace-odata.json", "exo-trace-json"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[1024], *lines[40];
        size_t lens[40], n = 0;
        snprintf(path, sizeof path, "%s/tests/fixtures/exchange/%s", test_srcdir, cases[i].file);
        FILE *f = fopen(path, "rb");
        CHECK(f != NULL);
        if (!f)
            continue;
        char buf[8192];
        while (n < 40 && fgets(buf, sizeof buf, f)) {
            size_t l = strlen(buf);
            while (l && (buf[l - 1] == '\n' || buf[l - 1] == '\r'))
                l--;
            char *p = buf;
            if (n == 0 && l >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
                p += 3;
                l -= 3;
            }
            lines[n] = strndup(p, l);
            lens[n++] = l;
        }
        fclose(f);
        int claimed = 0;
        for (size_t k = 0; parser_registry[k]; k++) {
            int s = parser_registry[k]->detect((const char *const *)lines, lens, n);
            if (s > 0) {
                claimed++;
                if (strcmp(parser_registry[k]->name, cases[i].format) != 0)
                    fprintf(stderr, "%s also claimed by %s (%d)\n", cases[i].file, parser_registry[k]->name, s);
                CHECK_STR(parser_registry[k]->name, cases[i].format);
            }
        }
        CHECK_INT(claimed, 1);
        for (size_t k = 0; k < n; k++)
            free(lines[k]);
    }
}

int main(int argc, char **argv)
{
    TEST_INIT(argc, argv);
    test_msgtrk();
    test_msgtrk_hybrid_hop();
    test_msgtrk_batches();
    test_msgtrk_refuses_other_logs();
    test_msgtrk_csv_en_us();
    test_msgtrk_csv_de_de();
    test_msgtrk_csv_quirks();
    test_exo_trace();
    test_exo_trace_detail();
    test_exo_trace_json();
    test_msgtrk_status_semicolons();
    test_exo_report();
    test_detection_is_unique();
    return test_done("test_exchange");
}
