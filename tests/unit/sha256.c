/* SHA-256 against FIPS 180-2's vectors (appendix B: "abc", the 448-bit
 * message, a million 'a'), the empty message and the 896-bit message,
 * one-shot and fed in pieces of sizes around the 64-byte block (the
 * padding edge cases: 55, 56, 63, 64 bytes). */
#include <stdlib.h>
#include "lib/sha256.h"
#include "unit.h"

static const struct { const char *what, *msg, *hex; } vectors[] = {
	{ "empty", "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "\"abc\"", "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "448 bits", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	{ "896 bits", "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
		      "klmnopqrlmnopqrsmnopqrstnopqrstu",
	  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
};

/* Hex of data fed in pieces of step bytes. */
static void chunked(const void *data, size_t n, size_t step, char *out)
{
	struct ucb_sha256 c;
	uint8_t sum[SHA256_LEN];
	size_t off;

	ucb_sha256_init(&c);
	for (off = 0; off < n; off += step)
		ucb_sha256_update(&c, (const char *)data + off, n - off < step ? n - off : step);
	ucb_sha256_final(&c, sum);
	ucb_hex(sum, SHA256_LEN, out);
}

int main(void)
{
	static const size_t steps[] = { 1, 3, 55, 56, 63, 64, 65, 1000 };
	char hex[SHA256_HEX_LEN + 1], ref[SHA256_HEX_LEN + 1];
	size_t i, j, n = 1000000;
	char *a = malloc(n);
	int ok;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		ucb_sha256_hex(vectors[i].msg, strlen(vectors[i].msg), hex);
		EXPECTF(!strcmp(hex, vectors[i].hex), "sha256: %s", vectors[i].what);
		for (ok = 1, j = 0; j < sizeof(steps) / sizeof(steps[0]); j++) {
			chunked(vectors[i].msg, strlen(vectors[i].msg), steps[j], hex);
			ok &= !strcmp(hex, vectors[i].hex);
		}
		EXPECTF(ok, "sha256: %s fed in pieces of 1..1000 bytes", vectors[i].what);
	}
	if (!a)
		return 1;
	memset(a, 'a', n);
	ucb_sha256_hex(a, n, hex);
	EXPECT("sha256: a million 'a'", !strcmp(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
	chunked(a, n, 4096, ref);
	EXPECT("sha256: a million 'a' in 4096-byte pieces", !strcmp(ref, hex));
	/* Every length across two blocks: one-shot and byte by byte agree. */
	for (ok = 1, i = 0; i <= 130; i++) {
		ucb_sha256_hex(a, i, hex);
		chunked(a, i, 1, ref);
		ok &= !strcmp(hex, ref);
	}
	EXPECT("sha256: lengths 0..130 one-shot equal byte by byte", ok);
	ucb_sha256_hex("a", 1, hex);
	EXPECT("sha256: ucb_sha256_hex is lowercase, NUL-terminated",
	       strlen(hex) == SHA256_HEX_LEN && strspn(hex, "0123456789abcdef") == SHA256_HEX_LEN);
	free(a);
	return failures ? 1 : 0;
}
