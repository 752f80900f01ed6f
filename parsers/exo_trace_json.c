/*
 * NAME
 *   exo_trace_json.c - parser "exo-trace-json": Exchange Online message trace
 *   records as JSON or NDJSON.
 *
 * SUMMARY
 *   The Reporting Web Service's MessageTrace records (Organization,
 *   MessageId, Received, SenderAddress, RecipientAddress, Subject, Status,
 *   ToIP, FromIP, Size, MessageTraceId, StartDate, EndDate, Index), one
 *   object per line (NDJSON, as log shippers store them), or a JSON array,
 *   pretty-printed or not, possibly inside an OData wrapper ({"value":[...]}
 *   or {"d":{"results":[...]}}), as ConvertTo-Json and the web service write
 *   them. Received is UTC, written with or without "Z" (both occur in the
 *   Elastic integration's samples), or as "\/Date(ms)\/" (Windows PowerShell
 *   5.1 ConvertTo-Json).
 *   A record is an object that is the top-level value or an array element;
 *   objects nested in a record (OData __metadata) are skipped. Minimum key:
 *   Received.
 */
#include "exchange_common.h"

#include "timeutil.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define JSON_MAX_DEPTH 64

struct exo_json {
    struct ex_store store;
    int mode; /* 0 undecided, 1 one object per line, 2 streamed document */
    char stack[JSON_MAX_DEPTH];
    int depth;
    int in_str, esc;
    int cand_depth; /* depth of the record object being collected, -1 none */
    uint64_t cand_line;
    char *acc;
    size_t acc_len, acc_cap;
    char *vals;
    size_t vals_cap;
    uint64_t rows;
};

static void acc_add(struct exo_json *j, const char *p, size_t n)
{
    if (j->acc_len + n > j->acc_cap) {
        j->acc_cap = (j->acc_len + n) * 2 + 256;
        j->acc = xrealloc(j->acc, j->acc_cap);
    }
    memcpy(j->acc + j->acc_len, p, n);
    j->acc_len += n;
}

static size_t skip_ws(const char *s, size_t len, size_t i)
{
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    return i;
}

static int hex4(const char *s, unsigned *out)
{
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        char c = s[k];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

/* Unescapes the string starting after its opening quote at s[i] into out
 * (room for len bytes); returns the index after the closing quote, 0 on error. */
static size_t json_string(const char *s, size_t len, size_t i, char *out, size_t *olen)
{
    size_t o = 0;
    while (i < len) {
        char c = s[i++];
        if (c == '"') {
            *olen = o;
            return i;
        }
        if (c != '\\') {
            out[o++] = c;
            continue;
        }
        if (i >= len)
            return 0;
        c = s[i++];
        switch (c) {
        case 'n':
            out[o++] = '\n';
            break;
        case 't':
            out[o++] = '\t';
            break;
        case 'r':
            out[o++] = '\r';
            break;
        case 'b':
            out[o++] = '\b';
            break;
        case 'f':
            out[o++] = '\f';
            break;
        case 'u': {
            unsigned cp, lo;
            if (i + 4 > len || hex4(s + i, &cp))
                return 0;
            i += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && i + 6 <= len && s[i] == '\\' && s[i + 1] == 'u' &&
                hex4(s + i + 2, &lo) == 0 && lo >= 0xDC00 && lo < 0xE000) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i += 6;
            }
            if (cp < 0x80) {
                out[o++] = (char)cp;
            } else if (cp < 0x800) {
                out[o++] = (char)(0xC0 | (cp >> 6));
                out[o++] = (char)(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                out[o++] = (char)(0xE0 | (cp >> 12));
                out[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                out[o++] = (char)(0x80 | (cp & 0x3F));
            } else {
                out[o++] = (char)(0xF0 | (cp >> 18));
                out[o++] = (char)(0x80 | ((cp >> 12) & 0x3F));
                out[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                out[o++] = (char)(0x80 | (cp & 0x3F));
            }
            break;
        }
        default:
            out[o++] = c;
            break; /* \" \\ \/ */
        }
    }
    return 0;
}

/* Skips a nested object or array starting at s[i]; index after it, 0 on error. */
static size_t json_skip_nested(const char *s, size_t len, size_t i)
{
    int depth = 0, in_str = 0;
    for (; i < len; i++) {
        char c = s[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (--depth == 0)
                return i + 1;
        }
    }
    return 0;
}

/* One record object: keys mapped to columns. 1 when it is a trace record
 * (has Received or MessageTraceId), 2 when it has a record's addresses or
 * Message-ID but neither of those (a record that lost its time: rejected,
 * not skipped), 0 when it has none of them (an envelope or metadata object),
 * -1 on a syntax error. */
static int json_object(struct exo_json *j, const char *s, size_t len, struct ex_slice *col, char *err, size_t errlen)
{
    size_t offs[EXC_COUNT];
    size_t v = 0;
    int is_record = 0, has_column = 0;
    if (j->vals_cap < len + 1) {
        j->vals_cap = len + 1;
        j->vals = xrealloc(j->vals, j->vals_cap);
    }
    for (int c = 0; c < EXC_COUNT; c++)
        col[c] = (struct ex_slice){NULL, 0};
    size_t i = skip_ws(s, len, 0);
    if (i >= len || s[i] != '{')
        goto bad;
    i = skip_ws(s, len, i + 1);
    if (i < len && s[i] == '}')
        return 0;
    for (;;) {
        char key[64];
        size_t klen;
        if (i >= len || s[i] != '"')
            goto bad;
        size_t kstart = i + 1, kend;
        /* keys are short names; unescape into the value buffer's tail, then copy */
        kend = json_string(s, len, kstart, j->vals + v, &klen);
        if (!kend)
            goto bad;
        if (klen >= sizeof key)
            klen = sizeof key - 1;
        memcpy(key, j->vals + v, klen);
        key[klen] = '\0';
        i = skip_ws(s, len, kend);
        if (i >= len || s[i] != ':')
            goto bad;
        i = skip_ws(s, len, i + 1);
        if (i >= len)
            goto bad;
        enum ex_col c = ex_column_from_name(key, klen);
        if (strcmp(key, "Received") == 0 || strcmp(key, "MessageTraceId") == 0)
            is_record = 1;
        else if (!strcasecmp(key, "SenderAddress") || !strcasecmp(key, "RecipientAddress") ||
                 !strcasecmp(key, "MessageId") || !strcasecmp(key, "FromIP") || !strcasecmp(key, "ToIP"))
            has_column = 1;
        if (s[i] == '"') {
            size_t olen;
            size_t e = json_string(s, len, i + 1, j->vals + v, &olen);
            if (!e)
                goto bad;
            if (c != EXC_NONE && !col[c].p) {
                offs[c] = v;
                col[c] = (struct ex_slice){j->vals, olen}; /* p fixed below */
            }
            v += olen;
            i = e;
        } else if (s[i] == '{' || s[i] == '[') {
            i = json_skip_nested(s, len, i);
            if (!i)
                goto bad;
        } else {
            size_t st = i;
            while (i < len && s[i] != ',' && s[i] != '}' && s[i] != ' ' && s[i] != '\n' && s[i] != '\t' && s[i] != '\r')
                i++;
            if (i == st)
                goto bad;
            int is_null = i - st == 4 && memcmp(s + st, "null", 4) == 0;
            if (c != EXC_NONE && !col[c].p) {
                memcpy(j->vals + v, s + st, is_null ? 0 : i - st);
                offs[c] = v;
                col[c] = (struct ex_slice){j->vals, is_null ? 0 : i - st};
                v += is_null ? 0 : i - st;
            }
        }
        i = skip_ws(s, len, i);
        if (i < len && s[i] == ',') {
            i = skip_ws(s, len, i + 1);
            continue;
        }
        if (i < len && s[i] == '}')
            break;
        goto bad;
    }
    if (skip_ws(s, len, i + 1) != len)
        goto bad;
    for (int c = 0; c < EXC_COUNT; c++)
        if (col[c].p)
            col[c].p = j->vals + offs[c];
    return is_record ? 1 : has_column ? 2 : 0;
bad:
    snprintf(err, errlen, "malformed JSON object near byte %zu", i + 1);
    return -1;
}

/* "\/Date(1669051536969)\/" after unescaping: /Date(ms)/ */
static int ms_date(struct ex_slice t, int64_t *epoch, int *ms)
{
    if (t.len < 9 || memcmp(t.p, "/Date(", 6) != 0)
        return 0;
    int64_t v = 0;
    size_t i = 6;
    int neg = 0;
    if (t.p[i] == '-') {
        neg = 1;
        i++;
    }
    size_t st = i;
    while (i < t.len && t.p[i] >= '0' && t.p[i] <= '9')
        v = v * 10 + (t.p[i++] - '0');
    if (i == st || i >= t.len)
        return 0;
    if (neg)
        v = -v;
    *epoch = v >= 0 ? v / 1000 : -((-v + 999) / 1000);
    *ms = (int)(v - *epoch * 1000);
    return 1;
}

static int json_record(struct exo_json *j, struct parse_ctx *ctx, const char *s, size_t len, uint64_t line)
{
    struct ex_slice col[EXC_COUNT];
    char err[96];
    int r = json_object(j, s, len, col, err, sizeof err);
    if (r < 0)
        return parser_reject(ctx, "%s", err);
    if (r == 0)
        return PARSE_SKIP;
    j->rows++;
    struct ex_slice t = col[EXC_TIME];
    int64_t epoch;
    int ms;
    if (r == 2 || !t.len)
        return parser_reject(ctx, "trace record without Received");
    size_t used = time_parse_iso(t.p, t.len, 1, &epoch, &ms, NULL);
    if (used != t.len && !ms_date(t, &epoch, &ms))
        return parser_reject(ctx, "unparseable Received '%.*s'", (int)(t.len > 60 ? 60 : t.len), t.p);
    int rc = ex_store_row(&j->store, ctx, col, epoch, ms, line);
    return rc ? rc : PARSE_OK;
}

static int exo_json_detect(const char *const *lines, const size_t *lens, size_t n)
{
    int started = 0, received = 0, traceish = 0;
    for (size_t i = 0; i < n; i++) {
        const char *s = lines[i];
        size_t len = lens[i];
        if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
            s += 3;
            len -= 3;
        }
        size_t k = skip_ws(s, len, 0);
        if (!started) {
            if (k == len)
                continue;
            if (s[k] != '{' && s[k] != '[')
                return 0;
            started = 1;
        }
        if (memmem(s, len, "\"Received\"", 10))
            received = 1;
        if (memmem(s, len, "\"MessageTraceId\"", 16) || memmem(s, len, "\"RecipientAddress\"", 18))
            traceish = 1;
    }
    return started && received && traceish ? 90 : 0;
}

static int exo_json_open(struct parse_ctx *ctx, void **state)
{
    struct exo_json *j = xcalloc(1, sizeof *j);
    if (ex_store_open(&j->store, ctx, "exo", "exo-trace-json") != 0) {
        free(j);
        return PARSE_FATAL;
    }
    j->store.empty_sender_is_null = 1;
    j->cand_depth = -1;
    *state = j;
    return 0;
}

static int exo_json_line(void *state, struct parse_ctx *ctx, const char *text, size_t len)
{
    struct exo_json *j = state;
    if (ctx->line_no == 1 && len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    size_t a = skip_ws(text, len, 0), b = len;
    while (b > a && (text[b - 1] == ' ' || text[b - 1] == '\t'))
        b--;
    if (j->mode == 0) {
        if (a == b)
            return PARSE_SKIP;
        j->mode = text[a] == '{' && text[b - 1] == '}' ? 1 : 2;
    }
    if (j->mode == 1) {
        if (a == b)
            return PARSE_SKIP;
        return json_record(j, ctx, text + a, b - a, ctx->line_no);
    }
    /* Streamed document: find record objects by nesting. */
    int result = j->cand_depth >= 0 ? PARSE_OK : PARSE_SKIP;
    size_t seg = 0; /* start of the part of this line that belongs to the candidate */
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (j->in_str) {
            if (j->esc)
                j->esc = 0;
            else if (c == '\\')
                j->esc = 1;
            else if (c == '"')
                j->in_str = 0;
            continue;
        }
        if (c == '"') {
            j->in_str = 1;
        } else if (c == '{' || c == '[') {
            if (j->depth == JSON_MAX_DEPTH) {
                j->depth = 0;
                j->cand_depth = -1;
                return parser_reject(ctx, "JSON nested deeper than %d levels", JSON_MAX_DEPTH);
            }
            char parent = j->depth ? j->stack[j->depth - 1] : 0;
            j->stack[j->depth++] = c;
            if (c == '{' && (parent == 0 || parent == '[')) {
                /* a new record candidate; an enclosing candidate was a container */
                j->cand_depth = j->depth;
                j->cand_line = ctx->line_no;
                j->acc_len = 0;
                seg = i;
            }
        } else if (c == '}' || c == ']') {
            if (j->depth == 0)
                return parser_reject(ctx, "unbalanced '%c'", c);
            int closing = j->depth;
            j->depth--;
            if (c == '}' && closing == j->cand_depth) {
                acc_add(j, text + seg, i + 1 - seg);
                j->cand_depth = -1;
                int rc = json_record(j, ctx, j->acc, j->acc_len, j->cand_line);
                if (rc == PARSE_FATAL || rc == PARSE_REJECT)
                    return rc;
                if (rc == PARSE_OK)
                    result = PARSE_OK;
            }
        }
    }
    if (j->cand_depth >= 0) {
        acc_add(j, text + seg, len - seg);
        acc_add(j, "\n", 1);
        result = PARSE_OK;
    }
    return result;
}

static int exo_json_finish(void *state, struct parse_ctx *ctx)
{
    struct exo_json *j = state;
    if (j->mode == 2 && (j->depth || j->in_str))
        parser_warn(ctx, "the JSON document ends inside %s; the unfinished record was dropped",
                    j->in_str ? "a string" : "an object or array");
    if (j->rows == 1000 || j->rows == 5000)
        parser_warn(ctx, "exactly %llu records: the cmdlet's result limit; the export is probably truncated",
                    (unsigned long long)j->rows);
    return ex_store_flush(&j->store, ctx);
}

static void exo_json_close(void *state)
{
    struct exo_json *j = state;
    if (!j)
        return;
    ex_store_close(&j->store);
    free(j->acc);
    free(j->vals);
    free(j);
}

const struct parser exo_trace_json_parser = {
    .name = "exo-trace-json",
    .summary = "Exchange Online message trace as JSON / NDJSON (Reporting Web Service records)",
    .detect = exo_json_detect,
    .open = exo_json_open,
    .line = exo_json_line,
    .finish = exo_json_finish,
    .close = exo_json_close,
    .after_run = NULL,
};
