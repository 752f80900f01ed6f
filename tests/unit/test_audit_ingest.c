/* test_audit_ingest.c - the audit on files ingested exactly as `mxaudit
 * ingest` does (tests/fixtures/audit/): the parsers' rows meet the audit's
 * queries. See tests/fixtures/audit/README.md for the expected findings. */
#include "audit.h"
#include "audit_render.h"
#include "config.h"
#include "ingest.h"
#include "store.h"
#include "testutil.h"

#include <unistd.h>

static sqlite3 *ingest(const char *dbpath, const char *file)
{
    char path[1024], err[512];
    sqlite3 *db;
    unlink(dbpath);
    if (store_open(dbpath, STORE_READWRITE, &db, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        exit(2);
    }
    snprintf(path, sizeof path, "%s/tests/fixtures/audit/%s", test_srcdir, file);
    char *paths[] = {path};
    struct ingest_options opt = {0};
    opt.year = 2026;
    opt.tz = "UTC";
    opt.quiet = 1;
    struct ingest_report rep = {0};
    int rc = ingest_run(db, paths, 1, &opt, &rep);
    CHECK_INT(rc, 0);
    CHECK_INT(rep.rejected, 0);
    return db;
}

static struct config *load(const char *name)
{
    char path[1024], err[512];
    struct config *cfg;
    snprintf(path, sizeof path, "%s/tests/fixtures/audit/%s", test_srcdir, name);
    if (config_load(path, &cfg, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        exit(2);
    }
    return cfg;
}

static const struct finding *by_sender(const struct audit_result *res, const char *sender)
{
    for (size_t i = 0; i < res->n; i++)
        if (res->findings[i].sender && !strcmp(res->findings[i].sender, sender))
            return &res->findings[i];
    return NULL;
}

#define KIND(f) ((f) ? finding_kind_name((f)->kind) : "(none)")

int main(int argc, char **argv)
{
    TEST_INIT(argc, argv);
    char err[512];
    struct audit_options opt = {NULL, NULL, 0, "2026-11-28"};

    /* Company A: MX gateway in front of Exchange Online. */
    sqlite3 *db = ingest("a.db", "fabrikam-trace.csv");
    struct config *cfg = load("fabrikam.conf");
    struct audit_result res;
    CHECK_INT(audit_run(db, cfg, &opt, &res, err, sizeof err), 0);
    CHECK_INT(res.n, 5);
    CHECK_INT(res.counts[FINDING_NDR_DIRECT], 1);
    CHECK_INT(res.counts[FINDING_NOTIFICATION_KNOWN], 2);
    CHECK_INT(res.counts[FINDING_BYPASSED_MX], 2);
    CHECK_INT(res.excepted, 1);
    CHECK(by_sender(&res, "r.alvarez@contoso.example") == NULL); /* came through the gateway */
    const struct finding *f = by_sender(&res, "");
    CHECK_STR(KIND(f), "ndr_direct");
    if (f) {
        CHECK_STR(f->source_net, "eop");
        CHECK_STR(f->recipients[0], "thomas.mueller@fabrikam.example");
        CHECK_STR(f->first_seen, "2026-11-27 10:30:00");
        CHECK_INT(f->nevidence, 1);
        if (f->nevidence)
            CHECK_INT(f->evidence[0].line, 4);
    }
    f = by_sender(&res, "no-reply@sharepointonline.com");
    CHECK_STR(KIND(f), "notification_known");
    if (f) {
        CHECK_STR(f->client_ip, "2a01:111:f403:c20a::7");
        CHECK_STR(f->source_net, "eop");
        CHECK(f->service && strstr(f->service, "SharePoint"));
    }
    f = by_sender(&res, "noreply@planner.office365.com");
    CHECK(f && f->excepted && !strcmp(f->exception_reason, "routed via the gateway from 2026-12"));
    f = by_sender(&res, "buchhaltung@fabrikam.example");
    CHECK_STR(KIND(f), "bypassed_mx"); /* a spoof of our own domain is inbound */
    CHECK_STR(f ? f->message_id : NULL, "5a4b3c2d1e0f@fabrikam.example");

    struct precheck_result pre;
    audit_precheck(cfg, &res, &pre);
    CHECK_INT(pre.safe, 0);
    CHECK_INT(pre.cut_groups, 2); /* the NDR and SharePoint; Planner is excepted */
    precheck_result_free(&pre);
    audit_result_free(&res);
    config_free(cfg);
    store_close(db);

    /* Company B: relay smarthosting to Exchange Online, refused for attribution. */
    db = ingest("b.db", "northwind-relay.log");
    cfg = load("northwind.conf");
    CHECK_INT(audit_run(db, cfg, &opt, &res, err, sizeof err), 0);
    CHECK_INT(res.counts[FINDING_ATTRIBUTION_FAILURE], 3);
    /* The delay notice refused the same way is no lost NDR: the message it
     * is about is still queued. */
    CHECK_INT(res.counts[FINDING_NDR_LOST], 1);
    CHECK_INT(res.n, 4);
    for (size_t i = 0; i < res.n; i++) {
        f = &res.findings[i];
        if (f->kind == FINDING_ATTRIBUTION_FAILURE && f->recipient && !strcmp(f->recipient, "x@contoso.example")) {
            CHECK_INT(f->attempts, 3);
            CHECK_STR(f->message_id, "s1.20261127@app1.northwind.example");
            CHECK_STR(f->sender, "sales@northwind.example");
            CHECK_STR(f->first_seen, "2026-11-27 09:00:01");
            CHECK_STR(f->last_seen, "2026-11-27 09:30:01");
            CHECK(f->reply && strstr(f->reply, "550 5.7.64 TenantAttribution; Relay Access Denied"));
            CHECK_STR(f->smarthost, "northwind-example.mail.protection.outlook.com");
        }
        if (f->kind == FINDING_NDR_LOST) {
            CHECK_STR(f->recipient, "sales@northwind.example");
            CHECK_STR(f->message_id, "20261127093001.4DEF456ABC@relay1.northwind.example");
        }
    }
    audit_precheck(cfg, &res, &pre);
    /* Sending-side findings do not decide the back door, and with no
     * Exchange Online entry nothing else can: not safe, with nothing cut. */
    CHECK_INT(pre.safe, 0);
    CHECK_INT(pre.exo_entries, 0);
    CHECK_INT(pre.cut_groups, 0);
    CHECK_INT(pre.n, 0);
    precheck_result_free(&pre);
    audit_result_free(&res);
    config_free(cfg);
    store_close(db);
    return test_done("test_audit_ingest");
}
