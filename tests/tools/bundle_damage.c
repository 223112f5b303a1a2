/* Damaged and hostile bundles through ucorebtf_bundle__open_mem(): every
 * truncation, every byte flipped, payload damage behind a valid checksum,
 * decompression bombs.  tests/cli/t_bundle_damage.sh builds this with
 * -fsanitize=address,undefined so that any out-of-bounds access aborts.
 *
 * usage: bundle_damage truncate|flip FILE | resign FILE [TARGET]
 *        bundle_damage bomb-size|bomb-lie|bomb-dict
 * Prints one summary line; exits 1 if a damaged bundle was accepted (for
 * resign, acceptance is allowed: the content is signed; no crash is the test). */
#include <errno.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ucorebtf.h"
#include "lib/bundle.h"
#include "lib/fileio.h"
#include "lib/sha256.h"

static const char *prep_target;	/* resign: prepare with what opened */

static int try_open(const unsigned char *img, size_t sz, const struct ucorebtf_bundle_opts *o)
{
	/* An exact-size heap copy, so ASan sees any read past the end. */
	unsigned char *copy = malloc(sz ? sz : 1);
	struct ucorebtf_bundle *b;

	memcpy(copy, img, sz);
	b = ucorebtf_bundle__open_mem(copy, sz, o);
	free(copy);
	if (b) {
		if (prep_target) {
			UCOREBTF_OPTS(ucorebtf_prepare_opts, po, .object_name = "seed");

			ucorebtf_btf__close(ucorebtf_bundle__prepare(b, &prep_target, 1, &po));
		}
		ucorebtf_bundle__close(b);
		return 1;
	}
	return 0;
}

static void put64(unsigned char *p, unsigned long long v)
{
	for (int i = 0; i < 8; i++)
		p[i] = v >> (8 * i);
}

static void sign(unsigned char *img, size_t sz)
{
	struct ucb_sha256 c;

	ucb_sha256_init(&c);
	ucb_sha256_update(&c, img, 32);
	ucb_sha256_update(&c, img + UCB_HDR_SZ, sz - UCB_HDR_SZ);
	ucb_sha256_final(&c, img + 32);
}

/* A bundle whose xz payload is `real` zero bytes, declaring `declared`. */
static unsigned char *xz_bundle(size_t real, size_t declared, uint32_t preset, size_t *out_sz)
{
	unsigned char *zeros = calloc(1, real), *img;
	size_t cap = lzma_stream_buffer_bound(real) + UCB_HDR_SZ, pos = UCB_HDR_SZ;

	img = calloc(1, cap);
	if (!zeros || !img || lzma_easy_buffer_encode(preset, LZMA_CHECK_CRC32, NULL, zeros, real,
						     img, &pos, cap) != LZMA_OK) {
		fprintf(stderr, "xz encode failed\n");
		exit(2);
	}
	free(zeros);
	memcpy(img, UCB_MAGIC, 8);
	img[8] = UCB_FORMAT;
	img[10] = UCB_COMP_XZ;
	put64(img + 16, pos - UCB_HDR_SZ);
	put64(img + 24, declared);
	sign(img, pos);
	*out_sz = pos;
	return img;
}

int main(int argc, char **argv)
{
	size_t sz, i, tried = 0, accepted = 0;
	unsigned char *img;
	void *data;
	static const unsigned char masks[] = { 0x01, 0x80, 0xff };

	if (argc == 2 && !strncmp(argv[1], "bomb-", 5)) {
		UCOREBTF_OPTS(ucorebtf_bundle_opts, small, .mem_limit = 1 << 20);
		int ok;

		if (!strcmp(argv[1], "bomb-size")) {
			/* Honest header, 256 MiB payload: refused before inflating. */
			img = xz_bundle(256u << 20, 256u << 20, 1, &sz);
			ok = !try_open(img, sz, NULL) && errno == EFBIG;
		} else if (!strcmp(argv[1], "bomb-lie")) {
			/* Header claims 1 MiB; the stream inflates to 256 MiB. */
			img = xz_bundle(256u << 20, 1u << 20, 1, &sz);
			ok = !try_open(img, sz, NULL) && errno == EFBIG;
		} else {
			/* xz -9: a 64 MiB dictionary needs more than the default
			 * 64 MiB decoder limit; xz -6 more than a 1 MiB limit. */
			img = xz_bundle(4096, 4096, 9, &sz);
			ok = !try_open(img, sz, NULL) && errno == E2BIG;
			printf("%s: xz -9 %s (%s)\n", argv[1], ok ? "refused" : "ACCEPTED", ucorebtf_errmsg());
			free(img);
			img = xz_bundle(4096, 4096, 6, &sz);
			ok = ok && !try_open(img, sz, &small) && errno == E2BIG;
		}
		printf("%s: %s (%s)\n", argv[1], ok ? "refused" : "ACCEPTED", ucorebtf_errmsg());
		free(img);
		return ok ? 0 : 1;
	}
	if (argc == 4 && !strcmp(argv[1], "resign"))
		prep_target = argv[3];	/* and prepare: damaged needs, index */
	else if (argc != 3)
		argc = 0;
	if (argc < 3 || ucb_read_file(argv[2], &data, &sz)) {
		fprintf(stderr, "usage: %s truncate|flip|resign FILE | bomb-size|bomb-lie|bomb-dict\n", argv[0]);
		return 2;
	}
	img = data;
	if (!try_open(img, sz, NULL)) {
		fprintf(stderr, "%s: the undamaged bundle does not open: %s\n", argv[2], ucorebtf_errmsg());
		return 2;
	}
	if (!strcmp(argv[1], "truncate")) {
		for (i = 0; i < sz; i++, tried++)
			accepted += try_open(img, i, NULL);
	} else if (!strcmp(argv[1], "flip")) {
		for (i = 0; i < sz; i++)
			for (size_t m = 0; m < sizeof(masks); m++, tried++) {
				img[i] ^= masks[m];
				accepted += try_open(img, sz, NULL);
				img[i] ^= masks[m];
			}
	} else if (!strcmp(argv[1], "resign")) {
		/* Damage behind a valid checksum: the parser itself must hold. */
		for (i = UCB_HDR_SZ; i < sz; i++)
			for (size_t m = 0; m < sizeof(masks); m++, tried++) {
				img[i] ^= masks[m];
				sign(img, sz);
				accepted += try_open(img, sz, NULL);
				img[i] ^= masks[m];
			}
		sign(img, sz);
		printf("resign: %zu damaged payloads opened without crash, %zu accepted\n", tried, accepted);
		free(data);
		return 0;
	} else {
		return 2;
	}
	printf("%s: %zu damaged bundles, %zu rejected, %zu accepted\n", argv[1], tried,
	       tried - accepted, accepted);
	free(data);
	return accepted ? 1 : 0;
}
