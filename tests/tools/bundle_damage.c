/* Damaged and hostile bundles through ucorebtf_bundle__open_mem(): every
 * truncation, every byte flipped, payload damage behind a valid checksum,
 * decompression bombs.  tests/cli/t_bundle_damage.sh builds this with
 * -fsanitize=address,undefined so that any out-of-bounds access aborts.
 *
 * usage: bundle_damage truncate|flip FILE | resign FILE [TARGET]
 *        bundle_damage bomb-size|bomb-lie|bomb-dict (format 1, .xz stream)
 *        bundle_damage bomb-size2|bomb-lie2|bomb-mem2 (format 2, raw LZMA2)
 *        bundle_damage crafted2 (format-2 records each reader must refuse)
 * Prints one summary line; exits 1 if a damaged bundle was accepted (for
 * resign, acceptance is allowed: the content is signed; no crash is the test). */
#include <errno.h>
#include <lzma.h>
#include <bpf/btf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ucorebtf.h"
#include "lib/bundle.h"
#include "lib/errmsg.h"
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

/* A bundle whose payload is `real` zero bytes, declaring `declared`:
 * format 1 with an .xz stream (xz -preset), or (raw) format 2 with raw
 * LZMA2. */
static unsigned char *xz_bundle(size_t real, size_t declared, uint32_t preset, bool raw, size_t *out_sz)
{
	unsigned char *zeros = calloc(1, real), *img;
	size_t cap = lzma_stream_buffer_bound(real) + UCB_HDR_SZ, pos = UCB_HDR_SZ;
	lzma_options_lzma opt;
	lzma_filter f[2] = { { LZMA_FILTER_LZMA2, &opt }, { LZMA_VLI_UNKNOWN, NULL } };
	lzma_ret r;

	img = calloc(1, cap);
	lzma_lzma_preset(&opt, preset);
	r = !zeros || !img ? LZMA_MEM_ERROR :
	    raw ? lzma_raw_buffer_encode(f, NULL, zeros, real, img, &pos, cap) :
	    lzma_easy_buffer_encode(preset, LZMA_CHECK_CRC32, NULL, zeros, real, img, &pos, cap);
	if (r != LZMA_OK) {
		fprintf(stderr, "xz encode failed\n");
		exit(2);
	}
	free(zeros);
	memcpy(img, UCB_MAGIC, 8);
	img[8] = raw ? UCB_FORMAT : UCB_FORMAT_V1;
	img[10] = raw ? UCB_COMP_LZMA2 : UCB_COMP_XZ;
	put64(img + 16, pos - UCB_HDR_SZ);
	put64(img + 24, declared);
	sign(img, pos);
	*out_sz = pos;
	return img;
}

/* ---- format 2, crafted: records a writer never makes ---- */

static unsigned char craft_img[8192];
static size_t craft_sz;

static void craft_begin(int version, int comp)
{
	memset(craft_img, 0, UCB_HDR_SZ);
	memcpy(craft_img, UCB_MAGIC, 8);
	craft_img[8] = version;
	craft_img[10] = comp;
	craft_sz = UCB_HDR_SZ;
}

static void craft_rec(const char *tag, const void *data, size_t len)
{
	memcpy(craft_img + craft_sz, tag, 4);
	for (int i = 0; i < 4; i++)
		craft_img[craft_sz + 4 + i] = len >> (8 * i);
	memcpy(craft_img + craft_sz + 8, data, len);
	craft_sz += 8 + len;
	while (craft_sz % 4)
		craft_img[craft_sz++] = 0;
}

/* Uncompressed: stored size = payload size. */
static void craft_end(void)
{
	put64(craft_img + 16, craft_sz - UCB_HDR_SZ);
	put64(craft_img + 24, craft_sz - UCB_HDR_SZ);
	sign(craft_img, craft_sz);
}

static const void *blob_a, *blob_b;
static __u32 blob_a_sz, blob_b_sz;

/* One entry (or two) over blob A (and B); bids as given. */
static void craft2(const char *cols, const void *bids, size_t bids_len, int blobs)
{
	craft_begin(UCB_FORMAT, UCB_COMP_NONE);
	craft_rec("INDX", cols, strlen(cols));
	if (bids)
		craft_rec("BIDS", bids, bids_len);
	craft_rec("NEED", "", 0);
	if (blobs & 1)
		craft_rec("BLOB", blob_a, blob_a_sz);
	if (blobs & 2)
		craft_rec("BLOB", blob_b, blob_b_sz);
	if (blobs & 4)
		craft_rec("BLOB", blob_a, blob_a_sz);
	craft_end();
}

static int expect(const char *what, const char *want)
{
	struct ucb_bundle b;
	int err = ucb_bundle_parse(craft_img, craft_sz, NULL, &b);
	bool ok = want ? err && strstr(ucb_errmsg(), want) : !err;

	printf("%s: %s: %s\n", ok ? "ok" : "WRONG", what, err ? ucb_errmsg() : "accepted");
	if (!err)
		ucb_bundle_free(&b);
	return !ok;
}

static int crafted2(void)
{
	struct btf *x = btf__new_empty(), *y = btf__new_empty();
	static const unsigned char no_ids[2] = { 0, 0 }, pad[] = { 1, 3, 0xab, 0xcf },
		short_hex[] = { 1, 1, 0xa0 }, ids[] = { 2, 3, 4, 0xab, 0xc0, 0x00, 0xff },
		too_many[] = { 1, 2, 0xab, 0xcd, 0xef }, too_few[] = { 1, 4, 0xab };
	const char *one = "lib\n1\nx86_64\n+\n-\n-\n";
	struct ucb_bundle b;
	int bad = 0;

	btf__add_int(x, "int", 4, BTF_INT_SIGNED);
	btf__add_int(y, "long", 8, BTF_INT_SIGNED);
	blob_a = btf__raw_data(x, &blob_a_sz);
	blob_b = btf__raw_data(y, &blob_b_sz);

	craft2(one, no_ids, 1, 1);
	bad |= expect("one entry, its blob", NULL);
	craft2("lib\n1\nx86_64\n+\nlibx.so.1\nobj,seed\n", ids, sizeof(ids) - 2, 1);
	bad |= expect("build-id lengths that do not add up", "BIDS record");
	craft2("lib\n1\nx86_64\n+\nlibx.so.1\nobj,seed\n", ids, 7, 1);
	if (ucb_bundle_parse(craft_img, craft_sz, NULL, &b)) {
		printf("WRONG: two build-ids, soname, two objects: %s\n", ucb_errmsg());
		bad = 1;
	} else {
		bool same = !strcmp(b.idx.e[0].build_ids, "abc,00ff") && b.idx.e[0].size == blob_a_sz &&
			    !strcmp(b.idx.e[0].soname, "libx.so.1") && !strcmp(b.idx.e[0].objects, "obj,seed");

		printf("%s: build-ids abc,00ff decoded as '%s'\n", same ? "ok" : "WRONG", b.idx.e[0].build_ids);
		bad |= !same;
		ucb_bundle_free(&b);
	}
	craft2("lib\n1\nx86_64\n0\n-\n-\n", no_ids, 1, 1);
	bad |= expect("ordinal of a blob not named before", "names no blob named before");
	craft2("lib\nlib\n1\n2\nx86_64\nx86_64\n+\n00\n-\n-\n-\n-\n", no_ids, 2, 1);
	bad |= expect("ordinal spelt 00", "bad blob ordinal");
	craft2(one, no_ids, 1, 3);
	bad |= expect("a blob no entry names", "named by no entry");
	craft2("lib\n1\nx86_64\n+\n+\n-\n-\n", no_ids, 1, 1);
	bad |= expect("columns of different lengths", "not 6 columns");
	craft2("lib\nlib\n2\n1\nx86_64\nx86_64\n+\n+\n-\n-\n-\n-\n", no_ids, 2, 3);
	bad |= expect("entries out of order", "out of order");
	craft2("lib\nlib\n1\n1\nx86_64\nx86_64\n+\n0\n-\n-\n-\n-\n", no_ids, 2, 1);
	bad |= expect("an entry listed twice", "listed twice");
	craft2("lib\nlib\n1\n2\nx86_64\nx86_64\n+\n+\n-\n-\n-\n-\n", no_ids, 2, 5);
	bad |= expect("one blob stored twice", "stored twice");
	craft2(one, pad, sizeof(pad), 1);
	bad |= expect("odd build-id with a non-zero pad nibble", "padding");
	craft2(one, short_hex, sizeof(short_hex), 1);
	bad |= expect("build-id of one hex digit", "bad build-id length");
	craft2(one, too_many, sizeof(too_many), 1);
	bad |= expect("bytes after the build-ids", "BIDS record");
	craft2(one, too_few, sizeof(too_few), 1);
	bad |= expect("build-id bytes missing", "BIDS record");
	craft2(one, NULL, 0, 1);
	bad |= expect("no BIDS record", "no BIDS record");
	craft_begin(UCB_FORMAT, UCB_COMP_NONE);
	craft_rec("INDX", one, strlen(one));
	craft_rec("BIDS", no_ids, 1);
	craft_rec("BLOB", blob_a, blob_a_sz);
	craft_end();
	bad |= expect("no NEED record", "no NEED record");
	craft_begin(UCB_FORMAT, UCB_COMP_NONE);
	craft_rec("INDX", one, strlen(one));
	craft_rec("INDX", one, strlen(one));
	craft_rec("BIDS", no_ids, 1);
	craft_rec("NEED", "", 0);
	craft_rec("BLOB", blob_a, blob_a_sz);
	craft_end();
	bad |= expect("INDX twice", "duplicate INDX record");
	craft2("lib\n1\nx86_64\n+\n-\n,seed\n", no_ids, 1, 1);
	bad |= expect("bad object list", "bad object list");
	craft2("lib\n1\nx86_64\n+\n-\n-", no_ids, 1, 1);
	bad |= expect("no final newline", "no final newline");
	craft_begin(UCB_FORMAT_V1, UCB_COMP_NONE);
	craft_rec("BIDS", no_ids, 1);
	craft_end();
	bad |= expect("BIDS record in a format-1 bundle", "unknown record tag");
	craft_begin(UCB_FORMAT_V1, UCB_COMP_LZMA2);
	craft_end();
	bad |= expect("raw LZMA2 in a format-1 bundle", "unknown compression");
	craft_begin(3, UCB_COMP_NONE);
	craft_end();
	bad |= expect("format 3", "format version 3 not supported");
	btf__free(x);
	btf__free(y);
	printf("crafted2: %s\n", bad ? "FAILED" : "all as expected");
	return bad;
}

int main(int argc, char **argv)
{
	size_t sz, i, tried = 0, accepted = 0;
	unsigned char *img;
	void *data;
	static const unsigned char masks[] = { 0x01, 0x80, 0xff };

	if (argc == 2 && !strcmp(argv[1], "crafted2"))
		return crafted2();
	if (argc == 2 && !strncmp(argv[1], "bomb-", 5) && argv[1][strlen(argv[1]) - 1] == '2') {
		UCOREBTF_OPTS(ucorebtf_bundle_opts, small, .mem_limit = 1 << 20);
		int ok;

		if (!strcmp(argv[1], "bomb-size2")) {
			img = xz_bundle(256u << 20, 256u << 20, 1, true, &sz);
			ok = !try_open(img, sz, NULL) && errno == EFBIG;
		} else if (!strcmp(argv[1], "bomb-lie2")) {
			img = xz_bundle(256u << 20, 1u << 20, 1, true, &sz);
			ok = !try_open(img, sz, NULL) && errno == EFBIG;
		} else {
			/* The dictionary is the payload's size: 4 MiB honest
			 * needs more than a 1 MiB decoder limit. */
			img = xz_bundle(4u << 20, 4u << 20, 1, true, &sz);
			ok = !try_open(img, sz, &small) && errno == E2BIG;
		}
		printf("%s: %s (%s)\n", argv[1], ok ? "refused" : "ACCEPTED", ucorebtf_errmsg());
		free(img);
		return ok ? 0 : 1;
	}
	if (argc == 2 && !strncmp(argv[1], "bomb-", 5)) {
		UCOREBTF_OPTS(ucorebtf_bundle_opts, small, .mem_limit = 1 << 20);
		int ok;

		if (!strcmp(argv[1], "bomb-size")) {
			/* Honest header, 256 MiB payload: refused before inflating. */
			img = xz_bundle(256u << 20, 256u << 20, 1, false, &sz);
			ok = !try_open(img, sz, NULL) && errno == EFBIG;
		} else if (!strcmp(argv[1], "bomb-lie")) {
			/* Header claims 1 MiB; the stream inflates to 256 MiB. */
			img = xz_bundle(256u << 20, 1u << 20, 1, false, &sz);
			ok = !try_open(img, sz, NULL) && errno == EFBIG;
		} else {
			/* xz -9: a 64 MiB dictionary needs more than the default
			 * 64 MiB decoder limit; xz -6 more than a 1 MiB limit. */
			img = xz_bundle(4096, 4096, 9, false, &sz);
			ok = !try_open(img, sz, NULL) && errno == E2BIG;
			printf("%s: xz -9 %s (%s)\n", argv[1], ok ? "refused" : "ACCEPTED", ucorebtf_errmsg());
			free(img);
			img = xz_bundle(4096, 4096, 6, false, &sz);
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
