/*
 * fuzz_csv.c - the CSV tokenizer (src/util/csv.h) fed line by line, as the
 * Exchange parsers feed it: quoted fields spanning lines, doubled quotes,
 * stray quotes, NUL bytes, thousands of columns, records over the size cap.
 *
 * The first byte chooses the delimiter (',' ';' or tab); the rest is split
 * at '\n'. Beyond not crashing: fields of a complete record lie inside the
 * reader's buffer, and after an error the reader starts afresh.
 */
#include "csv.h"
#include "fuzz_common.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const char delims[] = {',', ';', '\t'};
    char delim = delims[data[0] % 3];
    const char *text = (const char *)data + 1;
    size_t len = size - 1;

    struct csv_reader r;
    csv_init(&r, delim);
    r.max_record = 1 << 16; /* reach the cap with small inputs */
    char err[256];
    size_t start = 0;
    int first = 1;
    while (start <= len) {
        const char *nl = memchr(text + start, '\n', len - start);
        size_t end = nl ? (size_t)(nl - text) : len;
        if (first) {
            char g = csv_guess_delimiter(text + start, end - start);
            FUZZ_ASSERT(g == ',' || g == ';');
            first = 0;
        }
        int rc = csv_feed(&r, text + start, end - start, err, sizeof err);
        FUZZ_ASSERT(rc == CSV_RECORD || rc == CSV_MORE || rc == CSV_ERROR);
        if (rc == CSV_RECORD) {
            FUZZ_ASSERT(r.nfields >= 1);
            for (size_t i = 0; i < r.nfields; i++) {
                const struct csv_field *f = &r.fields[i];
                FUZZ_ASSERT(f->len == 0 || (f->p >= r.buf && f->p + f->len <= r.buf + r.buf_len));
                volatile unsigned char sink = 0;
                for (size_t k = 0; k < f->len; k++)
                    sink ^= (unsigned char)f->p[k];
                (void)sink;
            }
        } else if (rc == CSV_ERROR) {
            FUZZ_ASSERT(err[0] != '\0');
            FUZZ_ASSERT(!r.open_quote);
        }
        if (!nl)
            break;
        start = end + 1;
    }
    csv_free(&r);
    return 0;
}
