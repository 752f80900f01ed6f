/*
 * main.c - mxaudit's entry point: global options, then one command.
 *
 * Global options (--db, --quiet) may stand before or after the command; they
 * are taken out here, and the command sees only its own arguments.
 */
#include "cli.h"
#include "cmd_audit.h"
#include "cmd_report.h"
#include "cmd_sql.h"

#include <sqlite3.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct command commands[] = {
    {"init", cmd_init, "write a documented configuration template"},
    {"ingest", cmd_ingest, "read log files into the database"},
    {"sources", cmd_sources, "list what is ingested, with line, event and reject counts"},
    {"forget", cmd_forget, "remove ingested sources, to ingest them again with other options"},
    {"audit", cmd_audit, "find mail that bypassed the MX gateway, and relay failures"},
    {"precheck", cmd_precheck, "the verdict for closing the Exchange Online back door"},
    {"report", cmd_report, "write a compliance report for a period (HTML, Markdown, CSV, JSON)"},
    {"sql", cmd_sql, "run SQL on the database (read-only unless --write)"},
    {"schema", cmd_schema, "print the tables and views with their comments"},
    {NULL, NULL, NULL},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: mxaudit [--db FILE] [--quiet] COMMAND [ARGS]\n"
                 "\n"
                 "Audits mail flow: who reaches Exchange Online (or on-prem Exchange) without\n"
                 "passing the MX gateway. Reads Postfix logs, Exchange message tracking logs and\n"
                 "Exchange Online message traces, plain or gzipped, into an SQLite database.\n"
                 "\n"
                 "Commands:\n");
    for (const struct command *c = commands; c->name; c++)
        fprintf(out, "  %-10s %s\n", c->name, c->summary);
    fprintf(out, "\n"
                 "Global options (before or after the command):\n"
                 "  --db FILE   the database (default: $MXAUDIT_DB, else ./mxaudit.db)\n"
                 "  --quiet, -q no progress, no per-file lines; errors only\n"
                 "  --help      this text; `mxaudit COMMAND --help` for a command\n"
                 "  --version   the version\n"
                 "\n"
                 "Exit codes:\n"
                 "  0  success (precheck: safe to close)\n"
                 "  1  precheck: not safe to close; audit --fail-on-findings: findings present\n"
                 "  2  usage error: bad command line or configuration\n"
                 "  3  input error: a file could not be read or was not a known format\n"
                 "  4  database error\n");
}

void cli_write_error(const char *cmd)
{
    if (errno)
        fprintf(stderr, "mxaudit %s: cannot write to standard output: %s\n", cmd, strerror(errno));
    else
        fprintf(stderr, "mxaudit %s: cannot write to standard output\n", cmd);
}

int cli_stdout_done(const char *cmd)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_write_error(cmd);
        return -1;
    }
    return 0;
}

int cli_is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

int main(int argc, char **argv)
{
    /* No memory statistics: they take a global mutex on every allocation,
     * which two connections in two threads (the audit) then fight over. */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    struct global_options g = {NULL, 0};
    char **rest = calloc((size_t)argc + 1, sizeof *rest);
    int nrest = 0, after_dashdash = 0;
    if (!rest)
        return EXIT_USAGE;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (after_dashdash) {
            rest[nrest++] = argv[i];
        } else if (strcmp(a, "--") == 0) {
            after_dashdash = 1;
            rest[nrest++] = argv[i];
        } else if (strcmp(a, "--db") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "mxaudit: --db needs a file name\n");
                free(rest);
                return EXIT_USAGE;
            }
            g.db_path = argv[++i];
        } else if (strncmp(a, "--db=", 5) == 0) {
            g.db_path = a + 5;
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            g.quiet = 1;
        } else if (strcmp(a, "--version") == 0 && nrest == 0) {
            printf("mxaudit %s\n", MXAUDIT_VERSION);
            free(rest);
            return EXIT_OK;
        } else {
            rest[nrest++] = argv[i];
        }
    }
    if (nrest == 0) {
        usage(stderr);
        free(rest);
        return EXIT_USAGE;
    }
    if (cli_is_help(rest[0]) || strcmp(rest[0], "help") == 0) {
        if (nrest > 1 && strcmp(rest[0], "help") == 0) {
            rest[0] = rest[1];
            rest[1] = "--help";
            nrest = 2;
        } else {
            usage(stdout);
            free(rest);
            return EXIT_OK;
        }
    }
    for (const struct command *c = commands; c->name; c++) {
        if (strcmp(c->name, rest[0]) == 0) {
            int rc = c->run(&g, nrest, rest);
            free(rest);
            return rc;
        }
    }
    fprintf(stderr, "mxaudit: unknown command '%s'; `mxaudit --help` lists the commands\n", rest[0]);
    free(rest);
    return EXIT_USAGE;
}
