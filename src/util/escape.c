/*
 * escape.c - table-driven escaping for text, Markdown, HTML, CSV, TSV and
 * JSON (see escape.h).
 */
#include "escape.h"

#include "textutil.h"

#include <string.h>

/* Designated initialisers for the byte tables. */
#define HX(h) [0x##h] = "\\x" #h   /* shown as \xNN */
#define UX(h) [0x##h] = "\\u00" #h /* JSON \u00NN */
#define FF(h) [0x##h] = "&#xFFFD;" /* HTML replacement */
#define C0_EXCEPT_TAB_LF_CR(M)                                                                                         \
    M(00), M(01), M(02), M(03), M(04), M(05), M(06), M(07), M(08), M(0B), M(0C), M(0E), M(0F), M(10), M(11), M(12),    \
        M(13), M(14), M(15), M(16), M(17), M(18), M(19), M(1A), M(1B), M(1C), M(1D), M(1E), M(1F), M(7F)

static const char *const text_table[128] = {
    C0_EXCEPT_TAB_LF_CR(HX),
    HX(0A),
    HX(0D),
};

/* CommonMark 0.31 section 2.4: any ASCII punctuation may be
 * backslash-escaped; these are the ones that can open markup inside a line
 * or a table cell. "\x" is not an escape there, so \xNN shows as written. */
static const char *const markdown_table[128] = {
    C0_EXCEPT_TAB_LF_CR(HX), ['\\'] = "\\\\", ['`'] = "\\`", ['*'] = "\\*", ['_'] = "\\_", ['['] = "\\[",
    [']'] = "\\]",           ['<'] = "\\<",   ['>'] = "\\>", ['|'] = "\\|", ['~'] = "\\~", ['&'] = "\\&",
    ['#'] = "\\#",           ['\n'] = " ",    ['\r'] = " ",  ['\t'] = " ",
};

/* HTML Living Standard 13.2.5: control characters other than ASCII
 * whitespace are parse errors in text; they become U+FFFD. */
static const char *const html_table[128] = {
    C0_EXCEPT_TAB_LF_CR(FF), ['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;", ['\''] = "&#39;",
};

static const char *const csv_table[128] = {
    C0_EXCEPT_TAB_LF_CR(HX),
    ['"'] = "\"\"",
};

static const char *const csv_data_table[128] = {
    ['"'] = "\"\"",
};

static const char *const tsv_table[128] = {
    ['\t'] = "\\t",
    ['\n'] = "\\n",
    ['\r'] = "\\r",
    ['\\'] = "\\\\",
};

/* RFC 8259 section 7: the two-character escapes where they exist. */
static const char *const json_table[128] = {
    UX(00),
    UX(01),
    UX(02),
    UX(03),
    UX(04),
    UX(05),
    UX(06),
    UX(07),
    [0x08] = "\\b",
    [0x09] = "\\t",
    [0x0a] = "\\n",
    UX(0b),
    [0x0c] = "\\f",
    [0x0d] = "\\r",
    UX(0e),
    UX(0f),
    UX(10),
    UX(11),
    UX(12),
    UX(13),
    UX(14),
    UX(15),
    UX(16),
    UX(17),
    UX(18),
    UX(19),
    UX(1a),
    UX(1b),
    UX(1c),
    UX(1d),
    UX(1e),
    UX(1f),
    UX(7f),
    ['"'] = "\\\"",
    ['\\'] = "\\\\",
    /* "</script>" inside an embedded JSON block would end the block. */
    ['<'] = "\\u003c",
};

/* What a byte that is not part of valid UTF-8 becomes. */
enum bad_byte { BAD_KEEP, BAD_HEX, BAD_REPLACE };

static const struct rules {
    const char *const *table;
    enum bad_byte bad;
    const char *replacement; /* BAD_REPLACE */
} rules[] = {
    [ESCAPE_TEXT] = {text_table, BAD_HEX, NULL},           [ESCAPE_MARKDOWN] = {markdown_table, BAD_HEX, NULL},
    [ESCAPE_HTML] = {html_table, BAD_REPLACE, "&#xFFFD;"}, [ESCAPE_CSV] = {csv_table, BAD_HEX, NULL},
    [ESCAPE_CSV_DATA] = {csv_data_table, BAD_KEEP, NULL},  [ESCAPE_TSV] = {tsv_table, BAD_KEEP, NULL},
    [ESCAPE_JSON] = {json_table, BAD_REPLACE, "\\ufffd"},
};

static void write_rules(FILE *out, const struct rules *r, const unsigned char *s, size_t len)
{
    size_t run = 0, i = 0;
    while (i < len) {
        const char *rep;
        char hex[5];
        size_t n = 1;
        if (s[i] < 0x80) {
            rep = r->table[s[i]];
        } else if (r->bad == BAD_KEEP || (n = text_utf8_seq(s + i, len - i)) > 0) {
            i += n;
            continue;
        } else if (r->bad == BAD_HEX) {
            n = 1;
            snprintf(hex, sizeof hex, "\\x%02X", s[i]);
            rep = hex;
        } else {
            n = 1;
            rep = r->replacement;
        }
        if (!rep) {
            i++;
            continue;
        }
        if (i > run)
            fwrite(s + run, 1, i - run, out);
        fputs(rep, out);
        i += n;
        run = i;
    }
    if (i > run)
        fwrite(s + run, 1, i - run, out);
}

/* RFC 4180 section 2: quote a field holding a comma, a quote or a line end. */
static int csv_needs_quotes(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
            return 1;
    return 0;
}

int escape_write(FILE *out, enum escape_format format, const char *s, size_t len)
{
    const struct rules *r = &rules[format];
    const unsigned char *u = (const unsigned char *)s;
    if (!s) {
        if (format == ESCAPE_JSON)
            fputs("null", out);
        return ferror(out) ? -1 : 0;
    }
    switch (format) {
    case ESCAPE_JSON:
        putc('"', out);
        write_rules(out, r, u, len);
        putc('"', out);
        break;
    case ESCAPE_CSV: {
        /* OWASP "CSV Injection": cells starting with = + - @ tab or CR are formulas. */
        int formula = len > 0 && memchr("=+-@\t\r", s[0], 6) != NULL;
        int quote = formula || csv_needs_quotes(s, len);
        if (quote)
            putc('"', out);
        if (formula)
            putc('\'', out);
        write_rules(out, r, u, len); /* no quote in s unless quoted */
        if (quote)
            putc('"', out);
        break;
    }
    case ESCAPE_CSV_DATA: {
        /* Blanks at the ends are quoted because some readers trim them; ""
         * is the empty string, an empty field NULL (PostgreSQL COPY CSV). */
        int quote = len == 0 || s[0] == ' ' || s[len - 1] == ' ' || csv_needs_quotes(s, len);
        if (quote)
            putc('"', out);
        write_rules(out, r, u, len);
        if (quote)
            putc('"', out);
        break;
    }
    default:
        write_rules(out, r, u, len);
    }
    return ferror(out) ? -1 : 0;
}

int escape_str(FILE *out, enum escape_format format, const char *s)
{
    return escape_write(out, format, s, s ? strlen(s) : 0);
}

int escape_text(FILE *out, const char *s)
{
    return escape_str(out, ESCAPE_TEXT, s);
}

int escape_markdown(FILE *out, const char *s)
{
    return escape_str(out, ESCAPE_MARKDOWN, s);
}

int escape_html(FILE *out, const char *s)
{
    return escape_str(out, ESCAPE_HTML, s);
}

int escape_csv(FILE *out, const char *s)
{
    return escape_str(out, ESCAPE_CSV, s);
}

int escape_json(FILE *out, const char *s)
{
    return escape_str(out, ESCAPE_JSON, s);
}
