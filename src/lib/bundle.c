/* Bundle reading and writing.  The reader runs in a root process on
 * untrusted input: every length is checked before use, the checksum is
 * verified before decompressing, and decompression is capped both in output
 * size and in decoder memory. */
#include <errno.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <bpf/btf.h>
#include "lib/btf_check.h"
#include "lib/bundle.h"
#include "lib/errmsg.h"

#define TAG_INDX 0x58444e49u	/* "INDX" little-endian */
#define TAG_NEED 0x4445454eu	/* "NEED" */
#define TAG_BLOB 0x424f4c42u	/* "BLOB" */
#define TAG_RULE 0x454c5552u	/* "RULE": version rules, optional */

static uint16_t get16(const uint8_t *p) { return p[0] | p[1] << 8; }
static uint32_t get32(const uint8_t *p) { return get16(p) | (uint32_t)get16(p + 2) << 16; }
static uint64_t get64(const uint8_t *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }
static void put16(uint8_t *p, uint16_t v) { p[0] = v; p[1] = v >> 8; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v); put16(p + 2, v >> 16); }
static void put64(uint8_t *p, uint64_t v) { put32(p, v); put32(p + 4, v >> 32); }

const char *ucb_compression_name(int c)
{
	return c == UCB_COMP_XZ ? "xz" : c == UCB_COMP_ZLIB ? "zlib" : c == UCB_COMP_NONE ? "none" : "?";
}

static int decompress(int comp, const uint8_t *in, size_t in_sz, uint8_t *out, size_t out_sz,
		      uint64_t mem_limit)
{
	lzma_stream xs = LZMA_STREAM_INIT;
	z_stream zs = {};
	lzma_ret lr;
	int zr;

	switch (comp) {
	case UCB_COMP_NONE:
		if (in_sz != out_sz)
			return ucb_errf(-EINVAL, "stored size %zu differs from payload size %zu", in_sz, out_sz);
		memcpy(out, in, in_sz);
		return 0;
	case UCB_COMP_ZLIB:
		if (inflateInit(&zs) != Z_OK)
			return ucb_errf(-ENOMEM, "zlib: cannot initialise");
		zs.next_in = (Bytef *)in;
		zs.avail_in = in_sz;
		zs.next_out = out;
		zs.avail_out = out_sz;
		zr = inflate(&zs, Z_FINISH);
		inflateEnd(&zs);
		if (zr != Z_STREAM_END && !zs.avail_out)
			return ucb_errf(-EFBIG, "zlib: payload larger than the %zu bytes the header declares", out_sz);
		if (zr != Z_STREAM_END || zs.avail_in || zs.avail_out)
			return ucb_errf(-EINVAL, "zlib: corrupt compressed payload");
		return 0;
	case UCB_COMP_XZ:
		/* The header's sha256 covers the stream: its own CRC is redundant. */
		lr = lzma_stream_decoder(&xs, mem_limit, LZMA_IGNORE_CHECK);
		if (lr != LZMA_OK)
			return ucb_errf(-ENOMEM, "xz: cannot initialise decoder");
		xs.next_in = in;
		xs.avail_in = in_sz;
		xs.next_out = out;
		xs.avail_out = out_sz;
		lr = lzma_code(&xs, LZMA_FINISH);
		lzma_end(&xs);
		if (lr == LZMA_MEMLIMIT_ERROR)
			return ucb_errf(-E2BIG, "xz: decoder needs more than the %llu-byte memory limit",
			    (unsigned long long)mem_limit);
		if (lr != LZMA_STREAM_END && lr != LZMA_MEMLIMIT_ERROR && !xs.avail_out)
			return ucb_errf(-EFBIG, "xz: payload larger than the %zu bytes the header declares", out_sz);
		if (lr != LZMA_STREAM_END || xs.avail_in || xs.avail_out)
			return ucb_errf(-EINVAL, "xz: corrupt compressed payload");
		return 0;
	}
	return ucb_errf(-EINVAL, "unknown compression %d", comp);
}

static int cmp_blob(const void *a, const void *b)
{
	return strcmp(((const struct ucb_blob *)a)->digest, ((const struct ucb_blob *)b)->digest);
}

const struct ucb_blob *ucb_bundle_blob(const struct ucb_bundle *b, const char *digest)
{
	struct ucb_blob key;

	if (!b->blob_cnt || strlen(digest) != SHA256_HEX_LEN)
		return NULL;
	memcpy(key.digest, digest, sizeof(key.digest));
	return bsearch(&key, b->blobs, b->blob_cnt, sizeof(key), cmp_blob);
}

/* A blob is BTF that every walk over it can finish: libbpf parses it, its
 * type graph has no loop and bounded nesting (lib/btf_check.h), and it is
 * small enough that work linear in its types stays small. */
static int blob_check(const struct ucb_blob *bl)
{
	char name[32];
	struct btf *btf;
	__u32 n;
	int ret;

	btf = btf__new(bl->data, bl->size);
	if (!btf)
		return ucb_errf(-EINVAL, "blob %.16s...: not valid BTF", bl->digest);
	n = btf__type_cnt(btf) - 1;
	snprintf(name, sizeof(name), "blob %.16s...", bl->digest);
	if (n > UCB_MAX_BLOB_TYPES)
		ret = ucb_errf(-E2BIG, "%s: %u types, more than the %u types a blob may hold", name, n,
			       UCB_MAX_BLOB_TYPES);
	else
		ret = ucb_btf_check_graph(btf, name);
	btf__free(btf);
	return ret;
}

static int parse_records(struct ucb_bundle *b)
{
	const uint8_t *p = b->payload, *end = b->payload + b->payload_sz;
	const uint8_t *indx = NULL, *need = NULL, *rule = NULL;
	uint32_t indx_len = 0, need_len = 0, rule_len = 0, tag, len, pad;
	struct ucb_blob *bl;
	uint8_t sum[SHA256_LEN];
	size_t i;
	int ret;

	while (p < end) {
		if (end - p < 8)
			return ucb_errf(-EINVAL, "record header truncated at payload offset %zu", (size_t)(p - b->payload));
		tag = get32(p);
		len = get32(p + 4);
		p += 8;
		pad = (4 - len % 4) % 4;
		if ((uint64_t)len + pad > (uint64_t)(end - p))
			return ucb_errf(-EINVAL, "record of %u bytes runs past the payload", len);
		for (i = 0; i < pad; i++)
			if (p[len + i])
				return ucb_errf(-EINVAL, "non-zero record padding");
		switch (tag) {
		case TAG_INDX:
		case TAG_NEED:
			if (tag == TAG_INDX ? indx != NULL : need != NULL)
				return ucb_errf(-EINVAL, "duplicate %s record", tag == TAG_INDX ? "INDX" : "NEED");
			*(tag == TAG_INDX ? &indx : &need) = p;
			*(tag == TAG_INDX ? &indx_len : &need_len) = len;
			break;
		case TAG_RULE:
			if (rule)
				return ucb_errf(-EINVAL, "duplicate RULE record");
			rule = p;
			rule_len = len;
			break;
		case TAG_BLOB:
			if (len <= SHA256_LEN)
				return ucb_errf(-EINVAL, "empty BLOB record");
			if (b->blob_cnt >= UCB_MAX_ENTRIES)
				return ucb_errf(-E2BIG, "too many blobs");
			bl = realloc(b->blobs, (b->blob_cnt + 1) * sizeof(*bl));
			if (!bl)
				return ucb_errf(-ENOMEM, "out of memory");
			b->blobs = bl;
			bl = &b->blobs[b->blob_cnt++];
			ucb_hex(p, SHA256_LEN, bl->digest);
			bl->data = p + SHA256_LEN;
			bl->size = len - SHA256_LEN;
			/* An oversized blob is refused before it costs a hash. */
			if (ucb_btf_raw_type_cnt(bl->data, bl->size, UCB_MAX_BLOB_TYPES) > UCB_MAX_BLOB_TYPES)
				return ucb_errf(-E2BIG, "blob %.16s...: more than the %u types a blob may hold",
						bl->digest, UCB_MAX_BLOB_TYPES);
			ucb_sha256(bl->data, bl->size, sum);
			if (memcmp(sum, p, SHA256_LEN))
				return ucb_errf(-EINVAL, "blob %.16s...: content does not match its sha256", bl->digest);
			break;
		default:
			return ucb_errf(-EINVAL, "unknown record tag 0x%08x", tag);
		}
		p += len + pad;
	}
	if (!indx)
		return ucb_errf(-EINVAL, "no INDX record");
	ret = ucb_index_parse((const char *)indx, indx_len, &b->idx);
	if (ret)
		return ret;
	ret = ucb_needs_parse(need ? (const char *)need : "", need_len, &b->needs);
	if (ret)
		return ret;
	/* Bundles made before version rules have no RULE record. */
	ret = ucb_vrules_parse(rule ? (const char *)rule : "", rule_len, &b->rules);
	if (ret)
		return ret;
	if (b->blob_cnt)
		qsort(b->blobs, b->blob_cnt, sizeof(*b->blobs), cmp_blob);
	for (i = 1; i < b->blob_cnt; i++)
		if (!strcmp(b->blobs[i].digest, b->blobs[i - 1].digest))
			return ucb_errf(-EINVAL, "blob %.16s... stored twice", b->blobs[i].digest);
	for (i = 0; i < b->idx.cnt; i++) {
		const struct ucb_entry *e = &b->idx.e[i];
		const struct ucb_blob *blob = ucb_bundle_blob(b, e->digest);

		if (!blob)
			return ucb_errf(-EINVAL, "entry %s %s %s: blob %.16s... missing", e->lib, e->version,
			    e->arch, e->digest);
		if (blob->size != e->size)
			return ucb_errf(-EINVAL, "entry %s %s %s: blob size differs from the index", e->lib,
			    e->version, e->arch);
		if (i && !ucb_entry_cmp(&b->idx.e[i - 1], e))
			return ucb_errf(-EINVAL, "entry %s %s %s listed twice", e->lib, e->version, e->arch);
	}
	for (i = 0; i < b->blob_cnt; i++) {
		ret = blob_check(&b->blobs[i]);
		if (ret)
			return ret;
	}
	return 0;
}

int ucb_bundle_parse(const void *data, size_t sz, const struct ucb_limits *lim,
		     struct ucb_bundle *b)
{
	const uint8_t *h = data;
	uint64_t max_size = lim && lim->max_size ? lim->max_size : UCB_DEFAULT_MAX_SIZE;
	uint64_t mem_limit = lim && lim->mem_limit ? lim->mem_limit : UCB_DEFAULT_MEM_LIMIT;
	uint64_t stored, raw;
	uint8_t sum[SHA256_LEN];
	struct ucb_sha256 c;
	int ret;

	memset(b, 0, sizeof(*b));
	if (!data || sz < UCB_HDR_SZ)
		return ucb_errf(-EINVAL, "truncated: %zu bytes, shorter than the %d-byte header", sz, UCB_HDR_SZ);
	if (memcmp(h, UCB_MAGIC, 8))
		return ucb_errf(-EINVAL, "not a ucorebtf bundle (bad magic)");
	if (get16(h + 8) != UCB_FORMAT)
		return ucb_errf(-EPROTONOSUPPORT, "format version %u not supported (this reader: %d)",
		    get16(h + 8), UCB_FORMAT);
	b->compression = get16(h + 10);
	if (b->compression > UCB_COMP_XZ || get32(h + 12))
		return ucb_errf(-EINVAL, "unknown compression %u or flags 0x%x", b->compression, get32(h + 12));
	stored = get64(h + 16);
	raw = get64(h + 24);
	if (stored != sz - UCB_HDR_SZ)
		return ucb_errf(-EINVAL, "%s: header says %llu payload bytes, file has %zu",
		    sz - UCB_HDR_SZ < stored ? "truncated" : "trailing data",
		    (unsigned long long)stored, sz - UCB_HDR_SZ);
	if (raw > max_size)
		return ucb_errf(-EFBIG, "payload of %llu bytes exceeds the %llu-byte limit",
		    (unsigned long long)raw, (unsigned long long)max_size);
	ucb_sha256_init(&c);
	ucb_sha256_update(&c, h, 32);
	ucb_sha256_update(&c, h + UCB_HDR_SZ, stored);
	ucb_sha256_final(&c, sum);
	if (memcmp(sum, h + 32, SHA256_LEN))
		return ucb_errf(-EBADMSG, "checksum mismatch (damaged bundle)");
	ucb_hex(sum, SHA256_LEN, b->checksum);
	b->file_sz = sz;
	b->payload_sz = raw;
	b->payload = malloc(raw ? raw : 1);
	if (!b->payload)
		return ucb_errf(-ENOMEM, "out of memory for %llu bytes", (unsigned long long)raw);
	ret = decompress(b->compression, h + UCB_HDR_SZ, stored, b->payload, raw, mem_limit);
	if (!ret)
		ret = parse_records(b);
	if (ret)
		ucb_bundle_free(b);
	return ret;
}

void ucb_bundle_free(struct ucb_bundle *b)
{
	ucb_index_free(&b->idx);
	ucb_needs_free(&b->needs);
	ucb_vrules_free(&b->rules);
	free(b->blobs);
	free(b->payload);
	memset(b, 0, sizeof(*b));
}

static int cmp_wblob(const void *a, const void *b)
{
	return strcmp(((const struct ucb_wblob *)a)->digest, ((const struct ucb_wblob *)b)->digest);
}

static uint8_t *add_record(uint8_t *p, uint32_t tag, const void *a, size_t alen, const void *b, size_t blen)
{
	size_t len = alen + blen, pad = (4 - len % 4) % 4;

	put32(p, tag);
	put32(p + 4, len);
	memcpy(p + 8, a, alen);
	if (blen)
		memcpy(p + 8 + alen, b, blen);
	memset(p + 8 + len, 0, pad);
	return p + 8 + len + pad;
}

static int payload_compress(int comp, const uint8_t *in, size_t in_sz, uint8_t **out, size_t *out_sz)
{
	lzma_options_lzma opt;
	lzma_filter filters[2];
	size_t cap, pos = 0;
	uLongf zlen;

	switch (comp) {
	case UCB_COMP_NONE:
		*out = malloc(in_sz ? in_sz : 1);
		if (!*out)
			return ucb_errf(-ENOMEM, "out of memory");
		memcpy(*out, in, in_sz);
		*out_sz = in_sz;
		return 0;
	case UCB_COMP_ZLIB:
		zlen = compressBound(in_sz);
		*out = malloc(zlen);
		if (!*out)
			return ucb_errf(-ENOMEM, "out of memory");
		if (compress2(*out, &zlen, in, in_sz, 9) != Z_OK) {
			free(*out);
			return ucb_errf(-EIO, "zlib: cannot compress the payload");
		}
		*out_sz = zlen;
		return 0;
	case UCB_COMP_XZ:
		/* A dictionary no larger than the payload keeps the reader's
		 * decoder memory small. */
		if (lzma_lzma_preset(&opt, 9 | LZMA_PRESET_EXTREME))
			return ucb_errf(-EINVAL, "xz: no preset 9e");
		if (opt.dict_size > in_sz)
			opt.dict_size = in_sz < LZMA_DICT_SIZE_MIN ? LZMA_DICT_SIZE_MIN : in_sz;
		filters[0] = (lzma_filter){ LZMA_FILTER_LZMA2, &opt };
		filters[1] = (lzma_filter){ LZMA_VLI_UNKNOWN, NULL };
		cap = lzma_stream_buffer_bound(in_sz);
		*out = malloc(cap);
		if (!*out)
			return ucb_errf(-ENOMEM, "out of memory");
		if (lzma_stream_buffer_encode(filters, LZMA_CHECK_CRC32, NULL, in, in_sz, *out, &pos, cap)) {
			free(*out);
			return ucb_errf(-EIO, "xz: cannot compress the payload");
		}
		*out_sz = pos;
		return 0;
	}
	return ucb_errf(-EINVAL, "unknown compression %d", comp);
}

int ucb_bundle_build(const char *index, size_t index_len, const char *needs, size_t needs_len,
		     const char *rules, size_t rules_len, struct ucb_wblob *blobs, size_t cnt,
		     int compression, void **out, size_t *out_sz)
{
	uint8_t *payload, *p, *stored = NULL, *img, raw_digest[SHA256_LEN];
	size_t cap, i, stored_sz = 0, payload_sz;
	struct ucb_sha256 c;
	int err;

	cap = 24 + index_len + needs_len + rules_len + 12;
	for (i = 0; i < cnt; i++)
		cap += 12 + SHA256_LEN + blobs[i].size;
	payload = p = malloc(cap);
	if (!payload)
		return ucb_errf(-ENOMEM, "out of memory for a %zu-byte payload", cap);
	if (cnt)
		qsort(blobs, cnt, sizeof(*blobs), cmp_wblob);
	p = add_record(p, TAG_INDX, index, index_len, NULL, 0);
	p = add_record(p, TAG_NEED, needs, needs_len, NULL, 0);
	/* No rules: no record, the bytes of a bundle without rules as before. */
	if (rules_len)
		p = add_record(p, TAG_RULE, rules, rules_len, NULL, 0);
	for (i = 0; i < cnt; i++) {
		if (i && !strcmp(blobs[i].digest, blobs[i - 1].digest))
			continue;
		for (int k = 0; k < SHA256_LEN; k++)
			sscanf(blobs[i].digest + 2 * k, "%2hhx", &raw_digest[k]);
		p = add_record(p, TAG_BLOB, raw_digest, SHA256_LEN, blobs[i].data, blobs[i].size);
	}
	payload_sz = p - payload;
	err = payload_compress(compression, payload, payload_sz, &stored, &stored_sz);
	free(payload);
	if (err)
		return err;
	img = calloc(1, UCB_HDR_SZ + stored_sz);
	if (!img) {
		free(stored);
		return ucb_errf(-ENOMEM, "out of memory");
	}
	memcpy(img, UCB_MAGIC, 8);
	put16(img + 8, UCB_FORMAT);
	put16(img + 10, compression);
	put64(img + 16, stored_sz);
	put64(img + 24, payload_sz);
	memcpy(img + UCB_HDR_SZ, stored, stored_sz);
	free(stored);
	ucb_sha256_init(&c);
	ucb_sha256_update(&c, img, 32);
	ucb_sha256_update(&c, img + UCB_HDR_SZ, stored_sz);
	ucb_sha256_final(&c, img + 32);
	*out = img;
	*out_sz = UCB_HDR_SZ + stored_sz;
	return 0;
}
