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
#define TAG_BIDS 0x53444942u	/* "BIDS": format 2's build-ids */

static uint16_t get16(const uint8_t *p) { return p[0] | p[1] << 8; }
static uint32_t get32(const uint8_t *p) { return get16(p) | (uint32_t)get16(p + 2) << 16; }
static uint64_t get64(const uint8_t *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }
static void put16(uint8_t *p, uint16_t v) { p[0] = v; p[1] = v >> 8; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v); put16(p + 2, v >> 16); }
static void put64(uint8_t *p, uint64_t v) { put32(p, v); put32(p + 4, v >> 32); }

const char *ucb_compression_name(int c)
{
	return c == UCB_COMP_XZ || c == UCB_COMP_LZMA2 ? "xz" : c == UCB_COMP_ZLIB ? "zlib" : c == UCB_COMP_NONE ? "none" : "?";
}

/* A raw LZMA2 stream's decoder: the dictionary need not exceed what it
 * decodes to, so the payload size is the dictionary size (within LZMA2's
 * 4 KiB to 1.5 GiB). */
static int lzma2_decoder(lzma_stream *xs, size_t out_sz, uint64_t mem_limit)
{
	const size_t max = (1u << 30) + (1u << 29);
	lzma_options_lzma opt = { .dict_size = out_sz < LZMA_DICT_SIZE_MIN ? LZMA_DICT_SIZE_MIN :
					       out_sz > max ? max : out_sz };
	lzma_filter f[2] = { { LZMA_FILTER_LZMA2, &opt }, { LZMA_VLI_UNKNOWN, NULL } };
	uint64_t mem = lzma_raw_decoder_memusage(f);

	if (mem > mem_limit)
		return ucb_errf(-E2BIG, "xz: decoder needs more than the %llu-byte memory limit",
				(unsigned long long)mem_limit);
	return lzma_raw_decoder(xs, f) == LZMA_OK ? 0 : ucb_errf(-ENOMEM, "xz: cannot initialise decoder");
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
	case UCB_COMP_LZMA2:
		if (comp == UCB_COMP_LZMA2) {
			zr = lzma2_decoder(&xs, out_sz, mem_limit);
			if (zr)
				return zr;
		/* The header's sha256 covers the stream: its own CRC is redundant. */
		} else if (lzma_stream_decoder(&xs, mem_limit, LZMA_IGNORE_CHECK) != LZMA_OK) {
			return ucb_errf(-ENOMEM, "xz: cannot initialise decoder");
		}
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

/* One BLOB record: format 1 has its sha256 in front, format 2 none (the
 * digest is computed, as the entries need it to name their blob). */
static int add_blob(struct ucb_bundle *b, const uint8_t *p, uint32_t len)
{
	size_t skip = b->version == UCB_FORMAT_V1 ? SHA256_LEN : 0;
	uint8_t sum[SHA256_LEN];
	struct ucb_blob *bl;

	if (len <= skip)
		return ucb_errf(-EINVAL, "empty BLOB record");
	if (b->blob_cnt >= UCB_MAX_ENTRIES)
		return ucb_errf(-E2BIG, "too many blobs");
	bl = realloc(b->blobs, (b->blob_cnt + 1) * sizeof(*bl));
	if (!bl)
		return ucb_errf(-ENOMEM, "out of memory");
	b->blobs = bl;
	bl = &b->blobs[b->blob_cnt++];
	bl->data = p + skip;
	bl->size = len - skip;
	/* Named in messages by its digest (format 1) or its ordinal. */
	if (skip)
		ucb_hex(p, SHA256_LEN, bl->digest);
	else
		snprintf(bl->digest, sizeof(bl->digest), "%zu", b->blob_cnt - 1);
	/* An oversized blob is refused before it costs a hash. */
	if (ucb_btf_raw_type_cnt(bl->data, bl->size, UCB_MAX_BLOB_TYPES) > UCB_MAX_BLOB_TYPES)
		return ucb_errf(-E2BIG, "blob %.16s...: more than the %u types a blob may hold",
				bl->digest, UCB_MAX_BLOB_TYPES);
	ucb_sha256(bl->data, bl->size, sum);
	if (skip && memcmp(sum, p, SHA256_LEN))
		return ucb_errf(-EINVAL, "blob %.16s...: content does not match its sha256", bl->digest);
	ucb_hex(sum, SHA256_LEN, bl->digest);
	return 0;
}

struct records {
	const uint8_t *indx, *need, *rule, *bids;
	uint32_t indx_len, need_len, rule_len, bids_len;
};

/* The single records by tag; NULL: no such tag in this format. */
static const uint8_t **single(struct records *r, int version, uint32_t tag, uint32_t **len,
			      const char **name)
{
	switch (tag) {
	case TAG_INDX: *len = &r->indx_len; *name = "INDX"; return &r->indx;
	case TAG_NEED: *len = &r->need_len; *name = "NEED"; return &r->need;
	case TAG_RULE: *len = &r->rule_len; *name = "RULE"; return &r->rule;
	case TAG_BIDS: *len = &r->bids_len; *name = "BIDS"; return version == UCB_FORMAT_V1 ? NULL : &r->bids;
	}
	return NULL;
}

static int split_records(struct ucb_bundle *b, struct records *r)
{
	const uint8_t *p = b->payload, *end = b->payload + b->payload_sz, **rec;
	uint32_t tag, len, pad, *rlen;
	const char *name;
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
		if (tag == TAG_BLOB) {
			ret = add_blob(b, p, len);
			if (ret)
				return ret;
		} else if ((rec = single(r, b->version, tag, &rlen, &name))) {
			if (*rec)
				return ucb_errf(-EINVAL, "duplicate %s record", name);
			*rec = p;
			*rlen = len;
		} else {
			return ucb_errf(-EINVAL, "unknown record tag 0x%08x", tag);
		}
		p += len + pad;
	}
	if (!r->indx)
		return ucb_errf(-EINVAL, "no INDX record");
	/* Format 2 has one spelling of each archive: every record it
	 * always writes is required. */
	if (b->version != UCB_FORMAT_V1 && (!r->bids || !r->need))
		return ucb_errf(-EINVAL, "no %s record", r->bids ? "NEED" : "BIDS");
	return 0;
}

static int parse_records(struct ucb_bundle *b)
{
	struct records r = {};
	size_t i;
	int ret;

	ret = split_records(b, &r);
	if (ret)
		return ret;
	if (b->version == UCB_FORMAT_V1)
		ret = ucb_index_parse((const char *)r.indx, r.indx_len, &b->idx);
	else	/* blobs still in ordinal order */
		ret = ucb_bundle_v2_index((const char *)r.indx, r.indx_len, r.bids, r.bids_len, b->blobs,
					  b->blob_cnt, &b->idx, &b->strs);
	if (ret)
		return ret;
	ret = ucb_needs_parse(r.need ? (const char *)r.need : "", r.need_len, &b->needs);
	if (ret)
		return ret;
	/* Bundles made before version rules have no RULE record. */
	ret = ucb_vrules_parse(r.rule ? (const char *)r.rule : "", r.rule_len, &b->rules);
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
	b->version = get16(h + 8);
	if (b->version != UCB_FORMAT && b->version != UCB_FORMAT_V1)
		return ucb_errf(-EPROTONOSUPPORT, "format version %u not supported (this reader: %d and %d)",
		    b->version, UCB_FORMAT_V1, UCB_FORMAT);
	b->compression = get16(h + 10);
	/* Raw LZMA2 came with format 2. */
	if (b->compression > (b->version == UCB_FORMAT_V1 ? UCB_COMP_XZ : UCB_COMP_LZMA2) || get32(h + 12))
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
	free(b->strs);
	free(b->blobs);
	free(b->payload);
	memset(b, 0, sizeof(*b));
}

static int cmp_wblob(const void *a, const void *b)
{
	return strcmp(((const struct ucb_wblob *)a)->digest, ((const struct ucb_wblob *)b)->digest);
}

static uint8_t *add_record(uint8_t *p, uint32_t tag, const void *data, size_t len)
{
	size_t pad = (4 - len % 4) % 4;

	put32(p, tag);
	put32(p + 4, len);
	if (len)
		memcpy(p + 8, data, len);
	memset(p + 8 + len, 0, pad);
	return p + 8 + len + pad;
}

/* Raw LZMA2, preset 9e, the dictionary no larger than the payload (the
 * reader's decoder memory is then the payload's size).  Two literal
 * coder settings are tried and the smaller output kept: lc=1 lp=0 pb=0
 * wins on bundles of small blobs (docs/bundle.md, "Sizes"), the preset's
 * lc=3 pb=2 may on large ones. */
static int lzma2_compress(const uint8_t *in, size_t in_sz, uint8_t **out, size_t *out_sz)
{
	static const struct { uint32_t lc, pb, nice; } tries[2] = { { 1, 0, 128 }, { 3, 2, 273 } };
	lzma_options_lzma opt;
	lzma_filter f[2];
	size_t cap = lzma_stream_buffer_bound(in_sz), sz[2] = {}, i;
	uint8_t *buf[2] = { malloc(cap), malloc(cap) };
	int best = 0, err = 0;

	for (i = 0; i < 2 && !err; i++) {
		if (!buf[i] || lzma_lzma_preset(&opt, 9 | LZMA_PRESET_EXTREME)) {
			err = ucb_errf(-ENOMEM, "out of memory");
			break;
		}
		opt.dict_size = in_sz < LZMA_DICT_SIZE_MIN ? LZMA_DICT_SIZE_MIN :
				in_sz > (1u << 30) + (1u << 29) ? (1u << 30) + (1u << 29) : in_sz;
		opt.lc = tries[i].lc;
		opt.lp = 0;
		opt.pb = tries[i].pb;
		opt.nice_len = tries[i].nice;
		f[0] = (lzma_filter){ LZMA_FILTER_LZMA2, &opt };
		f[1] = (lzma_filter){ LZMA_VLI_UNKNOWN, NULL };
		if (lzma_raw_buffer_encode(f, NULL, in, in_sz, buf[i], &sz[i], cap) != LZMA_OK)
			err = ucb_errf(-EIO, "xz: cannot compress the payload");
		else if (sz[i] < sz[best])
			best = i;
	}
	if (err) {
		free(buf[0]);
		free(buf[1]);
		return err;
	}
	free(buf[!best]);
	*out = buf[best];
	*out_sz = sz[best];
	return 0;
}

static int payload_compress(int comp, const uint8_t *in, size_t in_sz, uint8_t **out, size_t *out_sz)
{
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
	case UCB_COMP_LZMA2:
		return lzma2_compress(in, in_sz, out, out_sz);
	}
	return ucb_errf(-EINVAL, "unknown compression %d", comp);
}

/* The format-2 payload: index columns, build-ids, needs, rules, then the
 * blobs in ordinal order (each once, successive versions' next to each
 * other).  Every choice is a function of the archive's content alone. */
static int build_payload(const char *index, size_t index_len, const char *needs, size_t needs_len,
			 const char *rules, size_t rules_len, struct ucb_wblob *blobs, size_t cnt,
			 uint8_t **payload, size_t *payload_sz)
{
	struct ucb_v2_index v = {};
	struct ucb_index idx;
	size_t cap, i;
	uint8_t *p;
	int err;

	err = ucb_index_parse(index, index_len, &idx);
	if (err)
		return err;
	ucb_index_sort(&idx);
	if (cnt)
		qsort(blobs, cnt, sizeof(*blobs), cmp_wblob);
	err = ucb_bundle_v2_encode(&idx, blobs, cnt, &v);
	ucb_index_free(&idx);
	if (err)
		return err;
	cap = 5 * 12 + v.cols_len + v.bids_len + needs_len + rules_len;
	for (i = 0; i < v.order_cnt; i++)
		cap += 12 + blobs[v.order[i]].size;
	*payload = p = malloc(cap);
	if (!p) {
		ucb_v2_index_free(&v);
		return ucb_errf(-ENOMEM, "out of memory for a %zu-byte payload", cap);
	}
	p = add_record(p, TAG_INDX, v.cols, v.cols_len);
	p = add_record(p, TAG_BIDS, v.bids, v.bids_len);
	p = add_record(p, TAG_NEED, needs, needs_len);
	/* No rules: no record. */
	if (rules_len)
		p = add_record(p, TAG_RULE, rules, rules_len);
	for (i = 0; i < v.order_cnt; i++)
		p = add_record(p, TAG_BLOB, blobs[v.order[i]].data, blobs[v.order[i]].size);
	*payload_sz = p - *payload;
	ucb_v2_index_free(&v);
	return 0;
}

int ucb_bundle_build(const char *index, size_t index_len, const char *needs, size_t needs_len,
		     const char *rules, size_t rules_len, struct ucb_wblob *blobs, size_t cnt,
		     int compression, void **out, size_t *out_sz)
{
	uint8_t *payload = NULL, *stored = NULL, *img;
	size_t stored_sz = 0, payload_sz = 0;
	struct ucb_sha256 c;
	int err;

	if (compression == UCB_COMP_XZ)
		compression = UCB_COMP_LZMA2;
	err = build_payload(index, index_len, needs, needs_len, rules, rules_len, blobs, cnt, &payload,
			    &payload_sz);
	err = err ?: payload_compress(compression, payload, payload_sz, &stored, &stored_sz);
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
