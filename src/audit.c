/*
 * audit.c - findings from the ingested logs, and the precheck verdict
 * (see audit.h).
 */
#include "audit.h"

#include "builtin_data.h"
#include "embedded.h"
#include "sqlfunc.h"
#include "store.h"
#include "timeutil.h"
#include "xalloc.h"

#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const char *const kind_names[FINDING_KIND_COUNT] = {
    "ndr_direct", "notification_known", "notification_unknown", "bypassed_mx", "attribution_failure", "ndr_lost",
};

const char *finding_kind_name(enum finding_kind k)
{
    return (unsigned)k < FINDING_KIND_COUNT ? kind_names[k] : "?";
}

int finding_kind_from_name(const char *name)
{
    for (int i = 0; i < FINDING_KIND_COUNT; i++)
        if (!strcmp(kind_names[i], name))
            return i;
    return -1;
}

/* ---- sender classification ---- */

static int starts_with_ci(const char *s, const char *prefix)
{
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static const char *domain_part(const char *addr)
{
    const char *at = addr ? strrchr(addr, '@') : NULL;
    return at ? at + 1 : NULL;
}

static int local_part_is(const char *addr, const char *word)
{
    const char *at = strrchr(addr, '@');
    size_t n = at ? (size_t)(at - addr) : strlen(addr);
    return strlen(word) == n && strncasecmp(addr, word, n) == 0;
}

static const char *subject_prefix(const char *subject, const char *const *list)
{
    if (!subject)
        return NULL;
    while (*subject == ' ')
        subject++;
    for (size_t i = 0; list[i]; i++)
        if (starts_with_ci(subject, list[i]))
            return list[i];
    return NULL;
}

int audit_is_ndr(const struct config *cfg, const char *sender, const char *subject)
{
    if (sender && (!*sender || !strcmp(sender, "<>")))
        return 1; /* the null reverse-path of RFC 5321 4.5.5 */
    if (sender)
        for (size_t i = 0; builtin_ndr_local_parts[i]; i++)
            if (local_part_is(sender, builtin_ndr_local_parts[i]))
                return 1;
    if (subject_prefix(subject, builtin_autoreply_subjects))
        return 0; /* an auto-reply with a real sender */
    if (subject_prefix(subject, builtin_ndr_subjects))
        return 1;
    if (cfg && subject) {
        while (*subject == ' ')
            subject++;
        for (size_t i = 0; i < cfg->nndr_subjects; i++)
            if (starts_with_ci(subject, cfg->ndr_subjects[i]))
                return 1;
    }
    return 0;
}

const char *audit_ndr_original_subject(const char *subject)
{
    const char *p = subject_prefix(subject, builtin_ndr_subjects);
    if (!p || p[strlen(p) - 1] != ':')
        return NULL; /* "Undelivered Mail Returned to Sender" carries no subject */
    while (*subject == ' ')
        subject++;
    subject += strlen(p);
    while (*subject == ' ')
        subject++;
    return *subject ? subject : NULL;
}

static int domain_is_or_under(const char *domain, const char *base)
{
    size_t d = strlen(domain), b = strlen(base);
    if (d == b)
        return strcasecmp(domain, base) == 0;
    return d > b && domain[d - b - 1] == '.' && strcasecmp(domain + d - b, base) == 0;
}

int audit_is_machine_sender(const struct config *cfg, const char *sender)
{
    const char *domain = domain_part(sender);
    if (!domain)
        return 0;
    size_t llen = (size_t)(domain - 1 - sender);
    for (size_t i = 0; builtin_machine_local_parts[i]; i++) {
        size_t w = strlen(builtin_machine_local_parts[i]);
        if (llen >= w && strncasecmp(sender, builtin_machine_local_parts[i], w) == 0 &&
            (llen == w || strchr("-_.+", sender[w])))
            return 1;
    }
    for (size_t i = 0; builtin_microsoft_domains[i]; i++)
        if (domain_is_or_under(domain, builtin_microsoft_domains[i]))
            return 1;
    size_t dl = strlen(domain);
    if (dl > 10 && strcasecmp(domain + dl - 10, ".microsoft") == 0)
        return 1;
    if (domain_is_or_under(domain, "onmicrosoft.com") && !config_is_own_domain(cfg, domain))
        return 1;
    return 0;
}

/* ---- small helpers ---- */

static char *dup_col(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? xstrdup((const char *)t) : NULL;
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

static void add_evidence(struct finding *f, const char *file, long long line)
{
    for (size_t i = 0; i < f->nevidence; i++)
        if (f->evidence[i].line == line && !strcmp(f->evidence[i].file, file))
            return;
    f->evidence = xrealloc(f->evidence, (f->nevidence + 1) * sizeof *f->evidence);
    f->evidence[f->nevidence].file = xstrdup(file);
    f->evidence[f->nevidence].line = line;
    f->nevidence++;
}

static int has_str(char **arr, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (!strcasecmp(arr[i], s))
            return 1;
    return 0;
}

static void push_unique(char ***arr, size_t *n, const char *s)
{
    if (has_str(*arr, *n, s))
        return;
    *arr = xrealloc(*arr, (*n + 1) * sizeof(char *));
    (*arr)[(*n)++] = xstrdup(s);
}

struct run {
    sqlite3 *db;
    const struct config *cfg;
    const struct audit_options *opt;
    struct audit_result *res;
    char today[11];
    char *err;
    size_t errlen;
    sqlite3_stmt *relayed, *evidence, *recipients, *entry;
    sqlite3_stmt *entry_ips; /* message_entry_ips, prepared when first needed */
    struct {
        size_t finding; /* index into res->findings (which may move: never a pointer) */
        char *ref;
    } * ndr; /* NDR findings waiting for link_ndr_originals */
    size_t nndr;
};

static sqlite3 *second_connection(sqlite3 *db);

static int prepare(struct run *r, const char *name, sqlite3_stmt **st)
{
    const char *sql = embedded_query(name);
    if (!sql) {
        snprintf(r->err, r->errlen, "query %s is not built in", name);
        return -1;
    }
    if (sqlite3_prepare_v2(r->db, sql, -1, st, NULL) != SQLITE_OK) {
        snprintf(r->err, r->errlen, "query %s: %s", name, sqlite3_errmsg(r->db));
        return -1;
    }
    return 0;
}

static void bind_text(sqlite3_stmt *st, const char *name, const char *value)
{
    int i = sqlite3_bind_parameter_index(st, name);
    if (!i)
        return;
    if (value)
        sqlite3_bind_text(st, i, value, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static int kind_wanted(const struct run *r, enum finding_kind k)
{
    return !r->opt->kinds || (r->opt->kinds & (1u << k));
}

static void apply_exception(struct run *r, struct finding *f)
{
    const struct config_exception *e = config_match_exception(r->cfg, f->sender, f->client_ip);
    if (!e)
        return;
    f->exception_reason = xstrdup(e->reason);
    f->exception_until = xstrdup(e->until);
    if (e->until[0] && strcmp(r->today, e->until) > 0)
        f->exception_expired = 1;
    else
        f->excepted = 1;
}

static struct finding *new_finding(struct run *r)
{
    struct audit_result *res = r->res;
    res->findings = xrealloc(res->findings, (res->n + 1) * sizeof *res->findings);
    struct finding *f = &res->findings[res->n++];
    memset(f, 0, sizeof *f);
    return f;
}

/* ---- receiving side ---- */

struct entry_row {
    char *key; /* msg_key: the message's identity */
    char *system, *ts, *message_id, *sender, *subject, *client_ip, *connector, *reference, *server, *file;
    char *client_ip_logged; /* client-ip as logged, where client_ip may be original-client-ip */
    long long line;
    char **own_rcpts; /* recipients in our domains */
    size_t nown;
};

static void entry_row_free(struct entry_row *e)
{
    free(e->key);
    free(e->system);
    free(e->ts);
    free(e->message_id);
    free(e->sender);
    free(e->subject);
    free(e->client_ip);
    free(e->client_ip_logged);
    free(e->connector);
    free(e->reference);
    free(e->server);
    free(e->file);
    for (size_t i = 0; i < e->nown; i++)
        free(e->own_rcpts[i]);
    free(e->own_rcpts);
}

enum door { DOOR_NONE, DOOR_EXO, DOOR_ONPREM };

/* Where a row of SYSTEM that came from IP through CONNECTOR entered, when
 * that was not through a trusted path; what the row was sent to aside. */
static enum door judge_ip(const struct run *r, const char *system, const char *connector, const char *ip)
{
    const struct config *cfg = r->cfg;
    if (!ip)
        return DOOR_NONE;
    struct ip_addr a;
    if (ip_parse(ip, strlen(ip), &a) != 0)
        return DOOR_NONE;
    if (ipset_contains(cfg->onprem_ips, &a) || ipset_contains(cfg->gateway_ips, &a))
        return DOOR_NONE;
    if (!strcmp(system, "exchange")) {
        /* Hybrid: judged where it entered Exchange Online, not here. */
        if (ipset_contains(cfg->exo_ranges, &a))
            return DOOR_NONE;
        return DOOR_ONPREM;
    }
    /* Without [gateway] the MX is Exchange Online itself: its entries are the MX path. */
    if (!cfg->has_gateway || config_is_gateway_connector(cfg, connector))
        return DOOR_NONE;
    return DOOR_EXO;
}

/* Where a row entered, when that was not through a trusted path: only a
 * row for recipients in our domains counts. */
static enum door judge_entry(const struct run *r, const struct entry_row *e, const char *ip)
{
    if (!e->nown)
        return DOOR_NONE;
    /* Hybrid mail from Exchange Online names its first client in
     * original-client-ip, which the parser took for the hop unless client-ip
     * was in the built-in ranges: here [exchange_online] ips count too. */
    if (!strcmp(e->system, "exchange") && e->client_ip_logged &&
        ipset_contains_text(r->cfg->exo_ranges, e->client_ip_logged))
        return DOOR_NONE;
    return judge_ip(r, e->system, e->connector, ip);
}

/* Fills E's recipients in our domains from the row EVENT_ID's recipients. */
static int own_recipients(struct run *r, struct entry_row *e, sqlite3_int64 event_id)
{
    sqlite3_stmt *st = r->recipients;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":event_id"), event_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *addr = (const char *)sqlite3_column_text(st, 0);
        if (addr && config_is_own_domain(r->cfg, domain_part(addr)))
            push_unique(&e->own_rcpts, &e->nown, addr);
    }
    if (rc != SQLITE_DONE) {
        snprintf(r->err, r->errlen, "query entry_recipients: %s", sqlite3_errmsg(r->db));
        return -1;
    }
    return 0;
}

/* Removes the recipients the gateway's own Postfix relayed this message to. */
static int drop_gateway_relayed(struct run *r, const char *message_id, char ***rcpts, size_t *n)
{
    if (!message_id || !r->cfg->ngateway_hosts || !*n)
        return 0;
    sqlite3_stmt *st = r->relayed;
    sqlite3_reset(st);
    bind_text(st, ":message_id", message_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *host = (const char *)sqlite3_column_text(st, 0);
        if (!config_is_gateway_host(r->cfg, host))
            continue;
        for (int c = 1; c <= 2; c++) {
            const char *rcpt = (const char *)sqlite3_column_text(st, c);
            if (!rcpt)
                continue;
            for (size_t i = 0; i < *n; i++) {
                if (!strcasecmp((*rcpts)[i], rcpt)) {
                    free((*rcpts)[i]);
                    (*rcpts)[i] = (*rcpts)[--*n];
                    break;
                }
            }
        }
    }
    if (rc != SQLITE_DONE) {
        snprintf(r->err, r->errlen, "query gateway_relayed: %s", sqlite3_errmsg(r->db));
        return -1;
    }
    return 0;
}

/* Every row that saw a Message-ID (message_evidence.sql), read before the
 * finding exists: whether one is a DSN decides the finding's kind. */
struct message_rows {
    struct {
        char *file, *ts;
        long long line;
        int is_entry;
    } * row;
    size_t n;
    int is_dsn;
};

static void message_rows_free(struct message_rows *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->row[i].file);
        free(m->row[i].ts);
    }
    free(m->row);
    memset(m, 0, sizeof *m);
}

static int read_message_rows(struct run *r, const char *message_id, struct message_rows *m)
{
    sqlite3_stmt *st = r->evidence;
    sqlite3_reset(st);
    bind_text(st, ":message_id", message_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        m->row = xrealloc(m->row, (m->n + 1) * sizeof *m->row);
        m->row[m->n].file = dup_col(st, 0);
        m->row[m->n].line = sqlite3_column_int64(st, 1);
        m->row[m->n].ts = dup_col(st, 2);
        m->row[m->n].is_entry = sqlite3_column_int(st, 3);
        m->is_dsn |= sqlite3_column_int(st, 4);
        m->n++;
    }
    if (rc != SQLITE_DONE) {
        snprintf(r->err, r->errlen, "query message_evidence: %s", sqlite3_errmsg(r->db));
        return -1;
    }
    return 0;
}

static void add_message_rows(struct run *r, struct finding *f, const struct message_rows *m)
{
    for (size_t i = 0; i < m->n; i++) {
        if (m->row[i].file)
            add_evidence(f, m->row[i].file, m->row[i].line);
        /* first and last seen entering Exchange, hybrid and gateway hops included */
        const char *ts = m->row[i].ts;
        if (!m->row[i].is_entry || !ts)
            continue;
        if ((!r->opt->since || strcmp(ts, r->opt->since) >= 0) && strcmp(ts, f->first_seen) < 0) {
            free(f->first_seen);
            f->first_seen = xstrdup(ts);
        }
        if ((!r->opt->until || strcmp(ts, r->opt->until) <= 0) && strcmp(ts, f->last_seen) > 0) {
            free(f->last_seen);
            f->last_seen = xstrdup(ts);
        }
    }
}

/* The first Message-ID of a ';'-joined reference field, without brackets. */
static char *first_reference(const char *ref)
{
    if (!ref)
        return NULL;
    while (*ref == ' ' || *ref == '\'' || *ref == '<')
        ref++;
    size_t n = strcspn(ref, ";>' ");
    return n ? xstrndup(ref, n) : NULL;
}

/* Queues an NDR finding for link_ndr_originals. */
static void queue_ndr(struct run *r, size_t finding, const char *reference)
{
    r->ndr = xrealloc(r->ndr, (r->nndr + 1) * sizeof *r->ndr);
    r->ndr[r->nndr].finding = finding;
    r->ndr[r->nndr].ref = first_reference(reference);
    r->nndr++;
}

/* Appends S as a JSON string (RFC 8259 7: quote, backslash and control
 * characters escaped), or null. */
static void json_append(sqlite3_str *out, const char *s)
{
    if (!s) {
        sqlite3_str_appendall(out, "null");
        return;
    }
    sqlite3_str_appendchar(out, 1, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            sqlite3_str_appendf(out, "\\%c", *p);
        else if (*p < 0x20)
            sqlite3_str_appendf(out, "\\u%04x", *p);
        else
            sqlite3_str_appendchar(out, 1, (char)*p);
    }
    sqlite3_str_appendchar(out, 1, '"');
}

/* A row of ndr_original.sql: where an NDR's original may be. */
struct candidate {
    int set;
    int rank, rank2; /* see ndr_original.sql: lower is better */
    const char *ts, *message_id, *file;
    long long line;
    const char *host;
};

static void candidate_free(struct candidate *c)
{
    if (!c->set)
        return;
    free((char *)c->ts);
    free((char *)c->message_id);
    free((char *)c->file);
    free((char *)c->host);
}

static int cmp_nullable(const char *a, const char *b)
{
    return a && b ? strcmp(a, b) : (a != NULL) - (b != NULL);
}

/* Whether C beats BEST: lower rank, then rank2, then the later time; the
 * smaller Message-ID, file and line settle a tie, so that the choice does not
 * depend on the order SQLite hands the rows over in. */
static int better_candidate(const struct candidate *c, const struct candidate *best)
{
    if (!best->set)
        return 1;
    if (c->rank != best->rank)
        return c->rank < best->rank;
    if (c->rank2 != best->rank2)
        return c->rank2 < best->rank2;
    int d = cmp_nullable(c->ts, best->ts);
    if (d)
        return d > 0;
    if ((d = cmp_nullable(c->message_id, best->message_id)) != 0)
        return d < 0;
    if ((d = cmp_nullable(c->file, best->file)) != 0)
        return d < 0;
    return c->line < best->line;
}

/* The paths of all sources, by id (source_paths.sql). */
struct source_paths {
    sqlite3_int64 *id;
    char **path;
    size_t n;
};

static int source_paths_load(struct run *r, struct source_paths *sp)
{
    memset(sp, 0, sizeof *sp);
    sqlite3_stmt *st;
    if (prepare(r, "source_paths", &st) != 0)
        return -1;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (sp->n == cap) {
            cap = cap ? cap * 2 : 64;
            sp->id = xrealloc(sp->id, cap * sizeof *sp->id);
            sp->path = xrealloc(sp->path, cap * sizeof *sp->path);
        }
        sp->id[sp->n] = sqlite3_column_int64(st, 0);
        sp->path[sp->n++] = dup_col(st, 1);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        snprintf(r->err, r->errlen, "query source_paths: %s", sqlite3_errmsg(r->db));
        return -1;
    }
    return 0;
}

/* ID's path, or NULL: the ids are in order (source_paths.sql). */
static const char *source_path(const struct source_paths *sp, sqlite3_int64 id)
{
    size_t lo = 0, hi = sp->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sp->id[mid] == id)
            return sp->path[mid];
        if (sp->id[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static void source_paths_free(struct source_paths *sp)
{
    for (size_t i = 0; i < sp->n; i++)
        free(sp->path[i]);
    free(sp->id);
    free(sp->path);
}

/* One pass of ndr_original.sql over one side (PART), or both (NULL), on its
 * own connection: keeps the best candidate of each NDR in BEST. */
struct ndr_pass {
    sqlite3 *db;
    const char *part;
    const char *json;     /* the NDRs (:ndrs) */
    const char *subjects; /* their original subjects (:subjects) */
    const char *senders;  /* our senders they went to, lower-cased (:senders) */
    size_t nndr;
    const struct source_paths *paths;
    struct candidate *best; /* nndr of them */
    int status;
    char err[512];
};

static void *ndr_pass_run(void *arg)
{
    struct ndr_pass *p = arg;
    p->status = -1;
    const char *sql = embedded_query("ndr_original");
    sqlite3_stmt *st;
    if (!sql || sqlite3_prepare_v2(p->db, sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(p->err, sizeof p->err, "query ndr_original: %s", sql ? sqlite3_errmsg(p->db) : "not built in");
        return NULL;
    }
    sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":ndrs"), p->json, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":subjects"), p->subjects, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":senders"), p->senders, -1, SQLITE_STATIC);
    bind_text(st, ":part", p->part);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        long long idx = sqlite3_column_int64(st, 0);
        if (idx < 0 || (size_t)idx >= p->nndr)
            continue;
        struct candidate c = {1,
                              sqlite3_column_int(st, 6),
                              sqlite3_column_int(st, 7),
                              (const char *)sqlite3_column_text(st, 3),
                              (const char *)sqlite3_column_text(st, 1),
                              source_path(p->paths, sqlite3_column_int64(st, 4)),
                              sqlite3_column_int64(st, 5),
                              (const char *)sqlite3_column_text(st, 2)};
        if (better_candidate(&c, &p->best[idx])) {
            candidate_free(&p->best[idx]);
            p->best[idx] = (struct candidate){1,
                                              c.rank,
                                              c.rank2,
                                              c.ts ? xstrdup(c.ts) : NULL,
                                              c.message_id ? xstrdup(c.message_id) : NULL,
                                              c.file ? xstrdup(c.file) : NULL,
                                              c.line,
                                              c.host ? xstrdup(c.host) : NULL};
        }
    }
    if (rc != SQLITE_DONE)
        snprintf(p->err, sizeof p->err, "query ndr_original: %s", sqlite3_errmsg(p->db));
    else
        p->status = 0;
    sqlite3_finalize(st);
    return NULL;
}

/* The NDRs' original subjects (SENDERS 0) or our senders they went to (1):
 * a JSON array for in_list() in ndr_original.sql. The senders are the
 * recipients of the NDRs, which ex_recipient holds lower-cased, as the query
 * compares them. */
static char *ndr_list(const struct run *r, int senders)
{
    sqlite3_str *out = sqlite3_str_new(r->db);
    sqlite3_str_appendchar(out, 1, '[');
    int n = 0;
    for (size_t i = 0; i < r->nndr; i++) {
        const struct finding *f = &r->res->findings[r->ndr[i].finding];
        const char *v = senders ? (f->nrecipients ? f->recipients[0] : NULL) : audit_ndr_original_subject(f->subject);
        if (!v)
            continue;
        if (n++)
            sqlite3_str_appendchar(out, 1, ',');
        json_append(out, v);
    }
    sqlite3_str_appendchar(out, 1, ']');
    return sqlite3_str_finish(out);
}

/* Finds the originals of all queued NDRs (see ndr_original.sql), handing the
 * query the NDRs as one JSON array. The Exchange and the Postfix side are
 * looked at at once, each on a connection and thread of its own, and the
 * better of the two candidates wins; where no second connection can be had
 * (see second_connection), one pass does both. */
static int link_ndr_originals(struct run *r)
{
    if (!r->nndr)
        return 0;
    struct source_paths paths;
    if (source_paths_load(r, &paths) != 0) {
        source_paths_free(&paths);
        return -1;
    }
    sqlite3_str *js = sqlite3_str_new(r->db);
    sqlite3_str_appendchar(js, 1, '[');
    for (size_t i = 0; i < r->nndr; i++) {
        const struct finding *f = &r->res->findings[r->ndr[i].finding];
        sqlite3_str_appendf(js, "%s{\"idx\":%lld,\"ref\":", i ? "," : "", (long long)i);
        json_append(js, r->ndr[i].ref);
        sqlite3_str_appendall(js, ",\"sender\":");
        json_append(js, f->nrecipients ? f->recipients[0] : NULL);
        sqlite3_str_appendall(js, ",\"subject\":");
        json_append(js, audit_ndr_original_subject(f->subject));
        sqlite3_str_appendall(js, ",\"domain\":");
        json_append(js, f->sender ? domain_part(f->sender) : NULL);
        sqlite3_str_appendall(js, ",\"before\":");
        json_append(js, f->first_seen);
        sqlite3_str_appendchar(js, 1, '}');
    }
    sqlite3_str_appendchar(js, 1, ']');
    char *json = sqlite3_str_finish(js);
    char *subjects = ndr_list(r, 0);
    char *senders = ndr_list(r, 1);
    if (!json || !subjects || !senders) {
        snprintf(r->err, r->errlen, "out of memory building the NDR list");
        sqlite3_free(json);
        sqlite3_free(subjects);
        sqlite3_free(senders);
        source_paths_free(&paths);
        return -1;
    }
    struct ndr_pass ex = {.db = r->db,
                          .part = "exchange",
                          .json = json,
                          .subjects = subjects,
                          .senders = senders,
                          .nndr = r->nndr,
                          .paths = &paths};
    struct ndr_pass pf = ex;
    ex.best = xcalloc(r->nndr, sizeof *ex.best);
    pf.best = xcalloc(r->nndr, sizeof *pf.best);
    pf.part = "postfix";
    pf.db = second_connection(r->db);
    pthread_t thread;
    int threaded = pf.db && pthread_create(&thread, NULL, ndr_pass_run, &pf) == 0;
    if (!threaded)
        ex.part = NULL;
    ndr_pass_run(&ex);
    if (threaded)
        pthread_join(thread, NULL);
    if (pf.db)
        store_close(pf.db);
    int status = 0;
    if (ex.status != 0 || (threaded && pf.status != 0)) {
        snprintf(r->err, r->errlen, "%s", ex.status != 0 ? ex.err : pf.err);
        status = -1;
    }
    for (size_t i = 0; i < r->nndr; i++) {
        struct finding *f = &r->res->findings[r->ndr[i].finding];
        const struct candidate *b =
            pf.best[i].set && better_candidate(&pf.best[i], &ex.best[i]) ? &pf.best[i] : &ex.best[i];
        if (b->set && status == 0) {
            f->original_message_id = b->message_id ? xstrdup(b->message_id) : NULL;
            f->original_host = b->host ? xstrdup(b->host) : NULL;
            if (b->file)
                add_evidence(f, b->file, b->line);
        }
        candidate_free(&ex.best[i]);
        candidate_free(&pf.best[i]);
    }
    free(ex.best);
    free(pf.best);
    sqlite3_free(json);
    sqlite3_free(subjects);
    sqlite3_free(senders);
    source_paths_free(&paths);
    return status;
}

/* 1 when a row of MESSAGE_ID entered Exchange Online from [gateway] ips or
 * through the gateway's connector: then the gateway's copy is accounted for,
 * and another row's address is someone else's (a list server, a forward).
 * -1 on a database error. Asked rarely: only for relayed mail that also
 * came from elsewhere. */
static int entered_via_gateway(struct run *r, const char *message_id)
{
    if (!r->entry_ips && prepare(r, "message_entry_ips", &r->entry_ips) != 0)
        return -1;
    sqlite3_stmt *st = r->entry_ips;
    sqlite3_reset(st);
    bind_text(st, ":message_id", message_id);
    int rc, via = 0;
    while (!via && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *ip = (const char *)sqlite3_column_text(st, 0);
        const char *connector = (const char *)sqlite3_column_text(st, 1);
        via = (ip && ipset_contains_text(r->cfg->gateway_ips, ip)) || config_is_gateway_connector(r->cfg, connector);
    }
    if (!via && rc != SQLITE_DONE) {
        snprintf(r->err, r->errlen, "query message_entry_ips: %s", sqlite3_errmsg(r->db));
        return -1;
    }
    sqlite3_reset(st);
    return via;
}

static void note_unlisted_gateway_ip(struct audit_result *res, const char *logged, const char *ts)
{
    /* one address however it was written (2001:DB8::25, 2001:db8:0::25) */
    struct ip_addr a;
    char ip[64];
    if (ip_parse(logged, strlen(logged), &a) != 0)
        return;
    ip_format(&a, ip, sizeof ip);
    struct gateway_ip_seen *g = NULL;
    for (size_t i = 0; i < res->nunlisted_gateway_ips && !g; i++)
        if (!strcmp(res->unlisted_gateway_ips[i].ip, ip))
            g = &res->unlisted_gateway_ips[i];
    if (!g) {
        res->unlisted_gateway_ips =
            xrealloc(res->unlisted_gateway_ips, (res->nunlisted_gateway_ips + 1) * sizeof *res->unlisted_gateway_ips);
        g = &res->unlisted_gateway_ips[res->nunlisted_gateway_ips++];
        g->ip = xstrdup(ip);
        g->messages = 0;
        g->first_seen = xstrdup(ts ? ts : "");
        g->last_seen = xstrdup(ts ? ts : "");
    }
    g->messages++;
    if (ts && strcmp(ts, g->first_seen) < 0) {
        free(g->first_seen);
        g->first_seen = xstrdup(ts);
    }
    if (ts && strcmp(ts, g->last_seen) > 0) {
        free(g->last_seen);
        g->last_seen = xstrdup(ts);
    }
}

static int judge_message(struct run *r, struct entry_row *rows, size_t n)
{
    /* A trace detail row may lack the IP that the trace row of the same message has. */
    const char *ip_of[2] = {NULL, NULL};
    for (size_t i = 0; i < n; i++) {
        int sys = !strcmp(rows[i].system, "exo");
        if (!ip_of[sys] && rows[i].client_ip && *rows[i].client_ip)
            ip_of[sys] = rows[i].client_ip;
    }
    char **rcpts = NULL;
    size_t nrcpts = 0;
    const struct entry_row *first = NULL;
    enum door first_door = DOOR_NONE;
    const char *first_ip = NULL;
    for (size_t i = 0; i < n; i++) {
        struct entry_row *e = &rows[i];
        const char *ip = e->client_ip && *e->client_ip ? e->client_ip : ip_of[!strcmp(e->system, "exo")];
        enum door d = judge_entry(r, e, ip);
        if (d == DOOR_NONE)
            continue;
        if (!first) {
            first = e;
            first_door = d;
            first_ip = ip;
        }
        for (size_t j = 0; j < e->nown; j++)
            push_unique(&rcpts, &nrcpts, e->own_rcpts[j]);
    }
    if (!first)
        return 0;
    const char *message_id = NULL, *sender = NULL, *subject = NULL, *reference = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!message_id)
            message_id = rows[i].message_id;
        if (!sender)
            sender = rows[i].sender;
        if (!subject)
            subject = rows[i].subject;
        if (!reference)
            reference = rows[i].reference;
    }
    size_t before_relayed = nrcpts;
    if (drop_gateway_relayed(r, message_id, &rcpts, &nrcpts) != 0) {
        for (size_t i = 0; i < nrcpts; i++)
            free(rcpts[i]);
        free(rcpts);
        return -1;
    }
    /* The gateway relayed it, yet Exchange Online saw it come from an
     * address outside [gateway] ips (not through its connector, and not
     * one of Exchange Online's own, as a message handed on inside it is). */
    if (nrcpts < before_relayed && first_door == DOOR_EXO && first_ip && *first_ip &&
        !ipset_contains_text(r->cfg->exo_ranges, first_ip)) {
        int via = entered_via_gateway(r, message_id);
        if (via < 0) {
            for (size_t i = 0; i < nrcpts; i++)
                free(rcpts[i]);
            free(rcpts);
            return -1;
        }
        if (!via)
            note_unlisted_gateway_ip(r->res, first_ip, first->ts);
    }
    if (!nrcpts) {
        free(rcpts);
        return 0;
    }
    struct message_rows seen = {0};
    if (message_id && read_message_rows(r, message_id, &seen) != 0) {
        for (size_t i = 0; i < nrcpts; i++)
            free(rcpts[i]);
        free(rcpts);
        message_rows_free(&seen);
        return -1;
    }

    /* Microsoft's services send from Exchange Online's own addresses. A
     * sender that claims to be one of them (or any machine sender) from
     * elsewhere is a spoof or spam, which closing the door is meant to stop;
     * only the [notifications] entries of the configuration are trusted from
     * anywhere, as their owner vouched for them. */
    int from_eop = ipset_contains_text(r->cfg->exo_ranges, first_ip);
    enum finding_kind kind;
    const struct config_sender *known = config_match_sender(r->cfg, sender);
    if (known && known->builtin && !from_eop)
        known = NULL;
    if (audit_is_ndr(r->cfg, sender, subject) || seen.is_dsn)
        kind = FINDING_NDR_DIRECT;
    else if (known)
        kind = FINDING_NOTIFICATION_KNOWN;
    else if (from_eop && sender && audit_is_machine_sender(r->cfg, sender))
        kind = FINDING_NOTIFICATION_UNKNOWN;
    else
        kind = FINDING_BYPASSED_MX;
    if (!kind_wanted(r, kind)) {
        for (size_t i = 0; i < nrcpts; i++)
            free(rcpts[i]);
        free(rcpts);
        message_rows_free(&seen);
        return 0;
    }

    struct finding *f = new_finding(r);
    f->kind = kind;
    f->message_id = dup_or_null(message_id);
    f->sender = dup_or_null(sender);
    f->recipients = rcpts;
    f->nrecipients = nrcpts;
    f->subject = dup_or_null(subject);
    /* rows are in time order; add_message_rows widens this to every entry row */
    f->first_seen = xstrdup(rows[0].ts);
    f->last_seen = xstrdup(rows[n - 1].ts);
    f->entry = first_door == DOOR_EXO ? "exo" : "onprem";
    f->client_ip = xstrdup(first_ip);
    f->source_net = from_eop ? "eop" : "internet";
    if (kind == FINDING_NOTIFICATION_KNOWN)
        f->service = xstrdup(known->service);
    for (size_t i = 0; i < n; i++)
        add_evidence(f, rows[i].file, rows[i].line);
    add_message_rows(r, f, &seen);
    message_rows_free(&seen);
    if (kind == FINDING_NDR_DIRECT)
        queue_ndr(r, (size_t)(f - r->res->findings), reference);
    return 0;
}

static int cmp_entry(const void *a, const void *b)
{
    const struct entry_row *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c)
        return c;
    c = strcmp(x->ts ? x->ts : "", y->ts ? y->ts : "");
    if (!c)
        c = (x->line > y->line) - (x->line < y->line);
    if (!c) /* a line is one row of one file: the order is total */
        c = strcmp(x->file ? x->file : "", y->file ? y->file : "");
    return c;
}

/* Widens the span of Exchange Online entries seen to TS. */
static void note_exo_entry(struct audit_result *res, const char *ts)
{
    if (strlen(ts) >= sizeof res->exo_first)
        return;
    if (!res->exo_entries++ || strcmp(ts, res->exo_first) < 0)
        strcpy(res->exo_first, ts);
    if (res->exo_entries == 1 || strcmp(ts, res->exo_last) > 0)
        strcpy(res->exo_last, ts);
}

/* Fills E from entry_row.sql's row for EVENT_ID: 1, 0 when the row is gone,
 * -1 on an error. */
static int read_entry(struct run *r, struct entry_row *e, sqlite3_int64 event_id)
{
    sqlite3_stmt *st = r->entry;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":event_id"), event_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE)
        return 0;
    if (rc != SQLITE_ROW) {
        snprintf(r->err, r->errlen, "query entry_row: %s", sqlite3_errmsg(r->db));
        return -1;
    }
    e->key = dup_col(st, 0);
    e->ts = dup_col(st, 2);
    e->message_id = dup_col(st, 3);
    e->sender = dup_col(st, 4);
    e->subject = dup_col(st, 5);
    e->client_ip = dup_col(st, 6);
    e->reference = dup_col(st, 8);
    e->server = dup_col(st, 9);
    e->file = dup_col(st, 10);
    e->line = sqlite3_column_int64(st, 11);
    e->client_ip_logged = dup_col(st, 13);
    return 1;
}

/* Reads what every entry is judged by (entry_candidates.sql: an index, not
 * the wide rows), keeps the entries that came past the trusted paths (and
 * entries without an IP, which may borrow one from another row of their
 * message), reads those whole (entry_row.sql), then judges each message on
 * its kept rows. Memory follows the number of back-door rows, not the size
 * of the database. */
static int run_inbound(struct run *r)
{
    sqlite3_stmt *st;
    if (prepare(r, "entry_candidates", &st) != 0)
        return -1;
    bind_text(st, ":since", r->opt->since);
    bind_text(st, ":until", r->opt->until);
    struct entry_row *rows = NULL;
    size_t n = 0, cap = 0;
    int rc, status = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        r->res->entries_examined++;
        sqlite3_int64 id = sqlite3_column_int64(st, 0);
        const char *system = (const char *)sqlite3_column_text(st, 1);
        const char *ip = (const char *)sqlite3_column_text(st, 2);
        const char *connector = (const char *)sqlite3_column_text(st, 3);
        /* Exchange Online's entries of our organisation are what the
         * precheck's verdict rests on: those that came through our gateway
         * or servers, and those with a recipient of ours. */
        const char *ts = (const char *)sqlite3_column_text(st, 4);
        char exo_ts[TIME_TEXT_MAX] = "";
        if (system && !strcmp(system, "exo") && ts)
            snprintf(exo_ts, sizeof exo_ts, "%s", ts);
        /* The IP first: most entries came through the gateway or hybrid, and
         * their recipients are never looked up. A row without an IP is kept
         * for its message's other rows to lend it one. */
        if (ip && *ip && judge_ip(r, system ? system : "", connector, ip) == DOOR_NONE) {
            if (exo_ts[0] && r->cfg->has_gateway)
                note_exo_entry(r->res, exo_ts);
            continue;
        }
        struct entry_row e = {0};
        e.system = xstrdup(system ? system : "");
        e.connector = connector ? xstrdup(connector) : NULL;
        int got = own_recipients(r, &e, id);
        if (got == 0 && e.nown && exo_ts[0])
            note_exo_entry(r->res, exo_ts);
        if (got == 0 && e.nown)
            got = read_entry(r, &e, id);
        if (got < 0) {
            entry_row_free(&e);
            status = -1;
            break;
        }
        if (got == 0) { /* no recipient of ours, or the row went away meanwhile */
            entry_row_free(&e);
            continue;
        }
        if (n == cap)
            rows = xrealloc(rows, (cap = cap ? cap * 2 : 64) * sizeof *rows);
        rows[n++] = e;
    }
    if (status == 0 && rc != SQLITE_DONE) {
        snprintf(r->err, r->errlen, "query entry_candidates: %s", sqlite3_errmsg(r->db));
        status = -1;
    }
    sqlite3_finalize(st);
    if (n)
        qsort(rows, n, sizeof *rows, cmp_entry);
    for (size_t i = 0; i < n && status == 0;) {
        size_t j = i + 1;
        while (j < n && !strcmp(rows[j].key, rows[i].key))
            j++;
        status = judge_message(r, rows + i, j - i);
        i = j;
    }
    for (size_t i = 0; i < n; i++)
        entry_row_free(&rows[i]);
    free(rows);
    return status;
}

/* ---- sending side ---- */

static int run_sending(struct run *r, const char *query, enum finding_kind kind)
{
    if (!kind_wanted(r, kind))
        return 0;
    sqlite3_stmt *st;
    if (prepare(r, query, &st) != 0)
        return -1;
    bind_text(st, ":since", r->opt->since);
    bind_text(st, ":until", r->opt->until);
    int rc;
    /* Columns: message_id, sender, recipient, attempts, first_ts, last_ts,
     * smarthost, reply, dsn, subject, host, evidence, client_ip. */
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        /* Our own mail only: a database may hold other organisations' logs too. */
        const char *sender = (const char *)sqlite3_column_text(st, 1);
        const char *ip = (const char *)sqlite3_column_text(st, 12);
        if (!config_is_own_domain(r->cfg, domain_part(sender)) && !ipset_contains_text(r->cfg->onprem_ips, ip) &&
            !ipset_contains_text(r->cfg->gateway_ips, ip))
            continue;
        struct finding *f = new_finding(r);
        f->kind = kind;
        f->message_id = dup_col(st, 0);
        f->sender = dup_col(st, 1);
        f->recipient = dup_col(st, 2);
        if (f->recipient) {
            f->recipients = xmalloc(sizeof(char *));
            f->recipients[0] = xstrdup(f->recipient);
            f->nrecipients = 1;
        }
        f->attempts = sqlite3_column_int64(st, 3);
        f->first_seen = dup_col(st, 4);
        f->last_seen = dup_col(st, 5);
        f->smarthost = dup_col(st, 6);
        f->reply = dup_col(st, 7);
        f->dsn = dup_col(st, 8);
        f->subject = dup_col(st, 9);
        f->original_host = dup_col(st, 10); /* the host that logged the attempts */
        const char *ev = (const char *)sqlite3_column_text(st, 11);
        while (ev && *ev) {
            size_t len = strcspn(ev, "\n");
            const char *tab = memchr(ev, '\t', len);
            if (tab) {
                char *file = xstrndup(ev, (size_t)(tab - ev));
                add_evidence(f, file, atoll(tab + 1));
                free(file);
            }
            ev += len;
            if (*ev)
                ev++;
        }
    }
    int status = 0;
    if (rc != SQLITE_DONE) {
        snprintf(r->err, r->errlen, "query %s: %s", query, sqlite3_errmsg(r->db));
        status = -1;
    }
    sqlite3_finalize(st);
    return status;
}

static int cmp_strcase(const void *a, const void *b)
{
    return strcasecmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the domains of QUERY's (key, domain) rows whose key KEEP accepts,
 * except our own; *SEEN counts the rows KEEP accepted. */
static int collect_domains(struct run *r, const char *query, int (*keep)(const struct config *, const char *),
                           char ***domains, size_t *n, size_t *cap, size_t *seen)
{
    sqlite3_stmt *st;
    if (prepare(r, query, &st) != 0)
        return -1;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(st, 0);
        const char *domain = (const char *)sqlite3_column_text(st, 1);
        if (!domain || !keep(r->cfg, key))
            continue;
        (*seen)++;
        if (config_is_own_domain(r->cfg, domain))
            continue;
        if (*n == *cap)
            *domains = xrealloc(*domains, (*cap = *cap ? *cap * 2 : 64) * sizeof **domains);
        (*domains)[(*n)++] = xstrdup(domain);
    }
    int status = 0;
    if (rc != SQLITE_DONE) {
        snprintf(r->err, r->errlen, "query %s: %s", query, sqlite3_errmsg(r->db));
        status = -1;
    }
    sqlite3_finalize(st);
    return status;
}

static int is_gateway_ip(const struct config *cfg, const char *ip)
{
    return ip && ipset_contains_text(cfg->gateway_ips, ip);
}

/* The sender domains (not ours) that hand mail to the gateway: partners
 * that also use the MX. Learned from the gateway hosts' Postfix logs; when
 * none is in the database, from the entries into Exchange that came from
 * [gateway] ips. Sorted without duplicates, for mark_partners; *FROM says
 * which (PARTNERS_FROM_*). */
static int gateway_domains(struct run *r, char ***domains, size_t *n, int *from)
{
    *from = PARTNERS_FROM_NONE;
    if (!r->cfg->has_gateway || !kind_wanted(r, FINDING_BYPASSED_MX))
        return 0;
    size_t cap = 0, seen = 0;
    if (r->cfg->ngateway_hosts &&
        collect_domains(r, "gateway_sender_domains", config_is_gateway_host, domains, n, &cap, &seen) != 0)
        return -1;
    if (seen) {
        *from = PARTNERS_FROM_GATEWAY_LOGS;
    } else {
        if (collect_domains(r, "gateway_entry_domains", is_gateway_ip, domains, n, &cap, &seen) != 0)
            return -1;
        if (seen)
            *from = PARTNERS_FROM_ENTRIES;
    }
    if (*n > 1) {
        qsort(*domains, *n, sizeof **domains, cmp_strcase);
        size_t k = 1;
        for (size_t i = 1; i < *n; i++) {
            if (strcasecmp((*domains)[i], (*domains)[k - 1]))
                (*domains)[k++] = (*domains)[i];
            else
                free((*domains)[i]);
        }
        *n = k;
    }
    return 0;
}

/* Marks bypassed_mx findings whose sender domain also sends through the gateway. */
static void mark_partners(struct audit_result *res, char **domains, size_t n)
{
    for (size_t i = 0; i < res->n; i++) {
        struct finding *f = &res->findings[i];
        const char *d = domain_part(f->sender);
        if (f->kind == FINDING_BYPASSED_MX && d && n && bsearch(&d, domains, n, sizeof *domains, cmp_strcase))
            f->partner = 1;
    }
}

/* The sending side (attribution failures, lost NDRs, and the partners'
 * domains) reads other rows than the receiving side and needs none of its
 * results, so it runs beside it on a second connection and thread: the
 * audit takes the longer of the two, not their sum. Its findings go to a
 * result of its own, merged after the join. */
struct sending {
    struct run r;
    struct audit_result res;
    char err[512];
    char **domains; /* of partners (see gateway_domains) */
    size_t ndomains;
    int partners_from;
    int status;
};

static void *sending_side(void *arg)
{
    struct sending *s = arg;
    s->status = run_sending(&s->r, "attribution_failures", FINDING_ATTRIBUTION_FAILURE) == 0 &&
                        run_sending(&s->r, "ndr_lost", FINDING_NDR_LOST) == 0 &&
                        gateway_domains(&s->r, &s->domains, &s->ndomains, &s->partners_from) == 0
                    ? 0
                    : -1;
    return NULL;
}

/* A second read-only connection to DB's file, or NULL: an in-memory
 * database, or a caller inside a transaction (whose rows another connection
 * would not see), runs both sides on DB, one after the other. */
static sqlite3 *second_connection(sqlite3 *db)
{
    const char *path = sqlite3_db_filename(db, "main");
    if (!path || !*path || !sqlite3_get_autocommit(db))
        return NULL;
    sqlite3 *db2;
    char err[512];
    if (store_open(path, STORE_READONLY, &db2, err, sizeof err) != 0)
        return NULL;
    if (sqlfunc_register(db2) != SQLITE_OK) {
        store_close(db2);
        return NULL;
    }
    return db2;
}

static int cmp_evidence(const void *a, const void *b)
{
    const struct evidence *x = a, *y = b;
    int c = strcmp(x->file, y->file);
    return c ? c : (x->line > y->line) - (x->line < y->line);
}

static int cmp_finding(const void *a, const void *b)
{
    const struct finding *x = a, *y = b;
    if (x->kind != y->kind)
        return (int)x->kind - (int)y->kind;
    int c = strcmp(x->first_seen ? x->first_seen : "", y->first_seen ? y->first_seen : "");
    if (c)
        return c;
    c = strcmp(x->message_id ? x->message_id : "", y->message_id ? y->message_id : "");
    if (c)
        return c;
    return strcmp(x->recipient ? x->recipient : "", y->recipient ? y->recipient : "");
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int audit_run(sqlite3 *db, const struct config *cfg, const struct audit_options *opt, struct audit_result *res,
              char *err, size_t errlen)
{
    static const struct audit_options defaults;
    memset(res, 0, sizeof *res);
    struct run r = {.db = db, .cfg = cfg, .opt = opt ? opt : &defaults, .res = res, .err = err, .errlen = errlen};
    if (r.opt->now && strlen(r.opt->now) >= 10) {
        snprintf(r.today, sizeof r.today, "%.10s", r.opt->now);
    } else {
        char buf[TIME_TEXT_MAX];
        time_format((int64_t)time(NULL), -1, buf);
        snprintf(r.today, sizeof r.today, "%.10s", buf);
    }
    /* The canned queries use regexp() and domain_of(); registering again is harmless. */
    if (sqlfunc_register(db) != SQLITE_OK) {
        snprintf(err, errlen, "cannot register SQL functions: %s", sqlite3_errmsg(db));
        return -1;
    }
    struct sending side = {.r = r};
    side.r.res = &side.res;
    side.r.err = side.err;
    side.r.errlen = sizeof side.err;
    side.r.db = second_connection(db);
    pthread_t thread;
    int threaded = side.r.db && pthread_create(&thread, NULL, sending_side, &side) == 0;
    int status = -1;
    if (prepare(&r, "gateway_relayed", &r.relayed) == 0 && prepare(&r, "message_evidence", &r.evidence) == 0 &&
        prepare(&r, "entry_recipients", &r.recipients) == 0 && prepare(&r, "entry_row", &r.entry) == 0 &&
        run_inbound(&r) == 0 && link_ndr_originals(&r) == 0)
        status = 0;
    if (threaded) {
        pthread_join(thread, NULL);
        store_close(side.r.db);
    } else {
        if (side.r.db)
            store_close(side.r.db);
        side.r.db = db;
        if (status == 0)
            sending_side(&side);
    }
    if (status == 0 && side.status != 0) {
        snprintf(err, errlen, "%s", side.err);
        status = -1;
    }
    if (status == 0) {
        mark_partners(res, side.domains, side.ndomains);
        res->partners_from = side.partners_from;
        /* the sending side's findings after the receiving side's */
        if (side.res.n) {
            res->findings = xrealloc(res->findings, (res->n + side.res.n) * sizeof *res->findings);
            memcpy(res->findings + res->n, side.res.findings, side.res.n * sizeof *res->findings);
            res->n += side.res.n;
        }
        free(side.res.findings);
    } else {
        audit_result_free(&side.res);
    }
    for (size_t i = 0; i < side.ndomains; i++)
        free(side.domains[i]);
    free(side.domains);
    sqlite3_finalize(r.relayed);
    sqlite3_finalize(r.evidence);
    sqlite3_finalize(r.recipients);
    sqlite3_finalize(r.entry);
    sqlite3_finalize(r.entry_ips);
    for (size_t i = 0; i < r.nndr; i++)
        free(r.ndr[i].ref);
    free(r.ndr);
    if (status != 0) {
        audit_result_free(res);
        return -1;
    }
    for (size_t i = 0; i < res->n; i++) {
        struct finding *f = &res->findings[i];
        apply_exception(&r, f); /* here: the configuration's regex match data is not shared between threads */
        if (f->nevidence)
            qsort(f->evidence, f->nevidence, sizeof *f->evidence, cmp_evidence);
        if (f->nrecipients > 1)
            qsort(f->recipients, f->nrecipients, sizeof(char *), cmp_str);
        res->counts[f->kind]++;
        if (f->excepted)
            res->excepted++;
    }
    if (res->n)
        qsort(res->findings, res->n, sizeof *res->findings, cmp_finding);
    return 0;
}

static void finding_free(struct finding *f)
{
    free(f->message_id);
    free(f->sender);
    for (size_t i = 0; i < f->nrecipients; i++)
        free(f->recipients[i]);
    free(f->recipients);
    free(f->subject);
    free(f->first_seen);
    free(f->last_seen);
    free(f->client_ip);
    free(f->service);
    free(f->exception_reason);
    free(f->exception_until);
    for (size_t i = 0; i < f->nevidence; i++)
        free(f->evidence[i].file);
    free(f->evidence);
    free(f->original_message_id);
    free(f->original_host);
    free(f->recipient);
    free(f->reply);
    free(f->smarthost);
    free(f->dsn);
}

void audit_result_free(struct audit_result *res)
{
    for (size_t i = 0; i < res->n; i++)
        finding_free(&res->findings[i]);
    free(res->findings);
    for (size_t i = 0; i < res->nunlisted_gateway_ips; i++) {
        free(res->unlisted_gateway_ips[i].ip);
        free(res->unlisted_gateway_ips[i].first_seen);
        free(res->unlisted_gateway_ips[i].last_seen);
    }
    free(res->unlisted_gateway_ips);
    memset(res, 0, sizeof *res);
}

/* ---- precheck ---- */

/* NDRs are grouped apart from other mail of the same domain: they need
 * different action. */
static char *group_label(const struct finding *f)
{
    if (f->kind == FINDING_NOTIFICATION_KNOWN && f->service)
        return xstrdup(f->service);
    const char *at = f->sender ? domain_part(f->sender) : NULL;
    char *d = xstrdup(at ? at : f->sender && *f->sender ? f->sender : "");
    for (char *p = d; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    char *s;
    if (f->kind == FINDING_NDR_DIRECT)
        s = *d ? xasprintf("NDRs from %s", d) : xstrdup("NDRs (null sender)");
    else
        s = xstrdup(*d ? d : "(no sender)");
    free(d);
    return s;
}

static char *group_advice(const struct config *cfg, const struct precheck_group *g, const struct finding *sample)
{
    if (!strcmp(g->entry, "onprem"))
        return xasprintf("arrives at on-prem Exchange directly from %s; closing the Exchange Online door "
                         "does not close this one: restrict the on-prem receive connector to the gateway "
                         "and your own servers",
                         g->nclient_ips ? g->client_ips[0] : "the internet");
    /* An exception silences mxaudit only: the closed door refuses the mail all the same. */
    if (g->messages == g->excepted)
        return xasprintf("excepted (%s): accepted as lost, as closing the door refuses it unless the closed "
                         "door still admits it",
                         sample->exception_reason ? sample->exception_reason : "");
    if (sample->kind == FINDING_NDR_DIRECT)
        return xasprintf("these %s came from the sender's relay straight into your tenant: the sender's "
                         "Exchange Online connector knows that relay by its IP, not its certificate, so a "
                         "bounce (null sender) is filed under the recipient's tenant; once the door is closed "
                         "they are refused (5.7.51) and nobody learns that our mail failed: ask the sender to "
                         "match its relay by certificate so that its bounces come through your MX, or accept "
                         "the loss with an exception",
                         g->label);
    if (sample->kind == FINDING_NOTIFICATION_KNOWN)
        return xasprintf("notifications of %s would stop arriving: have the service send from your own "
                         "domain or through the gateway, or accept the loss with an exception for %s",
                         g->label, sample->sender ? sample->sender : "its sender");
    if (sample->kind == FINDING_NOTIFICATION_UNKNOWN)
        return xasprintf("machine-sent mail from %s would stop arriving: find out which service sends it, then "
                         "have it send from your own domain or through the gateway, or accept the loss with an "
                         "exception",
                         g->label);
    if (sample->partner)
        return xasprintf("%s also sends through your gateway, but this mail went straight to the tenant: it "
                         "would stop arriving; ask the partner to send to your MX (its smarthost or connector "
                         "points at your tenant); if it is spam that borrows the domain, accept it with an "
                         "exception for its address",
                         g->label);
    if (!strcmp(g->source_net, "eop"))
        return xasprintf("mail from %s comes from Exchange Online (another tenant's connector, or spam sent "
                         "from a tenant) past your MX: closing the door stops it; if it is a partner's, ask "
                         "the partner to send to your MX",
                         g->label);
    if (config_is_own_domain(cfg, g->label)) {
        char ips[256] = "outside";
        size_t len = 0;
        for (size_t i = 0; i < g->nclient_ips && len < sizeof ips; i++)
            len += (size_t)snprintf(ips + len, sizeof ips - len, "%s%s", i ? ", " : "", g->client_ips[i]);
        return xasprintf("mail in the name of your own domain sent straight to the tenant from %s: spoofs, which "
                         "closing the door stops, unless it is a device or application of yours using Direct Send "
                         "(a scanner, a line-of-business or SaaS application); check the address, and route any "
                         "of yours through the gateway (or accept its loss with an exception) before closing",
                         ips);
    }
    return xasprintf("mail from %s sent straight to the tenant (spam or direct send): closing the door stops "
                     "it; nothing to do",
                     g->label);
}

static int cmp_group(const void *a, const void *b)
{
    const struct precheck_group *x = a, *y = b;
    int c = strcmp(x->entry, y->entry); /* "exo" before "onprem" */
    if (c)
        return c;
    if (x->gateway != y->gateway)
        return y->gateway - x->gateway;
    if (x->would_cut != y->would_cut)
        return y->would_cut - x->would_cut;
    if (x->messages != y->messages)
        return x->messages < y->messages ? 1 : -1;
    return strcmp(x->label, y->label);
}

/* A receiving-side finding with its group's key, for audit_precheck. */
struct group_key {
    const char *entry, *source_net;
    char *label;
    size_t finding; /* index into the result: the order findings came in */
};

static int cmp_group_key(const void *a, const void *b)
{
    const struct group_key *x = a, *y = b;
    int c = strcmp(x->entry, y->entry);
    if (!c)
        c = strcmp(x->source_net, y->source_net);
    if (!c)
        c = strcmp(x->label, y->label);
    return c ? c : (x->finding > y->finding) - (x->finding < y->finding);
}

/* The group of a finding's first in the result comes first: the order
 * groups had when each finding looked its group up, which cmp_group's ties
 * keep. */
struct group_order {
    size_t first;
    struct precheck_group group;
    const struct finding *sample;
};

static int cmp_group_order(const void *a, const void *b)
{
    const struct group_order *x = a, *y = b;
    return (x->first > y->first) - (x->first < y->first);
}

/* Widens G's first and last seen to hold FIRST..LAST. */
static void widen_span(struct precheck_group *g, const char *first, const char *last)
{
    if (strcmp(first, g->first_seen) < 0) {
        free(g->first_seen);
        g->first_seen = xstrdup(first);
    }
    if (strcmp(last, g->last_seen) > 0) {
        free(g->last_seen);
        g->last_seen = xstrdup(last);
    }
}

/* One group for the gateway's own mail that Exchange Online logged from
 * addresses outside [gateway] ips: restricting the connector to those would
 * refuse it, the worst a closing can do. */
static void add_unlisted_gateway_group(const struct audit_result *res, struct precheck_result *pre)
{
    pre->groups = xrealloc(pre->groups, (pre->n + 1) * sizeof *pre->groups);
    struct precheck_group *g = &pre->groups[pre->n++];
    memset(g, 0, sizeof *g);
    g->entry = "exo";
    g->label = xstrdup("your gateway's own mail");
    g->source_net = "unlisted gateway address";
    g->would_cut = 1;
    g->gateway = 1;
    g->first_seen = xstrdup(res->unlisted_gateway_ips[0].first_seen);
    g->last_seen = xstrdup(res->unlisted_gateway_ips[0].last_seen);
    char ips[256] = "";
    size_t len = 0;
    for (size_t i = 0; i < res->nunlisted_gateway_ips; i++) {
        const struct gateway_ip_seen *u = &res->unlisted_gateway_ips[i];
        g->messages += u->messages;
        if (g->nclient_ips < 5) {
            push_unique(&g->client_ips, &g->nclient_ips, u->ip);
            if (len < sizeof ips)
                len += (size_t)snprintf(ips + len, sizeof ips - len, "%s%s", i ? ", " : "", u->ip);
        }
        widen_span(g, u->first_seen, u->last_seen);
    }
    int one = g->nclient_ips == 1;
    g->advice = xasprintf("your gateway relayed %s, but Exchange Online logged %s from %s, which %s not in "
                          "[gateway] ips: add %s there and to the inbound connector before closing the door, or "
                          "the gateway's own mail from %s is refused",
                          g->messages == 1 ? "this message" : "these messages", g->messages == 1 ? "it" : "them", ips,
                          one ? "is" : "are", one ? "it" : "them", one ? "it" : "them");
}

void audit_precheck(const struct config *cfg, const struct audit_result *res, struct precheck_result *pre)
{
    memset(pre, 0, sizeof *pre);
    /* Grouped by sorting the findings on their key, not by looking each up
     * among the groups: a month of spam has thousands of sender domains. */
    struct group_key *keys = xcalloc(res->n ? res->n : 1, sizeof *keys);
    size_t nkeys = 0;
    for (size_t i = 0; i < res->n; i++) {
        const struct finding *f = &res->findings[i];
        if (!(FINDING_RECEIVING_KINDS & (1u << f->kind)))
            continue;
        keys[nkeys++] = (struct group_key){f->entry, f->source_net, group_label(f), i};
    }
    if (nkeys)
        qsort(keys, nkeys, sizeof *keys, cmp_group_key);
    struct group_order *order = NULL;
    for (size_t k = 0; k < nkeys; k++) {
        const struct finding *f = &res->findings[keys[k].finding];
        const struct precheck_group *last = pre->n ? &order[pre->n - 1].group : NULL;
        int same = last && !strcmp(keys[k].entry, last->entry) && !strcmp(keys[k].source_net, last->source_net) &&
                   !strcmp(keys[k].label, last->label);
        if (!same) {
            order = xrealloc(order, (pre->n + 1) * sizeof *order);
            struct group_order *o = &order[pre->n++];
            memset(o, 0, sizeof *o);
            o->first = keys[k].finding;
            o->group.entry = f->entry;
            o->group.source_net = f->source_net;
            o->group.label = keys[k].label;
            o->group.first_seen = xstrdup(f->first_seen);
            o->group.last_seen = xstrdup(f->last_seen);
            o->sample = f;
        } else {
            free(keys[k].label);
        }
        struct group_order *o = &order[pre->n - 1];
        struct precheck_group *g = &o->group;
        g->counts[f->kind]++;
        g->messages++;
        if (f->excepted)
            g->excepted++;
        /* Prefer a non-excepted, most serious finding as the group's example. */
        const struct finding *sm = o->sample;
        if ((sm->excepted && !f->excepted) || (sm->excepted == f->excepted && f->kind < sm->kind))
            o->sample = f;
        widen_span(g, f->first_seen, f->last_seen);
        if (g->nclient_ips < 5)
            push_unique(&g->client_ips, &g->nclient_ips, f->client_ip);
        /* A partner's mail is wanted too, whoever has to fix its route. */
        if (!strcmp(f->entry, "exo") && !f->excepted && (f->kind != FINDING_BYPASSED_MX || f->partner))
            g->would_cut = 1;
        if (!strcmp(f->entry, "exo") && !f->excepted && f->partner)
            g->partner = 1;
    }
    free(keys);
    if (pre->n)
        qsort(order, pre->n, sizeof *order, cmp_group_order);
    pre->groups = xcalloc(pre->n ? pre->n : 1, sizeof *pre->groups);
    const struct finding **sample = xcalloc(pre->n ? pre->n : 1, sizeof *sample);
    for (size_t gi = 0; gi < pre->n; gi++) {
        pre->groups[gi] = order[gi].group;
        sample[gi] = order[gi].sample;
    }
    free(order);
    for (size_t gi = 0; gi < pre->n; gi++)
        pre->groups[gi].advice = group_advice(cfg, &pre->groups[gi], sample[gi]);
    free(sample);
    if (res->nunlisted_gateway_ips)
        add_unlisted_gateway_group(res, pre);
    if (pre->n)
        qsort(pre->groups, pre->n, sizeof *pre->groups, cmp_group);
    for (size_t gi = 0; gi < pre->n; gi++)
        if (pre->groups[gi].would_cut)
            pre->cut_groups++;
    /* No Exchange Online entry in the period: nothing shows what closing would cut. */
    pre->no_gateway = !cfg->has_gateway;
    pre->exo_entries = res->exo_entries;
    memcpy(pre->exo_first, res->exo_first, sizeof pre->exo_first);
    memcpy(pre->exo_last, res->exo_last, sizeof pre->exo_last);
    pre->partners_from = res->partners_from;
    pre->safe = pre->cut_groups == 0 && pre->exo_entries > 0;
}

void precheck_result_free(struct precheck_result *pre)
{
    for (size_t i = 0; i < pre->n; i++) {
        struct precheck_group *g = &pre->groups[i];
        free(g->label);
        for (size_t j = 0; j < g->nclient_ips; j++)
            free(g->client_ips[j]);
        free(g->client_ips);
        free(g->advice);
        free(g->first_seen);
        free(g->last_seen);
    }
    free(pre->groups);
    memset(pre, 0, sizeof *pre);
}
