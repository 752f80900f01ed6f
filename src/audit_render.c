/*
 * audit_render.c - text, JSON-lines and CSV renderers (see audit_render.h).
 */
#include "audit_render.h"

#include "escape.h"
#include "timeutil.h"

#include <stdlib.h>
#include <string.h>

void render_time_iso(const char *stored, char *out)
{
    int64_t epoch;
    int ms, has_zone;
    if (stored && time_parse_iso(stored, strlen(stored), 1, &epoch, &ms, &has_zone))
        time_format_iso(epoch, ms, out);
    else
        snprintf(out, TIME_TEXT_MAX, "%s", stored ? stored : "");
}

/* ---- JSON ---- */

void json_member_key(FILE *out, const char *key, int *first)
{
    if (!*first)
        putc(',', out);
    *first = 0;
    escape_json(out, key);
    putc(':', out);
}

void json_member_str(FILE *out, const char *key, const char *value, int *first)
{
    json_member_key(out, key, first);
    escape_json(out, value);
}

void json_member_num(FILE *out, const char *key, long long value, int *first)
{
    json_member_key(out, key, first);
    fprintf(out, "%lld", value);
}

void json_member_bool(FILE *out, const char *key, int value, int *first)
{
    json_member_key(out, key, first);
    fputs(value ? "true" : "false", out);
}

void json_member_time(FILE *out, const char *key, const char *stored, int *first)
{
    char iso[TIME_TEXT_MAX];
    json_member_key(out, key, first);
    if (!stored || !*stored) {
        fputs("null", out);
        return;
    }
    render_time_iso(stored, iso);
    escape_json(out, iso);
}

int finding_is_sending(const struct finding *f)
{
    return f->kind == FINDING_ATTRIBUTION_FAILURE || f->kind == FINDING_NDR_LOST;
}

void audit_render_finding_json(FILE *out, const struct finding *f)
{
    {
        int first = 1;
        putc('{', out);
        json_member_str(out, "finding", finding_kind_name(f->kind), &first);
        json_member_str(out, "message_id", f->message_id, &first);
        json_member_str(out, "sender", f->sender, &first);
        json_member_key(out, "recipients", &first);
        putc('[', out);
        for (size_t j = 0; j < f->nrecipients; j++) {
            if (j)
                putc(',', out);
            escape_json(out, f->recipients[j]);
        }
        putc(']', out);
        json_member_str(out, "subject", f->subject, &first);
        json_member_time(out, "first_seen", f->first_seen, &first);
        json_member_time(out, "last_seen", f->last_seen, &first);
        json_member_str(out, "entry", f->entry, &first);
        json_member_str(out, "client_ip", f->client_ip, &first);
        json_member_str(out, "source_net", f->source_net, &first);
        json_member_str(out, "service", f->service, &first);
        json_member_bool(out, "excepted", f->excepted, &first);
        json_member_bool(out, "exception_expired", f->exception_expired, &first);
        json_member_str(out, "exception_reason", f->exception_reason, &first);
        json_member_str(out, "exception_until", f->exception_until && *f->exception_until ? f->exception_until : NULL,
                        &first);
        if (f->kind == FINDING_NDR_DIRECT) {
            json_member_str(out, "original_message_id", f->original_message_id, &first);
            json_member_str(out, "original_host", f->original_host, &first);
        }
        if (finding_is_sending(f)) {
            json_member_str(out, "recipient", f->recipient, &first);
            json_member_num(out, "attempts", f->attempts, &first);
            json_member_str(out, "reply", f->reply, &first);
            json_member_str(out, "dsn", f->dsn, &first);
            json_member_str(out, "smarthost", f->smarthost, &first);
            json_member_str(out, "host", f->original_host, &first);
        }
        json_member_key(out, "evidence", &first);
        putc('[', out);
        for (size_t j = 0; j < f->nevidence; j++) {
            fputs(j ? ",{\"file\":" : "{\"file\":", out);
            escape_json(out, f->evidence[j].file);
            fprintf(out, ",\"line\":%lld}", f->evidence[j].line);
        }
        fputs("]}", out);
    }
}

int audit_render_json(FILE *out, const struct audit_result *res)
{
    for (size_t i = 0; i < res->n; i++) {
        audit_render_finding_json(out, &res->findings[i]);
        putc('\n', out);
    }
    return ferror(out) ? -1 : 0;
}

/* ---- CSV: escape_csv (RFC 4180, formulas neutralised, CRLF line ends) ---- */

static void csv_cell(FILE *out, const char *s, int last)
{
    escape_csv(out, s);
    fputs(last ? "\r\n" : ",", out);
}

int audit_render_csv(FILE *out, const struct audit_result *res)
{
    fputs("finding,message_id,sender,recipients,subject,first_seen,last_seen,entry,client_ip,source_net,"
          "service,excepted,exception_reason,exception_until,original_message_id,original_host,recipient,"
          "attempts,reply,smarthost,dsn,host,evidence\r\n",
          out);
    for (size_t i = 0; i < res->n; i++) {
        const struct finding *f = &res->findings[i];
        char t1[TIME_TEXT_MAX], t2[TIME_TEXT_MAX], num[32] = "";
        render_time_iso(f->first_seen, t1);
        render_time_iso(f->last_seen, t2);
        size_t cap = 1;
        for (size_t j = 0; j < f->nrecipients; j++)
            cap += strlen(f->recipients[j]) + 1;
        for (size_t j = 0; j < f->nevidence; j++)
            cap += strlen(f->evidence[j].file) + 24;
        char *rcpts = calloc(1, cap), *ev = calloc(1, cap);
        if (!rcpts || !ev) {
            free(rcpts);
            free(ev);
            return -1;
        }
        for (size_t j = 0; j < f->nrecipients; j++) {
            if (j)
                strcat(rcpts, ";");
            strcat(rcpts, f->recipients[j]);
        }
        for (size_t j = 0; j < f->nevidence; j++)
            sprintf(ev + strlen(ev), "%s%s:%lld", j ? ";" : "", f->evidence[j].file, f->evidence[j].line);
        if (finding_is_sending(f))
            snprintf(num, sizeof num, "%lld", f->attempts);
        csv_cell(out, finding_kind_name(f->kind), 0);
        csv_cell(out, f->message_id, 0);
        csv_cell(out, f->sender && !*f->sender ? "<>" : f->sender, 0);
        csv_cell(out, rcpts, 0);
        csv_cell(out, f->subject, 0);
        csv_cell(out, t1, 0);
        csv_cell(out, t2, 0);
        csv_cell(out, f->entry, 0);
        csv_cell(out, f->client_ip, 0);
        csv_cell(out, f->source_net, 0);
        csv_cell(out, f->service, 0);
        csv_cell(out, f->excepted ? "yes" : f->exception_expired ? "expired" : "no", 0);
        csv_cell(out, f->exception_reason, 0);
        csv_cell(out, f->exception_until, 0);
        /* on the sending side original_host holds the host that logged the attempts (JSON's host) */
        csv_cell(out, f->original_message_id, 0);
        csv_cell(out, finding_is_sending(f) ? NULL : f->original_host, 0);
        csv_cell(out, f->recipient, 0);
        csv_cell(out, num, 0);
        csv_cell(out, f->reply, 0);
        csv_cell(out, f->smarthost, 0);
        csv_cell(out, f->dsn, 0);
        csv_cell(out, finding_is_sending(f) ? f->original_host : NULL, 0);
        csv_cell(out, ev, 1);
        free(rcpts);
        free(ev);
    }
    return ferror(out) ? -1 : 0;
}

/* ---- text ---- */

static const char *const kind_titles[FINDING_KIND_COUNT] = {
    "NDRs delivered straight to the tenant, past the MX",
    "known notification senders using the back door",
    "machine-sent mail from unknown services using the back door",
    "other mail that bypassed the MX (spam, partners' misrouted mail, spoofs)",
    "outbound mail Exchange Online could not attribute to the tenant",
    "NDRs that bounced or expired themselves: nobody will read them",
};

/* Log text in the text report: control bytes and invalid UTF-8 as \xNN, so
 * a subject cannot move the cursor or retitle the terminal. */
static void txt(FILE *out, const char *s, const char *absent)
{
    if (s)
        escape_text(out, s);
    else
        fputs(absent, out);
}

static void show_sender(FILE *out, const char *s)
{
    txt(out, s && !*s ? "<>" : s, "(unknown)");
}

int audit_render_text(FILE *out, const struct audit_result *res)
{
    size_t expired = 0;
    for (size_t i = 0; i < res->n; i++)
        expired += res->findings[i].exception_expired;
    fprintf(out, "%zu finding%s (%zu excepted, %zu with an expired exception); %zu entry rows examined\n", res->n,
            res->n == 1 ? "" : "s", res->excepted, expired, res->entries_examined);
    for (int k = 0; k < FINDING_KIND_COUNT; k++)
        fprintf(out, "  %-22s %zu\n", finding_kind_name((enum finding_kind)k), res->counts[k]);
    for (int k = 0; k < FINDING_KIND_COUNT; k++) {
        if (!res->counts[k])
            continue;
        fprintf(out, "\n== %s (%zu): %s ==\n", finding_kind_name((enum finding_kind)k), res->counts[k], kind_titles[k]);
        for (size_t i = 0; i < res->n; i++) {
            const struct finding *f = &res->findings[i];
            if ((int)f->kind != k)
                continue;
            char t1[TIME_TEXT_MAX];
            render_time_iso(f->first_seen, t1);
            txt(out, t1, "");
            fputs("  ", out);
            show_sender(out, f->sender);
            fputs(" -> ", out);
            if (finding_is_sending(f)) {
                txt(out, f->recipient, "?");
                fprintf(out, "  %lld attempt%s via ", f->attempts, f->attempts == 1 ? "" : "s");
                txt(out, f->smarthost, "?");
                fputs("\n    last reply: ", out);
                txt(out, f->reply, "(none)");
                putc('\n', out);
            } else {
                for (size_t j = 0; j < f->nrecipients; j++) {
                    if (j)
                        fputs(", ", out);
                    txt(out, f->recipients[j], "");
                }
                fputs("  via ", out);
                txt(out, f->entry, "(null)");
                fputs(" from ", out);
                txt(out, f->client_ip, "(null)");
                fputs(" (", out);
                txt(out, f->source_net, "(null)");
                fputs(")\n    subject: ", out);
                txt(out, f->subject, "(none)");
                putc('\n', out);
                if (f->service) {
                    fputs("    service: ", out);
                    txt(out, f->service, "");
                    putc('\n', out);
                }
                if (f->original_message_id || f->original_host) {
                    fputs("    original: ", out);
                    txt(out, f->original_message_id, "(no Message-ID)");
                    fputs(" sent via ", out);
                    txt(out, f->original_host, "?");
                    putc('\n', out);
                }
            }
            if (f->message_id) {
                fputs("    message-id: ", out);
                txt(out, f->message_id, "");
                putc('\n', out);
            }
            if (f->excepted || f->exception_expired) {
                fprintf(out, "    %s: ", f->excepted ? "excepted" : "EXPIRED exception");
                txt(out, f->exception_reason, "");
                if (f->exception_until[0]) {
                    fputs(" until ", out);
                    txt(out, f->exception_until, "");
                }
                putc('\n', out);
            }
            fputs("    evidence:", out);
            for (size_t j = 0; j < f->nevidence; j++) {
                putc(' ', out);
                txt(out, f->evidence[j].file, "");
                fprintf(out, ":%lld", f->evidence[j].line);
            }
            putc('\n', out);
        }
    }
    return ferror(out) ? -1 : 0;
}

static void group_counts_text(FILE *out, const struct precheck_group *g)
{
    for (int k = 0; k < 4; k++) {
        if (!g->counts[k])
            continue;
        fprintf(out, ", %zu %s", g->counts[k], finding_kind_name((enum finding_kind)k));
    }
    if (g->excepted)
        fprintf(out, "; %zu excepted", g->excepted);
}

const char *precheck_partners_note(const struct precheck_result *pre)
{
    if (pre->no_gateway || pre->partners_from == PARTNERS_FROM_GATEWAY_LOGS)
        return NULL;
    if (pre->partners_from == PARTNERS_FROM_ENTRIES)
        return "No mail delivered by a [gateway] host is in its Postfix logs here: partners are the sender "
               "domains of mail that entered Exchange from [gateway] ips.";
    return "No mail delivered by a [gateway] host is in its Postfix logs here, and none entered from [gateway] ips: "
           "a partner's mail past the MX cannot be told from spam and shows as [ok]. Ingest the gateway's logs, and "
           "check [gateway] hosts and ips.";
}

const char *precheck_partners_from(const struct precheck_result *pre)
{
    return pre->partners_from == PARTNERS_FROM_GATEWAY_LOGS ? "gateway_logs"
           : pre->partners_from == PARTNERS_FROM_ENTRIES    ? "entries"
                                                            : "none";
}

const char *precheck_verdict(const struct precheck_result *pre)
{
    return pre->no_gateway ? "no_back_door" : pre->safe ? "safe" : "not_safe";
}

const char *precheck_headline(const struct precheck_result *pre)
{
    return pre->no_gateway ? "no back door to close"
           : pre->safe     ? "safe to close the Exchange Online back door"
                           : "not safe to close the Exchange Online back door";
}

const char *precheck_reason(const struct precheck_result *pre)
{
    if (pre->no_gateway)
        return "the configuration has no [gateway], so the MX is Exchange Online itself.";
    if (!pre->exo_entries)
        return "no Exchange Online entry in the period, so nothing shows what closing it would cut.";
    return pre->safe ? "no wanted mail would be cut." : "wanted mail would be cut (see the precheck verdict).";
}

void precheck_judged_on(const struct precheck_result *pre, char *out, size_t outlen)
{
    out[0] = '\0';
    if (pre->no_gateway || !pre->exo_entries)
        return;
    char t1[TIME_TEXT_MAX], t2[TIME_TEXT_MAX];
    render_time_iso(pre->exo_first, t1);
    render_time_iso(pre->exo_last, t2);
    snprintf(out, outlen, "Judged on %zu Exchange Online entr%s from %s to %s.", pre->exo_entries,
             pre->exo_entries == 1 ? "y" : "ies", t1, t2);
}

void precheck_basis(const struct precheck_result *pre, char *out, size_t outlen)
{
    precheck_judged_on(pre, out, outlen);
    const char *partners = precheck_partners_note(pre);
    size_t len = strlen(out);
    if (partners && pre->exo_entries && len < outlen)
        snprintf(out + len, outlen - len, "%s%s", len ? " " : "", partners);
}

int precheck_render_text(FILE *out, const struct precheck_result *pre)
{
    if (pre->no_gateway) {
        fprintf(out, "No back door to close: %s\n", precheck_reason(pre));
    } else if (!pre->exo_entries) {
        fputs("NOT SAFE to close the Exchange Online back door: no Exchange Online entry in the period, so\n"
              "nothing shows what closing it would cut. Ingest a message trace of the weeks before closing\n"
              "(Get-MessageTraceV2 | Export-Csv) and run the precheck again.\n",
              out);
    } else {
        if (pre->safe)
            fprintf(out, "SAFE to close the Exchange Online back door: no wanted mail would be cut.\n");
        else
            fprintf(out, "NOT SAFE to close the Exchange Online back door: %zu group%s of wanted mail would be cut.\n",
                    pre->cut_groups, pre->cut_groups == 1 ? "" : "s");
        char judged[200];
        precheck_judged_on(pre, judged, sizeof judged);
        fprintf(out, "%s\n", judged);
        const char *partners = precheck_partners_note(pre);
        if (partners)
            fprintf(out, "%s\n", partners);
    }
    const char *door = NULL;
    for (size_t i = 0; i < pre->n; i++) {
        const struct precheck_group *g = &pre->groups[i];
        if (!door || strcmp(door, g->entry)) {
            door = g->entry;
            fprintf(out, "\n%s\n",
                    !strcmp(door, "exo")
                        ? "== Exchange Online back door: what closing it would stop =="
                        : "== On-prem Exchange: a separate door, not closed with the Exchange Online one ==");
        }
        char t1[TIME_TEXT_MAX], t2[TIME_TEXT_MAX];
        render_time_iso(g->first_seen, t1);
        render_time_iso(g->last_seen, t2);
        const char *mark = g->would_cut ? "[CUT] " : "[ok]  ";
        fprintf(out, "%s ", mark);
        txt(out, g->label, "");
        fputs(" from ", out);
        txt(out, g->source_net, "");
        fputs(" (", out);
        for (size_t j = 0; j < g->nclient_ips; j++) {
            if (j)
                fputs(", ", out);
            txt(out, g->client_ips[j], "");
        }
        fprintf(out, "): %zu message%s", g->messages, g->messages == 1 ? "" : "s");
        group_counts_text(out, g);
        fprintf(out, "; %s .. %s\n      -> ", t1, t2);
        txt(out, g->advice, "");
        putc('\n', out);
    }
    return ferror(out) ? -1 : 0;
}

int precheck_render_json(FILE *out, const struct precheck_result *pre)
{
    int vfirst = 1;
    putc('{', out);
    json_member_str(out, "verdict", precheck_verdict(pre), &vfirst);
    json_member_key(out, "cut_groups", &vfirst);
    fprintf(out, "%zu", pre->cut_groups);
    json_member_key(out, "exo_entries", &vfirst);
    fprintf(out, "%zu", pre->exo_entries);
    json_member_time(out, "exo_first_seen", pre->exo_entries ? pre->exo_first : NULL, &vfirst);
    json_member_time(out, "exo_last_seen", pre->exo_entries ? pre->exo_last : NULL, &vfirst);
    json_member_str(out, "partners_from", precheck_partners_from(pre), &vfirst);
    fputs("}\n", out);
    for (size_t i = 0; i < pre->n; i++) {
        const struct precheck_group *g = &pre->groups[i];
        int first = 1;
        putc('{', out);
        json_member_str(out, "entry", g->entry, &first);
        json_member_str(out, "group", g->label, &first);
        json_member_str(out, "source_net", g->source_net, &first);
        json_member_key(out, "client_ips", &first);
        putc('[', out);
        for (size_t j = 0; j < g->nclient_ips; j++) {
            if (j)
                putc(',', out);
            escape_json(out, g->client_ips[j]);
        }
        putc(']', out);
        json_member_key(out, "messages", &first);
        fprintf(out, "%zu", g->messages);
        for (int k = 0; k < 4; k++) {
            json_member_key(out, finding_kind_name((enum finding_kind)k), &first);
            fprintf(out, "%zu", g->counts[k]);
        }
        json_member_key(out, "excepted", &first);
        fprintf(out, "%zu", g->excepted);
        json_member_bool(out, "would_cut", g->would_cut, &first);
        json_member_bool(out, "gateway", g->gateway, &first);
        json_member_bool(out, "partner", g->partner, &first);
        json_member_time(out, "first_seen", g->first_seen, &first);
        json_member_time(out, "last_seen", g->last_seen, &first);
        json_member_str(out, "advice", g->advice, &first);
        fputs("}\n", out);
    }
    return ferror(out) ? -1 : 0;
}
