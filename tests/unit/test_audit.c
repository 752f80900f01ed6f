/* test_audit.c - the audit's rules, one edge each, on rows inserted directly
 * into the normalised tables (ex_event/ex_recipient, pf_message/pf_delivery)
 * of a fresh database, as the parsers would store them. */
#include "audit.h"
#include "audit_render.h"
#include "builtin_data.h"
#include "config.h"
#include "embedded.h"
#include "store.h"
#include "testutil.h"

#include <ctype.h>
#include <unistd.h>

static const char conf_a[] =
    "[organization]\n"
    "domains = fabrikam.example, fabrikam.onmicrosoft.com\n"
    "[gateway]\n"
    "ips = 198.51.100.25, 198.51.100.26, 2001:db8:25::/64\n"
    "hosts = mx1.fabrikam.example\n"
    "connectors = From Gateway\n"
    "[onprem]\n"
    "ips = 10.1.0.0/16, 198.51.100.30\n"
    "[notifications]\n"
    "known = alerts@crm.partner.example = Partner CRM\n"
    "[exceptions]\n"
    "accept = noreply@planner.office365.com = routed via the gateway from 2026-12 = 2027-03-31\n"
    "accept = /^digest@news\\.example$/ = newsletter = 2026-01-31\n";

static const char conf_b[] = /* MX points at Exchange Online: no [gateway] */
    "[organization]\n"
    "domains = northwind.example\n"
    "[onprem]\n"
    "ips = 10.2.0.0/16\n";

static sqlite3 *db;
static long long src_id;
static int db_no;

static void exec(const char *sql)
{
    char err[512];
    if (store_exec(db, sql, err, sizeof err) != 0) {
        fprintf(stderr, "SQL: %s\n%s\n", err, sql);
        exit(2);
    }
}

static void fresh_db(void)
{
    char path[64], err[512];
    if (db)
        store_close(db);
    snprintf(path, sizeof path, "audit%d.db", ++db_no);
    unlink(path);
    if (store_open(path, STORE_READWRITE, &db, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        exit(2);
    }
    exec("INSERT INTO source(path, format, status, ingested_at) VALUES ('logs/trace.csv', 'exo-trace', 'ok', "
         "'2026-11-28 00:00:00')");
    src_id = sqlite3_last_insert_rowid(db);
    exec("INSERT INTO source(path, format, status, ingested_at) VALUES ('logs/MSGTRK2026112710-1.LOG', 'msgtrk', 'ok', "
         "'2026-11-28 00:00:00')");
    exec("INSERT INTO source(path, format, status, ingested_at) VALUES ('logs/mail.log', 'postfix', 'ok', '2026-11-28 "
         "00:00:00')");
}

/* One Exchange row; RCPTS is a comma-separated list. SYSTEM 'exo' rows come
 * from source 1 (a message trace), 'exchange' rows from source 2. */
static void ex_row(int line, const char *system, const char *format, const char *ts, const char *event,
                   const char *source, const char *msgid, const char *sender, const char *subject,
                   const char *client_ip, const char *connector, const char *direction, const char *rcpts)
{
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db,
                       "INSERT INTO ex_event(source_id, line, system, format, ts, event, source, message_id, "
                       "sender, subject, client_ip, connector, directionality, network_message_id) "
                       "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                       -1, &st, NULL);
    sqlite3_bind_int64(st, 1, !strcmp(system, "exo") ? 1 : 2);
    sqlite3_bind_int(st, 2, line);
    const char *v[] = {system, format, ts, event, source, msgid, sender, subject, client_ip, connector, direction};
    for (int i = 0; i < 11; i++)
        sqlite3_bind_text(st, 3 + i, v[i], -1, SQLITE_STATIC);
    char nmid[32];
    snprintf(nmid, sizeof nmid, "nmid-%d", line);
    sqlite3_bind_text(st, 14, nmid, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE) {
        fprintf(stderr, "insert ex_event: %s\n", sqlite3_errmsg(db));
        exit(2);
    }
    sqlite3_finalize(st);
    long long id = sqlite3_last_insert_rowid(db);
    char *copy = strdup(rcpts), *save = NULL;
    for (char *r = strtok_r(copy, ",", &save); r; r = strtok_r(NULL, ",", &save)) {
        char *sql = sqlite3_mprintf("INSERT INTO ex_recipient(event_id, source_id, line, address, status) "
                                    "VALUES (%lld, %d, %d, %Q, 'Delivered')",
                                    id, !strcmp(system, "exo") ? 1 : 2, line, r);
        exec(sql);
        sqlite3_free(sql);
    }
    free(copy);
}

/* A message trace row (Get-MessageTrace: FromIP, Status). */
static void trace(int line, const char *ts, const char *msgid, const char *sender, const char *subject, const char *ip,
                  const char *rcpts)
{
    ex_row(line, "exo", "exo-trace", ts, "Delivered", NULL, msgid, sender, subject, ip, NULL, NULL, rcpts);
}

static long long pf_msg(const char *host, const char *qid, const char *ts, const char *sender, const char *msgid,
                        int is_ndr)
{
    char *sql = sqlite3_mprintf("INSERT INTO pf_message(host, instance, queue_id, first_ts, last_ts, sender, "
                                "message_id, is_ndr, status, source_id, line) "
                                "VALUES (%Q, 'postfix', %Q, %Q, %Q, %Q, %Q, %d, 'removed', 3, 1)",
                                host, qid, ts, ts, sender, msgid, is_ndr);
    exec(sql);
    sqlite3_free(sql);
    return sqlite3_last_insert_rowid(db);
}

static void pf_dlv(long long msg, int line, const char *ts, const char *rcpt, const char *relay, const char *status,
                   const char *dsn, const char *reply, const char *attribution, int is_final)
{
    char *sql = sqlite3_mprintf("INSERT INTO pf_delivery(pf_message_id, ts, recipient, daemon, relay_host, status, "
                                "dsn, reply, exo_attribution, is_final, source_id, line) "
                                "VALUES (%lld, %Q, %Q, 'smtp', %Q, %Q, %Q, %Q, %Q, %d, 3, %d)",
                                msg, ts, rcpt, relay, status, dsn, reply, attribution, is_final, line);
    exec(sql);
    sqlite3_free(sql);
}

static struct config *cfg;
static struct audit_result res;

static void run_with(const char *conf, const struct audit_options *opt)
{
    char err[512];
    config_free(cfg);
    cfg = NULL;
    audit_result_free(&res);
    if (config_parse(conf, "test.conf", &cfg, err, sizeof err) != 0) {
        fprintf(stderr, "config: %s\n", err);
        exit(2);
    }
    struct audit_options def = {NULL, NULL, 0, "2026-11-28"};
    if (audit_run(db, cfg, opt ? opt : &def, &res, err, sizeof err) != 0) {
        fprintf(stderr, "audit: %s\n", err);
        exit(2);
    }
}

static void run(void)
{
    run_with(conf_a, NULL);
}

static const struct finding *only(void)
{
    if (res.n != 1) {
        fprintf(stderr, "expected 1 finding, got %zu\n", res.n);
        return NULL;
    }
    return &res.findings[0];
}

#define KIND(f) ((f) ? finding_kind_name((f)->kind) : "(none)")

static void test_ndr_via_gateway(void)
{
    fresh_db();
    trace(1, "2026-11-27 10:00:00", "ndr1@contoso.example", "", "Undeliverable: Quote", "198.51.100.25",
          "alice@fabrikam.example");
    run();
    CHECK_INT(res.n, 0);
}

static void test_ndr_direct_linked(void)
{
    fresh_db();
    /* Alice's original left through the gateway's Postfix two minutes before. */
    long long m =
        pf_msg("mx1", "4Xk2Lq0Jz9z1", "2026-11-27 09:58:00", "alice@fabrikam.example", "orig-42@fabrikam.example", 0);
    pf_dlv(m, 40, "2026-11-27 09:58:01", "bob@contoso.example", "contoso-example.mail.protection.outlook.com", "sent",
           "2.6.0", "250 2.6.0 <orig-42@fabrikam.example> Queued mail for delivery", NULL, 1);
    trace(2, "2026-11-27 10:00:00", "ndr2@contoso.example", "", "Undeliverable: Quote 42", "40.107.5.6",
          "alice@fabrikam.example");
    run();
    const struct finding *f = only();
    CHECK_STR(KIND(f), "ndr_direct");
    if (!f)
        return;
    CHECK_STR(f->entry, "exo");
    CHECK_STR(f->client_ip, "40.107.5.6");
    CHECK_STR(f->source_net, "eop");
    CHECK_STR(f->sender, "");
    CHECK_STR(f->original_message_id, "orig-42@fabrikam.example");
    CHECK_STR(f->original_host, "mx1");
    CHECK_INT(f->nevidence, 2); /* the trace row and the original's delivery line */
}

/* An NDR without a reference is linked to our sender's mail with the
 * original subject, sent in the 7 days before it (Exchange rows). */
static void test_ndr_linked_by_subject(void)
{
    fresh_db();
    ex_row(1, "exchange", "msgtrk", "2026-11-19 09:00:00", "SEND", "SMTP", "old-7@fabrikam.example",
           "alice@fabrikam.example", "Quote 7", NULL, NULL, NULL, "bob@contoso.example");
    trace(2, "2026-11-27 10:00:00", "ndr7@contoso.example", "", "Undeliverable: Quote 7", "40.107.5.6",
          "alice@fabrikam.example");
    run();
    const struct finding *f = only();
    CHECK_STR(KIND(f), "ndr_direct");
    if (f)
        CHECK(f->original_message_id == NULL); /* eight days before: another message */
    ex_row(3, "exchange", "msgtrk", "2026-11-26 09:00:00", "SEND", "SMTP", "orig-7@fabrikam.example",
           "Alice@Fabrikam.example", "Quote 7", NULL, NULL, NULL, "bob@contoso.example");
    exec("UPDATE ex_event SET server = 'EX1' WHERE line = 3");
    run();
    f = only();
    CHECK_STR(KIND(f), "ndr_direct");
    if (!f)
        return;
    CHECK_STR(f->original_message_id, "orig-7@fabrikam.example");
    CHECK_STR(f->original_host, "EX1");
    /* Two equally good candidates (same kind of row, same second): the
     * smaller Message-ID wins, whichever SQLite hands over first. */
    ex_row(4, "exchange", "msgtrk", "2026-11-26 09:00:00", "SEND", "SMTP", "0rig-7@fabrikam.example",
           "alice@fabrikam.example", "Quote 7", NULL, NULL, NULL, "bob@contoso.example");
    run();
    f = only();
    if (f)
        CHECK_STR(f->original_message_id, "0rig-7@fabrikam.example");
}

/* The NDRs' subjects reach the search as a JSON array: quotes, backslashes
 * and control characters must come out of it as they went in. */
static void test_ndr_subject_escaped(void)
{
    fresh_db();
    const char *subject = "Offer \"A\\B\"\tfinal";
    ex_row(1, "exchange", "msgtrk", "2026-11-27 09:00:00", "SEND", "SMTP", "orig-q@fabrikam.example",
           "alice@fabrikam.example", subject, NULL, NULL, NULL, "bob@contoso.example");
    char ndr_subject[128];
    snprintf(ndr_subject, sizeof ndr_subject, "Undeliverable: %s", subject);
    trace(2, "2026-11-27 10:00:00", "ndrq@contoso.example", "", ndr_subject, "40.107.5.6", "alice@fabrikam.example");
    run();
    const struct finding *f = only();
    CHECK_STR(KIND(f), "ndr_direct");
    if (f)
        CHECK_STR(f->original_message_id, "orig-q@fabrikam.example");
}

/* The Exchange and the Postfix side are searched on two connections at once
 * (one pass on one connection inside the caller's transaction); the better
 * candidate of the two sides wins either way. Senders match whatever their
 * case. */
static void test_ndr_original_both_sides(void)
{
    fresh_db();
    long long m =
        pf_msg("mx1", "4Xk2Lq0Jz9z9", "2026-11-27 09:58:00", "Alice@Fabrikam.example", "orig-pf@fabrikam.example", 0);
    pf_dlv(m, 40, "2026-11-27 09:58:01", "bob@contoso.example", "contoso-example.mail.protection.outlook.com", "sent",
           "2.6.0", "250 2.6.0 Queued mail for delivery", NULL, 1);
    ex_row(3, "exchange", "msgtrk", "2026-11-27 09:59:00", "SEND", "SMTP", "orig-ex@fabrikam.example",
           "alice@fabrikam.example", "Quote 9", NULL, NULL, NULL, "bob@contoso.example");
    exec("UPDATE ex_event SET server = 'EX1' WHERE line = 3");
    trace(2, "2026-11-27 10:00:00", "ndr9@contoso.example", "", "Undeliverable: Quote 9", "40.107.5.6",
          "alice@fabrikam.example");
    const char *want[2] = {"orig-ex@fabrikam.example", "orig-pf@fabrikam.example"};
    const char *host[2] = {"EX1", "mx1"};
    for (int later_pf = 0; later_pf < 2; later_pf++) {
        if (later_pf) /* a delivery after the Exchange row: the later guess wins */
            pf_dlv(m, 41, "2026-11-27 09:59:30", "carol@contoso.example", "contoso-example.mail.protection.outlook.com",
                   "sent", "2.6.0", "250 2.6.0 Queued", NULL, 1);
        for (int in_tx = 0; in_tx < 2; in_tx++) {
            if (in_tx)
                exec("BEGIN");
            run();
            const struct finding *f = only();
            CHECK_STR(KIND(f), "ndr_direct");
            if (f) {
                CHECK_STR(f->original_message_id, want[later_pf]);
                CHECK_STR(f->original_host, host[later_pf]);
            }
            if (in_tx)
                exec("ROLLBACK");
        }
    }
}

static void test_ndr_markers(void)
{
    fresh_db();
    trace(1, "2026-11-27 10:00:00", "n1@x", "MAILER-DAEMON@mail.contoso.example", "Returned mail: see transcript",
          "203.0.113.5", "alice@fabrikam.example");
    trace(2, "2026-11-27 10:01:00", "n2@x", "MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@contoso.onmicrosoft.com",
          "Something", "40.107.5.6", "alice@fabrikam.example");
    trace(3, "2026-11-27 10:02:00", "n3@x", "helpdesk@contoso.example", "Unzustellbar: Angebot", "203.0.113.5",
          "alice@fabrikam.example");
    /* An on-prem DSN event makes the message an NDR whatever its sender says. */
    ex_row(4, "exchange", "msgtrk", "2026-11-27 10:03:00", "RECEIVE", "SMTP", "n4@x", "ops@contoso.example", "Status",
           "203.0.113.6", "EX01\\Default Frontend EX01", "Incoming", "alice@fabrikam.example");
    ex_row(5, "exchange", "msgtrk", "2026-11-27 10:03:01", "DSN", "DSN", "n4@x", "ops@contoso.example", "Status", NULL,
           NULL, NULL, "alice@fabrikam.example");
    run();
    CHECK_INT(res.n, 4);
    CHECK_INT(res.counts[FINDING_NDR_DIRECT], 4);
    CHECK(audit_is_ndr(cfg, "", NULL));
    CHECK(audit_is_ndr(cfg, "postmaster@contoso.example", "hello"));
    CHECK(audit_is_ndr(cfg, "x@contoso.example", "Undelivered Mail Returned to Sender"));
    CHECK(audit_is_ndr(cfg, "x@contoso.example", "UNDELIVERABLE: x"));
    CHECK(!audit_is_ndr(cfg, "x@contoso.example", "Automatic reply: Undeliverable: x"));
    CHECK(!audit_is_ndr(cfg, "x@contoso.example", "Re: Undeliverable: x"));
    /* [notifications] ndr_subject extends the built-in prefixes */
    CHECK(!audit_is_ndr(cfg, "x@contoso.example", "Olevererbart: Offert"));
    struct config *c2;
    char err[256];
    CHECK_INT(config_parse("[organization]\ndomains = fabrikam.example\n[notifications]\nndr_subject = Olevererbart:\n",
                           "sv.conf", &c2, err, sizeof err),
              0);
    CHECK(audit_is_ndr(c2, "x@contoso.example", "olevererbart: Offert"));
    config_free(c2);
    CHECK_STR(audit_ndr_original_subject("Undeliverable: Quote 42"), "Quote 42");
    CHECK_STR(audit_ndr_original_subject("Non remis : Devis"), "Devis");
    CHECK(audit_ndr_original_subject("Undelivered Mail Returned to Sender") == NULL);
}

static void test_autoreply_back_door(void)
{
    fresh_db();
    trace(1, "2026-11-27 11:00:00", "ar1@contoso.example", "bob@contoso.example", "Automatic reply: Quote 42",
          "203.0.113.9", "alice@fabrikam.example");
    run();
    CHECK_STR(KIND(only()), "bypassed_mx");
}

static void test_notification_via_gateway(void)
{
    fresh_db();
    trace(1, "2026-11-27 11:00:00", "sp1@sharepointonline.com", "no-reply@sharepointonline.com", "Shared with you",
          "198.51.100.26", "alice@fabrikam.example");
    /* through the gateway connector, whatever IP Exchange Online logged */
    ex_row(2, "exo", "exo-report", "2026-11-27 11:01:00", NULL, NULL, "sp2@sharepointonline.com",
           "no-reply@sharepointonline.com", "Shared with you", "52.100.3.4", "From Gateway", "Incoming",
           "alice@fabrikam.example");
    run();
    CHECK_INT(res.n, 0);
}

static void test_notifications(void)
{
    fresh_db();
    trace(1, "2026-11-27 12:00:00", "sp3@sharepointonline.com", "no-reply@sharepointonline.com", "Shared with you",
          "52.100.3.4", "alice@fabrikam.example");
    trace(2, "2026-11-27 12:01:00", "crm1@crm.partner.example", "alerts@crm.partner.example", "Lead assigned",
          "192.0.2.80", "alice@fabrikam.example");
    trace(3, "2026-11-27 12:02:00", "bill1@vendor.example", "noreply-billing@vendor.example", "Invoice", "192.0.2.81",
          "alice@fabrikam.example");
    trace(4, "2026-11-27 12:03:00", "t1@contoso.onmicrosoft.com", "scanner@contoso.onmicrosoft.com", "Scan",
          "40.107.9.1", "alice@fabrikam.example");
    trace(5, "2026-11-27 12:04:00", "t2@x", "noreplyx@vendor.example", "Not machine", "192.0.2.82",
          "alice@fabrikam.example");
    trace(6, "2026-11-27 12:05:00", "t3@vendor2.example", "noreply@vendor2.example", "Report", "40.107.9.2",
          "alice@fabrikam.example");
    /* Microsoft's services send from Exchange Online: from elsewhere this is a spoof */
    trace(7, "2026-11-27 12:06:00", "sp4@sharepointonline.com", "no-reply@sharepointonline.com", "Shared with you",
          "203.0.113.66", "alice@fabrikam.example");
    run();
    CHECK_INT(res.n, 7);
    CHECK_INT(res.counts[FINDING_NOTIFICATION_KNOWN], 2);
    CHECK_INT(res.counts[FINDING_NOTIFICATION_UNKNOWN], 2);
    CHECK_INT(res.counts[FINDING_BYPASSED_MX], 3);
    for (size_t i = 0; i < res.n; i++) {
        const struct finding *f = &res.findings[i];
        if (!strcmp(f->sender, "alerts@crm.partner.example")) {
            CHECK_STR(f->service, "Partner CRM"); /* added as known in the config */
            CHECK_STR(f->source_net, "internet");
        }
        if (!strcmp(f->sender, "no-reply@sharepointonline.com") && !strcmp(f->client_ip, "52.100.3.4"))
            CHECK(f->service && strstr(f->service, "SharePoint Online"));
        if (!strcmp(f->sender, "no-reply@sharepointonline.com") && !strcmp(f->client_ip, "203.0.113.66")) {
            CHECK_STR(KIND(f), "bypassed_mx");
            CHECK(f->service == NULL);
        }
        if (!strcmp(f->sender, "noreplyx@vendor.example"))
            CHECK_STR(KIND(f), "bypassed_mx");
        /* a machine sender counts as a service only from Exchange Online */
        if (!strcmp(f->sender, "noreply-billing@vendor.example"))
            CHECK_STR(KIND(f), "bypassed_mx");
        if (!strcmp(f->sender, "noreply@vendor2.example"))
            CHECK_STR(KIND(f), "notification_unknown");
    }
    CHECK(audit_is_machine_sender(cfg, "Do-Not-Reply.eu@shop.example"));
    CHECK(audit_is_machine_sender(cfg, "x@teams.mail.microsoft"));
    CHECK(audit_is_machine_sender(cfg, "x@eu.office365.com"));
    CHECK(!audit_is_machine_sender(cfg, "x@notmicrosoft.com"));
    CHECK(!audit_is_machine_sender(cfg, "it@fabrikam.onmicrosoft.com")); /* ours */
}

static void test_exceptions(void)
{
    fresh_db();
    trace(1, "2026-11-27 13:00:00", "pl1@planner.office365.com", "noreply@planner.office365.com", "Task assigned",
          "52.100.7.8", "alice@fabrikam.example");
    trace(2, "2026-11-27 13:01:00", "dg1@news.example", "digest@news.example", "Weekly digest", "192.0.2.90",
          "alice@fabrikam.example");
    run();
    CHECK_INT(res.n, 2);
    CHECK_INT(res.excepted, 1);
    for (size_t i = 0; i < res.n; i++) {
        const struct finding *f = &res.findings[i];
        if (!strcmp(f->sender, "noreply@planner.office365.com")) {
            CHECK_STR(KIND(f), "notification_known");
            CHECK_INT(f->excepted, 1);
            CHECK_INT(f->exception_expired, 0);
            CHECK_STR(f->exception_reason, "routed via the gateway from 2026-12");
        } else {
            CHECK_STR(KIND(f), "bypassed_mx");
            CHECK_INT(f->excepted, 0);
            CHECK_INT(f->exception_expired, 1); /* 2026-01-31 has passed on 2026-11-28 */
            CHECK_STR(f->exception_reason, "newsletter");
        }
    }
    /* The same exception judged on its last day still holds, the day after it does not. */
    struct audit_options o = {NULL, NULL, 0, "2027-03-31"};
    run_with(conf_a, &o);
    CHECK_INT(res.excepted, 1);
    o.now = "2027-04-01";
    run_with(conf_a, &o);
    CHECK_INT(res.excepted, 0);

    struct precheck_result pre;
    run();
    audit_precheck(cfg, &res, &pre);
    CHECK_INT(pre.safe, 1); /* an excepted notification and a bypassed_mx: safe */
    precheck_result_free(&pre);
}

static void test_ipv6(void)
{
    fresh_db();
    trace(1, "2026-11-27 14:00:00", "v6a@contoso.example", "bob@contoso.example", "via gateway v6", "2001:db8:25::10",
          "alice@fabrikam.example");
    trace(2, "2026-11-27 14:01:00", "v6b@contoso.example", "bob@contoso.example", "from EOP v6",
          "2a01:111:f403:c000::5", "alice@fabrikam.example");
    trace(3, "2026-11-27 14:02:00", "v6c@contoso.example", "bob@contoso.example", "from the internet v6",
          "2001:DB8:99::1", "alice@fabrikam.example");
    run();
    CHECK_INT(res.n, 2);
    if (res.n == 2) {
        CHECK_STR(res.findings[0].source_net, "eop");
        CHECK_STR(res.findings[1].source_net, "internet");
        CHECK_STR(res.findings[1].client_ip, "2001:DB8:99::1");
    }
}

static void test_own_domain_spoof(void)
{
    fresh_db();
    trace(1, "2026-11-27 15:00:00", "spoof1@fabrikam.example", "ceo@fabrikam.example", "Urgent wire transfer",
          "203.0.113.50", "alice@fabrikam.example");
    run();
    const struct finding *f = only();
    CHECK_STR(KIND(f), "bypassed_mx");
    struct precheck_result pre;
    audit_precheck(cfg, &res, &pre);
    CHECK_INT(pre.n, 1);
    if (pre.n)
        CHECK(strstr(pre.groups[0].advice, "spoofs, which closing the door stops, unless it is a device or application "
                                           "of yours using Direct Send") != NULL);
    precheck_result_free(&pre);
}

/* On-prem Exchange receiving hybrid mail from a range the configuration
 * adds to Exchange Online's: the parser kept the internet sender from
 * original-client-ip (it knows only the built-in ranges); the audit sees
 * the logged client-ip and takes it for hybrid. */
static void test_hybrid_from_configured_range(void)
{
    fresh_db();
    ex_row(1, "exchange", "msgtrk", "2026-11-27 08:00:00", "RECEIVE", "SMTP", "hy1@contoso.example",
           "bob@contoso.example", "Hello", "203.0.113.80", NULL, "Incoming", "alice@fabrikam.example");
    exec("UPDATE ex_event SET client_ip_logged = '198.18.4.4' WHERE line = 1");
    char conf[2048];
    snprintf(conf, sizeof conf, "%s[exchange_online]\nips = 198.18.0.0/15\n", conf_a);
    run_with(conf, NULL);
    CHECK_INT(res.n, 0);
    /* without that range it is an on-prem back door */
    run();
    CHECK_INT(res.n, 1);
    CHECK_STR(res.n ? res.findings[0].entry : "", "onprem");
}

static void test_both_exo_and_onprem(void)
{
    fresh_db();
    /* Entered Exchange Online from the internet, then went on to on-prem over hybrid. */
    trace(1, "2026-11-27 16:00:00", "both1@contoso.example", "bob@contoso.example", "Hello", "203.0.113.7",
          "alice@fabrikam.example");
    ex_row(7, "exchange", "msgtrk", "2026-11-27 16:00:02", "RECEIVE", "SMTP", "both1@contoso.example",
           "bob@contoso.example", "Hello", "40.107.9.9", "EX01\\Default Frontend EX01", "Incoming",
           "alice@fabrikam.example");
    ex_row(8, "exchange", "msgtrk", "2026-11-27 16:00:03", "DELIVER", "STOREDRIVER", "both1@contoso.example",
           "bob@contoso.example", "Hello", NULL, NULL, "Incoming", "alice@fabrikam.example");
    run();
    const struct finding *f = only();
    CHECK_STR(KIND(f), "bypassed_mx");
    if (!f)
        return;
    CHECK_STR(f->entry, "exo");
    CHECK_STR(f->client_ip, "203.0.113.7");
    CHECK_INT(f->nevidence, 3); /* evidence from both sources */
    CHECK_STR(f->first_seen, "2026-11-27 16:00:00");
    CHECK_STR(f->last_seen, "2026-11-27 16:00:02"); /* the hybrid RECEIVE is an entry row too; DELIVER is not */
}

static void test_without_gateway(void)
{
    fresh_db();
    trace(1, "2026-11-27 17:00:00", "b1@contoso.example", "bob@contoso.example", "Via the MX", "203.0.113.7",
          "carol@northwind.example");
    ex_row(2, "exchange", "msgtrk", "2026-11-27 17:01:00", "RECEIVE", "SMTP", "b2@contoso.example",
           "bob@contoso.example", "Straight to on-prem", "203.0.113.8", "NW01\\Default Frontend NW01", "Incoming",
           "carol@northwind.example");
    ex_row(3, "exchange", "msgtrk", "2026-11-27 17:02:00", "RECEIVE", "SMTP", "b3@contoso.example",
           "bob@contoso.example", "Hybrid", "40.107.1.2", "NW01\\Default Frontend NW01", "Incoming",
           "carol@northwind.example");
    ex_row(4, "exchange", "msgtrk", "2026-11-27 17:03:00", "RECEIVE", "SMTP", "b4@northwind.example",
           "dave@northwind.example", "Internal", "10.2.0.9", "NW01\\Default Frontend NW01", "Incoming",
           "carol@northwind.example");
    run_with(conf_b, NULL);
    const struct finding *f = only();
    CHECK_STR(KIND(f), "bypassed_mx");
    if (f) {
        CHECK_STR(f->entry, "onprem");
        CHECK_STR(f->client_ip, "203.0.113.8");
    }
    /* Without a gateway no Exchange Online entry is known to be ours without
     * a recipient look-up, and there is no back door: `mxaudit precheck`
     * refuses such a configuration, and the verdict here is not safe, with
     * nothing cut. */
    struct precheck_result pre;
    audit_precheck(cfg, &res, &pre);
    CHECK_INT(pre.safe, 0);
    CHECK_INT(pre.cut_groups, 0);
    if (pre.n)
        CHECK(strstr(pre.groups[0].advice, "does not close this one") != NULL);
    precheck_result_free(&pre);
}

static void test_not_inbound(void)
{
    fresh_db();
    /* Originating, from on-prem, to nobody of ours, submitted inside EXO (no FromIP). */
    ex_row(1, "exo", "exo-report", "2026-11-27 18:00:00", NULL, NULL, "o1@fabrikam.example", "alice@fabrikam.example",
           "Out", "203.0.113.1", NULL, "Originating", "bob@contoso.example,alice@fabrikam.example");
    trace(2, "2026-11-27 18:01:00", "o2@fabrikam.example", "alice@fabrikam.example", "Hybrid out", "10.1.4.4",
          "alice@fabrikam.example");
    trace(3, "2026-11-27 18:02:00", "o3@contoso.example", "bob@contoso.example", "Not ours", "203.0.113.2",
          "eve@contoso.example");
    trace(4, "2026-11-27 18:03:00", "o4@fabrikam.example", "alice@fabrikam.example", "Inside", "",
          "alice@fabrikam.example");
    ex_row(5, "exo", "exo-trace", "2026-11-27 18:04:00", "Delivered", NULL, "o5@contoso.example", "bob@contoso.example",
           "sub", "203.0.113.3", NULL, NULL, "alice@sub.fabrikam.example");
    run();
    CHECK_INT(res.n, 0);
}

static void test_gateway_relayed(void)
{
    fresh_db();
    /* Exchange Online logged the original client IP, but the gateway relayed it to alice. */
    trace(1, "2026-11-27 19:00:00", "gw1@contoso.example", "bob@contoso.example", "Hi both", "203.0.113.7",
          "alice@fabrikam.example,carol@fabrikam.example");
    long long m = pf_msg("mx1", "4Xk3", "2026-11-27 18:59:59", "bob@contoso.example", "gw1@contoso.example", 0);
    pf_dlv(m, 10, "2026-11-27 18:59:59", "alice@fabrikam.example", "fabrikam-example.mail.protection.outlook.com",
           "sent", "2.6.0", "250 2.6.0 ok", NULL, 1);
    /* the same Message-ID relayed by a host that is not the gateway proves nothing */
    long long m2 = pf_msg("relay9", "4Xk4", "2026-11-27 18:59:59", "bob@contoso.example", "gw1@contoso.example", 0);
    pf_dlv(m2, 11, "2026-11-27 18:59:59", "carol@fabrikam.example", "x", "sent", "2.0.0", "250 ok", NULL, 1);
    run();
    const struct finding *f = only();
    CHECK_STR(KIND(f), "bypassed_mx");
    if (f) {
        CHECK_INT(f->nrecipients, 1);
        CHECK_STR(f->recipients[0], "carol@fabrikam.example");
    }
}

static void test_sending_side(void)
{
    fresh_db();
    long long m =
        pf_msg("relay1", "ABC123", "2026-11-27 08:00:00", "sales@northwind.example", "s1@northwind.example", 0);
    pf_dlv(m, 100, "2026-11-27 08:00:01", "x@contoso.example", "northwind-example.mail.protection.outlook.com",
           "deferred", "4.4.62", "451 4.4.62 Mail sent to the wrong Office 365 region. ATTR35", "ATTR35", 0);
    pf_dlv(m, 120, "2026-11-27 08:10:01", "x@contoso.example", "northwind-example.mail.protection.outlook.com",
           "deferred", "4.4.62", "451 4.4.62 Mail sent to the wrong Office 365 region. ATTR35", "ATTR35", 0);
    pf_dlv(m, 150, "2026-11-27 08:40:01", "x@contoso.example", "northwind-example.mail.protection.outlook.com",
           "bounced", "5.7.64", "550 5.7.64 TenantAttribution; Relay Access Denied", NULL, 1);
    /* a second recipient of the same message went through: no finding for it */
    pf_dlv(m, 101, "2026-11-27 08:00:01", "y@contoso.example", "northwind-example.mail.protection.outlook.com", "sent",
           "2.6.0",
           "250 2.6.0 <s1@northwind.example> [InternalId=1, Hostname=AM0PR01MB0001.eurprd01.prod.outlook.com] Queued "
           "mail for delivery",
           NULL, 1);
    /* its NDR to the sender bounced in turn */
    exec("UPDATE pf_message SET client_ip = '10.2.0.5' WHERE queue_id = 'ABC123'");
    long long n = pf_msg("relay1", "DEF456", "2026-11-27 08:40:02", "", "ndr-s1@relay1.northwind.example", 1);
    char *sql = sqlite3_mprintf("UPDATE pf_message SET parent_id = %lld, parent_kind = 'ndr_of' WHERE id = %lld", m, n);
    exec(sql);
    sqlite3_free(sql);
    /* Another organisation's relay in the same database: not ours, not reported. */
    long long other = pf_msg("otherrelay", "FFF111", "2026-11-27 08:00:00", "x@other.example", "o1@other.example", 0);
    exec("UPDATE pf_message SET client_ip = '10.99.0.5' WHERE queue_id = 'FFF111'");
    pf_dlv(other, 300, "2026-11-27 08:00:01", "y@contoso.example", "other-example.mail.protection.outlook.com",
           "bounced", "5.7.64", "550 5.7.64 TenantAttribution; Relay Access Denied", "TenantAttribution", 1);
    pf_dlv(n, 151, "2026-11-27 08:40:03", "sales@northwind.example", "northwind-example.mail.protection.outlook.com",
           "bounced", "5.7.64", "550 5.7.64 TenantAttribution; Relay Access Denied", NULL, 1);
    /* an NDR that got through is not lost */
    long long n2 = pf_msg("relay1", "DEF457", "2026-11-27 09:00:00", "", "ndr-ok@relay1.northwind.example", 1);
    pf_dlv(n2, 160, "2026-11-27 09:00:01", "ops@northwind.example", "x", "sent", "2.6.0", "250 ok", NULL, 1);
    /* refused by the recipient's closed door: the relay's mail was filed under the recipient's tenant; the
     * reply alone tells (no parsed attribution, as from an older database) */
    long long m3 =
        pf_msg("relay1", "ABC125", "2026-11-27 08:05:00", "sales@northwind.example", "s3@northwind.example", 0);
    pf_dlv(m3, 170, "2026-11-27 08:05:01", "z@tailspin.example", "northwind-example.mail.protection.outlook.com",
           "bounced", "5.7.51", "550 5.7.51 TenantInboundAttribution; There is a partner connector configured", NULL,
           1);
    run_with(conf_b, NULL);
    /* the message to x, the one to z, and the NDR's own attempt */
    CHECK_INT(res.counts[FINDING_ATTRIBUTION_FAILURE], 3);
    CHECK_INT(res.counts[FINDING_NDR_LOST], 1);
    for (size_t i = 0; i < res.n; i++) {
        const struct finding *f = &res.findings[i];
        if (f->kind == FINDING_ATTRIBUTION_FAILURE && !strcmp(f->recipient, "x@contoso.example")) {
            CHECK_INT(f->attempts, 3);
            CHECK_STR(f->first_seen, "2026-11-27 08:00:01");
            CHECK_STR(f->last_seen, "2026-11-27 08:40:01");
            CHECK_STR(f->reply, "550 5.7.64 TenantAttribution; Relay Access Denied");
            CHECK_STR(f->smarthost, "northwind-example.mail.protection.outlook.com");
            CHECK_INT(f->nevidence, 3);
        }
        if (f->kind == FINDING_NDR_LOST) {
            CHECK_STR(f->recipient, "sales@northwind.example");
            CHECK_STR(f->sender, "");
            CHECK_INT(f->attempts, 1);
        }
    }
    /* --finding selects kinds */
    struct audit_options o = {NULL, NULL, 1u << FINDING_NDR_LOST, "2026-11-28"};
    run_with(conf_b, &o);
    CHECK_INT(res.n, 1);
}

/* On-prem Exchange relaying to another tenant (tracking-log SEND/DEFER/FAIL
 * rows with the refusal in recipient-status): one finding per message and
 * recipient, whether the rows carry a Message-ID or only the server's
 * internal id. */
static void ex_status(int line, const char *server, const char *internal_id, const char *status)
{
    char *sql = sqlite3_mprintf("UPDATE ex_event SET server = %Q, internal_id = %Q WHERE source_id = 2 AND line = %d;"
                                "UPDATE ex_recipient SET status = %Q WHERE source_id = 2 AND line = %d",
                                server, internal_id, line, status, line);
    exec(sql);
    sqlite3_free(sql);
}

static void test_sending_side_exchange(void)
{
    fresh_db();
    static const char *const refused = "550 5.7.64 TenantAttribution; Relay Access Denied";
    static const char *const region = "451 4.4.62 Mail sent to the wrong Office 365 region. ATTR35";
    /* A message with a Message-ID: received from an on-prem client, deferred, then refused for x; y went through. */
    ex_row(10, "exchange", "msgtrk", "2026-11-27 08:00:00", "RECEIVE", "SMTP", "m1@northwind.example",
           "sales@northwind.example", "Offer", "10.2.0.9", NULL, NULL, "x@contoso.example,y@contoso.example");
    ex_status(10, "EX1", "101", NULL);
    ex_row(11, "exchange", "msgtrk", "2026-11-27 08:00:05", "Defer", "SMTP", "m1@northwind.example",
           "sales@northwind.example", "Offer", NULL, NULL, NULL, "x@contoso.example");
    ex_status(11, "EX1", "101", region);
    ex_row(12, "exchange", "msgtrk", "2026-11-27 08:00:06", "SEND", "SMTP", "m1@northwind.example",
           "sales@northwind.example", "Offer", NULL, NULL, NULL, "y@contoso.example");
    ex_status(12, "EX1", "101", "250 2.6.0 Queued mail for delivery");
    ex_row(13, "exchange", "msgtrk", "2026-11-27 08:30:05", "FAIL", "SMTP", "m1@northwind.example",
           "sales@northwind.example", "Offer", NULL, NULL, NULL, "x@contoso.example");
    ex_status(13, "EX1", "101", refused);
    /* No Message-ID: the server's internal id is the identity. EX2's row with
     * the same internal id is another message. */
    ex_row(20, "exchange", "msgtrk", "2026-11-27 09:00:05", "DEFER", "SMTP", NULL, "ops@northwind.example", "Status",
           NULL, NULL, NULL, "z@contoso.example");
    ex_status(20, "EX1", "202", region);
    ex_row(21, "exchange", "msgtrk", "2026-11-27 09:20:05", "FAIL", "SMTP", NULL, "ops@northwind.example", "Status",
           NULL, NULL, NULL, "z@contoso.example");
    ex_status(21, "EX1", "202", refused);
    ex_row(22, "exchange", "msgtrk", "2026-11-27 09:10:05", "SEND", "SMTP", NULL, "ops@northwind.example", "Other",
           NULL, NULL, NULL, "z@contoso.example");
    ex_status(22, "EX2", "202", "250 2.0.0 OK");
    run_with(conf_b, NULL);
    CHECK_INT(res.counts[FINDING_ATTRIBUTION_FAILURE], 2);
    int seen = 0;
    for (size_t i = 0; i < res.n; i++) {
        const struct finding *f = &res.findings[i];
        if (f->kind != FINDING_ATTRIBUTION_FAILURE)
            continue;
        if (!strcmp(f->recipient, "x@contoso.example")) {
            seen |= 1;
            CHECK_STR(f->message_id, "m1@northwind.example");
            CHECK_INT(f->attempts, 2);
            CHECK_STR(f->first_seen, "2026-11-27 08:00:05");
            CHECK_STR(f->last_seen, "2026-11-27 08:30:05");
            CHECK_STR(f->reply, refused);
            CHECK_STR(f->subject, "Offer");
            CHECK_STR(f->original_host, "EX1");
            CHECK_INT(f->nevidence, 2);
        } else if (!strcmp(f->recipient, "z@contoso.example")) {
            seen |= 2;
            CHECK(f->message_id == NULL);
            CHECK_INT(f->attempts, 2);
            CHECK_STR(f->last_seen, "2026-11-27 09:20:05");
            CHECK_STR(f->reply, refused);
        }
    }
    CHECK_INT(seen, 3);
    /* Inside the caller's open transaction the sending side cannot run on a
     * second connection (it would not see these rows): it runs on this one. */
    exec("BEGIN");
    ex_row(30, "exchange", "msgtrk", "2026-11-27 10:00:05", "FAIL", "SMTP", "m3@northwind.example",
           "sales@northwind.example", "Late", NULL, NULL, NULL, "w@contoso.example");
    ex_status(30, "EX1", "303", refused);
    run_with(conf_b, NULL);
    CHECK_INT(res.counts[FINDING_ATTRIBUTION_FAILURE], 3);
    exec("ROLLBACK");
    run_with(conf_b, NULL);
    CHECK_INT(res.counts[FINDING_ATTRIBUTION_FAILURE], 2);
}

static void test_partner(void)
{
    fresh_db();
    /* contoso's mail usually comes through the gateway; this one went straight to the tenant */
    long long m = pf_msg("mx1", "4Xk9", "2026-11-26 09:00:00", "bob@contoso.example", "usual@contoso.example", 0);
    exec("UPDATE pf_message SET client_ip = '192.0.2.30' WHERE queue_id = '4Xk9'");
    pf_dlv(m, 5, "2026-11-26 09:00:01", "alice@fabrikam.example", "fabrikam-example.mail.protection.outlook.com",
           "sent", "2.6.0", "250 2.6.0 ok", NULL, 1);
    trace(1, "2026-11-27 09:00:00", "straight@contoso.example", "bob@contoso.example", "Order", "203.0.113.45",
          "alice@fabrikam.example");
    trace(2, "2026-11-27 09:05:00", "spam@spam.example", "x@spam.example", "Win", "192.0.2.143",
          "alice@fabrikam.example");
    /* spam.example also reached the gateway once, and its content filter threw it away: no partner */
    long long s1 = pf_msg("mx1", "4Xs1", "2026-11-26 11:00:00", "x@spam.example", "s1@spam.example", 0);
    exec("UPDATE pf_message SET client_ip = '192.0.2.143' WHERE queue_id = '4Xs1'");
    pf_dlv(s1, 7, "2026-11-26 11:00:01", "alice@fabrikam.example", "127.0.0.1", "sent", "2.7.0",
           "250 2.7.0 Ok, discarded, id=12345-01 - spam", NULL, 1);
    exec("UPDATE pf_delivery SET relay_ip = '127.0.0.1' WHERE line = 7");
    run();
    CHECK_INT(res.partners_from, PARTNERS_FROM_GATEWAY_LOGS);
    CHECK_INT(res.n, 2);
    if (res.n == 2) {
        CHECK_STR(res.findings[0].sender, "bob@contoso.example");
        CHECK_INT(res.findings[0].partner, 1);
        CHECK_INT(res.findings[1].partner, 0);
    }
    struct precheck_result pre;
    audit_precheck(cfg, &res, &pre);
    /* the partner's mail would be cut: not safe, whoever has to fix it */
    CHECK_INT(pre.safe, 0);
    CHECK_INT(pre.cut_groups, 1);
    for (size_t i = 0; i < pre.n; i++) {
        if (!strcmp(pre.groups[i].label, "contoso.example")) {
            CHECK_INT(pre.groups[i].would_cut, 1);
            CHECK(strstr(pre.groups[i].advice, "ask the partner to send to your MX") != NULL);
        } else {
            CHECK_INT(pre.groups[i].would_cut, 0);
        }
    }
    precheck_result_free(&pre);

    /* Our own domain passes the gateway on the way out: that makes a spoof
     * of it no partner. */
    m = pf_msg("mx1", "4Xm1", "2026-11-26 10:00:00", "carol@fabrikam.example", "out@fabrikam.example", 0);
    exec("UPDATE pf_message SET client_ip = '10.1.0.5' WHERE queue_id = '4Xm1'");
    trace(3, "2026-11-27 09:10:00", "spoof@fabrikam.example", "ceo@fabrikam.example", "Wire", "192.0.2.144",
          "alice@fabrikam.example");
    run();
    CHECK_INT(res.n, 3);
    for (size_t i = 0; i < res.n; i++)
        if (!strcmp(res.findings[i].sender, "ceo@fabrikam.example"))
            CHECK_INT(res.findings[i].partner, 0);
}

/* Without the gateway's Postfix logs, partners are learned from the trace:
 * a sender domain whose mail entered from [gateway] ips corresponds through
 * the MX, unless Exchange Online filtered that mail as spam. */
static void test_partner_from_entries(void)
{
    fresh_db();
    trace(1, "2026-11-26 09:00:00", "w1@wingtip.example", "j@wingtip.example", "Order", "198.51.100.25",
          "alice@fabrikam.example");
    trace(2, "2026-11-27 09:00:00", "w2@wingtip.example", "j@wingtip.example", "Order", "203.0.113.71",
          "alice@fabrikam.example");
    ex_row(3, "exo", "exo-trace", "2026-11-26 10:00:00", "FilteredAsSpam", NULL, "s1@spam.example", "x@spam.example",
           "Win", "198.51.100.26", NULL, NULL, "alice@fabrikam.example");
    trace(4, "2026-11-27 10:00:00", "s2@spam.example", "x@spam.example", "Win", "192.0.2.143",
          "alice@fabrikam.example");
    /* a report row keeps its status per recipient: it proves nothing either */
    ex_row(5, "exo", "exo-report", "2026-11-26 11:00:00", NULL, NULL, "r1@junk.example", "y@junk.example", "Deal",
           "198.51.100.25", NULL, NULL, "alice@fabrikam.example");
    trace(6, "2026-11-27 11:00:00", "r2@junk.example", "y@junk.example", "Deal", "192.0.2.144",
          "alice@fabrikam.example");
    run();
    CHECK_INT(res.partners_from, PARTNERS_FROM_ENTRIES);
    CHECK_INT(res.n, 3);
    for (size_t i = 0; i < res.n; i++)
        CHECK_INT(res.findings[i].partner, !strcmp(res.findings[i].sender, "j@wingtip.example"));
    struct precheck_result pre;
    audit_precheck(cfg, &res, &pre);
    CHECK_INT(pre.safe, 0);
    CHECK_INT(pre.cut_groups, 1);
    precheck_result_free(&pre);
}

/* Mail the gateway relayed that Exchange Online logged from an address not
 * in [gateway] ips: a connector restricted to those would refuse the
 * gateway's own mail, so the precheck cuts first. */
static void test_unlisted_gateway_ip(void)
{
    fresh_db();
    long long m = pf_msg("mx1", "4Xg6", "2026-11-27 08:00:00", "bob@wingtip.example", "g6@wingtip.example", 0);
    pf_dlv(m, 3, "2026-11-27 08:00:01", "alice@fabrikam.example", "fabrikam-example.mail.protection.outlook.com",
           "sent", "2.6.0", "250 2.6.0 ok", NULL, 1);
    trace(1, "2026-11-27 08:00:02", "g6@wingtip.example", "bob@wingtip.example", "Hi", "2001:db8:100::25",
          "alice@fabrikam.example");
    /* relayed from a listed address, and handed on inside Exchange Online: neither counts */
    m = pf_msg("mx1", "4Xg4", "2026-11-27 09:00:00", "bob@wingtip.example", "g4@wingtip.example", 0);
    pf_dlv(m, 6, "2026-11-27 09:00:01", "alice@fabrikam.example", "fabrikam-example.mail.protection.outlook.com",
           "sent", "2.6.0", "250 2.6.0 ok", NULL, 1);
    trace(2, "2026-11-27 09:00:02", "g4@wingtip.example", "bob@wingtip.example", "Hi", "198.51.100.25",
          "alice@fabrikam.example");
    trace(3, "2026-11-27 09:00:03", "g4@wingtip.example", "bob@wingtip.example", "Hi", "40.107.22.5",
          "alice@fabrikam.example");
    /* the same address written out in full: one address, two messages */
    m = pf_msg("mx1", "4Xg7", "2026-11-27 10:00:00", "bob@wingtip.example", "g7@wingtip.example", 0);
    pf_dlv(m, 9, "2026-11-27 10:00:01", "alice@fabrikam.example", "fabrikam-example.mail.protection.outlook.com",
           "sent", "2.6.0", "250 2.6.0 ok", NULL, 1);
    trace(4, "2026-11-27 10:00:02", "g7@wingtip.example", "bob@wingtip.example", "Hi", "2001:DB8:100:0:0:0:0:25",
          "alice@fabrikam.example");
    /* the gateway's copy came from a listed address; a second copy from a list server is not the gateway's */
    m = pf_msg("mx1", "4Xg8", "2026-11-27 11:00:00", "bob@wingtip.example", "g8@wingtip.example", 0);
    pf_dlv(m, 12, "2026-11-27 11:00:01", "alice@fabrikam.example", "fabrikam-example.mail.protection.outlook.com",
           "sent", "2.6.0", "250 2.6.0 ok", NULL, 1);
    trace(5, "2026-11-27 11:00:02", "g8@wingtip.example", "bob@wingtip.example", "Hi", "198.51.100.25",
          "alice@fabrikam.example");
    trace(6, "2026-11-27 11:00:09", "g8@wingtip.example", "bob@wingtip.example", "Hi", "192.0.2.50",
          "alice@fabrikam.example");
    run();
    CHECK_INT(res.n, 0); /* the gateway relayed all of them: no finding */
    CHECK_INT(res.nunlisted_gateway_ips, 1);
    if (res.nunlisted_gateway_ips == 1) {
        CHECK_STR(res.unlisted_gateway_ips[0].ip, "2001:db8:100::25");
        CHECK_INT(res.unlisted_gateway_ips[0].messages, 2);
    }
    struct precheck_result pre;
    audit_precheck(cfg, &res, &pre);
    CHECK_INT(pre.safe, 0);
    CHECK_INT(pre.cut_groups, 1);
    if (pre.n >= 1) {
        CHECK_INT(pre.groups[0].gateway, 1);
        CHECK(strstr(pre.groups[0].advice, "2001:db8:100::25, which is not in [gateway] ips") != NULL);
    }
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    precheck_render_text(f, &pre);
    fclose(f);
    CHECK(
        strstr(text, "[CUT]  your gateway's own mail from unlisted gateway address (2001:db8:100::25): 2 messages; ") !=
        NULL);
    free(text);
    precheck_result_free(&pre);
}

/* The verdict rests on Exchange Online's entries of the period: without any,
 * nothing shows what closing the door would cut, and it is not safe. */
static void test_precheck_needs_exo_entries(void)
{
    fresh_db();
    /* on-prem only: an entry at on-prem Exchange, no message trace */
    ex_row(1, "exchange", "msgtrk", "2026-11-27 08:00:00", "RECEIVE", "SMTP", "op1@contoso.example",
           "bob@contoso.example", "Hello", "198.51.100.25", NULL, "Incoming", "alice@fabrikam.example");
    /* and another organisation's trace in the same database: not ours, not counted */
    trace(9, "2026-11-27 08:30:00", "o1@contoso.example", "bob@contoso.example", "Hi", "203.0.113.99",
          "erin@tailspin.example");
    run();
    CHECK_INT(res.n, 0);
    CHECK_INT(res.exo_entries, 0);
    struct precheck_result pre;
    audit_precheck(cfg, &res, &pre);
    CHECK_INT(pre.safe, 0);
    CHECK_INT(pre.cut_groups, 0);
    FILE *f = tmpfile();
    precheck_render_text(f, &pre);
    precheck_render_json(f, &pre);
    rewind(f);
    char text[4096] = "";
    size_t got = fread(text, 1, sizeof text - 1, f);
    text[got] = '\0';
    fclose(f);
    CHECK(strstr(text, "NOT SAFE to close the Exchange Online back door: no Exchange Online entry") != NULL);
    CHECK(strstr(text, "{\"verdict\":\"not_safe\",\"cut_groups\":0,\"exo_entries\":0,\"exo_first_seen\":null,"
                       "\"exo_last_seen\":null,\"partners_from\":\"entries\"}") != NULL);
    precheck_result_free(&pre);

    /* The same with trace rows that all came through the gateway: safe, and it says on what. */
    trace(2, "2026-11-27 09:00:00", "g1@contoso.example", "bob@contoso.example", "Via MX", "198.51.100.25",
          "alice@fabrikam.example");
    trace(3, "2026-11-27 17:30:00.500", "g2@contoso.example", "bob@contoso.example", "Via MX", "198.51.100.26",
          "alice@fabrikam.example");
    run();
    CHECK_INT(res.n, 0);
    CHECK_INT(res.exo_entries, 2); /* through our gateway; tailspin's row still not */
    audit_precheck(cfg, &res, &pre);
    CHECK_INT(pre.safe, 1);
    f = tmpfile();
    precheck_render_text(f, &pre);
    rewind(f);
    got = fread(text, 1, sizeof text - 1, f);
    text[got] = '\0';
    fclose(f);
    CHECK_STR(text, "SAFE to close the Exchange Online back door: no wanted mail would be cut.\n"
                    "Judged on 2 Exchange Online entries from 2026-11-27T09:00:00Z to 2026-11-27T17:30:00.500Z.\n"
                    "No mail delivered by a [gateway] host is in its Postfix logs here: partners are the sender "
                    "domains of mail that entered Exchange from [gateway] ips.\n");
    precheck_result_free(&pre);

    /* --since past the trace: nothing to judge on again */
    struct audit_options o = {"2026-11-28 00:00:00", NULL, 0, "2026-11-28"};
    run_with(conf_a, &o);
    CHECK_INT(res.exo_entries, 0);
    audit_precheck(cfg, &res, &pre);
    CHECK_INT(pre.safe, 0);
    precheck_result_free(&pre);
}

static void test_since_until_and_json(void)
{
    fresh_db();
    trace(1, "2026-11-26 10:00:00", "d1@contoso.example", "bob@contoso.example", "Day 1", "203.0.113.7",
          "alice@fabrikam.example");
    trace(2, "2026-11-27 10:00:00.250", "d2@contoso.example", "", "Undeliverable: \"Quote\"\tnow", "203.0.113.7",
          "alice@fabrikam.example");
    struct audit_options o = {"2026-11-27 00:00:00", NULL, 0, "2026-11-28"};
    run_with(conf_a, &o);
    CHECK_INT(res.n, 1);
    o.since = NULL;
    o.until = "2026-11-26 23:59:59.999";
    run_with(conf_a, &o);
    CHECK_INT(res.n, 1);
    run();
    CHECK_INT(res.n, 2);
    FILE *f = tmpfile();
    audit_render_json(f, &res);
    rewind(f);
    char line[2][2048] = {"", ""};
    for (int i = 0; i < 2; i++)
        if (!fgets(line[i], sizeof line[i], f))
            line[i][0] = '\0';
    fclose(f);
    CHECK_STR(line[0],
              "{\"finding\":\"ndr_direct\",\"message_id\":\"d2@contoso.example\",\"sender\":\"\","
              "\"recipients\":[\"alice@fabrikam.example\"],\"subject\":\"Undeliverable: \\\"Quote\\\"\\tnow\","
              "\"first_seen\":\"2026-11-27T10:00:00.250Z\",\"last_seen\":\"2026-11-27T10:00:00.250Z\","
              "\"entry\":\"exo\",\"client_ip\":\"203.0.113.7\",\"source_net\":\"internet\",\"service\":null,"
              "\"excepted\":false,\"exception_expired\":false,\"exception_reason\":null,\"exception_until\":null,"
              "\"original_message_id\":null,\"original_host\":null,"
              "\"evidence\":[{\"file\":\"logs/trace.csv\",\"line\":2}]}\n");
    CHECK(strncmp(line[1], "{\"finding\":\"bypassed_mx\",\"message_id\":\"d1@contoso.example\"", 58) == 0);

    struct precheck_result pre;
    audit_precheck(cfg, &res, &pre);
    CHECK_INT(pre.safe, 0); /* the NDR would be cut */
    CHECK_INT(pre.cut_groups, 1);
    if (pre.n == 2) {
        CHECK_STR(pre.groups[0].label, "NDRs (null sender)");
        CHECK_INT(pre.groups[0].would_cut, 1);
        CHECK_STR(pre.groups[1].label, "contoso.example");
    }
    precheck_result_free(&pre);
}

/* The precheck groups findings by door, network and label wherever they
 * stand in the result; groups that tie in the verdict's order keep the order
 * their first findings came in. */
static void test_precheck_groups(void)
{
    fresh_db();
    run(); /* for the configuration */
    struct finding f[6];
    memset(f, 0, sizeof f);
    const struct {
        enum finding_kind kind;
        const char *net, *sender, *ts, *ip;
    } in[6] = {
        {FINDING_BYPASSED_MX, "internet", "a@spam-one.example", "2026-11-27 10:00:00", "203.0.113.1"},
        {FINDING_BYPASSED_MX, "eop", "b@spam-one.example", "2026-11-27 10:01:00", "40.107.1.1"},
        {FINDING_BYPASSED_MX, "internet", "c@Spam-One.example", "2026-11-27 09:00:00", "203.0.113.2"},
        {FINDING_NDR_DIRECT, "eop", "", "2026-11-27 10:02:00", "40.107.1.2"},
        {FINDING_BYPASSED_MX, "eop", "d@spam-one.example", "2026-11-27 11:00:00", "40.107.1.1"},
        {FINDING_ATTRIBUTION_FAILURE, NULL, "e@fabrikam.example", "2026-11-27 12:00:00", NULL},
    };
    for (int i = 0; i < 6; i++) {
        f[i].kind = in[i].kind;
        f[i].entry = in[i].net ? "exo" : NULL;
        f[i].source_net = in[i].net;
        f[i].sender = (char *)in[i].sender;
        f[i].first_seen = f[i].last_seen = (char *)in[i].ts;
        f[i].client_ip = (char *)in[i].ip;
    }
    struct audit_result r = {.findings = f, .n = 6};
    struct precheck_result pre;
    audit_precheck(cfg, &r, &pre);
    CHECK_INT(pre.n, 3);
    CHECK_INT(pre.safe, 0);
    if (pre.n == 3) {
        CHECK_STR(pre.groups[0].label, "NDRs (null sender)");
        CHECK_STR(pre.groups[1].label, "spam-one.example");
        CHECK_STR(pre.groups[1].source_net, "internet");
        CHECK_INT(pre.groups[1].messages, 2);
        CHECK_STR(pre.groups[1].first_seen, "2026-11-27 09:00:00");
        CHECK_STR(pre.groups[1].last_seen, "2026-11-27 10:00:00");
        CHECK_INT(pre.groups[1].nclient_ips, 2);
        CHECK_STR(pre.groups[2].label, "spam-one.example");
        CHECK_STR(pre.groups[2].source_net, "eop");
        CHECK_INT(pre.groups[2].messages, 2);
        CHECK_INT(pre.groups[2].nclient_ips, 1);
    }
    precheck_result_free(&pre);
}

/* The audit reads the entries from the partial index ex_event_entry, which
 * SQLite uses only while the view v_entry repeats the index's WHERE word for
 * word: an edit of one without the other would leave the audit right but
 * reading every row of ex_event. */
static void test_entry_index_used(void)
{
    fresh_db();
    char *sql = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", embedded_query("entry_candidates"));
    sqlite3_stmt *st;
    CHECK(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK);
    int covered = 0, scans_table = 0;
    while (st && sqlite3_step(st) == SQLITE_ROW) {
        const char *detail = (const char *)sqlite3_column_text(st, 3);
        covered |= detail && strstr(detail, "USING INDEX ex_event_entry") != NULL;
        scans_table |= detail && !strcmp(detail, "SCAN x");
    }
    sqlite3_finalize(st);
    sqlite3_free(sql);
    CHECK(covered);
    CHECK(!scans_table);
}

/* An NDR's original by subject is looked for in the time index (ts, sender,
 * subject) over the NDRs' days, not in every wide row of ex_event, and the
 * NDRs are matched on sender and subject together: with the sender alone
 * the work grew with the square of a sender's NDRs. */
static void test_ndr_original_plan(void)
{
    fresh_db();
    char *sql = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", embedded_query("ndr_original"));
    sqlite3_stmt *st;
    CHECK(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK);
    int index_read = 0, scans_table = 0, pair_lookup = 0;
    while (st && sqlite3_step(st) == SQLITE_ROW) {
        const char *detail = (const char *)sqlite3_column_text(st, 3);
        if (!detail)
            continue;
        index_read |= strstr(detail, "SEARCH x USING COVERING INDEX ex_event_ts (ts>? AND ts<?)") != NULL;
        scans_table |= !strcmp(detail, "SCAN x") || !strcmp(detail, "SCAN e");
        pair_lookup |= strstr(detail, "SEARCH n USING AUTOMATIC") && strstr(detail, "(sender=? AND subject=?)");
    }
    sqlite3_finalize(st);
    sqlite3_free(sql);
    CHECK(index_read);
    CHECK(!scans_table);
    CHECK(pair_lookup);
}

/* The views (schema/008-views-ndr.sql) tell an NDR by the audit's built-in
 * rules, written there in SQL: every built-in sender and subject, in other
 * cases and behind spaces, and automatic replies that quote an NDR subject,
 * get from v_ex_row and v_message what audit_is_ndr() says. */
static void test_views_tell_ndr_like_audit(void)
{
    fresh_db();
    char sender[160], subject[200];
    int line = 0, checked = 0;
    for (int pass = 0; pass < 4; pass++) {
        const char *const *list = pass == 0   ? builtin_ndr_subjects
                                  : pass == 1 ? builtin_autoreply_subjects
                                              : builtin_ndr_local_parts;
        if (pass == 3)
            list = builtin_machine_local_parts; /* senders that are not NDR senders */
        for (size_t i = 0; list[i]; i++) {
            for (int variant = 0; variant < 2; variant++) {
                snprintf(sender, sizeof sender, "x@contoso.example");
                snprintf(subject, sizeof subject, "Angebot");
                if (pass == 0)
                    snprintf(subject, sizeof subject, "%s%s Angebot", variant ? "  " : "", list[i]);
                else if (pass == 1)
                    snprintf(subject, sizeof subject, "%s Undeliverable: Angebot", list[i]);
                else
                    snprintf(sender, sizeof sender, "%s@contoso.example", list[i]);
                if (variant)
                    for (char *c = pass == 0 ? subject : sender; *c; c++)
                        *c = (char)(pass == 0 ? toupper((unsigned char)*c) : tolower((unsigned char)*c));
                char msgid[32];
                snprintf(msgid, sizeof msgid, "v%d@x", ++line);
                trace(line, "2026-11-27 10:00:00", msgid, sender, subject, "203.0.113.5", "alice@fabrikam.example");
                char q[128];
                snprintf(q, sizeof q, "SELECT is_ndr FROM v_ex_row WHERE line = %d", line);
                long long want = audit_is_ndr(NULL, sender, subject);
                if (test_sql_int(db, q) != want)
                    fprintf(stderr, "v_ex_row and the audit disagree on sender '%s', subject '%s'\n", sender, subject);
                CHECK_INT(test_sql_int(db, q), want);
                snprintf(q, sizeof q, "SELECT is_ndr FROM v_message WHERE msg_key = '%s'", msgid);
                CHECK_INT(test_sql_int(db, q), want);
                checked++;
            }
        }
    }
    CHECK(checked > 60);
    /* the null sender, and a plain message */
    trace(++line, "2026-11-27 10:00:00", "null@x", "", "Angebot", "203.0.113.5", "alice@fabrikam.example");
    trace(++line, "2026-11-27 10:00:00", "plain@x", "x@contoso.example", "Re: Undeliverable: Angebot", "203.0.113.5",
          "alice@fabrikam.example");
    CHECK_INT(test_sql_int(db, "SELECT is_ndr FROM v_message WHERE msg_key = 'null@x'"), 1);
    CHECK_INT(test_sql_int(db, "SELECT is_ndr FROM v_message WHERE msg_key = 'plain@x'"), 0);
    CHECK_INT(test_sql_int(db, "SELECT is_ndr FROM v_message WHERE msg_key = 'v1@x'"), 1);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM v_ndr WHERE ndr_key = 'v1@x'"), 1);
    /* the local part ends at the last '@', as in the audit; a row with
     * neither sender nor subject is no NDR, not an unknown */
    trace(++line, "2026-11-27 10:00:00", "at2@x", "postmaster@a@contoso.example", "Angebot", "203.0.113.5",
          "alice@fabrikam.example");
    CHECK_INT(audit_is_ndr(NULL, "postmaster@a@contoso.example", "Angebot"), 0);
    CHECK_INT(test_sql_int(db, "SELECT is_ndr FROM v_message WHERE msg_key = 'at2@x'"), 0);
    CHECK_INT(test_sql_int(db, "SELECT is_ndr FROM v_ex_row WHERE message_id = 'at2@x'"), 0);
    trace(++line, "2026-11-27 10:00:00", "bare@x", NULL, NULL, "203.0.113.5", "alice@fabrikam.example");
    CHECK_STR(test_sql_text(db, "SELECT typeof(is_ndr) || is_ndr FROM v_message WHERE msg_key = 'bare@x'"), "integer0");
}

/* v_tenant_delivery knows the recipient's tenant endpoint in the forms
 * Microsoft gives it: the domain with '.' as '-', with or without the
 * domain's own hyphens, with a suffix such as 01b; and not a partner's. */
static void test_view_tenant_endpoint(void)
{
    fresh_db();
    static const struct {
        const char *rcpt, *relay;
        int mine;
    } cases[] = {
        {"a@fabrikam.example", "fabrikam-example.mail.protection.outlook.com", 1},
        {"a@company-a.example", "companya-example.mail.protection.outlook.com", 1},
        {"a@company-a.example", "company-a-example.mail.protection.outlook.com", 1},
        {"a@company-a.example", "COMPANYA-EXAMPLE01B.mail.protection.outlook.com", 1},
        {"a@fabrikam.example", "fabrikam-example01b.mail.protection.outlook.com", 1},
        {"a@fabrikam.example", "fabrikam-example.o-v1.mx.microsoft", 1},
        {"a@fabrikam.example", "fabrikam-example-org.mail.protection.outlook.com", 0},
        {"a@fabrikam.example", "fabrikam-example0123456.mail.protection.outlook.com", 0},
        {"a@fabrikam.example", "fabrikam-examplex.mail.protection.outlook.com", 0},
        {"a@fabrikam.example", "northwind-example.mail.protection.outlook.com", 0},
        {"a@fabrikam.example", "fabrikam-example.mail.protection.outlook.com.evil.example", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char qid[16], msgid[32];
        snprintf(qid, sizeof qid, "Q%zu", i);
        snprintf(msgid, sizeof msgid, "t%zu@x", i);
        long long m = pf_msg("mx1", qid, "2026-11-27 10:00:00", "x@contoso.example", msgid, 0);
        pf_dlv(m, (int)i + 1, "2026-11-27 10:00:01", cases[i].rcpt, cases[i].relay, "sent", "2.6.0", "250 2.6.0", NULL,
               1);
        char q[128];
        snprintf(q, sizeof q, "SELECT count(*) FROM v_tenant_delivery WHERE message_id = '%s'", msgid);
        if (test_sql_int(db, q) != cases[i].mine)
            fprintf(stderr, "v_tenant_delivery: %s via %s\n", cases[i].rcpt, cases[i].relay);
        CHECK_INT(test_sql_int(db, q), cases[i].mine);
    }
}

/* v_ndr finds an NDR's original by subject as the audit does: after every
 * built-in prefix that ends in a colon, blanks around it allowed, and not
 * after one that carries no subject. */
static void test_view_ndr_original_subject(void)
{
    fresh_db();
    int line = 0;
    for (size_t i = 0; builtin_ndr_subjects[i]; i++) {
        char subject[160], orig[64], msgid[32], ndrid[32];
        snprintf(orig, sizeof orig, "Offer %zu", i);
        snprintf(msgid, sizeof msgid, "o%zu@x", i);
        snprintf(ndrid, sizeof ndrid, "n%zu@x", i);
        snprintf(subject, sizeof subject, " %s  %s", builtin_ndr_subjects[i], orig);
        trace(++line, "2026-11-27 09:00:00", msgid, "alice@fabrikam.example", orig, NULL, "bob@contoso.example");
        trace(++line, "2026-11-27 10:00:00", ndrid, "MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@contoso.example",
              subject, "40.107.5.6", "alice@fabrikam.example");
        const char *want = audit_ndr_original_subject(subject);
        char q[160];
        snprintf(q, sizeof q, "SELECT coalesce(link || ' ' || orig_key, '-') FROM v_ndr WHERE ndr_key = '%s'", ndrid);
        char expect[64];
        snprintf(expect, sizeof expect, "subject %s", msgid);
        if (want && strcmp(want, orig) != 0)
            fprintf(stderr, "audit_ndr_original_subject('%s') is '%s'\n", subject, want);
        CHECK_STR(test_sql_text(db, q), want ? expect : "-");
    }
}

int main(int argc, char **argv)
{
    TEST_INIT(argc, argv);
    test_entry_index_used();
    test_ndr_original_plan();
    test_ndr_via_gateway();
    test_ndr_direct_linked();
    test_ndr_linked_by_subject();
    test_ndr_original_both_sides();
    test_ndr_subject_escaped();
    test_ndr_markers();
    test_views_tell_ndr_like_audit();
    test_view_tenant_endpoint();
    test_view_ndr_original_subject();
    test_autoreply_back_door();
    test_notification_via_gateway();
    test_notifications();
    test_exceptions();
    test_ipv6();
    test_own_domain_spoof();
    test_both_exo_and_onprem();
    test_without_gateway();
    test_not_inbound();
    test_gateway_relayed();
    test_sending_side();
    test_sending_side_exchange();
    test_partner();
    test_unlisted_gateway_ip();
    test_partner_from_entries();
    test_precheck_groups();
    test_precheck_needs_exo_entries();
    test_hybrid_from_configured_range();
    test_since_until_and_json();
    audit_result_free(&res);
    config_free(cfg);
    store_close(db);
    return test_done("test_audit");
}
