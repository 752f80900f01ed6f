/* test_audit_samples.c - the demo story end to end: ingest sample-logs/ as
 * `mxaudit ingest sample-logs/` does, then assert the exact set of findings
 * and the precheck verdict that sample-logs/README.md lists for each company. */
#include "audit.h"
#include "config.h"
#include "ingest.h"
#include "store.h"
#include "testutil.h"

#include <unistd.h>

struct expected {
    char kind[64], message_id[512], recipient[256]; /* recipient: sending side only, else "" */
};

/* Reads the table of expected findings under the heading "### With `CONF`"
 * of sample-logs/README.md: rows "| n | `kind` | `<Message-ID>` | sender [-> recipient] | ...".
 * The README is the story's specification; the samples are regenerated from
 * the same script, so the Message-IDs are taken from it, not copied here. */
static size_t read_expected(const char *readme, const char *conf, struct expected *out, size_t max)
{
    FILE *f = fopen(readme, "r");
    if (!f)
        return 0;
    char line[4096], heading[128];
    snprintf(heading, sizeof heading, "### With `%s`", conf);
    int in = 0;
    size_t n = 0;
    while (fgets(line, sizeof line, f) && n < max) {
        if (!strncmp(line, "### ", 4)) {
            in = !strncmp(line, heading, strlen(heading));
            continue;
        }
        if (!in || line[0] != '|')
            continue;
        char *cell[6] = {0};
        int nc = 0;
        for (char *p = line + 1; *p && nc < 6; nc++) {
            cell[nc] = p;
            char *bar = strchr(p, '|');
            if (!bar)
                break;
            *bar = '\0';
            p = bar + 1;
        }
        if (nc < 4 || !cell[0] || atoi(cell[0]) <= 0)
            continue;
        struct expected *e = &out[n];
        memset(e, 0, sizeof *e);
        if (sscanf(cell[1], " `%63[^`]`", e->kind) != 1 || sscanf(cell[2], " `<%511[^>]>`", e->message_id) != 1)
            continue;
        char *arrow = strstr(cell[3], "-> ");
        if (arrow)
            sscanf(arrow + 3, "%255s", e->recipient);
        n++;
    }
    fclose(f);
    return n;
}

static int matches(const struct finding *f, const struct expected *e)
{
    return !strcmp(finding_kind_name(f->kind), e->kind) && f->message_id && !strcmp(f->message_id, e->message_id) &&
           (!e->recipient[0] || (f->recipient && !strcmp(f->recipient, e->recipient)));
}

/* Every expected finding exactly once, and nothing else. */
static void check_set(const char *company, const struct audit_result *res, const struct expected *exp, size_t n)
{
    CHECK_INT(res->n, n);
    for (size_t i = 0; i < n; i++) {
        int hits = 0;
        for (size_t j = 0; j < res->n; j++)
            hits += matches(&res->findings[j], &exp[i]);
        if (hits != 1)
            fprintf(stderr, "%s: %s %s %s found %d times\n", company, exp[i].kind, exp[i].message_id, exp[i].recipient,
                    hits);
        CHECK_INT(hits, 1);
    }
    for (size_t j = 0; j < res->n; j++) {
        int known = 0;
        for (size_t i = 0; i < n; i++)
            known |= matches(&res->findings[j], &exp[i]);
        if (!known)
            fprintf(stderr, "%s: unexpected %s %s\n", company, finding_kind_name(res->findings[j].kind),
                    res->findings[j].message_id ? res->findings[j].message_id : "(no Message-ID)");
    }
}

static const struct finding *find_kind(const struct audit_result *res, enum finding_kind kind, const char *entry)
{
    for (size_t i = 0; i < res->n; i++)
        if (res->findings[i].kind == kind &&
            (!entry || (res->findings[i].entry && !strcmp(res->findings[i].entry, entry))))
            return &res->findings[i];
    return NULL;
}

int main(int argc, char **argv)
{
    TEST_INIT(argc, argv);
    char dir[1024], conf[1024], err[512];
    snprintf(dir, sizeof dir, "%s/sample-logs", test_srcdir);
    snprintf(conf, sizeof conf, "%s/sample-logs/company-a.conf", test_srcdir);
    if (access(conf, R_OK) != 0) {
        fprintf(stderr, "no %s: skipped\n", conf);
        return 77;
    }
    sqlite3 *db;
    unlink("samples.db");
    if (store_open("samples.db", STORE_READWRITE, &db, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    char *paths[] = {dir};
    struct ingest_options opt = {0};
    opt.year = 2026; /* the README: year-less Postfix lines are 2026, local time CET */
    opt.tz = "Europe/Berlin";
    opt.quiet = 1;
    struct ingest_report rep = {0};
    CHECK_INT(ingest_run(db, paths, 1, &opt, &rep), 0);
    CHECK_INT(rep.rejected, 0);

    struct audit_options aopt = {NULL, NULL, 0, "2026-11-28"};
    struct config *cfg;
    struct audit_result res;
    if (config_load(conf, &cfg, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    char readme[1024];
    snprintf(readme, sizeof readme, "%s/sample-logs/README.md", test_srcdir);
    static struct expected exp_a[64], exp_b[64];
    size_t na = read_expected(readme, "company-a.conf", exp_a, 64);
    size_t nb = read_expected(readme, "company-b.conf", exp_b, 64);
    CHECK(na >= 6); /* the README's tables were found */
    CHECK(nb >= 2);
    CHECK_INT(audit_run(db, cfg, &aopt, &res, err, sizeof err), 0);
    check_set("company A", &res, exp_a, na);
    /* The on-prem back door, whose exception expired before these days. */
    const struct finding *f = find_kind(&res, FINDING_BYPASSED_MX, "onprem");
    CHECK(f != NULL);
    if (f) {
        CHECK_INT(f->exception_expired, 1);
        CHECK_INT(f->excepted, 0);
    }
    /* The NDR is linked to the outbound message it reports on. */
    f = find_kind(&res, FINDING_NDR_DIRECT, "exo");
    CHECK(f && f->original_message_id && f->original_host);

    /* Precheck: NOT SAFE (the NDR and five notifications would be cut); the
     * on-prem door is listed apart. */
    struct precheck_result pre;
    audit_precheck(cfg, &res, &pre);
    CHECK_INT(pre.safe, 0);
    int onprem = 0, partner = 0;
    for (size_t i = 0; i < pre.n; i++) {
        onprem += !strcmp(pre.groups[i].entry, "onprem");
        partner += pre.groups[i].partner && !strcmp(pre.groups[i].label, "northwind.example");
    }
    CHECK_INT(onprem, 1);
    CHECK_INT(partner, 1); /* B's ordinary mail: B must fix its connector */
    precheck_result_free(&pre);
    audit_result_free(&res);
    config_free(cfg);

    snprintf(conf, sizeof conf, "%s/sample-logs/company-b.conf", test_srcdir);
    if (config_load(conf, &cfg, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    CHECK_INT(audit_run(db, cfg, &aopt, &res, err, sizeof err), 0);
    check_set("company B", &res, exp_b, nb);
    int attr35 = 0;
    for (size_t i = 0; i < res.n; i++) {
        f = &res.findings[i];
        if (f->kind == FINDING_ATTRIBUTION_FAILURE && f->reply && strstr(f->reply, "4.4.62") &&
            strstr(f->reply, "ATTR35")) {
            attr35++;
            CHECK(f->attempts > 1); /* deferred and retried */
        }
    }
    CHECK(attr35 > 0);
    /* company B has no gateway: nothing of its is cut, and there is no
     * entry of its to judge on (`mxaudit precheck` refuses the configuration) */
    audit_precheck(cfg, &res, &pre);
    CHECK_INT(pre.safe, 0);
    CHECK_INT(pre.cut_groups, 0);
    CHECK_INT(pre.exo_entries, 0);
    precheck_result_free(&pre);
    audit_result_free(&res);
    config_free(cfg);
    store_close(db);
    return test_done("test_audit_samples");
}
