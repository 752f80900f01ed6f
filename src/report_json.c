/*
 * report_json.c - the report as one JSON document (see report.h): every
 * row, not a top-N. Times are ISO 8601 UTC; one array item per line so that
 * the file diffs well.
 */
#include "report.h"

#include "audit_render.h"
#include "escape.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

static void period_obj(FILE *out, const struct report_period *p)
{
    int first = 1;
    putc('{', out);
    json_member_str(out, "label", p->label, &first);
    json_member_str(out, "first_day", p->first_day, &first);
    json_member_str(out, "last_day", p->last_day, &first);
    json_member_time(out, "since", p->since, &first);
    json_member_time(out, "until", p->until, &first);
    json_member_num(out, "days", p->ndays, &first);
}

static void tallies(FILE *out, const char *name, const struct report_tally_list *l, const char *detail_key,
                    int has_previous)
{
    fprintf(out, ",\n\"%s\":[", name);
    for (size_t i = 0; i < l->n; i++) {
        const struct report_tally *t = &l->items[i];
        int first = 1;
        fputs(i ? ",\n {" : "\n {", out);
        json_member_str(out, "name", t->name, &first);
        if (detail_key)
            json_member_str(out, detail_key, t->detail, &first);
        json_member_num(out, "count", (long long)t->count, &first);
        json_member_key(out, "previous", &first);
        if (has_previous)
            fprintf(out, "%zu", t->previous);
        else
            fputs("null", out);
        json_member_bool(out, "new", t->is_new, &first);
        json_member_time(out, "first_seen", t->first_seen, &first);
        json_member_time(out, "last_seen", t->last_seen, &first);
        putc('}', out);
    }
    fputs("]", out);
}

static void str_array(FILE *out, char *const *items, size_t n)
{
    putc('[', out);
    for (size_t i = 0; i < n; i++) {
        if (i)
            putc(',', out);
        escape_json(out, items[i]);
    }
    putc(']', out);
}

/* "back_door_share": PART of TOTAL in percent, a number rounded to one
 * decimal as the other formats show it (29.3); null when TOTAL is 0. */
static void share_member(FILE *out, size_t part, size_t total, int *first)
{
    json_member_key(out, "back_door_share", first);
    if (!total) {
        fputs("null", out);
        return;
    }
    unsigned long long pm = report_permille(part, total);
    fprintf(out, "%llu.%llu", pm / 10, pm % 10);
}

/* LIST, ', '-joined names (host names hold no comma), as a JSON array. */
static void joined_array(FILE *out, const char *list)
{
    putc('[', out);
    for (const char *p = list; *p;) {
        const char *end = strstr(p, ", ");
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char *item = xstrndup(p, n);
        if (p != list)
            putc(',', out);
        escape_json(out, item);
        free(item);
        p += n;
        if (end)
            p += 2;
    }
    putc(']', out);
}

/* ,"settings":{...}: what the verdicts rest on, as lists. */
static void settings_obj(FILE *out, const struct report_settings *st)
{
    int first, inner = 1;
    fputs(",\n\"settings\":{", out);
    json_member_key(out, "gateway", &inner);
    if (st->has_gateway) {
        fputs("{\"hosts\":", out);
        str_array(out, st->gateway_hosts, st->ngateway_hosts);
        fputs(",\"ips\":", out);
        str_array(out, st->gateway_ips, st->ngateway_ips);
        fputs(",\"connectors\":", out);
        str_array(out, st->gateway_connectors, st->ngateway_connectors);
        putc('}', out);
    } else {
        fputs("null", out);
    }
    json_member_key(out, "onprem_ips", &inner);
    str_array(out, st->onprem_ips, st->nonprem_ips);
    json_member_key(out, "exchange_online_ranges", &inner);
    first = 1;
    putc('{', out);
    json_member_str(out, "builtin_checked", st->exo_date, &first);
    json_member_num(out, "builtin_networks", (long long)st->exo_builtin, &first);
    json_member_key(out, "configured", &first);
    str_array(out, st->exo_configured, st->nexo_configured);
    putc('}', out);
    json_member_key(out, "notification_senders", &inner);
    first = 1;
    putc('{', out);
    json_member_str(out, "builtin_checked", st->senders_date, &first);
    json_member_num(out, "builtin_senders", (long long)st->senders_builtin, &first);
    json_member_num(out, "configured_senders", (long long)st->senders_configured, &first);
    fputs("}}", out);
}

int report_render_json(FILE *out, const struct report *rep)
{
    int first = 1;
    fputs("{", out);
    json_member_str(out, "report", "mxaudit compliance report", &first);
    json_member_str(out, "generator", "mxaudit " MXAUDIT_VERSION, &first);
    json_member_time(out, "generated_at", rep->generated_at, &first);
    json_member_bool(out, "redacted", rep->redacted, &first);
    json_member_str(out, "config", rep->config_path, &first);
    json_member_str(out, "config_sha256", rep->config_sha256[0] ? rep->config_sha256 : NULL, &first);
    json_member_str(out, "database", rep->db_path, &first);
    json_member_key(out, "domains", &first);
    str_array(out, rep->domains, rep->ndomains);
    settings_obj(out, &rep->settings);
    fputs(",\n\"period\":", out);
    period_obj(out, &rep->period);
    fputs("},\n\"previous_period\":", out);
    period_obj(out, &rep->previous);
    first = 0;
    json_member_bool(out, "compared", rep->has_previous, &first);
    json_member_num(out, "days_with_rows", rep->previous_days_with_rows, &first);
    fputs("}", out);

    fputs(",\n\"sources\":[", out);
    for (size_t i = 0; i < rep->nsources; i++) {
        const struct report_source *s = &rep->sources[i];
        first = 1;
        fputs(i ? ",\n {" : "\n {", out);
        json_member_str(out, "path", s->path, &first);
        json_member_str(out, "format", s->format, &first);
        json_member_key(out, "hosts", &first);
        joined_array(out, s->hosts ? s->hosts : "");
        json_member_time(out, "first_ts", s->first_ts, &first);
        json_member_time(out, "last_ts", s->last_ts, &first);
        json_member_num(out, "lines", s->lines, &first);
        json_member_num(out, "events", s->events, &first);
        json_member_num(out, "rejected", s->rejected, &first);
        json_member_str(out, "time_zone", s->time_zone, &first);
        putc('}', out);
    }
    fputs("]", out);

    fputs(",\n\"coverage\":[", out);
    for (size_t i = 0; i < rep->nstreams; i++) {
        const struct report_stream *s = &rep->streams[i];
        first = 1;
        fputs(i ? ",\n {" : "\n {", out);
        json_member_str(out, "system", s->system, &first);
        json_member_str(out, "host", s->host, &first);
        json_member_num(out, "rows", s->total, &first);
        json_member_num(out, "gap_days", s->gap_days, &first);
        json_member_str(out, "gaps", s->gaps, &first);
        json_member_key(out, "rows_per_day", &first);
        putc('[', out);
        for (int d = 0; d < rep->period.ndays; d++)
            fprintf(out, d ? ",%lld" : "%lld", s->lines[d]);
        fputs("]}", out);
    }
    fputs("]", out);

    fputs(",\n\"totals\":{", out);
    first = 1;
    json_member_num(out, "inbound", (long long)rep->inbound, &first);
    json_member_num(out, "via_gateway", (long long)(rep->inbound > rep->back_door ? rep->inbound - rep->back_door : 0),
                    &first);
    json_member_num(out, "via_back_door", (long long)rep->back_door, &first);
    json_member_num(out, "back_door_exo", (long long)rep->back_door_exo, &first);
    json_member_num(out, "back_door_onprem", (long long)rep->back_door_onprem, &first);
    share_member(out, rep->back_door, rep->inbound, &first);
    json_member_num(out, "excepted", (long long)rep->excepted, &first);
    json_member_num(out, "exception_expired", (long long)rep->expired, &first);
    json_member_num(out, "days_without_rows", rep->days_without_rows, &first);
    json_member_key(out, "previous", &first);
    if (rep->has_previous) {
        int f2 = 1;
        putc('{', out);
        json_member_num(out, "inbound", (long long)rep->prev_inbound, &f2);
        json_member_num(out, "via_back_door", (long long)rep->prev_back_door, &f2);
        share_member(out, rep->prev_back_door, rep->prev_inbound, &f2);
        putc('}', out);
    } else {
        fputs("null", out);
    }
    fputs("}", out);

    fputs(",\n\"days\":[", out);
    for (int d = 0; d < rep->period.ndays; d++) {
        const struct report_day *day = &rep->days[d];
        first = 1;
        fputs(d ? ",\n {" : "\n {", out);
        json_member_str(out, "day", day->day, &first);
        json_member_bool(out, "has_rows", day->has_rows, &first);
        /* Without rows a day has no data, not no mail; with only Postfix's,
         * nothing shows what entered Exchange: nulls, not zeros. */
        int seen = day->has_rows && day->entries_seen;
        json_member_bool(out, "entries_seen", seen, &first);
        if (seen) {
            json_member_num(out, "inbound", (long long)day->inbound, &first);
            json_member_num(out, "via_back_door", (long long)day->back_door, &first);
            share_member(out, day->back_door, day->inbound, &first);
        } else {
            static const char *const none[] = {"inbound", "via_back_door", "back_door_share"};
            for (size_t j = 0; j < sizeof none / sizeof *none; j++) {
                json_member_key(out, none[j], &first);
                fputs("null", out);
            }
        }
        for (int k = 0; k < FINDING_KIND_COUNT; k++) {
            json_member_key(out, finding_kind_name((enum finding_kind)k), &first);
            if (day->has_rows)
                fprintf(out, "%zu", day->by_kind[k]);
            else
                fputs("null", out);
        }
        putc('}', out);
    }
    fputs("]", out);

    fputs(",\n\"finding_kinds\":[", out);
    for (int k = 0; k < FINDING_KIND_COUNT; k++) {
        char trend[32];
        first = 1;
        fputs(k ? ",\n {" : "\n {", out);
        json_member_str(out, "kind", finding_kind_name((enum finding_kind)k), &first);
        json_member_str(out, "title", report_kind_title((enum finding_kind)k), &first);
        json_member_num(out, "count", (long long)rep->kind_counts[k], &first);
        json_member_key(out, "previous", &first);
        if (rep->has_previous)
            fprintf(out, "%zu", rep->prev_kind_counts[k]);
        else
            fputs("null", out);
        report_trend(rep, rep->kind_counts[k], rep->prev_kind_counts[k], trend, sizeof trend);
        json_member_str(out, "trend", rep->has_previous ? trend : NULL, &first);
        putc('}', out);
    }
    fputs("]", out);

    tallies(out, "senders", &rep->senders, NULL, rep->has_previous);
    tallies(out, "senders_gone", &rep->senders_gone, NULL, rep->has_previous);
    tallies(out, "sender_domains", &rep->sender_domains, NULL, rep->has_previous);
    tallies(out, "services", &rep->services, "kind", rep->has_previous);
    tallies(out, "networks", &rep->networks, "source_net", rep->has_previous);

    const struct precheck_result *pre = &rep->precheck;
    fprintf(out, ",\n\"precheck\":{\"verdict\":\"%s\",\"cut_groups\":%zu,\"exo_entries\":%zu", precheck_verdict(pre),
            pre->cut_groups, pre->exo_entries);
    first = 0;
    json_member_time(out, "exo_first_seen", pre->exo_entries ? pre->exo_first : NULL, &first);
    json_member_time(out, "exo_last_seen", pre->exo_entries ? pre->exo_last : NULL, &first);
    json_member_str(out, "partners_from", precheck_partners_from(pre), &first);
    fputs(",\"groups\":[", out);
    for (size_t i = 0; i < pre->n; i++) {
        const struct precheck_group *g = &pre->groups[i];
        first = 1;
        fputs(i ? ",\n {" : "\n {", out);
        json_member_str(out, "entry", g->entry, &first);
        json_member_str(out, "group", g->label, &first);
        json_member_str(out, "source_net", g->source_net, &first);
        json_member_key(out, "client_ips", &first);
        str_array(out, g->client_ips, g->nclient_ips);
        json_member_num(out, "messages", (long long)g->messages, &first);
        for (int k = 0; k < 4; k++)
            json_member_num(out, finding_kind_name((enum finding_kind)k), (long long)g->counts[k], &first);
        json_member_num(out, "excepted", (long long)g->excepted, &first);
        json_member_bool(out, "would_cut", g->would_cut, &first);
        json_member_bool(out, "partner", g->partner, &first);
        json_member_bool(out, "gateway", g->gateway, &first);
        json_member_time(out, "first_seen", g->first_seen, &first);
        json_member_time(out, "last_seen", g->last_seen, &first);
        json_member_str(out, "advice", g->advice, &first);
        putc('}', out);
    }
    fputs("]}", out);

    fputs(",\n\"findings\":[", out);
    for (size_t i = 0; i < rep->audit.n; i++) {
        fputs(i ? ",\n " : "\n ", out);
        audit_render_finding_json(out, &rep->audit.findings[i]);
    }
    fputs("]\n}\n", out);
    return ferror(out) ? -1 : 0;
}
