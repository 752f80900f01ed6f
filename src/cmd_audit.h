/*
 * cmd_audit.h - the commands `audit`, `precheck` and `init` (src/cmd_audit.c).
 *
 * Each takes the global options and its own arguments (argv[0] is the
 * command name) and returns an exit code of enum exit_code (cli.h):
 * audit 0, or 1 with --fail-on-findings when a finding is not excepted;
 * precheck 0 safe, 1 not safe; init 0 written; all 2 for bad arguments or
 * configuration, 4 for database errors.
 */
#ifndef MXAUDIT_CMD_AUDIT_H
#define MXAUDIT_CMD_AUDIT_H

#include "cli.h"

#include <sqlite3.h>

int cmd_audit(const struct global_options *g, int argc, char **argv);
int cmd_precheck(const struct global_options *g, int argc, char **argv);
int cmd_init(const struct global_options *g, int argc, char **argv);

/* Warns on stderr, as command CMD, when an ingest stopped before it
 * correlated its Postfix lines (postfix_pending): findings that rest on
 * Postfix may be missing until the next ingest. */
void warn_pending_correlation(sqlite3 *db, const char *cmd);

#endif
