/*
 * report_json.c - the report as one JSON document (see report.h): every
 * row, not a top-N. Times are ISO 8601 UTC; one array item per line so that
 * the file diffs well.
 */
#include "report.h"

#include "audit_render.h"
#include "escape.h"

#include <string.h>

static void key(FILE *out, const char *k, int *first)
{
    fputs(*first ? "" : ",", out);
    *first = 0;
    escape_json(out, k);
    putc(':', out);
}

static void kv_str(FILE *out, const char *k, const char *v, int *first)
{
    key(out, k, first);
    escape_json(out, v);
}

static void kv_num(FILE *out, const char *k, long long v, int *first)
{
    key(out, k, first);
    fprintf(out, "%lld", v);
}

static void kv_bool(FILE *out, const char *k, int v, int *first)
{
    key(out, k, first);
    fputs(v ? "true" : "false", out);
}

static void kv_time(FILE *out, const char *k, const char *stored, int *first)
{
    char iso[TIME_TEXT_MAX];
    key(out, k, first);
    if (!stored || !*stored) {
        fputs("null", out);
        return;
    }
    render_time_iso(stored, iso);
    escape_json(out, iso);
}

static void period_obj(FILE *out, const struct report_period *p)
{
    int first = 1;
    putc('{', out);
    kv_str(out, "label", p->label, &first);
    kv_str(out, "first_day", p->first_day, &first);
    kv_str(out, "last_day", p->last_day, &first);
    kv_time(out, "since", p->since, &first);
    kv_time(out, "until", p->until, &first);
    kv_num(out, "days", p->ndays, &first);
}

static void tallies(FILE *out, const char *name, const struct report_tally_list *l, const char *detail_key,
                    int has_previous)
{
    fprintf(out, ",\n\"%s\":[", name);
    for (size_t i = 0; i < l->n; i++) {
        const struct report_tally *t = &l->items[i];
        int first = 1;
        fputs(i ? ",\n {" : "\n {", out);
        kv_str(out, "name", t->name, &first);
        if (detail_key)
            kv_str(out, detail_key, t->detail, &first);
        kv_num(out, "count", (long long)t->count, &first);
        key(out, "previous", &first);
        if (has_previous)
            fprintf(out, "%zu", t->previous);
        else
            fputs("null", out);
        kv_bool(out, "new", t->is_new, &first);
        kv_time(out, "first_seen", t->first_seen, &first);
        kv_time(out, "last_seen", t->last_seen, &first);
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

int report_render_json(FILE *out, const struct report *rep)
{
    int first = 1;
    char share[16];
    fputs("{", out);
    kv_str(out, "report", "mxaudit compliance report", &first);
    kv_str(out, "generator", "mxaudit " MXAUDIT_VERSION, &first);
    kv_time(out, "generated_at", rep->generated_at, &first);
    kv_bool(out, "redacted", rep->redacted, &first);
    kv_str(out, "config", rep->config_path, &first);
    key(out, "domains", &first);
    str_array(out, rep->domains, rep->ndomains);
    fputs(",\n\"period\":", out);
    period_obj(out, &rep->period);
    fputs("},\n\"previous_period\":", out);
    period_obj(out, &rep->previous);
    first = 0;
    kv_bool(out, "compared", rep->has_previous, &first);
    kv_num(out, "days_with_rows", rep->previous_days_with_rows, &first);
    fputs("}", out);

    fputs(",\n\"sources\":[", out);
    for (size_t i = 0; i < rep->nsources; i++) {
        const struct report_source *s = &rep->sources[i];
        first = 1;
        fputs(i ? ",\n {" : "\n {", out);
        kv_str(out, "path", s->path, &first);
        kv_str(out, "format", s->format, &first);
        kv_str(out, "hosts", s->hosts, &first);
        kv_time(out, "first_ts", s->first_ts, &first);
        kv_time(out, "last_ts", s->last_ts, &first);
        kv_num(out, "lines", s->lines, &first);
        kv_num(out, "events", s->events, &first);
        kv_num(out, "rejected", s->rejected, &first);
        putc('}', out);
    }
    fputs("]", out);

    fputs(",\n\"coverage\":[", out);
    for (size_t i = 0; i < rep->nstreams; i++) {
        const struct report_stream *s = &rep->streams[i];
        first = 1;
        fputs(i ? ",\n {" : "\n {", out);
        kv_str(out, "system", s->system, &first);
        kv_str(out, "host", s->host, &first);
        kv_num(out, "rows", s->total, &first);
        kv_num(out, "gap_days", s->gap_days, &first);
        kv_str(out, "gaps", s->gaps, &first);
        key(out, "rows_per_day", &first);
        putc('[', out);
        for (int d = 0; d < rep->period.ndays; d++)
            fprintf(out, d ? ",%lld" : "%lld", s->lines[d]);
        fputs("]}", out);
    }
    fputs("]", out);

    fputs(",\n\"totals\":{", out);
    first = 1;
    kv_num(out, "inbound", (long long)rep->inbound, &first);
    kv_num(out, "via_gateway", (long long)(rep->inbound > rep->back_door ? rep->inbound - rep->back_door : 0), &first);
    kv_num(out, "via_back_door", (long long)rep->back_door, &first);
    kv_num(out, "back_door_exo", (long long)rep->back_door_exo, &first);
    kv_num(out, "back_door_onprem", (long long)rep->back_door_onprem, &first);
    report_share(rep->back_door, rep->inbound, share, sizeof share);
    kv_str(out, "back_door_share", share, &first);
    kv_num(out, "excepted", (long long)rep->excepted, &first);
    kv_num(out, "days_without_rows", rep->days_without_rows, &first);
    key(out, "previous", &first);
    if (rep->has_previous) {
        int f2 = 1;
        putc('{', out);
        kv_num(out, "inbound", (long long)rep->prev_inbound, &f2);
        kv_num(out, "via_back_door", (long long)rep->prev_back_door, &f2);
        report_share(rep->prev_back_door, rep->prev_inbound, share, sizeof share);
        kv_str(out, "back_door_share", share, &f2);
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
        kv_str(out, "day", day->day, &first);
        kv_num(out, "inbound", (long long)day->inbound, &first);
        kv_num(out, "via_back_door", (long long)day->back_door, &first);
        report_share(day->back_door, day->inbound, share, sizeof share);
        kv_str(out, "back_door_share", share, &first);
        for (int k = 0; k < FINDING_KIND_COUNT; k++)
            kv_num(out, finding_kind_name((enum finding_kind)k), (long long)day->by_kind[k], &first);
        putc('}', out);
    }
    fputs("]", out);

    fputs(",\n\"finding_kinds\":[", out);
    for (int k = 0; k < FINDING_KIND_COUNT; k++) {
        char trend[32];
        first = 1;
        fputs(k ? ",\n {" : "\n {", out);
        kv_str(out, "kind", finding_kind_name((enum finding_kind)k), &first);
        kv_str(out, "title", report_kind_title((enum finding_kind)k), &first);
        kv_num(out, "count", (long long)rep->kind_counts[k], &first);
        key(out, "previous", &first);
        if (rep->has_previous)
            fprintf(out, "%zu", rep->prev_kind_counts[k]);
        else
            fputs("null", out);
        report_trend(rep, rep->kind_counts[k], rep->prev_kind_counts[k], trend, sizeof trend);
        kv_str(out, "trend", rep->has_previous ? trend : NULL, &first);
        putc('}', out);
    }
    fputs("]", out);

    tallies(out, "senders", &rep->senders, NULL, rep->has_previous);
    tallies(out, "senders_gone", &rep->senders_gone, NULL, rep->has_previous);
    tallies(out, "sender_domains", &rep->sender_domains, NULL, rep->has_previous);
    tallies(out, "services", &rep->services, "kind", rep->has_previous);
    tallies(out, "networks", &rep->networks, "source_net", rep->has_previous);

    const struct precheck_result *pre = &rep->precheck;
    fprintf(out, ",\n\"precheck\":{\"verdict\":\"%s\",\"cut_groups\":%zu,\"groups\":[", pre->safe ? "safe" : "not_safe",
            pre->cut_groups);
    for (size_t i = 0; i < pre->n; i++) {
        const struct precheck_group *g = &pre->groups[i];
        first = 1;
        fputs(i ? ",\n {" : "\n {", out);
        kv_str(out, "entry", g->entry, &first);
        kv_str(out, "group", g->label, &first);
        kv_str(out, "source_net", g->source_net, &first);
        key(out, "client_ips", &first);
        str_array(out, g->client_ips, g->nclient_ips);
        kv_num(out, "messages", (long long)g->messages, &first);
        for (int k = 0; k < 4; k++)
            kv_num(out, finding_kind_name((enum finding_kind)k), (long long)g->counts[k], &first);
        kv_num(out, "excepted", (long long)g->excepted, &first);
        kv_bool(out, "would_cut", g->would_cut, &first);
        kv_time(out, "first_seen", g->first_seen, &first);
        kv_time(out, "last_seen", g->last_seen, &first);
        kv_str(out, "advice", g->advice, &first);
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
