/* test_sqlfunc.c - the SQL functions as ad-hoc SQL uses them. */
#include "sqlfunc.h"
#include "testutil.h"

/* 1 when SQL fails at run time with a message containing WANT. */
static int sql_fails_with(sqlite3 *db, const char *sql, const char *want)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return strstr(sqlite3_errmsg(db), want) != NULL;
    int rc = sqlite3_step(st);
    int ok = rc == SQLITE_ERROR && strstr(sqlite3_errmsg(db), want) != NULL;
    sqlite3_finalize(st);
    return ok;
}

int main(int argc, char **argv)
{
    TEST_INIT(argc, argv);
    sqlite3 *db;
    CHECK_INT(sqlite3_open(":memory:", &db), SQLITE_OK);
    CHECK_INT(sqlfunc_register(db), SQLITE_OK);

    CHECK_INT(test_sql_int(db, "SELECT 'Undeliverable: x' REGEXP '^Undeliverable:'"), 1);
    CHECK_INT(test_sql_int(db, "SELECT 'undeliverable: x' REGEXP '^Undeliverable:'"), 0);
    CHECK_INT(test_sql_int(db, "SELECT 'undeliverable: x' REGEXP '(?i)^Undeliverable:'"), 1);
    CHECK_INT(test_sql_int(db, "SELECT regexp('5\\.7\\.64', '550 5.7.64 TenantAttribution')"), 1);
    CHECK_STR(test_sql_text(db, "SELECT coalesce(regexp(NULL, 'x'), 'null')"), "null");
    CHECK_STR(test_sql_text(db, "SELECT coalesce(NULL REGEXP 'x', 'null')"), "null");
    CHECK(sql_fails_with(db, "SELECT 'a' REGEXP '('", "regexp: bad pattern"));
    /* The cached pattern serves every row of a statement. */
    CHECK_INT(test_sql_int(db, "WITH t(s) AS (VALUES ('noreply@a'), ('x@b'), ('no-reply@c')) "
                               "SELECT count(*) FROM t WHERE s REGEXP '^no-?reply@'"),
              2);
    /* A pattern that changes per row is compiled per row. */
    CHECK_INT(test_sql_int(db, "WITH t(p, s) AS (VALUES ('^a', 'abc'), ('^b', 'abc'), ('c$', 'abc')) "
                               "SELECT sum(regexp(p, s)) FROM t"),
              2);

    CHECK_INT(test_sql_int(db, "SELECT ip_in('198.51.100.25', '198.51.100.0/28')"), 0);
    CHECK_INT(test_sql_int(db, "SELECT ip_in('198.51.100.14', '198.51.100.0/28')"), 1);
    CHECK_INT(test_sql_int(db, "SELECT ip_in('198.51.100.30', '10.0.0.0/8, 198.51.100.30')"), 1);
    CHECK_INT(test_sql_int(db, "SELECT ip_in('2a01:111:f403:c000::5', '2a01:111:f403::/48')"), 1);
    CHECK_INT(test_sql_int(db, "SELECT ip_in('garbage', '10.0.0.0/8')"), 0);
    CHECK_STR(test_sql_text(db, "SELECT coalesce(ip_in(NULL, '10.0.0.0/8'), 'null')"), "null");
    CHECK(sql_fails_with(db, "SELECT ip_in('10.0.0.1', '10.0.0.0/99')", "ip_in: '10.0.0.0/99'"));

    CHECK_INT(test_sql_int(db, "SELECT is_exo_ip('40.107.22.33')"), 1);
    CHECK_INT(test_sql_int(db, "SELECT is_exo_ip('52.101.0.9')"), 1); /* inbound front ends, inside 52.100.0.0/14 */
    CHECK_INT(test_sql_int(db, "SELECT is_exo_ip('2a01:111:f400:7e00::1')"), 1);
    CHECK_INT(test_sql_int(db, "SELECT is_exo_ip('203.0.113.5')"), 0);

    CHECK_STR(test_sql_text(db, "SELECT domain_of('Alice@Fabrikam.Example')"), "fabrikam.example");
    CHECK_STR(test_sql_text(db, "SELECT domain_of('<bob@contoso.example>')"), "contoso.example");
    CHECK_STR(test_sql_text(db, "SELECT coalesce(domain_of(''), 'null')"), "null");
    CHECK_STR(test_sql_text(db, "SELECT coalesce(domain_of('MAILER-DAEMON'), 'null')"), "null");
    CHECK_STR(test_sql_text(db, "SELECT local_part_of('no-reply@sharepointonline.com')"), "no-reply");
    CHECK_STR(test_sql_text(db, "SELECT local_part_of('\"a@b\"@example.com')"), "\"a@b\"");

    CHECK_INT(test_sql_int(db, "SELECT in_list('b@x', '[\"a@x\", \"b@x\"]')"), 1);
    CHECK_INT(test_sql_int(db, "SELECT in_list('B@x', '[\"a@x\", \"b@x\"]')"), 0);        /* exact, as = is */
    CHECK_INT(test_sql_int(db, "SELECT in_list('b', '[\"bc\", \"ab\"]')"), 0);            /* whole values only */
    CHECK_INT(test_sql_int(db, "SELECT in_list('\"q\" \\', '[\"\\\"q\\\" \\\\\"]')"), 1); /* JSON escapes */
    CHECK_INT(test_sql_int(db, "SELECT in_list(42, '[1, 42]')"), 1);
    CHECK_INT(test_sql_int(db, "SELECT in_list('x', '[]')"), 0);
    CHECK_STR(test_sql_text(db, "SELECT coalesce(in_list(NULL, '[\"a\"]'), 'null')"), "null");
    CHECK_STR(test_sql_text(db, "SELECT coalesce(in_list('a', NULL), 'null')"), "null");
    CHECK(sql_fails_with(db, "SELECT in_list('a', '{\"a\": 1}')", "in_list: the list is not a JSON array"));
    CHECK(sql_fails_with(db, "SELECT in_list('a', 'a, b')", "in_list: the list is not JSON"));
    /* The set is built once and serves every row; more values than its first size. */
    CHECK_INT(test_sql_int(db, "WITH RECURSIVE t(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM t WHERE i < 500) "
                               "SELECT count(*) FROM t WHERE in_list('v' || i, "
                               "(SELECT json_group_array('v' || (i * 2)) FROM t))"),
              250);
    CHECK_INT(test_sql_int(db, "WITH t(s) AS (VALUES ('a'), ('b'), ('c'), (NULL)) "
                               "SELECT count(*) FROM t WHERE in_list(s, '[\"a\", \"c\", null]')"),
              2);

    sqlite3_close(db);
    return test_done("test_sqlfunc");
}
