/*
 * cmd_audit.c - the commands `audit`, `precheck` and `init`.
 *
 * They read the configuration, open the database read-only, run the audit
 * (audit.h) and hand the result to a renderer (audit_render.h). Exit codes
 * are decided here and nowhere below.
 */
#include "audit.h"
#include "audit_render.h"
#include "cli.h"
#include "cmd_audit.h"
#include "config.h"
#include "postfix.h"
#include "store.h"
#include "timeutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_CONFIG "mxaudit.conf"

static void audit_usage(FILE *out)
{
    fprintf(out, "usage: mxaudit audit [--config FILE] [--since T] [--until T] [--finding NAME]...\n"
                 "                     [--format text|json|csv] [--fail-on-findings] [--now T]\n"
                 "\n"
                 "Finds inbound mail that reached Exchange Online or on-prem Exchange without\n"
                 "passing the MX gateway, and outbound relay failures, in the ingested logs.\n"
                 "Findings: ndr_direct, notification_known, notification_unknown, bypassed_mx\n"
                 "(receiving side); attribution_failure, ndr_lost (sending side).\n"
                 "\n"
                 "  --config FILE       configuration (default: ./" DEFAULT_CONFIG "; `mxaudit init` writes one)\n"
                 "  --since T, --until T  only messages first seen in [T, T]: YYYY-MM-DD or ISO 8601\n"
                 "                      (UTC unless T has an offset); a bare --until day includes that day\n"
                 "  --finding NAME      only these kinds (repeatable, or comma-separated)\n"
                 "  --format FMT        text (default: summary, then findings by kind), json (one\n"
                 "                      object per line), csv\n"
                 "  --fail-on-findings  exit 1 when there is a finding that is not excepted\n"
                 "  --now T             the day exceptions are judged against (default: today, UTC;\n"
                 "                      also $MXAUDIT_NOW)\n"
                 "\n"
                 "Exit codes: 0 done (or no findings), 1 findings with --fail-on-findings,\n"
                 "2 bad arguments or configuration, 4 database error.\n");
}

static void precheck_usage(FILE *out)
{
    fprintf(out, "usage: mxaudit precheck [--config FILE] [--since T] [--until T] [--format text|json] [--now T]\n"
                 "\n"
                 "The verdict for closing the Exchange Online back door (restricting the inbound\n"
                 "partner connector to the gateway): groups the back-door traffic by service or\n"
                 "sender domain and connecting network, and says for each group what would stop\n"
                 "arriving and what to do. On-prem entries are listed as a separate door.\n"
                 "\n"
                 "The verdict rests on the Exchange Online entries of the period (a message\n"
                 "trace) of your organisation: through your gateway or servers, or for your\n"
                 "domains. Without any it is not safe, as nothing shows what closing would cut.\n"
                 "It needs [gateway] in the configuration: without one, the MX is Exchange\n"
                 "Online itself and there is no back door.\n"
                 "\n"
                 "Exit codes: 0 safe (only spam, spoofs or excepted findings would be cut),\n"
                 "1 not safe (an NDR, a notification or a partner's mail would be cut, or no\n"
                 "Exchange Online entry in the period), 2 bad arguments or configuration,\n"
                 "4 database error.\n");
}

static void init_usage(FILE *out)
{
    fprintf(out, "usage: mxaudit init [--force] [FILE]\n"
                 "\n"
                 "Writes a documented configuration template to FILE (default: ./" DEFAULT_CONFIG ").\n"
                 "An existing file is kept unless --force is given. Edit [organization] domains,\n"
                 "[gateway] and [onprem] before running `mxaudit audit`.\n"
                 "\n"
                 "Exit codes: 0 written, 2 the file exists or cannot be written.\n");
}

/* "YYYY-MM-DD" or an ISO 8601 time to the stored form; END makes a bare day
 * mean its last millisecond. 0 or -1. */
static int parse_bound(const char *s, int end, char *out)
{
    size_t len = strlen(s);
    int64_t epoch;
    int ms, has_zone;
    if (len == 10) {
        char buf[32];
        snprintf(buf, sizeof buf, "%sT00:00:00Z", s);
        if (!time_parse_iso(buf, strlen(buf), 1, &epoch, &ms, &has_zone))
            return -1;
        if (end)
            time_format(epoch + 86399, 999, out);
        else
            time_format(epoch, -1, out);
        return 0;
    }
    if (time_parse_iso(s, len, 1, &epoch, &ms, &has_zone) != len)
        return -1;
    time_format(epoch, ms, out);
    return 0;
}

struct audit_args {
    const char *config;
    char since[TIME_TEXT_MAX], until[TIME_TEXT_MAX];
    int has_since, has_until;
    unsigned kinds;
    const char *format;
    int fail_on_findings;
    const char *now;
    char today[TIME_TEXT_MAX]; /* NOW as a UTC day, YYYY-MM-DD */
};

/* Parses the options shared by audit and precheck. -1 after printing the
 * problem, 1 when --help was asked, 0 otherwise. */
static int parse_args(const char *cmd, int argc, char **argv, int is_audit, struct audit_args *a)
{
    memset(a, 0, sizeof *a);
    a->config = DEFAULT_CONFIG;
    a->format = "text";
    a->now = getenv("MXAUDIT_NOW");
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (cli_is_help(arg))
            return 1;
        int takes = !strcmp(arg, "--config") || !strcmp(arg, "--since") || !strcmp(arg, "--until") ||
                    !strcmp(arg, "--format") || !strcmp(arg, "--now") || (is_audit && !strcmp(arg, "--finding"));
        if (takes && !val) {
            fprintf(stderr, "mxaudit %s: %s needs a value\n", cmd, arg);
            return -1;
        }
        if (!strcmp(arg, "--config")) {
            a->config = val;
        } else if (!strcmp(arg, "--since") || !strcmp(arg, "--until")) {
            int end = arg[2] == 'u';
            if (parse_bound(val, end, end ? a->until : a->since) != 0) {
                fprintf(stderr, "mxaudit %s: %s '%s': expected YYYY-MM-DD or an ISO 8601 time\n", cmd, arg, val);
                return -1;
            }
            *(end ? &a->has_until : &a->has_since) = 1;
        } else if (!strcmp(arg, "--format")) {
            if (strcmp(val, "text") && strcmp(val, "json") && (!is_audit || strcmp(val, "csv"))) {
                fprintf(stderr, "mxaudit %s: unknown format '%s' (text, json%s)\n", cmd, val, is_audit ? ", csv" : "");
                return -1;
            }
            a->format = val;
        } else if (!strcmp(arg, "--now")) {
            a->now = val;
        } else if (is_audit && !strcmp(arg, "--finding")) {
            char *copy = strdup(val), *save = NULL;
            if (!copy)
                return -1;
            for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                int k = finding_kind_from_name(t);
                if (k < 0) {
                    fprintf(stderr,
                            "mxaudit %s: unknown finding '%s' (ndr_direct, notification_known, "
                            "notification_unknown, bypassed_mx, attribution_failure, ndr_lost)\n",
                            cmd, t);
                    free(copy);
                    return -1;
                }
                a->kinds |= 1u << k;
            }
            free(copy);
        } else if (is_audit && !strcmp(arg, "--fail-on-findings")) {
            a->fail_on_findings = 1;
            continue;
        } else {
            fprintf(stderr, "mxaudit %s: unknown argument '%s'\n", cmd, arg);
            return -1;
        }
        i++;
    }
    if (a->now) {
        /* A day, or a time (its offset applied): the UTC day exceptions are judged on. */
        char stored[TIME_TEXT_MAX];
        if (parse_bound(a->now, 0, stored) != 0) {
            const char *env = getenv("MXAUDIT_NOW");
            fprintf(stderr, "mxaudit %s: %s '%s': expected YYYY-MM-DD or an ISO 8601 time\n", cmd,
                    env && a->now == env ? "$MXAUDIT_NOW" : "--now", a->now);
            return -1;
        }
        snprintf(a->today, sizeof a->today, "%.10s", stored);
        a->now = a->today;
    }
    return 0;
}

void warn_pending_correlation(sqlite3 *db, const char *cmd)
{
    int64_t n = postfix_pending(db);
    if (!n)
        return;
    if (n < 0)
        fprintf(stderr,
                "mxaudit %s: warning: an ingest stopped (or is still running) before it correlated the Postfix lines "
                "it stored\n",
                cmd);
    else
        fprintf(stderr,
                "mxaudit %s: warning: an ingest stopped (or is still running) before it correlated %lld Postfix queue "
                "id%s it stored\n",
                cmd, (long long)n, n == 1 ? "" : "s");
    fprintf(stderr,
            "mxaudit %s: findings that rest on Postfix may be missing; any ingest (even of a file already "
            "stored) finishes the work\n",
            cmd);
}

/* Loads the configuration and runs the audit; returns an exit code on failure, -1 on success. */
static int load_and_run(const char *cmd, const struct global_options *g, const struct audit_args *a,
                        struct config **cfg, struct audit_result *res)
{
    char err[1024];
    if (config_load(a->config, cfg, err, sizeof err) != 0) {
        fprintf(stderr, "mxaudit %s: %s\n", cmd, err);
        if (!strcmp(a->config, DEFAULT_CONFIG) && access(DEFAULT_CONFIG, F_OK) != 0)
            fprintf(stderr, "mxaudit %s: `mxaudit init` writes a template to start from\n", cmd);
        return EXIT_USAGE;
    }
    sqlite3 *db;
    const char *path = store_default_path(g->db_path);
    if (store_open(path, STORE_READONLY, &db, err, sizeof err) != 0) {
        fprintf(stderr, "mxaudit %s: %s\n", cmd, err);
        config_free(*cfg);
        return EXIT_DB;
    }
    warn_pending_correlation(db, cmd);
    struct audit_options opt = {a->has_since ? a->since : NULL, a->has_until ? a->until : NULL, a->kinds, a->now};
    int rc = audit_run(db, *cfg, &opt, res, err, sizeof err);
    store_close(db);
    if (rc != 0) {
        fprintf(stderr, "mxaudit %s: %s: %s\n", cmd, path, err);
        config_free(*cfg);
        return EXIT_DB;
    }
    return -1;
}

int cmd_audit(const struct global_options *g, int argc, char **argv)
{
    struct audit_args a;
    int p = parse_args("audit", argc, argv, 1, &a);
    if (p) {
        audit_usage(p > 0 ? stdout : stderr);
        return p > 0 ? EXIT_OK : EXIT_USAGE;
    }
    struct config *cfg;
    struct audit_result res;
    int rc = load_and_run("audit", g, &a, &cfg, &res);
    if (rc >= 0)
        return rc;
    errno = 0; /* see cli_stdout_done */
    if (!strcmp(a.format, "json"))
        audit_render_json(stdout, &res);
    else if (!strcmp(a.format, "csv"))
        audit_render_csv(stdout, &res);
    else
        audit_render_text(stdout, &res);
    rc = EXIT_OK;
    if (cli_stdout_done("audit") != 0)
        rc = EXIT_USAGE;
    else if (a.fail_on_findings && res.n > res.excepted)
        rc = EXIT_FINDINGS;
    audit_result_free(&res);
    config_free(cfg);
    return rc;
}

int cmd_precheck(const struct global_options *g, int argc, char **argv)
{
    struct audit_args a;
    int p = parse_args("precheck", argc, argv, 0, &a);
    if (p) {
        precheck_usage(p > 0 ? stdout : stderr);
        return p > 0 ? EXIT_OK : EXIT_USAGE;
    }
    /* The verdict is on the receiving side: the sending side's searches are skipped. */
    a.kinds = FINDING_RECEIVING_KINDS;
    struct config *cfg;
    struct audit_result res;
    int rc = load_and_run("precheck", g, &a, &cfg, &res);
    if (rc >= 0)
        return rc;
    if (!cfg->has_gateway) {
        /* Without a gateway the MX is Exchange Online itself: nothing to close. */
        fprintf(stderr,
                "mxaudit precheck: %s has no [gateway]: the MX is Exchange Online itself, so there is no back "
                "door to close; `mxaudit audit` lists what reaches on-prem Exchange directly\n",
                a.config);
        audit_result_free(&res);
        config_free(cfg);
        return EXIT_USAGE;
    }
    struct precheck_result pre;
    audit_precheck(cfg, &res, &pre);
    errno = 0; /* see cli_stdout_done */
    if (!strcmp(a.format, "json"))
        precheck_render_json(stdout, &pre);
    else
        precheck_render_text(stdout, &pre);
    rc = pre.safe ? EXIT_OK : EXIT_FINDINGS;
    if (cli_stdout_done("precheck") != 0)
        rc = EXIT_USAGE;
    precheck_result_free(&pre);
    audit_result_free(&res);
    config_free(cfg);
    return rc;
}

int cmd_init(const struct global_options *g, int argc, char **argv)
{
    const char *path = DEFAULT_CONFIG;
    int force = 0;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            init_usage(stdout);
            return EXIT_OK;
        } else if (!strcmp(argv[i], "--force")) {
            force = 1;
        } else if (!strcmp(argv[i], "--config") && i + 1 < argc) {
            path = argv[++i];
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "mxaudit init: unknown argument '%s'\n", argv[i]);
            init_usage(stderr);
            return EXIT_USAGE;
        } else {
            path = argv[i];
        }
    }
    int fd = open(path, O_WRONLY | O_CREAT | (force ? O_TRUNC : O_EXCL), 0644);
    if (fd < 0) {
        if (errno == EEXIST)
            fprintf(stderr, "mxaudit init: %s exists; keeping it (--force overwrites)\n", path);
        else
            fprintf(stderr, "mxaudit init: %s: %s\n", path, strerror(errno));
        return EXIT_USAGE;
    }
    FILE *f = fdopen(fd, "w");
    if (!f || fputs(config_template, f) == EOF || fclose(f) != 0) {
        fprintf(stderr, "mxaudit init: %s: %s\n", path, strerror(errno));
        return EXIT_USAGE;
    }
    if (!g->quiet)
        fprintf(stderr, "mxaudit init: wrote %s; edit [organization] domains, [gateway] and [onprem]\n", path);
    return EXIT_OK;
}
