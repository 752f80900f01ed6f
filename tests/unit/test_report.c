/* test_report.c - the compliance report: periods, redaction, the keyed hash,
 * escaping, and what the report says about a small database built row by
 * row (totals, gaps, the comparison with the previous period), rendered in
 * every format with hostile log values. */
#include "config.h"
#include "escape.h"
#include "report.h"
#include "sha256.h"
#include "store.h"
#include "testutil.h"
#include "textutil.h"

#include <unistd.h>

static const char conf[] = "[organization]\n"
                           "domains = fabrikam.example\n"
                           "[gateway]\n"
                           "ips = 198.51.100.25\n"
                           "hosts = mx1.fabrikam.example\n";

static sqlite3 *db;

static void exec(const char *sql)
{
    char err[512];
    if (store_exec(db, sql, err, sizeof err) != 0) {
        fprintf(stderr, "SQL: %s\n%s\n", err, sql);
        exit(2);
    }
}

/* One Exchange Online message trace row: a message entering the tenant. */
static void trace_row(int line, const char *ts, const char *msgid, const char *sender, const char *subject,
                      const char *ip, const char *rcpt)
{
    sqlite3_stmt *st;
    sqlite3_prepare_v2(
        db,
        "INSERT INTO ex_event(source_id, line, system, format, ts, event, message_id, sender, subject, "
        "client_ip, recipient_count) VALUES (1, ?1, 'exo', 'exo-trace', ?2, 'Delivered', ?3, ?4, ?5, ?6, 1)",
        -1, &st, NULL);
    sqlite3_bind_int(st, 1, line);
    sqlite3_bind_text(st, 2, ts, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, msgid, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, sender, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, subject, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, ip, -1, SQLITE_STATIC);
    CHECK_INT(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    long long id = sqlite3_last_insert_rowid(db);
    sqlite3_prepare_v2(
        db, "INSERT INTO ex_recipient(event_id, source_id, line, address, status) VALUES (?1, 1, ?2, ?3, 'Delivered')",
        -1, &st, NULL);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, line);
    sqlite3_bind_text(st, 3, rcpt, -1, SQLITE_STATIC);
    CHECK_INT(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
}

/* Markup, then a terminal title sequence (ESC ] 0 ; ... BEL) and a byte that
 * is not UTF-8. */
static const char hostile_subject[] = "<script>alert(1)</script> \"><img src=x onerror=alert(2)> \x1b]0;t\x07 \xff";

/* No raw control byte but tab, LF and CR, and valid UTF-8 throughout. */
static int inert_bytes(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        if ((*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') || *p == 0x7f)
            return 0;
        size_t n = text_utf8_seq(p, strlen((const char *)p));
        if (n == 0)
            return 0;
        p += n;
    }
    return 1;
}

static void build_db(void)
{
    char err[512];
    unlink("report.db");
    if (store_open("report.db", STORE_READWRITE, &db, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        exit(2);
    }
    exec("INSERT INTO source(id, path, format, status, ingested_at, first_ts, last_ts, lines_read, events_stored) "
         "VALUES (1, 'logs/trace.csv', 'exo-trace', 'ok', '2026-11-28 00:00:00', '2026-11-21 08:00:00', "
         "'2026-11-24 16:00:00', 8, 8)");
    /* previous period: 2026-11-21 .. 2026-11-22 */
    trace_row(1, "2026-11-21 08:00:00", "p1@partner.example", "old@partner.example", "Order", "203.0.113.9",
              "a@fabrikam.example");
    trace_row(2, "2026-11-22 09:00:00", "p2@partner.example", "keep@partner.example", "Invoice", "203.0.113.9",
              "a@fabrikam.example");
    trace_row(3, "2026-11-22 10:00:00", "p3@x.example", "someone@x.example", "Hello", "198.51.100.25",
              "b@fabrikam.example");
    /* this period: 2026-11-23 .. 2026-11-24 */
    trace_row(4, "2026-11-23 08:00:00", "m1@partner.example", "keep@partner.example", "Invoice 2", "203.0.113.9",
              "a@fabrikam.example");
    trace_row(5, "2026-11-23 09:00:00", "m2@x.example", "someone@x.example", "Via the MX", "198.51.100.25",
              "b@fabrikam.example");
    trace_row(6, "2026-11-23 10:00:00", "m3@x.example", "other@x.example", "Via the MX too", "198.51.100.25",
              "c@fabrikam.example");
    trace_row(7, "2026-11-24 11:00:00", "m4@other.example", "Mallory.Jones@other.example", hostile_subject,
              "2001:db8:1::5", "a@fabrikam.example");
    trace_row(8, "2026-11-24 12:00:00", "m5@evil.example", "-x@evil.example", "=HYPERLINK(\"http://evil.example\")",
              "192.0.2.7", "d@fabrikam.example");
}

static char *render(int (*fn)(FILE *, const struct report *), const struct report *rep)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CHECK_INT(fn(f, rep), 0);
    fclose(f);
    return buf;
}

static size_t count_of(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

static void test_sha256(void)
{
    unsigned char d[SHA256_DIGEST_SIZE];
    char hex[65];
    sha256("abc", 3, d); /* FIPS 180-4 example */
    sha256_hex(d, 32, hex);
    CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    sha256("", 0, d);
    sha256_hex(d, 32, hex);
    CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    static const char million[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sha256(million, strlen(million), d); /* two blocks */
    sha256_hex(d, 32, hex);
    CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, d); /* RFC 4231 test case 2 */
    sha256_hex(d, 32, hex);
    CHECK_STR(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    unsigned char key[131];
    memset(key, 0xaa, sizeof key); /* RFC 4231 test case 6: a key longer than a block */
    hmac_sha256(key, sizeof key, "Test Using Larger Than Block-Size Key - Hash Key First", 54, d);
    sha256_hex(d, 32, hex);
    CHECK_STR(hex, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

static const char *esc(int (*fn)(FILE *, const char *), const char *s)
{
    static char out[4][512];
    static int slot;
    char *o = out[slot++ % 4];
    FILE *f = fmemopen(o, sizeof out[0], "w");
    fn(f, s);
    fputc('\0', f);
    fclose(f);
    return o;
}

static void test_escape(void)
{
    CHECK_STR(esc(escape_html, "<script>a&b</script>"), "&lt;script&gt;a&amp;b&lt;/script&gt;");
    CHECK_STR(esc(escape_html, "\"><img onerror='x'>"), "&quot;&gt;&lt;img onerror=&#39;x&#39;&gt;");
    CHECK_STR(esc(escape_html, "Gr\xc3\xbc\xc3\x9f"
                               "e\x01"),
              "Gr\xc3\xbc\xc3\x9f"
              "e&#xFFFD;");
    CHECK_STR(esc(escape_csv, "=1+2"), "\"'=1+2\"");
    CHECK_STR(esc(escape_csv, "-2"), "\"'-2\"");
    CHECK_STR(esc(escape_csv, "@SUM(A1)"), "\"'@SUM(A1)\"");
    CHECK_STR(esc(escape_csv, "+49 30"), "\"'+49 30\"");
    CHECK_STR(esc(escape_csv, "a,\"b\""), "\"a,\"\"b\"\"\"");
    CHECK_STR(esc(escape_csv, "plain 1-2"), "plain 1-2");
    CHECK_STR(esc(escape_markdown, "a|b_c *d* <e>"), "a\\|b\\_c \\*d\\* \\<e\\>");
    CHECK_STR(esc(escape_markdown, "line\nbreak"), "line break");
    CHECK_STR(esc(escape_json, "q\"b\\\n\x01</script>"), "\"q\\\"b\\\\\\n\\u0001\\u003c/script>\"");
    CHECK_STR(esc(escape_json, NULL), "null");
}

static void test_periods(void)
{
    struct report_period p, prev;
    char err[256];
    CHECK_INT(report_period_parse("2026-11", &p, err, sizeof err), 0);
    CHECK_STR(p.since, "2026-11-01 00:00:00");
    CHECK_STR(p.until, "2026-11-30 23:59:59.999");
    CHECK_INT(p.ndays, 30);
    CHECK_STR(p.label, "2026-11");
    report_period_previous(&p, &prev);
    CHECK_STR(prev.label, "2026-10");
    CHECK_INT(prev.ndays, 31);
    CHECK_INT(report_period_parse("2024-03", &p, err, sizeof err), 0);
    report_period_previous(&p, &prev);
    CHECK_INT(prev.ndays, 29); /* leap February */
    CHECK_INT(report_period_parse("2026-01", &p, err, sizeof err), 0);
    report_period_previous(&p, &prev);
    CHECK_STR(prev.label, "2025-12");
    CHECK_INT(report_period_parse("2026-W48", &p, err, sizeof err), 0);
    CHECK_STR(p.first_day, "2026-11-23"); /* a Monday */
    CHECK_STR(p.last_day, "2026-11-29");
    report_period_previous(&p, &prev);
    CHECK_STR(prev.label, "2026-W47");
    CHECK_INT(report_period_parse("2026-W01", &p, err, sizeof err), 0);
    CHECK_STR(p.first_day, "2025-12-29"); /* week 1 holds 4 January */
    report_period_previous(&p, &prev);
    CHECK_STR(prev.label, "2025-W52");
    CHECK_INT(report_period_parse("2026-W53", &p, err, sizeof err), 0); /* 2026 starts on a Thursday */
    CHECK_INT(report_period_parse("2025-W53", &p, err, sizeof err), -1);
    CHECK_INT(report_period_parse("2026-13", &p, err, sizeof err), -1);
    CHECK_INT(report_period_parse("November", &p, err, sizeof err), -1);
    CHECK(strstr(err, "YYYY-MM") != NULL);
    CHECK_INT(report_period_parse("2026-11-27", &p, err, sizeof err), 0);
    CHECK_INT(p.ndays, 1);
    CHECK_INT(report_period_range("2026-11-23", "2026-11-26", &p, err, sizeof err), 0);
    CHECK_INT(p.ndays, 4);
    CHECK_STR(p.label, "2026-11-23 to 2026-11-26");
    report_period_previous(&p, &prev);
    CHECK_STR(prev.first_day, "2026-11-19");
    CHECK_STR(prev.last_day, "2026-11-22");
    CHECK_INT(report_period_range("2026-11-26", "2026-11-23", &p, err, sizeof err), -1);
    CHECK_INT(report_period_range("2026-02-30", "2026-03-01", &p, err, sizeof err), -1);
}

static void test_redact(void)
{
    char *a = report_redact_address("k1", "Jonas.Weber@fabrikam.example");
    char *b = report_redact_address("k1", "jonas.weber@fabrikam.example");
    char *c = report_redact_address("k2", "jonas.weber@fabrikam.example");
    CHECK(strncmp(a, "anon-", 5) == 0);
    CHECK_INT(strlen(a), strlen("anon-") + 12 + strlen("@fabrikam.example"));
    CHECK(strstr(a, "@fabrikam.example") != NULL);
    CHECK(strstr(a, "jonas") == NULL && strstr(a, "Jonas") == NULL);
    CHECK_STR(a, b);          /* stable, case-insensitive local part */
    CHECK(strcmp(b, c) != 0); /* keyed */
    /* HMAC-SHA256("k1", "jonas.weber") starts with these 6 bytes. */
    unsigned char mac[32];
    char hex[13], want[64];
    hmac_sha256("k1", 2, "jonas.weber", 11, mac);
    sha256_hex(mac, 6, hex);
    snprintf(want, sizeof want, "anon-%s@fabrikam.example", hex);
    CHECK_STR(a, want);
    char *e = report_redact_address("k1", "");
    CHECK_STR(e, "");
    char *t = report_redact_text("k1", "550 5.1.1 <j.berger@northwind.example>: Recipient address rejected");
    CHECK(strstr(t, "j.berger") == NULL);
    CHECK(strstr(t, "@northwind.example>: Recipient address rejected") != NULL);
    CHECK(strncmp(t, "550 5.1.1 <anon-", 16) == 0);
    char *n = report_redact_text("k1", "no address here @ all");
    CHECK_STR(n, "no address here @ all");
    free(a), free(b), free(c), free(e), free(t), free(n);
}

static void test_gather(struct config *cfg)
{
    struct report_options opt;
    struct report rep;
    char err[512];
    memset(&opt, 0, sizeof opt);
    CHECK_INT(report_period_range("2026-11-23", "2026-11-24", &opt.period, err, sizeof err), 0);
    opt.generated_at = "2026-12-01 00:00:00";
    opt.config_path = "test.conf";
    if (report_gather(db, cfg, &opt, &rep, err, sizeof err) != 0) {
        fprintf(stderr, "report_gather: %s\n", err);
        CHECK(0);
        return;
    }
    CHECK_INT(rep.inbound, 5);
    CHECK_INT(rep.back_door, 3);
    CHECK_INT(rep.back_door_exo, 3);
    CHECK_INT(rep.kind_counts[FINDING_BYPASSED_MX], 3);
    CHECK_INT(rep.days[0].inbound, 3);
    CHECK_INT(rep.days[0].back_door, 1);
    CHECK_INT(rep.days[1].inbound, 2);
    CHECK_INT(rep.days[1].back_door, 2);
    CHECK_INT(rep.has_previous, 1);
    CHECK_INT(rep.previous_days_with_rows, 2);
    CHECK_INT(rep.prev_inbound, 3);
    CHECK_INT(rep.prev_back_door, 2);
    CHECK_INT(rep.prev_kind_counts[FINDING_BYPASSED_MX], 2);
    CHECK_INT(rep.nsources, 1);
    /* the trace, and the configured gateway mx1 whose log has no row at all:
     * missing for the whole period, not left out */
    CHECK_INT(rep.nstreams, 2);
    CHECK_STR(rep.streams[0].gaps, "");
    CHECK_STR(rep.streams[1].system, "postfix");
    CHECK_STR(rep.streams[1].host, "mx1");
    CHECK_INT(rep.streams[1].gap_days, rep.period.ndays);
    CHECK_INT(rep.senders.n, 3);
    for (size_t i = 0; i < rep.senders.n; i++) {
        const struct report_tally *t = &rep.senders.items[i];
        if (!strcmp(t->name, "keep@partner.example")) {
            CHECK_INT(t->count, 1);
            CHECK_INT(t->previous, 1);
            CHECK_INT(t->is_new, 0);
        } else {
            CHECK_INT(t->is_new, 1);
        }
    }
    CHECK_INT(rep.senders_gone.n, 1);
    CHECK_STR(rep.senders_gone.items[0].name, "old@partner.example");
    CHECK_INT(rep.networks.n, 3); /* 203.0.113.0/24 (now and before), 2001:db8:1::/48, 192.0.2.0/24 */
    int v6 = 0;
    for (size_t i = 0; i < rep.networks.n; i++)
        v6 |= !strcmp(rep.networks.items[i].name, "2001:db8:1::/48");
    CHECK(v6);

    char *html = render(report_render_html, &rep);
    CHECK(strstr(html, "<!DOCTYPE html>") == html);
    CHECK(strstr(html, "<script>alert") == NULL);
    CHECK(strstr(html, "<img") == NULL);
    CHECK(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;&lt;img src=x onerror=alert(2)&gt;") != NULL);
    CHECK_INT(count_of(html, "<script"), 1); /* only the sorting script */
    CHECK_INT(count_of(html, "<svg "), 3);   /* three charts */
    CHECK(strstr(html, "Content-Security-Policy") != NULL);
    CHECK(strstr(html, "<link") == NULL && strstr(html, "src=\"http") == NULL && strstr(html, "url(") == NULL);
    CHECK(strstr(html, "@import") == NULL);
    CHECK_INT(count_of(html, "http://") + count_of(html, "https://"),
              count_of(html, "http://www.w3.org/2000/svg") + count_of(html, "http://evil.example"));
    CHECK(strstr(html, "<section id=\"appendix\">") != NULL);
    CHECK(strstr(html, "<section id=\"verdict\">") != NULL);
    CHECK(strstr(html, "</html>\n") != NULL);
    CHECK(strstr(html, "old@partner.example") != NULL); /* senders gone */
    CHECK(strstr(html, "<span class=\"tag new\">new</span>") != NULL);
    CHECK(strstr(html, "&gt; &#xFFFD;]0;t&#xFFFD; &#xFFFD;") != NULL);
    CHECK(inert_bytes(html));
    free(html);

    char *md = render(report_render_markdown, &rep);
    CHECK(strstr(md, "\\<script\\>alert(1)\\</script\\>") != NULL);
    CHECK(strstr(md, "<script>") == NULL);
    CHECK(strstr(md, "\\> \\x1B\\]0;t\\x07 \\xFF") != NULL);
    CHECK(inert_bytes(md));
    CHECK(strstr(md, "| Via the back door | 3 (60%) | 2 | up 1 |") != NULL);
    CHECK(strstr(md, "New senders: 2. Senders gone: 1.") != NULL);
    free(md);

    char *csv = render(report_render_csv, &rep);
    CHECK(strstr(csv, "\"'=HYPERLINK(\"\"http://evil.example\"\")\"") != NULL);
    CHECK(strstr(csv, ",\"'-x@evil.example\",") != NULL);
    CHECK(strstr(csv, "\r\nsender_gone,,,old@partner.example,,0,1,") != NULL);
    CHECK(strstr(csv, "\r\ntotal,,,via_back_door,,3,2,60%,") != NULL);
    CHECK_INT(count_of(csv, "\r\nfinding,"), 3);
    CHECK_INT(count_of(csv, "\r\ncoverage,"), 4); /* two logs, two days */
    CHECK(strstr(csv, "onerror=alert(2)> \\x1B]0;t\\x07 \\xFF\",") != NULL);
    CHECK(inert_bytes(csv));
    free(csv);

    char *json = render(report_render_json, &rep);
    if (!strstr(json, "\"subject\":\"\\u003cscript>alert(1)\\u003c/script> \\\">\\u003cimg src=x onerror=alert(2)> "
                      "\\u001b]0;t\\u0007 \\ufffd\"")) {
        const char *s = strstr(json, "alert(1)");
        fprintf(stderr, "json subject: %.80s\n", s ? s - 20 : "(none)");
        CHECK(0);
    }
    CHECK(strstr(json, "\"totals\":{\"inbound\":5,\"via_gateway\":2,\"via_back_door\":3,") != NULL);
    CHECK(strstr(json, "\"previous\":{\"inbound\":3,\"via_back_door\":2,") != NULL);
    CHECK(strstr(json, "\"redacted\":false") != NULL);
    CHECK(inert_bytes(json));
    free(json);
    report_free(&rep);

    /* A day without rows is a gap; no previous rows means no comparison. */
    CHECK_INT(report_period_range("2026-11-24", "2026-11-25", &opt.period, err, sizeof err), 0);
    CHECK_INT(report_gather(db, cfg, &opt, &rep, err, sizeof err), 0);
    CHECK_STR(rep.streams[0].gaps, "2026-11-25");
    CHECK_INT(rep.streams[0].gap_days, 1);
    CHECK_INT(rep.days_without_rows, 1);
    CHECK_INT(rep.has_previous, 1); /* 2026-11-23 has rows */
    report_free(&rep);
    CHECK_INT(report_period_range("2026-11-27", "2026-11-28", &opt.period, err, sizeof err), 0);
    CHECK_INT(report_gather(db, cfg, &opt, &rep, err, sizeof err), 0);
    CHECK_INT(rep.has_previous, 0);
    CHECK_INT(rep.inbound, 0);
    md = render(report_render_markdown, &rep);
    CHECK(strstr(md, "No comparison: the database has no rows in the previous period (2026-11-25 to 2026-11-26).") !=
          NULL);
    CHECK(strstr(md, "No inbound message for our domains is in the data") != NULL);
    free(md);
    report_free(&rep);

    /* Redacted: local parts hashed, subjects gone, domains and counts kept. */
    CHECK_INT(report_period_range("2026-11-23", "2026-11-24", &opt.period, err, sizeof err), 0);
    opt.redact_key = "secret";
    CHECK_INT(report_gather(db, cfg, &opt, &rep, err, sizeof err), 0);
    CHECK_INT(rep.redacted, 1);
    CHECK_INT(rep.back_door, 3);
    const char *outs[4];
    char *texts[4] = {render(report_render_html, &rep), render(report_render_markdown, &rep),
                      render(report_render_csv, &rep), render(report_render_json, &rep)};
    outs[0] = "html", outs[1] = "md", outs[2] = "csv", outs[3] = "json";
    for (int i = 0; i < 4; i++) {
        if (strstr(texts[i], "Mallory") || strstr(texts[i], "keep@") || strstr(texts[i], "a@fabrikam") ||
            strstr(texts[i], "alert(") || strstr(texts[i], "Invoice")) {
            fprintf(stderr, "redacted %s report leaks a local part or a subject\n", outs[i]);
            CHECK(0);
        }
        CHECK(strstr(texts[i], "@other.example") != NULL);
        CHECK(strstr(texts[i], "anon-") != NULL);
        free(texts[i]);
    }
    char *red = report_redact_address("secret", "keep@partner.example");
    CHECK_STR(rep.senders.items[0].name, red); /* stable pseudonym, still compared with the previous period */
    CHECK_INT(rep.senders.items[0].previous, 1);
    free(red);
    report_free(&rep);
}

/* The summary calls a report evidence of a closed back door only when it
 * is: a gateway, no mail past it, rows on every day in every log, no mail
 * refused or lost on the sending side, and a safe precheck. Otherwise it
 * says why not. */
static void test_summary_evidence(void)
{
    char buf[1024];
    struct report rep;
    memset(&rep, 0, sizeof rep);
    rep.inbound = 40;
    rep.precheck.safe = 1;
    rep.precheck.exo_entries = 40;
    CHECK_INT(report_summary(&rep, buf, sizeof buf), 1);
    CHECK(strstr(buf, "file this report as evidence") != NULL);

    rep.days_without_rows = 3;
    CHECK_INT(report_summary(&rep, buf, sizeof buf), 0);
    CHECK(strstr(buf, "no evidence of a closed back door yet: 3 days without log rows") != NULL);
    rep.days_without_rows = 0;

    struct report_stream silent = {.system = "postfix", .host = "mx2", .gap_days = 1};
    rep.streams = &silent;
    rep.nstreams = 1;
    CHECK_INT(report_summary(&rep, buf, sizeof buf), 0);
    CHECK(strstr(buf, "1 log with days without rows") != NULL);
    rep.nstreams = 0;
    rep.streams = NULL;

    /* [onprem] names servers whose Exchange log is not there: that door was not watched */
    char *onprem_ips[] = {"10.1.0.0/16"};
    rep.settings.onprem_ips = onprem_ips;
    rep.settings.nonprem_ips = 1;
    CHECK_INT(report_summary(&rep, buf, sizeof buf), 0);
    CHECK(strstr(buf, "no on-prem Exchange log, though [onprem] names servers") != NULL);
    struct report_stream exch = {.system = "exchange", .host = "EX01", .gap_days = 0};
    rep.streams = &exch;
    rep.nstreams = 1;
    CHECK_INT(report_summary(&rep, buf, sizeof buf), 1);
    rep.streams = NULL;
    rep.nstreams = 0;
    rep.settings.onprem_ips = NULL;
    rep.settings.nonprem_ips = 0;

    rep.kind_counts[FINDING_NDR_LOST] = 1;
    CHECK_INT(report_summary(&rep, buf, sizeof buf), 0);
    CHECK(strstr(buf, "1 sending-side finding (mail refused or lost)") != NULL);
    rep.kind_counts[FINDING_NDR_LOST] = 0;

    rep.precheck.safe = 0;
    CHECK_INT(report_summary(&rep, buf, sizeof buf), 0);
    CHECK(strstr(buf, "a precheck that is not safe") != NULL);
    rep.precheck.safe = 1;

    rep.precheck.no_gateway = 1;
    rep.kind_counts[FINDING_ATTRIBUTION_FAILURE] = 5;
    CHECK_INT(report_summary(&rep, buf, sizeof buf), 0);
    CHECK(strstr(buf, "no [gateway]") != NULL && strstr(buf, "file this report") == NULL);
    CHECK(strstr(buf, "5 sending-side findings") != NULL);
    rep.precheck.no_gateway = 0;

    rep.inbound = 0;
    rep.precheck.safe = 0;
    CHECK_INT(report_summary(&rep, buf, sizeof buf), 0);
    CHECK(strstr(buf, "No inbound message for our domains is in the data") != NULL);
    CHECK(strstr(buf, "None of 0") == NULL);
    rep.inbound = 40;
    rep.precheck.safe = 1;

    rep.back_door = 12;
    CHECK_INT(report_summary(&rep, buf, sizeof buf), 0);
    CHECK(strstr(buf, "12 of 40 inbound messages (30%) reached Exchange without passing the MX gateway") != NULL);
}

/* A top list does not cut arbitrarily inside a tie: it grows to hold the
 * senders tied with the last place, up to its maximum, and counts the rest. */
static void test_top_ties(void)
{
    struct report_tally items[6] = {{.count = 5}, {.count = 0}, {.count = 1}, {.count = 1}, {.count = 1}, {.count = 1}};
    struct report_tally_list l = {items, 6};
    size_t tied;
    CHECK_INT(report_top_shown(&l, 2, 3, &tied), 3); /* 5, then 1 and its first tie */
    CHECK_INT(tied, 2);
    CHECK_INT(report_top_shown(&l, 2, 10, &tied), 5);
    CHECK_INT(tied, 0);
    items[3].count = 2;
    struct report_tally_list two = {items, 4}; /* 5, 0, 1, 2: no tie at the cut */
    CHECK_INT(report_top_shown(&two, 1, 10, &tied), 1);
    CHECK_INT(tied, 0);
}

/* SETTING of the report on CONF (a configuration text) and an empty period. */
static char *setting_of(const char *conf_text, int setting)
{
    struct config *cfg;
    char err[512];
    if (config_parse(conf_text, "settings.conf", &cfg, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return NULL;
    }
    struct report_options opt = {.generated_at = "2026-12-01 00:00:00", .config_path = "", .db_path = "x.db"};
    report_period_parse("2026-11", &opt.period, err, sizeof err);
    struct report rep;
    char *text = NULL;
    if (report_gather(db, cfg, &opt, &rep, err, sizeof err) == 0) {
        text = report_setting_text(&rep.settings, setting, NULL, NULL);
        report_free(&rep);
    }
    config_free(cfg);
    return text;
}

/* The header names what the verdicts rest on, as configured: networks in
 * canonical form, and what the built-in lists add. */
static void test_settings(void)
{
    const char *conf_text = "[organization]\ndomains = example.com\n"
                            "[gateway]\nhosts = MX1.example.com\nips = 192.0.2.25/32, 2001:DB8::/32\n"
                            "connectors = From Gateway, Backup\n"
                            "[onprem]\nips = 10.1.2.3/16\n"
                            "[exchange_online]\nips = 203.0.113.0/24\n"
                            "[notifications]\nknown = noreply@tool.example = Tool\n";
    char *t = setting_of(conf_text, REPORT_SET_GATEWAY);
    CHECK_STR(t, "hosts mx1.example.com; IPs 192.0.2.25, 2001:db8::/32; connectors From Gateway, Backup");
    free(t);
    t = setting_of(conf_text, REPORT_SET_ONPREM);
    CHECK_STR(t, "IPs 10.1.0.0/16");
    free(t);
    t = setting_of(conf_text, REPORT_SET_EXO);
    CHECK(t && strstr(t, "built-in list checked ") == t);
    CHECK(t && strstr(t, " networks); and from the configuration 203.0.113.0/24") != NULL);
    free(t);
    t = setting_of(conf_text, REPORT_SET_SENDERS);
    CHECK(t && strstr(t, " senders) and 1 from the configuration") != NULL);
    free(t);

    const char *bare = "[organization]\ndomains = example.com\n";
    t = setting_of(bare, REPORT_SET_GATEWAY);
    CHECK_STR(t, "none: the MX is Exchange Online itself");
    free(t);
    t = setting_of(bare, REPORT_SET_ONPREM);
    CHECK_STR(t, "none: no server is trusted as on-prem Exchange");
    free(t);
    t = setting_of(bare, REPORT_SET_EXO);
    CHECK(t && strstr(t, "from the configuration") == NULL);
    free(t);
}

int main(int argc, char **argv)
{
    TEST_INIT(argc, argv);
    test_summary_evidence();
    test_top_ties();
    test_sha256();
    test_escape();
    test_periods();
    test_redact();
    build_db();
    struct config *cfg;
    char err[512];
    if (config_parse(conf, "test.conf", &cfg, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    test_gather(cfg);
    test_settings();
    config_free(cfg);
    store_close(db);
    return test_done("test_report");
}
