/*
 * NAME
 *   postfix_rebuild.c - correlate stored Postfix lines into messages and deliveries.
 * SUMMARY
 *   After every ingest run of Postfix input, pf_message and pf_delivery are
 *   rebuilt from all of pf_event, read once in (host, instance, queue id,
 *   time) order. A queue id's life ends at "removed"; the next line with the
 *   same id starts a new life (Postfix reuses ids). Links between lives
 *   (notice of, queued as, forwarded as) are resolved afterwards by queue id
 *   and nearest time.
 * DESCRIPTION
 *   A full rebuild is what makes the result independent of the order and the
 *   number of runs in which rotated files arrive: a message whose lines span
 *   mail.log.1 and mail.log is put together only when both are in pf_event.
 */
#include "postfix.h"

#include "timeutil.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A queue file older than maximal_queue_lifetime (default 5 days) is bounced
 * and removed; lines of the same id further apart than this are two lives
 * even when the "removed" line between them was lost. */
#define LIFE_MAX_GAP_MS (7LL * 86400 * 1000)

/* How far apart in time a hand-off's two sides may be logged. */
#define LINK_WINDOW_MS (15LL * 60 * 1000)

struct sbuf {
    char *p;
    size_t n, cap;
    int set;
};

static void sb_set(struct sbuf *b, const unsigned char *s, int n)
{
    if (!s) {
        b->set = 0;
        b->n = 0;
        return;
    }
    if ((size_t)n + 1 > b->cap) {
        b->cap = (size_t)n + 64;
        b->p = xrealloc(b->p, b->cap);
    }
    memcpy(b->p, s, (size_t)n);
    b->p[n] = '\0';
    b->n = (size_t)n;
    b->set = 1;
}

static void sb_col(struct sbuf *b, sqlite3_stmt *st, int col)
{
    const unsigned char *s = sqlite3_column_text(st, col);
    sb_set(b, s, sqlite3_column_bytes(st, col));
}

static void sb_bind(sqlite3_stmt *st, int i, const struct sbuf *b)
{
    if (b->set)
        sqlite3_bind_text(st, i, b->p, (int)b->n, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static int sb_eq_col(const struct sbuf *b, sqlite3_stmt *st, int col)
{
    const unsigned char *s = sqlite3_column_text(st, col);
    int n = sqlite3_column_bytes(st, col);
    return s && b->set && b->n == (size_t)n && memcmp(b->p, s, (size_t)n) == 0;
}

struct life {
    int64_t id;
    int open;
    struct sbuf host, instance, qid, first_ts, last_ts, client_host, client_ip, sasl, sender,
        msgid_raw, resent_raw;
    int sender_rank; /* 3 qmgr, 2 expired, 1 pickup: the queue manager's from= wins */
    int64_t first_ms, last_ms, size, nrcpt, uid, source_id, line;
    int removed, expired, seen_start, rejected, year_inferred;
};

struct link {
    int64_t life_id; /* the life whose line named the other id */
    int64_t ms;      /* when that line was logged */
    int kind;        /* LINK_* */
    char *qid, *host, *instance;
};

enum { LINK_NDR, LINK_QUEUED, LINK_FORWARDED, LINK_ORIG };

/* Columns of the event query. */
enum {
    C_SOURCE, C_LINE, C_TS, C_TS_MS, C_YEAR_INFERRED, C_HOST, C_INSTANCE, C_DAEMON, C_QUEUE_ID, C_KIND,
    C_CLIENT_HOST, C_CLIENT_IP, C_SENDER, C_RECIPIENT, C_ORIG_RECIPIENT, C_RELAY_HOST, C_RELAY_IP,
    C_RELAY_PORT, C_CONN_USE, C_DELAY, C_DELAYS, C_TLS, C_DSN, C_STATUS, C_REPLY, C_SIZE, C_NRCPT,
    C_MESSAGE_ID_RAW, C_SASL_USERNAME, C_LINK_QUEUE_ID, C_LINK_KIND, C_TRUNCATED, C_UID
};

static const char sql_events[] =
    "SELECT source_id, line, ts, ts_ms, year_inferred, host, instance, daemon, queue_id, kind,"
    " client_host, client_ip, sender, recipient, orig_recipient, relay_host, relay_ip, relay_port,"
    " conn_use, delay, delays, tls, dsn, status, reply, size, nrcpt, message_id_raw, sasl_username,"
    " link_queue_id, link_kind, truncated, uid"
    " FROM pf_event WHERE queue_id IS NOT NULL"
    " ORDER BY host, instance, queue_id, ts_ms, kind = 'removed', source_id, line";

static const char sql_message[] =
    "INSERT INTO pf_message(id, host, instance, queue_id, first_ts, last_ts, client_host, client_ip,"
    " sasl_username, sender, size, nrcpt, message_id, message_id_raw, resent_message_id, pickup_uid,"
    " is_ndr, status, seen_start, rejected, source_id, line, year_inferred)"
    " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23)";

static const char sql_delivery[] =
    "INSERT INTO pf_delivery(pf_message_id, ts, recipient, orig_recipient, daemon, relay_host,"
    " relay_ip, relay_port, conn_use, delay, delays, tls, dsn, status, reply, queued_as,"
    " exo_message_id, exo_internal_id, exo_hostname, exo_attribution, truncated, source_id, line)"
    " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23)";

static const char sql_candidates[] =
    "SELECT id, host, instance FROM pf_message WHERE queue_id = ?1";

static const char sql_link[] =
    "UPDATE pf_message SET parent_id = ?2, parent_kind = ?3,"
    " is_ndr = CASE WHEN ?3 = 'ndr_of' THEN 1 ELSE is_ndr END,"
    " seen_start = CASE WHEN ?3 = 'ndr_of' THEN 1 ELSE seen_start END"
    " WHERE id = ?1 AND parent_id IS NULL AND id <> ?2";

static const char sql_final[] =
    "UPDATE pf_delivery SET is_final = 1 WHERE id IN"
    " (SELECT max(id) FROM pf_delivery GROUP BY pf_message_id, recipient)";

struct rebuild {
    sqlite3 *db;
    sqlite3_stmt *ev, *msg, *dlv, *cand, *lnk;
    struct life life;
    struct link *links;
    size_t nlinks, caplinks;
    int64_t *first_ms; /* by pf_message.id */
    size_t cap_first;
    int64_t next_id;
    char lower[1024];
};

static void bind_span(sqlite3_stmt *st, int i, struct pf_span s)
{
    if (s.p)
        sqlite3_bind_text(st, i, s.p, (int)s.n, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static void bind_opt_int(sqlite3_stmt *st, int i, int64_t v)
{
    if (v >= 0)
        sqlite3_bind_int64(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

static int flush_life(struct rebuild *r, char *err, size_t errlen)
{
    struct life *L = &r->life;
    if (!L->open)
        return 0;
    L->open = 0;
    sqlite3_stmt *st = r->msg;
    sqlite3_bind_int64(st, 1, L->id);
    sb_bind(st, 2, &L->host);
    sb_bind(st, 3, &L->instance);
    sb_bind(st, 4, &L->qid);
    sb_bind(st, 5, &L->first_ts);
    sb_bind(st, 6, &L->last_ts);
    sb_bind(st, 7, &L->client_host);
    sb_bind(st, 8, &L->client_ip);
    sb_bind(st, 9, &L->sasl);
    sb_bind(st, 10, &L->sender);
    bind_opt_int(st, 11, L->size);
    bind_opt_int(st, 12, L->nrcpt);
    if (L->msgid_raw.set) {
        bind_span(st, 13, postfix_message_id_normalise(L->msgid_raw.p, L->msgid_raw.n));
        sb_bind(st, 14, &L->msgid_raw);
    } else {
        sqlite3_bind_null(st, 13);
        sqlite3_bind_null(st, 14);
    }
    if (L->resent_raw.set)
        bind_span(st, 15, postfix_message_id_normalise(L->resent_raw.p, L->resent_raw.n));
    else
        sqlite3_bind_null(st, 15);
    bind_opt_int(st, 16, L->uid);
    sqlite3_bind_int(st, 17, L->sender.set && L->sender.n == 0);
    sqlite3_bind_text(st, 18, L->expired ? "expired" : L->removed ? "removed" : "open", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 19, L->seen_start);
    sqlite3_bind_int(st, 20, L->rejected);
    sqlite3_bind_int64(st, 21, L->source_id);
    sqlite3_bind_int64(st, 22, L->line);
    sqlite3_bind_int(st, 23, L->year_inferred);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        snprintf(err, errlen, "postfix: storing a message: %s", sqlite3_errmsg(r->db));
        return -1;
    }
    if ((size_t)L->id >= r->cap_first) {
        r->cap_first = (size_t)L->id * 2 + 1024;
        r->first_ms = xrealloc(r->first_ms, r->cap_first * sizeof *r->first_ms);
    }
    r->first_ms[L->id] = L->first_ms;
    return 0;
}

static void start_life(struct rebuild *r, sqlite3_stmt *ev)
{
    struct life *L = &r->life;
    L->id = r->next_id++;
    L->open = 1;
    sb_col(&L->host, ev, C_HOST);
    sb_col(&L->instance, ev, C_INSTANCE);
    sb_col(&L->qid, ev, C_QUEUE_ID);
    sb_col(&L->first_ts, ev, C_TS);
    L->first_ms = sqlite3_column_int64(ev, C_TS_MS);
    L->source_id = sqlite3_column_int64(ev, C_SOURCE);
    L->line = sqlite3_column_int64(ev, C_LINE);
    struct sbuf *clear[] = {&L->client_host, &L->client_ip, &L->sasl, &L->sender, &L->msgid_raw,
                            &L->resent_raw};
    for (size_t i = 0; i < sizeof clear / sizeof *clear; i++)
        clear[i]->set = 0;
    L->sender_rank = 0;
    L->size = L->nrcpt = L->uid = -1;
    L->removed = L->expired = L->seen_start = L->rejected = L->year_inferred = 0;
}

static void add_link(struct rebuild *r, sqlite3_stmt *ev, int kind)
{
    const unsigned char *q = sqlite3_column_text(ev, C_LINK_QUEUE_ID);
    if (!q)
        return;
    if (r->nlinks == r->caplinks) {
        r->caplinks = r->caplinks ? r->caplinks * 2 : 256;
        r->links = xrealloc(r->links, r->caplinks * sizeof *r->links);
    }
    struct link *k = &r->links[r->nlinks++];
    k->life_id = r->life.id;
    k->ms = sqlite3_column_int64(ev, C_TS_MS);
    k->kind = kind;
    k->qid = xstrdup((const char *)q);
    k->host = xstrdup(r->life.host.p);
    k->instance = xstrdup(r->life.instance.p);
}

static void set_sender(struct life *L, sqlite3_stmt *ev, int rank)
{
    if (sqlite3_column_type(ev, C_SENDER) == SQLITE_NULL || rank < L->sender_rank)
        return;
    sb_col(&L->sender, ev, C_SENDER);
    L->sender_rank = rank;
}

static int store_delivery(struct rebuild *r, sqlite3_stmt *ev, char *err, size_t errlen)
{
    sqlite3_stmt *st = r->dlv;
    sqlite3_bind_int64(st, 1, r->life.id);
    sqlite3_bind_value(st, 2, sqlite3_column_value(ev, C_TS));
    const unsigned char *rc = sqlite3_column_text(ev, C_RECIPIENT);
    if (rc) {
        int n = sqlite3_column_bytes(ev, C_RECIPIENT);
        if ((size_t)n > sizeof r->lower)
            n = (int)sizeof r->lower;
        for (int i = 0; i < n; i++)
            r->lower[i] = (char)tolower(rc[i]);
        sqlite3_bind_text(st, 3, r->lower, n, SQLITE_STATIC);
    } else {
        sqlite3_bind_null(st, 3);
    }
    sqlite3_bind_value(st, 4, sqlite3_column_value(ev, C_ORIG_RECIPIENT));
    sqlite3_bind_value(st, 5, sqlite3_column_value(ev, C_DAEMON));
    sqlite3_bind_value(st, 6, sqlite3_column_value(ev, C_RELAY_HOST));
    sqlite3_bind_value(st, 7, sqlite3_column_value(ev, C_RELAY_IP));
    sqlite3_bind_value(st, 8, sqlite3_column_value(ev, C_RELAY_PORT));
    sqlite3_bind_value(st, 9, sqlite3_column_value(ev, C_CONN_USE));
    sqlite3_bind_value(st, 10, sqlite3_column_value(ev, C_DELAY));
    sqlite3_bind_value(st, 11, sqlite3_column_value(ev, C_DELAYS));
    sqlite3_bind_value(st, 12, sqlite3_column_value(ev, C_TLS));
    sqlite3_bind_value(st, 13, sqlite3_column_value(ev, C_DSN));
    sqlite3_bind_value(st, 14, sqlite3_column_value(ev, C_STATUS));
    sqlite3_bind_value(st, 15, sqlite3_column_value(ev, C_REPLY));
    sqlite3_bind_value(st, 16, sqlite3_column_value(ev, C_LINK_QUEUE_ID));
    const char *reply = (const char *)sqlite3_column_text(ev, C_REPLY);
    struct pf_exo_reply x;
    if (reply && postfix_parse_exo_reply(reply, (size_t)sqlite3_column_bytes(ev, C_REPLY), &x)) {
        bind_span(st, 17, x.message_id);
        bind_span(st, 18, x.internal_id);
        bind_span(st, 19, x.hostname);
        bind_span(st, 20, x.attribution);
    } else {
        for (int i = 17; i <= 20; i++)
            sqlite3_bind_null(st, i);
    }
    sqlite3_bind_value(st, 21, sqlite3_column_value(ev, C_TRUNCATED));
    sqlite3_bind_value(st, 22, sqlite3_column_value(ev, C_SOURCE));
    sqlite3_bind_value(st, 23, sqlite3_column_value(ev, C_LINE));
    int s = sqlite3_step(st);
    sqlite3_reset(st);
    if (s != SQLITE_DONE) {
        snprintf(err, errlen, "postfix: storing a delivery: %s", sqlite3_errmsg(r->db));
        return -1;
    }
    return 0;
}

static int take_event(struct rebuild *r, sqlite3_stmt *ev, char *err, size_t errlen)
{
    struct life *L = &r->life;
    int64_t ms = sqlite3_column_int64(ev, C_TS_MS);
    if (!L->open || L->removed || ms - L->last_ms > LIFE_MAX_GAP_MS || !sb_eq_col(&L->qid, ev, C_QUEUE_ID) ||
        !sb_eq_col(&L->instance, ev, C_INSTANCE) || !sb_eq_col(&L->host, ev, C_HOST)) {
        if (flush_life(r, err, errlen) != 0)
            return -1;
        start_life(r, ev);
    }
    sb_col(&L->last_ts, ev, C_TS);
    L->last_ms = ms;
    if (sqlite3_column_int(ev, C_YEAR_INFERRED))
        L->year_inferred = 1;
    const char *kind = (const char *)sqlite3_column_text(ev, C_KIND);
    if (!kind)
        return 0;
    switch (kind[0]) {
    case 'a':
        if (strcmp(kind, "active") == 0) {
            set_sender(L, ev, 3);
            if (sqlite3_column_type(ev, C_SIZE) != SQLITE_NULL)
                L->size = sqlite3_column_int64(ev, C_SIZE);
            if (sqlite3_column_type(ev, C_NRCPT) != SQLITE_NULL)
                L->nrcpt = sqlite3_column_int64(ev, C_NRCPT);
        }
        break;
    case 'c':
        if (strcmp(kind, "client") == 0) {
            sb_col(&L->client_host, ev, C_CLIENT_HOST);
            sb_col(&L->client_ip, ev, C_CLIENT_IP);
            if (sqlite3_column_type(ev, C_SASL_USERNAME) != SQLITE_NULL)
                sb_col(&L->sasl, ev, C_SASL_USERNAME);
            L->seen_start = 1;
            if (sqlite3_column_type(ev, C_LINK_QUEUE_ID) != SQLITE_NULL)
                add_link(r, ev, LINK_ORIG);
        } else if (strcmp(kind, "cleanup_action") == 0) {
            const char *a = (const char *)sqlite3_column_text(ev, C_STATUS);
            if (a && strcmp(a, "discard") == 0)
                L->rejected = 1;
        }
        break;
    case 'd':
        if (strcmp(kind, "delivery") == 0) {
            if (store_delivery(r, ev, err, errlen) != 0)
                return -1;
            const char *lk = (const char *)sqlite3_column_text(ev, C_LINK_KIND);
            if (lk)
                add_link(r, ev, strcmp(lk, "forwarded_as") == 0 ? LINK_FORWARDED : LINK_QUEUED);
        }
        break;
    case 'e':
        if (strcmp(kind, "expired") == 0) {
            L->expired = 1;
            set_sender(L, ev, 2);
        }
        break;
    case 'm':
        if (strcmp(kind, "message_id") == 0)
            sb_col(&L->msgid_raw, ev, C_MESSAGE_ID_RAW);
        break;
    case 'n':
        if (strcmp(kind, "notice") == 0)
            add_link(r, ev, LINK_NDR);
        break;
    case 'p':
        if (strcmp(kind, "pickup") == 0) {
            set_sender(L, ev, 1);
            L->seen_start = 1;
            if (sqlite3_column_type(ev, C_UID) != SQLITE_NULL)
                L->uid = sqlite3_column_int64(ev, C_UID);
        }
        break;
    case 'r':
        if (strcmp(kind, "removed") == 0)
            L->removed = 1;
        else if (strcmp(kind, "resent_message_id") == 0)
            sb_col(&L->resent_raw, ev, C_MESSAGE_ID_RAW);
        else if (strcmp(kind, "reject") == 0) {
            const char *a = (const char *)sqlite3_column_text(ev, C_STATUS);
            if (a && strcmp(a, "reject_warning") != 0)
                L->rejected = 1;
        }
        break;
    }
    return 0;
}

/* Resolves one link: the life on the other side is the one with that queue
 * id whose first line is nearest in time (same host preferred). */
static int resolve_link(struct rebuild *r, const struct link *k, char *err, size_t errlen)
{
    sqlite3_stmt *c = r->cand;
    sqlite3_bind_text(c, 1, k->qid, -1, SQLITE_STATIC);
    int64_t best = -1, best_cost = INT64_MAX;
    while (sqlite3_step(c) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(c, 0);
        if (id == k->life_id || id <= 0 || (size_t)id >= r->cap_first)
            continue;
        const char *h = (const char *)sqlite3_column_text(c, 1);
        const char *in = (const char *)sqlite3_column_text(c, 2);
        int same_host = h && strcmp(h, k->host) == 0;
        int same_inst = same_host && in && strcmp(in, k->instance) == 0;
        int64_t d = r->first_ms[id] - k->ms; /* other side's start relative to the line */
        int64_t cost;
        switch (k->kind) {
        case LINK_NDR:       /* bounce(8) creates the notice in its own queue */
        case LINK_FORWARDED: /* local(8) re-submits through cleanup in the same queue */
            if (!same_inst || d < -LINK_WINDOW_MS || d > LINK_WINDOW_MS)
                continue;
            cost = d < 0 ? -d : d;
            break;
        case LINK_QUEUED: /* the receiver queued it before the sender logged "sent" */
            if (d < -LINK_WINDOW_MS || d > 60000)
                continue;
            cost = (d < 0 ? -d : d) + (same_host ? 0 : 1000);
            break;
        default: /* LINK_ORIG: the parent was queued before this child */
            if (!same_host || d > 60000 || d < -LIFE_MAX_GAP_MS)
                continue;
            cost = d < 0 ? -d : d;
            break;
        }
        if (cost < best_cost) {
            best_cost = cost;
            best = id;
        }
    }
    sqlite3_reset(c);
    if (best < 0)
        return 0;
    int64_t child = k->kind == LINK_ORIG ? k->life_id : best;
    int64_t parent = k->kind == LINK_ORIG ? best : k->life_id;
    const char *pk = k->kind == LINK_NDR ? "ndr_of" : k->kind == LINK_FORWARDED ? "forwarded_as" : "queued_as";
    sqlite3_bind_int64(r->lnk, 1, child);
    sqlite3_bind_int64(r->lnk, 2, parent);
    sqlite3_bind_text(r->lnk, 3, pk, -1, SQLITE_STATIC);
    int rc = sqlite3_step(r->lnk);
    sqlite3_reset(r->lnk);
    if (rc != SQLITE_DONE) {
        snprintf(err, errlen, "postfix: linking messages: %s", sqlite3_errmsg(r->db));
        return -1;
    }
    return 0;
}

static void free_life(struct life *L)
{
    struct sbuf *all[] = {&L->host, &L->instance, &L->qid, &L->first_ts, &L->last_ts, &L->client_host,
                          &L->client_ip, &L->sasl, &L->sender, &L->msgid_raw, &L->resent_raw};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        free(all[i]->p);
}

int postfix_rebuild(sqlite3 *db, char *err, size_t errlen)
{
    struct rebuild r;
    memset(&r, 0, sizeof r);
    r.db = db;
    r.next_id = 1;
    int rc = -1;
    char *msg = NULL;
    /* Deliveries are written before the message row of their life, which is
     * complete only at its end: pf_delivery.pf_message_id is therefore not a
     * declared foreign key, which also lets SQLite empty both tables at once. */
    if (sqlite3_exec(db, "DELETE FROM pf_delivery; DELETE FROM pf_message;", NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "postfix: clearing derived tables: %s", msg ? msg : "?");
        sqlite3_free(msg);
        return -1;
    }
    if (sqlite3_prepare_v2(db, sql_events, -1, &r.ev, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, sql_message, -1, &r.msg, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, sql_delivery, -1, &r.dlv, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, sql_candidates, -1, &r.cand, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, sql_link, -1, &r.lnk, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "postfix: preparing the rebuild: %s", sqlite3_errmsg(db));
        goto out;
    }
    int s;
    while ((s = sqlite3_step(r.ev)) == SQLITE_ROW)
        if (take_event(&r, r.ev, err, errlen) != 0)
            goto out;
    if (s != SQLITE_DONE) {
        snprintf(err, errlen, "postfix: reading events: %s", sqlite3_errmsg(db));
        goto out;
    }
    if (flush_life(&r, err, errlen) != 0)
        goto out;
    for (size_t i = 0; i < r.nlinks; i++)
        if (resolve_link(&r, &r.links[i], err, errlen) != 0)
            goto out;
    if (sqlite3_exec(db, sql_final, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "postfix: marking final attempts: %s", msg ? msg : "?");
        sqlite3_free(msg);
        goto out;
    }
    rc = 0;
out:
    sqlite3_finalize(r.ev);
    sqlite3_finalize(r.msg);
    sqlite3_finalize(r.dlv);
    sqlite3_finalize(r.cand);
    sqlite3_finalize(r.lnk);
    for (size_t i = 0; i < r.nlinks; i++) {
        free(r.links[i].qid);
        free(r.links[i].host);
        free(r.links[i].instance);
    }
    free(r.links);
    free(r.first_ms);
    free_life(&r.life);
    return rc;
}
