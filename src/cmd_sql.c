/*
 * cmd_sql.c - the `sql` and `schema` commands (see cmd_sql.h).
 *
 * Error positions come from sqlite3_error_offset() (SQLite 3.38 and later):
 * the byte offset of the failing token in the statement being prepared.
 */
#include "cmd_sql.h"

#include "embedded.h"
#include "sqlfunc.h"
#include "sqlout.h"
#include "store.h"
#include "xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#ifdef MXAUDIT_HAVE_LIBEDIT
#include <editline/readline.h>
#endif

struct sql_param {
    const char *name; /* without the leading : @ or $ */
    const char *value;
};

struct sql_run {
    sqlite3 *db;
    struct sqlout *out;
    const char *origin; /* "query", a file name, or "stdin": where the SQL came from */
    struct sql_param *params;
    int nparams;
    int quiet;
    int interactive;
};

static void sql_usage(FILE *out)
{
    fprintf(out, "usage: mxaudit sql [OPTIONS] [QUERY]\n"
                 "       mxaudit sql [OPTIONS] -f FILE\n"
                 "\n"
                 "Runs SQL on the database and prints the results. QUERY may hold several\n"
                 "statements separated by ';' and may start with a comment (\"-- \": a blank\n"
                 "after the dashes tells it from an option). Without QUERY or -f, the SQL is\n"
                 "read from standard input, or at a prompt when standard input is a terminal\n"
                 "(.help there lists the dot commands). The database is opened read-only: a\n"
                 "query cannot change the evidence unless --write is given. TEMP tables work\n"
                 "either way.\n"
                 "\n"
                 "Options:\n"
                 "  -f, --file FILE        read the SQL from FILE (- for standard input)\n"
                 "  --format FORMAT        table (default), csv, json (one object per line) or tsv\n"
                 "  --width N              table width in columns (default: the terminal's, else\n"
                 "                         $COLUMNS, else unlimited); 0 = unlimited\n"
                 "  -p, --param NAME=VALUE bind :NAME (also @NAME, $NAME) to VALUE; parameters\n"
                 "                         left unbound are NULL, so canned queries run as they are\n"
                 "  --write                open the database read-write\n"
                 "\n"
                 "Functions: regexp(PATTERN, TEXT) and TEXT REGEXP PATTERN (PCRE2), ip_in(IP,\n"
                 "'CIDR[, CIDR...]'), is_exo_ip(IP), domain_of(ADDRESS), local_part_of(ADDRESS),\n"
                 "in_list(VALUE, '[\"JSON\", \"array\"]').\n"
                 "`mxaudit schema` prints the tables and views with their comments.\n"
                 "\n"
                 "Exit codes: 0 success; 2 usage, or standard output cannot be written; 3 the\n"
                 "-f file cannot be read; 4 database or SQL error (message on standard error,\n"
                 "with the position where SQLite gives one).\n");
}

static void schema_usage(FILE *out)
{
    fprintf(out, "usage: mxaudit schema [NAME...]\n"
                 "\n"
                 "Prints the database schema with its comments: every table and view, what\n"
                 "each column holds and where it comes from. With NAMEs, prints only the\n"
                 "definitions of those tables or views (and their indexes).\n"
                 "\n"
                 "Exit codes: 0 success; 2 usage, unknown name, or standard output cannot be\n"
                 "written.\n");
}

/* ---- running SQL ---- */

/* The connection Ctrl-C interrupts while a statement typed at the prompt
 * runs, and the Ctrl-Cs seen since it began (or since the prompt last
 * asked for a line). */
static sqlite3 *volatile interrupt_db;
static volatile sig_atomic_t interrupt_count;

/* What run_statement returns when the output could not be written, as
 * opposed to an SQLite result code (all of which are 0 or more). */
#define OUTPUT_FAILED (-1)

/* Line and column (1-based) of byte OFFSET in TEXT. */
static void text_position(const char *text, size_t offset, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < offset && text[i]; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *col = 1;
        } else if (((unsigned char)text[i] & 0xc0) != 0x80) {
            (*col)++;
        }
    }
}

/* Prints "ORIGIN:LINE:COL: error: MSG", then the line with a caret under
 * the column, so the user sees where the SQL went wrong; with OFFSET -1
 * (no position known), "ORIGIN: error: MSG" alone. */
static void report_error(const struct sql_run *r, const char *script, long offset, const char *msg, int code)
{
    const char *hint =
        (code & 0xff) == SQLITE_READONLY ? " (the database is opened read-only; give --write to change it)" : "";
    if ((code & 0xff) == SQLITE_INTERRUPT && r->interactive) {
        fputs("interrupted\n", stderr);
        return;
    }
    if (offset < 0) {
        fprintf(stderr, "mxaudit sql: %s: error: %s%s\n", r->origin, msg, hint);
        return;
    }
    int line, col;
    text_position(script, (size_t)offset, &line, &col);
    fprintf(stderr, "mxaudit sql: %s:%d:%d: error: %s%s\n", r->origin, line, col, msg, hint);
    const char *start = script + offset;
    while (start > script && start[-1] != '\n')
        start--;
    const char *end = strchr(start, '\n');
    int len = end ? (int)(end - start) : (int)strlen(start);
    fprintf(stderr, "  %.*s\n  ", len, start);
    for (const char *p = start; p < script + offset; p++) {
        if (((unsigned char)*p & 0xc0) != 0x80)
            putc(*p == '\t' ? '\t' : ' ', stderr);
    }
    fputs("^\n", stderr);
}

/* Shortest of %.15g, %.16g and %.17g that reads back as the same double. */
static void format_real(double v, char *buf, size_t len)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, len, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

static int bind_params(const struct sql_run *r, sqlite3_stmt *st)
{
    int n = sqlite3_bind_parameter_count(st);
    for (int i = 1; i <= n; i++) {
        const char *name = sqlite3_bind_parameter_name(st, i);
        if (!name)
            continue;
        for (int k = r->nparams - 1; k >= 0; k--) {
            if (strcmp(name + 1, r->params[k].name) != 0)
                continue;
            const char *v = r->params[k].value;
            char *end;
            errno = 0;
            long long iv = strtoll(v, &end, 10);
            /* Digits bind as an integer so that LIMIT :n works, but only
             * when the integer prints back as given: 0123 (an all-digit
             * queue id, a zip code) or +5 stays the text it was. */
            char back[32];
            snprintf(back, sizeof back, "%lld", iv);
            int rc = *v && !*end && errno == 0 && strcmp(back, v) == 0 ? sqlite3_bind_int64(st, i, iv)
                                                                       : sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
            if (rc != SQLITE_OK)
                return rc;
            break;
        }
    }
    return SQLITE_OK;
}

/* Steps one prepared statement to its end, rendering any rows. An SQLite
 * result code, or OUTPUT_FAILED after saying so. */
static int run_statement(const struct sql_run *r, sqlite3_stmt *st)
{
    int ncols = sqlite3_column_count(st);
    struct sqlout_cell *cells = NULL;
    char(*realbuf)[40] = NULL;
    /* The first step before the header: a query that fails at once (a bad
     * argument to a function) prints no header of a result it has not. */
    int rc = sqlite3_step(st);
    int begun = ncols > 0 && (rc == SQLITE_ROW || rc == SQLITE_DONE);
    if (begun) {
        const char **names = xcalloc((size_t)ncols, sizeof *names);
        for (int i = 0; i < ncols; i++)
            names[i] = sqlite3_column_name(st, i);
        sqlout_begin(r->out, ncols, names);
        free(names);
        cells = xcalloc((size_t)ncols, sizeof *cells);
        realbuf = xcalloc((size_t)ncols, sizeof *realbuf);
    }
    long long rows = 0;
    for (; rc == SQLITE_ROW; rc = sqlite3_step(st)) {
        rows++;
        for (int i = 0; i < ncols; i++) {
            switch (sqlite3_column_type(st, i)) {
            case SQLITE_NULL:
                cells[i] = (struct sqlout_cell){SQLOUT_NULL, NULL, 0};
                break;
            case SQLITE_INTEGER:
                cells[i].type = SQLOUT_INTEGER;
                cells[i].data = (const char *)sqlite3_column_text(st, i);
                cells[i].len = (size_t)sqlite3_column_bytes(st, i);
                break;
            case SQLITE_FLOAT:
                format_real(sqlite3_column_double(st, i), realbuf[i], sizeof realbuf[i]);
                cells[i].type = SQLOUT_REAL;
                cells[i].data = realbuf[i];
                cells[i].len = strlen(realbuf[i]);
                break;
            case SQLITE_BLOB:
                cells[i].type = SQLOUT_BLOB;
                cells[i].data = sqlite3_column_blob(st, i);
                cells[i].len = (size_t)sqlite3_column_bytes(st, i);
                break;
            default:
                cells[i].type = SQLOUT_TEXT;
                cells[i].data = (const char *)sqlite3_column_text(st, i);
                cells[i].len = (size_t)sqlite3_column_bytes(st, i);
                break;
            }
        }
        sqlout_row(r->out, cells);
    }
    int werr = 0;
    if (begun) {
        werr = sqlout_end(r->out);
        if (r->interactive)
            fprintf(stderr, "(%lld row%s)\n", rows, rows == 1 ? "" : "s");
    } else if (rc == SQLITE_DONE && !r->quiet && sqlite3_changes(r->db) > 0 && !sqlite3_stmt_readonly(st)) {
        fprintf(stderr, "mxaudit sql: %d row(s) changed\n", sqlite3_changes(r->db));
    }
    free(cells);
    free(realbuf);
    if (werr < 0) {
        cli_write_error("sql");
        return OUTPUT_FAILED;
    }
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Runs every statement of SCRIPT; stops at the first error. 0, -1 after
 * an SQL or database error, or -2 when the output could not be written. */
static int run_script(const struct sql_run *r, const char *script)
{
    const char *p = script;
    while (*p) {
        /* A Ctrl-C between two statements of a line: SQLite forgets an
         * interrupt when no statement runs, so the next one is not started. */
        if (r->interactive && interrupt_count > 0) {
            fputs("interrupted\n", stderr);
            return -1;
        }
        sqlite3_stmt *st = NULL;
        const char *tail = NULL;
        int rc = sqlite3_prepare_v2(r->db, p, -1, &st, &tail);
        if (rc != SQLITE_OK) {
            int off = sqlite3_error_offset(r->db);
            /* An error inside a view's definition has an offset into that
             * text, not into ours: only an offset within this statement counts. */
            size_t stmt_len = tail && tail > p ? (size_t)(tail - p) : strlen(p);
            if (off >= 0 && (size_t)off >= stmt_len)
                off = -1;
            report_error(r, script, off >= 0 ? (long)(p - script) + off : -1, sqlite3_errmsg(r->db),
                         sqlite3_extended_errcode(r->db));
            return -1;
        }
        if (!st) { /* only whitespace or comments left */
            p = tail;
            continue;
        }
        rc = bind_params(r, st);
        if (rc == SQLITE_OK)
            rc = run_statement(r, st);
        if (rc == OUTPUT_FAILED) {
            sqlite3_finalize(st);
            return -2;
        }
        if (rc != SQLITE_OK) {
            /* SQLite places only errors of prepare in the text; one found
             * while the statement runs has no position to show. */
            report_error(r, script, -1, sqlite3_errmsg(r->db), sqlite3_extended_errcode(r->db));
            sqlite3_finalize(st);
            return -1;
        }
        sqlite3_finalize(st);
        p = tail;
    }
    return 0;
}

static char *read_stream(FILE *f)
{
    size_t cap = 4096, len = 0;
    char *buf = xmalloc(cap);
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 2) {
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
    }
    if (ferror(f)) {
        free(buf);
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}

/* A table width as --width and .width take it: 0 (unlimited) to 100000
 * columns. 0, or -1 for anything else. */
static int parse_width(const char *s, int *width)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!isdigit((unsigned char)*s) || *end || errno || v > 100000)
        return -1;
    *width = (int)v;
    return 0;
}

static int terminal_width(void)
{
    struct winsize ws;
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    const char *cols = getenv("COLUMNS");
    if (cols && atoi(cols) > 0)
        return atoi(cols);
    return 0;
}

/* ---- schema printing (shared by `schema` and the prompt's .schema) ---- */

/* Name of the object a CREATE statement defines, lower-cased into OUT, and
 * for an index the table it is on into ON (else ""). */
static void create_names(const char *stmt, char *out, size_t outlen, char *on, size_t onlen)
{
    static const char *const skip[] = {"create", "temp",  "temporary", "unique", "virtual", "table",
                                       "view",   "index", "trigger",   "if",     "not",     "exists"};
    const char *p = stmt;
    out[0] = on[0] = '\0';
    for (;;) {
        while (*p && isspace((unsigned char)*p))
            p++;
        const char *w = p;
        while (*p && (isalnum((unsigned char)*p) || *p == '_' || *p == '"' || *p == '`' || *p == '[' || *p == ']'))
            p++;
        size_t n = (size_t)(p - w);
        if (n == 0)
            return;
        int is_kw = 0;
        for (size_t k = 0; k < sizeof skip / sizeof skip[0]; k++)
            if (strlen(skip[k]) == n && strncasecmp(w, skip[k], n) == 0)
                is_kw = 1;
        if (is_kw)
            continue;
        size_t o = 0;
        for (size_t k = 0; k < n && o + 1 < outlen; k++)
            if (w[k] != '"' && w[k] != '`' && w[k] != '[' && w[k] != ']')
                out[o++] = (char)tolower((unsigned char)w[k]);
        out[o] = '\0';
        const char *onp = strcasestr(p, " on ");
        if (onp && strncasecmp(stmt, "create index", 12) == 0) {
            onp += 4;
            while (*onp && isspace((unsigned char)*onp))
                onp++;
            o = 0;
            while (*onp && (isalnum((unsigned char)*onp) || *onp == '_') && o + 1 < onlen)
                on[o++] = (char)tolower((unsigned char)*onp++);
            on[o] = '\0';
        }
        return;
    }
}

/* Prints the definitions (with the comment lines right above them) of
 * objects named in NAMES, or whole files when NNAMES is 0. Marks found[i].
 * An object a later migration step defines again (after dropping it) is
 * printed as that step defines it, in the place of its first definition. */
/* One CREATE or DROP statement of a schema file: the comment lines right
 * before it start at FROM, the statement runs from START to END (a line
 * end), NAME is the object it creates or drops, ON the table of an index. */
struct schema_stmt {
    const char *from, *start, *end;
    int is_drop, is_alter; /* is_alter: ALTER TABLE NAME ..., which adds to NAME */
    char name[256], on[256];
};

/* The CREATE and DROP statements of TEXT, in order; *N of them. */
static struct schema_stmt *schema_statements(const char *text, size_t *n)
{
    struct schema_stmt *v = NULL;
    *n = 0;
    const char *p = text, *comment = NULL;
    while (*p) {
        const char *eol = strchr(p, '\n');
        const char *next = eol ? eol + 1 : p + strlen(p);
        const char *q = p;
        while (q < next && (*q == ' ' || *q == '\t'))
            q++;
        if (strncmp(q, "--", 2) == 0) {
            if (!comment)
                comment = p;
            p = next;
            continue;
        }
        int is_drop = strncasecmp(q, "drop", 4) == 0;
        int is_alter = strncasecmp(q, "alter", 5) == 0;
        if (!is_drop && !is_alter && strncasecmp(q, "create", 6) != 0) {
            comment = NULL;
            p = next;
            continue;
        }
        /* The statement runs to the first line end after which it is complete. */
        const char *end = next;
        char *stmt = NULL;
        for (;;) {
            stmt = xstrndup(p, (size_t)(end - p));
            if (sqlite3_complete(stmt) || !*end)
                break;
            free(stmt);
            const char *e2 = strchr(end, '\n');
            end = e2 ? e2 + 1 : end + strlen(end);
        }
        v = xrealloc(v, (*n + 1) * sizeof *v);
        struct schema_stmt *st = &v[(*n)++];
        st->from = comment ? comment : p;
        st->start = p;
        st->end = end;
        st->is_drop = is_drop;
        st->is_alter = is_alter;
        if (is_alter) {
            /* "ALTER TABLE name ...": create_names skips "table" */
            create_names(stmt + 5, st->name, sizeof st->name, st->on, sizeof st->on);
            st->on[0] = '\0';
        } else if (is_drop) {
            /* "DROP VIEW name;": the word after the object type */
            char *w = stmt + 4;
            while (*w && isspace((unsigned char)*w))
                w++;
            while (*w && !isspace((unsigned char)*w))
                w++;
            create_names(w, st->name, sizeof st->name, st->on, sizeof st->on);
            st->on[0] = '\0';
        } else {
            create_names(stmt, st->name, sizeof st->name, st->on, sizeof st->on);
        }
        free(stmt);
        comment = NULL;
        p = end;
    }
    return v;
}

/* Without NAMEs, the schema as it stands after every step: each file in
 * turn (its comments explain it), less the statements a later step
 * replaced or dropped and the DROP statements themselves. With NAMEs, the
 * last definition of each object (for an index also of its table), with
 * the comment before it. */
static void print_schema(FILE *out, char **names, int nnames, int *found)
{
    struct def {
        char name[256];
        char *text;
    } *defs = NULL;
    size_t ndefs = 0;
    size_t nfiles = embedded_schema_count;
    struct schema_stmt **all = xcalloc(nfiles + 1, sizeof *all);
    size_t *nall = xcalloc(nfiles + 1, sizeof *nall);
    for (size_t f = 0; f < nfiles; f++)
        all[f] = schema_statements(embedded_schema[f].text, &nall[f]);
    for (size_t f = 0; f < nfiles; f++) {
        const char *text = embedded_schema[f].text;
        if (nnames == 0) {
            if (f)
                putc('\n', out);
            const char *p = text;
            for (size_t k = 0; k < nall[f]; k++) {
                const struct schema_stmt *st = &all[f][k];
                if (st->is_alter) /* it adds to its table: kept, in its step */
                    continue;
                int later = st->is_drop;
                for (size_t g = f; !later && g < nfiles; g++)
                    for (size_t j = g == f ? k + 1 : 0; !later && j < nall[g]; j++)
                        later = !all[g][j].is_alter && strcmp(all[g][j].name, st->name) == 0;
                if (!later)
                    continue;
                /* a DROP goes alone: the comment before it explains the step */
                const char *cut = st->is_drop ? st->start : st->from;
                fwrite(p, 1, (size_t)(cut - p), out);
                p = st->end;
                while (*p == '\n')
                    p++; /* and the blank lines after it */
            }
            fputs(p, out);
            continue;
        }
        for (size_t k = 0; k < nall[f]; k++) {
            const struct schema_stmt *st = &all[f][k];
            if (st->is_drop)
                continue;
            for (int i = 0; i < nnames; i++) {
                if (strcasecmp(names[i], st->name) == 0 || strcasecmp(names[i], st->on) == 0) {
                    const char *from = !st->on[0] ? st->from : st->start;
                    size_t d = 0;
                    while (d < ndefs && strcmp(defs[d].name, st->name))
                        d++;
                    if (st->is_alter && d < ndefs) {
                        /* after its table's definition, with its comment */
                        size_t have = strlen(defs[d].text), len = (size_t)(st->end - st->from);
                        defs[d].text = xrealloc(defs[d].text, have + len + 2);
                        memcpy(defs[d].text + have, st->from, len);
                        strcpy(defs[d].text + have + len, "\n");
                        found[i] = 1;
                        break;
                    }
                    if (d == ndefs) {
                        defs = xrealloc(defs, ++ndefs * sizeof *defs);
                        snprintf(defs[d].name, sizeof defs[d].name, "%s", st->name);
                    } else {
                        free(defs[d].text);
                    }
                    size_t len = (size_t)(st->end - from);
                    defs[d].text = xmalloc(len + 2);
                    memcpy(defs[d].text, from, len);
                    strcpy(defs[d].text + len, st->on[0] ? "" : "\n");
                    found[i] = 1;
                    break;
                }
            }
        }
    }
    for (size_t f = 0; f < nfiles; f++)
        free(all[f]);
    free(all);
    free(nall);
    for (size_t d = 0; defs && d < ndefs; d++) {
        fputs(defs[d].text, out);
        free(defs[d].text);
    }
    free(defs);
}

int cmd_schema(const struct global_options *g, int argc, char **argv)
{
    (void)g;
    int nnames = 0;
    char **names = xcalloc((size_t)argc + 1, sizeof *names);
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            schema_usage(stdout);
            free(names);
            return EXIT_OK;
        }
        if (argv[i][0] == '-' && strcmp(argv[i], "--") != 0) {
            fprintf(stderr, "mxaudit schema: unknown option '%s'\n", argv[i]);
            schema_usage(stderr);
            free(names);
            return EXIT_USAGE;
        }
        if (strcmp(argv[i], "--") != 0)
            names[nnames++] = argv[i];
    }
    int *found = xcalloc((size_t)nnames + 1, sizeof *found);
    /* errno from the first write that failed, which may be inside
     * print_schema, not in the final flush */
    errno = 0;
    print_schema(stdout, names, nnames, found);
    int rc = EXIT_OK;
    if (cli_stdout_done("schema") < 0)
        rc = EXIT_USAGE;
    for (int i = 0; i < nnames; i++) {
        if (!found[i]) {
            fprintf(stderr, "mxaudit schema: no table or view named '%s'; `mxaudit schema` prints them all\n",
                    names[i]);
            rc = EXIT_USAGE;
        }
    }
    free(found);
    free(names);
    return rc;
}

/* ---- the prompt ---- */

/* sqlite3_interrupt() may be called from a signal handler (the sqlite3
 * shell does so). A statement stuck where SQLite does not look at the flag
 * (inside one long function call) still ends at the third Ctrl-C. */
static void on_interrupt(int sig)
{
    if (++interrupt_count >= 3) {
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    if (interrupt_db)
        sqlite3_interrupt(interrupt_db);
}

/* Routes Ctrl-C to on_interrupt. While a statement runs, a write the signal
 * lands in goes on (SA_RESTART: no row cut short); at the prompt, the read
 * returns, so the line typed so far can be dropped. */
static void catch_interrupt(int restart)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_interrupt;
    sa.sa_flags = restart ? SA_RESTART : 0;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
}

/* Runs SCRIPT with Ctrl-C stopping it instead of the session. */
static void run_interruptible(struct sql_run *r, const char *script)
{
    interrupt_db = r->db;
    interrupt_count = 0;
    clearerr(stdout); /* judge this statement's output by its own writes */
    catch_interrupt(1);
    run_script(r, script);
    catch_interrupt(0);
    interrupt_db = NULL;
}

static void prompt_help(void)
{
    fprintf(stderr, "End a statement with ';' to run it. Ctrl-C stops a running statement; at the prompt, it\n"
                    "drops what was typed since the last statement ran. Dot commands:\n"
                    "  .format [table|csv|json|tsv] output format; alone, the current one\n"
                    "  .width [N]                   table width (0 = unlimited); alone, the current one\n"
                    "  .tables                      tables and views\n"
                    "  .schema [NAME]               definitions with their comments\n"
                    "  .help                        this text\n"
                    "  .quit                        leave (also Ctrl-D)\n");
}

/* One line from the terminal without its newline, or NULL at end of input
 * or when Ctrl-C was pressed (then *INTERRUPTED is 1); the caller frees it. */
static char *prompt_read(const char *prompt, int *interrupted)
{
    interrupt_count = 0;
    *interrupted = 0;
#ifdef MXAUDIT_HAVE_LIBEDIT
    char *line = readline(prompt);
#else
    fputs(prompt, stderr);
    fflush(stderr);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, stdin);
    if (n < 0) {
        free(line);
        line = NULL;
        clearerr(stdin);
    } else if (n > 0 && line[n - 1] == '\n') {
        line[n - 1] = '\0';
    }
#endif
    if (!line && interrupt_count > 0)
        *interrupted = 1;
    return line;
}

/* Handles a dot command; 1 when it asks to leave. */
static int prompt_dot(struct sql_run *r, const char *line, enum sqlout_format *format, int *width)
{
    char cmd[32] = "", arg[256] = "";
    sscanf(line, "%31s %255s", cmd, arg);
    if (strcmp(cmd, ".quit") == 0 || strcmp(cmd, ".exit") == 0)
        return 1;
    if (strcmp(cmd, ".help") == 0) {
        prompt_help();
    } else if (strcmp(cmd, ".format") == 0 || strcmp(cmd, ".mode") == 0) {
        if (!arg[0]) {
            fprintf(stderr, "format: %s\n", sqlout_format_name(*format));
        } else if (sqlout_parse_format(arg, format) < 0) {
            fprintf(stderr, "unknown format '%s' (table, csv, json, tsv); it stays %s\n", arg,
                    sqlout_format_name(*format));
        } else {
            sqlout_free(r->out);
            r->out = sqlout_new(*format, stdout, *width);
        }
    } else if (strcmp(cmd, ".width") == 0) {
        if (!arg[0]) {
            fprintf(stderr, "width: %d%s\n", *width, *width ? "" : " (unlimited)");
        } else if (parse_width(arg, width) < 0) {
            fprintf(stderr, ".width needs a number of columns (0 = unlimited), not '%s'; it stays %d\n", arg, *width);
        } else {
            sqlout_free(r->out);
            r->out = sqlout_new(*format, stdout, *width);
        }
    } else if (strcmp(cmd, ".tables") == 0) {
        run_script(r, "SELECT name, type FROM sqlite_schema WHERE type IN ('table', 'view') "
                      "AND name NOT LIKE 'sqlite_%' ORDER BY type, name;");
    } else if (strcmp(cmd, ".schema") == 0) {
        char *names[1] = {arg};
        int found = 0;
        print_schema(stdout, names, arg[0] ? 1 : 0, &found);
        if (arg[0] && !found)
            fprintf(stderr, "no table or view named '%s'\n", arg);
    } else {
        fprintf(stderr, "unknown command %s; .help lists them\n", cmd);
    }
    return 0;
}

static int run_prompt(struct sql_run *r, enum sqlout_format format, int width)
{
    char *history = NULL;
    const char *home = getenv("HOME");
#ifdef MXAUDIT_HAVE_LIBEDIT
    if (home && *home) {
        size_t n = strlen(home) + 32;
        history = xmalloc(n);
        snprintf(history, n, "%s/.mxaudit_history", home);
        using_history();
        read_history(history);
    }
#else
    (void)home;
#endif
    fprintf(stderr, "mxaudit %s: SQL on %s (%s). .help for help, .quit to leave.\n", MXAUDIT_VERSION,
            sqlite3_db_filename(r->db, "main"), sqlite3_db_readonly(r->db, "main") ? "read-only" : "read-write");
    size_t cap = 1024, len = 0;
    char *buf = xmalloc(cap);
    buf[0] = '\0';
    r->interactive = 1;
    r->origin = "input";
    catch_interrupt(0);
    for (;;) {
        int interrupted;
        char *line = prompt_read(len ? "   ...> " : "mxaudit> ", &interrupted);
        if (interrupted) {
#ifdef MXAUDIT_HAVE_LIBEDIT
            fputs("^C\n", stderr);
#else
            putc('\n', stderr); /* the terminal echoed the ^C */
#endif
            len = 0;
            buf[0] = '\0';
            continue;
        }
        if (!line)
            break;
        if (len == 0 && line[0] == '.') {
#ifdef MXAUDIT_HAVE_LIBEDIT
            add_history(line);
#endif
            int quit = prompt_dot(r, line, &format, &width);
            free(line);
            if (quit)
                break;
            continue;
        }
        size_t n = strlen(line);
        if (len + n + 2 > cap) {
            cap = (len + n + 2) * 2;
            buf = xrealloc(buf, cap);
        }
        memcpy(buf + len, line, n);
        len += n;
        buf[len++] = '\n';
        buf[len] = '\0';
        free(line);
        if (!sqlite3_complete(buf))
            continue;
#ifdef MXAUDIT_HAVE_LIBEDIT
        buf[len - 1] = '\0';
        add_history(buf);
        buf[len - 1] = '\n';
#endif
        run_interruptible(r, buf);
        len = 0;
        buf[0] = '\0';
    }
    signal(SIGINT, SIG_DFL);
    putc('\n', stderr);
#ifdef MXAUDIT_HAVE_LIBEDIT
    if (history)
        write_history(history);
#endif
    free(history);
    free(buf);
    return EXIT_OK;
}

/* ---- the command ---- */

/* 1 when ARG is a query that starts with an SQL comment ("-- ..."): no
 * option has a blank after its dashes. */
static int arg_is_comment(const char *arg)
{
    return arg[0] == '-' && arg[1] == '-' && arg[2] && isspace((unsigned char)arg[2]);
}

int cmd_sql(const struct global_options *g, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"file", required_argument, NULL, 'f'},
        {"format", required_argument, NULL, 'F'},
        {"width", required_argument, NULL, 'w'},
        {"param", required_argument, NULL, 'p'},
        {"write", no_argument, NULL, 'W'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *file = NULL, *query = NULL, *extra = NULL;
    enum sqlout_format format = SQLOUT_TABLE;
    int width = -1, writable = 0, unknown = 0;
    struct sql_run r;
    memset(&r, 0, sizeof r);
    r.quiet = g->quiet;
    r.params = xcalloc((size_t)argc + 1, sizeof *r.params);
    optind = 0;
    opterr = 0;
    int c, rc = EXIT_OK;
    while ((c = getopt_long(argc, argv, "f:p:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
            file = optarg;
            break;
        case 'F':
            if (sqlout_parse_format(optarg, &format) < 0) {
                fprintf(stderr, "mxaudit sql: unknown format '%s' (table, csv, json, tsv)\n", optarg);
                rc = EXIT_USAGE;
            }
            break;
        case 'w':
            if (parse_width(optarg, &width) < 0) {
                fprintf(stderr, "mxaudit sql: --width needs a number of columns, not '%s'\n", optarg);
                rc = EXIT_USAGE;
            }
            break;
        case 'p': {
            char *eq = strchr(optarg, '=');
            if (!eq || eq == optarg) {
                fprintf(stderr, "mxaudit sql: --param needs NAME=VALUE, not '%s'\n", optarg);
                rc = EXIT_USAGE;
                break;
            }
            *eq = '\0';
            const char *name = optarg;
            if (*name == ':' || *name == '@' || *name == '$')
                name++;
            r.params[r.nparams].name = name;
            r.params[r.nparams].value = eq + 1;
            r.nparams++;
            break;
        }
        case 'W':
            writable = 1;
            break;
        case 'h':
            sql_usage(stdout);
            free(r.params);
            return EXIT_OK;
        default:
            /* getopt took "-- x" for a long option named " x", which none is. */
            if (arg_is_comment(argv[optind - 1])) {
                if (query)
                    extra = argv[optind - 1];
                else
                    query = argv[optind - 1];
                break;
            }
            fprintf(stderr, "mxaudit sql: unknown or incomplete option '%s'\n", argv[optind - 1]);
            unknown = 1;
            rc = EXIT_USAGE;
        }
    }
    if (rc == EXIT_OK && optind < argc) {
        if (query)
            extra = argv[optind];
        else
            query = argv[optind++];
        if (!extra && optind < argc)
            extra = argv[optind];
    }
    if (rc == EXIT_OK && extra) {
        fprintf(stderr, "mxaudit sql: give the query as one argument (quote it); extra: '%s'\n", extra);
        rc = EXIT_USAGE;
    } else if (rc == EXIT_OK && query && file) {
        fprintf(stderr, "mxaudit sql: give a query or -f FILE, not both\n");
        rc = EXIT_USAGE;
    }
    if (rc != EXIT_OK) {
        /* As the other commands do: the whole usage for an option we do not
         * know, the one line alone for a value or an argument that is wrong. */
        if (unknown)
            sql_usage(stderr);
        free(r.params);
        return rc;
    }

    char *script = NULL;
    if (file) {
        FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
        if (!f || !(script = read_stream(f))) {
            fprintf(stderr, "mxaudit sql: %s: %s\n", file, strerror(errno));
            if (f && f != stdin)
                fclose(f);
            free(r.params);
            return EXIT_INPUT;
        }
        if (f != stdin)
            fclose(f);
        r.origin = file;
    } else if (query) {
        script = xstrdup(query);
        r.origin = "query";
    } else if (!isatty(STDIN_FILENO)) {
        if (!(script = read_stream(stdin))) {
            fprintf(stderr, "mxaudit sql: standard input: %s\n", strerror(errno));
            free(r.params);
            return EXIT_INPUT;
        }
        r.origin = "stdin";
    }

    const char *path = store_default_path(g->db_path);
    char err[1024];
    if (store_open(path, writable ? STORE_READWRITE : STORE_READONLY, &r.db, err, sizeof err) < 0) {
        fprintf(stderr, "mxaudit: %s\n", err);
        free(script);
        free(r.params);
        return EXIT_DB;
    }
    /* store_open registers the functions too; registering again is harmless
     * and keeps `sql` working whatever store_open does. */
    sqlfunc_register(r.db);
    if (width < 0)
        width = terminal_width();
    r.out = sqlout_new(format, stdout, width);
    if (script) {
        int status = run_script(&r, script);
        rc = status == 0 ? EXIT_OK : status == -2 ? EXIT_USAGE : EXIT_DB;
    } else {
        rc = run_prompt(&r, format, width);
    }
    sqlout_free(r.out);
    store_close(r.db);
    free(script);
    free(r.params);
    return rc;
}
