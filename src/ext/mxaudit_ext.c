/*
 * mxaudit_ext.c - the SQLite loadable extension: mxaudit's SQL functions in
 * any SQLite client.
 *
 * NAME
 *   mxaudit_ext - regexp(), ip_in(), is_exo_ip(), domain_of(),
 *   local_part_of(), in_list() (src/sqlfunc.h) for the sqlite3 shell, DB Browser for
 *   SQLite, Datasette and anything else that can load an extension.
 * SUMMARY
 *   sqlite3 mxaudit.db
 *   sqlite> .load ./mxaudit_ext
 *   sqlite> SELECT ip_in('10.1.2.3', '10.0.0.0/8');
 * DESCRIPTION
 *   SQLite derives the entry point from the file name: "mxaudit_ext.so"
 *   gives sqlite3_mxauditext_init (https://sqlite.org/c3ref/load_extension.html);
 *   sqlite3_extension_init is exported too, for hosts that ask for the
 *   default name. The functions are registered on the loading connection
 *   only, as for every extension; the shell's .load does that for its one
 *   connection.
 */
#include "ext_api.h"

#include "sqlfunc.h"

SQLITE_EXTENSION_INIT1

#define EXT_EXPORT __attribute__((visibility("default")))

EXT_EXPORT int sqlite3_mxauditext_init(sqlite3 *db, char **errmsg, const sqlite3_api_routines *api);
EXT_EXPORT int sqlite3_extension_init(sqlite3 *db, char **errmsg, const sqlite3_api_routines *api);

int sqlite3_mxauditext_init(sqlite3 *db, char **errmsg, const sqlite3_api_routines *api)
{
    SQLITE_EXTENSION_INIT2(api);
    int rc = sqlfunc_register(db);
    if (rc != SQLITE_OK && errmsg)
        *errmsg = sqlite3_mprintf("mxaudit_ext: registering the functions failed: %s", sqlite3_errstr(rc));
    return rc;
}

int sqlite3_extension_init(sqlite3 *db, char **errmsg, const sqlite3_api_routines *api)
{
    return sqlite3_mxauditext_init(db, errmsg, api);
}
