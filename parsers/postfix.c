/*
 * NAME
 *   postfix.c - the Postfix log parser: syslog envelopes and message bodies.
 * SUMMARY
 *   Per line: split the syslog envelope, keep only Postfix programs, scan the
 *   body by hand into fields and store one pf_event row (or a pf_reject row).
 *   Correlation into messages happens after the run (postfix_rebuild.c),
 *   or, for a first load, as the rows are written (a pf_stream).
 * DESCRIPTION
 *   Scanning is by hand, with no allocation and no regular expression per
 *   line: every field is a span into the line and is bound to the prepared
 *   INSERT as SQLITE_STATIC. Lines are stored sixteen per INSERT, each parsed
 *   from its own copy that lives until its batch is written.
 */
#include "postfix.h"

#include "parser.h"
#include "timeutil.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* small scanning helpers                                              */

static int starts(const char *p, const char *e, const char *lit)
{
    size_t n = strlen(lit);
    return (size_t)(e - p) >= n && memcmp(p, lit, n) == 0;
}

static const char *find(const char *p, const char *e, const char *lit)
{
    size_t n = strlen(lit);
    if (p >= e || (size_t)(e - p) < n)
        return NULL;
    return memmem(p, (size_t)(e - p), lit, n);
}

/* Last occurrence of LIT in [p, e). */
static const char *find_last(const char *p, const char *e, const char *lit)
{
    size_t n = strlen(lit);
    const char *best = NULL, *q = p;
    while ((q = find(q, e, lit)) != NULL) {
        best = q;
        q++;
    }
    (void)n;
    return best;
}

static struct pf_span span(const char *p, const char *e)
{
    struct pf_span s = {p, (size_t)(e - p)};
    return s;
}

static long parse_long(const char *p, const char *e)
{
    long v = 0;
    if (p >= e)
        return -1;
    for (; p < e; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        if (v > 100000000000L)
            return -1;
        v = v * 10 + (*p - '0');
    }
    return v;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}
static int is_alnum(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* ------------------------------------------------------------------ */
/* envelope                                                            */

/* Postfix daemons and commands that log under a syslog name "INSTANCE/.../NAME"
 * (postfix.org/OVERVIEW.html and the man pages of section 8). A program whose
 * first element starts with "postfix" is Postfix even with another name (a
 * master.cf service logging as itself, e.g. postfix/relay). */
static const char *const known_daemons[] = {
    "smtpd",          "smtp",      "lmtp",       "local",    "virtual",   "pipe",    "error",     "discard",
    "retry",          "relay",     "qmgr",       "nqmgr",    "oqmgr",     "cleanup", "pickup",    "bounce",
    "defer",          "trace",     "postscreen", "dnsblog",  "tlsproxy",  "anvil",   "scache",    "master",
    "postfix-script", "postsuper", "postdrop",   "sendmail", "verify",    "flush",   "showq",     "trivial-rewrite",
    "tlsmgr",         "proxymap",  "spawn",      "postlogd", "postqueue", "postmap", "postalias", "postmulti",
    "postkick",       "postlog",   "script",     "postconf", "postcat",   NULL};

static int daemon_known(const char *p, size_t n)
{
    for (size_t i = 0; known_daemons[i]; i++)
        if (strlen(known_daemons[i]) == n && memcmp(known_daemons[i], p, n) == 0)
            return 1;
    return 0;
}

/* "Mmm dd hh:mm:ss[.frac] " (BSD syslog, RFC 3164; journalctl -o short[-precise];
 * Postfix maillog_file, whose postlogd writes this form as well). Day padded
 * with a space or a zero, or not at all. Returns bytes consumed, 0 if not. */
static size_t lex_bsd_stamp(const char *s, const char *e, struct pf_envelope *env)
{
    if (e - s < 15 || s[3] != ' ')
        return 0;
    int mon = time_month_from_abbrev(s);
    if (!mon)
        return 0;
    const char *p = s + 4;
    while (p < e && *p == ' ')
        p++;
    int day = 0, nd = 0;
    while (p < e && is_digit(*p) && nd < 2) {
        day = day * 10 + (*p++ - '0');
        nd++;
    }
    if (!nd || p >= e || *p != ' ')
        return 0;
    p++;
    if (e - p < 8 || !is_digit(p[0]) || !is_digit(p[1]) || p[2] != ':' || !is_digit(p[3]) || !is_digit(p[4]) ||
        p[5] != ':' || !is_digit(p[6]) || !is_digit(p[7]))
        return 0;
    int h = (p[0] - '0') * 10 + p[1] - '0', mi = (p[3] - '0') * 10 + p[4] - '0', sec = (p[6] - '0') * 10 + p[7] - '0';
    if (day < 1 || day > 31 || h > 23 || mi > 59 || sec > 60)
        return 0;
    p += 8;
    int ms = -1;
    if (p < e && *p == '.') {
        p++;
        int v = 0, k = 0;
        while (p < e && is_digit(*p)) {
            if (k < 3)
                v = v * 10 + (*p - '0');
            k++;
            p++;
        }
        if (!k)
            return 0;
        for (; k < 3; k++)
            v *= 10;
        ms = v;
    }
    if (p >= e || *p != ' ')
        return 0;
    env->has_year = 0;
    env->month = mon;
    env->day = day;
    env->hour = h;
    env->min = mi;
    env->sec = sec == 60 ? 59 : sec;
    env->ms = ms;
    return (size_t)(p + 1 - s);
}

static const char *token_end(const char *p, const char *e)
{
    while (p < e && *p != ' ')
        p++;
    return p;
}

/* Classifies the program name; fills instance and daemon. */
static int classify_program(struct pf_envelope *env)
{
    const char *p = env->program.p, *e = p + env->program.n;
    const char *first = memchr(p, '/', env->program.n);
    if (!first || first == p)
        return PF_ENV_OTHER;
    const char *last = first;
    for (const char *q = first + 1; q < e; q++)
        if (*q == '/')
            last = q;
    env->instance = span(p, first);
    env->daemon = span(last + 1, e);
    if (env->daemon.n == 0)
        return PF_ENV_OTHER;
    if (daemon_known(env->daemon.p, env->daemon.n) ||
        (env->instance.n >= 7 && memcmp(env->instance.p, "postfix", 7) == 0))
        return PF_ENV_POSTFIX;
    return PF_ENV_OTHER;
}

int postfix_parse_envelope(const char *line, size_t len, struct pf_envelope *env)
{
    const char *p = line, *e = line + len;
    memset(env, 0, sizeof *env);
    env->pid = -1;
    env->ms = -1;
    int rfc5424 = 0;
    if (p < e && *p == '<') {
        const char *q = p + 1;
        while (q < e && q - p <= 4 && is_digit(*q))
            q++;
        if (q >= e || *q != '>' || q == p + 1)
            return PF_ENV_BAD;
        p = q + 1;
        /* RFC 5424 section 6: "<PRI>VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME
         * SP PROCID SP MSGID SP STRUCTURED-DATA [SP MSG]", VERSION is 1. */
        if (e - p >= 2 && p[0] == '1' && p[1] == ' ') {
            rfc5424 = 1;
            p += 2;
        }
    }
    if (p >= e)
        return PF_ENV_BAD;
    if (is_digit(*p)) {
        int ms = -1, has_zone = 0;
        int64_t epoch;
        size_t used = time_parse_iso(p, (size_t)(e - p), 0, &epoch, &ms, &has_zone);
        if (!used || p + used >= e || p[used] != ' ')
            return PF_ENV_BAD;
        env->has_year = 1;
        env->zone_less = !has_zone;
        env->epoch = epoch;
        env->ms = ms;
        p += used + 1;
    } else if (!rfc5424) {
        size_t used = lex_bsd_stamp(p, e, env);
        if (!used)
            return PF_ENV_BAD;
        p += used;
    } else {
        return PF_ENV_BAD;
    }
    while (p < e && *p == ' ')
        p++;
    const char *h = p;
    p = token_end(p, e);
    if (p == h || p >= e)
        return PF_ENV_BAD;
    env->host = span(h, p);
    p++;
    if (rfc5424) {
        const char *a = p;
        p = token_end(p, e);
        env->program = span(a, p);
        if (p >= e)
            return PF_ENV_BAD;
        p++;
        const char *pid = p;
        p = token_end(p, e);
        env->pid = parse_long(pid, p);
        if (p >= e)
            return PF_ENV_BAD;
        p = token_end(p + 1, e); /* MSGID */
        if (p >= e)
            return PF_ENV_BAD;
        p++;
        if (p < e && *p == '-') {
            p++;
        } else {
            while (p < e && *p == '[') { /* SD-ELEMENTs; ']' inside values is escaped */
                p++;
                while (p < e && *p != ']') {
                    if (*p == '\\' && p + 1 < e)
                        p++;
                    p++;
                }
                if (p < e)
                    p++;
            }
        }
        if (p < e && *p == ' ')
            p++;
        if (e - p >= 3 && (unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB && (unsigned char)p[2] == 0xBF)
            p += 3;
        env->body = p;
        env->body_len = (size_t)(e - p);
        if (env->program.n == 1 && env->program.p[0] == '-')
            return PF_ENV_OTHER;
        return classify_program(env);
    }
    /* TAG: "program[pid]: " or "program: " */
    const char *t = p;
    while (p < e && *p != ':' && *p != '[' && *p != ' ')
        p++;
    if (p >= e || *p == ' ' || p == t)
        return PF_ENV_OTHER;
    env->program = span(t, p);
    if (*p == '[') {
        const char *q = ++p;
        while (p < e && *p != ']')
            p++;
        env->pid = parse_long(q, p);
        if (p >= e)
            return PF_ENV_OTHER;
        p++;
    }
    if (p >= e || *p != ':')
        return PF_ENV_OTHER;
    p++;
    if (p < e && *p == ' ')
        p++;
    env->body = p;
    env->body_len = (size_t)(e - p);
    return classify_program(env);
}

/* ------------------------------------------------------------------ */
/* body                                                                */

static const char *const kind_names[PF_KIND_COUNT] = {
    "other",   "client",   "pickup",     "message_id", "resent_message_id", "active",  "removed",
    "expired", "delivery", "notice",     "reject",     "cleanup_action",    "connect", "disconnect",
    "lost",    "tls",      "postscreen", "warning"};

const char *postfix_kind_name(int kind)
{
    return kind >= 0 && kind < PF_KIND_COUNT ? kind_names[kind] : "other";
}

/* Short ids are upper-case hex (queue_id_length); long ids (enable_long_queue_ids,
 * Postfix 2.9) are base-52 time digits, 'z', base-51 inode: letters and digits. */
size_t postfix_queue_id_len(const char *s, size_t len)
{
    size_t i = 0;
    int hex = 1, digit = 0;
    while (i < len && i < 40 && is_alnum(s[i])) {
        char c = s[i];
        if (is_digit(c))
            digit = 1;
        else if (!(c >= 'A' && c <= 'F'))
            hex = 0;
        i++;
    }
    if (i < 5 || i + 1 >= len || s[i] != ':' || s[i + 1] != ' ')
        return 0;
    /* "NOQUEUE", "warning", "statistics" are words, not ids: they have no digit. */
    if (!hex && !digit)
        return 0;
    return i;
}

/* "<addr>" at p (p[0] == '<'), with Postfix 3.5 quoting ("a b"@x may hold '>').
 * Returns the byte after '>' (or e when unterminated) and the inside in *out. */
static const char *scan_angle(const char *p, const char *e, struct pf_span *out)
{
    const char *s = ++p;
    int quoted = 0;
    for (; p < e; p++) {
        if (*p == '\\' && quoted && p + 1 < e) {
            p++;
            continue;
        }
        if (*p == '"')
            quoted = !quoted;
        else if (*p == '>' && !quoted)
            break;
    }
    /* smtpd logs a command's argument as given: "to=<<u@example>>" for
     * "VRFY <u@example>". The value is the inner "<u@example>". */
    if (p + 1 < e && p > s && *s == '<' && p[1] == '>')
        p++;
    *out = span(s, p);
    return p < e ? p + 1 : e;
}

/* "host[addr]" or "host[addr]:port" or "[addr]:port" at p. Returns the byte
 * after it, or NULL when p does not start with one. */
static const char *scan_hostaddr(const char *p, const char *e, struct pf_span *host, struct pf_span *addr, long *port)
{
    const char *h = p;
    while (p < e && *p != '[' && *p != ' ' && *p != ',' && *p != ';')
        p++;
    if (p >= e || *p != '[')
        return NULL;
    const char *he = p;
    const char *a = ++p;
    while (p < e && *p != ']')
        p++;
    if (p >= e)
        return NULL;
    *host = span(h, he);
    *addr = span(a, p);
    /* IPv6 may be logged with an "ipv6:" prefix (smtp_bind_address6 era logs) */
    if (addr->n > 5 && memcmp(addr->p, "ipv6:", 5) == 0) {
        addr->p += 5;
        addr->n -= 5;
    }
    p++;
    if (p < e && *p == ':' && p + 1 < e && is_digit(p[1])) {
        const char *d = ++p;
        while (p < e && is_digit(*p))
            p++;
        if (port)
            *port = parse_long(d, p);
    }
    return p;
}

/* Reply code and enhanced status code at the start of a reply text. */
static void scan_reply_codes(struct pf_fields *f)
{
    if (!f->reply.p)
        return;
    const char *p = f->reply.p, *e = p + f->reply.n;
    if (e - p >= 4 && is_digit(p[0]) && is_digit(p[1]) && is_digit(p[2]) && (p[3] == ' ' || p[3] == '-')) {
        f->code = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
        p += 4;
    }
    /* RFC 3463 enhanced status code: class.subject.detail */
    const char *d = p;
    if (p < e && (*p == '2' || *p == '4' || *p == '5') && p + 1 < e && p[1] == '.') {
        p += 2;
        const char *q = p;
        while (p < e && is_digit(*p))
            p++;
        if (p > q && p < e && *p == '.') {
            p++;
            q = p;
            while (p < e && is_digit(*p))
                p++;
            if (p > q && (p == e || *p == ' ' || *p == ';'))
                f->dsn = span(d, p);
        }
    }
}

/* "word=" at p: the start of the next pair. */
static int looks_like_key(const char *p, const char *e)
{
    const char *k = p;
    while (p < e && ((*p >= 'a' && *p <= 'z') || *p == '_'))
        p++;
    return p > k && p < e && *p == '=';
}

/* Key/value pairs "k=v, k=v" or "k=v k=v" (smtpd reject tail, postscreen with
 * commas). Values are <...> addresses or run to ", " / " " (for status: to " ("). */
static void scan_pairs(const char *p, const char *e, struct pf_fields *f, int space_sep)
{
    while (p < e) {
        const char *k = p;
        while (p < e && ((*p >= 'a' && *p <= 'z') || *p == '_' || *p == '-'))
            p++;
        if (p >= e || *p != '=' || p == k)
            return;
        size_t kn = (size_t)(p - k);
        p++;
        struct pf_span v;
        if (p < e && *p == '<') {
            p = scan_angle(p, e, &v);
        } else {
            const char *s = p;
            if (kn == 6 && memcmp(k, "status", 6) == 0) {
                while (p < e && *p != ' ' && *p != ',')
                    p++;
            } else if (space_sep) {
                while (p < e && *p != ' ' && *p != ',')
                    p++;
            } else {
                /* to ", ", " (" (nrcpt=1 (queue active)) or " key=" (Postfix 2.x
                 * wrote "conn_use=2 delay=0.21") */
                while (p < e && !(*p == ',' && p + 1 < e && p[1] == ' ') &&
                       !(*p == ' ' && (looks_like_key(p + 1, e) || (p + 1 < e && p[1] == '('))))
                    p++;
            }
            v = span(s, p);
        }
#define KEY(lit) (kn == sizeof(lit) - 1 && memcmp(k, lit, sizeof(lit) - 1) == 0)
        if (KEY("to"))
            f->recipient = v;
        else if (KEY("from"))
            f->sender = v;
        else if (KEY("orig_to"))
            f->orig_recipient = v;
        else if (KEY("relay")) {
            struct pf_span h, a;
            long port = -1;
            const char *x = scan_hostaddr(v.p, v.p + v.n, &h, &a, &port);
            if (x) {
                f->relay_host = h;
                f->relay_ip = a;
                f->relay_port = port;
            } else {
                f->relay_host = v; /* none, local, virtual, dovecot ... */
            }
        } else if (KEY("conn_use"))
            f->conn_use = parse_long(v.p, v.p + v.n);
        else if (KEY("delay")) {
            char buf[32];
            size_t n = v.n < sizeof buf - 1 ? v.n : sizeof buf - 1;
            memcpy(buf, v.p, n);
            buf[n] = '\0';
            char *end;
            double d = strtod(buf, &end);
            f->delay = end != buf ? d : -1;
        } else if (KEY("delays"))
            f->delays = v;
        else if (KEY("tls"))
            f->tls = v;
        else if (KEY("dsn"))
            f->dsn = v;
        else if (KEY("size"))
            f->size = parse_long(v.p, v.p + v.n);
        else if (KEY("nrcpt"))
            f->nrcpt = parse_long(v.p, v.p + v.n);
        else if (KEY("proto"))
            f->proto = v;
        else if (KEY("helo"))
            f->helo = v;
        else if (KEY("uid"))
            f->uid = parse_long(v.p, v.p + v.n);
        else if (KEY("sasl_method"))
            f->sasl_method = v;
        else if (KEY("sasl_username"))
            f->sasl_username = v;
        else if (KEY("orig_queue_id")) {
            f->link_queue_id = v;
            f->link_kind = "orig_queue_id";
        } else if (KEY("status")) {
            f->status = v;
            if (p + 1 < e && p[0] == ' ' && p[1] == '(') {
                /* The reply runs to the line's last ')': it may hold parentheses. */
                const char *r = p + 2;
                const char *close = NULL;
                for (const char *q = e; q > r; q--)
                    if (q[-1] == ')') {
                        close = q - 1;
                        break;
                    }
                if (close) {
                    f->reply = span(r, close);
                } else {
                    f->reply = span(r, e);
                    f->truncated = 1;
                }
                return;
            }
        }
#undef KEY
        if (p < e && *p == ',')
            p++;
        while (p < e && *p == ' ')
            p++;
    }
}

/* Queue id handed on in a delivery reply: "... queued as ID" (an SMTP/LMTP
 * peer that is Postfix, or any server saying so) or "forwarded as ID" (local(8)
 * forwarding through .forward or aliases, Postfix 2.3+). */
static void scan_handoff(struct pf_fields *f)
{
    if (!f->reply.p)
        return;
    const char *r = f->reply.p, *e = r + f->reply.n;
    const char *k = find(r, e, "queued as ");
    const char *kind = "queued_as";
    size_t skip = 10;
    if (!k) {
        k = find(r, e, "forwarded as ");
        kind = "forwarded_as";
        skip = 13;
    }
    if (!k)
        return;
    const char *p = k + skip, *s = p;
    while (p < e && is_alnum(*p))
        p++;
    if (p - s >= 5) {
        f->link_queue_id = span(s, p);
        f->link_kind = kind;
    }
}

/* "reject: RCPT from host[ip]: 550 5.1.1 <x>: text; from=<a> to=<b> proto=ESMTP helo=<h>"
 * (smtpd, postscreen with ", " separators) and cleanup's
 * "reject: header Subject: x from host[ip]; from=<a> to=<b> proto=ESMTP helo=<h>: 5.7.1 text". */
static void scan_reject(const char *p, const char *e, struct pf_fields *f)
{
    const char *c = p;
    while (p < e && *p != ' ')
        p++;
    f->command = span(c, p > c && p[-1] == ':' ? p - 1 : p); /* proxy-reject: END-OF-MESSAGE: */
    if (p < e)
        p++;
    const char *tail = find_last(p, e, "; from=<");
    if (!tail)
        tail = find_last(p, e, "; to=<"); /* VRFY rejects have no sender */
    if (!tail)
        tail = find_last(p, e, "; proto=");
    int proxy = f->action.n > 6 && memcmp(f->action.p, "proxy-", 6) == 0;
    if (proxy && p < e && (is_digit(*p) || *p == ';')) {
        /* smtpd_proxy_filter: "proxy-reject: END-OF-MESSAGE: 554 5.7.0 text; from=<a> ..."
         * and "proxy-accept: END-OF-MESSAGE: 250 2.0.0 from MTA(smtp:[127.0.0.1]:10025):
         * 250 2.0.0 Ok: queued as ID; from=<a> ...". The reply is the filter's (and the
         * after-filter server's): no client is named here, the session's connect line has it. */
        const char *re = tail ? tail : e;
        if (re > p)
            f->reply = span(p, re);
        if (tail)
            scan_pairs(tail + 2, e, f, 1);
    } else if (starts(p, e, "from ")) {
        const char *q = scan_hostaddr(p + 5, e, &f->client_host, &f->client_ip, &f->client_port);
        if (q && q + 1 < e && q[0] == ':' && q[1] == ' ')
            q += 2;
        const char *re = tail ? tail : e;
        if (q && q <= re)
            f->reply = span(q, re);
        if (tail)
            scan_pairs(tail + 2, e, f, 1);
    } else if (tail) {
        /* cleanup header/body/milter action: "TEXT from host[ip]; pairs: REPLY" */
        const char *fr = find_last(p, tail, " from ");
        if (fr)
            scan_hostaddr(fr + 6, tail, &f->client_host, &f->client_ip, &f->client_port);
        f->text = span(p, fr ? fr : tail);
        const char *q = tail + 2;
        scan_pairs(q, e, f, 1);
        const char *helo = find(q, e, "helo=<");
        const char *r = NULL;
        if (helo) {
            struct pf_span hv;
            r = scan_angle(helo + 5, e, &hv);
        } else {
            r = find(q, e, ": ");
        }
        if (r && r + 1 < e && r[0] == ':' && r[1] == ' ')
            f->reply = span(r + 2, e);
    } else {
        f->reply = span(p, e);
    }
    scan_reply_codes(f);
}

static int is_action(const char *p, const char *e, const char **after, struct pf_span *action)
{
    static const char *const actions[] = {"reject: ",
                                          "reject_warning: ",
                                          "milter-reject: ",
                                          "hold: ",
                                          "discard: ",
                                          "redirect: ",
                                          "filter: ",
                                          "milter-hold: ",
                                          "milter-discard: ",
                                          "replace: ",
                                          "prepend: ",
                                          "milter-header-redirect: ",
                                          "milter-redirect: ",
                                          "proxy-reject: ",
                                          "proxy-accept: ",
                                          "info: ",
                                          NULL};
    for (size_t i = 0; actions[i]; i++)
        if (starts(p, e, actions[i])) {
            size_t n = strlen(actions[i]);
            *action = span(p, p + n - 2);
            *after = p + n;
            return 1;
        }
    return 0;
}

static int action_is_reject(struct pf_span a)
{
    return (a.n == 6 && memcmp(a.p, "reject", 6) == 0) || (a.n == 14 && memcmp(a.p, "reject_warning", 14) == 0) ||
           (a.n == 13 && memcmp(a.p, "milter-reject", 13) == 0) || (a.n == 12 && memcmp(a.p, "proxy-reject", 12) == 0);
}

/* Lines kept as text still name their peer: the SMTP client ("SSL_accept
 * error from host[ip]", "improper command pipelining after EHLO from ...") or
 * the server a delivery agent talked to ("connect to host[ip]:25: ...",
 * "host host[ip] said: ... (in reply to RCPT TO command)"). */
static void scan_other(const char *p, const char *e, struct pf_fields *f)
{
    static const char *const to_server[] = {"connect to ", "host ",       "lost connection with ", "conversation with ",
                                            "error to ",   "failed for ", "established to ",       "server ",
                                            " for ",       NULL};
    f->text = span(p, e);
    const char *fr = find(p, e, " from ");
    if (fr && scan_hostaddr(fr + 6, e, &f->client_host, &f->client_ip, &f->client_port)) {
        const char *af = find(p, fr + 1, "after ");
        if (af) {
            const char *c = af + 6, *x = c;
            while (x < fr && *x != ' ')
                x++;
            f->command = span(c, x);
        }
        return;
    }
    for (size_t i = 0; to_server[i]; i++) {
        const char *k = find(p, e, to_server[i]);
        if (k && scan_hostaddr(k + strlen(to_server[i]), e, &f->relay_host, &f->relay_ip, &f->relay_port))
            break;
    }
    const char *ir = find(p, e, "(in reply to ");
    if (ir) {
        const char *c = ir + 13, *x = find(c, e, " command)");
        if (x)
            f->command = span(c, x);
    }
}

/* smtpd's "client=host[ip][:port], sasl_method=M, sasl_username=U, orig_queue_id=...",
 * from P on (after "client="). */
static int parse_client(const char *p, const char *e, struct pf_fields *f)
{
    const char *x = scan_hostaddr(p, e, &f->client_host, &f->client_ip, &f->client_port);
    if (x) {
        while (x < e && (*x == ',' || *x == ' '))
            x++;
        scan_pairs(x, e, f, 0);
    }
    return f->kind = PF_CLIENT;
}

/* An IPv4 or IPv6 address, with an IPv6 zone id if any. */
static int is_ip_addr(struct pf_span a)
{
    if (!a.n || !(memchr(a.p, '.', a.n) || memchr(a.p, ':', a.n)))
        return 0;
    for (size_t i = 0; i < a.n; i++) {
        char c = a.p[i];
        if (c == '%') /* an IPv6 zone id: "fe80::1%eth0" */
            return i > 0 && i + 1 < a.n;
        if (!(is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.' || c == ':'))
            return 0;
    }
    return 1;
}

/* A client address as smtpd logs it: an IP address, or "unknown". */
static int is_client_addr(struct pf_span a)
{
    return (a.n == 7 && memcmp(a.p, "unknown", 7) == 0) || is_ip_addr(a);
}

/* Bodies without a queue id (connection-level lines). */
static int parse_no_qid(const char *p, const char *e, struct pf_fields *f)
{
    if (starts(p, e, "connect from ")) {
        scan_hostaddr(p + 13, e, &f->client_host, &f->client_ip, &f->client_port);
        return f->kind = PF_CONNECT;
    }
    if (starts(p, e, "client=")) /* "NOQUEUE: client=host[ip], sasl_method=..." */
        return parse_client(p + 7, e, f);
    if (starts(p, e, "disconnect from ")) {
        const char *q = scan_hostaddr(p + 16, e, &f->client_host, &f->client_ip, &f->client_port);
        if (q && q < e && *q == ' ')
            f->text = span(q + 1, e); /* counters: ehlo=1 mail=1 rcpt=0/1 ... (Postfix 3.0+) */
        return f->kind = PF_DISCONNECT;
    }
    if (starts(p, e, "lost connection after ") || starts(p, e, "timeout after ")) {
        const char *a = find(p, e, " after ") + 7;
        const char *fr = find(a, e, " from ");
        if (fr) {
            const char *sp = memchr(a, ' ', (size_t)(fr - a)); /* "DATA (7774180 bytes)" */
            f->command = span(a, sp ? sp : fr);
            scan_hostaddr(fr + 6, e, &f->client_host, &f->client_ip, &f->client_port);
        }
        f->status = span(p, a - 7);
        return f->kind = PF_LOST;
    }
    /* "Anonymous TLS connection established from ...", before Postfix 2.3 without the
     * trust word: "TLS connection established from ..." */
    const char *tls = find(p, e, " TLS connection established ");
    if (tls || starts(p, e, "TLS connection established ")) {
        const char *q = tls ? tls + 28 : p + 27;
        if (starts(q, e, "from "))
            scan_hostaddr(q + 5, e, &f->client_host, &f->client_ip, &f->client_port);
        else if (starts(q, e, "to "))
            scan_hostaddr(q + 3, e, &f->relay_host, &f->relay_ip, &f->relay_port);
        f->text = span(p, e);
        return f->kind = PF_TLS;
    }
    if (starts(p, e, "warning: ")) {
        f->text = span(p + 9, e);
        /* "warning: QUEUEID: sender_canonical_maps map lookup problem ..." */
        size_t qn = postfix_queue_id_len(p + 9, (size_t)(e - p - 9));
        if (qn)
            f->queue_id = span(p + 9, p + 9 + qn);
        /* "warning: host[ip]:port: SASL LOGIN authentication failed: ..., sasl_username=u",
         * or the client later: "non-SMTP command from host[ip]: ...", "Connection rate
         * limit exceeded: 31 from host[ip] for service smtpd". A bracket that holds no
         * address ("dict_ldap_get_values[1]: ...") names no client. */
        struct pf_span h, a;
        long port = -1;
        const char *q = scan_hostaddr(p + 9, e, &h, &a, &port);
        if (!(q && q < e && *q == ':' && is_client_addr(a))) {
            const char *fr = find(p + 9, e, " from ");
            port = -1;
            q = fr ? scan_hostaddr(fr + 6, e, &h, &a, &port) : NULL;
            if (q && !is_client_addr(a))
                q = NULL;
        }
        if (q) {
            f->client_host = h;
            f->client_ip = a;
            f->client_port = port;
        } else {
            /* smtpd's reverse-lookup checks name the client by address alone:
             * "hostname H does not resolve to address A[: reason]",
             * "A: address not listed for hostname H", "A: hostname H verification failed" */
            const char *r = find(p + 9, e, " does not resolve to address ");
            const char *ip = r ? r + 29 : p + 9, *x = ip;
            while (x < e && *x != ':' && *x != ' ')
                x++;
            /* an IPv6 address holds ':' itself: it ends at ": " or the end */
            if (x < e && *x == ':' && memchr(ip, '.', (size_t)(x - ip)) == NULL) {
                const char *c = find(ip, e, ": ");
                x = c ? c : e;
            }
            struct pf_span cand = span(ip, x);
            if ((r || (x < e && *x == ':')) && is_ip_addr(cand))
                f->client_ip = cand;
        }
        const char *sm = find(p + 9, e, ": SASL ");
        if (sm) {
            const char *m = sm + 7, *x = m;
            while (x < e && *x != ' ')
                x++;
            if (starts(x, e, " authentication failed"))
                f->sasl_method = span(m, x);
        }
        const char *su = find(p + 9, e, "sasl_username=");
        if (su) {
            const char *u = su + 14, *x = u;
            while (x < e && *x != ',' && *x != ' ')
                x++;
            f->sasl_username = span(u, x);
        }
        return f->kind = PF_WARNING;
    }
    scan_other(p, e, f);
    return f->kind = PF_OTHER;
}

/* postscreen(8) lines: "CONNECT from [ip]:port to [ip]:25", "PASS NEW [ip]:port",
 * "PREGREET 11 after 0.1 from [ip]:port: ...", "DNSBL rank 3 for [ip]:port" ... */
static int parse_postscreen(const char *p, const char *e, struct pf_fields *f)
{
    const char *b = memchr(p, '[', (size_t)(e - p));
    if (!b)
        return 0;
    const char *w = p;
    while (w < e && *w >= 'A' && *w <= 'Z')
        w++;
    if (w == p || w >= e || *w != ' ')
        return 0;
    f->command = span(p, w);
    scan_hostaddr(b, e, &f->client_host, &f->client_ip, &f->client_port);
    f->text = span(p, e);
    return f->kind = PF_POSTSCREEN;
}

int postfix_parse_body(const char *body, size_t len, struct pf_fields *f)
{
    const char *p = body, *e = body + len;
    memset(f, 0, sizeof *f);
    f->client_port = f->relay_port = f->conn_use = f->size = f->nrcpt = f->uid = f->code = -1;
    f->delay = -1;
    size_t q = postfix_queue_id_len(p, len);
    int noqueue = 0;
    if (q) {
        f->queue_id = span(p, p + q);
        p += q + 2;
    } else if (starts(p, e, "NOQUEUE: ")) {
        noqueue = 1;
        p += 9;
    }
    const char *after;
    if (is_action(p, e, &after, &f->action)) {
        scan_reject(after, e, f);
        if (action_is_reject(f->action))
            return f->kind = PF_REJECT;
        /* An access(5) DISCARD before queueing: the client was told "250 Ok"
         * and the mail is gone. It goes with the rejects, under its action. */
        if (noqueue && f->action.n == 7 && memcmp(f->action.p, "discard", 7) == 0)
            return f->kind = PF_REJECT;
        if (f->action.n == 12 && memcmp(f->action.p, "proxy-accept", 12) == 0)
            scan_handoff(f); /* "queued as ID": the queue id the filter handed the mail to */
        return f->kind = f->queue_id.p ? PF_CLEANUP_ACTION : PF_OTHER;
    }
    if (!f->queue_id.p) {
        if (noqueue) {
            /* NOQUEUE lines other than rejects ("NOQUEUE: lost connection ..."
             * and filter actions): parse the rest as a connection-level line. */
            return parse_no_qid(p, e, f);
        }
        if (*p >= 'A' && *p <= 'Z' && !starts(p, e, "TLS connection established ") && parse_postscreen(p, e, f))
            return f->kind;
        return parse_no_qid(p, e, f);
    }
    /* queue-id lines */
    if (starts(p, e, "to=")) { /* old local(8) logged to=user@host without brackets */
        scan_pairs(p, e, f, 0);
        if (f->status.p) {
            scan_handoff(f);
            return f->kind = PF_DELIVERY;
        }
        f->text = span(p, e);
        return f->kind = PF_OTHER;
    }
    if (starts(p, e, "client="))
        return parse_client(p + 7, e, f);
    if (starts(p, e, "message-id=")) {
        f->message_id = span(p + 11, e);
        return f->kind = PF_MESSAGE_ID;
    }
    if (starts(p, e, "resent-message-id=")) {
        f->message_id = span(p + 18, e);
        return f->kind = PF_RESENT_MESSAGE_ID;
    }
    if (starts(p, e, "from=<")) {
        scan_pairs(p, e, f, 0);
        if (f->status.p && f->status.n == 7 && memcmp(f->status.p, "expired", 7) == 0)
            return f->kind = PF_EXPIRED;
        if (f->size >= 0 || f->nrcpt >= 0)
            return f->kind = PF_ACTIVE;
        f->text = span(p, e);
        return f->kind = PF_OTHER;
    }
    if (starts(p, e, "uid=")) {
        scan_pairs(p, e, f, 1);
        return f->kind = PF_PICKUP;
    }
    if (starts(p, e, "removed")) {
        if (p + 7 < e)
            f->text = span(p + 7 + (p[7] == ' '), e); /* "(canceled)" and the like */
        return f->kind = PF_REMOVED;
    }
    /* bounce(8): "sender non-delivery notification: ID", also "delay",
     * "delivery status", and "postmaster" copies. */
    const char *nt = find(p, e, " notification: ");
    if (nt && (starts(p, e, "sender ") || starts(p, e, "postmaster "))) {
        const char *sp = memchr(p, ' ', (size_t)(nt - p));
        f->command = span(p, sp);
        f->status = span(sp + 1, nt);
        const char *s = nt + 15, *x = s;
        while (x < e && is_alnum(*x))
            x++;
        if (x - s >= 5) {
            f->link_queue_id = span(s, x);
            f->link_kind = "ndr_of";
        }
        return f->kind = PF_NOTICE;
    }
    if (starts(p, e, "warning: ")) {
        f->action = span(p, p + 7);
        scan_reject(p + 9, e, f);
        return f->kind = PF_CLEANUP_ACTION;
    }
    scan_other(p, e, f);
    return f->kind = PF_OTHER;
}

struct pf_span postfix_message_id_normalise(const char *raw, size_t len)
{
    const char *p = raw, *e = raw + len;
    const char *lt = memchr(p, '<', len);
    if (lt) {
        const char *gt = memchr(lt + 1, '>', (size_t)(e - lt - 1));
        if (gt)
            return span(lt + 1, gt);
        return span(lt + 1, e);
    }
    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    return span(p, e);
}

/* Exchange Online replies (as seen in Postfix smtp(8) status text):
 *   250 2.6.0 <ID> [InternalId=N, Hostname=H] N bytes in T, R KB/sec Queued mail for delivery
 *   550 5.7.64 TenantAttribution; Relay Access Denied [...]
 *   451 4.4.62 Mail sent to the wrong Office 365 region. ATTR35. ...
 * (Microsoft Learn, "Fix email delivery issues for error code 5.7.64" and
 * "... 4.4.62 / 451 4.4.62 Mail sent to the wrong Office 365 region"). */
int postfix_parse_exo_reply(const char *reply, size_t len, struct pf_exo_reply *x)
{
    const char *p = reply, *e = reply + len;
    int found = 0;
    memset(x, 0, sizeof *x);
    const char *ok = find(p, e, "2.6.0 <");
    if (ok) {
        const char *s = ok + 7, *g = memchr(s, '>', (size_t)(e - s));
        if (g) {
            x->message_id = span(s, g);
            found = 1;
        }
    }
    const char *ii = find(p, e, "InternalId=");
    if (ii) {
        const char *s = ii + 11, *q = s;
        while (q < e && *q != ',' && *q != ']' && *q != ' ')
            q++;
        x->internal_id = span(s, q);
        found = 1;
        const char *hn = find(q, e, "Hostname=");
        if (hn) {
            s = hn + 9;
            q = s;
            while (q < e && *q != ',' && *q != ']' && *q != ' ')
                q++;
            x->hostname = span(s, q);
        }
    }
    /* 5.7.64 TenantAttribution (no tenant took it); 5.7.51 and 5.7.68
     * TenantInboundAttribution (the recipient's tenant took it by rule 3 and
     * its door is closed, or it rejects Direct Send). */
    const char *ta = find(p, e, "TenantAttribution");
    if (ta) {
        x->attribution = span(ta, ta + 17);
        return 1;
    }
    ta = find(p, e, "TenantInboundAttribution");
    if (ta) {
        x->attribution = span(ta, ta + 24);
        return 1;
    }
    for (const char *a = p; (a = find(a, e, "ATTR")) != NULL; a += 4) {
        if (a > p && is_alnum(a[-1]))
            continue;
        const char *q = a + 4;
        while (q < e && is_digit(*q))
            q++;
        if (q > a + 4 && (q == e || !is_alnum(*q))) {
            x->attribution = span(a, q);
            return 1;
        }
    }
    return found;
}

/* ------------------------------------------------------------------ */
/* the parser object                                                   */

enum {
    EV_SOURCE = 1,
    EV_LINE,
    EV_TS,
    EV_TS_MS,
    EV_YEAR_INFERRED,
    EV_HOST,
    EV_INSTANCE,
    EV_DAEMON,
    EV_PID,
    EV_QUEUE_ID,
    EV_KIND,
    EV_CLIENT_HOST,
    EV_CLIENT_IP,
    EV_CLIENT_PORT,
    EV_SENDER,
    EV_RECIPIENT,
    EV_ORIG_RECIPIENT,
    EV_RELAY_HOST,
    EV_RELAY_IP,
    EV_RELAY_PORT,
    EV_CONN_USE,
    EV_DELAY,
    EV_DELAYS,
    EV_TLS,
    EV_DSN,
    EV_STATUS,
    EV_REPLY,
    EV_SIZE,
    EV_NRCPT,
    EV_MESSAGE_ID_RAW,
    EV_SASL_METHOD,
    EV_SASL_USERNAME,
    EV_LINK_QUEUE_ID,
    EV_LINK_KIND,
    EV_HELO,
    EV_COMMAND,
    EV_TEXT,
    EV_TRUNCATED,
    EV_UID,
    EV_NCOL = EV_UID /* parameters per row */
};

/* Lines stored per INSERT. Each statement has a fixed cost (starting it,
 * opening and closing its cursors): sixteen rows in one VALUES list took a
 * fifth fewer instructions per row than one row per statement. */
#define EV_BATCH 16

/* OR FAIL: a failing row ends the statement without undoing the rows before
 * it, which the file's rollback does anyway. With the default (ABORT) a
 * statement of several rows keeps a journal of its own, and SQLite wrote its
 * pages to a temporary file for every batch: 35k writes instead of 2k for
 * 100k lines. */
static const char sql_insert_event[] =
    "INSERT OR FAIL INTO pf_event(source_id, line, ts, ts_ms, year_inferred, host, instance, daemon, pid,"
    " queue_id, kind, client_host, client_ip, client_port, sender, recipient, orig_recipient,"
    " relay_host, relay_ip, relay_port, conn_use, delay, delays, tls, dsn, status, reply, size,"
    " nrcpt, message_id_raw, sasl_method, sasl_username, link_queue_id, link_kind, helo, command,"
    " text, truncated, uid) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,"
    "?19,?20,?21,?22,?23,?24,?25,?26,?27,?28,?29,?30,?31,?32,?33,?34,?35,?36,?37,?38,?39)";

enum {
    RJ_TS = 1,
    RJ_HOST,
    RJ_INSTANCE,
    RJ_DAEMON,
    RJ_QUEUE_ID,
    RJ_ACTION,
    RJ_CLIENT_HOST,
    RJ_CLIENT_IP,
    RJ_CLIENT_PORT,
    RJ_HELO,
    RJ_SENDER,
    RJ_RECIPIENT,
    RJ_PROTO,
    RJ_CODE,
    RJ_DSN,
    RJ_REPLY,
    RJ_COMMAND,
    RJ_SOURCE,
    RJ_LINE,
    RJ_YEAR_INFERRED
};

static const char sql_insert_reject[] =
    "INSERT INTO pf_reject(ts, host, instance, daemon, queue_id, action, client_host, client_ip,"
    " client_port, helo, sender, recipient, proto, code, dsn, reply, command, source_id, line,"
    " year_inferred) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20)";

/* Queue ids with lines in this file, written to pf_dirty (the ids the
 * after-run correlation has to rebuild) when the table fills and at the end. */
#define DIRTY_SLOTS 65536 /* a power of two; flushed at half full */

struct dirty_slot {
    unsigned char n; /* 0: empty */
    char qid[40];    /* postfix_queue_id_len() accepts at most 40 bytes */
};

/* A line waiting for its batch: its own copy of the text (every span of
 * ENV and F points into it) and what was resolved from it. */
struct ev_row {
    char *text;
    size_t cap;
    struct pf_envelope env;
    struct pf_fields f;
    int64_t ts_ms;
    int year_inferred;
    uint64_t line_no;
    char ts_text[TIME_TEXT_MAX];
    size_t ts_len;
};

struct pf_state {
    sqlite3_stmt *ins_event; /* one row: a batch's remainder at the end of the file */
    sqlite3_stmt *ins_batch; /* EV_BATCH rows */
    struct ev_row rows[EV_BATCH];
    size_t nrows;
    uint64_t batch_bound[EV_BATCH]; /* per row of ins_batch, as ev_bound for ins_event */
    sqlite3_stmt *ins_reject;
    sqlite3_stmt *ins_dirty;
    struct dirty_slot *dirty;
    size_t ndirty;
    char last_qid[40]; /* the previous line's id: consecutive lines often share it */
    size_t last_qid_len;
    uint64_t ev_bound;        /* ins_event parameters holding a value (bit i: ?i), the rest hold NULL */
    int first_load;           /* pf_event was empty at open: everything is rebuilt after the run */
    struct pf_stream *stream; /* the run's correlation while storing, when it still holds (postfix.h) */
    int64_t prev_epoch;       /* the previous line's time: the nearer pass of a repeated hour */
    int64_t cache_epoch;      /* the last formatted time, reused for lines of the same second */
    int cache_ms;
    char ts_text[TIME_TEXT_MAX];
    size_t ts_len;
    char lower[1024]; /* lower-cased recipient of a reject */
};

static void bind_span(sqlite3_stmt *st, int i, struct pf_span s)
{
    if (s.p)
        sqlite3_bind_text(st, i, s.p, (int)s.n, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static void bind_long(sqlite3_stmt *st, int i, long v)
{
    if (v >= 0)
        sqlite3_bind_int64(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

static void postfix_close(void *state);

/* Optional event columns: bindings survive sqlite3_reset(), so a column
 * absent now and absent on the previous use of the same parameters is left
 * alone. Most lines fill a handful of the 39 columns; this halves the calls
 * into SQLite per line. BOUND has bit i set while parameter BASE + i holds a
 * value. */
static void ev_span(sqlite3_stmt *st, int base, uint64_t *bound, int i, struct pf_span v)
{
    if (v.p) {
        sqlite3_bind_text(st, base + i, v.p, (int)v.n, SQLITE_STATIC);
        *bound |= 1ULL << i;
    } else if (*bound & (1ULL << i)) {
        sqlite3_bind_null(st, base + i);
        *bound &= ~(1ULL << i);
    }
}

static void ev_long(sqlite3_stmt *st, int base, uint64_t *bound, int i, long v)
{
    if (v >= 0) {
        sqlite3_bind_int64(st, base + i, v);
        *bound |= 1ULL << i;
    } else if (*bound & (1ULL << i)) {
        sqlite3_bind_null(st, base + i);
        *bound &= ~(1ULL << i);
    }
}

static int postfix_open(struct parse_ctx *ctx, void **state)
{
    struct pf_state *s = xcalloc(1, sizeof *s);
    s->cache_epoch = INT64_MIN;
    s->prev_epoch = INT64_MIN;
    s->dirty = xcalloc(DIRTY_SLOTS, sizeof *s->dirty);
    char *batch = sqlite3_mprintf("%s", sql_insert_event);
    for (int r = 1; batch && r < EV_BATCH; r++) {
        char *more = sqlite3_mprintf("%s,(", batch);
        for (int c = 1; more && c <= EV_NCOL; c++) {
            char *next = sqlite3_mprintf("%s%s?%d", more, c > 1 ? "," : "", r * EV_NCOL + c);
            sqlite3_free(more);
            more = next;
        }
        sqlite3_free(batch);
        batch = more ? sqlite3_mprintf("%s)", more) : NULL;
        sqlite3_free(more);
    }
    int prepared =
        batch && sqlite3_prepare_v3(ctx->db, batch, -1, SQLITE_PREPARE_PERSISTENT, &s->ins_batch, NULL) == SQLITE_OK;
    sqlite3_free(batch);
    if (!prepared ||
        sqlite3_prepare_v3(ctx->db, sql_insert_event, -1, SQLITE_PREPARE_PERSISTENT, &s->ins_event, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v3(ctx->db, sql_insert_reject, -1, SQLITE_PREPARE_PERSISTENT, &s->ins_reject, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v3(ctx->db, "INSERT OR IGNORE INTO pf_dirty(queue_id) VALUES (?1)", -1,
                           SQLITE_PREPARE_PERSISTENT, &s->ins_dirty, NULL) != SQLITE_OK) {
        snprintf(ctx->reason, sizeof ctx->reason, "postfix: cannot prepare statements: %s", sqlite3_errmsg(ctx->db));
        postfix_close(s);
        return PARSE_FATAL;
    }
    /* Loading into an empty pf_event: the after-run rebuild will be a full
     * one and needs no pf_dirty, and the look-up indexes are cheaper built
     * once afterwards (postfix_rebuild creates them again) than kept up to
     * date row by row. Inside the file's transaction: a failed file gets
     * them back with its rollback. */
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(ctx->db, "SELECT NOT EXISTS (SELECT 1 FROM pf_event)", -1, &q, NULL) == SQLITE_OK) {
        s->first_load = sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0);
        sqlite3_finalize(q);
    }
    if (s->first_load && sqlite3_exec(ctx->db, "DROP INDEX IF EXISTS pf_event_qid; DROP INDEX IF EXISTS pf_event_link",
                                      NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(ctx->reason, sizeof ctx->reason, "postfix: %s", sqlite3_errmsg(ctx->db));
        postfix_close(s);
        return PARSE_FATAL;
    }
    /* A run that starts with pf_event empty correlates its lines as it
     * stores them, as long as every file of the run lands whole. */
    struct pf_stream **run = (struct pf_stream **)ctx->run_state;
    if (run && !*run && s->first_load) {
        *run = postfix_stream_start(ctx->db, ctx->reason, sizeof ctx->reason);
        if (!*run) {
            postfix_close(s);
            return PARSE_FATAL;
        }
        s->stream = *run;
    } else if (run && *run && postfix_stream_usable(*run, ctx->source_id)) {
        s->stream = *run;
    }
    /* A resumed file goes on from its last stored line: the pass of a
     * repeated hour and the year of year-less stamps follow from it. */
    if (!s->first_load &&
        sqlite3_prepare_v2(ctx->db, "SELECT ts_ms FROM pf_event WHERE source_id = ?1 ORDER BY line DESC LIMIT 1", -1,
                           &q, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(q, 1, ctx->source_id);
        if (sqlite3_step(q) == SQLITE_ROW) {
            s->prev_epoch = sqlite3_column_int64(q, 0) / 1000;
            parser_resume_after(ctx, s->prev_epoch);
        }
        sqlite3_finalize(q);
    }
    /* the same for every line of the file */
    sqlite3_bind_int64(s->ins_event, EV_SOURCE, ctx->source_id);
    for (int r = 0; r < EV_BATCH; r++)
        sqlite3_bind_int64(s->ins_batch, r * EV_NCOL + EV_SOURCE, ctx->source_id);
    sqlite3_bind_int64(s->ins_reject, RJ_SOURCE, ctx->source_id);
    *state = s;
    return 0;
}

static int flush_dirty(struct pf_state *s, struct parse_ctx *ctx)
{
    for (size_t i = 0; i < DIRTY_SLOTS && s->ndirty; i++) {
        struct dirty_slot *d = &s->dirty[i];
        if (!d->n)
            continue;
        sqlite3_bind_text(s->ins_dirty, 1, d->qid, d->n, SQLITE_STATIC);
        int rc = sqlite3_step(s->ins_dirty);
        sqlite3_reset(s->ins_dirty);
        if (rc != SQLITE_DONE) {
            snprintf(ctx->reason, sizeof ctx->reason, "postfix: database error: %s", sqlite3_errmsg(ctx->db));
            return PARSE_FATAL;
        }
        d->n = 0;
        s->ndirty--;
    }
    s->ndirty = 0;
    return 0;
}

/* Notes queue id Q as touched by this file. */
static int mark_dirty(struct pf_state *s, struct parse_ctx *ctx, struct pf_span q)
{
    if (q.n == s->last_qid_len && memcmp(q.p, s->last_qid, q.n) == 0)
        return 0;
    if (q.n > sizeof s->last_qid)
        q.n = sizeof s->last_qid;
    memcpy(s->last_qid, q.p, q.n);
    s->last_qid_len = q.n;
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < q.n; i++)
        h = (h ^ (unsigned char)q.p[i]) * 1099511628211ULL;
    size_t i = h & (DIRTY_SLOTS - 1);
    for (; s->dirty[i].n; i = (i + 1) & (DIRTY_SLOTS - 1))
        if (s->dirty[i].n == q.n && memcmp(s->dirty[i].qid, q.p, q.n) == 0)
            return 0;
    s->dirty[i].n = (unsigned char)q.n;
    memcpy(s->dirty[i].qid, q.p, q.n);
    if (++s->ndirty >= DIRTY_SLOTS / 2)
        return flush_dirty(s, ctx);
    return 0;
}

static int step_done(struct parse_ctx *ctx, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        snprintf(ctx->reason, sizeof ctx->reason, "postfix: database error: %s", sqlite3_errmsg(ctx->db));
        return PARSE_FATAL;
    }
    ctx->events++;
    return PARSE_OK;
}

static int store_reject(struct pf_state *s, struct parse_ctx *ctx, const struct pf_envelope *env,
                        const struct pf_fields *f, int year_inferred)
{
    sqlite3_stmt *st = s->ins_reject;
    sqlite3_bind_text(st, RJ_TS, s->ts_text, (int)s->ts_len, SQLITE_STATIC);
    bind_span(st, RJ_HOST, env->host);
    bind_span(st, RJ_INSTANCE, env->instance);
    bind_span(st, RJ_DAEMON, env->daemon);
    bind_span(st, RJ_QUEUE_ID, f->queue_id);
    bind_span(st, RJ_ACTION, f->action);
    bind_span(st, RJ_CLIENT_HOST, f->client_host);
    bind_span(st, RJ_CLIENT_IP, f->client_ip);
    bind_long(st, RJ_CLIENT_PORT, f->client_port);
    bind_span(st, RJ_HELO, f->helo);
    bind_span(st, RJ_SENDER, f->sender);
    if (f->recipient.p) {
        size_t n = f->recipient.n < sizeof s->lower ? f->recipient.n : sizeof s->lower;
        for (size_t i = 0; i < n; i++)
            s->lower[i] = (char)tolower((unsigned char)f->recipient.p[i]);
        sqlite3_bind_text(st, RJ_RECIPIENT, s->lower, (int)n, SQLITE_STATIC);
    } else {
        sqlite3_bind_null(st, RJ_RECIPIENT);
    }
    bind_span(st, RJ_PROTO, f->proto);
    bind_long(st, RJ_CODE, f->code);
    bind_span(st, RJ_DSN, f->dsn);
    bind_span(st, RJ_REPLY, f->reply);
    bind_span(st, RJ_COMMAND, f->command);
    sqlite3_bind_int64(st, RJ_LINE, (sqlite3_int64)ctx->line_no);
    sqlite3_bind_int(st, RJ_YEAR_INFERRED, year_inferred);
    return step_done(ctx, st);
}

/* Binds row R to the parameters of ST from BASE + 1 on. */
static void bind_event(sqlite3_stmt *st, int base, uint64_t *bound, const struct ev_row *r)
{
    const struct pf_envelope *env = &r->env;
    const struct pf_fields *f = &r->f;
    sqlite3_bind_int64(st, base + EV_LINE, (sqlite3_int64)r->line_no);
    sqlite3_bind_text(st, base + EV_TS, r->ts_text, (int)r->ts_len, SQLITE_STATIC);
    sqlite3_bind_int64(st, base + EV_TS_MS, r->ts_ms);
    sqlite3_bind_int(st, base + EV_YEAR_INFERRED, r->year_inferred);
    bind_span(st, base + EV_HOST, env->host);
    bind_span(st, base + EV_INSTANCE, env->instance);
    bind_span(st, base + EV_DAEMON, env->daemon);
    ev_long(st, base, bound, EV_PID, env->pid);
    ev_span(st, base, bound, EV_QUEUE_ID, f->queue_id);
    sqlite3_bind_text(st, base + EV_KIND, postfix_kind_name(f->kind), -1, SQLITE_STATIC);
    ev_span(st, base, bound, EV_CLIENT_HOST, f->client_host);
    ev_span(st, base, bound, EV_CLIENT_IP, f->client_ip);
    ev_long(st, base, bound, EV_CLIENT_PORT, f->client_port);
    ev_span(st, base, bound, EV_SENDER, f->sender);
    ev_span(st, base, bound, EV_RECIPIENT, f->recipient);
    ev_span(st, base, bound, EV_ORIG_RECIPIENT, f->orig_recipient);
    ev_span(st, base, bound, EV_RELAY_HOST, f->relay_host);
    ev_span(st, base, bound, EV_RELAY_IP, f->relay_ip);
    ev_long(st, base, bound, EV_RELAY_PORT, f->relay_port);
    ev_long(st, base, bound, EV_CONN_USE, f->conn_use);
    if (f->delay >= 0) {
        sqlite3_bind_double(st, base + EV_DELAY, f->delay);
        *bound |= 1ULL << EV_DELAY;
    } else if (*bound & (1ULL << EV_DELAY)) {
        sqlite3_bind_null(st, base + EV_DELAY);
        *bound &= ~(1ULL << EV_DELAY);
    }
    ev_span(st, base, bound, EV_DELAYS, f->delays);
    ev_span(st, base, bound, EV_TLS, f->tls);
    ev_span(st, base, bound, EV_DSN, f->dsn);
    ev_span(st, base, bound, EV_STATUS, f->action.p ? f->action : f->status);
    ev_span(st, base, bound, EV_REPLY, f->reply);
    ev_long(st, base, bound, EV_SIZE, f->size);
    ev_long(st, base, bound, EV_NRCPT, f->nrcpt);
    ev_span(st, base, bound, EV_MESSAGE_ID_RAW, f->message_id);
    ev_span(st, base, bound, EV_SASL_METHOD, f->sasl_method);
    ev_span(st, base, bound, EV_SASL_USERNAME, f->sasl_username);
    ev_span(st, base, bound, EV_LINK_QUEUE_ID, f->link_queue_id);
    struct pf_span lk = {f->link_kind, f->link_kind ? strlen(f->link_kind) : 0};
    ev_span(st, base, bound, EV_LINK_KIND, lk);
    ev_span(st, base, bound, EV_HELO, f->helo);
    ev_span(st, base, bound, EV_COMMAND, f->command);
    ev_span(st, base, bound, EV_TEXT, f->text);
    sqlite3_bind_int(st, base + EV_TRUNCATED, f->truncated);
    ev_long(st, base, bound, EV_UID, f->uid);
}

static struct pf_span cstr_span(const char *p)
{
    struct pf_span v = {p, p ? strlen(p) : 0};
    return v;
}

/* Row R, stored with id ID, as the correlation reads it: what the table
 * holds for it, column for column. */
static void event_of_row(struct pf_event *e, const struct ev_row *r, int64_t source_id, int64_t id)
{
    const struct pf_fields *f = &r->f;
    e->id = id;
    e->source_id = source_id;
    e->line = (int64_t)r->line_no;
    e->ts_ms = r->ts_ms;
    e->year_inferred = r->year_inferred;
    e->truncated = f->truncated;
    e->ts = (struct pf_span){r->ts_text, r->ts_len};
    e->host = r->env.host;
    e->instance = r->env.instance;
    e->daemon = r->env.daemon;
    e->queue_id = f->queue_id;
    e->kind = cstr_span(postfix_kind_name(f->kind));
    e->client_host = f->client_host;
    e->client_ip = f->client_ip;
    e->sender = f->sender;
    e->recipient = f->recipient;
    e->orig_recipient = f->orig_recipient;
    e->relay_host = f->relay_host;
    e->relay_ip = f->relay_ip;
    e->delays = f->delays;
    e->tls = f->tls;
    e->dsn = f->dsn;
    e->status = f->action.p ? f->action : f->status;
    e->reply = f->reply;
    e->message_id_raw = f->message_id;
    e->sasl_username = f->sasl_username;
    e->link_queue_id = f->link_queue_id;
    e->link_kind = cstr_span(f->link_kind);
    e->relay_port = f->relay_port;
    e->conn_use = f->conn_use;
    e->size = f->size;
    e->nrcpt = f->nrcpt;
    e->uid = f->uid;
    e->delay = f->delay;
}

/* Writes the lines waiting for their batch: all in one statement when the
 * batch is full, else one statement each (the end of a file). */
static int flush_events(struct pf_state *s, struct parse_ctx *ctx)
{
    int rc = SQLITE_DONE;
    size_t n = s->nrows;
    s->nrows = 0;
    if (n == EV_BATCH) {
        for (int r = 0; r < EV_BATCH; r++)
            bind_event(s->ins_batch, r * EV_NCOL, &s->batch_bound[r], &s->rows[r]);
        rc = sqlite3_step(s->ins_batch);
        sqlite3_reset(s->ins_batch);
    } else {
        for (size_t r = 0; r < n && rc == SQLITE_DONE; r++) {
            bind_event(s->ins_event, 0, &s->ev_bound, &s->rows[r]);
            rc = sqlite3_step(s->ins_event);
            sqlite3_reset(s->ins_event);
        }
    }
    if (rc != SQLITE_DONE) {
        snprintf(ctx->reason, sizeof ctx->reason, "postfix: database error: %s", sqlite3_errmsg(ctx->db));
        return PARSE_FATAL;
    }
    if (!s->stream)
        return PARSE_OK;
    /* The rows got the ids after the table's last, in order. */
    int64_t id = sqlite3_last_insert_rowid(ctx->db) - (int64_t)n + 1;
    for (size_t r = 0; r < n; r++) {
        struct pf_event e;
        event_of_row(&e, &s->rows[r], ctx->source_id, id + (int64_t)r);
        if (postfix_stream_take(s->stream, &e, ctx->reason, sizeof ctx->reason) != 0)
            return PARSE_FATAL;
    }
    return PARSE_OK;
}

/* Takes the line in the next row of the batch (parsed from that row's copy
 * of the text) into the batch. */
static int store_event(struct pf_state *s, struct parse_ctx *ctx, int64_t ts_ms, int year_inferred)
{
    struct ev_row *r = &s->rows[s->nrows++];
    r->ts_ms = ts_ms;
    r->year_inferred = year_inferred;
    r->line_no = ctx->line_no;
    memcpy(r->ts_text, s->ts_text, s->ts_len);
    r->ts_len = s->ts_len;
    ctx->events++;
    return s->nrows == EV_BATCH ? flush_events(s, ctx) : PARSE_OK;
}

/* Whether address V holds whitespace outside double quotes. Postfix logs an
 * address with a space in its local part quoted ("a b"@example.com), so
 * one with a bare space is a line cut short with the next line glued to it
 * (a crash, a full disk): to=<b@fabrikNov 24 10:00:02 mx1 postfix/smtp...>.
 * Text a sender controls (a subject, a reply, a quoted local part) cannot
 * make one. */
static int broken_address(struct pf_span v)
{
    int quoted = 0, space = 0;
    for (size_t i = 0; i < v.n && !space; i++) {
        if (v.p[i] == '"')
            quoted = !quoted;
        else if (v.p[i] == '\\' && quoted && i + 1 < v.n)
            i++;
        else if (!quoted && (v.p[i] == ' ' || v.p[i] == '\t'))
            space = 1;
    }
    if (!space)
        return 0;
    /* The glued line starts with its own time stamp (HH:MM:SS in every syslog
     * form). Without one, the space is the sender's: qmgr logs an envelope
     * sender as submitted ("from=<FROM: SOME USER@example.com>" from a local
     * sendmail -f), and the line is whole. */
    for (size_t i = 0; i + 8 <= v.n; i++)
        if (is_digit(v.p[i]) && is_digit(v.p[i + 1]) && v.p[i + 2] == ':' && is_digit(v.p[i + 3]) &&
            is_digit(v.p[i + 4]) && v.p[i + 5] == ':' && is_digit(v.p[i + 6]) && is_digit(v.p[i + 7]))
            return 1;
    return 0;
}

static int postfix_line(void *state, struct parse_ctx *ctx, const char *text, size_t len)
{
    struct pf_state *s = state;
    /* Parsed from the next batch row's copy, which outlives this call. */
    struct ev_row *row = &s->rows[s->nrows];
    if (row->cap < len + 1) {
        row->cap = len + 1 > 256 ? len + 1 : 256;
        free(row->text);
        row->text = xmalloc(row->cap);
    }
    memcpy(row->text, text, len);
    row->text[len] = '\0';
    text = row->text;
    struct pf_envelope *env = &row->env;
    int r = postfix_parse_envelope(text, len, env);
    if (r == PF_ENV_BAD)
        return parser_reject(ctx, "not a syslog line (no timestamp, host and tag)");
    if (r == PF_ENV_OTHER)
        return PARSE_SKIP;
    int64_t epoch;
    int year_inferred = 0;
    if (env->has_year) {
        epoch = env->epoch;
        if (env->zone_less)
            ctx->local_times = 1;
    } else {
        int year = parser_year_for(ctx, env->month, env->day);
        year_inferred = !(ctx->opt && ctx->opt->year > 0);
        if (!time_valid_date(year, env->month, env->day))
            return parser_reject(ctx, "no such date: %d-%02d-%02d", year, env->month, env->day);
        epoch = time_local_to_utc_near(year, env->month, env->day, env->hour, env->min, env->sec, s->prev_epoch);
        ctx->local_times = 1;
    }
    s->prev_epoch = epoch;
    if (epoch != s->cache_epoch || env->ms != s->cache_ms) {
        s->ts_len = time_format(epoch, env->ms, s->ts_text);
        s->cache_epoch = epoch;
        s->cache_ms = env->ms;
    }
    parser_note_time(ctx, epoch);
    int64_t ts_ms = epoch * 1000 + (env->ms > 0 ? env->ms : 0);

    struct pf_fields *f = &row->f;
    postfix_parse_body(env->body, env->body_len, f);
    if (broken_address(f->sender) || broken_address(f->recipient) || broken_address(f->orig_recipient))
        return parser_reject(ctx, "an address holds a space outside quotes: the line was cut short and the next "
                                  "one glued to it");
    if (f->queue_id.p && !s->first_load && !s->stream && mark_dirty(s, ctx, f->queue_id) != 0)
        return PARSE_FATAL;
    if (f->kind == PF_REJECT) {
        int rc = store_reject(s, ctx, env, f, year_inferred);
        if (rc != PARSE_OK || !f->queue_id.p)
            return rc;
    }
    return store_event(s, ctx, ts_ms, year_inferred);
}

static int postfix_finish(void *state, struct parse_ctx *ctx)
{
    if (flush_events(state, ctx) != PARSE_OK)
        return PARSE_FATAL;
    return flush_dirty(state, ctx);
}

static void postfix_close(void *state)
{
    struct pf_state *s = state;
    if (!s)
        return;
    sqlite3_finalize(s->ins_event);
    sqlite3_finalize(s->ins_batch);
    for (size_t i = 0; i < EV_BATCH; i++)
        free(s->rows[i].text);
    sqlite3_finalize(s->ins_reject);
    sqlite3_finalize(s->ins_dirty);
    free(s->dirty);
    free(s);
}

/* Sure when most of the first lines are Postfix syslog lines; a mail.log
 * interleaved with amavis or dovecot still qualifies on a few. */
static int postfix_detect(const char *const *lines, const size_t *lens, size_t n)
{
    size_t pf = 0, syslog = 0;
    for (size_t i = 0; i < n; i++) {
        struct pf_envelope env;
        int r = postfix_parse_envelope(lines[i], lens[i], &env);
        if (r == PF_ENV_POSTFIX)
            pf++;
        if (r != PF_ENV_BAD)
            syslog++;
    }
    if (!pf)
        return 0;
    if (pf * 2 >= n)
        return 95;
    return syslog * 2 >= n ? 80 : 50;
}

static int postfix_after_run(sqlite3 *db, void *run_state, char *err, size_t errlen)
{
    return postfix_rebuild(db, run_state, err, errlen);
}

static int postfix_has_pending(sqlite3 *db)
{
    return postfix_pending(db) != 0;
}

static void postfix_free_run(void *run_state)
{
    postfix_stream_free(run_state);
}

const struct parser postfix_parser = {
    .name = "postfix",
    .summary = "Postfix mail logs (syslog, RFC 3339, RFC 5424, maillog_file; any instance)",
    .detect = postfix_detect,
    .open = postfix_open,
    .line = postfix_line,
    .finish = postfix_finish,
    .close = postfix_close,
    .after_run = postfix_after_run,
    .pending = postfix_has_pending,
    .free_run = postfix_free_run,
    .resumable = 1,
};
