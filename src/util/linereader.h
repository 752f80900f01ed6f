/*
 * linereader.h - lines from a plain, gzipped, UTF-8 or UTF-16 file.
 *
 * One reader serves every parser. It detects gzip by its magic bytes (never
 * by file name) and follows concatenated members; it strips a UTF-8 BOM and
 * converts UTF-16LE/BE (with a BOM, or recognised by its zero bytes) to
 * UTF-8. What it yields is the "content": the decoded byte stream, split at
 * '\n', the '\r' of CRLF removed. Offsets and the running hash are of the
 * content, so the same log plain, gzipped or in UTF-16 has one fingerprint.
 *
 * Lines point into the reader's buffer and stay valid until the next call;
 * most are not copied at all. A line longer than the cap is returned once,
 * cut to its first LINEREADER_KEEP bytes with `too_long` set, and the rest up
 * to the next newline is skipped, so a newline-free gigabyte cannot exhaust
 * memory.
 *
 * Errors (unreadable file, corrupt or truncated gzip) end the stream: next()
 * returns -1 and linereader_error() says what and where, naming the file and
 * the compressed byte offset. Whoever opens a reader closes it.
 */
#ifndef MXAUDIT_LINEREADER_H
#define MXAUDIT_LINEREADER_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* How much of an over-long line is kept for the reject table. */
#define LINEREADER_KEEP 4096

struct linereader;

struct line {
    const char *text;  /* not NUL-terminated; may contain NUL bytes */
    size_t len;        /* without the line end */
    uint64_t number;   /* 1-based */
    uint64_t offset;   /* of the line's first byte in the content */
    int has_newline;   /* 0 for an unterminated last line */
    int too_long;      /* 1: longer than the cap, text holds its start only */
    uint64_t full_len; /* the line's length; when too_long, what was read of it before the cap (a lower bound) */
};

enum linereader_encoding { ENC_UTF8 = 0, ENC_UTF16LE, ENC_UTF16BE };

/* Opens PATH. 0, or -1 with a message in err. max_line 0 = default (64 MiB). */
int linereader_open(const char *path, size_t max_line, struct linereader **out, char *err, size_t errlen);
/* As linereader_open, on an open descriptor (which the reader then owns);
 * NAME is used in messages. */
int linereader_open_fd(int fd, const char *name, size_t max_line, struct linereader **out, char *err, size_t errlen);
/* 1 with the next line in *line, 0 at the end, -1 on error. */
int linereader_next(struct linereader *r, struct line *line);
void linereader_close(struct linereader *r);

const char *linereader_error(const struct linereader *r);
/* Bytes consumed from the file so far (compressed bytes for gzip). */
uint64_t linereader_input_pos(const struct linereader *r);
/* Content bytes up to the end of the last complete line returned. */
uint64_t linereader_content_pos(const struct linereader *r);
/* Hash of the content up to the end of the last complete (newline-ended)
 * line returned; an unterminated last line is not included. */
uint64_t linereader_hash(const struct linereader *r);
int linereader_is_gzip(const struct linereader *r);
enum linereader_encoding linereader_encoding(const struct linereader *r);
/* The gzip header's modification time of the first member, or 0. */
time_t linereader_gzip_mtime(const struct linereader *r);
/* Warnings that do not end the stream (an odd UTF-16 byte): count. Zero
 * padding after the last gzip member is skipped without one. */
unsigned linereader_warnings(const struct linereader *r);

#endif
