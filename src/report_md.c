/*
 * report_md.c - the report as Markdown (GitHub-flavoured tables), for
 * tickets and wikis (see report.h). Everything from a log goes through
 * escape_markdown. Top lists are cut at TOP_N; the CSV and JSON carry all.
 */
#include "report.h"

#include "audit_render.h"

#include "escape.h"

#include <stdlib.h>
#include <string.h>

#define TOP_N 10
#define TOP_MAX 25 /* rows a top list may grow to for senders tied with the tenth */

static void md(FILE *out, const char *s)
{
    escape_markdown(out, s);
}

/* Stored time to "YYYY-MM-DD HH:MM:SS" (UTC, said once in the header). */
static void when(FILE *out, const char *stored)
{
    if (!stored || !*stored)
        fputs("-", out);
    else
        fprintf(out, "%.19s", stored);
}

static void sender(FILE *out, const char *s)
{
    if (!s)
        fputs("(unknown)", out);
    else if (!*s)
        fputs("\\<\\>", out);
    else
        md(out, s);
}

static void tally_table(FILE *out, const struct report *rep, const struct report_tally_list *l, const char *what,
                        const char *detail_head)
{
    if (!l->n) {
        fprintf(out, "None in this period.\n\n");
        return;
    }
    fprintf(out, "| %s |%s%s%s Messages |%s First seen | Last seen |\n", what, detail_head ? " " : "",
            detail_head ? detail_head : "", detail_head ? " |" : "", rep->has_previous ? " Previous period |" : "");
    fprintf(out, "|---|%s---:|%s---|---|\n", detail_head ? "---|" : "", rep->has_previous ? "---:|" : "");
    size_t tied_hidden, limit = report_top_shown(l, TOP_N, TOP_MAX, &tied_hidden), shown = 0;
    for (size_t i = 0; i < l->n && shown < limit; i++) {
        const struct report_tally *t = &l->items[i];
        if (!t->count)
            continue;
        shown++;
        fputs("| ", out);
        sender(out, t->name);
        if (t->is_new)
            fputs(" (new)", out);
        if (detail_head) {
            fputs(" | ", out);
            md(out, t->detail);
        }
        fprintf(out, " | %zu |", t->count);
        if (rep->has_previous)
            fprintf(out, " %zu |", t->previous);
        fputs(" ", out);
        when(out, t->first_seen);
        fputs(" | ", out);
        when(out, t->last_seen);
        fputs(" |\n", out);
    }
    size_t total = 0;
    for (size_t i = 0; i < l->n; i++)
        total += l->items[i].count > 0;
    if (total > shown)
        fprintf(out, "\n%zu more in the CSV and JSON reports", total - shown);
    if (total > shown && tied_hidden)
        fprintf(out, ", %zu of them with as many messages as the last one shown", tied_hidden);
    if (total > shown)
        fputs(".\n", out);
    fputs("\n", out);
}

static void recipients(FILE *out, const struct finding *f)
{
    for (size_t j = 0; j < f->nrecipients; j++) {
        if (j)
            fputs(", ", out);
        md(out, f->recipients[j]);
    }
}

static void evidence(FILE *out, const struct finding *f)
{
    for (size_t j = 0; j < f->nevidence; j++) {
        if (j)
            fputs(", ", out);
        md(out, f->evidence[j].file);
        fprintf(out, ":%lld", f->evidence[j].line);
    }
}

int report_render_markdown(FILE *out, const struct report *rep)
{
    char share[16], trend[32];
    const struct report_period *p = &rep->period;
    fputs("# Mail-flow compliance report: ", out);
    md(out, p->label);
    fputs("\n\n", out);
    fputs("| | |\n|---|---|\n", out);
    fputs("| Organisation | ", out);
    for (size_t i = 0; i < rep->ndomains; i++) {
        if (i)
            fputs(", ", out);
        md(out, rep->domains[i]);
    }
    fprintf(out, " |\n| Period | %s to %s (%d day%s, UTC) |\n", p->first_day, p->last_day, p->ndays,
            p->ndays == 1 ? "" : "s");
    fputs("| Configuration | ", out);
    md(out, rep->config_path);
    if (rep->config_sha256[0])
        fprintf(out, " (SHA-256 %s)", rep->config_sha256);
    fputs(" |\n| Database | ", out);
    md(out, rep->db_path);
    for (int i = 0; i < REPORT_NSETTINGS; i++) {
        const char *label;
        char *text = report_setting_text(&rep->settings, i, &label, NULL);
        fprintf(out, " |\n| %s | ", label);
        md(out, text);
        free(text);
    }
    fputs(" |\n| Generated | ", out);
    when(out, rep->generated_at);
    fputs(" UTC by mxaudit " MXAUDIT_VERSION " |\n\n", out);
    fputs("All times are UTC.\n\n", out);
    if (rep->redacted)
        fputs("> **Redacted report.** The local parts of addresses and Message-IDs are replaced by a keyed hash "
              "(the same address gives the same hash in every report made with the same key); subjects are "
              "left out. Counts and domains are complete.\n\n",
              out);

    /* ---- summary ---- */
    size_t via_gateway = rep->inbound > rep->back_door ? rep->inbound - rep->back_door : 0;
    size_t prev_gateway = rep->prev_inbound > rep->prev_back_door ? rep->prev_inbound - rep->prev_back_door : 0;
    fputs("## Summary\n\n", out);
    char summary[1024];
    report_summary(rep, summary, sizeof summary);
    md(out, summary);
    fputs("\n\n", out);
    char judged[600];
    precheck_basis(&rep->precheck, judged, sizeof judged);
    fprintf(out, "Precheck verdict: **%s**; %s%s%s\n\n", precheck_headline(&rep->precheck),
            precheck_reason(&rep->precheck), judged[0] ? " " : "", judged);
    if (rep->days_without_rows)
        fprintf(out, "Coverage: %d of %d days %s no log rows at all; findings cannot be complete for %s.\n\n",
                rep->days_without_rows, p->ndays, rep->days_without_rows == 1 ? "has" : "have",
                rep->days_without_rows == 1 ? "it" : "them");
    fprintf(out, "| Measure | This period |%s\n|---|---:|%s\n", rep->has_previous ? " Previous period | Trend |" : "",
            rep->has_previous ? "---:|---|" : "");
    struct {
        const char *name;
        size_t now, before;
    } rows[] = {
        {"Inbound messages", rep->inbound, rep->prev_inbound},
        {report_via_gateway_label(rep), via_gateway, prev_gateway},
        {"Via the back door", rep->back_door, rep->prev_back_door},
    };
    for (size_t i = 0; i < 3; i++) {
        report_share(rows[i].now, rep->inbound, share, sizeof share);
        fprintf(out, "| %s | %zu", rows[i].name, rows[i].now);
        if (i)
            fprintf(out, " (%s)", share);
        fputs(" |", out);
        if (rep->has_previous) {
            report_trend(rep, rows[i].now, rows[i].before, trend, sizeof trend);
            fprintf(out, " %zu | %s |", rows[i].before, trend);
        }
        fputs("\n", out);
    }
    fprintf(out, "| Back door: Exchange Online | %zu |%s\n", rep->back_door_exo, rep->has_previous ? " | |" : "");
    fprintf(out, "| Back door: on-prem Exchange | %zu |%s\n", rep->back_door_onprem, rep->has_previous ? " | |" : "");
    fprintf(out, "| Findings with a current exception | %zu |%s\n", rep->excepted, rep->has_previous ? " | |" : "");
    fprintf(out, "| Findings whose exception has expired | %zu |%s\n\n", rep->expired, rep->has_previous ? " | |" : "");
    if (rep->has_previous && strstr(rep->previous.label, " to ")) /* the label is its days already */
        fprintf(out, "Compared with the previous period, %s, in which the database has rows on %d of %d days.\n\n",
                rep->previous.label, rep->previous_days_with_rows, rep->previous.ndays);
    else if (rep->has_previous)
        fprintf(
            out,
            "Compared with the previous period, %s (%s to %s), in which the database has rows on %d of %d days.\n\n",
            rep->previous.label, rep->previous.first_day, rep->previous.last_day, rep->previous_days_with_rows,
            rep->previous.ndays);
    else
        fprintf(out, "No comparison: the database has no rows in the previous period (%s to %s).\n\n",
                rep->previous.first_day, rep->previous.last_day);

    /* ---- sources ---- */
    fputs("## Sources covered\n\n", out);
    fputs("The log files with events in this period; a finding can only be as complete as these logs, so a "
          "missing host or day is the first thing to fix.\n\n",
          out);
    if (!rep->nsources) {
        fputs("No ingested file has events in this period: ingest the logs first (`mxaudit ingest`).\n\n", out);
    } else {
        fputs("| File | Format | Hosts | First event | Last event | Local times read in | Events | Rejected lines |\n"
              "|---|---|---|---|---|---|---:|---:|\n",
              out);
        for (size_t i = 0; i < rep->nsources; i++) {
            const struct report_source *s = &rep->sources[i];
            fputs("| ", out);
            md(out, s->path);
            fputs(" | ", out);
            md(out, s->format);
            fputs(" | ", out);
            md(out, s->hosts);
            fputs(" | ", out);
            when(out, s->first_ts);
            fputs(" | ", out);
            when(out, s->last_ts);
            fputs(" | ", out);
            md(out, s->time_zone ? s->time_zone : "–");
            fprintf(out, " | %lld | %lld |\n", s->events, s->rejected);
        }
        fputs("\n", out);
    }
    fputs("### Coverage per log\n\n", out);
    fputs("Days of the period on which a log has no rows at all: collect the missing logs, or state in the "
          "report why the host was silent.\n\n",
          out);
    if (rep->nstreams) {
        fputs("| Log | Host | Rows | Days without rows | Gaps |\n|---|---|---:|---:|---|\n", out);
        for (size_t i = 0; i < rep->nstreams; i++) {
            const struct report_stream *s = &rep->streams[i];
            fputs("| ", out);
            md(out, s->system);
            fputs(" | ", out);
            md(out, *s->host ? s->host : "-");
            fprintf(out, " | %lld | %d | ", s->total, s->gap_days);
            md(out, *s->gaps ? s->gaps : "none");
            fputs(" |\n", out);
        }
        fputs("\n", out);
    }

    /* ---- per day ---- */
    fputs("## Inbound mail per day\n\n", out);
    fputs("Messages that entered Exchange for our domains, and how many of them came through the back door; a "
          "share that does not fall to zero means something still bypasses the MX.\n\n",
          out);
    fputs("| Day | Inbound | Via back door | Share |", out);
    for (int k = 0; k < FINDING_KIND_COUNT; k++)
        fprintf(out, " %s |", finding_kind_name((enum finding_kind)k));
    fputs("\n|---|---:|---:|---:|", out);
    for (int k = 0; k < FINDING_KIND_COUNT; k++)
        fputs("---:|", out);
    fputs("\n", out);
    for (int d = 0; d < p->ndays; d++) {
        const struct report_day *day = &rep->days[d];
        if (!day->has_rows) {
            fprintf(out, "| %s | – | – | no log rows |", day->day);
            for (int k = 0; k < FINDING_KIND_COUNT; k++)
                fputs(" – |", out);
            fputs("\n", out);
            continue;
        }
        if (day->entries_seen) {
            report_share(day->back_door, day->inbound, share, sizeof share);
            fprintf(out, "| %s | %zu | %zu | %s |", day->day, day->inbound, day->back_door, share);
        } else { /* only gateway or relay logs: nothing shows what entered Exchange */
            fprintf(out, "| %s | – | – | no Exchange log rows |", day->day);
        }
        for (int k = 0; k < FINDING_KIND_COUNT; k++)
            fprintf(out, " %zu |", day->by_kind[k]);
        fputs("\n", out);
    }
    fputs("\n", out);

    /* ---- kinds ---- */
    fputs("## Findings by kind\n\n", out);
    fputs("Each kind of finding, most serious first, with what it means and what to do.\n\n", out);
    fprintf(out, "| Finding | Count |%s\n|---|---:|%s\n", rep->has_previous ? " Previous period | Trend |" : "",
            rep->has_previous ? "---:|---|" : "");
    for (int k = 0; k < FINDING_KIND_COUNT; k++) {
        fprintf(out, "| %s (`%s`) | %zu |", report_kind_title((enum finding_kind)k),
                finding_kind_name((enum finding_kind)k), rep->kind_counts[k]);
        if (rep->has_previous) {
            report_trend(rep, rep->kind_counts[k], rep->prev_kind_counts[k], trend, sizeof trend);
            fprintf(out, " %zu | %s |", rep->prev_kind_counts[k], trend);
        }
        fputs("\n", out);
    }
    fputs("\n", out);
    for (int k = 0; k < FINDING_KIND_COUNT; k++)
        fprintf(out, "- **%s**: %s\n", finding_kind_name((enum finding_kind)k),
                report_kind_meaning((enum finding_kind)k));
    fputs("\n", out);

    /* ---- tops ---- */
    fputs("## Top senders through the back door\n\n", out);
    fputs("Envelope senders of the messages that bypassed the MX; the ones you recognise are the partners and "
          "services to move to the gateway first.\n\n",
          out);
    tally_table(out, rep, &rep->senders, "Sender", NULL);
    fputs("## Services through the back door\n\n", out);
    fputs("Notification services (known by name, or unidentified by their domain) that deliver past the MX; each "
          "needs a route through the gateway or an exception before the back door closes.\n\n",
          out);
    tally_table(out, rep, &rep->services, "Service", "Identified");
    fputs("## Connecting networks\n\n", out);
    fputs("Where the back-door connections came from (/24 for IPv4, /48 for IPv6); Exchange Online networks "
          "mean Microsoft 365 services or another tenant's connector, internet ones mean direct sending.\n\n",
          out);
    tally_table(out, rep, &rep->networks, "Network", "Network kind");
    if (rep->has_previous) {
        fputs("## Senders compared with the previous period\n\n", out);
        fputs("New back-door senders deserve a look first; a sender gone was seen in the previous period and not in "
              "this one: a fix, or a log missing from this period (see the coverage).\n\n",
              out);
        size_t nnew = 0;
        for (size_t i = 0; i < rep->senders.n; i++)
            nnew += rep->senders.items[i].is_new;
        fprintf(out, "New senders: %zu. Senders gone: %zu.\n\n", nnew, rep->senders_gone.n);
        if (rep->senders_gone.n) {
            fputs("| Sender gone | Messages in the previous period |\n|---|---:|\n", out);
            for (size_t i = 0; i < rep->senders_gone.n && i < TOP_N; i++) {
                fputs("| ", out);
                sender(out, rep->senders_gone.items[i].name);
                fprintf(out, " | %zu |\n", rep->senders_gone.items[i].previous);
            }
            fputs("\n", out);
        }
    }

    /* ---- NDRs ---- */
    fputs("## NDRs that landed directly, with their originals\n\n", out);
    fputs("Non-delivery reports about our own outbound mail that reached the tenant past the MX; the original "
          "shows which outbound path to move behind the gateway.\n\n",
          out);
    if (!rep->kind_counts[FINDING_NDR_DIRECT]) {
        fputs("None in this period.\n\n", out);
    } else {
        fputs("| First seen | NDR from | To | Original Message-ID | Original left via |\n|---|---|---|---|---|\n", out);
        for (size_t i = 0; i < rep->audit.n; i++) {
            const struct finding *f = &rep->audit.findings[i];
            if (f->kind != FINDING_NDR_DIRECT)
                continue;
            fputs("| ", out);
            when(out, f->first_seen);
            fputs(" | ", out);
            sender(out, f->sender);
            fputs(" | ", out);
            recipients(out, f);
            fputs(" | ", out);
            md(out, f->original_message_id ? f->original_message_id : "not found");
            fputs(" | ", out);
            md(out, f->original_host ? f->original_host : "-");
            fputs(" |\n", out);
        }
        fputs("\n", out);
    }

    /* ---- sending side ---- */
    fputs("## Sending side: attribution failures and lost NDRs\n\n", out);
    fputs("Outbound mail Exchange Online refused to attribute to the tenant, and bounces that never reached "
          "anyone; both mean mail was lost without anybody being told. A bounce refused that way is both, so it "
          "is counted under each.\n\n",
          out);
    if (!rep->kind_counts[FINDING_ATTRIBUTION_FAILURE] && !rep->kind_counts[FINDING_NDR_LOST]) {
        fputs("None in this period.\n\n", out);
    } else {
        fputs("| Finding | First seen | Sender | Recipient | Attempts | Via | Last reply |\n"
              "|---|---|---|---|---:|---|---|\n",
              out);
        for (size_t i = 0; i < rep->audit.n; i++) {
            const struct finding *f = &rep->audit.findings[i];
            if (f->kind != FINDING_ATTRIBUTION_FAILURE && f->kind != FINDING_NDR_LOST)
                continue;
            fprintf(out, "| %s | ", finding_kind_name(f->kind));
            when(out, f->first_seen);
            fputs(" | ", out);
            sender(out, f->sender);
            fputs(" | ", out);
            md(out, f->recipient);
            fprintf(out, " | %lld | ", f->attempts);
            md(out, f->smarthost ? f->smarthost : "-");
            fputs(" | ", out);
            md(out, f->reply ? f->reply : "-");
            fputs(" |\n", out);
        }
        fputs("\n", out);
    }

    /* ---- verdict ---- */
    const struct precheck_result *pre = &rep->precheck;
    fputs("## Precheck verdict\n\n", out);
    fputs("What restricting the Exchange Online inbound connector to the gateway would stop, group by group; "
          "fix every group marked CUT before closing the back door.\n\n",
          out);
    if (pre->no_gateway)
        fprintf(out, "**No back door** to close: %s\n\n", precheck_reason(pre));
    else if (pre->safe)
        fputs("**Safe** to close the Exchange Online back door: no wanted mail would be cut.\n\n", out);
    else if (!pre->exo_entries)
        fprintf(out, "**Not safe** to close the Exchange Online back door: %s\n\n", precheck_reason(pre));
    else
        fprintf(out,
                "**Not safe** to close the Exchange Online back door: %zu group%s of wanted mail would be cut.\n\n",
                pre->cut_groups, pre->cut_groups == 1 ? "" : "s");
    if (judged[0])
        fprintf(out, "%s\n\n", judged);
    if (pre->n) {
        fputs("| | Door | Group | Network | Client IPs | Messages | Excepted | What to do |\n"
              "|---|---|---|---|---|---:|---:|---|\n",
              out);
        for (size_t i = 0; i < pre->n; i++) {
            const struct precheck_group *g = &pre->groups[i];
            fprintf(out, "| %s | %s | ", g->would_cut ? "**CUT**" : "ok",
                    !strcmp(g->entry, "exo") ? "Exchange Online" : "on-prem");
            sender(out, g->label);
            fprintf(out, " | %s | ", !strcmp(g->source_net, "eop") ? "Exchange Online" : "internet");
            for (size_t j = 0; j < g->nclient_ips; j++) {
                if (j)
                    fputs(", ", out);
                md(out, g->client_ips[j]);
            }
            fprintf(out, " | %zu | %zu | ", g->messages, g->excepted);
            md(out, g->advice);
            fputs(" |\n", out);
        }
        fputs("\n", out);
    }

    /* ---- appendix ---- */
    fputs("## Appendix: every finding\n\n", out);
    fputs("Every finding of the period in full, with the log lines that prove it.\n\n", out);
    if (!rep->audit.n)
        fputs("No findings.\n", out);
    for (size_t i = 0; i < rep->audit.n; i++) {
        const struct finding *f = &rep->audit.findings[i];
        fprintf(out, "%zu. **%s**, ", i + 1, finding_kind_name(f->kind));
        when(out, f->first_seen);
        fputs(": ", out);
        sender(out, f->sender);
        fputs(" to ", out);
        recipients(out, f);
        if (f->entry) {
            fprintf(out, " via %s from ", !strcmp(f->entry, "exo") ? "Exchange Online" : "on-prem Exchange");
            md(out, f->client_ip);
            fprintf(out, " (%s)",
                    f->source_net && !strcmp(f->source_net, "eop") ? "Exchange Online network" : "internet");
        }
        fputs("\n", out);
        if (f->subject) {
            fputs("   - Subject: ", out);
            md(out, f->subject);
            fputs("\n", out);
        }
        if (f->message_id) {
            fputs("   - Message-ID: ", out);
            md(out, f->message_id);
            fputs("\n", out);
        }
        if (f->service) {
            fputs("   - Service: ", out);
            md(out, f->service);
            fputs("\n", out);
        }
        int sending = finding_is_sending(f);
        if (sending && f->original_host) {
            fputs("   - Relayed by ", out);
            md(out, f->original_host);
            fputs("\n", out);
        } else if (f->original_message_id || f->original_host) {
            fputs("   - Original: ", out);
            md(out, f->original_message_id ? f->original_message_id : "(no Message-ID)");
            fputs(" via ", out);
            md(out, f->original_host ? f->original_host : "?");
            fputs("\n", out);
        }
        if (sending) {
            fprintf(out, "   - %lld attempt%s via ", f->attempts, f->attempts == 1 ? "" : "s");
            md(out, f->smarthost ? f->smarthost : "?");
            fputs("; last reply: ", out);
            md(out, f->reply ? f->reply : "(none)");
            fputs("\n", out);
        }
        if (f->excepted || f->exception_expired) {
            fprintf(out, "   - %s: ", f->excepted ? "Excepted" : "Exception EXPIRED");
            md(out, f->exception_reason);
            if (f->exception_until && *f->exception_until) {
                fputs(" (until ", out);
                md(out, f->exception_until);
                putc(')', out);
            }
            fputs("\n", out);
        }
        fputs("   - Evidence: ", out);
        evidence(out, f);
        fputs("\n", out);
    }
    return ferror(out) ? -1 : 0;
}
