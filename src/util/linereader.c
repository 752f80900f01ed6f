/*
 * linereader.c - see linereader.h.
 *
 * Three layers, each pulling from the one below: the file (read(2) in large
 * blocks), gzip (zlib inflate, member after member), and UTF-16 decoding.
 * Plain UTF-8 input is read straight into the line buffer; only UTF-16
 * passes through a second buffer. Gzip input is read and inflated by a
 * thread of its own, a few blocks ahead of the lines, so that decompression
 * runs on the second core beside the parser and the database: that thread
 * owns the file and gzip layers once it runs, and hands over what it
 * inflated, its position and its error through struct inflater.
 */
#include "linereader.h"

#include "hash.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define RAW_BLOCK (256 * 1024)
#define FILL_BLOCK (256 * 1024)
#define DEFAULT_MAX_LINE ((size_t)64 << 20)
#define INFLATE_SLOTS 4 /* inflated blocks the thread may be ahead */

/* The inflating thread and what it hands over. Under mu: the ring of full
 * blocks, state, stop and the position and mtime as of the last block. */
struct inflater {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned char *block[INFLATE_SLOTS];
    size_t len[INFLATE_SLOTS];
    size_t head, count; /* full blocks: block[head] and the count - 1 after it */
    size_t off;         /* how much of block[head] the reader took */
    int state;          /* 0 inflating, 1 at the end, -1 failed (zerr says why) */
    int stop;           /* the reader is closing */
    uint64_t consumed;  /* compressed bytes consumed */
    time_t mtime;       /* the gzip header's mtime, once read */
};

struct linereader {
    int fd;
    char *path;
    /* file layer */
    unsigned char *raw;
    size_t raw_len, raw_pos;
    uint64_t raw_total; /* bytes read from the file */
    int raw_eof;
    /* gzip layer */
    int gzip;
    z_stream zs;
    gz_header gzh;
    int member_done; /* the current member reached its end */
    time_t gz_mtime;
    /* UTF-16 layer */
    enum linereader_encoding enc;
    unsigned char *u16;
    size_t u16_len;
    int u16_eof;
    /* content / lines */
    char *buf;
    size_t cap, start, end, scan;
    uint64_t buf_offset; /* content offset of buf[0] */
    uint64_t line_no;
    uint64_t content_pos; /* end of the last complete line returned */
    struct hash64 hash;
    size_t max_line;
    int discarding; /* skipping the rest of an over-long line */
    int content_eof;
    int failed;
    unsigned warnings;
    char err[512];
    /* gzip read ahead by a thread (NULL: none, or plain input) */
    struct inflater *inf;
    char zerr[512];         /* the thread's error, until handed over */
    uint64_t seen_consumed; /* as of the last block taken */
    time_t seen_mtime;
};

static void vset_error(struct linereader *r, char *dst, size_t cap, const char *fmt, va_list ap)
{
    int n = snprintf(dst, cap, "%s: ", r->path);
    if (n < 0 || (size_t)n >= cap)
        n = (int)cap - 1;
    vsnprintf(dst + n, cap - (size_t)n, fmt, ap);
}

static int fail(struct linereader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct linereader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset_error(r, r->err, sizeof r->err, fmt, ap);
    va_end(ap);
    r->failed = 1;
    return -1;
}

/* An error of the file or gzip layer: in r->err, or in r->zerr when the
 * inflating thread met it (IN_THREAD), to be handed over with its state. */
static int layer_fail(struct linereader *r, int in_thread, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int layer_fail(struct linereader *r, int in_thread, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (in_thread) {
        vset_error(r, r->zerr, sizeof r->zerr, fmt, ap);
    } else {
        vset_error(r, r->err, sizeof r->err, fmt, ap);
        r->failed = 1;
    }
    va_end(ap);
    return -1;
}

/* File layer: refills raw[] when it is used up. 0 ok (raw_eof at the end), -1 error. */
static int raw_fill(struct linereader *r, int in_thread)
{
    if (r->raw_pos < r->raw_len || r->raw_eof)
        return 0;
    for (;;) {
        ssize_t n = read(r->fd, r->raw, RAW_BLOCK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return layer_fail(r, in_thread, "read error at byte %llu: %s", (unsigned long long)r->raw_total,
                              strerror(errno));
        r->raw_pos = 0;
        r->raw_len = (size_t)n;
        r->raw_total += (uint64_t)n;
        if (n == 0)
            r->raw_eof = 1;
        return 0;
    }
}

static uint64_t raw_consumed(const struct linereader *r)
{
    return r->raw_total - (r->raw_len - r->raw_pos);
}

/* Inflated bytes into dst; returns the count, 0 at the end, -1 on error. */
static long gz_produce(struct linereader *r, unsigned char *dst, size_t cap, int in_thread)
{
    for (;;) {
        if (r->member_done) {
            /* Another member, trailing zeros (padding), or garbage? */
            if (raw_fill(r, in_thread) < 0)
                return -1;
            if (r->raw_pos == r->raw_len)
                return 0;
            if (r->raw[r->raw_pos] == 0) {
                while (r->raw_pos < r->raw_len && r->raw[r->raw_pos] == 0)
                    r->raw_pos++;
                continue;
            }
            if (r->raw_len - r->raw_pos < 2 && !r->raw_eof) {
                /* keep the one byte, read more behind it */
                memmove(r->raw, r->raw + r->raw_pos, 1);
                ssize_t n = read(r->fd, r->raw + 1, RAW_BLOCK - 1);
                if (n < 0)
                    return layer_fail(r, in_thread, "read error: %s", strerror(errno));
                r->raw_total += (uint64_t)n;
                r->raw_pos = 0;
                r->raw_len = 1 + (size_t)n;
                if (n == 0)
                    r->raw_eof = 1;
            }
            if (r->raw_len - r->raw_pos < 2 || r->raw[r->raw_pos] != 0x1f || r->raw[r->raw_pos + 1] != 0x8b)
                return layer_fail(r, in_thread, "trailing garbage after gzip member at compressed byte offset %llu",
                                  (unsigned long long)raw_consumed(r));
            inflateReset(&r->zs);
            r->member_done = 0;
        }
        if (raw_fill(r, in_thread) < 0)
            return -1;
        r->zs.next_in = r->raw + r->raw_pos;
        r->zs.avail_in = (uInt)(r->raw_len - r->raw_pos);
        r->zs.next_out = dst;
        r->zs.avail_out = (uInt)cap;
        int rc = inflate(&r->zs, Z_NO_FLUSH);
        r->raw_pos = r->raw_len - r->zs.avail_in;
        size_t produced = cap - r->zs.avail_out;
        if (rc == Z_STREAM_END) {
            if (r->gz_mtime == 0 && r->gzh.done == 1)
                r->gz_mtime = (time_t)r->gzh.time;
            r->member_done = 1;
        } else if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT || rc == Z_MEM_ERROR || rc == Z_STREAM_ERROR) {
            return layer_fail(r, in_thread, "corrupt gzip data at compressed byte offset %llu: %s",
                              (unsigned long long)raw_consumed(r), r->zs.msg ? r->zs.msg : "inflate failed");
        } else if (rc == Z_BUF_ERROR || (produced == 0 && r->zs.avail_in == 0)) {
            if (r->raw_eof)
                return layer_fail(r, in_thread,
                                  "truncated gzip data: unexpected end of file at compressed byte offset %llu",
                                  (unsigned long long)raw_consumed(r));
        }
        if (r->gz_mtime == 0 && r->gzh.done == 1)
            r->gz_mtime = (time_t)r->gzh.time;
        if (produced)
            return (long)produced;
        if (r->raw_pos == r->raw_len && r->raw_eof && !r->member_done)
            return layer_fail(r, in_thread,
                              "truncated gzip data: unexpected end of file at compressed byte offset %llu",
                              (unsigned long long)raw_consumed(r));
    }
}

/* The inflating thread: fills free blocks until the end, an error, or stop. */
static void *inflate_main(void *arg)
{
    struct linereader *r = arg;
    struct inflater *in = r->inf;
    for (;;) {
        pthread_mutex_lock(&in->mu);
        while (in->count == INFLATE_SLOTS && !in->stop)
            pthread_cond_wait(&in->cv, &in->mu);
        int stop = in->stop;
        size_t slot = (in->head + in->count) % INFLATE_SLOTS;
        pthread_mutex_unlock(&in->mu);
        if (stop)
            return NULL;
        /* block[slot] is not in the ring: the reader does not touch it */
        size_t got = 0;
        long n = 1;
        while (got < FILL_BLOCK && (n = gz_produce(r, in->block[slot] + got, FILL_BLOCK - got, 1)) > 0)
            got += (size_t)n;
        pthread_mutex_lock(&in->mu);
        in->len[slot] = got;
        if (got)
            in->count++;
        in->consumed = raw_consumed(r);
        in->mtime = r->gz_mtime ? r->gz_mtime : (r->gzh.done == 1 ? (time_t)r->gzh.time : 0);
        if (n <= 0)
            in->state = n < 0 ? -1 : 1;
        pthread_cond_broadcast(&in->cv);
        pthread_mutex_unlock(&in->mu);
        if (n <= 0)
            return NULL;
    }
}

/* Starts the inflating thread; without one, the reader inflates itself. */
static void inflater_start(struct linereader *r)
{
    struct inflater *in = xcalloc(1, sizeof *in);
    for (size_t i = 0; i < INFLATE_SLOTS; i++)
        in->block[i] = xmalloc(FILL_BLOCK);
    pthread_mutex_init(&in->mu, NULL);
    pthread_cond_init(&in->cv, NULL);
    r->inf = in;
    if (pthread_create(&in->thread, NULL, inflate_main, r) != 0) {
        r->inf = NULL;
        pthread_mutex_destroy(&in->mu);
        pthread_cond_destroy(&in->cv);
        for (size_t i = 0; i < INFLATE_SLOTS; i++)
            free(in->block[i]);
        free(in);
    }
}

static void inflater_stop(struct linereader *r)
{
    struct inflater *in = r->inf;
    if (!in)
        return;
    pthread_mutex_lock(&in->mu);
    in->stop = 1;
    pthread_cond_broadcast(&in->cv);
    pthread_mutex_unlock(&in->mu);
    pthread_join(in->thread, NULL);
    pthread_mutex_destroy(&in->mu);
    pthread_cond_destroy(&in->cv);
    for (size_t i = 0; i < INFLATE_SLOTS; i++)
        free(in->block[i]);
    free(in);
    r->inf = NULL;
}

/* Takes inflated bytes from the thread's blocks: the count, 0 at the end,
 * -1 with the thread's error. */
static long inflater_take(struct linereader *r, unsigned char *dst, size_t cap)
{
    struct inflater *in = r->inf;
    pthread_mutex_lock(&in->mu);
    while (in->count == 0 && in->state == 0)
        pthread_cond_wait(&in->cv, &in->mu);
    r->seen_consumed = in->consumed;
    r->seen_mtime = in->mtime;
    long n = 0;
    if (in->count) {
        size_t avail = in->len[in->head] - in->off;
        size_t k = avail < cap ? avail : cap;
        memcpy(dst, in->block[in->head] + in->off, k);
        in->off += k;
        if (in->off == in->len[in->head]) {
            in->head = (in->head + 1) % INFLATE_SLOTS;
            in->count--;
            in->off = 0;
            pthread_cond_broadcast(&in->cv);
        }
        n = (long)k;
    } else if (in->state < 0) {
        memcpy(r->err, r->zerr, sizeof r->err);
        r->failed = 1;
        n = -1;
    }
    pthread_mutex_unlock(&in->mu);
    return n;
}

/* Decompressed (or plain) bytes into dst; returns the count, 0 at the end, -1 on error. */
static long produce_bytes(struct linereader *r, unsigned char *dst, size_t cap)
{
    if (r->inf)
        return inflater_take(r, dst, cap);
    if (r->gzip)
        return gz_produce(r, dst, cap, 0);
    if (r->raw_pos < r->raw_len) { /* bytes read while sniffing */
        size_t n = r->raw_len - r->raw_pos;
        if (n > cap)
            n = cap;
        memcpy(dst, r->raw + r->raw_pos, n);
        r->raw_pos += n;
        return (long)n;
    }
    if (r->raw_eof)
        return 0;
    for (;;) {
        ssize_t n = read(r->fd, dst, cap);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return fail(r, "read error at byte %llu: %s", (unsigned long long)r->raw_total, strerror(errno));
        r->raw_total += (uint64_t)n;
        if (n == 0)
            r->raw_eof = 1;
        return (long)n;
    }
}

static size_t put_utf8(unsigned char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | (cp >> 6));
        out[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xE0 | (cp >> 12));
        out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | (cp >> 18));
    out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* UTF-16 layer: decodes u16[] into dst (cap >= 16); keeps an incomplete unit
 * or surrogate pair for the next call. Unpaired surrogates become U+FFFD. */
static long produce_content(struct linereader *r, unsigned char *dst, size_t cap)
{
    if (r->enc == ENC_UTF8)
        return produce_bytes(r, dst, cap);
    size_t out = 0;
    while (out == 0) {
        if (r->u16_len < 4 && !r->u16_eof) {
            long n = produce_bytes(r, r->u16 + r->u16_len, FILL_BLOCK - r->u16_len);
            if (n < 0)
                return -1;
            if (n == 0)
                r->u16_eof = 1;
            r->u16_len += (size_t)n;
            continue;
        }
        size_t i = 0;
        int le = r->enc == ENC_UTF16LE;
        while (i + 1 < r->u16_len && out + 4 <= cap) {
            uint32_t u = le ? (uint32_t)(r->u16[i] | r->u16[i + 1] << 8) : (uint32_t)(r->u16[i] << 8 | r->u16[i + 1]);
            if (u >= 0xD800 && u <= 0xDBFF) {
                if (i + 3 >= r->u16_len) {
                    if (!r->u16_eof)
                        break; /* the pair's second half comes with the next block */
                    u = 0xFFFD;
                    i += 2;
                } else {
                    uint32_t lo = le ? (uint32_t)(r->u16[i + 2] | r->u16[i + 3] << 8)
                                     : (uint32_t)(r->u16[i + 2] << 8 | r->u16[i + 3]);
                    if (lo >= 0xDC00 && lo <= 0xDFFF) {
                        u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                        i += 4;
                    } else {
                        u = 0xFFFD;
                        i += 2;
                    }
                }
            } else {
                if (u >= 0xDC00 && u <= 0xDFFF)
                    u = 0xFFFD;
                i += 2;
            }
            out += put_utf8(dst + out, u);
        }
        memmove(r->u16, r->u16 + i, r->u16_len - i);
        r->u16_len -= i;
        if (out == 0 && r->u16_eof) {
            if (r->u16_len == 1) { /* odd length: one byte cannot be a code unit */
                r->warnings++;
                r->u16_len = 0;
                dst[out++] = 0xEF, dst[out++] = 0xBF, dst[out++] = 0xBD;
            }
            return (long)out;
        }
        if (out == 0 && !r->u16_eof) {
            long n = produce_bytes(r, r->u16 + r->u16_len, FILL_BLOCK - r->u16_len);
            if (n < 0)
                return -1;
            if (n == 0)
                r->u16_eof = 1;
            r->u16_len += (size_t)n;
        }
    }
    return (long)out;
}

/* Sniffs the encoding from the first decompressed bytes, which it keeps in u16[]. */
static int sniff_encoding(struct linereader *r)
{
    r->u16 = xmalloc(FILL_BLOCK);
    size_t have = 0;
    while (have < 4096) {
        long n = produce_bytes(r, r->u16 + have, 4096 - have);
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        have += (size_t)n;
    }
    unsigned char *p = r->u16;
    size_t skip = 0;
    if (have >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
        skip = 3;
    } else if (have >= 2 && p[0] == 0xFF && p[1] == 0xFE) {
        r->enc = ENC_UTF16LE, skip = 2;
    } else if (have >= 2 && p[0] == 0xFE && p[1] == 0xFF) {
        r->enc = ENC_UTF16BE, skip = 2;
    } else if (have >= 4) {
        /* No BOM: ASCII text in UTF-16 has a zero in every other byte. */
        size_t even0 = 0, odd0 = 0, pairs = (have > 512 ? 512 : have) / 2;
        for (size_t i = 0; i < pairs; i++) {
            even0 += p[2 * i] == 0;
            odd0 += p[2 * i + 1] == 0;
        }
        if (odd0 * 10 >= pairs * 7 && even0 * 10 < pairs)
            r->enc = ENC_UTF16LE;
        else if (even0 * 10 >= pairs * 7 && odd0 * 10 < pairs)
            r->enc = ENC_UTF16BE;
    }
    memmove(p, p + skip, have - skip);
    have -= skip;
    if (r->enc == ENC_UTF8) {
        /* Plain bytes: they are content already. */
        memcpy(r->buf, p, have);
        r->end = have;
        free(r->u16);
        r->u16 = NULL;
    } else {
        r->u16_len = have;
    }
    return 0;
}

int linereader_open(const char *path, size_t max_line, struct linereader **out, char *err, size_t errlen)
{
    int fd = strcmp(path, "-") == 0 ? dup(0) : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    return linereader_open_fd(fd, strcmp(path, "-") == 0 ? "(stdin)" : path, max_line, out, err, errlen);
}

int linereader_open_fd(int fd, const char *name, size_t max_line, struct linereader **out, char *err, size_t errlen)
{
    struct linereader *r = xcalloc(1, sizeof *r);
    r->fd = fd;
    r->path = xstrdup(name);
    r->max_line = max_line ? max_line : DEFAULT_MAX_LINE;
    r->raw = xmalloc(RAW_BLOCK);
    r->cap = FILL_BLOCK * 4;
    r->buf = xmalloc(r->cap);
    hash64_init(&r->hash);
    if (raw_fill(r, 0) < 0)
        goto failed;
    if (r->raw_len >= 2 && r->raw[0] == 0x1f && r->raw[1] == 0x8b) {
        r->gzip = 1;
        if (inflateInit2(&r->zs, 15 + 16) != Z_OK) {
            fail(r, "zlib initialisation failed");
            goto failed;
        }
        inflateGetHeader(&r->zs, &r->gzh);
        /* Not for a pipe: a read there may wait for its writer, and closing
         * the reader would wait with it. */
        struct stat st;
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
            inflater_start(r);
    }
    if (sniff_encoding(r) < 0)
        goto failed;
    *out = r;
    return 0;
failed:
    snprintf(err, errlen, "%s", r->err);
    linereader_close(r);
    return -1;
}

/* Moves the unread part to the front and reads more behind it. 0, or -1. */
static int fill(struct linereader *r)
{
    if (r->start > 0) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->buf_offset += r->start;
        r->scan -= r->start;
        r->end -= r->start;
        r->start = 0;
    }
    if (r->cap - r->end < FILL_BLOCK) {
        r->cap *= 2;
        r->buf = xrealloc(r->buf, r->cap);
    }
    long n = produce_content(r, (unsigned char *)r->buf + r->end, r->cap - r->end);
    if (n < 0)
        return -1;
    if (n == 0)
        r->content_eof = 1;
    r->end += (size_t)n;
    return 0;
}

int linereader_next(struct linereader *r, struct line *line)
{
    if (r->failed)
        return -1;
    for (;;) {
        if (r->discarding) {
            /* The rest of an over-long line: hash it, drop it. */
            char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
            size_t upto = nl ? (size_t)(nl - r->buf) + 1 : r->end;
            hash64_update(&r->hash, r->buf + r->start, upto - r->start);
            r->start = r->scan = upto;
            if (nl) {
                r->discarding = 0;
                r->content_pos = r->buf_offset + upto;
                continue;
            }
            if (r->content_eof)
                return 0;
            r->start = r->scan = r->end = 0;
            r->buf_offset += upto;
            if (fill(r) < 0)
                return -1;
            continue;
        }
        char *nl = memchr(r->buf + r->scan, '\n', r->end - r->scan);
        if (nl && (size_t)(nl - (r->buf + r->start)) > r->max_line) {
            /* Over the cap although its end is already buffered. */
            size_t len = (size_t)(nl - (r->buf + r->start));
            line->text = r->buf + r->start;
            line->len = LINEREADER_KEEP < r->max_line ? LINEREADER_KEEP : r->max_line;
            line->full_len = len && line->text[len - 1] == '\r' ? len - 1 : len;
            line->number = ++r->line_no;
            line->offset = r->buf_offset + r->start;
            line->has_newline = 1;
            line->too_long = 1;
            hash64_update(&r->hash, line->text, len + 1);
            r->start = r->scan = (size_t)(nl - r->buf) + 1;
            r->content_pos = r->buf_offset + r->start;
            return 1;
        }
        if (nl) {
            size_t len = (size_t)(nl - (r->buf + r->start));
            line->text = r->buf + r->start;
            line->full_len = line->len = len && line->text[len - 1] == '\r' ? len - 1 : len;
            line->number = ++r->line_no;
            line->offset = r->buf_offset + r->start;
            line->has_newline = 1;
            line->too_long = 0;
            hash64_update(&r->hash, line->text, len + 1);
            r->start = r->scan = (size_t)(nl - r->buf) + 1;
            r->content_pos = r->buf_offset + r->start;
            return 1;
        }
        r->scan = r->end;
        if (r->end - r->start > r->max_line) {
            line->text = r->buf + r->start;
            line->len = LINEREADER_KEEP < r->max_line ? LINEREADER_KEEP : r->max_line;
            line->full_len = r->end - r->start;
            line->number = ++r->line_no;
            line->offset = r->buf_offset + r->start;
            line->has_newline = 1;
            line->too_long = 1;
            /* Hash what we have; the returned text stays valid because the
             * discarding pass only runs at the next call. */
            hash64_update(&r->hash, r->buf + r->start, r->end - r->start);
            r->buf_offset += r->end;
            r->start = r->scan = r->end = 0;
            r->discarding = 1;
            /* The buffer's front is reused next call; keep the kept part safe. */
            return 1;
        }
        if (r->content_eof) {
            if (r->start == r->end)
                return 0;
            line->text = r->buf + r->start;
            line->full_len = line->len = r->end - r->start;
            if (line->len && line->text[line->len - 1] == '\r')
                line->full_len = --line->len;
            line->number = ++r->line_no;
            line->offset = r->buf_offset + r->start;
            line->has_newline = 0;
            line->too_long = 0;
            r->start = r->scan = r->end;
            return 1;
        }
        if (fill(r) < 0)
            return -1;
    }
}

void linereader_close(struct linereader *r)
{
    if (!r)
        return;
    inflater_stop(r);
    if (r->gzip)
        inflateEnd(&r->zs);
    if (r->fd >= 0)
        close(r->fd);
    free(r->raw);
    free(r->u16);
    free(r->buf);
    free(r->path);
    free(r);
}

const char *linereader_error(const struct linereader *r)
{
    return r->err;
}
uint64_t linereader_input_pos(const struct linereader *r)
{
    return r->inf ? r->seen_consumed : raw_consumed(r);
}
uint64_t linereader_content_pos(const struct linereader *r)
{
    return r->content_pos;
}
uint64_t linereader_hash(const struct linereader *r)
{
    return hash64_digest(&r->hash);
}
int linereader_is_gzip(const struct linereader *r)
{
    return r->gzip;
}
enum linereader_encoding linereader_encoding(const struct linereader *r)
{
    return r->enc;
}
time_t linereader_gzip_mtime(const struct linereader *r)
{
    if (r->inf)
        return r->seen_mtime;
    return r->gz_mtime ? r->gz_mtime : (r->gzh.done == 1 ? (time_t)r->gzh.time : 0);
}
unsigned linereader_warnings(const struct linereader *r)
{
    return r->warnings;
}
