/*
 * NAME
 *   exchange_common.c - shared parts of the Exchange parsers (see
 *   exchange_common.h).
 *
 * SUMMARY
 *   Column names, the normalised row writer, culture dates with day/month
 *   order detection, and the engine of the CSV-shaped exports.
 */
#include "exchange_common.h"

#include "builtin_data.h"
#include "ipaddr.h"

#include "timeutil.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ names */

/* Spellings per export, normalised (lower case, letters and digits only).
 * Get-MessageTrackingLog drops the dashes of the log's field names and
 * renames date-time to Timestamp, recipient-address to Recipients and
 * sender-address to Sender (Get-MessageTrackingLog documentation); the
 * Exchange Online reports use the log names with '_' (date_time_utc). */
static const struct {
    const char *name;
    enum ex_col col;
} column_names[] = {
    {"datetime", EXC_TIME},
    {"timestamp", EXC_TIME},
    {"datetimeutc", EXC_TIME},
    {"origintimestamputc", EXC_TIME},
    {"received", EXC_TIME},
    {"date", EXC_TIME},
    {"clientip", EXC_CLIENT_IP},
    {"fromip", EXC_CLIENT_IP},
    {"clienthostname", EXC_CLIENT_HOST},
    {"serverip", EXC_SERVER_IP},
    {"toip", EXC_SERVER_IP},
    {"serverhostname", EXC_SERVER_HOST},
    {"sourcecontext", EXC_SOURCE_CONTEXT},
    {"connectorid", EXC_CONNECTOR},
    {"source", EXC_SOURCE},
    {"eventid", EXC_EVENT},
    {"event", EXC_EVENT},
    {"internalmessageid", EXC_INTERNAL_ID},
    {"messageid", EXC_MESSAGE_ID},
    {"networkmessageid", EXC_NETWORK_ID},
    {"messagetraceid", EXC_NETWORK_ID},
    {"recipientaddress", EXC_RECIPIENTS},
    {"recipients", EXC_RECIPIENTS},
    {"recipientstatus", EXC_RECIPIENT_STATUS},
    {"totalbytes", EXC_SIZE},
    {"size", EXC_SIZE},
    {"recipientcount", EXC_RECIPIENT_COUNT},
    {"relatedrecipientaddress", EXC_RELATED_RECIPIENT},
    {"reference", EXC_REFERENCE},
    {"messagesubject", EXC_SUBJECT},
    {"subject", EXC_SUBJECT},
    {"senderaddress", EXC_SENDER},
    {"sender", EXC_SENDER},
    {"returnpath", EXC_RETURN_PATH},
    {"messageinfo", EXC_MESSAGE_INFO},
    {"directionality", EXC_DIRECTIONALITY},
    {"tenantid", EXC_TENANT},
    {"organization", EXC_TENANT},
    {"originalclientip", EXC_ORIG_CLIENT_IP},
    {"originalserverip", EXC_ORIG_SERVER_IP},
    {"customdata", EXC_CUSTOM_DATA},
    {"eventdata", EXC_CUSTOM_DATA},
    {"data", EXC_CUSTOM_DATA},
    {"status", EXC_STATUS},
    {"action", EXC_ACTION},
    {"detail", EXC_DETAIL},
};

void ex_name_normalise(const char *name, size_t len, char *out, size_t outlen)
{
    size_t o = 0;
    for (size_t i = 0; i < len && o + 1 < outlen; i++) {
        unsigned char c = (unsigned char)name[i];
        if (isalnum(c))
            out[o++] = (char)tolower(c);
    }
    out[o] = '\0';
}

enum ex_col ex_column_from_name(const char *name, size_t len)
{
    char norm[48];
    ex_name_normalise(name, len, norm, sizeof norm);
    for (size_t i = 0; i < sizeof column_names / sizeof column_names[0]; i++)
        if (strcmp(norm, column_names[i].name) == 0)
            return column_names[i].col;
    return EXC_NONE;
}

/* ------------------------------------------------------------ field values */

static struct ex_slice trim(const char *p, size_t len)
{
    while (len && (*p == ' ' || *p == '\t')) {
        p++;
        len--;
    }
    while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
        len--;
    return (struct ex_slice){p, len};
}

struct ex_slice ex_message_id_normalise(const char *p, size_t len)
{
    if (!p)
        return (struct ex_slice){NULL, 0};
    const char *lt = memchr(p, '<', len);
    if (!lt)
        return trim(p, len);
    const char *start = lt + 1;
    size_t rest = len - (size_t)(start - p);
    const char *gt = memchr(start, '>', rest);
    return trim(start, gt ? (size_t)(gt - start) : rest);
}

struct ex_slice ex_custom_data_get(const char *p, size_t len, const char *key)
{
    size_t klen = strlen(key);
    size_t i = 0;
    while (p && i < len) {
        /* members are ';'-separated; a member in single quotes may hold ';' */
        size_t start = i;
        int q = p[i] == '\'';
        if (q)
            start++;
        size_t j = start;
        while (j < len && !(q ? (p[j] == '\'' && (j + 1 == len || p[j + 1] == ';')) : p[j] == ';'))
            j++;
        if (j - start > klen && memcmp(p + start, key, klen) == 0 && p[start + klen] == '=')
            return (struct ex_slice){p + start + klen + 1, j - start - klen - 1};
        i = j + (q ? 2 : 1);
    }
    return (struct ex_slice){NULL, 0};
}

struct ex_slice ex_ip_strip_zone(const char *p, size_t len)
{
    struct ex_slice s = trim(p, len);
    if (!s.p)
        return s;
    const char *pct = memchr(s.p, '%', s.len);
    if (pct && memchr(s.p, ':', s.len)) /* a zone id only follows an IPv6 address (RFC 4007 section 11) */
        s.len = (size_t)(pct - s.p);
    return s;
}

const char *ex_directionality(const char *p, size_t len)
{
    struct ex_slice s = trim(p, len);
    if (s.len == 1 && s.p[0] == '1')
        return "Incoming";
    if (s.len == 1 && s.p[0] == '2')
        return "Originating";
    if (s.len == 8 && strncasecmp(s.p, "Incoming", 8) == 0)
        return "Incoming";
    if (s.len == 11 && strncasecmp(s.p, "Originating", 11) == 0)
        return "Originating";
    return NULL;
}

/* --------------------------------------------------------- culture dates */

static int read_num(const char *p, size_t len, size_t *i, int maxdigits, int *ndig)
{
    int v = 0, n = 0;
    while (*i < len && p[*i] >= '0' && p[*i] <= '9' && n < maxdigits) {
        v = v * 10 + (p[*i] - '0');
        (*i)++;
        n++;
    }
    *ndig = n;
    return n ? v : -1;
}

int ex_culture_time_parse(const char *p, size_t len, struct ex_culture_time *t)
{
    struct ex_slice s = trim(p, len);
    p = s.p;
    len = s.len;
    size_t i = 0;
    int n1d, n2d, n3d, d;
    int n1 = read_num(p, len, &i, 4, &n1d);
    if (n1 < 0 || i >= len)
        return -1;
    char sep = p[i];
    if (sep != '/' && sep != '.' && sep != '-')
        return -1;
    i++;
    int n2 = read_num(p, len, &i, 2, &n2d);
    if (n2 < 0 || i >= len || p[i] != sep)
        return -1;
    i++;
    int n3 = read_num(p, len, &i, 4, &n3d);
    if (n3 < 0)
        return -1;
    if (n1d == 4) {
        t->ymd = 1;
        t->year = n1;
        t->a = n2;
        t->b = n3;
        if (n3d > 2)
            return -1;
    } else {
        if (n3d != 4 || n1d > 2)
            return -1;
        t->ymd = 0;
        t->a = n1;
        t->b = n2;
        t->year = n3;
    }
    if (i < len && p[i] == '.') /* some cultures end the date with a dot */
        i++;
    if (i >= len || (p[i] != ' ' && p[i] != 'T'))
        return -1;
    while (i < len && (p[i] == ' ' || p[i] == 'T'))
        i++;
    t->hour = read_num(p, len, &i, 2, &d);
    if (t->hour < 0 || i >= len || p[i] != ':')
        return -1;
    i++;
    t->min = read_num(p, len, &i, 2, &d);
    if (t->min < 0 || d != 2)
        return -1;
    t->sec = 0;
    t->ms = -1;
    if (i < len && p[i] == ':') {
        i++;
        t->sec = read_num(p, len, &i, 2, &d);
        if (t->sec < 0 || d != 2)
            return -1;
        if (i < len && (p[i] == '.' || p[i] == ',')) {
            i++;
            int v = 0, nd = 0;
            while (i < len && p[i] >= '0' && p[i] <= '9') {
                if (nd < 3)
                    v = v * 10 + (p[i] - '0');
                nd++;
                i++;
            }
            if (!nd)
                return -1;
            for (; nd < 3; nd++)
                v *= 10;
            t->ms = v;
        }
    }
    while (i < len && p[i] == ' ')
        i++;
    if (i < len) {
        /* AM/PM designator of cultures with a 12-hour clock (en-US "h:mm:ss tt") */
        size_t rest = len - i;
        int pm;
        if ((rest == 2 || rest == 4) && (p[i] == 'A' || p[i] == 'a' || p[i] == 'P' || p[i] == 'p') &&
            (rest == 2 ? (p[i + 1] == 'M' || p[i + 1] == 'm')
                       : (p[i + 1] == '.' && (p[i + 2] == 'm' || p[i + 2] == 'M') && p[i + 3] == '.')))
            pm = p[i] == 'P' || p[i] == 'p';
        else
            return -1;
        if (t->hour < 1 || t->hour > 12)
            return -1;
        if (t->hour == 12)
            t->hour = 0;
        if (pm)
            t->hour += 12;
    }
    if (t->hour > 23 || t->min > 59 || t->sec > 60)
        return -1;
    if (t->sec == 60)
        t->sec = 59;
    return 0;
}

/* ------------------------------------------------------------------ store */

struct ex_list {
    char *buf;
    size_t len, cap;
    size_t *off, *lens;
    size_t n, ncap;
};

static struct ex_list rcpt_list, status_list; /* reused per row; single-threaded ingest */

/* Grows *BUF (of *CAP bytes, FIRST when it has none yet) by doubling
 * until NEED bytes fit. */
static void reserve(char **buf, size_t *cap, size_t need, size_t first)
{
    if (need <= *cap)
        return;
    size_t c = *cap ? *cap : first;
    while (c < need)
        c *= 2;
    *buf = xrealloc(*buf, c);
    *cap = c;
}

static void list_add(struct ex_list *l, const char *m, size_t mlen)
{
    reserve(&l->buf, &l->cap, l->len + mlen, 256);
    if (l->n == l->ncap) {
        l->ncap = l->ncap ? l->ncap * 2 : 16;
        l->off = xrealloc(l->off, l->ncap * sizeof *l->off);
        l->lens = xrealloc(l->lens, l->ncap * sizeof *l->lens);
    }
    if (mlen)
        memcpy(l->buf + l->len, m, mlen);
    l->off[l->n] = l->len;
    l->lens[l->n] = mlen;
    l->len += mlen;
    l->n++;
}

static void list_add_cb(void *arg, const char *m, size_t mlen)
{
    list_add(arg, m, mlen);
}

void ex_multi_value_each(struct ex_store *st, const char *p, size_t len,
                         void (*fn)(void *arg, const char *m, size_t mlen), void *arg)
{
    size_t i = 0;
    if (!p || !len)
        return;
    if (st->scratch_cap < len + 1) {
        st->scratch_cap = len + 64;
        st->scratch = xrealloc(st->scratch, st->scratch_cap);
    }
    while (i <= len) {
        size_t o = 0;
        if (i < len && p[i] == '\'') {
            /* a member holding ';' or '\'' is in single quotes; '' inside is one quote */
            i++;
            /* The closing quote is the one before ';' or the end; '' or a lone
             * quote elsewhere is data (o'brien@example.com). */
            while (i < len) {
                if (p[i] == '\'' && (i + 1 == len || p[i + 1] == ';')) {
                    i++;
                    break;
                }
                if (p[i] == '\'' && i + 1 < len && p[i + 1] == '\'')
                    i++;
                st->scratch[o++] = p[i++];
            }
        } else {
            while (i < len && p[i] != ';')
                st->scratch[o++] = p[i++];
        }
        struct ex_slice m = trim(st->scratch, o);
        if (m.len)
            fn(arg, m.p, m.len);
        i++; /* the ';' or the end */
    }
}

/* Whether the text at P opens a recipient status: 1 with an SMTP code
 * ("550 ...", a multi-line reply's "550-5.7.26 ..."), 2 with a bracket
 * ("[{LRT=};{LED=...}]", "{250 2.1.5 ...}"), 0 otherwise. */
static int opens_status(const char *p, const char *e)
{
    while (p < e && *p == ' ')
        p++;
    if (p < e && (*p == '[' || *p == '{'))
        return 2;
    return e - p >= 3 && p[0] >= '2' && p[0] <= '5' && p[1] >= '0' && p[1] <= '9' && p[2] >= '0' && p[2] <= '9' &&
           (e - p == 3 || p[3] == ' ' || p[3] == '-');
}

/* 1 when every '[' and '{' in P..E is closed, in order. */
static int brackets_balanced(const char *p, const char *e)
{
    char stack[32];
    size_t n = 0;
    for (; p < e; p++) {
        if (*p == '[' || *p == '{') {
            if (n == sizeof stack)
                return 0;
            stack[n++] = *p == '[' ? ']' : '}';
        } else if (*p == ']' || *p == '}') {
            if (!n || stack[--n] != *p)
                return 0;
        }
    }
    return n == 0;
}

/* 1 when nothing but blanks lies between P and the next ';' or E. */
static int member_empty(const char *p, const char *e)
{
    while (p < e && *p == ' ')
        p++;
    return p == e || *p == ';';
}

/* Recipient statuses, ';'-separated like the recipients they pair with. A
 * status may hold ';' itself: Exchange writes "550 5.1.1
 * RESOLVER.ADR.RecipNotFound; not found", and a DEFER's
 * "[{LRT=};{LED=451 4.4.0 ...};{FQDN=};{IP=}]". So a ';' inside brackets, or
 * after a status that opened with an SMTP code or a bracket and before text
 * that opens none, belongs to the status. Lists of statuses without codes
 * split at every ';' as before, and quoted members go the generic way. */
static void status_each(struct ex_store *st, const char *p, size_t len, struct ex_list *out)
{
    if (!p || !len)
        return;
    if (p[0] == '\'' || memmem(p, len, ";'", 2) || memmem(p, len, "; '", 3)) {
        ex_multi_value_each(st, p, len, list_add_cb, out);
        return;
    }
    const char *e = p + len, *start = p;
    /* brackets nest only when they pair up: a status cut inside one
     * ("550 5.7.1 Rejected [cut") holds no ';' of the next */
    int nest = brackets_balanced(p, e);
    int depth = 0, opened = opens_status(p, e);
    for (const char *c = p; c <= e; c++) {
        if (c < e && nest && (*c == '[' || *c == '{'))
            depth++;
        else if (c < e && nest && (*c == ']' || *c == '}') && depth > 0)
            depth--;
        if (c < e && (*c != ';' || depth > 0 || (opened && !opens_status(c + 1, e) && !member_empty(c + 1, e))))
            continue;
        struct ex_slice m = trim(start, (size_t)(c - start));
        if (m.len)
            list_add(out, m.p, m.len);
        start = c + 1;
        opened = opens_status(start, e);
    }
}

/* Rows are written EX_BATCH to an INSERT: most of the cost of a statement
 * that stores one row is fixed (opening a cursor on the table and each of
 * its indexes, ending the statement), so a statement of sixty-four rows pays
 * it once for all of them. A row's values are copied into st->arena until
 * its batch is written, since the reader's buffer moves on. Rows get their
 * ids from the writer (max(id) + 1 on), so that their recipients can name
 * them before they are stored. */
#define EV_COLS 32 /* id and the 31 columns below */
#define RC_COLS 5

static const char ev_cols[] =
    "INSERT OR FAIL INTO ex_event(id, source_id, line, system, format, ts, server, event, source, message_id,"
    " message_id_raw, network_message_id, internal_id, sender, header_sender, return_path, subject,"
    " size, recipient_count, client_ip, client_ip_logged, client_hostname, server_ip, connector,"
    " directionality, tenant, reference, related_recipient, source_context, custom_data, message_info,"
    " detail) VALUES ";
static const char rc_cols[] = "INSERT OR FAIL INTO ex_recipient(event_id, source_id, line, address, status) VALUES ";

/* "HEAD (?,?,...),(?,?,...)": ROWS groups of NCOL parameters. */
static char *insert_sql(const char *head, int ncol, int rows)
{
    size_t hl = strlen(head), n = hl + (size_t)rows * (size_t)(2 * ncol + 2) + 1;
    char *q = xmalloc(n), *o = q;
    memcpy(o, head, hl);
    o += hl;
    for (int r = 0; r < rows; r++) {
        if (r)
            *o++ = ',';
        *o++ = '(';
        for (int c = 0; c < ncol; c++) {
            if (c)
                *o++ = ',';
            *o++ = '?';
        }
        *o++ = ')';
    }
    *o = '\0';
    return q;
}

int ex_store_open(struct ex_store *st, struct parse_ctx *ctx, const char *system, const char *format)
{
    memset(st, 0, sizeof *st);
    st->system = system;
    st->format = format;
    if (!strcmp(system, "exchange")) {
        st->exo = ipset_new();
        for (size_t i = 0; builtin_exo_ranges[i]; i++) {
            struct ip_net net;
            if (ip_net_parse(builtin_exo_ranges[i], strlen(builtin_exo_ranges[i]), &net) == 0)
                ipset_add(st->exo, &net);
        }
    }
    char *q[4] = {insert_sql(ev_cols, EV_COLS, 1), insert_sql(ev_cols, EV_COLS, EX_BATCH),
                  insert_sql(rc_cols, RC_COLS, 1), insert_sql(rc_cols, RC_COLS, EX_BATCH)};
    int ok = sqlite3_prepare_v2(ctx->db, q[0], -1, &st->ins_event, NULL) == SQLITE_OK &&
             sqlite3_prepare_v2(ctx->db, q[1], -1, &st->ins_events, NULL) == SQLITE_OK &&
             sqlite3_prepare_v2(ctx->db, q[2], -1, &st->ins_recipient, NULL) == SQLITE_OK &&
             sqlite3_prepare_v2(ctx->db, q[3], -1, &st->ins_recipients, NULL) == SQLITE_OK &&
             sqlite3_prepare_v2(ctx->db, "SELECT coalesce(max(id), 0) + 1 FROM ex_event", -1, &st->next_id, NULL) ==
                 SQLITE_OK;
    for (int i = 0; i < 4; i++)
        free(q[i]);
    if (!ok) {
        snprintf(ctx->reason, sizeof ctx->reason, "cannot prepare the Exchange insert: %s", sqlite3_errmsg(ctx->db));
        ex_store_close(st);
        return PARSE_FATAL;
    }
    return 0;
}

void ex_store_close(struct ex_store *st)
{
    sqlite3_finalize(st->ins_event);
    sqlite3_finalize(st->ins_events);
    sqlite3_finalize(st->ins_recipient);
    sqlite3_finalize(st->ins_recipients);
    sqlite3_finalize(st->next_id);
    ipset_free(st->exo);
    free(st->scratch);
    free(st->arena);
    free(st->vals);
    free(st->rvals);
    memset(st, 0, sizeof *st);
}

/* Copies LEN bytes into the arena; returns their offset. */
static size_t arena_put(struct ex_store *st, const char *p, size_t len)
{
    reserve(&st->arena, &st->arena_cap, st->arena_len + len, 16384);
    size_t off = st->arena_len;
    if (len)
        memcpy(st->arena + off, p, len);
    st->arena_len += len;
    return off;
}

static void val_null(struct ex_val *v)
{
    v->kind = EX_VAL_NULL;
}

static void val_int(struct ex_val *v, int64_t n)
{
    v->kind = EX_VAL_INT;
    v->i = n;
}

/* A constant string that outlives the batch. */
static void val_static(struct ex_val *v, const char *s)
{
    v->kind = EX_VAL_STATIC;
    v->s = s;
    v->len = strlen(s);
}

static void val_text(struct ex_store *st, struct ex_val *v, const char *p, size_t len)
{
    v->kind = EX_VAL_TEXT;
    v->off = arena_put(st, p, len);
    v->len = len;
}

/* An empty or absent field is NULL. */
static void val_slice(struct ex_store *st, struct ex_val *v, struct ex_slice s)
{
    if (s.p && s.len)
        val_text(st, v, s.p, s.len);
    else
        val_null(v);
}

static void bind_val(const struct ex_store *st, sqlite3_stmt *s, int i, const struct ex_val *v)
{
    switch (v->kind) {
    case EX_VAL_INT:
        sqlite3_bind_int64(s, i, v->i);
        break;
    case EX_VAL_TEXT:
        sqlite3_bind_text(s, i, st->arena + v->off, (int)v->len, SQLITE_STATIC);
        break;
    case EX_VAL_STATIC:
        sqlite3_bind_text(s, i, v->s, (int)v->len, SQLITE_STATIC);
        break;
    default:
        sqlite3_bind_null(s, i);
    }
}

/* Binds ROWS rows of NCOL values and runs STMT once. */
static int insert_rows(const struct ex_store *st, sqlite3_stmt *stmt, const struct ex_val *v, int ncol, size_t rows)
{
    for (size_t r = 0; r < rows; r++)
        for (int c = 0; c < ncol; c++)
            bind_val(st, stmt, (int)r * ncol + c + 1, &v[r * (size_t)ncol + (size_t)c]);
    int rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    return rc == SQLITE_DONE ? 0 : -1;
}

int ex_store_flush(struct ex_store *st, struct parse_ctx *ctx)
{
    if (!st->nrows)
        return 0;
    int ok = sqlite3_step(st->next_id) == SQLITE_ROW;
    sqlite3_int64 id = sqlite3_column_int64(st->next_id, 0);
    sqlite3_reset(st->next_id);
    for (size_t r = 0; ok && r < st->nrows; r++)
        val_int(&st->vals[r * EV_COLS], id + (sqlite3_int64)r);
    for (size_t k = 0; ok && k < st->nrvals; k++)
        st->rvals[k * RC_COLS].i += id; /* the row's place in the batch, until now */
    if (ok)
        ok = st->nrows == EX_BATCH ? insert_rows(st, st->ins_events, st->vals, EV_COLS, EX_BATCH) == 0 : 1;
    for (size_t r = 0; ok && st->nrows < EX_BATCH && r < st->nrows; r++)
        ok = insert_rows(st, st->ins_event, st->vals + r * EV_COLS, EV_COLS, 1) == 0;
    size_t k = 0;
    for (; ok && k + EX_BATCH <= st->nrvals; k += EX_BATCH)
        ok = insert_rows(st, st->ins_recipients, st->rvals + k * RC_COLS, RC_COLS, EX_BATCH) == 0;
    for (; ok && k < st->nrvals; k++)
        ok = insert_rows(st, st->ins_recipient, st->rvals + k * RC_COLS, RC_COLS, 1) == 0;
    if (!ok) {
        ctx->line_no = st->first_line; /* the message names the batch, not the line being read */
        snprintf(ctx->reason, sizeof ctx->reason, "cannot store the rows of lines %llu-%llu: %s",
                 (unsigned long long)st->first_line, (unsigned long long)st->last_line, sqlite3_errmsg(ctx->db));
    }
    st->nrows = st->nrvals = st->arena_len = 0;
    return ok ? 0 : PARSE_FATAL;
}

static int parse_int64(struct ex_slice v, int64_t *out)
{
    v = trim(v.p, v.len);
    if (!v.p || !v.len || v.len > 18)
        return 0;
    int64_t n = 0;
    for (size_t i = 0; i < v.len; i++) {
        if (v.p[i] < '0' || v.p[i] > '9')
            return 0;
        n = n * 10 + (v.p[i] - '0');
    }
    *out = n;
    return 1;
}

static int slice_eq(struct ex_slice v, const char *s)
{
    size_t n = strlen(s);
    return v.p && v.len == n && strncasecmp(v.p, s, n) == 0;
}

/* Name=... of the inbound connector in a trace detail Data value
 * (<MEP Name="CustomData" String="S:InboundConnectorData=Name=X;..."/>). */
static struct ex_slice inbound_connector(struct ex_slice data)
{
    static const char key[] = "InboundConnectorData=Name=";
    if (!data.p)
        return (struct ex_slice){NULL, 0};
    const char *hit = memmem(data.p, data.len, key, sizeof key - 1);
    if (!hit)
        return (struct ex_slice){NULL, 0};
    const char *v = hit + sizeof key - 1, *end = data.p + data.len, *e = v;
    while (e < end && *e != ';' && *e != '"' && *e != '|' && *e != '&' && *e != '<')
        e++;
    return trim(v, (size_t)(e - v));
}

/* Whether the address in V lies in Exchange Online's ranges. */
static int from_exo(const struct ex_store *st, struct ex_slice v)
{
    v = ex_ip_strip_zone(v.p, v.len);
    struct ip_addr a;
    return v.p && v.len && ip_parse(v.p, v.len, &a) == 0 && ipset_contains(st->exo, &a);
}

int ex_store_row(struct ex_store *st, struct parse_ctx *ctx, const struct ex_slice *col, int64_t epoch, int ms,
                 uint64_t line)
{
    if (st->nrows == EX_BATCH) {
        int rc = ex_store_flush(st, ctx);
        if (rc)
            return rc;
    }
    if (!st->vals)
        st->vals = xmalloc(EX_BATCH * EV_COLS * sizeof *st->vals);
    if (!st->nrows)
        st->first_line = line;
    st->last_line = line;
    struct ex_val *v = st->vals + st->nrows * EV_COLS; /* v[0] is the id, v[1] source_id, ... */
    char ts[TIME_TEXT_MAX];
    size_t tslen = time_format(epoch, ms, ts);
    int onprem = strcmp(st->system, "exchange") == 0;

    val_int(&v[1], ctx->source_id);
    val_int(&v[2], (sqlite3_int64)line);
    val_static(&v[3], st->system);
    val_static(&v[4], st->format);
    val_text(st, &v[5], ts, tslen);
    val_slice(st, &v[6], col[EXC_SERVER_HOST]);
    struct ex_slice event = col[EXC_EVENT].len ? col[EXC_EVENT] : col[EXC_STATUS];
    val_slice(st, &v[7], event);
    val_slice(st, &v[8], col[EXC_SOURCE]);
    val_slice(st, &v[9], ex_message_id_normalise(col[EXC_MESSAGE_ID].p, col[EXC_MESSAGE_ID].len));
    val_slice(st, &v[10], col[EXC_MESSAGE_ID]);
    val_slice(st, &v[11], col[EXC_NETWORK_ID]);
    val_slice(st, &v[12], col[EXC_INTERNAL_ID]);

    /* Envelope sender: '' for the null sender. Tracking logs write it as an
     * empty sender-address with return-path <>; the message trace as an
     * empty SenderAddress or <>. */
    struct ex_slice sender = trim(col[EXC_SENDER].p, col[EXC_SENDER].len);
    if (slice_eq(sender, "<>") ||
        (!sender.len && ((st->empty_sender_is_null && col[EXC_SENDER].p) ||
                         slice_eq(trim(col[EXC_RETURN_PATH].p, col[EXC_RETURN_PATH].len), "<>"))))
        val_static(&v[13], "");
    else
        val_slice(st, &v[13], sender);
    val_null(&v[14]); /* no export here carries the header From */
    val_slice(st, &v[15], col[EXC_RETURN_PATH]);
    val_slice(st, &v[16], col[EXC_SUBJECT]);
    int64_t n;
    if (parse_int64(col[EXC_SIZE], &n))
        val_int(&v[17], n);
    else
        val_null(&v[17]);

    /* Recipients and their statuses, paired by position. */
    rcpt_list.n = rcpt_list.len = 0;
    status_list.n = status_list.len = 0;
    int have_rcpt_col = col[EXC_RECIPIENTS].p != NULL;
    struct ex_slice rc = trim(col[EXC_RECIPIENTS].p, col[EXC_RECIPIENTS].len);
    if (slice_eq(rc, "System.String[]")) {
        /* Export-Csv wrote the array's type name instead of the addresses. */
        if (!st->warned_string_array) {
            st->warned_string_array = 1;
            parser_warn(ctx, "Recipients reads 'System.String[]': the export lost its recipients; export "
                             "them with @{n='Recipients';e={$_.Recipients -join ';'}}");
        }
    } else {
        ex_multi_value_each(st, col[EXC_RECIPIENTS].p, col[EXC_RECIPIENTS].len, list_add_cb, &rcpt_list);
    }
    /* An export without a recipients column (the enhanced summary) lists
     * "address##events" members there: addresses, never SMTP statuses. */
    if (have_rcpt_col)
        status_each(st, col[EXC_RECIPIENT_STATUS].p, col[EXC_RECIPIENT_STATUS].len, &status_list);
    else
        ex_multi_value_each(st, col[EXC_RECIPIENT_STATUS].p, col[EXC_RECIPIENT_STATUS].len, list_add_cb, &status_list);
    int enhanced = 0;
    if (!have_rcpt_col && status_list.n) {
        /* enhanced summary report: recipient_status is "addr##Receive, Deliver;..." */
        for (size_t i = 0; i < status_list.n; i++)
            if (memmem(status_list.buf + status_list.off[i], status_list.lens[i], "##", 2))
                enhanced = 1;
    }
    size_t nrcpt = enhanced ? status_list.n : rcpt_list.n;
    if (parse_int64(col[EXC_RECIPIENT_COUNT], &n))
        val_int(&v[18], n);
    else if (have_rcpt_col && rcpt_list.n)
        val_int(&v[18], (sqlite3_int64)rcpt_list.n);
    else if (enhanced)
        val_int(&v[18], (sqlite3_int64)nrcpt);
    else
        val_null(&v[18]);

    /* The entry hop's connecting IP. A proxied on-prem RECEIVE logs the
     * front end as client-ip and the sender in original-client-ip or
     * S:ProxiedClientIPAddress. But original-client-ip is the first client
     * of the message, carried from hop to hop: mail that Exchange Online
     * hands on to on-prem (hybrid) names the internet sender there, while
     * client-ip is Exchange Online itself, the hop that counts. */
    struct ex_slice cip = col[EXC_CLIENT_IP];
    int entry = !onprem || (slice_eq(col[EXC_EVENT], "RECEIVE") && slice_eq(col[EXC_SOURCE], "SMTP"));
    if (entry && st->exo && from_exo(st, col[EXC_CLIENT_IP]))
        entry = 0;
    if (entry) {
        struct ex_slice orig = trim(col[EXC_ORIG_CLIENT_IP].p, col[EXC_ORIG_CLIENT_IP].len);
        struct ex_slice prox =
            ex_custom_data_get(col[EXC_CUSTOM_DATA].p, col[EXC_CUSTOM_DATA].len, "S:ProxiedClientIPAddress");
        if (orig.len)
            cip = orig;
        else if (onprem && prox.len)
            cip = prox;
    }
    val_slice(st, &v[19], ex_ip_strip_zone(cip.p, cip.len));
    val_slice(st, &v[20], col[EXC_CLIENT_IP]);
    val_slice(st, &v[21], col[EXC_CLIENT_HOST]);
    val_slice(st, &v[22], col[EXC_SERVER_IP]);
    struct ex_slice conn = col[EXC_CONNECTOR];
    if (!conn.len)
        conn = inbound_connector(col[EXC_CUSTOM_DATA]);
    val_slice(st, &v[23], conn);
    const char *dir = ex_directionality(col[EXC_DIRECTIONALITY].p, col[EXC_DIRECTIONALITY].len);
    if (dir)
        val_static(&v[24], dir);
    else
        val_null(&v[24]);
    val_slice(st, &v[25], col[EXC_TENANT]);
    val_slice(st, &v[26], col[EXC_REFERENCE]);
    val_slice(st, &v[27], col[EXC_RELATED_RECIPIENT]);
    val_slice(st, &v[28], col[EXC_SOURCE_CONTEXT]);
    val_slice(st, &v[29], col[EXC_CUSTOM_DATA]);
    val_slice(st, &v[30], col[EXC_MESSAGE_INFO]);
    if (col[EXC_ACTION].len || col[EXC_DETAIL].len) {
        /* "action: detail", either part alone without the colon */
        struct ex_val *d = &v[31];
        val_text(st, d, col[EXC_ACTION].p, col[EXC_ACTION].len);
        if (col[EXC_ACTION].len && col[EXC_DETAIL].len) {
            arena_put(st, ": ", 2);
            d->len += 2;
        }
        arena_put(st, col[EXC_DETAIL].p, col[EXC_DETAIL].len);
        d->len += col[EXC_DETAIL].len;
    } else {
        val_null(&v[31]);
    }
    size_t row = st->nrows++;
    ctx->events++;
    parser_note_time(ctx, epoch);

    for (size_t i = 0; i < nrcpt; i++) {
        char *a;
        size_t alen;
        struct ex_slice status = {NULL, 0};
        if (enhanced) {
            a = status_list.buf + status_list.off[i];
            alen = status_list.lens[i];
            const char *hh = memmem(a, alen, "##", 2);
            if (hh) {
                status = trim(hh + 2, alen - (size_t)(hh - a) - 2);
                alen = (size_t)(hh - a);
            }
        } else {
            a = rcpt_list.buf + rcpt_list.off[i];
            alen = rcpt_list.lens[i];
            if (status_list.n == 1)
                status = (struct ex_slice){status_list.buf + status_list.off[0], status_list.lens[0]};
            else if (i < status_list.n)
                status = (struct ex_slice){status_list.buf + status_list.off[i], status_list.lens[i]};
            else if (col[EXC_STATUS].len)
                status = col[EXC_STATUS];
            else if (!onprem && col[EXC_EVENT].len)
                status = col[EXC_EVENT];
        }
        for (size_t k = 0; k < alen; k++)
            a[k] = (char)tolower((unsigned char)a[k]);
        struct ex_slice addr = trim(a, alen);
        if (!addr.len)
            continue;
        if (st->nrvals == st->rvals_cap) {
            st->rvals_cap = st->rvals_cap ? st->rvals_cap * 2 : 64;
            st->rvals = xrealloc(st->rvals, st->rvals_cap * RC_COLS * sizeof *st->rvals);
        }
        struct ex_val *rv = st->rvals + st->nrvals++ * RC_COLS;
        val_int(&rv[0], (int64_t)row); /* made an id by ex_store_flush */
        val_int(&rv[1], ctx->source_id);
        val_int(&rv[2], (int64_t)line);
        val_text(st, &rv[3], addr.p, addr.len);
        val_slice(st, &rv[4], status);
    }
    return 0;
}

/* ------------------------------------------------- CSV-shaped export engine */

/* Field lists of header-less tracking logs. Exchange 2013 and later write 30
 * fields, Exchange 2010 26 (the #Fields lines of the two versions; see the
 * samples in the corpus README). A file without its header is accepted with
 * these lists when its rows have exactly that many fields. */
static const char fields_2013[] =
    "date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,source,"
    "event-id,internal-message-id,message-id,network-message-id,recipient-address,recipient-status,"
    "total-bytes,recipient-count,related-recipient-address,reference,message-subject,sender-address,"
    "return-path,message-info,directionality,tenant-id,original-client-ip,original-server-ip,custom-data,"
    "transport-traffic-type,log-id,schema-version";
static const char fields_2010[] =
    "date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,source,"
    "event-id,internal-message-id,message-id,recipient-address,recipient-status,total-bytes,"
    "recipient-count,related-recipient-address,reference,message-subject,sender-address,return-path,"
    "message-info,directionality,tenant-id,original-client-ip,original-server-ip,custom-data";

struct ex_pending {
    uint64_t line;
    size_t data_off; /* into pend_buf */
    size_t lens_off; /* into pend_lens */
    size_t nf;
};

struct ex_tab {
    const struct ex_format *fmt;
    struct ex_store store;
    struct csv_reader csv;
    int csv_ready;
    int have_header;
    size_t ncols;
    int colidx[EXC_COUNT];
    struct ex_slice *fields; /* the current record as slices */
    size_t fields_cap;
    uint64_t rec_line;
    uint64_t rows;
    enum date_order order;
    /* rows waiting for the day/month order */
    char *pend_buf;
    size_t pend_len, pend_cap;
    size_t *pend_lens;
    size_t pend_nlens, pend_lens_cap;
    struct ex_pending *pend;
    size_t npend, pend_n_cap;
    char ambiguous[64];
    uint64_t ambiguous_line;
    /* The lines of the CSV record being read, kept so that a record spanning
     * lines is rejected whole, with its first line's number. */
    char *raw;
    size_t raw_len, raw_cap;
    struct ex_raw_line {
        size_t off, len;
        uint64_t line, offset;
    } * raw_lines;
    size_t nraw, raw_lines_cap;
    int csv_broken; /* the last record failed as CSV (quoting), not as a row */
};

static void tab_fields_reserve(struct ex_tab *t, size_t n)
{
    if (n > t->fields_cap) {
        t->fields_cap = n + 16;
        t->fields = xrealloc(t->fields, t->fields_cap * sizeof *t->fields);
    }
}

/* Maps a header (fields already split) to columns; PARSE_FATAL naming the
 * missing minimum columns. */
static int tab_set_header(struct ex_tab *t, struct parse_ctx *ctx, const struct csv_field *f, size_t nf)
{
    for (int c = 0; c < EXC_COUNT; c++)
        t->colidx[c] = -1;
    for (size_t i = 0; i < nf; i++) {
        enum ex_col c = ex_column_from_name(f[i].p, f[i].len);
        if (c != EXC_NONE && t->colidx[c] < 0)
            t->colidx[c] = (int)i;
    }
    t->ncols = nf;
    char missing[160] = "";
    size_t mlen = 0;
    for (size_t i = 0; t->fmt->required[i]; i++)
        if (t->colidx[t->fmt->required[i]] < 0)
            mlen += (size_t)snprintf(missing + mlen, mlen < sizeof missing ? sizeof missing - mlen : 0, "%s%s",
                                     mlen ? ", " : "", t->fmt->required_names[i]);
    if (mlen) {
        snprintf(ctx->reason, sizeof ctx->reason, "%s: header lacks required column(s) %s", t->fmt->name, missing);
        return PARSE_FATAL;
    }
    t->have_header = 1;
    return 0;
}

static int tab_set_header_text(struct ex_tab *t, struct parse_ctx *ctx, const char *text, size_t len)
{
    struct csv_reader hr;
    char err[128];
    csv_init(&hr, ',');
    int rc = csv_feed(&hr, text, len, err, sizeof err);
    if (rc == CSV_RECORD)
        rc = tab_set_header(t, ctx, hr.fields, hr.nfields);
    else {
        snprintf(ctx->reason, sizeof ctx->reason, "%s: unreadable header: %s", t->fmt->name,
                 rc == CSV_MORE ? "open quote" : err);
        rc = PARSE_FATAL;
    }
    csv_free(&hr);
    return rc;
}

static const char *order_name(enum date_order o)
{
    return o == DATE_ORDER_DMY ? "d/m/y" : o == DATE_ORDER_MDY ? "m/d/y" : "y/m/d";
}

static int tab_store(struct ex_tab *t, struct parse_ctx *ctx, const struct ex_slice *f, int64_t epoch, int ms,
                     uint64_t line)
{
    struct ex_slice col[EXC_COUNT];
    for (int c = 0; c < EXC_COUNT; c++)
        col[c] = t->colidx[c] >= 0 ? f[t->colidx[c]] : (struct ex_slice){NULL, 0};
    return ex_store_row(&t->store, ctx, col, epoch, ms, line);
}

static int64_t civil_epoch(const struct ex_tab *t, int y, int m, int d, const struct ex_culture_time *ct)
{
    if (t->fmt->time_kind == EX_TIME_CULTURE_LOCAL)
        return time_local_to_utc(y, m, d, ct->hour, ct->min, ct->sec);
    return time_from_civil(y, m, d, ct->hour, ct->min, ct->sec);
}

static int tab_replay(struct ex_tab *t, struct parse_ctx *ctx);

/* One complete record. Returns a parse_result; may buffer it while the
 * day/month order is unknown. */
static int tab_record(struct ex_tab *t, struct parse_ctx *ctx, const struct ex_slice *f, size_t nf, uint64_t line)
{
    if (nf != t->ncols)
        return parser_reject(ctx, "expected %zu fields (as the header says), found %zu", t->ncols, nf);
    struct ex_slice tv = trim(f[t->colidx[EXC_TIME]].p, f[t->colidx[EXC_TIME]].len);
    int64_t epoch;
    int ms;
    int has_zone = 0;
    size_t used =
        tv.len ? time_parse_iso(tv.p, tv.len, t->fmt->time_kind != EX_TIME_CULTURE_LOCAL, &epoch, &ms, &has_zone) : 0;
    if (used && used == tv.len) {
        if (!has_zone && t->fmt->time_kind == EX_TIME_CULTURE_LOCAL)
            ctx->local_times = 1;
        return tab_store(t, ctx, f, epoch, ms, line);
    }
    struct ex_culture_time ct;
    if (t->fmt->time_kind == EX_TIME_ISO_UTC || ex_culture_time_parse(tv.p, tv.len, &ct) != 0)
        return parser_reject(ctx, "unparseable time '%.*s'", (int)(tv.len > 60 ? 60 : tv.len), tv.p);
    int y = ct.year, m, d;
    if (ct.ymd) {
        m = ct.a;
        d = ct.b;
    } else {
        enum date_order o = t->order;
        if (o == DATE_ORDER_AUTO) {
            if (ct.a > 12 && ct.b <= 12)
                o = DATE_ORDER_DMY;
            else if (ct.b > 12 && ct.a <= 12)
                o = DATE_ORDER_MDY;
            else if (ct.a > 12 && ct.b > 12)
                return parser_reject(ctx, "'%.*s' is not a date in any day/month order", (int)tv.len, tv.p);
            else if (ct.a != ct.b) {
                /* 3/4/2026: wait for a date that tells the order */
                if (!t->npend) {
                    snprintf(t->ambiguous, sizeof t->ambiguous, "%.*s", (int)tv.len, tv.p);
                    t->ambiguous_line = line;
                }
                if (t->npend == t->pend_n_cap) {
                    t->pend_n_cap = t->pend_n_cap ? t->pend_n_cap * 2 : 64;
                    t->pend = xrealloc(t->pend, t->pend_n_cap * sizeof *t->pend);
                }
                struct ex_pending *p = &t->pend[t->npend++];
                p->line = line;
                p->nf = nf;
                p->data_off = t->pend_len;
                p->lens_off = t->pend_nlens;
                for (size_t i = 0; i < nf; i++) {
                    if (t->pend_len + f[i].len > t->pend_cap) {
                        t->pend_cap = (t->pend_len + f[i].len) * 2 + 1024;
                        t->pend_buf = xrealloc(t->pend_buf, t->pend_cap);
                    }
                    if (f[i].len)
                        memcpy(t->pend_buf + t->pend_len, f[i].p, f[i].len);
                    t->pend_len += f[i].len;
                    if (t->pend_nlens == t->pend_lens_cap) {
                        t->pend_lens_cap = t->pend_lens_cap ? t->pend_lens_cap * 2 : 1024;
                        t->pend_lens = xrealloc(t->pend_lens, t->pend_lens_cap * sizeof *t->pend_lens);
                    }
                    t->pend_lens[t->pend_nlens++] = f[i].len;
                }
                return PARSE_OK;
            } else {
                o = DATE_ORDER_MDY; /* day == month: either order gives the same date */
            }
            if (o != DATE_ORDER_AUTO && ct.a != ct.b) {
                t->order = o;
                int rc = tab_replay(t, ctx);
                if (rc != 0)
                    return rc;
            }
        }
        if (o == DATE_ORDER_YMD)
            return parser_reject(ctx, "'%.*s' is not a y/m/d date (--date-order ymd)", (int)tv.len, tv.p);
        if (o == DATE_ORDER_DMY) {
            d = ct.a;
            m = ct.b;
        } else {
            m = ct.a;
            d = ct.b;
        }
        if (!time_valid_date(y, m, d))
            return parser_reject(ctx, "'%.*s' is not a valid %s date", (int)tv.len, tv.p, order_name(o));
    }
    if (!time_valid_date(y, m, d))
        return parser_reject(ctx, "'%.*s' is not a valid date", (int)tv.len, tv.p);
    if (t->fmt->time_kind == EX_TIME_CULTURE_LOCAL)
        ctx->local_times = 1;
    return tab_store(t, ctx, f, civil_epoch(t, y, m, d, &ct), ct.ms, line);
}

/* Stores the rows that waited for the day/month order (now known). */
static int tab_replay(struct ex_tab *t, struct parse_ctx *ctx)
{
    size_t n = t->npend;
    t->npend = 0;
    for (size_t k = 0; k < n; k++) {
        struct ex_pending *p = &t->pend[k];
        size_t off = p->data_off;
        struct ex_slice *f = xmalloc((p->nf ? p->nf : 1) * sizeof *f);
        for (size_t i = 0; i < p->nf; i++) {
            f[i].p = t->pend_buf + off;
            f[i].len = t->pend_lens[p->lens_off + i];
            off += f[i].len;
        }
        int rc = tab_record(t, ctx, f, p->nf, p->line);
        free(f);
        if (rc == PARSE_FATAL)
            return rc;
        /* Both fields are 12 or less, so the date is valid in either order:
         * a buffered row cannot be rejected here. */
    }
    t->pend_len = t->pend_nlens = 0;
    return 0;
}

int ex_tab_open(const struct ex_format *fmt, struct parse_ctx *ctx, void **state)
{
    struct ex_tab *t = xcalloc(1, sizeof *t);
    t->fmt = fmt;
    for (int c = 0; c < EXC_COUNT; c++)
        t->colidx[c] = -1;
    t->order = ctx->opt ? ctx->opt->date_order : DATE_ORDER_AUTO;
    if (ex_store_open(&t->store, ctx, fmt->system, fmt->name) != 0) {
        free(t);
        return PARSE_FATAL;
    }
    t->store.empty_sender_is_null = fmt->empty_sender_is_null;
    csv_init(&t->csv, ',');
    *state = t;
    return 0;
}

void ex_tab_close(void *state)
{
    struct ex_tab *t = state;
    if (!t)
        return;
    ex_store_close(&t->store);
    csv_free(&t->csv);
    free(t->fields);
    free(t->pend_buf);
    free(t->pend_lens);
    free(t->pend);
    free(t->raw);
    free(t->raw_lines);
    free(t);
}

static int starts_with(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && strncasecmp(s, prefix, n) == 0;
}

/* The tracking log's own header lines (#Software, #Version, #Log-type,
 * #Date, #Fields), as in the W3C extended log format Exchange follows. */
static int tab_fields_comment(struct ex_tab *t, struct parse_ctx *ctx, const char *text, size_t len)
{
    if (starts_with(text, len, "#Fields:")) {
        size_t i = 8;
        while (i < len && text[i] == ' ')
            i++;
        int rc = tab_set_header_text(t, ctx, text + i, len - i);
        return rc ? rc : PARSE_SKIP;
    }
    if (starts_with(text, len, "#Log-type:")) {
        struct ex_slice v = trim(text + 10, len - 10);
        if (!(v.len == 20 && strncasecmp(v.p, "Message Tracking Log", 20) == 0)) {
            snprintf(ctx->reason, sizeof ctx->reason,
                     "this is an Exchange '%.*s', not a message tracking log (#Log-type: Message Tracking Log)",
                     (int)(v.len > 80 ? 80 : v.len), v.p);
            return PARSE_FATAL;
        }
    }
    return PARSE_SKIP;
}

static int tab_line_one(struct ex_tab *t, struct parse_ctx *ctx, const char *text, size_t len)
{
    char err[160];
    if (ctx->line_no == 1 && len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3; /* the reader removes a BOM; this is for input that bypassed it */
        len -= 3;
    }
    int in_record = t->csv.lines > 0;
    if (!in_record) {
        if (len == 0)
            return PARSE_SKIP;
        if (t->fmt->header_kind == EX_HEADER_FIELDS_LINE && text[0] == '#')
            return tab_fields_comment(t, ctx, text, len);
        if (t->fmt->header_kind == EX_HEADER_FIRST_LINE && !t->have_header) {
            if (text[0] == '#') /* "#TYPE Selected.Microsoft...." of Windows PowerShell's Export-Csv */
                return PARSE_SKIP;
            if (!t->csv_ready) {
                t->csv.delim = csv_guess_delimiter(text, len);
                t->csv_ready = 1;
            }
            int rc = csv_feed(&t->csv, text, len, err, sizeof err);
            if (rc != CSV_RECORD) {
                snprintf(ctx->reason, sizeof ctx->reason, "%s: unreadable header line: %s", t->fmt->name,
                         rc == CSV_MORE ? "open quote" : err);
                return PARSE_FATAL;
            }
            rc = tab_set_header(t, ctx, t->csv.fields, t->csv.nfields);
            csv_reset(&t->csv);
            return rc ? rc : PARSE_SKIP;
        }
        t->rec_line = ctx->line_no;
    }
    int rc = csv_feed(&t->csv, text, len, err, sizeof err);
    if (rc == CSV_ERROR) {
        t->csv_broken = 1;
        return parser_reject(ctx, "%s", err);
    }
    if (rc == CSV_MORE) {
        if (t->fmt->header_kind == EX_HEADER_FIELDS_LINE) {
            /* tracking log files hold one record per line */
            csv_reset(&t->csv);
            return parser_reject(ctx, "unterminated quoted field");
        }
        return PARSE_OK;
    }
    if (!t->have_header) {
        /* A tracking log without its #Fields line (cut by a collector). */
        const char *list = t->csv.nfields == 30 ? fields_2013 : t->csv.nfields == 26 ? fields_2010 : NULL;
        if (!list || !time_parse_iso(t->csv.fields[0].p, t->csv.fields[0].len, 1, &(int64_t){0}, &(int){0}, NULL))
            return parser_reject(ctx, "no #Fields header before this row, and it is not a 26- or 30-field "
                                      "tracking row");
        if (tab_set_header_text(t, ctx, list, strlen(list)) != 0)
            return PARSE_FATAL;
    }
    tab_fields_reserve(t, t->csv.nfields);
    for (size_t i = 0; i < t->csv.nfields; i++) {
        t->fields[i].p = t->csv.fields[i].p;
        t->fields[i].len = t->csv.fields[i].len;
    }
    t->rows++;
    rc = tab_record(t, ctx, t->fields, t->csv.nfields, t->rec_line);
    if (rc == PARSE_REJECT && t->rec_line != ctx->line_no) {
        char r[sizeof ctx->reason];
        memcpy(r, ctx->reason, sizeof r);
        snprintf(ctx->reason, sizeof ctx->reason, "record from line %llu: %.200s", (unsigned long long)t->rec_line, r);
    }
    return rc;
}

static void raw_add(struct ex_tab *t, struct parse_ctx *ctx, const char *text, size_t len)
{
    if (t->raw_len + len + 1 > t->raw_cap) {
        t->raw_cap = (t->raw_len + len + 1) * 2;
        t->raw = xrealloc(t->raw, t->raw_cap);
    }
    if (t->nraw == t->raw_lines_cap) {
        t->raw_lines_cap = t->raw_lines_cap ? t->raw_lines_cap * 2 : 8;
        t->raw_lines = xrealloc(t->raw_lines, t->raw_lines_cap * sizeof *t->raw_lines);
    }
    struct ex_raw_line *l = &t->raw_lines[t->nraw++];
    l->off = t->raw_len;
    l->len = len;
    l->line = ctx->line_no;
    l->offset = ctx->offset;
    memcpy(t->raw + t->raw_len, text, len);
    t->raw_len += len;
    t->raw[t->raw_len++] = '\n';
}

/* One line of a CSV export. A record that spans lines (a quoted field with a
 * newline) is only judged at its last line; if it is broken, the reject names
 * its first line and holds all its lines. When the quoting itself is broken
 * (a quote never closed), only the first line is rejected and the lines after
 * it are read again as records of their own, so one stray quote costs one row. */
int ex_tab_line(void *state, struct parse_ctx *ctx, const char *text, size_t len)
{
    struct ex_tab *t = state;
    if (t->csv.lines == 0)
        t->raw_len = t->nraw = 0;
    raw_add(t, ctx, text, len);
    t->csv_broken = 0;
    int rc = tab_line_one(t, ctx, text, len);
    if (t->csv.lines > 0 || t->nraw < 2 || rc != PARSE_REJECT)
        return rc;

    /* A record of several lines was rejected. */
    struct ex_raw_line first = t->raw_lines[0];
    if (!t->csv_broken) {
        rc = parser_reject_record(ctx, first.line, first.offset, t->raw, t->raw_len - 1, ctx->reason);
        t->raw_len = t->nraw = 0;
        return rc ? rc : PARSE_OK;
    }
    char reason[sizeof ctx->reason];
    snprintf(reason, sizeof reason, "a quoted field opened here is not closed where the record should end (%.180s)",
             ctx->reason);
    rc = parser_reject_record(ctx, first.line, first.offset, t->raw + first.off, first.len, reason);
    if (rc)
        return rc;
    /* Read the following lines again, as records of their own. */
    size_t n = t->nraw, rawlen = t->raw_len;
    char *copy = xmalloc(rawlen);
    memcpy(copy, t->raw, rawlen);
    struct ex_raw_line *lines = xmalloc(n * sizeof *lines);
    memcpy(lines, t->raw_lines, n * sizeof *lines);
    uint64_t cur_line = ctx->line_no, cur_offset = ctx->offset;
    csv_reset(&t->csv);
    t->raw_len = t->nraw = 0;
    for (size_t i = 1; i < n && rc != PARSE_FATAL; i++) {
        ctx->line_no = lines[i].line;
        ctx->offset = lines[i].offset;
        rc = ex_tab_line(t, ctx, copy + lines[i].off, lines[i].len);
        if (rc == PARSE_REJECT && i + 1 < n) {
            /* Not the driver's current line: store it here. */
            char r[sizeof ctx->reason];
            memcpy(r, ctx->reason, sizeof r);
            rc = parser_reject_record(ctx, lines[i].line, lines[i].offset, copy + lines[i].off, lines[i].len, r);
        }
    }
    ctx->line_no = cur_line;
    ctx->offset = cur_offset;
    free(copy);
    free(lines);
    return rc;
}

int ex_tab_finish(void *state, struct parse_ctx *ctx)
{
    struct ex_tab *t = state;
    if (t->csv.lines > 0) {
        int rc = t->nraw
                     ? parser_reject_record(ctx, t->raw_lines[0].line, t->raw_lines[0].offset, t->raw, t->raw_len - 1,
                                            "the record ends inside a quoted field at the end of the file")
                     : 0;
        csv_reset(&t->csv);
        t->raw_len = t->nraw = 0;
        if (rc)
            return rc;
    }
    if (t->npend) {
        /* The message names the line with the date, not the file's end where it was decided. */
        ctx->line_no = t->ambiguous_line;
        snprintf(ctx->reason, sizeof ctx->reason,
                 "day/month order is ambiguous: '%s' may be day/month or month/day and no date in the file has "
                 "a day above 12; rerun with --date-order dmy or --date-order mdy",
                 t->ambiguous);
        return PARSE_FATAL;
    }
    int rc = ex_store_flush(&t->store, ctx);
    if (rc)
        return rc;
    if (t->fmt->warn_result_limit && (t->rows == 1000 || t->rows == 5000))
        parser_warn(ctx,
                    "exactly %llu rows: the cmdlet's result limit; the export is probably truncated "
                    "(page with -ResultSize/-StartingRecipientAddress or smaller time windows)",
                    (unsigned long long)t->rows);
    return 0;
}

/* ------------------------------------------------------------- detection */

size_t ex_header_names(const char *const *lines, const size_t *lens, size_t n, char names[][48], size_t max)
{
    for (size_t k = 0; k < n; k++) {
        const char *s = lines[k];
        size_t len = lens[k];
        if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
            s += 3;
            len -= 3;
        }
        if (len == 0 || s[0] == '#')
            continue;
        struct csv_reader r;
        char err[64];
        size_t cnt = 0;
        csv_init(&r, csv_guess_delimiter(s, len));
        if (csv_feed(&r, s, len, err, sizeof err) == CSV_RECORD)
            for (size_t i = 0; i < r.nfields && cnt < max; i++)
                ex_name_normalise(r.fields[i].p, r.fields[i].len, names[cnt++], 48);
        csv_free(&r);
        return cnt;
    }
    return 0;
}

int ex_names_have(char names[][48], size_t n, const char *norm)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], norm) == 0)
            return 1;
    return 0;
}
