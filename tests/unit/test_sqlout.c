/*
 * test_sqlout.c - the result renderers: what a user reads or re-imports.
 */
#include "sqlout.h"
#include "testutil.h"
#include "xalloc.h"

/* Renders the rows with FORMAT and WIDTH into a static buffer. */
static const char *render(enum sqlout_format format, int width, int ncols, const char *const *names,
                          const struct sqlout_cell *cells, int nrows)
{
    static char *buf;
    size_t len;
    free(buf);
    buf = NULL;
    FILE *f = open_memstream(&buf, &len);
    struct sqlout *o = sqlout_new(format, f, width);
    sqlout_begin(o, ncols, names);
    for (int r = 0; r < nrows; r++)
        sqlout_row(o, cells + r * ncols);
    CHECK_INT(sqlout_end(o), 0);
    sqlout_free(o);
    fclose(f);
    return buf;
}

#define TXT(s)                                                                                                         \
    {                                                                                                                  \
        SQLOUT_TEXT, s, sizeof(s) - 1                                                                                  \
    }
#define INT(s)                                                                                                         \
    {                                                                                                                  \
        SQLOUT_INTEGER, s, sizeof(s) - 1                                                                               \
    }
#define NUL                                                                                                            \
    {                                                                                                                  \
        SQLOUT_NULL, NULL, 0                                                                                           \
    }

/* One text value rendered by FORMAT as the only column "v" of one row:
 * what stands for the value in the output (the header and line end cut). */
static const char *field(enum sqlout_format format, const char *s, size_t len)
{
    static char *value;
    const char *names[] = {"v"};
    struct sqlout_cell cell = {SQLOUT_TEXT, s, len};
    const char *all = render(format, 0, 1, names, &cell, 1);
    const char *start = format == SQLOUT_JSON ? all + strlen("{\"v\":") : strchr(all, '\n') + 1;
    size_t n = strlen(start) - (format == SQLOUT_JSON ? strlen("}\n") : strlen("\n"));
    free(value);
    value = xstrndup(start, n);
    return value;
}

static const char *field_csv(const char *s, size_t len)
{
    return field(SQLOUT_CSV, s, len);
}

static const char *field_json(const char *s, size_t len)
{
    return field(SQLOUT_JSON, s, len);
}

/* A long table is sized by its first SQLOUT_TABLE_SAMPLE rows and printed
 * as it goes: the header and those rows are out before the query ends, so
 * `| head` answers at once and memory stays flat; a later, wider cell is
 * whole without a width limit and cut with one. */
static void test_table_streams(void)
{
    for (int limited = 0; limited < 2; limited++) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        struct sqlout *o = sqlout_new(SQLOUT_TABLE, f, limited ? 30 : 0);
        const char *names[] = {"n", "text"};
        sqlout_begin(o, 2, names);
        char num[32];
        for (int r = 0; r < SQLOUT_TABLE_SAMPLE + 5; r++) {
            snprintf(num, sizeof num, "%d", r);
            const char *text = r == SQLOUT_TABLE_SAMPLE + 2 ? "a cell far wider than any of the sample's" : "short";
            struct sqlout_cell cells[2] = {{SQLOUT_INTEGER, num, strlen(num)}, {SQLOUT_TEXT, text, strlen(text)}};
            sqlout_row(o, cells);
            if (r == SQLOUT_TABLE_SAMPLE) {
                fflush(f);
                CHECK(len > 0 && strncmp(buf, "n   | text", 10) == 0); /* printed before the end */
            }
        }
        CHECK_INT(sqlout_end(o), 0);
        sqlout_free(o);
        fclose(f);
        int lines = 0;
        for (size_t i = 0; i < len; i++)
            lines += buf[i] == '\n';
        CHECK_INT(lines, SQLOUT_TABLE_SAMPLE + 5 + 2);
        CHECK(strstr(buf, limited ? "1002 | a cell far wider than a\xe2\x80\xa6"
                                  : "1002 | a cell far wider than any of the sample's\n") != NULL);
        CHECK(strstr(buf, "1004 | short\n") != NULL);
        free(buf);
    }
    /* A column the sample left one character wide still cuts a later long
     * text to a few characters and the marker, within the width. */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct sqlout *o = sqlout_new(SQLOUT_TABLE, f, 40);
    const char *names[] = {"t", "n"};
    sqlout_begin(o, 2, names);
    for (int r = 0; r < SQLOUT_TABLE_SAMPLE + 1; r++) {
        const char *text = r == SQLOUT_TABLE_SAMPLE ? "abcdefghij" : "a";
        struct sqlout_cell cells[2] = {{SQLOUT_TEXT, text, strlen(text)}, {SQLOUT_INTEGER, "7", 1}};
        sqlout_row(o, cells);
    }
    CHECK_INT(sqlout_end(o), 0);
    sqlout_free(o);
    fclose(f);
    CHECK(strstr(buf, "\nabc\xe2\x80\xa6 | 7\n") != NULL);
    free(buf);
}

int main(int argc, char **argv)
{
    TEST_INIT(argc, argv);
    test_table_streams();
    enum sqlout_format fmt;
    CHECK_INT(sqlout_parse_format("csv", &fmt), 0);
    CHECK_INT(fmt, SQLOUT_CSV);
    CHECK_INT(sqlout_parse_format("xml", &fmt), -1);

    /* CSV field quoting (RFC 4180): only when needed, quotes doubled. */
    CHECK_STR(field_csv("plain", 5), "plain");
    CHECK_STR(field_csv("a,b", 3), "\"a,b\"");
    CHECK_STR(field_csv("say \"hi\"", 8), "\"say \"\"hi\"\"\"");
    CHECK_STR(field_csv("two\nlines", 9), "\"two\nlines\"");
    CHECK_STR(field_csv("cr\r", 3), "\"cr\r\"");
    CHECK_STR(field_csv("", 0), "\"\"");
    CHECK_STR(field_csv(" pad", 4), "\" pad\"");
    /* CSV is data for re-import: no formula prefix, control bytes and even
     * invalid UTF-8 written unchanged, so the value reads back as it was. */
    CHECK_STR(field_csv("=1+2", 4), "=1+2");
    CHECK_STR(field_csv("-2", 2), "-2");
    CHECK_STR(field_csv("esc\x1b[2J bell\x07", 13), "esc\x1b[2J bell\x07");
    CHECK_STR(field_csv("bad\xff", 4), "bad\xff");

    /* JSON strings: escapes, control characters, invalid UTF-8 replaced. */
    CHECK_STR(field_json("a\"b\\c", 5), "\"a\\\"b\\\\c\"");
    CHECK_STR(field_json("x\ny\tz", 5), "\"x\\ny\\tz\"");
    CHECK_STR(field_json("\x01", 1), "\"\\u0001\"");
    CHECK_STR(field_json("Gr\xc3\xbc\xc3\x9f"
                         "e",
                         7),
              "\"Gr\xc3\xbc\xc3\x9f"
              "e\"");
    CHECK_STR(field_json("bad\xff", 4), "\"bad\\ufffd\"");
    CHECK_STR(field_json("nul\0x", 5), "\"nul\\u0000x\"");
    CHECK_STR(field_json("\x1b[2J\x7f", 5), "\"\\u001b[2J\\u007f\"");
    CHECK_STR(field_json("\xc0\xaf\xed\xa0\x80", 5), "\"\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\"");

    /* CSV result: header, NULL empty and unquoted, '' quoted. */
    const char *names[] = {"id", "sender", "subject"};
    struct sqlout_cell rows[] = {
        INT("1"), TXT(""), TXT("Invoice 42, overdue"), INT("2"), NUL, TXT("line one\nline two"),
    };
    CHECK_STR(render(SQLOUT_CSV, 0, 3, names, rows, 2),
              "id,sender,subject\n1,\"\",\"Invoice 42, overdue\"\n2,,\"line one\nline two\"\n");

    /* JSON: one object per row, numbers unquoted, NULL as null. */
    CHECK_STR(render(SQLOUT_JSON, 0, 3, names, rows, 2),
              "{\"id\":1,\"sender\":\"\",\"subject\":\"Invoice 42, overdue\"}\n"
              "{\"id\":2,\"sender\":null,\"subject\":\"line one\\nline two\"}\n");
    struct sqlout_cell inf[] = {{SQLOUT_REAL, "Inf", 3}, {SQLOUT_REAL, "1.5", 3}, {SQLOUT_BLOB, "\x00\xff", 2}};
    const char *numnames[] = {"a", "b", "c"};
    CHECK_STR(render(SQLOUT_JSON, 0, 3, numnames, inf, 1), "{\"a\":null,\"b\":1.5,\"c\":\"00ff\"}\n");

    /* TSV: escapes, NULL as \N. */
    struct sqlout_cell tsv[] = {TXT("a\tb"), TXT("back\\slash\n"), NUL};
    CHECK_STR(render(SQLOUT_TSV, 0, 3, names, tsv, 1), "id\tsender\tsubject\na\\tb\tback\\\\slash\\n\t\\N\n");

    /* Table: numbers right-aligned, NULL shown, no trailing blanks. */
    CHECK_STR(render(SQLOUT_TABLE, 0, 3, names, rows, 2), "id | sender | subject\n"
                                                          "---+--------+--------------------\n"
                                                          " 1 |        | Invoice 42, overdue\n"
                                                          " 2 | NULL   | line one\xe2\x86\xb5line two\n");

    /* Table fitted to 30 columns: the widest column gives way, cut cells end in the marker. */
    const char *t = render(SQLOUT_TABLE, 30, 3, names, rows, 2);
    CHECK_STR(t, "id | sender | subject\n"
                 "---+--------+-----------------\n"
                 " 1 |        | Invoice 42, ove\xe2\x80\xa6\n"
                 " 2 | NULL   | line one\xe2\x86\xb5line t\xe2\x80\xa6\n");
    /* every line fits the width */
    int maxw = 0;
    for (const char *line = t; *line;) {
        const char *nl = strchr(line, '\n');
        int w = (int)sqlout_text_width(line, (size_t)(nl - line));
        if (w > maxw)
            maxw = w;
        line = nl + 1;
    }
    CHECK(maxw <= 30);

    /* Width counts East Asian wide characters twice, combining marks not at all. */
    CHECK_INT(sqlout_text_width("abc", 3), 3);
    CHECK_INT(sqlout_text_width("\xe6\x97\xa5\xe6\x9c\xac", 6), 4); /* 日本 */
    CHECK_INT(sqlout_text_width("e\xcc\x81", 3), 1);                /* e + combining acute */
    CHECK_INT(sqlout_text_width("\xc3\xbc", 2), 1);                 /* ü */

    /* A wide character is never split by the cut: the cell stays within its column. */
    const char *wn[] = {"name"};
    struct sqlout_cell wide[] = {
        TXT("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe6\x96\x87\xe5\xad\x97")}; /* 5 wide chars */
    CHECK_STR(render(SQLOUT_TABLE, 6, 1, wn, wide, 1), "name\n------\n\xe6\x97\xa5\xe6\x9c\xac\xe2\x80\xa6\n");

    /* Control bytes and bytes that are not UTF-8 show as \xNN (escape.h's
     * text form), never as a '?' that the value may hold itself; the column
     * is as wide as what is shown. */
    const char *cn[] = {"v", "w"};
    struct sqlout_cell ctl[] = {TXT("a?b"),     INT("1"), TXT("a\001b"),        INT("2"),
                                TXT("bad\xff"), INT("3"), TXT("\x1b[2J\x7f\r"), INT("4")};
    CHECK_STR(render(SQLOUT_TABLE, 0, 2, cn, ctl, 4), "v               | w\n"
                                                      "----------------+--\n"
                                                      "a?b             | 1\n"
                                                      "a\\x01b          | 2\n"
                                                      "bad\\xFF         | 3\n"
                                                      "\\x1B[2J\\x7F\\x0D | 4\n");
    CHECK_INT(sqlout_text_width("a\001b", 3), 6);
    CHECK_INT(sqlout_text_width("\xc0\xaf", 2), 8);
    /* A cut never splits an escape: the cell ends before it, with the marker. */
    struct sqlout_cell cut[] = {TXT("ab\x01\x02"), INT("1")};
    CHECK_STR(render(SQLOUT_TABLE, 11, 2, cn, cut, 1), "v       | w\n"
                                                       "--------+--\n"
                                                       "ab\\x01\xe2\x80\xa6 | 1\n");
    CHECK_STR(render(SQLOUT_TABLE, 10, 2, cn, cut, 1), "v      | w\n"
                                                       "-------+--\n"
                                                       "ab\xe2\x80\xa6    | 1\n");

    return test_done("test_sqlout");
}
