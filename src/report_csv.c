/*
 * report_csv.c - the report as one CSV table (see report.h).
 *
 * Every row, not a top-N, in one long table a spreadsheet filters by its
 * first column: period, source, coverage (one row per stream and day; a
 * count of 0 is a gap), total, day, kind, kind_day, sender, sender_gone,
 * sender_domain, service, network, verdict, precheck, finding. Columns a
 * section does not use are empty. Times are ISO 8601 UTC; line ends CRLF
 * (RFC 4180); every cell goes through escape_csv (formula neutralising).
 */
#include "report.h"

#include "audit_render.h"
#include "escape.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

enum col {
    C_SECTION,
    C_DAY,
    C_KIND,
    C_NAME,
    C_DETAIL,
    C_COUNT,
    C_PREVIOUS,
    C_SHARE,
    C_FIRST,
    C_LAST,
    C_MESSAGE_ID,
    C_SENDER,
    C_RECIPIENTS,
    C_SUBJECT,
    C_ENTRY,
    C_CLIENT_IP,
    C_SOURCE_NET,
    C_SERVICE,
    C_EXCEPTED,
    C_EXC_REASON,
    C_EXC_UNTIL,
    C_ORIG_ID,
    C_ORIG_HOST,
    C_RECIPIENT,
    C_ATTEMPTS,
    C_REPLY,
    C_DSN,
    C_SMARTHOST,
    C_EVIDENCE,
    C_HOST,
    C_TIME_ZONE,
    NCOL
};

static const char *const header[NCOL] = {
    "section",
    "day",
    "kind",
    "name",
    "detail",
    "count",
    "previous",
    "share",
    "first_seen",
    "last_seen",
    "message_id",
    "sender",
    "recipients",
    "subject",
    "entry",
    "client_ip",
    "source_net",
    "service",
    "excepted",
    "exception_reason",
    "exception_until",
    "original_message_id",
    "original_host",
    "recipient",
    "attempts",
    "reply",
    "dsn",
    "smarthost",
    "evidence",
    "host",
    "time_zone",
};

struct row {
    const char *c[NCOL];
    char buf[NCOL][40]; /* numbers and times */
};

static void row_start(struct row *r, const char *section)
{
    memset(r, 0, sizeof *r);
    r->c[C_SECTION] = section;
}

static void set_num(struct row *r, enum col c, long long v)
{
    snprintf(r->buf[c], sizeof r->buf[c], "%lld", v);
    r->c[c] = r->buf[c];
}

static void set_time(struct row *r, enum col c, const char *stored)
{
    if (!stored || !*stored)
        return;
    render_time_iso(stored, r->buf[c]);
    r->c[c] = r->buf[c];
}

static void row_write(FILE *out, const struct row *r)
{
    for (int i = 0; i < NCOL; i++) {
        if (i)
            putc(',', out);
        escape_csv(out, r->c[i]);
    }
    fputs("\r\n", out);
}

static void tallies(FILE *out, const struct report *rep, const char *section, const struct report_tally_list *l)
{
    struct row r;
    for (size_t i = 0; i < l->n; i++) {
        const struct report_tally *t = &l->items[i];
        row_start(&r, section);
        r.c[C_NAME] = t->name;
        r.c[C_DETAIL] = t->is_new ? (t->detail ? t->detail : "new") : t->detail;
        if (t->is_new && t->detail) {
            snprintf(r.buf[C_DETAIL], sizeof r.buf[C_DETAIL], "%s; new", t->detail);
            r.c[C_DETAIL] = r.buf[C_DETAIL];
        }
        set_num(&r, C_COUNT, (long long)t->count);
        if (rep->has_previous)
            set_num(&r, C_PREVIOUS, (long long)t->previous);
        set_time(&r, C_FIRST, t->first_seen);
        set_time(&r, C_LAST, t->last_seen);
        row_write(out, &r);
    }
}

static char *join(char *const *items, size_t n, const char *sep)
{
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(items[i]) + strlen(sep);
    char *s = xmalloc(len);
    s[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat(s, sep);
        strcat(s, items[i]);
    }
    return s;
}

static void finding_row(FILE *out, const struct finding *f)
{
    struct row r;
    row_start(&r, "finding");
    r.c[C_KIND] = finding_kind_name(f->kind);
    set_time(&r, C_FIRST, f->first_seen);
    set_time(&r, C_LAST, f->last_seen);
    r.c[C_MESSAGE_ID] = f->message_id;
    r.c[C_SENDER] = f->sender && !*f->sender ? "<>" : f->sender;
    char *rcpts = join(f->recipients, f->nrecipients, ";");
    r.c[C_RECIPIENTS] = rcpts;
    r.c[C_SUBJECT] = f->subject;
    r.c[C_ENTRY] = f->entry;
    r.c[C_CLIENT_IP] = f->client_ip;
    r.c[C_SOURCE_NET] = f->source_net;
    r.c[C_SERVICE] = f->service;
    r.c[C_EXCEPTED] = f->excepted ? "yes" : f->exception_expired ? "expired" : "no";
    r.c[C_EXC_REASON] = f->exception_reason;
    r.c[C_EXC_UNTIL] = f->exception_until;
    r.c[C_ORIG_ID] = f->original_message_id;
    /* on the sending side the finding's host is the relay that logged the
     * attempts, not an original's (as in mxaudit audit's CSV) */
    int sending = finding_is_sending(f);
    r.c[sending ? C_HOST : C_ORIG_HOST] = f->original_host;
    r.c[C_RECIPIENT] = f->recipient;
    if (sending)
        set_num(&r, C_ATTEMPTS, f->attempts);
    r.c[C_REPLY] = f->reply;
    r.c[C_DSN] = f->dsn;
    r.c[C_SMARTHOST] = f->smarthost;
    size_t len = 1;
    for (size_t j = 0; j < f->nevidence; j++)
        len += strlen(f->evidence[j].file) + 24;
    char *ev = xmalloc(len);
    ev[0] = '\0';
    for (size_t j = 0; j < f->nevidence; j++)
        sprintf(ev + strlen(ev), "%s%s:%lld", j ? ";" : "", f->evidence[j].file, f->evidence[j].line);
    r.c[C_EVIDENCE] = ev;
    row_write(out, &r);
    free(rcpts);
    free(ev);
}

int report_render_csv(FILE *out, const struct report *rep)
{
    struct row r;
    for (int i = 0; i < NCOL; i++) {
        if (i)
            putc(',', out);
        fputs(header[i], out);
    }
    fputs("\r\n", out);

    row_start(&r, "period");
    r.c[C_NAME] = rep->period.label;
    r.c[C_DETAIL] = rep->redacted ? "redacted: local parts are keyed hashes, subjects dropped" : NULL;
    set_num(&r, C_COUNT, rep->period.ndays);
    set_time(&r, C_FIRST, rep->period.since);
    set_time(&r, C_LAST, rep->period.until);
    set_time(&r, C_DAY, rep->generated_at);
    row_write(out, &r);
    row_start(&r, "generated");
    r.c[C_NAME] = "mxaudit " MXAUDIT_VERSION;
    set_time(&r, C_DAY, rep->generated_at);
    row_write(out, &r);
    row_start(&r, "configuration");
    r.c[C_NAME] = rep->config_path;
    r.c[C_DETAIL] = rep->config_sha256[0] ? rep->config_sha256 : NULL; /* SHA-256 of the file */
    row_write(out, &r);
    row_start(&r, "database");
    r.c[C_NAME] = rep->db_path;
    row_write(out, &r);
    for (int i = 0; i < REPORT_NSETTINGS; i++) {
        const char *key;
        char *text = report_setting_text(&rep->settings, i, NULL, &key);
        row_start(&r, "setting");
        r.c[C_NAME] = key;
        r.c[C_DETAIL] = text;
        row_write(out, &r);
        free(text);
    }
    row_start(&r, "previous_period");
    r.c[C_NAME] = rep->previous.label;
    r.c[C_DETAIL] = rep->has_previous ? "compared" : "not covered by the database";
    set_num(&r, C_COUNT, rep->previous_days_with_rows);
    set_time(&r, C_FIRST, rep->previous.since);
    set_time(&r, C_LAST, rep->previous.until);
    row_write(out, &r);

    for (size_t i = 0; i < rep->nsources; i++) {
        const struct report_source *s = &rep->sources[i];
        row_start(&r, "source");
        r.c[C_NAME] = s->path;
        r.c[C_KIND] = s->format;
        r.c[C_DETAIL] = s->hosts;
        r.c[C_TIME_ZONE] = s->time_zone;
        set_num(&r, C_COUNT, s->events);
        set_time(&r, C_FIRST, s->first_ts);
        set_time(&r, C_LAST, s->last_ts);
        row_write(out, &r);
    }
    for (size_t i = 0; i < rep->nstreams; i++) {
        const struct report_stream *s = &rep->streams[i];
        for (int d = 0; d < rep->period.ndays; d++) {
            row_start(&r, "coverage");
            r.c[C_DAY] = rep->days[d].day;
            r.c[C_KIND] = s->system;
            r.c[C_NAME] = s->host;
            r.c[C_DETAIL] = s->lines[d] ? NULL : "gap";
            set_num(&r, C_COUNT, s->lines[d]);
            row_write(out, &r);
        }
    }

    char share[16];
    size_t via_gateway = rep->inbound > rep->back_door ? rep->inbound - rep->back_door : 0;
    size_t prev_via_gateway = rep->prev_inbound > rep->prev_back_door ? rep->prev_inbound - rep->prev_back_door : 0;
    struct {
        const char *name;
        size_t now, before;
        int with_previous;
    } totals[] = {
        {"inbound", rep->inbound, rep->prev_inbound, 1},
        {"via_gateway", via_gateway, prev_via_gateway, 1},
        {"via_back_door", rep->back_door, rep->prev_back_door, 1},
        {"back_door_exo", rep->back_door_exo, 0, 0},
        {"back_door_onprem", rep->back_door_onprem, 0, 0},
        {"excepted", rep->excepted, 0, 0},
        {"exception_expired", rep->expired, 0, 0},
    };
    for (size_t i = 0; i < sizeof totals / sizeof totals[0]; i++) {
        row_start(&r, "total");
        r.c[C_NAME] = totals[i].name;
        set_num(&r, C_COUNT, (long long)totals[i].now);
        if (rep->has_previous && totals[i].with_previous)
            set_num(&r, C_PREVIOUS, (long long)totals[i].before);
        report_share(totals[i].now, rep->inbound, share, sizeof share);
        if (i > 0 && rep->inbound)
            r.c[C_SHARE] = share;
        row_write(out, &r);
    }
    for (int d = 0; d < rep->period.ndays; d++) {
        const struct report_day *day = &rep->days[d];
        row_start(&r, "day");
        r.c[C_DAY] = day->day;
        r.c[C_NAME] = "via_back_door";
        if (!day->has_rows) {
            r.c[C_DETAIL] = "no log rows"; /* count and share empty: no data, not none */
            row_write(out, &r);
            continue;
        }
        if (!day->entries_seen) {
            r.c[C_DETAIL] = "no Exchange log rows"; /* only gateway or relay logs: entries not seen */
            row_write(out, &r);
            continue;
        }
        set_num(&r, C_COUNT, (long long)day->back_door);
        report_share(day->back_door, day->inbound, share, sizeof share);
        r.c[C_SHARE] = day->inbound ? share : NULL; /* no share without inbound mail */
        snprintf(r.buf[C_DETAIL], sizeof r.buf[C_DETAIL], "of %zu inbound", day->inbound);
        r.c[C_DETAIL] = r.buf[C_DETAIL];
        row_write(out, &r);
    }
    for (int k = 0; k < FINDING_KIND_COUNT; k++) {
        char trend[32];
        row_start(&r, "kind");
        r.c[C_KIND] = finding_kind_name((enum finding_kind)k);
        r.c[C_NAME] = report_kind_title((enum finding_kind)k);
        set_num(&r, C_COUNT, (long long)rep->kind_counts[k]);
        if (rep->has_previous)
            set_num(&r, C_PREVIOUS, (long long)rep->prev_kind_counts[k]);
        report_trend(rep, rep->kind_counts[k], rep->prev_kind_counts[k], trend, sizeof trend);
        r.c[C_DETAIL] = trend;
        row_write(out, &r);
    }
    for (int d = 0; d < rep->period.ndays; d++)
        for (int k = 0; k < FINDING_KIND_COUNT; k++) {
            row_start(&r, "kind_day");
            r.c[C_DAY] = rep->days[d].day;
            r.c[C_KIND] = finding_kind_name((enum finding_kind)k);
            if (rep->days[d].has_rows)
                set_num(&r, C_COUNT, (long long)rep->days[d].by_kind[k]);
            row_write(out, &r);
        }
    tallies(out, rep, "sender", &rep->senders);
    tallies(out, rep, "sender_gone", &rep->senders_gone);
    tallies(out, rep, "sender_domain", &rep->sender_domains);
    tallies(out, rep, "service", &rep->services);
    tallies(out, rep, "network", &rep->networks);

    const struct precheck_result *pre = &rep->precheck;
    row_start(&r, "verdict");
    r.c[C_NAME] = precheck_verdict(pre);
    char detail[1024], judged[600];
    precheck_basis(pre, judged, sizeof judged);
    snprintf(detail, sizeof detail, "%s%s%s", precheck_reason(pre), judged[0] ? " " : "", judged);
    r.c[C_DETAIL] = detail;
    set_num(&r, C_COUNT, (long long)pre->cut_groups);
    row_write(out, &r);
    for (size_t i = 0; i < pre->n; i++) {
        const struct precheck_group *g = &pre->groups[i];
        row_start(&r, "precheck");
        r.c[C_KIND] = g->would_cut ? "would_cut" : "ok";
        r.c[C_NAME] = g->label;
        r.c[C_DETAIL] = g->advice;
        r.c[C_ENTRY] = g->entry;
        r.c[C_SOURCE_NET] = g->source_net;
        set_num(&r, C_COUNT, (long long)g->messages);
        snprintf(r.buf[C_EXCEPTED], sizeof r.buf[C_EXCEPTED], "%zu", g->excepted);
        r.c[C_EXCEPTED] = r.buf[C_EXCEPTED];
        char *ips = join(g->client_ips, g->nclient_ips, ";");
        r.c[C_CLIENT_IP] = ips;
        set_time(&r, C_FIRST, g->first_seen);
        set_time(&r, C_LAST, g->last_seen);
        row_write(out, &r);
        free(ips);
    }
    for (size_t i = 0; i < rep->audit.n; i++)
        finding_row(out, &rep->audit.findings[i]);
    return ferror(out) ? -1 : 0;
}
