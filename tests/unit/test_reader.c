/*
 * test_reader.c - the line reader: plain, gzip (one member, several,
 * truncated, corrupt), CRLF, BOMs, UTF-16 with and without BOM, long lines,
 * empty input, standard input, and that the fingerprint hash does not depend
 * on how the content was stored.
 */
#include "hash.h"
#include "linereader.h"
#include "testutil.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

/* Gzips DATA into PATH as one member; appends a member when APPEND. */
static void write_gzip(const char *path, const char *data, size_t len, int append)
{
    gzFile gz = gzopen(path, append ? "ab" : "wb");
    if (!gz || gzwrite(gz, data, (unsigned)len) != (int)len || gzclose(gz) != Z_OK) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(2);
    }
}

/* Reads every line of PATH into OUT (joined with '|'), returns the count, -1 on error. */
static int read_all(const char *path, char *out, size_t outcap, uint64_t *hash, char *err, size_t errlen)
{
    struct linereader *r;
    if (linereader_open(path, 0, &r, err, errlen) < 0)
        return -1;
    struct line l;
    int n = 0, rc;
    size_t o = 0;
    out[0] = '\0';
    while ((rc = linereader_next(r, &l)) == 1) {
        if (o + l.len + 2 < outcap) {
            if (n)
                out[o++] = '|';
            memcpy(out + o, l.text, l.len);
            o += l.len;
            out[o] = '\0';
        }
        n++;
    }
    if (rc < 0) {
        snprintf(err, errlen, "%s", linereader_error(r));
        n = -1;
    }
    if (hash)
        *hash = linereader_hash(r);
    linereader_close(r);
    return n;
}

static const char LOG[] = "Nov 23 08:14:03 mx1 postfix/smtpd[1234]: connect from a.example[192.0.2.1]\n"
                          "Nov 23 08:14:04 mx1 postfix/smtpd[1234]: disconnect from a.example[192.0.2.1]\n";

static void test_plain_and_gzip(void)
{
    char out[4096], err[512];
    uint64_t h_plain, h_gz, h_multi;
    test_write_file("plain.log", LOG, sizeof LOG - 1);
    CHECK_INT(read_all("plain.log", out, sizeof out, &h_plain, err, sizeof err), 2);
    CHECK(strstr(out, "connect from a.example[192.0.2.1]|Nov 23 08:14:04") != NULL);

    /* gzip is recognised by content: this name says nothing. */
    write_gzip("compressed.txt", LOG, sizeof LOG - 1, 0);
    CHECK_INT(read_all("compressed.txt", out, sizeof out, &h_gz, err, sizeof err), 2);
    CHECK(h_plain == h_gz);

    /* Two members, as `cat a.gz b.gz` makes: one stream of content. */
    size_t half = strchr(LOG, '\n') - LOG + 1;
    write_gzip("multi.gz", LOG, half, 0);
    write_gzip("multi.gz", LOG + half, sizeof LOG - 1 - half, 1);
    CHECK_INT(read_all("multi.gz", out, sizeof out, &h_multi, err, sizeof err), 2);
    CHECK(h_plain == h_multi);
    CHECK(strstr(out, "disconnect from") != NULL);

    /* The gzip header's mtime is what year inference uses. */
    struct linereader *r;
    CHECK_INT(linereader_open("multi.gz", 0, &r, err, sizeof err), 0);
    struct line l;
    CHECK_INT(linereader_next(r, &l), 1);
    CHECK(linereader_is_gzip(r));
    linereader_close(r);
}

/* One gzip member of DATA whose header says MTIME. */
static void write_gzip_mtime(const char *path, const char *data, size_t len, time_t mtime)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    gz_header h;
    memset(&h, 0, sizeof h);
    h.time = (uLong)mtime;
    h.os = 3;
    size_t cap = compressBound((uLong)len) + 64;
    unsigned char *out = malloc(cap);
    if (!out || deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK ||
        deflateSetHeader(&zs, &h) != Z_OK) {
        fprintf(stderr, "cannot deflate %s\n", path);
        exit(2);
    }
    zs.next_in = (unsigned char *)data;
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    if (deflate(&zs, Z_FINISH) != Z_STREAM_END) {
        fprintf(stderr, "cannot deflate %s\n", path);
        exit(2);
    }
    test_write_file(path, (const char *)out, zs.total_out);
    deflateEnd(&zs);
    free(out);
}

/* Gzip input is inflated by a thread a few blocks ahead of the lines: a
 * file many blocks long gives the lines and hash of its plain form, the
 * header's mtime is there once the first line is, and a reader closed after
 * a few lines (while the thread waits for room) closes. */
static void test_gzip_read_ahead(void)
{
    size_t len = 0, cap = 12u << 20;
    char *big = malloc(cap);
    int lines = 0;
    for (uint32_t x = 1; len + 200 < cap; lines++) {
        x = x * 1103515245u + 12345u;
        len += (size_t)snprintf(big + len, cap - len,
                                "Nov 23 08:%02d:%02d mx1 postfix/smtpd[%u]: connect from h%08x.example[192.0.2.%u]\n",
                                lines / 60 % 60, lines % 60, x % 30000, x, x % 250 + 1);
    }
    test_write_file("big.log", big, len);
    write_gzip_mtime("big.log.gz", big, len, 1795000000);
    char out[64], err[512];
    uint64_t h_plain = 0, h_gz = 1;
    CHECK_INT(read_all("big.log", out, sizeof out, &h_plain, err, sizeof err), lines);
    CHECK_INT(read_all("big.log.gz", out, sizeof out, &h_gz, err, sizeof err), lines);
    CHECK(h_plain == h_gz);

    struct linereader *r;
    CHECK_INT(linereader_open("big.log.gz", 0, &r, err, sizeof err), 0);
    struct line l;
    for (int i = 0; i < 3; i++)
        CHECK_INT(linereader_next(r, &l), 1);
    CHECK(linereader_gzip_mtime(r) == 1795000000);
    CHECK(linereader_input_pos(r) > 0);
    linereader_close(r);
    free(big);
}

/* Gzip from a named pipe whose writer has written it all but keeps the
 * pipe open: the first line comes, and the reader closes, without waiting
 * for the writer (no thread reads ahead on a pipe). A hang here ends the
 * test by its alarm. */
static void test_gzip_from_pipe(void)
{
    char text[16384];
    size_t len = 0;
    for (int i = 0; len + 100 < sizeof text; i++)
        len +=
            (size_t)snprintf(text + len, sizeof text - len,
                             "Nov 23 08:14:%02d mx1 postfix/smtpd[%d]: connect from a.example[192.0.2.1]\n", i % 60, i);
    write_gzip("pipe-data.gz", text, len, 0);
    FILE *f = fopen("pipe-data.gz", "rb");
    char gz[16384];
    size_t n = f ? fread(gz, 1, sizeof gz, f) : 0;
    if (f)
        fclose(f);
    CHECK(n > 0 && n < sizeof gz);
    unlink("reader.fifo");
    CHECK_INT(mkfifo("reader.fifo", 0600), 0);
    int go[2];
    CHECK_INT(pipe(go), 0);
    pid_t child = fork();
    if (child == 0) {
        int w = open("reader.fifo", O_WRONLY);
        if (w < 0 || write(w, gz, n) != (ssize_t)n)
            _exit(1);
        char c;
        close(go[1]);
        (void)!read(go[0], &c, 1); /* until the reader is closed */
        close(w);
        _exit(0);
    }
    close(go[0]);
    alarm(30);
    struct linereader *r;
    char err[512];
    CHECK_INT(linereader_open("reader.fifo", 0, &r, err, sizeof err), 0);
    struct line l;
    CHECK_INT(linereader_next(r, &l), 1);
    CHECK(l.len > 20 && memcmp(l.text, "Nov 23 08:14:00 mx1", 19) == 0);
    CHECK(linereader_is_gzip(r));
    linereader_close(r);
    alarm(0);
    close(go[1]);
    int status = -1;
    waitpid(child, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    unlink("reader.fifo");
}

static void test_broken_gzip(void)
{
    char out[4096], err[512];
    /* Enough incompressible-ish content that truncation cuts the deflate stream. */
    char *big = malloc(200000);
    for (int i = 0; i < 200000; i++)
        big[i] = (i % 97 == 0) ? '\n' : (char)('a' + (i * 7919 % 26));
    write_gzip("whole.gz", big, 200000, 0);
    FILE *f = fopen("whole.gz", "rb");
    char *gz = malloc(300000);
    size_t n = fread(gz, 1, 300000, f);
    fclose(f);

    test_write_file("truncated.gz", gz, n / 2);
    CHECK_INT(read_all("truncated.gz", out, sizeof out, NULL, err, sizeof err), -1);
    CHECK(strstr(err, "truncated.gz") != NULL);
    CHECK(strstr(err, "truncated gzip") != NULL);
    CHECK(strstr(err, "compressed byte offset") != NULL);

    /* Flip bytes in the middle of the deflate data. */
    for (size_t i = n / 3; i < n / 3 + 16; i++)
        gz[i] ^= 0x5A;
    test_write_file("corrupt.gz", gz, n);
    CHECK_INT(read_all("corrupt.gz", out, sizeof out, NULL, err, sizeof err), -1);
    CHECK(strstr(err, "corrupt.gz") != NULL);
    CHECK(strstr(err, "gzip") != NULL);

    /* Only the header survived. */
    test_write_file("header-only.gz", gz, 10);
    CHECK_INT(read_all("header-only.gz", out, sizeof out, NULL, err, sizeof err), -1);
    CHECK(strstr(err, "header-only.gz") != NULL);

    /* A valid member followed by garbage. */
    write_gzip("trailing.gz", LOG, sizeof LOG - 1, 0);
    f = fopen("trailing.gz", "ab");
    fputs("this is not gzip", f);
    fclose(f);
    CHECK_INT(read_all("trailing.gz", out, sizeof out, NULL, err, sizeof err), -1);
    CHECK(strstr(err, "trailing garbage") != NULL);
    free(big);
    free(gz);
}

static void test_encodings(void)
{
    char out[4096], err[512];
    uint64_t h_ref, h;
    test_write_file("ref.txt", "alpha\nbeta\n", 11);
    read_all("ref.txt", out, sizeof out, &h_ref, err, sizeof err);

    test_write_file("crlf.txt", "alpha\r\nbeta\r\n", 13);
    CHECK_INT(read_all("crlf.txt", out, sizeof out, NULL, err, sizeof err), 2);
    CHECK_STR(out, "alpha|beta");

    test_write_file("bom.txt",
                    "\xEF\xBB\xBF"
                    "alpha\nbeta\n",
                    14);
    CHECK_INT(read_all("bom.txt", out, sizeof out, &h, err, sizeof err), 2);
    CHECK_STR(out, "alpha|beta");
    CHECK(h == h_ref);

    /* UTF-16LE with BOM, as Exchange Online report downloads are. */
    const char le_bom[] = "\xFF\xFE"
                          "a\0l\0p\0h\0a\0\n\0b\0"
                          "\xE4\0"
                          "t\0a\0\r\0\n\0";
    test_write_file("le-bom.csv", le_bom, sizeof le_bom - 1);
    CHECK_INT(read_all("le-bom.csv", out, sizeof out, NULL, err, sizeof err), 2);
    CHECK_STR(out, "alpha|b\xC3\xA4ta");

    /* UTF-16LE without BOM: recognised by its zero bytes. */
    const char le[] = "a\0l\0p\0h\0a\0\n\0b\0e\0t\0a\0\n\0";
    test_write_file("le.csv", le, sizeof le - 1);
    CHECK_INT(read_all("le.csv", out, sizeof out, &h, err, sizeof err), 2);
    CHECK_STR(out, "alpha|beta");
    CHECK(h == h_ref);

    const char be[] = "\xFE\xFF\0a\0l\0p\0h\0a\0\n\0b\0e\0t\0a\0\n";
    test_write_file("be.csv", be, sizeof be - 1);
    CHECK_INT(read_all("be.csv", out, sizeof out, NULL, err, sizeof err), 2);
    CHECK_STR(out, "alpha|beta");

    /* A surrogate pair (U+1F600) and an odd trailing byte. */
    const char pair[] = "\xFF\xFE"
                        "x\0"
                        "\x3D\xD8\x00\xDE"
                        "\n\0"
                        "y";
    test_write_file("pair.csv", pair, sizeof pair - 1);
    CHECK_INT(read_all("pair.csv", out, sizeof out, NULL, err, sizeof err), 2);
    CHECK_STR(out, "x\xF0\x9F\x98\x80|\xEF\xBF\xBD");

    /* UTF-16 inside gzip. */
    write_gzip("le.csv.gz", le_bom, sizeof le_bom - 1, 0);
    CHECK_INT(read_all("le.csv.gz", out, sizeof out, NULL, err, sizeof err), 2);
    CHECK_STR(out, "alpha|b\xC3\xA4ta");
}

static void test_lines(void)
{
    char out[64], err[512];
    test_write_file("empty.log", "", 0);
    CHECK_INT(read_all("empty.log", out, sizeof out, NULL, err, sizeof err), 0);

    /* An unterminated last line is still a line, but not in the hash. */
    uint64_t h1, h2;
    test_write_file("noeol.log", "one\ntwo", 7);
    CHECK_INT(read_all("noeol.log", out, sizeof out, &h1, err, sizeof err), 2);
    test_write_file("one.log", "one\n", 4);
    read_all("one.log", out, sizeof out, &h2, err, sizeof err);
    CHECK(h1 == h2);

    /* A 1 MB line comes back whole, with the right numbers around it. */
    size_t big = 1 << 20;
    char *data = malloc(big + 64);
    size_t o = (size_t)sprintf(data, "first\n");
    memset(data + o, 'x', big);
    o += big;
    o += (size_t)sprintf(data + o, "\nlast\n");
    test_write_file("long.log", data, o);
    struct linereader *r;
    struct line l;
    CHECK_INT(linereader_open("long.log", 0, &r, err, sizeof err), 0);
    CHECK_INT(linereader_next(r, &l), 1);
    CHECK_INT(linereader_next(r, &l), 1);
    CHECK_INT(l.len, big);
    CHECK_INT(l.number, 2);
    CHECK_INT(l.offset, 6);
    CHECK(!l.too_long);
    CHECK(l.text[0] == 'x' && l.text[big - 1] == 'x');
    CHECK_INT(linereader_next(r, &l), 1);
    CHECK_INT(l.number, 3);
    CHECK(l.len == 4 && memcmp(l.text, "last", 4) == 0);
    CHECK_INT(linereader_next(r, &l), 0);
    linereader_close(r);

    /* Over the cap: rejected with its start kept, reading resumes after it. */
    CHECK_INT(linereader_open("long.log", 65536, &r, err, sizeof err), 0);
    CHECK_INT(linereader_next(r, &l), 1);
    CHECK_INT(linereader_next(r, &l), 1);
    CHECK(l.too_long);
    CHECK_INT(l.number, 2);
    CHECK_INT(l.len, LINEREADER_KEEP);
    CHECK(l.text[0] == 'x');
    CHECK_INT(linereader_next(r, &l), 1);
    CHECK_INT(l.number, 3);
    CHECK(l.len == 4 && memcmp(l.text, "last", 4) == 0);
    CHECK_INT(linereader_content_pos(r), o);
    CHECK_INT(linereader_next(r, &l), 0);
    uint64_t capped_hash = linereader_hash(r);
    linereader_close(r);
    uint64_t whole_hash;
    read_all("long.log", out, sizeof out, &whole_hash, err, sizeof err);
    CHECK(capped_hash == whole_hash);
    free(data);

    /* NUL bytes inside a line are data, not the end of it. */
    test_write_file("nul.log", "a\0b\nc\n", 6);
    CHECK_INT(linereader_open("nul.log", 0, &r, err, sizeof err), 0);
    CHECK_INT(linereader_next(r, &l), 1);
    CHECK_INT(l.len, 3);
    linereader_close(r);

    CHECK_INT(read_all("does-not-exist.log", out, sizeof out, NULL, err, sizeof err), -1);
    CHECK(strstr(err, "does-not-exist.log") != NULL);
}

static void test_stdin(void)
{
    char out[4096], err[512];
    write_gzip("stdin.gz", LOG, sizeof LOG - 1, 0);
    int fd = open("stdin.gz", O_RDONLY);
    int saved = dup(0);
    dup2(fd, 0);
    close(fd);
    CHECK_INT(read_all("-", out, sizeof out, NULL, err, sizeof err), 2);
    CHECK(strstr(out, "disconnect from") != NULL);
    dup2(saved, 0);
    close(saved);
}

static void test_hash_vectors(void)
{
    /* Published XXH64 values for seed 0. */
    struct hash64 h;
    hash64_init(&h);
    CHECK(hash64_digest(&h) == 0xEF46DB3751D8E999ULL);
    hash64_update(&h, "a", 1);
    CHECK(hash64_digest(&h) == 0xD24EC4F1A98C6E5BULL);
    /* Streaming in pieces equals hashing in one go. */
    char buf[1000];
    for (int i = 0; i < 1000; i++)
        buf[i] = (char)(i * 31);
    struct hash64 a, b;
    hash64_init(&a);
    hash64_update(&a, buf, 1000);
    hash64_init(&b);
    for (int i = 0; i < 1000; i += 7)
        hash64_update(&b, buf + i, i + 7 <= 1000 ? 7 : (size_t)(1000 - i));
    CHECK(hash64_digest(&a) == hash64_digest(&b));
}

int main(int argc, char **argv)
{
    TEST_INIT(argc, argv);
    test_hash_vectors();
    test_plain_and_gzip();
    test_broken_gzip();
    test_gzip_read_ahead();
    test_gzip_from_pipe();
    test_encodings();
    test_lines();
    test_stdin();
    return test_done("test_reader");
}
