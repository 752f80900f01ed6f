/* hash.c - XXH64 (Yann Collet's xxHash, 64-bit variant, seed 0); see hash.h. */
#include "hash.h"

#include <string.h>

#define P1 0x9E3779B185EBCA87ULL
#define P2 0xC2B2AE3D27D4EB4FULL
#define P3 0x165667B19E3779F9ULL
#define P4 0x85EBCA77C2B2AE63ULL
#define P5 0x27D4EB2F165667C5ULL

static inline uint64_t rotl(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

static inline uint64_t read64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8); /* little-endian hosts only, as everything mxaudit targets */
    return v;
}

static inline uint32_t read32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static inline uint64_t round64(uint64_t acc, uint64_t input)
{
    acc += input * P2;
    acc = rotl(acc, 31);
    return acc * P1;
}

static inline uint64_t merge64(uint64_t acc, uint64_t val)
{
    acc ^= round64(0, val);
    return acc * P1 + P4;
}

void hash64_init(struct hash64 *h)
{
    memset(h, 0, sizeof *h);
    h->v[0] = P1 + P2;
    h->v[1] = P2;
    h->v[2] = 0;
    h->v[3] = (uint64_t)0 - P1;
}

void hash64_update(struct hash64 *h, const void *data, size_t len)
{
    const unsigned char *p = data, *end = p + len;
    h->total += len;
    if (h->buffered + len < 32) {
        memcpy(h->buf + h->buffered, p, len);
        h->buffered += len;
        return;
    }
    if (h->buffered) {
        size_t fill = 32 - h->buffered;
        memcpy(h->buf + h->buffered, p, fill);
        for (int i = 0; i < 4; i++)
            h->v[i] = round64(h->v[i], read64(h->buf + 8 * i));
        p += fill;
        h->buffered = 0;
    }
    uint64_t v0 = h->v[0], v1 = h->v[1], v2 = h->v[2], v3 = h->v[3];
    while (end - p >= 32) {
        v0 = round64(v0, read64(p));
        v1 = round64(v1, read64(p + 8));
        v2 = round64(v2, read64(p + 16));
        v3 = round64(v3, read64(p + 24));
        p += 32;
    }
    h->v[0] = v0, h->v[1] = v1, h->v[2] = v2, h->v[3] = v3;
    if (p < end) {
        memcpy(h->buf, p, (size_t)(end - p));
        h->buffered = (size_t)(end - p);
    }
}

uint64_t hash64_digest(const struct hash64 *h)
{
    uint64_t r;
    if (h->total >= 32) {
        r = rotl(h->v[0], 1) + rotl(h->v[1], 7) + rotl(h->v[2], 12) + rotl(h->v[3], 18);
        for (int i = 0; i < 4; i++)
            r = merge64(r, h->v[i]);
    } else {
        r = P5; /* seed 0 */
    }
    r += h->total;
    const unsigned char *p = h->buf, *end = h->buf + h->buffered;
    while (end - p >= 8) {
        r ^= round64(0, read64(p));
        r = rotl(r, 27) * P1 + P4;
        p += 8;
    }
    if (end - p >= 4) {
        r ^= (uint64_t)read32(p) * P1;
        r = rotl(r, 23) * P2 + P3;
        p += 4;
    }
    while (p < end) {
        r ^= (*p++) * P5;
        r = rotl(r, 11) * P1;
    }
    r ^= r >> 33;
    r *= P2;
    r ^= r >> 29;
    r *= P3;
    r ^= r >> 32;
    return r;
}

void hash64_hex(uint64_t v, char out[17])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 15; i >= 0; i--) {
        out[i] = hex[v & 15];
        v >>= 4;
    }
    out[16] = '\0';
}
