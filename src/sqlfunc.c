/*
 * sqlfunc.c - mxaudit's SQL functions (see sqlfunc.h).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "sqlfunc.h"

#include "builtin_data.h"
#include "ipaddr.h"
#include "xalloc.h"

#include <ctype.h>
#include <pcre2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct compiled_re {
    pcre2_code *code;
    pcre2_match_data *md;
};

static void compiled_re_free(void *p)
{
    struct compiled_re *c = p;
    pcre2_match_data_free(c->md);
    pcre2_code_free(c->code);
    free(c);
}

/* The pattern is compiled once per statement: SQLite keeps it as auxiliary
 * data of argument 0 for as long as that argument stays the same constant.
 * The auxiliary data is set after the match because SQLite may free it at
 * once when it cannot keep it. */
static void fn_regexp(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL)
        return;
    struct compiled_re *re = sqlite3_get_auxdata(ctx, 0);
    int fresh = 0;
    if (!re) {
        const char *pat = (const char *)sqlite3_value_text(argv[0]);
        int code;
        PCRE2_SIZE off;
        pcre2_code *c =
            pcre2_compile((PCRE2_SPTR)pat, (PCRE2_SIZE)sqlite3_value_bytes(argv[0]), PCRE2_UTF, &code, &off, NULL);
        if (!c) {
            PCRE2_UCHAR msg[200];
            pcre2_get_error_message(code, msg, sizeof msg);
            char *e = sqlite3_mprintf("regexp: bad pattern at offset %d: %s", (int)off, (char *)msg);
            sqlite3_result_error(ctx, e, -1);
            sqlite3_free(e);
            return;
        }
        pcre2_jit_compile(c, PCRE2_JIT_COMPLETE);
        re = xmalloc(sizeof *re);
        re->code = c;
        re->md = pcre2_match_data_create_from_pattern(c, NULL);
        fresh = 1;
    }
    const char *text = (const char *)sqlite3_value_text(argv[1]);
    /* Invalid UTF-8 in the text is an error code below zero: no match. */
    int rc = pcre2_match(re->code, (PCRE2_SPTR)text, (PCRE2_SIZE)sqlite3_value_bytes(argv[1]), 0, 0, re->md, NULL);
    sqlite3_result_int(ctx, rc >= 0);
    if (fresh)
        sqlite3_set_auxdata(ctx, 0, re, compiled_re_free);
}

static void ipset_free_void(void *p)
{
    ipset_free(p);
}

static void fn_ip_in(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL)
        return;
    struct ipset *set = sqlite3_get_auxdata(ctx, 1);
    int fresh = 0;
    if (!set) {
        set = ipset_new();
        char bad[128];
        if (ipset_add_list(set, (const char *)sqlite3_value_text(argv[1]), bad, sizeof bad) != 0) {
            char *e = sqlite3_mprintf("ip_in: '%s' is not an IP network", bad);
            sqlite3_result_error(ctx, e, -1);
            sqlite3_free(e);
            ipset_free(set);
            return;
        }
        fresh = 1;
    }
    sqlite3_result_int(ctx, ipset_contains_text(set, (const char *)sqlite3_value_text(argv[0])));
    if (fresh)
        sqlite3_set_auxdata(ctx, 1, set, ipset_free_void);
}

/* A set of strings for in_list(): open addressing, FNV-1a, at most half full. */
struct strset {
    char **key; /* NUL-terminated copies; NULL = empty slot */
    size_t *len;
    size_t cap, n;
};

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

static size_t strset_slot(const struct strset *set, const char *k, size_t n)
{
    size_t i = (size_t)fnv1a(k, n) & (set->cap - 1);
    while (set->key[i] && (set->len[i] != n || memcmp(set->key[i], k, n) != 0))
        i = (i + 1) & (set->cap - 1);
    return i;
}

static void strset_add(struct strset *set, const char *k, size_t n)
{
    if (2 * (set->n + 1) > set->cap) {
        struct strset bigger = {xcalloc(set->cap * 2, sizeof(char *)), xcalloc(set->cap * 2, sizeof(size_t)),
                                set->cap * 2, set->n};
        for (size_t i = 0; i < set->cap; i++)
            if (set->key[i]) {
                size_t j = strset_slot(&bigger, set->key[i], set->len[i]);
                bigger.key[j] = set->key[i];
                bigger.len[j] = set->len[i];
            }
        free(set->key);
        free(set->len);
        *set = bigger;
    }
    size_t i = strset_slot(set, k, n);
    if (set->key[i])
        return;
    set->key[i] = xmalloc(n + 1);
    memcpy(set->key[i], k, n);
    set->key[i][n] = '\0';
    set->len[i] = n;
    set->n++;
}

static void strset_free(void *p)
{
    struct strset *set = p;
    for (size_t i = 0; i < set->cap; i++)
        free(set->key[i]);
    free(set->key);
    free(set->len);
    free(set);
}

/* The strings of the JSON array LIST (its numbers as text, nulls left out),
 * read with SQLite's own json_each on the calling connection; NULL and an
 * error in ERR when LIST is not a JSON array. */
static struct strset *strset_from_json(sqlite3 *db, sqlite3_value *list, char **err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT json_type(?1) = 'array', NULL UNION ALL "
                           "SELECT NULL, CAST(value AS TEXT) FROM json_each(?1) "
                           "WHERE json_type(?1) = 'array' AND atom IS NOT NULL",
                           -1, &st, NULL) != SQLITE_OK) {
        *err = sqlite3_mprintf("in_list: %s", sqlite3_errmsg(db));
        return NULL;
    }
    sqlite3_bind_value(st, 1, list);
    struct strset *set = xmalloc(sizeof *set);
    *set = (struct strset){xcalloc(16, sizeof(char *)), xcalloc(16, sizeof(size_t)), 16, 0};
    int rc, is_array = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_type(st, 0) != SQLITE_NULL)
            is_array = sqlite3_column_int(st, 0);
        else
            strset_add(set, (const char *)sqlite3_column_text(st, 1), (size_t)sqlite3_column_bytes(st, 1));
    }
    if (rc != SQLITE_DONE || !is_array) {
        *err = rc != SQLITE_DONE ? sqlite3_mprintf("in_list: the list is not JSON: %s", sqlite3_errmsg(db))
                                 : sqlite3_mprintf("in_list: the list is not a JSON array");
        strset_free(set);
        set = NULL;
    }
    sqlite3_finalize(st);
    return set;
}

/* The list becomes a hash set once per statement (auxiliary data of
 * argument 1, as for ip_in), so a test against thousands of values costs
 * one hash, where IN (SELECT ...) searches a B-tree for every row. */
static void fn_in_list(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL)
        return;
    struct strset *set = sqlite3_get_auxdata(ctx, 1);
    int fresh = 0;
    if (!set) {
        char *err = NULL;
        set = strset_from_json(sqlite3_context_db_handle(ctx), argv[1], &err);
        if (!set) {
            sqlite3_result_error(ctx, err ? err : "in_list: out of memory", -1);
            sqlite3_free(err);
            return;
        }
        fresh = 1;
    }
    const char *v = (const char *)sqlite3_value_text(argv[0]);
    size_t n = (size_t)sqlite3_value_bytes(argv[0]);
    sqlite3_result_int(ctx, v && set->key[strset_slot(set, v, n)] != NULL);
    if (fresh)
        sqlite3_set_auxdata(ctx, 1, set, strset_free);
}

static struct ipset *exo_set;

static void fn_is_exo_ip(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
        return;
    sqlite3_result_int(ctx, ipset_contains_text(exo_set, (const char *)sqlite3_value_text(argv[0])));
}

static void fn_domain_of(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *a = (const char *)sqlite3_value_text(argv[0]);
    const char *at = a ? strrchr(a, '@') : NULL;
    if (!at || !at[1])
        return;
    size_t n = strlen(at + 1);
    char *d = xmalloc(n + 1);
    for (size_t i = 0; i <= n; i++)
        d[i] = (char)tolower((unsigned char)at[1 + i]);
    if (n && d[n - 1] == '>')
        d[n - 1] = '\0'; /* "<user@example.com>" as some exports write it */
    sqlite3_result_text(ctx, d, -1, free);
}

static void fn_local_part_of(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *a = (const char *)sqlite3_value_text(argv[0]);
    const char *at = a ? strrchr(a, '@') : NULL;
    if (!at)
        return;
    if (*a == '<')
        a++;
    sqlite3_result_text(ctx, a, at > a ? (int)(at - a) : 0, SQLITE_TRANSIENT);
}

int sqlfunc_register(sqlite3 *db)
{
    if (!exo_set) {
        /* Built once per process and kept: the ranges are static data. */
        struct ipset *s = ipset_new();
        for (size_t i = 0; builtin_exo_ranges[i]; i++)
            ipset_add_list(s, builtin_exo_ranges[i], NULL, 0);
        exo_set = s;
    }
    const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
    int rc = sqlite3_create_function(db, "regexp", 2, flags, NULL, fn_regexp, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function(db, "ip_in", 2, flags, NULL, fn_ip_in, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function(db, "is_exo_ip", 1, flags, NULL, fn_is_exo_ip, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function(db, "domain_of", 1, flags, NULL, fn_domain_of, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function(db, "local_part_of", 1, flags, NULL, fn_local_part_of, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function(db, "in_list", 2, flags, NULL, fn_in_list, NULL, NULL);
    return rc;
}
