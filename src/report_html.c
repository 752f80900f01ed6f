/*
 * report_html.c - the report as one self-contained HTML file (see report.h).
 *
 * No external resource of any kind: the CSS is embedded (src/assets/
 * report.css), the charts are inline SVG (report_svg.c), the one script is
 * inline and only adds click-to-sort to tables that are already in a useful
 * order without it. A Content-Security-Policy allows that script by its hash
 * and nothing else, so even a value that escaped escaping could not run.
 * Everything from a log goes through escape_html.
 */
#include "report.h"

#include "audit_render.h"

#include "embedded.h"
#include "escape.h"
#include "sha256.h"

#include <stdlib.h>
#include <string.h>

#define TOP_N 10
#define TOP_MAX 25 /* rows a top list may grow to for senders tied with the tenth */

static const char sort_script[] =
    "(function(){\n"
    "document.documentElement.classList.add('js');\n"
    "var tables=document.querySelectorAll('table.sortable');\n"
    "Array.prototype.forEach.call(tables,function(t){\n"
    " if(!t.tHead||!t.tBodies.length)return;\n"
    " var ths=t.tHead.rows[0].cells;\n"
    " Array.prototype.forEach.call(ths,function(th){\n"
    "  if(!th.hasAttribute('data-sort'))return;\n"
    "  th.tabIndex=0;\n"
    "  function go(){\n"
    "   var col=th.cellIndex,num=th.getAttribute('data-sort')==='num';\n"
    "   var asc=th.getAttribute('aria-sort')!=='ascending';\n"
    "   var body=t.tBodies[0],rows=Array.prototype.slice.call(body.rows);\n"
    "   rows.sort(function(a,b){\n"
    "    var x=a.cells[col].textContent,y=b.cells[col].textContent;\n"
    "    var c=num?(parseFloat(x)||0)-(parseFloat(y)||0):x.localeCompare(y);\n"
    "    return asc?c:-c;});\n"
    "   Array.prototype.forEach.call(ths,function(o){o.removeAttribute('aria-sort');});\n"
    "   th.setAttribute('aria-sort',asc?'ascending':'descending');\n"
    "   rows.forEach(function(r){body.appendChild(r);});\n"
    "  }\n"
    "  th.addEventListener('click',go);\n"
    "  th.addEventListener('keydown',function(e){if(e.key==='Enter'||e.key===' '){e.preventDefault();go();}});\n"
    " });\n"
    "});\n"
    "})();\n";

static void base64(const unsigned char *in, size_t n, char *out)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);
        out[o++] = tab[v >> 18 & 63];
        out[o++] = tab[v >> 12 & 63];
        out[o++] = i + 1 < n ? tab[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? tab[v & 63] : '=';
    }
    out[o] = '\0';
}

static void h(FILE *out, const char *s)
{
    escape_html(out, s);
}

static void when(FILE *out, const char *stored)
{
    if (!stored || !*stored)
        fputs("&#8211;", out);
    else
        fprintf(out, "%.19s", stored);
}

static void sender(FILE *out, const char *s)
{
    if (!s)
        fputs("<em>(unknown)</em>", out);
    else if (!*s)
        fputs("&lt;&gt; <em>(null sender)</em>", out);
    else
        h(out, s);
}

/* The verdict box's colour: green only for a door that is safe to close,
 * grey where there is no door. */
static const char *verdict_class(const struct precheck_result *pre)
{
    return pre->no_gateway ? "neutral" : pre->safe ? "safe" : "unsafe";
}

static void section(FILE *out, const char *id, const char *title, const char *meaning)
{
    fprintf(out, "<section id=\"%s\">\n<h2>%s</h2>\n<p class=\"meaning\">%s</p>\n", id, title, meaning);
}

static void trend_html(FILE *out, const struct report *rep, size_t now, size_t before)
{
    char t[32];
    report_trend(rep, now, before, t, sizeof t);
    if (*t)
        fprintf(out, "%s (previous period: %zu)", t, before);
}

static void tally_table(FILE *out, const struct report *rep, const struct report_tally_list *l, const char *what,
                        const char *detail_head)
{
    size_t total = 0, shown = 0;
    for (size_t i = 0; i < l->n; i++)
        total += l->items[i].count > 0;
    if (!total) {
        fputs("<p>None in this period.</p>\n", out);
        return;
    }
    fprintf(out, "<table class=\"sortable\">\n<thead><tr><th data-sort=\"text\">%s</th>", what);
    if (detail_head)
        fprintf(out, "<th data-sort=\"text\">%s</th>", detail_head);
    fputs("<th class=\"num\" data-sort=\"num\">Messages</th>", out);
    if (rep->has_previous)
        fputs("<th class=\"num\" data-sort=\"num\">Previous period</th>", out);
    fputs("<th data-sort=\"text\">First seen</th><th data-sort=\"text\">Last seen</th></tr></thead>\n<tbody>\n", out);
    size_t tied_hidden, limit = report_top_shown(l, TOP_N, TOP_MAX, &tied_hidden);
    for (size_t i = 0; i < l->n && shown < limit; i++) {
        const struct report_tally *t = &l->items[i];
        if (!t->count)
            continue;
        shown++;
        fputs("<tr><td class=\"wrap\">", out);
        sender(out, t->name);
        if (t->is_new)
            fputs(" <span class=\"tag new\">new</span>", out);
        fputs("</td>", out);
        if (detail_head) {
            fputs("<td>", out);
            h(out, t->detail);
            fputs("</td>", out);
        }
        fprintf(out, "<td class=\"num\">%zu</td>", t->count);
        if (rep->has_previous)
            fprintf(out, "<td class=\"num\">%zu</td>", t->previous);
        fputs("<td>", out);
        when(out, t->first_seen);
        fputs("</td><td>", out);
        when(out, t->last_seen);
        fputs("</td></tr>\n", out);
    }
    fputs("</tbody>\n</table>\n", out);
    if (total > shown) {
        fprintf(out, "<p class=\"meaning\">%zu more in the CSV and JSON reports, which carry every row", total - shown);
        if (tied_hidden)
            fprintf(out, "; %zu of them with as many messages as the last one shown", tied_hidden);
        fputs(".</p>\n", out);
    }
}

static void recipients(FILE *out, const struct finding *f)
{
    for (size_t j = 0; j < f->nrecipients; j++) {
        if (j)
            fputs(", ", out);
        h(out, f->recipients[j]);
    }
}

static void card(FILE *out, const struct report *rep, const char *label, size_t value, const char *share, size_t before)
{
    fprintf(out, "<div class=\"card\"><div class=\"label\">%s</div><div class=\"value\">%zu", label, value);
    if (share)
        fprintf(out, " <small>(%s)</small>", share);
    fputs("</div><div class=\"trend\">", out);
    trend_html(out, rep, value, before);
    fputs("</div></div>\n", out);
}

static void head(FILE *out, const struct report *rep)
{
    unsigned char digest[SHA256_DIGEST_SIZE];
    char b64[48];
    sha256(sort_script, strlen(sort_script), digest);
    base64(digest, sizeof digest, b64);
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n", out);
    fprintf(out,
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
            "script-src 'sha256-%s'; img-src data:\">\n",
            b64);
    fputs("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n", out);
    fputs("<meta name=\"generator\" content=\"mxaudit " MXAUDIT_VERSION "\">\n", out);
    fputs("<title>Mail-flow compliance report: ", out);
    h(out, rep->period.label);
    fputs("</title>\n<style>\n", out);
    const char *css = embedded_asset("report.css");
    fputs(css ? css : "", out);
    fputs("</style>\n</head>\n<body>\n", out);
}

int report_render_html(FILE *out, const struct report *rep)
{
    const struct report_period *p = &rep->period;
    const struct precheck_result *pre = &rep->precheck;
    char share[16];
    head(out, rep);

    fputs("<header>\n<h1>Mail-flow compliance report: ", out);
    h(out, p->label);
    fputs("</h1>\n<p class=\"subtitle\">Does inbound mail reach Exchange only through the MX gateway?</p>\n", out);
    fputs("<table class=\"meta\">\n<tr><th>Organisation</th><td>", out);
    for (size_t i = 0; i < rep->ndomains; i++) {
        if (i)
            fputs(", ", out);
        h(out, rep->domains[i]);
    }
    fprintf(out, "</td></tr>\n<tr><th>Period</th><td>%s to %s (%d day%s; all times UTC)</td></tr>\n", p->first_day,
            p->last_day, p->ndays, p->ndays == 1 ? "" : "s");
    fputs("<tr><th>Configuration</th><td class=\"mono\">", out);
    h(out, rep->config_path);
    if (rep->config_sha256[0])
        fprintf(out, "<br>SHA-256 %s", rep->config_sha256);
    fputs("</td></tr>\n<tr><th>Database</th><td class=\"mono\">", out);
    h(out, rep->db_path);
    for (int i = 0; i < REPORT_NSETTINGS; i++) {
        const char *label;
        char *text = report_setting_text(&rep->settings, i, &label, NULL);
        fprintf(out, "</td></tr>\n<tr><th>%s</th><td>", label);
        h(out, text);
        free(text);
    }
    fputs("</td></tr>\n<tr><th>Generated</th><td>", out);
    when(out, rep->generated_at);
    fputs(" UTC by mxaudit " MXAUDIT_VERSION "</td></tr>\n</table>\n", out);
    if (rep->redacted)
        fputs("<div class=\"banner\" id=\"redacted\"><strong>Redacted report.</strong> The local parts of addresses "
              "and Message-IDs are replaced by a keyed hash (the same address gives the same hash in every report "
              "made with the same key); subjects are left out. Counts and domains are complete.</div>\n",
              out);
    fputs("</header>\n", out);

    fputs("<nav class=\"toc\"><a href=\"#summary\">Summary</a><br><a href=\"#sources\">Sources covered</a><br>"
          "<a href=\"#days\">Inbound mail per day</a><br><a href=\"#kinds\">Findings by kind</a><br>"
          "<a href=\"#senders\">Senders, services, networks</a><br>"
          "<a href=\"#ndr\">NDRs with their originals</a><br><a href=\"#sending\">Sending side</a><br>"
          "<a href=\"#verdict\">Precheck verdict</a><br><a href=\"#appendix\">Appendix: every finding</a></nav>\n",
          out);

    /* ---- summary ---- */
    size_t via_gateway = rep->inbound > rep->back_door ? rep->inbound - rep->back_door : 0;
    size_t prev_gateway = rep->prev_inbound > rep->prev_back_door ? rep->prev_inbound - rep->prev_back_door : 0;
    char summary[1024], judged[600];
    report_summary(rep, summary, sizeof summary);
    precheck_basis(pre, judged, sizeof judged);
    section(out, "summary", "Summary", summary);
    const char *head = pre->no_gateway ? "No back door to close"
                       : pre->safe     ? "Safe to close the Exchange Online back door"
                                       : "Not safe to close the Exchange Online back door";
    fprintf(out, "<div class=\"verdict %s\"><strong>%s:</strong> %s%s%s</div>\n", verdict_class(pre), head,
            precheck_reason(pre), judged[0] ? " " : "", judged);
    fputs("<div class=\"cards\">\n", out);
    card(out, rep, "Inbound messages", rep->inbound, NULL, rep->prev_inbound);
    report_share(via_gateway, rep->inbound, share, sizeof share);
    card(out, rep, report_via_gateway_label(rep), via_gateway, share, prev_gateway);
    report_share(rep->back_door, rep->inbound, share, sizeof share);
    card(out, rep, "Via the back door", rep->back_door, share, rep->prev_back_door);
    fputs("</div>\n", out);
    fprintf(out,
            "<p>Back door: %zu through Exchange Online, %zu through on-prem Exchange; %zu finding%s with a current "
            "exception, %zu whose exception has expired.</p>\n",
            rep->back_door_exo, rep->back_door_onprem, rep->excepted, rep->excepted == 1 ? "" : "s", rep->expired);
    if (rep->days_without_rows)
        fprintf(out,
                "<div class=\"banner\">%d of %d days of the period %s no log rows at all; findings cannot be "
                "complete for %s (grey in the charts).</div>\n",
                rep->days_without_rows, p->ndays, rep->days_without_rows == 1 ? "has" : "have",
                rep->days_without_rows == 1 ? "it" : "them");
    if (rep->has_previous && strstr(rep->previous.label, " to ")) /* the label is its days already */
        fprintf(out, "<p>Compared with the previous period, %s, in which the database has rows on %d of %d days.</p>\n",
                rep->previous.label, rep->previous_days_with_rows, rep->previous.ndays);
    else if (rep->has_previous)
        fprintf(out,
                "<p>Compared with the previous period, %s (%s to %s), in which the database has rows on %d of %d "
                "days.</p>\n",
                rep->previous.label, rep->previous.first_day, rep->previous.last_day, rep->previous_days_with_rows,
                rep->previous.ndays);
    else
        fprintf(out, "<p>No comparison: the database has no rows in the previous period (%s to %s).</p>\n",
                rep->previous.first_day, rep->previous.last_day);
    fputs("<figure>\n", out);
    report_svg_share_per_day(out, rep);
    fputs("<figcaption>Share of inbound messages that came through the back door, per day.</figcaption>\n</figure>\n",
          out);
    fputs("</section>\n", out);

    /* ---- sources ---- */
    section(out, "sources", "Sources covered",
            "The log files with events in this period; a finding can only be as complete as these logs, so a missing "
            "host or day is the first thing to fix.");
    if (!rep->nsources) {
        fputs(
            "<p>No ingested file has events in this period: ingest the logs first (<code>mxaudit ingest</code>).</p>\n",
            out);
    } else {
        fputs(
            "<table class=\"sortable\">\n<thead><tr><th data-sort=\"text\">File</th><th data-sort=\"text\">Format</th>"
            "<th data-sort=\"text\">Hosts</th><th data-sort=\"text\">First event</th><th data-sort=\"text\">Last "
            "event</th><th data-sort=\"text\">Local times read in</th>"
            "<th class=\"num\" data-sort=\"num\">Events</th><th class=\"num\" data-sort=\"num\">Rejected lines</th>"
            "</tr></thead>\n<tbody>\n",
            out);
        for (size_t i = 0; i < rep->nsources; i++) {
            const struct report_source *s = &rep->sources[i];
            fputs("<tr><td class=\"mono wrap\">", out);
            h(out, s->path);
            fputs("</td><td>", out);
            h(out, s->format);
            fputs("</td><td>", out);
            h(out, s->hosts);
            fputs("</td><td>", out);
            when(out, s->first_ts);
            fputs("</td><td>", out);
            when(out, s->last_ts);
            fputs("</td><td>", out);
            h(out, s->time_zone ? s->time_zone : "–");
            fprintf(out, "</td><td class=\"num\">%lld</td><td class=\"num\">%lld</td></tr>\n", s->events, s->rejected);
        }
        fputs("</tbody>\n</table>\n", out);
    }
    fputs(
        "<h3>Coverage per log</h3>\n<p class=\"meaning\">Days of the period on which a log has no rows at all: collect "
        "the missing logs, or state why the host was silent.</p>\n",
        out);
    if (rep->nstreams) {
        fputs("<table class=\"sortable\">\n<thead><tr><th data-sort=\"text\">Log</th><th data-sort=\"text\">Host</th>"
              "<th class=\"num\" data-sort=\"num\">Rows</th><th class=\"num\" data-sort=\"num\">Days without rows</th>"
              "<th>Gaps</th></tr></thead>\n<tbody>\n",
              out);
        for (size_t i = 0; i < rep->nstreams; i++) {
            const struct report_stream *s = &rep->streams[i];
            fputs("<tr><td>", out);
            h(out, s->system);
            fputs("</td><td>", out);
            h(out, *s->host ? s->host : "-");
            fprintf(out, "</td><td class=\"num\">%lld</td><td class=\"num\">%d</td><td>", s->total, s->gap_days);
            h(out, *s->gaps ? s->gaps : "none");
            fputs("</td></tr>\n", out);
        }
        fputs("</tbody>\n</table>\n", out);
    }
    fputs("</section>\n", out);

    /* ---- per day ---- */
    section(out, "days", "Inbound mail per day",
            "Messages that entered Exchange for our domains, how many came through the back door, and the findings "
            "of each day; a back-door share that does not fall to zero means something still bypasses the MX.");
    fputs("<figure>\n", out);
    report_svg_kinds_per_day(out, rep);
    fputs("<figcaption>Findings per kind per day.</figcaption>\n</figure>\n", out);
    fputs("<div class=\"scroll\"><table class=\"sortable days\">\n<thead><tr><th data-sort=\"text\">Day</th><th "
          "class=\"num\" data-sort=\"num\">Inbound</th>"
          "<th class=\"num\" data-sort=\"num\">Via back door</th><th class=\"num\" data-sort=\"num\">Share</th>",
          out);
    for (int k = 0; k < FINDING_KIND_COUNT; k++)
        fprintf(out,
                "<th class=\"num\" data-sort=\"num\"><span class=\"swatch\" style=\"background:%s\"></span>%s</th>",
                report_kind_colour((enum finding_kind)k), finding_kind_name((enum finding_kind)k));
    fputs("</tr></thead>\n<tbody>\n", out);
    for (int d = 0; d < p->ndays; d++) {
        const struct report_day *day = &rep->days[d];
        if (!day->has_rows) {
            fprintf(out,
                    "<tr class=\"nodata\"><td>%s</td><td class=\"num\">–</td><td class=\"num\">–</td>"
                    "<td class=\"num\">no log rows</td>",
                    day->day);
            for (int k = 0; k < FINDING_KIND_COUNT; k++)
                fputs("<td class=\"num\">–</td>", out);
            fputs("</tr>\n", out);
            continue;
        }
        if (day->entries_seen) {
            report_share(day->back_door, day->inbound, share, sizeof share);
            fprintf(out, "<tr><td>%s</td><td class=\"num\">%zu</td><td class=\"num\">%zu</td><td class=\"num\">%s</td>",
                    day->day, day->inbound, day->back_door, share);
        } else { /* only gateway or relay logs: nothing shows what entered Exchange */
            fprintf(out,
                    "<tr><td>%s</td><td class=\"num\">–</td><td class=\"num\">–</td>"
                    "<td class=\"num\">no Exchange log rows</td>",
                    day->day);
        }
        for (int k = 0; k < FINDING_KIND_COUNT; k++)
            fprintf(out, "<td class=\"num\">%zu</td>", day->by_kind[k]);
        fputs("</tr>\n", out);
    }
    fputs("</tbody>\n</table></div>\n</section>\n", out);

    /* ---- kinds ---- */
    section(out, "kinds", "Findings by kind",
            "Each kind of finding, most serious first, with what it means and what to do.");
    fputs("<table>\n<thead><tr><th>Finding</th><th class=\"num\">Count</th>", out);
    if (rep->has_previous)
        fputs("<th class=\"num\">Previous period</th><th>Trend</th>", out);
    fputs("<th>What it means and what to do</th></tr></thead>\n<tbody>\n", out);
    for (int k = 0; k < FINDING_KIND_COUNT; k++) {
        char t[32];
        fprintf(
            out,
            "<tr><td><span class=\"swatch\" style=\"background:%s\"></span><strong>%s</strong><br><code>%s</code></td>"
            "<td class=\"num\">%zu</td>",
            report_kind_colour((enum finding_kind)k), report_kind_title((enum finding_kind)k),
            finding_kind_name((enum finding_kind)k), rep->kind_counts[k]);
        if (rep->has_previous) {
            report_trend(rep, rep->kind_counts[k], rep->prev_kind_counts[k], t, sizeof t);
            fprintf(out, "<td class=\"num\">%zu</td><td>%s</td>", rep->prev_kind_counts[k], t);
        }
        fprintf(out, "<td>%s</td></tr>\n", report_kind_meaning((enum finding_kind)k));
    }
    fputs("</tbody>\n</table>\n</section>\n", out);

    /* ---- tops ---- */
    section(out, "senders", "Senders, services and networks through the back door",
            "Who still delivers past the MX; the ones you recognise are the partners and services to move to the "
            "gateway first.");
    fputs("<figure>\n", out);
    report_svg_top_sources(out, rep);
    fputs("<figcaption>Sender domains with the most back-door messages.</figcaption>\n</figure>\n", out);
    fputs("<h3>Top senders</h3>\n", out);
    tally_table(out, rep, &rep->senders, "Sender", NULL);
    fputs(
        "<h3>Services</h3>\n<p class=\"meaning\">Notification services, known by name or unidentified by their domain; "
        "each needs a route through the gateway or an exception before the back door closes.</p>\n",
        out);
    tally_table(out, rep, &rep->services, "Service", "Identified");
    fputs("<h3>Connecting networks</h3>\n<p class=\"meaning\">Where the back-door connections came from (/24 for IPv4, "
          "/48 "
          "for IPv6): Exchange Online networks mean Microsoft 365 services or another tenant's connector, internet "
          "ones direct sending.</p>\n",
          out);
    tally_table(out, rep, &rep->networks, "Network", "Network kind");
    if (rep->has_previous) {
        size_t nnew = 0;
        for (size_t i = 0; i < rep->senders.n; i++)
            nnew += rep->senders.items[i].is_new;
        fprintf(
            out,
            "<h3>Compared with the previous period</h3>\n<p class=\"meaning\">New back-door senders deserve a "
            "look first; a sender gone was seen in the previous period and not in this one: a fix, or a log missing "
            "from this period (see the coverage).</p>\n<p>New senders: %zu. Senders gone: "
            "%zu.</p>\n",
            nnew, rep->senders_gone.n);
        if (rep->senders_gone.n) {
            fputs("<table class=\"sortable\">\n<thead><tr><th data-sort=\"text\">Sender gone</th><th class=\"num\" "
                  "data-sort=\"num\">Messages in the previous period</th></tr></thead>\n<tbody>\n",
                  out);
            for (size_t i = 0; i < rep->senders_gone.n && i < TOP_N; i++) {
                fputs("<tr><td>", out);
                sender(out, rep->senders_gone.items[i].name);
                fprintf(out, "</td><td class=\"num\">%zu</td></tr>\n", rep->senders_gone.items[i].previous);
            }
            fputs("</tbody>\n</table>\n", out);
        }
    }
    fputs("</section>\n", out);

    /* ---- NDRs ---- */
    section(out, "ndr", "NDRs that landed directly, with their originals",
            "Non-delivery reports about our own outbound mail that reached the tenant past the MX; the original shows "
            "which outbound path to move behind the gateway.");
    if (!rep->kind_counts[FINDING_NDR_DIRECT]) {
        fputs("<p>None in this period.</p>\n", out);
    } else {
        fputs("<table class=\"sortable\">\n<thead><tr><th data-sort=\"text\">First seen</th><th data-sort=\"text\">NDR "
              "from</th>"
              "<th data-sort=\"text\">To</th><th data-sort=\"text\">Original Message-ID</th><th "
              "data-sort=\"text\">Original "
              "left via</th></tr></thead>\n<tbody>\n",
              out);
        for (size_t i = 0; i < rep->audit.n; i++) {
            const struct finding *f = &rep->audit.findings[i];
            if (f->kind != FINDING_NDR_DIRECT)
                continue;
            fputs("<tr><td>", out);
            when(out, f->first_seen);
            fputs("</td><td class=\"wrap\">", out);
            sender(out, f->sender);
            fputs("</td><td class=\"wrap\">", out);
            recipients(out, f);
            fputs("</td><td class=\"mono wrap\">", out);
            h(out, f->original_message_id ? f->original_message_id : "not found");
            fputs("</td><td>", out);
            h(out, f->original_host ? f->original_host : "-");
            fputs("</td></tr>\n", out);
        }
        fputs("</tbody>\n</table>\n", out);
    }
    fputs("</section>\n", out);

    /* ---- sending side ---- */
    section(out, "sending", "Sending side: attribution failures and lost NDRs",
            "Outbound mail Exchange Online refused to attribute to the tenant, and bounces that never reached anyone; "
            "both mean mail was lost without anybody being told. A bounce refused that way is both, so it is "
            "counted under each.");
    if (!rep->kind_counts[FINDING_ATTRIBUTION_FAILURE] && !rep->kind_counts[FINDING_NDR_LOST]) {
        fputs("<p>None in this period.</p>\n", out);
    } else {
        fputs("<table class=\"sortable\">\n<thead><tr><th data-sort=\"text\">Finding</th><th data-sort=\"text\">First "
              "seen</th>"
              "<th data-sort=\"text\">Sender</th><th data-sort=\"text\">Recipient</th><th class=\"num\" "
              "data-sort=\"num\">"
              "Attempts</th><th data-sort=\"text\">Via</th><th>Last reply</th></tr></thead>\n<tbody>\n",
              out);
        for (size_t i = 0; i < rep->audit.n; i++) {
            const struct finding *f = &rep->audit.findings[i];
            if (f->kind != FINDING_ATTRIBUTION_FAILURE && f->kind != FINDING_NDR_LOST)
                continue;
            fprintf(out, "<tr><td><code>%s</code></td><td>", finding_kind_name(f->kind));
            when(out, f->first_seen);
            fputs("</td><td class=\"wrap\">", out);
            sender(out, f->sender);
            fputs("</td><td class=\"wrap\">", out);
            h(out, f->recipient);
            fprintf(out, "</td><td class=\"num\">%lld</td><td>", f->attempts);
            h(out, f->smarthost ? f->smarthost : "-");
            fputs("</td><td class=\"mono wrap\">", out);
            h(out, f->reply ? f->reply : "-");
            fputs("</td></tr>\n", out);
        }
        fputs("</tbody>\n</table>\n", out);
    }
    fputs("</section>\n", out);

    /* ---- verdict ---- */
    section(out, "verdict", "Precheck verdict",
            "What restricting the Exchange Online inbound connector to the gateway would stop, group by group; fix "
            "every group marked CUT before closing the back door.");
    fprintf(out, "<div class=\"verdict %s\"><strong>%s</strong> ", verdict_class(pre),
            pre->no_gateway ? "No back door"
            : pre->safe     ? "Safe"
                            : "Not safe");
    if (pre->no_gateway)
        fprintf(out, "to close: %s</div>\n", precheck_reason(pre));
    else if (pre->safe || !pre->exo_entries)
        fprintf(out, "to close the Exchange Online back door: %s</div>\n", precheck_reason(pre));
    else
        fprintf(out, "to close the Exchange Online back door: %zu group%s of wanted mail would be cut.</div>\n",
                pre->cut_groups, pre->cut_groups == 1 ? "" : "s");
    if (judged[0])
        fprintf(out, "<p>%s</p>\n", judged);
    if (pre->n) {
        fputs(
            "<table class=\"sortable\">\n<thead><tr><th data-sort=\"text\"></th><th data-sort=\"text\">Door</th>"
            "<th data-sort=\"text\">Group</th><th data-sort=\"text\">Network</th><th data-sort=\"text\">Client IPs</th>"
            "<th class=\"num\" data-sort=\"num\">Messages</th><th class=\"num\" data-sort=\"num\">Excepted</th>"
            "<th>What to do</th></tr></thead>\n<tbody>\n",
            out);
        for (size_t i = 0; i < pre->n; i++) {
            const struct precheck_group *g = &pre->groups[i];
            fprintf(out, "<tr><td>%s</td><td>%s</td><td class=\"wrap\">",
                    g->would_cut ? "<span class=\"tag cut\">CUT</span>" : "<span class=\"tag ok\">ok</span>",
                    !strcmp(g->entry, "exo") ? "Exchange Online" : "on-prem");
            sender(out, g->label);
            fprintf(out, "</td><td>%s</td><td class=\"mono\">",
                    !strcmp(g->source_net, "eop") ? "Exchange Online" : "internet");
            for (size_t j = 0; j < g->nclient_ips; j++) {
                if (j)
                    fputs("<br>", out);
                h(out, g->client_ips[j]);
            }
            fprintf(out, "</td><td class=\"num\">%zu</td><td class=\"num\">%zu</td><td>", g->messages, g->excepted);
            h(out, g->advice);
            fputs("</td></tr>\n", out);
        }
        fputs("</tbody>\n</table>\n", out);
    }
    fputs("</section>\n", out);

    /* ---- appendix ---- */
    section(out, "appendix", "Appendix: every finding",
            "Every finding of the period in full, with the log lines that prove it.");
    if (!rep->audit.n)
        fputs("<p>No findings.</p>\n", out);
    else
        fputs("<ol class=\"findings\">\n", out);
    for (size_t i = 0; i < rep->audit.n; i++) {
        const struct finding *f = &rep->audit.findings[i];
        fprintf(out, "<li><span class=\"swatch\" style=\"background:%s\"></span><strong>%s</strong>, ",
                report_kind_colour(f->kind), finding_kind_name(f->kind));
        when(out, f->first_seen);
        fputs(": ", out);
        sender(out, f->sender);
        fputs(" to ", out);
        recipients(out, f);
        if (f->entry) {
            fprintf(out, " via %s from <span class=\"mono\">",
                    !strcmp(f->entry, "exo") ? "Exchange Online" : "on-prem Exchange");
            h(out, f->client_ip);
            fprintf(out, "</span> (%s)",
                    f->source_net && !strcmp(f->source_net, "eop") ? "Exchange Online network" : "internet");
        }
        fputs("\n<table class=\"meta\">\n", out);
        if (f->subject) {
            fputs("<tr><th>Subject</th><td>", out);
            h(out, f->subject);
            fputs("</td></tr>\n", out);
        }
        if (f->message_id) {
            fputs("<tr><th>Message-ID</th><td class=\"mono wrap\">", out);
            h(out, f->message_id);
            fputs("</td></tr>\n", out);
        }
        if (f->service) {
            fputs("<tr><th>Service</th><td>", out);
            h(out, f->service);
            fputs("</td></tr>\n", out);
        }
        int sending = finding_is_sending(f);
        if (sending && f->original_host) {
            fputs("<tr><th>Relayed by</th><td class=\"mono\">", out);
            h(out, f->original_host);
            fputs("</td></tr>\n", out);
        } else if (f->original_message_id || f->original_host) {
            fputs("<tr><th>Original</th><td class=\"mono wrap\">", out);
            h(out, f->original_message_id ? f->original_message_id : "(no Message-ID)");
            fputs(" via ", out);
            h(out, f->original_host ? f->original_host : "?");
            fputs("</td></tr>\n", out);
        }
        if (sending) {
            fprintf(out, "<tr><th>Attempts</th><td>%lld via ", f->attempts);
            h(out, f->smarthost ? f->smarthost : "?");
            fputs("</td></tr>\n<tr><th>Last reply</th><td class=\"mono wrap\">", out);
            h(out, f->reply ? f->reply : "(none)");
            fputs("</td></tr>\n", out);
        }
        if (f->excepted || f->exception_expired) {
            fprintf(out, "<tr><th>%s</th><td>", f->excepted ? "Excepted" : "Exception expired");
            h(out, f->exception_reason);
            if (f->exception_until && *f->exception_until) {
                fputs(" (until ", out);
                h(out, f->exception_until);
                fputs(")", out);
            }
            fputs("</td></tr>\n", out);
        }
        fputs("<tr><th>Evidence</th><td class=\"mono wrap\">", out);
        for (size_t j = 0; j < f->nevidence; j++) {
            if (j)
                fputs("<br>", out);
            h(out, f->evidence[j].file);
            fprintf(out, ":%lld", f->evidence[j].line);
        }
        fputs("</td></tr>\n</table>\n</li>\n", out);
    }
    if (rep->audit.n)
        fputs("</ol>\n", out);
    fputs("</section>\n", out);

    fputs("<footer>Generated by mxaudit " MXAUDIT_VERSION " at ", out);
    when(out, rep->generated_at);
    fputs(" UTC from the ingested logs listed under Sources covered. This file is self-contained: it loads nothing "
          "and works offline.</footer>\n",
          out);
    fprintf(out, "<script>%s</script>\n</body>\n</html>\n", sort_script);
    return ferror(out) ? -1 : 0;
}
