/*
 * ext_api.h - forced into every source compiled for the loadable extension
 * (gcc -include), before the file's own #include <sqlite3.h>.
 *
 * NAME
 *   ext_api - makes the sqlite3_* calls of unchanged mxaudit sources go
 *   through the host's API table.
 * DESCRIPTION
 *   sqlite3ext.h turns each sqlite3_xxx() call into sqlite3_api->xxx(), the
 *   table of routines the host passes to the extension's init function
 *   (https://sqlite.org/loadext.html, "Programming Loadable Extensions").
 *   So src/sqlfunc.c is compiled twice, for mxaudit and for the extension,
 *   from the same text, and the extension works in a host that has its own
 *   SQLite built in (DB Browser for SQLite, Python's sqlite3, Datasette)
 *   without linking a second libsqlite3.
 */
#ifndef MXAUDIT_EXT_API_H
#define MXAUDIT_EXT_API_H

#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT3

#endif
