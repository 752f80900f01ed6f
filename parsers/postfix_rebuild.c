/*
 * NAME
 *   postfix_rebuild.c - correlate stored Postfix lines into messages and deliveries.
 * SUMMARY
 *   After every ingest run of Postfix input, pf_message and pf_delivery are
 *   rebuilt for the queue ids the run stored lines of (pf_dirty) and for every
 *   queue id linked to those, transitively, from all their pf_event rows read
 *   in (queue id, host, instance, time) order. A queue id's life ends at
 *   "removed"; the next line with the same id starts a new life (Postfix
 *   reuses ids). Links between lives (notice of, queued as, forwarded as,
 *   orig_queue_id) are resolved afterwards by queue id and nearest time.
 * DESCRIPTION
 *   Rebuilding whole link components (a queue id, the ids its lines name and
 *   the ids whose lines name it) gives the same rows as rebuilding everything,
 *   whatever the order and number of runs in which rotated files arrive: a
 *   message whose lines span mail.log.1 and mail.log is put together when both
 *   are in pf_event. When the run touched a large part of the stored queue ids
 *   (a first ingest), everything is rebuilt instead, in one scan of the lines
 *   in stored order with a table of the lives still open: a log is written in
 *   time order, so that gives the sorted result without sorting every line.
 *   The queue ids whose lines were stored out of time order (rotated files
 *   ingested newest first) get a sorted pass of their own afterwards. When
 *   the run started with pf_event empty, that scan happens while the lines
 *   are stored (a pf_stream: the parser hands each row over as it writes
 *   it), and nothing is read back; a file that fails breaks the stream, and
 *   the scan reads the table after all.
 *   Row ids are pf_event ids (first line of a life, the delivery line), so the
 *   rows of untouched messages keep their ids from run to run.
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

static void sb_span(struct sbuf *b, struct pf_span v)
{
    sb_set(b, (const unsigned char *)v.p, (int)v.n);
}

static void sb_bind(sqlite3_stmt *st, int i, const struct sbuf *b)
{
    if (b->set)
        sqlite3_bind_text(st, i, b->p, (int)b->n, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static int sb_eq(const struct sbuf *b, struct pf_span v)
{
    return v.p && b->set && b->n == v.n && memcmp(b->p, v.p, v.n) == 0;
}

/* A delivery of a life, to find its recipient's last attempt. */
struct attempt {
    int64_t id;
    size_t off, n; /* lower-cased recipient in life.rcpts */
    int null;
};

struct life {
    int64_t id; /* pf_event.id of its first line */
    int open;
    struct sbuf host, instance, qid, first_ts, last_ts, client_host, client_ip, sasl, sender, msgid_raw, resent_raw;
    int sender_rank; /* 3 qmgr, 2 expired, 1 pickup: the queue manager's from= wins */
    int64_t first_ms, last_ms, size, nrcpt, uid, source_id, line;
    int removed, expired, seen_start, rejected, year_inferred;
    int64_t last_source, last_line; /* where its latest line is (the stream pass checks the order) */
    struct attempt *att;            /* its deliveries so far */
    size_t natt, capatt;
    char *rcpts; /* their recipients */
    size_t nrcpts, caprcpts;
    uint64_t hash;     /* of (host, instance, queue id), in the stream pass */
    struct life *next; /* chain of the stream pass's table */
};

/* A link met in a life's line, as read back from temp.pf_link_pending (the
 * links wait there, not in memory: one in twenty lines has one). */
struct link {
    int64_t life_id; /* the life whose line named the other id */
    int64_t ms;      /* when that line was logged */
    int kind;        /* LINK_* */
    const char *qid, *host, *instance;
};

enum { LINK_NDR, LINK_QUEUED, LINK_FORWARDED, LINK_ORIG };

/* pf_message.id -> first line's epoch ms, for the lives rebuilt in this pass
 * (every candidate of a link is one of them). Open addressing, key 0 empty. */
struct idmap {
    int64_t *key, *val;
    size_t cap, n;
};

/* A set of queue ids (the component being rebuilt). */
struct qset {
    char **item;
    size_t n, cap;
    uint32_t *slot; /* index + 1 into item; 0 empty */
    size_t nslot;
};

/* Columns of the event queries. */
enum {
    C_SOURCE,
    C_LINE,
    C_TS,
    C_TS_MS,
    C_YEAR_INFERRED,
    C_HOST,
    C_INSTANCE,
    C_DAEMON,
    C_QUEUE_ID,
    C_KIND,
    C_CLIENT_HOST,
    C_CLIENT_IP,
    C_SENDER,
    C_RECIPIENT,
    C_ORIG_RECIPIENT,
    C_RELAY_HOST,
    C_RELAY_IP,
    C_RELAY_PORT,
    C_CONN_USE,
    C_DELAY,
    C_DELAYS,
    C_TLS,
    C_DSN,
    C_STATUS,
    C_REPLY,
    C_SIZE,
    C_NRCPT,
    C_MESSAGE_ID_RAW,
    C_SASL_USERNAME,
    C_LINK_QUEUE_ID,
    C_LINK_KIND,
    C_TRUNCATED,
    C_UID,
    C_ID
};

#define EVENT_COLUMNS                                                                                                  \
    "SELECT source_id, line, ts, ts_ms, year_inferred, host, instance, daemon, queue_id, kind,"                        \
    " client_host, client_ip, sender, recipient, orig_recipient, relay_host, relay_ip, relay_port,"                    \
    " conn_use, delay, delays, tls, dsn, status, reply, size, nrcpt, message_id_raw, sasl_username,"                   \
    " link_queue_id, link_kind, truncated, uid, id FROM pf_event"

static struct pf_span col_span(sqlite3_stmt *st, int col)
{
    struct pf_span v;
    v.p = (const char *)sqlite3_column_text(st, col);
    v.n = (size_t)sqlite3_column_bytes(st, col);
    return v;
}

static long col_long(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL ? -1 : (long)sqlite3_column_int64(st, col);
}

/* The row of an event query. */
static void event_of_row(struct pf_event *e, sqlite3_stmt *st)
{
    e->id = sqlite3_column_int64(st, C_ID);
    e->source_id = sqlite3_column_int64(st, C_SOURCE);
    e->line = sqlite3_column_int64(st, C_LINE);
    e->ts_ms = sqlite3_column_int64(st, C_TS_MS);
    e->year_inferred = sqlite3_column_int(st, C_YEAR_INFERRED);
    e->truncated = sqlite3_column_int(st, C_TRUNCATED);
    e->ts = col_span(st, C_TS);
    e->host = col_span(st, C_HOST);
    e->instance = col_span(st, C_INSTANCE);
    e->daemon = col_span(st, C_DAEMON);
    e->queue_id = col_span(st, C_QUEUE_ID);
    e->kind = col_span(st, C_KIND);
    e->client_host = col_span(st, C_CLIENT_HOST);
    e->client_ip = col_span(st, C_CLIENT_IP);
    e->sender = col_span(st, C_SENDER);
    e->recipient = col_span(st, C_RECIPIENT);
    e->orig_recipient = col_span(st, C_ORIG_RECIPIENT);
    e->relay_host = col_span(st, C_RELAY_HOST);
    e->relay_ip = col_span(st, C_RELAY_IP);
    e->delays = col_span(st, C_DELAYS);
    e->tls = col_span(st, C_TLS);
    e->dsn = col_span(st, C_DSN);
    e->status = col_span(st, C_STATUS);
    e->reply = col_span(st, C_REPLY);
    e->message_id_raw = col_span(st, C_MESSAGE_ID_RAW);
    e->sasl_username = col_span(st, C_SASL_USERNAME);
    e->link_queue_id = col_span(st, C_LINK_QUEUE_ID);
    e->link_kind = col_span(st, C_LINK_KIND);
    e->relay_port = col_long(st, C_RELAY_PORT);
    e->conn_use = col_long(st, C_CONN_USE);
    e->size = col_long(st, C_SIZE);
    e->nrcpt = col_long(st, C_NRCPT);
    e->uid = col_long(st, C_UID);
    e->delay = sqlite3_column_type(st, C_DELAY) == SQLITE_NULL ? -1 : sqlite3_column_double(st, C_DELAY);
}

static int span_is(struct pf_span v, const char *lit)
{
    size_t n = strlen(lit);
    return v.p && v.n == n && memcmp(v.p, lit, n) == 0;
}

/* Both orders list a queue id's lines by host, instance and time, so links
 * are met (and resolved, first come first served) in the same order. */
static const char sql_events_all[] =
    EVENT_COLUMNS " WHERE queue_id IS NOT NULL"
                  " ORDER BY queue_id, host, instance, ts_ms, kind = 'removed', source_id, line";

/* The stream pass reads the lines in the order they were stored. */
static const char sql_events_stored[] = EVENT_COLUMNS " WHERE queue_id IS NOT NULL ORDER BY id";

static const char sql_events_qid[] = EVENT_COLUMNS " WHERE queue_id = ?1"
                                                   " ORDER BY host, instance, ts_ms, kind = 'removed', source_id, line";

static const char sql_links_out[] =
    "SELECT DISTINCT link_queue_id FROM pf_event WHERE queue_id = ?1 AND link_queue_id IS NOT NULL";

static const char sql_links_in[] =
    "SELECT DISTINCT queue_id FROM pf_event WHERE link_queue_id = ?1 AND queue_id IS NOT NULL";

static const char sql_drop_deliveries[] =
    "DELETE FROM pf_delivery WHERE pf_message_id IN (SELECT id FROM pf_message WHERE queue_id = ?1)";

static const char sql_drop_messages[] = "DELETE FROM pf_message WHERE queue_id = ?1";

static const char sql_message[] =
    "INSERT INTO pf_message(id, host, instance, queue_id, first_ts, last_ts, client_host, client_ip,"
    " sasl_username, sender, size, nrcpt, message_id, message_id_raw, resent_message_id, pickup_uid,"
    " is_ndr, status, seen_start, rejected, source_id, line, year_inferred)"
    " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23)";

/* OR REPLACE: a delivery whose message row went away with a resumed file's
 * cut last line (the driver deletes rows by source and line) is rewritten. */
static const char sql_delivery[] =
    "INSERT OR REPLACE INTO pf_delivery(pf_message_id, ts, recipient, orig_recipient, daemon, relay_host,"
    " relay_ip, relay_port, conn_use, delay, delays, tls, dsn, status, reply, queued_as,"
    " exo_message_id, exo_internal_id, exo_hostname, exo_attribution, truncated, source_id, line, id,"
    " is_final) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,"
    "?23,?24,1)";

static const char sql_not_final[] = "UPDATE pf_delivery SET is_final = 0 WHERE id = ?1";

static const char sql_candidates[] = "SELECT id, host, instance, first_ts FROM pf_message WHERE queue_id = ?1";

/* Links wait in a temporary table (on disk during an ingest) until every
 * life is written; they are resolved in the order of the sorted pass
 * (queue id, host, instance, time), whichever pass met them, first come first
 * served. seq keeps the order in which they were met. */
static const char sql_links_table[] =
    "CREATE TEMP TABLE IF NOT EXISTS pf_link_pending(life_id INTEGER, ms INTEGER, seq INTEGER, kind INTEGER,"
    " qid TEXT, host TEXT, instance TEXT, from_qid TEXT);"
    "CREATE TEMP TABLE IF NOT EXISTS pf_redo(queue_id TEXT PRIMARY KEY) WITHOUT ROWID;"
    "DELETE FROM temp.pf_link_pending; DELETE FROM temp.pf_redo";

static const char sql_add_link[] = "INSERT INTO temp.pf_link_pending VALUES (?1,?2,?3,?4,?5,?6,?7,?8)";

static const char sql_pending_links[] = "SELECT life_id, ms, kind, qid, host, instance FROM temp.pf_link_pending"
                                        " ORDER BY from_qid, host, instance, ms, seq";

static const char sql_link[] = "UPDATE pf_message SET parent_id = ?2, parent_kind = ?3,"
                               " is_ndr = CASE WHEN ?3 = 'ndr_of' THEN 1 ELSE is_ndr END,"
                               " seen_start = CASE WHEN ?3 = 'ndr_of' THEN 1 ELSE seen_start END"
                               " WHERE id = ?1 AND parent_id IS NULL AND id <> ?2";

/* Lives still open in the stream pass, by (host, instance, queue id), and
 * for the lives it has closed the latest time of their last lines, by the
 * hash of the same key: keys that share a hash share the latest of their
 * times, so a collision can only send a queue id to a sorted pass it did not
 * need, never keep one from it. */
struct lifetable {
    struct life **bucket;
    size_t nbucket, n;
    struct idmap closed; /* key hash (never 0) -> last line's epoch ms */
};

struct rebuild {
    sqlite3 *db;
    sqlite3_stmt *ev, *msg, *dlv, *notfinal, *cand, *lnk, *addlink;
    struct life one;  /* the life of the sorted passes */
    struct life *cur; /* the life the current line belongs to */
    int64_t link_seq;
    size_t written;        /* lives written */
    struct lifetable open; /* the stream pass */
    struct qset redo;      /* queue ids the stream pass met out of time order */
    char **ddl;            /* rebuild_all: CREATE and DROP of the derived tables' secondary indexes, in pairs */
    size_t nddl;
    char lower[1024];
};

/* A first load correlated while it is stored (postfix.h). */
struct pf_stream {
    struct rebuild r;
    int broken;           /* a file's rows went away, a file was resumed, or another connection wrote */
    int64_t data_version; /* PRAGMA data_version at the start: another connection's commit changes it */
    int64_t last_id;      /* the last row taken */
    int64_t *sources;     /* files whose rows were taken */
    size_t nsources, capsources;
};

/* ---- small containers ---- */

static uint64_t hash_bytes(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static uint64_t hash_id(int64_t id)
{
    uint64_t x = (uint64_t)id * 0x9e3779b97f4a7c15ULL;
    return x ^ (x >> 29);
}

static void idmap_put(struct idmap *m, int64_t id, int64_t v)
{
    if ((m->n + 1) * 2 > m->cap) {
        struct idmap g = {NULL, NULL, m->cap ? m->cap * 2 : 4096, 0};
        g.key = xcalloc(g.cap, sizeof *g.key);
        g.val = xmalloc(g.cap * sizeof *g.val);
        for (size_t i = 0; i < m->cap; i++)
            if (m->key[i])
                idmap_put(&g, m->key[i], m->val[i]);
        free(m->key);
        free(m->val);
        *m = g;
    }
    size_t i = hash_id(id) & (m->cap - 1);
    while (m->key[i] && m->key[i] != id)
        i = (i + 1) & (m->cap - 1);
    if (!m->key[i])
        m->n++;
    m->key[i] = id;
    m->val[i] = v;
}

static int idmap_get(const struct idmap *m, int64_t id, int64_t *v)
{
    if (!m->cap)
        return 0;
    size_t i = hash_id(id) & (m->cap - 1);
    while (m->key[i]) {
        if (m->key[i] == id) {
            *v = m->val[i];
            return 1;
        }
        i = (i + 1) & (m->cap - 1);
    }
    return 0;
}

/* Adds the queue id S (N bytes); 1 when it was new. */
static int qset_add(struct qset *q, const char *s, size_t n)
{
    if ((q->n + 1) * 2 > q->nslot) {
        free(q->slot);
        q->nslot = q->nslot ? q->nslot * 2 : 1024;
        q->slot = xcalloc(q->nslot, sizeof *q->slot);
        for (size_t k = 0; k < q->n; k++) {
            size_t i = hash_bytes(q->item[k], strlen(q->item[k])) & (q->nslot - 1);
            while (q->slot[i])
                i = (i + 1) & (q->nslot - 1);
            q->slot[i] = (uint32_t)k + 1;
        }
    }
    size_t i = hash_bytes(s, n) & (q->nslot - 1);
    while (q->slot[i]) {
        const char *t = q->item[q->slot[i] - 1];
        if (strlen(t) == n && memcmp(t, s, n) == 0)
            return 0;
        i = (i + 1) & (q->nslot - 1);
    }
    if (q->n == q->cap) {
        q->cap = q->cap ? q->cap * 2 : 256;
        q->item = xrealloc(q->item, q->cap * sizeof *q->item);
    }
    q->item[q->n] = xstrndup(s, n);
    q->slot[i] = (uint32_t)++q->n;
    return 1;
}

static void qset_free(struct qset *q)
{
    for (size_t i = 0; i < q->n; i++)
        free(q->item[i]);
    free(q->item);
    free(q->slot);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

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

static int flush_life(struct rebuild *r, struct life *L, char *err, size_t errlen)
{
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
    r->written++;
    return 0;
}

static void start_life(struct life *L, const struct pf_event *e)
{
    L->id = e->id;
    L->open = 1;
    L->natt = 0;
    L->nrcpts = 0;
    sb_span(&L->host, e->host);
    sb_span(&L->instance, e->instance);
    sb_span(&L->qid, e->queue_id);
    sb_span(&L->first_ts, e->ts);
    L->first_ms = e->ts_ms;
    L->source_id = e->source_id;
    L->line = e->line;
    struct sbuf *clear[] = {&L->client_host, &L->client_ip, &L->sasl, &L->sender, &L->msgid_raw, &L->resent_raw};
    for (size_t i = 0; i < sizeof clear / sizeof *clear; i++)
        clear[i]->set = 0;
    L->sender_rank = 0;
    L->size = L->nrcpt = L->uid = -1;
    L->removed = L->expired = L->seen_start = L->rejected = L->year_inferred = 0;
}

static int add_link(struct rebuild *r, const struct pf_event *e, int kind, char *err, size_t errlen)
{
    if (!e->link_queue_id.p)
        return 0;
    sqlite3_stmt *st = r->addlink;
    sqlite3_bind_int64(st, 1, r->cur->id);
    sqlite3_bind_int64(st, 2, e->ts_ms);
    sqlite3_bind_int64(st, 3, r->link_seq++);
    sqlite3_bind_int(st, 4, kind);
    sqlite3_bind_text(st, 5, e->link_queue_id.p, (int)e->link_queue_id.n, SQLITE_STATIC);
    sb_bind(st, 6, &r->cur->host);
    sb_bind(st, 7, &r->cur->instance);
    sb_bind(st, 8, &r->cur->qid);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        snprintf(err, errlen, "postfix: noting a link: %s", sqlite3_errmsg(r->db));
        return -1;
    }
    return 0;
}

static void set_sender(struct life *L, const struct pf_event *e, int rank)
{
    if (!e->sender.p || rank < L->sender_rank)
        return;
    sb_span(&L->sender, e->sender);
    L->sender_rank = rank;
}

static int store_delivery(struct rebuild *r, const struct pf_event *e, char *err, size_t errlen)
{
    sqlite3_stmt *st = r->dlv;
    struct life *L = r->cur;
    sqlite3_bind_int64(st, 1, L->id);
    bind_span(st, 2, e->ts);
    const char *rc = e->recipient.p;
    int n = 0;
    if (rc) {
        n = (int)(e->recipient.n < sizeof r->lower ? e->recipient.n : sizeof r->lower);
        for (int i = 0; i < n; i++)
            r->lower[i] = (char)tolower((unsigned char)rc[i]);
        sqlite3_bind_text(st, 3, r->lower, n, SQLITE_STATIC);
    } else {
        sqlite3_bind_null(st, 3);
    }
    bind_span(st, 4, e->orig_recipient);
    bind_span(st, 5, e->daemon);
    bind_span(st, 6, e->relay_host);
    bind_span(st, 7, e->relay_ip);
    bind_opt_int(st, 8, e->relay_port);
    bind_opt_int(st, 9, e->conn_use);
    if (e->delay >= 0)
        sqlite3_bind_double(st, 10, e->delay);
    else
        sqlite3_bind_null(st, 10);
    bind_span(st, 11, e->delays);
    bind_span(st, 12, e->tls);
    bind_span(st, 13, e->dsn);
    bind_span(st, 14, e->status);
    bind_span(st, 15, e->reply);
    bind_span(st, 16, e->link_queue_id);
    struct pf_exo_reply x;
    if (e->reply.p && postfix_parse_exo_reply(e->reply.p, e->reply.n, &x)) {
        bind_span(st, 17, x.message_id);
        bind_span(st, 18, x.internal_id);
        bind_span(st, 19, x.hostname);
        bind_span(st, 20, x.attribution);
    } else {
        for (int i = 17; i <= 20; i++)
            sqlite3_bind_null(st, i);
    }
    sqlite3_bind_int(st, 21, e->truncated);
    sqlite3_bind_int64(st, 22, e->source_id);
    sqlite3_bind_int64(st, 23, e->line);
    int64_t id = e->id;
    sqlite3_bind_int64(st, 24, id);
    int s = sqlite3_step(st);
    sqlite3_reset(st);
    if (s != SQLITE_DONE) {
        snprintf(err, errlen, "postfix: storing a delivery: %s", sqlite3_errmsg(r->db));
        return -1;
    }
    /* Stored as the final attempt; the recipient's previous attempt in this
     * life (events come in time order) no longer is. */
    for (size_t i = 0; i < L->natt; i++) {
        struct attempt *a = &L->att[i];
        if (a->null != !rc || a->n != (size_t)n || memcmp(L->rcpts + a->off, r->lower, (size_t)n) != 0)
            continue;
        sqlite3_bind_int64(r->notfinal, 1, a->id);
        s = sqlite3_step(r->notfinal);
        sqlite3_reset(r->notfinal);
        if (s != SQLITE_DONE) {
            snprintf(err, errlen, "postfix: marking final attempts: %s", sqlite3_errmsg(r->db));
            return -1;
        }
        a->id = id;
        return 0;
    }
    if (L->natt == L->capatt) {
        L->capatt = L->capatt ? L->capatt * 2 : 4;
        L->att = xrealloc(L->att, L->capatt * sizeof *L->att);
    }
    if (L->nrcpts + (size_t)n > L->caprcpts) {
        L->caprcpts = (L->nrcpts + (size_t)n) * 2 + 64;
        L->rcpts = xrealloc(L->rcpts, L->caprcpts);
    }
    memcpy(L->rcpts + L->nrcpts, r->lower, (size_t)n);
    L->att[L->natt++] = (struct attempt){id, L->nrcpts, (size_t)n, !rc};
    L->nrcpts += (size_t)n;
    return 0;
}

static int take_event(struct rebuild *r, const struct pf_event *e, char *err, size_t errlen)
{
    struct life *L = r->cur;
    int64_t ms = e->ts_ms;
    if (!L->open || L->removed || ms - L->last_ms > LIFE_MAX_GAP_MS || !sb_eq(&L->qid, e->queue_id) ||
        !sb_eq(&L->instance, e->instance) || !sb_eq(&L->host, e->host)) {
        if (flush_life(r, L, err, errlen) != 0)
            return -1;
        start_life(L, e);
    }
    sb_span(&L->last_ts, e->ts);
    L->last_ms = ms;
    L->last_source = e->source_id;
    L->last_line = e->line;
    if (e->year_inferred)
        L->year_inferred = 1;
    struct pf_span kind = e->kind;
    if (!kind.p || !kind.n)
        return 0;
    switch (kind.p[0]) {
    case 'a':
        if (span_is(kind, "active")) {
            set_sender(L, e, 3);
            if (e->size >= 0)
                L->size = e->size;
            if (e->nrcpt >= 0)
                L->nrcpt = e->nrcpt;
        }
        break;
    case 'c':
        if (span_is(kind, "client")) {
            sb_span(&L->client_host, e->client_host);
            sb_span(&L->client_ip, e->client_ip);
            if (e->sasl_username.p)
                sb_span(&L->sasl, e->sasl_username);
            L->seen_start = 1;
            if (e->link_queue_id.p && add_link(r, e, LINK_ORIG, err, errlen) != 0)
                return -1;
        } else if (span_is(kind, "cleanup_action")) {
            if (span_is(e->status, "discard"))
                L->rejected = 1;
        }
        break;
    case 'd':
        if (span_is(kind, "delivery")) {
            if (store_delivery(r, e, err, errlen) != 0)
                return -1;
            if (e->link_kind.p &&
                add_link(r, e, span_is(e->link_kind, "forwarded_as") ? LINK_FORWARDED : LINK_QUEUED, err, errlen) != 0)
                return -1;
        }
        break;
    case 'e':
        if (span_is(kind, "expired")) {
            L->expired = 1;
            set_sender(L, e, 2);
        }
        break;
    case 'm':
        if (span_is(kind, "message_id"))
            sb_span(&L->msgid_raw, e->message_id_raw);
        break;
    case 'n':
        if (span_is(kind, "notice") && add_link(r, e, LINK_NDR, err, errlen) != 0)
            return -1;
        break;
    case 'p':
        if (span_is(kind, "pickup")) {
            set_sender(L, e, 1);
            L->seen_start = 1;
            if (e->uid >= 0)
                L->uid = e->uid;
        }
        break;
    case 'r':
        if (span_is(kind, "removed"))
            L->removed = 1;
        else if (span_is(kind, "resent_message_id"))
            sb_span(&L->resent_raw, e->message_id_raw);
        else if (span_is(kind, "reject")) {
            if (e->status.p && !span_is(e->status, "reject_warning"))
                L->rejected = 1;
        }
        break;
    }
    return 0;
}

/* The epoch milliseconds of a stored-form time ('YYYY-MM-DD HH:MM:SS[.mmm]',
 * UTC, the year possibly longer); 0 when S is not one. */
static int stored_ms(const char *s, int64_t *ms)
{
    int y, mo, d, h, mi, sec, n = 0;
    /* the year may have more than four digits (time_format writes 10000) */
    if (!s || sscanf(s, "%d-%2d-%2d %2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6)
        return 0;
    const char *f = s + n;
    int frac = 0;
    if (f[0] == '.' && isdigit((unsigned char)f[1]) && isdigit((unsigned char)f[2]) && isdigit((unsigned char)f[3]))
        frac = (f[1] - '0') * 100 + (f[2] - '0') * 10 + (f[3] - '0');
    *ms = time_from_civil(y, mo, d, h, mi, sec) * 1000 + frac;
    return 1;
}

/* Resolves one link: the life on the other side is the one with that queue
 * id whose first line is nearest in time (same host preferred). */
static int resolve_link(struct rebuild *r, const struct link *k, char *err, size_t errlen)
{
    sqlite3_stmt *c = r->cand;
    sqlite3_bind_text(c, 1, k->qid, -1, SQLITE_STATIC);
    int64_t best = -1, best_cost = INT64_MAX;
    while (sqlite3_step(c) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(c, 0), first;
        if (id == k->life_id || !stored_ms((const char *)sqlite3_column_text(c, 3), &first))
            continue;
        const char *h = (const char *)sqlite3_column_text(c, 1);
        const char *in = (const char *)sqlite3_column_text(c, 2);
        int same_host = h && strcmp(h, k->host) == 0;
        int same_inst = same_host && in && strcmp(in, k->instance) == 0;
        int64_t d = first - k->ms; /* other side's start relative to the line */
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
    struct sbuf *all[] = {&L->host,      &L->instance, &L->qid,    &L->first_ts,  &L->last_ts,   &L->client_host,
                          &L->client_ip, &L->sasl,     &L->sender, &L->msgid_raw, &L->resent_raw};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        free(all[i]->p);
    free(L->att);
    free(L->rcpts);
}

static int64_t query_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    int64_t v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Runs ST with ?1 = Q and adds every first column to SET; -1 on error. */
static int collect(sqlite3_stmt *st, const char *q, struct qset *set)
{
    sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        if (t)
            qset_add(set, t, (size_t)sqlite3_column_bytes(st, 0));
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* The queue ids to rebuild: the dirty ones and, transitively, the ids their
 * lines name and the ids whose lines name them. 1 with SET filled, 0 when the
 * component outgrew LIMIT (rebuild everything), -1 on error. */
static int dirty_component(sqlite3 *db, struct qset *set, size_t limit)
{
    sqlite3_stmt *d = NULL, *out = NULL, *in = NULL;
    int rc = -1;
    if (sqlite3_prepare_v2(db, "SELECT queue_id FROM pf_dirty", -1, &d, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, sql_links_out, -1, &out, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, sql_links_in, -1, &in, NULL) != SQLITE_OK)
        goto done;
    int s;
    while ((s = sqlite3_step(d)) == SQLITE_ROW)
        qset_add(set, (const char *)sqlite3_column_text(d, 0), (size_t)sqlite3_column_bytes(d, 0));
    if (s != SQLITE_DONE)
        goto done;
    /* set->item grows while we walk it: the walk reaches the new ids too. */
    for (size_t i = 0; i < set->n; i++) {
        if (set->n > limit) {
            rc = 0;
            goto done;
        }
        char *q = xstrdup(set->item[i]); /* item may move when the set grows */
        int bad = collect(out, q, set) < 0 || collect(in, q, set) < 0;
        free(q);
        if (bad)
            goto done;
    }
    rc = 1;
done:
    sqlite3_finalize(d);
    sqlite3_finalize(out);
    sqlite3_finalize(in);
    return rc;
}

static int run_events(struct rebuild *r, char *err, size_t errlen)
{
    int s;
    struct pf_event e;
    while ((s = sqlite3_step(r->ev)) == SQLITE_ROW) {
        event_of_row(&e, r->ev);
        if (take_event(r, &e, err, errlen) != 0)
            return -1;
    }
    sqlite3_reset(r->ev);
    if (s != SQLITE_DONE) {
        snprintf(err, errlen, "postfix: reading events: %s", sqlite3_errmsg(r->db));
        return -1;
    }
    return 0;
}

/* Rebuilds the queue ids of SET (sorted here): their old rows go, their
 * lines are correlated again. */
static int rebuild_some(struct rebuild *r, struct qset *set, char *err, size_t errlen)
{
    sqlite3_stmt *dd = NULL, *dm = NULL;
    int rc = -1;
    qsort(set->item, set->n, sizeof *set->item, cmp_str);
    if (sqlite3_prepare_v2(r->db, sql_events_qid, -1, &r->ev, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(r->db, sql_drop_deliveries, -1, &dd, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(r->db, sql_drop_messages, -1, &dm, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "postfix: preparing the rebuild: %s", sqlite3_errmsg(r->db));
        goto done;
    }
    for (size_t i = 0; i < set->n; i++) {
        const char *q = set->item[i];
        sqlite3_bind_text(dd, 1, q, -1, SQLITE_STATIC);
        sqlite3_bind_text(dm, 1, q, -1, SQLITE_STATIC);
        int a = sqlite3_step(dd), b = a == SQLITE_DONE ? sqlite3_step(dm) : a;
        sqlite3_reset(dd);
        sqlite3_reset(dm);
        if (b != SQLITE_DONE) {
            snprintf(err, errlen, "postfix: clearing derived rows: %s", sqlite3_errmsg(r->db));
            goto done;
        }
    }
    for (size_t i = 0; i < set->n; i++) {
        sqlite3_bind_text(r->ev, 1, set->item[i], -1, SQLITE_STATIC);
        if (run_events(r, err, errlen) != 0)
            goto done;
    }
    rc = 0;
done:
    sqlite3_finalize(dd);
    sqlite3_finalize(dm);
    return rc;
}

/* ---- the stream pass ---- */

static uint64_t life_hash(const struct pf_event *e)
{
    uint64_t h = hash_bytes(e->queue_id.p, e->queue_id.n);
    h = h * 31 ^ hash_bytes(e->host.p, e->host.n);
    h = h * 31 ^ hash_bytes(e->instance.p, e->instance.n);
    return h ? h : 1; /* 0 marks an empty idmap slot */
}

static struct life *table_find(const struct lifetable *t, uint64_t h, const struct pf_event *e)
{
    if (!t->nbucket)
        return NULL;
    for (struct life *L = t->bucket[h & (t->nbucket - 1)]; L; L = L->next)
        if (L->hash == h && sb_eq(&L->qid, e->queue_id) && sb_eq(&L->host, e->host) && sb_eq(&L->instance, e->instance))
            return L;
    return NULL;
}

static void table_add(struct lifetable *t, struct life *L)
{
    if (t->n + 1 > t->nbucket) {
        size_t nb = t->nbucket ? t->nbucket * 2 : 1024;
        struct life **b = xcalloc(nb, sizeof *b);
        for (size_t i = 0; i < t->nbucket; i++)
            for (struct life *x = t->bucket[i], *nx; x; x = nx) {
                nx = x->next;
                x->next = b[x->hash & (nb - 1)];
                b[x->hash & (nb - 1)] = x;
            }
        free(t->bucket);
        t->bucket = b;
        t->nbucket = nb;
    }
    struct life **head = &t->bucket[L->hash & (t->nbucket - 1)];
    L->next = *head;
    *head = L;
    t->n++;
}

static void table_remove(struct lifetable *t, struct life *L)
{
    struct life **p = &t->bucket[L->hash & (t->nbucket - 1)];
    while (*p != L)
        p = &(*p)->next;
    *p = L->next;
    t->n--;
}

static void table_free(struct lifetable *t)
{
    for (size_t i = 0; i < t->nbucket; i++)
        for (struct life *x = t->bucket[i], *nx; x; x = nx) {
            nx = x->next;
            free_life(x);
            free(x);
        }
    free(t->bucket);
    free(t->closed.key);
    free(t->closed.val);
    memset(t, 0, sizeof *t);
}

/* The stream pass takes every line in stored order, each into the open life
 * of its (host, instance, queue id), and writes a life out at its "removed".
 * That is the sorted pass's result without its sort as long as each queue
 * id's lines were stored in time order, which is how a log is written and
 * read. A queue id with a line stored out of that order (a rotated file
 * ingested after a newer one, a clock step, a resumed file) goes into
 * r->redo for a sorted pass of its own. The lines come from the table
 * (stream_events) or from the parser as it stores them (a pf_stream). */
static int stream_event(struct rebuild *r, const struct pf_event *e, char *err, size_t errlen)
{
    struct lifetable *t = &r->open;
    uint64_t h = life_hash(e);
    int64_t ms = e->ts_ms, src = e->source_id, line = e->line;
    int removed = span_is(e->kind, "removed");
    struct life *L = table_find(t, h, e);
    int late;
    if (L) { /* sorted order: (ts_ms, kind = 'removed', source_id, line) */
        late = ms < L->last_ms || (ms == L->last_ms && !removed &&
                                   (src < L->last_source || (src == L->last_source && line < L->last_line)));
    } else {
        int64_t closed;
        late = idmap_get(&t->closed, (int64_t)h, &closed) && ms <= closed;
        L = xcalloc(1, sizeof *L);
        L->hash = h;
        table_add(t, L);
    }
    if (late)
        qset_add(&r->redo, e->queue_id.p, e->queue_id.n);
    r->cur = L;
    if (take_event(r, e, err, errlen) != 0) /* may write L out and start it again (a gap) */
        return -1;
    if (L->removed) {
        if (flush_life(r, L, err, errlen) != 0)
            return -1;
        int64_t before;
        if (!idmap_get(&t->closed, (int64_t)h, &before) || before < L->last_ms)
            idmap_put(&t->closed, (int64_t)h, L->last_ms);
        table_remove(t, L);
        free_life(L);
        free(L);
    }
    return 0;
}

/* Lives with no "removed" yet (still queued, or their end is in a file not
 * stored yet) are written as open. */
static int stream_close(struct rebuild *r, char *err, size_t errlen)
{
    struct lifetable *t = &r->open;
    for (size_t i = 0; i < t->nbucket; i++)
        for (struct life *L = t->bucket[i]; L; L = L->next)
            if (flush_life(r, L, err, errlen) != 0)
                return -1;
    table_free(t);
    r->cur = &r->one;
    return 0;
}

static int stream_events(struct rebuild *r, char *err, size_t errlen)
{
    sqlite3_stmt *ev = r->ev;
    struct pf_event e;
    int s;
    while ((s = sqlite3_step(ev)) == SQLITE_ROW) {
        event_of_row(&e, ev);
        if (stream_event(r, &e, err, errlen) != 0)
            return -1;
    }
    if (s != SQLITE_DONE) {
        snprintf(err, errlen, "postfix: reading events: %s", sqlite3_errmsg(r->db));
        return -1;
    }
    return 0;
}

static int clear_derived(struct rebuild *r, char *err, size_t errlen)
{
    char *msg = NULL;
    /* Deliveries are written before the message row of their life, which is
     * complete only at its end: pf_delivery.pf_message_id is therefore not a
     * declared foreign key, which also lets SQLite empty both tables at once. */
    if (sqlite3_exec(r->db, "DELETE FROM pf_delivery; DELETE FROM pf_message;", NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "postfix: clearing derived tables: %s", msg ? msg : "?");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

/* Forgets the links met in lives of the queue ids in SET (NULL: of all). */
static int drop_links(struct rebuild *r, const struct qset *set, char *err, size_t errlen)
{
    sqlite3_stmt *ins = NULL;
    int rc = -1;
    if (!set) {
        if (sqlite3_exec(r->db, "DELETE FROM temp.pf_link_pending", NULL, NULL, NULL) != SQLITE_OK)
            goto done;
        return 0;
    }
    if (sqlite3_prepare_v2(r->db, "INSERT OR IGNORE INTO temp.pf_redo VALUES (?1)", -1, &ins, NULL) != SQLITE_OK)
        goto done;
    for (size_t i = 0; i < set->n; i++) {
        sqlite3_bind_text(ins, 1, set->item[i], -1, SQLITE_STATIC);
        int s = sqlite3_step(ins);
        sqlite3_reset(ins);
        if (s != SQLITE_DONE)
            goto done;
    }
    if (sqlite3_exec(r->db, "DELETE FROM temp.pf_link_pending WHERE from_qid IN temp.pf_redo; DELETE FROM temp.pf_redo",
                     NULL, NULL, NULL) != SQLITE_OK)
        goto done;
    rc = 0;
done:
    if (rc != 0)
        snprintf(err, errlen, "postfix: dropping links: %s", sqlite3_errmsg(r->db));
    sqlite3_finalize(ins);
    return rc;
}

/* Rebuilding every message starts here: the secondary indexes of the
 * derived tables are dropped (building an index once over the loaded rows is
 * cheaper than keeping it in order row by row; rebuild_all_end makes them
 * again from their stored definitions, kept in r->ddl) and the derived
 * tables emptied. */
static int rebuild_all_begin(struct rebuild *r, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(r->db,
                           "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL"
                           " AND tbl_name IN ('pf_message', 'pf_delivery')",
                           -1, &st, NULL) != SQLITE_OK)
        goto db_error;
    while (sqlite3_step(st) == SQLITE_ROW) {
        r->ddl = xrealloc(r->ddl, (r->nddl + 2) * sizeof *r->ddl);
        r->ddl[r->nddl++] = sqlite3_mprintf("%s", (const char *)sqlite3_column_text(st, 1));
        r->ddl[r->nddl++] = sqlite3_mprintf("DROP INDEX \"%w\"", (const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    for (size_t i = 1; i < r->nddl; i += 2)
        if (sqlite3_exec(r->db, r->ddl[i], NULL, NULL, NULL) != SQLITE_OK)
            goto db_error;
    return clear_derived(r, err, errlen);
db_error:
    snprintf(err, errlen, "postfix: rebuilding all messages: %s", sqlite3_errmsg(r->db));
    return -1;
}

/* Makes the indexes rebuild_all_begin dropped, unless they are there. */
static int restore_indexes(struct rebuild *r)
{
    for (size_t i = 0; i < r->nddl; i += 2) {
        char *sql = sqlite3_mprintf("%s", r->ddl[i]);
        /* "CREATE INDEX name" -> "CREATE INDEX IF NOT EXISTS name" */
        const char *rest = strncmp(sql, "CREATE INDEX ", 13) == 0 ? sql + 13 : NULL;
        char *safe = rest ? sqlite3_mprintf("CREATE INDEX IF NOT EXISTS %s", rest) : sqlite3_mprintf("%s", sql);
        int rc = sqlite3_exec(r->db, safe, NULL, NULL, NULL);
        sqlite3_free(safe);
        sqlite3_free(sql);
        if (rc != SQLITE_OK)
            return -1;
    }
    return 0;
}

static void free_ddl(struct rebuild *r)
{
    for (size_t i = 0; i < r->nddl; i++)
        sqlite3_free(r->ddl[i]);
    free(r->ddl);
    r->ddl = NULL;
    r->nddl = 0;
}

/* After the stream pass over every line: when the queue ids met out of time
 * order are many, one sorted pass over everything instead; else a sorted
 * pass for those alone, once the indexes are back. */
static int rebuild_all_end(struct rebuild *r, char *err, size_t errlen)
{
    if (stream_close(r, err, errlen) != 0)
        return -1;
    size_t lives = r->written;
    int sorted = r->redo.n > lives / 4 + 64;
    if (sorted) {
        if (clear_derived(r, err, errlen) != 0 || drop_links(r, NULL, err, errlen) != 0)
            return -1;
        if (sqlite3_prepare_v2(r->db, sql_events_all, -1, &r->ev, NULL) != SQLITE_OK)
            goto db_error;
        if (run_events(r, err, errlen) != 0 || flush_life(r, &r->one, err, errlen) != 0)
            return -1;
        sqlite3_finalize(r->ev);
        r->ev = NULL;
    }
    if (restore_indexes(r) != 0)
        goto db_error;
    if (!sorted && r->redo.n) {
        if (drop_links(r, &r->redo, err, errlen) != 0 || rebuild_some(r, &r->redo, err, errlen) != 0)
            return -1;
    }
    return 0;
db_error:
    snprintf(err, errlen, "postfix: rebuilding all messages: %s", sqlite3_errmsg(r->db));
    return -1;
}

/* Rebuilds every message: one stream pass in stored order, then what
 * rebuild_all_end says. */
static int rebuild_all(struct rebuild *r, char *err, size_t errlen)
{
    if (rebuild_all_begin(r, err, errlen) != 0)
        return -1;
    if (sqlite3_prepare_v2(r->db, sql_events_stored, -1, &r->ev, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "postfix: rebuilding all messages: %s", sqlite3_errmsg(r->db));
        return -1;
    }
    int rc = stream_events(r, err, errlen);
    sqlite3_finalize(r->ev);
    r->ev = NULL;
    return rc != 0 ? -1 : rebuild_all_end(r, err, errlen);
}

/* The look-up indexes of schema/002-postfix.sql, which the parser drops
 * while it loads into an empty pf_event (keep both texts the same). */
static const char sql_indexes[] =
    "CREATE INDEX IF NOT EXISTS pf_event_qid ON pf_event(queue_id) WHERE queue_id IS NOT NULL;"
    "CREATE INDEX IF NOT EXISTS pf_event_link ON pf_event(link_queue_id) WHERE link_queue_id IS NOT NULL";

/* The statements every rebuild writes with, and the table of links. */
static int rebuild_prepare(struct rebuild *r, sqlite3 *db, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    r->db = db;
    r->cur = &r->one;
    char *msg = NULL;
    if (sqlite3_prepare_v2(db, sql_message, -1, &r->msg, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, sql_delivery, -1, &r->dlv, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, sql_not_final, -1, &r->notfinal, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, sql_candidates, -1, &r->cand, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, sql_link, -1, &r->lnk, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "postfix: preparing the rebuild: %s", sqlite3_errmsg(db));
        return -1;
    }
    if (sqlite3_exec(db, sql_links_table, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "postfix: making the table of links: %s", msg ? msg : "?");
        sqlite3_free(msg);
        return -1;
    }
    if (sqlite3_prepare_v2(db, sql_add_link, -1, &r->addlink, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "postfix: preparing the rebuild: %s", sqlite3_errmsg(db));
        return -1;
    }
    return 0;
}

static void rebuild_release(struct rebuild *r)
{
    sqlite3_finalize(r->ev);
    sqlite3_finalize(r->msg);
    sqlite3_finalize(r->dlv);
    sqlite3_finalize(r->notfinal);
    sqlite3_finalize(r->cand);
    sqlite3_finalize(r->lnk);
    sqlite3_finalize(r->addlink);
    free_life(&r->one);
    table_free(&r->open);
    qset_free(&r->redo);
    free_ddl(r);
    memset(r, 0, sizeof *r);
}

/* Resolves the links met by the passes, then forgets them and pf_dirty. */
static int finish_links(struct rebuild *r, char *err, size_t errlen)
{
    sqlite3_stmt *pl;
    if (sqlite3_prepare_v2(r->db, sql_pending_links, -1, &pl, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "postfix: reading the links: %s", sqlite3_errmsg(r->db));
        return -1;
    }
    int s;
    while ((s = sqlite3_step(pl)) == SQLITE_ROW) {
        struct link k = {sqlite3_column_int64(pl, 0),
                         sqlite3_column_int64(pl, 1),
                         sqlite3_column_int(pl, 2),
                         (const char *)sqlite3_column_text(pl, 3),
                         (const char *)sqlite3_column_text(pl, 4),
                         (const char *)sqlite3_column_text(pl, 5)};
        if (!k.qid || !k.host || !k.instance)
            continue;
        if (resolve_link(r, &k, err, errlen) != 0) {
            sqlite3_finalize(pl);
            return -1;
        }
    }
    sqlite3_finalize(pl);
    if (s != SQLITE_DONE) {
        snprintf(err, errlen, "postfix: reading the links: %s", sqlite3_errmsg(r->db));
        return -1;
    }
    char *msg = NULL;
    if (sqlite3_exec(r->db, "DELETE FROM pf_dirty", NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "postfix: clearing pf_dirty: %s", msg ? msg : "?");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

struct pf_stream *postfix_stream_start(sqlite3 *db, char *err, size_t errlen)
{
    struct pf_stream *s = xcalloc(1, sizeof *s);
    if (rebuild_prepare(&s->r, db, err, errlen) != 0 || rebuild_all_begin(&s->r, err, errlen) != 0) {
        postfix_stream_free(s);
        return NULL;
    }
    s->data_version = query_int(db, "PRAGMA data_version");
    return s;
}

/* From now on the run correlates from the table; what the stream held in
 * memory goes. */
static void stream_break(struct pf_stream *s)
{
    s->broken = 1;
    table_free(&s->r.open);
    qset_free(&s->r.redo);
    memset(&s->r.redo, 0, sizeof s->r.redo);
}

int postfix_stream_usable(struct pf_stream *s, int64_t source_id)
{
    if (s->broken)
        return 0;
    /* Every row taken is still there: the last one is the table's last. A
     * file rolled back takes its rows, and the derived rows written with
     * them, away. A file resumed within the run deletes rows taken. */
    int64_t last = query_int(s->r.db, "SELECT coalesce(max(id), 0) FROM pf_event");
    /* A file that failed before its first row still took the stream's own
     * start (the table of links) away with it. */
    if (query_int(s->r.db, "SELECT EXISTS (SELECT 1 FROM temp.sqlite_schema WHERE name = 'pf_link_pending')") != 1)
        last = -1;
    for (size_t i = 0; i < s->nsources && last == s->last_id; i++)
        if (s->sources[i] == source_id)
            last = -1;
    /* Another ingest that got in between two files of this run may have
     * rebuilt the messages from the table, or added lines. */
    if (query_int(s->r.db, "PRAGMA data_version") != s->data_version)
        last = -1;
    if (last != s->last_id) {
        stream_break(s);
        return 0;
    }
    return 1;
}

int postfix_stream_take(struct pf_stream *s, const struct pf_event *e, char *err, size_t errlen)
{
    if (!s->nsources || s->sources[s->nsources - 1] != e->source_id) {
        if (s->nsources == s->capsources) {
            s->capsources = s->capsources ? s->capsources * 2 : 16;
            s->sources = xrealloc(s->sources, s->capsources * sizeof *s->sources);
        }
        s->sources[s->nsources++] = e->source_id;
    }
    s->last_id = e->id;
    if (!e->queue_id.p) /* the stream pass reads lines with a queue id only */
        return 0;
    return stream_event(&s->r, e, err, errlen);
}

void postfix_stream_free(struct pf_stream *s)
{
    if (!s)
        return;
    rebuild_release(&s->r);
    free(s->sources);
    free(s);
}

/* The secondary indexes of the derived tables, as schema/002-postfix.sql
 * makes them (keep both texts the same). A stream drops them in the first
 * file's transaction and makes them again at the end of the run: when they
 * are missing at the start of a rebuild, a run ended before its stream did
 * (killed between two files), and everything is rebuilt. */
static const char sql_derived_indexes[] = "CREATE INDEX IF NOT EXISTS pf_message_qid ON pf_message(queue_id);"
                                          "CREATE INDEX IF NOT EXISTS pf_message_msgid ON pf_message(message_id);"
                                          "CREATE INDEX IF NOT EXISTS pf_message_ts ON pf_message(first_ts);"
                                          "CREATE INDEX IF NOT EXISTS pf_message_parent ON pf_message(parent_id);"
                                          "CREATE INDEX IF NOT EXISTS pf_delivery_msg ON pf_delivery(pf_message_id);"
                                          "CREATE INDEX IF NOT EXISTS pf_delivery_rcpt ON pf_delivery(recipient)";

static const char sql_derived_index_count[] =
    "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name IN ('pf_message_qid', 'pf_message_msgid',"
    " 'pf_message_ts', 'pf_message_parent', 'pf_delivery_msg', 'pf_delivery_rcpt')";

int64_t postfix_pending(sqlite3 *db)
{
    if (query_int(db, sql_derived_index_count) != 6)
        return -1;
    return query_int(db, "SELECT count(*) FROM pf_dirty");
}

int postfix_rebuild(sqlite3 *db, struct pf_stream *stream, char *err, size_t errlen)
{
    struct rebuild local;
    struct rebuild *r = &local;
    int rc = -1;
    char *msg = NULL;
    struct qset set;
    memset(&set, 0, sizeof set);
    memset(&local, 0, sizeof local);
    if (sqlite3_exec(db, sql_indexes, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "postfix: creating the event indexes: %s", msg ? msg : "?");
        sqlite3_free(msg);
        return -1;
    }
    if (stream && postfix_stream_usable(stream, -1)) {
        /* Every line of the run was correlated as it was stored. */
        r = &stream->r;
        if (rebuild_all_end(r, err, errlen) != 0 || flush_life(r, &r->one, err, errlen) != 0 ||
            finish_links(r, err, errlen) != 0)
            goto out;
        if (sqlite3_exec(db, sql_derived_indexes, NULL, NULL, &msg) != SQLITE_OK) {
            snprintf(err, errlen, "postfix: making the message indexes: %s", msg ? msg : "?");
            sqlite3_free(msg);
            goto out;
        }
        rc = 0;
        goto out;
    }
    /* A broken stream's, or an earlier run's unfinished one's, dropped
     * indexes. Either way the files it took marked no queue id dirty, and
     * some of their messages may be written, others not: all are rebuilt. */
    int unfinished = stream != NULL || query_int(db, sql_derived_index_count) != 6;
    if (sqlite3_exec(db, sql_derived_indexes, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "postfix: making the message indexes again: %s", msg ? msg : "?");
        sqlite3_free(msg);
        goto out;
    }
    if (rebuild_prepare(r, db, err, errlen) != 0)
        goto out;
    /* Rebuilding one queue id costs a few index look-ups; rebuilding all
     * costs one sort of every stored line. Past a quarter of the stored
     * messages, the sort is cheaper. */
    int64_t messages = unfinished ? 0 : query_int(db, "SELECT EXISTS (SELECT 1 FROM pf_message)");
    if (messages > 0 && query_int(db, "SELECT EXISTS (SELECT 1 FROM pf_dirty)") == 0) {
        rc = 0; /* nothing pending: a run that stored no Postfix line */
        goto out;
    }
    int some = 0;
    if (messages > 0) {
        messages = query_int(db, "SELECT count(*) FROM pf_message");
        some = dirty_component(db, &set, (size_t)messages / 4 + 64);
        if (some < 0) {
            snprintf(err, errlen, "postfix: finding the queue ids to rebuild: %s", sqlite3_errmsg(db));
            goto out;
        }
    }
    if ((some ? rebuild_some(r, &set, err, errlen) : rebuild_all(r, err, errlen)) != 0)
        goto out;
    if (flush_life(r, &r->one, err, errlen) != 0 || finish_links(r, err, errlen) != 0)
        goto out;
    rc = 0;
out:
    sqlite3_exec(db, "DELETE FROM temp.pf_link_pending", NULL, NULL, NULL);
    if (r == &local)
        rebuild_release(&local);
    qset_free(&set);
    return rc;
}
