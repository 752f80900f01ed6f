/*
 * cli.h - the command layer: global options, exit codes, one function per
 * command. Only this layer decides exit codes; library code returns status.
 */
#ifndef MXAUDIT_CLI_H
#define MXAUDIT_CLI_H

/* Exit codes, documented in `mxaudit --help` and the README. */
enum exit_code {
    EXIT_OK = 0,       /* success; for audit commands: nothing to report */
    EXIT_FINDINGS = 1, /* audit commands: findings present (precheck: not safe) */
    EXIT_USAGE = 2,    /* bad command line or configuration */
    EXIT_INPUT = 3,    /* an input file could not be read or parsed as a whole */
    EXIT_DB = 4        /* database error, including SQL errors in `mxaudit sql` */
};

struct global_options {
    const char *db_path; /* --db, else $MXAUDIT_DB, else mxaudit.db (store_default_path) */
    int quiet;           /* --quiet */
};

/* A command gets the global options and its own arguments (argv[0] is the
 * command name; global options are already removed) and returns an exit code. */
typedef int (*command_fn)(const struct global_options *g, int argc, char **argv);

struct command {
    const char *name;
    command_fn run;
    const char *summary; /* one line for `mxaudit --help` */
};

int cmd_ingest(const struct global_options *g, int argc, char **argv);
int cmd_sources(const struct global_options *g, int argc, char **argv);
int cmd_forget(const struct global_options *g, int argc, char **argv);

/* 1 when ARG is -h or --help. */
int cli_is_help(const char *arg);

/* Says on stderr that standard output could not be written, with errno's
 * reason when there is one: "mxaudit CMD: cannot write to standard output". */
void cli_write_error(const char *cmd);
/* Flushes standard output at the end of a command: 0, or -1 after
 * cli_write_error. Set errno to 0 before the command's first write, so
 * that the reason of a write that failed earlier survives to here. */
int cli_stdout_done(const char *cmd);

#endif
