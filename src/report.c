/*
 * report.c - gathering the compliance report from the database and the
 * audit (see report.h). Renderers live in report_*.c.
 */
#include "report.h"

#include "embedded.h"
#include "builtin_data.h"
#include "ipaddr.h"
#include "sha256.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- periods ---- */

static int64_t day_epoch(const char *day)
{
    return time_from_civil(atoi(day), atoi(day + 5), atoi(day + 8), 0, 0, 0);
}

static int is_day(const char *s)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return 0;
    return time_valid_date(atoi(s), atoi(s + 5), atoi(s + 8));
}

static void format_day(int64_t epoch, char out[11])
{
    char buf[TIME_TEXT_MAX];
    time_format(epoch, -1, buf);
    memcpy(out, buf, 10);
    out[10] = '\0';
}

/* Fills P from the first day's epoch and a number of days. */
static void period_fill(struct report_period *p, int64_t first, int ndays, char kind)
{
    p->ndays = ndays;
    p->kind = kind;
    time_format(first, -1, p->since);
    time_format(first + (int64_t)ndays * 86400 - 1, 999, p->until);
    format_day(first, p->first_day);
    format_day(first + (int64_t)(ndays - 1) * 86400, p->last_day);
    if (kind == 'm')
        snprintf(p->label, sizeof p->label, "%.7s", p->first_day);
    else if (kind == 'd' && ndays == 1)
        snprintf(p->label, sizeof p->label, "%s", p->first_day);
    else if (kind == 'd')
        snprintf(p->label, sizeof p->label, "%s to %s", p->first_day, p->last_day);
}

static int days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ? 29 : dm[m - 1];
}

/* Monday of ISO 8601 week 1: the week holding January 4th. */
static int64_t iso_week1_monday(int year)
{
    int64_t jan4 = time_from_civil(year, 1, 4, 0, 0, 0);
    int wday = (int)(((jan4 / 86400) % 7 + 7 + 3) % 7); /* 1970-01-01 was a Thursday: 0 = Monday */
    return jan4 - (int64_t)wday * 86400;
}

static void week_label(struct report_period *p, int64_t monday)
{
    /* The ISO year is the year of the week's Thursday. */
    char thu[11];
    format_day(monday + 3 * 86400, thu);
    int year = atoi(thu);
    int week = (int)((monday - iso_week1_monday(year)) / (7 * 86400)) + 1;
    snprintf(p->label, sizeof p->label, "%04d-W%02d", year, week);
}

int report_period_parse(const char *spec, struct report_period *p, char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    size_t len = strlen(spec);
    if (len == 7 && isdigit((unsigned char)spec[0]) && spec[4] == '-' && isdigit((unsigned char)spec[5]) &&
        isdigit((unsigned char)spec[6])) {
        int y = atoi(spec), m = atoi(spec + 5);
        if (y >= 1970 && m >= 1 && m <= 12) {
            period_fill(p, time_from_civil(y, m, 1, 0, 0, 0), days_in_month(y, m), 'm');
            return 0;
        }
    } else if (len == 8 && spec[4] == '-' && (spec[5] == 'W' || spec[5] == 'w') && isdigit((unsigned char)spec[6]) &&
               isdigit((unsigned char)spec[7])) {
        int y = atoi(spec), w = atoi(spec + 6);
        int weeks = (iso_week1_monday(y + 1) - iso_week1_monday(y)) / (7 * 86400) == 53 ? 53 : 52;
        if (y >= 1970 && w >= 1 && w <= weeks) {
            int64_t monday = iso_week1_monday(y) + (int64_t)(w - 1) * 7 * 86400;
            period_fill(p, monday, 7, 'w');
            week_label(p, monday);
            return 0;
        }
    } else if (is_day(spec)) {
        period_fill(p, day_epoch(spec), 1, 'd');
        return 0;
    }
    snprintf(err, errlen, "period '%s': expected YYYY-MM, YYYY-Www or YYYY-MM-DD", spec);
    return -1;
}

int report_period_range(const char *since, const char *until, struct report_period *p, char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    if (!is_day(since) || !is_day(until)) {
        snprintf(err, errlen, "--since/--until '%s': expected a day YYYY-MM-DD", is_day(since) ? until : since);
        return -1;
    }
    int64_t a = day_epoch(since), b = day_epoch(until);
    if (b < a) {
        snprintf(err, errlen, "--until %s is before --since %s", until, since);
        return -1;
    }
    if ((b - a) / 86400 >= 3660) {
        snprintf(err, errlen, "a period of more than ten years is not a report");
        return -1;
    }
    period_fill(p, a, (int)((b - a) / 86400) + 1, 'd');
    return 0;
}

void report_period_previous(const struct report_period *p, struct report_period *prev)
{
    memset(prev, 0, sizeof *prev);
    int64_t first = day_epoch(p->first_day);
    if (p->kind == 'm') {
        int y = atoi(p->first_day), m = atoi(p->first_day + 5) - 1;
        if (m == 0)
            m = 12, y--;
        period_fill(prev, time_from_civil(y, m, 1, 0, 0, 0), days_in_month(y, m), 'm');
    } else if (p->kind == 'w') {
        period_fill(prev, first - 7 * 86400, 7, 'w');
        week_label(prev, first - 7 * 86400);
    } else {
        period_fill(prev, first - (int64_t)p->ndays * 86400, p->ndays, 'd');
    }
}

/* ---- redaction ---- */

static int is_local_char(unsigned char c)
{
    return isalnum(c) || (c && strchr("!#$%&'*+/=?^_`{|}~.-", c)) || c >= 0x80;
}

static int is_domain_char(unsigned char c)
{
    return isalnum(c) || c == '.' || c == '-' || c >= 0x80;
}

static void append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (*len + n + 1 > *cap) {
        *cap = (*len + n + 1) * 2;
        *buf = xrealloc(*buf, *cap);
    }
    memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[*len] = '\0';
}

static void pseudonym(const char *key, const char *local, size_t n, char out[32])
{
    char *lower = xstrndup(local, n);
    for (char *p = lower; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    unsigned char mac[SHA256_DIGEST_SIZE];
    hmac_sha256(key, strlen(key), lower, n, mac);
    free(lower);
    char hex[13];
    sha256_hex(mac, 6, hex);
    snprintf(out, 32, "anon-%s", hex);
}

char *report_redact_address(const char *key, const char *addr)
{
    if (!addr)
        return NULL;
    if (!*addr)
        return xstrdup("");
    const char *at = strrchr(addr, '@');
    size_t n = at ? (size_t)(at - addr) : strlen(addr);
    char name[32];
    pseudonym(key, addr, n, name);
    size_t dl = at ? strlen(at) : 0;
    char *out = xmalloc(strlen(name) + dl + 1);
    memcpy(out, name, strlen(name));
    memcpy(out + strlen(name), at ? at : "", dl + 1);
    return out;
}

char *report_redact_text(const char *key, const char *text)
{
    if (!text)
        return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    const char *done = text;
    for (const char *p = text; *p; p++) {
        if (*p != '@' || p == text)
            continue;
        const char *l = p;
        while (l > done && is_local_char((unsigned char)l[-1]))
            l--;
        const char *d = p + 1;
        while (is_domain_char((unsigned char)*d))
            d++;
        if (l == p || d == p + 1)
            continue;
        char name[32];
        pseudonym(key, l, (size_t)(p - l), name);
        append(&buf, &len, &cap, done, (size_t)(l - done));
        append(&buf, &len, &cap, name, strlen(name));
        done = p;
    }
    append(&buf, &len, &cap, done, strlen(done));
    return buf;
}

static void redact_field(const char *key, char **field, int address)
{
    if (!*field)
        return;
    char *r = address ? report_redact_address(key, *field) : report_redact_text(key, *field);
    free(*field);
    *field = r;
}

static void redact_result(const char *key, struct audit_result *res)
{
    for (size_t i = 0; i < res->n; i++) {
        struct finding *f = &res->findings[i];
        redact_field(key, &f->sender, 1);
        for (size_t j = 0; j < f->nrecipients; j++)
            redact_field(key, &f->recipients[j], 1);
        redact_field(key, &f->recipient, 1);
        /* A Message-ID has the form of an address and often names a person. */
        redact_field(key, &f->message_id, 1);
        redact_field(key, &f->original_message_id, 1);
        free(f->subject);
        f->subject = NULL;
        redact_field(key, &f->reply, 0);
        redact_field(key, &f->exception_reason, 0);
    }
}

/* ---- small helpers ---- */

static char *dup_col(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return xstrdup(t ? (const char *)t : "");
}

static int prepare(sqlite3 *db, const char *name, const struct report_period *p, sqlite3_stmt **st, char *err,
                   size_t errlen)
{
    const char *sql = embedded_query(name);
    if (!sql) {
        snprintf(err, errlen, "query %s is not built in", name);
        return -1;
    }
    if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "query %s: %s", name, sqlite3_errmsg(db));
        return -1;
    }
    int i = sqlite3_bind_parameter_index(*st, ":since");
    if (i)
        sqlite3_bind_text(*st, i, p->since, -1, SQLITE_TRANSIENT);
    if ((i = sqlite3_bind_parameter_index(*st, ":until")))
        sqlite3_bind_text(*st, i, p->until, -1, SQLITE_TRANSIENT);
    return 0;
}

static int finish(sqlite3 *db, sqlite3_stmt *st, int rc, const char *name, char *err, size_t errlen)
{
    if (rc != SQLITE_DONE) {
        snprintf(err, errlen, "query %s: %s", name, sqlite3_errmsg(db));
        sqlite3_finalize(st);
        return -1;
    }
    sqlite3_finalize(st);
    return 0;
}

static int day_index(const struct report_period *p, const char *ts)
{
    if (!ts || strlen(ts) < 10)
        return -1;
    char day[11];
    memcpy(day, ts, 10);
    day[10] = '\0';
    if (!is_day(day))
        return -1;
    int64_t d = (day_epoch(day) - day_epoch(p->first_day)) / 86400;
    return d >= 0 && d < p->ndays ? (int)d : -1;
}

static int is_receiving(const struct finding *f)
{
    return f->kind <= FINDING_BYPASSED_MX;
}

/* ---- tallies ---- */

static struct report_tally *tally_add(struct report_tally_list *l, const char *name, const char *detail)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->items[i].name, name) &&
            !strcmp(l->items[i].detail ? l->items[i].detail : "", detail ? detail : ""))
            return &l->items[i];
    l->items = xrealloc(l->items, (l->n + 1) * sizeof *l->items);
    struct report_tally *t = &l->items[l->n++];
    memset(t, 0, sizeof *t);
    t->name = xstrdup(name);
    t->detail = detail ? xstrdup(detail) : NULL;
    return t;
}

static void tally_seen(struct report_tally *t, const struct finding *f, int previous)
{
    if (previous) {
        t->previous++;
        return;
    }
    t->count++;
    if (f->first_seen && (!t->first_seen || strcmp(f->first_seen, t->first_seen) < 0)) {
        free(t->first_seen);
        t->first_seen = xstrdup(f->first_seen);
    }
    if (f->last_seen && (!t->last_seen || strcmp(f->last_seen, t->last_seen) > 0)) {
        free(t->last_seen);
        t->last_seen = xstrdup(f->last_seen);
    }
}

static int cmp_tally(const void *a, const void *b)
{
    const struct report_tally *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    if (x->previous != y->previous)
        return x->previous < y->previous ? 1 : -1;
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->detail ? x->detail : "", y->detail ? y->detail : "");
}

static void tally_free(struct report_tally_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].name);
        free(l->items[i].detail);
        free(l->items[i].first_seen);
        free(l->items[i].last_seen);
    }
    free(l->items);
    memset(l, 0, sizeof *l);
}

static const char *sender_name(const struct finding *f)
{
    return !f->sender ? "(unknown)" : !*f->sender ? "<>" : f->sender;
}

static void sender_domain(const struct finding *f, char *out, size_t outlen)
{
    const char *at = f->sender ? strrchr(f->sender, '@') : NULL;
    snprintf(out, outlen, "%s", !f->sender ? "(unknown)" : !*f->sender ? "<>" : at ? at + 1 : f->sender);
    for (char *p = out; *p; p++)
        *p = (char)tolower((unsigned char)*p);
}

/* The /24 of an IPv4 address, the /48 of an IPv6 one; the text itself when
 * it is no address. */
static void network_of(const char *ip, char *out, size_t outlen)
{
    struct ip_addr a;
    if (!ip || ip_parse(ip, strlen(ip), &a) != 0) {
        snprintf(out, outlen, "%s", ip ? ip : "(unknown)");
        return;
    }
    int v4 = ip_is_v4(&a);
    memset(a.b + (v4 ? 15 : 6), 0, v4 ? 1 : 10);
    char text[64];
    ip_format(&a, text, sizeof text);
    snprintf(out, outlen, "%s/%d", text, v4 ? 24 : 48);
}

static void tally_result(struct report *rep, const struct audit_result *res, int previous)
{
    for (size_t i = 0; i < res->n; i++) {
        const struct finding *f = &res->findings[i];
        if (!is_receiving(f))
            continue;
        tally_seen(tally_add(previous ? &rep->senders_gone : &rep->senders, sender_name(f), NULL), f, previous);
        char buf[256];
        sender_domain(f, buf, sizeof buf);
        tally_seen(tally_add(&rep->sender_domains, buf, NULL), f, previous);
        if (f->kind == FINDING_NOTIFICATION_KNOWN && f->service)
            tally_seen(tally_add(&rep->services, f->service, "known"), f, previous);
        else if (f->kind == FINDING_NOTIFICATION_UNKNOWN)
            tally_seen(tally_add(&rep->services, buf, "unidentified"), f, previous);
        network_of(f->client_ip, buf, sizeof buf);
        tally_seen(tally_add(&rep->networks, buf,
                             f->source_net && !strcmp(f->source_net, "eop") ? "Exchange Online" : "internet"),
                   f, previous);
    }
}

/* Moves previous-only senders into senders_gone, current ones into senders. */
static void split_senders(struct report *rep)
{
    struct report_tally_list prev = rep->senders_gone;
    memset(&rep->senders_gone, 0, sizeof rep->senders_gone);
    for (size_t i = 0; i < prev.n; i++) {
        struct report_tally *p = &prev.items[i];
        struct report_tally *cur = NULL;
        for (size_t j = 0; j < rep->senders.n && !cur; j++)
            if (!strcmp(rep->senders.items[j].name, p->name))
                cur = &rep->senders.items[j];
        if (cur)
            cur->previous = p->previous;
        else
            tally_add(&rep->senders_gone, p->name, NULL)->previous = p->previous;
    }
    tally_free(&prev);
    if (rep->has_previous) {
        for (size_t j = 0; j < rep->senders.n; j++)
            rep->senders.items[j].is_new = rep->senders.items[j].previous == 0;
        struct report_tally_list *lists[] = {&rep->services, &rep->networks, &rep->sender_domains};
        for (size_t k = 0; k < 3; k++)
            for (size_t j = 0; j < lists[k]->n; j++)
                lists[k]->items[j].is_new = lists[k]->items[j].count && !lists[k]->items[j].previous;
    }
    /* Names seen only in the previous period stay in the other lists with count 0. */
    struct report_tally_list *all[] = {&rep->senders, &rep->senders_gone, &rep->services, &rep->networks,
                                       &rep->sender_domains};
    for (size_t k = 0; k < 5; k++)
        if (all[k]->n > 1)
            qsort(all[k]->items, all[k]->n, sizeof *all[k]->items, cmp_tally);
}

/* ---- coverage ---- */

static void gap_ranges(const struct report_period *p, const long long *lines, char **out, int *ngaps)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    append(&buf, &len, &cap, "", 0);
    *ngaps = 0;
    int64_t first = day_epoch(p->first_day);
    for (int i = 0; i < p->ndays;) {
        if (lines[i]) {
            i++;
            continue;
        }
        int j = i;
        while (j + 1 < p->ndays && !lines[j + 1])
            j++;
        char a[11], b[11], item[40];
        format_day(first + (int64_t)i * 86400, a);
        format_day(first + (int64_t)j * 86400, b);
        if (i == j)
            snprintf(item, sizeof item, "%s%s", len ? ", " : "", a);
        else
            snprintf(item, sizeof item, "%s%s to %s", len ? ", " : "", a, b);
        append(&buf, &len, &cap, item, strlen(item));
        *ngaps += j - i + 1;
        i = j + 1;
    }
    *out = buf;
}

static int stream_cmp(const void *a, const void *b)
{
    const struct report_stream *x = a, *y = b;
    int c = strcmp(x->system, y->system);
    return c ? c : strcmp(x->host, y->host);
}

/* A configured gateway host whose log has no row in the period is a log
 * missing for the whole period, not a log that is not there: it gets a
 * stream of its own, all gap. A syslog host is the name or its first label. */
/* 1 when syslog host A and host B name one host: the same name in any
 * case, or one is the other's first label (mx1 and mx1.example.com). */
static int same_syslog_host(const char *a, const char *b)
{
    if (!strcasecmp(a, b))
        return 1;
    size_t la = strcspn(a, "."), lb = strcspn(b, ".");
    return (!a[la] && la == lb && !strncasecmp(a, b, la)) || (!b[lb] && la == lb && !strncasecmp(a, b, lb));
}

/* 1 when the streams already hold the log of SYSTEM and HOST. */
static int has_stream(const struct report *rep, const char *system, const char *host)
{
    for (size_t i = 0; i < rep->nstreams; i++) {
        const struct report_stream *s = &rep->streams[i];
        if (!strcmp(s->system, system) &&
            (!strcmp(system, "postfix") ? same_syslog_host(s->host, host) : !strcmp(s->host, host)))
            return 1;
    }
    return 0;
}

static void add_silent_gateways(struct report *rep, const struct config *cfg)
{
    size_t before = rep->nstreams;
    for (size_t g = 0; g < cfg->ngateway_hosts; g++) {
        const char *name = cfg->gateway_hosts[g];
        size_t label = strcspn(name, ".");
        if (has_stream(rep, "postfix", name))
            continue;
        rep->streams = xrealloc(rep->streams, (rep->nstreams + 1) * sizeof *rep->streams);
        struct report_stream *s = &rep->streams[rep->nstreams++];
        memset(s, 0, sizeof *s);
        s->system = xstrdup("postfix");
        s->host = xstrndup(name, label);
        s->lines = xcalloc((size_t)rep->period.ndays, sizeof *s->lines);
    }
    if (rep->nstreams > before)
        qsort(rep->streams, rep->nstreams, sizeof *rep->streams, stream_cmp);
}

/* A log with rows in the previous period and none in this one was no
 * longer collected, or its host went away: like a silent gateway, it gets a
 * stream of its own, all gap. Counts the previous period's days with rows
 * (any log) on the way. */
static int add_silent_since_previous(sqlite3 *db, struct report *rep, char *err, size_t errlen)
{
    const struct report_period *p = &rep->previous;
    sqlite3_stmt *st;
    if (prepare(db, "report_coverage", p, &st, err, errlen) != 0)
        return -1;
    /* Rows come per stream, so a day repeats: keep a bitmap of days. */
    char *seen = xcalloc((size_t)p->ndays, 1);
    size_t before = rep->nstreams;
    int rc;
    rep->previous_days_with_rows = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int d = day_index(p, (const char *)sqlite3_column_text(st, 2));
        if (d >= 0 && !seen[d]) {
            seen[d] = 1;
            rep->previous_days_with_rows++;
        }
        const char *system = (const char *)sqlite3_column_text(st, 0);
        const char *host = (const char *)sqlite3_column_text(st, 1);
        system = system ? system : "";
        host = host ? host : "";
        if (has_stream(rep, system, host))
            continue;
        rep->streams = xrealloc(rep->streams, (rep->nstreams + 1) * sizeof *rep->streams);
        struct report_stream *s = &rep->streams[rep->nstreams++];
        memset(s, 0, sizeof *s);
        s->system = xstrdup(system);
        s->host = xstrdup(host);
        s->lines = xcalloc((size_t)rep->period.ndays, sizeof *s->lines);
    }
    free(seen);
    if (rep->nstreams > before)
        qsort(rep->streams, rep->nstreams, sizeof *rep->streams, stream_cmp);
    return finish(db, st, rc, "report_coverage", err, errlen);
}

static int gather_coverage(sqlite3 *db, const struct config *cfg, struct report *rep, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    if (prepare(db, "report_coverage", &rep->period, &st, err, errlen) != 0)
        return -1;
    int rc;
    long long *any = xcalloc((size_t)rep->period.ndays, sizeof *any);
    long long *exchange = xcalloc((size_t)rep->period.ndays, sizeof *exchange);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *system = (const char *)sqlite3_column_text(st, 0);
        const char *host = (const char *)sqlite3_column_text(st, 1);
        struct report_stream *s = rep->nstreams ? &rep->streams[rep->nstreams - 1] : NULL;
        if (!s || strcmp(s->system, system ? system : "") || strcmp(s->host, host ? host : "")) {
            rep->streams = xrealloc(rep->streams, (rep->nstreams + 1) * sizeof *rep->streams);
            s = &rep->streams[rep->nstreams++];
            memset(s, 0, sizeof *s);
            s->system = dup_col(st, 0);
            s->host = dup_col(st, 1);
            s->lines = xcalloc((size_t)rep->period.ndays, sizeof *s->lines);
        }
        int d = day_index(&rep->period, (const char *)sqlite3_column_text(st, 2));
        long long n = sqlite3_column_int64(st, 3);
        if (d >= 0) {
            s->lines[d] += n;
            any[d] += n;
            if (strcmp(s->system, "postfix"))
                exchange[d] += n;
        }
        s->total += n;
    }
    int failed = finish(db, st, rc, "report_coverage", err, errlen) != 0;
    if (!failed) {
        add_silent_gateways(rep, cfg);
        failed = add_silent_since_previous(db, rep, err, errlen) != 0;
    }
    if (failed) {
        free(any);
        free(exchange);
        return -1;
    }
    for (size_t i = 0; i < rep->nstreams; i++)
        gap_ranges(&rep->period, rep->streams[i].lines, &rep->streams[i].gaps, &rep->streams[i].gap_days);
    for (int d = 0; d < rep->period.ndays; d++) {
        rep->days[d].has_rows = any[d] > 0;
        rep->days[d].entries_seen = exchange[d] > 0;
        rep->days_without_rows += !any[d];
    }
    free(any);
    free(exchange);
    return 0;
}

static int gather_sources(sqlite3 *db, struct report *rep, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    if (prepare(db, "report_sources", &rep->period, &st, err, errlen) != 0)
        return -1;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        rep->sources = xrealloc(rep->sources, (rep->nsources + 1) * sizeof *rep->sources);
        struct report_source *s = &rep->sources[rep->nsources++];
        s->path = dup_col(st, 0);
        s->format = dup_col(st, 1);
        s->first_ts = dup_col(st, 2);
        s->last_ts = dup_col(st, 3);
        s->lines = sqlite3_column_int64(st, 4);
        s->events = sqlite3_column_int64(st, 5);
        s->rejected = sqlite3_column_int64(st, 6);
        s->hosts = dup_col(st, 7);
        s->time_zone = sqlite3_column_type(st, 8) == SQLITE_NULL ? NULL : dup_col(st, 8);
    }
    return finish(db, st, rc, "report_sources", err, errlen);
}

/* ---- inbound messages ---- */

static int column_named(sqlite3_stmt *st, const char *name)
{
    for (int i = 0; i < sqlite3_column_count(st); i++)
        if (!strcmp(sqlite3_column_name(st, i), name))
            return i;
    return -1;
}

/* One entry row of count_inbound. */
struct inbound_row {
    char *key, *ts;
    int own;
};

static int cmp_inbound_row(const void *a, const void *b)
{
    const struct inbound_row *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : strcmp(x->ts, y->ts);
}

/* Whether the entry row EVENT_ID has a recipient in our domains: 0, 1, or -1. */
static int has_own_recipient(sqlite3_stmt *rcpt, const struct config *cfg, sqlite3_int64 event_id)
{
    sqlite3_reset(rcpt);
    sqlite3_bind_int64(rcpt, sqlite3_bind_parameter_index(rcpt, ":event_id"), event_id);
    int rc = SQLITE_DONE, own = 0;
    while (!own && (rc = sqlite3_step(rcpt)) == SQLITE_ROW) {
        const char *addr = (const char *)sqlite3_column_text(rcpt, 0);
        const char *at = addr ? strchr(addr, '@') : NULL;
        own = at && config_is_own_domain(cfg, at + 1);
    }
    return own || rc == SQLITE_DONE ? own : -1;
}

/* Counts inbound messages per day with the audit's own definition of an
 * entry (queries/inbound_entries.sql): one message per identity with a
 * recipient in our domains, on the day of its first entry; entries from
 * [onprem] (our own servers: internal or hybrid mail) are not inbound. */
static int count_inbound(sqlite3 *db, const struct config *cfg, const struct report_period *p, size_t *total,
                         struct report_day *days, char *err, size_t errlen)
{
    sqlite3_stmt *st, *rcpt;
    if (prepare(db, "entry_recipients", p, &rcpt, err, errlen) != 0)
        return -1;
    if (prepare(db, "inbound_entries", p, &st, err, errlen) != 0) {
        sqlite3_finalize(rcpt);
        return -1;
    }
    int ckey = column_named(st, "msg_key"), cts = column_named(st, "ts"), cid = column_named(st, "event_id"),
        cip = column_named(st, "client_ip");
    if (ckey < 0 || cts < 0 || cid < 0 || cip < 0) {
        sqlite3_finalize(st);
        sqlite3_finalize(rcpt);
        snprintf(err, errlen, "query inbound_entries lacks msg_key, ts, event_id or client_ip");
        return -1;
    }
    /* The rows come in no order: gathered, then sorted by identity and time. */
    struct inbound_row *rows = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (ipset_contains_text(cfg->onprem_ips, (const char *)sqlite3_column_text(st, cip)))
            continue;
        int own = has_own_recipient(rcpt, cfg, sqlite3_column_int64(st, cid));
        if (own < 0) {
            snprintf(err, errlen, "query entry_recipients: %s", sqlite3_errmsg(db));
            break;
        }
        if (n == cap)
            rows = xrealloc(rows, (cap = cap ? cap * 2 : 1024) * sizeof *rows);
        const char *k = (const char *)sqlite3_column_text(st, ckey), *ts = (const char *)sqlite3_column_text(st, cts);
        rows[n++] = (struct inbound_row){xstrdup(k ? k : ""), xstrdup(ts ? ts : ""), own};
    }
    sqlite3_finalize(rcpt);
    int status = rc == SQLITE_ROW ? -1 : 0; /* broke out on a recipient query error */
    if (status == 0 && n)
        qsort(rows, n, sizeof *rows, cmp_inbound_row);
    *total = 0;
    for (size_t i = 0; i < n && status == 0;) {
        size_t j = i;
        int own = 0;
        for (; j < n && !strcmp(rows[j].key, rows[i].key); j++)
            own |= rows[j].own;
        if (own) {
            (*total)++;
            int d = day_index(p, rows[i].ts);
            if (days && d >= 0)
                days[d].inbound++;
        }
        i = j;
    }
    for (size_t i = 0; i < n; i++) {
        free(rows[i].key);
        free(rows[i].ts);
    }
    free(rows);
    if (status != 0) {
        sqlite3_finalize(st);
        return -1;
    }
    return finish(db, st, rc, "inbound_entries", err, errlen);
}

/* ---- the settings the verdicts rest on ---- */

static char **copy_strings(char *const *v, size_t n)
{
    char **out = xcalloc(n + 1, sizeof *out);
    for (size_t i = 0; i < n; i++)
        out[i] = xstrdup(v[i]);
    return out;
}

/* The networks of SET from FROM on, as text. */
static char **net_strings(const struct ipset *set, size_t from, size_t *n)
{
    size_t have = set && set->n > from ? set->n - from : 0;
    char **out = xcalloc(have + 1, sizeof *out);
    for (size_t i = 0; i < have; i++) {
        char buf[64];
        ip_net_format(&set->nets[from + i], buf, sizeof buf);
        out[i] = xstrdup(buf);
    }
    *n = have;
    return out;
}

static void gather_settings(const struct config *cfg, struct report_settings *st)
{
    st->has_gateway = cfg->has_gateway;
    st->gateway_hosts = copy_strings(cfg->gateway_hosts, cfg->ngateway_hosts);
    st->ngateway_hosts = cfg->ngateway_hosts;
    st->gateway_connectors = copy_strings(cfg->gateway_connectors, cfg->ngateway_connectors);
    st->ngateway_connectors = cfg->ngateway_connectors;
    st->gateway_ips = net_strings(cfg->gateway_ips, 0, &st->ngateway_ips);
    st->onprem_ips = net_strings(cfg->onprem_ips, 0, &st->nonprem_ips);
    /* the built-in list comes first in exo_ranges, then [exchange_online] ips */
    while (builtin_exo_ranges[st->exo_builtin])
        st->exo_builtin++;
    st->exo_configured = net_strings(cfg->exo_ranges, st->exo_builtin, &st->nexo_configured);
    st->exo_date = builtin_exo_ranges_date;
    for (size_t i = 0; i < cfg->nsenders; i++) {
        if (cfg->senders[i].builtin)
            st->senders_builtin++;
        else
            st->senders_configured++;
    }
    st->senders_date = builtin_senders_date;
}

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void free_settings(struct report_settings *st)
{
    free_strings(st->gateway_hosts, st->ngateway_hosts);
    free_strings(st->gateway_ips, st->ngateway_ips);
    free_strings(st->gateway_connectors, st->ngateway_connectors);
    free_strings(st->onprem_ips, st->nonprem_ips);
    free_strings(st->exo_configured, st->nexo_configured);
}

static void put_list(FILE *f, const char *what, char *const *v, size_t n, int *parts)
{
    if (!n)
        return;
    fprintf(f, "%s%s ", (*parts)++ ? "; " : "", what);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s%s", i ? ", " : "", v[i]);
}

static void gateway_text(FILE *f, const struct report_settings *st)
{
    int parts = 0;
    if (!st->has_gateway) {
        fputs("none: the MX is Exchange Online itself", f);
        return;
    }
    put_list(f, "hosts", st->gateway_hosts, st->ngateway_hosts, &parts);
    put_list(f, "IPs", st->gateway_ips, st->ngateway_ips, &parts);
    put_list(f, st->ngateway_connectors == 1 ? "connector" : "connectors", st->gateway_connectors,
             st->ngateway_connectors, &parts);
    if (!parts)
        fputs("a [gateway] section without hosts, IPs or connectors", f);
}

static void onprem_text(FILE *f, const struct report_settings *st)
{
    int parts = 0;
    put_list(f, "IPs", st->onprem_ips, st->nonprem_ips, &parts);
    if (!parts)
        fputs("none: no server is trusted as on-prem Exchange", f);
}

static void exo_text(FILE *f, const struct report_settings *st)
{
    fprintf(f, "built-in list checked %s (%zu networks)", st->exo_date, st->exo_builtin);
    int parts = 1;
    put_list(f, "and from the configuration", st->exo_configured, st->nexo_configured, &parts);
}

static void senders_text(FILE *f, const struct report_settings *st)
{
    fprintf(f, "built-in catalogue checked %s (%zu senders)", st->senders_date, st->senders_builtin);
    if (st->senders_configured)
        fprintf(f, " and %zu from the configuration", st->senders_configured);
}

char *report_setting_text(const struct report_settings *s, int i, const char **label, const char **key)
{
    static const char *const labels[REPORT_NSETTINGS] = {"Gateway (the MX)", "On-prem Exchange",
                                                         "Exchange Online ranges", "Notification senders"};
    static const char *const keys[REPORT_NSETTINGS] = {"gateway", "onprem", "exchange_online_ranges",
                                                       "notification_senders"};
    if (label)
        *label = labels[i];
    if (key)
        *key = keys[i];
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return xstrdup("");
    static void (*const writer[REPORT_NSETTINGS])(FILE *, const struct report_settings *) = {gateway_text, onprem_text,
                                                                                             exo_text, senders_text};
    writer[i](f, s);
    fclose(f);
    return buf;
}

/* ---- the whole report ---- */

/* SHA-256 of the file at PATH as hex into OUT (65 bytes), or "" when it
 * cannot be read: the report names the configuration it judged by, and the
 * digest shows whether the file was edited since. */
static void config_digest(const char *path, char out[65])
{
    out[0] = '\0';
    FILE *f = *path ? fopen(path, "rb") : NULL;
    if (!f)
        return;
    struct sha256 c;
    sha256_init(&c);
    unsigned char buf[8192], digest[SHA256_DIGEST_SIZE];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        sha256_update(&c, buf, n);
    int bad = ferror(f);
    fclose(f);
    sha256_final(&c, digest);
    if (!bad)
        sha256_hex(digest, SHA256_DIGEST_SIZE, out);
}

/* The earlier of GENERATED_AT's day and LAST_DAY (both YYYY-MM-DD first),
 * into OUT. */
static void exception_day(const char *generated_at, const char *last_day, char out[11])
{
    snprintf(out, 11, "%.10s", strncmp(generated_at, last_day, 10) < 0 ? generated_at : last_day);
}

int report_gather(sqlite3 *db, const struct config *cfg, const struct report_options *opt, struct report *rep,
                  char *err, size_t errlen)
{
    memset(rep, 0, sizeof *rep);
    rep->period = opt->period;
    report_period_previous(&rep->period, &rep->previous);
    snprintf(rep->generated_at, sizeof rep->generated_at, "%s", opt->generated_at);
    rep->config_path = xstrdup(opt->config_path ? opt->config_path : "");
    config_digest(rep->config_path, rep->config_sha256);
    rep->db_path = xstrdup(opt->db_path ? opt->db_path : "");
    gather_settings(cfg, &rep->settings);
    rep->redacted = opt->redact_key != NULL;
    rep->ndomains = cfg->ndomains;
    rep->domains = xcalloc(cfg->ndomains + 1, sizeof *rep->domains);
    for (size_t i = 0; i < cfg->ndomains; i++)
        rep->domains[i] = xstrdup(cfg->domains[i]);
    rep->days = xcalloc((size_t)rep->period.ndays, sizeof *rep->days);
    for (int d = 0; d < rep->period.ndays; d++)
        format_day(day_epoch(rep->period.first_day) + (int64_t)d * 86400, rep->days[d].day);

    /* A report states the situation at the end of its period: exceptions
     * are judged on its last day (or on the report's day, if earlier), so
     * that a month reads the same whenever its report is made. */
    char judged_day[11];
    exception_day(opt->generated_at, rep->period.last_day, judged_day);
    struct audit_options ao = {rep->period.since, rep->period.until, 0, judged_day};
    if (audit_run(db, cfg, &ao, &rep->audit, err, errlen) != 0)
        goto fail;
    if (opt->redact_key)
        redact_result(opt->redact_key, &rep->audit);
    audit_precheck(cfg, &rep->audit, &rep->precheck);
    for (size_t i = 0; i < rep->audit.n; i++) {
        const struct finding *f = &rep->audit.findings[i];
        int d = day_index(&rep->period, f->first_seen);
        if (d >= 0)
            rep->days[d].by_kind[f->kind]++;
        if (is_receiving(f)) {
            rep->back_door++;
            *(f->entry && !strcmp(f->entry, "onprem") ? &rep->back_door_onprem : &rep->back_door_exo) += 1;
            if (d >= 0)
                rep->days[d].back_door++;
        }
    }
    memcpy(rep->kind_counts, rep->audit.counts, sizeof rep->kind_counts);
    rep->excepted = rep->audit.excepted;
    for (size_t i = 0; i < rep->audit.n; i++)
        rep->expired += rep->audit.findings[i].exception_expired != 0;
    if (count_inbound(db, cfg, &rep->period, &rep->inbound, rep->days, err, errlen) != 0 ||
        gather_coverage(db, cfg, rep, err, errlen) != 0 || gather_sources(db, rep, err, errlen) != 0)
        goto fail;
    tally_result(rep, &rep->audit, 0);

    rep->has_previous = rep->previous_days_with_rows > 0;
    if (rep->has_previous) {
        struct audit_result prev;
        char prev_day[11];
        exception_day(opt->generated_at, rep->previous.last_day, prev_day);
        struct audit_options po = {rep->previous.since, rep->previous.until, 0, prev_day};
        if (audit_run(db, cfg, &po, &prev, err, errlen) != 0)
            goto fail;
        if (opt->redact_key)
            redact_result(opt->redact_key, &prev);
        memcpy(rep->prev_kind_counts, prev.counts, sizeof rep->prev_kind_counts);
        for (size_t i = 0; i < prev.n; i++)
            rep->prev_back_door += is_receiving(&prev.findings[i]);
        tally_result(rep, &prev, 1);
        audit_result_free(&prev);
        if (count_inbound(db, cfg, &rep->previous, &rep->prev_inbound, NULL, err, errlen) != 0)
            goto fail;
    }
    split_senders(rep);
    return 0;
fail:
    report_free(rep);
    return -1;
}

void report_free(struct report *rep)
{
    free(rep->config_path);
    free(rep->db_path);
    free_settings(&rep->settings);
    for (size_t i = 0; i < rep->ndomains; i++)
        free(rep->domains[i]);
    free(rep->domains);
    for (size_t i = 0; i < rep->nsources; i++) {
        struct report_source *s = &rep->sources[i];
        free(s->path);
        free(s->format);
        free(s->hosts);
        free(s->time_zone);
        free(s->first_ts);
        free(s->last_ts);
    }
    free(rep->sources);
    for (size_t i = 0; i < rep->nstreams; i++) {
        free(rep->streams[i].system);
        free(rep->streams[i].host);
        free(rep->streams[i].lines);
        free(rep->streams[i].gaps);
    }
    free(rep->streams);
    free(rep->days);
    tally_free(&rep->senders);
    tally_free(&rep->senders_gone);
    tally_free(&rep->services);
    tally_free(&rep->networks);
    tally_free(&rep->sender_domains);
    audit_result_free(&rep->audit);
    precheck_result_free(&rep->precheck);
    memset(rep, 0, sizeof *rep);
}

/* ---- sentences shared by the renderers ---- */

static const char *const titles[FINDING_KIND_COUNT] = {
    "NDRs delivered straight to the tenant",
    "Known notification senders using the back door",
    "Machine-sent mail from unidentified services",
    "Other mail that bypassed the MX",
    "Outbound mail Exchange Online could not attribute",
    "NDRs that were lost",
};

static const char *const meanings[FINDING_KIND_COUNT] = {
    "Non-delivery reports about our outbound mail reached the tenant without passing the gateway: the "
    "sender's Exchange Online knows its relay by IP, not certificate, so its bounces are filed under our "
    "tenant. Closing the back door refuses them and nobody learns that our mail failed; ask those senders "
    "to match their relay by certificate.",
    "Services we know by name deliver their notifications past the MX; have them send through the gateway "
    "or from our own domain, or accept their loss with an exception, before the back door is closed.",
    "Machine-sent mail from services not in the catalogue arrives from Exchange Online past the MX; "
    "identify each service, then treat it like a known one.",
    "Ordinary mail, spam and spoofs of our own domains reached Exchange past the MX; closing the back door "
    "it came through stops it (on-prem Exchange needs its own connector or firewall rule), and partners "
    "sending this way must use the MX.",
    "Exchange Online refused mail our relay sent because it could not attribute it to the tenant; fix the "
    "inbound (on-premises) connector in Exchange Online, its IP addresses or the certificate name it expects "
    "of the relay, or that mail is lost.",
    "Non-delivery reports our relay produced bounced or expired themselves, so nobody learned that the mail "
    "failed; make sure bounces can reach their senders.",
};

static const char *const colours[FINDING_KIND_COUNT] = {
    "#b23a48", "#e07a1f", "#d4a017", "#5b6ee1", "#2a9d8f", "#6d597a",
};

const char *report_kind_title(enum finding_kind k)
{
    return (unsigned)k < FINDING_KIND_COUNT ? titles[k] : "?";
}

const char *report_kind_meaning(enum finding_kind k)
{
    return (unsigned)k < FINDING_KIND_COUNT ? meanings[k] : "?";
}

const char *report_kind_colour(enum finding_kind k)
{
    return (unsigned)k < FINDING_KIND_COUNT ? colours[k] : "#888888";
}

void report_trend(const struct report *rep, size_t now, size_t before, char *out, size_t outlen)
{
    if (!rep->has_previous)
        snprintf(out, outlen, "%s", "");
    else if (now == before)
        snprintf(out, outlen, "same");
    else if (!before)
        snprintf(out, outlen, "new");
    else if (!now)
        snprintf(out, outlen, "gone");
    else if (now > before)
        snprintf(out, outlen, "up %zu", now - before);
    else
        snprintf(out, outlen, "down %zu", before - now);
}

const char *report_via_gateway_label(const struct report *rep)
{
    return rep->settings.has_gateway ? "Via the gateway (or trusted paths)"
                                     : "Via the MX, Exchange Online (or trusted paths)";
}

size_t report_top_shown(const struct report_tally_list *l, size_t n, size_t max, size_t *tied_hidden)
{
    size_t shown = 0, last = 0;
    *tied_hidden = 0;
    for (size_t i = 0; i < l->n; i++) {
        size_t c = l->items[i].count;
        if (!c)
            continue;
        if (shown < n || (c == last && shown < max)) {
            shown++;
            last = c;
        } else if (c == last) {
            (*tied_hidden)++;
        }
    }
    return shown;
}

unsigned long long report_permille(size_t part, size_t total)
{
    return total ? ((unsigned long long)part * 1000 + total / 2) / total : 0;
}

void report_share(size_t part, size_t total, char *out, size_t outlen)
{
    if (!total) { /* no share of nothing: a dash, as a day without rows shows */
        snprintf(out, outlen, "–");
        return;
    }
    unsigned long long pm = report_permille(part, total);
    if (pm % 10)
        snprintf(out, outlen, "%llu.%llu%%", pm / 10, pm % 10);
    else
        snprintf(out, outlen, "%llu%%", pm / 10);
}

int report_summary(const struct report *rep, char *out, size_t outlen)
{
    char share[32];
    size_t sending = rep->kind_counts[FINDING_ATTRIBUTION_FAILURE] + rep->kind_counts[FINDING_NDR_LOST];
    char also[160] = "";
    if (sending)
        snprintf(also, sizeof also,
                 " %zu sending-side finding%s (mail refused or lost on its way out) %s listed below.", sending,
                 sending == 1 ? "" : "s", sending == 1 ? "is" : "are");
    if (rep->precheck.no_gateway) {
        snprintf(out, outlen,
                 "The configuration has no [gateway]: the MX is Exchange Online itself, so there is no back door to "
                 "watch; the inbound counts are what the logs show arriving.%s",
                 also);
        return 0;
    }
    if (rep->back_door) {
        report_share(rep->back_door, rep->inbound, share, sizeof share);
        snprintf(out, outlen,
                 "%zu of %zu inbound messages (%s) reached Exchange without passing the MX gateway. The back door is "
                 "still in use: work through the findings below, most serious first.%s",
                 rep->back_door, rep->inbound, share, also);
        return 0;
    }
    char why[400] = "";
    size_t n = 0;
    if (rep->days_without_rows)
        n += (size_t)snprintf(why + n, sizeof why - n, "%s%d day%s without log rows", n ? "; " : "",
                              rep->days_without_rows, rep->days_without_rows == 1 ? "" : "s");
    size_t gappy = 0;
    for (size_t i = 0; i < rep->nstreams; i++)
        gappy += rep->streams[i].gap_days > 0;
    if (gappy && n < sizeof why)
        n += (size_t)snprintf(why + n, sizeof why - n, "%s%zu log%s with days without rows", n ? "; " : "", gappy,
                              gappy == 1 ? "" : "s");
    int onprem_log = 0;
    for (size_t i = 0; i < rep->nstreams; i++)
        onprem_log |= !strcmp(rep->streams[i].system, "exchange");
    if (rep->settings.nonprem_ips && !onprem_log && n < sizeof why)
        n += (size_t)snprintf(why + n, sizeof why - n,
                              "%sno on-prem Exchange log, though [onprem] names servers: that door was not watched",
                              n ? "; " : "");
    if (sending && n < sizeof why)
        n += (size_t)snprintf(why + n, sizeof why - n, "%s%zu sending-side finding%s (mail refused or lost)",
                              n ? "; " : "", sending, sending == 1 ? "" : "s");
    if (!rep->precheck.safe && n < sizeof why)
        snprintf(why + n, sizeof why - n, "%sa precheck that is not safe", n ? "; " : "");
    if (why[0] && !rep->inbound) {
        snprintf(out, outlen,
                 "No inbound message for our domains is in the data, so it cannot show whether mail bypasses the MX "
                 "gateway; the report is no evidence of a closed back door: %s (see below).",
                 why);
        return 0;
    }
    if (why[0]) {
        snprintf(out, outlen,
                 "None of %zu inbound messages in the data reached Exchange without passing the MX gateway, but the "
                 "report is no evidence of a closed back door yet: %s (see below).",
                 rep->inbound, why);
        return 0;
    }
    snprintf(out, outlen,
             "None of %zu inbound messages reached Exchange without passing the MX gateway, every day of the period "
             "has log rows and the precheck is safe: file this report as evidence.",
             rep->inbound);
    return 1;
}
