/*
 * sqlfunc.h - SQL functions mxaudit registers on every connection it opens.
 *
 * NAME
 *   sqlfunc - regexp(), ip_in(), is_exo_ip(), domain_of(), local_part_of(),
 *   in_list().
 * SUMMARY
 *   regexp(PATTERN, TEXT): 1 when the PCRE2 pattern matches anywhere in TEXT,
 *     else 0; NULL when either is NULL. Enables `TEXT REGEXP PATTERN`.
 *     Case-sensitive unless the pattern says (?i). Compiled patterns are
 *     cached per statement.
 *   ip_in(IP, 'CIDR[, CIDR...]'): 1 when the IPv4 or IPv6 address IP lies in
 *     one of the networks, else 0 (also for a malformed IP); NULL when either
 *     is NULL. A malformed network list is an SQL error.
 *   is_exo_ip(IP): 1 when IP is in Exchange Online's built-in ranges, else 0.
 *   domain_of(ADDRESS): the lower-cased part after the last '@', or NULL.
 *   local_part_of(ADDRESS): the part before the last '@', or NULL.
 *   in_list(VALUE, LIST): 1 when VALUE equals one of the strings of the JSON
 *     array LIST (numbers compared as text), else 0; NULL when either is
 *     NULL. LIST not being a JSON array is an SQL error. The list is turned
 *     into a hash set once per statement.
 *
 * All functions are deterministic. The registration lives in one function so
 * that a loadable extension can call it from its init entry.
 */
#ifndef MXAUDIT_SQLFUNC_H
#define MXAUDIT_SQLFUNC_H

#include <sqlite3.h>

/* Registers every function on DB. SQLITE_OK or an SQLite error code. */
int sqlfunc_register(sqlite3 *db);

#endif
