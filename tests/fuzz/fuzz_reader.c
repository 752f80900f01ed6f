/*
 * fuzz_reader.c - the line reader (src/util/linereader.h) on any bytes:
 * plain, gzip (one or several members, truncated, corrupt), UTF-8 with or
 * without BOM, UTF-16LE/BE with or without BOM, odd lengths.
 *
 * Besides not crashing, the reader keeps its contract: line numbers count
 * from 1 without gaps, offsets grow, a kept line is never longer than
 * LINEREADER_KEEP when cut, only the last line lacks its newline, and an
 * error ends the stream with a message naming the input.
 */
#include "fuzz_common.h"
#include "linereader.h"

#include <string.h>

/* Small enough that over-long lines (and their skipped rest) are reached
 * with inputs libFuzzer actually produces. */
#define FUZZ_MAX_LINE 8192

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = fuzz_input_fd(data, size);
    if (fd < 0)
        return 0;
    struct linereader *r;
    char err[512];
    if (linereader_open_fd(fd, "fuzz-input", FUZZ_MAX_LINE, &r, err, sizeof err) < 0) {
        FUZZ_ASSERT(strstr(err, "fuzz-input") != NULL);
        return 0;
    }
    struct line l;
    uint64_t expect_number = 1, min_offset = 0, last_pos = 0;
    int ended_without_newline = 0, rc;
    while ((rc = linereader_next(r, &l)) == 1) {
        FUZZ_ASSERT(!ended_without_newline);
        FUZZ_ASSERT(l.number == expect_number);
        FUZZ_ASSERT(l.offset >= min_offset);
        FUZZ_ASSERT(l.len <= l.full_len);
        if (l.too_long) {
            FUZZ_ASSERT(l.len <= LINEREADER_KEEP);
            FUZZ_ASSERT(l.full_len >= FUZZ_MAX_LINE);
        } else {
            FUZZ_ASSERT(l.len == l.full_len);
            FUZZ_ASSERT(l.len <= FUZZ_MAX_LINE);
        }
        /* Every byte the reader hands out must be readable (ASan checks). */
        volatile unsigned char sink = 0;
        for (size_t i = 0; i < l.len; i++)
            sink ^= (unsigned char)l.text[i];
        (void)sink;
        FUZZ_ASSERT(linereader_content_pos(r) >= last_pos);
        last_pos = linereader_content_pos(r);
        if (!l.has_newline)
            ended_without_newline = 1;
        min_offset = l.offset + l.full_len + (l.has_newline ? 1 : 0);
        expect_number++;
    }
    if (rc < 0) {
        const char *e = linereader_error(r);
        FUZZ_ASSERT(e && strstr(e, "fuzz-input") != NULL);
        FUZZ_ASSERT(linereader_next(r, &l) == -1);
    } else {
        FUZZ_ASSERT(linereader_next(r, &l) == 0);
    }
    (void)linereader_hash(r);
    (void)linereader_input_pos(r);
    linereader_close(r);
    return 0;
}
