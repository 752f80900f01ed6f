/*
 * cmd_report.c - the command `report`: reads the configuration, gathers the
 * report for a period (report.h) and writes it in every format asked for.
 * Exit codes are decided here and nowhere below.
 */
#include "cmd_audit.h"
#include "cmd_report.h"

#include "config.h"
#include "report.h"
#include "store.h"
#include "timeutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_CONFIG "mxaudit.conf"
#define MAX_OUTPUTS 8

static void usage(FILE *out)
{
    fprintf(out, "usage: mxaudit report [--config FILE] (--period P | --since DAY --until DAY)\n"
                 "                      [-o FILE]... [--format md|html|csv|json]\n"
                 "                      [--redact [--redact-key KEY]] [--generated-at T]\n"
                 "\n"
                 "Writes a compliance report for one period: the sources covered and their gaps,\n"
                 "inbound totals (via the gateway, via the back door), each finding kind with its\n"
                 "trend, the top back-door senders, services and networks, NDRs with their\n"
                 "originals, the sending side, the precheck verdict and every finding. When the\n"
                 "database has rows in the previous period of the same length, compares with it.\n"
                 "\n"
                 "  --config FILE      configuration (default: ./" DEFAULT_CONFIG ")\n"
                 "  --period P         YYYY-MM (a month), YYYY-Www (an ISO week) or YYYY-MM-DD\n"
                 "  --since DAY, --until DAY  a run of days YYYY-MM-DD, both included\n"
                 "                     (days are UTC days)\n"
                 "  -o, --output FILE  write to FILE, format by extension: .html (one self-contained\n"
                 "                     file with charts), .md, .csv, .json; repeatable\n"
                 "  --format FMT       the format for standard output when no -o is given\n"
                 "                     (default: md)\n"
                 "  --redact           replace the local parts of addresses by a keyed hash and drop\n"
                 "                     subjects; counts and domains stay\n"
                 "  --redact-key KEY   the hash key (default: $MXAUDIT_REDACT_KEY); the same key gives\n"
                 "                     the same pseudonyms in every report\n"
                 "  --generated-at T   the report's date, YYYY-MM-DD or ISO 8601 (default:\n"
                 "                     $SOURCE_DATE_EPOCH, else now); exceptions are judged on the\n"
                 "                     period's last day, or on this day if it is earlier\n"
                 "\n"
                 "Exit codes: 0 written, 2 bad arguments, configuration, or an output that cannot\n"
                 "be written, 4 database error.\n");
}

enum fmt { FMT_NONE, FMT_MD, FMT_HTML, FMT_CSV, FMT_JSON };

static enum fmt fmt_from_name(const char *s)
{
    if (!strcmp(s, "md") || !strcmp(s, "markdown"))
        return FMT_MD;
    if (!strcmp(s, "html") || !strcmp(s, "htm"))
        return FMT_HTML;
    if (!strcmp(s, "csv"))
        return FMT_CSV;
    if (!strcmp(s, "json"))
        return FMT_JSON;
    return FMT_NONE;
}

static enum fmt fmt_from_path(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash))
        return FMT_NONE;
    char ext[16];
    size_t n = strlen(dot + 1);
    if (n >= sizeof ext)
        return FMT_NONE;
    for (size_t i = 0; i <= n; i++)
        ext[i] = (char)(dot[1 + i] >= 'A' && dot[1 + i] <= 'Z' ? dot[1 + i] + 32 : dot[1 + i]);
    return fmt_from_name(ext);
}

static int render(FILE *out, enum fmt f, const struct report *rep)
{
    switch (f) {
    case FMT_HTML:
        return report_render_html(out, rep);
    case FMT_CSV:
        return report_render_csv(out, rep);
    case FMT_JSON:
        return report_render_json(out, rep);
    default:
        return report_render_markdown(out, rep);
    }
}

/* The report's date: --generated-at, else SOURCE_DATE_EPOCH (the
 * reproducible-builds convention: decimal seconds since the epoch), else now. */
static int generated_at(const char *arg, char *out)
{
    int64_t epoch;
    int ms, has_zone;
    if (arg) {
        char day[32];
        if (strlen(arg) == 10) { /* a bare day is its midnight, UTC */
            snprintf(day, sizeof day, "%sT00:00:00Z", arg);
            arg = day;
        }
        if (time_parse_iso(arg, strlen(arg), 1, &epoch, &ms, &has_zone) != strlen(arg))
            return -1;
        time_format(epoch, -1, out);
        return 0;
    }
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    if (sde && *sde) {
        char *end;
        errno = 0;
        long long v = strtoll(sde, &end, 10);
        if (*end || errno || v < 0)
            return -2;
        time_format((int64_t)v, -1, out);
        return 0;
    }
    time_format((int64_t)time(NULL), -1, out);
    return 0;
}

int cmd_report(const struct global_options *g, int argc, char **argv)
{
    const char *config_path = DEFAULT_CONFIG, *period = NULL, *since = NULL, *until = NULL;
    const char *outputs[MAX_OUTPUTS], *gen_arg = NULL, *key = NULL;
    enum fmt out_fmt[MAX_OUTPUTS], stdout_fmt = FMT_MD;
    int noutputs = 0, redact = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (cli_is_help(a)) {
            usage(stdout);
            return EXIT_OK;
        }
        if (!strcmp(a, "--redact")) {
            redact = 1;
            continue;
        }
        int takes = !strcmp(a, "--config") || !strcmp(a, "--period") || !strcmp(a, "--since") ||
                    !strcmp(a, "--until") || !strcmp(a, "-o") || !strcmp(a, "--output") || !strcmp(a, "--format") ||
                    !strcmp(a, "--redact-key") || !strcmp(a, "--generated-at");
        if (!takes) {
            fprintf(stderr, "mxaudit report: unknown argument '%s'\n", a);
            usage(stderr);
            return EXIT_USAGE;
        }
        if (!val) {
            fprintf(stderr, "mxaudit report: %s needs a value\n", a);
            return EXIT_USAGE;
        }
        i++;
        if (!strcmp(a, "--config")) {
            config_path = val;
        } else if (!strcmp(a, "--period")) {
            period = val;
        } else if (!strcmp(a, "--since")) {
            since = val;
        } else if (!strcmp(a, "--until")) {
            until = val;
        } else if (!strcmp(a, "--redact-key")) {
            key = val;
        } else if (!strcmp(a, "--generated-at")) {
            gen_arg = val;
        } else if (!strcmp(a, "--format")) {
            if ((stdout_fmt = fmt_from_name(val)) == FMT_NONE) {
                fprintf(stderr, "mxaudit report: unknown format '%s' (md, html, csv, json)\n", val);
                return EXIT_USAGE;
            }
        } else {
            if (noutputs == MAX_OUTPUTS) {
                fprintf(stderr, "mxaudit report: at most %d outputs\n", MAX_OUTPUTS);
                return EXIT_USAGE;
            }
            if ((out_fmt[noutputs] = fmt_from_path(val)) == FMT_NONE) {
                fprintf(stderr, "mxaudit report: %s: the extension must be .html, .md, .csv or .json\n", val);
                return EXIT_USAGE;
            }
            outputs[noutputs++] = val;
        }
    }

    char err[1024];
    struct report_options opt;
    memset(&opt, 0, sizeof opt);
    if (period && (since || until)) {
        fprintf(stderr, "mxaudit report: give --period or --since/--until, not both\n");
        return EXIT_USAGE;
    }
    if (period           ? report_period_parse(period, &opt.period, err, sizeof err)
        : since && until ? report_period_range(since, until, &opt.period, err, sizeof err)
                         : (snprintf(err, sizeof err, "a period is needed: --period P, or --since and --until"), -1)) {
        fprintf(stderr, "mxaudit report: %s\n", err);
        return EXIT_USAGE;
    }
    char gen[TIME_TEXT_MAX];
    int grc = generated_at(gen_arg, gen);
    if (grc != 0) {
        fprintf(stderr,
                grc == -1 ? "mxaudit report: --generated-at '%s': expected YYYY-MM-DD or an ISO 8601 time\n"
                          : "mxaudit report: SOURCE_DATE_EPOCH '%s': expected seconds since 1970\n",
                grc == -1 ? gen_arg : getenv("SOURCE_DATE_EPOCH"));
        return EXIT_USAGE;
    }
    opt.generated_at = gen;
    opt.config_path = config_path;
    if (redact) {
        if (!key)
            key = getenv("MXAUDIT_REDACT_KEY");
        if (!key || !*key) {
            fprintf(stderr, "mxaudit report: --redact needs a key: --redact-key KEY or $MXAUDIT_REDACT_KEY "
                            "(keep it secret and the same for every report)\n");
            return EXIT_USAGE;
        }
        opt.redact_key = key;
    }

    struct config *cfg;
    if (config_load(config_path, &cfg, err, sizeof err) != 0) {
        fprintf(stderr, "mxaudit report: %s\n", err);
        if (!strcmp(config_path, DEFAULT_CONFIG) && access(DEFAULT_CONFIG, F_OK) != 0)
            fprintf(stderr, "mxaudit report: `mxaudit init` writes a template to start from\n");
        return EXIT_USAGE;
    }
    sqlite3 *db;
    const char *db_path = store_default_path(g->db_path);
    if (store_open(db_path, STORE_READONLY, &db, err, sizeof err) != 0) {
        fprintf(stderr, "mxaudit report: %s\n", err);
        config_free(cfg);
        return EXIT_DB;
    }
    warn_pending_correlation(db, "report");
    opt.db_path = db_path;
    struct report rep;
    int rc = report_gather(db, cfg, &opt, &rep, err, sizeof err);
    store_close(db);
    config_free(cfg);
    if (rc != 0) {
        fprintf(stderr, "mxaudit report: %s: %s\n", db_path, err);
        return EXIT_DB;
    }

    int status = EXIT_OK;
    if (!noutputs) {
        if (render(stdout, stdout_fmt, &rep) != 0 || fflush(stdout) != 0) {
            fprintf(stderr, "mxaudit report: writing the report failed: %s\n", strerror(errno));
            status = EXIT_USAGE;
        }
    }
    for (int i = 0; i < noutputs; i++) {
        /* Written beside the target and renamed, so a reader never sees half a report. */
        size_t n = strlen(outputs[i]) + 8;
        char *tmp = malloc(n);
        if (!tmp) {
            status = EXIT_USAGE;
            break;
        }
        snprintf(tmp, n, "%s.tmp~", outputs[i]);
        FILE *f = fopen(tmp, "w");
        int ok = f && render(f, out_fmt[i], &rep) == 0;
        if (f && fclose(f) != 0)
            ok = 0;
        if (ok && rename(tmp, outputs[i]) != 0)
            ok = 0;
        if (!ok) {
            fprintf(stderr, "mxaudit report: %s: %s\n", outputs[i], strerror(errno));
            remove(tmp);
            status = EXIT_USAGE;
        } else if (!g->quiet) {
            fprintf(stderr, "mxaudit report: wrote %s\n", outputs[i]);
        }
        free(tmp);
    }
    report_free(&rep);
    return status;
}
