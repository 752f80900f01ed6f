/*
 * escape.c - table-driven escaping for HTML, Markdown, CSV and JSON (see
 * escape.h).
 */
#include "escape.h"

#include <string.h>

/* "" drops the byte; NULL keeps it. */
static const char *const html_table[256] = {
    [0x01] = "", [0x02] = "", [0x03] = "", [0x04] = "", [0x05] = "", [0x06] = "", [0x07] = "", [0x08] = "",
    [0x0b] = "", [0x0c] = "", [0x0d] = "", [0x0e] = "", [0x0f] = "", [0x10] = "", [0x11] = "", [0x12] = "",
    [0x13] = "", [0x14] = "", [0x15] = "", [0x16] = "", [0x17] = "", [0x18] = "", [0x19] = "", [0x1a] = "",
    [0x1b] = "", [0x1c] = "", [0x1d] = "", [0x1e] = "", [0x1f] = "", [0x7f] = "",
    ['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;", ['\''] = "&#39;",
};

/* CommonMark 2.4: any ASCII punctuation may be backslash-escaped; these are
 * the ones that can open markup inside a line or a table cell. */
static const char *const markdown_table[256] = {
    ['\\'] = "\\\\", ['`'] = "\\`", ['*'] = "\\*", ['_'] = "\\_", ['['] = "\\[", [']'] = "\\]",
    ['<'] = "\\<", ['>'] = "\\>", ['|'] = "\\|", ['~'] = "\\~", ['&'] = "\\&", ['#'] = "\\#",
    ['\n'] = " ", ['\r'] = " ", ['\t'] = " ",
};

static const char *const json_table[256] = {
    [0x01] = "\\u0001", [0x02] = "\\u0002", [0x03] = "\\u0003", [0x04] = "\\u0004", [0x05] = "\\u0005",
    [0x06] = "\\u0006", [0x07] = "\\u0007", [0x08] = "\\b", [0x09] = "\\t", [0x0a] = "\\n",
    [0x0b] = "\\u000b", [0x0c] = "\\f", [0x0d] = "\\r", [0x0e] = "\\u000e", [0x0f] = "\\u000f",
    [0x10] = "\\u0010", [0x11] = "\\u0011", [0x12] = "\\u0012", [0x13] = "\\u0013", [0x14] = "\\u0014",
    [0x15] = "\\u0015", [0x16] = "\\u0016", [0x17] = "\\u0017", [0x18] = "\\u0018", [0x19] = "\\u0019",
    [0x1a] = "\\u001a", [0x1b] = "\\u001b", [0x1c] = "\\u001c", [0x1d] = "\\u001d", [0x1e] = "\\u001e",
    [0x1f] = "\\u001f", ['"'] = "\\\"", ['\\'] = "\\\\",
    /* "</script>" inside an embedded JSON block would end the block. */
    ['<'] = "\\u003c",
};

static const char *const csv_table[256] = {
    ['"'] = "\"\"",
};

static int write_table(FILE *out, const char *s, const char *const table[256])
{
    const unsigned char *p = (const unsigned char *)s, *run = p;
    for (; *p; p++) {
        const char *rep = table[*p];
        if (!rep)
            continue;
        if (p > run)
            fwrite(run, 1, (size_t)(p - run), out);
        fputs(rep, out);
        run = p + 1;
    }
    if (p > run)
        fwrite(run, 1, (size_t)(p - run), out);
    return ferror(out) ? -1 : 0;
}

int escape_html(FILE *out, const char *s)
{
    return s ? write_table(out, s, html_table) : 0;
}

int escape_markdown(FILE *out, const char *s)
{
    return s ? write_table(out, s, markdown_table) : 0;
}

int escape_json(FILE *out, const char *s)
{
    if (!s) {
        fputs("null", out);
        return ferror(out) ? -1 : 0;
    }
    putc('"', out);
    write_table(out, s, json_table);
    putc('"', out);
    return ferror(out) ? -1 : 0;
}

int escape_csv(FILE *out, const char *s)
{
    if (!s)
        return 0;
    /* OWASP "CSV Injection": cells starting with = + - @ tab or CR are formulas. */
    int formula = strchr("=+-@\t\r", s[0]) != NULL && s[0] != '\0';
    int quote = formula || strpbrk(s, ",\"\r\n") != NULL;
    if (quote)
        putc('"', out);
    if (formula)
        putc('\'', out);
    write_table(out, s, csv_table); /* no quote in s unless quoted */
    if (quote)
        putc('"', out);
    return ferror(out) ? -1 : 0;
}
