/*
 * test_escape.c - the escaping rule per output format (escape.h): what a
 * reader of each output sees for markup, formulas, terminal control bytes
 * and bytes that are not UTF-8.
 */
#include "escape.h"
#include "testutil.h"
#include "textutil.h"

/* LEN bytes of S escaped for FORMAT, as a string (kept until the 4th next call). */
static const char *esc_n(enum escape_format format, const char *s, size_t len)
{
    static char *out[4];
    static int slot;
    char **o = &out[slot++ % 4];
    size_t n;
    free(*o);
    *o = NULL;
    FILE *f = open_memstream(o, &n);
    CHECK_INT(escape_write(f, format, s, len), 0);
    fclose(f);
    return *o;
}

static const char *esc(enum escape_format format, const char *s)
{
    return esc_n(format, s, s ? strlen(s) : 0);
}

/* Valid UTF-8, and no control byte but tab, LF and CR. */
static int inert(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        if ((*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') || *p == 0x7f)
            return 0;
        size_t n = text_utf8_seq(p, strlen((const char *)p));
        if (n == 0)
            return 0;
        p += n;
    }
    return 1;
}

/* A terminal title sequence, a clear-screen, DEL, and invalid UTF-8: a stray
 * continuation byte, an overlong '/', a surrogate, a cut sequence. */
static const char hostile[] = "t\x1b]0;pwned\x07 \x1b[2J\x7f \x80\xc0\xaf\xed\xa0\x80 \xc3";

static void test_text(void)
{
    CHECK_STR(esc(ESCAPE_TEXT, "plain \xc3\xbc tab\there"), "plain \xc3\xbc tab\there");
    CHECK_STR(esc(ESCAPE_TEXT, hostile), "t\\x1B]0;pwned\\x07 \\x1B[2J\\x7F \\x80\\xC0\\xAF\\xED\\xA0\\x80 \\xC3");
    /* A line end from a log cannot fake a line of the report. */
    CHECK_STR(esc(ESCAPE_TEXT, "a\nb\rc"), "a\\x0Ab\\x0Dc");
    CHECK_STR(esc(ESCAPE_TEXT, "<b>&*_|"), "<b>&*_|");
    CHECK_STR(esc_n(ESCAPE_TEXT, "n\0ul", 4), "n\\x00ul");
    CHECK_STR(esc(ESCAPE_TEXT, NULL), "");
    CHECK(inert(esc(ESCAPE_TEXT, hostile)));
    /* the same form as the reject table's text */
    char *printable = text_printable(hostile, strlen(hostile), strlen(hostile), NULL);
    CHECK_STR(esc(ESCAPE_TEXT, hostile), printable);
    free(printable);
}

static void test_markdown(void)
{
    CHECK_STR(esc(ESCAPE_MARKDOWN, "a|b_c *d* <e> [l](u) `x` \\"), "a\\|b\\_c \\*d\\* \\<e\\> \\[l\\](u) \\`x\\` \\\\");
    CHECK_STR(esc(ESCAPE_MARKDOWN, "line\nbreak\r\ttab"), "line break  tab");
    CHECK_STR(esc(ESCAPE_MARKDOWN, "\x1b[2J\x07"), "\\x1B\\[2J\\x07");
    CHECK_STR(esc(ESCAPE_MARKDOWN, "bad\xff ok \xe2\x82\xac"), "bad\\xFF ok \xe2\x82\xac");
    CHECK(inert(esc(ESCAPE_MARKDOWN, hostile)));
}

static void test_html(void)
{
    CHECK_STR(esc(ESCAPE_HTML, "<script>a&b</script>"), "&lt;script&gt;a&amp;b&lt;/script&gt;");
    CHECK_STR(esc(ESCAPE_HTML, "\"><img onerror='x'>"), "&quot;&gt;&lt;img onerror=&#39;x&#39;&gt;");
    CHECK_STR(esc(ESCAPE_HTML, "Gr\xc3\xbc\xc3\x9f"
                               "e\tx\ny"),
              "Gr\xc3\xbc\xc3\x9f"
              "e\tx\ny");
    CHECK_STR(esc(ESCAPE_HTML, "\x1b[2J\x07\x7f"), "&#xFFFD;[2J&#xFFFD;&#xFFFD;");
    CHECK_STR(esc(ESCAPE_HTML, "sub\xc3(ject"), "sub&#xFFFD;(ject");
    CHECK(inert(esc(ESCAPE_HTML, hostile)));
}

static void test_csv(void)
{
    /* For people: formulas neutralised (OWASP), control and bad bytes shown. */
    CHECK_STR(esc(ESCAPE_CSV, "=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
    CHECK_STR(esc(ESCAPE_CSV, "+cmd|' /C calc'!A0"), "\"'+cmd|' /C calc'!A0\"");
    CHECK_STR(esc(ESCAPE_CSV, "-2+3@evil.example"), "\"'-2+3@evil.example\"");
    CHECK_STR(esc(ESCAPE_CSV, "@SUM(1+1)"), "\"'@SUM(1+1)\"");
    CHECK_STR(esc(ESCAPE_CSV, "\tx"), "\"'\tx\"");
    CHECK_STR(esc(ESCAPE_CSV, "\rx"), "\"'\rx\"");
    CHECK_STR(esc(ESCAPE_CSV, "a,\"b\""), "\"a,\"\"b\"\"\"");
    CHECK_STR(esc(ESCAPE_CSV, "two\nlines"), "\"two\nlines\"");
    CHECK_STR(esc(ESCAPE_CSV, "plain 1-2 a=b"), "plain 1-2 a=b");
    CHECK_STR(esc(ESCAPE_CSV, "esc\x1b[2J\x07"), "esc\\x1B[2J\\x07");
    CHECK_STR(esc(ESCAPE_CSV, "bad\xff\xfe@x"), "bad\\xFF\\xFE@x");
    CHECK_STR(esc(ESCAPE_CSV, ""), "");
    CHECK_STR(esc(ESCAPE_CSV, NULL), "");
    CHECK(inert(esc(ESCAPE_CSV, hostile)));

    /* For re-import: quoting only, every byte as it was. */
    CHECK_STR(esc(ESCAPE_CSV_DATA, "=1+2"), "=1+2");
    CHECK_STR(esc(ESCAPE_CSV_DATA, "a,\"b\""), "\"a,\"\"b\"\"\"");
    CHECK_STR(esc(ESCAPE_CSV_DATA, ""), "\"\"");
    CHECK_STR(esc(ESCAPE_CSV_DATA, NULL), "");
    CHECK_STR(esc(ESCAPE_CSV_DATA, " pad"), "\" pad\"");
    CHECK_STR(esc(ESCAPE_CSV_DATA, "pad "), "\"pad \"");
    CHECK_STR(esc(ESCAPE_CSV_DATA, hostile), hostile);
}

static void test_tsv(void)
{
    CHECK_STR(esc(ESCAPE_TSV, "a\tb\nc\rd\\e"), "a\\tb\\nc\\rd\\\\e");
    CHECK_STR(esc(ESCAPE_TSV, "=1 \xc3\xbc"), "=1 \xc3\xbc");
}

static void test_json(void)
{
    CHECK_STR(esc(ESCAPE_JSON, "q\"b\\\n\x01</script>"), "\"q\\\"b\\\\\\n\\u0001\\u003c/script>\"");
    CHECK_STR(esc(ESCAPE_JSON, "\b\t\f\r"), "\"\\b\\t\\f\\r\"");
    CHECK_STR(esc(ESCAPE_JSON, "\x1b]0;t\x07\x7f"), "\"\\u001b]0;t\\u0007\\u007f\"");
    CHECK_STR(esc(ESCAPE_JSON, "bad\xff\xfe@x"), "\"bad\\ufffd\\ufffd@x\"");
    CHECK_STR(esc(ESCAPE_JSON, "\xc0\xaf\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\"");
    CHECK_STR(esc(ESCAPE_JSON, "Gr\xc3\xbc\xc3\x9f"
                               "e \xf0\x9f\x93\xa7"),
              "\"Gr\xc3\xbc\xc3\x9f"
              "e \xf0\x9f\x93\xa7\"");
    CHECK_STR(esc_n(ESCAPE_JSON, "n\0ul", 4), "\"n\\u0000ul\"");
    CHECK_STR(esc(ESCAPE_JSON, ""), "\"\"");
    CHECK_STR(esc(ESCAPE_JSON, NULL), "null");
    CHECK(inert(esc(ESCAPE_JSON, hostile)));
}

/* The short names are the NUL-terminated forms of the same rules. */
static void test_short_names(void)
{
    static int (*const fns[])(FILE *, const char *) = {escape_text, escape_markdown, escape_html, escape_csv,
                                                       escape_json};
    static const enum escape_format formats[] = {ESCAPE_TEXT, ESCAPE_MARKDOWN, ESCAPE_HTML, ESCAPE_CSV, ESCAPE_JSON};
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
        char *buf = NULL;
        size_t n;
        FILE *f = open_memstream(&buf, &n);
        CHECK_INT(fns[i](f, hostile), 0);
        fclose(f);
        CHECK_STR(buf, esc(formats[i], hostile));
        free(buf);
    }
}

/* A stream that fails is reported. */
static void test_write_error(void)
{
    FILE *f = fopen("/dev/full", "w");
    if (!f)
        return;
    setvbuf(f, NULL, _IONBF, 0);
    CHECK_INT(escape_write(f, ESCAPE_CSV, "x", 1), -1);
    fclose(f);
}

int main(int argc, char **argv)
{
    TEST_INIT(argc, argv);
    test_text();
    test_markdown();
    test_html();
    test_csv();
    test_tsv();
    test_json();
    test_short_names();
    test_write_error();
    return test_done("test_escape");
}
