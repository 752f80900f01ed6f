/*
 * report.h - the compliance report: one data model, gathered once, and its
 * renderers.
 *
 * NAME
 *   report - everything `mxaudit report` shows for one period: the sources
 *   covered and their gaps, inbound totals (via the gateway, via the back
 *   door), findings per kind and day, the top back-door senders, services
 *   and networks, NDRs with their originals, the sending side, the precheck
 *   verdict, every finding, and the comparison with the previous period of
 *   the same length.
 * SUMMARY
 *   report_gather() is the only function here that reads the database (the
 *   canned queries queries/report_*.sql, and the audit of audit.h, which
 *   does all classification). The renderers (report_html.c, report_md.c,
 *   report_csv.c, report_json.c) only read the struct. Days are UTC days.
 *
 * Ownership: report_gather fills a struct report that the caller releases
 * with report_free; every string in it belongs to it. report_redact_* return
 * new strings the caller frees.
 * Errors: functions returning int return 0, or -1 with a message in err;
 * renderers return -1 when writing failed.
 */
#ifndef MXAUDIT_REPORT_H
#define MXAUDIT_REPORT_H

#include "audit.h"
#include "config.h"
#include "timeutil.h"

#include <sqlite3.h>
#include <stdio.h>

/* A run of whole UTC days. */
struct report_period {
    char since[TIME_TEXT_MAX]; /* first instant, stored form */
    char until[TIME_TEXT_MAX]; /* last instant ("... 23:59:59.999") */
    char first_day[11], last_day[11];
    char label[64]; /* "2026-11", "2026-W48", "2026-11-27" or "2026-11-23 to 2026-11-26" */
    int ndays;
    char kind; /* 'm' month, 'w' ISO week, 'd' days */
};

/* SPEC is "YYYY-MM", "YYYY-Www" (ISO 8601 week) or "YYYY-MM-DD". */
int report_period_parse(const char *spec, struct report_period *p, char *err, size_t errlen);
/* SINCE and UNTIL are days "YYYY-MM-DD", both included. */
int report_period_range(const char *since, const char *until, struct report_period *p, char *err, size_t errlen);
/* The period of the same length just before P: the previous month, week, or
 * the same number of days. */
void report_period_previous(const struct report_period *p, struct report_period *prev);

/* One input file with events in the period. */
struct report_source {
    char *path, *format, *hosts, *first_ts, *last_ts;
    char *time_zone;                   /* zone its zone-less local times were read in, or NULL */
    long long lines, events, rejected; /* whole file */
};

/* One log of one host, with its rows per day of the period. */
struct report_stream {
    char *system;     /* "postfix", "exchange", "exo" */
    char *host;       /* syslog host, Exchange server, EXO export format */
    long long *lines; /* [period.ndays] */
    long long total;
    int gap_days; /* days of the period without rows */
    char *gaps;   /* those days as ranges: "2026-11-01 to 2026-11-22, 2026-11-25"; "" for none */
};

struct report_day {
    char day[11];
    size_t inbound;   /* messages that entered Exchange for our domains */
    size_t back_door; /* of them, receiving-side findings */
    size_t by_kind[FINDING_KIND_COUNT];
    int has_rows;     /* some log has rows on the day: without, its zeros mean "no data", not "no mail" */
    int entries_seen; /* an Exchange log (on-prem or online) has rows: only then do inbound and back door count */
};

/* A counted name: a sender, service or network, with the previous period. */
struct report_tally {
    char *name;
    char *detail; /* networks: "internet" / "Exchange Online"; services: kind; may be NULL */
    size_t count, previous;
    int is_new; /* not seen in the previous period (only when it was compared) */
    char *first_seen, *last_seen;
};

struct report_tally_list {
    struct report_tally *items; /* count descending, then name */
    size_t n;
};

struct report_options {
    struct report_period period;
    const char *generated_at; /* stored form; also the day exceptions are judged against */
    const char *config_path;  /* shown in the report */
    const char *db_path;      /* the database as given, shown in the report */
    const char *redact_key;   /* non-NULL: redact with this HMAC key */
};

/* What the verdicts rest on, from the configuration, so that a reader can
 * hold them against the real gateways, servers and connectors. Networks in
 * canonical form (a host without its length). */
struct report_settings {
    int has_gateway; /* a [gateway] section: without, the MX is Exchange Online */
    char **gateway_hosts, **gateway_ips, **gateway_connectors, **onprem_ips;
    size_t ngateway_hosts, ngateway_ips, ngateway_connectors, nonprem_ips;
    char **exo_configured; /* [exchange_online] ips, beside the built-in list */
    size_t nexo_configured;
    size_t exo_builtin;     /* networks in the built-in Exchange Online list */
    const char *exo_date;   /* the day that list was checked */
    size_t senders_builtin; /* notification senders in the built-in catalogue */
    size_t senders_configured;
    const char *senders_date;
};

struct report {
    struct report_period period, previous;
    int has_previous; /* the database has rows in the previous period */
    int previous_days_with_rows;
    char generated_at[TIME_TEXT_MAX];
    char *config_path;
    char config_sha256[65]; /* of the configuration file's bytes, so a later edit shows; "" when unreadable */
    char *db_path;          /* "" when not given */
    struct report_settings settings;
    char **domains; /* [organization] domains */
    size_t ndomains;
    int redacted;
    struct report_source *sources;
    size_t nsources;
    struct report_stream *streams;
    size_t nstreams;
    int days_without_rows;   /* days of the period on which no stream has rows */
    struct report_day *days; /* [period.ndays] */
    size_t inbound, back_door, back_door_exo, back_door_onprem;
    size_t prev_inbound, prev_back_door;
    size_t kind_counts[FINDING_KIND_COUNT], prev_kind_counts[FINDING_KIND_COUNT];
    size_t excepted;
    size_t expired;                          /* findings an exception matches whose day has passed */
    struct report_tally_list senders;        /* every back-door sender */
    struct report_tally_list senders_gone;   /* back-door senders of the previous period not seen now */
    struct report_tally_list services;       /* notification services (known by name, unknown by domain) */
    struct report_tally_list networks;       /* connecting networks (/24, /48) */
    struct report_tally_list sender_domains; /* back-door sender domains (the "top sources" chart) */
    struct audit_result audit;               /* every finding of the period (redacted when asked) */
    struct precheck_result precheck;
};

int report_gather(sqlite3 *db, const struct config *cfg, const struct report_options *opt, struct report *rep,
                  char *err, size_t errlen);
void report_free(struct report *rep);

/* ADDR with its local part replaced by "anon-" and 12 hex digits of
 * HMAC-SHA256(KEY, lower-cased local part); "" and NULL stay as they are. */
char *report_redact_address(const char *key, const char *addr);
/* TEXT with every address-like "local@domain" in it redacted as above. */
char *report_redact_text(const char *key, const char *text);

/* The settings as header lines: the gateway ("hosts mx1.example; IPs
 * 192.0.2.25; connector From Gateway", or "none: ..."), the on-prem
 * networks, the Exchange Online ranges, the notification catalogue. */
enum { REPORT_SET_GATEWAY, REPORT_SET_ONPREM, REPORT_SET_EXO, REPORT_SET_SENDERS, REPORT_NSETTINGS };
/* Setting I's text, which the caller frees; its label ("Gateway (the MX)")
 * and CSV name ("gateway") in *LABEL and *KEY when not NULL. */
char *report_setting_text(const struct report_settings *s, int i, const char **label, const char **key);

/* Human sentences shared by the renderers. */
const char *report_kind_title(enum finding_kind k);   /* "NDRs delivered straight to the tenant" */
const char *report_kind_meaning(enum finding_kind k); /* what it means and what to do, one sentence */
/* "up 3", "down 2", "new", "gone", "same" or "" when there is no previous period. */
void report_trend(const struct report *rep, size_t now, size_t before, char *out, size_t outlen);
/* How many of L's items with a count a top list shows: the first N, and
 * those tied with the N-th up to MAX in all, so that a cut does not fall
 * arbitrarily inside a tie; *TIED_HIDDEN counts the tied ones beyond MAX. */
size_t report_top_shown(const struct report_tally_list *l, size_t n, size_t max, size_t *tied_hidden);
/* The label of the inbound mail that did not come through the back door:
 * through the gateway, or, without a [gateway], through Exchange Online as
 * the MX. */
const char *report_via_gateway_label(const struct report *rep);
/* Per mille share as "12.5%" ("–" when the total is 0: no share at all). */
void report_share(size_t part, size_t total, char *out, size_t outlen);
/* PART of TOTAL in thousandths, rounded half up; 0 when TOTAL is 0. */
unsigned long long report_permille(size_t part, size_t total);
/* The summary's opening sentence (Markdown/HTML-free text): whether mail
 * bypassed the MX, and, when none did, whether that makes the report
 * evidence of a closed door or what keeps it from being so (no [gateway],
 * days without log rows, logs with gaps, sending-side findings, a precheck
 * that is not safe). Returns 1 when the report may be filed as such evidence. */
int report_summary(const struct report *rep, char *out, size_t outlen);

/* The renderers. Generated-at and the version appear in each; nothing
 * depends on the wall clock otherwise. */
int report_render_html(FILE *out, const struct report *rep);
int report_render_markdown(FILE *out, const struct report *rep);
int report_render_csv(FILE *out, const struct report *rep);
int report_render_json(FILE *out, const struct report *rep);

/* Inline SVG charts for the HTML report (report_svg.c). */
int report_svg_share_per_day(FILE *out, const struct report *rep);
int report_svg_kinds_per_day(FILE *out, const struct report *rep);
int report_svg_top_sources(FILE *out, const struct report *rep);
/* The colour of a finding kind in charts and legends ("#rrggbb"). */
const char *report_kind_colour(enum finding_kind k);

#endif
