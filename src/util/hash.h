/*
 * hash.h - XXH64, a fast non-cryptographic 64-bit hash, in streaming form.
 *
 * Used for content fingerprints (is this file's content one we stored?), not
 * for security: nobody gains by forging a log file's fingerprint except to
 * have it skipped, which they could do by not handing it over. Digest does
 * not change the state, so it can be taken at any point of a stream.
 */
#ifndef MXAUDIT_HASH_H
#define MXAUDIT_HASH_H

#include <stddef.h>
#include <stdint.h>

struct hash64 {
    uint64_t v[4];
    uint64_t total;
    unsigned char buf[32];
    size_t buffered;
};

void hash64_init(struct hash64 *h);
void hash64_update(struct hash64 *h, const void *data, size_t len);
uint64_t hash64_digest(const struct hash64 *h);
/* 16 lower-case hex digits and a NUL into out[17]. */
void hash64_hex(uint64_t v, char out[17]);

#endif
