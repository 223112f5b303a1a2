/* SHA-256 (FIPS 180-4): digests of archive blobs and the bundle checksum. */
#ifndef UCOREBTF_SHA256_H
#define UCOREBTF_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32
#define SHA256_HEX_LEN 64

struct ucb_sha256 {
	uint32_t h[8];
	uint64_t len;
	uint8_t buf[64];
	size_t fill;
};

void ucb_sha256_init(struct ucb_sha256 *c);
void ucb_sha256_update(struct ucb_sha256 *c, const void *data, size_t n);
void ucb_sha256_final(struct ucb_sha256 *c, uint8_t out[SHA256_LEN]);
void ucb_sha256(const void *data, size_t n, uint8_t out[SHA256_LEN]);
/* Lowercase hex, NUL-terminated: out has SHA256_HEX_LEN + 1 bytes. */
void ucb_sha256_hex(const void *data, size_t n, char *out);
void ucb_hex(const uint8_t *p, size_t n, char *out);

#endif
