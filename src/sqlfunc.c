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
    return rc;
}
