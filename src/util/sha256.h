/*
 * sha256.h - SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104).
 *
 * Small and portable, for keyed pseudonyms (report redaction), not for bulk
 * hashing. Knows nothing about mail. No allocation.
 */
#ifndef MXAUDIT_SHA256_H
#define MXAUDIT_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32

struct sha256 {
    uint32_t h[8];
    uint64_t total;
    unsigned char buf[64];
    size_t buffered;
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t len);
void sha256_final(struct sha256 *c, unsigned char out[SHA256_DIGEST_SIZE]);
void sha256(const void *data, size_t len, unsigned char out[SHA256_DIGEST_SIZE]);
void hmac_sha256(const void *key, size_t keylen, const void *msg, size_t msglen, unsigned char out[SHA256_DIGEST_SIZE]);
/* Lower-case hex of the first N bytes of DIGEST into out (2N+1 bytes). */
void sha256_hex(const unsigned char *digest, size_t n, char *out);

#endif
