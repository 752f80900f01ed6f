/* test_csv.c - the CSV tokenizer: quoting, multi-line records, errors. */
#include "csv.h"
#include "testutil.h"

static int feed(struct csv_reader *r, const char *line)
{
    char err[128];
    return csv_feed(r, line, strlen(line), err, sizeof err);
}

static const char *field(struct csv_reader *r, size_t i)
{
    static char buf[4][256];
    static int slot;
    char *o = buf[slot++ % 4];
    snprintf(o, 256, "%.*s", (int)r->fields[i].len, r->fields[i].p);
    return o;
}

int main(int argc, char **argv)
{
    TEST_INIT(argc, argv);
    struct csv_reader r;
    csv_init(&r, ',');

    /* plain fields, empty fields at both ends */
    CHECK_INT(feed(&r, ",a,,b,"), CSV_RECORD);
    CHECK_INT(r.nfields, 5);
    CHECK_STR(field(&r, 0), "");
    CHECK_STR(field(&r, 1), "a");
    CHECK_STR(field(&r, 3), "b");
    CHECK_STR(field(&r, 4), "");
    CHECK(r.fields[0].p != NULL);

    /* quoted delimiter and doubled quotes (RFC 4180 2.6, 2.7) */
    CHECK_INT(feed(&r, "\"Invoice 42, overdue\",\"say \"\"hi\"\"\",x"), CSV_RECORD);
    CHECK_INT(r.nfields, 3);
    CHECK_STR(field(&r, 0), "Invoice 42, overdue");
    CHECK_STR(field(&r, 1), "say \"hi\"");
    CHECK_INT(r.fields[1].quoted, 1);
    CHECK_INT(r.fields[2].quoted, 0);

    /* a quoted field spanning lines: one record, the line end kept as LF */
    CHECK_INT(feed(&r, "\"1\",\"Agenda:"), CSV_MORE);
    CHECK_INT(feed(&r, "item one"), CSV_MORE);
    CHECK_INT(feed(&r, "item two\",\"3\""), CSV_RECORD);
    CHECK_INT(r.nfields, 3);
    CHECK_STR(field(&r, 1), "Agenda:\nitem one\nitem two");
    CHECK_STR(field(&r, 2), "3");

    /* text after a closing quote is an error, and the next record is clean */
    char err[128] = "";
    CHECK_INT(csv_feed(&r, "\"a\"b,c", 6, err, sizeof err), CSV_ERROR);
    CHECK(strstr(err, "field 1") != NULL);
    CHECK_INT(feed(&r, "d,e"), CSV_RECORD);
    CHECK_INT(r.nfields, 2);
    CHECK_STR(field(&r, 0), "d");

    /* an open quote that never closes is refused once it passes max_record */
    r.max_record = 16;
    CHECK_INT(feed(&r, "\"0123456789"), CSV_MORE);
    CHECK_INT(feed(&r, "0123456789"), CSV_ERROR);
    r.max_record = 1u << 20;
    CHECK_INT(feed(&r, "ok"), CSV_RECORD);
    CHECK_STR(field(&r, 0), "ok");

    /* NUL bytes are data */
    CHECK_INT(csv_feed(&r, "a\0b,c", 5, err, sizeof err), CSV_RECORD);
    CHECK_INT(r.fields[0].len, 3);

    /* semicolon delimiter (Export-Csv -UseCulture in de-DE) */
    CHECK_INT(csv_guess_delimiter("\"Timestamp\";\"EventId\";\"Sender\"", 31), ';');
    CHECK_INT(csv_guess_delimiter("\"a;b\",\"c\"", 9), ',');
    csv_free(&r);
    csv_init(&r, ';');
    CHECK_INT(feed(&r, "\"Rechnung; November\";\"x\""), CSV_RECORD);
    CHECK_INT(r.nfields, 2);
    CHECK_STR(field(&r, 0), "Rechnung; November");
    csv_free(&r);
    return test_done("test_csv");
}
