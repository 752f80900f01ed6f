/*
 * cmd_sql.h - the `sql` and `schema` commands: ad-hoc SQL on the database.
 *
 * NAME
 *   cmd_sql - runs SQL given on the command line, in a file, on standard
 *   input or at an interactive prompt, and prints the results as a table,
 *   CSV, JSON lines or TSV (src/sqlout.h).
 *   cmd_schema - prints the schema files with their comments, or the
 *   definition of the named tables and views.
 * SUMMARY
 *   The database is opened read-only unless --write is given, so an
 *   investigation cannot alter the evidence. SQL errors print the message
 *   and the position (line and column in the SQL) and exit with EXIT_DB.
 */
#ifndef MXAUDIT_CMD_SQL_H
#define MXAUDIT_CMD_SQL_H

#include "cli.h"

int cmd_sql(const struct global_options *g, int argc, char **argv);
int cmd_schema(const struct global_options *g, int argc, char **argv);

#endif
